"""The /gap chart: each sized estimate as a low-high bar at its publication date, coloured by dimension."""
from __future__ import annotations

import io
from datetime import date

from corpus.models import Claim


def render_gap_chart(claims: list[Claim]) -> bytes:
    """A PNG of the estimates (matplotlib, imported only when a chart is actually drawn)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sized = [c for c in claims if c.sized]
    dims = sorted({c.dimension for c in sized})
    colours = {d: plt.cm.tab10(i % 10) for i, d in enumerate(dims)}
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    undated = date.today()
    for i, c in enumerate(sized):
        x = date.fromisoformat(c.date) if c.date else undated
        lo = c.low_years or 0.0
        hi = c.high_years if c.high_years is not None else lo + 1.0
        ax.vlines(x, lo, hi, colors=[colours[c.dimension]], linewidth=8, alpha=0.75,
                  linestyles="solid" if c.high_years is not None else "dotted")
        ax.annotate(c.speaker or "unattributed", (x, hi), fontsize=7, xytext=(4, 2), textcoords="offset points")
    for d in dims:
        ax.plot([], [], color=colours[d], linewidth=6, label=d)
    ax.set_ylabel("years China trails the US (low–high)")
    ax.set_title("AI gap estimates in the corpus, by publication date")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, loc="upper left")
    fig.autofmt_xdate()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
