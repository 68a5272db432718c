from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from salestui.domain.periods import DateRange
from salestui.store import BelowZeroError, Store, StoreError
from salestui.store.schema import APPLICATION_ID, SCHEMA_VERSION
from tests.conftest import FakeClock, local, sql_one

TODAY = DateRange(date(2026, 11, 27), date(2026, 11, 27))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_created_with_its_folder(db_path: Path, clock: FakeClock) -> None:
    assert not db_path.parent.exists()
    with Store(db_path, clock=clock):
        pass
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_log_and_count(store: Store) -> None:
    store.log("calls")
    store.log("calls", 3, note="Acme")
    store.log("meetings")
    assert store.counts(TODAY) == {"calls": 4, "meetings": 1, "sales": 0}


def test_event_row_has_utc_instant_and_local_day(store: Store, clock: FakeClock) -> None:
    clock.now = local("2026-11-27T00:30:00")  # 23:30 UTC the day before
    event = store.log("sales")
    assert event.ts == "2026-11-26T23:30:00.000000+00:00"
    assert event.day == "2026-11-27"
    assert store.event(event.id) == event


def test_backdated_tally_counts_on_its_day(store: Store) -> None:
    store.log("calls", 2, at=local("2026-11-20T12:00"))
    assert store.counts(TODAY)["calls"] == 0
    assert store.counts(DateRange(date(2026, 11, 20), date(2026, 11, 20)))["calls"] == 2


def test_correction_never_below_zero(store: Store) -> None:
    with pytest.raises(BelowZeroError):
        store.log("calls", -1)
    store.log("calls")
    store.log("calls", -1)
    with pytest.raises(BelowZeroError):
        store.log("calls", -1)
    assert store.counts(TODAY)["calls"] == 0


def test_undo_cancels_whole_tallies_newest_first(store: Store) -> None:
    first = store.log("calls", 3)
    second = store.log("meetings")
    assert store.undo() == second
    assert store.undo() == first
    assert store.undo() is None
    assert store.counts(TODAY) == {"calls": 0, "meetings": 0, "sales": 0}


def test_undo_by_id_skips_already_cancelled(store: Store) -> None:
    event = store.log("calls")
    assert store.undo(event.id, source="tui") == event
    assert store.undo(event.id, source="tui") is None
    assert store.is_cancelled(event.id)
    assert store.counts(TODAY)["calls"] == 0


def test_undo_of_a_backdated_tally_fixes_its_day(store: Store) -> None:
    store.log("calls", 2, at=local("2026-11-20T12:00"))
    store.undo()
    assert store.counts(DateRange(date(2026, 11, 20), date(2026, 11, 20)))["calls"] == 0


def test_event_log_is_append_only(store: Store, db_path: Path) -> None:
    store.log("calls")
    with closing(sqlite3.connect(db_path)) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM events")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE events SET delta = 5")


def test_rollup_matches_the_log(store: Store, db_path: Path) -> None:
    for metric in ("calls", "calls", "meetings", "sales"):
        store.log(metric)
    store.undo()
    with closing(sqlite3.connect(db_path)) as conn:
        from_log = dict(conn.execute("SELECT metric, SUM(delta) FROM events GROUP BY metric"))
        from_rollup = dict(
            conn.execute("SELECT metric, SUM(count) FROM day_totals GROUP BY metric")
        )
        daily = conn.execute("SELECT calls, meetings, sales FROM daily_counts").fetchall()
    assert from_log == from_rollup == {"calls": 2, "meetings": 1, "sales": 0}
    assert daily == [(2, 1, 0)]


def test_bounds_and_day_totals(store: Store) -> None:
    assert store.bounds() is None
    store.log("calls", at=local("2026-11-02T09:00"))
    store.log("sales")
    assert store.bounds() == DateRange(date(2026, 11, 2), date(2026, 11, 27))
    totals = store.day_totals(DateRange(date(2026, 11, 1), date(2026, 11, 30)))
    assert totals == {date(2026, 11, 2): {"calls": 1}, date(2026, 11, 27): {"sales": 1}}


def test_data_version_sees_other_connections(store: Store, db_path: Path, clock: FakeClock) -> None:
    before = store.data_version()
    with Store(db_path, clock=clock) as other:
        other.log("calls")
    assert store.data_version() != before
    assert store.counts(TODAY)["calls"] == 1


def test_settings_round_trip(store: Store) -> None:
    assert store.setting("theme") is None
    store.set_setting("theme", "nord")
    store.set_setting("theme", "gruvbox")
    assert store.setting("theme") == "gruvbox"
    store.set_setting("theme", None)
    assert store.setting("theme") is None


# -- files that are not ours are refused and left untouched ---------------------------


