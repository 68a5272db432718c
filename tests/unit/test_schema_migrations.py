"""Schema migrations, from every earlier version, on real files.

Each old file is built the way that version of salestui built it (MIGRATIONS[1..n]
applied by hand), with rows in it, then opened with today's Store: it must reach the
current version with its data and figures intact and the `metric_counts` view right.
A file from a newer salestui is refused and left byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from salestui.domain.periods import DateRange
from salestui.store import Store
from salestui.store.events import StoreError
from salestui.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from tests.conftest import FakeClock, event_rows, sql_one

DAY1, DAY2 = "2026-11-20", "2026-11-21"
TS = "2026-11-20T10:00:00.000000+00:00"

# id, day, metric, delta, cancels: a tally of each built-in and of a metric of the user's,
# a correction taking a day below zero (written by an old salestui that allowed it), and
# one tally undone twice (two machines, merged: it counts as undone once from schema 3 on).
ROWS = [
    ("00000000-0000-4000-8000-000000000001", DAY1, "calls", 4, None),
    ("00000000-0000-4000-8000-000000000002", DAY1, "meetings", 2, None),
    ("00000000-0000-4000-8000-000000000003", DAY1, "sales", 1, None),
    ("00000000-0000-4000-8000-000000000004", DAY1, "emails", 7, None),
    ("00000000-0000-4000-8000-000000000005", DAY2, "meetings", -2, None),
    ("00000000-0000-4000-8000-000000000006", DAY2, "calls", 3, None),
    (
        "00000000-0000-4000-8000-000000000007",
        DAY2,
        "calls",
        -3,
        "00000000-0000-4000-8000-000000000006",
    ),
    (
        "00000000-0000-4000-8000-000000000008",
        DAY2,
        "calls",
        -3,
        "00000000-0000-4000-8000-000000000006",
    ),
    ("00000000-0000-4000-8000-000000000009", DAY2, "emails", 5, None),
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def old_file(path: Path, version: int) -> None:
    """A database as salestui at schema `version` left it, with the rows above."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for target in range(1, version + 1):
            for step in MIGRATIONS[target]:
                if isinstance(step, str):
                    conn.execute(step)
                else:
                    step(conn)
        for event_id, day, metric, delta, cancels in ROWS:
            # Schema 3 refuses a second undo of a tally only by leaving it out of the
            # totals; schema 1 and 2 counted it (the migration to 3 rebuilds them).
            conn.execute(
                "INSERT INTO events (id, ts, day, metric, delta, note, source, cancels)"
                " VALUES (?, ?, ?, ?, ?, NULL, 'cli', ?)",
                (event_id, TS, day, metric, delta, cancels),
            )
        if version < 3:
            conn.execute("INSERT INTO settings (key, value) VALUES ('theme', 'nord')")
        else:
            conn.execute(
                "INSERT INTO setting_changes (id, ts, key, value, source) VALUES"
                " ('10000000-0000-4000-8000-000000000001', ?, 'theme', 'nord', 'cli')",
                (TS,),
            )
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    finally:
        conn.close()


