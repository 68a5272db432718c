"""Rules for trust in the app: it never freezes on a locked database, never shows a count
below zero or a traceback, never sends raw control characters from the database to the
terminal, and follows the database wherever its path leads."""

from __future__ import annotations

import os
import pty
import select
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from textual.widgets import Input

from salestui.store import Store
from salestui.store import events as store_events
from salestui.tui.app import SalesApp
from salestui.tui.day import DayScreen
from salestui.tui.today import TodayView
from salestui.tui.watcher import ChangeWatcher
from tests.conftest import FakeClock, local
from tests.tui.conftest import (
    on_disk,
    panel_text,
    screen_text,
    shown,
    status_text,
    until,
    wait_for_workers,
    writes_landed,
)

ESCAPES = "\x1b]2;pwned\x07\x1b[2J"


@contextmanager
def write_lock(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another program holding the write lock (`BEGIN IMMEDIATE`) until the block ends."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def raw_controls(app: SalesApp) -> list[str]:
    """Control characters in what the terminal would be sent (none may be there)."""
    return [char for char in screen_text(app) if ord(char) < 0x20 and char != "\n"]


# -- the app never freezes -----------------------------------------------------------------


async def test_keys_keep_working_while_another_program_holds_the_lock(
    app_factory: Callable[[], SalesApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        with write_lock(db_path):
            started = time.monotonic()
            await pilot.press("c", "c")
            assert time.monotonic() - started < 2  # not the 15 s busy timeout
            await pilot.pause(0.4)
            # Waiting tallies are visibly not saved: the digits stay what is on disk.
            assert shown(app, "calls") == 0
            assert "+2 waiting…" in panel_text(app, "calls")
            assert "+2 calls waiting for the database (another program is writing)…" in (
                status_text(app)
            )
            await pilot.press("m", "2")  # keys still work: more queue up, tabs switch
            assert "+1 waiting…" in panel_text(app, "meetings")
            assert on_disk(db_path) == {}
            await pilot.press("1")
        await writes_landed(app, pilot)
        assert on_disk(db_path) == {"calls": 2, "meetings": 1}
        assert (shown(app, "calls"), shown(app, "meetings")) == (2, 1)
        assert "waiting" not in panel_text(app, "calls") + status_text(app)


async def test_a_tally_read_back_before_its_landing_is_counted_once(
    app_factory: Callable[[], SalesApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        with write_lock(db_path):
            await pilot.press("c")  # queued behind the lock
        # From here the event loop does not run until the next await: the tally lands
        # on disk, but the app has not heard of it yet.
        deadline = time.monotonic() + 5
        while on_disk(db_path).get("calls") != 1:  # on disk, its landing not yet handled
            assert time.monotonic() < deadline
            time.sleep(0.005)
        app.query_one(TodayView).reload()  # e.g. another program's tally noticed just now
        assert shown(app, "calls") == 1
        await writes_landed(app, pilot)
        assert shown(app, "calls") == 1
        assert "week 1 · month 1" in panel_text(app, "calls")


async def test_an_undo_queued_behind_a_waiting_tally_undoes_it(
    app_factory: Callable[[], SalesApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        with write_lock(db_path):
            await pilot.press("c", "m", "u")
            await pilot.pause(0.3)
            assert "undo" in status_text(app)
        await writes_landed(app, pilot)
        assert on_disk(db_path) == {"calls": 1, "meetings": 0}
        assert "Undid +1 meeting" in status_text(app)


async def test_a_tally_that_finally_fails_is_shown_as_not_saved(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough that a loaded machine still sees the pending mark before it gives up.
    monkeypatch.setattr(store_events, "BUSY_TIMEOUT_MS", 1500)
    from salestui.tui.app import make_app

    app = make_app(db_path, clock=clock)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        with write_lock(db_path):
            await pilot.press("c")
            await until(lambda: "+1 waiting…" in panel_text(app, "calls"), pilot, 1.4)
            await writes_landed(app, pilot)  # gives up after the (short) busy timeout
        assert on_disk(db_path) == {}
        assert shown(app, "calls") == 0
        assert "waiting" not in panel_text(app, "calls")
        assert "+1 call today not saved" in status_text(app)
        assert any("+1 call today not saved" in n.message for n in app._notifications)
        await pilot.press("c")  # once the lock is free, keys save again
        await writes_landed(app, pilot)
        assert on_disk(db_path) == {"calls": 1}
        assert shown(app, "calls") == 1


async def test_quit_with_a_waiting_tally_saves_it_first(
    app_factory: Callable[[], SalesApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        lock = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        lock.execute("BEGIN IMMEDIATE")
        await pilot.press("c", "q")
        assert any("Closing as soon as" in n.message for n in app._notifications)
        assert app.is_running
        threading.Timer(0.5, lambda: (lock.execute("COMMIT"), lock.close())).start()
        await writes_landed(app, pilot)
        await pilot.pause(0.2)
        assert not app.is_running
    assert on_disk(db_path) == {"calls": 1}


# -- undo never takes a day below zero -------------------------------------------------------


async def test_undo_of_a_tally_taken_back_elsewhere_says_so(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("c")  # pane A
        await writes_landed(app, pilot)
        with Store(db_path, clock=clock) as pane_b:
            pane_b.log("calls", -1, source="tui")  # pane B presses C
        await pilot.press("u")  # pane A
        await writes_landed(app, pilot)
        sentence = "+1 call was already taken back elsewhere; nothing undone."
        assert sentence in status_text(app)
        assert any(sentence in n.message for n in app._notifications)
        assert on_disk(db_path) == {"calls": 0}
        await pilot.press("u")  # dropped from this window's tallies
        await writes_landed(app, pilot)
        assert "Nothing left to undo in this window." in status_text(app)
        assert on_disk(db_path) == {"calls": 0}


# -- text from the database ------------------------------------------------------------------


async def test_notes_and_sources_show_control_characters_and_markup_as_text(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    with Store(db_path, clock=clock) as other_machine:
        tally = other_machine.log("calls", note=ESCAPES, source="laptop\x1b[31m")
        other_machine.add_note(tally.id, "[bold red]x[/] [link=https://evil.example]y[/link]")
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_workers(app)
        app.push_screen(DayScreen(local("2026-11-27T12:00").date(), app.store, app.writes))
        await pilot.pause()
        text = screen_text(app)
        assert "\\x1b]2;pwned\\x07\\x1b[2J" in text
        assert "[bold red]x[/]" in text and "[link=https://evil.example]y[/link]" in text
        assert "laptop\\x1b[31m" in text
        assert raw_controls(app) == []


async def test_a_note_typed_in_the_app_is_shown_as_text(
    app_factory: Callable[[], SalesApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("c")
        await writes_landed(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#note-input", Input).value = f"[b]x[/b]{ESCAPES}"  # pasted
        await pilot.press("enter")
        await writes_landed(app, pilot)
        assert "Note on +1 call at 10:42: [b]x[/b]\\x1b]2;pwned" in status_text(app)
        assert raw_controls(app) == []


# -- a malformed row never crashes the app ---------------------------------------------------


def spoil(db_path: Path, day: str = "2026-11-27") -> None:
    """A value typed in by hand with the sqlite3 shell: a count that is not a number."""
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "INSERT OR REPLACE INTO day_totals (day, metric, count) VALUES (?, 'calls', 'lots')",
            (day,),
        )
    conn.close()


async def test_a_malformed_row_read_later_is_one_sentence_and_the_app_runs_on(
    app_factory: Callable[[], SalesApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("m")
        await writes_landed(app, pilot)
        spoil(db_path)
        app.query_one(TodayView).poll()
        await pilot.pause()
        assert any("Cannot read the database" in n.message for n in app._notifications)
        assert any("malformed" in n.message for n in app._notifications)
        assert app.is_running
        await pilot.press("m")  # still saved, even though today cannot be read back
        await writes_landed(app, pilot)
        assert on_disk(db_path)["meetings"] == 2
        assert app.is_running


async def test_a_malformed_row_on_the_first_read_closes_the_app_with_status_1(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    Store(db_path, clock=clock).close()
    spoil(db_path)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert app.startup_error is not None and "malformed" in app.startup_error.cause


def test_salestui_on_a_malformed_database_prints_one_line_and_exits_1(db_path: Path) -> None:
    Store(db_path).close()
    spoil(db_path, day=time.strftime("%Y-%m-%d"))  # today, in the process's own clock
    pid, fd = pty.fork()
    if pid == 0:  # the app in a terminal of its own
        env = {**os.environ, "SALESTUI_DB": str(db_path)}
        env.pop("TEXTUAL", None)
        os.execve(sys.executable, [sys.executable, "-m", "salestui"], env)
    output = b""
    deadline = time.monotonic() + 20
    status = None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            with suppress(OSError):
                output += os.read(fd, 65536)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    os.close(fd)
    text = output.decode(errors="replace")
    assert status is not None and os.waitstatus_to_exitcode(status) == 1, text
    assert f"salestui: {db_path}: the database holds a malformed row" in text
    assert "Traceback" not in text


# -- the watcher follows the database wherever its path leads ----------------------------------


@contextmanager
def watching(path: Path, clock: FakeClock) -> Iterator[threading.Event]:
    """A watcher on `path`, set when it notices a change. Its look as the watch begins is
    waited out first, so what the test sees next is a change it noticed."""
    changed = threading.Event()
    # A long fallback interval: only inotify on the right folder can notice in time.
    watcher = ChangeWatcher(path, clock, changed.set, 60.0, use_inotify=True)
    watcher.start()
    try:
        assert changed.wait(2.0)  # the start-up look: the watch is in place
        changed.clear()
        yield changed
    finally:
        watcher.stop()
        watcher.join(timeout=2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux only")
@pytest.mark.parametrize("folder", ["sales#1", "what?now", "a b%20c"])
def test_a_path_with_uri_characters_gets_live_updates_and_no_stray_file(
    tmp_path: Path, folder: str
) -> None:
    clock = FakeClock(local("2026-11-27T10:00"))
    path = tmp_path / folder / "salestui.db"
    Store(path, clock=clock).close()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with watching(path, clock) as changed:
        with Store(path, clock=clock) as other:
            other.log("calls")
        assert changed.wait(3.0)
    after = {p.relative_to(tmp_path) for p in tmp_path.rglob("*")}
    strays = (
        after
        - set(before)
        - {path.with_name(path.name + s).relative_to(tmp_path) for s in ("-wal", "-shm")}
    )
    assert strays == set()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux only")
def test_a_database_reached_through_a_symlink_updates_at_once(tmp_path: Path) -> None:
    clock = FakeClock(local("2026-11-27T10:00"))
    real = tmp_path / "synced" / "salestui.db"
    Store(real, clock=clock).close()
    link = tmp_path / "home" / "salestui.db"
    link.parent.mkdir()
    link.symlink_to(real)
    with watching(link, clock) as changed:
        with Store(link, clock=clock) as other:
            other.log("calls")
        assert changed.wait(3.0)


async def test_with_nothing_waiting_a_tally_commits_on_the_spot_and_a_lock_sends_it_to_the_writer(
    app_factory: Callable[[], SalesApp], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salestui.tui.writer import Writer

    queued: list[str] = []
    submit = Writer.submit
    monkeypatch.setattr(
        Writer, "submit", lambda self, write: (queued.append(write.label), submit(self, write))
    )
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        # On disk before the key's handling is over, with no hop to the writer thread.
        assert on_disk(db_path) == {"calls": 1}
        assert queued == []
        assert shown(app, "calls") == 1
        with write_lock(db_path):
            await pilot.press("c")  # the lock is held: it waits on the writer thread
            assert queued == ["+1 call"]
            assert on_disk(db_path) == {"calls": 1}
        await writes_landed(app, pilot)
        assert on_disk(db_path) == {"calls": 2}
        assert shown(app, "calls") == 2
        await pilot.press("u")  # nothing waits again: undone on the spot
        assert on_disk(db_path) == {"calls": 1}
        assert queued == ["+1 call"]
