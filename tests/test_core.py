"""The core through handle(), on the seeds with the real model, checked against the gold file."""
from __future__ import annotations

import re

import pytest
from conftest import ROOT, ask


@pytest.fixture()
def fake_corpus(engine_corpus):
    """The empty hash-embedder corpus, on SQLite and on Postgres:
    the door's replies are engine-neutral."""
    return engine_corpus


def norm(s: str | None) -> str:
    s = (s or "").replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", s).strip().lower()


def same(a: str, b: str) -> bool:
    a, b = norm(a), norm(b)
    return bool(a and b) and (a in b or (len(b) > 20 and b in a))


def test_gap_finds_every_sized_gold_claim_with_range_and_speaker(seeded, gold):
    claims = ask(seeded, "/gap").data["claims"]
    sized_gold = [c for c in gold["gap_claims"] if c["has_time_estimate"]]
    exact = 0
    for g in sized_gold:
        lo, hi = g["range_years"]
        ok = [c for c in claims if same(c["quote"],
                                        g["sentence"]) and c["low_years"] == lo and c["high_years"] == hi]
        name = g["speaker"].split("(")[0].strip()
        unnamed = "unnamed" in g["speaker"] or "unattributed" in g["speaker"]
        exact += any(unnamed or c["speaker"] == name for c in ok)
    assert exact >= 0.9 * len(sized_gold)
    sized = [c for c in claims if c["low_years"] is not None or c["high_years"] is not None]
    assert all(any(same(c["quote"], g["sentence"]) for g in sized_gold) for c in sized)


def test_gap_reply_has_range_median_topic_filter_and_chart(seeded):
    r = ask(seeded, "gap")
    assert r.data["range_years"] == [0.0, 3.0] and r.data["median_years"] > 0
    assert r.image is not None and r.image.data()[:8] == b"\x89PNG\r\n\x1a\n"
    chips = ask(seeded, "/gap chips")
    assert chips.data["claims"]
    assert all("chip" in (c["dimension"] + c["quote"]).lower() for c in chips.data["claims"])


def test_speakers_and_their_affiliations_match_the_gold(seeded, gold):
    claims = ask(seeded, "/gap").data["claims"]
    named = [g for g in gold["gap_claims"] if g["has_time_estimate"] and g.get("affiliation")
             and "unnamed" not in g["speaker"]]
    for g in named:
        hits = [c for c in claims if same(c["quote"], g["sentence"])]
        words = set(re.findall(r"[a-z]+", g["affiliation"].lower())) - {"the", "of", "and", "a", "at"}
        assert any(c["speaker"] == g["speaker"].split("(")[0].strip() for c in hits), g["id"]
        assert any(words & set(re.findall(r"[a-z]+",
                                          (c["affiliation"] or "").lower())) for c in hits), g["id"]


def test_who_mentions_most_gold_facts(seeded, gold):
    total = hit = 0
    for e in gold["entities"]:
        text = norm(ask(seeded, "/who " + (e.get("aliases_in_text") or [e["name"]])[0]).text)
        total += len(e["must_mention"])
        hit += sum(norm(m) in text for m in e["must_mention"])
    assert hit / total >= 0.9  # measured 160/169


def test_who_folds_case_order_and_possessives(seeded):
    a, b = ask(seeded, "/who iflytek"), ask(seeded, "who is iFLYTEK’s")
    assert a.answered and a.title == b.title
    assert "Liu Qingfeng" in a.text and "Huawei" in a.text
    assert ask(seeded, "/who Lee Kai-fu").title == ask(seeded, "/who Kai-Fu Lee").title


def test_who_finds_people_by_one_of_their_names(seeded):
    xiao = ask(seeded, "/who xiao")
    assert xiao.title == "Jenny Xiao" and "Leonis Capital" in xiao.text
    wang = ask(seeded, "/who Wang")  # several people share it: each gets a profile, none is guessed
    people = {"Wang Peng", "Wang Xiaochuan"}
    assert wang.title.endswith("people called Wang") and all(p in wang.text for p in people)


