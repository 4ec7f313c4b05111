"""The scrape cleaner against the gold titles, body edges, dates and publishers of the seed articles."""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from corpus.bundled import seed_paths
from corpus.clean import clean


def norm(s: str | None) -> str:
    s = (s or "").replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", s).strip().lower()


def cleaned_by_file() -> dict[str, list]:
    return {p.name: clean(p.read_text(encoding="utf-8")) for p in seed_paths()}


def test_every_gold_article_has_its_title_and_exact_body_edges(gold):
    got = cleaned_by_file()
    for g in gold["articles"]:
        arts = got[g["seed_file"]]
        assert len(arts) > g["article_index"], g["seed_file"]
        a = arts[g["article_index"]]
        assert a.title == g["title"]
        assert norm(a.body).startswith(norm(g["first_sentence"]))
        assert norm(a.body).endswith(norm(g["last_sentence"]))


def test_file_with_two_articles_is_split_and_others_are_not(gold):
    counts = defaultdict(int)
    for g in gold["articles"]:
        counts[g["seed_file"]] += 1
    assert {f: len(a) for f, a in cleaned_by_file().items()} == dict(counts)


def test_no_boilerplate_line_survives(gold):
    got = cleaned_by_file()
    texts = {p.name: p.read_text(encoding="utf-8") for p in seed_paths()}
    for g in gold["articles"]:
        body_span = norm(texts[g["seed_file"]][g["body_char_start"]:g["body_char_end"]])
        for para in got[g["seed_file"]][g["article_index"]].paragraphs:
            assert norm(para) in body_span, para[:80]


def test_dates_publishers_and_authors_match_where_gold_has_them(gold):
    got = cleaned_by_file()
    for g in gold["articles"]:
        a = got[g["seed_file"]][g["article_index"]]
        if g["date"]:
            assert a.date == g["date"]
        if g["publisher"]:
            assert a.publisher and norm(a.publisher) in norm(g["publisher"])
        if g["author"]:
            assert a.author == g["author"]
        if g.get("last_modified"):
            assert a.modified == g["last_modified"]


def test_teaser_and_share_lines_are_not_body():
    text = ("My Site\n\n**A Headline About Chips In China Today**\n\nThe lede was cut short here and the "
            "rest is mi…\n\n"
            + "\n\n".join(f"This is sentence number {i} of the story, and it talks about the chips at length."
                          for i in range(8))
            + "\n\nShareTweetShare\n\nRelated Posts\n\nLeave a Reply\n")
    [a] = clean(text)
    assert a.title == "A Headline About Chips In China Today"
    assert a.publisher == "My Site"
    assert a.paragraphs[0].startswith("This is sentence number 0")
    assert a.paragraphs[-1].startswith("This is sentence number 7")


def test_summary_sentences_are_whole_and_never_half_a_quote():
    import numpy as np

    from corpus.summarize import summarize

    texts = ["“There is a gap between the two countries in many areas of research.",
             "But the gap is smaller than the one in lithography machines and tools,” he said.",
             "“The labs will catch up with the leaders in their own good time,” she said.",
             "Chinese labs released eleven new large language models during the first quarter of the year.",
             "Analysts expect the number of approved generative AI services to keep growing this year.",
             "Investors poured more than two billion dollars into the sector during the same period."]
    vecs = np.ones((len(texts), 4), dtype=np.float32) / 2
    vecs[3:, 0] += np.arange(3, dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    out = summarize(texts, vecs, ["para"] * len(texts), redundancy=0.999)
    assert out and all(t in texts[3:] for t in out)
    assert out == [t for t in texts if t in out]  # article order


SCRAPES = Path(__file__).parent / "fixtures" / "scrapes"


@pytest.mark.parametrize("name, title, publisher, author, day, first, last", [
    ("blog_wordpress.txt",
     "Huawei’s new accelerator narrows the chip gap, analysts say", "The Silicon Ledger", "Maria Gonzalez",
     "2025-03-03", "Huawei has begun shipping", "domestic hardware for at least the next year."),
    ("wire_service.txt", "China's AI startups race to match OpenAI as funding dries up", "Reuters",
     "Jane Doe and Wang Lei", "2024-03-05", "BEIJING, March 5 (Reuters)",
     "according to data provider ITjuzi."),
    # a page that opens with its section menu and never names the site: no "News" as publisher
    ("robotics_fair.txt", "Robotics Startups Weigh the Distance to Silicon Valley", None,
     "Lena Park", "2025-06-12", "Shenzhen hosted its largest robotics fair", "according to customs figures."),
    # a browser-title line "Headline | Site"; a byline "By … | date | read time"; an ad slot,
    # a labelled link and a captioned photo inside the story; an author bio,
    # a newsletter pitch and related links after it
    ("browser_title.txt", "Chip gap widens as export curbs bite", "Example News", "Jane Roe", "2024-03-05",
     "Chinese chip designers said on Tuesday", "did not respond to a request for comment."),
    # a Markdown export: links, an image, emphasis, a dateline that says who published the page
    ("markdown_export.md", "Robot makers in Ningbo close in on rivals", "Harbour Wire", None, "2025-03-12",
     "Robot makers in Ningbo say", "Software is where we are still behind.\""),
    # a blogging platform's app banner, follow button and read time; the byline is a bare name over a date
    ("blog_platform.txt", "The Compute Gap Is Not What You Think", None, "Jane Roe", "2025-03-14",
     "Most commentary on the race", "two or three years from matching."),
    # a newsletter post: share menus, like and comment counts, a "thanks for reading, subscribe" pitch
    ("newsletter_post.txt", "The week in robots", "Example Letters", "Jane Roe", "2025-04-02",
     "Three things happened this week", "on precision work it is still about three years."),
])
def test_scrapes_from_other_kinds_of_site(name, title, publisher, author, day, first, last):
    [a] = clean((SCRAPES / name).read_text(encoding="utf-8"))
    assert (a.title, a.publisher, a.author, a.date) == (title, publisher, author, day)
    assert a.body.startswith(first) and a.body.endswith(last)
    assert not any(w in a.body for w in ("Share this", "Leave a Reply", "Editing by", "Read Next", "says:"))
    assert not any(w in a.body for w in ("Advertisement", "Read more", "Example Images", "Wuxi", "newsletter",
                                         "reporter at", "](", "*", "Tags", "Subscribe", "Follow", "min read"))
