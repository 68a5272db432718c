from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from salestui.domain.metrics import CALLS, MEETINGS, METRIC_KEYS, SALES, parse_metric
from salestui.domain.periods import (
    DateRange,
    last_days,
    month_of,
    month_range,
    parse_period,
    quarter_of,
    week_of,
)
from salestui.domain.when import is_date_only, parse_at
from tests.conftest import local

TODAY = date(2026, 11, 27)  # a Friday


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("calls", CALLS),
        ("call", CALLS),
        ("c", CALLS),
        ("Meetings", MEETINGS),
        ("m", MEETINGS),
        ("sale", SALES),
        (" S ", SALES),
    ],
)
def test_metric_spellings(text: str, metric: object) -> None:
    assert parse_metric(text) is metric


def test_unknown_metric_lists_the_known_ones() -> None:
    with pytest.raises(ValueError) as error:
        parse_metric("bananas")
    message = str(error.value)
    assert "bananas" in message
    for key in METRIC_KEYS:
        assert key in message
    assert "\n" not in message


def test_funnel_order() -> None:
    assert METRIC_KEYS == ("calls", "meetings", "sales")
    assert CALLS.amount(1) == "1 call" and CALLS.amount(3) == "3 calls"


def test_weeks_start_on_monday() -> None:
    assert week_of(TODAY) == DateRange(date(2026, 11, 23), date(2026, 11, 29))
    assert week_of(date(2026, 11, 23)).start == date(2026, 11, 23)
    assert week_of(date(2026, 11, 29)).start == date(2026, 11, 23)


def test_month_and_quarter_bounds() -> None:
    assert month_of(TODAY) == DateRange(date(2026, 11, 1), date(2026, 11, 30))
    assert month_of(date(2026, 12, 5)).end == date(2026, 12, 31)
    assert month_of(date(2028, 2, 10)).end == date(2028, 2, 29)
    assert quarter_of(TODAY) == DateRange(date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_of(date(2026, 2, 1)) == DateRange(date(2026, 1, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    ("spec", "start", "end"),
    [
        ("today", "2026-11-27", "2026-11-27"),
        ("week", "2026-11-23", "2026-11-29"),
        ("month", "2026-11-01", "2026-11-30"),
        ("quarter", "2026-10-01", "2026-12-31"),
        ("year", "2026-01-01", "2026-12-31"),
        ("1d", "2026-11-27", "2026-11-27"),
        ("30d", "2026-10-29", "2026-11-27"),
        ("2026-02", "2026-02-01", "2026-02-28"),
        ("2026-11-01..2026-11-03", "2026-11-01", "2026-11-03"),
    ],
)
def test_periods(spec: str, start: str, end: str) -> None:
    period = parse_period(spec, TODAY)
    assert period.range == DateRange(date.fromisoformat(start), date.fromisoformat(end))


def test_all_has_no_fixed_range() -> None:
    assert parse_period("all", TODAY).range is None


@pytest.mark.parametrize(
    "spec", ["0d", "-3d", "2026-13", "2026-11-05..2026-11-01", "2026-02-30..2026-03-01", "soon", ""]
)
def test_bad_periods_say_what_is_accepted(spec: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_period(spec, TODAY)
    assert "\n" not in str(error.value)


def test_range_days_and_len() -> None:
    span = DateRange(date(2026, 10, 30), date(2026, 11, 2))
    assert len(span) == 4
    assert list(span.days())[-1] == date(2026, 11, 2)
    assert date(2026, 11, 1) in span and date(2026, 11, 3) not in span


NOW = local("2026-11-27T10:42:00")


def test_at_today_means_now() -> None:
    assert parse_at("2026-11-27", NOW) == NOW


def test_at_past_date_is_that_local_day() -> None:
    at = parse_at("2026-11-20", NOW)
    assert at.astimezone().date() == date(2026, 11, 20)


def test_at_local_datetime_and_offset() -> None:
    assert parse_at("2026-11-27T09:15", NOW) == local("2026-11-27T09:15")
    # 23:30 UTC on the 26th is 00:30 on the 27th in Berlin.
    at = parse_at("2026-11-26T23:30+00:00", NOW)
    assert at == datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    assert at.astimezone().date() == date(2026, 11, 27)


@pytest.mark.parametrize("text", ["2026-11-28", "2026-11-27T10:43", "2027-01-01"])
def test_at_in_the_future_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="future"):
        parse_at(text, NOW)


@pytest.mark.parametrize(
    "text",
    [
        "last tuesday",
        "27/11/2026",
        "2026-11-27T25:00",
        "",
        "2026-13-01",
        "0000-01-01",
        "3d",
        "+3d",
        "-3",
        "-3w",
        "tues",
        "mo",
    ],
)
def test_at_unreadable(text: str) -> None:
    with pytest.raises(ValueError, match="not a date or time: --at .*use a date") as error:
        parse_at(text, NOW)
    assert repr(text) in str(error.value)
    for form in ("today", "yesterday", "a weekday (mon or monday", "-Nd (N days ago)"):
        assert form in str(error.value)  # the message lists every accepted form


# NOW is Friday 2026-11-27 10:42 in Berlin.
@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("yesterday", date(2026, 11, 26)),
        ("Yesterday", date(2026, 11, 26)),
        (" YESTERDAY ", date(2026, 11, 26)),
        ("thu", date(2026, 11, 26)),
        ("thursday", date(2026, 11, 26)),
        ("mon", date(2026, 11, 23)),
        ("Monday", date(2026, 11, 23)),
        ("sat", date(2026, 11, 21)),
        ("sun", date(2026, 11, 22)),
        ("fri", date(2026, 11, 20)),  # today's weekday: the one before today, a week ago
        ("FRIDAY", date(2026, 11, 20)),
        ("-1d", date(2026, 11, 26)),
        ("-7d", date(2026, 11, 20)),
        ("-30D", date(2026, 10, 28)),
        ("-365d", date(2025, 11, 27)),
    ],
)
def test_at_words_name_a_past_day_at_the_rule_for_dates(text: str, day: date) -> None:
    # A named day follows the rule for a date: that local day, as `--at YYYY-MM-DD` gives.
    assert parse_at(text, NOW) == parse_at(day.isoformat(), NOW)
    assert parse_at(text, NOW).astimezone().date() == day


