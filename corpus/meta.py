"""Metadata of a cleaned article: title, publisher, author and dates, read from the lines around its body."""
from __future__ import annotations

import re
from datetime import date

from corpus import sentences
from corpus.lexicon import SECTION_WORDS, STOPWORDS, author_bio, boilerplate_line, section_line
from corpus.lines import BYLINE, END_PUNCT, SENTENCE_END, CleanArticle, Line, key

MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
          "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
DATE_RE = re.compile(
    rf"\b(?:(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+(?:{MONTHS})\.?,?\s+\d{{4}}|"
    rf"\d{{4}}-\d{{2}}-\d{{2}})\b", re.I)
MODIFIED_RE = re.compile(r"(?:last\s+)?(?:modified|updated)\s*:?\s*", re.I)
HEAD_WINDOW = 14  # lines above the body where the headline, byline and date are looked for
# "Published by Example Wire" names who put the page out, not who wrote it (also after a "·" or "|")
PUBLISHED_BY = re.compile(r"(?:^|[|·•–—]\s*)(?:published|distributed|presented|brought to you) by\s+"
                          r"([^|·•]+?)\s*$", re.I)
SITE_SUFFIX = re.compile(r"^(.{12,}?)\s+[|–—·-]\s+([^|–—·]{2,40})$")  # "Headline | Site", "Headline - Site"
# a staff byline with no person: "Business Desk", "Our Bureau", "Reuters Staff", "Newsroom"
DESK = re.compile(r"^(?:by\s+)?((?:[A-Z][\w&'’\-]*\s+){0,4}"
                  r"(?:Desk|Staff|Bureau|Newsroom|Team|Correspondents?))$")
DOMAIN = re.compile(r"^(?:www\.)?([a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.[a-z]{2,})$", re.I)
PERSON = re.compile(r"^[A-Z][a-z'’\-]+(?: [A-Z]\.)?(?: [A-Z][a-z'’\-]+){1,2}$")  # "Jane Roe", "Mary K. Lee"
# a wire-service credit at the end: "(Reporting by Jane Doe and Wang Lei; Editing by …)"
REPORTING = re.compile(r"^\(?\s*(?:additional\s+)?reporting by\s+([^;)]+)", re.I)
# a date in the address: /2025/06/10/, /2025-06-10/ or -20250610
URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})([/\-_]?)(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?!\d)")


def describe(head: list[Line], span: list[Line], lines: list[Line], *, first: bool) -> CleanArticle:
    """Build a CleanArticle from the lines above its body (head), the body span and the whole scrape."""
    window = [ln for ln in head[-HEAD_WINDOW:] if not boilerplate_line(ln.text)]
    tail = [ln for ln in lines if ln.i > span[-1].i][:25]
    publisher = (site_name(lines) if first else None) or published_by(window) or domain_line(window)
    title = pick_title(window, publisher) or fallback_title(span)
    return CleanArticle(
        title=title,
        paragraphs=finished(paragraphs(span)),
        publisher=publisher or domain_name(lines),
        author=author(window) or desk(window) or name_over_date(head[-HEAD_WINDOW:]) or reporters(tail),
        date=find_date(window) or find_modified(window),  # a dateline that reads "Updated <date>"
        modified=find_modified(tail + window),
    )


def site_name(lines: list[Line]) -> str | None:
    """The site's name when the scrape opens with it: the first real line, short, not a byline or date."""
    first = next((ln for ln in lines if not boilerplate_line(ln.text) and not section_line(ln.text)), None)
    if first is None:
        return None
    t = first.text.strip()
    words = t.split()
    if not re.search(r"[^\W\d_]", t):
        return None  # a lone "-" or "3" is a leftover of markup, not a name
    if 1 <= len(words) <= 4 and not BYLINE.match(t) and not DATE_RE.search(t) and not END_PUNCT.search(t) \
            and not first.bold:
        return t
    head, site = split_site(t)
    if site and any(key(ln.text) == key(head) for ln in lines if ln is not first):
        return site  # a browser-title line "Headline | Site" whose headline the page prints again
    return None


