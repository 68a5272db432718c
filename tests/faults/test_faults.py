"""The fault-injection battery (issue 7): salestui as real processes, hurt on purpose.

What it covers (each random choice comes from one seed, SALESTUI_FAULT_SEED, so a run
can be repeated exactly):

- kill -9 at random points (this file): of concurrent `log call` runs (also while the
  database is being created), of `import FILE` (a seeded JSON export of 30,000 events),
  of `export -o FILE` (with and without an earlier export at that name) and of `backup`.
  The kill delays are fractions of an uninterrupted run's time on this machine, so they
  land inside the work however loaded the machine is.
- a writer holding the lock, and an import running while `log` runs (test_lock.py);
- a full disk, a small tmpfs, under `log`, `export -o` and `backup` (test_full_disk.py);
- read-only files and folders, for an unprivileged user and on a read-only mount
  (test_read_only.py).

Every test ends with the same checks: `PRAGMA integrity_check` is ok, no count is below
zero (on disk, in `today --json` and in `funnel --period all --json`), every tally whose
confirmation was printed is counted, and no salestui process printed a traceback.
"""

from __future__ import annotations

import json
import random
import subprocess
import time
from pathlib import Path

import pytest

from tests.faults.conftest import (
    Export,
    Outcome,
    Salestui,
    assert_sound,
    calls_with_notes,
    copy_database,
    integrity,
    partials,
    rng_for,
    totals,
)

pytestmark = pytest.mark.slow


def spread(rng: random.Random, count: int, low: float, high: float) -> list[float]:
    """`count` random fractions from `low` to `high`, one in each of `count` equal slices
    (so that the kills reach every part of the work, not only where chance puts them)."""
    step = (high - low) / count
    return [low + step * (slice_ + rng.random()) for slice_ in range(count)]


def kill_each(cli: Salestui, db: Path, plans: list[tuple[float, tuple[str, ...]]]) -> list[Outcome]:
    """Start every `salestui ARGS` at once; SIGKILL each at its own delay (if still running)."""
    started = time.monotonic()
    procs = [(delay, args, cli.start(db, *args)) for delay, args in plans]
    outcomes = []
    for delay, args, proc in sorted(procs, key=lambda plan: plan[0]):
        remaining = started + delay - time.monotonic()
        killed = False
        try:
            proc.wait(timeout=max(remaining, 0))
        except subprocess.TimeoutExpired:
            proc.kill()
            killed = True
        outcomes.append(cli.collect(proc, args, started, killed))
    return outcomes


def test_kill_9_during_log_loses_no_confirmed_tally(cli: Salestui, tmp_path: Path) -> None:
    """Rounds of 6 concurrent `log call`, each killed at a random moment; the first round
    starts before the database exists (creation and migration are killed too)."""
    rng = rng_for("log")
    db = tmp_path / "data" / "salestui.db"
    confirmed: list[str] = []
    started: list[str] = []
    for round_number in range(4):
        plans: list[tuple[float, tuple[str, ...]]] = []
        for number in range(6):
            note = f"tally {round_number}.{number}"
            started.append(note)
            # A `log call` takes ~0.1 s here when idle: kills before, during and after it.
            plans.append((rng.uniform(0.0, 0.25), ("log", "call", "--note", note)))
        for outcome in kill_each(cli, db, plans):
            note = outcome.args[-1]
            if "+1 call" in outcome.stdout:
                confirmed.append(note)
            if not outcome.killed:
                assert outcome.returncode == 0, outcome.stderr
                assert "+1 call" in outcome.stdout
        if db.exists():  # after every round of kills, not only at the end
            assert_sound(cli, db)
    if not db.exists():
        pytest.fail("every log was killed before creating the database; raise the delays")
    counted = calls_with_notes(db, started)
    assert set(confirmed) <= counted, "a tally whose confirmation was printed is lost"
    counts = assert_sound(cli, db)
    # Each tally is there whole or not at all, and once.
    assert counts["calls"] == totals(db)["calls"] == len(counted)


