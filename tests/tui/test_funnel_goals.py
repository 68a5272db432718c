"""Funnel and Goals tabs: keys, what-if, editing the goal, bad input."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from textual.widgets import Input, Select

from salestui.store import Store
from salestui.tui.app import SalesApp
from salestui.tui.goals import GoalsTab
from tests.conftest import local
from tests.tui.conftest import (
    screen_text,
    seed_rates,
    shown,
    wait_for_workers,
    writes_landed,
)


async def settle(app: SalesApp, pilot) -> None:  # noqa: ANN001
    await writes_landed(app, pilot)
    await wait_for_workers(app)
    await pilot.pause()


def setting(db_path: Path, key: str) -> str | None:
    with Store(db_path) as store:
        return store.setting(key)


async def test_funnel_tab_shows_counts_rates_and_words(app_factory, db_path, clock) -> None:
    with Store(db_path, clock=clock) as store:
        store.log("calls", 20, at=local("2026-11-10T10:00"))
        store.log("meetings", 3, at=local("2026-11-11T10:00"))
        store.log("sales", 1, at=local("2026-11-12T10:00"))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        text = screen_text(app)
        assert "1 meeting per 6.7 calls" in text
        assert "15%" in text and "33.3%?" in text  # thin sample marked
        assert "uncertain" in text
        assert "Rates by month" in text


async def test_funnel_period_select_and_custom_range(app_factory, db_path, clock) -> None:
    with Store(db_path, clock=clock) as store:
        store.log("calls", 5, at=local("2026-10-10T10:00"))
        store.log("calls", 7)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        app.query_one("#period-select", Select).value = "today"
        await settle(app, pilot)
        assert "Today · 27 Nov 2026" in screen_text(app)
        app.query_one("#period-select", Select).value = "custom"
        await pilot.pause()
        custom = app.query_one("#period-input", Input)
        assert custom.has_focus
        await pilot.press(*"2026-11-05..2026-11-01", "enter")
        await settle(app, pilot)
        assert "end is before the start" in screen_text(app)
        custom.value = ""
        await pilot.press(*"2026-10", "enter")
        await settle(app, pilot)
        text = screen_text(app)
        assert "October 2026 · 1–31 Oct 2026" in text
        assert re.search(r"Calls +5 ", text)


async def test_funnel_empty_period_shows_dashes(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        text = screen_text(app)
        assert "↓ —" in text and "Overall —" in text


async def test_goals_first_step_then_goal_typed_and_saved(app_factory, db_path, clock) -> None:
    seed_rates(db_path, clock)
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(app, pilot)
        assert "Press g to set a monthly goal" in screen_text(app)
        await pilot.press("g")  # straight to the goal field
        await settle(app, pilot)
        assert "No goal yet for November 2026: press g" in screen_text(app)
        assert app.query_one("#goal-input", Input).has_focus
        await pilot.press(*"50")
        await pilot.pause()
        assert "you would need 1,000 calls this month (48 a day; 500 today)" in screen_text(app)
        assert setting(db_path, "goal.from.2026-11") is None  # nothing saved yet
        await pilot.press("enter")  # November is under way: how should it count?
        await pilot.pause()
        assert setting(db_path, "goal.from.2026-12") is None  # not before a choice
        await pilot.press("down", "enter")  # all 50 this month, counted from today
        await settle(app, pilot)
        assert setting(db_path, "goal.only.2026-11") == "50"
        assert setting(db_path, "goal.from.2026-12") == "50"
        text = screen_text(app)
        assert "Today you need  500 calls   75 meetings   25 sales" in text
        assert "0 / 1,000 calls" in text
        # the Today tab now shows targets beside each counter
        await pilot.press("1", "c")
        await settle(app, pilot)
        text = screen_text(app)
        assert "/ 500 today" in text
        assert "499 calls to go today" in text


async def test_goals_what_if_rate_does_not_save_until_asked(app_factory, db_path, clock) -> None:
    seed_rates(db_path, clock, goal="50")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        rate_input = app.query_one("#rate-meetings", Input)
        assert rate_input.value == "15%"
        rate_input.focus()
        rate_input.value = "20%"
        await pilot.pause()
        assert "at 20% meetings per call you would need 750 calls" in screen_text(app)
        assert setting(db_path, "rate.meetings") == "15%"
        await pilot.press("escape")  # leave the field: keys tally again, nothing saved
        await pilot.press("c")
        await settle(app, pilot)
        assert setting(db_path, "rate.meetings") == "15%"
        app.query_one("#goals-save").press()
        await settle(app, pilot)
        assert setting(db_path, "rate.meetings") == "20%"
        assert "750" in screen_text(app)


async def test_goals_bad_input_is_marked_and_nothing_saved(app_factory, db_path, clock) -> None:
    seed_rates(db_path, clock)
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        for selector, bad, reason in (
            ("#goal-input", "-5", "whole number of sales >= 1"),
            ("#rate-meetings", "0", "above 0"),
            ("#rate-sales", "150%", "at most 100%"),
            ("#days-off-input", "someday", "YYYY-MM-DD"),
        ):
            field = app.query_one(selector, Input)
            previous = field.value
            field.focus()
            field.value = bad
            await pilot.press("enter")
            await settle(app, pilot)
            assert field.has_class("-invalid")
            assert reason in screen_text(app)
            assert any("Nothing saved" in n.message for n in app._notifications)
            field.value = previous
        with Store(db_path) as store:
            assert store.settings_like("goal.") == {}
            assert store.settings_like("calendar.") == {}
        assert setting(db_path, "rate.meetings") == "15%"


async def test_goals_tab_calendar_edit(app_factory, db_path, clock) -> None:
    seed_rates(db_path, clock, goal="50")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        days_off = app.query_one("#days-off-input", Input)
        days_off.focus()
        days_off.value = "2026-11-30"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "20 working days, 1 left" in screen_text(app)
        with Store(db_path) as store:  # only the difference is written: one day off
            assert store.settings_like("calendar.") == {"calendar.off.2026-11-30": "off"}
        inputs = app.query_one(GoalsTab).inputs
        assert inputs is not None and inputs.calendar.holidays == {date(2026, 11, 30)}


async def test_typing_in_a_field_does_not_tally(app_factory, db_path) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        app.query_one("#weekdays-input", Input).focus()
        await pilot.press(*"mcs")
        await pilot.pause()
        assert "mcs" in app.query_one("#weekdays-input", Input).value  # the field got them
        assert all(shown(app, metric) == 0 for metric in ("calls", "meetings", "sales"))
        with Store(db_path) as store:
            assert store.bounds() is None
