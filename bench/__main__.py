"""`python -m bench [--large] [--backend sqlite|postgres|both]`: measure gapbot, print a markdown table, write
docs/benchmarks.md.

Each measurement runs in its own child process
(so memory and imports are that process's own); this process only builds synthetic corpora,
collects JSON and writes the report.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import cold, postgres, report, synth
from bench.targets import judge

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GOLD = ROOT.parent / "shared" / "eval" / "seed_gold.json"
SCORE = ROOT.parent / "shared" / "tools" / "score.py"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
ORDER = ["seed", *SIZES]
CARRIED = ("indexing", "quality", "cold", "score", "profiles")  # kept from the last run when not measured now
MODEL = "all-MiniLM-L6-v2"
ASK = "How far behind the US is China in generative AI according to Jenny Xiao of Leonis Capital?"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def child(module: str, *args: str, timeout: float = 3600) -> dict:
    """Run `python -m bench.MODULE args` and parse the JSON it prints last."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    p = subprocess.run([sys.executable, "-m", f"bench.{module}", *args], capture_output=True, text=True,
                       timeout=timeout, cwd=ROOT, env=env, check=False)
    if p.returncode != 0:
        raise RuntimeError(f"bench.{module} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def machine() -> dict:
    """What the figures ran on."""
    import numpy

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, cwd=ROOT, check=False).stdout.splitlines()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": f"{mem / 2**20:.0f} GiB",
            "python": platform.python_version(), "torch": _version("torch"), "numpy": numpy.__version__,
            "faiss": _version("faiss-cpu"),
            "commit": commit.stdout.strip() + (f" + {len(dirty)} uncommitted files" if dirty else ""),
            "load_start": _load()}


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def synthetic(seed_db: Path, n: int) -> tuple[Path, dict]:
    """The cached synthetic database of about n sentences (built when missing or stale)."""
    key = f"v{synth.VERSION}-{synth.fingerprint(seed_db)}"
    path = OUT / f"synth-{n}-{key}.db"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        _prepare_vectors(path)  # the cache file may predate this generation
        return path, json.loads(meta.read_text())
    for old in OUT.glob(f"synth-{n}-*"):
        old.unlink()
    log(f"building the {n:,}-sentence corpus")
    counts = synth.build(seed_db, path, n, model=MODEL, log=log)
    _prepare_vectors(path)
    meta.write_text(json.dumps(counts))
    return path, counts


def _prepare_vectors(db: Path) -> None:
    """What indexing does after a batch (corpus.ingest.prepare_vectors): past 200k sentences, build the cached
    IVF index, so the answering process measured next only reads it."""
    from corpus.api import Corpus
    from corpus.ingest import prepare_vectors

    corpus = Corpus.open(db, seed=False)
    prepare_vectors(corpus.searcher)
    corpus.store.close()


def measure_size(label: str, db: Path, counts: dict, args) -> dict:
    """Latency, memory, and (past the seed) search quality with distractors and vector methods."""
    log(f"{label}: answering process ({args.calls} calls a command)")
    res = {"counts": counts, "built": time.strftime("%Y-%m-%d %H:%M"), "load": _load(),
           "answer": child("answer", str(db), str(OUT / "questions.json"), "--calls", str(args.calls),
                           "--budget", str(args.budget))}
    if label != "seed" and GOLD.exists():
        log(f"{label}: search quality with distractors")
        res["quality"] = child("quality", str(db), str(GOLD), "--search-only")["search"]
    if counts["sentences"] >= 100_000:
        log(f"{label}: exact vs IVF vector search")
        res["vectors"] = child("vectors", str(db), str(OUT / "questions.json"))
    return res


def carry(results: dict, previous: dict) -> None:
    """Keep what this run did not measure (sizes, engines, indexing, quality, cold starts) from the last run,
    so a run of some sizes or one engine does not drop the others' figures from the doc."""
    for key in CARRIED:
        if key not in results and key in previous:
            results[key] = previous[key]
    _carry_sizes(results, previous)
    if "postgres" in previous:
        pg = results.setdefault("postgres", {k: v for k, v in previous["postgres"].items() if k != "sizes"})
        pg.setdefault("indexing", previous["postgres"].get("indexing"))
        _carry_sizes(pg, previous["postgres"])


