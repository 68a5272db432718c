"""Your own metrics in the app: keys, panels, help, live changes and the presets, driven
by real key presses and checked on the screen and in the database (issue 10)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from textual.pilot import Pilot

from salestui.domain.catalog import Catalog
from salestui.domain.keys import reserved_keys
from salestui.store import Store
from salestui.tui.app import SalesApp
from salestui.tui.day import DayScreen
from salestui.tui.help import HelpScreen
from salestui.tui.history import HeatmapGrid
from salestui.tui.start import AddMetricScreen, PresetScreen
from salestui.tui.today import FIRST_RUN_HINT, MetricPanel
from tests.conftest import FakeClock, local
from tests.tui.conftest import (
    on_disk,
    panel_text,
    rendered,
    screen_text,
    shown,
    status_text,
    until,
    writes_landed,
)

EIGHT = [
    ("emails", "e"),
    ("referrals", "r"),
    ("cards", "b"),
    ("demos", "d"),
    ("applications", "a"),
]
"""Five metrics of the user's: with the three built-ins, the eight Today holds."""


def change_catalog(db_path: Path, clock: FakeClock, change: Callable[[Catalog], object]) -> None:
    """Change the metrics as the command line does: through the catalog, one write."""
    with Store(db_path, clock=clock) as store:
        changes = change(store.catalog())
        assert isinstance(changes, dict)
        store.set_settings(changes, source="cli")


