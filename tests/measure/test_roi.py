"""The worked examples from the field, exactly, in Decimal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from moderation.measure.roi import RoiInputs, compute_roi, cpa, cpm, cpv, engagement_rate, money, percent


def test_worked_example_value_and_net_gain() -> None:
    result = compute_roi(RoiInputs(tools_cost=Decimal(600), hours_saved=Decimal(20), hourly_cost=Decimal(35),
                                   extra_sales=Decimal(15), margin_per_sale=Decimal(18)))
    assert result.time_saved_value == Decimal(700)
    assert result.incremental_margin == Decimal(270)
    assert result.total_value == Decimal(970)
    assert result.net_gain == Decimal(370)
    assert money(result.net_gain) == "$370.00"


def test_unit_costs() -> None:
    assert cpm(1200, 300_000) == Decimal("4")
    assert money(cpm(1200, 300_000)) == "$4.00"
    assert cpv(800, 200_000) == Decimal("0.004")
    assert money(cpv(800, 200_000), places=3) == "$0.004"
    assert cpa(2000, 100) == Decimal(20)
    assert engagement_rate(3600, 120_000, "impressions") == Decimal("0.03")
    assert percent(engagement_rate(3600, 120_000, "impressions")) == "3.0%"


def test_per_interaction_figures_and_empty_inputs() -> None:
    result = compute_roi(RoiInputs(support_cost=Decimal("4200"), interactions_handled=3000,
                                   average_order_value=Decimal("62.50"), dm_conversion_rate=Decimal("0.04")))
    assert result.cost_per_interaction == Decimal("1.4")
    assert result.value_per_interaction == Decimal("2.5")
    assert result.roi is None  # no tools cost: no ratio, not a division error
    assert cpm(100, 0) is None
    with pytest.raises(ValueError):
        engagement_rate(1, 1, "followers")  # type: ignore[arg-type]


def test_monthly_costs_scale_to_the_window_and_revenue_drives_the_margin() -> None:
    from moderation.measure.roi import scale_monthly

    assert scale_monthly(8000, 7).quantize(Decimal("0.01")) == Decimal("1839.84")
    assert scale_monthly(600, Decimal("30.4375")) == Decimal(600)
    result = compute_roi(RoiInputs(tools_cost=Decimal(100), extra_sales=Decimal(3), margin_per_sale=Decimal(18),
                                   revenue=Decimal("450.00"), margin_rate=Decimal("0.4")))
    assert result.incremental_margin == Decimal("180.000")  # 450 x 40%, not 3 x 18
    assert compute_roi(RoiInputs(extra_sales=Decimal(3), margin_per_sale=Decimal(18),
                                 revenue=Decimal(450))).incremental_margin == Decimal(54)  # no rate: per sale