def _carry_sizes(results: dict, previous: dict) -> None:
    sizes = results.setdefault("sizes", {})
    for label, figures in previous.get("sizes", {}).items():
        sizes.setdefault(label, {**figures, "carried": True})
    results["sizes"] = {k: sizes[k] for k in sorted(sizes, key=ORDER.index)}


def score(seed_db: Path, modes: list[str]) -> dict:
    """The last line of ../shared/tools/score.py in each mode, on a copy of the seed database."""
    out = {}
    for mode in modes:
        copy = OUT / f"score-{mode}.db"
        shutil.copy(seed_db, copy)
        p = subprocess.run([sys.executable, str(SCORE), mode,
                            str(Path(sys.executable).with_name("gapbot")), str(copy), str(GOLD)],
                            capture_output=True, text=True, cwd=ROOT, timeout=1800,
                           env={**os.environ, "HF_HUB_OFFLINE": "1"}, check=False)
        lines = p.stdout.strip().splitlines()
        out[mode] = lines[-1] if lines else f"no output (rc {p.returncode})"
    return out


def profiles(results: dict, dbs: dict[str, Path]) -> dict:
    """cProfile the commands of targets not met, at the smallest size where each was missed."""
    out = {}
    for v in judge(results):
        if v.met is not False or not v.profile or v.profile in out:
            continue
        if v.profile == "index":
            from corpus.bundled import seed_paths

            out[v.profile] = child("profile", str(OUT / "profile-index.db"), *map(str,
                                                                                  seed_paths()), "--index")
        elif "@" in v.profile:
            cmd, label = v.profile.split(" @ ")
            if label not in dbs:
                continue  # carried over from an earlier --large run
            text = "/ask " + ASK if cmd == "/ask" else cmd
            p50 = results["sizes"][label]["answer"]["commands"][cmd]["p50"]
            if p50 > 60_000:
                continue  # one call would take minutes under cProfile; the smaller sizes show the same code
            log(f"profiling {text[:30]} at {label}")
            out[v.profile] = child("profile", str(dbs[label]), text, "--calls", "1" if p50 > 2000 else "5")
    return out


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("--large", action="store_true", help="also the 100k and 1M corpora")
    p.add_argument("--sizes", help="the corpora to measure, e.g. seed,10k,100k (default seed,10k; "
                   "with --large all four); the others' figures are kept from the last run")
    p.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite",
                   help="the storage engine(s) to measure; Postgres is GAPBOT_BENCH_PG or "
                   "GAPBOT_DATABASE_URL (a server the bench may create databases on), else one started from "
                   "the test wheel")
    p.add_argument("--calls", type=int, default=200, help="warm calls per command")
    p.add_argument("--budget", type=float, default=30.0, help="seconds per command before stopping early")
    p.add_argument("--extra", type=int, default=24, help="recombined articles in the indexing run")
    p.add_argument("--clients", type=int, default=4, help="concurrent client processes (with --backend both "
                   "or postgres; 0: none)")
    p.add_argument("--clients-seconds", type=float, default=30.0, help="how long the clients run, per size")
    p.add_argument("--skip-indexing", action="store_true",
                   help="reuse bench/out/seed.db and keep the last run's indexing figures")
    p.add_argument("--no-score", action="store_true", help="skip ../shared/tools/score.py")
    p.add_argument("--no-profiles", action="store_true", help="skip profiling the targets not met")
    p.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    p.add_argument("--report-only", action="store_true", help="rewrite the doc from bench/out/results.json")
    args = p.parse_args(argv)
    args.sizes = args.sizes.split(",") if args.sizes else (ORDER if args.large else ["seed", "10k"])
    return args


def measure_sqlite(results: dict, dbs: dict[str, Path], args: argparse.Namespace) -> None:
    """The SQLite engine: each size; with the seed, answer quality, cold starts, score.py; and profiles."""
    seed_db = OUT / "seed.db"
    if GOLD.exists() and "seed" in dbs:
        log("answer quality on the seed gold")
        results["quality"] = child("quality", str(seed_db), str(GOLD))
    for label, db in dbs.items():
        counts = synth._counts(db) if label == "seed" else json.loads(db.with_suffix(".json").read_text())
        results["sizes"][label] = measure_size(label, db, counts, args)
        if label != "seed" and args.backend == "both" and args.clients:
            results["sizes"][label]["clients"] = clients(str(db), label, args)
    if "seed" not in dbs:
        return  # the seed's figures stay those of the last run
    log("cold starts")
    results["cold"] = {"who": cold.measure(str(seed_db), "/who iflytek", runs=5),
                       "ask": cold.measure(str(seed_db), "/ask " + ASK, runs=3)}
    if SCORE.exists() and not args.no_score:
        log("score.py answers and search")
        results["score"] = score(seed_db, ["answers", "search"])
    if not args.no_profiles:
        results["profiles"] = profiles(results, dbs)


