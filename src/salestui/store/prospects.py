"""Prospects on disk: their changes, the touches linking tallies to them, and reads of
the `prospects` table the schema's triggers keep (see `salestui.store.schema`, 5).

Every write is one short transaction on the store's connection; nothing is updated or
deleted. A prospect's id is a fresh UUID; each change sets one field.
"""

from __future__ import annotations

import re
import sqlite3
from bisect import bisect_right
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from heapq import merge
from itertools import accumulate

from salestui.domain.prospects import (
    FIELDS,
    MAX_REASON,
    Change,
    NoMatch,
    Prospect,
    Touch,
    check_name,
    check_source,
    follow_up_after,
    fuzzy_score,
    pick,
)
from salestui.store.events import Event, Store, later_than, new_id, translated

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from salestui.domain.periods import DateRange
    from salestui.domain.prospect_stats import ProspectStats
    from salestui.domain.workdays import WorkCalendar

FOLLOW_UP_RULE = "followup."
"""Setting `followup.METRIC` = N: a touch of METRIC sets the follow-up N working days on."""
STALLED_DAYS = "prospects.stalled_days"
"""Setting: how many days without a touch make an open prospect stalled (default 14)."""
DEFAULT_STALLED_DAYS = 14

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


def _after_latest(conn: sqlite3.Connection, prospect_id: str, ts: str) -> str:
    """`ts`, or just after the prospect's latest stored change when that is not earlier:
    a change made now must win over every change already here (the latest by ts wins),
    even with a clock that stood still or another machine's clock ahead of ours."""
    row = conn.execute(
        "SELECT max(ts) FROM prospect_changes WHERE prospect = ?", (prospect_id,)
    ).fetchone()
    return later_than(row[0] if row else None, ts)


