"""Snapshots of each screen at fixed sizes, a fixed clock and seeded history.

Review the report (`pytest --snapshot-report`) before `--snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from salestui.tui.app import make_app
from tests.conftest import FakeClock
from tests.tui.conftest import after, seed_goal, seed_history

SIZES = [(100, 30), (80, 24)]


@pytest.mark.parametrize("size", SIZES)
def test_today(snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]) -> None:
    seed_history(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=after("c", "c", "m"))


@pytest.mark.parametrize("size", SIZES)
def test_today_with_goal(snap_compare, db_path, clock, size: tuple[int, int]) -> None:
    seed_history(db_path, clock)
    seed_goal(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=after("c", "c", "m"))


@pytest.mark.parametrize("size", SIZES)
def test_funnel(snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]) -> None:
    seed_history(db_path, clock, days=330)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=after("2"))


@pytest.mark.parametrize("size", SIZES)
def test_goals(snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]) -> None:
    seed_history(db_path, clock)
    seed_goal(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=after("3"))


def test_goals_without_a_goal(snap_compare, db_path: Path, clock: FakeClock) -> None:
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=(100, 30), run_before=after("3"))


def test_help(snap_compare, db_path: Path, clock: FakeClock) -> None:
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=(100, 30), run_before=after("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_history(snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]) -> None:
    seed_history(db_path, clock, days=330)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=after("4", "left"))


def test_day_view(snap_compare, db_path: Path, clock: FakeClock) -> None:
    seed_history(db_path, clock, days=14)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=(100, 30), run_before=after("4", "left", "enter"))
