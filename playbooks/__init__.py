"""Playbooks as code: YAML rules validated in full, and a pure engine that turns a scored interaction into a Plan."""

from playbooks.errors import PlaybookError, PlaybookIssue
from playbooks.followups import follow_up_actions
from playbooks.library import Library
from playbooks.loader import DEFAULT_LIBRARY, load_library
from playbooks.replay import HistoryRecord, ReplayReport, replay

__all__ = [
    "DEFAULT_LIBRARY",
    "HistoryRecord",
    "Library",
    "PlaybookError",
    "PlaybookIssue",
    "ReplayReport",
    "follow_up_actions",
    "load_library",
    "replay",
]
