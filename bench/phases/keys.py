"""Phase `keys` (row 2): key press to screen, salestui against the bare counter, press by
press: both apps open side by side (each its own tmux server), presses alternating."""

from __future__ import annotations

import time

from bench.context import Bench, log
from bench.report import Row
from bench.stats import median, ms, rotate
from bench.terminal import Counter, Variant, open_counter

KEYS_SETTLE = 1.5  # after both launch signals: the first second's start-up work is over
KEYS_GAP = 0.2  # after each press's signal, before the next press (to either app)


def measure_keys(
    baseline: Variant, subject: Variant, launches: int, presses: int
) -> dict[str, list[float]]:
    """Both apps open side by side (each its own tmux server); presses alternate one by
    one between them, in an order that flips every press, so drift hits both sides."""
    out: dict[str, list[float]] = {"baseline": [], "salestui": [], "pairs": []}
    log(f"keys: {launches} launches x {presses} presses each, alternating press by press")
    for launch in range(launches):
        pair: list[Counter] = []
        try:
            for variant in rotate([baseline, subject], launch):
                pair.append(open_counter(variant)[0])
            time.sleep(KEYS_SETTLE)
            pair[0].press(), pair[1].press()  # untimed: first-press paths (imports, caches)
            time.sleep(KEYS_GAP)
            for i in range(presses):
                for counter in rotate(pair, i):
                    took = counter.press()
                    side = "baseline" if counter.variant is baseline else "salestui"
                    out[side].append(took)
                    time.sleep(KEYS_GAP)
                out["pairs"].append(out["salestui"][-1] / out["baseline"][-1])
        finally:
            for counter in pair:
                counter.app.kill()
        last_b = out["baseline"][-presses:]
        last_s = out["salestui"][-presses:]
        log(
            f"keys: launch {launch + 1}/{launches}: baseline {1000 * median(last_b):.1f} ms,"
            f" salestui {1000 * median(last_s):.1f} ms"
        )
    return out


def run(bench: Bench) -> None:
    baseline, empty = bench.variants["baseline"], bench.variants["empty"]
    keys = measure_keys(
        baseline,
        empty,
        bench.args.key_launches or (2 if bench.quick else 3),
        bench.args.key_presses or 12,
    )
    bench.data["keys"] = keys
    bench.rows.append(
        Row(
            "2 key press to screen (press by press)",
            "ms",
            "bare counter",
            "salestui-empty",
            ms(keys["baseline"]),
            ms(keys["salestui"]),
            1.2,
        )
    )