@pytest.mark.parametrize("text", ["today", "TODAY", "-0d"])
def test_at_today_in_words_means_now(text: str) -> None:
    assert parse_at(text, NOW) == NOW


def test_at_weekday_across_a_dst_change_is_that_local_day() -> None:
    # Tuesday 2026-10-27, just after Berlin left summer time on Sunday the 25th.
    now = local("2026-10-27T08:00")
    assert parse_at("sun", now).astimezone().date() == date(2026, 10, 25)
    assert parse_at("sat", now).utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize("text", ["-47000d", "-99999999d", "-999999999999d"])
def test_at_days_ago_before_the_first_day_is_too_long_ago(text: str) -> None:
    with pytest.raises(ValueError, match="too long ago; salestui records days from 1900-01-01"):
        parse_at(text, NOW)


def test_at_across_dst_keeps_the_wall_time() -> None:
    # Berlin is +02:00 in summer, +01:00 in November.
    at = parse_at("2026-07-01T09:00", NOW)
    assert at.utcoffset() == timedelta(hours=2)


def test_compact_span_text() -> None:
    assert DateRange(date(2026, 11, 27), date(2026, 11, 27)).compact() == "27 Nov 2026"
    assert DateRange(date(2026, 11, 1), date(2026, 11, 30)).compact() == "1–30 Nov 2026"
    assert DateRange(date(2026, 11, 24), date(2026, 12, 3)).compact() == "24 Nov – 3 Dec 2026"
    assert DateRange(date(2025, 12, 30), date(2026, 1, 2)).compact() == "30 Dec 2025 – 2 Jan 2026"


