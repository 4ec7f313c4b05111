"""Answer quality on a gold set (the seed gold, or the dev gold on a database of its articles): search
hit@1/hit@5/MRR@10 per mode, /gap claims, /who coverage, /ask answers and refusals.

Run as a child (`python -m bench.quality DB GOLD [--search-only]`); prints one JSON object. A search hit is a
retrieved sentence that is the gold answering sentence (same text after normalising quotes, dashes, case and
spacing, or 85% similar) in the gold's own seed article. On synthetic corpora
(--search-only) every seed sentence has thousands of perturbed near-copies,
so there a copy in any article counts: the figure then says whether approximate search (IVF,
common-word pruning) still finds answer-bearing sentences, not which copy ranks first.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import unicodedata
from typing import Any

FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                      "\u2013": "-", "\u2014": "-", "\u2212": "-"})


def norm(text: str | None) -> str:
    """Text for comparison: NFKC, straight quotes and dashes, one space, lower case."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "").translate(FOLD)).strip().lower()


def same(a: str, b: str) -> bool:
    """Whether two sentences are the same sentence (one inside the other, or 85% similar)."""
    a, b = norm(a), norm(b)
    if not a or not b:
        return False
    return a in b or (len(b) > 20 and b in a) or difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def seed_articles(corpus) -> dict[str, set[str]]:
    """seed file name -> ids of the articles indexed from it."""
    out: dict[str, set[str]] = {}
    for aid, source in corpus.store.db.execute("SELECT id, source FROM articles"):
        out.setdefault(os.path.basename(source or ""), set()).add(aid)
    return out


def _file(answer: dict) -> str:
    """The article file a gold answer is in (the seed gold says "seed_file", the dev gold "file")."""
    return answer.get("seed_file") or answer.get("file") or ""


def search_quality(corpus, gold: dict, modes=("hybrid", "bm25", "dense"), *,
                   any_article: bool = False) -> dict:
    """hit@1, hit@5 and MRR@10 of each search mode over the answerable questions (any_article: a copy of the
    gold sentence in a synthetic article counts too)."""
    files = seed_articles(corpus)
    qs = [q for q in gold["questions"] if q["type"] == "answerable"]
    out = {}
    for mode in modes:
        h1 = h5 = rr = 0.0
        for q in qs:
            hits = corpus.search(q["question"], limit=10, mode=mode)
            rank = next((i + 1 for i, h in enumerate(hits) if any(
                same(a["sentence"], h.text) and (any_article or h.article_id in files.get(_file(a), ()))
                for a in q["answers"])),
                None)
            h1 += rank == 1
            h5 += rank is not None and rank <= 5
            rr += 1 / rank if rank else 0.0
        out[mode] = {"hit@1": h1 / len(qs), "hit@5": h5 / len(qs), "mrr@10": rr / len(qs), "n": len(qs)}
    return out


def range_ok(lo, hi, gold: list) -> bool:
    """Whether (lo, hi) years match the gold range within 10% (or 0.05 years)."""
    def close(a, b):
        if a is None or b is None:
            return a is None and b is None
        return abs(a - b) <= max(0.05, 0.1 * abs(b))

    return close(lo, gold[0]) and close(hi, gold[1])


def speaker_ok(got: str | None, want: str | None) -> bool:
    """Whether the speaker names the gold speaker (two of its name words);
    unnamed gold speakers always match."""
    if not want or "(unnamed)" in want or "unattributed" in want:
        return True
    words = set(re.findall(r"[a-z]+", want.split("(")[0].lower()))
    return len(words & set(re.findall(r"[a-z]+", (got or "").lower()))) >= min(2, len(words))


def gap_quality(reply, gold: dict) -> dict:
    """Recall and precision of the sized /gap claims: sentence found, and range and speaker right."""
    claims = reply.data.get("claims") or []
    sized = [c for c in claims if c["low_years"] is not None or c["high_years"] is not None]
    golds = [g for g in gold["gap_claims"] if g.get("has_time_estimate")]

    def exact(c, g):
        return same(c["quote"], g["sentence"]) and range_ok(c["low_years"],
                                                            c["high_years"], g["range_years"]) \
            and speaker_ok(c["speaker"], g.get("speaker"))

    found = sum(any(same(c["quote"], g["sentence"]) for c in claims) for g in golds)
    right = sum(any(exact(c, g) for c in claims) for g in golds)
    true_pos = sum(any(same(c["quote"], g["sentence"]) for g in golds) for c in sized)
    exact_pos = sum(any(exact(c, g) for g in golds) for c in sized)
    n = max(len(sized), 1)
    return {"gold": len(golds), "reported_sized": len(sized), "recall_found": found / len(golds),
            "recall_exact": right / len(golds), "precision_found": true_pos / n,
            "precision_exact": exact_pos / n}


def answer_quality(corpus, gold: dict) -> dict:
    """/gap claims, /who must-mention coverage, /ask hits and refusals, all through handle()."""
    from bot.core import handle
    from bot.reply import Request

    def ask(text):
        return handle(Request(text), corpus)

    out: dict[str, Any] = {"gap": gap_quality(ask("/gap"), gold)}
    total = hit = 0
    for e in gold["entities"]:
        text = norm(ask("/who " + (e.get("aliases_in_text") or [e["name"]])[0]).text)
        total += len(e.get("must_mention", []))
        hit += sum(norm(m) in text for m in e.get("must_mention", []))
    out["who_must_mention"] = hit / max(total, 1)
    answerable = [q for q in gold["questions"] if q["type"] == "answerable"]
    refused = [ask("/ask " + q["question"]).answered is False
               for q in gold["questions"] if q["type"] != "answerable"]
    top1 = top5 = answered = 0
    for q in answerable:
        r = ask("/ask " + q["question"])
        texts = [p["text"] for p in (r.data.get("passages") or [])][:5]
        top1 += any(same(a["sentence"], t) for a in q["answers"] for t in texts[:1])
        top5 += any(same(a["sentence"], t) for a in q["answers"] for t in texts)
        answered += r.answered is True
    out["ask_top1"] = top1 / len(answerable)
    out["ask_top5"] = top5 / len(answerable)
    out["ask_answered"] = answered / len(answerable)
    out["unanswerable_refused"] = sum(refused) / max(len(refused), 1)
    out["unanswerable_n"] = len(refused)
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point of the child process."""
    p = argparse.ArgumentParser()
    p.add_argument("db")
    p.add_argument("gold")
    p.add_argument("--search-only", action="store_true")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from corpus.api import Corpus

    with open(args.gold, encoding="utf-8") as f:
        gold = json.load(f)
    corpus = Corpus.open(args.db, seed=False)
    out = {"search": search_quality(corpus, gold, any_article=args.search_only)}
    if not args.search_only:
        out["answers"] = answer_quality(corpus, gold)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
