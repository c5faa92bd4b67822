"""Instagram: Graph API comments and Messenger-for-Instagram DMs (shares the Meta webhook format)."""
