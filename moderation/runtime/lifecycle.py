"""What a long-running component raises when it cannot start: one line a supervisor's log can show."""

from __future__ import annotations


class CannotStart(Exception):
    """A component cannot start (a refused token, an unreachable service). The process exits non-zero with
    this message as its one line, so the supervisor (systemd, Kubernetes) restarts it; no traceback, since
    the cause is outside the code."""

    def __init__(self, component: str, reason: str) -> None:
        super().__init__(f"{component} cannot start: {reason}")
        self.component = component
        self.reason = reason
