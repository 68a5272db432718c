"""Notice other processes' tallies and midnight without waking the app's event loop.

A daemon thread reads `PRAGMA data_version` on its own read-only connection once a
second (microseconds of work) and calls back into the app only when something changed.
An idle app's event loop then sleeps for good: no per-second trip through it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

from salestui.clock import Clock


class ChangeWatcher(threading.Thread):
    """Calls `on_change` (from this thread) when the database or the local date changes."""

    def __init__(
        self, db_path: Path, clock: Clock, on_change: Callable[[], None], interval: float
    ) -> None:
        super().__init__(name="salestui-watcher", daemon=True)
        self.db_path = db_path
        self.clock = clock
        self.on_change = on_change
        self.interval = interval
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()

    def run(self) -> None:
        try:
            conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        except sqlite3.Error:
            conn = None
        version = self._version(conn)
        day: date = self.clock().date()
        while not self._stopped.wait(self.interval):
            now_version, today = self._version(conn), self.clock().date()
            if now_version != version or today != day:
                version, day = now_version, today
                self.on_change()
        if conn is not None:
            conn.close()

    @staticmethod
    def _version(conn: sqlite3.Connection | None) -> int | None:
        if conn is None:
            return None
        try:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            return None  # the app's own poll reports problems with the file
