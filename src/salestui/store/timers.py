"""Timers on disk: `time_changes` rows written and read (see `salestui.store.time_schema`).

Every write is one short transaction that reads what it needs with the write lock held
(which timers are running), so two processes starting timers at once never leave two
running from one machine. Nothing is updated or deleted: a stop is a new row.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

from salestui.domain.timers import (
    BUILTIN_CATEGORIES,
    CATEGORY_SETTING,
    Interval,
    TimeChange,
    TimeFigures,
    by_day,
    check_new_category,
    fold,
    local_midnight_after,
)
from salestui.domain.timers import time_figures as make_figures
from salestui.store.events import Store, new_id, translated

_COLUMNS = "id, kind, timer, category, at, minutes"


def _change(row: tuple[object, ...]) -> TimeChange | None:
    id_, kind, timer, category, at, minutes = row
    try:
        instant = datetime.fromisoformat(str(at))
    except ValueError:
        return None  # a row another program wrote badly: not a timer
    if instant.tzinfo is None:
        instant = instant.astimezone()
    return TimeChange(
        id=str(id_),
        kind=str(kind),
        timer=str(timer),
        category=str(category) if category is not None else None,
        at=instant,
        minutes=int(minutes) if isinstance(minutes, int) else None,
    )


def _changes(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> list[TimeChange]:
    found = (_change(row) for row in conn.execute(sql, params).fetchall())
    return [change for change in found if change is not None]


def _open_starts(conn: sqlite3.Connection) -> list[TimeChange]:
    """Starts with no stop (running, or cut at midnight but not yet closed on disk)."""
    return _changes(
        conn,
        f"SELECT {_COLUMNS} FROM time_changes AS s WHERE kind = 'start' AND NOT EXISTS"
        " (SELECT 1 FROM time_changes AS t WHERE t.kind = 'stop' AND t.timer = s.id)"
        " ORDER BY at",
        (),
    )


def _insert(
    conn: sqlite3.Connection,
    *,
    kind: str,
    timer: str,
    category: str | None,
    at: datetime,
    origin: str,
    minutes: int | None = None,
    row_id: str | None = None,
    ts: datetime | None = None,
) -> str:
    row_id = row_id or new_id()
    local = at.astimezone()
    conn.execute(
        "INSERT INTO time_changes (id, ts, kind, timer, category, at, day, minutes, source)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row_id,
            (ts or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds"),
            kind,
            timer,
            category,
            local.isoformat(timespec="seconds"),
            local.date().isoformat(),
            minutes,
            origin,
        ),
    )
    return row_id


def _stop_open(conn: sqlite3.Connection, now: datetime, origin: str) -> list[Interval]:
    """Stop every open timer (inside the caller's transaction): at `now`, or at its
    midnight when that came first. Returns what was stopped."""
    stopped = []
    for start in _open_starts(conn):
        assert start.category is not None
        midnight = local_midnight_after(start.at)
        end = min(now, midnight)
        end = max(end, start.at)
        _insert(conn, kind="stop", timer=start.timer, category=None, at=end, origin=origin, ts=now)
        stopped.append(Interval(start.timer, start.category, start.at, end, cut=end == midnight))
    return stopped


def start_timer(store: Store, category: str, *, origin: str = "cli") -> list[Interval]:
    """Start a timer on `category` now, stopping any running one first (in the same
    transaction). Returns the timers it stopped."""
    now = store.clock()
    with translated(store.path), store.writing() as conn:
        stopped = _stop_open(conn, now, origin)
        timer = new_id()
        _insert(
            conn,
            kind="start",
            timer=timer,
            category=category,
            at=now,
            origin=origin,
            row_id=timer,
            ts=now,
        )
    return stopped


def stop_timers(store: Store, *, origin: str = "cli") -> list[Interval]:
    """Stop every running timer now (normally one; two after a merge of two machines').
    Returns them (empty when none was running: nothing is written)."""
    with translated(store.path), store.writing() as conn:
        return _stop_open(conn, store.clock(), origin)


def close_past_midnight(store: Store, *, origin: str = "cli") -> list[Interval]:
    """Write a stop at midnight for each timer left running past it, so the user is told
    once; returns those timers (the caller says so). Nothing is written when none is."""
    now = store.clock()
    if not any(local_midnight_after(s.at) <= now for s in _open_starts(store.connection)):
        return []  # the usual case: a read, no write lock taken
    with translated(store.path), store.writing() as conn:
        cut = []
        for start in _open_starts(conn):
            midnight = local_midnight_after(start.at)
            if midnight <= now:
                assert start.category is not None
                _insert(
                    conn,
                    kind="stop",
                    timer=start.timer,
                    category=None,
                    at=midnight,
                    origin=origin,
                    ts=now,
                )
                cut.append(Interval(start.timer, start.category, start.at, midnight, cut=True))
        return cut


def log_time(
    store: Store, category: str, start: datetime, minutes: int, *, origin: str = "cli"
) -> None:
    """Record a finished stretch of `minutes` from `start` (values already checked)."""
    with translated(store.path), store.writing() as conn:
        timer = new_id()
        _insert(
            conn,
            kind="log",
            timer=timer,
            category=category,
            at=start,
            origin=origin,
            minutes=minutes,
            row_id=timer,
            ts=store.clock(),
        )


def intervals(store: Store, first: date, last: date, now: datetime | None = None) -> list[Interval]:
    """The intervals that may touch local days `first` to `last` (a day earlier is read
    too: a log can run past midnight), folded at `now` (default: the store's clock)."""
    now = now if now is not None else store.clock()
    since = (first - timedelta(days=1)).isoformat()
    with translated(store.path):
        changes = _changes(
            store.connection,
            f"SELECT {_COLUMNS} FROM time_changes WHERE kind != 'stop' AND day BETWEEN ? AND ?"
            f" UNION ALL SELECT {_COLUMNS} FROM time_changes WHERE kind = 'stop' AND timer IN"
            " (SELECT id FROM time_changes WHERE kind = 'start' AND day BETWEEN ? AND ?)",
            (since, last.isoformat(), since, last.isoformat()),
        )
    return fold(changes, now)


def running(store: Store) -> list[Interval]:
    """Timers running now (folded: one whose midnight passed is not running)."""
    now = store.clock()
    with translated(store.path):
        starts = _open_starts(store.connection)
    return [interval for interval in fold(starts, now) if interval.running]


def has_time(store: Store) -> bool:
    """Whether any time was ever tracked here."""
    with translated(store.path):
        return bool(store.connection.execute("SELECT 1 FROM time_changes LIMIT 1").fetchone())


def categories(store: Store) -> list[str]:
    """The user's own categories (by name), then the built-ins."""
    own = sorted(store.settings_like(CATEGORY_SETTING).values())
    return [*own, *(name for name in BUILTIN_CATEGORIES if name not in own)]


def add_category(store: Store, name: str, *, origin: str = "cli") -> str:
    """Add a category of the user's (checked against the stored ones with the write lock
    held). Returns its key; raises ValueError (one line) for a bad or existing name."""
    added: list[str] = []

    def change(current: Store) -> dict[str, str | None]:
        key = check_new_category(name, categories(current))
        added.append(key)
        return {CATEGORY_SETTING + key: key}

    store.change_settings(change, source=origin)
    return added[-1]


def time_figures(store: Store, first: date, last: date, activity: str) -> TimeFigures:
    """Time figures for local days `first`..`last`: minutes per category, the non-sales
    share per week, and `activity` (a metric key: calls) per selling hour."""
    from salestui.domain.periods import DateRange

    found = intervals(store, first, last)
    days = by_day(found, first, last)
    counts = store.day_totals(DateRange(first, last)) if days else {}
    by_activity = {day: int(totals.get(activity, 0)) for day, totals in counts.items()}
    return make_figures(days, first, last, activity, by_activity)
