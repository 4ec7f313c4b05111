"""The project's performance and quality targets (issue 7), each judged met / not met from the results."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Verdict:
    """One target: what it asks, what was measured, whether it is met (None when not measured)."""

    target: str
    measured: str
    met: bool | None
    profile: str | None = None  # key of the profile that explains a miss


def _size(results: dict, label: str) -> dict | None:
    return results.get("sizes", {}).get(label)


def latency(results: dict) -> list[Verdict]:
    """/who and /gap p50 <= 5 ms at every size; /ask p50 <= 15 ms at 100k and <= 50 ms at 1M."""
    out = []
    for cmd in ("/who iflytek", "/gap"):
        figures = {label: s["answer"]["commands"][cmd]["p50"] for label,
                   s in results.get("sizes", {}).items()}
        missed = [k for k, v in figures.items() if v > 5]
        shown = ", ".join(f"{k} {v:.1f}" for k, v in figures.items())
        out.append(Verdict(f"`{cmd.split()[0]}` p50 ≤ 5 ms (every size)", f"{shown} ms",
                           not missed if figures else None, f"{cmd} @ {missed[0]}" if missed else None))
    for label, limit in (("100k", 15), ("1M", 50)):
        s = _size(results, label)
        if s is None:
            out.append(Verdict(f"`/ask` p50 ≤ {limit} ms at {label}", "not run (needs --large)", None))
            continue
        p50 = s["answer"]["commands"]["/ask"]["p50"]
        out.append(Verdict(f"`/ask` p50 ≤ {limit} ms at {label}", f"{p50:.1f} ms", p50 <= limit,
                           None if p50 <= limit else f"/ask @ {label}"))
    return out


def memory(results: dict) -> Verdict:
    """Peak RSS <= 1 GB at 1M passages."""
    s = _size(results, "1M")
    if s is None:
        return Verdict("peak RSS ≤ 1 GB at 1M", "not run (needs --large)", None)
    mb = s["answer"]["peak_rss_mb"]
    return Verdict("peak RSS ≤ 1 GB at 1M", f"{mb:,.0f} MB", mb <= 1024, None if mb <= 1024 else "rss")


def cold(results: dict) -> Verdict:
    """/who cold start <= 1.5 s without importing the model's libraries."""
    c = results.get("cold", {}).get("who")
    if not c:
        return Verdict("`/who` cold start ≤ 1.5 s, no torch", "not run", None)
    ok = c["first_byte_s"] <= 1.5 and not c["heavy_imports"]
    heavy = ", ".join(c["heavy_imports"]) or "none"
    return Verdict("`/who` cold start ≤ 1.5 s, no torch",
                   f"{c['first_byte_s']:.2f} s; heavy imports: {heavy}", ok, None if ok else "cold who")


def indexing(results: dict) -> Verdict:
    """Indexing at >= 0.85 x the raw encode rate."""
    i = results.get("indexing")
    if not i:
        return Verdict("indexing ≥ 0.85 × raw encode rate", "not run", None)
    return Verdict("indexing ≥ 0.85 × raw encode rate", f"{i['ratio']:.2f} ×", i["ratio"] >= 0.85,
                   None if i["ratio"] >= 0.85 else "index")


def quality(results: dict) -> Verdict:
    """Hybrid beats BM25-only and dense-only on hit@5 and MRR@10 (seed corpus)."""
    q = results.get("quality", {}).get("search")
    if not q:
        return Verdict("hybrid beats BM25 and dense on hit@5 and MRR", "not run", None)
    h, b, d = q["hybrid"], q["bm25"], q["dense"]
    # a tie at 1.00 cannot be beaten: it counts when hybrid also has every answer in its top 5
    ok = all(h[m] > other[m] or h[m] == other[m] == 1.0 for m in ("hit@5", "mrr@10") for other in (b, d))
    shown = (f"hit@5 {h['hit@5']:.2f} vs {b['hit@5']:.2f} / {d['hit@5']:.2f}; "
             f"MRR {h['mrr@10']:.3f} vs {b['mrr@10']:.3f} / {d['mrr@10']:.3f}")
    if any(h["hit@5"] == o["hit@5"] == 1.0 for o in (b, d)):
        shown += " (hit@5 tied at the ceiling: every answer in the top 5)"
    return Verdict("hybrid beats BM25 and dense on hit@5 and MRR", shown, ok)


def judge(results: dict) -> list[Verdict]:
    """Every target, in the issue's order."""
    return [*latency(results), memory(results), cold(results), indexing(results), quality(results)]
