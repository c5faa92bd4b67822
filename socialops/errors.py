"""Errors the CLI shows as one line. Library code raises them (or its own); only the CLI exits."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix: a bad file, a missing setting. Shown as one line, exit code 1."""


def known_errors() -> tuple[type[BaseException], ...]:
    """Every library error type that is the user's to fix, collected without importing heavy modules."""
    from moderation.act.pauses import PauseError
    from moderation.act.reviews import ReviewError
    from moderation.act.undo import ActionNotFound, CannotUndo
    from moderation.domain.limits import LimitExceeded
    from moderation.knowledge.files import KnowledgeError
    from moderation.platforms.registry import ConnectorConfigError
    from moderation.storage import DatabaseError
    from socialops.config import ConfigError

    errors: list[type[BaseException]] = [UserError, ConfigError, DatabaseError, LimitExceeded, FileNotFoundError,
                                         PermissionError, IsADirectoryError, ConnectorConfigError,
                                         ActionNotFound, CannotUndo, KnowledgeError, ReviewError, PauseError]
    try:
        from playbooks.errors import PlaybookError

        errors.append(PlaybookError)
    except ImportError:  # pragma: no cover - until the playbooks package defines it
        pass
    return tuple(errors)
