"""Fault battery: another process holds the write lock; an import runs while `log` does."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.faults.conftest import (
    Export,
    Salestui,
    assert_sound,
    calls_with_notes,
    read_only,
    totals,
)

pytestmark = pytest.mark.slow

HOLD_SECONDS = 2.0
"""Well under the 15 s busy timeout: whoever waits that long must get in. Long enough to
tell waiting from not: a writer must take at least HOLD_SECONDS - 1 s (1 s of slack for
starting it after the lock was taken), where an unhindered `log call` takes ~0.2 s."""

HOLDER = """
import sqlite3, sys, time, uuid
from datetime import datetime, UTC
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=15)
conn.execute("BEGIN IMMEDIATE")
now = datetime.now(UTC)
conn.execute(
    "INSERT INTO events (id, ts, day, metric, delta, note, source, cancels, about)"
    " VALUES (?, ?, ?, 'calls', 1, 'held', 'holder', NULL, NULL)",
    (str(uuid.uuid4()), now.isoformat(timespec="microseconds"),
     now.astimezone().date().isoformat()),
)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
print("released", flush=True)
"""


def test_tallies_wait_for_a_writer_holding_the_lock_and_all_count(
    cli: Salestui, tmp_path: Path
) -> None:
    db = tmp_path / "data" / "salestui.db"
    cli.ok(db, "log", "call", "2")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), str(HOLD_SECONDS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held", holder.communicate()[1]
    started = time.monotonic()
    notes = [f"waiting {number}" for number in range(4)]
    writers = [cli.start(db, "log", "call", "--note", note) for note in notes]
    # Readers and backups are not held up by a writer (WAL): they run meanwhile.
    readers = [
        (args, cli.start(db, *args))
        for args in (("today", "--json"), ("export", "-o", str(tmp_path / "during.json")))
    ] + [(("backup",), cli.start(db, "backup"))]
    read = [cli.collect(proc, args, started, False) for args, proc in readers]
    wrote = [
        cli.collect(proc, ("log", "call", "--note", note), started, False)
        for note, proc in zip(notes, writers, strict=True)
    ]
    _out, errors = holder.communicate(timeout=30)  # waits, and closes its pipes
    assert holder.returncode == 0, errors
    for outcome in read:
        assert outcome.returncode == 0, (outcome.args, outcome.stderr)
    for outcome in wrote:
        assert outcome.returncode == 0 and outcome.stderr == "", outcome.stderr
        assert outcome.stdout.strip() == "+1 call"
        # It waited for the holder (started right after the lock was taken).
        assert outcome.seconds >= HOLD_SECONDS - 1.0, outcome.seconds
    assert calls_with_notes(db, notes) == set(notes)
    counts = assert_sound(cli, db)
    assert counts["calls"] == totals(db)["calls"] == 2 + 1 + len(notes)


def events_in(db: Path) -> int:
    with contextlib.closing(read_only(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def test_tallies_during_a_large_import_all_count(
    cli: Salestui, tmp_path: Path, big_export: Export
) -> None:
    """DESIGN: a tally from the CLI during any import waits and succeeds."""
    db = tmp_path / "data" / "salestui.db"
    cli.ok(db, "log", "call", "2")
    base = events_in(db)
    started = time.monotonic()
    importing = cli.start(db, "import", str(big_export.path))
    notes = [f"during import {number}" for number in range(5)]
    launched: list[tuple[str, subprocess.Popen[str], bool, float]] = []

    def launch(note: str) -> None:
        during = importing.poll() is None
        proc = cli.start(db, "log", "call", "--note", note)
        launched.append((note, proc, during, time.monotonic()))

    # Two while the file is read and checked, three once events are being written.
    for note in notes[:2]:
        time.sleep(0.1)
        launch(note)
    deadline = time.monotonic() + 60
    while events_in(db) == base and importing.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    for note in notes[2:]:
        launch(note)
        time.sleep(0.05)
    overlapped = [during for _, _, during, _ in launched]
    wrote = [
        cli.collect(proc, ("log", "call", "--note", note), at, False)
        for note, proc, _, at in launched
    ]
    imported = cli.collect(importing, ("import", str(big_export.path)), started, False)
    assert imported.returncode == 0, imported.stderr
    for outcome in wrote:
        assert "locked" not in outcome.stderr, outcome.stderr
        assert outcome.returncode == 0 and outcome.stdout.strip() == "+1 call", outcome.stderr
    assert calls_with_notes(db, notes) == set(notes)
    counts = assert_sound(cli, db)
    expected = dict(big_export.totals)
    expected["calls"] += 2 + len(notes)
    assert totals(db) == expected
    assert counts == expected
    print(
        f"import {imported.seconds:.2f}s; logs launched while it ran: {sum(overlapped)}; "
        f"slowest log {max(w.seconds for w in wrote):.2f}s"
    )
