"""Hostile-input guards shared by every reader: text cleaned for storage, JSON parsed within limits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

MAX_JSON_DEPTH = 64  # far deeper than any platform payload or export record; deeper is refused, not recursed
_SURROGATES = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


class JsonInputError(ValueError):
    """A JSON text that cannot be read within the limits; the message says why in a few words."""


def clean_text(value: str) -> str:
    """`value` as every database stores it: NUL and lone surrogates replaced by U+FFFD.

    PostgreSQL refuses NUL in text and UTF-8 cannot hold a lone surrogate; SQLite took both, so the same
    input stored differently per backend. Cleaning before storage makes them agree. Replaced, not removed:
    lengths stay, a NUL-only id does not become empty, and "a\\x00b" and "ab" stay two ids."""
    if "\x00" in value:
        value = value.replace("\x00", REPLACEMENT)
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub(REPLACEMENT, value)
    return value


def encodable(value: str) -> bool:
    """True when `value` can be written as UTF-8 (no lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse_constant(name: str) -> Any:
    raise JsonInputError(f"non-standard JSON constant {name}")


def loads(data: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """json.loads with limits: nesting deeper than `max_depth`, a number too long to convert, NaN/Infinity,
    invalid UTF-8 and broken JSON all raise JsonInputError (never RecursionError or a bare ValueError)."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except JsonInputError:
        raise
    except json.JSONDecodeError as exc:
        raise JsonInputError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise JsonInputError(f"JSON nested deeper than {max_depth} levels") from None
    except UnicodeDecodeError as exc:
        raise JsonInputError(f"invalid UTF-8 at byte {exc.start}") from None
    except ValueError as exc:  # int() past sys.get_int_max_str_digits(): "Exceeds the limit (4300 digits)"
        raise JsonInputError(f"a number too long to read ({str(exc).split(';')[0]})") from None
    if depth_exceeds(value, max_depth):
        raise JsonInputError(f"JSON nested deeper than {max_depth} levels")
    return value


def depth_exceeds(value: Any, max_depth: int) -> bool:
    """True when `value` nests lists/dicts deeper than `max_depth` (iterative: safe on any depth)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def dumps(value: Any) -> str:
    """Standard JSON (no NaN), UTF-8 writable: text kept as is, lone surrogates escaped (\\ud800) so nothing is lost."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return text if encodable(text) else json.dumps(value, ensure_ascii=True, allow_nan=False)
