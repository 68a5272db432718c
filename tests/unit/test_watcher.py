"""The watcher thread: other processes' tallies and midnight reach the app, nothing else."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from salestui.store import Store
from salestui.tui.watcher import ChangeWatcher
from tests.conftest import FakeClock, local


@pytest.mark.parametrize("use_inotify", [True, False])
def test_another_connections_tally_is_noticed(tmp_path: Path, use_inotify: bool) -> None:
    clock = FakeClock(local("2026-11-27T10:00"))
    path = tmp_path / "salestui.db"
    Store(path, clock=clock).close()
    changed = threading.Event()
    # Polling every 0.05 s, a quarter of a second without a call is five quiet looks.
    watcher = ChangeWatcher(path, clock, changed.set, 0.05, use_inotify=use_inotify)
    watcher.start()
    try:
        # One look as the watch begins (a tally made while the app started is not
        # missed: see test_a_tally_made_before_the_watch_began_is_looked_for) ...
        assert changed.wait(2.0)
        changed.clear()
        assert not changed.wait(0.25)  # ... then nothing happened: no call
        with Store(path, clock=clock) as other:
            other.log("calls")
        assert changed.wait(2.0)
        changed.clear()
        clock.now = local("2026-11-28T00:00:01")  # midnight passes
        if use_inotify:  # no write wakes it: the day check runs on the next wake-up
            with Store(path, clock=clock) as other:
                other.set_setting("touch", "1")
        assert changed.wait(2.0)
    finally:
        watcher.stop()
        watcher.join(timeout=2)
    assert not watcher.is_alive()


def test_seconds_to_midnight(tmp_path: Path) -> None:
    clock = FakeClock(local("2026-11-27T23:59:30"))
    watcher = ChangeWatcher(tmp_path / "x.db", clock, lambda: None, 1.0)
    assert watcher._seconds_to_midnight() == pytest.approx(30.0)


def test_a_tally_made_before_the_watch_began_is_looked_for(tmp_path: Path) -> None:
    # The app read its counts, then another process logged, then the watch began: the
    # watcher's own baseline already holds that tally, so only the look it asks for as
    # it starts lets the app see it (before, it stayed hidden until the next change).
    clock = FakeClock(local("2026-11-27T10:00"))
    path = tmp_path / "salestui.db"
    Store(path, clock=clock).close()
    with Store(path, clock=clock) as other:
        other.log("sales", 2)
    looks = threading.Event()
    watcher = ChangeWatcher(path, clock, looks.set, 60.0)
    watcher.start()
    try:
        assert looks.wait(2.0)
    finally:
        watcher.stop()
        watcher.join(timeout=2)
