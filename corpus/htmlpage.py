"""An HTML page into an article: trafilatura's text and metadata, plus what the markup says about the page
itself (its canonical address, a "Published by …" line naming the publisher rather than an author)."""
from __future__ import annotations

from urllib.parse import urljoin

from corpus.lexicon import boilerplate_line
from corpus.lines import CleanArticle, key
from corpus.meta import PUBLISHED_BY, date_from_url, parse_date
from corpus.sources import Document, html_article

PUBLISHED_BY_MAX_CHARS = 80  # a byline element, not a paragraph that happens to start "Published by"
_CANONICAL = ('//link[contains(concat(" ", translate(normalize-space(@rel), "CANOICL", "canoicl"), " "), '
              '" canonical ")]/@href')


def html_articles(doc: Document) -> list[CleanArticle]:
    """The article in an HTML document, or none when trafilatura finds no article text."""
    meta = html_article(doc)
    if meta is None:
        return []
    paras = [ln.strip() for ln in meta["text"].split("\n") if ln.strip() and not boilerplate_line(ln)]
    title = doc.title or meta["title"] or (paras[0][:80] if paras else "")
    if paras and paras[0].strip() == title:
        paras = paras[1:]
    tree = _tree(doc.content)
    url = canonical_link(tree, doc.url) or meta["url"] or doc.url
    by = published_by(tree)
    author = None if by and key(meta["author"] or "") == key(by) else meta["author"]
    return [CleanArticle(title=title, paragraphs=paras, publisher=doc.publisher or by or meta["publisher"],
                         author=author, url=url,
                         date=doc.date or parse_date(meta["date"] or "") or date_from_url(url))]


def _tree(html: str):
    """The parsed page (lxml), or None when it cannot be parsed."""
    from trafilatura.utils import load_html  # lazy: trafilatura loads only for HTML pages

    return load_html(html)


def canonical_link(tree, base: str | None) -> str | None:
    """The address the page declares as its own (<link rel="canonical">), made absolute against base."""
    if tree is None:
        return None
    for href in tree.xpath(_CANONICAL):
        url = urljoin(base or "", str(href).strip())
        if url.startswith(("http://", "https://")):
            return url
    return None


def published_by(tree) -> str | None:
    """The publisher a short "Published by …" element of the page names."""
    if tree is None:
        return None
    for el in tree.xpath("//body//*"):
        text = " ".join(el.text_content().split())
        m = PUBLISHED_BY.search(text) if len(text) <= PUBLISHED_BY_MAX_CHARS else None
        if m and len(m.group(1).split()) <= 6:
            return m.group(1).rstrip(".")
    return None
