"""The DecisionContext of a whole claimed batch (or of one interaction: a batch of one) from one set of queries.

Items are decided in order, each seeing what the batch itself changed before it (its own and earlier items'
classifications, leads and campaign pauses their plans recorded), added in memory with `observe_classified`
and `observe_plan`. Windowed counts are one grouped query over a derived table of per-item "probes", so a
busy post or campaign costs one aggregate, never a fetch of its rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from moderation.domain import ACCOUNT_SCOPE, ActionType, DecisionContext, Plan, as_utc
from moderation.measure.events import EventAction
from moderation.pipeline.lead_signals import detect_lead_signals
from moderation.storage.tables import ActionRow, ClassificationRow, EventRow, InteractionRow

WINDOW = timedelta(minutes=10)
BASELINE = timedelta(hours=24)
RECENT_TEMPLATES = timedelta(days=7)
CAMPAIGN_WINDOW = 50  # the "last N interactions" the self-pause guardrail looks at
POST_WINDOW = 20  # the "last N comments" of a post the negative-post escalation looks at (a setting overrides)
HIDDEN_DAYS = timedelta(days=30)
WEEK = timedelta(days=7)
CONVERSION_BASELINE = timedelta(days=30)
_LATEST = 2**62  # orders an event recorded in this batch after every stored one at the same time


def toxic_baseline(day_toxic: int) -> float:
    """Toxic comments per WINDOW over the day before the window (the spike guardrail's baseline)."""
    return day_toxic / (BASELINE / WINDOW - 1)


def paused_campaign_events(session: Session) -> list[tuple[str, datetime, int, bool]]:
    """Each guardrail scope's latest pause/resume event: (scope, occurred_at, event id, paused). A scope is a
    campaign, or `account:<platform>:<id>` for interactions without one (the event's `data.scope`)."""
    rows = session.exec(
        select(EventRow.campaign, EventRow.name, EventRow.occurred_at, EventRow.id, EventRow.data).where(
            sa.or_(EventRow.name.like("%automation_paused"), EventRow.name.like("%automation_resumed")),
        ).order_by(EventRow.occurred_at, EventRow.id)
    ).all()
    latest: dict[str, tuple[str, datetime, int, bool]] = {}
    for campaign, name, occurred_at, event_id, data in rows:
        scope = (data or {}).get("scope") or campaign
        if scope:
            latest[scope] = (scope, occurred_at, event_id, name.endswith("automation_paused"))
    return list(latest.values())


def row_scope(row: InteractionRow) -> str:
    """`moderation.domain.guardrail_scope` for a stored row."""
    return row.campaign or f"{ACCOUNT_SCOPE}{row.platform}:{row.account_id or '-'}"


def _suffix(action: EventAction) -> sa.ColumnElement[bool]:
    return EventRow.name.like(f"%\\_{action.value}", escape="\\")


@dataclass
class _Classified:
    platform: str
    post_id: str | None
    campaign: str | None
    created_at: datetime
    toxic: bool
    sentiment: str
    scope: str = ""
    comment: bool = False


@dataclass
class BatchContext:
    """Build with `BatchContext.load(session, rows)` inside the batch's transaction, before any of its writes."""

    rows: Sequence[InteractionRow]
    previous: dict[int, int] = field(default_factory=dict)
    hidden_30d: dict[int, int] = field(default_factory=dict)
    post_volume: dict[int, int] = field(default_factory=dict)
    post_toxic: dict[int, int] = field(default_factory=dict)
    day_toxic: dict[int, int] = field(default_factory=dict)
    week_interactions: dict[int, int] = field(default_factory=dict)
    week_converted: dict[int, int] = field(default_factory=dict)
    base_interactions: dict[int, int] = field(default_factory=dict)
    base_converted: dict[int, int] = field(default_factory=dict)
    leads: set[tuple[str, str]] = field(default_factory=set)
    customers: set[tuple[str, str]] = field(default_factory=set)
    # (platform, author) -> [(interaction id, created_at, template)] of done replies and DMs
    templates: dict[tuple[str, str], list[tuple[str, datetime, str]]] = field(default_factory=dict)
    # scope (campaign or account) -> [(created_at, sentiment)] of classified interactions (enough for every item)
    campaign_scored: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict)
    # (platform, post) -> [(created_at, sentiment)] of classified comments (enough for every item)
    post_scored: dict[tuple[str, str], list[tuple[datetime, str]]] = field(default_factory=dict)
    post_window: int = POST_WINDOW
    # campaign -> ((occurred_at, order), paused) of its latest pause/resume event
    pause_state: dict[str, tuple[tuple[datetime, int], bool]] = field(default_factory=dict)
    classified: list[_Classified] = field(default_factory=list)  # this batch's, in processing order
    index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, rows: Sequence[InteractionRow], *, post_window: int = POST_WINDOW) -> BatchContext:
        batch = cls(rows=list(rows), index={row.id: k for k, row in enumerate(rows)}, post_window=post_window)
        if rows:
            batch._load_author(session)
            batch._load_posts(session)
            batch._load_campaigns(session)
            batch._load_scored(session)
        for campaign, occurred_at, event_id, paused in paused_campaign_events(session):
            batch.pause_state[campaign] = ((as_utc(occurred_at), event_id), paused)
        return batch

    # --- what the batch changes as it goes ---------------------------------------------------------------

    def observe_classified(self, row: InteractionRow, *, toxicity: float, sentiment: str) -> None:
        """This item's classification is written: it counts for itself and for the items after it."""
        self.classified.append(_Classified(row.platform, row.post_id, row.campaign, as_utc(row.created_at),
                                           toxicity >= 0.5, sentiment, row_scope(row), row.kind == "comment"))

    def observe_plan(self, row: InteractionRow, plan: Plan, *, now: datetime) -> None:
        """Events `execute_plan` records at once that a later item's context reads: leads and pauses."""
        for action in plan.actions:
            if action.type == ActionType.create_lead:
                self.leads.add((row.platform, row.author_id))
            elif action.type in (ActionType.pause_automation, ActionType.resume_automation):
                scope = action.params.get("scope") or action.params.get("campaign") or row_scope(row)
                self._set_pause(str(scope), (as_utc(now), _LATEST), action.type == ActionType.pause_automation)

    def _set_pause(self, campaign: str, key: tuple[datetime, int], paused: bool) -> None:
        current = self.pause_state.get(campaign)
        if current is None or key >= current[0]:
            self.pause_state[campaign] = (key, paused)

    # --- the context of one item -------------------------------------------------------------------------

    def context_for(self, row: InteractionRow, *, now: datetime, timezone: str, business_hours: tuple[int, int],
                    business_days: tuple[int, ...]) -> DecisionContext:
        k = self.index[row.id]
        at = as_utc(row.created_at)
        author = (row.platform, row.author_id)
        post_volume = post_toxic = 0
        baseline = 0.0
        if row.post_id:
            on_post = [c for c in self.classified if c.toxic and c.platform == row.platform
                       and c.post_id == row.post_id]
            post_volume = self.post_volume.get(k, 0)
            post_toxic = self.post_toxic.get(k, 0) + sum(at - WINDOW <= c.created_at <= at for c in on_post)
            day_toxic = self.day_toxic.get(k, 0) + sum(at - BASELINE <= c.created_at <= at - WINDOW
                                                       for c in on_post)
            baseline = toxic_baseline(day_toxic)
        recent_total, recent_negative = self._campaign_recent(row, at)
        post_total, post_negative = self._post_recent(row, at)
        pause = self.pause_state.get(row_scope(row))
        templates = frozenset(template for interaction_id, created_at, template in self.templates.get(author, ())
                              if interaction_id != row.id and created_at >= at - RECENT_TEMPLATES)
        return DecisionContext(
            now=now,
            author_recent_templates=templates,
            campaign_recent_interactions=recent_total,
            campaign_recent_negative=recent_negative,
            campaign_conversion_rate=_rate(self.week_interactions, self.week_converted, k, row.campaign),
            campaign_conversion_baseline=_rate(self.base_interactions, self.base_converted, k, row.campaign),
            timezone=timezone,
            business_hours=business_hours,
            business_days=business_days,
            author_hidden_30d=self.hidden_30d.get(k, 0),
            author_previous_interactions=self.previous.get(k, 0),
            author_is_lead=author in self.leads,
            author_is_customer=author in self.customers,
            paused_campaigns=frozenset(c for c, (_, paused) in self.pause_state.items() if paused),
            post_volume_10m=post_volume,
            post_toxic_10m=post_toxic,
            post_toxic_baseline_10m=baseline,
            scope_paused_at=pause[0][0] if pause and pause[1] else None,
            post_recent_comments=post_total,
            post_recent_negative=post_negative,
            lead_signals=frozenset(detect_lead_signals(row.text)),
        )

    def _campaign_recent(self, row: InteractionRow, at: datetime) -> tuple[int, int]:
        """The last CAMPAIGN_WINDOW of the row's scope: its campaign, else its account's interactions without one."""
        scope = row_scope(row)
        scored = [(created_at, sentiment) for created_at, sentiment in self.campaign_scored.get(scope, ())
                  if created_at <= at]
        scored += [(c.created_at, c.sentiment) for c in self.classified if c.scope == scope and c.created_at <= at]
        return _last_negative(scored, CAMPAIGN_WINDOW)

    def _post_recent(self, row: InteractionRow, at: datetime) -> tuple[int, int]:
        if not row.post_id or row.kind != "comment":
            return 0, 0
        scored = [(created_at, sentiment) for created_at, sentiment in
                  self.post_scored.get((row.platform, row.post_id), ()) if created_at <= at]
        scored += [(c.created_at, c.sentiment) for c in self.classified if c.comment and c.platform == row.platform
                   and c.post_id == row.post_id and c.created_at <= at]
        return _last_negative(scored, self.post_window)

    # --- the queries -------------------------------------------------------------------------------------

    def _load_author(self, session: Session) -> None:
        authors = {(row.platform, row.author_id) for row in self.rows}
        of_authors = sa.tuple_(InteractionRow.platform, InteractionRow.author_id).in_(sorted(authors))
        probes = [(k, row.platform, row.author_id, as_utc(row.created_at)) for k, row in enumerate(self.rows)]
        columns = (("platform", sa.String), ("author_id", sa.String), ("at", sa.DateTime(timezone=True)))
        self.previous = _grouped_counts(session, probes, columns, lambda p: (
            sa.select(p.c.idx, sa.func.count()).select_from(p).join(InteractionRow, sa.and_(
                InteractionRow.platform == p.c.platform, InteractionRow.author_id == p.c.author_id,
                InteractionRow.created_at < p.c.at))))
        probes = [(k, row.platform, row.author_id, as_utc(row.created_at) - HIDDEN_DAYS)
                  for k, row in enumerate(self.rows)]
        self.hidden_30d = _grouped_counts(session, probes, columns, lambda p: (
            sa.select(p.c.idx, sa.func.count()).select_from(p)
            .join(InteractionRow, sa.and_(InteractionRow.platform == p.c.platform,
                                          InteractionRow.author_id == p.c.author_id))
            .join(EventRow, sa.and_(EventRow.interaction_id == InteractionRow.id, _suffix(EventAction.hidden),
                                    EventRow.occurred_at >= p.c.at))))
        for platform, author_id, name in session.exec(
            sa.select(InteractionRow.platform, InteractionRow.author_id, EventRow.name).distinct()
            .join(EventRow, EventRow.interaction_id == InteractionRow.id)
            .where(of_authors, sa.or_(_suffix(EventAction.lead_created), _suffix(EventAction.converted)))
        ).all():
            (self.leads if name.endswith(EventAction.lead_created.value) else self.customers).add(
                (platform, author_id))
        since = min(as_utc(row.created_at) for row in self.rows) - RECENT_TEMPLATES
        for platform, author_id, interaction_id, created_at, params in session.exec(
            sa.select(InteractionRow.platform, InteractionRow.author_id, InteractionRow.id, ActionRow.created_at,
                      ActionRow.params)
            .join(InteractionRow, InteractionRow.id == ActionRow.interaction_id)
            .where(of_authors, ActionRow.operation.in_(("reply", "dm")), ActionRow.state == "done",
                   ActionRow.created_at >= since)
        ).all():
            if params.get("template"):
                self.templates.setdefault((platform, author_id), []).append(
                    (interaction_id, as_utc(created_at), str(params["template"])))

    def _load_posts(self, session: Session) -> None:
        columns = (("platform", sa.String), ("post_id", sa.String), ("lo", sa.DateTime(timezone=True)),
                   ("hi", sa.DateTime(timezone=True)))
        on_post = [(k, row) for k, row in enumerate(self.rows) if row.post_id]

        def count(lo: timedelta, hi: timedelta, *, toxic: bool) -> dict[int, int]:
            probes = [(k, row.platform, row.post_id, as_utc(row.created_at) - lo, as_utc(row.created_at) - hi)
                      for k, row in on_post]

            def query(p: sa.Subquery) -> sa.Select[Any]:
                q = sa.select(p.c.idx, sa.func.count()).select_from(p).join(InteractionRow, sa.and_(
                    InteractionRow.platform == p.c.platform, InteractionRow.post_id == p.c.post_id,
                    InteractionRow.created_at >= p.c.lo, InteractionRow.created_at <= p.c.hi))
                if toxic:
                    q = q.join(ClassificationRow, sa.and_(ClassificationRow.interaction_id == InteractionRow.id,
                                                          ClassificationRow.toxicity >= 0.5))
                return q

            return _grouped_counts(session, probes, columns, query)

        if on_post:
            self.post_volume = count(WINDOW, timedelta(0), toxic=False)
            self.post_toxic = count(WINDOW, timedelta(0), toxic=True)
            self.day_toxic = count(BASELINE, WINDOW, toxic=True)

    def _load_campaigns(self, session: Session) -> None:
        in_campaign = [(k, row) for k, row in enumerate(self.rows) if row.campaign]
        if not in_campaign:
            return
        columns = (("campaign", sa.String), ("lo", sa.DateTime(timezone=True)), ("hi", sa.DateTime(timezone=True)))

        def windows(before: timedelta, length: timedelta) -> list[tuple[Any, ...]]:
            return [(k, row.campaign, as_utc(row.created_at) - before - length, as_utc(row.created_at) - before)
                    for k, row in in_campaign]

        def interactions(p: sa.Subquery) -> sa.Select[Any]:
            return sa.select(p.c.idx, sa.func.count()).select_from(p).join(InteractionRow, sa.and_(
                InteractionRow.campaign == p.c.campaign, InteractionRow.created_at >= p.c.lo,
                InteractionRow.created_at < p.c.hi))

        def converted(p: sa.Subquery) -> sa.Select[Any]:
            return sa.select(p.c.idx, sa.func.count()).select_from(p).join(EventRow, sa.and_(
                EventRow.campaign == p.c.campaign, _suffix(EventAction.converted), EventRow.occurred_at >= p.c.lo,
                EventRow.occurred_at < p.c.hi))

        self.week_interactions = _grouped_counts(session, windows(timedelta(0), WEEK), columns, interactions)
        self.week_converted = _grouped_counts(session, windows(timedelta(0), WEEK), columns, converted)
        self.base_interactions = _grouped_counts(session, windows(WEEK, CONVERSION_BASELINE), columns, interactions)
        self.base_converted = _grouped_counts(session, windows(WEEK, CONVERSION_BASELINE), columns, converted)

    def _load_scored(self, session: Session) -> None:
        """Per scope and per post: the last N scored before the batch's first item there, plus every scored one
        in the batch's span (a scope without a campaign is its account's interactions without one). Two grouped
        queries per kind (campaigns, accounts, posts) over probe tables, whatever the number of posts."""
        scopes: dict[str, list[InteractionRow]] = {}
        posts: dict[tuple[str, str], list[InteractionRow]] = {}
        for row in self.rows:
            scopes.setdefault(row_scope(row), []).append(row)
            if row.post_id and row.kind == "comment":
                posts.setdefault((row.platform, row.post_id), []).append(row)
        text = sa.String
        campaigns = {scope: members for scope, members in scopes.items() if members[0].campaign}
        accounts = {scope: members for scope, members in scopes.items() if not members[0].campaign}
        self.campaign_scored.update(_last_and_within(
            session, campaigns, lambda scope, _m: (scope,), (("campaign", text),),
            lambda p: InteractionRow.campaign == p.c.campaign, CAMPAIGN_WINDOW))
        self.campaign_scored.update(_last_and_within(
            session, accounts, lambda _scope, m: (m[0].platform, m[0].account_id or "-"),
            (("platform", text), ("account", text)),
            lambda p: sa.and_(InteractionRow.campaign.is_(None), InteractionRow.platform == p.c.platform,
                              sa.func.coalesce(InteractionRow.account_id, "-") == p.c.account), CAMPAIGN_WINDOW))
        self.post_scored.update(_last_and_within(
            session, posts, lambda key, _m: key, (("platform", text), ("post_id", text)),
            lambda p: sa.and_(InteractionRow.platform == p.c.platform, InteractionRow.post_id == p.c.post_id,
                              InteractionRow.kind == "comment"), self.post_window))


