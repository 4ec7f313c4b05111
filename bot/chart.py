"""The /gap chart: each sized estimate as a low-high bar at its publication date, coloured by dimension.

Undated estimates get a panel of their own (plotting them at today's date would invent a date), bars never
overlap (one that would is moved right by a bar's width), each bar carries the citation number of its article,
and the legend sits below the plot where it can cover nothing."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from corpus.models import Claim

if TYPE_CHECKING:
    from matplotlib.figure import Figure

OPEN_END = 1.0  # years drawn above the low end of an open-ended estimate ("at least a year")


@dataclass(frozen=True)
class Bar:
    """Where one estimate is drawn: x (a day number, or a slot in the undated panel), its span and label."""

    claim: Claim
    x: float
    dated: bool
    lo: float
    hi: float
    label: str

    @property
    def open_ended(self) -> bool:
        """An estimate with no upper bound, drawn hatched."""
        return self.claim.high_years is None


def bar_width(days: list[int]) -> float:
    """A bar's width in days: 5% of the dated span, at least three days."""
    return max((max(days) - min(days)) * 0.05, 3.0) if days else 1.0


def bars(claims: list[Claim], numbers: dict[str, int]) -> list[Bar]:
    """The bars for the sized claims: dated ones in date order, nudged apart; undated ones in slots 0, 1, …"""
    sized = [c for c in claims if c.sized]
    dated = sorted((c for c in sized if c.date), key=lambda c: c.date or "")
    days = [_day(c.date) for c in dated]
    width = bar_width(days)
    out: list[Bar] = []
    last = float("-inf")
    for c, day in zip(dated, days):
        last = max(float(day), last + width)  # a bar that would overlap the previous one moves right
        out.append(_bar(c, last, True, numbers))
    return out + [_bar(c, float(i), False, numbers) for i, c in enumerate(c for c in sized if not c.date)]


def _day(iso: str | None) -> int:
    return date.fromisoformat((iso or "")[:10]).toordinal()


def _bar(c: Claim, x: float, dated: bool, numbers: dict[str, int]) -> Bar:
    lo = c.low_years or 0.0
    hi = c.high_years if c.high_years is not None else lo + OPEN_END
    n = numbers.get(c.article_id)
    return Bar(c, x, dated, lo, max(hi, lo + 0.08), f"[{n}]" if n else "")  # a point estimate stays visible


def draw(claims: list[Claim], numbers: dict[str, int]) -> "Figure":
    """The chart as a matplotlib figure (matplotlib imported only when a chart is actually drawn)."""
    import matplotlib  # lazy: matplotlib takes ~0.5 s; only /gap's chart needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: matplotlib, as above

    placed = bars(claims, numbers)
    dated, undated = [b for b in placed if b.dated], [b for b in placed if not b.dated]
    dims = sorted({b.claim.dimension for b in placed})
    colours = {d: plt.cm.tab10(i % 10) for i, d in enumerate(dims)}
    panels = [p for p in (dated, undated) if p]
    fig, axes = plt.subplots(1, len(panels), figsize=(8, 4.8), dpi=100, sharey=True, squeeze=False,
                             gridspec_kw={"width_ratios": [4, 1 + 0.3 * len(undated)][:len(panels)]
                                          if len(panels) == 2 else [1]})
    top = max(b.hi for b in placed) * 1.18 + 0.2  # room for the numbers above the tallest bar
    for ax, panel in zip(axes[0], panels):
        width = bar_width([int(b.x) for b in panel]) * 0.8 if panel[0].dated else 0.6
        _plot(ax, panel, colours, width)
        ax.set_ylim(0, top)
    axes[0][0].set_ylabel("years China trails the US (low–high)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[d], alpha=0.8) for d in dims]
    fig.legend(handles, dims, loc="lower center", ncol=min(3, len(dims)), fontsize=7, frameon=False)
    fig.suptitle("AI gap estimates in the corpus, by publication date (numbers: sources)", fontsize=10)
    fig.tight_layout(rect=(0, 0.06 + 0.035 * ((len(dims) - 1) // 3), 1, 0.95))
    return fig


def _plot(ax, panel: list[Bar], colours: dict, width: float) -> None:
    for b in panel:
        ax.bar(b.x, b.hi - b.lo, bottom=b.lo, width=width, color=colours[b.claim.dimension], alpha=0.8,
               hatch="//" if b.open_ended else None, edgecolor="white", linewidth=0.5)
        if b.label:
            ax.annotate(b.label, (b.x, b.hi), xytext=(0, 2), textcoords="offset points", ha="center",
                        va="bottom", fontsize=7)
    if panel[0].dated:
        ax.set_xlim(min(b.x for b in panel) - 4 * width, max(b.x for b in panel) + 4 * width)
        ax.xaxis.set_major_formatter(lambda x, _: date.fromordinal(max(1, int(x))).strftime("%Y-%m"))
        ax.tick_params(axis="x", labelsize=7, labelrotation=30)
    else:
        ax.set_xlim(-0.7, len(panel) - 0.3)
        ax.set_xticks([])
        ax.set_xlabel("undated", fontsize=8)


def render_gap_chart(claims: list[Claim], numbers: dict[str, int] | None = None) -> bytes:
    """A PNG of the estimates; numbers maps an article id to its citation number in the reply."""
    import matplotlib.pyplot as plt  # lazy: matplotlib, as above

    fig = draw(claims, numbers or {})
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
