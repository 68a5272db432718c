"""Phase `tui` (rows 1 and 4a): launch to counts on screen, the bare counter, salestui on
an empty and on the big database (and the day's first launch, backup running), launches
rotated; 5 presses per launch (key press launch by launch, info only)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from bench.context import Bench, log
from bench.report import Row
from bench.stats import median, ms, rotate
from bench.terminal import Counter, Variant, launch_until_counts


@dataclass
class TuiRun:
    launch: float
    keys: list[float]
    first_signal: float
    backup_done: float | None = None


def run_tui_once(
    variant: Variant, presses: int, settle: float, gap: float, wait_backup: bool = False
) -> TuiRun:
    app, t0, t_first, t_right = launch_until_counts(variant)
    try:
        keys: list[float] = []
        if variant.keys and presses:
            time.sleep(settle)
            counter = Counter(app, variant)
            for _ in range(presses):
                keys.append(counter.press())
                time.sleep(gap)
        backup_done = None
        if wait_backup and variant.db is not None:
            # The app makes the day's first backup on a worker thread: when is it done?
            made = variant.db.parent / "backups" / f"salestui-{date.today().isoformat()}.db"
            deadline = time.perf_counter() + 60
            while not made.exists() and time.perf_counter() < deadline:
                time.sleep(0.02)
            backup_done = time.perf_counter() - t0 if made.exists() else None
        return TuiRun(
            launch=t_right - t0, keys=keys, first_signal=t_first - t0, backup_done=backup_done
        )
    finally:
        app.kill()


def measure_tui(
    variants: list[Variant], reps: int, presses: int
) -> dict[str, dict[str, list[float]]]:
    out: dict[str, dict[str, list[float]]] = {
        v.name: {
            "launch": [],
            "keys": [],
            "keys_per_launch": [],
            "first_signal": [],
            "backup_done_s": [],
        }
        for v in variants
    }
    log(f"tui: warm-up launch of each of {len(variants)} variants")
    for variant in variants:
        warm = run_tui_once(
            variant, presses=1, settle=0.3, gap=0.05, wait_backup=variant.first_of_day
        )
        if warm.backup_done is not None:
            out[variant.name]["backup_done_s"].append(warm.backup_done)
            log(f"tui: {variant.name}: the daily backup was done {warm.backup_done:.1f} s in")
    for rep in range(reps):
        for variant in rotate(variants, rep):
            result = run_tui_once(variant, presses=presses, settle=0.5, gap=0.2)
            out[variant.name]["launch"].append(result.launch)
            out[variant.name]["first_signal"].append(result.first_signal)
            out[variant.name]["keys"].extend(result.keys)
            if result.keys:
                out[variant.name]["keys_per_launch"].append(median(result.keys))
            time.sleep(0.2)
        log(
            f"tui: rep {rep + 1}/{reps}: "
            + ", ".join(
                f"{n} launch {1000 * r['launch'][-1]:.0f} ms"
                + (f" keys {1000 * median(r['keys'][-presses:]):.1f} ms" if r["keys"] else "")
                for n, r in out.items()
            )
        )
    return out


def run(bench: Bench) -> None:
    baseline, empty, big, first = (bench.variants[k] for k in ("baseline", "empty", "big", "first"))
    size, rows, notes = bench.size, bench.rows, bench.notes
    variants = [baseline, empty, big] + ([first] if bench.args.first_of_day else [])
    tui = measure_tui(variants, bench.reps, bench.presses)
    bench.data["tui"] = tui
    rows.append(
        Row(
            "1 launch to counts on screen",
            "ms",
            "baseline",
            "salestui-empty",
            ms(tui["baseline"]["launch"]),
            ms(tui[empty.name]["launch"]),
            1.15,
        )
    )
    rows.append(
        Row(
            "  key press, launch by launch (see 2)",
            "ms",
            "baseline",
            "salestui-empty",
            ms(tui["baseline"]["keys"]),
            ms(tui[empty.name]["keys"]),
            None,
            paired=(
                ms(tui["baseline"]["keys_per_launch"]),
                ms(tui[empty.name]["keys_per_launch"]),
            ),
        )
    )
    rows.append(
        Row(
            f"4a launch, {size} events vs empty",
            "ms",
            "salestui-empty",
            big.name,
            ms(tui[empty.name]["launch"]),
            ms(tui[big.name]["launch"]),
            1.1,
        )
    )
    rows.append(
        Row(
            f"  key press, {size} events vs empty",
            "ms",
            "salestui-empty",
            big.name,
            ms(tui[empty.name]["keys"]),
            ms(tui[big.name]["keys"]),
            None,
            paired=(
                ms(tui[empty.name]["keys_per_launch"]),
                ms(tui[big.name]["keys_per_launch"]),
            ),
        )
    )
    if bench.args.first_of_day:
        rows.append(
            Row(
                f"  launch, {size}, first of the day (backup runs)",
                "ms",
                big.name,
                first.name,
                ms(tui[big.name]["launch"]),
                ms(tui[first.name]["launch"]),
                None,
            )
        )
        rows.append(
            Row(
                f"  key press, {size}, first of the day (backup runs)",
                "ms",
                big.name,
                first.name,
                ms(tui[big.name]["keys"]),
                ms(tui[first.name]["keys"]),
                None,
                paired=(
                    ms(tui[big.name]["keys_per_launch"]),
                    ms(tui[first.name]["keys_per_launch"]),
                ),
            )
        )
        done = tui[first.name]["backup_done_s"]
        notes.append(
            f"first launch of the day on the {size} database: the daily backup"
            + (
                f" was done {done[0]:.1f} s after the launch (warm-up run)"
                if done
                else " did not finish within 60 s of the launch"
            )
        )
