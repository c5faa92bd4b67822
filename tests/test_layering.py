"""The layout's rules, read off the imports of every module (top-level and inside functions): the domain is the
leaf, playbooks import only the domain, nothing below the application root imports it, and the stage packages
have no import cycle between them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("moderation", "playbooks", "bot", "socialops")


def _unit(module: str) -> str | None:
    """The package a module belongs to for these rules: `moderation.<stage>` or a top-level package."""
    parts = module.split(".")
    if parts[0] not in PACKAGES:
        return None
    if parts[0] == "moderation" and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def _imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            names: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module)
            found[module] = names
    return found


IMPORTS = _imports()


def _violations(source_prefix: str, allowed: tuple[str, ...], forbidden_roots: tuple[str, ...]) -> list[str]:
    bad = []
    for module, names in IMPORTS.items():
        if not (module == source_prefix or module.startswith(source_prefix + ".")):
            continue
        for name in names:
            if name.split(".")[0] in forbidden_roots and not any(name == a or name.startswith(a + ".")
                                                                   for a in allowed):
                bad.append(f"{module} imports {name}")
    return sorted(bad)


def test_the_domain_is_the_leaf():
    assert _violations("moderation.domain", ("moderation.domain",), PACKAGES) == []


def test_playbooks_import_only_the_domain():
    assert _violations("playbooks", ("playbooks", "moderation.domain"), PACKAGES) == []


def test_nothing_below_the_application_root_imports_it():
    for package in ("moderation", "playbooks", "bot"):
        assert _violations(package, (), ("socialops",)) == []


def test_moderation_never_imports_the_chat_surfaces():
    assert _violations("moderation", (), ("bot",)) == []


def test_no_import_cycle_between_packages():
    graph: dict[str, set[str]] = {}
    for module, names in IMPORTS.items():
        unit = _unit(module)
        assert unit is not None
        targets = {_unit(name) for name in names} - {None, unit}
        graph.setdefault(unit, set()).update(t for t in targets if t is not None)
    # Depth-first search for a back edge; report the cycle's packages.
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(unit: str) -> list[str] | None:
        state[unit] = 1
        stack.append(unit)
        for target in sorted(graph.get(unit, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[unit] = 2
        return None

    for unit in sorted(graph):
        if unit not in state:
            cycle = visit(unit)
            assert cycle is None, " -> ".join(cycle)
