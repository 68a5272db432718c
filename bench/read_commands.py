"""Read commands on a 1,000,000-event database against the same on an empty one.

    /work/venv/bin/python bench/read_commands.py [--reps N] [--events N] [--only NAMES]
                                                 [--goal N] [--json PATH]

Each row is the wall time of a real process `salestui --db DB CMD` (start-up, import,
open, query, output), median over `--reps` runs on the empty database and on the big
one, interleaved run by run (empty, 1M, 1M, empty, ...: the order flips every
repetition, so a drift in machine load hits both sides alike). Target: 1M / empty
<= 1.2 for every command (issue 8, "Speed at scale"). See bench/READ_COMMANDS.md.

Databases are kept in bench/.work/read/ (git-ignored): the empty one is made by
`Store(path).close()`, the big one by bench/seed.py; both are re-made when the
schema version or the day changes (the seeded events end "now", so a day-old
database would have nothing today). `--goal N` stores a standing goal of N sales a
month from the first seeded month on, in both databases (then `report` judges every
streak day against the call target it started with), in copies kept apart from the
goal-less ones.

Exit status: 0 when every command ran (whatever the verdicts), 1 when one failed,
3 when /dev/null stopped being a character device (see `check_dev_null`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import stat
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work" / "read"
SALESTUI = Path("/work/venv/bin/salestui")
TARGET = 1.2

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("today", "--json"),
    ("funnel", "--period", "all", "--json"),
    ("funnel", "--period", "month", "--json"),
    ("funnel", "--period", "year", "--json"),
    ("plan", "--json", "--target", "50", "--rate", "meetings=15%", "--rate", "sales=1/3"),
    ("report",),
    ("report", "--period", "month"),
    ("report", "--period", "all", "-f", "json"),
    ("rate", "show"),
    ("goal", "show"),
    ("calendar",),
    ("where",),
    ("export", "--period", "today", "-o", "/dev/null"),
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def env() -> dict[str, str]:
    """The same controlled environment for every run: no user settings, no $SALESTUI_DB."""
    home = WORK / "home"
    home.mkdir(parents=True, exist_ok=True)
    values = {
        "PATH": f"{SALESTUI.parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": os.environ.get("TZ", ""),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    return {key: value for key, value in values.items() if value}


def dev_null_is_device() -> bool:
    try:
        return stat.S_ISCHR(os.stat("/dev/null").st_mode)
    except OSError:
        return False


def check_dev_null(when: str) -> None:
    """Stop at once if /dev/null is no longer a character device.

    An old salestui `export -o /dev/null` replaced it with a regular file (it wrote a
    temporary file and renamed it over the target); every program on the machine then
    writes into that file. Restoring it needs root: `rm /dev/null; mknod -m 666 /dev/null c 1 3`.
    """
    if not dev_null_is_device():
        log(
            f"STOP ({when}): /dev/null is not a character device any more; restore it as root "
            "with `rm /dev/null; mknod -m 666 /dev/null c 1 3`"
        )
        sys.exit(3)


def schema_version() -> int:
    from salestui.store.schema import SCHEMA_VERSION

    return SCHEMA_VERSION


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def ensure_db(name: str, events: int, goal: int | None) -> Path:
    """A database with `events` seeded events (0: schema only), reused while its stamp
    (events, goal, schema, day) still matches."""
    path = WORK / f"{name}.db"
    stamp = path.with_suffix(".json")
    wanted = {
        "events": events,
        "goal": goal,
        "schema": schema_version(),
        "day": date.today().isoformat(),
    }
    with contextlib.suppress(FileNotFoundError, ValueError):
        if path.exists() and json.loads(stamp.read_text()) == wanted:
            return path
    WORK.mkdir(parents=True, exist_ok=True)
    remove_db(path)
    if events:
        log(f"setup: seeding {events:,} events into {path}")
        sys.path.insert(0, str(BENCH))
        import seed as seed_module

        took = seed_module.seed(path, events)
        log(f"setup: seeded in {took:.1f} s")
    else:
        from salestui.store.events import Store

        Store(path).close()
    if goal is not None:
        store_goal(path, goal)
    stamp.write_text(json.dumps(wanted))
    return path


def store_goal(path: Path, goal: int) -> None:
    """A standing goal from the first month with events (or this month), with the
    project's own code, so streak days are judged against per-day call targets."""
    from salestui.figures import save_goal
    from salestui.store.events import Store

    conn = sqlite3.connect(path)
    try:
        first = conn.execute("SELECT MIN(day) FROM events").fetchone()[0]
    finally:
        conn.close()
    month = (first or date.today().isoformat())[:7]
    with Store(path) as store:
        save_goal(store, month, goal, source="bench")


