"""The digest chart, drawn with matplotlib when the KPI layer did not provide one."""

from __future__ import annotations

import io

from bot.views import DigestView


def digest_chart(digest: DigestView) -> bytes | None:
    """A PNG bar chart of volume and responses per platform (with response rate labels); None if no data."""
    lines = [line for line in digest.lines if line.platform != "all"]
    if not lines:
        return None
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 3.2), dpi=100)
    axes = figure.add_subplot()
    positions = range(len(lines))
    width = 0.4
    axes.bar([p - width / 2 for p in positions], [line.volume for line in lines], width, label="received")
    bars = axes.bar([p + width / 2 for p in positions], [line.responded for line in lines], width, label="responded")
    for bar, line in zip(bars, lines, strict=True):
        if line.response_rate is not None:
            axes.annotate(f"{line.response_rate:.0%}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                          ha="center", va="bottom", fontsize=8)
    axes.set_xticks(list(positions), [line.platform for line in lines])
    axes.set_title(f"{digest.title} — {digest.window}", fontsize=9)
    axes.legend(fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")  # Figure without pyplot: no global state, safe in a server
    return buffer.getvalue()
