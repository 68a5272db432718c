"""Shared tools of the fault battery: salestui as real processes, the checks every test
ends with, a seeded export of tens of thousands of events, a small tmpfs that fills up,
and a driver that runs the CLI as an unprivileged user."""

from __future__ import annotations

import ast
import contextlib
import errno
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import salestui
from salestui.store.events import sqlite_uri

SEED = int(os.environ.get("SALESTUI_FAULT_SEED", "20261127"))
"""One seed for every random choice (kill delays, generated events): a failing run can be
repeated exactly with SALESTUI_FAULT_SEED=<seed>."""

EXPORT_EVENTS = 30_000
METRICS = ("calls", "meetings", "sales")
NOBODY = 65534


def rng_for(name: str) -> random.Random:
    """A random generator of its own per test: one test's draws never shift another's."""
    return random.Random(f"{SEED}:{name}")


# -- running salestui --------------------------------------------------------------------


@dataclass
class Outcome:
    """How one salestui process ended."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    killed: bool = False
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return self.stderr.strip().splitlines()


class Salestui:
    """Runs `python -m salestui` on a database and keeps every stderr for the last check."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []

    @staticmethod
    def env(db: Path, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env["SALESTUI_DB"] = str(db)
        env.pop("TEXTUAL", None)
        env.update(extra)
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "salestui", *args]

    def start(
        self,
        db: Path,
        *args: str,
        command: list[str] | None = None,
        preexec_fn: Callable[[], None] | None = None,
    ) -> subprocess.Popen[str]:
        return subprocess.Popen(
            command or self.command(*args),
            env=self.env(db),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            preexec_fn=preexec_fn,
        )

    def collect(
        self, proc: subprocess.Popen[str], args: tuple[str, ...], started: float, killed: bool
    ) -> Outcome:
        out, err = proc.communicate(timeout=90)
        outcome = Outcome(
            args, proc.returncode, out, err, killed, seconds=time.monotonic() - started
        )
        self.outcomes.append(outcome)
        return outcome

    def run(
        self,
        db: Path,
        *args: str,
        command: list[str] | None = None,
        preexec_fn: Callable[[], None] | None = None,
    ) -> Outcome:
        started = time.monotonic()
        proc = self.start(db, *args, command=command, preexec_fn=preexec_fn)
        return self.collect(proc, args, started, False)

    def kill_after(self, db: Path, delay: float, *args: str) -> Outcome:
        """Start `salestui ARGS`, SIGKILL it `delay` seconds later (unless it ended)."""
        started = time.monotonic()
        proc = self.start(db, *args)
        killed = False
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            killed = True
        return self.collect(proc, args, started, killed)

    def ok(self, db: Path, *args: str) -> Outcome:
        outcome = self.run(db, *args)
        assert outcome.returncode == 0, f"salestui {' '.join(args)}: {outcome.stderr}"
        return outcome

    def json(self, db: Path, *args: str) -> dict[str, object]:
        return self.parsed(self.run(db, *args))

    @staticmethod
    def parsed(outcome: Outcome) -> dict[str, object]:
        """The JSON object a run that ended well printed."""
        assert outcome.returncode == 0, f"salestui {' '.join(outcome.args)}: {outcome.stderr}"
        payload = json.loads(outcome.stdout)
        assert isinstance(payload, dict)
        return payload

    def assert_no_traceback(self) -> None:
        for outcome in self.outcomes:
            assert "Traceback" not in outcome.stderr, (outcome.args, outcome.stderr)


@pytest.fixture
def cli() -> Iterator[Salestui]:
    runner = Salestui()
    yield runner
    runner.assert_no_traceback()  # also checked at the end of each test; this is a net


# -- the checks every test ends with -----------------------------------------------------


