"""Every change the app makes to the database, in key order, without ever freezing it.

SQLite lets one connection write at a time. While another program holds the write lock
(an import, a `BEGIN IMMEDIATE` elsewhere) a write waits, up to the busy timeout; on the
UI thread that wait froze the whole app. So a write with nothing queued before it is
tried on the UI thread's own connection without waiting (one row, ~1 ms, shown in the
same frame); when the database is locked, and for every write queued behind one still
waiting, it goes to a writer thread of its own, so keys keep working and `c c u` still
means "two calls, then take the second back". That thread has its own `Store` (one
sqlite connection per thread) and posts a `WriteDone` message to the app as each write
lands or fails; the app shows a write as pending until then.

The window's own tallies (what `u` may undo) live here too, touched by one thread at a
time (the UI thread only while the writer is idle), so an undo pressed while its tally
still waits for the lock undoes that tally.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.message import Message

from salestui.clock import Clock
from salestui.domain.catalog import Catalog
from salestui.domain.metrics import Metric
from salestui.store.events import BelowZeroError, Busy, Event, Store, StoreError

SOURCE = "tui"


@dataclass
class OwnTallies:
    """Ids of this window's tallies still to undo, newest last (see the module doc for
    which thread touches them when)."""

    ids: list[str] = field(default_factory=list)


WriteAction = Callable[[Store, OwnTallies], object]


@dataclass(eq=False)
class Write:
    """One change waiting for its turn: what it does on the writer's Store, what the
    screen says about it meanwhile, and what the app does once it landed or failed."""

    label: str
    """How it is named while it waits: `+1 call`, `undo`, `note`, `goals`."""
    action: WriteAction
    """Runs on the UI thread's connection, or on the writer thread's when it must wait."""
    landed: Callable[[Any], None]
    """Runs on the UI thread with what `action` returned."""
    failed: Callable[[Exception], None]
    """Runs on the UI thread with what `action` raised."""
    metric: str | None = None
    """For a tally: its metric, so its counter can show it as pending."""
    delta: int = 0
    queued_at: float = 0.0
    """time.monotonic() when it was queued (set by the WriteQueue)."""


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


def wording(catalog: Catalog, key: str) -> Metric:
    """The words for a stored metric: the catalog's (hidden metrics included), or, for a
    name the catalog does not know (an import, another version), the name itself, so
    `+1 demos` is still said rather than nothing."""
    try:
        return catalog.entry(key).metric
    except ValueError:
        return Metric(key, key, "", key)


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
    """The writing connection for writes that must wait, on its own thread, fed by a
    queue in order."""

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

    def run_here(self, write: Write, store: Store) -> WriteDone | None:
        """Run `write` at once on the calling thread's `store`, or return None when the
        database is locked (queue it then). Only while this thread is idle (every write
        submitted before it has been delivered), so key order and the window's tallies
        are kept."""
        try:
            with store.without_waiting():
                return self._carry_out(write, store)
        except Busy:
            return None

    def _carry_out(self, write: Write, store: Store) -> WriteDone:
        """Run `write` on `store`: what it returned, or what it raised, as a WriteDone
        (`Busy`, raised only without waiting, is left to `run_here`)."""
        try:
            result = write.action(store, self._own)
        except Busy:
            raise
        except Exception as failure:  # noqa: BLE001 -- reported, never lost
            return WriteDone(write, None, failure, tuple(self._own.ids))
        return WriteDone(write, result, None, tuple(self._own.ids))

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
                if store is None:
                    done = WriteDone(write, None, opening_error, tuple(self._own.ids))
                else:
                    done = self._carry_out(write, store)
                self.deliver(done)
        finally:
            if store is not None:
                store.close()


WAITING = "waiting for the database (another program is writing)…"


@dataclass(frozen=True, slots=True)
class Pending:
    """What still waits for the database: the change per tally metric (a metric is
    present while one of its tallies waits, even when they add up to 0) and one line
    saying so ("" with nothing waiting)."""

    marks: dict[str, int]
    line: str


NOTHING_PENDING = Pending({}, "")


class WriteQueue:
    """The window's writes on the UI side: queues them to the Writer thread, keeps what
    is not on disk yet (shown as pending once it waits longer than `pending_delay`), and
    "this window's tallies" as of the last write that landed. One owner, on the UI
    thread; tabs and screens queue writes here and listen for what changed."""

    def __init__(self, db_path: Path, clock: Clock, pending_delay: float) -> None:
        self.db_path = db_path
        self.clock = clock
        self.pending_delay = pending_delay
        """A write not on disk after this long is shown as waiting (normally one lands
        in a few ms: a burst of quick presses never flickers "waiting")."""
        self.own_tallies: tuple[str, ...] = ()
        """Ids of this window's tallies still to undo, newest last, as of the last write
        that landed (the writer thread keeps the list; this is the UI's copy)."""
        self._writer: Writer | None = None
        self._here: Store | None = None
        self._waiting: list[Write] = []
        """Writes queued or under way, oldest first: not on disk yet."""
        self._check: asyncio.TimerHandle | None = None
        self._shown = False
        self._closed = False
        self._pending_listeners: list[Callable[[Pending], None]] = []
        self._done_listeners: list[Callable[[], None]] = []
        self.catalog = Catalog.builtin()
        """Words and order of the metrics in the "waiting" line (the app keeps it current)."""

    @property
    def waiting(self) -> int:
        """How many writes are queued or under way (not on disk yet)."""
        return len(self._waiting)

    def start(self, deliver: Callable[[WriteDone], object], here: Store | None = None) -> None:
        """Start the writer thread; `deliver` hands each WriteDone to the UI thread (it
        posts the message that comes back to `done`). `here` is the UI thread's own
        Store: with nothing queued, a write commits on it at once."""
        self._here = here if here is not None and not here.readonly else None
        self._writer = Writer(self.db_path, self.clock, deliver)
        self._writer.start()

    def close(self, timeout: float | None = None) -> None:
        """Writes already queued still go to disk (they may wait for the lock)."""
        self._closed = True
        if self._check is not None:
            self._check.cancel()
        if self._writer is not None:
            self._writer.close(timeout)

    def on_pending(self, listener: Callable[[Pending], None]) -> None:
        """Call `listener` whenever what waits for the database changes."""
        self._pending_listeners.append(listener)

    def on_done(self, listener: Callable[[], None]) -> None:
        """Call `listener` after each write landed or failed (and was shown)."""
        self._done_listeners.append(listener)

    def forget(self, pending: Callable[[Pending], None], done: Callable[[], None]) -> None:
        """Stop calling these listeners (a screen that closes)."""
        if pending in self._pending_listeners:
            self._pending_listeners.remove(pending)
        if done in self._done_listeners:
            self._done_listeners.remove(done)

    def submit(self, write: Write) -> None:
        """Queue a write; it shows as pending if it is not on disk within the delay."""
        assert self._writer is not None, "the write queue is not started"
        write.queued_at = time.monotonic()
        if not self._waiting and self._here is not None:
            # Nothing waits before it: one short commit here, and the counter changes in
            # this very frame (a hop to the writer thread and back cost ~1-2 ms of key
            # latency). Only a locked database sends it to the writer thread, so the
            # app never freezes waiting for the lock.
            done = self._writer.run_here(write, self._here)
            if done is not None:
                self.done(done)
                return
        self._waiting.append(write)
        self._writer.submit(write)
        if self._shown:
            self._tell_pending()
        elif self._check is None:
            self._check_later(self.pending_delay)

    def done(self, message: WriteDone) -> None:
        """A write landed or failed (UI thread): unmark it, then show what it did."""
        write = message.write
        self.own_tallies = message.own_tallies
        if write in self._waiting:
            self._waiting.remove(write)
        if self._shown:
            if not self._waiting:
                self._shown = False
            self._tell_pending()
        elif self._waiting and self._check is None:
            self._check_later(self.pending_delay - (time.monotonic() - write.queued_at))
        if message.error is None:
            write.landed(message.result)
        else:
            write.failed(message.error)
        for listener in list(self._done_listeners):
            listener()

    def pending(self) -> Pending:
        """What waits now, once it has waited long enough to be shown."""
        if not (self._shown and self._waiting):
            return NOTHING_PENDING
        marks: dict[str, int] = {}
        labels: list[str] = []
        for write in self._waiting:
            if write.metric is not None:
                marks[write.metric] = marks.get(write.metric, 0) + write.delta
            elif write.label not in labels:
                labels.append(write.label)
        order = [entry.key for entry in self.catalog.entries]
        keys = sorted(marks, key=lambda key: order.index(key) if key in order else len(order))
        catalog = self.catalog
        tallies = [wording(catalog, key).change(marks[key]) for key in keys if marks[key]]
        return Pending(marks, f"{', '.join(tallies + labels) or 'changes'} {WAITING}")

    def _check_later(self, delay: float) -> None:
        # A bare loop callback, not a Textual timer: it costs nothing on the key's path.
        loop = asyncio.get_running_loop()
        self._check = loop.call_later(max(delay, 0.0), self._check_now)

    def _check_now(self) -> None:
        self._check = None
        if not self._waiting or self._closed:
            return
        overdue = time.monotonic() - self._waiting[0].queued_at
        if overdue >= self.pending_delay:
            self._shown = True
            self._tell_pending()
        else:
            self._check_later(self.pending_delay - overdue)

    def _tell_pending(self) -> None:
        pending = self.pending() if self._waiting else NOTHING_PENDING
        for listener in list(self._pending_listeners):
            listener(pending)
