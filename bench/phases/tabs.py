"""Phase `tabs` (rows 6a-6c): switching to the Funnel, Goals and History tabs 1 s after
launch, the big database against an empty one; and History pressed at launch (info)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from bench.context import Bench, log
from bench.report import Row
from bench.stats import ms, rotate
from bench.terminal import KEY_TIMEOUT, WEEK_RE, Variant, launch_until_counts

TAB_TIMEOUT = 10.0
TAB_SETTLE = 1.0  # after the launch signal: nobody switches tabs within a second of launching
TAB_BACK = 0.3  # after `1` has brought the Today tab back, before the next tab's key

# What each tab shows only once its figures are loaded (before that its pane is blank):
# key, then signal patterns tried in order (the line of the first that matches is kept
# for the report). Checked by hand on the empty and the 1M database (see bench/README.md).
TAB_SIGNALS: dict[str, tuple[str, tuple[re.Pattern[str], ...]]] = {
    # the funnel's "Overall …" line (also "Overall —  no calls in this period")
    "funnel": ("2", (re.compile(r"^\s*Overall\b", re.M),)),
    "goals": (
        "3",
        (
            # the plan's headline in its bordered box, with a goal set (possibly after
            # "Today is a day off. ")
            re.compile(
                r"^[\s\u2502\u2503|]*"
                r"(?:(?:Today is a day off|The month has no working day left)\. )?"
                r"Today you need\b",
                re.M,
            ),
            # no plan (no goal, as on both seeded databases, or a rate missing): the title
            # line "November 2026 · no goal yet · 21 working days, 2 left", written in the
            # same call as the headline, whose wording for these cases changes and wraps
            re.compile(
                r"\u00b7 (?:no goal yet|goal [\d,]+ sales) \u00b7 \d+ working days?, \d+ left"
            ),
        ),
    ),
    # the summary line "Streak N working days · longest M" ("No tallies yet" is the line
    # below it on an empty database, drawn in the same widget)
    "history": ("4", (re.compile(r"\bStreak \d[\d,]*\b|No tallies yet"),)),
}


def matched_line(patterns: tuple[re.Pattern[str], ...]) -> Callable[[str], str | None]:
    """The screen line holding the first pattern's match (stripped of borders), or None."""

    def probe(screen: str) -> str | None:
        for regex in patterns:
            match = regex.search(screen)
            if match:
                start = screen.rfind("\n", 0, match.start()) + 1
                end = screen.find("\n", match.end())
                return screen[start : end if end >= 0 else None].strip(" \u2502\u2503|")
        return None

    return probe


def back_on_today(gone: tuple[re.Pattern[str], ...]) -> Callable[[str], int | None]:
    """The Today tab is showing again: its counts are there and the other tab's signal not."""
    other_tab = matched_line(gone)

    def probe(screen: str) -> int | None:
        return 1 if WEEK_RE.search(screen) and other_tab(screen) is None else None

    return probe


def run_tabs_once(variant: Variant) -> dict[str, Any]:
    """Launch; 1 s later switch to each other tab in turn, back to Today between them."""
    app, t0, _, t_launch = launch_until_counts(variant)
    out: dict[str, Any] = {"launch": t_launch - t0}
    try:
        time.sleep(TAB_SETTLE)
        for tab, (key, patterns) in TAB_SIGNALS.items():
            if matched_line(patterns)(app.capture()) is not None:
                raise RuntimeError(f"the {tab} tab's signal is on screen before its key")
            k0 = time.perf_counter()
            app.send_keys(key)
            k1, line = app.wait_for(matched_line(patterns), TAB_TIMEOUT, since=k0)
            out[tab] = k1 - k0
            out[f"{tab}_line"] = line
            app.send_keys("1")
            app.wait_for(back_on_today(patterns), KEY_TIMEOUT)
            time.sleep(TAB_BACK)
    finally:
        app.kill()
    return out


