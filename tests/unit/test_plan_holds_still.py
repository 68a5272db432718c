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
