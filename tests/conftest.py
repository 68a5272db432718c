"""Shared fixtures: a fixed time zone, a settable clock, a fresh database per test."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

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
