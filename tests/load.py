"""Indexing while another process answers: a `gapbot chat --json` process fed 50 commands a second.

The feeder asks `/sources 1000`, then four times about a random article it has seen listed; each answer is
checked: no error, the article count never goes back, and an article once listed is found by /ask.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["wafer", "yield", "grid", "cooling", "visa", "salary", "benchmark", "weights", "export", "licence",
         "subsidy", "fab", "robot", "sensor", "cloud", "rental", "cluster", "memory",
         "bandwidth", "packaging"]


def token(i: int) -> str:
    """The word only article i contains."""
    return f"Zorblax{i:04d}"


def article(i: int, seed: int = 0) -> str:
    """A short HTML article about token(i), different enough from every other to be no near-duplicate."""
    rnd = random.Random(seed * 100_003 + i)
    lead = (f"The {token(i)} report says Chinese chip makers trail American rivals by {i % 5 + 1} years, "
            f"according to analysts who studied the sector.")
    paras = [lead]
    paras += [" ".join(rnd.choice(WORDS) for _ in range(18)).capitalize() + f" in {token(i)} part {n}. "
              + " ".join(rnd.choice(WORDS) for _ in range(14)).capitalize() + "." for n in range(4)]
    body = "".join(f"<p>{p}</p>" for p in paras)
    return f"<html><head><title>Report {token(i)}</title></head><body><article>{body}</article></body></html>"


def question(i: int) -> str:
    """An /ask that only article i answers."""
    return f"/ask What does {token(i)} say?"


@dataclass
class Tally:
    """What the answering process did: counts, errors found, and what was visible when."""

    sent: int = 0
    answers: int = 0
    asks: int = 0
    wrong: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    listed: dict[str, str] = field(default_factory=dict)  # article id -> title, as /sources showed them
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0  # how long commands were fed

    @property
    def rate(self) -> float:
        """Commands answered a second."""
        return self.answers / self.seconds if self.seconds else 0.0


class Answerer:
    """A `gapbot chat --json` subprocess over db, fed `rate` commands a second until stop()."""

    def __init__(self, db: Path, *, rate: float = 50.0):
        env = {**os.environ, "GAPBOT_EMBEDDER": "hash", "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "--db", str(db),
                                      "--no-seed", "chat", "--json"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, encoding="utf-8", env=env, cwd=ROOT, bufsize=1)
        self.rate, self.tally, self.rnd = rate, Tally(), random.Random(1)
        self._stop = threading.Event()
        self._pending: list[tuple[str, str | None, float]] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._feed, daemon=True),
                         threading.Thread(target=self._read, daemon=True)]

    def start(self) -> Answerer:
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> Tally:
        """Stop feeding, let the process answer what it was sent, and return the tally."""
        self._stop.set()
        self._threads[0].join()
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self._threads[1].join(30)
        stderr = self.proc.stderr.read() if self.proc.stderr else ""
        self.proc.wait(10)
        self.tally.errors += [line for line in stderr.splitlines() if line.strip()]
        return self.tally

    def _next_command(self) -> tuple[str, str | None]:
        """The next command, and the id of the article that must answer it (None for /sources)."""
        listed = list(self.tally.listed.items())
        if self.tally.sent % 5 == 0 or not listed:
            return "/sources 1000", None
        article_id, title = self.rnd.choice(listed)
        return question(int(title.removeprefix("Report Zorblax"))), article_id

    def _feed(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        start = time.monotonic()
        while not self._stop.is_set():
            command, expected = self._next_command()
            with self._lock:
                self._pending.append((command, expected, time.monotonic()))
            stdin.write(command + "\n")
            stdin.flush()
            self.tally.sent += 1
            time.sleep(max(0.0, start + self.tally.sent / self.rate - time.monotonic()))
        self.tally.seconds = time.monotonic() - start

    def _read(self) -> None:
        stdout: IO[str] | None = self.proc.stdout
        assert stdout is not None
        for line in stdout:
            with self._lock:
                command, expected, sent_at = self._pending.pop(0)
            self.tally.latencies.append(time.monotonic() - sent_at)
            self.tally.answers += 1
            self._check(command, expected, json.loads(line))

    def _check(self, command: str, expected: str | None, reply: dict) -> None:
        if "went wrong" in reply["title"] or "locked" in reply["text"]:
            self.tally.errors.append(f"{command}: {reply['title']}")
        elif command.startswith("/sources"):
            arts = reply["data"]["articles"]
            if self.tally.counts and len(arts) < self.tally.counts[-1]:
                self.tally.wrong.append(f"article count went from {self.tally.counts[-1]} to {len(arts)}")
            self.tally.counts.append(len(arts))
            self.tally.listed.update({a["id"]: a["title"] for a in arts if a["title"].startswith("Report "
                                                                                                 "Zorblax")})
        else:
            self.tally.asks += 1
            if not reply["answered"] or expected not in {c["article_id"] for c in reply["citations"]}:
                self.tally.wrong.append(f"{command}: {reply['title']}")
