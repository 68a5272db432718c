"""`funnel`, `plan`, `goal`, `rate` and `calendar` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salestui.store import Store
from tests.conftest import FakeClock, local


def seed(db_path: Path, clock: FakeClock, rows: list[tuple[str, str, int]]) -> None:
    with Store(db_path, clock=clock) as store:
        for when, metric, count in rows:
            store.log(metric, count, at=local(when))


def test_funnel_json_counts_rates_and_whole_month(run, db_path, clock) -> None:
    seed(
        db_path,
        clock,
        [
            ("2026-11-02T10:00", "calls", 10),
            ("2026-11-03T10:00", "meetings", 4),
            ("2026-11-27T09:00", "sales", 2),
            ("2026-10-30T10:00", "calls", 100),  # last month: outside
        ],
    )
    result = run("funnel", "--json")
    assert result.code == 0
    assert json.loads(result.out) == {
        "from": "2026-11-01",
        "to": "2026-11-30",
        "counts": {"calls": 10, "meetings": 4, "sales": 2},
        "rates": {"meetings": 0.4, "sales": 0.5},
        "overall": 0.2,
    }


def test_funnel_zero_denominator_is_null(run) -> None:
    payload = json.loads(run("funnel", "--period", "week", "--json").out)
    assert payload["from"] == "2026-11-23" and payload["to"] == "2026-11-29"
    assert payload["rates"] == {"meetings": None, "sales": None}
    assert payload["overall"] is None


def test_funnel_all_spans_first_to_last_event_or_null(run, db_path, clock) -> None:
    empty = json.loads(run("funnel", "-p", "all", "--json").out)
    assert empty["from"] is None and empty["to"] is None
    seed(db_path, clock, [("2025-03-04T10:00", "calls", 1), ("2026-11-20T10:00", "calls", 1)])
    full = json.loads(run("funnel", "-p", "all", "--json").out)
    assert (full["from"], full["to"]) == ("2025-03-04", "2026-11-20")


def test_funnel_text_says_rates_in_words_and_flags_thin_samples(run, db_path, clock) -> None:
    seed(
        db_path,
        clock,
        [
            ("2026-11-27T09:00", "calls", 20),
            ("2026-11-27T09:05", "meetings", 3),
            ("2026-11-27T09:10", "sales", 1),
        ],
    )
    out = run("funnel", "-p", "today").out
    assert "1 meeting per 6.7 calls" in out
    assert "1 sale per 3 meetings" in out
    assert "uncertain" in out


@pytest.mark.parametrize("period", ["soon", "0d", "2026-11-05..2026-11-01", "2026-13"])
def test_funnel_bad_period(run, period: str) -> None:
    result = run("funnel", "--period", period)
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
    assert "period" in result.err or "month" in result.err


def test_plan_acceptance_numbers(run) -> None:
    result = run(
        "plan", "--target", "50", "--rate", "meetings=15%", "--rate", "sales=1/3", "--json"
    )
    assert result.code == 0
    plan = json.loads(result.out)
    assert plan["month"] == "2026-11"
    assert plan["target"] == 50
    assert plan["working_days"] == 21
    assert plan["working_days_left"] == 2
    assert plan["rates"] == {"meetings": 0.15, "sales": pytest.approx(1 / 3)}
    assert plan["rates_source"] == {"meetings": "flag", "sales": "flag"}
    assert plan["required"] == {"calls": 1000, "meetings": 150, "sales": 50}
    assert plan["per_day"] == {"calls": 48, "meetings": 8, "sales": 3}
    assert plan["done"] == {"calls": 0, "meetings": 0, "sales": 0}
    assert plan["today_target"] == {"calls": 500, "meetings": 75, "sales": 25}
    assert plan["today_needed"] == plan["today_target"]


def test_plan_what_if_rate(run) -> None:
    plan = json.loads(
        run("plan", "--target", "50", "--rate", "meetings=20%", "--rate", "sales=1/3", "--json").out
    )
    assert plan["required"]["calls"] == 750 and plan["per_day"]["calls"] == 36


def test_plan_today_needed_drops_with_each_call_today(run, db_path, clock) -> None:
    seed(db_path, clock, [("2026-11-20T10:00", "calls", 400)])
    args = ("plan", "--target", "50", "--rate", "meetings=15%", "--rate", "sales=1/3", "--json")
    before = json.loads(run(*args).out)
    assert before["today_target"]["calls"] == 300  # (1000 - 400) / 2 days left
    run("log", "call", "7")
    after = json.loads(run(*args).out)
    assert after["today_target"]["calls"] == 300  # fixed for the day
    assert after["today_needed"]["calls"] == 293
    assert after["done"]["calls"] == 407


def test_plan_uses_stored_goal_and_rates_and_history(run, db_path, clock, standing_goal) -> None:
    standing_goal(50)
    assert run("rate", "set", "meetings=15%").code == 0
    assert run("rate", "set", "sales=1/3").code == 0
    plan = json.loads(run("plan", "--json").out)
    assert plan["target"] == 50 and plan["rates_source"] == {"meetings": "set", "sales": "set"}
    # 40 calls and 10 meetings in the last 90 days: history now decides calls -> meetings.
    seed(db_path, clock, [("2026-10-01T10:00", "calls", 40), ("2026-10-02T10:00", "meetings", 10)])
    plan = json.loads(run("plan", "--json").out)
    assert plan["rates_source"] == {"meetings": "history", "sales": "set"}
    assert plan["rates"]["meetings"] == 0.25
    flagged = json.loads(run("plan", "--rate", "meetings=10%", "--json").out)
    assert flagged["rates_source"]["meetings"] == "flag"


def test_goal_for_one_month_and_from_a_month_on(run) -> None:
    run("goal", "set", "50")
    run("goal", "set", "80", "--month", "2026-12")
    dec = json.loads(
        run(
            "plan", "--month", "2026-12", "--rate", "meetings=15%", "--rate", "sales=1/3", "--json"
        ).out
    )
    jan = json.loads(
        run(
            "plan", "--month", "2027-01", "--rate", "meetings=15%", "--rate", "sales=1/3", "--json"
        ).out
    )
    assert (dec["target"], jan["target"]) == (80, 50)
    assert "2026-12: 80 sales" in run("goal", "show", "--month", "2026-12").out


def test_working_days_override_keeps_days_left_from_the_calendar(run) -> None:
    plan = json.loads(
        run(
            "plan",
            "--target",
            "50",
            "--rate",
            "meetings=15%",
            "--rate",
            "sales=1/3",
            "--working-days",
            "20",
            "--json",
        ).out
    )
    assert plan["working_days"] == 20 and plan["working_days_left"] == 2
    assert plan["per_day"]["calls"] == 50


def test_calendar_days_off_change_the_plan(run) -> None:
    out = run("calendar", "--off", "2026-11-30").out
    assert "2026-11-30" in out
    plan = json.loads(
        run("plan", "--target", "50", "--rate", "meetings=15%", "--rate", "sales=1/3", "--json").out
    )
    assert plan["working_days"] == 20 and plan["working_days_left"] == 1
    assert plan["today_target"]["calls"] == 1000
    run("calendar", "--weekdays", "mon-sat", "--on", "2026-11-30")
    plan = json.loads(
        run("plan", "--target", "50", "--rate", "meetings=15%", "--rate", "sales=1/3", "--json").out
    )
    assert plan["working_days"] == 25


def test_plan_text_is_readable(run) -> None:
    out = run("plan", "--target", "50", "--rate", "meetings=15%", "--rate", "sales=1/3").out
    assert "Today you need    500 calls   75 meetings   25 sales" in out
    assert "0 / 1,000 calls" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("plan",), "no sales goal"),
        (("plan", "--target", "50"), "--rate meetings="),
        (("plan", "--target", "-5"), "whole number of sales >= 1"),
        (("plan", "--target", "abc"), "whole number of sales >= 1"),
        (("plan", "--target", "5", "--rate", "meetings=0"), "above 0"),
        (("plan", "--target", "5", "--rate", "meetings=150%"), "at most 100%"),
        (("plan", "--target", "5", "--rate", "meetings=lots"), "bad rate"),
        (("plan", "--target", "5", "--rate", "calls=10%"), "first stage"),
        (("plan", "--target", "5", "--rate", "emails=10%"), "meetings or sales"),
        (("plan", "--target", "5", "--rate", "meetings15%"), "STAGE=VALUE"),
        (("plan", "--target", "5", "--working-days", "0"), "--working-days"),
        (("plan", "--month", "2026-13"), "YYYY-MM"),
        (("goal", "set", "0"), "whole number of sales >= 1"),
        (("rate", "set", "sales=2"), "at most 100%"),
        (("rate", "clear", "calls"), "first stage"),
        (("calendar", "--weekdays", "funday"), "weekday"),
        (("calendar", "--off", "tomorrow"), "YYYY-MM-DD"),
    ],
)
def test_bad_plan_input_exits_2_with_one_line(run, db_path: Path, argv, needle: str) -> None:
    result = run(*argv)
    assert result.code == 2, result.err
    assert needle in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_rate_clear(run) -> None:
    run("rate", "set", "meetings=15%")
    run("rate", "clear", "meetings")
    result = run("plan", "--target", "5", "--rate", "sales=1/3")
    assert result.code == 2 and "meetings" in result.err
