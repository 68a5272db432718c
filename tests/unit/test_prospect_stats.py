"""The prospect figures (domain.prospect_stats, store.prospects.load_stats) against
hand-computed examples: quantiles, cycle time across months and a DST change, touches
before a win, win rate by source, referrals per month."""

from __future__ import annotations

from datetime import date
from fractions import Fraction as F

import pytest

from salestui.domain.periods import DateRange
from salestui.domain.prospect_stats import Closed, Spread, number, prospect_stats, quantile
from salestui.store import Store
from salestui.store import prospects as P
from tests.conftest import FakeClock, local


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], F(1, 2), None),
        ([7], F(1, 4), F(7)),
        ([7], F(1, 2), F(7)),
        ([7], F(3, 4), F(7)),
        ([2, 10], F(1, 2), F(6)),
        ([2, 10], F(1, 4), F(4)),  # 2 + 1/4 * 8
        ([2, 10], F(3, 4), F(8)),
        ([10, 2, 6], F(1, 2), F(6)),  # order does not matter
        ([1, 2, 3, 4], F(1, 2), F(5, 2)),
        ([1, 2, 3, 4], F(1, 4), F(7, 4)),  # h = 3/4: 1 + 3/4
        ([1, 2, 3, 4], F(3, 4), F(13, 4)),  # h = 9/4: 3 + 1/4
        ([5, 1, 9, 3, 7], F(1, 4), F(3)),
        ([5, 1, 9, 3, 7], F(3, 4), F(7)),
        ([0, 0, 0, 100], F(3, 4), F(25)),
    ],
)
def test_quantiles_interpolate_linearly(values: list[int], q: F, expected: F | None) -> None:
    assert quantile(values, q) == expected


def won(days: int, source: str = "cold", touches: int = 1, first: date | None = None) -> Closed:
    start = first or date(2026, 1, 1)
    return Closed(source, True, start, date.fromordinal(start.toordinal() + days), start, touches)


def lost(source: str = "cold") -> Closed:
    return Closed(source, False, date(2026, 1, 1), date(2026, 2, 1), date(2026, 1, 1), 2)


def test_figures_by_hand() -> None:
    closed = [
        won(10, "referral", touches=3),
        won(20, "referral", touches=5),
        won(40, "cold", touches=8),
        lost("cold"),
        lost("cold"),
        lost("inbound"),
    ]
    stats = prospect_stats(closed, stalled=2, stalled_days=14)
    assert (stats.won, stats.lost, stats.closed) == (3, 3, 6)
    assert stats.cycle_days == Spread(F(20), F(15), F(30))
    assert stats.touches_to_win.median == F(5)
    referral = stats.by_source["referral"]
    assert (referral.closed, referral.won, referral.win_rate) == (2, 2, F(1))
    assert referral.cycle_days == Spread(F(15), F(25, 2), F(35, 2))
    cold = stats.by_source["cold"]
    assert (cold.closed, cold.won, cold.win_rate) == (3, 1, F(1, 3))
    assert stats.by_source["inbound"].win_rate == F(0)
    assert stats.by_source["event"].win_rate is None  # none closed: null, not 0
    assert stats.by_source["event"].cycle_days == Spread(None, None, None)
    assert (stats.stalled, stats.stalled_days) == (2, 14)


def test_a_win_never_touched_counts_from_the_day_it_was_added() -> None:
    untouched = Closed("cold", True, date(2026, 3, 1), date(2026, 3, 11), None, 0)
    assert untouched.cycle_days == 10
    assert Closed("cold", True, None, date(2026, 3, 11), None, 0).cycle_days is None
    stats = prospect_stats([untouched])
    assert stats.cycle_days.median == 10 and stats.touches_to_win.median == 0


def test_cycle_across_months_and_years() -> None:
    assert won(0, first=date(2026, 1, 31)).cycle_days == 0
    assert Closed("cold", True, None, date(2026, 3, 1), date(2026, 1, 31), 1).cycle_days == 29
    assert Closed("cold", True, None, date(2028, 3, 1), date(2028, 2, 28), 1).cycle_days == 2
    assert Closed("cold", True, None, date(2027, 1, 2), date(2026, 12, 30), 1).cycle_days == 3