def add_metrics(db_path: Path, clock: FakeClock, metrics: list[tuple[str, str]]) -> None:
    for key, letter in metrics:
        change_catalog(
            db_path,
            clock,
            lambda catalog, key=key, letter=letter: catalog.add_metric(  # type: ignore[misc]
                key, letter=letter, reserved=reserved_keys()
            ),
        )


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press keys like a person, then wait until the writes they queued are on disk."""
    await pilot.press(*keys)
    await writes_landed(pilot.app, pilot)  # type: ignore[arg-type]


async def test_a_metric_of_your_own_counts_like_a_built_in(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    add_metrics(db_path, clock, [("emails", "e")])
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "e")
        await until(lambda: shown(app, "emails") == 1, pilot, what="the email")
        assert on_disk(db_path) == {"emails": 1}
        await until(lambda: "Last: +1 email at 10:42" in status_text(app), pilot)
        await press(pilot, "e", "E")  # +1, then the correction
        await until(lambda: shown(app, "emails") == 1, pilot)
        assert on_disk(db_path) == {"emails": 1}
        await press(pilot, "u")  # undoes the correction
        await until(lambda: shown(app, "emails") == 2, pilot, what="the undo")
        assert on_disk(db_path) == {"emails": 2}
        assert "Undid −1 email" in status_text(app)
        assert "week 2 · month 2" in panel_text(app, "emails")
        footer = screen_text(app).splitlines()[-1]
        assert "e Email" in footer
        assert "CMSE −1" in footer  # the corrections' group takes Shift+E too
        await pilot.press("question_mark")
        await until(lambda: isinstance(app.screen, HelpScreen), pilot)
        text = rendered(app.screen.query_one("#help-box Static"))
        assert re.search(r"^e\s+\+1 email today", text, re.M), text
        assert re.search(r"^E\s+−1 email today", text, re.M), text


async def test_a_remapped_key_of_your_own_metric_works(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    add_metrics(db_path, clock, [("emails", "e")])
    with Store(db_path, clock=clock) as store:
        store.set_setting("key.tally.emails", "x")
    app = app_factory()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await press(pilot, "x")
        await until(lambda: shown(app, "emails") == 1, pilot, what="the email on x")
        await press(pilot, "e")  # moved away: e does nothing now
        assert on_disk(db_path) == {"emails": 1}
        assert not [n for n in app._notifications if n.severity == "warning"]
        assert "x Email" in screen_text(app).splitlines()[-1]


async def eight_metrics_readable(app: SalesApp, pilot: Pilot[None], db_path: Path) -> None:
    letters = ["c", "m", "s", *(letter for _key, letter in EIGHT)]
    await press(pilot, *letters)
    keys = ["calls", "meetings", "sales", *(key for key, _letter in EIGHT)]
    await until(lambda: all(shown(app, key) == 1 for key in keys), pilot, what="8 counts")
    assert on_disk(db_path) == dict.fromkeys(keys, 1)
    screen = app.screen.region
    for key in keys:
        panel = app.query_one(f"#panel-{key}", MetricPanel)
        # Whole on screen (no panel scrolled off or cut at the edge), every figure whole.
        assert screen.contains_region(panel.region), (key, panel.region)
        assert "week 1 · month 1" in panel_text(app, key), key


async def test_eight_metrics_are_readable_at_120x40(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    add_metrics(db_path, clock, EIGHT)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await eight_metrics_readable(app, pilot, db_path)
        assert not app.query_one("#panel-calls", MetricPanel).compact  # big digits fit


async def test_eight_metrics_are_readable_at_80x24(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    add_metrics(db_path, clock, EIGHT)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await eight_metrics_readable(app, pilot, db_path)
        text = screen_text(app)
        assert "Applications" in text and "Cards" in text  # the titles, on screen
        assert status_text(app).strip()  # the status line under the panels is there too


async def test_metrics_added_and_hidden_elsewhere_follow_live(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "c")
        add_metrics(db_path, clock, [("emails", "e")])  # as `salestui metric add` would
        await until(lambda: app.query("#panel-emails"), pilot, timeout=5, what="its panel")
        await press(pilot, "e")
        await until(lambda: shown(app, "emails") == 1, pilot, what="the email")
        assert "e Email" in screen_text(app).splitlines()[-1]
        change_catalog(db_path, clock, lambda catalog: catalog.hide("meetings"))
        await until(lambda: not app.query("#panel-meetings"), pilot, timeout=5, what="hidden")
        await press(pilot, "m", "M")
        assert on_disk(db_path) == {"calls": 1, "emails": 1}
        assert shown(app, "calls") == 1  # the counts survived the rebuild
        assert "Meeting" not in screen_text(app).splitlines()[-1]


async def test_a_pending_tally_survives_a_catalog_change(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    add_metrics(db_path, clock, [("emails", "e")])
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e", "e", "c")
        app.follow_catalog(app.store.catalog())  # a rebuild while they may still wait
        await writes_landed(app, pilot)
        await until(lambda: shown(app, "emails") == 2, pilot, what="both emails")
        assert on_disk(db_path) == {"emails": 2, "calls": 1}


async def test_a_job_seeker_starts_from_the_app_alone(
    app_factory: Callable[[], SalesApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await until(lambda: FIRST_RUN_HINT in status_text(app), pilot, what="the offer")
        await pilot.press("ctrl+p")
        await pilot.press(*"preset")
        await until(lambda: "Start from a preset…" in screen_text(app), pilot)
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, PresetScreen), pilot, what="the presets")
        assert "a job search: applications, interviews, offers" in screen_text(app)
        await pilot.press("down", "down", "enter")  # sales, outreach, jobs
        await until(lambda: app.query("#panel-applications"), pilot, what="the jobs panels")
        assert app.catalog.active_name == "jobs"
        assert FIRST_RUN_HINT not in status_text(app)
        await press(pilot, "a")
        await until(lambda: shown(app, "applications") == 1, pilot)
        assert on_disk(db_path) == {"applications": 1}
    with Store(db_path) as store:
        assert store.catalog().active.stages == ("applications", "interviews", "offers")


async def test_escape_on_the_presets_keeps_the_built_ins(
    app_factory: Callable[[], SalesApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        app.choose_preset()
        await until(lambda: isinstance(app.screen, PresetScreen), pilot)
        await pilot.press("escape")
        await until(lambda: not isinstance(app.screen, PresetScreen), pilot)
        await press(pilot, "c")
        assert on_disk(db_path) == {"calls": 1}
    with Store(db_path) as store:
        assert store.settings_like("metric.") == {}


async def test_add_a_metric_from_the_palette(
    app_factory: Callable[[], SalesApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"add a metric")
        await until(lambda: "Add a metric…" in screen_text(app), pilot)
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, AddMetricScreen), pilot, what="the form")
        await pilot.press(*"calls", "enter")  # taken: said on one line, nothing written
        await until(lambda: "already a metric" in screen_text(app), pilot)
        with Store(db_path) as store:
            assert store.settings_like("metric.") == {}
        await pilot.press(*["backspace"] * 5, *"emails", "tab", "q", "enter")
        await until(lambda: "app's key for quit" in screen_text(app), pilot, what="q refused")
        await pilot.press("backspace", "w", "enter")
        await until(lambda: app.query("#panel-emails"), pilot, what="its panel")
        await press(pilot, "w")
        assert on_disk(db_path) == {"emails": 1}


async def test_the_day_view_words_and_counts_metrics_of_your_own(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    add_metrics(db_path, clock, [("emails", "e"), ("referrals", "r")])
    with Store(db_path, clock=clock) as store:
        store.log("emails", 3, at=local("2026-11-20T09:15"))
        store.log("demos", 1, at=local("2026-11-20T09:20"))  # a metric nobody defined
        event = store.log("referrals", 1, at=local("2026-11-20T09:30"))
        store.add_note(event.id, "from Acme")
    change_catalog(db_path, clock, lambda catalog: catalog.hide("referrals"))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        app.post_message(HeatmapGrid.DayChosen(date(2026, 11, 20)))
        await until(lambda: isinstance(app.screen, DayScreen), pilot, what="the day")
        text = screen_text(app)
        # Every visible metric (0 included), then the others with a count that day.
        assert "0 calls   0 meetings   0 sales   3 emails   1 demos   1 referral" in text
        assert re.search(r"09:15\s+\+3\s+emails", text), text
        assert re.search(r"09:30\s+\+1\s+referrals\s+from Acme", text), text
        await press(pilot, "e", "r")  # e counts on that day; hidden referrals' r does nothing
        await until(lambda: "4 emails" in screen_text(app), pilot, what="the backdated email")
        assert "2 referrals" not in screen_text(app)
        assert "c/m/s/e +1" in screen_text(app)
