"""Schema versions and forward migrations, keyed by `PRAGMA user_version`.

A migration step is an SQL statement, or a function given the connection for what SQL
alone cannot do (splitting old settings blobs into one setting per key).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from salestui.store.time_schema import TIME_STEPS

APPLICATION_ID = 0x53414C45  # "SALE": marks the file as a salestui database in its header.

Step = str | Callable[[sqlite3.Connection], None]

_UUID4_SQL = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)"
    " || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2)"
    " || '-' || hex(randomblob(6)))"
)
"""A random version-4 UUID, in SQL (for rows a migration creates)."""

# How a day's total is rebuilt from the log: every event counts once, except a second
# (or later) undo of the same tally (two machines each undid it, then merged).
_COUNTED = (
    "(e.cancels IS NULL OR e.rowid = (SELECT min(u.rowid) FROM events AS u"
    " WHERE u.cancels = e.cancels))"
)

DAILY_COUNTS_VIEW = """CREATE VIEW daily_counts AS
    SELECT day,
        SUM(CASE metric WHEN 'calls' THEN MAX(count, 0) ELSE 0 END) AS calls,
        SUM(CASE metric WHEN 'meetings' THEN MAX(count, 0) ELSE 0 END) AS meetings,
        SUM(CASE metric WHEN 'sales' THEN MAX(count, 0) ELSE 0 END) AS sales
    FROM day_totals GROUP BY day"""
"""For people who query the file: one row a day, never below zero."""

METRIC_COUNTS_VIEW = """CREATE VIEW metric_counts AS
    SELECT day, metric, MAX(count, 0) AS count FROM day_totals"""
"""For people who query the file: one row per day and metric, every metric (the user's own
too, which `daily_counts` has no column for), never below zero."""


def legacy_setting_rows(key: str, value: str) -> Iterator[tuple[str, str | None]]:
    """One old (schema < 3) setting as per-key settings: the `goals` and `calendar`
    blobs split into one key per month / day off, so that two changes to different
    parts never overwrite each other. Unreadable blobs are dropped."""
    import json  # only when migrating an old file: kept off every command's start-up

    if key == "goals":
        try:
            data = json.loads(value)
            for kind, name in (("standing", "from"), ("only", "only")):
                for month, target in dict(data.get(kind, {})).items():
                    yield f"goal.{name}.{month}", str(int(target))
        except (ValueError, TypeError, AttributeError):
            return
    elif key == "calendar":
        try:
            data = json.loads(value)
            weekdays = data.get("weekdays")
            if isinstance(weekdays, str):
                yield "calendar.weekdays", weekdays
            for day in data.get("holidays", []):
                yield f"calendar.off.{day}", "off"
        except (ValueError, TypeError, AttributeError):
            return
    else:
        yield key, value


def _settings_to_changes(conn: sqlite3.Connection) -> None:
    """Schema 3: settings become append-only changes; `settings` becomes a view."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    rows = conn.execute("SELECT key, value FROM settings ORDER BY key").fetchall()
    for key, value in rows:
        for new_key, new_value in legacy_setting_rows(str(key), str(value)):
            conn.execute(
                "INSERT INTO setting_changes (id, ts, key, value, source)"
                f" VALUES ({_UUID4_SQL}, ?, ?, ?, 'migration')",
                (now, new_key, new_value),
            )
    conn.execute("DROP TABLE settings")


PROSPECT_FIELDS = ("name", "company", "source", "status", "reason", "follow_up")
"""What a prospect change may set (one field per change; the latest change wins)."""

_LATEST = "({field}_at IS NULL OR {field}_at < NEW.ts || ' ' || NEW.id)"

