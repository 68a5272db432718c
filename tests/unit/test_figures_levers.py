"""figures.plan_levers against a real database: the best month of the last twelve complete
months, each month counted only with 30 events at its denominator. Expected figures are
worked out by hand with Fractions, never by the code tested."""

from __future__ import annotations

import math
from fractions import Fraction

from salestui.domain.catalog import Catalog
from salestui.domain.keys import reserved_keys
from salestui.domain.lever import Levers
from salestui.figures import load_plan_inputs, plan_levers
from salestui.store import Store
from tests.conftest import FakeClock, local

# The clock of every test: Friday 27 November 2026. The last twelve complete months are
# November 2025 to October 2026; November 2026 is not over and is left out.
SALES_FLAGS = {"meetings": Fraction(15, 100), "sales": Fraction(1, 3)}


def top_needed(target: int, rates: dict[str, Fraction]) -> int:
    """ceil(target / product of the rates), exactly."""
    return math.ceil(Fraction(target) / math.prod(rates.values(), start=Fraction(1)))


def seed(store: Store, rows: list[tuple[str, str, int]]) -> None:
    for when, metric, count in rows:
        store.log(metric, count, at=local(when))


def levers_for(
    store: Store,
    clock: FakeClock,
    target: int,
    flags: dict[str, Fraction],
    funnel: str | None = None,
) -> Levers:
    inputs = load_plan_inputs(store, clock().date(), funnel=funnel)
    plan = inputs.plan(target=target, rate_flags=flags)
    return plan_levers(store, inputs, plan)


def by_stage(found: Levers) -> dict[str, tuple[Fraction | None, int]]:
    return {lever.stage: (lever.best, lever.to_best) for lever in found.stages}


def test_thin_months_and_todays_month_are_no_best(store: Store, clock: FakeClock) -> None:
    seed(
        store,
        [
            # November 2026, today's month: 50% calls -> meetings, but it is not over.
            ("2026-11-10T10:00", "calls", 40),
            ("2026-11-10T11:00", "meetings", 20),
            # October: 10 meetings from 29 calls (34%), one call short of proving anything.
            ("2026-10-06T10:00", "calls", 29),
            ("2026-10-06T11:00", "meetings", 10),
            # September: 18% calls -> meetings; 15 sales from 18 meetings is too thin.
            ("2026-09-08T10:00", "calls", 100),
            ("2026-09-08T11:00", "meetings", 18),
            ("2026-09-08T12:00", "sales", 15),
            # August: 12% calls -> meetings, 2/3 meetings -> sales from 36 meetings.
            ("2026-08-11T10:00", "calls", 300),
            ("2026-08-11T11:00", "meetings", 36),
            ("2026-08-11T12:00", "sales", 24),
        ],
    )
    found = levers_for(store, clock, 50, SALES_FLAGS)
    top = top_needed(50, SALES_FLAGS)
    assert found.top == top == 1000
    to_best_meetings = top - top_needed(50, {**SALES_FLAGS, "meetings": Fraction(18, 100)})
    to_best_sales = top - top_needed(50, {**SALES_FLAGS, "sales": Fraction(2, 3)})
    assert (to_best_meetings, to_best_sales) == (166, 500)
    assert by_stage(found) == {
        "meetings": (Fraction(18, 100), to_best_meetings),
        "sales": (Fraction(2, 3), to_best_sales),
    }
    assert found.cheapest is not None and found.cheapest.stage == "sales"
    assert found.reason == "your best month of the last twelve shows it can be done"


def test_thirty_at_the_denominator_is_enough(store: Store, clock: FakeClock) -> None:
    seed(store, [("2026-10-06T10:00", "calls", 30), ("2026-10-06T11:00", "meetings", 6)])
    found = levers_for(store, clock, 50, SALES_FLAGS)
    best, to_best = by_stage(found)["meetings"]
    assert best == Fraction(6, 30)
    assert to_best == 1000 - top_needed(50, {**SALES_FLAGS, "meetings": Fraction(1, 5)}) == 250
    assert by_stage(found)["sales"] == (None, 0)  # 6 meetings: no month to go by