def read_only(db: Path) -> sqlite3.Connection:
    """A connection that writes nothing (immutable where no -shm can be made)."""
    conn = sqlite3.connect(sqlite_uri(db, "ro"), uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()  # an open handle would keep a mount busy
        return sqlite3.connect(sqlite_uri(db, "ro", immutable=True), uri=True)


def integrity(db: Path) -> str:
    with contextlib.closing(read_only(db)) as conn:
        return "\n".join(str(row[0]) for row in conn.execute("PRAGMA integrity_check"))


def totals(db: Path) -> dict[str, int]:
    """Every metric's all-time total as readers count it (each day at least zero)."""
    with contextlib.closing(read_only(db)) as conn:
        rows = conn.execute(
            "SELECT metric, SUM(MAX(count, 0)) FROM day_totals GROUP BY metric"
        ).fetchall()
    found = {metric: 0 for metric in METRICS}
    found.update({str(metric): int(total) for metric, total in rows})
    return found


def lowest_count(db: Path) -> int | None:
    with contextlib.closing(read_only(db)) as conn:
        value = conn.execute("SELECT MIN(count) FROM day_totals").fetchone()[0]
    return None if value is None else int(value)


def assert_sound(cli: Salestui, db: Path) -> dict[str, int]:
    """The end of every test: the database passes its integrity check, no count is below
    zero (on disk, in `today --json`, in `funnel --period all --json`), no salestui
    process printed a traceback. Returns the all-time counts `funnel` shows."""
    assert integrity(db) == "ok"
    lowest = lowest_count(db)
    assert lowest is None or lowest >= 0, f"a day's count is {lowest}"
    # The two readers run side by side (neither writes): the check costs about one
    # process's start-up, not two.
    started = time.monotonic()
    readers = [
        (args, cli.start(db, *args))
        for args in (("today", "--json"), ("funnel", "--period", "all", "--json"))
    ]
    today, funnel = [
        cli.parsed(outcome)
        for outcome in [cli.collect(proc, args, started, False) for args, proc in readers]
    ]
    assert all(int(v) >= 0 for v in dict(today["counts"]).values()), today  # type: ignore[call-overload]
    counts = {str(k): int(v) for k, v in dict(funnel["counts"]).items()}  # type: ignore[call-overload]
    assert all(v >= 0 for v in counts.values()), funnel
    cli.assert_no_traceback()
    return counts


def calls_with_notes(db: Path, notes: list[str]) -> set[str]:
    """Which of these notes are on a tally in the database."""
    with contextlib.closing(read_only(db)) as conn:
        rows = conn.execute("SELECT note FROM events WHERE note IS NOT NULL").fetchall()
    wanted = set(notes)
    return {str(row[0]) for row in rows if row[0] in wanted}


# -- seeded data -------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    path: Path
    totals: dict[str, int]
    events: int


def write_export(path: Path, count: int, rng: random.Random) -> dict[str, int]:
    """A JSON export of `count` events (about 2% of them undos of earlier tallies) in
    2025; returns the totals it adds to a database that holds none of them."""
    start = datetime(2025, 1, 6, 7, 30, tzinfo=UTC)
    events: list[dict[str, object]] = []
    in_force: list[int] = []
    added: Counter[str] = Counter()
    notes = [None, None, None, "Acme", "Globex, call back", "Zürich ✓", "=1+2"]
    for number in range(count):
        ts = start + timedelta(minutes=4 * number, seconds=rng.randrange(60))
        event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if in_force and rng.random() < 0.02:
            tally = events[in_force.pop(rng.randrange(len(in_force)))]
            event = {
                **tally,
                "id": event_id,
                "ts": ts.isoformat(timespec="microseconds"),
                "delta": -int(tally["delta"]),  # type: ignore[call-overload]
                "note": None,
                "cancels": tally["id"],
            }
        else:
            event = {
                "id": event_id,
                "ts": ts.isoformat(timespec="microseconds"),
                "day": ts.date().isoformat(),
                "metric": rng.choices(METRICS, weights=(8, 3, 1))[0],
                "delta": rng.randint(1, 4),
                "note": rng.choice(notes),
                "source": rng.choice(("tui", "cli")),
                "cancels": None,
                "about": None,
            }
            in_force.append(number)
        events.append(event)
        added[str(event["metric"])] += int(event["delta"])
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"format": "salestui-export", "version": 1, "events": events}, out)
    return {metric: added[metric] for metric in METRICS}


