"""Snapshots of the Funnel, Goals and History tabs in the panes people use: a quarter
screen (80x24), a big terminal (120x40) and a narrow column (60x20); History and
Funnel in the light theme too. Seeded history and goal, a fixed clock.

Review the report (`pytest --snapshot-report`) before `--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from salestui.tui.app import make_app
from salestui.tui.goals import GoalsTab
from tests.conftest import FakeClock
from tests.tui.conftest import seed_goal, seed_history, settled, until, wait_for_workers

SIZES = [(80, 24), (120, 40), (60, 20)]
TABS = {"funnel": "2", "goals": "3", "history": "4"}


def after(*keys: str, theme: str | None = None) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Pick `theme`, press `keys` once the app has settled, then wait until everything
    they set off is done, so the picture never depends on timing."""

    async def run(pilot: Pilot[None]) -> None:
        if theme is not None:
            pilot.app.theme = theme
        await wait_for_workers(pilot.app)
        await pilot.press(*keys)
        await settled(pilot.app, pilot)
        goals = pilot.app.query_one(GoalsTab)
        await until(lambda: goals.inputs is not None, pilot, what="the first figures")
        await settled(pilot.app, pilot)

    return run


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
