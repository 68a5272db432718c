"""Snapshots of Today in every kind of pane (issue 9), with a goal so targets show:
a strip (40x10, 100x12), a column (50x20), standard (80x24, 120x40), large (200x50).

Review the report (`pytest --snapshot-report`) before `--snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from salestui.tui.app import make_app
from tests.conftest import FakeClock
from tests.tui.conftest import after, seed_goal, seed_history

SIZES = [(40, 10), (50, 20), (80, 24), (100, 12), (120, 40), (200, 50)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_today_in_a_pane(
    snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]
) -> None:
    seed_history(db_path, clock)
    seed_goal(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=after("c", "c", "m"))