@pytest.fixture(scope="session")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Export:
    path = tmp_path_factory.mktemp("export") / "other-machine.json"
    added = write_export(path, EXPORT_EVENTS, rng_for("export"))
    return Export(path, added, EXPORT_EVENTS)


@pytest.fixture(scope="session")
def big_database(tmp_path_factory: pytest.TempPathFactory, big_export: Export) -> Export:
    """A database holding the big export and 3 calls logged today (made once)."""
    db = tmp_path_factory.mktemp("big") / "salestui.db"
    runner = Salestui()
    runner.ok(db, "import", str(big_export.path))
    for _ in range(3):
        runner.ok(db, "log", "call")
    runner.assert_no_traceback()
    held = dict(big_export.totals)
    held["calls"] += 3
    return Export(db, held, big_export.events)


def copy_database(source: Path, target: Path) -> Path:
    """A consistent private copy of a salestui database (SQLite's backup API)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        contextlib.closing(read_only(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
    os.chmod(target, 0o600)
    return target


def partials(folder: Path) -> list[str]:
    """Hidden half-written files (export or backup) left in `folder`."""
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


# -- a disk that fills up ----------------------------------------------------------------


@contextlib.contextmanager
def small_disk(size: str) -> Iterator[Path]:
    """A fresh tmpfs of `size` (e.g. "4m"), unmounted afterwards; skips without root."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a full disk is made with a small tmpfs, which needs root and mount")
    folder = Path(tempfile.mkdtemp(prefix="salestui-fulldisk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()})")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        folder.rmdir()


def fill_disk(folder: Path) -> Path:
    """Write a filler file until not one more byte fits; return it (delete it to free)."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 512, 1):
            block = b"\0" * size
            while True:
                try:
                    os.write(fd, block)
                except OSError as error:
                    assert error.errno == errno.ENOSPC, error
                    break
    finally:
        os.close(fd)
    assert os.statvfs(folder).f_bavail == 0
    return filler


# -- an unprivileged user ----------------------------------------------------------------

_DRIVER = """
import importlib, os, sys
# Everything salestui may import later is imported now, as root: the standard library
# lives under /root, which the unprivileged user cannot read.
for name in sys.argv[1].split(","):
    try:
        importlib.import_module(name)
    except ImportError:
        pass
os.setgroups([])
os.setgid(int(sys.argv[2]))
os.setuid(int(sys.argv[2]))
from salestui.cli import main
main(sys.argv[3:])
"""


def _modules_salestui_may_import() -> str:
    package = Path(salestui.__file__).parent
    names: set[str] = set()
    for source in package.rglob("*.py"):
        relative = source.relative_to(package.parent).with_suffix("")
        if "tui" in relative.parts or relative.name in ("launch", "__main__"):
            continue  # the app is never opened here; __main__ would run the CLI
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.add(".".join(parts))
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    skipped = ("textual", "salestui.tui", "salestui.launch", "salestui.__main__")
    wanted = {name for name in names if not name.startswith(skipped)}
    # Imported lazily by click and the standard library on the paths run here (click
    # tries `-o` as a long option first; its NoSuchOption imports difflib).
    wanted |= {"difflib", "shutil", "locale", "warnings", "unicodedata", "click.termui"}
    return ",".join(sorted(wanted))


PRELOAD = _modules_salestui_may_import()


def as_user(*args: str, uid: int = NOBODY) -> list[str]:
    """A command running `salestui ARGS` as user `uid` (root ignores permission bits)."""
    return [sys.executable, "-c", _DRIVER, PRELOAD, str(uid), *args]


def shared_temp_folder(prefix: str) -> Path:
    """A temporary folder other users can enter (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(folder, 0o755)
    return folder
