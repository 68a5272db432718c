"""`plan`, `goal` and `rate` for any funnel (DESIGN: "Your own metrics and funnels"), and
the lever in `plan`: figures worked out by hand, with Fractions, never by the code tested."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from salestui.domain.catalog import Catalog
from salestui.domain.keys import reserved_keys
from salestui.store import Store
from tests.conftest import FakeClock, local, sql_one

SALES_RATES = ("--rate", "meetings=15%", "--rate", "sales=1/3")


def use_jobs(db_path: Path, clock: FakeClock) -> None:
    """The jobs preset (applications -> interviews -> offers), made the active funnel."""
    with Store(db_path, clock=clock) as store:
        store.set_settings(Catalog.builtin().apply_preset("jobs", reserved_keys()))


def define(db_path: Path, clock: FakeClock, name: str, stages: list[str]) -> None:
    with Store(db_path, clock=clock) as store:
        store.set_settings(store.catalog().define_funnel(name, stages))


def changes_written(db_path: Path) -> int:
    """Every setting change ever written (settings are append-only)."""
    return int(sql_one(db_path, "SELECT count(*) FROM setting_changes")[0])


def error_line(result) -> str:  # noqa: ANN001 (the run fixture's Result)
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


def top_needed(target: int, rates: dict[str, Fraction]) -> int:
    """ceil(target / product of the rates), exactly."""
    return math.ceil(Fraction(target) / math.prod(rates.values(), start=Fraction(1)))


# -- a job seeker, from an empty database, with the command line alone ----------------------


def test_a_job_seeker_gets_to_four_applications_a_day(run, db_path: Path, clock) -> None:
    use_jobs(db_path, clock)
    # The month's first working day (Monday 2 November): the goal covers the whole month.
    clock.now = local("2026-11-02T09:00")
    saved = run("goal", "set", "2")
    assert saved.code == 0 and saved.out.startswith("Goal: 2 offers a month from 2026-11 on.")
    assert run("rate", "set", "interviews=20%").code == 0
    assert run("rate", "set", "offers=1/2").code == 0
    # Tuesday 24 November, nothing done yet: 24, 25, 26, 27 and 30 are the working days left.
    clock.now = local("2026-11-24T09:00")
    # 2 offers at 1/2 need 4 interviews; 4 at 20% need 20 applications; 20 / 5 days = 4.
    applications = top_needed(2, {"interviews": Fraction(1, 5), "offers": Fraction(1, 2)})
    assert applications == 20 and math.ceil(Fraction(applications, 5)) == 4
    out = run("plan").out
    assert "Today you need    4 applications   1 interview   1 offer" in out
    assert out.splitlines()[0].startswith("November 2026 · goal 2 offers · 21 working days")
    assert "0 / 20 applications   0 / 4 interviews   0 / 2 offers" in out
    assert "Rate applications → interviews" in out and "(1 interview per 5 applications" in out
    assert "Rate interviews → offers" in out
    assert "applications behind pace" in out
    assert "calls" not in out and "sales" not in out and "meetings" not in out
    plan = json.loads(run("plan", "--json").out)
    assert plan["funnel"] == "jobs"
    assert plan["required"] == {"applications": 20, "interviews": 4, "offers": 2}
    assert plan["today_target"] == {"applications": 4, "interviews": 1, "offers": 1}
    assert plan["today_needed"] == plan["today_target"]
    assert plan["per_day"] == {"applications": 1, "interviews": 1, "offers": 1}
    assert plan["done"] == {"applications": 0, "interviews": 0, "offers": 0}
    assert plan["rates"] == {"interviews": 0.2, "offers": 0.5}
    assert plan["rates_source"] == {"interviews": "set", "offers": "set"}
    # Each application logged today lowers today's need by one.
    with Store(db_path, clock=clock) as store:
        store.log("applications", 3)
    assert "Today you need    1 application   1 interview   1 offer" in run("plan").out


def test_a_job_seeker_with_the_command_line_alone_from_no_database(
    run, db_path: Path, clock
) -> None:
    """Issue 10's "done when", every step a command: no database, preset, goal, rates,
    then the plan and the first tallies."""
    assert not db_path.exists()
    clock.now = local("2026-11-02T09:00")
    started = run("preset", "jobs")
    assert started.code == 0 and "funnel jobs is active" in started.out
    assert run("goal", "set", "2").code == 0
    assert run("rate", "set", "interviews=20%").code == 0
    assert run("rate", "set", "offers=1/2").code == 0
    clock.now = local("2026-11-24T09:00")
    assert "Today you need    4 applications" in run("plan").out
    assert run("log", "a").out == "+1 application\n"
    assert run("log", "applications", "2").out == "+2 applications\n"
    assert json.loads(run("today", "--json").out)["counts"]["applications"] == 3
    assert "Today you need    1 application" in run("plan").out


def test_a_goal_set_late_in_full_also_gives_four_a_day(run, db_path: Path, clock) -> None:
    use_jobs(db_path, clock)
    clock.now = local("2026-11-24T09:00")
    saved = run("goal", "set", "2", "--full")
    assert "2026-11 (5 of 21 working days left) gets 2 in full" in saved.out
    assert "offers" in saved.out
    run("rate", "set", "interviews=20%")
    run("rate", "set", "offers=1/2")
    assert "Today you need    4 applications" in run("plan").out


# -- goals and rates of different funnels are independent -----------------------------------


def test_goals_of_different_funnels_are_independent(run, db_path: Path, clock) -> None:
    clock.now = local("2026-11-02T09:00")
    assert run("goal", "set", "50").code == 0  # the built-in sales funnel is active
    use_jobs(db_path, clock)
    assert run("goal", "set", "3").code == 0  # jobs is active now
    assert run("goal", "show").out.startswith("2026-11: 3 offers (the goal from 2026-11 on)")
    sales = run("goal", "show", "--funnel", "sales").out
    assert sales.startswith("2026-11: 50 sales (the goal from 2026-11 on)")
    assert run("goal", "set", "60", "--funnel", "sales").code == 0
    assert run("goal", "show").out.startswith("2026-11: 3 offers")
    assert run("goal", "show", "--funnel", "sales").out.startswith("2026-11: 60 sales")
    one_month = run("goal", "set", "4", "--month", "2026-12")
    assert one_month.out == "Goal: 4 offers in 2026-12.\n"
    jobs = json.loads(run("plan", "--month", "2026-12", "--rate", "interviews=20%",
                          "--rate", "offers=1/2", "--json").out)  # fmt: skip
    sales_plan = json.loads(run("plan", "--funnel", "sales", "--month", "2026-12",
                                *SALES_RATES, "--json").out)  # fmt: skip
    assert (jobs["target"], sales_plan["target"]) == (4, 60)
    # Clearing the jobs goal leaves the sales goal alone.
    assert "cleared from 2026-11 on" in run("goal", "clear").out
    assert run("goal", "show").out.startswith("No goal for 2026-11. Set one with `salestui goal")
    assert run("goal", "show", "--funnel", "sales").out.startswith("2026-11: 60 sales")


def test_rates_of_different_funnels_are_independent(run, db_path: Path, clock) -> None:
    assert run("rate", "set", "meetings=15%").code == 0
    use_jobs(db_path, clock)
    result = run("rate", "set", "interviews=20%")
    assert result.out == "Rate into interviews in the jobs funnel: 20% (20%).\n"
    assert (
        run("rate", "set", "sales=1/3", "--funnel", "sales").out
        == "Rate into sales: 1/3 (33.3%).\n"
    )
    jobs = json.loads(run("rate", "show", "--json").out)
    assert jobs["funnel"] == "jobs"
    assert jobs["stored"] == {"interviews": "20%", "offers": None}
    assert jobs["history"]["counts"] == {"applications": 0, "interviews": 0, "offers": 0}
    sales = json.loads(run("rate", "show", "--funnel", "sales", "--json").out)
    assert sales["stored"] == {"meetings": "15%", "sales": "1/3"}
    assert (
        run("rate", "clear", "interviews").out
        == "Rate into interviews in the jobs funnel cleared.\n"
    )
    assert json.loads(run("rate", "show", "--json").out)["stored"]["interviews"] is None
    sales = json.loads(run("rate", "show", "--funnel", "sales", "--json").out)
    assert sales["stored"] == {"meetings": "15%", "sales": "1/3"}


def test_rate_show_words_a_funnel_of_the_users(run, db_path: Path, clock) -> None:
    use_jobs(db_path, clock)
    run("rate", "set", "interviews=20%")
    out = run("rate", "show").out
    assert "Starting rates stored: interviews 20%, offers none" in out
    assert "applications → interviews    20%  (1 interview per 5 applications; set by you)" in out
    assert "interviews → offers" in out and "`salestui rate set offers=1/3`" in out
    # For a funnel that is not the active one, the hint names it.
    sales = run("rate", "show", "--funnel", "sales").out
    assert "`salestui rate set meetings=15% --funnel sales`" in sales


# -- bad input: exit 2, one line, nothing written --------------------------------------------


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("goal", "set", "5", "--funnel", "nosuch"), "no funnel called 'nosuch'; funnels: "
         "sales, jobs"),
        (("goal", "show", "--funnel", "nosuch"), "funnels: sales, jobs"),
        (("goal", "clear", "--funnel", "nosuch"), "funnels: sales, jobs"),
        (("rate", "set", "calls=10%"), "calls is not a stage of the jobs funnel; rates name the "
         "stage they convert into: interviews or offers"),
        (("rate", "set", "applications=10%"), "applications is the first stage; rates name the "
         "stage they convert into: interviews or offers"),
        (("rate", "set", "a=10%"), "applications is the first stage"),
        (("rate", "set", "nosuch=10%"), "unknown stage 'nosuch'; rates name the stage"),
        (("rate", "set", "interviews"), "use STAGE=VALUE, e.g. interviews=15% or offers=1/3"),
        (("rate", "set", "offers=2"), "at most 100%"),
        (("rate", "set", "meetings=10%", "--funnel", "nosuch"), "funnels: sales, jobs"),
        (("rate", "clear", "calls"), "calls is not a stage of the jobs funnel"),
        (("rate", "show", "--funnel", "x"), "no funnel called 'x'"),
        (("plan", "--funnel", "x"), "no funnel called 'x'; funnels: sales, jobs"),
        (("plan", "--target", "5", "--rate", "meetings=10%"), "not a stage of the jobs funnel"),
        (("plan", "--target", "0"), "the target must be a whole number of offers >= 1"),
        (("goal", "set", "0"), "the target must be a whole number of offers >= 1"),
        (("goal", "set", "x", "--funnel", "sales"), "whole number of sales >= 1"),
        (("goal", "set", "5", "--month", "2026-13"), "YYYY-MM"),
    ],
)  # fmt: skip
def test_bad_input_on_a_funnel_writes_nothing(run, db_path: Path, clock, argv, needle) -> None:
    use_jobs(db_path, clock)
    before = changes_written(db_path)
    assert needle in error_line(run(*argv))
    assert changes_written(db_path) == before


@pytest.mark.parametrize(
    "argv",
    [
        ("goal", "set", "5", "--funnel", "nosuch"),
        ("rate", "set", "interviews=10%"),
        ("rate", "clear", "calls"),
        ("plan", "--funnel", "jobs"),
    ],
)
def test_bad_input_on_a_missing_database_creates_nothing(run, db_path: Path, argv) -> None:
    error_line(run(*argv))
    assert not db_path.parent.exists()


def test_plan_without_a_goal_says_how_to_store_one(run, db_path: Path, clock) -> None:
    use_jobs(db_path, clock)
    # The active funnel is meant: `goal set N` alone stores its goal.
    assert error_line(run("plan")) == (
        "salestui: no offers goal for 2026-11: pass --target N or store one with "
        "`salestui goal set N`"
    )
    # Another funnel than the active one: the hint must name it, or it would set jobs'.
    assert error_line(run("plan", "--funnel", "sales")).endswith(
        "`salestui goal set N --funnel sales`"
    )
    with Store(db_path, clock=clock) as store:
        store.set_settings(store.catalog().use_funnel("sales"))
    assert error_line(run("plan", "--funnel", "jobs")).endswith(
        "no offers goal for 2026-11: pass --target N or store one with "
        "`salestui goal set N --funnel jobs`"
    )
    assert "`salestui goal set N --funnel jobs`" in run("goal", "show", "--funnel", "jobs").out


def test_plan_without_a_rate_names_the_funnel_when_not_active(run, db_path: Path, clock) -> None:
    use_jobs(db_path, clock)
    assert error_line(run("plan", "--target", "2")).endswith(
        "pass --rate interviews=15% or store one with `salestui rate set interviews=15%`"
    )
    with Store(db_path, clock=clock) as store:
        store.set_settings(store.catalog().use_funnel("sales"))
    line = error_line(run("plan", "--funnel", "jobs", "--target", "2", "--rate", "interviews=1/5"))
    assert line.startswith("salestui: no rate for offers yet (your last 90 days have 0 interviews")
    assert line.endswith("`salestui rate set offers=1/3 --funnel jobs`")


# -- the lever -------------------------------------------------------------------------------


def test_plan_json_levers_match_hand_computed_figures(run) -> None:
    plan = json.loads(run("plan", "--target", "50", *SALES_RATES, "--json").out)
    meetings, sales = Fraction(15, 100), Fraction(1, 3)
    calls = top_needed(50, {"meetings": meetings, "sales": sales})
    assert calls == 1000
    # +5 / +10 points on calls -> meetings: 20% and 25%.
    meetings_5 = calls - top_needed(50, {"meetings": Fraction(20, 100), "sales": sales})
    meetings_10 = calls - top_needed(50, {"meetings": Fraction(25, 100), "sales": sales})
    # +5 / +10 points on meetings -> sales: 1/3 + 5/100 = 23/60 and 1/3 + 10/100 = 13/30.
    sales_5 = calls - top_needed(50, {"meetings": meetings, "sales": sales + Fraction(5, 100)})
    sales_10 = calls - top_needed(50, {"meetings": meetings, "sales": sales + Fraction(10, 100)})
    assert (meetings_5, meetings_10, sales_5, sales_10) == (250, 400, 130, 230)
    assert plan["levers"] == {
        "top": 1000,
        "stages": {
            "meetings": {"rate": 0.15, "plus_5": 250, "plus_10": 400, "best_month": None,
                         "to_best": 0},
            "sales": {"rate": pytest.approx(1 / 3), "plus_5": 130, "plus_10": 230,
                      "best_month": None, "to_best": 0},
        },
        "cheapest": "meetings",  # no month with enough data: the biggest +5 saving
        "reason": "+5 points there saves the most",
    }  # fmt: skip
    # Keys are only ever added to `plan --json`.
    for key in (
        "month",
        "target",
        "working_days",
        "working_days_left",
        "rates",
        "rates_source",
        "required",
        "per_day",
        "done",
        "today_target",
        "today_needed",
    ):
        assert key in plan  # fmt: skip


def test_plan_text_lever_block(run) -> None:
    lines = run("plan", "--target", "50", *SALES_RATES).out.splitlines()
    assert lines[-3:] == [
        "  Lever             +5 points calls→meetings: 250 fewer calls this month; +10: 400 fewer",
        "                    +5 points meetings→sales: 130 fewer calls this month; +10: 230 fewer",
        "  Pull first        calls→meetings (+5 points there saves the most)",
    ]
    # The plan's own lines come first, as before.
    assert lines[-4].startswith("  Rate meetings → sales    33.3%")


def test_plan_lever_for_jobs_and_a_rate_at_100_percent(run, db_path: Path, clock) -> None:
    use_jobs(db_path, clock)
    out = run("plan", "--target", "2", "--rate", "interviews=20%", "--rate", "offers=100%").out
    # 2 offers at 100% from 20% interviews: 10 applications; 25% -> 8, 30% -> ceil(6.67) = 7.
    rates = {"interviews": Fraction(1, 5), "offers": Fraction(1)}
    top = top_needed(2, rates)
    plus_5 = top - top_needed(2, {**rates, "interviews": Fraction(25, 100)})
    plus_10 = top - top_needed(2, {**rates, "interviews": Fraction(30, 100)})
    assert (top, plus_5, plus_10) == (10, 2, 3)
    lever = (
        f"  Lever             +5 points applications→interviews: {plus_5} fewer applications "
        f"this month; +10: {plus_10} fewer"
    )
    assert len(lever) == 100 and lever in out.splitlines()
    assert "                    interviews→offers is at 100% already" in out
    assert "  Pull first        applications→interviews (+5 points there saves the most)" in out
    # 50 offers: 500 applications; 25% -> 400, 30% -> ceil(333.3) = 334. With the
    # longer numbers " this month" is left out so that the line fits 100 columns.
    rates = {"interviews": Fraction(1, 5), "offers": Fraction(1, 2)}
    top = top_needed(50, rates)
    plus_5 = top - top_needed(50, {**rates, "interviews": Fraction(25, 100)})
    plus_10 = top - top_needed(50, {**rates, "interviews": Fraction(30, 100)})
    assert (top, plus_5, plus_10) == (500, 100, 166)
    out = run("plan", "--target", "50", "--rate", "interviews=20%", "--rate", "offers=1/2").out
    assert (
        f"  Lever             +5 points applications→interviews: {plus_5} fewer applications; "
        f"+10: {plus_10} fewer"
    ) in out.splitlines()
    assert all(len(line) <= 100 for line in out.splitlines())


def test_long_stage_names_wrap_within_100_columns(run, db_path: Path, clock) -> None:
    names = ["a" * 28 + "xs", "b" * 28 + "ys", "c" * 28 + "zs"]
    with Store(db_path, clock=clock) as store:
        catalog = store.catalog()
        for name, letter in zip(names, "xyz", strict=True):
            store.set_settings(catalog.add_metric(name, letter=letter, reserved=reserved_keys()))
            catalog = store.catalog()
        store.set_settings(catalog.define_funnel("long", names))
    out = run("plan", "--funnel", "long", "--target", "3",
              "--rate", f"{names[1]}=10%", "--rate", f"{names[2]}=1/2").out  # fmt: skip
    assert f"+5 points {names[0]}→{names[1]}:" in out
    assert all(len(line) <= 100 for line in out.splitlines()), out


def test_the_sales_plan_text_keeps_its_lines(run, standing_goal: Callable[[int], None]) -> None:
    # The built-in funnel, nothing customised: the lines before the lever are as they were.
    standing_goal(50)
    lines = run("plan", *SALES_RATES).out.splitlines()
    assert lines[:7] == [
        "November 2026 · goal 50 sales · 21 working days, 2 left (today included)",
        "  Today you need    500 calls   75 meetings   25 sales",
        "  Month so far      0 / 1,000 calls   0 / 150 meetings   0 / 50 sales",
        "  Per working day   48 calls   8 meetings   3 sales",
        "  Pace              905 calls behind pace",
        "  Rate calls → meetings      15%  (1 meeting per 6.7 calls; --rate)",
        "  Rate meetings → sales    33.3%  (1 sale per 3 meetings; --rate)",
    ]


# -- the report: the active funnel, and every other visible metric's totals ----------------


def add_metrics(db_path: Path, clock: FakeClock, *keys: str) -> None:
    with Store(db_path, clock=clock) as store:
        for key in keys:
            store.set_settings(store.catalog().add_metric(key, reserved=reserved_keys()))


def test_the_report_covers_the_active_funnel_and_lists_the_rest(
    run, db_path: Path, clock, standing_goal: Callable[[int], None]
) -> None:
    use_jobs(db_path, clock)
    with Store(db_path, clock=clock) as store:  # the preset hid them: this user sells too
        for builtin in ("calls", "meetings", "sales"):
            store.set_settings(store.catalog().show(builtin))
    add_metrics(db_path, clock, "emails", "referrals")
    standing_goal(2)
    run("rate", "set", "interviews=20%")
    run("rate", "set", "offers=1/2")
    with Store(db_path, clock=clock) as store:
        for when, metric, count in [
            ("2026-11-02T10:00", "applications", 12),
            ("2026-11-03T10:00", "interviews", 3),
            ("2026-11-27T09:00", "emails", 12),
            ("2026-11-27T09:10", "referrals", 3),
            ("2026-11-27T09:20", "calls", 5),
        ]:
            store.log(metric, count, at=local(when))
    out = run("report", "-p", "month").out
    rows = [line.split() for line in out.splitlines()[2:7]]
    assert [row[0] for row in rows] == ["Applications", "Interviews", "Offers"] + [
        "Applications",
        "Interviews",
    ]
    assert "Applications → interviews" in out and "Interviews → offers" in out
    assert "Calls" not in out and "Meetings" not in out
    # 2 offers at 1/2 and 20%: 20 applications, 4 interviews; today starts with
    # (20 - 12) over the 2 working days left = 4 applications to make the streak.
    assert (
        "  Target:   20 applications, 4 interviews, 2 offers (the 2026-11 plan for 2 offers)" in out
    )
    assert "at their day's application target (today: 4 applications)" in out
    assert "  Also:     5 calls, 0 meetings, 0 sales, 12 emails, 3 referrals" in out
    assert (
        "- **Also:** 5 calls, 0 meetings, 0 sales, 12 emails, 3 referrals"
        in run("report", "-p", "month", "-f", "markdown").out
    )
    payload = json.loads(run("report", "-p", "month", "-f", "json").out)
    assert payload["stages"] == ["applications", "interviews", "offers"]
    assert payload["counts"] == {"applications": 12, "interviews": 3, "offers": 0}
    assert payload["rates"] == {"interviews": 0.25, "offers": 0.0}
    assert payload["also"] == {"calls": 5, "meetings": 0, "sales": 0, "emails": 12, "referrals": 3}
    assert payload["target"]["target"] == {"applications": 20, "interviews": 4, "offers": 2}
    assert payload["streak"]["daily_call_target"] == 4
    assert payload["previous"]["counts"] == {"applications": 0, "interviews": 0, "offers": 0}


def test_the_sales_report_only_gains_a_line_for_other_metrics(run, db_path: Path, clock) -> None:
    with Store(db_path, clock=clock) as store:
        store.log("calls", 7, at=local("2026-11-26T10:00"))
    before_text = run("report").out
    before_json = json.loads(run("report", "-f", "json").out)
    assert "Also" not in before_text and "also" not in before_json
    assert "stages" not in before_json
    add_metrics(db_path, clock, "emails")
    with Store(db_path, clock=clock) as store:
        store.log("emails", 12, at=local("2026-11-26T11:00"))
    after_text = run("report").out
    assert after_text == before_text.rstrip("\n") + "\n  Also:     12 emails\n"
    after_json = json.loads(run("report", "-f", "json").out)
    assert after_json == {**before_json, "also": {"emails": 12}}
