"""Phase `prospects` (issue 11, "Scale"): the Prospects tab and the prospect commands on
a database of 100k prospects and 1M linked touches (`--prospects`, `--touches`).

- Tab open: launch, wait for the counts and 1 s more (as the `tabs` phase does), press
  `5`, time until the tab's count line is on screen; against an empty database.
- Filter keystroke: on the open tab (the filter has the focus), type FILTER one
  character at a time; each keystroke ends at the first capture where the screen below
  the filter box (the count line, the list) differs from before the key. Against a
  database with no tallies and len(FILTER) prospects named so that every keystroke
  matches one fewer of them (an empty database shows nothing new after the first key).
- CLI: `due` and `log call --prospect NAME` against `log call`, all on the big database
  (wall times through bench/timing.py, taking turns).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.context import (
    Bench,
    db_in_own_folder,
    ensure_prospects_db,
    log,
    make_todays_backup,
    remove_db,
    seed_seconds,
)
from bench.report import Row
from bench.seed import sample_prospect
from bench.stats import median, ms, rotate
from bench.terminal import WEEK_RE, Timeout, Variant, launch_until_counts
from bench.timing import measure

TARGET = 1.2
TAB_KEY = "5"
TAB_TIMEOUT = 10.0
TAB_SETTLE = 1.0  # after the launch signal, as in the tabs phase
KEY_SETTLE = 0.3  # after a keystroke's change, before the next key
NO_CHANGE = 2.0  # a keystroke that changes nothing below the filter within this is dropped

FILTER = "kaiberg"
"""Typed into the filter, one key at a time: "Kai X. Berg" and the like in the seeded
database. Checked on it: each of the 7 keystrokes changes the rows shown (K, Ka, Kai
each leave fewer first names; the list drops from "the first 200" to 28 matches at
the last key), where a name like "Nora" does not (after "nor", "nora" shows the same
rows). No spaces: a trailing space filters as the text without it."""

# The tab's count line once its list is read: "200 of 100,000 — type to filter",
# "the first 200 — type to filter", "12 open prospects · by last touch", or with a
# filter "37 matching (open only)", "the first 200 matches (all)".
COUNT_RE = re.compile(
    r"\btype to filter\b|\bprospects \u00b7 by \w|\bmatch(?:ing|es) \((?:open only|all)\)"
)
PLACEHOLDER = "Type to filter"
"""The empty filter's placeholder: where the filter box is on the screen."""


def count_line(screen: str) -> str | None:
    """The tab's count line (stripped), or None before the list is read."""
    match = COUNT_RE.search(screen)
    if match is None:
        return None
    start = screen.rfind("\n", 0, match.start()) + 1
    end = screen.find("\n", match.end())
    return screen[start : end if end >= 0 else None].strip(" \u2502\u2503|")


def below_filter(screen: str, row: int) -> str:
    """The screen under the filter box (its three rows end at `row` + 1)."""
    return "\n".join(screen.splitlines()[row + 2 :])


def changed_below(before: str, row: int) -> Callable[[str], str | None]:
    """Probe: the part of the screen under the filter box is not what it was."""

    def probe(screen: str) -> str | None:
        return screen if below_filter(screen, row) != before else None

    return probe


def filter_row(screen: str) -> int:
    """The screen row of the filter box's text (its placeholder, before typing)."""
    for index, line in enumerate(screen.splitlines()):
        if PLACEHOLDER in line:
            return index
    raise RuntimeError("the Prospects tab shows no filter box; screen:\n" + screen.rstrip())


def run_tab_once(variant: Variant, text: str) -> dict[str, Any]:
    """Launch, open the tab 1 s after the counts, then type `text` key by key."""
    app, t0, _, t_launch = launch_until_counts(variant)
    out: dict[str, Any] = {"launch": t_launch - t0, "keys": [], "dropped": []}
    try:
        time.sleep(TAB_SETTLE)
        if count_line(app.capture()) is not None:
            raise RuntimeError("the Prospects tab's count line is on screen before its key")
        k0 = time.perf_counter()
        app.send_keys(TAB_KEY)
        k1, line = app.wait_for(count_line, TAB_TIMEOUT, since=k0)
        out["open"] = k1 - k0
        out["open_line"] = line
        time.sleep(KEY_SETTLE)
        row = filter_row(app.capture())
        for index, char in enumerate(text):
            before = below_filter(app.capture(), row)
            k0 = time.perf_counter()
            app.send_keys("-l", char)  # literally: no key names
            try:
                k1, screen = app.wait_for(changed_below(before, row), NO_CHANGE, since=k0)
            except Timeout:  # nothing changed below the filter
                out["dropped"].append(index)
                continue
            out["keys"].append(k1 - k0)
            out["last_line"] = count_line(screen)
            time.sleep(KEY_SETTLE)
        typed = app.capture().splitlines()[row]
        if text not in typed.lower():
            raise RuntimeError(f"the filter shows {typed.strip()!r} after typing {text!r}")
    finally:
        app.kill()
    return out


