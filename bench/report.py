"""Markdown for docs/benchmarks.md from the results dict that bench.__main__ collects."""
from __future__ import annotations

from pathlib import Path

from bench.engines_report import (
    CLIENTS_NOTE,
    HNSW_NOTE,
    PG_NOTE,
    clients_md,
    engines_indexing_md,
    engines_md,
    hnsw_md,
    server_line,
)
from bench.markdown import ms, seconds, table
from bench.targets import judge

COMMANDS = ["/gap", "/who iflytek", "/ask", "/sources", "search hybrid", "search bm25", "search dense"]
BASELINES = [("BM25 (bm25s)", 0.40, 0.92, 0.630), ("dense all-MiniLM-L6-v2 cosine", 0.72, 0.76, 0.758),
             ("hybrid, reciprocal rank fusion k=60", 0.64, 0.96, 0.781),
             ("txtai hybrid (BM25 + dense, 0.5/0.5)", 0.68, 0.96, 0.810)]


def status(met: bool | None) -> str:
    return {True: "**met**", False: "**NOT met**", None: "not run"}[met]


def targets_md(results: dict) -> str:
    """The targets, each met or not."""
    return table(["target", "measured", "status"], [[v.target, v.measured,
                                                     status(v.met)] for v in judge(results)])


def latency_md(results: dict) -> str:
    """Warm p50 / p95 ms per command and size."""
    rows = []
    for label, s in results["sizes"].items():
        c = s["answer"]["commands"]
        rows.append([label, f"{s['counts']['sentences']:,}"] + [ms(c.get(k)) for k in COMMANDS])
    return table(["corpus", "sentences"] + [f"`{k}`" for k in COMMANDS], rows)


def memory_md(results: dict) -> str:
    """Corpus shape, peak RSS and the vector index per size."""
    rows = []
    for label, s in results["sizes"].items():
        a, k = s["answer"], s["counts"]
        after = a["rss_after_mb"]
        rows.append([label, f"{k['articles']:,}", f"{k['claims']:,}", f"{k['entity_sentences']:,}",
                     f"{after['/who iflytek']:.0f}", f"{after['/ask']:.0f}", f"**{a['peak_rss_mb']:.0f}**",
                     seconds(a["commands"]["/ask"]["first_ms"]), a["vector_index"],
                     f"{s.get('built', '')}, load {s.get('load', '?')}"
                     + (" (an earlier run)" if s.get("carried") else "")])
    return table(["corpus", "articles", "claims", "entity links",
                  "RSS after /gap+/who MB", "RSS after /ask MB", "peak RSS MB",
                  "first /ask s (model + index load)", "vector index", "measured, load average"], rows)


def quality_md(results: dict) -> str:
    """Search quality per mode against the published baselines, and answer quality."""
    q = results.get("quality")
    if not q:
        return "_not run_"
    rows = [[f"gapbot {m}", f"{v['hit@1']:.2f}", f"{v['hit@5']:.2f}", f"{v['mrr@10']:.3f}"]
            for m, v in q["search"].items()]
    rows += [[f"baseline: {n}", f"{a:.2f}", f"{b:.2f}", f"{c:.3f}"] for n, a, b, c in BASELINES]
    out = [table(["system (seed corpus, 25 answerable questions)", "hit@1", "hit@5", "MRR@10"], rows)]
    scaled = [(label, s["quality"]) for label, s in results["sizes"].items() if s.get("quality")]
    if scaled:
        out.append("\nOn the synthetic corpora (each seed sentence has thousands of perturbed near-copies "
                   "there, so a copy of the gold sentence in any article counts: this checks that "
                   "approximate search still finds answer-bearing sentences):\n")
        out.append(table(["corpus"] + [f"{m} hit@5 / MRR" for m in ("hybrid", "bm25", "dense")],
                         [[label] + [f"{v[m]['hit@5']:.2f} / {v[m]['mrr@10']:.3f}" for m in ("hybrid", "bm25",
                                                                                             "dense")]
                          for label, v in scaled]))
    a = q.get("answers")
    if a:
        g = a["gap"]
        out.append("\n" + table(["answer check (seed corpus)", "value"], [
            ["`/gap` claim recall — sentence found",
             f"{g['recall_found']:.2f} of {g['gold']} sized gold claims"],
            ["`/gap` claim recall — range and speaker right", f"{g['recall_exact']:.2f}"],
            ["`/gap` precision — sized claims that are gold sentences",
             f"{g['precision_found']:.2f} of {g['reported_sized']}"],
            ["`/gap` precision — and range and speaker right", f"{g['precision_exact']:.2f}"],
            ["`/who` must-mention coverage (60 entities)", f"{a['who_must_mention']:.2f}"],
            ["`/ask` gold sentence quoted first (goal 22 of 25 = 0.88)",
             f"{a.get('ask_top1', float('nan')):.2f}"],
            ["`/ask` gold sentence in the top 5 passages", f"{a['ask_top5']:.2f}"],
            ["unanswerable questions refused", f"{a['unanswerable_refused']:.2f} of {a['unanswerable_n']}"]]))
    return "\n".join(out)


