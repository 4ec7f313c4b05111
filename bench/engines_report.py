"""The side-by-side section of docs/benchmarks.md: SQLite and Postgres on the same corpora, one column per
corpus size and engine."""
from __future__ import annotations

from bench.markdown import ms, seconds, table

HNSW_NOTE = ("pgvector's HNSW index (m 16, ef_construction 64, inner product) against exact "
             "float32 search over the same vectors (the SQLite corpus the Postgres one was copied "
             "from), queried with the gold questions' real vectors; ms is `HnswIndex.top` with its "
             "round trip on loopback, as the searcher pays it. gapbot asks for its search pool "
             "(k = 100) with ef_search max(k, EF_SEARCH) (`corpus/pg_vectors.py`).")
ENGINE_ROWS = ["/ask", "/who iflytek", "/gap", "/sources", "search hybrid", "search bm25", "search dense"]
PG_NOTE = ("`python -m bench --backend both` (`make bench BACKEND=both`). Both engines answer from the same "
           "corpora: each SQLite database is copied into a new Postgres database with `corpus/pg_copy.py` "
           "(same rows and ids, with the full-text rows and vectors the Postgres writer makes; nothing is "
           "embedded again). Warm latency as above, through `handle()`.")
CLIENTS_NOTE = ("Each client is its own process with its own corpus (as each worker of a deployment is); all "
                "start together and cycle through `/ask` (questions rotating), `/who iflytek` and `/gap` "
                "through `handle()`. Two cores serve all of them, and the database server too.")


def _engines(results: dict) -> list[tuple[str, str, dict]]:
    """(size, engine, figures) for every synthetic size measured on Postgres, each engine in turn."""
    pg = results.get("postgres", {}).get("sizes", {})
    return [(label, engine, figures) for label in pg if label != "seed"
            for engine, figures in (("SQLite", results["sizes"].get(label)), ("Postgres", pg[label]))
            if figures]


def _when(s: dict) -> str:
    return f"{s.get('built', '?')}, load {s.get('load', '?')}" + (" (an earlier run)" if s.get("carried")
                                                                   else "")


def _pair(c: dict, name: str) -> str:
    return f"{c['by_command'][name]['p50']:.1f} / {c['by_command'][name]['p95']:.1f}"


def engines_md(results: dict) -> str:
    """Warm latency, memory and concurrent throughput, one column per corpus size and engine."""
    cols = _engines(results)
    if not cols:
        return "_Postgres not measured (`python -m bench --backend both`)_"
    answers = [s["answer"] for _, _, s in cols]
    rows = [[f"`{c}`"] + [ms(a["commands"].get(c)) for a in answers] for c in ENGINE_ROWS]
    rows += [["peak RSS MB"] + [f"{a['peak_rss_mb']:.0f}" for a in answers],
             ["first `/ask` s"] + [seconds(a["commands"]["/ask"]["first_ms"]) for a in answers],
             ["vector index"] + [a["vector_index"] for a in answers],
             ["measured, load average"] + [_when(s) for _, _, s in cols]]
    return table(["ms, p50 / p95"] + [f"{engine} {label}" for label, engine, _ in cols], rows)


def clients_md(results: dict) -> str:
    """Throughput and latency with concurrent clients, one column per corpus size and engine."""
    runs = [(f"{engine} {label}", s["clients"]) for label, engine, s in _engines(results) if s.get("clients")]
    if not runs:
        return "_not measured_"
    names = list(runs[0][1]["by_command"])
    rows = [["commands / s"] + [f"**{c['per_s']:.1f}** ({c['commands']} in {c['seconds']:.0f} s)"
                                for _, c in runs]]
    rows += [[f"`{name}` p50 / p95 ms"] + [_pair(c, name) for _, c in runs] for name in names]
    rows.append(["load average after"] + [c["load"] for _, c in runs])
    return table([f"{runs[0][1]['clients']} clients"] + [head for head, _ in runs], rows)


def engines_indexing_md(results: dict) -> str:
    """Indexing throughput on each engine, and what copying each corpus into Postgres took."""
    pg = results.get("postgres", {})
    rows = [[engine, i["articles"], i["sentences"], f"{i['index_s']:.1f}", f"{i['articles_per_min']:.0f}",
             f"{i['sentences_per_s']:.1f}", f"{i['ratio']:.2f}"]
            for engine, i in (("SQLite", results.get("indexing")), ("Postgres", pg.get("indexing"))) if i]
    out = [table(["engine", "articles", "sentences", "index s (faster of the rounds)", "articles/min",
                  "sentences/s", "× raw encode"], rows) if rows else "_indexing not measured_"]
    copies = [(label, s["copy"]) for label, s in pg.get("sizes", {}).items() if s.get("copy")]
    if copies:
        out += ["", table(["corpus copied into Postgres", "sentences", "rows s (COPY, full-text rows)",
                           "GIN build s", "HNSW build s", "total s"],
                          [[label, f"{c['sentences']:,}", f"{c['rows_s']:.1f}", f"{c['sentences_lex_s']:.1f}",
                            f"{c['sentence_vectors_hnsw_s']:.1f}", f"{c['total_s']:.1f}"]
                           for label, c in copies])]
    return "\n".join(out)


def hnsw_md(results: dict) -> str:
    """HNSW recall and latency per ef_search against exact search on the same vectors."""
    rows = [[label, r["k"], r["ef_search"], f"{r['ms']:.2f} / {r['p95']:.2f}", f"{r['recall']:.3f}",
             f"{r['tied_recall']:.3f}" if "tied_recall" in r else "—",
             "**gapbot's query**" if r["gapbot"] else ""]
            for label, s in results.get("postgres", {}).get("sizes", {}).items()
            for r in (s.get("hnsw") or {}).get("runs", []) if r.get("asked", r["k"]) >= r["k"]]
    if not rows:
        return "_measured from 100k sentences (`--sizes ...,100k` or `--large`)_"
    return table(["corpus", "k", "ef_search", "ms p50 / p95", "recall@k: exact ids", "recall@k: ties count",
                  ""], rows)


def server_line(results: dict) -> str:
    """What the Postgres figures ran on."""
    pg = results.get("postgres")
    if not pg:
        return ""
    s, m = pg["server"], pg["machine"]
    settings = ", ".join(f"{k} {v}" for k, v in sorted(s["settings"].items()))
    return (f"**Postgres:** {s['server']} with pgvector {s['pgvector']} on loopback ({settings}); commit "
            f"`{m['commit']}`; load average at start {m['load_start']}, at end {m.get('load_end', '?')}.")
