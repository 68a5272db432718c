"""Snapshots of each screen at fixed sizes, a fixed clock and seeded history.

Review the report (`pytest --snapshot-report`) before `--snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from salestui.tui.app import make_app
from tests.conftest import FakeClock
from tests.tui.conftest import seed_goal, seed_history, wait_for_workers

SIZES = [(100, 30), (80, 24)]


async def settle(pilot) -> None:  # noqa: ANN001
    """Wait for the figures worker, and for the flash of the last press to fade."""
    await wait_for_workers(pilot.app)
    await pilot.pause(0.8)
    await wait_for_workers(pilot.app)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_today(snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]) -> None:
    seed_history(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, press=["c", "c", "m"], run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_today_with_goal(snap_compare, db_path, clock, size: tuple[int, int]) -> None:
    seed_history(db_path, clock)
    seed_goal(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, press=["c", "c", "m"], run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_funnel(snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]) -> None:
    seed_history(db_path, clock, days=330)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, press=["2"], run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_goals(snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]) -> None:
    seed_history(db_path, clock)
    seed_goal(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, press=["3"], run_before=settle)


def test_goals_without_a_goal(snap_compare, db_path: Path, clock: FakeClock) -> None:
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=(100, 30), press=["3"], run_before=settle)


def test_help(snap_compare, db_path: Path, clock: FakeClock) -> None:
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=(100, 30), press=["question_mark"])


@pytest.mark.parametrize("size", SIZES)
def test_history(snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]) -> None:
    seed_history(db_path, clock, days=330)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, press=["4", "left"], run_before=settle)


def test_day_view(snap_compare, db_path: Path, clock: FakeClock) -> None:
    seed_history(db_path, clock, days=14)
    app = make_app(db_path, clock=clock)
    assert snap_compare(
        app, terminal_size=(100, 30), press=["4", "left", "enter"], run_before=settle
    )
