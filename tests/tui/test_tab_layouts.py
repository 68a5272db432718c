"""The Funnel, Goals and History tabs in any pane: the screen itself never scrolls (the
top bar, the tab row and the footer stay put), a tab scrolls inside itself only when
its content does not fit, and a narrow pane drops what matters least instead of
cutting a number; the heatmap's greens follow the theme."""

from __future__ import annotations

import colorsys

import pytest
from rich.style import Style
from textual import events
from textual.containers import VerticalScroll
from textual.widgets import Button, Input

from salestui.tui.funnel import FunnelTab
from salestui.tui.goals import GoalsTab
from salestui.tui.history import DARK_LEVELS, LIGHT_LEVELS, HeatmapGrid, HistoryTab
from tests.tui.conftest import screen_text, seed_goal, seed_history, settled, until

TABS = {"funnel": ("2", FunnelTab), "goals": ("3", GoalsTab), "history": ("4", HistoryTab)}


async def open_tab(app, pilot, key: str, tab_type: type[VerticalScroll]) -> VerticalScroll:  # noqa: ANN001
    """Open a tab once its figures are shown."""
    await settled(app, pilot)
    await pilot.press(key)
    await settled(app, pilot)
    goals = app.query_one(GoalsTab)
    await until(lambda: goals.inputs is not None, pilot, what="the first figures")
    await settled(app, pilot)
    return app.query_one(tab_type)


@pytest.mark.parametrize("tab", list(TABS))
async def test_no_scrollbar_at_120x40_when_the_tab_fits(app_factory, db_path, clock, tab) -> None:
    seed_history(db_path, clock, days=330)
    seed_goal(db_path, clock)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        key, tab_type = TABS[tab]
        shown = await open_tab(app, pilot, key, tab_type)
        assert app.screen.max_scroll_y == 0
        assert not app.screen.show_vertical_scrollbar
        assert shown.max_scroll_y == 0 and not shown.show_vertical_scrollbar
        assert app.query_one("#top-bar").region.y == 0
        assert "salestui" in screen_text(app).splitlines()[0]


async def test_goals_scroll_inside_the_tab_at_80x24(app_factory, db_path, clock) -> None:
    """To the end by keys and by the wheel: the top bar, the tab row and the footer
    stay on screen; only the tab moves."""
    seed_history(db_path, clock)
    seed_goal(db_path, clock)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        goals = await open_tab(app, pilot, "3", GoalsTab)
        assert goals.has_focus and goals.max_scroll_y > 0
        await pilot.press("end")
        await until(lambda: goals.scroll_y == goals.max_scroll_y, pilot, what="the end")
        # The wheel over the title bar moved the whole screen before.
        top_bar = app.query_one("#top-bar")
        for _ in range(5):
            top_bar.post_message(
                events.MouseScrollDown(top_bar, 1, 0, 0, 0, 0, False, False, False)
            )
        await pilot.pause()
        assert app.screen.scroll_y == 0 and app.screen.max_scroll_y == 0
        lines = screen_text(app).splitlines()
        assert "salestui" in lines[0]
        assert "Goals" in lines[1]
        assert "Help" in lines[-1]
        assert "Which rate to improve" in screen_text(app)


async def test_tab_reaches_every_control_of_goals_at_80x24(app_factory, db_path, clock) -> None:
    """Tab moves through every field and button; each one is scrolled into view."""
    seed_history(db_path, clock)
    seed_goal(db_path, clock)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        goals = await open_tab(app, pilot, "3", GoalsTab)
        controls = [*goals.query(Input), *goals.query(Button)]
        reached = set()
        for _ in range(len(controls) + 2):
            await pilot.press("tab")
            await pilot.pause()
            focused = app.focused
            if focused in controls:
                reached.add(focused)
                await until(
                    lambda: goals.region.contains_region(focused.region),  # noqa: B023
                    pilot,
                    timeout=3,
                    what=f"{focused} scrolled into view",
                )
        assert reached == set(controls)


async def test_history_at_60_columns_shows_fewer_whole_weeks(app_factory, db_path, clock) -> None:
    seed_history(db_path, clock, days=330)
    app = app_factory()
    async with app.run_test(size=(60, 30)) as pilot:
        history = await open_tab(app, pilot, "4", HistoryTab)
        grid = app.query_one(HeatmapGrid)
        assert grid.heatmap is not None
        shown = grid.shown_weeks()
        assert shown < grid.heatmap.weeks
        # Every drawn cell is inside the tab, and each weekday row is whole.
        assert grid.region.right <= history.scrollable_content_region.right
        text = screen_text(app)
        mondays = [line for line in text.splitlines() if line.strip().startswith("Mon")]
        assert len(mondays) == 1 and mondays[0].count("■") == shown
        assert "· day off" in text  # the legend's last part, whole on its own line
        history.scroll_home(animate=False)
        await pilot.pause()
        assert f"last {shown} weeks" in screen_text(app)
        # Today is still the last column: the cursor starts there and Enter opens it.
        assert grid.selected() == clock().date()


async def test_funnel_at_60_columns_keeps_numbers_whole(app_factory, db_path, clock) -> None:
    seed_history(db_path, clock, days=330)
    app = app_factory()
    async with app.run_test(size=(60, 30)) as pilot:
        await open_tab(app, pilot, "2", FunnelTab)
        lines = screen_text(app).splitlines()
        calls = next(line for line in lines if line.strip().startswith("Calls"))
        assert "532" in calls and "█" in calls  # the bar beside its count, not wrapped
        assert "This month · 1–30 Nov 2026" in "\n".join(lines)
        assert not any("…" in line for line in lines)


def brightness(style: Style) -> float:
    assert style.color is not None
    red, green, blue = style.color.get_truecolor()
    return colorsys.rgb_to_hls(red / 255, green / 255, blue / 255)[1]


def test_busier_days_stand_out_more_on_either_theme() -> None:
    """Dark theme (the default): busier days are brighter greens; light theme: darker."""
    dark = [brightness(style) for style in DARK_LEVELS[1:]]
    light = [brightness(style) for style in LIGHT_LEVELS[1:]]
    assert dark == sorted(dark) and len(set(dark)) == 4
    assert light == sorted(light, reverse=True) and len(set(light)) == 4


async def test_the_heatmap_follows_the_theme(app_factory, db_path, clock) -> None:
    seed_history(db_path, clock, days=30)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_tab(app, pilot, "4", HistoryTab)
        grid = app.query_one(HeatmapGrid)
        assert grid._levels() == DARK_LEVELS
        app.theme = "textual-light"
        await pilot.pause()
        assert grid._levels() == LIGHT_LEVELS