def clients(location: str, label: str, args: argparse.Namespace) -> dict:
    """Throughput of `args.clients` client processes at once (bench/clients.py)."""
    log(f"{label}: {args.clients} concurrent clients for {args.clients_seconds:.0f} s")
    return child("clients", location, str(OUT / "questions.json"), "--clients", str(args.clients),
                 "--seconds", str(args.clients_seconds))


def measure_postgres(results: dict, dbs: dict[str, Path], args: argparse.Namespace) -> None:
    """The Postgres engine on the same corpora: indexing, then each size copied in and measured."""
    with postgres.server(log) as server:
        pg = results["postgres"] = {"server": postgres.describe(server), "machine": machine(), "sizes": {}}
        if not args.skip_indexing:
            log("Postgres: indexing throughput")
            pg["indexing"] = child("indexing", "index_seed", "index_extra", str(OUT / "articles"),
                                   "--extra", str(args.extra), "--server", server,
                                   "--articles-from", str(OUT / "seed.db"))
            postgres.drop_all(server, ["index_seed", "index_extra"])
        for label, db in dbs.items():
            log(f"Postgres {label}: copying the corpus in")
            url, copied = postgres.load(server, label, db, log)
            counts = synth._counts(db)
            res = pg["sizes"][label] = {"counts": counts, "copy": copied, "load": _load(),
                                        "built": time.strftime("%Y-%m-%d %H:%M")}
            log(f"Postgres {label}: answering process ({args.calls} calls a command)")
            res["answer"] = child("answer", url, str(OUT / "questions.json"), "--calls", str(args.calls),
                                  "--budget", str(args.budget))
            if label != "seed" and args.clients:
                res["clients"] = clients(url, label, args)
            if counts["sentences"] >= 100_000:
                log(f"Postgres {label}: HNSW recall and latency per ef_search")
                res["hnsw"] = child("hnsw", str(db), url, str(OUT / "questions.json"))
            postgres.drop_all(server, [label])
        pg["machine"]["load_end"] = _load()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write the report."""
    args = parse(argv)
    if args.report_only:
        return write(json.loads((OUT / "results.json").read_text()), args.doc)
    OUT.mkdir(parents=True, exist_ok=True)
    previous = json.loads((OUT / "results.json").read_text()) if (OUT / "results.json").exists() else {}
    started = time.time()
    results: dict = {"machine": machine(), "sizes": {}}
    gold = json.loads(GOLD.read_text()) if GOLD.exists() else {"questions": [{"question": ASK}]}
    (OUT / "questions.json").write_text(json.dumps([q["question"] for q in gold["questions"]]))
    seed_db = OUT / "seed.db"
    if not (args.skip_indexing and seed_db.exists()):
        log("indexing throughput (builds the seed database)")
        results["indexing"] = child("indexing", str(seed_db), str(OUT / "extra.db"), str(OUT / "articles"),
                                    "--extra", str(args.extra))
    dbs = {label: seed_db if label == "seed" else synthetic(seed_db, SIZES[label])[0] for label in args.sizes}
    if args.backend in ("sqlite", "both"):
        measure_sqlite(results, dbs, args)
    if args.backend in ("postgres", "both"):
        measure_postgres(results, dbs, args)
    # a size profiled again replaces its old profiles; without --no-profiles a target now met loses its own
    kept = {k: v for k, v in previous.get("profiles", {}).items()
            if args.no_profiles or k.split(" @ ")[-1] not in dbs}
    results["profiles"] = {**kept, **results.get("profiles", {})}
    carry(results, previous)
    results["machine"]["load_end"] = _load()
    results["elapsed_s"] = round(time.time() - started)
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    write(results, args.doc)
    log(f"done in {results['elapsed_s']} s; wrote {args.doc}")
    return 0


def write(results: dict, doc: Path) -> int:
    """Write the doc and print the summary."""
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(report.render(results, ROOT / "bench" / "findings.md"), encoding="utf-8")
    print(report.summary(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
