"""Fault battery: a full disk (a small tmpfs, mounted for the test; needs root) under
`log`, `export -o` and `backup`: one line, exit 1 (or 2), nothing half-written, the
counts before kept, and everything works again once space is freed."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.conftest import (
    Export,
    Outcome,
    Salestui,
    assert_sound,
    calls_with_notes,
    copy_database,
    fill_disk,
    integrity,
    partials,
    small_disk,
    totals,
)

pytestmark = pytest.mark.slow


def assert_one_line(outcome: Outcome, *words: str, codes: tuple[int, ...] = (1,)) -> None:
    assert outcome.returncode in codes, (outcome.args, outcome.returncode, outcome.stderr)
    lines = outcome.lines()
    assert len(lines) == 1, outcome.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def free_pages(filler: Path, pages: int) -> None:
    """Give back `pages` pages of the filler (tmpfs frees whole pages)."""
    size = filler.stat().st_size
    os.truncate(filler, max(size - pages * 4096, 0))


@contextlib.contextmanager
def app_has_it_open(db: Path) -> Iterator[None]:
    """A connection kept open, as the app keeps one: the -wal and -shm files stay."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("SELECT count(*) FROM events").fetchone()
        yield


def test_log_on_a_full_disk_says_so_in_one_line_and_keeps_the_counts(cli: Salestui) -> None:
    with small_disk("2m") as disk:
        db = disk / "data" / "salestui.db"
        for _ in range(3):
            cli.ok(db, "log", "call")
        with app_has_it_open(db):
            filler = fill_disk(disk)
            for _ in range(2):
                refused = cli.run(db, "log", "call", "--note", "refused")
                assert_one_line(refused, str(db), "disk is full")
                assert refused.stdout == ""
            assert cli.json(db, "today", "--json")["counts"] == {
                "calls": 3,
                "meetings": 0,
                "sales": 0,
            }
            # Nearly full: the write may fit or fail part way; it is whole or not there.
            notes: list[str] = []
            for pages in (1, 1, 1, 2, 3, 8):
                free_pages(filler, pages)
                note = f"nearly full {len(notes)}"
                notes.append(note)
                outcome = cli.run(db, "log", "call", "--note", note)
                if outcome.returncode == 0:
                    assert outcome.stdout.strip() == "+1 call"
                else:
                    assert_one_line(outcome, str(db), "disk is full")
                    assert calls_with_notes(db, [note]) == set()
                assert integrity(db) == "ok"
            kept = calls_with_notes(db, notes)
            filler.unlink()
            cli.ok(db, "log", "call")
            counts = assert_sound(cli, db)
        assert calls_with_notes(db, ["refused"]) == set()
        assert counts["calls"] == totals(db)["calls"] == 3 + len(kept) + 1


def test_log_on_a_full_disk_nobody_has_open_fails_cleanly(cli: Salestui) -> None:
    """Nothing has the database open: SQLite must make its -shm file first, and cannot."""
    with small_disk("2m") as disk:
        db = disk / "data" / "salestui.db"
        for _ in range(3):
            cli.ok(db, "log", "call")
        filler = fill_disk(disk)
        refused = cli.run(db, "log", "call", "--note", "refused")
        assert_one_line(refused, str(db))
        assert refused.stdout == ""
        assert totals(db)["calls"] == 3 and integrity(db) == "ok"
        filler.unlink()
        cli.ok(db, "log", "call")
        counts = assert_sound(cli, db)
        assert calls_with_notes(db, ["refused"]) == set()
        assert counts["calls"] == 4


def test_log_on_a_full_disk_nobody_has_open_says_the_disk_is_full(cli: Salestui) -> None:
    with small_disk("2m") as disk:
        db = disk / "data" / "salestui.db"
        cli.ok(db, "log", "call")
        fill_disk(disk)
        assert_one_line(cli.run(db, "log", "call"), str(db), "disk is full")


def test_today_reads_on_a_full_disk_nobody_has_open(cli: Salestui) -> None:
    with small_disk("2m") as disk:
        db = disk / "data" / "salestui.db"
        cli.ok(db, "log", "call", "2")
        fill_disk(disk)
        today = cli.run(db, "today", "--json")
        assert today.returncode == 0, today.stderr
        assert json.loads(today.stdout)["counts"]["calls"] == 2