def test_a_word_that_only_opens_sentences_is_not_an_entity(fake_corpus):
    # "“Software is where…" opens a quote there (NER calls it a name), and "software" is lower case elsewhere
    fake_corpus.index([str(ROOT / "tests" / "fixtures" / "scrapes" / "robotics_fair.txt")])
    names = {r[0] for r in fake_corpus.store.db.execute("SELECT name FROM entities")}
    assert {"Helix Dynamics", "Orbit Semiconductor", "Mara Quinlan"} <= names
    assert "Software" not in names


def test_who_unknown_name_suggests_without_guessing(seeded):
    r = ask(seeded, "/who Deepsek")
    assert not r.answered and r.ephemeral and "DeepSeek" in r.data["suggestions"]


def test_ask_top_answers_and_refusals(seeded, gold):
    top1 = top5 = refused = 0
    for q in gold["questions"]:
        r = ask(seeded, "/ask " + q["question"])
        texts = [p["text"] for p in r.data["passages"]]
        golds = [a["sentence"] for a in q["answers"]]
        if q["type"] == "answerable":
            top1 += any(same(g, t) for g in golds for t in texts[:1])
            top5 += any(same(g, t) for g in golds for t in texts[:5])
        else:
            refused += r.answered is False
    assert refused == 5
    assert top1 >= 23 and top5 >= 24  # measured 24 and 25 (docs/benchmarks.md)


def test_what_someone_said_about_a_topic_needs_the_topic(seeded):
    assert ask(seeded, "/ask What did Jenny Xiao say about robotics?").answered is False
    r = ask(seeded, "/ask What did Jenny Xiao say about generative AI?")
    assert r.answered and "Xiao" in r.text


def test_search_puts_an_answer_in_the_top_five(seeded, gold):
    qs = [q for q in gold["questions"] if q["type"] == "answerable"]
    hits = sum(any(same(a["sentence"],
                        h.text) for a in q["answers"] for h in seeded.search(q["question"], limit=5))
               for q in qs)
    assert hits >= 24  # measured 25


@pytest.mark.parametrize("text", ["", "   ", "/", "/nosuch", "/who", "/ask",
                                  '"unbalanced AND (OR', "NEAR(a b)", "'; DROP TABLE articles; --",
                                  "\x00\x01\x1b[31m", "x" * 100_000, "科大讯飞", "@everyone what is the gap?",
                                  "<!channel> <@U123> hi", "🔥🔥🔥", "\u202eevil"])
def test_any_input_gets_a_short_reply_without_mass_pings(seeded, text):
    r = ask(seeded, text)
    assert r.title and len(r.text) < 20_000
    assert "@everyone" not in r.text and "<!channel>" not in r.text


def test_unknown_command_suggests_a_close_one(seeded):
    r = ask(seeded, "/whoo iflytek")
    assert not r.answered and "/who" in r.title


def test_every_command_has_a_docstring_and_is_in_the_readme():
    from bot.core import commands

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for c in commands():
        assert c.func.__doc__ and f"/{c.name}" in readme


def test_gap_statistics_cover_every_estimate_when_the_list_is_capped(seeded, monkeypatch):
    import bot.commands.gap as gap

    full = ask(seeded, "/gap")
    monkeypatch.setattr(gap, "MAX_SIZED", 3)
    monkeypatch.setattr(gap, "PER_DIMENSION", 1)
    capped = ask(seeded, "/gap")
    assert capped.data["range_years"] == full.data["range_years"]
    assert capped.data["median_years"] == full.data["median_years"]
    assert capped.title == full.title  # counts all 9 estimates, not the 3 loaded
    assert sum(c["low_years"] is not None or c["high_years"] is not None for c in capped.data["claims"]) == 3


def test_seed_summaries_are_whole_body_sentences_in_article_order(seeded, gold):
    from corpus.bundled import seed_paths

    raw = {p.name: p.read_text(encoding="utf-8") for p in seed_paths()}
    spans = {g["title"]: norm(raw[g["seed_file"]][g["body_char_start"]:g["body_char_end"]])
             for g in gold["articles"]}
    for art in seeded.articles():
        body = spans[art.title]
        assert 2 <= len(art.summary) <= 3, art.title
        positions = [body.find(norm(s)) for s in art.summary]
        # each is a sentence of the gold body, never boilerplate
        assert all(p >= 0 for p in positions), art.title
        assert positions == sorted(positions)
        assert all(s.rstrip("”\"’)").endswith((".", "!", "?")) for s in art.summary)  # none cut in half
