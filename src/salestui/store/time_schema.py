"""Schema 5, time on non-sales work: timers as append-only changes.

A draft owned by the time work (issue 12); the migration is `MIGRATIONS[5]` in
`salestui.store.schema`, which takes these steps after the prospects'.
"""

from __future__ import annotations

TIME_STEPS: tuple[str, ...] = (
    # kind start: `timer` is this row's id, `category` and `at` (local ISO datetime with
    # its UTC offset) when it started. kind stop: `timer` is the start it stops, `at` when.
    # kind log: a finished stretch given afterwards: `timer` is this row's id, `at` its
    # start, `minutes` its length. `day` is the local day of `at`.
    """CREATE TABLE time_changes (
        id TEXT PRIMARY KEY,
        ts TEXT NOT NULL,
        kind TEXT NOT NULL,
        timer TEXT NOT NULL,
        category TEXT,
        at TEXT NOT NULL,
        day TEXT NOT NULL,
        minutes INTEGER,
        source TEXT NOT NULL
    )""",
    "CREATE INDEX time_changes_day ON time_changes(day)",
    "CREATE INDEX time_changes_timer ON time_changes(timer)",
    """CREATE TRIGGER time_changes_check BEFORE INSERT ON time_changes
    WHEN typeof(NEW.id) != 'text' OR typeof(NEW.ts) != 'text' OR typeof(NEW.timer) != 'text'
        OR NEW.kind NOT IN ('start', 'stop', 'log')
        OR typeof(NEW.at) != 'text' OR typeof(NEW.day) != 'text'
        OR NEW.day NOT GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'
        OR (NEW.kind != 'stop' AND (typeof(NEW.category) != 'text' OR NEW.category = ''))
        OR (NEW.kind = 'log'
            AND (typeof(NEW.minutes) != 'integer' OR NEW.minutes NOT BETWEEN 1 AND 1440))
    BEGIN
        SELECT RAISE(ABORT, 'salestui: a malformed time change was refused');
    END""",
    """CREATE TRIGGER time_changes_no_update BEFORE UPDATE ON time_changes BEGIN
        SELECT RAISE(ABORT, 'salestui time is append-only');
    END""",
    """CREATE TRIGGER time_changes_no_delete BEFORE DELETE ON time_changes BEGIN
        SELECT RAISE(ABORT, 'salestui time is append-only');
    END""",
)
