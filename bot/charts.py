"""KPI trend charts as PNG bytes (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date

Series = tuple[str, str, Sequence[tuple[date, float | None]]]  # label, unit, points


def trend_chart_png(series: Sequence[Series], *, title: str = "", columns: int = 2) -> bytes:
    """One small panel per KPI (a day per point); gaps where a day had no data."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.dates import DateFormatter

    panels = max(1, len(series))
    columns = min(columns, panels)
    rows = math.ceil(panels / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.6 * rows), squeeze=False)
    try:
        for index, axis in enumerate(axes.flat):
            if index >= len(series):
                axis.set_visible(False)
                continue
            label, unit, points = series[index]
            xs = [day for day, _ in points]
            scale = 100.0 if unit == "%" else 1.0
            ys = [math.nan if value is None else value * scale for _, value in points]
            if unit == "count":
                axis.bar(xs, [0 if math.isnan(y) else y for y in ys], color="#4c72b0")
            else:
                axis.plot(xs, ys, marker="o", color="#dd8452")
            axis.set_title(f"{label} ({'%' if unit == '%' else unit})", fontsize=9)
            axis.xaxis.set_major_formatter(DateFormatter("%d/%m"))
            axis.tick_params(labelsize=7)
            axis.grid(alpha=0.3)
        if title:
            figure.suptitle(title, fontsize=10)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()
    finally:
        plt.close(figure)
