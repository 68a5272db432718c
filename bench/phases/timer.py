"""Phase `timer` (issue 12): idle CPU of salestui with a running timer in its top bar
(started with `salestui --db DB time start admin` before each launch) against the same
app with no timer, and against the bare counter (the idle row's own baseline), all
three open at once, as the `idle` phase opens its two.

The timer ticks once a minute, so a window shorter than a minute (`--quick`: 10 s) may
hold no tick at all; the figures that count come from 60 s windows.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

from bench.context import Bench, db_in_own_folder, log, make_todays_backup
from bench.phases.idle import measure_idle
from bench.report import Row
from bench.stats import median
from bench.terminal import WEEK_RE, Variant, launch_until_counts

CATEGORY = "admin"
IDLE_TARGET = 1.2
"""Row 5's target (phases/idle.py): salestui idle within 1.2x of the bare counter."""

# The running timer in the top bar: its category, then an elapsed time such as `0:03`,
# `0m`, `3 min` or `1h 02m` (the wording is the app's; any digits after the category).
TIMER_RE = re.compile(rf"\b{CATEGORY}\b[^\n]{{0,24}}?\d")


@dataclass
class TimerVariant(Variant):
    """salestui on a fresh copy of the empty database with a timer started just before
    the launch, by the CLI, as a person starting it from a shell would."""

    category: str = CATEGORY

    def prepare(self) -> int:
        expected = super().prepare()
        assert self.db is not None
        done = subprocess.run(
            [str(self.tools.salestui), "--db", str(self.db), "time", "start", self.category],
            env=self.tools.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            why = (done.stderr or done.stdout).strip().splitlines()
            raise RuntimeError(
                f"`salestui time start {self.category}` exited {done.returncode}:"
                f" {why[-1] if why else ''}"
            )
        return expected


def timer_line(variant: TimerVariant) -> str:
    """Launch once and return the screen line showing the running timer (RuntimeError
    when the top bar does not show it: the rows would measure an app without one)."""
    app, _, _, _ = launch_until_counts(variant)
    try:
        screen = app.capture()
    finally:
        app.kill()
    match = TIMER_RE.search(screen)
    if match is None:
        top = "\n".join(screen.splitlines()[:3])
        raise RuntimeError(f"no running `{variant.category}` timer on screen; top lines:\n{top}")
    start = screen.rfind("\n", 0, match.start()) + 1
    end = screen.find("\n", match.end())
    return screen[start : end if end >= 0 else None].strip()


def run(bench: Bench) -> None:
    baseline = bench.variants["baseline"]
    template = bench.dbs["empty"]
    salestui = str(bench.tools.salestui)
    plain_db, timer_db = db_in_own_folder("timer-none"), db_in_own_folder("timer-running")
    plain = Variant("salestui-no-timer", salestui, WEEK_RE, bench.tools, plain_db, template)
    running = TimerVariant(
        f"salestui-timer-{CATEGORY}", salestui, WEEK_RE, bench.tools, timer_db, template
    )
    for variant in (plain, running):
        variant.prepare()
        assert variant.db is not None
        make_todays_backup(variant.db)  # steady state: no first-of-the-day copy at launch
    line = timer_line(running)
    bench.notes.append(f"timer: the top bar showed: {line}")
    windows, seconds = bench.idle_windows, bench.idle_seconds
    log(f"timer: {windows} x {seconds:.0f} s, bare counter and salestui with/without a timer")
    idle = measure_idle([baseline, plain, running], windows, seconds)
    bench.data["timer"] = idle
    per = f"{seconds:.0f} s"
    bench.rows.append(
        Row(
            f"idle CPU per {per}, running timer vs none (utime+stime)",
            "ms cpu",
            plain.name,
            running.name,
            idle[plain.name]["cpu_ms"],
            idle[running.name]["cpu_ms"],
            IDLE_TARGET,
        )
    )
    bench.rows.append(
        Row(
            f"idle CPU per {per}, running timer vs bare counter (utime+stime)",
            "ms cpu",
            baseline.name,
            running.name,
            idle[baseline.name]["cpu_ms"],
            idle[running.name]["cpu_ms"],
            IDLE_TARGET,
        )
    )
    bench.rows.append(
        Row(
            f"  idle CPU per {per}, running timer vs none (schedstat)",
            "ms cpu",
            plain.name,
            running.name,
            idle[plain.name]["sched_ms"],
            idle[running.name]["sched_ms"],
            None,
        )
    )
    bench.notes.append(
        "timer: CPU ms per minute (median of the windows, utime+stime / schedstat): "
        + "; ".join(
            f"{name} {60 * median(figures['cpu_ms']) / seconds:.1f}"
            f" / {60 * median(figures['sched_ms']) / seconds:.1f}"
            for name, figures in idle.items()
        )
    )
    if seconds < 60:
        bench.notes.append(
            f"timer: windows of {seconds:.0f} s may hold no tick of the timer (once a"
            " minute); quote 60 s windows"
        )
