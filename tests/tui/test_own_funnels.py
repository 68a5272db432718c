"""Funnel, Goals and History tabs for a funnel of the user's own (issue 10): a job
seeker's applications -> interviews -> offers, next to the built-in sales funnel."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

from textual.widgets import Input, Label, Select

from salestui.domain.catalog import Catalog
from salestui.domain.keys import reserved_keys
from salestui.store import Store
from salestui.tui.app import SalesApp
from salestui.tui.goals import GoalsTab
from salestui.tui.history import HeatmapGrid
from salestui.tui.messages import CatalogChanged
from salestui.tui.tabs import SalesTabs
from tests.conftest import FakeClock, local
from tests.tui.conftest import screen_text, until, wait_for_workers, writes_landed


def use_jobs(db_path: Path, clock: FakeClock) -> None:
    """The jobs preset, as `salestui preset jobs` writes it: jobs becomes the active funnel."""
    with Store(db_path, clock=clock) as store:
        store.set_settings(Catalog.builtin().apply_preset("jobs", reserved_keys()))


def setting(db_path: Path, key: str) -> str | None:
    with Store(db_path) as store:
        return store.setting(key)


async def settle(app: SalesApp, pilot) -> None:  # noqa: ANN001
    await writes_landed(app, pilot)
    await wait_for_workers(app)
    await pilot.pause()


async def open_goals(app: SalesApp, pilot) -> GoalsTab:  # noqa: ANN001
    await pilot.press("3")
    await settle(app, pilot)
    goals = app.query_one(GoalsTab)
    await until(lambda: goals.inputs is not None, pilot, what="the plan's figures")
    await settle(app, pilot)
    return goals


def top_needed(target: int, rates: list[Fraction]) -> int:
    """ceil(target / product of the rates): the planner's rule, worked out here by hand."""
    product = Fraction(1)
    for rate in rates:
        product *= rate
    return math.ceil(target / product)


# -- Goals plans the active funnel ---------------------------------------------------


async def test_a_job_seeker_types_a_goal_and_rates_and_gets_today_s_applications(
    app_factory, db_path, clock
) -> None:
    use_jobs(db_path, clock)
    app = app_factory()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_goals(app, pilot)
        text = screen_text(app)
        assert "type your monthly offers goal" in text
        assert "Goal (offers this month)" in text
        assert "applications → interviews" in text and "interviews → offers" in text
        assert not app.query("#rate-meetings")  # the sales funnel's fields are not there
        await pilot.press("enter")  # into the goal field
        assert app.query_one("#goal-input", Input).has_focus
        await pilot.press("2", "tab", *"50%", "tab", *"1/2")
        assert app.query_one("#rate-offers", Input).has_focus
        await pilot.press("enter")  # save: November is under way, how should it count?
        await pilot.pause()
        assert "A goal of 2 offers a month" in screen_text(app)
        await pilot.press("down", "enter")  # all of it this month, counted from today
        await settle(app, pilot)
        assert setting(db_path, "goal/jobs.only.2026-11") == "2"
        assert setting(db_path, "goal/jobs.from.2026-12") == "2"
        assert setting(db_path, "goal/jobs.start.2026-11") == "2026-11-27"
        assert setting(db_path, "rate/jobs.interviews") == "50%"
        assert setting(db_path, "rate/jobs.offers") == "50%"  # stored as it reads back
        # The sales funnel's goal and rates are untouched.
        assert setting(db_path, "goal.from.2026-12") is None
        assert setting(db_path, "rate.meetings") is None
        # 2 offers at 50% x 1/2 need 8 applications; 2 working days are left (Fri 27,
        # Mon 30), nothing counted before today: 4 today, 2 interviews, 1 offer.
        required = top_needed(2, [Fraction(1, 2), Fraction(1, 2)])
        assert required == 8
        await until(
            lambda: "Today you need  4 applications   2 interviews   1 offer" in screen_text(app),
            pilot,
            what="the jobs plan",
        )
        assert f"0 / {required} applications" in screen_text(app)