def test_kill_9_during_import_then_the_same_import_completes_it(
    cli: Salestui, tmp_path: Path, big_export: Export
) -> None:
    rng = rng_for("import")
    base = tmp_path / "base.db"
    for metric in ("call", "call", "meeting"):
        cli.ok(base, "log", metric)
    before = totals(base)
    # The uninterrupted import: how long it takes here, and the totals it must end with.
    reference = copy_database(base, tmp_path / "reference" / "salestui.db")
    whole = cli.ok(reference, "import", str(big_export.path))
    expected = totals(reference)
    assert expected == {m: before[m] + big_export.totals[m] for m in before}
    shown = assert_sound(cli, reference)
    killed_at: list[tuple[Path, float]] = []
    for attempt, fraction in enumerate(spread(rng, 3, 0.2, 1.0)):
        db = copy_database(base, tmp_path / f"killed-{attempt}" / "salestui.db")
        delay = whole.seconds * fraction
        killed = cli.kill_after(db, delay, "import", str(big_export.path))
        assert killed.returncode == 0 or killed.killed, killed.stderr
        after_kill = assert_sound(cli, db)
        for metric, count in before.items():
            assert after_kill[metric] >= count, f"the kill at {delay:.2f}s lost {metric}"
        killed_at.append((db, delay))
    # The same import run again on each killed copy; the three run side by side (each
    # on its own file), the kills above one at a time so that each lands where planned.
    started = time.monotonic()
    args = ("import", str(big_export.path))
    procs = [cli.start(db, *args) for db, _ in killed_at]
    outcomes = [cli.collect(proc, args, started, False) for proc in procs]
    for (db, delay), outcome in zip(killed_at, outcomes, strict=True):
        assert outcome.returncode == 0, outcome.stderr
        assert outcome.stdout.startswith("added "), outcome.stdout
        assert totals(db) == expected, f"import killed at {delay:.2f}s, then run again"
        assert assert_sound(cli, db) == shown


def read_export(path: Path) -> int:
    """The number of events in a complete JSON export (fails on a half-written one)."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert payload["format"] == "salestui-export"
    return len(payload["events"])


def test_kill_9_during_export_never_leaves_half_a_file(
    cli: Salestui, tmp_path: Path, big_database: Export
) -> None:
    rng = rng_for("export")
    db = copy_database(big_database.path, tmp_path / "data" / "salestui.db")
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "salestui.json"
    whole = cli.ok(db, "export", "-o", str(target))
    expected = read_export(target)
    assert expected == big_database.events + 3
    reference = target.read_bytes()
    for attempt, fraction in enumerate(spread(rng, 6, 0.15, 1.0)):
        if attempt % 2 == 1:  # every other kill: no earlier export at that name
            target.unlink(missing_ok=True)
        existed = target.exists()
        delay = whole.seconds * fraction
        outcome = cli.kill_after(db, delay, "export", "-o", str(target))
        assert outcome.returncode == 0 or outcome.killed, outcome.stderr
        if target.exists():  # the earlier export, or the whole new one: never half of one
            assert target.read_bytes() == reference, f"export killed at {delay:.2f}s"
        else:
            assert not existed, f"the earlier export vanished (killed at {delay:.2f}s)"
    cli.ok(db, "export", "-o", str(target))
    assert target.read_bytes() == reference
    assert_sound(cli, db)


def test_a_later_export_deletes_what_a_killed_export_left(
    cli: Salestui, tmp_path: Path, big_database: Export
) -> None:
    rng = rng_for("export-partial")
    db = copy_database(big_database.path, tmp_path / "data" / "salestui.db")
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "salestui.json"
    whole = cli.ok(db, "export", "-o", str(target))
    left = []
    for fraction in spread(rng, 3, 0.3, 0.9):
        outcome = cli.kill_after(db, whole.seconds * fraction, "export", "-o", str(target))
        assert outcome.returncode == 0 or outcome.killed, outcome.stderr
        left += partials(folder)
    if not left:
        pytest.skip("no kill landed while the export was being written (machine too fast?)")
    cli.ok(db, "export", "-o", str(target))
    assert_sound(cli, db)
    assert partials(folder) == [], "hidden partial exports of killed runs are left forever"


def test_kill_9_during_backup_leaves_only_good_backups(
    cli: Salestui, tmp_path: Path, big_database: Export
) -> None:
    rng = rng_for("backup")
    db = copy_database(big_database.path, tmp_path / "data" / "salestui.db")
    folder = db.parent / "backups"
    whole = cli.ok(db, "backup")
    for fraction in spread(rng, 5, 0.1, 1.0):
        delay = whole.seconds * fraction
        outcome = cli.kill_after(db, delay, "backup")
        assert outcome.returncode == 0 or outcome.killed, outcome.stderr
        for copy in folder.glob("salestui-*.db"):  # a file named like a backup is a good one
            assert integrity(copy) == "ok", copy
            assert totals(copy) == big_database.totals, copy
        assert_sound(cli, db)
        time.sleep(0.01)
    cli.ok(db, "backup")
    assert partials(folder) == [], "a later backup leaves the partial copies of killed ones"
    assert totals(db) == big_database.totals
    assert_sound(cli, db)
