"""Phase `first` (row 7): presses in the first second after launch, on an empty and on
the big database, against the steady press of phase `keys` (when it ran)."""

from __future__ import annotations

import time
from typing import Any

from bench.context import Bench, log
from bench.report import Row
from bench.stats import median, ms, rotate
from bench.terminal import Variant, open_counter

FIRST_PRESSES = 5  # presses timed right after the launch signal
FIRST_GAP = 0.2  # between them: a person counting from the moment the counts show, so
# the presses cover the first second (when the other tabs and the figures are loaded)


def measure_first_second(variants: list[Variant], launches: int) -> dict[str, dict[str, Any]]:
    """Launch, and as soon as the counts show press `c` FIRST_PRESSES times (each once the
    one before is on screen, FIRST_GAP apart): what a person who opens the app and counts
    at once gets. Launches of the variants rotated."""
    out: dict[str, dict[str, Any]] = {
        v.name: {"keys": [], "at": [], "worst_per_launch": []} for v in variants
    }
    log(f"first: {launches} launches of each of {len(variants)} variants, after a warm-up")
    for variant in variants:
        counter, _ = open_counter(variant)
        try:
            counter.press()
        finally:
            counter.app.kill()
    for launch in range(launches):
        for variant in rotate(variants, launch):
            counter, seen = open_counter(variant)
            try:
                took: list[float] = []
                for _ in range(FIRST_PRESSES):
                    out[variant.name]["at"].append(time.perf_counter() - seen)
                    took.append(counter.press())
                    time.sleep(FIRST_GAP)
            finally:
                counter.app.kill()
            out[variant.name]["keys"].extend(took)
            out[variant.name]["worst_per_launch"].append(max(took))
            time.sleep(0.2)
        log(
            f"first: launch {launch + 1}/{launches}: "
            + ", ".join(
                f"{name} {' '.join(f'{1000 * t:.0f}' for t in r['keys'][-FIRST_PRESSES:])} ms"
                for name, r in out.items()
            )
        )
    return out


def run(bench: Bench) -> None:
    baseline, empty, big = (bench.variants[k] for k in ("baseline", "empty", "big"))
    first_keys = measure_first_second(
        [baseline, empty, big], bench.args.first_launches or (3 if bench.quick else 5)
    )
    bench.data["first"] = first_keys
    steady = bench.data.get("keys", {}).get("salestui")
    for variant in (empty, big):
        bench.rows.append(
            Row(
                f"7 first {FIRST_PRESSES} presses after launch, {variant.name}"
                + (" vs steady" if steady else " vs bare counter's"),
                "ms",
                "steady salestui" if steady else "bare counter first",
                variant.name,
                ms(steady or first_keys["baseline"]["keys"]),
                ms(first_keys[variant.name]["keys"]),
                2.0,
            )
        )
        worst = max(first_keys[variant.name]["keys"], default=float("nan"))
        bench.notes.append(
            f"first presses, {variant.name}: slowest {1000 * worst:.0f} ms; median"
            f" of each launch's slowest"
            f" {1000 * median(first_keys[variant.name]['worst_per_launch']):.0f} ms"
        )
