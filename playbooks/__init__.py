"""Playbooks as code: YAML rules validated in full, and a pure engine that turns a scored interaction into a Plan."""

from playbooks.errors import PlaybookError, PlaybookIssue
from playbooks.library import Library
from playbooks.loader import DEFAULT_LIBRARY, load_library
from playbooks.plan import Action, ActionType, DecisionContext, Plan

__all__ = [
    "DEFAULT_LIBRARY",
    "Action",
    "ActionType",
    "DecisionContext",
    "Library",
    "Plan",
    "PlaybookError",
    "PlaybookIssue",
    "load_library",
]
