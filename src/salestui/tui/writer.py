"""Every change the app makes to the database, on one thread of its own, in key order.

SQLite lets one connection write at a time. While another program holds the write lock
(an import, a `BEGIN IMMEDIATE` elsewhere) a write waits, up to the busy timeout; on the
UI thread that wait froze the whole app. Here only this thread waits: keys keep
working, and each write is queued behind the ones before it, so `c c u` still means
"two calls, then take the second back". The thread has its own `Store` (one sqlite
connection per thread) and posts a `WriteDone` message to the app as each write lands
or fails; the app shows a write as pending until then.

The window's own tallies (what `u` may undo) live here too, touched only on this
thread, so an undo pressed while its tally still waits for the lock undoes that tally.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.message import Message

from salestui.clock import Clock
from salestui.store.events import BelowZeroError, Event, Store, StoreError

SOURCE = "tui"


@dataclass
class OwnTallies:
    """Ids of this window's tallies still to undo, newest last (writer thread only)."""

    ids: list[str] = field(default_factory=list)


WriteAction = Callable[[Store, OwnTallies], object]


@dataclass(eq=False)
class Write:
    """One change waiting for its turn: what it does on the writer's Store, what the
    screen says about it meanwhile, and what the app does once it landed or failed."""

    label: str
    """How it is named while it waits: `+1 call`, `undo`, `note`, `goals`."""
    action: WriteAction
    """Runs on the writer thread."""
    landed: Callable[[Any], None]
    """Runs on the UI thread with what `action` returned."""
    failed: Callable[[Exception], None]
    """Runs on the UI thread with what `action` raised."""
    metric: str | None = None
    """For a tally: its metric, so its counter can show it as pending."""
    delta: int = 0
    queued_at: float = 0.0
    """time.monotonic() when it was queued (set by the app)."""


class WriteDone(Message):
    """A write landed (`error` None; `result` is what its action returned) or failed."""

    def __init__(
        self, write: Write, result: object, error: Exception | None, own: tuple[str, ...]
    ) -> None:
        super().__init__()
        self.write = write
        self.result = result
        self.error = error
        self.own_tallies = own
        """This window's undoable tallies once this write is done, newest last."""


@dataclass(frozen=True, slots=True)
class UndoResult:
    """What `u` did: undid `tally`; or, with `refused`, found it already taken back
    elsewhere (dropped from the window's tallies, nothing written); with no tally,
    nothing was left to undo."""

    tally: Event | None = None
    refused: bool = False


def tally(metric: str, delta: int, at: datetime | None = None) -> WriteAction:
    """Log one tally of this window (undoable with `u`); returns the Event."""

    def action(store: Store, own: OwnTallies) -> Event:
        event = store.log(metric, delta, at=at, source=SOURCE)
        own.ids.append(event.id)
        return event

    return action


def undo_newest(store: Store, own: OwnTallies) -> UndoResult:
    """Undo this window's newest tally still in force (skipping ones undone elsewhere)."""
    while own.ids:
        event_id = own.ids[-1]
        try:
            undone = store.undo(event_id, source=SOURCE)
        except BelowZeroError:
            # A correction elsewhere (another pane's `C`) already took this tally back:
            # cancelling it too would take the day below zero. It is not ours to undo now.
            own.ids.pop()
            return UndoResult(store.event(event_id), refused=True)
        own.ids.pop()
        if undone is not None:
            return UndoResult(undone)
        # None: already undone (`salestui undo`, another window): try the one before.
    return UndoResult()


def note(event_id: str, text: str) -> WriteAction:
    """Attach a note to a tally; returns the note's Event."""

    def action(store: Store, own: OwnTallies) -> Event:
        return store.add_note(event_id, text, source=SOURCE)

    return action


def using_store(change: Callable[[Store], object]) -> WriteAction:
    """A write that needs only the Store (settings)."""

    def action(store: Store, own: OwnTallies) -> object:
        return change(store)

    return action


class Writer(threading.Thread):
    """The app's only writing connection, on its own thread, fed by a queue in order."""

    def __init__(self, db_path: Path, clock: Clock, deliver: Callable[[WriteDone], object]) -> None:
        super().__init__(name="salestui-writer", daemon=True)
        self.db_path = db_path
        self.clock = clock
        self.deliver = deliver
        self._queue: queue.SimpleQueue[Write | None] = queue.SimpleQueue()
        self._own = OwnTallies()

    def submit(self, write: Write) -> None:
        """Queue a write behind the ones before it (returns at once)."""
        self._queue.put(write)

    def close(self, timeout: float | None = None) -> None:
        """Finish the writes already queued, then stop (waits up to `timeout`)."""
        self._queue.put(None)
        if self.is_alive():
            self.join(timeout)

    def run(self) -> None:
        store: Store | None = None
        opening_error: StoreError | None = None
        try:
            store = Store(self.db_path, clock=self.clock)
        except StoreError as cannot_open:
            opening_error = cannot_open  # every write reports it; the app keeps running
        try:
            while (write := self._queue.get()) is not None:
                result: object = None
                problem: Exception | None = opening_error
                if store is not None:
                    try:
                        result = write.action(store, self._own)
                    except Exception as failure:  # noqa: BLE001 -- reported, never lost
                        problem = failure
                self.deliver(WriteDone(write, result, problem, tuple(self._own.ids)))
        finally:
            if store is not None:
                store.close()
