"""ROI of the community operation and paid-media unit costs, in Decimal so money adds up to the cent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

ZERO = Decimal(0)
DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12: a monthly cost over a 7-day window is 7 / 30.4375 of it


def _d(value: Decimal | int | float | str) -> Decimal:
    # Through str so a float such as 0.1 becomes Decimal("0.1"), not its binary expansion.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _div(num: Decimal, den: Decimal) -> Decimal | None:
    return num / den if den else None


@dataclass(frozen=True)
class RoiInputs:
    tools_cost: Decimal = ZERO  # tooling for the period (the field's example: $600 a month)
    hours_saved: Decimal = ZERO
    hourly_cost: Decimal = ZERO
    extra_sales: Decimal = ZERO  # conversions attributed to the operation
    margin_per_sale: Decimal = ZERO
    support_cost: Decimal = ZERO  # people + tools spent handling interactions
    interactions_handled: int = 0
    average_order_value: Decimal = ZERO
    dm_conversion_rate: Decimal = ZERO  # 0..1
    revenue: Decimal | None = None  # recorded order amounts attributed to the operation
    margin_rate: Decimal | None = None  # 0..1 of revenue; with revenue, replaces extra sales x margin per sale


@dataclass(frozen=True)
class RoiResult:
    time_saved_value: Decimal  # hours saved x hourly cost
    incremental_margin: Decimal  # extra sales x margin per sale
    total_value: Decimal
    net_gain: Decimal  # total value - tools cost
    roi: Decimal | None  # net gain / tools cost
    cost_per_interaction: Decimal | None  # support cost / interactions handled
    value_per_interaction: Decimal  # average order value x DM conversion rate


def compute_roi(inputs: RoiInputs) -> RoiResult:
    i = inputs
    time_saved = _d(i.hours_saved) * _d(i.hourly_cost)
    if i.revenue is not None and i.margin_rate is not None:
        margin = _d(i.revenue) * _d(i.margin_rate)
    else:
        margin = _d(i.extra_sales) * _d(i.margin_per_sale)
    total = time_saved + margin
    net = total - _d(i.tools_cost)
    return RoiResult(
        time_saved_value=time_saved, incremental_margin=margin, total_value=total, net_gain=net,
        roi=_div(net, _d(i.tools_cost)),
        cost_per_interaction=_div(_d(i.support_cost), Decimal(i.interactions_handled)),
        value_per_interaction=_d(i.average_order_value) * _d(i.dm_conversion_rate),
    )


def scale_monthly(monthly: Decimal | int | str, days: float | Decimal) -> Decimal:
    """A monthly cost for a window of `days` days (a month is 30.4375 days): comparing a month of cost with a
    week of interactions would overstate the cost per interaction fourfold."""
    return _d(monthly) * _d(days) / DAYS_PER_MONTH


def cpm(spend: Decimal | int | str, impressions: int) -> Decimal | None:
    """Cost per thousand impressions."""
    return _div(_d(spend) * 1000, Decimal(impressions))


def cpv(spend: Decimal | int | str, views: int) -> Decimal | None:
    """Cost per view."""
    return _div(_d(spend), Decimal(views))


def cpa(spend: Decimal | int | str, actions: int) -> Decimal | None:
    """Cost per acquisition (purchase, sign-up: the action is named where it is reported)."""
    return _div(_d(spend), Decimal(actions))


def engagement_rate(engagements: int, base: int, basis: Literal["impressions", "reach"]) -> Decimal | None:
    """Engagements / impressions or / reach, as a fraction. The basis is part of the figure: always report it."""
    if basis not in ("impressions", "reach"):
        raise ValueError("basis must be 'impressions' or 'reach'")
    return _div(Decimal(engagements), Decimal(base))


def money(value: Decimal | None, currency: str = "$", places: int = 2) -> str:
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-places)
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{abs(value).quantize(quantum):,}"


def percent(value: Decimal | None, places: int = 1) -> str:
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal(1).scaleb(-places))}%"
