"""The Edit and Reject modals: built here, and their submissions parsed back from the interaction data.

The modal objects are stopped before they are sent, so discord.py keeps no copy in memory; the submission is
read from its custom id (`socialops:edit-modal:42`) and field values, which makes a modal opened before a
restart still work when it is submitted after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import discord

TEXT_FIELD, REASON_FIELD = "text", "reason"
_MODAL_ID = re.compile(r"^socialops:(?P<verb>edit|reject)-modal:(?P<id>[0-9]+)$")
_DRAFT_MAX = 4000  # a text input holds at most 4000 characters


@dataclass(frozen=True)
class ModalSubmission:
    verb: str  # edit | reject
    approval_id: int
    values: dict[str, str]


def _detached(modal: discord.ui.Modal) -> discord.ui.Modal:
    modal.stop()  # see the module docstring: the submission is handled from its data, not by this object
    return modal


def edit_modal(approval_id: int, draft: str) -> discord.ui.Modal:
    modal = discord.ui.Modal(title=f"Edit draft #{approval_id}"[:45], custom_id=f"socialops:edit-modal:{approval_id}")
    modal.add_item(discord.ui.Label(text="Reply to send", component=discord.ui.TextInput(
        custom_id=TEXT_FIELD, style=discord.TextStyle.paragraph, default=draft[:_DRAFT_MAX], required=True,
        max_length=_DRAFT_MAX)))
    return _detached(modal)


def reject_modal(approval_id: int) -> discord.ui.Modal:
    modal = discord.ui.Modal(title=f"Reject draft #{approval_id}"[:45],
                             custom_id=f"socialops:reject-modal:{approval_id}")
    modal.add_item(discord.ui.Label(text="Why is it rejected?", component=discord.ui.TextInput(
        custom_id=REASON_FIELD, style=discord.TextStyle.paragraph, required=True, max_length=1000,
        placeholder="off-brand tone, wrong product, needs legal review…")))
    return _detached(modal)


def _values(components: list[dict[str, Any]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for component in components:
        if component.get("type") == 1:  # action row (older clients)
            values.update(_values(component.get("components", [])))
        elif component.get("type") == 18:  # label wrapping one input
            values.update(_values([component.get("component", {})]))
        elif "custom_id" in component:
            values[component["custom_id"]] = str(component.get("value") or "")
    return values


def parse_submission(data: dict[str, Any] | None) -> ModalSubmission | None:
    """A submitted socialops modal, or None for anything else."""
    match = _MODAL_ID.match(str((data or {}).get("custom_id", "")))
    if match is None:
        return None
    return ModalSubmission(match["verb"], int(match["id"]), _values(list(data.get("components", []))))
