"""Store reads a long history needs: `active_days`, `day_totals`, `bounds` (issue 8, speed)."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from salestui.domain.periods import DateRange
from salestui.store import Store
from salestui.store.events import StoreError
from tests.conftest import local

SPAN = DateRange(date(2026, 11, 1), date(2026, 11, 30))


def test_active_days_are_the_days_with_a_count_above_zero_newest_first(store: Store) -> None:
    store.log("calls", 2, at=local("2026-11-03T09:00:00"))
    store.log("meetings", at=local("2026-11-10T09:00:00"))
    store.log("sales", at=local("2026-11-20T09:00:00"))
    store.log("calls", at=local("2026-11-24T09:00:00"))
    store.log("calls", -1, at=local("2026-11-24T10:00:00"))  # back to zero: not active
    store.log("calls", at=local("2026-12-02T09:00:00"))  # outside the span
    assert store.active_days(SPAN) == [date(2026, 11, 20), date(2026, 11, 10), date(2026, 11, 3)]
    assert store.active_days(SPAN) == sorted(
        (day for day, counts in store.day_totals(SPAN).items() if any(counts.values())),
        reverse=True,
    )
    assert store.active_days(DateRange(date(2026, 11, 4), date(2026, 11, 9))) == []


def test_a_hand_made_count_is_refused_by_active_days(store: Store, db_path: Path) -> None:
    store.log("calls", at=local("2026-11-03T09:00:00"))
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO day_totals VALUES ('2026-11-05', 'calls', 'many')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="malformed row"):
        store.active_days(SPAN)
    with pytest.raises(StoreError, match="malformed row"):
        store.day_totals(SPAN)


def test_day_totals_keeps_every_metric_of_a_day_and_never_shows_below_zero(
    store: Store, db_path: Path
) -> None:
    store.log("calls", 3, at=local("2026-11-03T09:00:00"))
    store.log("sales", at=local("2026-11-03T09:30:00"))
    store.log("meetings", at=local("2026-11-04T09:00:00"))
    conn = sqlite3.connect(db_path)  # a total below zero, as an old merge could leave
    conn.execute("INSERT INTO day_totals VALUES ('2026-11-06', 'calls', -2)")
    conn.commit()
    conn.close()
    assert store.day_totals(SPAN) == {
        date(2026, 11, 3): {"calls": 3, "sales": 1},
        date(2026, 11, 4): {"meetings": 1},
        date(2026, 11, 6): {"calls": 0},
    }


def test_bounds_reads_each_end_from_the_day_index(store: Store, db_path: Path) -> None:
    """`SELECT MIN(day), MAX(day)` scans the whole index (SQLite only optimises a lone
    MIN or MAX): on 1M events `funnel --period all` took twice as long as on none."""
    for offset in (0, 40, 400):
        store.log("calls", at=local("2025-10-01T09:00:00") + timedelta(days=offset))
    statements: list[str] = []
    store.connection.set_trace_callback(statements.append)
    assert store.bounds() == DateRange(date(2025, 10, 1), date(2026, 11, 5))
    store.connection.set_trace_callback(None)
    assert statements
    conn = sqlite3.connect(db_path)
    for query in statements:
        plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}"))
        assert "SCAN" not in plan, (query, plan)
    conn.close()
