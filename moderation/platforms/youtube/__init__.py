"""YouTube: comment threads polled in (Data API v3, quota ledger), replies and moderation status out."""