def split_site(t: str) -> tuple[str, str | None]:
    """A browser-title line "Headline | Site" as (headline, site); (t, None) when it has no such suffix."""
    m = SITE_SUFFIX.match(t.strip())
    if m and len(m.group(2).split()) <= 5:
        return m.group(1).strip(), m.group(2).strip()
    return t, None


def published_by(window: list[Line]) -> str | None:
    """The publisher a "Published by …" line names."""
    for ln in window:
        m = PUBLISHED_BY.search(ln.text.strip())
        if m and 1 <= len(m.group(1).split()) <= 6:
            return m.group(1).rstrip(".")
    return None


def domain_line(window: list[Line]) -> str | None:
    """A line that is only a site's domain ("example.tv"), printed as the site's name in the header."""
    return next((m.group(1).lower() for ln in window if (m := DOMAIN.match(ln.text.strip()))), None)


def domain_name(lines: list[Line]) -> str | None:
    """A site domain named in a copyright line, as a last resort for the publisher."""
    for ln in reversed(lines):
        m = re.search(r"(?:©|copyright)\s*(?:\d{4}\s*)?([a-z0-9\-]+\.[a-z.]{2,})", ln.text, re.I)
        if m:
            return m.group(1).rstrip(".")
    return None


def _candidate(ln: Line, publisher: str | None) -> bool:
    t = ln.text.strip()
    words = ln.words
    if len(words) < 3 or len(words) > 30 or BYLINE.match(t) or DESK.match(t) or PUBLISHED_BY.search(t) \
            or t.endswith(("…", "...")):
        return False
    if DATE_RE.fullmatch(t.strip(" ,")) or (publisher and key(t) == key(publisher)):
        return False
    if re.match(r"^(home|in)\b", t, re.I) and len(words) <= 5:
        return False  # breadcrumbs ("Home AI") and category lines ("in AI, All Tech")
    return not (t.endswith(".") and len(words) <= 6)  # a tagline such as "Focus on the big picture."


def pick_title(window: list[Line], publisher: str | None) -> str | None:
    """The headline: marked-up (bold/#) first, then one printed twice, then the first headline-like line."""
    cands = [ln for ln in window if _candidate(ln, publisher)]
    if not cands:
        return None
    marked = [ln for ln in cands if ln.bold]
    if marked:
        return strip_quotes(marked[-1].text)
    keys = [key(split_site(ln.text)[0]) for ln in cands]  # "Headline | Site" counts as a print of "Headline"
    twice = [ln for ln, k in zip(cands, keys) if keys.count(k) >= 2]
    if twice:
        return strip_quotes(split_site(twice[-1].text)[0])
    return strip_quotes(cands[0].text)


def strip_quotes(t: str) -> str:
    """A headline without wrapping quotes or markup."""
    t = t.strip().strip("*_#").strip()
    if len(t) > 2 and t[0] in "\"“'‘" and t[-1] in "\"”'’":
        t = t[1:-1].strip()
    return t


def fallback_title(span: list[Line]) -> str:
    """When no headline is found: the first words of the body."""
    words = span[0].text.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


def author(window: list[Line]) -> str | None:
    """The author from a byline ("By JANE ROE jane@x"), or None when the byline names nobody."""
    for ln in window:
        m = BYLINE.match(ln.text)
        if not m or PUBLISHED_BY.search(ln.text.strip()):
            continue
        rest = re.sub(r"\S+@\S+|https?://\S+", " ", m.group(1))
        one = r"(?:[A-Z][A-Za-z'’\-]+\.?\s+){1,3}[A-Z][A-Za-z'’\-]+"
        name = re.match(rf"\s*({one}(?:\s*(?:,|and|&)\s*{one})*)\b", rest)
        if name:
            n = name.group(1).strip()
            # "By JANE ROE and LI MING"
            return " ".join(w.title() if w.isupper() and len(w) > 1 else w for w in n.split())
    return None


