"""Snapshots of the Funnel, Goals and History tabs in the panes people use: a quarter
screen (80x24), a big terminal (120x40) and a narrow column (60x20); History and
Funnel in the light theme too. Seeded history and goal, a fixed clock.

Review the report (`pytest --snapshot-report`) before `--snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from salestui.tui.app import make_app
from tests.conftest import FakeClock
from tests.tui.conftest import after, seed_goal, seed_history

SIZES = [(80, 24), (120, 40), (60, 20)]
TABS = {"funnel": "2", "goals": "3", "history": "4"}


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("tab", list(TABS))
def test_tab(snap_compare, db_path: Path, clock: FakeClock, tab: str, size: tuple[int, int]):
    seed_history(db_path, clock, days=330)
    seed_goal(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=after(TABS[tab]))


@pytest.mark.parametrize(
    ("tab", "size"),
    [("history", (120, 40)), ("history", (60, 20)), ("funnel", (80, 24))],
    ids=["history-120x40", "history-60x20", "funnel-80x24"],
)
def test_tab_in_the_light_theme(
    snap_compare, db_path: Path, clock: FakeClock, tab: str, size: tuple[int, int]
):
    seed_history(db_path, clock, days=330)
    seed_goal(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=after(TABS[tab], theme="textual-light"))
