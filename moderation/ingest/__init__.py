"""Ingest: turn exports, webhooks and pollers' records into stored Interactions, deduplicated."""
