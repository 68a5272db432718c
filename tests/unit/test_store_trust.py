"""Rules for trust in the store: counts never below zero, a tally cancelled once,
bounded deltas, imported tallies never undone by `undo`, settings kept per key,
private files, and reading that creates nothing."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from salestui.domain.metrics import MAX_COUNT
from salestui.domain.periods import DateRange
from salestui.figures import calendar, goal_book, save_calendar, save_goal
from salestui.store import BelowZeroError, Event, Store, StoreError
from salestui.store.events import (
    EVENT_COLUMNS,
    WalNotReadable,
    new_id,
    read_only_connection,
    sqlite_uri,
)
from salestui.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from tests.conftest import FakeClock, sql_one

TODAY = DateRange(date(2026, 11, 27), date(2026, 11, 27))


def insert_raw(db_path: Path, event: Event) -> None:
    """An event written as a merge from another machine would write it (a plain INSERT:
    the append-only triggers see it like any other)."""
    db = sqlite_utils.Database(db_path)
    try:
        db.table("events").insert(dataclasses.asdict(event))
    finally:
        db.close()


def undo_event(of: Event, ts: str = "2026-11-27T10:00:00.000000+00:00") -> Event:
    return Event(new_id(), ts, of.day, of.metric, -of.delta, None, "cli", of.id)


def test_a_tally_undone_on_two_machines_counts_as_undone_once(store: Store, db_path: Path) -> None:
    store.log("calls", 3)
    tally = store.log("calls", 2)
    store.undo(tally.id)  # this machine
    insert_raw(db_path, undo_event(tally))  # the other machine's undo, merged in
    assert store.counts(TODAY)["calls"] == 3
    assert store.day_totals(TODAY)[date(2026, 11, 27)]["calls"] == 3


def test_merging_both_ways_gives_the_same_figures(tmp_path: Path, clock: FakeClock) -> None:
    laptop = Store(tmp_path / "laptop.db", clock=clock)
    desktop = Store(tmp_path / "desktop.db", clock=clock)
    shared = laptop.log("calls", 4)
    insert_raw(desktop.path, shared)
    laptop.undo(shared.id)
    desktop.undo(shared.id)
    laptop.log("meetings")
    merged = []
    for here, there in ((laptop, desktop), (desktop, laptop)):
        rows = there.connection.execute(
            f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY rowid"
        ).fetchall()
        for row in rows:
            if here.event(row[0]) is None:
                insert_raw(here.path, Event(*row))
    for each in (laptop, desktop):
        merged.append(each.counts(TODAY))
        each.close()
    assert merged[0] == merged[1] == {"calls": 0, "meetings": 1, "sales": 0}


def test_no_count_is_ever_read_below_zero(store: Store, db_path: Path) -> None:
    tally = store.log("calls")
    correction = Event(new_id(), tally.ts, tally.day, "calls", -5, None, "cli", None)
    insert_raw(db_path, correction)  # e.g. merged from a machine that corrected more
    assert store.counts(TODAY)["calls"] == 0
    assert store.day_totals(TODAY)[date(2026, 11, 27)]["calls"] == 0
    row = sql_one(db_path, "SELECT calls FROM daily_counts")
    assert row == (0,)


def test_undo_refused_when_the_tally_was_already_taken_back(
    db_path: Path, clock: FakeClock
) -> None:
    pane_a = Store(db_path, clock=clock)
    pane_b = Store(db_path, clock=clock)
    tally = pane_a.log("calls")
    pane_b.log("calls", -1)
    with pytest.raises(BelowZeroError):
        pane_a.undo(tally.id)
    assert pane_a.counts(TODAY)["calls"] == 0
    assert not pane_a.is_cancelled(tally.id)  # nothing was written
    pane_a.close()
    pane_b.close()


def test_deltas_are_bounded(store: Store, db_path: Path) -> None:
    with pytest.raises(ValueError, match="at most 10,000"):
        store.log("calls", MAX_COUNT + 1)
    store.log("calls", MAX_COUNT)
    huge = Event(new_id(), "2026-11-27T09:00:00.000000+00:00", "2026-11-27", "calls",
                 2**63 - 1, None, "sqlite3", None)  # fmt: skip
    with pytest.raises(sqlite3.IntegrityError, match="malformed event"):
        insert_raw(db_path, huge)
    assert store.counts(TODAY)["calls"] == MAX_COUNT


def test_hand_made_bad_rows_are_refused_or_reported(store: Store, db_path: Path) -> None:
    ts = "2026-11-27T09:00:00.000000+00:00"
    for day, metric, delta in (("x", "calls", 1), ("2026-11-27", "calls", "lots"),
                               ("2026-11-27", "calls", 1.5), ("2026-11-27", "", 1)):  # fmt: skip
        bad = Event(new_id(), ts, day, metric, delta, None, "sqlite3", None)  # type: ignore[arg-type]
        with pytest.raises(sqlite3.IntegrityError, match="malformed event"):
            insert_raw(db_path, bad)
    # A file from before the checks may hold such a row: reading it is one clear error.
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER events_check")
    conn.execute("INSERT INTO day_totals VALUES ('2026-11-27', 'calls', 'many')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="malformed row"):
        store.counts(TODAY)


def test_undo_never_cancels_an_imported_tally(store: Store, db_path: Path) -> None:
    own = store.log("meetings")
    imported = Event(new_id(), "2026-11-27T08:00:00.000000+00:00", "2026-11-27", "calls", 1,
                     None, "tui", None)  # fmt: skip
    with store.writing() as conn:
        store._insert(conn, imported)
        rowid = conn.execute("SELECT rowid FROM events WHERE id = ?", (imported.id,)).fetchone()
        store.record_import(conn, rowid[0], rowid[0], "laptop.json")
    assert store.undo() == own
    assert store.undo() is None  # the imported tally is left alone
    assert store.counts(TODAY) == {"calls": 1, "meetings": 0, "sales": 0}


def test_settings_keep_every_key_and_the_latest_change(store: Store) -> None:
    store.set_setting("theme", "nord")
    store.set_setting("theme", "gruvbox")  # same clock reading: still the later change
    assert store.setting("theme") == "gruvbox"
    store.set_setting("theme", None)
    assert store.setting("theme") is None
    rows = store.connection.execute("SELECT count(*) FROM setting_changes").fetchone()[0]
    assert rows == 3  # nothing overwritten: every change is kept


def test_goals_and_calendar_are_one_setting_per_fact(store: Store) -> None:
    save_goal(store, "2026-12", 60, only=True)
    save_goal(store, "2027-02", 70, only=True)
    save_goal(store, "2026-11", 50)  # from November on; one-month goals from then on go
    book = goal_book(store)
    assert (book.target_for("2026-11"), book.target_for("2026-12")) == (50, 50)
    save_goal(store, "2027-01", 55, only=True)
    assert goal_book(store).target_for("2027-01") == 55
    work = calendar(store)
    save_calendar(store, type(work)(weekdays=frozenset({0, 1, 2, 3}), holidays=frozenset(
        {date(2026, 12, 24)})))  # fmt: skip
    again = calendar(store)
    assert again.weekdays == frozenset({0, 1, 2, 3})
    assert again.holidays == frozenset({date(2026, 12, 24)})


def test_migration_from_schema_2_keeps_settings_and_fixes_counts(
    db_path: Path, clock: FakeClock
) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    for version in (1, 2):
        for statement in MIGRATIONS[version]:
            assert isinstance(statement, str)
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 2")
    ts = "2026-11-27T09:00:00.000000+00:00"
    rows = [
        ("a", ts, "2026-11-27", "calls", 3, None, "cli", None, None),
        ("u1", ts, "2026-11-27", "calls", -3, None, "cli", "a", None),
        ("u2", ts, "2026-11-27", "calls", -3, None, "tui", "a", None),  # merged twice
        ("b", ts, "2026-11-27", "calls", 2, None, "cli", None, None),
        ("big", ts, "2026-11-26", "calls", 2**63 - 1, None, "cli", None, None),
    ]
    conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute(
        "INSERT INTO settings VALUES ('goals', ?)",
        ('{"standing": {"2026-10": 40}, "only": {"2026-12": 65}}',),
    )
    conn.execute(
        "INSERT INTO settings VALUES ('calendar', ?)",
        ('{"weekdays": "mon-thu", "holidays": ["2026-12-24"]}',),
    )
    conn.execute("INSERT INTO settings VALUES ('rate.meetings', '15%')")
    conn.commit()
    conn.close()
    with Store(db_path, clock=clock) as store:
        assert store.counts(TODAY)["calls"] == 2
        assert store.counts(DateRange(date(2026, 11, 26), date(2026, 11, 26)))["calls"] == 0
        book = goal_book(store)
        assert (book.target_for("2026-11"), book.target_for("2026-12")) == (40, 65)
        work = calendar(store)
        assert work.weekdays == frozenset({0, 1, 2, 3})
        assert work.holidays == frozenset({date(2026, 12, 24)})
        assert store.setting("rate.meetings") == "15%"
    version = sql_one(db_path, "PRAGMA user_version")[0]
    assert version == SCHEMA_VERSION


def test_a_new_database_is_private(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "new" / "deeper" / "salestui.db"
    with Store(path, clock=clock) as store:
        store.log("calls")
        for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert stat.S_IMODE(each.stat().st_mode) == 0o600, each
    for folder in (path.parent, path.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_reading_a_missing_database_creates_nothing(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "not-yet.db"
    with Store.for_reading(path, clock) as store:
        assert store.counts(TODAY) == {"calls": 0, "meetings": 0, "sales": 0}
        assert store.bounds() is None
    assert list(tmp_path.iterdir()) == []
    with Store.for_reading(tmp_path / "missing" / "x.db", clock) as store:
        assert store.counts(TODAY)["calls"] == 0
    assert list(tmp_path.iterdir()) == []


def test_paths_with_uri_characters(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "odd #1 ?x=y" / "sales%20.db"
    with Store(path, clock=clock) as store:
        store.log("sales")
    conn = sqlite3.connect(sqlite_uri(path, "ro"), uri=True)
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    conn.close()
    with Store(path, clock=clock, readonly=True) as reader:
        assert reader.counts(TODAY)["sales"] == 1
    # No stray file from a misread URI: only the database and its own -wal/-shm.
    assert {p.name.removesuffix("-wal").removesuffix("-shm") for p in path.parent.iterdir()} == {
        "sales%20.db"
    }


def test_read_only_folder_can_still_be_read() -> None:
    """As an unprivileged user (root ignores permission bits), a database in a folder it
    cannot write is read, not refused."""
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to an unprivileged user")
    tmp_path = Path(tempfile.mkdtemp(prefix="salestui-ro-"))  # pytest's tmp is root-only
    folder = tmp_path / "theirs"
    path = folder / "salestui.db"
    with Store(path) as store:
        store.log("calls", 7)
    os.chmod(path, 0o644)
    os.chmod(folder, 0o755)
    os.chmod(tmp_path, 0o755)
    code = (
        "import os, sys\n"
        "import salestui.domain.counts  # imported lazily by counts(): before the switch\n"
        "from salestui.store import Store\n"
        "from salestui.domain.periods import DateRange\n"
        "from datetime import date\n"
        "os.setgid(65534); os.setuid(65534)  # after the imports: the stdlib may be root's\n"
        f"s = Store.for_reading({str(path)!r})\n"
        "print(s.readonly, sum(s.counts(DateRange(date(2000,1,1), date(2100,1,1))).values()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    assert result.stdout.split() == ["True", "7"], result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["salestui.db"]
    shutil.rmtree(tmp_path)


def test_a_half_migrated_file_is_named_and_left_alone(db_path: Path, clock: FakeClock) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    for statement in (*MIGRATIONS[1], MIGRATIONS[2][0]):  # `about` added, version still 1
        assert isinstance(statement, str)
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="partly upgraded") as raised:
        Store(db_path, clock=clock)
    assert str(db_path) in str(raised.value)
    assert db_path.read_bytes() == before


def test_read_only_folder_with_unsaved_wal_is_refused_not_misread() -> None:
    """Reading as immutable would ignore the -wal file and show old counts: refuse."""
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to an unprivileged user")
    tmp_path = Path(tempfile.mkdtemp(prefix="salestui-ro-"))
    live = tmp_path / "live" / "salestui.db"
    with Store(live) as store:
        store.log("calls", 2)
        store.connection.execute("PRAGMA wal_autocheckpoint = 0")
        store.log("calls", 5)  # stays in the -wal file
        copy = tmp_path / "copy"
        copy.mkdir()
        shutil.copy(live, copy / "salestui.db")
        shutil.copy(f"{live}-wal", copy / "salestui.db-wal")
    for each in (tmp_path, copy):
        os.chmod(each, 0o755)
    for each in copy.iterdir():
        os.chmod(each, 0o644)
    code = (
        "import os\n"
        "from salestui.store import Store, StoreError\n"
        "os.setgid(65534); os.setuid(65534)\n"
        "try:\n"
        f"    Store.for_reading({str(copy / 'salestui.db')!r})\n"
        "    print('opened')\n"
        "except StoreError as error:\n"
        "    print(error.cause)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    assert "latest tallies are in salestui.db-wal" in result.stdout, result.stdout + result.stderr
    shutil.rmtree(tmp_path)


# -- one read-only opener for the store and for backups ---------------------------------------


def _closed_wal_database(tmp_path: Path, clock: FakeClock) -> Path:
    """A salestui database in WAL mode, closed: no -wal or -shm beside it."""
    path = tmp_path / "read.db"
    with Store(path, clock=clock) as store:
        store.log("calls", 2)
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    return path


def test_reading_first_as_immutable_leaves_nothing_behind(tmp_path: Path, clock: FakeClock) -> None:
    path = _closed_wal_database(tmp_path, clock)
    conn = read_only_connection(path, immutable_first=True)
    try:
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1
        assert not Path(f"{path}-shm").exists()
    finally:
        conn.close()


def test_a_backup_reads_as_a_plain_reader_where_it_can(tmp_path: Path, clock: FakeClock) -> None:
    path = _closed_wal_database(tmp_path, clock)
    conn = read_only_connection(path, immutable_first=False)
    try:
        # A plain WAL reader (it sees other processes' writes): it has a -shm beside it.
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1
        assert Path(f"{path}-shm").exists()
    finally:
        conn.close()


def _unreadable_with_wal(tmp_path: Path) -> Path:
    """Not a database at all, with a -wal file holding data beside it."""
    path = tmp_path / "broken.db"
    path.write_bytes(b"not a database " * 512)
    Path(f"{path}-wal").write_bytes(b"x" * 4096)
    return path


def test_with_a_wal_holding_data_neither_reads_as_immutable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _unreadable_with_wal(tmp_path)
    # The store: any failure with data in the -wal is named as the -wal's.
    with pytest.raises(WalNotReadable) as caught:
        read_only_connection(path, immutable_first=True)
    assert caught.value.wal.name == "broken.db-wal"
    # A backup in a folder it can write: the plain reader's own error.
    with pytest.raises(sqlite3.DatabaseError):
        read_only_connection(path, immutable_first=False)
    # A backup in a folder it cannot write: the -wal, never an immutable read.
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda where, mode: False if Path(where) == tmp_path else real_access(where, mode),
    )
    with pytest.raises(WalNotReadable):
        read_only_connection(path, immutable_first=False)


def test_both_callers_word_an_unreadable_wal_their_own_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salestui.store.backup import backup_to

    path = _unreadable_with_wal(tmp_path)
    with pytest.raises(StoreError, match="cannot be read here: its latest tallies are in"):
        Store(path, readonly=True)
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda where, mode: False if Path(where) == tmp_path else real_access(where, mode),
    )
    with pytest.raises(StoreError, match="cannot be read safely: its folder is read-only"):
        backup_to(path, tmp_path / "elsewhere" / "copy.db")


def test_store_and_import_paths_never_import_sqlite_utils_or_ijson() -> None:
    """sqlite-utils costs ~90 ms to import: never on the key-press or first-paint path
    (the TUI, `salestui log`); only export, import and backup-free data moving use it."""
    code = (
        "import sys, tempfile, os\n"
        "import salestui.tui.app, salestui.store, salestui.store.backup\n"
        "from salestui.launch import main\n"
        "db = os.path.join(tempfile.mkdtemp(), 'x.db')\n"
        "sys.argv = ['salestui', '--db', db, 'log', 'call']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "heavy = [m for m in ('sqlite_utils', 'ijson') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