def test_a_stage_above_its_best_is_not_the_lever(store: Store, clock: FakeClock) -> None:
    seed(
        store,
        [
            ("2026-09-08T10:00", "calls", 100),
            ("2026-09-08T11:00", "meetings", 18),  # 18%: the best month calls -> meetings
            ("2026-07-07T10:00", "meetings", 40),
            ("2026-07-07T11:00", "sales", 16),  # 2/5: the best month meetings -> sales
        ],
    )
    flags = {"meetings": Fraction(25, 100), "sales": Fraction(1, 3)}
    found = levers_for(store, clock, 50, flags)
    top = top_needed(50, flags)
    assert top == 600
    # +5 points would save more on meetings (30%: 500) than on sales (23/60: 522) ...
    plus_5_meetings = top - top_needed(50, {**flags, "meetings": Fraction(30, 100)})
    plus_5_sales = top - top_needed(50, {**flags, "sales": Fraction(1, 3) + Fraction(5, 100)})
    assert (plus_5_meetings, plus_5_sales) == (100, 78)
    stages = {lever.stage: lever for lever in found.stages}
    assert stages["meetings"].savings[5] == plus_5_meetings
    assert stages["sales"].savings[5] == plus_5_sales
    # ... but meetings is at 25%, above its best month (18%): no proven room there.
    assert not stages["meetings"].has_room and stages["meetings"].to_best == 0
    to_best_sales = top - top_needed(50, {**flags, "sales": Fraction(2, 5)})
    assert stages["sales"].to_best == to_best_sales == 100
    assert found.cheapest is stages["sales"]


def test_a_month_thirteen_months_back_is_not_read(store: Store, clock: FakeClock) -> None:
    seed(store, [("2025-10-15T10:00", "calls", 100), ("2025-10-15T11:00", "meetings", 90)])
    found = levers_for(store, clock, 50, SALES_FLAGS)
    assert by_stage(found)["meetings"] == (None, 0)
    assert found.reason == "+5 points there saves the most"


def test_the_twelfth_month_back_counts(store: Store, clock: FakeClock) -> None:
    seed(store, [("2025-11-17T10:00", "calls", 100), ("2025-11-17T11:00", "meetings", 30)])
    found = levers_for(store, clock, 50, SALES_FLAGS)
    assert by_stage(found)["meetings"][0] == Fraction(3, 10)


def test_levers_of_a_funnel_of_the_users(store: Store, clock: FakeClock) -> None:
    store.set_settings(Catalog.builtin().apply_preset("jobs", reserved_keys()))
    seed(
        store,
        [
            # October: 12 interviews from 40 applications (30%), 6 offers from 12 (too thin).
            ("2026-10-05T10:00", "applications", 40),
            ("2026-10-12T10:00", "interviews", 12),
            ("2026-10-26T10:00", "offers", 6),
            # Calls in October are not this funnel's: they change nothing.
            ("2026-10-05T10:00", "calls", 500),
        ],
    )
    flags = {"interviews": Fraction(1, 5), "offers": Fraction(1, 2)}
    found = levers_for(store, clock, 2, flags)  # the active funnel: jobs
    top = top_needed(2, flags)
    assert found.top == top == 20
    assert [lever.stage for lever in found.stages] == ["interviews", "offers"]
    interviews, offers = found.stages
    assert interviews.savings == {
        5: top - top_needed(2, {**flags, "interviews": Fraction(25, 100)}),
        10: top - top_needed(2, {**flags, "interviews": Fraction(30, 100)}),
    } == {5: 4, 10: 6}  # fmt: skip
    assert offers.savings == {
        5: top - top_needed(2, {**flags, "offers": Fraction(55, 100)}),
        10: top - top_needed(2, {**flags, "offers": Fraction(60, 100)}),
    } == {5: 1, 10: 3}  # fmt: skip
    assert (interviews.best, offers.best) == (Fraction(3, 10), None)
    to_best = top - top_needed(2, {**flags, "interviews": Fraction(3, 10)})
    assert interviews.to_best == to_best == 6
    assert found.cheapest is interviews
    # Named explicitly while another funnel is active: the same figures.
    store.set_settings(store.catalog().use_funnel("sales"))
    assert levers_for(store, clock, 2, flags, funnel="jobs") == found


def test_day_totals_read_already_give_the_same_lever(store: Store, clock: FakeClock) -> None:
    """The figures worker hands over every day it read: no second read, the same answer."""
    from salestui.domain.periods import DateRange

    seed(
        store,
        [
            ("2024-03-05T10:00", "calls", 200),  # older than twelve months: not a best
            ("2024-03-05T11:00", "meetings", 100),
            ("2026-06-09T10:00", "calls", 100),
            ("2026-06-09T11:00", "meetings", 20),
            ("2026-06-10T11:00", "sales", 10),
            ("2026-11-10T10:00", "calls", 40),  # today's month: left out either way
            ("2026-11-10T11:00", "meetings", 30),
        ],
    )
    inputs = load_plan_inputs(store, clock().date())
    plan = inputs.plan(target=50, rate_flags=SALES_FLAGS)
    everything = store.day_totals(DateRange(local("2024-01-01T00:00").date(), clock().date()))
    read_here = plan_levers(store, inputs, plan)
    assert plan_levers(store, inputs, plan, everything) == read_here
    assert by_stage(read_here)["meetings"] == (
        Fraction(1, 5),
        top_needed(50, SALES_FLAGS) - top_needed(50, {**SALES_FLAGS, "meetings": Fraction(1, 5)}),
    )
