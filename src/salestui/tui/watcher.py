"""Notice other processes' tallies and midnight without waking the app's event loop.

A daemon thread waits for the database's folder to change (Linux inotify, through
ctypes: another process's tally writes the `-wal` file), then compares `PRAGMA
data_version` on its own read-only connection and calls back into the app only when
the data really changed. It also wakes at local midnight. An idle app therefore uses
no CPU at all. Where inotify is missing, it checks once a second instead (microseconds
of work, still without touching the event loop).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import select
import sqlite3
import sys
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from salestui.clock import Clock
from salestui.store.events import sqlite_uri

SAFETY_SECONDS = 60.0
"""Even with inotify, look at least this often (a missed event costs at most this)."""

_IN_MODIFY = 0x002
_IN_MOVED_TO = 0x080
_IN_CREATE = 0x100
_IN_NONBLOCK = 0o4000
_IN_CLOEXEC = 0o2000000


def _inotify_fd(folder: Path) -> int | None:
    """An inotify descriptor watching `folder` for writes, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fd = int(libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC))
        if fd < 0:
            return None
        mask = _IN_MODIFY | _IN_CREATE | _IN_MOVED_TO
        if int(libc.inotify_add_watch(fd, os.fsencode(folder), mask)) < 0:
            os.close(fd)
            return None
        return fd
    except (OSError, AttributeError):
        return None


class ChangeWatcher(threading.Thread):
    """Calls `on_change` (from this thread) when the database or the local date changes."""

    def __init__(
        self,
        db_path: Path,
        clock: Clock,
        on_change: Callable[[], None],
        interval: float,
        *,
        use_inotify: bool = True,
    ) -> None:
        super().__init__(name="salestui-watcher", daemon=True)
        self.db_path = db_path
        self.clock = clock
        self.on_change = on_change
        self.interval = interval
        self.use_inotify = use_inotify
        self._wake_read, self._wake_write = os.pipe()
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            os.write(self._wake_write, b"x")

    def run(self) -> None:
        try:
            # An escaped URI: a `#` or `?` in the path would otherwise cut it short (and
            # open, even create, some other file).
            conn: sqlite3.Connection | None = sqlite3.connect(
                sqlite_uri(self.db_path, "ro"), uri=True
            )
        except sqlite3.Error:
            conn = None
        notify_fd = _inotify_fd(self.watched_folder()) if self.use_inotify else None
        version = self._version(conn)
        day: date = self.clock().date()
        try:
            # A tally another process made while the app was starting (after its first
            # read, before this watch began) changes nothing from here on: say "look"
            # once now (the app compares its own data_version, so this costs one PRAGMA).
            if not self._stopped.is_set():
                self.on_change()
            while not self._stopped.is_set():
                self._wait(notify_fd)
                if self._stopped.is_set():
                    break
                now_version, today = self._version(conn), self.clock().date()
                if now_version != version or today != day:
                    version, day = now_version, today
                    self.on_change()
        finally:
            for fd in (notify_fd, self._wake_read, self._wake_write):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            if conn is not None:
                conn.close()

    def watched_folder(self) -> Path:
        """The folder where the database's `-wal` really changes: SQLite follows a
        symlinked database file to its target and writes the `-wal` beside it."""
        return Path(os.path.realpath(self.db_path)).parent

    def _wait(self, notify_fd: int | None) -> None:
        """Until the folder changes, midnight, the safety timeout, or stop()."""
        if notify_fd is None:
            select.select([self._wake_read], [], [], self.interval)
            return
        timeout = min(SAFETY_SECONDS, self._seconds_to_midnight() + 0.5)
        ready, _, _ = select.select([notify_fd, self._wake_read], [], [], timeout)
        if notify_fd in ready:
            # A tally is a burst of writes (WAL, shm): let it finish, then drain the events.
            self._stopped.wait(0.05)
            with contextlib.suppress(BlockingIOError, OSError):
                while os.read(notify_fd, 65536):
                    pass

    def _seconds_to_midnight(self) -> float:
        now = self.clock()
        midnight = datetime.combine(now.date() + timedelta(days=1), time(0), now.tzinfo)
        return max(0.0, (midnight - now).total_seconds())

    @staticmethod
    def _version(conn: sqlite3.Connection | None) -> int | None:
        if conn is None:
            return None
        try:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            return None  # the app's own poll reports problems with the file