def run_history_cold(variant: Variant) -> dict[str, Any]:
    """Launch and press `4` as soon as the counts are on screen."""
    app, t0, _, t_launch = launch_until_counts(variant)
    try:
        k0 = time.perf_counter()
        app.send_keys("4")
        k1, line = app.wait_for(matched_line(TAB_SIGNALS["history"][1]), TAB_TIMEOUT, since=k0)
    finally:
        app.kill()
    return {
        "launch": t_launch - t0,
        "history_cold": k1 - t_launch,
        "history_cold_from_key": k1 - k0,
        "history_cold_line": line,
    }


def measure_tabs(variants: list[Variant], reps: int) -> dict[str, dict[str, Any]]:
    """Per repetition, for each variant: one launch switching to every tab (1 s after the
    launch signal) and one launch pressing `4` at once; the four runs rotated."""
    series = ("launch", *TAB_SIGNALS, "cold_launch", "history_cold", "history_cold_from_key")
    out: dict[str, dict[str, Any]] = {
        v.name: {**{s: [] for s in series}, "lines": {t: [] for t in TAB_SIGNALS}} for v in variants
    }

    def keep_line(name: str, tab: str, line: str) -> None:
        if line not in out[name]["lines"][tab]:
            out[name]["lines"][tab].append(line)

    log(f"tabs: warm-up launch of each of {len(variants)} variants (both procedures)")
    for variant in variants:
        run_tabs_once(variant)
        run_history_cold(variant)
    runs = [(v, proc) for proc in ("switch", "cold") for v in variants]
    for rep in range(reps):
        for variant, proc in rotate(runs, rep):
            record = out[variant.name]
            if proc == "switch":
                result = run_tabs_once(variant)
                record["launch"].append(result["launch"])
                for tab in TAB_SIGNALS:
                    record[tab].append(result[tab])
                    keep_line(variant.name, tab, result[f"{tab}_line"])
            else:
                result = run_history_cold(variant)
                record["cold_launch"].append(result["launch"])
                record["history_cold"].append(result["history_cold"])
                record["history_cold_from_key"].append(result["history_cold_from_key"])
                keep_line(variant.name, "history", result["history_cold_line"])
            time.sleep(0.2)
        log(
            f"tabs: rep {rep + 1}/{reps}: "
            + "; ".join(
                f"{n} "
                + " ".join(f"{t} {1000 * r[t][-1]:.0f}" for t in TAB_SIGNALS)
                + f" cold history {1000 * r['history_cold'][-1]:.0f} ms"
                for n, r in out.items()
            )
        )
    return out


def run(bench: Bench) -> None:
    empty, big = bench.variants["empty"], bench.variants["big"]
    size, rows, notes, reps = bench.size, bench.rows, bench.notes, bench.reps
    log(f"tabs: {reps} repetitions, interleaved")
    tabs = measure_tabs([empty, big], reps)
    bench.data["tabs"] = tabs
    for number, tab in (("6a", "funnel"), ("6b", "goals"), ("6c", "history")):
        rows.append(
            Row(
                f"{number} {tab.capitalize()} tab, {size} vs empty",
                "ms",
                "salestui-empty",
                big.name,
                ms(tabs[empty.name][tab]),
                ms(tabs[big.name][tab]),
                1.2,
            )
        )
    rows.append(
        Row(
            f"  History tab pressed at launch, {size} vs empty",
            "ms",
            "salestui-empty",
            big.name,
            ms(tabs[empty.name]["history_cold"]),
            ms(tabs[big.name]["history_cold"]),
            None,
        )
    )
    for variant in (empty, big):
        for tab in TAB_SIGNALS:
            seen = " | ".join(
                line if len(line) <= 64 else line[:63] + "\u2026"
                for line in tabs[variant.name]["lines"][tab]
            )
            notes.append(f"tabs: {variant.name}, {tab} tab showed: {seen}")
