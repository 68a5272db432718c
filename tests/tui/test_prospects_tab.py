"""The Prospects tab (5) and a prospect's screen, driven by real keys and checked in the
database: filter as you type, sort, open, touches with the tally keys, follow-up, won,
lost, add, edit; bad follow-ups refused in one line with nothing written (issue 11)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import Input

from salestui.store import Store
from salestui.store.prospects import add_prospect, get_prospect, set_follow_up
from salestui.tui.app import SalesApp
from salestui.tui.prospect_list import ProspectList
from salestui.tui.prospect_screen import ProspectScreen
from salestui.tui.prospects import ProspectFormScreen, ProspectsTab
from salestui.tui.tabs import SalesTabs
from tests.conftest import FakeClock, local, sql_one
from tests.tui.conftest import screen_text, until, wait_for_workers, writes_landed


def seed_prospects(db_path: Path) -> dict[str, str]:
    """Four prospects added on different days, touched differently; Bob's follow-up
    overdue, Dana lost. Returns their ids by name."""
    ids: dict[str, str] = {}
    seeding = FakeClock(local("2026-11-02T09:00"))
    with Store(db_path, clock=seeding) as store:
        for name, company, source in (
            ("Acme Buyer", "Acme Corp", "referral"),
            ("Bob Jones", None, "cold"),
            ("Carla Diaz", "Zeta Ltd", "inbound"),
            ("Dana Lee", "Acme Corp", "event"),
        ):
            ids[name] = add_prospect(store, name, company=company, source=source).id
            seeding.advance(days=3)
        store.log("calls", 1, prospect=ids["Bob Jones"])
        store.log("calls", 1, prospect=ids["Bob Jones"])
        set_follow_up(store, ids["Bob Jones"], date(2026, 11, 24))
        seeding.advance(days=5)
        store.log("meetings", 1, prospect=ids["Carla Diaz"])
        from salestui.store.prospects import lost

        lost(store, ids["Dana Lee"], "no budget")
    return ids


def names(app: SalesApp) -> list[str]:
    rows = app.query_one("#prospect-list", ProspectList)
    return [row.cells[0] for row in rows.rows]


async def open_tab(app: SalesApp, pilot) -> ProspectsTab:  # noqa: ANN001
    await pilot.press("5")
    await wait_for_workers(app)
    tab = app.query_one(ProspectsTab)
    await until(lambda: tab.listing is not None, pilot)
    return tab


async def open_prospect(app: SalesApp, pilot, text: str) -> ProspectScreen:  # noqa: ANN001
    await open_tab(app, pilot)
    await pilot.press(*text, "enter")
    await until(lambda: isinstance(app.screen, ProspectScreen), pilot)
    screen = app.screen
    assert isinstance(screen, ProspectScreen)
    return screen


async def test_tab_lists_open_prospects_filters_and_sorts(app_factory, db_path) -> None:
    seed_prospects(db_path)
    app = app_factory()
    async with app.run_test(size=(110, 30)) as pilot:
        tab = await open_tab(app, pilot)
        assert isinstance(app.screen.focused, Input)  # type to filter at once
        # Open ones, by last touch (the most recent first; never touched last).
        assert names(app) == ["Carla Diaz", "Bob Jones", "Acme Buyer"]
        text = screen_text(app)
        assert "3 open prospects · by last touch" in text
        assert "overdue 3d" in text  # Bob's follow-up, in words as well as colour
        await pilot.press(*"acme")
        await until(lambda: names(app) == ["Acme Buyer"], pilot, what="the filter")
        await pilot.press("v")  # typed into the filter: still a filter
        assert tab.query_one("#prospect-filter", Input).value == "acmev"
        await pilot.press("backspace", "escape")  # to the list: letters are keys again
        assert isinstance(app.screen.focused, ProspectList)
        await pilot.press("v")  # all prospects: Dana (lost, Acme Corp) too
        await until(lambda: "Dana Lee" in names(app), pilot)
        await pilot.press("v")
        await until(lambda: "Dana Lee" not in names(app), pilot)
        await pilot.press("/")
        await pilot.press("ctrl+u")
        await until(lambda: len(names(app)) == 3, pilot)
        await pilot.press("escape")
        await pilot.press("o")  # by follow-up: Bob (the only one) first
        await until(lambda: tab.order == "follow_up", pilot)
        assert names(app)[0] == "Bob Jones"
        await pilot.press("o")  # by touches
        await until(lambda: names(app) == ["Bob Jones", "Carla Diaz", "Acme Buyer"], pilot)
        await pilot.press("o")  # by age: the oldest first
        await until(lambda: names(app) == ["Acme Buyer", "Bob Jones", "Carla Diaz"], pilot)
        assert "by age" in screen_text(app)


async def test_a_tally_key_on_a_prospect_logs_a_linked_touch(app_factory, db_path) -> None:
    ids = seed_prospects(db_path)
    app = app_factory()
    async with app.run_test(size=(110, 30)) as pilot:
        await open_prospect(app, pilot, "acme")
        assert "No touches yet" in screen_text(app)
        await pilot.press("c")
        await writes_landed(app, pilot)
        touches = sql_one(
            db_path,
            "SELECT count(*), min(metric) FROM touches WHERE prospect = ?",
            ids["Acme Buyer"],
        )
        assert tuple(touches) == (1, "calls")
        await until(lambda: "+1 call" in screen_text(app), pilot, what="the touch shown")
        assert "1 touch" in screen_text(app)
        await pilot.press("u")  # undo takes the touch back like any tally
        await writes_landed(app, pilot)
        with Store(db_path) as store:
            prospect = get_prospect(store, ids["Acme Buyer"])
        assert prospect is not None and prospect.touches == 0


async def test_follow_up_won_and_lost(app_factory, db_path) -> None:
    ids = seed_prospects(db_path)
    app = app_factory()
    async with app.run_test(size=(110, 30), notifications=True) as pilot:
        screen = await open_prospect(app, pilot, "acme")
        await pilot.press("f", "ctrl+u", *"+3d", "enter")
        await writes_landed(app, pilot)
        assert (
            sql_one(db_path, "SELECT follow_up FROM prospects WHERE id = ?", ids["Acme Buyer"])[0]
            == "2026-11-30"
        )
        assert "follow up Mon 30 Nov" in screen_text(app)
        await pilot.press("w")
        await writes_landed(app, pilot)
        assert (
            sql_one(db_path, "SELECT status FROM prospects WHERE id = ?", ids["Acme Buyer"])[0]
            == "won"
        )
        await pilot.press("escape")
        assert not isinstance(app.screen, ProspectScreen)
        assert screen is not None
        # Carla: lost, with a reason.
        await pilot.press("/", "ctrl+u", *"carla", "enter")
        await until(lambda: isinstance(app.screen, ProspectScreen), pilot)
        await pilot.press("l", *"went elsewhere", "enter")
        await writes_landed(app, pilot)
        row = sql_one(
            db_path, "SELECT status, reason FROM prospects WHERE id = ?", ids["Carla Diaz"]
        )
        assert tuple(row) == ("lost", "went elsewhere")


async def test_a_bad_follow_up_is_one_line_and_writes_nothing(app_factory, db_path) -> None:
    ids = seed_prospects(db_path)
    app = app_factory()
    async with app.run_test(size=(110, 30)) as pilot:
        await open_prospect(app, pilot, "acme")
        changes = sql_one(db_path, "SELECT count(*) FROM prospect_changes")[0]
        for bad in ("2026-11-01", "next blursday"):
            await pilot.press("f", "ctrl+u", *bad, "enter")
            await pilot.pause()
            error = app.screen.query_one("#prospect-error")
            assert error.display
            line = str(error.render())
            assert "\n" not in line.strip() and line.strip()
            await pilot.press("escape")  # leaves the field, not the prospect
            assert isinstance(app.screen, ProspectScreen)
        await writes_landed(app, pilot)
        assert sql_one(db_path, "SELECT count(*) FROM prospect_changes")[0] == changes
        assert (
            sql_one(db_path, "SELECT follow_up FROM prospects WHERE id = ?", ids["Acme Buyer"])[0]
            is None
        )


async def test_add_and_edit(app_factory, db_path) -> None:
    seed_prospects(db_path)
    app = app_factory()
    async with app.run_test(size=(110, 30)) as pilot:
        await open_tab(app, pilot)
        await pilot.press("escape", "a")  # from the list
        await until(lambda: isinstance(app.screen, ProspectFormScreen), pilot)
        await pilot.press(*"Eve Stone", "tab", *"Stone Inc", "tab", "ctrl+u", *"referral")
        await pilot.press("enter")
        await writes_landed(app, pilot)
        row = sql_one(
            db_path, "SELECT company, source, status FROM prospects WHERE name = 'Eve Stone'"
        )
        assert tuple(row) == ("Stone Inc", "referral", "open")
        await until(lambda: "Eve Stone" in names(app), pilot, what="the new prospect listed")
        # Edit: a corrected name keeps the old one in the history.
        await pilot.press("/", "ctrl+u", *"eve", "enter")
        await until(lambda: isinstance(app.screen, ProspectScreen), pilot)
        await pilot.press("e")
        await until(lambda: isinstance(app.screen, ProspectFormScreen), pilot)
        await pilot.press("ctrl+u", *"Eve Stones", "enter")
        await writes_landed(app, pilot)
        await until(lambda: isinstance(app.screen, ProspectScreen), pilot)
        await until(lambda: "Eve Stone → Eve Stones" in screen_text(app), pilot)
        assert sql_one(db_path, "SELECT count(*) FROM prospects WHERE name = 'Eve Stones'")[0] == 1


async def test_a_digit_closes_the_prospect_and_switches_tabs(app_factory, db_path) -> None:
    seed_prospects(db_path)
    app = app_factory()
    async with app.run_test(size=(110, 30)) as pilot:
        await open_prospect(app, pilot, "bob")
        await pilot.press("1")
        await until(lambda: not isinstance(app.screen, ProspectScreen), pilot)
        tabs = app.query_one(SalesTabs)
        await until(lambda: tabs.active == "today", pilot)


async def test_today_says_who_to_follow_up(app_factory, db_path, clock: FakeClock) -> None:
    ids = seed_prospects(db_path)
    with Store(db_path, clock=clock) as store:
        set_follow_up(store, ids["Acme Buyer"], date(2026, 11, 27))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Follow up: Bob Jones (overdue 3d), Acme Buyer (today)" in text


async def test_no_follow_up_line_without_prospects(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Follow up" not in screen_text(app)


async def test_funnel_tab_shows_prospect_figures_only_with_prospects(
    app_factory, db_path, clock: FakeClock
) -> None:
    app = app_factory()
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.press("2")
        await wait_for_workers(app)
        await pilot.pause()
        assert "Sales cycle" not in screen_text(app)
    ids = seed_prospects(db_path)
    with Store(db_path, clock=clock) as store:
        from salestui.store.prospects import won

        won(store, ids["Bob Jones"])
    app = app_factory()
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.press("2")
        await wait_for_workers(app)
        await until(lambda: "Sales cycle" in screen_text(app), pilot, what="the section")
        text = screen_text(app)
        assert "won 1 · lost 1" in text
        # Bob: first touch 8 Nov... cycle to 27 Nov; two touches before the win.
        assert "Touches before a win: median 2" in text


def test_follow_up_and_due_words() -> None:
    from salestui.domain.prospects import Prospect
    from salestui.tui.prospects import days_words, due_line, follow_up_words

    today = date(2026, 11, 27)
    assert follow_up_words(date(2026, 11, 24), today) == ("overdue 3d", "error")
    assert follow_up_words(today, today) == ("today", "warning")
    assert follow_up_words(date(2026, 11, 30), today) == ("Mon 30 Nov", None)
    assert follow_up_words(None, today) == ("", None)
    assert [days_words(date(2026, 11, d), today) for d in (27, 26, 24, 2)] == [
        "today",
        "yesterday",
        "3d ago",
        "2 Nov",
    ]

    def due(name: str, day: int) -> Prospect:
        return Prospect(
            name, name, None, "cold", "open", None, date(2026, 11, day), None, None, 0, None, None
        )

    people = [due("Acme", 25), due("Bob", 27), due("Carla Diaz", 27)]
    assert due_line(people, today, 80) == (
        "Follow up: Acme (overdue 2d), Bob (today), Carla Diaz (today)"
    )
    assert due_line(people, today, 40) == "Follow up: Acme (overdue 2d), and 2 more"


async def test_many_prospects_filter_through_the_search_index(
    app_factory, db_path, monkeypatch
) -> None:
    """Past QUICK_ROWS the tab reads a search index on a worker and filters through it
    on the UI thread; a change makes it stale, and it is read again."""
    import salestui.tui.prospects as tab_module

    monkeypatch.setattr(tab_module, "QUICK_ROWS", 2)
    monkeypatch.setattr(tab_module, "LIMIT", 2)
    ids = seed_prospects(db_path)
    app = app_factory()
    async with app.run_test(size=(110, 30)) as pilot:
        tab = await open_tab(app, pilot)
        assert "2 of 3 — type to filter" in screen_text(app)  # counted, not listed
        await until(lambda: tab._index is not None, pilot, what="the search index")
        await pilot.press(*"acme")
        await until(lambda: names(app) == ["Acme Buyer"], pilot, what="the filter")
        index = tab._index
        with Store(db_path) as store:
            from salestui.store.prospects import rename

            rename(store, ids["Acme Buyer"], "Acme Boss")
        tab.reload()
        await until(lambda: tab._index is not index, pilot, what="the index read again")
        await until(lambda: names(app) == ["Acme Boss"], pilot, what="the new name")


def test_cells_are_cut_with_an_ellipsis_at_a_word_where_one_is_near() -> None:
    from salestui.tui.prospect_list import COLUMNS, Row, column_widths, cut

    assert cut("Acme Corp", 9) == "Acme Corp"
    assert cut("Carla Diaz Fernandez", 14) == "Carla Diaz…"  # at the space, not mid-word
    assert cut("Acme Corporation", 12) == "Acme Corpor…"  # the space is too early
    assert cut("Verylongname", 5) == "Very…"
    assert cut("名前名前", 5) == "名前…"  # cells, not characters
    row = Row("id", ("A" * 40, "B" * 40, "referral", "open", "3", "today", "overdue 3d"))
    wide = column_widths([row], 200)
    assert wide[:2] == [40, 40]
    narrow = column_widths([row], 80)
    assert narrow[2:] == wide[2:]  # short columns stay whole
    assert 1 + sum(narrow) + 2 * (len(COLUMNS) - 1) <= 80
    assert narrow[0] > narrow[1] >= 8  # the company gives way first


async def test_list_keys_clicks_and_two_line_cursor_moves(app_factory, db_path) -> None:
    """Up/Down/PageDown/End/Home move the cursor (redrawing two lines, no layout);
    Enter and a click on the cursor's row open it; a header click sorts."""
    from salestui.tui.prospect_list import ProspectList

    with Store(db_path, clock=FakeClock(local("2026-11-02T09:00"))) as store:
        for number in range(40):
            add_prospect(store, f"Person {number:02}", source="cold")
    app = app_factory()
    async with app.run_test(size=(110, 30)) as pilot:
        tab = await open_tab(app, pilot)
        rows = app.query_one("#prospect-list", ProspectList)
        await pilot.press("down")  # from the filter to the list
        assert app.screen.focused is rows
        assert rows.cursor_row == 0
        refreshed: list[object] = []
        real_refresh = rows.refresh

        def spy(*regions, **kwargs):  # noqa: ANN002, ANN003, ANN202
            refreshed.append((regions, kwargs))
            return real_refresh(*regions, **kwargs)

        rows.refresh = spy  # type: ignore[method-assign]
        await pilot.press("down")
        assert rows.cursor_row == 1
        assert len(refreshed) == 2 and all(len(r[0]) == 1 for r in refreshed)
        assert all(r[0][0].height == 1 and not r[1] for r in refreshed)  # two lines
        rows.refresh = real_refresh  # type: ignore[method-assign]
        await pilot.press("end")
        assert rows.cursor_row == 39
        assert rows.scroll_offset.y > 0  # scrolled to it, the header still on line 0
        await pilot.press("home", "pagedown")
        assert rows.cursor_row == rows.scrollable_content_region.height - 1  # a page of rows
        await pilot.press("home", "up")
        assert rows.cursor_row == 0
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, ProspectScreen), pilot)
        await pilot.press("escape")
        await until(lambda: not isinstance(app.screen, ProspectScreen), pilot)
        # A click on the third row takes the cursor; a second click opens it.
        region = rows.content_region
        await pilot.click(offset=(region.x + 3, region.y + 3))
        assert rows.cursor_row == 2
        chosen = rows.rows[2].key
        await pilot.click(offset=(region.x + 3, region.y + 3))
        await until(lambda: isinstance(app.screen, ProspectScreen), pilot)
        screen = app.screen
        assert isinstance(screen, ProspectScreen) and screen.prospect_id == chosen
        await pilot.press("escape")
        await until(lambda: not isinstance(app.screen, ProspectScreen), pilot)
        # A click on the Name header sorts by name.
        await pilot.click(offset=(region.x + 3, region.y))
        await until(lambda: tab.order == "name", pilot, what="sorted by name")
        assert names(app)[:2] == ["Person 00", "Person 01"]


async def test_a_prospect_added_elsewhere_shows_in_the_open_tab(
    app_factory,
    db_path: Path,  # noqa: ANN001
) -> None:
    """`salestui prospect add` in another pane: the open tab lists it within the watcher's
    poll, with no key pressed (it kept its old list before)."""
    seed_prospects(db_path)
    app = app_factory()
    async with app.run_test(size=(110, 30)) as pilot:
        await open_tab(app, pilot)
        assert "Eve Stone" not in names(app)
        with Store(db_path) as store:  # another connection: another process's commit
            add_prospect(store, "Eve Stone", company="Stone & Co")
        await until(lambda: "Eve Stone" in names(app), pilot, what="the other pane's prospect")
