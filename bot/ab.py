"""The A/B report: per template, each reply variant's response, conversion and approval-without-edit rates, and
whether the difference is real (Fisher's exact test) or there is not enough data yet."""

from __future__ import annotations

from datetime import datetime

from bot.views import DigestView, ReviewSection
from moderation.domain import as_utc
from moderation.measure.kpis import KPI_VERSION, KpiSettings, rolling
from moderation.measure.kpis.variants import (
    MIN_PER_VARIANT,
    SIGNIFICANT,
    VariantStats,
    enough_data,
    fisher_exact,
    variant_stats,
)
from moderation.storage import Database

RATES = (("response", "replied"), ("conversion", "converted"), ("approval", "approved without edit"))


def _pct(stats: VariantStats, name: str) -> str:
    successes, trials = stats.counts(name)
    return f"{successes}/{trials}"


def verdict(first: VariantStats, second: VariantStats, name: str) -> str:
    """One plain sentence on one rate between two variants."""
    label = dict(RATES)[name]
    if not enough_data(first, second, name):
        trials = min(first.counts(name)[1], second.counts(name)[1])
        return f"{label}: not enough data yet ({trials} in a variant, a test needs {MIN_PER_VARIANT}+)"
    (s1, n1), (s2, n2) = first.counts(name), second.counts(name)
    p = fisher_exact(s1, n1 - s1, s2, n2 - s2)
    if p >= SIGNIFICANT:
        return f"{label}: no real difference so far (Fisher exact p = {p:.2f})"
    better = first if s1 / n1 > s2 / n2 else second
    return f"{label}: {better.variant} does better (Fisher exact p = {p:.3f})"


def template_sections(stats: list[VariantStats]) -> tuple[ReviewSection, ...]:
    """A section per template that has two or more variants (a template with one text is no test)."""
    by_template: dict[str, list[VariantStats]] = {}
    for row in stats:
        by_template.setdefault(row.template, []).append(row)
    sections = []
    for template, rows in sorted(by_template.items()):
        if len(rows) < 2:
            continue
        lines = [f"{r.variant}: {r.assigned} sent · replied {_pct(r, 'response')} · converted "
                 f"{_pct(r, 'conversion')} · approved {_pct(r, 'approval')}" for r in rows]
        control = rows[0]
        for other in rows[1:]:
            prefix = f"{control.variant} vs {other.variant}, " if len(rows) > 2 else ""
            lines += [prefix + verdict(control, other, name) for name, _ in RATES]
        sections.append(ReviewSection(f"Template {template}", tuple(lines)))
    return tuple(sections)


def ab_view(db: Database, *, now: datetime, days: int = 30, settings: KpiSettings | None = None,
            title: str = "A/B reply variants") -> DigestView:
    settings = settings or KpiSettings()
    window = rolling(as_utc(now), days, settings.timezone)
    with db.session() as session:
        stats = variant_stats(session, window.start, window.end)
    sections = template_sections(stats) or (
        ReviewSection("No A/B test ran in this window", (), "no template with two or more variants was used"),)
    return DigestView(title=title, window=window.label, lines=(), sections=sections, kpi_version=KPI_VERSION)
