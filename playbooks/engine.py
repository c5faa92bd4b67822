"""The pure decision: (interaction, scores, context) -> Plan. No I/O, no clock, no randomness."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from moderation.domain import (
    Action,
    ActionType,
    AlternativeReply,
    DecisionContext,
    Grounding,
    Interaction,
    Kind,
    Plan,
    Platform,
    Scores,
    reply_channel,
)
from moderation.domain.attribution import discount_code, interaction_ref
from playbooks.actions import (
    ActionSpec,
    Channel,
    FollowUpParams,
    NotifyParams,
    PauseParams,
    ReplyParams,
    TagParams,
)
from playbooks.guardrails import Policy
from playbooks.matching import CompiledRule, NormalisedText
from playbooks.settings import Settings
from playbooks.templates import CompiledTemplate, apologises

logger = logging.getLogger(__name__)

_REPLIES = (ActionType.auto_reply, ActionType.send_dm, ActionType.draft_reply)


class Engine:
    """Rules sorted once by priority; `decide` walks them, renders texts, then applies the guardrails."""

    def __init__(
        self, rules: list[CompiledRule], templates: dict[str, CompiledTemplate], settings: Settings, version: str
    ) -> None:
        # Stable sort: equal priorities keep file order, then rule order, so the YAML reads top to bottom.
        self.rules = sorted(rules, key=lambda rule: -rule.priority)
        # Most rules name their platforms and kinds: index them so a decision only walks the rules that can
        # match (the biggest single win for throughput).
        self._candidates = {
            (platform, kind): [
                rule for rule in self.rules
                if (rule.platforms is None or platform in rule.platforms) and (rule.kinds is None or kind in rule.kinds)
            ]
            for platform in Platform
            for kind in Kind
        }
        # Actions without text or interaction-dependent params are the same for every decision: build them
        # once. Replies and follow-ups are rendered per interaction.
        self._prepared: dict[str, list[Action | ActionSpec]] = {
            rule.key: [self._prepare(spec, rule) for spec in rule.actions] for rule in self.rules
        }
        self.templates = templates
        self.settings = settings
        self.policy = Policy(settings, version)

    def decide(self, interaction: Interaction, scores: Scores, context: DecisionContext) -> Plan:
        text = NormalisedText(interaction.text)
        scores, lead_note = self.policy.protect_lead(interaction, scores, context)
        actions = (self.policy.crisis(interaction, context) + self.policy.negative_post(interaction, context)
                   + self.policy.campaign_pause(interaction, context))
        matched: list[str] = []
        for rule in self._candidates[(interaction.platform, interaction.kind)]:
            if not rule.matches(interaction, scores, context, text):
                continue
            matched.append(rule.key)
            for item in self._prepared[rule.key]:
                actions.append(item if isinstance(item, Action)
                               else self._materialise(item, rule, interaction, scores, context))
            if rule.stop:
                break
        if lead_note:
            # The classifier still said spam: nothing is sent or drafted on automation's word (not even the
            # after-hours notice); the lead rules' records stay and a person takes the conversation.
            actions = [a for a in actions if a.type not in _REPLIES]
            if not any(a.type is ActionType.escalate for a in actions):
                actions.append(self.policy.lead_handoff(lead_note))
        actions, notes = self.policy.enforce(actions, interaction, scores, context, text.value)
        if lead_note:
            notes = [lead_note, *notes]
        return Plan(
            interaction_id=interaction.id, actions=tuple(actions), matched_rules=tuple(matched), notes=tuple(notes)
        )

    def _prepare(self, spec: ActionSpec, rule: CompiledRule) -> Action | ActionSpec:
        if spec.type in _REPLIES or spec.type is ActionType.follow_up:
            return spec
        if isinstance(spec.params, PauseParams) and spec.params.campaign is None:
            return spec
        return self._materialise(spec, rule, None, None, None)

    def _materialise(
        self, spec: ActionSpec, rule: CompiledRule, interaction: Interaction | None, scores: Scores | None,
        context: DecisionContext | None,
    ) -> Action:
        """An ActionSpec from YAML -> a concrete Action, with any text rendered now (plans are plain data)."""
        params: dict[str, Any]
        given = spec.params  # one parameter model per action type (playbooks.actions.ACTIONS)
        if spec.type in _REPLIES:
            assert interaction is not None and scores is not None  # replies are never prepared ahead
            return self._reply(spec, rule, interaction, scores, context)
        if isinstance(given, FollowUpParams):
            nested = [self._materialise(item, rule, interaction, scores, context) for item in given.actions]
            params = {
                "delay_minutes": given.delay_minutes,
                "unless": list(given.unless),
                "actions": [action.model_dump(mode="json") for action in nested],
            }
        elif isinstance(given, PauseParams):
            params = {"campaign": given.campaign or (interaction.campaign if interaction else None)}
        elif isinstance(given, TagParams):
            params = {"tags": list(given.tags)}
        elif isinstance(given, NotifyParams):
            # `text` is what the executor posts; the YAML says `message` because that is what a lead writes.
            params = {"channel": given.channel, "text": given.message or rule.description}
        else:
            params = given.model_dump(exclude={"reason"}, exclude_none=True)
        reason = getattr(spec.params, "reason", "") or rule.description
        return Action(
            type=spec.type, params=params, rule=rule.key, rule_version=rule.version, reason=reason
        )

    def _reply(self, spec: ActionSpec, rule: CompiledRule, interaction: Interaction, scores: Scores,
               context: DecisionContext | None) -> Action:
        given = spec.params
        if not isinstance(given, ReplyParams):  # the schema gives every reply type ReplyParams
            raise TypeError(f"{spec.type.value} needs reply parameters, got {type(given).__name__}")
        channel = _channel(spec, interaction.kind)
        template = self.templates[given.template]
        settings = self.settings
        campaign = interaction.campaign or settings.utm.default_campaign
        grounding = context.knowledge if context is not None else None
        product: Any = given.product or settings.products.get(interaction.campaign or "", settings.default_product)
        if grounding is not None and grounding.product is not None and not given.product:
            product = grounding.product
        variables = {
            "author": interaction.author_name or "there", "text": interaction.text, "intent": scores.intent,
            "product": product, "links": settings.links, "platform": interaction.platform.value,
            "campaign": campaign, "lang": scores.lang,
            "answer": grounding.answer if grounding is not None else "",
            "answer_apologises": grounding is not None and apologises(grounding.answer),
            "products": list(grounding.products) if grounding is not None else [],
            "discount_code": discount_code(interaction.id, settings.utm.discount_prefix),
        }
        ref = interaction_ref(interaction.id) if settings.utm.content_ref else None
        limit = settings.text_limit(interaction.platform, channel)

        def render(values: dict[str, Any]) -> Any:
            return template.render(
                interaction_id=interaction.id, platform=interaction.platform, lang=scores.lang, variables=values,
                limit=limit, utm=(interaction.platform.value, settings.utm.medium, campaign, ref),
            )

        try:
            rendered = render(variables)
        except Exception as exc:  # noqa: BLE001 - a user template must never crash a decision
            # Load-time checks render every template once, so this is rare (a link removed at run time...);
            # a human gets the message rather than the author getting a broken text.
            logger.warning("playbooks.template.render_failed", extra={"template": template.name, "error": str(exc)})
            return Action(
                type=ActionType.escalate, params={"level": "normal", "team": settings.guardrails.human_team},
                rule=rule.key, rule_version=rule.version, reason=f"template '{template.name}' failed: {exc}",
            )
        action_type = spec.type
        params: dict[str, Any] = {
            "text": rendered.text, "template": rendered.template, "variant": rendered.variant,
            "lang": rendered.lang, "channel": channel,
        }
        reason = rule.description
        if template.grounded:
            action_type, reason = _grounded(action_type, reason, grounding, spec, params)
            if action_type is ActionType.draft_reply and grounding is not None and grounding.alternatives:
                params["alternatives"] = _alternatives(render, variables, grounding, given.product)
        if ref is not None and ref in rendered.text:
            params["ref"] = ref  # the link's utm_content: conversions find this interaction by it
        if "discount_code" in variables and variables["discount_code"] in rendered.text:
            params["discount_code"] = variables["discount_code"]
        if rendered.truncated:
            params["truncated"] = True
            if action_type is not ActionType.draft_reply:
                # Cut text is not sent unseen: a human checks it reads well.
                action_type = ActionType.draft_reply
        if rendered.over_limit is not None:
            params["over_limit"] = rendered.over_limit
            reason = (f"{reason} — the answer is longer than {interaction.platform.value} allows here "
                      f"({rendered.over_limit} characters): shorten it before approving")
        if action_type is ActionType.draft_reply:
            params["needs_approval"] = True
        return Action(type=action_type, params=params, rule=rule.key, rule_version=rule.version, reason=reason)


def _grounded(action_type: ActionType, reason: str, grounding: Grounding | None, spec: ActionSpec,
              params: dict[str, Any]) -> tuple[ActionType, str]:
    """A reply built from retrieved facts goes out alone only when retrieval is sure, the topic is not
    `human: true`, and (for LLM wording) the rule allows it; otherwise a person approves it, and the draft
    says what retrieval found or that it found nothing."""
    if grounding is None:
        return (ActionType.draft_reply if action_type is not ActionType.draft_reply else action_type,
                f"{reason} (no knowledge base configured)")
    params["knowledge"] = {"level": grounding.level, "confidence": grounding.confidence,
                           "source": grounding.source, "suggestions": list(grounding.suggestions),
                           "set_aside": grounding.set_aside, "awaiting_approvals": grounding.awaiting_approvals,
                           "worded_by": grounding.worded_by}
    automatic = (grounding.level == "high" and not grounding.human and not grounding.awaiting_approvals
                 and (grounding.worded_by == "template" or getattr(spec.params, "llm_auto_send", False)))
    if grounding.level == "none" and grounding.set_aside:
        reason = (f"{reason} — an answer was found but is too unsure to put in the reply: check the closest "
                  "answer below and use it if it fits")
    elif grounding.level == "none":
        reason = f"{reason} — no answer in the knowledge base matched: please write the answer"
    elif grounding.level == "low":
        reason = f"{reason} — not sure of the answer ({grounding.confidence:.2f}): check it or pick a suggestion"
    if grounding.level != "high" and grounding.alternatives:
        # The card shows them in full, each with its "send this instead" button: named here, not repeated.
        reason += "; ready to send instead: " + ", ".join(a.source for a in grounding.alternatives)
    elif grounding.level != "high" and grounding.suggestions:
        # The approver sees the closest answers on the card, ready to paste.
        reason += "; closest: " + " | ".join(_short(s) for s in grounding.suggestions[:2])
    elif grounding.human:
        reason = f"{reason} — answer marked human: true in the knowledge base"
    elif grounding.awaiting_approvals:
        count = grounding.awaiting_approvals
        reason = (f"{reason} — sure of the answer, but '{grounding.source}' is new: it is sent alone once approved "
                  f"unedited {count} more time{'s' * (count != 1)}")
    elif grounding.worded_by == "llm" and not automatic:
        reason = f"{reason} — worded by the LLM: a person approves"
    if not automatic and action_type is not ActionType.draft_reply:
        return ActionType.draft_reply, reason
    return action_type, reason


def _alternatives(render: Callable[[dict[str, Any]], Any], variables: dict[str, Any], grounding: Grounding,
                  fixed_product: Any) -> list[dict[str, Any]]:
    """The same template rendered with each alternative fact: what "Send this instead" sends, as the person
    sees it on the card. One that fails to render is left out (the draft itself rendered, so this is rare); one
    longer than the platform allows even alone (a TikTok comment) carries `over_limit`: the card shows it for a
    person to shorten with Edit, with no button that would send it as it is."""
    out = []
    for alternative in grounding.alternatives:
        values = {**variables, "answer": alternative.answer, "answer_apologises": apologises(alternative.answer),
                  "products": [alternative.product] if alternative.product is not None else []}
        if alternative.product is not None and not fixed_product:
            values["product"] = alternative.product
        try:
            rendered = render(values)
        except Exception as exc:  # noqa: BLE001 - an alternative is a convenience, never a reason to fail
            logger.warning("playbooks.template.alternative_failed", extra={"source": alternative.source,
                                                                           "error": str(exc)})
            continue
        out.append(AlternativeReply(source=alternative.source, text=rendered.text,
                                    over_limit=rendered.over_limit).to_params())
    return out


def _short(text: str, limit: int = 140) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _channel(spec: ActionSpec, kind: Kind) -> str:
    if spec.type is ActionType.send_dm:
        return "dm"
    wanted = getattr(spec.params, "channel", Channel.same)
    if wanted is Channel.same:
        return reply_channel(kind)
    return wanted.value