def rows_of(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_the_current_version_is_5() -> None:
    assert SCHEMA_VERSION == 5
    assert set(MIGRATIONS) == {1, 2, 3, 4, 5}


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_every_earlier_version_takes_prospects_and_time(
    db_path: Path, clock: FakeClock, version: int
) -> None:
    """Schema 5 on an old file: a tally linked to a prospect counts as its touch, an undo
    of it takes the touch away, and a timer can be started; the old rows stay."""
    old_file(db_path, version)
    with Store(db_path, clock=clock) as store:
        conn = store.connection
        conn.execute(
            "INSERT INTO prospect_changes (id, ts, day, prospect, field, value, source)"
            " VALUES ('p1', ?, ?, 'P', 'name', 'Acme', 'cli')",
            (TS, DAY1),
        )
        linked = store.log("calls", prospect="P")
        store.log("calls", 2, prospect="P")
        assert conn.execute("SELECT name, touches FROM prospects").fetchall() == [("Acme", 2)]
        store.undo(linked.id)
        assert conn.execute("SELECT touches FROM prospects").fetchone() == (1,)
        conn.execute(
            "INSERT INTO time_changes (id, ts, kind, timer, category, at, day, minutes, source)"
            " VALUES ('t1', ?, 'start', 't1', 'admin', '2026-11-27T09:00:00+00:00', ?, NULL,"
            " 'cli')",
            (TS, "2026-11-27"),
        )
    assert len(event_rows(db_path)) == len(ROWS) + 3


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_every_earlier_version_migrates_with_its_data_and_figures(
    db_path: Path, clock: FakeClock, version: int
) -> None:
    old_file(db_path, version)
    logged = "SELECT id, ts, day, metric, delta, cancels FROM events ORDER BY rowid"
    before = rows_of(db_path, logged)
    with Store(db_path, clock=clock) as store:
        both = DateRange(date(2026, 11, 20), date(2026, 11, 21))
        keys = ("calls", "meetings", "sales", "emails")
        assert store.counts(DateRange(date(2026, 11, 20), date(2026, 11, 20)), keys) == {
            "calls": 4,
            "meetings": 2,
            "sales": 1,
            "emails": 7,
        }
        # Day 2: 3 calls undone (once, though two undos came in), meetings below zero
        # shown as none.
        day2 = store.counts(DateRange(date(2026, 11, 21), date(2026, 11, 21)), keys)
        assert day2 == {"calls": 0, "meetings": 0, "sales": 0, "emails": 5}
        assert store.counts(both, keys)["emails"] == 12
        assert store.setting("theme") == "nord"
        assert store.catalog().active.stages == ("calls", "meetings", "sales")
        store.log("emails")  # the log takes a metric of the user's after the upgrade
    assert sql_one(db_path, "PRAGMA user_version")[0] == SCHEMA_VERSION
    assert sql_one(db_path, "PRAGMA application_id")[0] == APPLICATION_ID
    rows = event_rows(db_path)
    assert len(rows) == len(ROWS) + 1
    assert rows_of(db_path, logged)[: len(ROWS)] == before
    assert rows_of(
        db_path, "SELECT day, metric, count FROM metric_counts ORDER BY day, metric"
    ) == [
        (DAY1, "calls", 4),
        (DAY1, "emails", 7),
        (DAY1, "meetings", 2),
        (DAY1, "sales", 1),
        (DAY2, "calls", 0),
        (DAY2, "emails", 5),
        (DAY2, "meetings", 0),
        ("2026-11-27", "emails", 1),
    ]
    # daily_counts keeps its three columns for the built-ins, never below zero.
    assert rows_of(db_path, "SELECT * FROM daily_counts ORDER BY day") == [
        (DAY1, 4, 2, 1),
        (DAY2, 0, 0, 0),
        ("2026-11-27", 0, 0, 0),
    ]


def test_a_new_database_has_the_view(store: Store, db_path: Path) -> None:
    store.log("calls", 2)
    store.log("emails")
    assert rows_of(db_path, "SELECT metric, count FROM metric_counts ORDER BY metric") == [
        ("calls", 2),
        ("emails", 1),
    ]


def test_the_trigger_takes_any_metric_name_of_text(store: Store, db_path: Path) -> None:
    """Nothing else in the schema needed changing for metrics of the user's: the check
    trigger refuses only an empty (or non-text) metric."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        insert = (
            "INSERT INTO events (id, ts, day, metric, delta, note, source)"
            " VALUES (?, ?, ?, ?, 1, NULL, 'cli')"
        )
        conn.execute(insert, ("a", TS, DAY1, "applications"))
        with pytest.raises(sqlite3.IntegrityError, match="malformed event"):
            conn.execute(insert, ("b", TS, DAY1, ""))
    finally:
        conn.close()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION + 1))
def test_a_newer_file_is_refused_untouched(db_path: Path, clock: FakeClock, version: int) -> None:
    old_file(db_path, version)
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = digest(db_path)
    with pytest.raises(StoreError, match="newer salestui"):
        Store(db_path, clock=clock)
    assert digest(db_path) == before
    assert not Path(f"{db_path}-wal").exists() or Path(f"{db_path}-wal").stat().st_size == 0
