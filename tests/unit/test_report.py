"""domain.report and `salestui report`."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import pytest

from salestui.domain.counts import zero_counts
from salestui.domain.history import Streaks
from salestui.domain.periods import DateRange, month_range, parse_period
from salestui.domain.planner import Plan, make_plan
from salestui.domain.report import (
    build_report,
    previous_range,
    report_target,
    to_json,
    to_markdown,
    to_text,
)
from salestui.domain.workdays import WorkCalendar
from salestui.store import Store
from tests.conftest import FakeClock, local

WEEKDAYS = WorkCalendar()
TODAY = date(2026, 11, 25)  # a Wednesday

# Last week: 25 calls, 3 meetings, 1 sale. This week so far: 30 calls, 3 meetings, 1 sale.
TOTALS = {
    date(2026, 11, 16): {"calls": 10, "meetings": 2},
    date(2026, 11, 17): {"calls": 10},
    date(2026, 11, 19): {"calls": 5, "meetings": 1, "sales": 1},
    date(2026, 11, 23): {"calls": 12, "meetings": 2},
    date(2026, 11, 24): {"calls": 8, "meetings": 1, "sales": 1},
    date(2026, 11, 25): {"calls": 10},
}


def november_plan(today: date = TODAY) -> Plan:
    """10 sales at 15% and 1/3: 200 calls, 30 meetings; 21 working days -> 10, 2, 1 a day."""
    month = month_range(2026, 11)
    before = {"calls": 25 + 20, "meetings": 3 + 3, "sales": 2}
    return make_plan(
        10,
        month,
        today,
        WEEKDAYS,
        {"meetings": Fraction(15, 100), "sales": Fraction(1, 3)},
        {"meetings": "set", "sales": "set"},
        before,
        {"calls": 10, "meetings": 0, "sales": 0},
    )


def week_report(plan: Plan | None = None):  # type: ignore[no-untyped-def]
    period = parse_period("week", TODAY)
    return build_report(period, period.range, TOTALS, TODAY, WEEKDAYS, plan=plan)


# -- previous period --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("week", DateRange(date(2026, 11, 16), date(2026, 11, 22))),
        ("month", DateRange(date(2026, 10, 1), date(2026, 10, 31))),
        ("2026-03", DateRange(date(2026, 2, 1), date(2026, 2, 28))),
        ("quarter", DateRange(date(2026, 7, 1), date(2026, 9, 30))),
        ("year", DateRange(date(2025, 1, 1), date(2025, 12, 31))),
        ("today", DateRange(date(2026, 11, 24), date(2026, 11, 24))),
        ("7d", DateRange(date(2026, 11, 12), date(2026, 11, 18))),
        ("2026-11-01..2026-11-10", DateRange(date(2026, 10, 22), date(2026, 10, 31))),
    ],
)
def test_previous_range(spec: str, expected: DateRange) -> None:
    period = parse_period(spec, TODAY)
    assert previous_range(period, period.range) == expected


def test_all_has_no_previous_period() -> None:
    period = parse_period("all", TODAY)
    span = DateRange(date(2026, 1, 5), TODAY)
    assert previous_range(period, span) is None
    assert previous_range(period, None) is None


# -- the report -------------------------------------------------------------------------


def test_week_report_change_against_last_week() -> None:
    report = week_report()
    assert report.title == "Weekly report"
    assert report.counts == {"calls": 30, "meetings": 3, "sales": 1}
    assert report.previous_funnel is not None
    assert report.previous_funnel.counts == {"calls": 25, "meetings": 3, "sales": 1}
    assert [report.change(key) for key in ("calls", "meetings", "sales")] == [5, 0, 0]
    assert report.relative_change("calls") == Fraction(1, 5)
    assert report.rate_change("meetings") == Fraction(3, 30) - Fraction(3, 25)
    assert report.rate_change("sales") == 0
    assert report.best_days == {
        "calls": (date(2026, 11, 23), 12),
        "meetings": (date(2026, 11, 23), 2),
        "sales": (date(2026, 11, 24), 1),
    }
    # Mon 16, Tue 17 | Wed 18 missed | Thu 19 | Fri 20 missed | Mon 23, Tue 24, Wed 25.
    assert report.streak == Streaks(3, 3, TODAY, date(2026, 11, 23))
    assert report.target is None


def test_week_target_is_the_plans_daily_share_times_working_days() -> None:
    target = week_report(november_plan()).target
    assert target is not None
    assert target.basis == "working_days"
    assert (target.working_days, target.working_days_elapsed) == (5, 2)
    assert target.target == {"calls": 50, "meetings": 10, "sales": 5}
    assert target.expected_by_now == {"calls": 20, "meetings": 4, "sales": 2}
    assert [target.pace(key) for key in ("calls", "meetings", "sales")] == [10, -1, -1]


def test_month_target_is_the_plan_itself() -> None:
    plan = november_plan()
    month = month_range(2026, 11)
    done = {"calls": 55, "meetings": 6, "sales": 2}
    target = report_target(plan, month, done, TODAY, WEEKDAYS)
    assert target.basis == "month"
    assert target.target == {"calls": 200, "meetings": 30, "sales": 10}
    assert target.expected_by_now == plan.expected_by_now
    assert target.pace("calls") == 55 - plan.expected_by_now["calls"]


def test_a_past_period_expects_its_whole_target() -> None:
    last_week = DateRange(date(2026, 11, 16), date(2026, 11, 22))
    target = report_target(november_plan(), last_week, zero_counts(), TODAY, WEEKDAYS)
    assert target.expected_by_now == target.target == {"calls": 50, "meetings": 10, "sales": 5}


def test_given_streak_and_target_are_used() -> None:
    period = parse_period("week", TODAY)
    report = build_report(
        period,
        period.range,
        TOTALS,
        TODAY,
        WEEKDAYS,
        streak=Streaks(12, 20, None),
        daily_call_target=10,
    )
    assert report.streak.current == 12
    assert report.daily_call_target == 10


def test_markdown_for_a_small_week() -> None:
    assert to_markdown(week_report(november_plan())) == (
        "## Weekly report: This week (23–29 Nov 2026)\n"
        "\n"
        "|  | This week | Last week | Change |\n"
        "| --- | ---: | ---: | ---: |\n"
        "| Calls | 30 | 25 | +5 (+20%) |\n"
        "| Meetings | 3 | 3 | 0 |\n"
        "| Sales | 1 | 1 | 0 |\n"
        "| Calls → meetings | 10% | 12% | -2 pts |\n"
        "| Meetings → sales | 33.3%? | 33.3%? | 0 pts |\n"
        "\n"
        "- **Last week:** 16–22 Nov 2026\n"
        "- ? This week, meetings → sales rests on 3 meetings (fewer than 20): uncertain, "
        "likely 6%–79%\n"
        "- ? Last week, meetings → sales rests on 3 meetings (fewer than 20): uncertain, "
        "likely 6%–79%\n"
        "- **Target:** 50 calls, 10 meetings, 5 sales "
        "(5 working days at the 2026-11 plan's daily pace for 10 sales)\n"
        "- **Pace:** 10 calls ahead of pace, 1 meeting behind pace, 1 sale behind pace\n"
        "- **Best day:** calls Mon 23 Nov 2026 (12); meetings Mon 23 Nov 2026 (2); "
        "sales Tue 24 Nov 2026 (1)\n"
        "- **Streak:** 3 working days with any activity\n"
    )


def test_text_for_a_small_week_without_a_plan() -> None:
    assert to_text(week_report()) == (
        "Weekly report · This week · 23–29 Nov 2026\n"
        "                     This week   Last week      Change\n"
        "  Calls                     30          25   +5 (+20%)\n"
        "  Meetings                   3           3           0\n"
        "  Sales                      1           1           0\n"
        "  Calls → meetings         10%         12%      -2 pts\n"
        "  Meetings → sales      33.3%?      33.3%?       0 pts\n"
        "  (Last week: 16–22 Nov 2026)\n"
        "  ? This week, meetings → sales rests on 3 meetings (fewer than 20): uncertain, "
        "likely 6%–79%\n"
        "  ? Last week, meetings → sales rests on 3 meetings (fewer than 20): uncertain, "
        "likely 6%–79%\n"
        "  Best day: calls Mon 23 Nov 2026 (12); meetings Mon 23 Nov 2026 (2); "
        "sales Tue 24 Nov 2026 (1)\n"
        "  Streak:   3 working days with any activity"
    )


def test_json_shape() -> None:
    payload = to_json(week_report(november_plan()))
    assert json.loads(json.dumps(payload)) == payload
    assert payload == {
        "period": "week",
        "label": "This week",
        "from": "2026-11-23",
        "to": "2026-11-29",
        "counts": {"calls": 30, "meetings": 3, "sales": 1},
        "rates": {"meetings": 0.1, "sales": 1 / 3},
        "overall": 1 / 30,
        "previous": {
            "label": "Last week",
            "from": "2026-11-16",
            "to": "2026-11-22",
            "counts": {"calls": 25, "meetings": 3, "sales": 1},
            "rates": {"meetings": 0.12, "sales": 1 / 3},
            "overall": 0.04,
        },
        "change": {
            "counts": {"calls": 5, "meetings": 0, "sales": 0},
            "relative": {"calls": 0.2, "meetings": 0.0, "sales": 0.0},
            "rates": {"meetings": float(Fraction(-1, 50)), "sales": 0.0},
        },
        "target": {
            "basis": "working_days",
            "goal": 10,
            "month": "2026-11",
            "working_days": 5,
            "working_days_elapsed": 2,
            "target": {"calls": 50, "meetings": 10, "sales": 5},
            "expected_by_now": {"calls": 20, "meetings": 4, "sales": 2},
            "done": {"calls": 30, "meetings": 3, "sales": 1},
            "pace": {"calls": 10, "meetings": -1, "sales": -1},
        },
        "best_day": {
            "calls": {"day": "2026-11-23", "count": 12},
            "meetings": {"day": "2026-11-23", "count": 2},
            "sales": {"day": "2026-11-24", "count": 1},
        },
        "streak": {"current": 3, "daily_call_target": None},
    }


def test_rates_without_a_denominator_are_null_and_dashes() -> None:
    period = parse_period("today", date(2026, 11, 22))
    report = build_report(period, period.range, TOTALS, date(2026, 11, 22), WEEKDAYS)
    payload = to_json(report)
    assert payload["rates"] == {"meetings": None, "sales": None}
    assert payload["change"] == {
        "counts": {"calls": 0, "meetings": 0, "sales": 0},
        "relative": {"calls": None, "meetings": None, "sales": None},
        "rates": {"meetings": None, "sales": None},
    }
    text = to_text(report)
    assert "  Calls → meetings       —           —        —" in text
    assert "Best day: calls none; meetings none; sales none" in text


def test_all_on_an_empty_log() -> None:
    period = parse_period("all", TODAY)
    report = build_report(period, None, {}, TODAY, WEEKDAYS, plan=november_plan())
    assert report.target is None
    assert to_text(report).splitlines()[:2] == [
        "Report · All time · no events yet",
        "                     All time",
    ]
    payload = to_json(report)
    assert payload["from"] is None and payload["previous"] is None and payload["change"] is None
    assert payload["counts"] == {"calls": 0, "meetings": 0, "sales": 0}


# -- the command ------------------------------------------------------------------------


def seed(db_path: Path, clock: FakeClock) -> None:
    with Store(db_path, clock=clock) as store:
        for day, by_metric in TOTALS.items():
            for metric, count in by_metric.items():
                store.log(metric, count, at=local(f"{day.isoformat()}T09:00"))


@pytest.fixture
def wednesday(clock: FakeClock) -> FakeClock:
    clock.now = local("2026-11-25T17:00:00")
    return clock


def test_cli_report_defaults_to_this_week_as_text(run, db_path, wednesday) -> None:
    seed(db_path, wednesday)
    result = run("report")
    assert result.code == 0, result.err
    assert result.out == to_text(week_report()) + "\n"


def test_cli_report_markdown_with_a_stored_goal(run, db_path, wednesday, standing_goal) -> None:
    seed(db_path, wednesday)
    standing_goal(10)
    assert run("rate", "set", "meetings=15%").code == 0
    assert run("rate", "set", "sales=1/3").code == 0
    result = run("report", "--format", "markdown")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "## Weekly report: This week (23–29 Nov 2026)"
    # 45 calls in the 90 days ending yesterday beat the stored 15%: meetings 6/45, sales
    # 1/3 (stored) -> 225 calls in November, 11 a working day; 5 working days this week.
    assert "- **Target:** 55 calls, 10 meetings, 5 sales " in result.out
    # Today (Wed 25) started with 180 calls still needed over 4 working days: 45 today.
    assert lines[-1] == "- **Streak:** 0 working days at their day's call target (today: 45 calls)"


def test_cli_report_json_month(run, db_path, wednesday) -> None:
    seed(db_path, wednesday)
    result = run("report", "-p", "month", "-f", "json")
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert (payload["from"], payload["to"]) == ("2026-11-01", "2026-11-30")
    assert payload["counts"] == {"calls": 55, "meetings": 6, "sales": 2}
    assert payload["previous"]["counts"] == {"calls": 0, "meetings": 0, "sales": 0}
    assert payload["target"] is None
    assert payload["streak"] == {"current": 3, "daily_call_target": None}


def test_cli_report_all(run, db_path, wednesday) -> None:
    seed(db_path, wednesday)
    payload = json.loads(run("report", "--period", "all", "--format", "json").out)
    assert (payload["from"], payload["to"]) == ("2026-11-16", "2026-11-25")
    assert payload["counts"] == {"calls": 55, "meetings": 6, "sales": 2}
    assert payload["previous"] is None


def test_cli_report_bad_period_is_one_line_exit_2(run, db_path, wednesday) -> None:
    result = run("report", "--period", "fortnight")
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.splitlines()) == 1
    assert "bad period 'fortnight'" in result.err


def test_cli_report_bad_format_is_exit_2(run, wednesday) -> None:
    result = run("report", "--format", "pdf")
    assert result.code == 2
    assert len(result.err.splitlines()) == 1


def test_cli_streak_reads_back_beyond_the_first_window(run, db_path, wednesday) -> None:
    # 100 working days in a row, ending today: more than the first 64-day window.
    with Store(db_path, clock=wednesday) as store:
        day = TODAY
        worked = 0
        while worked < 100:
            if day.weekday() < 5:
                store.log("calls", 1, at=local(f"{day.isoformat()}T09:00"))
                worked += 1
            day = date.fromordinal(day.toordinal() - 1)
    payload = json.loads(run("report", "-f", "json").out)
    assert payload["streak"]["current"] == 100


def test_cli_report_for_a_month_uses_that_months_goal(run, db_path, wednesday) -> None:
    seed(db_path, wednesday)
    assert run("goal", "set", "8", "--month", "2026-10").code == 0
    assert run("rate", "set", "sales=1/3").code == 0
    payload = json.loads(run("report", "-p", "2026-10", "-f", "json").out)
    assert payload["previous"]["label"] == "September 2026"
    # October: 22 working days; meetings 6/45 from the 90 days ending yesterday, sales 1/3
    # stored -> 180 calls.
    assert payload["target"]["basis"] == "month"
    assert payload["target"]["month"] == "2026-10"
    assert payload["target"]["target"] == {"calls": 180, "meetings": 24, "sales": 8}
    assert payload["target"]["pace"]["sales"] == -8
    # No goal this month: the streak counts any activity.
    assert payload["streak"] == {"current": 3, "daily_call_target": None}


class _LongAgoStore:
    """A log from 1 January of year 1 (say, a hand-made import), a call every day."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.windows: list[DateRange] = []

    def bounds(self) -> DateRange:
        return DateRange(date(1, 1, 1), self.today)

    def settings_like(self, prefix: str) -> dict[str, str]:
        return {}

    def active_days(self, span: DateRange) -> list[date]:
        self.windows.append(span)
        return sorted(span.days(), reverse=True)

    def day_totals(self, span: DateRange) -> dict[date, dict[str, int]]:
        self.windows.append(span)
        return {day: {"calls": 1, "meetings": 0, "sales": 0} for day in span.days()}