def run_once(db: Path, command: tuple[str, ...], environment: dict[str, str]) -> float:
    """Wall time of one `salestui --db DB CMD`; raises RuntimeError when it fails."""
    argv = [str(SALESTUI), "--db", str(db), *command]
    started = time.perf_counter()
    done = subprocess.run(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment,
        check=False,
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"exit {done.returncode}: {message[-1] if message else ''}")
    return took


def touches_dev_null(command: tuple[str, ...]) -> bool:
    return "/dev/null" in command


def measure(
    empty: Path, big: Path, commands: list[tuple[str, ...]], reps: int
) -> dict[str, dict[str, list[float]]]:
    """Interleaved samples: for each repetition, each command on both databases."""
    environment = env()
    samples: dict[str, dict[str, list[float]]] = {
        " ".join(c): {"empty": [], "big": []} for c in commands
    }
    failed: dict[str, str] = {}
    log("warm-up: one run of each command on each database (page cache, .pyc files)")
    for command in commands:
        for db in (empty, big):
            try:
                run_once(db, command, environment)
            except RuntimeError as error:
                failed[" ".join(command)] = f"{db.name}: {error}"
            if touches_dev_null(command):
                check_dev_null(f"after `{' '.join(command)}`")
    for name, why in failed.items():
        log(f"FAILED {name}: {why}")
    todo = [c for c in commands if " ".join(c) not in failed]
    for rep in range(reps):
        order = (
            (("empty", empty), ("big", big)) if rep % 2 == 0 else (("big", big), ("empty", empty))
        )
        for command in todo:
            for side, db in order:
                samples[" ".join(command)][side].append(run_once(db, command, environment))
                if touches_dev_null(command):
                    check_dev_null(f"after `{' '.join(command)}`")
        log(f"rep {rep + 1}/{reps} done")
    for name in failed:
        samples[name] = {"empty": [], "big": [], "error": [failed[name]]}  # type: ignore[list-item]
    return samples


def table(samples: dict[str, dict[str, list[float]]], events: int) -> str:
    big_label = f"{events / 1e6:g}M ms" if events >= 1_000_000 else f"{events:,} ms"
    header = f"| command | empty ms | {big_label} | ratio | target | verdict |"
    lines = [header, "| --- | ---: | ---: | ---: | ---: | --- |"]
    for name, sides in samples.items():
        if sides.get("error"):
            lines.append(f"| `{name}` | | | | {TARGET} | ERROR {sides['error'][0]} |")
            continue
        empty = statistics.median(sides["empty"]) * 1000
        big = statistics.median(sides["big"]) * 1000
        ratio = big / empty
        verdict = "PASS" if ratio <= TARGET else "FAIL"
        lines.append(f"| `{name}` | {empty:.1f} | {big:.1f} | {ratio:.2f} | {TARGET} | {verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reps", type=int, default=15, help="runs per command and database")
    parser.add_argument("--events", type=int, default=1_000_000, help="size of the big database")
    parser.add_argument(
        "--only", default="", help="comma-separated command names to run (e.g. report,funnel)"
    )
    parser.add_argument("--goal", type=int, help="store a standing goal of N sales a month")
    parser.add_argument("--json", type=Path, help="also write the raw samples here")
    args = parser.parse_args(argv)
    if not SALESTUI.exists():
        log(f"{SALESTUI} is missing: install the project into /work/venv")
        return 1
    check_dev_null("before the run")

    suffix = f"-goal{args.goal}" if args.goal is not None else ""
    empty = ensure_db(f"empty{suffix}", 0, args.goal)
    big = ensure_db(f"big-{args.events}{suffix}", args.events, args.goal)
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    commands = [c for c in COMMANDS if not wanted or c[0] in wanted]

    started = time.perf_counter()
    samples = measure(empty, big, commands, args.reps)
    took = time.perf_counter() - started
    check_dev_null("after the run")

    goal = f", goal {args.goal} sales/month" if args.goal is not None else ", no goal"
    print(
        f"salestui read commands: {args.events:,} events vs empty{goal}; median of {args.reps} "
        f"interleaved runs each; {took:.0f} s"
    )
    print(table(samples, args.events))
    if args.json:
        args.json.write_text(
            json.dumps(
                {"events": args.events, "goal": args.goal, "reps": args.reps, "samples": samples},
                indent=1,
            )
        )
    return 1 if any(sides.get("error") for sides in samples.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
