"""A plan holds together: a goal set mid-month, a --working-days override, a future month."""

from __future__ import annotations

import json
from datetime import date

from salestui.domain.goals import Start
from salestui.figures import build_plan, goal_book, set_goal
from salestui.store import Store
from tests.conftest import FakeClock, local


def test_goal_set_late_in_the_month_is_pro_rated_and_paced_from_that_day(
    store: Store, clock: FakeClock
) -> None:
    store.log("calls", 200, at=local("2026-11-10T09:00"))  # before the goal existed
    today = date(2026, 11, 27)  # Friday; Mon 30 Nov is the only other working day
    saved = set_goal(store, today, 50)
    assert "pro-rated" in saved.message and "2026-12" in saved.message
    book = goal_book(store)
    # 21 working days in November, 2 left: ceil(50 * 2 / 21) = 5 sales this month.
    assert (book.target_for("2026-11"), book.target_for("2026-12")) == (5, 50)
    plan = build_plan(store, today, rate_flags=rates())
    assert plan.window.start == today
    assert plan.working_days == 2 and plan.working_days_elapsed == 0
    assert plan.pace("calls") == 0  # not hundreds behind on its first day
    assert plan.done["calls"] == 0  # work before the goal started is not counted
    assert plan.required["calls"] == 100  # 5 sales at 15% and 1/3
    assert plan.today_target["calls"] == 50
    december = build_plan(store, today, month=month(2026, 12), rate_flags=rates())
    assert december.target == 50 and december.window.start == date(2026, 12, 1)


def test_goal_set_late_in_full_or_from_next_month(store: Store) -> None:
    today = date(2026, 11, 27)
    set_goal(store, today, 50, Start.FULL)
    assert goal_book(store).target_for("2026-11") == 50
    plan = build_plan(store, today, rate_flags=rates())
    assert plan.today_target["calls"] == 500  # 1,000 calls over the 2 days left: honest
    assert plan.pace("calls") == 0
    set_goal(store, today, 50, Start.NEXT_MONTH)  # changing one's mind: November has none
    book = goal_book(store)
    assert (book.target_for("2026-11"), book.target_for("2026-12")) == (None, 50)


def test_a_goal_set_on_the_first_working_day_is_the_whole_month(store: Store) -> None:
    saved = set_goal(store, date(2026, 11, 2), 50)  # Monday 2 Nov: nothing has passed yet
    assert not saved.start.mid_month
    assert goal_book(store).target_for("2026-11") == 50
    assert goal_book(store).start_for("2026-11") is None


def test_changing_a_goal_mid_month_keeps_the_month_whole(store: Store) -> None:
    set_goal(store, date(2026, 11, 2), 40)
    saved = set_goal(store, date(2026, 11, 20), 50)
    assert not saved.start.mid_month  # a goal already covered November: a change, not a start
    assert goal_book(store).target_for("2026-11") == 50


def test_working_days_override_is_used_everywhere(run) -> None:
    result = run("plan", "--target", "50", "--month", "2026-12", "--working-days", "18",
                 "--rate", "meetings=15%", "--rate", "sales=1/3")  # fmt: skip
    assert result.code == 0, result.err
    assert "18 working days; it has not started yet" in result.out
    assert "Today you need" not in result.out  # a future month has no today
    assert "On Tue 1 Dec you need   56 calls" in result.out  # ceil(1000 / 18)
    payload = json.loads(
        run(
            "plan",
            "--target",
            "50",
            "--working-days",
            "18",
            "--rate",
            "meetings=15%",
            "--rate",
            "sales=1/3",
            "--json",
        ).out  # fmt: skip
    )
    # November 27: 19 working days have passed, more than the 18 planned: all of it today.
    assert payload["planned_days_left"] == 0
    assert payload["today_target"]["calls"] == 1000
    assert payload["working_days_left"] == 2  # the calendar's, as the contract says


def rates():  # type: ignore[no-untyped-def]
    from fractions import Fraction

    return {"meetings": Fraction(15, 100), "sales": Fraction(1, 3)}


def month(year: int, number: int):  # type: ignore[no-untyped-def]
    from salestui.domain.periods import month_range

    return month_range(year, number)


def test_cli_goal_set_mid_month_offers_the_choices(run) -> None:
    result = run("goal", "set", "50")
    assert result.code == 0, result.err
    assert "gets 5 pro-rated, counted from today" in result.out
    assert "--full" in result.out and "--next-month" in result.out
    assert run("goal", "set", "50", "--full").code == 0
    payload = json.loads(run("plan", "--rate", "meetings=15%", "--rate", "sales=1/3",
                             "--json").out)  # fmt: skip
    assert payload["target"] == 50 and payload["starts"] == "2026-11-27"
    assert payload["pace"]["calls"] == 0
    refused = run("goal", "set", "50", "--full", "--month", "2026-12")
    assert refused.code == 2 and "leave out --month" in refused.err
