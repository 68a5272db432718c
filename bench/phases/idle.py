"""Phase `idle` (row 5): CPU of the bare counter and of salestui left open, both at once
(each in its own tmux server), over windows of `--idle-seconds`."""

from __future__ import annotations

import time

from bench.context import Bench, log
from bench.noise import CLK_TCK, cpu_ns, cpu_ticks
from bench.report import Row
from bench.terminal import LAUNCH_TIMEOUT, Tmux, Variant, first_value, value_is


def measure_idle(
    variants: list[Variant], windows: int, seconds: float
) -> dict[str, dict[str, list[float]]]:
    """All variants open at once (each in its own tmux server), idle for `seconds`."""
    out: dict[str, dict[str, list[float]]] = {
        v.name: {"cpu_ms": [], "sched_ms": []} for v in variants
    }
    for window in range(windows):
        apps: list[tuple[Variant, Tmux]] = []
        try:
            for variant in variants:
                expected = variant.prepare()
                app = Tmux(f"exec {variant.command}", variant.env())
                apps.append((variant, app))
                app.start()
                app.fetch_pid()
                app.wait_for(value_is(variant.regex, expected), LAUNCH_TIMEOUT)
            time.sleep(3.0)  # let start-up work (deferred loads, first timers) finish
            start = {v.name: (cpu_ticks(a.pid), cpu_ns(a.pid)) for v, a in apps}
            time.sleep(seconds)
            for variant, app in apps:
                ticks, ns = cpu_ticks(app.pid), cpu_ns(app.pid)
                out[variant.name]["cpu_ms"].append(
                    1000 * (ticks - start[variant.name][0]) / CLK_TCK
                )
                out[variant.name]["sched_ms"].append((ns - start[variant.name][1]) / 1e6)
                # still showing the app, not a crash message?
                app.wait_for(first_value(variant.regex), 2.0)
        finally:
            for _, app in apps:
                app.kill()
        log(
            f"idle: window {window + 1}/{windows} ({seconds:.0f} s): "
            + ", ".join(f"{n} {r['cpu_ms'][-1]:.0f} ms" for n, r in out.items())
        )
    return out


def run(bench: Bench) -> None:
    baseline, empty = bench.variants["baseline"], bench.variants["empty"]
    idle_windows, idle_seconds, rows = bench.idle_windows, bench.idle_seconds, bench.rows
    log(f"idle: {idle_windows} x {idle_seconds:.0f} s, both apps open at once")
    idle = measure_idle([baseline, empty], idle_windows, idle_seconds)
    bench.data["idle"] = idle
    rows.append(
        Row(
            f"5 idle CPU per {idle_seconds:.0f} s (utime+stime)",
            "ms cpu",
            "baseline",
            "salestui-empty",
            idle["baseline"]["cpu_ms"],
            idle[empty.name]["cpu_ms"],
            1.2,
        )
    )
    rows.append(
        Row(
            f"  idle CPU per {idle_seconds:.0f} s (schedstat)",
            "ms cpu",
            "baseline",
            "salestui-empty",
            idle["baseline"]["sched_ms"],
            idle[empty.name]["sched_ms"],
            None,
        )
    )
