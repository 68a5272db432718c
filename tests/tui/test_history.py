"""History tab: heatmap, streaks, weeks; a day's tallies, backdating and notes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from salestui.store import Store
from salestui.tui.day import DayScreen
from salestui.tui.history import HeatmapGrid, HistoryTab
from salestui.tui.today import TodayView
from tests.conftest import FakeClock, local, sql_one
from tests.tui.conftest import screen_text, seed_history, wait_for_workers, writes_landed


def day_count(db_path: Path, day: str, metric: str) -> int:
    row = sql_one(
        db_path,
        "SELECT COALESCE(SUM(delta), 0) FROM events WHERE day = ? AND metric = ?",
        day,
        metric,
    )
    return int(row[0])


async def open_history(app, pilot) -> HeatmapGrid:  # noqa: ANN001
    await pilot.press("4")
    await wait_for_workers(app)
    await pilot.pause()
    grid = app.query_one(HeatmapGrid)
    assert grid.has_focus
    return grid


async def test_history_shows_streak_bests_heatmap_and_weeks(app_factory, db_path, clock) -> None:
    seed_history(db_path, clock, days=30)
    app = app_factory()
    async with app.run_test(size=(100, 34)) as pilot:
        grid = await open_history(app, pilot)
        text = screen_text(app)
        assert "Streak 22 working days" in text  # every working day of the seed; weekends skipped
        assert "Best day 36 calls" in text
        assert "Week of" in text and "23 Nov" in text
        assert grid.selected() == date(2026, 11, 27)
        assert "Fri 27 Nov 2026: 0 calls" in text


async def test_arrows_and_enter_open_a_day_and_backdate(app_factory, db_path, clock) -> None:
    seed_history(db_path, clock, days=14)
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        grid = await open_history(app, pilot)
        await pilot.press("left")  # the same weekday, a week earlier
        assert grid.selected() == date(2026, 11, 20)
        await pilot.press("up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DayScreen)
        assert app.screen.day == date(2026, 11, 19)
        before = day_count(db_path, "2026-11-19", "calls")
        text = screen_text(app)
        assert f"{before} calls" in text and "11:00" in text
        await pilot.press("c", "c", "S")
        await writes_landed(app, pilot)
        assert f"{before + 2} calls" in screen_text(app)  # the day view shows what landed
        assert day_count(db_path, "2026-11-19", "calls") == before + 2
        assert day_count(db_path, "2026-11-19", "sales") == 0  # none that day: refused
        assert any("No sales on 19 Nov to take back" in n.message for n in app._notifications)
        assert day_count(db_path, "2026-11-27", "calls") == 0  # today untouched
        await pilot.press("u")  # undo works from the day view too
        await writes_landed(app, pilot)
        assert day_count(db_path, "2026-11-19", "calls") == before + 1
        await pilot.press("escape")
        assert not isinstance(app.screen, DayScreen)


async def test_day_view_shows_notes_and_undone_tallies(app_factory, db_path, clock) -> None:
    with Store(db_path, clock=clock) as store:
        tally = store.log("calls", at=local("2026-11-25T09:30"), note="Acme")
        store.add_note(tally.id, "call back Tuesday")
        undone = store.log("meetings", at=local("2026-11-25T10:00"))
        store.undo(undone.id)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_history(app, pilot)
        grid.cursor = (2, grid.cursor[1])  # Wednesday of this week
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Acme; call back Tuesday" in text
        assert "undo of +1" in text and "meeting" in text  # what was undone, not the undo's sign
        assert "undo of −1" not in text
        assert "1 call   0 meetings   0 sales" in text


async def test_click_on_a_day_opens_it(app_factory, db_path, clock) -> None:
    seed_history(db_path, clock, days=14)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_history(app, pilot)
        last_column = grid.heatmap.weeks - 1 if grid.heatmap else 0
        # row 1 of the widget is Monday; the grid starts after the 4-cell weekday label
        await pilot.click(HeatmapGrid, offset=(4 + last_column, 1))
        await pilot.pause()
        assert isinstance(app.screen, DayScreen)
        assert app.screen.day == date(2026, 11, 23)


async def test_no_future_cells_and_today_is_last(app_factory, clock: FakeClock) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_history(app, pilot)
        await pilot.press("right", "down", "down")  # nothing after today can be picked
        assert grid.selected() == date(2026, 11, 27)
        assert "No tallies yet" in screen_text(app)


async def test_backdating_into_the_future_is_refused(app_factory, db_path) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert app.query_one(TodayView).tally_on(date(2026, 11, 28), "calls", 1) is False
        await pilot.pause()
        assert any("future" in n.message for n in app._notifications)
        assert day_count(db_path, "2026-11-28", "calls") == 0


async def test_longest_streak_never_drops_when_more_is_logged(app_factory, db_path, clock) -> None:
    """Issue 8: logging 50 calls today once made 'longest 6 (at least 45)' 'longest 4
    (at least 46)': every past day is now judged by the target it started with."""
    seed_history(db_path, clock, days=60)
    with Store(db_path, clock=clock) as store:
        store.set_setting("goal.from.2026-09", "25")
        store.set_setting("rate.meetings", "15%")
        store.set_setting("rate.sales", "1/3")
    app = app_factory()
    async with app.run_test(size=(100, 34)) as pilot:
        await open_history(app, pilot)
        before = app.query_one(HistoryTab).figures
        assert before is not None and before.streaks.longest >= 1
        assert "met their call target" in before.streak_rule
        with Store(db_path, clock=clock) as store:
            store.log("calls", 50)  # another pane: a big morning
        app.load_figures()
        await wait_for_workers(app)
        after = app.query_one(HistoryTab).figures
        assert after is not None and after is not before
        assert after.streaks.longest >= before.streaks.longest
        assert after.streaks.current >= before.streaks.current
