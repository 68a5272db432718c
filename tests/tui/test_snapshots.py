"""Snapshots of each screen at fixed sizes, a fixed clock and seeded history.

Review the report (`pytest --snapshot-report`) before `--snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from salestui.tui.app import make_app
from tests.conftest import FakeClock
from tests.tui.conftest import seed_history


async def settle(pilot) -> None:  # noqa: ANN001
    await pilot.pause(0.8)  # let the flash of the last press fade, so the picture is stable


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
def test_today(snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]) -> None:
    seed_history(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, press=["c", "c", "m"], run_before=settle)


def test_help(snap_compare, db_path: Path, clock: FakeClock) -> None:
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=(100, 30), press=["question_mark"])
