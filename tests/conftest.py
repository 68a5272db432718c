"""Shared fixtures: a fixed time zone, a settable clock, a fresh database per test, and
a check that every sqlite3 connection a test opens is closed."""

from __future__ import annotations

import gc
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

# Every test runs in one fixed zone with a DST change, whatever the machine says.
os.environ["TZ"] = "Europe/Berlin"
time.tzset()


class FakeClock:
    """A wall clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now = self.now + timedelta(**kwargs)


def sql_one(db_path: Path, sql: str, *params: object) -> Any:
    """The first row of `sql` on the file at `db_path`, through a connection closed at once."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchone()
    finally:
        conn.close()


def event_rows(db_path: Path) -> list[tuple[object, ...]]:
    """Every event row of the file at `db_path`, all columns, in recording order."""
    from salestui.store.events import EVENT_COLUMNS

    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()


def local(text: str) -> datetime:
    """A naive local timestamp string as an aware local datetime."""
    return datetime.fromisoformat(text).astimezone()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local("2026-11-27T10:42:00"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "salestui.db"


@pytest.fixture
def store(db_path: Path, clock: FakeClock) -> Iterator[object]:
    from salestui.store import Store

    with Store(db_path, clock=clock) as opened:
        yield opened


# --- Every connection closed -------------------------------------------------------
# Python 3.11's sqlite3 says nothing when a connection is dropped unclosed (3.13 warns),
# so the check is ours: while a test runs, sqlite3.connect hands out a subclass that
# remembers where it was opened and whether close() was called. One that is garbage
# collected still open is a leak; the test that opened it fails, naming the file:line
# of the connect. A connection still referenced at teardown (a deliberately long-lived
# object) is allowed; if it is dropped unclosed later, it is reported then.
# On by default, with ResourceWarning (unclosed files, sockets, pipes) an error too;
# SALESTUI_STRICT_LEAKS=0 turns both off (to look at a failure without them).

STRICT_LEAKS = os.environ.get("SALESTUI_STRICT_LEAKS", "1") == "1"
ROOT = Path(__file__).resolve().parent.parent
_leaks: list[str] = []
_running_test = ""


class TrackedConnection(sqlite3.Connection):
    """A connection that reports being garbage collected without close()."""

    opened_at = ""
    opened_in = ""
    closed = False

    def close(self) -> None:
        self.closed = True
        super().close()

    def __del__(self) -> None:
        if not self.closed:
            where = f" (opened in {self.opened_in})" if self.opened_in != _running_test else ""
            _leaks.append(f"{self.opened_at}{where}")


def _connect_site() -> str:
    """file:line of the innermost frame of this project that called sqlite3.connect,
    and of the test code that led there when that frame is in src/."""
    frame = sys._getframe(2)
    sites: list[str] = []
    while frame is not None and len(sites) < 2:
        filename = frame.f_code.co_filename
        if filename.startswith(str(ROOT)) and filename != __file__:
            relative = Path(filename).relative_to(ROOT)
            if not sites or relative.parts[0] == "tests":
                sites.append(f"{relative}:{frame.f_lineno}")
            if relative.parts[0] == "tests":
                break
        frame = frame.f_back  # type: ignore[assignment]
    return " via ".join(sites) or "outside the project"


def pytest_configure(config: pytest.Config) -> None:
    if STRICT_LEAKS:
        config.addinivalue_line("filterwarnings", "error::ResourceWarning")
        config.addinivalue_line("filterwarnings", "error::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture(autouse=True)
def every_connection_closed(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    if not STRICT_LEAKS:
        yield
        return
    global _running_test
    _running_test = request.node.nodeid
    original = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        if "factory" in kwargs:
            return original(*args, **kwargs)
        conn = original(*args, factory=TrackedConnection, **kwargs)
        conn.opened_at = _connect_site()
        conn.opened_in = _running_test
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    yield
    monkeypatch.setattr(sqlite3, "connect", original)
    gc.collect()
    leaks, _leaks[:] = list(_leaks), []
    if leaks:
        pytest.fail("sqlite3 connections never closed, opened at: " + ", ".join(leaks))