def test_change_text() -> None:
    assert CALLS.change(1) == "+1 call"
    assert SALES.change(-3) == "−3 sales"


# -- the ends of the calendar (issue 7): a clear refusal, never an overflow ----------------


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("99999999d", "Nd needs N from 1 to 36,500"),
        ("36501d", "Nd needs N from 1 to 36,500"),
        ("9" * 5000 + "d", "Nd needs N from 1 to 36,500"),  # int() would refuse the digits
        ("0001-01", "use YYYY-MM from 1900-01 to 9999-12"),
        ("0000-01", "use YYYY-MM from 1900-01 to 9999-12"),
        ("1899-12", "use YYYY-MM from 1900-01 to 9999-12"),
        ("2026-13", "use YYYY-MM from 1900-01 to 9999-12"),
        ("2026-11-01..9999-12-31", "2,912,139 days is longer than 36,500"),
        ("0001-01-01..0001-01-05", "before 1900-01-01"),
        ("0000-01-01..2026-01-01", "not a real date"),
        ("٢٠٢٦-١١", "use today, week"),  # other scripts' digits are not taken as numbers
    ],
)
def test_periods_at_the_ends_of_the_calendar_are_refused_in_one_line(
    spec: str, needle: str
) -> None:
    with pytest.raises(ValueError) as error:
        parse_period(spec, TODAY)
    message = str(error.value)
    assert needle in message and "\n" not in message
    assert len(message) < 200  # the value is shortened, not echoed whole


@pytest.mark.parametrize(
    ("spec", "start", "end"),
    [
        ("9999-12", "9999-12-01", "9999-12-31"),  # the month after it is past date.max
        ("1900-01", "1900-01-01", "1900-01-31"),
        ("36500d", "1926-12-23", "2026-11-27"),
        ("0030d", "2026-10-29", "2026-11-27"),
        ("9999-12-01..9999-12-31", "9999-12-01", "9999-12-31"),
    ],
)
def test_periods_at_the_bounds_work(spec: str, start: str, end: str) -> None:
    period = parse_period(spec, TODAY)
    assert period.range == DateRange(date.fromisoformat(start), date.fromisoformat(end))


def test_last_days_stops_at_the_first_day_of_the_calendar() -> None:
    assert last_days(date(1, 1, 5), 100) == DateRange(date(1, 1, 1), date(1, 1, 5))


def test_month_range_of_december_9999() -> None:
    assert month_range(9999, 12).end == date(9999, 12, 31)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("0001-01-01", "too long ago; salestui records days from 1900-01-01"),
        ("1899-12-31", "too long ago"),
        ("0001-01-01T00:00+05:00", "too long ago"),  # UTC would be year 0
        ("0001-01-01T00:00", "too long ago"),
        ("1900-01-01T00:30+02:00", "too long ago"),  # 1899 in Berlin
        ("9999-12-31T23:59-05:00", "in the future"),  # UTC would be year 10000
        ("9999-12-31T23:59:59.999999", "in the future"),
        ("9999-12-31", "in the future"),
    ],
)
def test_at_at_the_ends_of_the_calendar(text: str, needle: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_at(text, NOW)
    assert needle in str(error.value)
    assert "out of range" not in str(error.value)


def test_at_on_the_first_day_is_accepted() -> None:
    assert parse_at("1900-01-01", NOW).astimezone().date() == date(1900, 1, 1)


def test_a_date_alone_is_marked_date_only_and_a_typed_noon_is_not() -> None:
    now = local("2026-11-27T15:00")
    assert is_date_only(parse_at("2026-11-20", now))
    assert is_date_only(parse_at("yesterday", now))
    typed = parse_at("2026-11-20T12:00", now)
    assert not is_date_only(typed)
    assert f"{typed.astimezone():%Y-%m-%d %H:%M}" == "2026-11-20 12:00"
    assert not is_date_only(parse_at("2026-11-20T09:15", now))
    assert not is_date_only(parse_at("today", now))