def test_streak_windows_stop_at_the_first_event_instead_of_overflowing() -> None:
    from salestui.figures import report_streak as current_streak

    today = date(1, 6, 1)  # windows of 64, 128, 256 days: the last would start in year 0
    store = _LongAgoStore(today)
    calendar = WorkCalendar(weekdays=frozenset(range(7)))
    inputs = SimpleNamespace(calendar=calendar, stored_rates={})
    result = current_streak(store, today, inputs)  # type: ignore[arg-type]
    assert store.windows[-1].start == date(1, 1, 1)
    assert result.current == (today - date(1, 1, 1)).days + 1


# -- a long history under a goal, pinned ------------------------------------------------

LONG_FROM = date(2024, 11, 1)
SHORT_DAY = date(2025, 3, 3)  # a Monday with 1 call: below its target, the streak starts after


def seed_two_years_under_a_goal(db_path: Path, clock: FakeClock) -> None:
    """Two years of busy days (one event per day and metric, written as an import would)
    with a standing goal of 20 sales a month from the first month: every streak day is
    judged by the call target it started with, rates moving with the 90 days before it."""
    import sqlite3
    import uuid

    from salestui.figures import save_goal

    Store(db_path, clock=clock).close()
    rows = []
    day, index = LONG_FROM, 0
    while day <= TODAY:
        counts = {
            "calls": 1 if day == SHORT_DAY else 40 + (index * 7) % 23,
            "meetings": 8 + (index * 3) % 7,
            "sales": 2 + index % 4,
        }
        for metric, count in counts.items():
            event_id = str(uuid.UUID(int=len(rows) + 1))
            ts = f"{day.isoformat()}T09:00:00.000000+00:00"
            rows.append((event_id, ts, day.isoformat(), metric, count, None, "cli", None))
        day, index = date.fromordinal(day.toordinal() + 1), index + 1
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.executemany(
                "INSERT INTO events (id, ts, day, metric, delta, note, source, cancels)"
                " VALUES (?,?,?,?,?,?,?,?)",
                rows,
            )
    finally:
        conn.close()
    with Store(db_path, clock=clock) as store:
        save_goal(store, "2024-11", 20, source="test")