def name_over_date(head: list[Line]) -> str | None:
    """A byline without "By": a person's name on a line of its own, then (within three lines) a date line or a
    "Follow" button."""
    for n, ln in enumerate(head):
        common = {w.lower() for w in ln.words} & (STOPWORDS | SECTION_WORDS)
        if ln.bold or common or not PERSON.match(ln.text.strip()):
            continue
        after = [x.text.strip() for x in head[n + 1:n + 4]]
        if any(t.lower() == "follow" or (len(t.split()) <= 6 and parse_date(t)) for t in after):
            return ln.text.strip()
    return None


def desk(window: list[Line]) -> str | None:
    """A staff byline that names a desk rather than a person ("Business Desk")."""
    return next((m.group(1) for ln in window if (m := DESK.match(ln.text.strip()))), None)


def reporters(tail: list[Line]) -> str | None:
    """The reporters a wire-service credit under the story names ("Reporting by Jane Doe; Editing by …")."""
    for ln in tail:
        m = REPORTING.match(ln.text.strip())
        if m:
            return m.group(1).strip().rstrip(".")
    return None


def date_from_url(url: str | None) -> str | None:
    """A publication date written in a page's address path (/2025/06/10/, -2025-06-10), as YYYY-MM-DD."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.I).split("?")[0]
    m = URL_DATE.search(path)
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(3)), int(m.group(4))
    try:
        day = date(y, mo, d)
    except ValueError:
        return None
    return day.isoformat() if 1990 <= y and day <= date.today() else None


def parse_date(text: str) -> str | None:
    """The first date written in text, as YYYY-MM-DD (dateparser reads the many ways sites print it)."""
    m = DATE_RE.search(text)
    if not m:
        return None
    import dateparser  # lazy: dateparser takes ~0.5 s; most dates parse without it

    d = dateparser.parse(m.group(0), languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first"})
    if d is None or not (1990 <= d.year <= date.today().year + 1):
        return None
    return d.date().isoformat()


def find_date(window: list[Line]) -> str | None:
    """The publication date: a short date line (or 'Published …') near the headline."""
    for ln in window:
        t = ln.text
        if len(t.split()) <= 12 and not MODIFIED_RE.match(t.strip(" -–—•|")):
            d = parse_date(t)
            if d:
                return d
    return None


def find_modified(lines: list[Line]) -> str | None:
    """A 'Last modified/updated: <date>' stamp anywhere around the article."""
    for ln in lines:
        m = MODIFIED_RE.search(ln.text)
        if m:
            d = parse_date(ln.text[m.end():])
            if d:
                return d
    return None


def paragraphs(span: list[Line]) -> list[str]:
    """Body paragraphs: one per line, re-joining a paragraph that a scrape broke mid-sentence."""
    out: list[str] = []
    for ln in span:
        t = ln.text.strip()
        if out and not END_PUNCT.search(out[-1]) and len(out[-1].split()) >= 8 and \
                not (t[:1].isupper() or t[:1] in "“\"‘"):
            out[-1] = f"{out[-1]} {t}"
        else:
            out.append(t)
    return out


def finished(paras: list[str]) -> list[str]:
    """The paragraphs without a closing note on the author, or a last sentence the capture cut off mid-word
    ("…and the index closed hig")."""
    paras = list(paras)
    while paras and author_bio(paras[-1]):
        paras.pop()
    while paras and not SENTENCE_END.search(paras[-1]):
        parts = sentences.split(paras[-1])
        if len(parts) > 1 and SENTENCE_END.search(parts[-2].text):
            paras[-1] = paras[-1][:parts[-1].start].rstrip()
        else:
            paras.pop()
    return paras