def test_not_sqlite_is_refused_untouched(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list\n" * 200)
    before = digest(path)
    with pytest.raises(StoreError) as error:
        Store(path, clock=clock)
    assert str(path) in str(error.value) and "not a SQLite database" in str(error.value)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_foreign_sqlite_is_refused_untouched(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(StoreError, match="not a salestui database"):
        Store(path, clock=clock)
    assert digest(path) == before


def test_newer_schema_is_refused_untouched(db_path: Path, clock: FakeClock) -> None:
    Store(db_path, clock=clock).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = digest(db_path)
    with pytest.raises(StoreError, match="newer salestui"):
        Store(db_path, clock=clock)
    assert digest(db_path) == before


def test_corrupt_database_is_reported(db_path: Path, clock: FakeClock) -> None:
    with Store(db_path, clock=clock) as store:
        for _ in range(50):
            store.log("calls", note="x" * 500)
    raw = bytearray(db_path.read_bytes())
    raw[4096:8192] = b"\xff" * 4096  # wreck the second page
    db_path.write_bytes(bytes(raw))
    with pytest.raises(StoreError) as error, Store(db_path, clock=clock) as opened:
        opened.counts(TODAY)
        opened.log("calls")
    assert str(db_path) in str(error.value)


def test_folder_that_cannot_be_made(tmp_path: Path, clock: FakeClock) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot create its folder"):
        Store(blocker / "sub" / "salestui.db", clock=clock)


def test_full_disk_writes_nothing(store: Store, db_path: Path) -> None:
    store.log("calls")
    # Cap the file at its current size: SQLite then fails exactly as on a full disk.
    pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
    store.connection.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="disk"):
        for _ in range(200):
            store.log("calls", note="y" * 2000)
    count = store.counts(TODAY)["calls"]
    rows = sql_one(db_path, "SELECT COUNT(*) FROM events")[0]
    assert count == rows  # every counted tally is a row; the failed one is neither


def test_migrates_a_version_1_file_forward(db_path: Path, clock: FakeClock) -> None:
    from salestui.store.schema import MIGRATIONS

    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    for statement in MIGRATIONS[1]:
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO events (id, ts, day, metric, delta, note, source, cancels)"
        " VALUES ('old-1', '2026-11-20T10:00:00.000000+00:00', '2026-11-20', 'calls', 4, NULL,"
        " 'cli', NULL)"
    )
    conn.commit()
    conn.close()
    with Store(db_path, clock=clock) as store:
        assert store.counts(DateRange(date(2026, 11, 20), date(2026, 11, 20)))["calls"] == 4
        old = store.event("old-1")
        assert old is not None and old.about is None
        store.add_note("old-1", "from before the upgrade")
    assert sql_one(db_path, "PRAGMA user_version")[0] == SCHEMA_VERSION


def test_notes_are_events_about_a_tally(store: Store) -> None:
    tally = store.log("calls")
    note = store.add_note(tally.id, "  Acme — call back Tuesday ")
    assert (note.delta, note.about, note.note) == (0, tally.id, "Acme — call back Tuesday")
    assert store.counts(TODAY)["calls"] == 1
    assert [event.id for event in store.events_on(date(2026, 11, 27))] == [tally.id, note.id]
    assert store.undo() == tally  # a note is never what `undo` takes back
    with pytest.raises(ValueError):
        store.add_note(tally.id, "   ")
    with pytest.raises(ValueError):
        store.add_note("no-such-id", "x")


def test_opening_tries_again_when_sqlite_says_locked_without_waiting(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite may answer "database is locked" at once (a hot journal left by a process
    # killed while another created the file): opening waits it out like any other lock.
    from salestui.store import events

    Store(db_path, clock=clock).close()
    prepare = events.Store._prepare
    answers = iter(["locked", "locked"])

    def flaky(self: Store) -> None:
        if next(answers, None) == "locked":
            raise StoreError(
                self.path, events._describe(sqlite3.OperationalError("database is locked"))
            )
        prepare(self)

    monkeypatch.setattr(events.Store, "_prepare", flaky)
    with Store(db_path, clock=clock) as store:
        assert store.counts(TODAY)["calls"] == 0


def test_opening_gives_up_after_the_busy_timeout_and_other_errors_at_once(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salestui.store import events

    Store(db_path, clock=clock).close()
    calls = []

    def locked(self: Store) -> None:
        calls.append(1)
        raise StoreError(
            self.path, events._describe(sqlite3.OperationalError("database is locked"))
        )

    monkeypatch.setattr(events, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(events.Store, "_prepare", locked)
    with pytest.raises(StoreError, match="database is locked"):
        Store(db_path, clock=clock)
    assert len(calls) > 1

    def corrupt(self: Store) -> None:
        calls.append(2)
        raise StoreError(self.path, "the database file is corrupt")

    calls.clear()
    monkeypatch.setattr(events.Store, "_prepare", corrupt)
    with pytest.raises(StoreError, match="corrupt"):
        Store(db_path, clock=clock)
    assert calls == [2]
