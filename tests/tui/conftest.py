from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from salestui.store import Store
from salestui.tui.app import SalesApp, make_app
from tests.conftest import FakeClock, local


@pytest.fixture
def app_factory(db_path: Path, clock: FakeClock) -> Callable[[], SalesApp]:
    def build() -> SalesApp:
        return make_app(db_path, clock=clock)

    return build


def seed_history(db_path: Path, clock: FakeClock) -> None:
    """Two weeks of plausible, deterministic tallies before today."""
    with Store(db_path, clock=clock) as store:
        for back in range(1, 15):
            day = f"2026-11-{27 - back:02d}T11:00"
            if local(day).weekday() >= 5:
                continue
            store.log("calls", 20 + (back * 7) % 17, at=local(day))
            store.log("meetings", 2 + back % 4, at=local(day))
            if back % 3 == 0:
                store.log("sales", 1, at=local(day))
