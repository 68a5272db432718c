from __future__ import annotations

from datetime import date

import pytest

from salestui.domain.periods import DateRange, parse_month
from salestui.domain.workdays import WorkCalendar, format_weekdays, parse_weekdays

NOVEMBER_2026 = parse_month("2026-11")


def test_default_is_monday_to_friday() -> None:
    calendar = WorkCalendar()
    assert calendar.weekdays == frozenset({0, 1, 2, 3, 4})
    assert calendar.is_working(date(2026, 11, 27))  # Friday
    assert not calendar.is_working(date(2026, 11, 28))  # Saturday
    assert not calendar.is_working(date(2026, 11, 29))  # Sunday


def test_november_2026_has_21_working_days() -> None:
    assert WorkCalendar().working_days(NOVEMBER_2026) == 21


def test_working_days_left_on_friday_27_november() -> None:
    calendar = WorkCalendar()
    assert calendar.working_days_left(NOVEMBER_2026, date(2026, 11, 27)) == 2
    assert calendar.working_days_left(NOVEMBER_2026, date(2026, 11, 28)) == 1  # Saturday
    assert calendar.working_days_left(NOVEMBER_2026, date(2026, 11, 30)) == 1
    assert calendar.working_days_left(NOVEMBER_2026, date(2026, 12, 1)) == 0
    assert calendar.working_days_left(NOVEMBER_2026, date(2026, 10, 15)) == 21
    assert calendar.working_days_left(NOVEMBER_2026, date(2026, 11, 1)) == 21


def test_working_days_before() -> None:
    calendar = WorkCalendar()
    assert calendar.working_days_before(NOVEMBER_2026, date(2026, 11, 1)) == 0
    assert calendar.working_days_before(NOVEMBER_2026, date(2026, 11, 27)) == 19
    assert calendar.working_days_before(NOVEMBER_2026, date(2026, 12, 10)) == 21
    assert calendar.working_days_before(NOVEMBER_2026, date(2026, 10, 10)) == 0


def test_holidays_are_not_worked() -> None:
    calendar = WorkCalendar(holidays=frozenset({date(2026, 11, 30), date(2026, 11, 29)}))
    assert not calendar.is_working(date(2026, 11, 30))
    assert calendar.working_days(NOVEMBER_2026) == 20
    assert calendar.working_days_left(NOVEMBER_2026, date(2026, 11, 27)) == 1


def test_custom_weekdays() -> None:
    calendar = WorkCalendar(weekdays=parse_weekdays("sun-thu"))
    # November 2026: 5 Sundays, 5 Mondays, 4 each of Tuesday-Thursday.
    assert calendar.working_days(NOVEMBER_2026) == 22
    assert calendar.working_days(DateRange(date(2026, 11, 27), date(2026, 11, 27))) == 0


def test_calendar_refuses_bad_weekdays() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(weekdays=frozenset())
    with pytest.raises(ValueError):
        WorkCalendar(weekdays=frozenset({7}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("mon,tue,thu", {0, 1, 3}),
        ("sun-thu", {6, 0, 1, 2, 3}),
        ("Monday-Friday", {0, 1, 2, 3, 4}),
        ("sat-mon, wed", {5, 6, 0, 2}),
        ("tu,thurs", {1, 3}),
        ("mon-mon", {0}),
        ("mon-sun", set(range(7))),
    ],
)
def test_parse_weekdays(text: str, expected: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(expected)


@pytest.mark.parametrize("text", ["", ",", "m", "funday", "mon-", "mon-xyz", "t"])
def test_parse_weekdays_refuses(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_weekdays(text)
    assert "mon-fri" in str(caught.value)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ({0, 1, 2, 3, 4}, "mon-fri"),
        ({6, 0, 1, 2, 3}, "sun-thu"),
        ({0, 1, 3}, "mon,tue,thu"),
        ({5, 6, 0, 2}, "wed,sat-mon"),
        (set(range(7)), "mon-sun"),
        ({5, 6}, "sat,sun"),
    ],
)
def test_format_weekdays(days: set[int], expected: str) -> None:
    assert format_weekdays(frozenset(days)) == expected


def test_json_round_trip() -> None:
    calendar = WorkCalendar(
        weekdays=frozenset({6, 0, 1, 2, 3}),
        holidays=frozenset({date(2026, 12, 25), date(2026, 12, 24)}),
    )
    text = calendar.to_json()
    assert text == '{"weekdays":"sun-thu","holidays":["2026-12-24","2026-12-25"]}'
    assert WorkCalendar.from_json(text) == calendar


def test_from_json_defaults_and_integer_weekdays() -> None:
    assert WorkCalendar.from_json("{}") == WorkCalendar()
    assert WorkCalendar.from_json('{"weekdays": [0, 2]}').weekdays == frozenset({0, 2})


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"weekdays": 5}',
        '{"weekdays": "xyz"}',
        '{"holidays": "2026-12-25"}',
        '{"holidays": ["25/12/2026"]}',
        '{"weekdays": []}',
    ],
)
def test_from_json_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        WorkCalendar.from_json(text)
