"""`socialops serve`: the webhook receiver on its own (Meta and TikTok deliveries in, stored for the worker)."""

from __future__ import annotations

from pathlib import Path

import click

from socialops.cli_options import config_option


def register(group: click.Group) -> None:
    @group.command("serve")
    @config_option
    @click.option("--host", default=None, help="Listen address (default: webhooks.host).")
    @click.option("--port", type=int, default=None, help="Listen port (default: webhooks.port).")
    def serve(config_path: Path | None, host: str | None, port: int | None) -> None:
        """Serve the webhook endpoints until SIGTERM/Ctrl-C.

        \b
        GET  /webhooks/meta    Meta's verification handshake (hub.challenge)
        POST /webhooks/meta    Instagram and Facebook Page deliveries (X-Hub-Signature-256)
        POST /webhooks/tiktok  TikTok comment events (TikTok-Signature)
        GET  /healthz          200 when the database answers
        GET  /metrics          Prometheus metrics (queue depth, classify latency, actions by state, dead letters)

        Deliveries are stored before they are acknowledged; `socialops run` classifies and acts on them.
        Put it behind an HTTPS reverse proxy: Meta and TikTok only call https:// URLs."""
        import gc

        import uvicorn

        from moderation.storage import Database
        from socialops.compose.core import build_webhook_app
        from socialops.config import load_settings

        settings = load_settings(config_path)
        db = Database(settings.database_url)
        app = build_webhook_app(settings, db)
        host = host or settings.webhooks.host
        port = port or settings.webhooks.port
        click.echo(f"socialops webhooks on http://{host}:{port} (POST /webhooks/meta, /webhooks/tiktok; "
                   f"GET /healthz, /metrics)", err=True)
        # Start-up objects (SQLAlchemy, pydantic, the app) never die: out of the collector's sight, a full
        # collection no longer walks them all in the middle of a burst of deliveries.
        gc.collect()
        gc.freeze()
        try:
            uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off",
                        timeout_graceful_shutdown=5)
        finally:
            db.dispose()
