"""File import: JSON Lines or CSV exports of comments and DMs, parsed line by line, bad lines reported."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from moderation.domain import MAX_TEXT_CHARS, Interaction, Kind, Platform

TRUE_WORDS = {"1", "true", "yes", "y", "t", "oui", "vrai"}
FALSE_WORDS = {"0", "false", "no", "n", "f", "non", "faux", ""}


class RecordError(ValueError):
    """One record cannot become an interaction; the message says why in a line."""


@dataclass(frozen=True)
class ParsedLine:
    line: int
    interaction: Interaction | None = None
    error: str | None = None


def parse_record(record: dict[str, Any]) -> Interaction:
    """Map an export record (platform, kind, id, author, text, post_id, time, follower, vip, ...) to an
    Interaction. Unknown extra columns are ignored: exports carry many."""
    if not isinstance(record, dict):
        raise RecordError("record is not an object")
    platform = _required(record, "platform").lower()
    if platform not in Platform.__members__:
        raise RecordError(f"unknown platform {platform!r} (known: {', '.join(Platform.__members__)})")
    kind = str(record.get("kind") or "comment").strip().lower()
    if kind not in Kind.__members__:
        raise RecordError(f"unknown kind {kind!r} (known: {', '.join(Kind.__members__)})")
    text = record.get("text")
    if text is None or not str(text).strip():
        raise RecordError("missing text")
    text = str(text)
    if len(text) > MAX_TEXT_CHARS:
        raise RecordError(f"text is {len(text)} characters, more than {MAX_TEXT_CHARS}")
    author = _required(record, "author")
    try:
        return Interaction(
            platform=Platform(platform),
            kind=Kind(kind),
            external_id=_required(record, "id"),
            author_id=str(record.get("author_id") or author).strip(),
            author_name=author,
            text=text,
            post_id=_optional(record, "post_id"),
            created_at=_parse_time(record.get("time")),
            is_follower=_parse_bool(record.get("follower"), "follower"),
            is_vip=_parse_bool(record.get("vip"), "vip"),
            campaign=_optional(record, "campaign"),
            parent_id=_optional(record, "parent_id"),
            account_id=_optional(record, "account"),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RecordError(f"{where}: {first['msg']}") from None


def _required(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None or not str(value).strip():
        raise RecordError(f"missing {key}")
    return str(value).strip()


def _optional(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return str(value).strip() or None if value is not None else None


def _parse_time(value: Any) -> datetime:
    if value is None or not str(value).strip():
        raise RecordError("missing time")
    raw = str(value).strip()
    try:
        if raw.isdigit():  # epoch seconds, as some exports write it

            return datetime.fromtimestamp(int(raw), tz=UTC)
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise RecordError(f"bad time {raw!r} (expected ISO 8601, e.g. 2026-11-15T14:03:11Z)") from None


def _parse_bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value if value is not None else "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RecordError(f"bad {key} flag {value!r} (expected true or false)")


def read_export(path: Path) -> Iterator[ParsedLine]:
    """Yield one ParsedLine per record, numbered as in the file; never raises for a bad record."""
    data = path.read_bytes()
    text = data.decode("utf-8-sig", errors="replace")
    if path.suffix.lower() == ".csv":
        yield from _read_csv(text)
    else:
        yield from _read_jsonl(text)


def _read_jsonl(text: str) -> Iterator[ParsedLine]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ParsedLine(number, error=f"broken JSON: {exc.msg} at column {exc.colno}")
            continue
        yield _parse(number, record)


def _read_csv(text: str) -> Iterator[ParsedLine]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "text" not in [name.strip() for name in reader.fieldnames]:
        yield ParsedLine(1, error="CSV header must name at least: platform, kind, id, author, text, time")
        return
    for record in reader:
        clean = {(key or "").strip(): value for key, value in record.items()}
        yield _parse(reader.line_num, clean)


def _parse(number: int, record: Any) -> ParsedLine:
    try:
        return ParsedLine(number, interaction=parse_record(record))
    except RecordError as exc:
        return ParsedLine(number, error=str(exc))