Scored = list[tuple[datetime, str]]


def _last_and_within(session: Session, groups: dict[Any, list[InteractionRow]], values: Any,
                     columns: Sequence[tuple[str, Any]], match: Any, limit: int) -> dict[Any, Scored]:
    """For each group (its batch rows span [lo, hi]): the `limit` newest scored rows matching it before lo, and
    every scored row matching it in [lo, hi], as (created_at, sentiment). One ranked query and one range query."""
    if not groups:
        return {}
    keys = list(groups)
    probes = [(k, *values(key, groups[key]), min(as_utc(r.created_at) for r in groups[key]),
               max(as_utc(r.created_at) for r in groups[key])) for k, key in enumerate(keys)]
    when = sa.DateTime(timezone=True)
    p = _probe_table(session, probes, (*columns, ("lo", when), ("hi", when)))
    scored = ClassificationRow.interaction_id == InteractionRow.id
    ranked = (sa.select(p.c.idx, InteractionRow.created_at, ClassificationRow.sentiment,
                        sa.func.row_number().over(partition_by=p.c.idx, order_by=InteractionRow.created_at.desc())
                        .label("rn"))
              .select_from(p).join(InteractionRow, sa.and_(match(p), InteractionRow.created_at < p.c.lo))
              .join(ClassificationRow, scored)).subquery("ranked")
    before = session.execute(sa.select(ranked.c.idx, ranked.c.created_at, ranked.c.sentiment)
                             .where(ranked.c.rn <= limit)).all()
    within = session.execute(sa.select(p.c.idx, InteractionRow.created_at, ClassificationRow.sentiment).select_from(p)
                             .join(InteractionRow, sa.and_(match(p), InteractionRow.created_at >= p.c.lo,
                                                           InteractionRow.created_at <= p.c.hi))
                             .join(ClassificationRow, scored)).all()
    found: dict[Any, Scored] = {key: [] for key in keys}
    for idx, at, sentiment in [*before, *within]:
        found[keys[int(idx)]].append((_when(at), sentiment))
    return found