def seed_jobs_month(db_path: Path, clock: FakeClock) -> None:
    """A stored goal of 2 offers, rates 20% and 1/2, 12 applications earlier in November,
    and June 2026 (a complete month more than 90 days back) at 12 interviews from 40."""
    use_jobs(db_path, clock)
    with Store(db_path, clock=clock) as store:
        store.set_settings(
            {
                "goal/jobs.from.2026-11": "2",
                "rate/jobs.interviews": "20%",
                "rate/jobs.offers": "1/2",
            }
        )
        store.log("applications", 12, at=local("2026-11-10T10:00"))
        store.log("applications", 40, at=local("2026-06-10T10:00"))
        store.log("interviews", 12, at=local("2026-06-17T10:00"))
        store.log("offers", 2, at=local("2026-06-24T10:00"))


async def test_today_you_need_4_applications_and_the_lever(app_factory, db_path, clock) -> None:
    seed_jobs_month(db_path, clock)
    rates = {"interviews": Fraction(1, 5), "offers": Fraction(1, 2)}
    top = top_needed(2, list(rates.values()))
    assert top == 20
    # 12 done before today, 2 working days left: ceil(8 / 2) = 4 today.
    assert math.ceil((top - 12) / 2) == 4

    def fewer(stage: str, points: int) -> int:
        better = dict(rates)
        better[stage] = rates[stage] + Fraction(points, 100)
        return top - top_needed(2, list(better.values()))

    # By hand: 2 / (1/4 x 1/2) = 16, 2 / (3/10 x 1/2) = 13.3 -> 14; 2 / (1/5 x 11/20) = 18.2
    # -> 19, 2 / (1/5 x 3/5) = 16.7 -> 17.
    assert [fewer("interviews", 5), fewer("interviews", 10)] == [4, 6]
    assert [fewer("offers", 5), fewer("offers", 10)] == [1, 3]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        goals = await open_goals(app, pilot)
        text = screen_text(app)
        assert "Today you need  4 applications   2 interviews   1 offer" in text
        assert "goal 2 offers" in text
        assert "12 / 20 applications" in text
        assert re.search(r"applications → interviews +20% +1 interview per 5 applications", text)
        goals.scroll_end(animate=False)
        await pilot.pause()
        text = screen_text(app)
        assert "Which rate to improve" in text
        assert (
            "+5 points applications→interviews: 4 fewer applications this month; +10: 6 fewer"
            in text
        )
        assert "+5 points interviews→offers: 1 fewer application this month; +10: 3 fewer" in text
        # June's 12 of 40 (30%) beats today's 20%: proven room. June's 12 interviews are
        # too few (< 30) to say anything about interviews -> offers.
        assert (
            "Pull first: applications→interviews "
            "(your best month of the last twelve shows it can be done)" in text
        )


async def test_a_what_if_on_a_jobs_rate_is_worded_in_its_stages(
    app_factory, db_path, clock
) -> None:
    seed_jobs_month(db_path, clock)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_goals(app, pilot)
        field = app.query_one("#rate-interviews", Input)
        assert field.value == "20%"
        field.focus()
        field.value = "25%"
        await pilot.pause()
        # 2 / (1/4 x 1/2) = 16 applications; 4 left after the 12, over 2 days: 2 today.
        assert (
            "at 25% interviews per application you would need 16 applications this month "
            "(1 a day; 2 today)" in re.sub(r"\s+", " ", screen_text(app))
        )
        assert setting(db_path, "rate/jobs.interviews") == "20%"  # not saved until asked


# -- Funnel picks a funnel ----------------------------------------------------------