def test_export_onto_a_full_disk_keeps_the_earlier_export(
    cli: Salestui, tmp_path: Path, big_database: Export
) -> None:
    db = copy_database(big_database.path, tmp_path / "data" / "salestui.db")
    with small_disk("2m") as disk:
        target = disk / "salestui.json"
        cli.ok(db, "export", "--period", "today", "-o", str(target))
        earlier = target.read_bytes()
        # The whole log (~6 MB) does not fit: the disk fills up while it is written.
        outcome = cli.run(db, "export", "-o", str(target))
        assert_one_line(outcome, str(target), codes=(1, 2))
        assert "disk" in outcome.stderr and "full" in outcome.stderr, outcome.stderr
        assert target.read_bytes() == earlier
        assert partials(disk) == []
        # Full before it starts.
        filler = fill_disk(disk)
        outcome = cli.run(db, "export", "--period", "today", "-o", str(target))
        assert_one_line(outcome, str(target), codes=(1, 2))
        assert "disk" in outcome.stderr and "full" in outcome.stderr, outcome.stderr
        assert target.read_bytes() == earlier
        assert partials(disk) == []
        filler.unlink()
        cli.ok(db, "export", "--period", "today", "-o", str(target))
        assert target.read_bytes().startswith(b'{"format": "salestui-export"')
    assert totals(db) == big_database.totals
    assert_sound(cli, db)


def test_backup_onto_a_full_disk_leaves_nothing_behind(
    cli: Salestui, tmp_path: Path, big_database: Export
) -> None:
    db = copy_database(big_database.path, tmp_path / "data" / "salestui.db")
    with small_disk("2m") as disk:
        # A database larger than the disk: the copy fills it part way.
        outcome = cli.run(db, "backup", str(disk) + "/")
        assert_one_line(outcome, str(disk), "disk is full")
        assert sorted(p.name for p in disk.iterdir()) == []
        # The database itself on a disk that is full: `backup` beside it.
        small = disk / "data" / "salestui.db"
        for _ in range(2):
            cli.ok(small, "log", "meeting")
        backups = small.parent / "backups"
        with app_has_it_open(small):
            filler = fill_disk(disk)
            outcome = cli.run(small, "backup")
            assert_one_line(outcome, "disk is full")
            assert not backups.exists() or sorted(p.name for p in backups.iterdir()) == []
        # Nobody has it open now (the -shm may be gone, and cannot be made again).
        assert_one_line(cli.run(small, "backup"))
        assert not backups.exists() or sorted(p.name for p in backups.iterdir()) == []
        filler.unlink()
        made = Path(cli.ok(small, "backup").stdout.strip())
        assert made.parent == backups and integrity(made) == "ok"
        assert totals(made)["meetings"] == 2
        assert_sound(cli, small)
    assert_sound(cli, db)


def test_backup_of_a_database_on_a_full_disk_says_the_disk_is_full(cli: Salestui) -> None:
    with small_disk("2m") as disk:
        db = disk / "data" / "salestui.db"
        cli.ok(db, "log", "sale")
        fill_disk(disk)
        assert_one_line(cli.run(db, "backup"), "disk is full")


def no_file_may_grow() -> None:
    """In the child: files may not grow (RLIMIT_FSIZE 0), and a write past the limit
    fails with EFBIG instead of killing the process (SIGXFSZ ignored)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def test_log_when_no_file_may_grow_fails_in_one_line_and_keeps_the_counts(
    cli: Salestui, tmp_path: Path
) -> None:
    """The full disk without root: a file size limit (works where mount is not allowed)."""
    db = tmp_path / "data" / "salestui.db"
    for _ in range(3):
        cli.ok(db, "log", "call")
    for holding in (False, True):  # nobody has it open / the app has it open
        with app_has_it_open(db) if holding else contextlib.nullcontext():
            refused = cli.run(db, "log", "call", "--note", "refused", preexec_fn=no_file_may_grow)
            assert_one_line(refused, str(db))
            assert refused.stdout == ""
            assert totals(db)["calls"] == 3 and integrity(db) == "ok"
    cli.ok(db, "log", "call")
    counts = assert_sound(cli, db)
    assert calls_with_notes(db, ["refused"]) == set()
    assert counts["calls"] == 4
