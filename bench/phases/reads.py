"""Phase `reads` (rows 8): every read command on the big database against the same on an
empty one (issue 8, "Speed at scale": 1M / empty <= 1.2 each), and `report` on both
with a standing goal, where each day of a ten-year streak is judged by its own target.

Each figure is the wall time of a real process `salestui --db DB CMD` (start-up,
imports, opening the database, the queries, the output), output discarded; the two
sides take turns run by run (or block by block under hyperfine).
"""

from __future__ import annotations

import os
import stat

from bench.context import Bench, checkpoint, ensure_goal_copy, log
from bench.report import Row
from bench.stats import ms
from bench.timing import measure

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
"""Every command that reads and writes nothing (`export` to /dev/null)."""

GOAL_COMMANDS = tuple(command for command in COMMANDS if command[0] == "report")
"""Run again on both databases with a standing goal."""


class DevNullReplaced(RuntimeError):
    """An old salestui `export -o /dev/null` replaced it with a regular file (it wrote a
    temporary file and renamed it over the target); every program on the machine then
    writes into that file. Restoring it needs root:
    `rm /dev/null; mknod -m 666 /dev/null c 1 3`."""


def check_dev_null(when: str) -> None:
    """Stop at once if /dev/null is no longer a character device."""
    try:
        ok = stat.S_ISCHR(os.stat("/dev/null").st_mode)
    except OSError:
        ok = False
    if not ok:
        raise DevNullReplaced(
            f"STOP ({when}): /dev/null is not a character device any more; restore it as"
            " root with `rm /dev/null; mknod -m 666 /dev/null c 1 3`"
        )


def compare(bench: Bench, label: str, command: tuple[str, ...], empty: str, big: str) -> None:
    """One row: `command` on the big database against the same on the empty one."""
    salestui = str(bench.tools.salestui)

    def guard(_name: str) -> None:
        if "/dev/null" in command:
            check_dev_null(f"after `{' '.join(command)}`")

    name = " ".join(command)
    try:
        samples = measure(
            {
                "empty": [salestui, "--db", empty, *command],
                "big": [salestui, "--db", big, *command],
            },
            bench.tools.env(),
            bench.read_reps,
            warmup=1,
            use_hyperfine=bench.args.hyperfine,
            after_each=guard,
        )
    except DevNullReplaced:
        raise
    except RuntimeError as error:  # one command failing does not end the phase
        bench.notes.append(f"reads: `{name}`{label} failed: {str(error).splitlines()[0]}")
        samples = {"empty": [], "big": []}
    bench.data.setdefault("reads", {})[f"{name}{label}"] = samples
    bench.rows.append(
        Row(
            f"8 `{name}`{label}, {bench.size} vs empty",
            "ms",
            "empty db",
            f"{bench.size} db",
            ms(samples["empty"]),
            ms(samples["big"]),
            TARGET,
        )
    )


def run(bench: Bench) -> None:
    check_dev_null("before the reads phase")
    wanted = {w.strip() for w in (bench.args.read_commands or "").split(",") if w.strip()}
    commands = [c for c in COMMANDS if not wanted or c[0] in wanted]
    goal = bench.args.read_goal
    checkpoint(bench.dbs["big"])  # the TUI phases' apps leave a WAL behind
    empty, big = str(bench.dbs["empty"]), str(bench.dbs["big"])
    log(f"reads: {len(commands)} commands x {bench.read_reps} runs on each database")
    for command in commands:
        compare(bench, "", command, empty, big)
    if goal:
        goal_empty = ensure_goal_copy(bench.dbs["empty"], f"reads-empty-goal{goal}", goal)
        goal_big = ensure_goal_copy(bench.dbs["big"], f"reads-big-goal{goal}", goal)
        log(f"reads: `report` with a standing goal of {goal} sales a month")
        for command in (c for c in GOAL_COMMANDS if c in commands):
            compare(bench, f" (goal {goal})", command, str(goal_empty), str(goal_big))
    check_dev_null("after the reads phase")