# A prospect's touches: linked tallies that are not cancelled, each tally once.
_TOUCH_FIGURES = """UPDATE prospects SET
        touches = (SELECT count(DISTINCT t.event) FROM touches AS t WHERE t.prospect = prospects.id
            AND NOT EXISTS (SELECT 1 FROM events AS u WHERE u.cancels = t.event)),
        first_touch = (SELECT min(t.day) FROM touches AS t WHERE t.prospect = prospects.id
            AND NOT EXISTS (SELECT 1 FROM events AS u WHERE u.cancels = t.event)),
        last_touch = (SELECT max(t.day) FROM touches AS t WHERE t.prospect = prospects.id
            AND NOT EXISTS (SELECT 1 FROM events AS u WHERE u.cancels = t.event)),
        last_touch_ts = (SELECT max(t.event_ts) FROM touches AS t WHERE t.prospect = prospects.id
            AND NOT EXISTS (SELECT 1 FROM events AS u WHERE u.cancels = t.event))"""

PROSPECT_STEPS: tuple[Step, ...] = (
    # Prospects (the person or company a tally was about) are append-only changes, one
    # field each, merged by id like settings: per prospect and field the latest change
    # (by ts, then id) wins, so two machines' edits merge in any order.
    """CREATE TABLE prospect_changes (
        id TEXT PRIMARY KEY,
        ts TEXT NOT NULL,
        day TEXT NOT NULL,
        prospect TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT,
        source TEXT NOT NULL
    )""",
    "CREATE INDEX prospect_changes_of ON prospect_changes(prospect, field, ts, id)",
    """CREATE TRIGGER prospect_changes_check BEFORE INSERT ON prospect_changes
    WHEN typeof(NEW.id) != 'text' OR typeof(NEW.ts) != 'text' OR typeof(NEW.prospect) != 'text'
        OR NEW.prospect = '' OR typeof(NEW.day) != 'text'
        OR NEW.day NOT GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'
        OR NEW.field NOT IN ('name', 'company', 'source', 'status', 'reason', 'follow_up')
        OR (NEW.value IS NOT NULL AND (typeof(NEW.value) != 'text' OR length(NEW.value) > 2000))
        OR (NEW.field = 'status' AND NEW.value NOT IN ('open', 'won', 'lost'))
        OR (NEW.field = 'name' AND (NEW.value IS NULL OR NEW.value = ''))
    BEGIN
        SELECT RAISE(ABORT, 'salestui: a malformed prospect change was refused');
    END""",
    """CREATE TRIGGER prospect_changes_no_update BEFORE UPDATE ON prospect_changes BEGIN
        SELECT RAISE(ABORT, 'salestui prospects are append-only');
    END""",
    """CREATE TRIGGER prospect_changes_no_delete BEFORE DELETE ON prospect_changes BEGIN
        SELECT RAISE(ABORT, 'salestui prospects are append-only');
    END""",
    # A touch links one tally (an event id) to a prospect; `day`, `event_ts` and `metric`
    # are the tally's, kept here so the figures need no join over the whole log.
    """CREATE TABLE touches (
        id TEXT PRIMARY KEY,
        ts TEXT NOT NULL,
        prospect TEXT NOT NULL,
        event TEXT NOT NULL,
        event_ts TEXT NOT NULL,
        day TEXT NOT NULL,
        metric TEXT NOT NULL,
        source TEXT NOT NULL
    )""",
    "CREATE INDEX touches_of ON touches(prospect, day)",
    "CREATE INDEX touches_event ON touches(event)",
    """CREATE TRIGGER touches_check BEFORE INSERT ON touches
    WHEN typeof(NEW.id) != 'text' OR typeof(NEW.ts) != 'text' OR typeof(NEW.prospect) != 'text'
        OR NEW.prospect = '' OR typeof(NEW.event) != 'text' OR typeof(NEW.event_ts) != 'text'
        OR typeof(NEW.day) != 'text' OR NEW.day NOT GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'
        OR typeof(NEW.metric) != 'text' OR NEW.metric = ''
    BEGIN
        SELECT RAISE(ABORT, 'salestui: a malformed touch was refused');
    END""",
    """CREATE TRIGGER touches_no_update BEFORE UPDATE ON touches BEGIN
        SELECT RAISE(ABORT, 'salestui touches are append-only');
    END""",
    """CREATE TRIGGER touches_no_delete BEFORE DELETE ON touches BEGIN
        SELECT RAISE(ABORT, 'salestui touches are append-only');
    END""",
    # Each prospect as it stands, kept by triggers (like day_totals) so that a list of
    # 100k prospects costs one indexed read. `FIELD_at` is "ts id" of the change that
    # set FIELD; `closed_on` the local day of the change to won or lost.
    """CREATE TABLE prospects (
        id TEXT PRIMARY KEY,
        name TEXT, name_at TEXT,
        company TEXT, company_at TEXT,
        source TEXT, source_at TEXT,
        status TEXT, status_at TEXT, closed_on TEXT,
        reason TEXT, reason_at TEXT,
        follow_up TEXT, follow_up_at TEXT,
        created TEXT, created_on TEXT,
        touches INTEGER NOT NULL DEFAULT 0,
        first_touch TEXT, last_touch TEXT, last_touch_ts TEXT
    ) WITHOUT ROWID""",
    "CREATE INDEX prospects_name ON prospects(name COLLATE NOCASE)",
    "CREATE INDEX prospects_follow_up ON prospects(follow_up) WHERE follow_up IS NOT NULL",
    # The Prospects tab's first 200 in each order it offers, open ones or all, read from
    # an index with LIMIT (~1 ms at 100k) instead of sorting every prospect (~35 ms).
    # Each ends with the name, the orders' tie-break (`store.prospects.list_prospects`).
    "CREATE INDEX prospects_by_name ON prospects(status, name COLLATE NOCASE)",
    """CREATE INDEX prospects_by_last_touch
        ON prospects(status, last_touch_ts DESC, name COLLATE NOCASE)""",
    """CREATE INDEX prospects_all_by_last_touch
        ON prospects(last_touch_ts DESC, name COLLATE NOCASE)""",
    """CREATE INDEX prospects_by_follow_up
        ON prospects(status, follow_up IS NULL, follow_up, name COLLATE NOCASE)""",
    """CREATE INDEX prospects_all_by_follow_up
        ON prospects(follow_up IS NULL, follow_up, name COLLATE NOCASE)""",
    "CREATE INDEX prospects_by_touches ON prospects(status, touches DESC, name COLLATE NOCASE)",
    "CREATE INDEX prospects_all_by_touches ON prospects(touches DESC, name COLLATE NOCASE)",
    "CREATE INDEX prospects_by_age ON prospects(status, created, name COLLATE NOCASE)",
    "CREATE INDEX prospects_all_by_age ON prospects(created, name COLLATE NOCASE)",
    # How many prospects (with a name) have each status, kept as they change, so the
    # tab's "200 of 100,000" costs one read of a few rows; '' for a status not yet known.
    """CREATE TABLE prospect_counts (
        status TEXT PRIMARY KEY,
        n INTEGER NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TRIGGER prospects_counted AFTER UPDATE OF name, status ON prospects
    WHEN (OLD.name IS NULL) != (NEW.name IS NULL) OR OLD.status IS NOT NEW.status
    BEGIN
        UPDATE prospect_counts SET n = n - 1
            WHERE OLD.name IS NOT NULL AND status = coalesce(OLD.status, '');
        INSERT INTO prospect_counts (status, n)
            SELECT coalesce(NEW.status, ''), 1 WHERE NEW.name IS NOT NULL
            ON CONFLICT (status) DO UPDATE SET n = n + 1;
    END""",
    f"""CREATE TRIGGER prospect_changes_rollup AFTER INSERT ON prospect_changes BEGIN
        INSERT INTO prospects (id, created, created_on) VALUES (NEW.prospect, NEW.ts, NEW.day)
        ON CONFLICT (id) DO UPDATE SET created = excluded.created, created_on = excluded.created_on
            WHERE created IS NULL OR excluded.created < created;
        UPDATE prospects SET name = NEW.value, name_at = NEW.ts || ' ' || NEW.id
            WHERE id = NEW.prospect AND NEW.field = 'name' AND {_LATEST.format(field="name")};
        UPDATE prospects SET company = NEW.value, company_at = NEW.ts || ' ' || NEW.id
            WHERE id = NEW.prospect AND NEW.field = 'company' AND {_LATEST.format(field="company")};
        UPDATE prospects SET source = NEW.value, source_at = NEW.ts || ' ' || NEW.id
            WHERE id = NEW.prospect AND NEW.field = 'source' AND {_LATEST.format(field="source")};
        UPDATE prospects SET status = NEW.value, status_at = NEW.ts || ' ' || NEW.id,
                closed_on = CASE WHEN NEW.value IN ('won', 'lost') THEN NEW.day END
            WHERE id = NEW.prospect AND NEW.field = 'status' AND {_LATEST.format(field="status")};
        UPDATE prospects SET reason = NEW.value, reason_at = NEW.ts || ' ' || NEW.id
            WHERE id = NEW.prospect AND NEW.field = 'reason' AND {_LATEST.format(field="reason")};
        UPDATE prospects SET follow_up = NEW.value, follow_up_at = NEW.ts || ' ' || NEW.id
            WHERE id = NEW.prospect AND NEW.field = 'follow_up'
                AND {_LATEST.format(field="follow_up")};
    END""",
    f"""CREATE TRIGGER touches_rollup AFTER INSERT ON touches BEGIN
        INSERT INTO prospects (id) VALUES (NEW.prospect) ON CONFLICT (id) DO NOTHING;
        {_TOUCH_FIGURES} WHERE id = NEW.prospect;
    END""",
    # Undoing a linked tally takes the touch away.
    f"""CREATE TRIGGER events_untouch AFTER INSERT ON events
    WHEN NEW.cancels IS NOT NULL AND EXISTS (SELECT 1 FROM touches WHERE event = NEW.cancels)
    BEGIN
        {_TOUCH_FIGURES}
            WHERE id IN (SELECT prospect FROM touches WHERE event = NEW.cancels);
    END""",
)


