"""Schema versions and forward migrations, keyed by `PRAGMA user_version`."""

from __future__ import annotations

APPLICATION_ID = 0x53414C45  # "SALE": marks the file as a salestui database in its header.

MIGRATIONS: dict[int, tuple[str, ...]] = {
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
}

SCHEMA_VERSION = max(MIGRATIONS)
