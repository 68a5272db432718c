"""Keys and focus (issue 8): tab and tally keys work whatever has focus (except in a text
field), each tab opens on its first control, the custom range field, the Goals tab's
advice, the day view's undo rows and backdated times, and a goal set mid-month."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Select, TabbedContent, Tabs

from salestui.domain.periods import DateRange
from salestui.domain.when import parse_at
from salestui.store import Store
from salestui.tui.app import SalesApp
from salestui.tui.day import DayScreen
from salestui.tui.funnel import FunnelTab
from salestui.tui.goals import GoalsTab, GoalStartScreen
from salestui.tui.history import HeatmapGrid
from tests.conftest import local
from tests.tui.conftest import (
    screen_text,
    seed_rates,
    shown,
    steps,
    until,
    wait_for_workers,
    writes_landed,
)

TAB_KEYS = {"1": "today", "2": "funnel", "3": "goals", "4": "history"}
KEY_OF = {tab: key for key, tab in TAB_KEYS.items()}


async def settle(app: SalesApp, pilot) -> None:  # noqa: ANN001
    await writes_landed(app, pilot)
    await wait_for_workers(app)
    await pilot.pause()


def active(app: SalesApp) -> str:
    return app.query_one(TabbedContent).active


def opens_on(app: SalesApp, tab: str) -> Widget:
    """The control a tab opens on (see test_each_tab_opens_on_its_first_useful_control)."""
    if tab == "today":
        return app.query_one(Tabs)
    if tab == "funnel":
        return app.query_one("#period-select", Select)
    return app.query_one(GoalsTab if tab == "goals" else HeatmapGrid)


def goal_settings(db_path) -> dict[str, str]:  # noqa: ANN001
    with Store(db_path) as store:
        return store.settings_like("goal.")


# -- 1. tab and tally keys, whatever has focus ----------------------------------------


@pytest.mark.parametrize("how", ["click reset", "tab to save"])
async def test_tab_keys_work_while_a_goals_button_has_focus(app_factory, how) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        if how == "click reset":
            await pilot.click("#goals-reset")
        else:  # from the goal field: two rates, weekdays, days off, then Save
            await pilot.click("#goal-input")
            await pilot.press(*["tab"] * 5)
        await pilot.pause()
        button = app.focused
        assert isinstance(button, Button)
        for key in ("1", "2", "4", "3", "1"):
            if active(app) == "goals" and not isinstance(app.focused, Button):
                button.focus()  # back on the button before leaving Goals again
                await pilot.pause()
            await pilot.press(key)
            await steps(pilot)
            assert active(app) == TAB_KEYS[key], f"{key} pressed on {app.focused}"


async def test_tally_and_tab_keys_work_on_every_control_but_text_fields(
    app_factory, db_path
) -> None:
    """On every tab, every focusable control but a text field takes `c` (one tally) and a
    tab key; then every tally and tab key is pressed on one control, the period list.

    The visits form a tour: the tab key pressed on a control goes to a tab with controls
    still untried, so each control costs one tab switch instead of a switch away and one
    back (tab switches are what this test spends its time on; the rule proved is the
    same: each control was focused when both keys were pressed)."""
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        tallies = 0

        async def tab_key(key: str) -> None:
            pressed_on = app.focused
            await pilot.press(key)
            await until(
                lambda: active(app) == TAB_KEYS[key], pilot, 5, f"{key} pressed on {pressed_on}"
            )
            # the tab opens on its first control (after a refresh): focus another one
            # only after that, or the opening takes focus back from it
            first = opens_on(app, TAB_KEYS[key])
            await until(lambda: app.focused is first, pilot, 5, f"focus on {first}")

        async def focus(control: Widget) -> None:
            control.focus()
            await until(lambda: app.focused is control, pilot, 5, f"focus on {control}")

        untried: dict[str, list[Widget]] = {}  # a tab's controls, found on its first visit
        tried: list[str] = []
        while True:
            here = active(app)
            if here not in untried:
                untried[here] = [w for w in app.screen.focus_chain if not isinstance(w, Input)]
                assert untried[here], f"nothing to focus on {here}"
            if len(untried) == len(TAB_KEYS) and not any(untried.values()):
                break
            if untried[here]:
                control = untried[here].pop(0)
                await focus(control)
                assert active(app) == here, f"the switch to {here} bounced back"
                await pilot.press("c")
                await writes_landed(app, pilot)
                tallies += 1
                assert shown(app, "calls") == tallies, f"c on {control} ({here})"
                tried.append(f"{here}: {control}")
            # a tab not seen yet, else the one with the most controls left to try
            others = [tab for tab in TAB_KEYS.values() if tab != here]
            after = max(others, key=lambda tab: (tab not in untried, len(untried.get(tab, ()))))
            await tab_key(KEY_OF[after])
        # the tab bar on each tab; the Funnel, Goals and History tabs' areas; the period
        # list, Save, Reset, the metric list and the heatmap
        assert len(tried) >= 12, tried

        # Every tally key, then every tab key, pressed on one control: the period list.
        await tab_key("2")
        picker = app.query_one("#period-select", Select)
        expected = {"calls": tallies, "meetings": 0, "sales": 0}
        for key, metric, change in (
            ("m", "meetings", 1),
            ("s", "sales", 1),
            ("C", "calls", -1),
            ("u", "calls", 1),  # undoes the correction
            ("M", "meetings", -1),
            ("S", "sales", -1),
        ):
            await focus(picker)
            await pilot.press(key)
            await writes_landed(app, pilot)
            expected[metric] += change
            assert {m: shown(app, m) for m in expected} == expected, f"{key} on {picker}"
        for key in ("1", "3", "4"):
            await focus(picker)
            await tab_key(key)
            await tab_key("2")
        # the period list, opened: c tallies (no type-to-search), 1 leaves the tab
        await focus(picker)
        await pilot.press("enter")
        await pilot.pause()
        assert picker.expanded
        await pilot.press("c")
        await writes_landed(app, pilot)
        assert shown(app, "calls") == tallies + 1
        await tab_key("1")
    with Store(db_path) as store:
        assert store.counts(DateRange(date(2026, 11, 27), date(2026, 11, 27))) == {
            "calls": tallies + 1,
            "meetings": 0,
            "sales": 0,
        }


# -- 2. each tab opens on its first control, visibly ----------------------------------


async def test_each_tab_opens_on_its_first_useful_control(app_factory, db_path) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")  # before the other tabs are built: focus follows them
        await settle(app, pilot)
        picker = app.query_one("#period-select", Select)
        assert app.focused is picker
        await pilot.press("enter")  # Enter opens the period list
        await pilot.pause()
        assert picker.expanded
        await pilot.press("escape")
        await pilot.pause()
        assert not picker.expanded

        await pilot.press("3")
        await steps(pilot)
        goals = app.query_one(GoalsTab)
        assert app.focused is goals
        assert goals.styles.border_left[0] == "outer"  # the focus mark shows
        await pilot.press("c")  # the tab, not a text field: c still tallies
        await writes_landed(app, pilot)
        assert shown(app, "calls") == 1
        await pilot.press("enter")  # Enter goes into the goal field
        await pilot.pause()
        assert app.focused is app.query_one("#goal-input", Input)
        await pilot.press("escape")  # out of the field, back onto the tab
        await pilot.pause()
        assert app.focused is goals

        await pilot.press("4")
        await steps(pilot)
        assert isinstance(app.focused, HeatmapGrid)
        await pilot.press("1")
        await steps(pilot)
        assert isinstance(app.focused, Tabs)

        await pilot.press("2")
        await steps(pilot)
        assert app.focused is picker
        await pilot.press("shift+tab")  # the tab's own area, marked when focused
        await pilot.pause()
        assert isinstance(app.focused, FunnelTab)
        assert app.focused.styles.border_left[0] == "outer"


async def test_g_still_goes_to_the_goal_field(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("g")
        await settle(app, pilot)
        assert app.focused is app.query_one("#goal-input", Input)
        await pilot.press("2", "g")  # also from another tab with a control focused
        await steps(pilot)
        assert active(app) == "goals"
        assert app.focused is app.query_one("#goal-input", Input)


# -- 3. the custom range field ---------------------------------------------------------


async def test_custom_range_field_hint_error_and_span(app_factory, db_path, clock) -> None:
    with Store(db_path, clock=clock) as store:
        store.log("calls", 5, at=local("2026-11-10T10:00"))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        app.query_one("#period-select", Select).value = "today"
        await settle(app, pilot)
        assert "Today · 27 Nov 2026" in screen_text(app)
        app.query_one("#period-select", Select).value = "custom"
        await pilot.pause()
        text = screen_text(app)
        assert "still showing Today · 27 Nov 2026" in text  # not a bare "Today"
        assert "2026-11-01..2026-11-15" in text  # the placeholder, whole
        assert "then press Enter." in text  # the hint, whole
        await pilot.press("enter")  # nothing typed
        await pilot.pause()
        text = screen_text(app)
        assert "bad period ''" not in text
        assert "Nothing typed yet: type a range like 2026-11-01..2026-11-15" in text
        await pilot.press(*"xyz", "enter")
        await settle(app, pilot)
        text = screen_text(app)
        assert "bad period 'xyz'" in text
        assert "YYYY-MM-DD..YYYY-MM-DD" in text  # the error's end, wrapped not cut
        app.query_one("#period-input", Input).value = ""
        await pilot.press(*"2026-11-01..2026-11-15", "enter")
        await settle(app, pilot)
        text = screen_text(app)
        assert "still showing" not in text
        assert "1–15 Nov 2026" in text
        assert "bad period" not in text


# -- 4. the Goals tab points at its own fields ----------------------------------------


async def test_goals_advice_for_a_missing_rate_points_at_the_field(app_factory, db_path) -> None:
    with Store(db_path) as store:
        store.set_setting("goal.from.2026-11", "20")
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        text = screen_text(app)
        assert "No calls → meetings rate yet" in text
        assert "type a starting rate in the calls" in text  # the line wraps here
        assert "meetings field below (e.g. 15% or 1/3)" in text
        assert "--rate" not in text and "rate set" not in text
        goal_field = app.query_one("#goal-input", Input)
        goal_field.focus()
        goal_field.value = "30"  # a what-if without a rate says the same
        await pilot.pause()
        text = screen_text(app)
        assert "What-if: No calls → meetings rate yet" in text
        assert "--rate" not in text and "rate set" not in text


# -- 5, 6. the day view: undo rows, backdated times ----------------------------------


async def test_day_view_undo_rows_say_what_was_undone(app_factory, db_path, clock) -> None:
    with Store(db_path, clock=clock) as store:
        store.log("calls", 3, at=local("2026-11-27T09:00"))
        correction = store.log("calls", -1, at=local("2026-11-27T09:30"))
        store.undo(correction.id, source="cli")
        tally = store.log("meetings", 2, at=local("2026-11-27T10:00"))
        store.undo(tally.id, source="cli")
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(DayScreen(date(2026, 11, 27), app.store, app.writes))
        await pilot.pause()
        text = screen_text(app)
        assert "undo of −1" in text and "call (correction)" in text
        assert "undo of +2" in text and "meetings" in text
        assert "undo of +1" not in text and "undo of −2" not in text


async def test_day_view_shows_no_time_for_date_only_backdates(app_factory, db_path, clock) -> None:
    now = clock()
    with Store(db_path, clock=clock) as store:
        store.log("calls", 2, at=parse_at("2026-11-20", now))
        store.log("meetings", 1, at=parse_at("2026-11-20T09:15", now))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        day_screen = DayScreen(date(2026, 11, 20), app.store, app.writes)
        await app.push_screen(day_screen)
        await pilot.pause()
        await pilot.press("s")  # a tally added in the day view is backdated by date too
        await writes_landed(app, pilot)
        text = screen_text(app)
        assert "no time" in text
        assert "09:15" in text
        assert "12:00" not in text


async def test_day_view_keeps_a_typed_noon(app_factory, db_path, clock) -> None:
    # `--at …T12:00` is a time the user gave: it shows as 12:00, not as "no time".
    now = clock()
    with Store(db_path, clock=clock) as store:
        store.log("calls", 1, at=parse_at("2026-11-20T12:00", now))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(DayScreen(date(2026, 11, 20), app.store, app.writes))
        await pilot.pause()
        text = screen_text(app)
        assert "12:00" in text
        assert "no time" not in text


# -- 7. a goal set while the month is under way --------------------------------------


async def type_new_goal(app: SalesApp, pilot, goal: str = "50") -> None:  # noqa: ANN001
    await pilot.press("g")
    await settle(app, pilot)
    goals = app.query_one(GoalsTab)
    field = app.query_one("#goal-input", Input)
    await until(lambda: goals.inputs is not None and app.focused is field, pilot)
    await pilot.press(*goal, "enter")
    await until(lambda: not field.has_focus or isinstance(app.screen, GoalStartScreen), pilot)
    await pilot.pause()


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (
            ["enter"],
            {
                "goal.only.2026-11": "5",
                "goal.from.2026-12": "50",
                "goal.start.2026-11": "2026-11-27",
            },
        ),
        (
            ["down", "enter"],
            {
                "goal.only.2026-11": "50",
                "goal.from.2026-12": "50",
                "goal.start.2026-11": "2026-11-27",
            },
        ),
        (["down", "down", "enter"], {"goal.from.2026-12": "50"}),
    ],
    ids=["pro-rate", "all-this-month", "next-month"],
)
async def test_goal_set_mid_month_offers_the_honest_choices(
    app_factory, db_path, clock, keys, expected
) -> None:
    seed_rates(db_path, clock)
    app = app_factory()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await type_new_goal(app, pilot)
        assert isinstance(app.screen, GoalStartScreen)
        text = screen_text(app)
        assert "19 of its 21 working days have passed" in text
        assert "5 sales in the 2 working days left, then 50 a month" in text
        assert "All 50 sales in November, counted from today" in text
        assert "Start in December: 50 sales a month from then; no goal for November" in text
        assert goal_settings(db_path) == {}  # nothing stored before a choice
        await pilot.press(*keys)
        await settle(app, pilot)
        assert not isinstance(app.screen, GoalStartScreen)
        assert goal_settings(db_path) == expected
        assert any("Saved. Goal: 50 sales a month" in n.message for n in app._notifications)
        assert app.focused is app.query_one(GoalsTab)  # keys tally again
        if keys == ["enter"]:
            text = screen_text(app)
            assert "goal 5 sales from 27 Nov (set mid-month)" in text
            # this month's number changed alone: no second question, December keeps 50
            field = app.query_one("#goal-input", Input)
            field.focus()
            field.value = "8"
            await pilot.press("enter")
            await settle(app, pilot)
            assert not isinstance(app.screen, GoalStartScreen)
            assert goal_settings(db_path) == {**expected, "goal.only.2026-11": "8"}


async def test_goal_set_mid_month_escape_stores_nothing(app_factory, db_path, clock) -> None:
    seed_rates(db_path, clock)
    app = app_factory()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        rate = app.query_one("#rate-meetings", Input)
        rate.value = "20%"  # an edited rate is not saved either
        await type_new_goal(app, pilot)
        assert isinstance(app.screen, GoalStartScreen)
        assert isinstance(app.focused, OptionList)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, GoalStartScreen)
        assert goal_settings(db_path) == {}
        with Store(db_path) as store:
            assert store.setting("rate.meetings") == "15%"
        assert any("Nothing saved" in n.message for n in app._notifications)
        assert app.query_one("#goal-input", Input).value == "50"  # still there to save


async def test_goal_set_on_the_first_working_day_asks_nothing(app_factory, db_path, clock) -> None:
    clock.now = local("2026-11-02T09:00")  # Monday, November's first working day
    seed_rates(db_path, clock)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await type_new_goal(app, pilot)
        await settle(app, pilot)
        assert not isinstance(app.screen, GoalStartScreen)
        assert goal_settings(db_path) == {"goal.from.2026-11": "50"}


async def test_editing_a_rate_leaves_an_unedited_goal_alone(app_factory, db_path, clock) -> None:
    seed_rates(db_path, clock, goal="50")
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        rate = app.query_one("#rate-meetings", Input)
        rate.focus()
        rate.value = "20%"
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, GoalStartScreen)
        with Store(db_path) as store:
            assert store.setting("rate.meetings") == "20%"
            changes = store.settings_like("goal.")
        assert changes == {"goal.from.2026-11": "50"}
