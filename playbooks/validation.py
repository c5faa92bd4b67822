"""Turning pydantic errors into playbook errors a community lead can act on: file, line, valid names."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from moderation.domain import ActionType
from playbooks.actions import ACTIONS, ActionSpec
from playbooks.errors import PlaybookIssue
from playbooks.schema import Conditions, PlaybookFile, Trigger
from playbooks.yaml_source import YamlDocument

_KIND_OF_MODEL: dict[type[BaseModel], str] = {Conditions: "condition", Trigger: "trigger"}


def validate_document(document: YamlDocument) -> tuple[PlaybookFile | None, list[PlaybookIssue]]:
    """Validate one file in full; every error is reported, not just the first."""
    if not isinstance(document.data, dict):
        what = "empty" if document.data is None else f"a {type(document.data).__name__}"
        message = f"a playbook is a mapping with `name:` and `rules:`, this file is {what}"
        return None, [PlaybookIssue(str(document.path), document.lines.get((), 1), message)]
    try:
        return PlaybookFile.model_validate(document.data), []
    except ValidationError as exc:
        return None, [_issue(document, error) for error in exc.errors(include_url=False)]


def _issue(document: YamlDocument, error: Any) -> PlaybookIssue:
    location = tuple(error["loc"])
    path = document.resolve(location)
    line = document.line_of(location)
    where = ".".join(str(part) for part in path)
    if error["type"] == "extra_forbidden":
        name = str(location[-1])
        kind, valid = _valid_names(document, location[:-1])
        message = f"unknown {kind} '{name}'"
        if valid:
            message += f"; valid {kind}s: {', '.join(valid)}"
        return PlaybookIssue(str(document.path), line, message)
    message = error["msg"].removeprefix("Value error, ")
    return PlaybookIssue(str(document.path), line, f"{where}: {message}" if where else message)


def _valid_names(document: YamlDocument, location: tuple[Any, ...]) -> tuple[str, list[str]]:
    """Which model sits at `location`, walking field annotations from the file's root model."""
    model: Any = PlaybookFile
    raw: Any = document.data
    for part in location:
        model, raw = _enter_action(model, raw)
        try:
            raw = raw[part] if isinstance(raw, dict | list) else None
        except (KeyError, IndexError, TypeError):
            raw = None
        model = _step(model, part)
        if model is None:
            return "field", []
    model, raw = _enter_action(model, raw)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return _KIND_OF_MODEL.get(model, "field"), sorted(model.model_fields)
    return "field", []


def _enter_action(model: Any, raw: Any) -> tuple[Any, Any]:
    """An ActionSpec's params are validated by the model of its action, named by the item's single key."""
    if model is ActionSpec and isinstance(raw, dict) and len(raw) == 1:
        (name, params), = raw.items()
        try:
            return ACTIONS[ActionType(name)], params
        except ValueError:
            return None, None
    return model, raw


def _step(model: Any, part: Any) -> Any:
    """The type one step further down: a field of a model, or the item type of a list or dict."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        field = model.model_fields.get(str(part))
        return _unwrap(field.annotation) if field is not None else None
    origin = typing.get_origin(model)
    if origin in (list, tuple, dict):
        args = typing.get_args(model)
        return _unwrap(args[-1] if origin is dict else args[0]) if args else None
    return None


def _unwrap(annotation: Any) -> Any:
    """Optional[X] / X | None -> X, so the walk goes through optional sections."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        models = [arg for arg in members if isinstance(arg, type) and issubclass(arg, BaseModel)]
        return models[0] if models else members[0]
    return annotation
