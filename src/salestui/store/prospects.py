"""Prospects on disk: their changes, the touches linking tallies to them, and reads of
the `prospects` table the schema's triggers keep (see `salestui.store.schema`, 5).

Every write is one short transaction on the store's connection; nothing is updated or
deleted. A prospect's id is a fresh UUID; each change sets one field.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

from salestui.domain.prospects import FIELDS, Prospect, check_name, check_source
from salestui.store.events import Event, Store, new_id, translated

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

COLUMNS = (
    "id, name, company, source, status, reason, follow_up, created_on, closed_on,"
    " touches, first_touch, last_touch"
)
"""The `prospects` columns a `Prospect` is read from, in its field order."""


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def prospect_from_row(row: Sequence[object]) -> Prospect:
    """A `Prospect` from a row of `SELECT {COLUMNS} FROM prospects`."""
    (
        id_,
        name,
        company,
        source,
        status,
        reason,
        follow_up,
        created,
        closed,
        touches,
        first,
        last,
    ) = row
    return Prospect(
        id=str(id_),
        name=str(name) if name is not None else "(no name)",
        company=str(company) if company is not None else None,
        source=str(source) if source is not None else "cold",
        status=str(status) if status is not None else "open",
        reason=str(reason) if reason is not None else None,
        follow_up=_day(follow_up),
        created_on=_day(created),
        closed_on=_day(closed),
        touches=int(touches) if isinstance(touches, int) else 0,
        first_touch=_day(first),
        last_touch=_day(last),
    )


def _now(store: Store, at: datetime | None = None) -> tuple[str, str]:
    instant = at if at is not None else store.clock()
    return (
        instant.astimezone(UTC).isoformat(timespec="microseconds"),
        instant.astimezone().date().isoformat(),
    )


def write_changes(
    conn: sqlite3.Connection,
    prospect_id: str,
    changes: Mapping[str, str | None],
    *,
    ts: str,
    day: str,
    origin: str,
) -> None:
    """Append one change per field (inside the caller's write transaction)."""
    for field, value in changes.items():
        if field not in FIELDS:
            raise ValueError(f"unknown prospect field {field!r}")
        conn.execute(
            "INSERT INTO prospect_changes (id, ts, day, prospect, field, value, source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (new_id(), ts, day, prospect_id, field, value, origin),
        )


def add_prospect(
    store: Store,
    name: str,
    *,
    company: str | None = None,
    source: str = "cold",
    origin: str = "cli",
) -> Prospect:
    """Add an open prospect and return it. Raises ValueError (one line) for a bad name,
    company or source, or a name another prospect already has (case-insensitive)."""
    name = check_name(name)
    company = check_name(company, "company") if company is not None else None
    source = check_source(source)
    prospect_id = new_id()
    ts, day = _now(store)
    with translated(store.path), store.writing() as conn:
        taken = conn.execute(
            "SELECT name FROM prospects WHERE name = ? COLLATE NOCASE LIMIT 1", (name,)
        ).fetchone()
        if taken is not None:
            raise ValueError(f"a prospect named {taken[0]!r} exists already")
        write_changes(
            conn,
            prospect_id,
            {"name": name, "company": company, "source": source, "status": "open"},
            ts=ts,
            day=day,
            origin=origin,
        )
    found = get_prospect(store, prospect_id)
    assert found is not None
    return found


def change_prospect(
    store: Store,
    prospect_id: str,
    changes: Mapping[str, str | None],
    *,
    origin: str = "cli",
    at: datetime | None = None,
) -> None:
    """Append changes to one prospect in one transaction (values already checked)."""
    ts, day = _now(store, at)
    with translated(store.path), store.writing() as conn:
        write_changes(conn, prospect_id, changes, ts=ts, day=day, origin=origin)


def write_touch(
    conn: sqlite3.Connection, event: Event, prospect_id: str, *, ts: str, origin: str
) -> None:
    """Link a tally to a prospect (inside the caller's write transaction)."""
    conn.execute(
        "INSERT INTO touches (id, ts, prospect, event, event_ts, day, metric, source)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (new_id(), ts, prospect_id, event.id, event.ts, event.day, event.metric, origin),
    )


def link(store: Store, event: Event, prospect_id: str, *, origin: str = "tui") -> None:
    """Link a tally already on disk to a prospect (the app's `p` after a tally)."""
    ts, _day_ = _now(store)
    with translated(store.path), store.writing() as conn:
        write_touch(conn, event, prospect_id, ts=ts, origin=origin)


# -- reading ---------------------------------------------------------------------------


def get_prospect(store: Store, prospect_id: str) -> Prospect | None:
    rows = store.connection.execute(
        f"SELECT {COLUMNS} FROM prospects WHERE id = ? AND name IS NOT NULL", (prospect_id,)
    ).fetchall()
    return prospect_from_row(rows[0]) if rows else None


def starting_with(store: Store, text: str, limit: int = 50) -> list[Prospect]:
    """Prospects whose name starts with `text` (case-insensitive; ASCII case folding as
    SQLite's NOCASE does, then checked again in Python), by name."""
    wanted = " ".join(text.split())
    pattern = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = store.connection.execute(
        f"SELECT {COLUMNS} FROM prospects WHERE name LIKE ? ESCAPE '\\'"
        " ORDER BY name COLLATE NOCASE LIMIT ?",
        (pattern, limit),
    ).fetchall()
    found = [prospect_from_row(row) for row in rows]
    if not found and not wanted.isascii():  # LIKE folds ASCII only: look wider
        folded = wanted.casefold()
        rows = store.connection.execute(
            f"SELECT {COLUMNS} FROM prospects WHERE name IS NOT NULL"
        ).fetchall()
        found = [p for p in map(prospect_from_row, rows) if p.name.casefold().startswith(folded)][
            :limit
        ]
    return found


def list_prospects(
    store: Store, *, status: str | None = "open", order: str = "name", limit: int | None = None
) -> list[Prospect]:
    """Prospects (only those of `status`; None for all), ordered by `order`: `name`,
    `last_touch` (most recent first), `follow_up` (soonest first, none last),
    `touches` (most first) or `age` (oldest first)."""
    orders = {
        "name": "name COLLATE NOCASE",
        "last_touch": "last_touch_ts IS NULL, last_touch_ts DESC, name COLLATE NOCASE",
        "follow_up": "follow_up IS NULL, follow_up, name COLLATE NOCASE",
        "touches": "touches DESC, name COLLATE NOCASE",
        "age": "created, name COLLATE NOCASE",
    }
    if order not in orders:
        raise ValueError(f"unknown order {order!r} (use {', '.join(orders)})")
    where = "name IS NOT NULL" + (" AND status = ?" if status is not None else "")
    params: tuple[object, ...] = (status,) if status is not None else ()
    sql = f"SELECT {COLUMNS} FROM prospects WHERE {where} ORDER BY {orders[order]}"
    if limit is not None:
        sql += " LIMIT ?"
        params = (*params, limit)
    return [prospect_from_row(row) for row in store.connection.execute(sql, params)]


def due_prospects(store: Store, today: date) -> list[Prospect]:
    """Open prospects whose follow-up is today or earlier, oldest first."""
    rows = store.connection.execute(
        f"SELECT {COLUMNS} FROM prospects WHERE follow_up IS NOT NULL AND follow_up <= ?"
        " AND status = 'open' AND name IS NOT NULL ORDER BY follow_up, name COLLATE NOCASE",
        (today.isoformat(),),
    ).fetchall()
    return [prospect_from_row(row) for row in rows]
