"""Reading one YAML file safely, and mapping a path inside it (rules.0.actions.1) back to a line number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from playbooks.errors import PlaybookError

Path_ = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """The data of one file plus the line of every key and item in it."""

    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, location: Sequence[str | int]) -> int | None:
        """Line of the deepest part of `location` that exists in the file (pydantic adds parts that don't)."""
        resolved = self.resolve(location)
        while resolved:
            if resolved in self.lines:
                return self.lines[resolved]
            resolved = resolved[:-1]
        return self.lines.get((), 1)

    def resolve(self, location: Sequence[str | int]) -> Path_:
        """The part of a pydantic error location that names real keys and items of the YAML."""
        node, path = self.data, []
        for part in location:
            is_key = isinstance(node, dict) and part in node
            is_item = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            if is_key or is_item:
                node = node[part]
            elif isinstance(node, dict) and len(node) == 1:
                # `- escalate: {level: x}`: pydantic reports `level` directly under the list item.
                (key, value), = node.items()
                if isinstance(value, dict) and part in value:
                    path.append(key)
                    node = value[part]
                else:
                    continue
            else:
                continue
            path.append(part)
        return tuple(path)


MAX_YAML_DEPTH = 40  # nesting of mappings and lists; playbooks and the team file need fewer than 10
MAX_YAML_BYTES = 4 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000  # what aliases may expand to (config only; playbooks refuse aliases)


class YamlSourceError(ValueError):
    """A YAML file that cannot be read safely; `line` is 1-based or None, `message` says what to do."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with a nesting bound checked while composing (the composer recurses: a deep file would
    raise RecursionError from inside PyYAML)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlSourceError(mark.line + 1, f"nested deeper than {MAX_YAML_DEPTH} levels; flatten it")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml_bytes(raw: bytes, *, allow_aliases: bool = False) -> tuple[Any, yaml.Node | None]:
    """(data, root node) of a UTF-8 YAML text, refusing what would hang, crash or silently mislead: binary
    content, nesting past MAX_YAML_DEPTH, a key given twice in one mapping (the last would win), aliases
    (or, with `allow_aliases`, aliases expanding past MAX_EXPANDED_NODES). Raises YamlSourceError."""
    if len(raw) > MAX_YAML_BYTES:
        raise YamlSourceError(None, f"file is {len(raw)} bytes, more than {MAX_YAML_BYTES}; is it the right file?")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise YamlSourceError(line, "binary content (a NUL byte), not a YAML text file; check the file name")
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlSourceError(line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(source)  # its reader refuses control characters at once
        node = loader.get_single_node()
        if node is not None:
            _check_nodes(node, allow_aliases)
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:
        where = source[: exc.position].count("\n") + 1
        raise YamlSourceError(where, f"character #x{exc.character:04x} is not allowed in YAML; remove it") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at: int | None = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        detail = f"{problem} ({context})" if context else problem
        raise YamlSourceError(at, f"YAML syntax error: {detail}; check the indentation and quotes") from None
    except RecursionError:  # belt and braces: the depth bound above should make this unreachable
        raise YamlSourceError(None, f"nested deeper than {MAX_YAML_DEPTH} levels; flatten it") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


def _check_nodes(root: yaml.Node, allow_aliases: bool) -> None:
    """Duplicate keys and aliases, found on the composed tree (iteratively: safe at any size)."""
    seen: set[int] = set()
    stack = [root]
    visits = 0
    while stack:
        node = stack.pop()
        visits += 1
        if id(node) in seen:
            if not allow_aliases:
                # An alias can make the document refer to itself or expand exponentially (found by fuzzing).
                raise YamlSourceError(node.start_mark.line + 1, "YAML anchors and aliases (&name, *name) are "
                                                                "not allowed here; write the values out")
            if visits > MAX_EXPANDED_NODES:
                raise YamlSourceError(node.start_mark.line + 1, "aliases expand to more than "
                                                                f"{MAX_EXPANDED_NODES} values; write the values out")
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    line = key_node.start_mark.line + 1
                    if key_node.value in keys:
                        raise YamlSourceError(line, f"key '{key_node.value[:60]}' is given twice in this mapping "
                                                    f"(first on line {keys[key_node.value]}); keep one")
                    keys[key_node.value] = line
                stack += [key_node, value_node]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def read_yaml(path: Path) -> YamlDocument:
    """Read one playbook file safely (no Python tags, aliases, duplicate keys, binary or runaway nesting);
    every problem names the file and the line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlaybookError.at(path, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        data, node = load_yaml_bytes(raw)
    except YamlSourceError as exc:
        raise PlaybookError.at(path, exc.line, exc.message) from None
    document = YamlDocument(path=path, data=data)
    if node is not None:
        document.lines[()] = node.start_mark.line + 1
        index_lines(node, (), document.lines)
    return document


def index_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    """The line of every key and item under `node`, by its path (depth is bounded by the loader)."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            index_lines(value_node, path + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            index_lines(item, path + (index,), lines)