def test_referrals_per_month() -> None:
    stats = prospect_stats(
        [],
        [
            (date(2026, 10, 3), "won"),
            (date(2026, 10, 20), "lost"),
            (date(2026, 10, 21), "open"),
            (date(2026, 11, 2), "open"),
        ],
    )
    october, november = stats.referrals
    assert (october.month, october.received, october.won, october.win_rate) == (
        "2026-10",
        3,
        1,
        F(1, 2),
    )
    assert (november.month, november.received, november.win_rate) == ("2026-11", 1, None)


def test_numbers_for_json() -> None:
    assert number(F(6)) == 6 and isinstance(number(F(6)), int)
    assert number(F(5, 2)) == 2.5
    assert number(None) is None


# -- from the store: local days, so DST cannot shift a cycle --------------------------------


def test_cycle_across_the_dst_change_uses_local_days(store: Store, clock: FakeClock) -> None:
    """Europe/Berlin leaves summer time on 2026-10-25 (03:00 -> 02:00): that day has 25
    hours. A touch at 00:30 on the 24th (22:30 UTC on the 23rd) and a win at 23:30 on
    the 25th (22:30 UTC) are 1 local day apart (UTC dates would say 2); a touch at 23:30
    on the 24th (21:30 UTC) and a win at 00:30 on the 26th (23:30 UTC on the 25th) are
    2 local days apart (UTC dates would say 1)."""
    clock.now = local("2026-10-24T00:30:00")
    early = P.add_prospect(store, "Early")
    P.log_touch(store, "calls", 1, early.id)
    clock.now = local("2026-10-25T23:30:00")
    P.won(store, early.id)
    # The other way: a touch at 23:30 on the 24th, won at 00:30 on the 26th.
    clock.now = local("2026-10-24T23:30:00")
    late = P.add_prospect(store, "Late")
    P.log_touch(store, "calls", 1, late.id)
    P.log_touch(store, "meetings", 1, late.id)
    clock.now = local("2026-10-26T00:30:00")
    P.won(store, late.id)
    clock.now = local("2026-10-27T09:00:00")
    P.log_touch(store, "sales", 1, late.id)  # a day after the win: not a touch before it
    stats = P.load_stats(
        store, DateRange(date(2026, 10, 1), date(2026, 10, 31)), date(2026, 10, 26)
    )
    assert stats.won == 2
    assert stats.cycle_days == Spread(F(3, 2), F(5, 4), F(7, 4))  # 1 and 2 days
    assert stats.by_source["cold"].cycle_days == stats.cycle_days
    assert stats.touches_to_win == Spread(F(3, 2), F(5, 4), F(7, 4))  # 1 and 2 touches


def test_load_stats_keeps_to_the_period(store: Store, clock: FakeClock) -> None:
    clock.now = local("2026-09-28T10:00:00")
    sept = P.add_prospect(store, "Sept", source="referral")
    oct_ = P.add_prospect(store, "Oct", source="referral")
    nov = P.add_prospect(store, "Nov", source="inbound")
    P.log_touch(store, "calls", 1, sept.id)
    P.log_touch(store, "calls", 1, oct_.id)
    P.won(store, sept.id)
    clock.now = local("2026-10-05T10:00:00")
    P.lost(store, oct_.id, "budget")
    clock.now = local("2026-11-27T10:00:00")
    P.won(store, nov.id)
    stats = P.load_stats(
        store, DateRange(date(2026, 10, 1), date(2026, 11, 30)), date(2026, 11, 27)
    )
    assert (stats.won, stats.lost) == (1, 1)
    assert stats.by_source["referral"].win_rate == 0
    assert stats.by_source["inbound"].win_rate == 1
    assert stats.cycle_days.median == 60  # never touched: from 2026-09-28, added
    assert stats.referrals == []  # both referrals were added in September
    whole = P.load_stats(store, DateRange(date(2026, 9, 1), date(2026, 11, 30)), date(2026, 11, 27))
    assert [(m.month, m.received, m.win_rate) for m in whole.referrals] == [("2026-09", 2, F(1, 2))]
