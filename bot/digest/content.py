"""What a digest says, as structure: a header with period and count, one item per article, the gap picture,
a closing line. Adapters render it for their platform; to_reply() gives the console and preview text."""
from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.reply import Reply, Section
from corpus.digest_models import parse_iso

if TYPE_CHECKING:
    from corpus.api import Corpus
    from corpus.models import Article, Claim

CLOSING = "Ask /gap for the whole picture of the gap, or /ask about anything in these articles."
DIRECTIONS = {"china_behind": "China behind", "china_ahead": "China ahead", "parity": "at parity",
              "closing": "gap closing", "widening": "gap widening"}
MAX_ESTIMATES = 3
MAX_ENTITIES = 6


@dataclass
class DigestItem:
    """One new article: title, where it is from, its summary, the gap estimates and names it adds."""

    article_id: str
    title: str
    url: str | None = None
    publisher: str | None = None
    date: str | None = None
    summary: list[str] = field(default_factory=list)
    estimates: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)

    @property
    def byline(self) -> str:
        """'Publisher · 12 May 2025' (whichever is known)."""
        return " · ".join(x for x in (self.publisher, nice_date(self.date)) if x)


@dataclass
class Digest:
    """A digest for one destination."""

    title: str
    period: str
    items: list[DigestItem]
    gap: str = ""
    closing: str = CLOSING

    @property
    def article_ids(self) -> list[str]:
        """The articles it reports, in order."""
        return [i.article_id for i in self.items]

    def to_json(self) -> dict[str, Any]:
        """Plain data for --json."""
        return {"title": self.title, "period": self.period, "gap": self.gap, "closing": self.closing,
                "items": [asdict(i) for i in self.items]}

    def to_reply(self) -> Reply:
        """The digest as a Reply (plain-text rendering for the console and previews)."""
        sections = [Section(self.period)] + [Section(item_text(i), heading=i.title) for i in self.items]
        if self.gap:
            sections.append(Section(self.gap))
        return Reply(command="digest", title=self.title, sections=sections, footer=self.closing,
                     data={"digest": self.to_json()})


def item_text(item: DigestItem) -> str:
    """An item's body in plain text: byline, link, summary, estimates, names."""
    lines = [x for x in (item.byline, item.url) if x]
    if item.summary:
        lines.append(" ".join(item.summary))
    lines += [f"• Gap estimate: {e}" for e in item.estimates]
    if item.entities:
        lines.append("Names: " + ", ".join(item.entities))
    return "\n".join(lines)


def nice_date(iso_date: str | None) -> str | None:
    """'2025-05-12' -> '12 May 2025' (anything else is returned as it is)."""
    if not iso_date:
        return None
    try:
        d = date.fromisoformat(iso_date[:10])
    except ValueError:
        return iso_date
    return f"{d.day} {d:%b %Y}"


def build(corpus: "Corpus", articles: list["Article"], *, start: str, now: datetime, tz: str) -> Digest:
    """The digest of these articles (oldest added first), for the period from start to now in zone tz."""
    claims = {a.id: [c for c in corpus.claims(article_id=a.id) if c.sized] for a in articles}
    items = [_item(corpus, a, claims[a.id]) for a in articles]
    n = len(items)
    title = f"gapbot daily digest — {n} new article{'s' if n != 1 else ''}"
    return Digest(title=title, period=period_text(start, now, tz), items=items,
                  gap=gap_picture([c for cs in claims.values() for c in cs], corpus))


def _item(corpus: "Corpus", a: "Article", claims: list["Claim"]) -> DigestItem:
    return DigestItem(article_id=a.id, title=a.title, url=a.url, publisher=a.publisher,
                      date=a.date or a.modified, summary=list(a.summary),
                      estimates=[estimate_text(c) for c in claims[:MAX_ESTIMATES]],
                      entities=corpus.entities_for(a.id)[:MAX_ENTITIES])


def period_text(start: str, now: datetime, tz: str) -> str:
    """'Added between 12 May 08:00 and 13 May 08:00 (Europe/Berlin)'."""
    zone = ZoneInfo(tz)
    a, b = parse_iso(start).astimezone(zone), now.astimezone(zone)
    return f"Added between {a.day} {a:%b %H:%M} and {b.day} {b:%b %H:%M} ({tz})"


def years_text(low: float | None, high: float | None) -> str:
    """'1–2 years', 'about 3 years', 'up to 5 years'."""
    def num(x: float) -> str:
        return f"{x:g}"

    if low is None and high is not None:
        return f"up to {num(high)} years"
    if high is None or low == high:
        return f"about {num(low or 0)} year{'s' if low != 1 else ''}"
    return f"{num(low or 0)}–{num(high)} years"


def estimate_text(c: "Claim") -> str:
    """'1–2 years, China behind on chips — Dana Okafor (Acme Compute)'."""
    what = f"{years_text(c.low_years, c.high_years)}, {DIRECTIONS.get(c.direction, c.direction)}"
    dimension = (c.dimension or "").strip()
    if dimension.lower().startswith("overall"):
        what += " overall"
    elif dimension and dimension.lower() not in ("general", "ai"):
        what += f" on {dimension}"
    who = c.speaker or c.affiliation
    if c.speaker and c.affiliation:
        who = f"{c.speaker} ({c.affiliation})"
    return f"{what} — {who}" if who else what


def gap_picture(new: list["Claim"], corpus: "Corpus") -> str:
    """One line on what these articles change in the gap picture."""
    everything = [c for c in corpus.claims() if c.sized and c.direction == "china_behind"]
    head = (f"these articles add {len(new)} gap estimate{'s' if len(new) != 1 else ''} ({_span(new)})."
            if new else "these articles add no new estimate of the gap.")
    if len(everything) < 2:
        return f"Gap picture: {head}"
    mids = [_mid(c) for c in everything]
    return (f"Gap picture: {head} All {len(everything)} estimates of how far China trails now span "
            f"{_span(everything)}, median {statistics.median(mids):g} years.")


def _mid(c: "Claim") -> float:
    vals = [v for v in (c.low_years, c.high_years) if v is not None]
    return round(sum(vals) / len(vals), 1)


def _span(claims: list["Claim"]) -> str:
    lows = [v for c in claims for v in (c.low_years, c.high_years) if v is not None]
    return years_text(min(lows), max(lows)) if lows else "no figures"
