"""`p` after a tally links it to a prospect through a fuzzy picker (an existing one, or
a new name that adds one); with no tally yet, one line. Also from the palette, and the
letter stays the app's (issue 11)."""

from __future__ import annotations

from pathlib import Path

from salestui.domain.catalog import Catalog
from salestui.domain.keys import reserved_keys
from salestui.store import Store
from salestui.store.prospects import add_prospect
from salestui.tui.app import SalesApp
from salestui.tui.prospects import ProspectFormScreen, ProspectPicker
from tests.conftest import FakeClock, sql_one
from tests.tui.conftest import until, writes_landed


def seed(db_path: Path, clock: FakeClock) -> str:
    with Store(db_path, clock=clock) as store:
        add_prospect(store, "Bob Jones")
        return add_prospect(store, "Acme Buyer", company="Acme Corp").id


def touches(db_path: Path) -> list[tuple[object, ...]]:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT p.name, t.metric FROM touches AS t JOIN prospects AS p ON p.id = t.prospect"
        ).fetchall()
    finally:
        conn.close()


async def test_p_links_the_last_tally_to_a_prospect_picked_by_a_fuzzy_name(
    app_factory, db_path, clock
) -> None:
    acme = seed(db_path, clock)
    app: SalesApp = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("c", "m")
        await writes_landed(app, pilot)
        await pilot.press("p")
        await until(lambda: isinstance(app.screen, ProspectPicker), pilot)
        await pilot.press(*"acm crp", "enter")  # letters in order, on the company too
        await writes_landed(app, pilot)
        await until(lambda: not isinstance(app.screen, ProspectPicker), pilot)
        assert touches(db_path) == [("Acme Buyer", "meetings")]
        assert sql_one(db_path, "SELECT touches FROM prospects WHERE id = ?", acme)[0] == 1
        assert any("Linked +1 meeting" in n.message for n in app._notifications)


async def test_a_new_name_adds_the_prospect_and_links_it(app_factory, db_path, clock) -> None:
    seed(db_path, clock)
    app: SalesApp = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        await writes_landed(app, pilot)
        await pilot.press("p")
        await until(lambda: isinstance(app.screen, ProspectPicker), pilot)
        await pilot.press(*"Zed Shaw")
        await pilot.pause()
        options = app.screen.query_one("#picker-options")
        last = options.get_option_at_index(options.option_count - 1)  # type: ignore[attr-defined]
        assert "Add Zed Shaw as a new prospect" in str(last.prompt)
        await pilot.press("up", "enter")  # the list wraps: up from the first is the last
        await until(lambda: isinstance(app.screen, ProspectFormScreen), pilot)
        await pilot.press("enter")  # the name is filled in; company empty, source cold
        await writes_landed(app, pilot)
        await until(lambda: touches(db_path) == [("Zed Shaw", "calls")], pilot)
        assert sql_one(db_path, "SELECT source FROM prospects WHERE name = 'Zed Shaw'")[0] == "cold"


async def test_p_with_no_tally_says_so_in_one_line(app_factory, db_path, clock) -> None:
    seed(db_path, clock)
    app: SalesApp = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("p")
        await pilot.pause()
        assert not isinstance(app.screen, ProspectPicker)
        said = [n.message for n in app._notifications]
        assert said == ["Tally something first: p links this window's last tally to a prospect."]
        assert touches(db_path) == []


async def test_escape_in_the_picker_links_nothing(app_factory, db_path, clock) -> None:
    seed(db_path, clock)
    app: SalesApp = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        await writes_landed(app, pilot)
        await pilot.press("p", "b", "escape")
        await writes_landed(app, pilot)
        assert touches(db_path) == []


async def test_the_palette_offers_linking(app_factory, db_path, clock) -> None:
    app: SalesApp = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Link last tally to a prospect (p)" in titles
        assert "Show Prospects (5)" in titles


def test_p_is_still_refused_as_a_metric_letter() -> None:
    catalog = Catalog.builtin()
    try:
        catalog.add_metric("dials", letter="p", reserved=reserved_keys())
    except ValueError as refused:
        assert "linking a tally to a prospect" in str(refused)
    else:
        raise AssertionError("p was accepted as a metric's letter")
