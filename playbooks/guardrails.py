"""Guardrails the engine enforces whatever the YAML says, and the two that add actions on their own."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moderation.domain import (
    PRIVATE_KINDS,
    Action,
    ActionType,
    DecisionContext,
    Interaction,
    Kind,
    Scores,
    guardrail_scope,
)
from playbooks.conditions import automation_paused
from playbooks.settings import Settings
from playbooks.text import keywords_pattern

GUARDRAILS = "guardrails"
AUTOMATED_REPLIES = frozenset({ActionType.auto_reply, ActionType.send_dm})
# Hiding removes the comment from view; a public answer under it would point at what we just hid.
SUPPRESSES_PUBLIC_REPLY = frozenset({ActionType.hide, ActionType.delete})
LEVEL_RANK = {"normal": 0, "priority": 1, "urgent": 2}
NEGATIVE_POST_KEY = "negative-post"
# The signals that keep a DM from being hidden as spam (a company name or a quantity alone is what spam says too).
PROTECTING_SIGNALS = frozenset({"budget", "headcount", "event_date", "email", "phone"})


def _action(type_: ActionType, params: dict[str, Any], name: str, version: str, reason: str) -> Action:
    return Action(
        type=type_, params=params, rule=f"{GUARDRAILS}/{name}", rule_version=version, reason=reason
    )


def reply_channel(action: Action) -> str | None:
    """'public' or 'dm' for a reply action, None for anything else."""
    if action.type in (ActionType.auto_reply, ActionType.send_dm, ActionType.draft_reply):
        return action.params.get("channel", "dm" if action.type is ActionType.send_dm else "public")
    return None


def is_public_reply(action: Action) -> bool:
    return reply_channel(action) == "public"


class Policy:
    """The library settings turned into the checks every plan goes through."""

    def __init__(self, settings: Settings, version: str) -> None:
        self.settings = settings
        self.version = version
        # The guardrail can be made stricter by a lower review threshold, never looser than "toxic" (0.5).
        self.unsafe_toxicity = min(0.5, settings.thresholds.review)
        self.spam_intents = frozenset(settings.spam_intents)
        self.human_intents = frozenset(settings.human_intents)
        self.sensitive = keywords_pattern(settings.sensitive_keywords)

    # -- guardrails that add actions -------------------------------------------------------------------

    def crisis(self, interaction: Interaction, context: DecisionContext) -> list[Action]:
        """Toxic volume on one post above N x its baseline in 10 minutes: hold new comments, page someone."""
        rails = self.settings.guardrails
        if interaction.post_id is None or interaction.kind is not Kind.comment:
            return []
        toxic = context.post_toxic_10m
        if toxic < rails.crisis_min_toxic or toxic <= rails.crisis_multiplier * context.post_toxic_baseline_10m:
            return []
        reason = (f"crisis mode: {toxic} toxic comments on post {interaction.post_id} in 10 min "
                  f"(baseline {context.post_toxic_baseline_10m:g})")
        key = f"crisis:{interaction.platform.value}:{interaction.post_id}"  # lets the bot page once per post
        return [
            _action(ActionType.hold_for_review, {"team": rails.crisis_team}, "crisis_mode", self.version, reason),
            _action(ActionType.escalate, {"level": "urgent", "team": rails.crisis_team, "key": key},
                    "crisis_mode", self.version, reason),
        ]

    def campaign_pause(self, interaction: Interaction, context: DecisionContext) -> list[Action]:
        """Negative share over the limit, or conversions under the floor: automation pauses itself, for the
        campaign or, without one, for the receiving account. A paused scope back under the limit for long
        enough resumes by itself."""
        campaign = interaction.campaign
        rails = self.settings.guardrails
        if campaign is None and not rails.guard_accounts:
            return []
        scope = guardrail_scope(interaction)
        if automation_paused(interaction, context):
            return self._resume(interaction, context, scope)
        reason = ""
        limit = _limit(rails, campaign)
        total, negative = context.campaign_recent_interactions, context.campaign_recent_negative
        if total >= rails.negative_min_sample and negative / total > limit:
            reason = (f"negative sentiment at {negative / total:.0%} of the last {total} interactions "
                      f"(limit {limit:.0%})")
        rate, baseline = context.campaign_conversion_rate, context.campaign_conversion_baseline
        if not reason and rate is not None and baseline and rate < rails.conversion_floor * baseline:
            reason = (f"conversions at {rate / baseline:.0%} of the baseline "
                      f"(floor {rails.conversion_floor:.0%})")
        if not reason:
            return []
        reason = f"automation paused for {_scope_words(scope)}: {reason}"
        params = {"campaign": campaign, "scope": scope}
        return [
            _action(ActionType.pause_automation, params, "campaign_pause", self.version, reason),
            _action(ActionType.notify, {"channel": rails.alert_channel, "text": reason},
                    "campaign_pause", self.version, reason),
        ]

    def _resume(self, interaction: Interaction, context: DecisionContext, scope: str) -> list[Action]:
        rails = self.settings.guardrails
        paused_at = context.scope_paused_at
        if (context.automation_paused or scope not in context.paused_campaigns or paused_at is None
                or rails.resume_after_minutes == 0):
            return []
        paused_minutes = (context.now - paused_at).total_seconds() / 60
        total, negative = context.campaign_recent_interactions, context.campaign_recent_negative
        if paused_minutes < rails.resume_after_minutes or total < rails.negative_min_sample:
            return []
        limit = _limit(rails, interaction.campaign)
        if negative / total > limit:
            return []
        reason = (f"automation resumed for {_scope_words(scope)}: negative sentiment back at {negative / total:.0%} "
                  f"of the last {total} interactions (limit {limit:.0%}) after "
                  f"{paused_minutes / 60:.1f} h paused")
        return [
            _action(ActionType.resume_automation, {"campaign": interaction.campaign, "scope": scope},
                    "campaign_resume", self.version, reason),
            _action(ActionType.notify, {"channel": rails.alert_channel, "text": reason},
                    "campaign_resume", self.version, reason),
        ]

    def negative_post(self, interaction: Interaction, context: DecisionContext) -> list[Action]:
        """A post whose last N comments are more than the limit negative pages on-call, once per band: the
        escalation key carries the band, so the executor pages again only when the share gets worse."""
        rails = self.settings.guardrails
        if interaction.post_id is None or interaction.kind is not Kind.comment:
            return []
        total, negative = context.post_recent_comments, context.post_recent_negative
        if total < rails.negative_post_min_sample or negative / total <= rails.negative_post_share:
            return []
        share = negative / total
        band = int(share / rails.negative_post_step + 1e-9)
        reason = (f"negative post: {negative} of the last {total} comments on {interaction.platform.value} post "
                  f"{interaction.post_id} are negative ({share:.0%}; limit {rails.negative_post_share:.0%})")
        key = f"{NEGATIVE_POST_KEY}:{interaction.platform.value}:{interaction.post_id}#{band}"
        params = {"level": rails.negative_post_level, "team": rails.negative_post_team, "key": key,
                  "post_id": interaction.post_id, "share": round(share, 3)}
        return [_action(ActionType.escalate, params, "negative_post", self.version, reason)]

    def protect_lead(self, interaction: Interaction, scores: Scores,
                     context: DecisionContext) -> tuple[Scores, str | None]:
        """A DM that looks like spam but shows lead signals, or answers a conversation we had with its author,
        is decided as if it were not spam (so lead rules can match) and always reaches a person."""
        if interaction.kind not in PRIVATE_KINDS or scores.intent not in self.spam_intents:
            return scores, None
        signals = sorted(context.lead_signals & PROTECTING_SIGNALS)
        if signals:
            why = "lead signals (" + ", ".join(signals) + ")"
        elif context.author_recent_templates:
            why = "it answers our own messages"
        else:
            return scores, None
        note = f"spam verdict ({scores.intent_confidence:.2f}) set aside for a DM: {why}; a person takes it"
        return scores.model_copy(update={"intent": "other"}), note

    def lead_handoff(self, reason: str) -> Action:
        params = {"level": "priority", "team": self.settings.guardrails.lead_team}
        return _action(ActionType.escalate, params, "lead_protection", self.version, reason)

    # -- guardrails that constrain a plan --------------------------------------------------------------

    def enforce(
        self, actions: list[Action], interaction: Interaction, scores: Scores, context: DecisionContext,
        normalised_text: str,
    ) -> tuple[list[Action], list[str]]:
        """Apply every constraint in a fixed order; returns the actions kept and notes on what changed."""
        notes: list[str] = []
        spam = scores.intent in self.spam_intents
        toxic = scores.toxicity >= self.unsafe_toxicity
        if spam or toxic:
            why = "spam" if spam else f"toxic content ({scores.toxicity:.2f})"
            # A sure answer from the knowledge base to possible spam is a customer's question until a person
            # says otherwise: its reply survives as a draft.
            answered = spam and not toxic and context.knowledge is not None and context.knowledge.level == "high"
            actions = self._no_replies(actions, why, drafts=answered, dm_drafts=not spam, notes=notes)
        if any(action.type in SUPPRESSES_PUBLIC_REPLY for action in actions):
            actions = _map(actions, lambda a: None if is_public_reply(a) else a, "hidden: no public reply", notes)
        sensitive = scores.intent in self.human_intents or (
            self.sensitive is not None and self.sensitive.search(normalised_text) is not None
        )
        if sensitive:
            topic = scores.intent if scores.intent in self.human_intents else "sensitive topic"
            actions = _map(actions, _to_draft, f"{topic}: a human approves", notes)
            if not any(a.type in (ActionType.escalate, ActionType.draft_reply) for a in actions):
                reason = "refunds and sensitive topics always reach a human"
                params = {"level": "priority", "team": self.settings.guardrails.human_team}
                actions.append(_action(ActionType.escalate, params, "human_required", self.version, reason))
                notes.append(reason)
        paused = automation_paused(interaction, context) or any(
            a.type is ActionType.pause_automation for a in actions
        )
        held = any(a.type is ActionType.hold_for_review for a in actions)
        if paused or held:
            actions = _map(actions, _to_draft, "automation paused" if paused else "held for review", notes)
        return _one_escalation(_one_reply_per_channel(_dedupe(actions), notes), notes), notes

    def _no_replies(self, actions: list[Action], why: str, *, drafts: bool, dm_drafts: bool,
                    notes: list[str]) -> list[Action]:
        def rewrite(action: Action) -> Action | None:
            channel = reply_channel(action)
            if channel is None:
                return action
            if drafts or (channel == "dm" and dm_drafts):
                # A private word to a toxic author (an apology to a VIP) is allowed, but only through a human.
                return _to_draft(action)
            return None

        return _map(actions, rewrite, f"no reply to {why}", notes)


def _to_draft(action: Action) -> Action:
    """auto_reply / send_dm -> draft_reply on the same channel: a human approves before anything is sent."""
    if action.type not in AUTOMATED_REPLIES:
        return action
    params = {**action.params, "channel": reply_channel(action), "needs_approval": True}
    return action.model_copy(update={"type": ActionType.draft_reply, "params": params})


def _map(actions: Iterable[Action], rewrite: Any, note: str, notes: list[str]) -> list[Action]:
    """Rewrite (or drop, by returning None) every action, including those a follow_up will run later."""
    out: list[Action] = []
    changed = False
    for action in actions:
        if action.type is ActionType.follow_up:
            nested = [Action.model_validate(item) for item in action.params.get("actions", [])]
            kept = _map(nested, rewrite, note, [])
            if kept != nested:
                changed = True
                if not kept:
                    continue
                params = {**action.params, "actions": [a.model_dump(mode="json") for a in kept]}
                action = action.model_copy(update={"params": params})
            out.append(action)
            continue
        new = rewrite(action)
        if new is not action:
            changed = True
        if new is not None:
            out.append(new)
    if changed:
        notes.append(note)
    return out


def _dedupe(actions: list[Action]) -> list[Action]:
    """Two rules both hiding a comment make one hide. Plans are a handful of actions: pairwise is cheapest."""
    out: list[Action] = []
    for action in actions:
        if not any(kept.type is action.type and kept.params == action.params for kept in out):
            out.append(action)
    return out


def _limit(rails: Any, campaign: str | None) -> float:
    return rails.negative_share if campaign else rails.account_negative_share


def _scope_words(scope: str) -> str:
    if scope.startswith("account:"):
        platform, _, account = scope[len("account:"):].partition(":")
        return f"{platform} account {account} (interactions without a campaign)"
    return f"campaign '{scope}'"


def _one_escalation(actions: list[Action], notes: list[str]) -> list[Action]:
    """One interaction pages one team: the most urgent escalation wins (the higher-priority rule on a tie) and
    names the other teams it stands for, so the team paged can pull them in."""
    escalations = [action for action in actions if action.type is ActionType.escalate]
    if len(escalations) < 2:
        return actions
    # The most urgent; an incident (keyed: crisis, negative post) before a one-off at the same level.
    top = max(escalations, key=lambda a: (LEVEL_RANK.get(str(a.params.get("level", "normal")), 0),
                                          bool(a.params.get("key"))))
    others = [a for a in escalations if a is not top]
    teams = [str(a.params.get("team", "")) for a in others if a.params.get("team") != top.params.get("team")]
    reasons = [a.reason for a in others if a.reason and a.reason != top.reason]
    extra = "; ".join(dict.fromkeys([*(f"also for {team}" for team in dict.fromkeys(teams)), *reasons]))
    merged = top.model_copy(update={
        "reason": f"{top.reason} ({extra})" if extra else top.reason,
        "params": {**top.params, **({"also_teams": list(dict.fromkeys(teams))} if teams else {})}})
    notes.append(f"one page per incident: {len(escalations)} escalations merged into one for "
                 f"{top.params.get('team')}")
    out: list[Action] = []
    for action in actions:
        if action.type is ActionType.escalate:
            if action is top:
                out.append(merged)
            continue
        out.append(action)
    return out


def _one_reply_per_channel(actions: list[Action], notes: list[str]) -> list[Action]:
    """Two rules answering the same comment would send two answers; the higher-priority one wins."""
    used: set[str] = set()
    out = []
    for action in actions:
        channel = reply_channel(action)
        if channel is not None:
            if channel in used:
                notes.append(f"second {channel} reply dropped ({action.rule})")
                continue
            used.add(channel)
        out.append(action)
    return out
