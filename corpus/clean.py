"""Turn a noisy plain-text scrape into articles: title, publisher, author, date and a clean body.

General signals only: prose shape (length, end punctuation, stop words, title case), line repetition,
a lexicon of web-page furniture (share bars, login forms, related lists), headline markup and position.
"""
from __future__ import annotations

from collections import Counter

from corpus.capture import split_capture
from corpus.lexicon import STOPWORDS, boilerplate_line
from corpus.lines import SEPARATOR, CleanArticle, Line, key, lines_of
from corpus.meta import date_from_url, describe

__all__ = ["CleanArticle", "clean"]
TEASER_WORDS = (4, 12)  # a related-story link is headline length; a longer line is the story's own text


def clean(text: str) -> list[CleanArticle]:
    """Every article found in a plain-text (or Markdown) scrape, boilerplate removed."""
    cap, text = split_capture(text)
    lines = lines_of(text)
    arts: list[CleanArticle] = []
    prev_end = 0
    for span in _bodies(lines):
        span = _without_teasers(_trim(_without_repeats(span, lines)))
        if _weight(span) < 40:
            continue
        head = [ln for ln in lines if prev_end <= ln.i < span[0].i]
        arts.append(describe(head, span, lines, first=not arts))
        prev_end = span[-1].i + 1
    arts = [a for a in arts if a.paragraphs]
    for a in arts:
        a.publisher = a.publisher or arts[0].publisher
        a.date = a.date or cap.date or date_from_url(cap.url)  # the page's own date first
    if len(arts) == 1:  # the capture's URL and title belong to the page, so to its only article
        arts[0].url = cap.url
        arts[0].title = cap.title or arts[0].title
    return arts


def _weight(span: list[Line]) -> int:
    """Words in the prose lines of a span."""
    return sum(len(ln.words) for ln in span if ln.is_prose())


def _without_repeats(span: list[Line], lines: list[Line]) -> list[Line]:
    """A body without text the page printed twice: a standfirst that the story repeats, or a headline glued
    to an image caption with no space between ("…Gap Widens In AIChip exports fell…")."""
    if not span:
        return span
    keys = [key(ln.text) for ln in span]  # a span opens with a prose line
    drop = set()
    if len(keys[0]) >= 40 and any(k.startswith(keys[0]) for k in keys[1:]):
        drop.add(0)  # a summary above the story that its first paragraphs repeat
    shown = {key(ln.text) for ln in lines if ln.i < span[0].i and len(ln.words) >= 5 and not ln.is_prose()}
    for n, k in enumerate(keys):
        if any(k.startswith(h) and k[len(h):len(h) + 1].isalnum() for h in shown):
            drop.add(n)
    return [ln for n, ln in enumerate(span) if n not in drop]


def _without_teasers(span: list[Line]) -> list[Line]:
    """A body without the links to other stories printed between its paragraphs: a short headline-like line
    none of whose content words the story itself uses (a subheading shares words with the text it heads)."""
    used = Counter(w.lower() for ln in span if ln.is_prose() for w in ln.words)

    def teaser(ln: Line) -> bool:
        content = [w.lower() for w in ln.words if len(w) > 3 and w.lower() not in STOPWORDS]
        return TEASER_WORDS[0] <= len(ln.words) <= TEASER_WORDS[1] and bool(content) \
            and not any(used[w] for w in content)

    return [ln for ln in span if ln.is_prose() or not teaser(ln)]


def _clusters(lines: list[Line]) -> list[list[Line]]:
    """Runs of prose lines allowing short non-prose gaps (headings, captions, Q&A lines) between them."""
    clusters: list[list[Line]] = []
    cur: list[Line] = []
    gap: list[Line] = []
    for ln in lines:
        if ln.is_prose():
            if cur and _gap_ok(gap):
                cur.extend(gap)
            elif cur:
                clusters.append(cur)
                cur = []
            cur.append(ln)
            gap = []
        elif cur:
            gap.append(ln)
            if len(gap) > 4:
                clusters.append(cur)
                cur, gap = [], []
    if cur:
        clusters.append(cur)
    return clusters


def _gap_ok(gap: list[Line]) -> bool:
    """Whether the lines between two prose lines belong to the article (headings, FAQ questions)."""
    if len(gap) > 3:
        return False
    return not any(boilerplate_line(g.text) or g.repeats > 2 or SEPARATOR.match(g.raw) for g in gap)


def _bodies(lines: list[Line]) -> list[list[Line]]:
    """The article bodies: the main prose cluster, split where a new headline starts a new article."""
    clusters = _clusters(lines)
    if not clusters:
        return []
    weight = [_weight(c) for c in clusters]
    best = max(weight)
    # several articles in one file: other big clusters with a headline of their own before them
    keep = [c for c, w in zip(clusters, weight) if w >= 40 and w >= 0.35 * best]
    spans = []
    for c in keep:
        spans.extend(_split_on_headlines(c))
    return spans


def _split_on_headlines(cluster: list[Line]) -> list[list[Line]]:
    """Split a cluster at headline lines (bold/Markdown, 5+ words) that are followed by prose."""
    cuts = [0]
    for j, ln in enumerate(cluster[1:], 1):
        nxt = cluster[j + 1] if j + 1 < len(cluster) else None
        if (ln.bold or SEPARATOR.match(ln.raw)) and len(ln.words) >= 5 and nxt is not None and nxt.is_prose():
            before = sum(len(x.words) for x in cluster[cuts[-1]:j] if x.is_prose())
            if before >= 80:
                cuts.append(j)
    parts = [cluster[a:b] for a, b in zip(cuts, cuts[1:] + [len(cluster)])]
    return [_trim(p) for p in parts if p]


def _trim(span: list[Line]) -> list[Line]:
    """Drop non-prose lines at either end (a headline opening the span stays outside the body)."""
    while span and not span[0].is_prose():
        span = span[1:]
    while span and not span[-1].is_prose():
        span = span[:-1]
    return span
