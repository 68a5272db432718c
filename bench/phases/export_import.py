"""Export and import at 1,000,000 events: wall time and peak memory of each command.

    python -m bench --only export_import            # as a phase of a run (its big database)
    python -m bench.phases.export_import [--events N] [--fresh] [--db BIG] [--json OUT]

Seeds a database with bench/seed.py (cached in bench/.work/export-import/ and reused
while it holds the asked-for number of events; --fresh re-seeds; --db uses one made
already), then runs, each as its own process, as a user would:

    salestui --db BIG export --format json -o FILE
    salestui --db BIG export --format csv -o FILE
    salestui --db EMPTY import FILE.json      (a new, empty database)
    salestui --db EMPTY import FILE.csv       (info)
    salestui --db EMPTY import BIG            (info: the other database file directly)
    salestui --db FULL import FILE.json       (info: everything already present)

Wall time is measured around the process; peak memory is its maximum resident set
size from os.wait4. Targets: each under 30 s, each under 200 MB. Exit status 0 when
every run completed, whatever the verdicts; --strict makes a FAIL exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent.parent
WORK = BENCH / ".work" / "export-import"
PYTHON = Path(os.environ.get("BENCH_PYTHON") or sys.executable)
SALESTUI = Path(os.environ.get("BENCH_SALESTUI") or PYTHON.parent / "salestui")
TARGET_SECONDS = 30.0
TARGET_MB = 200.0


@dataclass
class Run:
    label: str
    seconds: float
    peak_mb: float
    code: int
    out: str
    err: str
    timed: bool  # counted against the targets (else: info only)


def salestui(*args: str) -> list[str]:
    return [str(SALESTUI), *args]


def measure(label: str, argv: list[str], timed: bool = True) -> Run:
    """Run one command; wall time around it, peak RSS from wait4."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    # Read the (small) outputs, then reap the child ourselves to get its own rusage.
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    process.stderr.close()
    return Run(
        label,
        seconds,
        usage.ru_maxrss / 1024,  # KiB on Linux
        process.returncode,
        out.decode(errors="replace").strip(),
        err.decode(errors="replace").strip(),
        timed,
    )