def cold_md(results: dict) -> str:
    """Cold start of one `gapbot ask` process."""
    rows = [[f"`gapbot ask \"{c['command'][:40]}\"`", f"{c['first_byte_s']:.2f}", f"{c['min_s']:.2f}",
             f"{c['exit_s']:.2f}", c["runs"], ", ".join(c["heavy_imports"]) or "none"]
            for c in results.get("cold", {}).values()]
    return table(["command (seed db)", "to first byte s (median)", "min s", "to exit s", "runs",
                  "heavy modules imported"], rows)


def indexing_md(results: dict) -> str:
    """Indexing throughput and its ratio to the raw encode rate."""
    i = results.get("indexing")
    if not i:
        return "_not run_"
    runs = " / ".join(f"{x:.1f}" for x in i.get("index_runs", [])) + " vs " + " / ".join(
        f"{x:.1f}" for x in i.get("encode_runs", []))
    return table(["articles", "sentences", "index s (rounds: index vs raw)", "articles/min", "sentences/s",
                  "raw encode sentences/s", "ratio"],
                 [[i["articles"], i["sentences"], f"{i['index_s']:.1f} ({runs})",
                   f"{i['articles_per_min']:.0f}",
                              f"{i['sentences_per_s']:.1f}", f"{i['raw_sentences_per_s']:.1f}",
                              f"**{i['ratio']:.2f}**"]])


def vectors_md(results: dict) -> str:
    """Exact against IVF-SQ8 on the same vectors."""
    rows = []
    for label, s in results["sizes"].items():
        v = s.get("vectors")
        if v:
            e, f = v["exact"], v["ivf"]
            rows.append([label, f"{e['ms@10']:.2f}", f"{e['mb']:.0f}", f"{f['ms@10']:.2f}", f"{f['mb']:.0f}",
                         f"{f['recall@10']:.2f}", f"{f['recall@100']:.2f}",
                         f"{f['build_s']:.1f}", f["describe"]])
    if not rows:
        return "_only measured at 100k and 1M (`--large`)_"
    return table(["corpus", "exact ms", "exact MB", "IVF ms", "IVF MB", "recall@10",
                  "recall@100", "IVF build s", "index"], rows)


def profiles_md(results: dict) -> str:
    """The top functions of each profile taken for a target not met."""
    out = []
    for key, p in results.get("profiles", {}).items():
        rows = [[f"`{r['func']}`", f"{r['cum_ms']:.1f}", f"{r['own_ms']:.1f}", r["ncalls"]]
                for r in p["project_by_cumulative"][:6]]
        rows += [[f"`{r['func']}` (own time)", f"{r['cum_ms']:.1f}", f"{r['own_ms']:.1f}", r["ncalls"]]
                 for r in p["by_own_time"][:4]]
        out.append(f"**{key}** (cProfile, per call, {p['calls']} call(s)):\n\n"
                   + table(["function", "cumulative ms", "own ms", "calls"], rows))
    return "\n\n".join(out) or "_every measured target met_"


