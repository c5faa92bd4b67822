"""What a long-running component raises when it cannot start (one line a supervisor's log can show), and
starting an embedded HTTP server so that its failures are that."""

from __future__ import annotations

import socket
from typing import Any


class CannotStart(Exception):
    """A component cannot start (a refused token, an unreachable service). The process exits non-zero with
    this message as its one line, so the supervisor (systemd, Kubernetes) restarts it; no traceback, since
    the cause is outside the code."""

    def __init__(self, component: str, reason: str) -> None:
        super().__init__(f"{component} cannot start: {reason}")
        self.component = component
        self.reason = reason


def bind_socket(component: str, host: str, port: int) -> socket.socket:
    """A socket bound to `host:port` for an embedded uvicorn server. Bound here rather than by uvicorn, which
    answers a port in use with sys.exit: CannotStart instead of a SystemExit escaping the event loop."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
    except OSError as exc:
        raise CannotStart(component, f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    return sock


async def serve(component: str, server: Any, sock: socket.socket) -> None:
    """`server.serve()` (a uvicorn Server) on `sock`, its start-up sys.exit turned into CannotStart inside this
    coroutine, before the task machinery would let it escape the event loop."""
    try:
        await server.serve(sockets=[sock])
    except SystemExit as exc:
        raise CannotStart(component, f"the server did not start (uvicorn exit code {exc.code})") from None
