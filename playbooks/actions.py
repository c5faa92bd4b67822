"""Action parameters as a playbook writes them, one pydantic model per ActionType, in a registry."""

from __future__ import annotations

import enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from moderation.domain import ActionType


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Channel(str, enum.Enum):
    """Where a reply goes. `same` = where the message came from (comment -> public, dm/story reply -> dm)."""

    same = "same"
    public = "public"
    dm = "dm"


class ReplyParams(_Params):
    template: str
    product: str | None = None
    # A reply worded by the optional LLM is a draft for approval unless the rule says so here.
    llm_auto_send: bool = False


class DraftReplyParams(ReplyParams):
    channel: Channel = Channel.same


class NoParams(_Params):
    reason: str = ""


class HoldParams(_Params):
    team: str | None = None
    reason: str = ""


class TagParams(_Params):
    tags: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _list_shorthand(cls, data: object) -> object:
        # `tag: [sales, lead]` reads better than `tag: {tags: [sales, lead]}`.
        if isinstance(data, (list, tuple, str)):
            return {"tags": [data] if isinstance(data, str) else data}
        return data


class LeadParams(_Params):
    stage: str = "new"
    source: str | None = None


class EscalateParams(_Params):
    level: Literal["normal", "priority", "urgent"] = "normal"
    team: str
    reason: str = ""


class NotifyParams(_Params):
    channel: str
    message: str = ""


class FollowUpParams(_Params):
    delay_minutes: int = Field(ge=1, le=60 * 24 * 30)
    unless: tuple[Literal["author_replied", "author_sent_dm"], ...] = ("author_replied", "author_sent_dm")
    actions: list[ActionSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_nested_follow_up(self) -> FollowUpParams:
        if any(spec.type is ActionType.follow_up for spec in self.actions):
            raise ValueError("a follow_up cannot contain another follow_up")
        return self


class PauseParams(_Params):
    campaign: str | None = None  # default: the interaction's campaign
    reason: str = ""


ACTIONS: dict[ActionType, type[_Params]] = {
    ActionType.draft_reply: DraftReplyParams,
    ActionType.auto_reply: ReplyParams,
    ActionType.send_dm: ReplyParams,
    ActionType.hide: NoParams,
    ActionType.delete: NoParams,
    ActionType.hold_for_review: HoldParams,
    ActionType.tag: TagParams,
    ActionType.create_lead: LeadParams,
    ActionType.escalate: EscalateParams,
    ActionType.notify: NotifyParams,
    ActionType.follow_up: FollowUpParams,
    ActionType.pause_automation: PauseParams,
    ActionType.resume_automation: PauseParams,
}


class ActionSpec(BaseModel):
    """One action in a rule, written `- <action type>: {params}` in YAML (`- hide:` alone for no params)."""

    model_config = ConfigDict(frozen=True)

    type: ActionType
    params: _Params

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, data: object) -> object:
        if isinstance(data, str):  # `- hide`
            data = {data: None}
        if not isinstance(data, dict) or len(data) != 1:
            raise ValueError("an action is one `name: params` mapping, e.g. `- tag: [sales]`")
        name, params = next(iter(data.items()))
        try:
            action_type = ActionType(name)
        except ValueError:
            raise ValueError(unknown_action_message(str(name))) from None
        return {"type": action_type, "params": ACTIONS[action_type].model_validate(params or {})}

    @property
    def template(self) -> str | None:
        return getattr(self.params, "template", None)


def unknown_action_message(name: str) -> str:
    return f"unknown action '{name}'; valid actions: {', '.join(sorted(a.value for a in ActionType))}"


FollowUpParams.model_rebuild()
