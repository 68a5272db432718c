from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from salestui.domain.periods import DateRange
from salestui.store import Store, StoreError
from salestui.tui.app import SalesApp
from salestui.tui.help import HelpScreen
from salestui.tui.today import MetricPanel, TodayView
from salestui.tui.writer import Write, using_store
from tests.conftest import FakeClock, local, sql_one
from tests.tui.conftest import (
    on_disk,
    panel_text,
    rendered,
    screen_text,
    shown,
    status_text,
    steps,
    until,
    writes_landed,
)

TODAY = DateRange(date(2026, 11, 27), date(2026, 11, 27))


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press keys like a person, then wait until the writes they queued are on disk."""
    await pilot.press(*keys)
    await writes_landed(pilot.app, pilot)  # type: ignore[arg-type]


async def test_keys_tally_and_commit(app_factory: Callable[[], SalesApp], db_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "c", "c", "c", "m", "s")
        await steps(pilot)  # the flash and status line follow the count
        assert (shown(app, "calls"), shown(app, "meetings"), shown(app, "sales")) == (3, 1, 1)
        assert on_disk(db_path) == {"calls": 3, "meetings": 1, "sales": 1}
        assert "Last: +1 sale at 10:42" in status_text(app)
        assert app.query_one("#panel-sales").has_class("-flash")
        assert "week 3 · month 3" in panel_text(app, "calls")


async def test_correction_and_floor_at_zero(app_factory, db_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await press(pilot, "M")
        assert shown(app, "meetings") == 0
        assert on_disk(db_path) == {}
        assert any("No meetings today to take back" in n.message for n in app._notifications)
        await press(pilot, "m", "m", "M")
        assert shown(app, "meetings") == 1
        assert on_disk(db_path) == {"meetings": 1}


async def test_undo_is_repeatable_and_stops_at_nothing(app_factory, db_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "c", "m", "C")
        await press(pilot, "u")  # undoes the correction
        assert shown(app, "calls") == 1
        await press(pilot, "u", "u")
        assert (shown(app, "calls"), shown(app, "meetings")) == (0, 0)
        await press(pilot, "u")
        assert "Nothing left to undo" in status_text(app)
        assert on_disk(db_path) == {"calls": 0, "meetings": 0}


async def test_undo_only_touches_this_windows_tallies(app_factory, db_path, clock) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "c")
        with Store(db_path, clock=clock) as other:
            other.log("calls", 5, source="cli")
        await press(pilot, "u")
        assert on_disk(db_path) == {"calls": 5}
        assert shown(app, "calls") == 5
        await press(pilot, "u")
        assert on_disk(db_path) == {"calls": 5}


async def test_undo_skips_a_tally_already_undone_elsewhere(app_factory, db_path, clock) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "c", "m")
        with Store(db_path, clock=clock) as other:
            other.undo()  # `salestui undo` takes the meeting back
        await press(pilot, "u")  # so this one undoes the call
        assert on_disk(db_path) == {"calls": 0, "meetings": 0}


async def test_other_processes_show_up_by_themselves(app_factory, db_path, clock) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        with Store(db_path, clock=clock) as other:
            other.log("sales", 2)
        # the watcher (inotify, or the real 1 s poll), not a direct call
        await until(lambda: shown(app, "sales") == 2, pilot, timeout=5)


async def test_midnight_rolls_over(app_factory, clock: FakeClock) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "c", "c")
        assert "Fri 27 Nov 2026" in rendered(app.query_one("#top-bar", Static))
        clock.now = local("2026-11-28T00:00:05")
        app.query_one(TodayView).poll()
        await pilot.pause()
        assert shown(app, "calls") == 0
        assert "Sat 28 Nov 2026" in rendered(app.query_one("#top-bar", Static))
        assert "week 2 · month 2" in panel_text(app, "calls")
        await press(pilot, "c")
        assert shown(app, "calls") == 1


async def test_help_lists_every_key(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for phrase in ("Undo the last tally", "+1 call today", "−1 sale today", "Command palette"):
            assert phrase in text
        await press(pilot, "c")  # keys other than close do not leak through the help screen
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)
        assert shown(app, "calls") == 0


async def test_palette_runs_actions(app_factory, db_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "ctrl+p")
        await press(pilot, *"log a meeting")
        match = "+1 meeting today, saved before it shows"  # the command's help, found
        await until(lambda: match in screen_text(app), pilot, what=match)
        await press(pilot, "enter")
        await until(lambda: shown(app, "meetings") == 1, pilot, what="the meeting")
        assert on_disk(db_path) == {"meetings": 1}


async def test_full_disk_never_shows_an_unsaved_count(app_factory, db_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await press(pilot, "c")
        conn = app.store.connection
        conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
        long_ago = local("2026-01-05T12:00")  # fill the file to the brim, away from today
        for size in (2000, 200, 20, 0):
            with contextlib.suppress(StoreError):
                for _ in range(1000):
                    app.store.log("calls", at=long_ago, note="z" * size or None, source="filler")
        full = conn.execute("PRAGMA page_count").fetchone()[0]
        # The app writes on its own connection: the same limit there, as on a full disk.
        app.writes.submit(
            Write(
                "limit",
                using_store(
                    lambda store: store.connection.execute(f"PRAGMA max_page_count = {full}")
                ),
                landed=lambda result: None,
                failed=lambda error: None,
            )
        )
        for _ in range(3):
            await press(pilot, "c")
        saved = on_disk(db_path).get("calls", 0)
        assert saved == 1
        assert shown(app, "calls") == saved
        assert not panel_text(app, "calls").count("waiting")  # nothing left marked pending
        assert any("+1 call today not saved" in n.message for n in app._notifications)
        assert "+1 call today not saved" in status_text(app)


async def test_theme_is_remembered(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "nord"
        await pilot.pause()
        await pilot.press("q")  # quit as a person does (leaving run_test at once may cut
        # the other tabs off mid-mount, which only a test harness can do)
    assert app.return_code == 0
    again = app_factory()
    async with again.run_test(size=(100, 30)) as pilot:
        assert again.theme == "nord"
        await pilot.press("q")


async def test_note_for_the_last_tally(app_factory, db_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await press(pilot, "n")
        assert any("Tally something first" in n.message for n in app._notifications)
        await press(pilot, "c", "m", "n")
        await pilot.pause()
        await press(pilot, "enter")  # empty: refused, the note box stays
        await pilot.pause()
        assert "Type a note" in screen_text(app)
        await press(pilot, *"Acme call back", "enter")
        await pilot.pause()
        assert "Note on +1 meeting at 10:42: Acme call back" in status_text(app)
        with closing(sqlite3.connect(db_path)) as conn:
            rows = conn.execute(
                "SELECT e.metric, n.note FROM events n JOIN events e ON n.about = e.id"
            ).fetchall()
        assert rows == [("meetings", "Acme call back")]
        assert on_disk(db_path) == {"calls": 1, "meetings": 1}
        await press(pilot, "n", "x", "escape")  # typed, then cancelled: nothing saved
        await pilot.pause()
        count = sql_one(db_path, "SELECT COUNT(*) FROM events")[0]
        assert count == 3


# -- the status line stays true (issue 8) -------------------------------------------------


async def test_last_line_stays_true_when_its_tally_is_undone_elsewhere(
    app_factory, db_path: Path, clock: FakeClock
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "c")
        clock.advance(minutes=3)
        await press(pilot, "m")
        last = "Last: +1 meeting at 10:45  (u to undo)"
        await until(lambda: last in status_text(app), pilot, what=last)
        with Store(db_path, clock=clock) as other:
            other.undo()  # `salestui undo` in another pane takes the meeting back
        undone = "+1 meeting at 10:45 was undone elsewhere.  u undoes +1 call at 10:42."
        # the watcher (inotify, or the real 1 s poll) picks it up
        await until(lambda: undone in status_text(app), pilot, timeout=5, what=undone)
        assert "Last: +1 meeting" not in status_text(app)
        await press(pilot, "u")
        assert "Undid +1 call at 10:42" in status_text(app)
        assert on_disk(db_path) == {"calls": 0, "meetings": 0}


async def test_undo_of_another_days_tally_names_the_day(
    app_factory, db_path: Path, clock: FakeClock
) -> None:
    clock.now = local("2026-11-26T23:58:00")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "m")
        last = "Last: +1 meeting at 23:58  (u to undo)"
        await until(lambda: last in status_text(app), pilot, what=last)
        clock.now = local("2026-11-27T00:01:00")
        app.query_one(TodayView).poll()
        await pilot.pause()
        assert "Last: +1 meeting from Thu 26 Nov  (u to undo)" in status_text(app)
        await press(pilot, "u")
        assert "Undid +1 meeting from Thu 26 Nov" in status_text(app)
        assert any(
            "Undid +1 meeting from Thu 26 Nov (not today)." in str(note.message)
            for note in app._notifications
        )
        with Store(db_path, clock=clock) as store:
            totals = store.day_totals(DateRange(date(2026, 11, 26), date(2026, 11, 26)))
        assert totals.get(date(2026, 11, 26), {}).get("meetings", 0) == 0


# -- speed: what a key press costs, and the first seconds (issue 8) ------------------------


async def test_a_tally_repaints_only_the_cells_that_changed(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "c")
        await until(lambda: not app.query(".-flash"), pilot)  # the flash is over
        panel = app.query_one("#panel-calls", MetricPanel)
        regions: list[object] = []
        original = panel.refresh

        def spy(*args: object, **kwargs: object) -> object:
            regions.append(args or "whole panel")
            return original(*args, **kwargs)  # type: ignore[arg-type]

        panel.refresh = spy  # type: ignore[method-assign]
        status = app.query_one("#status", Static)
        layouts: list[bool] = []
        update = status.update

        def update_spy(content: object = "", *, layout: bool = True) -> None:
            layouts.append(layout)
            update(content, layout=layout)  # type: ignore[arg-type]

        status.update = update_spy  # type: ignore[method-assign]
        await press(pilot, "c")  # 1 -> 2: one digit, week and month, the spark's last bar
        assert regions, "the panel was not repainted"
        count_refresh = regions[0]
        assert count_refresh != "whole panel"
        cells = sum(region.area for region in count_refresh)  # type: ignore[attr-defined, union-attr]
        assert cells < 40, count_refresh  # the panel is 40x9: a few cells, not 360
        await steps(pilot)
        assert "Last: +1 call" in status_text(app)
        assert layouts and not any(layouts), "the status line asked for a layout pass"
        assert "week 2 · month 2" in panel_text(app, "calls")
        assert shown(app, "calls") == 2


async def test_start_up_work_waits_for_a_pause_in_the_typing(app_factory, real_timers) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        # A person who opens the app and counts at once, a press every 0.25 s for 1.25 s:
        # longer than the first tab waits for (FIRST_DELAY, 0.5 s) and than the figures
        # wait after a tally (FIGURES_DELAY, 0.8 s), so either would have come by now if it
        # did not wait for a pause (gaps of 0.25 s are no pause: QUIET_SECONDS is 0.8 s).
        for _ in range(5):
            await pilot.press("c")
            await pilot.pause(0.25)
            assert not app.tabs_ready.is_set(), "a tab was built between key presses"
            assert not [w for w in app.workers if w.group == "figures"]
        await writes_landed(app, pilot)
        assert shown(app, "calls") == 5
        # the first pause: now the tabs come (within the 1.5 s the test always allowed)
        await until(app.tabs_ready.is_set, pilot, timeout=1.5, what="the tabs")