def measure_tab(variants: list[tuple[Variant, str]], reps: int) -> dict[str, dict[str, Any]]:
    """`reps` launches of each variant (typing its text), rotated, after one untimed
    warm-up each."""
    out: dict[str, dict[str, Any]] = {
        v.name: {"launch": [], "open": [], "keys": [], "dropped": 0, "lines": []}
        for v, _ in variants
    }
    log(f"prospects: warm-up launch of each of {len(variants)} variants")
    for variant, text in variants:
        run_tab_once(variant, text)
    for rep in range(reps):
        for variant, text in rotate(variants, rep):
            result = run_tab_once(variant, text)
            record = out[variant.name]
            record["launch"].append(result["launch"])
            record["open"].append(result["open"])
            record["keys"].extend(result["keys"])
            record["dropped"] += len(result["dropped"])
            for line in (result["open_line"], result.get("last_line")):
                if line and line not in record["lines"]:
                    record["lines"].append(line)
            time.sleep(0.2)
        log(
            f"prospects: rep {rep + 1}/{reps}: "
            + "; ".join(
                f"{name} open {1000 * r['open'][-1]:.0f} ms"
                + (f", keys median {1000 * median(r['keys']):.0f} ms" if r["keys"] else "")
                for name, r in out.items()
            )
        )
    return out


def ensure_few_db(template: Path, text: str) -> Path:
    """The filter's baseline: `template` (no tallies) and one prospect per prefix of
    `text` ("N", "No", "Nor", ...), added with the project's own code, so the k-th
    keystroke leaves len(text) - k + 1 of them: the count line changes every time."""
    from salestui.store.events import Store
    from salestui.store.prospects import add_prospect

    path = db_in_own_folder(f"prospects-few-{text}")
    remove_db(path)
    shutil.copyfile(template, path)
    with Store(path) as store:
        for end in range(1, len(text) + 1):
            add_prospect(store, text[:end].capitalize(), origin="bench")
    return path


def cli_rows(bench: Bench, big: Path, label: str) -> None:
    """`due` and `log call --prospect NAME` against `log call` on the big database."""
    salestui, db = str(bench.tools.salestui), str(big)
    # A typical prospect (about 10 touches); each run adds its touches, so the next run
    # of the day picks another.
    name = sample_prospect(big)
    log(f"prospects: CLI, {bench.cli_reps} runs of each command (`--prospect {name}`)")
    samples = measure(
        {
            "log call": [salestui, "--db", db, "log", "call"],
            "log call --prospect": [salestui, "--db", db, "log", "call", "--prospect", name],
            "due": [salestui, "--db", db, "due"],
            "due --json": [salestui, "--db", db, "due", "--json"],
        },
        bench.tools.env(),
        bench.cli_reps,
        use_hyperfine=bench.args.hyperfine,
    )
    bench.data["prospects_cli"] = {"prospect": name, **samples}
    for command, what in (
        ("due", "`due`"),
        ("log call --prospect", "`log call --prospect NAME`"),
        ("due --json", "  `due --json`"),
    ):
        bench.rows.append(
            Row(
                f"{what} vs `log call` ({label} prospects)",
                "ms",
                "log call",
                command,
                ms(samples["log call"]),
                ms(samples[command]),
                TARGET if command != "due --json" else None,
            )
        )


def run(bench: Bench) -> None:
    args = bench.args
    big_db = ensure_prospects_db(args.prospects, args.touches)
    label = f"{args.prospects / 1e3:g}k" if args.prospects >= 1000 else str(args.prospects)
    seeded = seed_seconds(big_db)
    if seeded.exists():
        times = json.loads(seeded.read_text())
        bench.notes.append(
            "prospects: the database (cached for the day) was seeded in "
            + ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
            + " (touches: each runs the trigger recomputing its prospect's figures)"
        )
    make_todays_backup(big_db)
    template = bench.dbs["empty"]
    few_db = ensure_few_db(template, FILTER)
    salestui = str(bench.tools.salestui)
    empty = bench.variants["empty"]  # a fresh copy of the empty database each launch
    few = Variant(
        f"salestui-{len(FILTER)}-prospects",
        salestui,
        WEEK_RE,
        bench.tools,
        db=db_in_own_folder("prospects-few-run"),
        fresh_copy_of=few_db,
    )
    big = Variant(f"salestui-{label}-prospects", salestui, WEEK_RE, bench.tools, db=big_db)
    few.prepare()
    assert few.db is not None
    make_todays_backup(few.db)

    cli_rows(bench, big_db, label)

    log(f"prospects: {bench.reps} launches of each, interleaved; filter {FILTER!r}")
    # The empty database opens the tab only: after the first key its screen shows
    # nothing new, whatever is typed.
    tab = measure_tab([(empty, ""), (few, FILTER), (big, FILTER)], bench.reps)
    bench.data["prospects_tab"] = tab
    bench.rows.append(
        Row(
            f"Prospects tab open ({label} vs empty)",
            "ms",
            empty.name,
            big.name,
            ms(tab[empty.name]["open"]),
            ms(tab[big.name]["open"]),
            TARGET,
        )
    )
    bench.rows.append(
        Row(
            f"Prospects filter keystroke ({label} vs {len(FILTER)} prospects)",
            "ms",
            few.name,
            big.name,
            ms(tab[few.name]["keys"]),
            ms(tab[big.name]["keys"]),
            TARGET,
        )
    )
    for variant in (empty, few, big):
        record = tab[variant.name]
        seen = " | ".join(record["lines"])
        bench.notes.append(f"prospects: {variant.name} showed: {seen}")
        if record["dropped"]:
            bench.notes.append(
                f"prospects: {variant.name}: {record['dropped']} keystrokes changed nothing"
                f" below the filter within {NO_CHANGE:.0f} s (left out)"
            )
