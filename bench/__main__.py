"""`python -m bench`: arguments, the databases and apps every phase shares, the phases
asked for (default: all but export_import), then the table and results.json."""

from __future__ import annotations

import argparse
import atexit
import shutil
import signal
import sys
import time
from pathlib import Path

from bench.context import (
    BENCH,
    RESULTS,
    SEED_EVENTS,
    SEED_PROSPECTS,
    SEED_TOUCHES,
    WORK,
    Bench,
    Tools,
    checkpoint,
    db_in_own_folder,
    ensure_empty_db,
    ensure_seeded_db,
    ensure_watson,
    log,
    make_todays_backup,
    remove_db,
)
from bench.phases import DEFAULT, EXTRA, NEEDS_TERMINAL, phase, runner
from bench.report import print_notes, print_table, write_results
from bench.terminal import (
    DIGITS_SIGNAL,
    WEEK_RE,
    Variant,
    kill_all_servers,
    set_size,
    tui_available,
    write_tmux_conf,
)
from bench.timing import hyperfine_version


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="salestui benchmarks (see bench/README.md)"
    )
    parser.add_argument("--quick", action="store_true", help="few repetitions, 10 s idle window")
    parser.add_argument(
        "--only",
        default=",".join(DEFAULT),
        help=f"phases, in this order: {','.join(DEFAULT)} (default: all of them);"
        f" also {','.join(EXTRA)}",
    )
    parser.add_argument("--python", help="the Python to run apps on (default: this one)")
    parser.add_argument("--salestui", help="the salestui script (default: beside --python)")
    parser.add_argument(
        "--key-launches", type=int, help="launch pairs of the keys phase (default 3, quick 2)"
    )
    parser.add_argument(
        "--key-presses", type=int, help="presses per app per launch pair (default 12)"
    )
    parser.add_argument(
        "--first-launches", type=int, help="launches per database, first phase (default 5)"
    )
    parser.add_argument("--reps", type=int, help="launches per variant (default 11, quick 3)")
    parser.add_argument("--presses", type=int, help="key presses per launch (default 5, quick 3)")
    parser.add_argument("--cli-reps", type=int, help="runs per CLI command (default 21, quick 7)")
    parser.add_argument(
        "--read-reps", type=int, help="runs per read command and database (default 15, quick 5)"
    )
    parser.add_argument(
        "--read-commands", help="read commands by first word, e.g. report,funnel (default all)"
    )
    parser.add_argument(
        "--read-goal",
        type=int,
        default=50,
        help="`report` again with a standing goal of N sales a month (default 50; 0: not)",
    )
    parser.add_argument("--idle-windows", type=int, help="idle windows (default 3, quick 1)")
    parser.add_argument(
        "--idle-seconds", type=float, help="idle window length (default 60, quick 10)"
    )
    parser.add_argument(
        "--events", type=int, default=SEED_EVENTS, help="events in the big database"
    )
    parser.add_argument(
        "--prospects",
        type=int,
        default=SEED_PROSPECTS,
        help=f"prospects in the prospects phase's database (default {SEED_PROSPECTS:,})",
    )
    parser.add_argument(
        "--touches",
        type=int,
        default=SEED_TOUCHES,
        help=f"touches (tallies linked to a prospect) in it (default {SEED_TOUCHES:,})",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        metavar="S",
        help="before each phase, wait up to S s for other work to stop (default 45, quick 15)",
    )
    parser.add_argument(
        "--no-first-of-day",
        dest="first_of_day",
        action="store_false",
        help="skip the info rows for the day's first launch (daily backup of the big db)",
    )
    parser.add_argument(
        "--no-hyperfine",
        dest="hyperfine",
        action="store_false",
        help="time CLI commands with our own loop even when hyperfine is installed",
    )
    parser.add_argument(
        "--size",
        default="100x30",
        help="the terminal the apps run in, WxH (default 100x30): Today's layout follows it"
        " (e.g. 100x10 strip, 50x20 column, 200x50 large; issue 9)",
    )
    parser.add_argument(
        "--metrics",
        type=int,
        default=3,
        help="metrics on Today: 3 built-ins (default) plus own ones, up to 8 (issue 10)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    try:
        cols, rows = (int(part) for part in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size takes WxH, e.g. 100x30, not {args.size!r}")
    set_size(cols, rows)
    if args.wait_quiet is None:
        args.wait_quiet = 15.0 if args.quick else 45.0
    return args


def make_bench(args: argparse.Namespace) -> Bench:
    quick = args.quick
    events = args.events
    tools = Tools.find(args.python, args.salestui)
    hyperfine = hyperfine_version() if args.hyperfine else None
    return Bench(
        args=args,
        tools=tools,
        quick=quick,
        reps=args.reps or (3 if quick else 11),
        presses=args.presses or (3 if quick else 5),
        cli_reps=args.cli_reps or (7 if quick else 21),
        read_reps=args.read_reps or (5 if quick else 15),
        idle_windows=args.idle_windows or (1 if quick else 3),
        idle_seconds=args.idle_seconds or (10.0 if quick else 60.0),
        size=(f"{events / 1e6:g}M" if events >= 1_000_000 else f"{events / 1e3:g}k")
        + (f"-{args.metrics}metrics" if args.metrics != 3 else ""),
        timer=f"{hyperfine} (blocks of 3 runs, commands rotated)"
        if hyperfine
        else "our own loop, commands taking turns run by run",
    )


def prepare(bench: Bench, phases: list[str]) -> None:
    """The databases (seeded once a day) and the apps the phases open."""
    args, tools = bench.args, bench.tools
    if "cli" in phases:
        ensure_watson(tools)
    empty_template = ensure_empty_db(db_in_own_folder("template"), args.metrics)
    big_db = ensure_seeded_db(args.events, args.metrics)
    checkpoint(big_db)
    first_db = db_in_own_folder(f"seed-{args.events}-m{args.metrics}-first-of-day")
    if "tui" in phases and args.first_of_day:
        remove_db(first_db)
        shutil.copyfile(big_db, first_db)
    cli_db = ensure_empty_db(db_in_own_folder("cli-log"), args.metrics)
    tui_empty_db = db_in_own_folder("tui-empty")
    shutil.copyfile(empty_template, tui_empty_db)
    for db in (big_db, tui_empty_db, cli_db):
        make_todays_backup(db)
    bench.dbs.update(empty=empty_template, big=big_db, cli=cli_db)

    salestui = str(tools.salestui)
    baseline = f"{tools.python} {BENCH / 'baseline_app.py'}"
    big = f"salestui-{bench.size}"
    bench.variants = {
        "baseline": Variant("baseline", baseline, DIGITS_SIGNAL, tools),
        "empty": Variant(
            "salestui-empty",
            salestui,
            WEEK_RE,
            tools,
            db=tui_empty_db,
            fresh_copy_of=empty_template,
        ),
        "big": Variant(big, salestui, WEEK_RE, tools, db=big_db),
        "first": Variant(
            f"{big}-first-of-day", salestui, WEEK_RE, tools, db=first_db, first_of_day=True
        ),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    known = (*DEFAULT, *EXTRA)
    asked = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in asked if p not in known]
    if unknown:
        log(f"unknown phase {', '.join(unknown)}: phases are {', '.join(known)}")
        return 2
    phases = [p for p in known if p in asked]
    bench = make_bench(args)
    if not bench.tools.salestui.exists():
        log(f"{bench.tools.salestui} is missing: install the project, or pass --salestui")
        return 2
    terminal = [p for p in phases if p in NEEDS_TERMINAL]
    if terminal and shutil.which("tmux") is None:
        log("tmux is missing: apt-get install -y tmux")
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    write_tmux_conf()
    atexit.register(kill_all_servers)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(130))

    started = time.perf_counter()
    loadavg_before = Path("/proc/loadavg").read_text().split()[:3]
    prepare(bench, phases)
    try:
        if terminal:
            probe_db = ensure_empty_db(db_in_own_folder("probe"))
            ok, why = tui_available(bench.tools, probe_db)
            if not ok:
                bench.notes.append(f"TUI rows skipped: {why}")
                log(f"tui: skipped: {why}")
                phases = [p for p in phases if p not in NEEDS_TERMINAL]
        for name in phases:
            with phase(bench, name):
                runner(name)(bench)
    finally:
        kill_all_servers()

    for variant in bench.variants.values():
        for warning in variant.warnings:
            bench.notes.append(f"{variant.name}: {warning}")
    for name, error in bench.errors.items():
        bench.notes.append(f"the {name} phase was aborted: {error.splitlines()[0]}")
    for name, percent in bench.foreign.items():
        if percent > 5:
            bench.notes.append(
                f"other processes used {percent:.0f}% of a core during the {name} phase:"
                " its figures are noisier than on a quiet machine"
            )
    table = [row.as_dict() for row in bench.rows]
    print_table(table)
    print_notes(bench)
    elapsed = time.perf_counter() - started
    write_results(bench, table, loadavg_before, elapsed)
    took = ", ".join(f"{k} {v:.0f} s" for k, v in bench.phase_seconds.items())
    print(f"\n{len(table)} rows in {elapsed:.0f} s ({took}); raw samples in {RESULTS}")
    failed = [r for r in table if r["result"] == "FAIL"]
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