MIGRATIONS: dict[int, tuple[Step, ...]] = {
    1: (
        # The event log is the truth; nothing in it is ever updated or deleted.
        """CREATE TABLE events (
            id TEXT PRIMARY KEY,
            ts TEXT NOT NULL,
            day TEXT NOT NULL,
            metric TEXT NOT NULL,
            delta INTEGER NOT NULL,
            note TEXT,
            source TEXT NOT NULL,
            cancels TEXT
        )""",
        "CREATE INDEX events_day ON events(day)",
        "CREATE INDEX events_cancels ON events(cancels) WHERE cancels IS NOT NULL",
        # Per-day rollup so that counts for any period cost the same at any history size.
        """CREATE TABLE day_totals (
            day TEXT NOT NULL,
            metric TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, metric)
        ) WITHOUT ROWID""",
        """CREATE TRIGGER events_rollup AFTER INSERT ON events BEGIN
            INSERT INTO day_totals (day, metric, count) VALUES (NEW.day, NEW.metric, NEW.delta)
            ON CONFLICT (day, metric) DO UPDATE SET count = count + excluded.count;
        END""",
        """CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
            SELECT RAISE(ABORT, 'salestui events are append-only');
        END""",
        """CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
            SELECT RAISE(ABORT, 'salestui events are append-only');
        END""",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        # For people who query the file with standard SQLite tools.
        """CREATE VIEW daily_counts AS
            SELECT day,
                SUM(CASE metric WHEN 'calls' THEN count ELSE 0 END) AS calls,
                SUM(CASE metric WHEN 'meetings' THEN count ELSE 0 END) AS meetings,
                SUM(CASE metric WHEN 'sales' THEN count ELSE 0 END) AS sales
            FROM day_totals GROUP BY day""",
    ),
    2: (
        # A note added later to a tally is its own event (delta 0) that points at it.
        "ALTER TABLE events ADD COLUMN about TEXT",
        "CREATE INDEX events_about ON events(about) WHERE about IS NOT NULL",
    ),
    3: (
        # Rules for trust. Every event is well-formed and bounded, whoever inserts it
        # (salestui, an import, or a person with the sqlite3 shell), so a day's total can
        # neither overflow nor hold a value a reader cannot read.
        """CREATE TRIGGER events_check BEFORE INSERT ON events
        WHEN typeof(NEW.delta) != 'integer' OR NEW.delta NOT BETWEEN -10000 AND 10000
            OR typeof(NEW.day) != 'text'
            OR NEW.day NOT GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'
            OR typeof(NEW.metric) != 'text' OR NEW.metric = ''
            OR typeof(NEW.ts) != 'text' OR typeof(NEW.id) != 'text'
        BEGIN
            SELECT RAISE(ABORT, 'salestui: a malformed event was refused');
        END""",
        # A tally cancelled twice (each of two machines undid it, then they merged) is
        # cancelled once: only the first undo of a tally counts.
        "DROP TRIGGER events_rollup",
        """CREATE TRIGGER events_rollup AFTER INSERT ON events
        WHEN NEW.cancels IS NULL OR NOT EXISTS (
            SELECT 1 FROM events WHERE cancels = NEW.cancels AND id != NEW.id)
        BEGIN
            INSERT INTO day_totals (day, metric, count) VALUES (NEW.day, NEW.metric, NEW.delta)
            ON CONFLICT (day, metric) DO UPDATE SET count = count + excluded.count;
        END""",
        # Rebuild the rollup under the new rule; out-of-bounds deltas (an overflowed
        # total came from one) are left out rather than poisoning every figure.
        "DELETE FROM day_totals",
        f"""INSERT INTO day_totals (day, metric, count)
            SELECT day, metric, SUM(delta) FROM events AS e
            WHERE typeof(delta) = 'integer' AND delta BETWEEN -10000 AND 10000
                AND typeof(day) = 'text' AND typeof(metric) = 'text' AND {_COUNTED}
            GROUP BY day, metric""",
        "DROP VIEW daily_counts",
        DAILY_COUNTS_VIEW,
        # Rowids written by imports: `salestui undo` cancels only this database's own.
        """CREATE TABLE imported_rows (
            first_rowid INTEGER NOT NULL,
            last_rowid INTEGER NOT NULL,
            ts TEXT NOT NULL,
            label TEXT
        )""",
        # Settings are data like tallies: each change is appended, per key, and the latest
        # change of a key is its value. Concurrent changes to different keys all stay;
        # two machines merge by id and keep, per key, the later change.
        """CREATE TABLE setting_changes (
            id TEXT PRIMARY KEY,
            ts TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT,
            source TEXT NOT NULL
        )""",
        "CREATE INDEX setting_changes_key ON setting_changes(key, ts, id)",
        """CREATE TRIGGER setting_changes_no_update BEFORE UPDATE ON setting_changes BEGIN
            SELECT RAISE(ABORT, 'salestui settings are append-only');
        END""",
        """CREATE TRIGGER setting_changes_no_delete BEFORE DELETE ON setting_changes BEGIN
            SELECT RAISE(ABORT, 'salestui settings are append-only');
        END""",
        _settings_to_changes,
        """CREATE VIEW settings AS
            SELECT key, value FROM setting_changes AS c
            WHERE value IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM setting_changes AS later WHERE later.key = c.key
                AND (later.ts > c.ts OR (later.ts = c.ts AND later.id > c.id)))""",
    ),
    4: (
        # Metrics are the user's (emails, applications, ...). The log, the rollup and the
        # check trigger already take any metric name; `daily_counts` keeps its three
        # columns, and this long-format view shows every metric.
        METRIC_COUNTS_VIEW,
    ),
    5: (
        # Prospects (who a tally was about) and time on non-sales work.
        *PROSPECT_STEPS,
        *TIME_STEPS,
    ),
}

SCHEMA_VERSION = max(MIGRATIONS)
