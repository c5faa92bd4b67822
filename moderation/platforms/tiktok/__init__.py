"""TikTok: webhook events in, comment replies and hides out."""
