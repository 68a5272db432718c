"""Timers folded into minutes (salestui.domain.timers), against hand-computed examples.

Every test runs in Europe/Berlin (tests/conftest.py), where 2026-03-29 has 23 hours and
2026-10-25 has 25.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from salestui.domain.timers import (
    Interval,
    TimeChange,
    apportion,
    check_new_category,
    clock_text,
    cut_message,
    day_minutes,
    fold,
    non_sales_share,
    on_day,
    overlap_spans,
    overlaps,
    parse_category,
    parse_duration,
    per_selling_hour,
    time_line,
    union_minutes,
    whole_minutes,
)
from tests.conftest import local

KNOWN = ["gym", "admin", "reports", "internal", "travel", "training", "selling"]


def start(timer: str, category: str, at: str) -> TimeChange:
    return TimeChange(timer, "start", timer, category, local(at))


def stop(timer: str, at: str) -> TimeChange:
    return TimeChange(f"{timer}-stop", "stop", timer, None, local(at))


def logged(timer: str, category: str, at: str, minutes: int) -> TimeChange:
    return TimeChange(timer, "log", timer, category, local(at), minutes)


def span(category: str, begin: str, end: str, timer: str = "") -> Interval:
    return Interval(timer or f"{category}{begin}", category, local(begin), local(end))


# -- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("45m", 45), ("1h30m", 90), ("2h", 120), ("1m", 1), ("24h", 1440), ("90m", 90), ("1H", 60)],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text", ["0m", "-5m", "25h", "1x", "", "h", "m", "1h1441m", "24h1m", "5", "1h60m", "0h90m"]
)
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_categories_by_key_or_spelled_out() -> None:
    assert parse_category("admin", KNOWN) == "admin"
    assert parse_category("Internal  Meetings", KNOWN) == "internal"
    assert parse_category("meetings-internal", KNOWN) == "internal"
    assert parse_category("GYM", KNOWN) == "gym"
    for bad in ("", "  ", "golf"):
        with pytest.raises(ValueError):
            parse_category(bad, KNOWN)


def test_new_categories() -> None:
    assert check_new_category("Gym", ["admin"]) == "gym"
    for bad in ("admin", "internal meetings", "two words", "", "9lives", "x" * 25):
        with pytest.raises(ValueError):
            check_new_category(bad, ["admin", "internal"])


# -- folding ------------------------------------------------------------------------------


def test_a_stop_ends_its_start_and_a_log_is_its_own_stretch() -> None:
    now = local("2026-11-27T15:00")
    found = fold(
        [
            start("a", "admin", "2026-11-27T09:00"),
            stop("a", "2026-11-27T09:42"),
            logged("l", "reports", "2026-11-27T13:00", 30),
        ],
        now,
    )
    assert [(i.category, i.minutes, i.running, i.logged) for i in found] == [
        ("admin", 42, False, False),
        ("reports", 30, False, True),
    ]


def test_a_start_with_no_stop_runs_until_now() -> None:
    (interval,) = fold([start("a", "admin", "2026-11-27T10:00")], local("2026-11-27T10:42"))
    assert interval.running and not interval.cut
    assert interval.minutes == 42


def test_left_running_past_midnight_it_is_cut_there() -> None:
    (interval,) = fold([start("a", "admin", "2026-11-26T22:30")], local("2026-11-27T09:00"))
    assert interval.cut and not interval.running
    assert interval.end == local("2026-11-27T00:00")
    assert interval.minutes == 90
    message = cut_message(interval, date(2026, 11, 27))
    assert message == (
        "Yesterday's admin timer ran past midnight: counted until 00:00; correct it with `time log`"
    )
    assert cut_message(interval, date(2026, 11, 28)).startswith("Thu 26 Nov's admin timer")


def test_the_earliest_stop_wins_and_a_stop_before_the_start_ends_it_there() -> None:
    now = local("2026-11-27T15:00")
    (one,) = fold(
        [
            start("a", "admin", "2026-11-27T09:00"),
            stop("a", "2026-11-27T10:00"),
            TimeChange("s2", "stop", "a", None, local("2026-11-27T09:30")),
        ],
        now,
    )
    assert one.minutes == 30
    (skewed,) = fold([start("b", "admin", "2026-11-27T09:00"), stop("b", "2026-11-27T08:00")], now)
    assert skewed.minutes == 0


# -- DST: real elapsed minutes --------------------------------------------------------------


def test_spring_forward_day_has_23_hours() -> None:
    # 01:30 CET is 00:30 UTC; 03:30 CEST is 01:30 UTC: one real hour.
    found = fold(
        [start("a", "admin", "2026-03-29T01:30"), stop("a", "2026-03-29T03:30")],
        local("2026-03-29T12:00"),
    )
    assert found[0].minutes == 60
    # A timer from midnight left running is cut at the next midnight: 23 hours.
    (whole,) = fold([start("b", "travel", "2026-03-29T00:00")], local("2026-03-30T08:00"))
    assert whole.cut and whole.minutes == 23 * 60
    assert day_minutes([whole], date(2026, 3, 29)) == {"travel": 23 * 60}
    assert day_minutes([whole], date(2026, 3, 30)) == {}


def test_fall_back_day_has_25_hours() -> None:
    (whole,) = fold([start("b", "travel", "2026-10-25T00:00")], local("2026-10-26T08:00"))
    assert whole.minutes == 25 * 60
    assert day_minutes([whole], date(2026, 10, 25)) == {"travel": 25 * 60}
    # 01:30 CEST to 03:30 CET: three real hours (02:00-03:00 happens twice).
    found = fold(
        [start("a", "admin", "2026-10-25T01:30"), stop("a", "2026-10-25T03:30")],
        local("2026-10-25T12:00"),
    )
    assert found[0].minutes == 180


def test_a_log_over_midnight_is_split_between_the_days() -> None:
    (interval,) = fold([logged("l", "travel", "2026-11-26T23:00", 120)], local("2026-11-27T10:00"))
    assert day_minutes([interval], date(2026, 11, 26)) == {"travel": 60}
    assert day_minutes([interval], date(2026, 11, 27)) == {"travel": 60}
    assert [i.minutes for i in on_day([interval], date(2026, 11, 27))] == [60]


# -- overlaps: wall-clock time counted once ---------------------------------------------------


def test_two_overlapping_timers_share_their_common_half_hour() -> None:
    # admin 10:00-11:00 and reports 10:30-11:30: 90 minutes of wall-clock time;
    # 10:30-11:00 is split 15/15.
    found = [
        span("admin", "2026-11-27T10:00", "2026-11-27T11:00"),
        span("reports", "2026-11-27T10:30", "2026-11-27T11:30"),
    ]
    assert apportion(found) == {"admin": 45, "reports": 45}
    assert union_minutes(found) == 90
    assert len(overlaps(found)) == 1


def test_three_way_overlap_by_hand() -> None:
    # 10:00-10:30 admin+reports (15 each), 10:30-11:00 all three (10 each),
    # 11:00-12:00 admin alone (60): admin 85, reports 25, selling 10; 120 in all.
    found = [
        span("admin", "2026-11-27T10:00", "2026-11-27T12:00"),
        span("reports", "2026-11-27T10:00", "2026-11-27T11:00"),
        span("selling", "2026-11-27T10:30", "2026-11-27T11:00"),
    ]
    minutes = apportion(found)
    assert minutes == {"admin": 85, "reports": 25, "selling": 10}
    assert union_minutes(found) == 120
    assert non_sales_share(minutes) == Fraction(110, 120)
    assert len(overlaps(found)) == 3


def test_the_same_timer_on_two_machines_counts_once() -> None:
    found = [
        span("admin", "2026-11-27T10:00", "2026-11-27T11:00", "one"),
        span("admin", "2026-11-27T10:00", "2026-11-27T11:00", "two"),
    ]
    assert apportion(found) == {"admin": 60}


def test_touching_intervals_do_not_overlap() -> None:
    found = [
        span("admin", "2026-11-27T10:00", "2026-11-27T11:00"),
        span("selling", "2026-11-27T11:00", "2026-11-27T12:00"),
    ]
    assert overlaps(found) == []
    assert apportion(found) == {"admin": 60, "selling": 60}


# -- figures ----------------------------------------------------------------------------------


def test_shares_rates_and_the_line() -> None:
    minutes = {"selling": Fraction(130), "admin": Fraction(45), "reports": Fraction(30)}
    assert non_sales_share(minutes) == Fraction(75, 205)
    assert non_sales_share({}) is None
    # 75/205 = 36.6 %: rounded half up to 37.
    assert time_line(minutes) == "Time: selling 2:10 · admin 0:45 · reports 0:30 — non-sales 37%"
    assert time_line({}) == ""
    assert per_selling_hour(12, Fraction(90)) == 8
    assert per_selling_hour(12, Fraction(0)) is None
    assert whole_minutes({"admin": Fraction(89, 2), "selling": Fraction(1, 3)}) == {
        "admin": 45,
        "selling": 0,
    }
    assert clock_text(Fraction(42)) == "0:42"
    assert clock_text(130) == "2:10"


# -- overlap spans: one per stretch, however many intervals pile up ---------------------------


def test_overlap_spans_by_hand() -> None:
    # admin 10:00-12:00, reports 10:00-11:00, selling 10:30-11:00: one stretch of
    # overlap, 10:00-11:00 (admin alone after it); travel 13:00-14:00 and
    # training 13:30-13:45: a second one, 13:30-13:45; 14:00-15:00 only touches travel.
    found = [
        span("admin", "2026-11-27T10:00", "2026-11-27T12:00"),
        span("reports", "2026-11-27T10:00", "2026-11-27T11:00"),
        span("selling", "2026-11-27T10:30", "2026-11-27T11:00"),
        span("travel", "2026-11-27T13:00", "2026-11-27T14:00"),
        span("training", "2026-11-27T13:30", "2026-11-27T13:45"),
        span("admin", "2026-11-27T14:00", "2026-11-27T15:00"),
    ]
    spans = overlap_spans(found)
    assert [(s.start, s.end, s.categories) for s in spans] == [
        (local("2026-11-27T10:00"), local("2026-11-27T11:00"), ["admin", "reports", "selling"]),
        (local("2026-11-27T13:30"), local("2026-11-27T13:45"), ["travel", "training"]),
    ]


def test_many_stretches_logged_over_each_other_are_one_overlap() -> None:
    # Six logs ending at the same minute (each started a bit later): 15 pairs, one span.
    found = [span("admin", f"2026-11-27T1{hour}:00", "2026-11-27T16:00") for hour in range(6)]
    assert len(overlaps(found)) == 15
    (only,) = overlap_spans(found)
    assert (only.start, only.end) == (local("2026-11-27T11:00"), local("2026-11-27T16:00"))
    assert only.categories == ["admin"] * 6


def test_touching_intervals_make_no_overlap_span() -> None:
    found = [
        span("admin", "2026-11-27T10:00", "2026-11-27T11:00"),
        span("selling", "2026-11-27T11:00", "2026-11-27T12:00"),
    ]
    assert overlap_spans(found) == []