async def test_the_funnel_picker_switches_between_sales_and_jobs(
    app_factory, db_path, clock
) -> None:
    use_jobs(db_path, clock)
    with Store(db_path, clock=clock) as store:
        # The jobs preset hides calls, meetings and sales: this user sells too.
        for builtin in ("calls", "meetings", "sales"):
            store.set_settings(store.catalog().show(builtin))
        store.log("calls", 40, at=local("2026-11-10T10:00"))
        store.log("meetings", 10, at=local("2026-11-11T10:00"))
        store.log("sales", 5, at=local("2026-11-12T10:00"))
        store.log("applications", 30, at=local("2026-11-10T10:00"))
        store.log("interviews", 6, at=local("2026-11-11T10:00"))
        store.log("offers", 2, at=local("2026-11-12T10:00"))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        picker = app.query_one("#funnel-select", Select)
        assert picker.display and picker.has_focus  # two funnels: the picker comes first
        assert picker.value == "jobs"  # the active one
        text = screen_text(app)
        # 6 of 30 = 20%; 2 of 6 = 33.3%, from fewer than 20 interviews: marked.
        assert re.search(r"Applications +30 ", text)
        assert "↓ 20%  (1 interview per 5 applications)" in text
        assert "↓ 33.3%?  (1 offer per 3 interviews)" in text
        assert "of applications become offers" in text
        assert "a→i" in text and "i→o" in text
        assert "Calls" not in text
        await pilot.press("enter", "up", "enter")  # open the picker, sales is above jobs
        await settle(app, pilot)
        await until(lambda: "Calls" in screen_text(app), pilot, what="the sales funnel")
        text = screen_text(app)
        # 10 of 40 = 25%; 5 of 10 = 50%, from fewer than 20 meetings.
        assert re.search(r"Calls +40 ", text)
        assert "↓ 25%  (1 meeting per 4 calls)" in text
        assert "↓ 50%?  (1 sale per 2 meetings)" in text
        assert "of calls close" in text
        assert "c→m" in text and "a→i" not in text
        # Picking here only shows it: jobs is still the funnel Goals plans.
        assert app.catalog.active_name == "jobs"
        assert setting(db_path, "funnel.active") == "jobs"
        # A tally reloads the figures: the funnel picked stays on screen.
        await pilot.press("escape", "c")
        await settle(app, pilot)
        await until(lambda: re.search(r"Calls +41 ", screen_text(app)), pilot, what="41 calls")


