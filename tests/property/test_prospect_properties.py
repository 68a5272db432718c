"""Properties of the prospect parsers and figures: a follow-up is never in the past and
every refusal is one line; working days count exactly; the fuzzy filter finds every
name from any in-order pick of its letters; quantiles stay in range and in order."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from salestui.domain.prospect_stats import quantile
from salestui.domain.prospects import (
    Prospect,
    check_name,
    follow_up_after,
    fuzzy_score,
    parse_follow_up,
)
from salestui.domain.workdays import WorkCalendar

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(st.text(max_size=30), days)
def test_a_follow_up_is_today_or_later_or_one_line_refused(text: str, today: date) -> None:
    try:
        day = parse_follow_up(text, today)
    except ValueError as error:
        assert "\n" not in str(error) and str(error)
    else:
        assert today <= day <= today + timedelta(days=3660)


@given(st.integers(min_value=0, max_value=3000), days)
def test_plus_days_and_weeks(n: int, today: date) -> None:
    assert parse_follow_up(f"+{n}d", today) == today + timedelta(days=n)
    if n * 7 <= 3660:
        assert parse_follow_up(f"+{n}w", today) == today + timedelta(weeks=n)


@given(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), days)
def test_a_weekday_is_the_next_one_after_today(name: str, today: date) -> None:
    day = parse_follow_up(name.upper(), today)
    assert 1 <= (day - today).days <= 7
    assert day.strftime("%a").lower() == name


@given(
    days,
    st.integers(min_value=0, max_value=60),
    st.frozensets(st.integers(min_value=0, max_value=6), min_size=1),
    st.frozensets(days, max_size=10),
)
def test_working_days_count_exactly(
    start: date, n: int, weekdays: frozenset[int], holidays: frozenset[date]
) -> None:
    calendar = WorkCalendar(weekdays=weekdays, holidays=holidays)
    end = follow_up_after(start, n, calendar)
    worked = sum(
        1 for k in range(1, (end - start).days + 1) if calendar.is_working(start + timedelta(k))
    )
    assert worked == n
    assert n == 0 or calendar.is_working(end)


names = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_categories=("Cc",)),
    min_size=1,
    max_size=40,
).filter(lambda text: bool(text.strip()))


@given(names, st.data())
def test_any_in_order_pick_of_letters_finds_the_name(name: str, data: st.DataObject) -> None:
    stored = check_name(name)
    prospect = Prospect("id", stored, None, "cold", "open", None, None, None, None, 0, None, None)
    picks = data.draw(st.lists(st.sampled_from(range(len(stored))), unique=True, max_size=6))
    wanted = "".join(stored[i] for i in sorted(picks))
    # Stored names hold single spaces, so collapsing the typed ones keeps the order.
    assert fuzzy_score(wanted, prospect) is not None
    # Case does not matter, as far as Unicode case folding goes (a dotless ı upper-cases to
    # I, which folds to i: Turkish casing is not case folding).
    if wanted.upper().casefold() == wanted.casefold():
        assert fuzzy_score(wanted.upper(), prospect) is not None
    assert fuzzy_score(stored, prospect) == 0


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=30))
def test_quantiles_are_in_range_and_in_order(values: list[int]) -> None:
    p25, p50, p75 = (quantile(values, Fraction(k, 4)) for k in (1, 2, 3))
    assert p25 is not None and p50 is not None and p75 is not None
    assert min(values) <= p25 <= p50 <= p75 <= max(values)
    assert quantile(values, Fraction(0)) == min(values)
    assert quantile(values, Fraction(1)) == max(values)