LONG_WEEK = """\
Weekly report · This week · 23–29 Nov 2026
                     This week   Last week        Change
  Calls                    155         362   -207 (-57%)
  Meetings                  32          77    -45 (-58%)
  Sales                      9          26    -17 (-65%)
  Calls → meetings       20.6%       21.3%      -0.6 pts
  Meetings → sales       28.1%       33.8%      -5.6 pts
  (Last week: 16–22 Nov 2026)
  Target:   70 calls, 20 meetings, 5 sales (5 working days at the 2026-11 plan's daily pace \
for 20 sales)
  Pace:     127 calls ahead of pace, 24 meetings ahead of pace, 7 sales ahead of pace
  Best day: calls Mon 23 Nov 2026 (60); meetings Tue 24 Nov 2026 (13); sales Wed 25 Nov 2026 (4)
  Streak:   452 working days with any activity
"""

LONG_MONTH = """\
Monthly report · This month · 1–30 Nov 2026
                     This month   Last month        Change
  Calls                   1,268        1,595   -327 (-21%)
  Meetings                  277          339    -62 (-18%)
  Sales                      88          108    -20 (-19%)
  Calls → meetings        21.8%        21.3%      +0.6 pts
  Meetings → sales        31.8%        31.9%      -0.1 pts
  (Last month: 1–31 Oct 2026)
  Target:   293 calls, 64 meetings, 20 sales (the 2026-11 plan for 20 sales)
  Pace:     1,030 calls ahead of pace, 225 meetings ahead of pace, 71 sales ahead of pace
  Best day: calls Fri 20 Nov 2026 (62); meetings Sun 1 Nov 2026 (14); sales Mon 2 Nov 2026 (5)
  Streak:   452 working days with any activity
"""


def test_report_on_two_years_under_a_goal_is_pinned(run, db_path, wednesday) -> None:
    """The report's figures and text on a long history, as they were before the streak was
    walked back with running sums (452 working days: from the day after the short one)."""
    seed_two_years_under_a_goal(db_path, wednesday)
    assert run("report").out == LONG_WEEK
    assert run("report", "-p", "month").out == LONG_MONTH
    payload = json.loads(run("report", "-p", "all", "-f", "json").out)
    assert payload["counts"] == {"calls": 38462, "meetings": 8304, "sales": 2641}
    assert payload["best_day"]["calls"] == {"day": "2024-11-14", "count": 62}
    assert payload["streak"] == {"current": 452, "daily_call_target": None}
