"""The event log on disk.

Everything uses the standard `sqlite3` module: a whole `salestui log call` costs less
than importing a database toolkit would.
One `Store` is one connection; use it from one thread only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from salestui.clock import Clock, local_now
from salestui.domain.metrics import METRIC_KEYS
from salestui.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:  # imported where used: `salestui log` needs neither (startup time)
    from salestui.domain.counts import Counts
    from salestui.domain.periods import DateRange

BUSY_TIMEOUT_MS = 15_000


class StoreError(Exception):
    """A runtime failure with the database file: one line naming the file and the cause."""

    def __init__(self, path: Path, cause: str) -> None:
        super().__init__(f"{path}: {cause}")
        self.path = path
        self.cause = cause


class BelowZeroError(ValueError):
    """A correction would take a day's count below zero."""


@dataclass(frozen=True, slots=True)
class Event:
    """One row of the event log."""

    id: str
    ts: str
    day: str
    metric: str
    delta: int
    note: str | None
    source: str
    cancels: str | None
    about: str | None = None
    """For a note added later (delta 0): the tally it is about."""

    @property
    def local_time(self) -> datetime:
        """When it happened, in the reader's local zone."""
        return datetime.fromisoformat(self.ts).astimezone()


def new_id() -> str:
    """A fresh event id (UUID4). `uuid` is imported on first write, not at startup."""
    import uuid

    return str(uuid.uuid4())


_EVENT_COLUMNS = "id, ts, day, metric, delta, note, source, cancels, about"


def _describe(error: sqlite3.Error) -> str:
    """A short, human cause for an sqlite3 error."""
    text = str(error)
    lowered = text.lower()
    if "file is not a database" in lowered:
        return "not a SQLite database (or it is corrupt)"
    if "malformed" in lowered:
        return "the database file is corrupt (database disk image is malformed)"
    if "disk is full" in lowered or "disk i/o" in lowered:
        return f"cannot write to the disk ({text})"
    if "readonly" in lowered or "read-only" in lowered:
        return "the file cannot be written (read-only)"
    if "unable to open" in lowered:
        return "cannot open the file (check that its folder exists and can be written)"
    return text


