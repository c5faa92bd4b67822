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


def read_yaml(path: Path) -> YamlDocument:
    """yaml.safe_load the file (no Python tags, ever); a syntax error names the file and the line."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError.at(path, None, f"cannot read: {exc}") from None
    try:
        data = yaml.safe_load(source)
        node = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        detail = f"{problem} ({context})" if context else problem
        raise PlaybookError.at(path, line, f"YAML syntax error: {detail}; check the indentation") from None
    if node is not None and _uses_aliases(node):
        # An alias can make the document refer to itself or expand exponentially (found by fuzzing): refused.
        raise PlaybookError.at(path, None, "YAML anchors and aliases (&name, *name) are not allowed in playbooks; "
                                           "write the values out")
    document = YamlDocument(path=path, data=data)
    if node is not None:
        document.lines[()] = node.start_mark.line + 1
        _index(node, (), document.lines)
    return document


def _index(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            _index(value_node, path + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            _index(item, path + (index,), lines)


def _uses_aliases(root: yaml.Node) -> bool:
    """True when some node is reached twice: that is what an alias is once composed."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                stack += [key_node, value_node]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return False
