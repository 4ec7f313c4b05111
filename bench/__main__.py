"""`python -m bench [--large]`: measure gapbot, print a markdown table, write docs/benchmarks.md.

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

from bench import cold, report, synth
from bench.targets import judge

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GOLD = ROOT.parent / "shared" / "eval" / "seed_gold.json"
SCORE = ROOT.parent / "shared" / "tools" / "score.py"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
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


def carry_large(results: dict) -> None:
    """Keep the 100k and 1M figures of the last --large run,
    so `make bench` does not drop them from the doc."""
    path = OUT / "results.json"
    if not path.exists():
        return
    previous = json.loads(path.read_text())
    for label in ("100k", "1M"):
        if label in previous.get("sizes", {}):
            results["sizes"][label] = {**previous["sizes"][label], "carried": True}
    results["carried_profiles"] = {k: v for k, v in previous.get("profiles", {}).items()
                                   if k.endswith(("@ 100k", "@ 1M"))}


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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write the report."""
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("--large", action="store_true", help="also the 100k and 1M corpora")
    p.add_argument("--calls", type=int, default=200, help="warm calls per command")
    p.add_argument("--budget", type=float, default=30.0, help="seconds per command before stopping early")
    p.add_argument("--extra", type=int, default=24, help="recombined articles in the indexing run")
    p.add_argument("--no-score", action="store_true", help="skip ../shared/tools/score.py")
    p.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    p.add_argument("--report-only", action="store_true", help="rewrite the doc from bench/out/results.json")
    args = p.parse_args(argv)
    if args.report_only:
        results = json.loads((OUT / "results.json").read_text())
        args.doc.write_text(report.render(results, ROOT / "bench" / "findings.md"), encoding="utf-8")
        print(report.summary(results))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.time()
    results = {"machine": machine(), "sizes": {}}
    gold = json.loads(GOLD.read_text()) if GOLD.exists() else {"questions": [{"question": ASK}]}
    (OUT / "questions.json").write_text(json.dumps([q["question"] for q in gold["questions"]]))
    seed_db = OUT / "seed.db"
    log("indexing throughput (builds the seed database)")
    results["indexing"] = child("indexing", str(seed_db), str(OUT / "extra.db"), str(OUT / "articles"),
                                "--extra", str(args.extra))
    if GOLD.exists():
        log("answer quality on the seed gold")
        results["quality"] = child("quality", str(seed_db), str(GOLD))
    dbs = {"seed": seed_db}
    counts = synth._counts(seed_db)
    results["sizes"]["seed"] = measure_size("seed", seed_db, counts, args)
    for label, n in SIZES.items():
        if n > 10_000 and not args.large:
            continue
        dbs[label], counts = synthetic(seed_db, n)
        results["sizes"][label] = measure_size(label, dbs[label], counts, args)
    if not args.large:
        carry_large(results)
    log("cold starts")
    results["cold"] = {"who": cold.measure(str(seed_db), "/who iflytek", runs=5),
                       "ask": cold.measure(str(seed_db), "/ask " + ASK, runs=3)}
    if SCORE.exists() and not args.no_score:
        log("score.py answers and search")
        results["score"] = score(seed_db, ["answers", "search"])
    results["profiles"] = {**results.pop("carried_profiles", {}), **profiles(results, dbs)}
    results["machine"]["load_end"] = _load()
    results["elapsed_s"] = round(time.time() - started)
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    args.doc.parent.mkdir(parents=True, exist_ok=True)
    args.doc.write_text(report.render(results, ROOT / "bench" / "findings.md"), encoding="utf-8")
    print(report.summary(results))
    log(f"done in {results['elapsed_s']} s; wrote {args.doc.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
