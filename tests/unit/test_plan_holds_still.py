"""The morning number holds still: nothing done today moves today's target."""

from __future__ import annotations

from datetime import date, timedelta

from salestui.figures import build_plan, save_goal
from salestui.store import Store
from tests.conftest import local


def test_todays_target_is_fixed_and_drops_by_one_per_call(store: Store) -> None:
    # A history large enough to give rates: 40 working days of 30 calls and 4 meetings.
    day = date(2026, 11, 26)
    for _ in range(60):
        if day.weekday() < 5:
            store.log("calls", 30, at=local(f"{day.isoformat()}T09:00"))
            store.log("meetings", 4, at=local(f"{day.isoformat()}T15:00"))
            store.log("sales", 1, at=local(f"{day.isoformat()}T16:00"))
        day -= timedelta(days=1)
    save_goal(store, "2026-11", 40)
    today = date(2026, 11, 27)
    morning = build_plan(store, today)
    assert morning.rates_source == {"meetings": "history", "sales": "history"}
    for called in range(1, 41):
        store.log("calls")
        plan = build_plan(store, today)
        assert plan.rates == morning.rates
        assert plan.today_target == morning.today_target
        assert plan.today_needed["calls"] == max(0, morning.today_target["calls"] - called)
    store.log("meetings", 3)  # meetings arriving today do not move the rates either
    assert build_plan(store, today).today_target == morning.today_target


def test_a_record_never_drops_because_more_work_was_logged(store: Store) -> None:
    from salestui.domain.history import streaks
    from salestui.domain.periods import DateRange
    from salestui.domain.planner import call_targets
    from salestui.figures import calendar, goal_book, stored_rates

    save_goal(store, "2026-10", 45)  # 900 calls a month: about a working day's 40-48
    store.set_setting("rate.meetings", "15%")
    store.set_setting("rate.sales", "1/3")
    day = date(2026, 10, 1)
    while day < date(2026, 11, 27):
        if day.weekday() < 5:
            store.log("calls", 40 + day.day % 9, at=local(f"{day.isoformat()}T09:00"))
        day += timedelta(days=1)
    today = date(2026, 11, 27)
    window = DateRange(date(2026, 10, 1), today)

    def figures() -> tuple[dict[date, int | None], int, int]:
        reading = DateRange(window.start - timedelta(days=90), today)
        totals = store.day_totals(reading)
        targets = call_targets(totals, window, calendar(store), goal_book(store),
                               stored_rates(store))  # fmt: skip
        in_window = {d: c for d, c in totals.items() if d in window}
        result = streaks(in_window, today, calendar(store), targets)
        return targets, result.current, result.longest

    before_targets, before_current, before_longest = figures()
    assert before_longest >= 1 and before_targets[today] is not None
    store.log("calls", 50)  # a big day today
    after_targets, after_current, after_longest = figures()
    assert after_targets == before_targets  # every day keeps the target it started with
    assert after_longest >= before_longest
    assert after_current >= before_current
