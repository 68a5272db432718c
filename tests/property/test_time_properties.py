"""Properties of time on non-sales work: the duration parser on any text, and the
apportioned minutes always adding up to the wall-clock time covered."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from salestui.domain.timers import (
    Interval,
    apportion,
    parse_category,
    parse_duration,
    union_minutes,
)
from tests.conftest import local

BASE = local("2026-11-27T08:00")
CATEGORIES = ("admin", "reports", "selling")


@given(st.text(max_size=12))
def test_any_text_is_a_duration_in_range_or_refused(text: str) -> None:
    try:
        minutes = parse_duration(text)
    except ValueError as error:
        assert "\n" not in str(error)
        return
    assert 1 <= minutes <= 24 * 60


@given(st.integers(0, 24), st.integers(0, 59))
def test_hours_and_minutes_read_back(hours: int, minutes: int) -> None:
    total = hours * 60 + minutes
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    if 1 <= total <= 24 * 60:
        assert parse_duration(text) == total


@given(st.text(max_size=20))
def test_any_text_is_a_category_or_refused_in_one_line(text: str) -> None:
    try:
        assert parse_category(text, CATEGORIES) in CATEGORIES
    except ValueError as error:
        assert "\n" not in str(error).replace(text, "")


stretches = st.lists(
    st.tuples(st.integers(0, 600), st.integers(0, 300), st.sampled_from(CATEGORIES)),
    max_size=8,
)


def covered(pieces: list[tuple[int, int, str]]) -> int:
    """Minutes covered, counted the slow way: minute by minute."""
    return len({m for begin, length, _ in pieces for m in range(begin, begin + length)})


@given(stretches)
def test_categories_add_up_to_the_union(pieces: list[tuple[int, int, str]]) -> None:
    intervals = [
        Interval(
            str(i),
            category,
            BASE + timedelta(minutes=begin),
            BASE + timedelta(minutes=begin + length),
        )
        for i, (begin, length, category) in enumerate(pieces)
    ]
    minutes = apportion(intervals)
    assert sum(minutes.values(), Fraction(0)) == covered(pieces)
    assert union_minutes(intervals) == covered(pieces)
    assert all(value > 0 for value in minutes.values())