def _write(
    conn: sqlite3.Connection,
    prospect_id: str,
    changes: Mapping[str, str | None],
    *,
    ts: str,
    day: str,
    origin: str,
) -> None:
    """`write_changes` at a ts after the prospect's latest change (`_after_latest`)."""
    write_changes(
        conn, prospect_id, changes, ts=_after_latest(conn, prospect_id, ts), day=day, origin=origin
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
        _write(conn, prospect_id, changes, ts=ts, day=day, origin=origin)


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
        # Descending, SQLite puts prospects never touched (NULL) last.
        "last_touch": "last_touch_ts DESC, name COLLATE NOCASE",
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


def count_prospects(store: Store, *, status: str | None = "open") -> int:
    """How many prospects have `status` (None: all), from the counts the schema's
    triggers keep (`prospect_counts`): a read of a few rows at any size."""
    where, params = ("WHERE status = ?", (status,)) if status is not None else ("", ())
    try:
        row = store.connection.execute(
            f"SELECT coalesce(sum(n), 0) FROM prospect_counts {where}", params
        ).fetchone()
    except sqlite3.OperationalError:  # a file from a build of schema 5 without the counts
        where = "WHERE name IS NOT NULL" + (" AND status = ?" if status is not None else "")
        row = store.connection.execute(f"SELECT count(*) FROM prospects {where}", params).fetchone()
    return int(row[0])


def due_prospects(store: Store, today: date) -> list[Prospect]:
    """Open prospects whose follow-up is today or earlier, oldest first."""
    # `+status`: not by the status indexes (the tab's lists'), which would read every
    # open prospect one lookup at a time; the follow-ups' index reads only those due.
    # The same in the other reads of many prospects below.
    rows = store.connection.execute(
        f"SELECT {COLUMNS} FROM prospects WHERE follow_up IS NOT NULL AND follow_up <= ?"
        " AND +status = 'open' AND name IS NOT NULL ORDER BY follow_up, name COLLATE NOCASE",
        (today.isoformat(),),
    ).fetchall()
    return [prospect_from_row(row) for row in rows]


def find_prospect(store: Store, text: str) -> Prospect:
    """The prospect `text` names (whole name or unique prefix, case-insensitive).
    Raises Ambiguous (listing them) or NoMatch (naming close names) in one line; an
    empty `text` names nobody (not every prospect: 100k of them, read to be refused)."""
    if not text.split():
        raise NoMatch(text)
    try:
        return pick(text, starting_with(store, text))
    except NoMatch:
        raise NoMatch(text, close_names(store, text)) from None


def close_names(store: Store, text: str, limit: int = 3) -> list[str]:
    """Up to `limit` names near `text` (difflib), for a refusal that helps."""
    import difflib

    wanted = " ".join(text.split())
    if not wanted:
        return []
    # Names sharing the first letter, or holding the first three, are where typos live;
    # the cap keeps difflib cheap on 100k prospects.
    rows = store.connection.execute(
        "SELECT name FROM prospects WHERE name IS NOT NULL AND (name LIKE ? ESCAPE '\\'"
        " OR name LIKE ? ESCAPE '\\') LIMIT 5000",
        (_escaped(wanted[0]) + "%", "%" + _escaped(wanted[:3]) + "%"),
    ).fetchall()
    names = [str(row[0]) for row in rows]
    by_fold = {name.casefold(): name for name in names}
    close = difflib.get_close_matches(wanted.casefold(), list(by_fold), n=limit, cutoff=0.6)
    return [by_fold[name] for name in close]


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- changing a prospect ---------------------------------------------------------------


def _status(conn: sqlite3.Connection, prospect_id: str) -> tuple[str, str, str | None]:
    """(name, status, follow_up) read inside the write transaction; ValueError when the
    prospect is unknown."""
    row = conn.execute(
        "SELECT name, status, follow_up FROM prospects WHERE id = ? AND name IS NOT NULL",
        (prospect_id,),
    ).fetchone()
    if row is None:
        raise ValueError(f"there is no prospect with id {prospect_id!r}")
    return str(row[0]), str(row[1] or "open"), row[2]


def _close(store: Store, prospect_id: str, status: str, reason: str | None, origin: str) -> None:
    ts, day = _now(store)
    with translated(store.path), store.writing() as conn:
        name, was, follow_up = _status(conn, prospect_id)
        if was == status:
            raise ValueError(f"{name} is {was} already")
        if was != "open":
            raise ValueError(
                f"{name} is {was}; reopen it first (salestui prospect reopen {_quoted(name)})"
            )
        changes: dict[str, str | None] = {"status": status}
        if status == "lost" or reason is not None:
            changes["reason"] = reason
        if follow_up is not None:  # nothing to follow up on a closed prospect
            changes["follow_up"] = None
        _write(conn, prospect_id, changes, ts=ts, day=day, origin=origin)


def _quoted(name: str) -> str:
    return f'"{name}"' if any(ch in name for ch in " '\"$`\\") else name


def won(store: Store, prospect_id: str, *, origin: str = "cli") -> None:
    """Close an open prospect as won (its follow-up cleared), in one transaction. Raises
    ValueError (one line, nothing written) when it is won already or lost (reopen first).
    Winning does not tally a sale."""
    _close(store, prospect_id, "won", None, origin)


def lost(store: Store, prospect_id: str, reason: str | None = None, *, origin: str = "cli") -> None:
    """Close an open prospect as lost, with an optional reason (its follow-up cleared), in
    one transaction. Raises ValueError (one line, nothing written) when it is lost
    already, won (reopen first), or the reason is longer than MAX_REASON."""
    reason = " ".join(reason.split()) if reason is not None else None
    if reason is not None and len(reason) > MAX_REASON:
        raise ValueError(f"a reason is at most {MAX_REASON} characters, not {len(reason):,}")
    _close(store, prospect_id, "lost", reason or None, origin)


def reopen(store: Store, prospect_id: str, *, origin: str = "cli") -> None:
    """Open a won or lost prospect again (its reason cleared). ValueError when open."""
    ts, day = _now(store)
    with translated(store.path), store.writing() as conn:
        name, was, _follow_up = _status(conn, prospect_id)
        if was == "open":
            raise ValueError(f"{name} is open already")
        _write(
            conn,
            prospect_id,
            {"status": "open", "reason": None},
            ts=ts,
            day=day,
            origin=origin,
        )


def set_follow_up(store: Store, prospect_id: str, day: date | None, *, origin: str = "cli") -> bool:
    """Set (or with None, clear) the next follow-up, in one transaction. Returns False
    when it was that already (nothing written). Raises ValueError (one line, nothing
    written) for a day before today or a prospect that is not open."""
    ts, today = _now(store)
    if day is not None and day.isoformat() < today:
        raise ValueError(f"the follow-up {day.isoformat()} is in the past (today is {today})")
    with translated(store.path), store.writing() as conn:
        name, status, follow_up = _status(conn, prospect_id)
        if day is not None and status != "open":
            raise ValueError(f"{name} is {status}; reopen it first to follow up")
        value = day.isoformat() if day is not None else None
        if follow_up == value:
            return False
        _write(conn, prospect_id, {"follow_up": value}, ts=ts, day=today, origin=origin)
    return True


def rename(store: Store, prospect_id: str, name: str, *, origin: str = "cli") -> bool:
    """Correct a prospect's name (the history keeps the old one), in one transaction.
    False when it is that already. ValueError (one line, nothing written) for a bad
    name or one another prospect has."""
    name = check_name(name)
    ts, day = _now(store)
    with translated(store.path), store.writing() as conn:
        old, _status_, _follow_up = _status(conn, prospect_id)
        if old == name:
            return False
        taken = conn.execute(
            "SELECT name FROM prospects WHERE name = ? COLLATE NOCASE AND id != ? LIMIT 1",
            (name, prospect_id),
        ).fetchone()
        if taken is not None:
            raise ValueError(f"a prospect named {taken[0]!r} exists already")
        _write(conn, prospect_id, {"name": name}, ts=ts, day=day, origin=origin)
    return True


_UNSET: object = object()


def edit(
    store: Store,
    prospect_id: str,
    *,
    company: str | None | object = _UNSET,
    source: str | object = _UNSET,
    origin: str = "cli",
) -> bool:
    """Change a prospect's company (None or empty clears it) and/or source, in one
    transaction; fields not given stay. False when nothing changes. ValueError (one
    line, nothing written) for a bad company or source."""
    changes: dict[str, str | None] = {}
    if company is not _UNSET:
        text = company if isinstance(company, str) and company.strip() else None
        changes["company"] = check_name(text, "company") if text is not None else None
    if source is not _UNSET:
        changes["source"] = check_source(str(source))
    ts, day = _now(store)
    with translated(store.path), store.writing() as conn:
        _status(conn, prospect_id)
        row = conn.execute(
            "SELECT company, source FROM prospects WHERE id = ?", (prospect_id,)
        ).fetchone()
        standing = {"company": row[0], "source": row[1]}
        changes = {k: v for k, v in changes.items() if standing[k] != v}
        if changes:
            _write(conn, prospect_id, changes, ts=ts, day=day, origin=origin)
    return bool(changes)


# -- touches and the follow-up rule --------------------------------------------------------


def follow_up_rules(store: Store) -> dict[str, int]:
    """The follow-up rules stored: metric key -> working days (unreadable ones skipped)."""
    rules: dict[str, int] = {}
    for key, value in store.settings_like(FOLLOW_UP_RULE).items():
        if value.isascii() and value.isdigit() and 0 < int(value) <= 365:
            rules[key[len(FOLLOW_UP_RULE) :]] = int(value)
    return rules


def work_calendar(store: Store) -> WorkCalendar:
    """The working-day calendar (`calendar.*` settings; unreadable values: the defaults),
    read here as `figures.calendar` reads it, for the quick path that loads no figures."""
    from salestui.domain.workdays import WorkCalendar, parse_weekdays

    settings = store.settings_like("calendar.")
    weekdays = WorkCalendar().weekdays
    if "calendar.weekdays" in settings:
        # An unreadable setting: the default week, as `figures.calendar` does.
        with suppress(ValueError):
            weekdays = parse_weekdays(settings["calendar.weekdays"])
    holidays: set[date] = set()
    for key in settings:
        if key.startswith("calendar.off."):
            try:
                holidays.add(date.fromisoformat(key[len("calendar.off.") :]))
            except ValueError:
                continue
    return WorkCalendar(weekdays=weekdays, holidays=frozenset(holidays))


def _apply_rule(
    store: Store,
    conn: sqlite3.Connection,
    prospect_id: str,
    event: Event,
    days: int,
    origin: str,
) -> date | None:
    """Inside a write transaction: move the follow-up to `days` working days after the
    tally's day, unless the prospect is closed or a later follow-up is set already.
    Returns the follow-up set, or None."""
    row = conn.execute(
        "SELECT status, follow_up FROM prospects WHERE id = ?", (prospect_id,)
    ).fetchone()
    if row is None or (row[0] or "open") != "open":
        return None
    due = follow_up_after(date.fromisoformat(event.day), days, work_calendar(store))
    ts, today = _now(store)
    if due.isoformat() < today:  # a tally logged for long ago: no follow-up in the past
        return None
    if row[1] is not None and str(row[1]) >= due.isoformat():
        return None
    _write(conn, prospect_id, {"follow_up": due.isoformat()}, ts=ts, day=today, origin=origin)
    return due


def link_touch(store: Store, event: Event, prospect_id: str, origin: str = "tui") -> date | None:
    """Link a tally already on disk to a prospect and apply the follow-up rule of its
    metric, in one transaction (the app's `p` after a tally). Returns the follow-up the
    rule set, or None. ValueError for an unknown prospect (nothing written)."""
    rules = follow_up_rules(store)
    ts, _today = _now(store)
    with translated(store.path), store.writing() as conn:
        _status(conn, prospect_id)
        write_touch(conn, event, prospect_id, ts=ts, origin=origin)
        if event.metric in rules and event.delta > 0:
            return _apply_rule(store, conn, prospect_id, event, rules[event.metric], origin)
    return None


def log_touch(
    store: Store,
    metric: str,
    count: int,
    prospect_id: str,
    *,
    at: datetime | None = None,
    note: str | None = None,
    source: str = "cli",
) -> tuple[Event, date | None]:
    """`log METRIC COUNT --prospect`: the tally and its touch in one transaction
    (`Store.log`), then the follow-up rule of METRIC, if one is set, in the next.
    Returns the tally and the follow-up the rule set (or None)."""
    event = store.log(metric, count, at=at, note=note, source=source, prospect=prospect_id)
    rules = follow_up_rules(store)
    if metric not in rules:
        return event, None
    with translated(store.path), store.writing() as conn:
        return event, _apply_rule(store, conn, prospect_id, event, rules[metric], source)


# -- a prospect's story ---------------------------------------------------------------------


def timeline(store: Store, prospect_id: str) -> list[Touch]:
    """The tallies linked to a prospect, newest first, each once; undone ones left out.
    A touch's note is the tally's own, or the latest note added about it later."""
    rows = store.connection.execute(
        "SELECT e.ts, e.day, e.metric, e.delta, e.note, e.id,"
        " (SELECT n.note FROM events AS n WHERE n.about = e.id AND n.note IS NOT NULL"
        "  ORDER BY n.ts DESC, n.id DESC LIMIT 1)"
        " FROM events AS e WHERE e.id IN (SELECT event FROM touches WHERE prospect = ?)"
        " AND NOT EXISTS (SELECT 1 FROM events AS u WHERE u.cancels = e.id)"
        " ORDER BY e.ts DESC, e.id DESC",
        (prospect_id,),
    ).fetchall()
    return [
        Touch(
            ts=str(ts),
            day=date.fromisoformat(str(day)),
            metric=str(metric),
            delta=int(delta),
            note=str(later) if later is not None else (str(note) if note is not None else None),
            event_id=str(event_id),
        )
        for ts, day, metric, delta, note, event_id, later in rows
    ]


def history(store: Store, prospect_id: str) -> list[Change]:
    """Every change to a prospect, oldest first (a corrected name shows both)."""
    rows = store.connection.execute(
        "SELECT ts, day, field, value FROM prospect_changes WHERE prospect = ? ORDER BY ts, id",
        (prospect_id,),
    ).fetchall()
    return [
        Change(
            ts=str(ts),
            day=date.fromisoformat(str(day)),
            field=str(field),
            value=str(value) if value is not None else None,
        )
        for ts, day, field, value in rows
    ]


SEARCH_POOL = 3000
"""At most this many coarse matches are ranked in Python."""


def search(
    store: Store,
    text: str,
    limit: int = 200,
    *,
    status: str | None = None,
    index: SearchIndex | None = None,
) -> list[Prospect]:
    """Prospects `text` finds as you type: its characters in order, case-insensitive, in
    the name or the company; best first (`domain.prospects.fuzzy_score`), then by last
    touch. Empty text: every prospect by last touch, most recent first. `status` keeps
    only prospects of that status. With an `index` (`SearchIndex.load`) that serves
    `status`, a few milliseconds at 100k prospects; without, a scan of them all."""
    wanted = " ".join(text.split())
    if not wanted:
        return list_prospects(store, status=status, order="last_touch", limit=limit)
    if index is not None and index.serves(status):
        return index.search(store, wanted, limit, status=status)
    only = " AND +status = ?" if status is not None else ""
    extra: tuple[object, ...] = (status,) if status is not None else ()
    if wanted.isascii():
        scattered = "%" + "%".join(_escaped(ch) for ch in wanted) + "%"
        start, word = _escaped(wanted) + "%", "% " + _escaped(wanted) + "%"
        # The SQL does the coarse filter and puts the likely best first, so a cap on what
        # Python ranks never drops a prefix match for scattered ones.
        rows = store.connection.execute(
            f"SELECT {COLUMNS} FROM prospects WHERE name IS NOT NULL{only}"
            " AND (name LIKE ? ESCAPE '\\' OR company LIKE ? ESCAPE '\\')"
            " ORDER BY CASE WHEN name LIKE ? ESCAPE '\\' THEN 0"
            " WHEN name LIKE ? ESCAPE '\\' THEN 1 ELSE 2 END,"
            " last_touch_ts DESC, name COLLATE NOCASE LIMIT ?",
            (*extra, scattered, scattered, start, word, SEARCH_POOL),
        ).fetchall()
    else:  # LIKE folds ASCII only: rank them all
        rows = store.connection.execute(
            f"SELECT {COLUMNS} FROM prospects WHERE name IS NOT NULL{only}"
            " ORDER BY last_touch_ts DESC, name COLLATE NOCASE",
            extra,
        ).fetchall()
    scored = []
    for position, row in enumerate(rows):
        prospect = prospect_from_row(row)
        score = fuzzy_score(wanted, prospect)
        if score is not None:
            scored.append((score, position, prospect))
    scored.sort(key=lambda each: each[:2])
    return [prospect for _score, _position, prospect in scored[:limit]]


class _Lines:
    """Some prospects' names and companies (case-folded, without line breaks), one line
    each in one string (a line break before and after every line), in the order of `ids`."""

    __slots__ = ("companies", "company_starts", "ids", "names", "starts")

    def __init__(self, ids: list[str], names: list[str], companies: list[str]) -> None:
        self.ids = ids
        self.names = "\n" + "\n".join(names) + "\n"
        self.companies = "\n" + "\n".join(companies) + "\n"
        self.starts = _starts(names)
        self.company_starts = _starts(companies)

    def ranked(self, wanted: str, limit: int) -> list[str]:
        """The ids of the first `limit` lines `wanted` finds, best first as
        `fuzzy_score` ranks, then in line order."""
        found: dict[int, None] = {}
        escaped = re.escape(wanted)
        scattered = escaped[: len(re.escape(wanted[0]))] + "".join(
            f"[^\\n{re.escape(char)}]*{re.escape(char)}" for char in wanted[1:]
        )
        names, companies = self.names, self.companies

        def where(pattern: str, text: str) -> Iterator[int]:
            # Where each match starts; a line break it starts with is its line's.
            return (m.start() + (text[m.start()] == "\n") for m in re.finditer(pattern, text))

        tiers: tuple[tuple[list[int], Iterable[int]], ...] = (
            (self.starts, where(f"\\n{escaped}(?=\\n)", names)),  # the whole name
            (self.starts, where(f"\\n{escaped}", names)),  # the name starts with it
            (self.starts, where(f" {escaped}", names)),  # a word of the name does
            (self.starts, where(escaped, names)),  # the name holds it
            # The company starts with it, or a word of it does: one tier, in line order
            # (two searches for a literal start are much quicker than one for `[\n ]`).
            (
                self.company_starts,
                merge(where(f"\\n{escaped}", companies), where(f" {escaped}", companies)),
            ),
            (self.company_starts, where(escaped, companies)),  # the company holds it
            (self.starts, where(scattered, names)),  # in order over the name
            (self.company_starts, where(scattered, companies)),  # over the company
        )
        for starts, positions in tiers:
            for position in positions:
                line = bisect_right(starts, position) - 1
                if line not in found:
                    found[line] = None
                    if len(found) >= limit:
                        return [self.ids[at] for at in found]
        return [self.ids[at] for at in found]


class SearchIndex:
    """Every prospect's name and company, case-folded, in two strings (all prospects,
    and the open ones), most recently touched first, so that a keystroke's search runs
    in the regular-expression engine over them (a few ms at 100k prospects) instead of
    scoring each prospect in Python; ranked as `fuzzy_score` ranks. Read once
    (`load`, ~0.2 s at 100k, mostly in SQLite's sort: on a worker thread) and again
    when `stale`."""

    def __init__(
        self, ids: list[str], names: list[str], companies: list[str], statuses: list[str]
    ) -> None:
        """Prospects in the order to rank them by, their names and companies case-folded
        without line breaks (`fold`)."""
        self._lines: dict[str | None, _Lines] = {None: _Lines(ids, names, companies)}
        open_ = [at for at, status in enumerate(statuses) if status == "open"]
        self._lines["open"] = _Lines(
            [ids[at] for at in open_], [names[at] for at in open_], [companies[at] for at in open_]
        )
        self.stamp: tuple[object, ...] = ()
        self.size = len(ids)

    @classmethod
    def load(cls, store: Store) -> SearchIndex:
        """Read every named prospect, most recently touched first (the order of
        `list_prospects(order="last_touch")`). The table is scanned and sorted (`+`):
        reading it in an index's order costs a lookup per row, ~3x as long."""
        stamp = search_stamp(store)
        rows = store.connection.execute(
            "SELECT id, name, coalesce(company, ''), coalesce(status, 'open') FROM prospects"
            " WHERE name IS NOT NULL ORDER BY +last_touch_ts DESC, +name COLLATE NOCASE"
        ).fetchall()
        index = cls(
            [str(row[0]) for row in rows],
            fold([str(row[1]) for row in rows]),
            fold([str(row[2]) for row in rows]),
            [str(row[3]) for row in rows],
        )
        index.stamp = stamp
        return index

    def serves(self, status: str | None) -> bool:
        """Whether it can search prospects of `status` (all, or the open ones)."""
        return status in self._lines

    def stale(self, store: Store) -> bool:
        """Whether prospects were added, changed or touched since it was read."""
        return search_stamp(store) != self.stamp

    def search(
        self, store: Store, wanted: str, limit: int, *, status: str | None = None
    ) -> list[Prospect]:
        """`search` through the index: the ids ranked here, read from the database and
        checked again (a prospect changed since the index was read is left out rather
        than shown for the wrong reason)."""
        ids = self._lines[status].ranked(wanted.casefold(), limit)
        by_id: dict[str, Prospect] = {}
        for start in range(0, len(ids), 500):  # under SQLite's limit of parameters
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for row in store.connection.execute(
                f"SELECT {COLUMNS} FROM prospects WHERE id IN ({marks})", chunk
            ):
                prospect = prospect_from_row(row)
                by_id[prospect.id] = prospect
        return [
            prospect
            for prospect in (by_id.get(id_) for id_ in ids)
            if prospect is not None
            and (status is None or prospect.status == status)
            and fuzzy_score(wanted, prospect) is not None
        ]


def fold(texts: list[str]) -> list[str]:
    """Names or companies as `SearchIndex` holds them: case-folded (all at once: the
    C loop of one long string), a line break made a carriage return, which typed text
    never holds (it is whitespace, and the text's whitespace is single spaces)."""
    if not texts:
        return []
    return "\n".join(text.replace("\n", "\r") for text in texts).casefold().split("\n")


def _starts(lines: list[str]) -> list[int]:
    """Where each line starts in `"\\n" + "\\n".join(lines) + "\\n"` (and the end)."""
    return list(accumulate(map(len, lines), lambda at, size: at + size + 1, initial=1))


def search_stamp(store: Store) -> tuple[object, ...]:
    """What changes when a prospect is added, changed or touched (two index reads)."""
    row = store.connection.execute(
        "SELECT (SELECT max(rowid) FROM prospect_changes), (SELECT max(rowid) FROM touches)"
    ).fetchone()
    return tuple(row)


# -- figures -------------------------------------------------------------------------------


def stalled_after(store: Store) -> int:
    """The setting `prospects.stalled_days` (default 14)."""
    value = store.setting(STALLED_DAYS)
    if value is not None and value.isascii() and value.isdigit() and 1 <= int(value) <= 3650:
        return int(value)
    return DEFAULT_STALLED_DAYS


def stalled(store: Store, today: date, days: int) -> list[Prospect]:
    """Open prospects with no touch for `days` days or more (never touched: counted from
    the day they were added), longest quiet first."""
    from datetime import timedelta

    cutoff = (today - timedelta(days=days)).isoformat()
    rows = store.connection.execute(
        f"SELECT {COLUMNS} FROM prospects WHERE name IS NOT NULL AND +status = 'open'"
        " AND coalesce(last_touch, created_on) <= ?"
        " ORDER BY coalesce(last_touch, created_on), name COLLATE NOCASE",
        (cutoff,),
    ).fetchall()
    return [prospect_from_row(row) for row in rows]


def load_stats(
    store: Store, span: DateRange, today: date, stalled_days: int | None = None
) -> ProspectStats:
    """The prospect figures of `span` (`domain.prospect_stats`): prospects closed in it,
    with their first touch and touches up to the close; referrals added in it; and the
    prospects stalled today (after `stalled_days`, the setting when None)."""
    from salestui.domain.prospect_stats import Closed, prospect_stats

    start, end = span.start.isoformat(), span.end.isoformat()
    in_force = "NOT EXISTS (SELECT 1 FROM events AS u WHERE u.cancels = t.event)"
    rows = store.connection.execute(
        "SELECT p.id, p.source, p.status, p.created_on, p.closed_on,"
        f" (SELECT min(t.day) FROM touches AS t WHERE t.prospect = p.id AND t.day <= p.closed_on"
        f"  AND {in_force}),"
        f" (SELECT count(DISTINCT t.event) FROM touches AS t WHERE t.prospect = p.id"
        f"  AND t.day <= p.closed_on AND {in_force})"
        " FROM prospects AS p WHERE p.name IS NOT NULL AND +p.status IN ('won', 'lost')"
        " AND p.closed_on BETWEEN ? AND ?",
        (start, end),
    ).fetchall()
    closed = [
        Closed(
            source=str(source or "cold"),
            won=status == "won",
            created_on=_day(created),
            closed_on=date.fromisoformat(str(closed_on)),
            first_touch=_day(first),
            touches=int(touches or 0),
        )
        for _id, source, status, created, closed_on, first, touches in rows
    ]
    referrals = [
        (date.fromisoformat(str(created)), str(status or "open"))
        for created, status in store.connection.execute(
            "SELECT created_on, status FROM prospects WHERE name IS NOT NULL"
            " AND source = 'referral' AND created_on BETWEEN ? AND ?",
            (start, end),
        )
    ]
    days = stalled_days if stalled_days is not None else stalled_after(store)
    # Counted in SQLite: the lists would make ~60k Prospects at 100k prospects (0.4 s
    # holding the GIL, which the app's keys wait for while the figures are read).
    quiet_since = (today - timedelta(days=days)).isoformat()
    quiet = int(
        store.connection.execute(
            "SELECT count(*) FROM prospects WHERE name IS NOT NULL AND +status = 'open'"
            " AND coalesce(last_touch, created_on) <= ?",
            (quiet_since,),
        ).fetchone()[0]
    )
    due = int(
        store.connection.execute(
            "SELECT count(*) FROM prospects WHERE follow_up IS NOT NULL AND follow_up <= ?"
            " AND +status = 'open' AND name IS NOT NULL",
            (today.isoformat(),),
        ).fetchone()[0]
    )
    return prospect_stats(closed, referrals, stalled=quiet, stalled_days=days, due=due)


def has_prospects(store: Store) -> bool:
    """Whether any prospect was ever added here (or arrived by an import)."""
    return bool(
        store.connection.execute(
            "SELECT 1 FROM prospects WHERE name IS NOT NULL LIMIT 1"
        ).fetchall()
    )
