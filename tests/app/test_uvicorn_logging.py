"""Issue 15 item 6: uvicorn's own error log (tracebacks of the ASGI app, protocol errors) goes through the
same redacting handler as ours: a registered secret never reaches the terminal through it."""

from __future__ import annotations

import logging

from starlette.applications import Starlette

from moderation.runtime.redaction import register_secret
from socialops.logging import configure_logging
from socialops.webserver import WebhookComponent

SECRET = "EAAG-uvicorn-log-secret-0123456789"


def test_uvicorn_error_records_are_scrubbed_like_ours(capfd) -> None:
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # as in a fresh process (other tests' servers
        logger = logging.getLogger(name)                           # may have installed uvicorn's own config)
        logger.handlers.clear()
        logger.propagate = True
    configure_logging(0)
    register_secret(SECRET)
    component = WebhookComponent(Starlette(), host="127.0.0.1", port=0)
    component.config.load()  # what uvicorn does when it starts serving: it would install its own handlers here
    logging.getLogger("uvicorn.error").error("Exception in ASGI application: token %s refused", SECRET)
    err = capfd.readouterr().err
    assert "Exception in ASGI application" in err
    assert SECRET not in err and "[redacted]" in err
