"""The /gap chart: no invented dates, no overlapping bars, legend and labels clear, source numbers on bars."""
from __future__ import annotations

from datetime import date

import pytest

from bot.chart import bars, draw, render_gap_chart
from corpus.models import Claim

DIMS = ["chips", "models", "robots", "talent", "energy", "video"]


def claim(i: int, when: str | None, lo: float | None, hi: float | None) -> Claim:
    return Claim(lo, hi, f"phrase {i}", "china_behind", DIMS[i % len(DIMS)], None, None, f"Quote {i}.",
                 f"art{i % 4}", when)


CLAIMS = ([claim(i, "2023-06-01", 1, 2) for i in range(4)]  # four on one day: they must not hide each other
          + [claim(4, "2023-06-03", 0.5, 0.5), claim(5, "2024-01-15", 2, None), claim(6, "2022-11-30", 0, 3)]
          + [claim(7 + i, None, 1 + i, 2 + i) for i in range(3)])
NUMBERS = {"art0": 1, "art1": 2, "art2": 3, "art3": 4}


@pytest.fixture(scope="module")
def figure():
    import matplotlib.pyplot as plt

    fig = draw(CLAIMS, NUMBERS)
    fig.canvas.draw()
    yield fig
    plt.close(fig)


def rects(ax):
    return [p for p in ax.patches if p.get_height() > 0]


def test_undated_estimates_get_their_own_panel_not_today(figure):
    dated_ax, undated_ax = figure.axes[:2]
    assert len(rects(dated_ax)) == 7 and len(rects(undated_ax)) == 3
    assert dated_ax.get_xlim()[1] < date(2024, 6, 1).toordinal() < date.today().toordinal()
    assert undated_ax.get_xlabel() == "undated"


def test_bars_never_overlap(figure):
    for ax in figure.axes[:2]:
        spans = sorted((r.get_x(), r.get_x() + r.get_width()) for r in rects(ax))
        assert all(a_end <= b_start + 1e-9 for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


def test_legend_covers_no_bar_and_every_label_is_inside_the_figure(figure):
    renderer = figure.canvas.get_renderer()
    legend = figure.legends[0].get_window_extent(renderer)
    for ax in figure.axes:
        for r in rects(ax):
            assert not legend.overlaps(r.get_window_extent(renderer))
    box = figure.bbox
    texts = [t for ax in figure.axes for t in ax.texts + ax.get_xticklabels() + [ax.yaxis.label]]
    for t in texts + [figure.legends[0]]:
        if t.get_visible() and (not hasattr(t, "get_text") or t.get_text()):
            e = t.get_window_extent(renderer)
            assert box.x0 <= e.x0 and e.x1 <= box.x1 and box.y0 <= e.y0 and e.y1 <= box.y1, t


def test_every_bar_carries_its_articles_citation_number(figure):
    labels = sorted(t.get_text() for ax in figure.axes for t in ax.texts)
    assert labels == sorted(f"[{NUMBERS[c.article_id]}]" for c in CLAIMS)


def test_placement_keeps_date_order_and_open_ends():
    placed = bars(CLAIMS, {})
    xs = [b.x for b in placed if b.dated]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert [b.open_ended for b in placed if b.claim.phrase == "phrase 5"] == [True]
    assert all(b.label == "" for b in placed)  # no number for an article the reply does not cite


def test_png_renders():
    assert render_gap_chart(CLAIMS, NUMBERS)[:8] == b"\x89PNG\r\n\x1a\n"
    assert render_gap_chart(CLAIMS[-3:])[:4] == b"\x89PNG"  # only undated estimates: one panel
