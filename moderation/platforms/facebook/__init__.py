"""Facebook Pages: comments and Messenger (Graph API; shares the Meta webhook format)."""
