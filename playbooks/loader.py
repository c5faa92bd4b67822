"""load_library: read a folder of YAML playbooks, validate them all, and refuse to run if any is wrong."""

from __future__ import annotations

import hashlib
from pathlib import Path

from jinja2 import TemplateError

from playbooks.errors import PlaybookError, PlaybookIssue
from playbooks.library import Library, LoadedPlaybook
from playbooks.settings import Settings
from playbooks.templates import CompiledTemplate, render_bounded, sample_variable_sets
from playbooks.validation import validate_document
from playbooks.yaml_source import YamlDocument, read_yaml

DEFAULT_LIBRARY = Path(__file__).parent / "library"


def playbook_files(folder: Path) -> list[Path]:
    """The playbooks of a folder: its *.yaml and *.yml files (fixtures live in a subfolder)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def load_library(path: Path | str | None = None) -> Library:
    """Load and validate every playbook in `path` (default: the bundled library); raise PlaybookError."""
    folder = Path(path) if path is not None else DEFAULT_LIBRARY
    if not folder.is_dir():
        raise PlaybookError.at(folder, None, "not a folder of playbooks")
    files = playbook_files(folder)
    if not files:
        raise PlaybookError.at(folder, None, "no playbooks (*.yaml) in this folder")

    issues: list[PlaybookIssue] = []
    documents: list[tuple[YamlDocument, LoadedPlaybook]] = []
    digest = hashlib.sha256()
    for file in files:
        try:
            document = read_yaml(file)
        except PlaybookError as exc:
            issues.extend(exc.issues)
            continue
        raw = file.read_bytes()
        digest.update(file.name.encode() + b"\0" + raw + b"\0")
        playbook, problems = validate_document(document)
        issues.extend(problems)
        if playbook is not None:
            version = hashlib.sha256(raw).hexdigest()[:12]
            documents.append((document, LoadedPlaybook(path=file, version=version, playbook=playbook)))
    if issues:
        raise PlaybookError(issues)

    settings = _settings(documents, issues)
    _check_library(documents, settings, issues)
    if issues:
        raise PlaybookError(issues)
    return Library([loaded for _, loaded in documents], settings, digest.hexdigest()[:12])


def _settings(documents: list[tuple[YamlDocument, LoadedPlaybook]], issues: list[PlaybookIssue]) -> Settings:
    """Settings are library-wide, so exactly one file may declare them (two would silently disagree)."""
    declared = [(doc, loaded) for doc, loaded in documents if loaded.playbook.settings is not None]
    for doc, _ in declared[1:]:
        first = declared[0][0].path.name
        issues.append(PlaybookIssue(str(doc.path), doc.line_of(("settings",)),
                                    f"settings are already declared in {first}; declare them in one file"))
    return declared[0][1].playbook.settings if declared else Settings()  # type: ignore[return-value]


def _check_library(
    documents: list[tuple[YamlDocument, LoadedPlaybook]], settings: Settings, issues: list[PlaybookIssue]
) -> None:
    """Checks across files: names, template references, intents, and a trial render of every template."""
    names: dict[str, Path] = {}
    templates: dict[str, Path] = {}
    for doc, loaded in documents:
        book = loaded.playbook
        if book.name in names:
            issues.append(_at(doc, ("name",), f"playbook name '{book.name}' is also used by {names[book.name].name}"))
        names.setdefault(book.name, doc.path)
        for name in book.templates:
            if name in templates:
                issues.append(_at(doc, ("templates", name), f"template '{name}' is also defined in "
                                                             f"{templates[name].name}; template names are global"))
            templates.setdefault(name, doc.path)

    known_intents = set(settings.intents)
    for doc, loaded in documents:
        for index, rule in enumerate(loaded.playbook.rules):
            where = ("rules", index)
            for position, intent in enumerate(rule.when.intents):
                if intent not in known_intents:
                    issues.append(_at(doc, (*where, "when", "intents", position),
                                      f"unknown intent '{intent}'; valid intents: {', '.join(sorted(known_intents))}"))
            answers = rule.conditions.answers_template  # type: ignore[attr-defined]
            path: tuple[str | int, ...]
            for name in [answers] if isinstance(answers, str) else answers or []:
                if name not in templates:
                    path = (*where, "conditions", "answers_template")
                    issues.append(_at(doc, path, _unknown_template(name, templates)))
            for position, spec in enumerate(rule.actions):
                nested = spec.params.actions if spec.type.value == "follow_up" else []  # type: ignore[attr-defined]
                for sub, item in [(None, spec), *enumerate(nested)]:
                    if item.template is not None and item.template not in templates:
                        path = (*where, "actions", position, spec.type.value)
                        path = path if sub is None else (*path, "actions", sub)
                        issues.append(_at(doc, path, _unknown_template(item.template, templates)))
        _trial_render(doc, loaded, settings, issues)


def _trial_render(doc: YamlDocument, loaded: LoadedPlaybook, settings: Settings, issues: list[PlaybookIssue]) -> None:
    """Render every text once with stand-in values: a typo or a sandbox escape fails here, not at 3 a.m."""
    variable_sets = sample_variable_sets(settings)
    for name, spec in loaded.playbook.templates.items():
        try:
            compiled = CompiledTemplate(name, spec, settings)
        except TemplateError as exc:
            issues.append(_at(doc, ("templates", name), f"template '{name}' does not parse: {exc}"))
            continue
        for variant, texts in spec.all_variants().items():
            if settings.default_language not in texts.text:
                issues.append(_at(doc, ("templates", name),
                                  f"template '{name}' ({variant}) has no '{settings.default_language}' text"))
        for variant, platform, lang, source in compiled.sources():
            try:
                for variables in variable_sets:
                    render_bounded(source, variables)
            except Exception as exc:  # noqa: BLE001 - any failure of a user template is a load error
                label = "/".join(part for part in (variant, platform, lang) if part)
                issues.append(_at(doc, ("templates", name),
                                  f"template '{name}' ({label}) fails: {type(exc).__name__}: {exc}"))


def _unknown_template(name: str, templates: dict[str, Path]) -> str:
    return f"unknown template '{name}'; defined templates: {', '.join(sorted(templates)) or '(none)'}"


def _at(doc: YamlDocument, path: tuple[str | int, ...], message: str) -> PlaybookIssue:
    return PlaybookIssue(str(doc.path), doc.line_of(path), message)
