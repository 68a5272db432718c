"""The non-sales timer in the app: `t` picks a category and starts it, `t` again stops
it; the badge in the top bar (and the strip) ticks by the minute; Today's time line;
a timer started by another process shows by itself, and the other way round."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Static

from salestui.store import Store
from salestui.store.timers import log_time, running, start_timer, stop_timers
from salestui.tui.app import SalesApp, make_app
from salestui.tui.timer import CategoryScreen, badge, seconds_to_next_minute, time_line_fitted
from salestui.tui.today import StripView, TodayView
from tests.conftest import FakeClock, local
from tests.tui.conftest import after, seed_goal, seed_history, steps, until, writes_landed


def top_bar_text(app: SalesApp) -> str:
    from rich.console import Console

    console = Console(width=100, record=True)
    console.print(app.query_one("#top-bar", Static).content)
    return console.export_text()


def status_text(app: SalesApp) -> str:
    return str(app.query_one("#status", Static).content)


def running_on_disk(db_path: Path, clock: FakeClock) -> list[str]:
    with Store(db_path, clock=clock) as store:
        return [interval.category for interval in running(store)]


async def test_t_picks_a_category_ticks_and_t_stops(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t")
        await until(lambda: isinstance(app.screen, CategoryScreen), pilot)
        await pilot.press("r", "e", "p")  # type to filter: reports
        options = app.screen.query_one(OptionList)
        assert options.option_count == 1
        await pilot.press("enter")
        await writes_landed(app, pilot)
        await until(lambda: "⏱ reports 0:00" in top_bar_text(app), pilot)
        assert running_on_disk(db_path, clock) == ["reports"]
        # The minute tick (a fake clock: the tick is called as its timer would).
        clock.advance(minutes=42)
        assert app._timekeeper is not None
        app._timekeeper.follow()
        await steps(pilot)
        assert "⏱ reports 0:42" in top_bar_text(app)
        time_line = status_text(app)
        assert "Time: reports 0:42 — non-sales 100%" in time_line
        await pilot.press("t")
        await writes_landed(app, pilot)
        await until(
            lambda: "Stopped reports after 0:42" in app.query_one(TodayView).last_action, pilot
        )
        assert running_on_disk(db_path, clock) == []
        await until(lambda: "⏱" not in top_bar_text(app), pilot)


async def test_arrows_pick_and_escape_cancels(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t")
        await until(lambda: isinstance(app.screen, CategoryScreen), pilot)
        await pilot.press("escape")
        await until(lambda: not isinstance(app.screen, CategoryScreen), pilot)
        assert running_on_disk(db_path, clock) == []
        await pilot.press("t")
        await until(lambda: isinstance(app.screen, CategoryScreen), pilot)
        await pilot.press("down", "down", "enter")  # admin, reports, internal meetings
        await writes_landed(app, pilot)
        await until(lambda: running_on_disk(db_path, clock) == ["internal"], pilot)
        assert app.screen.query(Input) or True


async def test_a_timer_started_by_another_process_shows_by_itself(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        with Store(db_path, clock=clock) as other:
            start_timer(other, "travel")
        # the watcher (inotify, or the real 1 s poll), not a direct call
        await until(lambda: "⏱ travel 0:00" in top_bar_text(app), pilot, timeout=5)
        with Store(db_path, clock=clock) as other:
            stop_timers(other)
        await until(lambda: "⏱" not in top_bar_text(app), pilot, timeout=5)


async def test_the_timer_shows_in_the_strip(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    with Store(db_path, clock=clock) as store:
        start_timer(store, "admin")
    clock.advance(minutes=5)
    app = app_factory()
    async with app.run_test(size=(80, 8)) as pilot:
        await pilot.pause()
        strip = app.query_one(StripView)
        await until(lambda: any("⏱ admin 0:05" in str(line) for line in strip.lines), pilot)


async def test_past_midnight_is_said_once_at_start(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    clock.now = local("2026-11-26T17:00")
    with Store(db_path, clock=clock) as store:
        start_timer(store, "admin")
    clock.now = local("2026-11-27T09:00")
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await writes_landed(app, pilot)
        await until(
            lambda: any("ran past midnight" in str(n.message) for n in app._notifications), pilot
        )
        assert running_on_disk(db_path, clock) == []
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await writes_landed(app, pilot)
        await steps(pilot)
        assert not any("ran past midnight" in str(n.message) for n in app._notifications)


async def test_no_time_line_for_people_who_never_track(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Time:" not in status_text(app)
    with Store(db_path, clock=clock) as store:
        log_time(store, "selling", local("2026-11-27T08:00"), 130)
        log_time(store, "admin", local("2026-11-27T10:30"), 10)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await until(
            lambda: "Time: selling 2:10 · admin 0:10 — non-sales 7%" in status_text(app),
            pilot,
        )


def test_badge_and_tick_alignment() -> None:
    from salestui.domain.timers import Interval

    start = local("2026-11-27T10:00:20")
    interval = Interval("a", "admin", start, start, running=True)
    now = local("2026-11-27T10:42:50")
    assert badge([interval], now) == "⏱ admin 0:42"
    # The shown minute changes at 10:43:20: 30 s from now, not on a 1 s interval.
    assert seconds_to_next_minute([interval], now) == 30
    assert badge([], now) == ""


def test_the_time_line_drops_small_categories_first() -> None:
    from fractions import Fraction

    from salestui.tui.timer import time_parts

    parts = time_parts({"selling": Fraction(130), "admin": Fraction(45), "reports": Fraction(30)})
    full = "Time: selling 2:10 · admin 0:45 · reports 0:30 — non-sales 37%"
    assert time_line_fitted(parts, 80) == full
    assert time_line_fitted(parts, 50) == "Time: selling 2:10 · admin 0:45 — non-sales 37%"
    assert time_line_fitted(parts, 20) == "Time: non-sales 37%"
    assert time_line_fitted(parts, 5) == ""


async def test_the_funnel_tab_shows_time_once_tracked(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    from tests.tui.conftest import wait_for_workers

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await wait_for_workers(app)
        await steps(pilot)
        assert not app.query_one("#funnel-time").display  # nothing tracked: no section
    with Store(db_path, clock=clock) as store:
        # This week: 90 minutes of selling and 30 of admin, 12 calls that day.
        log_time(store, "selling", local("2026-11-27T08:00"), 90)
        log_time(store, "admin", local("2026-11-27T09:30"), 30)
        store.log("calls", 12)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await wait_for_workers(app)
        section = app.query_one("#funnel-time", Static)
        await until(lambda: section.display, pilot)
        text = str(section.content)
        assert "Non-sales time: 25% of 2:00 tracked" in text
        assert "Calls per selling hour: 8.0 (12 in 1:30 of selling)" in text


SNAP_SIZES = [(100, 30), (100, 12), (40, 8)]


@pytest.mark.parametrize("size", SNAP_SIZES, ids=[f"{w}x{h}" for w, h in SNAP_SIZES])
def test_snapshot_today_with_a_running_timer(
    snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]
) -> None:
    """The badge in the top bar (on the strip's line in a short pane) and Today's time
    line: 1:30 of selling this morning, admin running since 10:00 (0:42 at 10:42)."""
    seed_history(db_path, clock)
    seed_goal(db_path, clock)
    now = clock.now
    with Store(db_path, clock=clock) as store:
        log_time(store, "selling", local("2026-11-27T08:00"), 90)
        clock.now = local("2026-11-27T10:00")
        start_timer(store, "admin")
    clock.now = now
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=after("c"))
