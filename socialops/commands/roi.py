"""`socialops roi`: value, net gain and unit costs (CPM, CPV, CPA, engagement rate) from settings, options and KPIs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from socialops.commands.kpis import CONFIG, END, WINDOW, context, parse_end


def _number(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')).normalize():f}"


def register(group: click.Group) -> None:
    @group.command("roi")
    @CONFIG
    @WINDOW
    @END
    @click.option("--kpis/--no-kpis", "use_kpis", default=True, show_default=True,
                  help="Fill interactions handled, automated replies, conversions and DM conversion rate from the "
                       "event log for the window (explicit options win).")
    @click.option("--tools-cost", type=Decimal, default=None,
                  help="Tools for the window [roi.tools_monthly_cost scaled to the window].")
    @click.option("--hours-saved", type=Decimal, default=None,
                  help="Hours saved [automated replies x roi.minutes_saved_per_automated_reply].")
    @click.option("--hourly-cost", type=Decimal, default=None, help="[roi.hourly_cost]")
    @click.option("--extra-sales", type=Decimal, default=None, help="Extra sales [conversions in the window].")
    @click.option("--margin", type=Decimal, default=None, help="Margin per sale [roi.margin_per_sale].")
    @click.option("--support-cost", type=Decimal, default=None,
                  help="People and tools for the window [roi.support_monthly_cost scaled to the window].")
    @click.option("--interactions", type=int, default=None, help="Interactions handled [answered or moderated].")
    @click.option("--aov", type=Decimal, default=None, help="Average order value [roi.average_order_value].")
    @click.option("--dm-conversion-rate", type=Decimal, default=None, help="0..1 [DM conversion rate].")
    @click.option("--cpm", "cpm_in", nargs=2, type=(Decimal, int), default=None, metavar="SPEND IMPRESSIONS",
                  help="Cost per thousand impressions from ad spend and impressions.")
    @click.option("--cpv", "cpv_in", nargs=2, type=(Decimal, int), default=None, metavar="SPEND VIEWS",
                  help="Cost per view from ad spend and views.")
    @click.option("--cpa", "cpa_in", nargs=2, type=(Decimal, int), default=None, metavar="SPEND PURCHASES",
                  help="Cost per acquisition from ad spend and purchases.")
    @click.option("--engagement", nargs=2, type=(int, int), default=None, metavar="ENGAGEMENTS BASE",
                  help="Engagement rate: engagements over impressions or reach (see --engagement-basis).")
    @click.option("--engagement-basis", type=click.Choice(["impressions", "reach"]), default="impressions",
                  show_default=True, help="What BASE of --engagement counts; stated with the rate.")
    def roi(config_path: Path | None, window_spec: str, end_text: str | None, use_kpis: bool,
            tools_cost: Decimal | None, hours_saved: Decimal | None, hourly_cost: Decimal | None,
            extra_sales: Decimal | None, margin: Decimal | None, support_cost: Decimal | None,
            interactions: int | None, aov: Decimal | None, dm_conversion_rate: Decimal | None,
            cpm_in: tuple[Decimal, int] | None, cpv_in: tuple[Decimal, int] | None,
            cpa_in: tuple[Decimal, int] | None, engagement: tuple[int, int] | None, engagement_basis: str) -> None:
        """Value = hours saved x hourly cost + extra sales x margin; net gain = value - tools cost.

        Also: cost per handled interaction (support cost / interactions handled), value per interaction
        (average order value x DM conversion rate), and CPM, CPV, CPA, engagement rate when given."""
        from moderation.measure import roi as calc
        from moderation.measure.kpis import BY_NAME, compute, parse_window
        from socialops.errors import UserError

        settings, db, kpi_settings = context(config_path)
        money = settings.roi
        measured: dict[str, object] = {}
        try:
            window = parse_window(window_spec, parse_end(end_text, kpi_settings.timezone), kpi_settings.timezone)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        # Costs are configured per month; the window is usually a week: scale them, and say so.
        days = Decimal(str(round((window.end - window.start).total_seconds() / 86400, 6)))
        scaled_tools = calc.scale_monthly(money.tools_monthly_cost, days)
        scaled_support = calc.scale_monthly(money.support_monthly_cost, days)
        if use_kpis:
            with db.session() as session:
                tally = compute(session, [window], settings=kpi_settings).window(window)
            rate = BY_NAME["dm_conversion_rate"].value(tally)
            revenue = Decimal(str(round(tally.revenue, 2)))
            measured = {
                "interactions": tally.responded + tally.hidden + tally.deleted + tally.held,
                "hours_saved": Decimal(tally.automated_replied) * money.minutes_saved_per_automated_reply / 60,
                "extra_sales": Decimal(tally.conversions),
                "dm_conversion_rate": Decimal(str(round(rate, 6))) if rate is not None else Decimal(0),
                "revenue": revenue,
            }
            if tally.conversions:
                measured["aov"] = (revenue / tally.conversions).quantize(Decimal("0.01"))
            click.echo(f"measured over {window.label}: {measured['interactions']} interactions handled, "
                       f"{tally.automated_replied} answered by automation, {tally.conversions} conversions, "
                       f"{calc.money(revenue, money.currency)} recorded revenue")
        db.dispose()

        def pick(explicit, key: str, default):  # type: ignore[no-untyped-def]
            return explicit if explicit is not None else measured.get(key, default)

        inputs = calc.RoiInputs(
            tools_cost=pick(tools_cost, "", scaled_tools),
            hours_saved=pick(hours_saved, "hours_saved", Decimal(0)),
            hourly_cost=pick(hourly_cost, "", money.hourly_cost),
            extra_sales=pick(extra_sales, "extra_sales", Decimal(0)),
            margin_per_sale=pick(margin, "", money.margin_per_sale),
            support_cost=pick(support_cost, "", scaled_support),
            interactions_handled=pick(interactions, "interactions", 0),
            average_order_value=pick(aov, "aov", money.average_order_value),
            dm_conversion_rate=pick(dm_conversion_rate, "dm_conversion_rate", Decimal(0)),
            # Recorded amounts count only when nobody typed the number of sales for the window.
            revenue=measured.get("revenue") if extra_sales is None else None,  # type: ignore[arg-type]
            margin_rate=money.margin_rate,
        )
        result = calc.compute_roi(inputs)
        c = money.currency
        if tools_cost is None or support_cost is None:
            click.echo(f"monthly costs scaled to {_number(days)} days: tools {calc.money(money.tools_monthly_cost, c)}"
                       f" -> {calc.money(scaled_tools, c)}, support {calc.money(money.support_monthly_cost, c)} -> "
                       f"{calc.money(scaled_support, c)}")
        margin_line = (f"{calc.money(inputs.revenue, c)} revenue x {calc.percent(inputs.margin_rate)} margin = "
                       f"{calc.money(result.incremental_margin, c)}"
                       if inputs.revenue is not None and inputs.margin_rate is not None else
                       f"{_number(inputs.extra_sales)} sales x {calc.money(inputs.margin_per_sale, c)} = "
                       f"{calc.money(result.incremental_margin, c)}")
        lines = [
            ("time saved", f"{_number(inputs.hours_saved)} h x {calc.money(inputs.hourly_cost, c)} = "
                           f"{calc.money(result.time_saved_value, c)}"),
            ("incremental margin", margin_line),
            ("total value", calc.money(result.total_value, c)),
            ("tools cost", calc.money(inputs.tools_cost, c)),
            ("net gain", calc.money(result.net_gain, c)),
            ("ROI", calc.percent(result.roi)),
            ("cost per handled interaction", calc.money(result.cost_per_interaction, c)),
            ("value per interaction", calc.money(result.value_per_interaction, c)),
        ]
        if cpm_in:
            lines.append(("CPM", f"{calc.money(calc.cpm(*cpm_in), c)} ({calc.money(cpm_in[0], c)} / "
                                 f"{cpm_in[1]:,} impressions x 1000)"))
        if cpv_in:
            lines.append(("CPV", f"{calc.money(calc.cpv(*cpv_in), c, places=3)} ({calc.money(cpv_in[0], c)} / "
                                 f"{cpv_in[1]:,} views)"))
        if cpa_in:
            lines.append(("CPA", f"{calc.money(calc.cpa(*cpa_in), c)} ({calc.money(cpa_in[0], c)} / "
                                 f"{cpa_in[1]:,} purchases)"))
        if engagement:
            rate = calc.engagement_rate(engagement[0], engagement[1], engagement_basis)  # type: ignore[arg-type]
            lines.append((f"engagement rate by {engagement_basis}",
                          f"{calc.percent(rate)} ({engagement[0]:,} / {engagement[1]:,} {engagement_basis})"))
        width = max(len(label) for label, _ in lines)
        for label, value in lines:
            click.echo(f"{label:<{width}}  {value}")