def _when(value: Any) -> datetime:
    """A timestamp read back through a derived table: SQLite may hand back its stored text."""
    if isinstance(value, str):
        return as_utc(datetime.fromisoformat(value))
    return as_utc(value)


def _last_negative(scored: list[tuple[datetime, str]], window: int) -> tuple[int, int]:
    """How many of the newest `window` were scored, and how many of those negative."""
    scored.sort(key=lambda item: item[0], reverse=True)
    last = scored[:window]
    return len(last), sum(sentiment == "negative" for _, sentiment in last)


def _rate(interactions: dict[int, int], converted: dict[int, int], k: int, campaign: str | None) -> float | None:
    if not campaign or not interactions.get(k):
        return None
    return converted.get(k, 0) / interactions[k]


def _grouped_counts(session: Session, probes: Iterable[tuple[Any, ...]], columns: Sequence[tuple[str, Any]],
                    query: Any) -> dict[int, int]:
    """{probe index: count} for `query(probes)` grouped by probe index."""
    table = _probe_table(session, list(probes), columns)
    return {int(idx): int(n) for idx, n in session.exec(query(table).group_by(table.c.idx)).all()}


def _probe_table(session: Session, probes: list[tuple[Any, ...]], columns: Sequence[tuple[str, Any]]) -> Any:
    """The probes as a derived table (idx, *columns) from ONE JSON parameter: a UNION of literal rows would
    cost one bound parameter per value, and the driver parses a query with hundreds of them slowly."""
    dialect = session.get_bind().dialect
    names = ["idx", *(name for name, _ in columns)]
    types = [sa.Integer(), *(type_() if isinstance(type_, type) else type_ for _, type_ in columns)]
    if dialect.name == "sqlite":
        # Datetimes as SQLite stores them (text in UTC), so comparisons with stored columns hold.
        processors = [t.dialect_impl(dialect).bind_processor(dialect) for t in types]
        rows = [[p(_utc(v)) if p and v is not None else v for p, v in zip(processors, probe, strict=True)]
                for probe in probes]
        each = sa.func.json_each(sa.bindparam("probes", json.dumps(rows), type_=sa.Text)).table_valued("value")
        return sa.select(*(sa.func.json_extract(each.c.value, f"$[{i}]").label(name)
                           for i, name in enumerate(names))).select_from(each).subquery("probes")
    rows = [dict(zip(names, [_utc(v).isoformat() if isinstance(v, datetime) else v for v in probe], strict=True))
            for probe in probes]
    recordset = sa.func.json_to_recordset(sa.cast(sa.bindparam("probes", json.dumps(rows), type_=sa.Text), sa.JSON))
    return recordset.table_valued(*(sa.column(name, t) for name, t in zip(names, types, strict=True))).render_derived(
        name="probes", with_types=True)


def _utc(value: Any) -> Any:
    return as_utc(value) if isinstance(value, datetime) else value
