"""Backups: online copies that are checked before they get their name, and a daily rotation."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from salestui.domain.periods import DateRange
from salestui.store import Store, StoreError
from salestui.store import backup as backup_module
from salestui.store.backup import (
    backup_to,
    backups_folder,
    daily_backup_path,
    ensure_daily_backup,
    prune_daily_backups,
)
from tests.conftest import FakeClock

TODAY = date(2026, 11, 27)
ALL = DateRange(date(2000, 1, 1), date(2100, 1, 1))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def events(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def test_backup_is_a_checked_self_contained_copy(
    store: Store, db_path: Path, tmp_path: Path, clock: FakeClock
) -> None:
    store.log("calls", 3)
    store.log("sales")
    dest = tmp_path / "copies" / "mine.db"
    assert backup_to(db_path, dest) == dest
    assert not dest.with_name("mine.db-wal").exists()
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()
    with Store(dest, clock=clock) as copy:
        assert copy.counts(ALL) == store.counts(ALL)
    assert leftovers(dest.parent) == []


def test_backup_only_reads_the_source(store: Store, db_path: Path, tmp_path: Path) -> None:
    store.log("calls")
    store.close()
    before = digest(db_path)
    backup_to(db_path, tmp_path / "a.db")
    assert digest(db_path) == before


def test_backup_while_another_connection_writes(
    store: Store, db_path: Path, tmp_path: Path, clock: FakeClock
) -> None:
    store.log("calls")
    stop = threading.Event()
    written: list[int] = []
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with Store(db_path, clock=clock) as other:
                while not stop.is_set():
                    other.log("calls", note="x" * 500)
                    written.append(1)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = [backup_to(db_path, tmp_path / f"copy-{n}.db") for n in range(5)]
    finally:
        stop.set()
        thread.join()
    assert not failures
    assert len(written) > 0
    counts = [events(copy) for copy in copies]
    assert counts == sorted(counts)  # each a consistent snapshot, later ones larger or equal
    assert counts[0] >= 1 and counts[-1] <= 1 + len(written)
    for copy in copies:
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # the rollup in the copy agrees with its own log
        total = conn.execute("SELECT SUM(count) FROM day_totals").fetchone()[0]
        assert total == conn.execute("SELECT SUM(delta) FROM events").fetchone()[0]
        conn.close()


def test_backup_refuses_missing_foreign_and_existing(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    with pytest.raises(StoreError, match="nothing to back up"):
        backup_to(tmp_path / "missing.db", tmp_path / "out.db")
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    before = digest(foreign)
    with pytest.raises(StoreError, match="not a salestui database"):
        backup_to(foreign, tmp_path / "out.db")
    assert digest(foreign) == before
    assert not (tmp_path / "out.db").exists()
    existing = tmp_path / "existing.db"
    existing.write_text("keep me")
    with pytest.raises(StoreError, match="already exists"):
        backup_to(db_path, existing)
    assert existing.read_text() == "keep me"


def test_a_bad_copy_is_deleted(
    store: Store, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.log("calls")

    def broken_copy(source: sqlite3.Connection, partial: Path, dest: Path) -> None:
        partial.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)

    monkeypatch.setattr(backup_module, "_copy", broken_copy)
    dest = tmp_path / "bad.db"
    with pytest.raises(StoreError) as info:
        backup_to(db_path, dest)
    assert str(info.value).startswith(f"{dest}: ")
    assert not dest.exists()
    assert leftovers(tmp_path) == []


def test_daily_backup_once_a_day(store: Store, db_path: Path) -> None:
    store.log("calls")
    made = ensure_daily_backup(db_path, TODAY)
    assert made == backups_folder(db_path) / "salestui-2026-11-27.db"
    assert made is not None and events(made) == 1
    store.log("calls")
    assert ensure_daily_backup(db_path, TODAY) is None
    assert events(made) == 1  # today's is not redone
    tomorrow = ensure_daily_backup(db_path, TODAY + timedelta(days=1))
    assert tomorrow is not None and events(tomorrow) == 2


def test_no_database_no_backup(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "salestui.db"
    assert ensure_daily_backup(db_path, TODAY) is None
    assert not (tmp_path / "data").exists()


def make_old_backups(db_path: Path, days: int) -> list[Path]:
    folder = backups_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    seed = backup_to(db_path, folder / "seed.tmp")
    made = []
    for offset in range(1, days + 1):
        path = daily_backup_path(db_path, TODAY - timedelta(days=offset))
        shutil.copy(seed, path)
        made.append(path)
    seed.unlink()
    return made


def test_daily_backups_keep_the_newest_seven(store: Store, db_path: Path) -> None:
    store.log("calls")
    old = make_old_backups(db_path, 9)
    on_demand = backups_folder(db_path) / "salestui-2026-01-01-120000.db"
    shutil.copy(old[0], on_demand)
    other_file = backups_folder(db_path) / "notes.txt"
    other_file.write_text("mine")
    made = ensure_daily_backup(db_path, TODAY)
    assert made is not None
    daily = sorted(p.name for p in backups_folder(db_path).glob("salestui-????-??-??.db"))
    assert daily == [f"salestui-{TODAY - timedelta(days=n)}.db" for n in range(6, -1, -1)]
    assert on_demand.exists() and other_file.exists()


def test_daily_backup_is_verified_before_pruning(
    store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.log("calls")
    old = make_old_backups(db_path, 9)

    def failing(partial: Path, dest: Path) -> None:
        raise StoreError(dest, "the copy failed its integrity check (simulated)")

    monkeypatch.setattr(backup_module, "_verify", failing)
    with pytest.raises(StoreError, match="integrity check"):
        ensure_daily_backup(db_path, TODAY)
    assert all(path.exists() for path in old)  # nothing pruned
    assert not daily_backup_path(db_path, TODAY).exists()
    assert leftovers(backups_folder(db_path)) == []


def test_prune_never_deletes_the_spared_copy(store: Store, db_path: Path) -> None:
    store.log("calls")
    make_old_backups(db_path, 3)
    oldest = daily_backup_path(db_path, TODAY - timedelta(days=3))
    deleted = prune_daily_backups(db_path, keep=1, spare=oldest)
    assert oldest.exists() and len(deleted) == 1
    with pytest.raises(ValueError):
        ensure_daily_backup(db_path, TODAY, keep=0)
