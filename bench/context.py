"""What every phase shares: paths, the Python and salestui under test, the controlled
environment, the databases, the settings of this run and what it has found so far."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / ".work"
RESULTS = WORK / "results.json"
WATSON_VENV = WORK / "watson-venv"
WATSON = WATSON_VENV / "bin" / "watson"
SEED_EVENTS = 1_000_000
SEED_PROSPECTS = 100_000
SEED_TOUCHES = 1_000_000
PROSPECT_EVENTS = 5_000
"""Tallies linked to no prospect in the prospects database (its touches are tallies too)."""


def log(message: str) -> None:
    """Progress goes to stderr; the table to stdout."""
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Tools:
    """The Python running the bench (the baseline app and `python -c` run on it) and the
    `salestui` script installed beside it; `--python`/`--salestui` (or $BENCH_PYTHON,
    $BENCH_SALESTUI) choose others."""

    python: Path
    salestui: Path

    @classmethod
    def find(cls, python: str | None, salestui: str | None) -> Tools:
        chosen = Path(python or os.environ.get("BENCH_PYTHON") or sys.executable)
        script = salestui or os.environ.get("BENCH_SALESTUI") or str(chosen.parent / "salestui")
        return cls(chosen, Path(script))

    def env(self, **extra: str) -> dict[str, str]:
        """One controlled environment for every process the benchmark starts."""
        home = WORK / "home"
        home.mkdir(parents=True, exist_ok=True)
        (WORK / "tmp").mkdir(parents=True, exist_ok=True)
        values = {
            "PATH": f"{self.python.parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "xterm-256color",  # the tmux client's; panes get default-terminal
            "COLORTERM": "truecolor",
            "TZ": os.environ.get("TZ", ""),
            "TMPDIR": str(WORK / "tmp"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
        }
        env = {k: v for k, v in values.items() if v}
        env.update(extra)
        return env


@dataclass
class Bench:
    """One run: its settings, tools, databases, and the rows, notes and raw data the
    phases add (a phase may read what an earlier one found, e.g. `first` uses `keys`)."""

    args: Any
    tools: Tools
    quick: bool
    reps: int
    presses: int
    cli_reps: int
    read_reps: int
    idle_windows: int
    idle_seconds: float
    size: str  # "1M": the big database's size, for row names
    dbs: dict[str, Path] = field(default_factory=dict)
    variants: dict[str, Any] = field(default_factory=dict)  # terminal.Variant by role
    rows: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    foreign: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    phase_seconds: dict[str, float] = field(default_factory=dict)
    timer: str = "interleaved loop"  # or "hyperfine X.Y"


# -- databases ---------------------------------------------------------------------------


def schema_version() -> int:
    from salestui.store.schema import SCHEMA_VERSION

    return int(SCHEMA_VERSION)


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def db_in_own_folder(name: str) -> Path:
    """`bench/.work/db/NAME/salestui.db`: the app keeps one daily backup per folder
    (`backups/salestui-DAY.db` beside the file), so every database gets its own."""
    folder = WORK / "db" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "salestui.db"


def ensure_empty_db(path: Path, metrics: int = 3) -> Path:
    """A database with the schema and no events (made by the project itself), with
    `metrics - 3` of the user's own metrics defined."""
    from salestui.store.events import Store

    remove_db(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Store(path).close()
    if metrics != 3:
        from bench.seed import define_metrics

        define_metrics(path, metrics)
    return path


def checkpoint(path: Path) -> None:
    """Fold the WAL into the main file (an app killed by the benchmark leaves one)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=15)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def make_todays_backup(db: Path) -> None:
    """Make today's daily backup with the project's own code, as the first launch of
    the day would, so that measured launches see the steady state (no copy running)."""
    try:
        from salestui.store.backup import ensure_daily_backup
    except ImportError:  # a version without daily backups
        return
    ensure_daily_backup(db, date.today())


def _fresh(path: Path, wanted: dict[str, Any]) -> bool:
    """Whether the database at `path` was made today for these settings (its stamp)."""
    with contextlib.suppress(FileNotFoundError, ValueError):
        stamp = path.with_suffix(".json")
        return path.exists() and json.loads(stamp.read_text()) == wanted
    return False


def ensure_seeded_db(events: int, metrics: int = 3) -> Path:
    """The seeded database, cached; re-made when the day or the schema changed (the
    seeded events end "now": a day-old copy would have nothing today). `metrics` above
    3 adds the user's own metrics (bench.seed.OWN_METRICS)."""
    path = db_in_own_folder(f"seed-{events}" + (f"-m{metrics}" if metrics != 3 else ""))
    wanted = {"events": events, "day": date.today().isoformat(), "schema": schema_version()}
    if metrics != 3:
        wanted["metrics"] = metrics
    if _fresh(path, wanted):
        return path
    from bench import seed

    log(f"setup: seeding {events:,} events into {path} (cached for today)")
    remove_db(path)
    took = seed.seed(path, events, metrics=metrics)
    log(f"setup: seeded in {took:.1f} s")
    path.with_suffix(".json").write_text(json.dumps(wanted))
    return path


def ensure_prospects_db(prospects: int, touches: int, events: int = PROSPECT_EVENTS) -> Path:
    """The prospects database (issue 11): `prospects` prospects, `touches` touches (each
    a tally linked to its prospect) and `events` tallies linked to none; cached for the
    day like the seeded one (its follow-ups are due relative to today)."""
    path = db_in_own_folder(f"prospects-{prospects}-{touches}")
    wanted = {
        "prospects": prospects,
        "touches": touches,
        "events": events,
        "day": date.today().isoformat(),
        "schema": schema_version(),
    }
    if _fresh(path, wanted):
        return path
    from bench import seed

    log(
        f"setup: seeding {prospects:,} prospects and {touches:,} touches into {path}"
        " (cached for today)"
    )
    remove_db(path)
    timings: dict[str, float] = {}
    took = seed.seed(path, events, prospects=prospects, touches=touches, timings=timings)
    log(
        f"setup: seeded in {took:.1f} s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
        + ")"
    )
    path.with_suffix(".json").write_text(json.dumps(wanted))
    seed_seconds(path).write_text(json.dumps({"total": took, **timings}))
    return path


def seed_seconds(path: Path) -> Path:
    """Where the prospects database's seeding times are kept (for the phase's notes)."""
    return path.with_name("seed-seconds.json")


def ensure_goal_copy(source: Path, name: str, goal: int) -> Path:
    """A copy of `source` with a standing goal of `goal` sales a month from its first
    month with events (or this month), stored with the project's own code; cached
    like the seeded database."""
    path = db_in_own_folder(name)
    wanted = {
        "source": str(source),
        "bytes": source.stat().st_size,
        "goal": goal,
        "day": date.today().isoformat(),
        "schema": schema_version(),
    }
    if _fresh(path, wanted):
        return path
    from salestui.figures import save_goal
    from salestui.store.events import Store

    remove_db(path)
    checkpoint(source)
    shutil.copyfile(source, path)
    conn = sqlite3.connect(path)
    try:
        first = conn.execute("SELECT MIN(day) FROM events").fetchone()[0]
    finally:
        conn.close()
    with Store(path) as store:
        save_goal(store, (first or date.today().isoformat())[:7], goal, source="bench")
    path.with_suffix(".json").write_text(json.dumps(wanted))
    return path


def ensure_watson(tools: Tools) -> None:
    """td-watson in its own virtualenv, for the `log call` row."""
    if WATSON.exists():
        return
    log("setup: creating the watson virtualenv (pip install td-watson)")
    search = os.pathsep.join(
        d
        for d in os.environ.get("PATH", "/usr/bin").split(os.pathsep)
        if Path(d) != tools.python.parent
    )
    python3 = shutil.which("python3", path=search) or "python3"
    subprocess.run([python3, "-m", "venv", str(WATSON_VENV)], check=True)
    subprocess.run([str(WATSON_VENV / "bin" / "pip"), "install", "-q", "td-watson"], check=True)
