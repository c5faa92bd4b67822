"""File import: JSON Lines or CSV exports of comments and DMs, parsed line by line, bad lines reported.

No line can stop the file: broken JSON, nesting too deep, numbers too long, a CSV field of any size or an
unterminated quote are errors of their own line, and the lines after them are read as usual. A file that is
not UTF-8 is refused before anything is stored unless its encoding is given: replacing its accents with
U+FFFD would corrupt every stored text silently.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from moderation.domain import MAX_TEXT_CHARS, Interaction, Kind, Platform
from moderation.domain.safe_input import JsonInputError, loads

TRUE_WORDS = {"1", "true", "yes", "y", "t", "oui", "vrai"}
FALSE_WORDS = {"0", "false", "no", "n", "f", "non", "faux", ""}


class RecordError(ValueError):
    """One record cannot become an interaction; the message says why in a line."""


class FileEncodingError(ValueError):
    """The file is not in the expected encoding; nothing of it was read. The message says what to pass."""


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


def read_export(path: Path, *, encoding: str | None = None) -> Iterator[ParsedLine]:
    """Yield one ParsedLine per record, numbered as in the file; never raises for a bad record.

    Without `encoding` the file must be UTF-8 (a BOM is fine); anything else raises FileEncodingError
    before the first record, naming the line and suggesting `--encoding`."""
    text = decode_export(path.read_bytes(), encoding)
    if path.suffix.lower() == ".csv":
        yield from _read_csv(text)
    else:
        yield from _read_jsonl(text)


def decode_export(data: bytes, encoding: str | None) -> str:
    if encoding is not None:
        try:
            return data.decode(encoding)
        except LookupError:
            raise FileEncodingError(f"unknown encoding {encoding[:40]!r} (e.g. utf-8, cp1252, latin-1)") from None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise FileEncodingError(f"line {line} is not valid {encoding} (byte 0x{data[exc.start]:02x})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        guess = ""
        if _reads_as_western(data):
            guess = " it looks like Latin-1/Windows-1252:"
        raise FileEncodingError(
            f"line {line} is not UTF-8 (byte 0x{data[exc.start]:02x});{guess} pass --encoding cp1252 (or the "
            f"file's encoding), or save it as UTF-8. Nothing was stored") from None


def _reads_as_western(data: bytes) -> bool:
    """Every byte past ASCII decodes (cp1252) to a letter or common punctuation: a Western European export."""
    text = data.decode("cp1252", errors="replace")
    high = [c for c in text if ord(c) > 127]
    return bool(high) and all(c.isalpha() or c in "€’‘“”–—…«»°·" for c in high)


def _read_jsonl(text: str) -> Iterator[ParsedLine]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = loads(line)
        except JsonInputError as exc:
            yield ParsedLine(number, error=f"broken JSON: {str(exc).removeprefix('not JSON: ')}")
            continue
        yield _parse(number, record)


def _read_csv(text: str) -> Iterator[ParsedLine]:
    # Fields are bounded by the file, already in memory; the csv module's 131,072-character default stopped
    # the whole file at the first long field (the record is then refused by its text length, on its own).
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(len(text) + 1)
    lines = text.splitlines(keepends=True)
    header_rows = list(_csv_rows(lines[:1], 1))
    if not header_rows or header_rows[0][1] is None:
        yield ParsedLine(1, error="CSV header must name at least: platform, kind, id, author, text, time")
        return
    header = [name.strip() for name in header_rows[0][1]]
    if "text" not in header:
        yield ParsedLine(1, error="CSV header must name at least: platform, kind, id, author, text, time")
        return
    for number, row, error in _csv_rows(lines[1:], 2):
        if error is not None:
            yield ParsedLine(number, error=error)
            continue
        # Like csv.DictReader: missing trailing fields are None, extra ones are ignored.
        values = list(row) + [None] * (len(header) - len(row))
        yield _parse(number, dict(zip(header, values, strict=False)))


def _csv_rows(lines: list[str], first: int) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(starting line, fields, None) per record, or (line, None, error): a record the csv module refuses
    (an unterminated quote, a stray quote) is reported at the line it starts on and reading resumes on the
    next line, so a bad quote costs one line, not every line after it."""
    start = 0
    while start < len(lines):
        reader = csv.reader(lines[start:], strict=True)
        consumed = 0
        try:
            for row in reader:
                number = first + start + consumed
                consumed = reader.line_num
                # A blank line is no record, whatever whitespace it holds (a form feed, spaces): as in JSON lines.
                if row and not (len(row) == 1 and not row[0].strip()):
                    yield number, row, None
            return
        except csv.Error as exc:
            number = first + start + consumed
            reason = "unterminated quoted field" if "unexpected end of data" in str(exc) else str(exc)
            yield number, None, f"bad CSV: {reason}; the next line is read on its own"
            start += consumed + 1


def _parse(number: int, record: Any) -> ParsedLine:
    try:
        return ParsedLine(number, interaction=parse_record(record))
    except RecordError as exc:
        return ParsedLine(number, error=str(exc))