class Store:
    """A salestui database: validated, migrated and ready on construction."""

    def __init__(self, path: Path, clock: Clock = local_now) -> None:
        self.path = Path(path)
        self.clock = clock
        self._conn = self._connect()
        try:
            self._prepare()
        except BaseException:
            self._conn.close()
            raise

    # -- opening -----------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        if path.is_dir():
            raise StoreError(path, "is a folder, not a database file")
        if not path.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(path, f"cannot create its folder ({error.strerror})") from None
        try:
            # Autocommit mode: transactions are explicit and short (BEGIN IMMEDIATE ... COMMIT).
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as error:
            raise StoreError(path, _describe(error)) from None
        return conn

    def _prepare(self) -> None:
        """Refuse foreign, corrupt or newer files untouched; create or migrate ours."""
        conn = self._conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            app_id, version, tables = self._identity()
            self._check_identity(app_id, version, tables)
            if version < SCHEMA_VERSION:
                # WAL is set before the first table exists, so two first launches agree.
                conn.execute("PRAGMA journal_mode = WAL")
                self._migrate()
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as error:
            raise StoreError(self.path, _describe(error)) from None

    def _identity(self) -> tuple[int, int, int]:
        conn = self._conn
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        return int(app_id), int(version), int(tables)

    def _check_identity(self, app_id: int, version: int, tables: int) -> None:
        if app_id != APPLICATION_ID and not (app_id == 0 and tables == 0):
            raise StoreError(self.path, "not a salestui database; it was left untouched")
        if version > SCHEMA_VERSION:
            raise StoreError(
                self.path,
                f"written by a newer salestui (schema {version}; this version reads up to "
                f"{SCHEMA_VERSION}); upgrade salestui to open it",
            )

    def _migrate(self) -> None:
        with self._write():
            app_id, version, tables = self._identity()  # another process may have won the race
            self._check_identity(app_id, version, tables)
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target]:
                    self._conn.execute(statement)
            self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction; the write lock is taken up front."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------

    def log(
        self,
        metric: str,
        delta: int = 1,
        *,
        at: datetime | None = None,
        note: str | None = None,
        source: str = "cli",
    ) -> Event:
        """Append one tally of `delta` events (negative for a correction) and commit it.

        A correction that would take the day's count below zero raises BelowZeroError
        and writes nothing.
        """
        if metric not in METRIC_KEYS:
            raise ValueError(f"unknown metric {metric!r}")
        if delta == 0:
            raise ValueError("a tally changes the count by at least 1")
        instant = at if at is not None else self.clock()
        day = instant.astimezone().date().isoformat()
        event = Event(
            id=new_id(),
            ts=instant.astimezone(UTC).isoformat(timespec="microseconds"),
            day=day,
            metric=metric,
            delta=delta,
            note=note or None,
            source=source,
            cancels=None,
        )
        try:
            with self._write() as conn:
                if delta < 0:
                    row = conn.execute(
                        "SELECT count FROM day_totals WHERE day = ? AND metric = ?", (day, metric)
                    ).fetchone()
                    have = row[0] if row else 0
                    if have + delta < 0:
                        raise BelowZeroError(
                            f"{day} has {have} {metric}; cannot take away {-delta}"
                        )
                self._insert(conn, event)
        except sqlite3.Error as error:
            raise StoreError(self.path, _describe(error)) from None
        return event

    @staticmethod
    def _insert(conn: sqlite3.Connection, event: Event) -> None:
        conn.execute(
            f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.id,
                event.ts,
                event.day,
                event.metric,
                event.delta,
                event.note,
                event.source,
                event.cancels,
                event.about,
            ),
        )

    def undo(self, event_id: str | None = None, *, source: str = "cli") -> Event | None:
        """Cancel one tally with a new, opposite event, and return the tally cancelled.

        With `event_id`, that tally (None if it is already cancelled or unknown);
        without, the most recently recorded tally that is still in force, from any source.
        """
        try:
            with self._write() as conn:
                if event_id is None:
                    row = conn.execute(
                        f"SELECT {_EVENT_COLUMNS} FROM events AS e"
                        " WHERE e.cancels IS NULL AND e.delta != 0"
                        " AND NOT EXISTS (SELECT 1 FROM events AS u WHERE u.cancels = e.id)"
                        " ORDER BY e.rowid DESC LIMIT 1"
                    ).fetchone()
                else:
                    row = conn.execute(
                        f"SELECT {_EVENT_COLUMNS} FROM events AS e WHERE e.id = ?"
                        " AND e.cancels IS NULL AND e.delta != 0"
                        " AND NOT EXISTS (SELECT 1 FROM events AS u WHERE u.cancels = e.id)",
                        (event_id,),
                    ).fetchone()
                if row is None:
                    return None
                cancelled = Event(*row)
                instant = self.clock()
                self._insert(
                    conn,
                    Event(
                        id=new_id(),
                        ts=instant.astimezone(UTC).isoformat(timespec="microseconds"),
                        # The undo lands on the cancelled tally's day, so that day's count is right.
                        day=cancelled.day,
                        metric=cancelled.metric,
                        delta=-cancelled.delta,
                        note=None,
                        source=source,
                        cancels=cancelled.id,
                    ),
                )
        except sqlite3.Error as error:
            raise StoreError(self.path, _describe(error)) from None
        return cancelled

    def add_note(self, event_id: str, text: str, *, source: str = "cli") -> Event:
        """Attach a note to an earlier tally: a new event (delta 0) about it.

        Raises ValueError for an empty note or an unknown tally.
        """
        text = text.strip()
        if not text:
            raise ValueError("a note needs some text")
        tally = self.event(event_id)
        if tally is None or tally.delta == 0:
            raise ValueError("there is no such tally to add a note to")
        instant = self.clock()
        note = Event(
            id=new_id(),
            ts=instant.astimezone(UTC).isoformat(timespec="microseconds"),
            day=tally.day,
            metric=tally.metric,
            delta=0,
            note=text,
            source=source,
            cancels=None,
            about=tally.id,
        )
        try:
            with self._write() as conn:
                self._insert(conn, note)
        except sqlite3.Error as error:
            raise StoreError(self.path, _describe(error)) from None
        return note

    # -- reading -----------------------------------------------------------------

    def events_on(self, day: date) -> list[Event]:
        """Every event of one local day, in the order they were recorded."""
        rows = self._read(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE day = ? ORDER BY ts, rowid",
            (day.isoformat(),),
        )
        return [Event(*row) for row in rows]  # type: ignore[arg-type]

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise StoreError(self.path, _describe(error)) from None

    def counts(self, span: DateRange) -> Counts:
        """Net count per metric over the inclusive local-day range."""
        rows = self._read(
            "SELECT metric, SUM(count) FROM day_totals WHERE day BETWEEN ? AND ? GROUP BY metric",
            (span.start.isoformat(), span.end.isoformat()),
        )
        from salestui.domain.counts import counts_from_rows

        return counts_from_rows((str(metric), int(str(total))) for metric, total in rows)

    def day_totals(self, span: DateRange) -> dict[date, Counts]:
        """Per-day net counts inside the range; days without events are absent."""
        totals: dict[date, Counts] = {}
        for day, metric, count in self._read(
            "SELECT day, metric, count FROM day_totals WHERE day BETWEEN ? AND ?",
            (span.start.isoformat(), span.end.isoformat()),
        ):
            per_day = totals.setdefault(date.fromisoformat(str(day)), {})
            per_day[str(metric)] = int(str(count))
        return totals

    def bounds(self) -> DateRange | None:
        """First and last day with any event, or None for an empty log."""
        row = self._read("SELECT MIN(day), MAX(day) FROM events")[0]
        if row[0] is None:
            return None
        from salestui.domain.periods import DateRange

        return DateRange(date.fromisoformat(str(row[0])), date.fromisoformat(str(row[1])))

    def event(self, event_id: str) -> Event | None:
        """One event by id."""
        rows = self._read(f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,))
        return Event(*rows[0]) if rows else None  # type: ignore[arg-type]

    def is_cancelled(self, event_id: str) -> bool:
        """Whether an undo has cancelled this event."""
        return bool(self._read("SELECT 1 FROM events WHERE cancels = ? LIMIT 1", (event_id,)))

    def data_version(self) -> int:
        """Changes whenever another connection commits; nearly free to read."""
        return int(str(self._read("PRAGMA data_version")[0][0]))

    # -- settings ----------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        rows = self._read("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_setting(self, key: str, value: str | None) -> None:
        """Store (or with None, clear) a setting."""
        try:
            with self._write() as conn:
                if value is None:
                    conn.execute("DELETE FROM settings WHERE key = ?", (key,))
                else:
                    conn.execute(
                        "INSERT INTO settings (key, value) VALUES (?, ?)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, value),
                    )
        except sqlite3.Error as error:
            raise StoreError(self.path, _describe(error)) from None
