from __future__ import annotations

from fractions import Fraction

import pytest

from salestui.domain.metrics import CALLS, MEETINGS, SALES, Metric
from salestui.domain.rates import (
    RATE_STAGES,
    format_percent,
    format_percent_range,
    format_rate_input,
    format_rate_words,
    parse_rate,
    parse_rate_assignment,
    parse_stage,
    previous_stage,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15%", Fraction(3, 20)),
        ("12.5%", Fraction(1, 8)),
        ("0.15", Fraction(3, 20)),
        (".5", Fraction(1, 2)),
        ("1/7", Fraction(1, 7)),
        ("2/6", Fraction(1, 3)),
        ("100%", Fraction(1)),
        ("1", Fraction(1)),
        (" 15 % ", Fraction(3, 20)),
        ("0.01%", Fraction(1, 10000)),
    ],
)
def test_parse_rate_is_exact(text: str, expected: Fraction) -> None:
    assert parse_rate(text) == expected


def test_fifteen_percent_times_a_third_is_exactly_a_twentieth() -> None:
    assert parse_rate("15%") * parse_rate("1/3") == Fraction(1, 20)


@pytest.mark.parametrize(
    "text", ["0", "0%", "0/5", "-5%", "101%", "1.5", "3/2", "15", "abc", "", "1/0", "1e-2", "%"]
)
def test_parse_rate_refuses(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_rate(text)
    message = str(caught.value)
    assert "\n" not in message
    assert "15%" in message and "0.15" in message and "1/7" in message


def test_parse_rate_hints_at_a_missing_percent_sign() -> None:
    with pytest.raises(ValueError, match=r"did you mean 15%\?"):
        parse_rate("15")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meetings=15%", ("meetings", Fraction(3, 20))),
        ("meeting=0.15", ("meetings", Fraction(3, 20))),
        ("m=1/7", ("meetings", Fraction(1, 7))),
        ("sales=1/3", ("sales", Fraction(1, 3))),
        ("S = 50%", ("sales", Fraction(1, 2))),
    ],
)
def test_parse_rate_assignment(text: str, expected: tuple[str, Fraction]) -> None:
    assert parse_rate_assignment(text) == expected


def test_calls_is_refused_as_a_stage() -> None:
    with pytest.raises(ValueError) as caught:
        parse_rate_assignment("calls=15%")
    assert str(caught.value) == (
        "calls is the first stage; rates name the stage they convert into: meetings or sales"
    )
    with pytest.raises(ValueError, match="first stage"):
        parse_rate_assignment("c=15%")


@pytest.mark.parametrize("text", ["meetings", "meetings=", "=15%", "emails=15%", "meetings=15"])
def test_parse_rate_assignment_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rate_assignment(text)


def test_stage_helpers() -> None:
    assert RATE_STAGES == ("meetings", "sales")
    assert previous_stage("meetings") == "calls"
    assert previous_stage("sales") == "meetings"
    with pytest.raises(KeyError):
        previous_stage("calls")
    assert parse_stage("Meeting") == "meetings"


@pytest.mark.parametrize(
    ("rate", "places", "expected"),
    [
        (Fraction(3, 20), 1, "15%"),
        (Fraction(149, 1000), 1, "14.9%"),
        (Fraction(1, 7), 1, "14.3%"),
        (Fraction(1, 3), 1, "33.3%"),
        (Fraction(2, 3), 1, "66.7%"),
        (Fraction(1, 8), 1, "12.5%"),
        (Fraction(1, 8), 0, "13%"),
        (Fraction(1, 3), 2, "33.33%"),
        (Fraction(1), 1, "100%"),
        (Fraction(0), 1, "0%"),
        (Fraction(3, 2), 1, "150%"),
        (Fraction(1, 3000), 1, "<0.1%"),
        (Fraction(9999, 10000), 1, ">99.9%"),
        (Fraction(1999, 20000), 1, "10%"),  # 9.995% rounds half up
    ],
)
def test_format_percent(rate: Fraction, places: int, expected: str) -> None:
    assert format_percent(rate, places) == expected


@pytest.mark.parametrize(
    ("rate", "source", "target", "expected"),
    [
        (Fraction(3, 20), CALLS, MEETINGS, "1 meeting per 6.7 calls"),
        (Fraction(1, 3), MEETINGS, SALES, "1 sale per 3 meetings"),
        (Fraction(1, 7), "calls", "meetings", "1 meeting per 7 calls"),
        (Fraction(1, 20), "calls", "sales", "1 sale per 20 calls"),
        (Fraction(1, 1000), "calls", "sales", "1 sale per 1,000 calls"),
        (Fraction(1), "calls", "meetings", "1 meeting per call"),
        (Fraction(2), "calls", "meetings", "2 meetings per call"),
        (Fraction(0), "meetings", "sales", "0 sales per meeting"),
    ],
)
def test_format_rate_words(
    rate: Fraction, source: Metric | str, target: Metric | str, expected: str
) -> None:
    assert format_rate_words(rate, source, target) == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (Fraction(3, 20), "15%"),
        (Fraction(1, 8), "12.5%"),
        (Fraction(1, 3), "1/3"),
        (Fraction(1, 7), "1/7"),
        (Fraction(1), "100%"),
        (Fraction(1, 10000), "0.01%"),
    ],
)
def test_format_rate_input_round_trips(rate: Fraction, expected: str) -> None:
    assert format_rate_input(rate) == expected
    assert parse_rate(expected) == rate


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (Fraction(9, 100), Fraction(23, 100), "9%–23%"),
        (0.125, 0.375, "13%–38%"),  # f"{0.125:.0%}" says 12%: half to even
        (0.0, 1.0, "0%–100%"),
        (0.004, 0.996, "<1%–>99%"),  # never 0% or 100% for what is not
    ],
)
def test_format_percent_range_rounds_each_end_to_nearest(
    low: Fraction | float, high: Fraction | float, expected: str
) -> None:
    assert format_percent_range(low, high) == expected