def event_count(path: Path) -> int:
    if not path.exists():
        return -1
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.Error:
        return -1
    finally:
        conn.close()


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true", help="re-seed the big database")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--db", type=Path, help="export this database (seeded already)")
    parser.add_argument("--json", type=Path, help="also write the runs here")
    args = parser.parse_args(argv)

    WORK.mkdir(parents=True, exist_ok=True)
    big = args.db or WORK / f"seeded-{args.events}.db"
    if args.db is not None:
        args.events = event_count(big)
    elif args.fresh or event_count(big) != args.events:
        remove_db(big)
        print(f"seeding {args.events:,} events into {big} ...", file=sys.stderr)
        # In a child process: a child's peak RSS starts from its parent's size at the
        # fork, so this process must stay small for the figures below to be the commands'.
        subprocess.run(
            [str(PYTHON), str(BENCH / "seed.py"), str(big), "--events", str(args.events)],
            check=True,
        )
    json_file, csv_file = WORK / "export.json", WORK / "export.csv"
    empty = WORK / "import-target.db"

    runs: list[Run] = []

    def step(label: str, argv: list[str], timed: bool = True) -> Run:
        print(f"{label} ...", file=sys.stderr)
        run = measure(label, argv, timed)
        runs.append(run)
        if run.code != 0:
            print(f"  exit {run.code}: {run.err}", file=sys.stderr)
        return run

    json_file.unlink(missing_ok=True)
    csv_file.unlink(missing_ok=True)
    step("export --format json", salestui("--db", str(big), "export", "-o", str(json_file)))
    step(
        "export --format csv",
        salestui("--db", str(big), "export", "--format", "csv", "-o", str(csv_file)),
    )
    remove_db(empty)
    step("import FILE.json (empty db)", salestui("--db", str(empty), "import", str(json_file)))
    imported = event_count(empty)
    step(
        "import FILE.json again (info)",
        salestui("--db", str(empty), "import", str(json_file)),
        timed=False,
    )
    remove_db(empty)
    step(
        "import FILE.csv (info)",
        salestui("--db", str(empty), "import", str(csv_file)),
        timed=False,
    )
    remove_db(empty)
    step("import BIG.db (info)", salestui("--db", str(empty), "import", str(big)), timed=False)
    remove_db(empty)

    sizes = {
        "database": big.stat().st_size,
        "json": json_file.stat().st_size if json_file.exists() else 0,
        "csv": csv_file.stat().st_size if csv_file.exists() else 0,
    }
    print()
    print(
        f"{args.events:,} events · database {sizes['database'] / 1e6:.0f} MB · "
        f"JSON {sizes['json'] / 1e6:.0f} MB · CSV {sizes['csv'] / 1e6:.0f} MB · "
        f"Python {sys.version.split()[0]} · SQLite {sqlite3.sqlite_version} · "
        f"{os.cpu_count()} CPUs"
    )
    print(f"{'command':<32} {'wall s':>8} {'peak MB':>8}  {'verdict':<8} output")
    failed = False
    for run in runs:
        if run.code != 0:
            verdict = "ERROR"
            failed = True
        elif not run.timed:
            verdict = "info"
        elif run.seconds < TARGET_SECONDS and run.peak_mb < TARGET_MB:
            verdict = "PASS"
        else:
            verdict = "FAIL"
            failed = True
        shown = (run.out or run.err).splitlines()[-1:] or [""]
        print(f"{run.label:<32} {run.seconds:>8.1f} {run.peak_mb:>8.0f}  {verdict:<8} {shown[0]}")
    print(f"targets: each timed run under {TARGET_SECONDS:.0f} s and {TARGET_MB:.0f} MB peak RSS")
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(a child's peak includes this harness's own size at the fork: {floor:.0f} MB)")
    if imported != args.events:
        print(f"! the import holds {imported:,} events, expected {args.events:,}")
        failed = True
    if args.json:
        args.json.write_text(json.dumps([run.__dict__ for run in runs], indent=1))
    return 1 if (failed and args.strict) else 0


def run(bench: Any) -> None:
    """The phase: this module in a child process (kept small, so that the commands'
    peak RSS is theirs: a child starts from its parent's size at the fork), on the
    run's big database; its table goes to stderr, its verdicts into the notes."""
    from bench.context import WORK as BENCH_WORK
    from bench.context import log

    out = BENCH_WORK / "export-import.json"
    out.unlink(missing_ok=True)
    done = subprocess.run(
        [str(bench.tools.python), "-m", "bench.phases.export_import"]
        + ["--db", str(bench.dbs["big"]), "--json", str(out)],
        cwd=BENCH.parent,
        env={**bench.tools.env(), "BENCH_SALESTUI": str(bench.tools.salestui)},
        capture_output=True,
        text=True,
    )
    log(done.stdout + done.stderr)
    if not out.exists():
        raise RuntimeError(f"export_import exited {done.returncode}: {done.stderr.strip()}")
    runs = json.loads(out.read_text())
    bench.data["export_import"] = runs
    for each in runs:
        verdict = (
            "info"
            if not each["timed"]
            else (
                "PASS"
                if each["seconds"] < TARGET_SECONDS and each["peak_mb"] < TARGET_MB
                else "FAIL"
            )
        )
        if each["code"] != 0:
            verdict = f"ERROR (exit {each['code']})"
        bench.notes.append(
            f"export/import: {each['label']}: {each['seconds']:.1f} s,"
            f" peak {each['peak_mb']:.0f} MB"
            f" (targets < {TARGET_SECONDS:.0f} s, < {TARGET_MB:.0f} MB): {verdict}"
        )


if __name__ == "__main__":
    sys.exit(main())