def score_md(results: dict) -> str:
    lines = results.get("score", {})
    return "\n".join(f"- `score.py {mode}`: `{line}`" for mode, line in lines.items()) or "_not run_"


INTRO = ("Made by `make bench` (`python -m bench`: seed and 10k corpora, under 10 minutes) and `make "
         "bench-large` (`python -m bench --large`: adds 100k and 1M); `BACKEND=both` (`--backend both`) "
         "measures Postgres beside SQLite, `BACKEND=postgres` Postgres alone, and `--sizes seed,10k,100k` "
         "picks the corpora. What a run does not measure is kept from the run before it and marked so. Every "
         "figure below is from a real run; raw results are in `bench/out/results.json` (not committed). "
         "Synthetic corpora are seed sentences recombined and perturbed, with their real vectors plus noise, "
         "written straight into a copy of the seed database (encoding 1M sentences with the model would take "
         "hours here); each synthetic sentence keeps the claim and entity links of the seed sentence it came "
         "from when the claim phrase or name survives, so claims and links grow with the corpus at the "
         "seed's density.")
LATENCY_NOTE = ("200 calls each unless fewer are shown (a command over its time budget stops after at least "
                "3). `/ask` rotates through the 30 gold questions, so every call embeds its question.")
INDEX_NOTE = ("Seed files plus recombined articles through `Corpus.index()` with the model and spaCy already "
              "loaded, against the same model encoding the same sentences in one call; two rounds of each, "
              "alternating, and the faster of each is kept.")


def render(results: dict, findings: Path) -> str:
    """The whole of docs/benchmarks.md."""
    m = results["machine"]
    machine = (f"**Machine:** {m['cpu']}, {m['cores']} cores, {m['memory']} RAM, no GPU; Python "
               f"{m['python']}, torch {m['torch']}, numpy {m['numpy']}, faiss {m['faiss']}; commit "
               f"`{m['commit']}`. Load average at start {m['load_start']}, at end {m['load_end']}: the "
               f"machine is shared with other sessions, so latencies carry noise from their work. Run took "
               f"{results.get('elapsed_s', 0)} s.")
    parts = [
        "# Benchmarks", "", INTRO, "", machine, "",
        "## Targets", "", targets_md(results), "",
        "## Warm latency per command (ms, p50 / p95, through `handle()`)", "", LATENCY_NOTE, "",
        latency_md(results), "",
        "## Memory and corpus shape", "", memory_md(results), "",
        "## Cold start", "", cold_md(results), "",
        "## Indexing throughput", "", INDEX_NOTE, "", indexing_md(results), "",
        "## Answer quality", "", quality_md(results), "",
        "Scored through the CLI by `../shared/tools/score.py` on the seed database:",
        "", score_md(results), "", "## Vector search methods", "", vectors_md(results), "",
        "## Profiles of targets not met", "", profiles_md(results), "",
        "## SQLite and Postgres side by side", "", PG_NOTE, "", server_line(results), "",
        "### Warm latency (ms, p50 / p95)", "", engines_md(results), "",
        "### Concurrent clients", "", CLIENTS_NOTE, "", clients_md(results), "",
        "### Indexing, and loading a corpus into Postgres", "", engines_indexing_md(results), "",
        "### HNSW: recall and latency per ef_search", "", HNSW_NOTE, "", hnsw_md(results), "",
    ]
    if findings.exists():
        parts += [findings.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(parts)


def summary(results: dict) -> str:
    """What the command prints: the targets and the latency table."""
    return "\n\n".join([targets_md(results), latency_md(results), memory_md(results)])


