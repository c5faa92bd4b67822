"""Logging for every socialops process, set up in one place: namespaced events with their fields, secrets
scrubbed from every record and traceback, personal data (author names, message texts) redacted unless the
process logs at debug level."""

from __future__ import annotations

import logging
from typing import Any

from moderation.runtime.redaction import REDACTED, register_secret, scrub

__all__ = ["REDACTED", "RedactingFilter", "SocialopsFormatter", "configure_logging", "register_secret", "scrub"]

# Record fields that carry what people wrote or who they are. Shown only at debug level (-vv).
PERSONAL_FIELDS = frozenset({"author", "author_name", "author_id", "text", "draft_text", "final_text", "body",
                             "message_text", "user_name"})
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName", "color_message"}


def _redact_personal(value: Any) -> str:
    return f"[{len(str(value))} chars]"


class SocialopsFormatter(logging.Formatter):
    """`time LEVEL logger event key=value ...`; personal fields redacted unless `show_personal`."""

    def __init__(self, *, show_personal: bool = False) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self.show_personal = show_personal

    def format(self, record: logging.LogRecord) -> str:
        fields = []
        for key, value in vars(record).items():
            if key in _STANDARD or key.startswith("_"):
                continue
            shown = value if self.show_personal or key not in PERSONAL_FIELDS else _redact_personal(value)
            fields.append(f"{key}={shown}")
        line = super().format(record)
        if fields:
            head, sep, tail = line.partition("\n")  # fields go on the first line, before a traceback
            line = f"{head} {' '.join(fields)}{sep}{tail}"
        return scrub(line)

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return scrub(super().formatException(ei))


class RedactingFilter(logging.Filter):
    """For handlers we do not format ourselves (pytest's capture, a JSON handler): scrub the record itself."""

    def __init__(self, *, show_personal: bool = False) -> None:
        super().__init__()
        self.show_personal = show_personal

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg, record.args = record.getMessage(), None
        record.msg = scrub(str(record.msg))
        for key in list(vars(record)):
            if key in _STANDARD or key.startswith("_"):
                continue
            value = getattr(record, key)
            if key in PERSONAL_FIELDS and not self.show_personal:
                setattr(record, key, _redact_personal(value))
            elif isinstance(value, str):
                setattr(record, key, scrub(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


def configure_logging(verbose: int = 0) -> None:
    """What the CLI calls: warnings by default, -v info, -vv debug (and only then personal data)."""
    level = max(logging.WARNING - 10 * verbose, logging.DEBUG)
    show_personal = level <= logging.DEBUG
    handler = logging.StreamHandler()
    handler.setFormatter(SocialopsFormatter(show_personal=show_personal))
    handler.addFilter(RedactingFilter(show_personal=show_personal))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_socialops", False)]:
        root.removeHandler(old)
    handler._socialops = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