async def test_one_funnel_shows_no_picker(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        assert not app.query_one("#funnel-select", Select).display
        assert app.query_one("#period-select", Select).has_focus


# -- History picks the metric ----------------------------------------------------------


async def test_history_picks_any_metric_hidden_ones_marked(app_factory, db_path, clock) -> None:
    use_jobs(db_path, clock)
    with Store(db_path, clock=clock) as store:
        store.log("applications", 7, at=local("2026-11-25T10:00"))
        store.log("applications", 3, at=local("2026-11-26T10:00"))
        store.log("calls", 9, at=local("2026-11-26T10:00"))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await settle(app, pilot)
        picker = app.query_one("#history-metric", Select)
        labels = [str(prompt) for prompt, _ in picker._options]
        # The jobs preset hid the built-ins; they are listed after the visible ones.
        assert labels == [
            "Applications",
            "Interviews",
            "Offers",
            "Calls (hidden)",
            "Meetings (hidden)",
            "Sales (hidden)",
        ]
        assert picker.value == "applications"  # the first visible one
        # The week table shows the active funnel's stages.
        text = screen_text(app)
        assert re.search(r"Week of +applications +interviews +offers +a→i +i→o", text)
        assert re.search(r"23 Nov +10 +0 +0", text)
        picker.value = "applications"
        await pilot.pause()
        grid = app.query_one(HeatmapGrid)
        assert grid.heatmap is not None and grid.heatmap.metric == "applications"
        assert grid.heatmap.total == 10
        text = screen_text(app)
        assert "Best day 7 applications" in text
        assert "Best week 10 applications" in text
        grid.focus()
        await pilot.press("up")  # Thursday the 26th
        await pilot.pause()
        assert "Thu 26 Nov 2026: 3 applications" in screen_text(app)
        picker.value = "meetings"  # hidden, its history still there to look at
        await pilot.pause()
        assert app.query_one(HeatmapGrid).heatmap.metric == "meetings"


# -- following catalog changes ------------------------------------------------------------


async def test_the_tabs_follow_a_catalog_change(app_factory, db_path, clock) -> None:
    with Store(db_path, clock=clock) as store:
        store.set_settings({"rate.meetings": "15%", "rate.sales": "1/3"})
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_goals(app, pilot)
        assert app.query("#rate-meetings")
        assert not app.query_one("#funnel-select", Select).display
        # Another process runs `salestui preset jobs` and sets a goal for it.
        use_jobs(db_path, clock)
        with Store(db_path, clock=clock) as store:
            store.set_settings(
                {
                    "goal/jobs.from.2026-11": "2",
                    "rate/jobs.interviews": "50%",
                    "rate/jobs.offers": "1/2",
                }
            )
            app.catalog = store.catalog()
        app.query_one(SalesTabs).post_message(CatalogChanged())
        await settle(app, pilot)
        await until(lambda: app.query("#rate-interviews"), pilot, what="the jobs rate fields")
        assert not app.query("#rate-meetings")
        assert str(app.query_one("#goal-label", Label).content) == "Goal (offers this month)"
        await until(
            lambda: "Today you need  4 applications" in screen_text(app),
            pilot,
            what="the jobs plan",
        )
        assert app.query_one("#rate-interviews", Input).value == "50%"
        funnels = app.query_one("#funnel-select", Select)
        assert funnels.display and funnels.value == "jobs"
        options = [value for _, value in app.query_one("#history-metric", Select)._options]
        assert "applications" in options


async def test_from_an_empty_database_to_4_applications_with_the_app_alone(
    app_factory, db_path
) -> None:
    from salestui.tui.start import PresetScreen

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"preset")
        await until(lambda: "Start from a preset…" in screen_text(app), pilot)
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, PresetScreen), pilot, what="the presets")
        await pilot.press("down", "down", "enter")  # sales, outreach, jobs
        await until(lambda: app.catalog.active_name == "jobs", pilot, what="the jobs preset")
        # The catalog change reaches the Goals tab by itself (no test posts it here).
        await open_goals(app, pilot)
        await until(lambda: app.query("#rate-interviews"), pilot, what="the jobs rate fields")
        await pilot.press("enter", "2", "tab", *"50%", "tab", *"1/2", "enter")
        await until(lambda: "A goal of 2 offers a month" in screen_text(app), pilot)
        await pilot.press("down", "enter")  # all of it this month, counted from today
        await settle(app, pilot)
        # 2 offers at 50% x 1/2: 8 applications over the 2 working days left.
        await until(
            lambda: "Today you need  4 applications" in screen_text(app),
            pilot,
            what="the jobs plan",
        )
    assert setting(db_path, "goal/jobs.only.2026-11") == "2"


def test_best_days_and_weeks_in_one_pass_are_the_domain_s_for_every_metric() -> None:
    import random
    from datetime import date, timedelta

    from salestui.domain.history import best_day, best_week
    from salestui.tui.background import best_days, best_weeks

    rng = random.Random(10)
    keys = ("calls", "meetings", "applications", "offers")
    start = date(2025, 1, 1)
    for _ in range(30):
        totals = {
            start + timedelta(days=rng.randrange(400)): {
                key: rng.choice((0, 0, 1, 2, 5)) for key in rng.sample(keys, rng.randint(1, 4))
            }
            for _ in range(rng.randrange(60))
        }
        assert best_weeks(totals, keys) == {key: best_week(totals, key) for key in keys}
        assert best_days(totals, keys) == {key: best_day(totals, key) for key in keys}
