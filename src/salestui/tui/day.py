"""One day: its tallies with times and notes; add or take back tallies for that day."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from salestui.domain.catalog import Catalog
from salestui.domain.metrics import Metric
from salestui.domain.text import visible
from salestui.domain.when import is_date_only
from salestui.store.events import Event, Store, StoreError
from salestui.tui.commands import DAY_BINDINGS, bound_keys, metric_commands, with_metric_bindings
from salestui.tui.writer import Pending, WriteQueue, wording


def time_text(event: Event) -> str:
    """`09:15`, or `no time` for a tally backdated by date only (see when.DATE_ONLY)."""
    local = event.local_time
    return "no time" if is_date_only(local) else f"{local:%H:%M}"


def tally_words(delta: int) -> str:
    """`+3`, `−1`: a tally's change, signed."""
    return f"{'+' if delta > 0 else '−'}{abs(delta)}"


def undo_words(undo: Event, undone: Event | None, metric: Metric) -> tuple[str, str]:
    """An undo row's Tally and Metric cells: what was undone, with the undone tally's
    sign (`undo of −1`, `call (correction)`), not the undo's own (+1)."""
    delta = undone.delta if undone is not None else -undo.delta
    noun = metric.singular if abs(delta) == 1 else metric.key
    return f"undo of {tally_words(delta)}", noun + (" (correction)" if delta < 0 else "")


def day_table(events: list[Event], catalog: Catalog | None = None) -> Table:
    """Tallies in the order they were made; notes beside their tally; undone ones struck.
    Metrics are worded by `catalog` (the built-ins' without one; hidden ones too).

    Notes and sources may come from another machine: shown as plain text (never markup)
    with control characters made visible."""
    catalog = catalog if catalog is not None else Catalog.builtin()
    cancelled = {event.cancels for event in events if event.cancels}
    by_id = {event.id: event for event in events}
    notes: dict[str, list[str]] = {}
    for event in events:
        if event.about and event.note:
            notes.setdefault(event.about, []).append(event.note)
    table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold dim", expand=True)
    table.add_column("Time")
    table.add_column("Tally", justify="right")
    table.add_column("Metric")
    table.add_column("Note", ratio=1)
    table.add_column("From", style="dim")
    for event in events:
        if event.delta == 0:
            continue  # a note: shown with its tally
        metric = wording(catalog, event.metric)
        note = "; ".join(filter(None, [event.note, *notes.get(event.id, [])]))
        if event.cancels:
            # The undo is in force: dim, not struck (struck means "no longer counts").
            what, noun = undo_words(event, by_id.get(event.cancels), metric)
            style = "dim"
        else:
            what, noun = tally_words(event.delta), metric.key
            style = "strike dim" if event.id in cancelled else ""
        table.add_row(
            time_text(event),
            Text(what, style=style),
            Text(noun, style=style),
            Text(visible(note)),
            Text(visible(event.source)),
        )
    return table


class DayScreen(ModalScreen[None]):
    """A day's tallies; c/m/s (each visible metric's letter) add one to that day, C/M/S
    take one back (never below zero)."""

    DEFAULT_CSS = """
    DayScreen {
        align: center middle;
    }
    #day-box {
        width: 90%;
        max-width: 100;
        height: 80%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    #day-totals {
        margin-bottom: 1;
    }
    #day-pending {
        color: $warning;
        text-style: bold;
    }
    """

    BINDINGS = [
        *DAY_BINDINGS,
        Binding("escape", "dismiss", "Close", id="day.close"),
        Binding("q", "dismiss", "Close", show=False, id="day.close2"),
    ]

    class TallyWanted(Message):
        """A tally (or a correction) for the day shown, to be queued by the app."""

        def __init__(self, day: date, metric_key: str, delta: int) -> None:
            super().__init__()
            self.day = day
            self.metric_key = metric_key
            self.delta = delta

    class UndoWanted(Message):
        """`u` in a day's view: undo this window's newest tally, as on Today."""

    def __init__(
        self, day: date, store: Store, writes: WriteQueue, catalog: Catalog | None = None
    ) -> None:
        super().__init__()
        self.day = day
        self.store = store
        """Read on the UI thread: one day's events."""
        self.writes = writes
        self.catalog = catalog if catalog is not None else writes.catalog
        """The metrics whose keys work here, and the words for every stored one."""
        self._use_metric_keys()

    def _use_metric_keys(self) -> None:
        """The visible metrics' +1 and −1 for this day, as on every tab."""
        metric_bindings = [c.day_binding() for c in metric_commands(self.catalog.visible)]
        self._bindings = with_metric_bindings(self._bindings, metric_bindings)

    def _metric_keys(self) -> list[str]:
        return [metric.key for metric in self.catalog.visible]

    def follow_catalog(self, catalog: Catalog) -> None:
        """The metrics changed while the day is open: its keys and words follow."""
        self.catalog = catalog
        self._use_metric_keys()
        self.refresh_bindings()
        if self.is_mounted:
            self._show_keys()
            self.show_day()

    def _show_keys(self) -> None:
        """The keys in the box's bottom line, as many as fit its width."""
        box = self.query_one("#day-box")
        room = box.size.width - 6 if box.size.width else 10_000  # corners and margins
        box.border_subtitle = key_line(self.active_bindings, self._metric_keys(), room)

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_keys)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="day-box") as box:
            box.border_title = f"{self.day:%A} {self.day.day} {self.day:%B %Y}"
            yield Static("", id="day-totals")
            yield Static("", id="day-pending")
            yield Static("", id="day-events")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#day-pending", Static).display = False
        self._show_keys()
        self.writes.on_pending(self._show_waiting)
        self.writes.on_done(self.show_day)
        self.show_day()

    def on_unmount(self) -> None:
        self.writes.forget(self._show_waiting, self.show_day)

    def _show_waiting(self, pending: Pending) -> None:
        self.show_pending(pending.line)

    def show_day(self) -> None:
        """Read the day from disk and show it (again after each write lands)."""
        store = self.store
        body = self.query_one("#day-events", Static)
        try:
            events: list[Event] = store.events_on(self.day)
        except StoreError as error:
            body.update(Text(f"Cannot read this day: {visible(error.cause)}", style="bold red"))
            return
        catalog = self.catalog
        # Every visible metric (0 included), then any other with a count that day.
        counts = {metric.key: 0 for metric in catalog.visible}
        for event in events:
            counts[event.metric] = counts.get(event.metric, 0) + event.delta
        words = [
            wording(catalog, key).amount(count)
            for key, count in counts.items()
            if count or any(metric.key == key for metric in catalog.visible)
        ]
        self.query_one("#day-totals", Static).update(Text("   ".join(words), style="bold"))
        if any(event.delta for event in events):
            body.update(day_table(events, catalog))
        else:
            letters = [metric.letter for metric in catalog.visible]
            keys = " or ".join([", ".join(letters[:-1]), letters[-1]] if letters[1:] else letters)
            body.update(Text(f"Nothing tallied on this day. Press {keys} to add.", style="dim"))

    def show_pending(self, line: str) -> None:
        """Say what still waits for the database ("" once everything is saved)."""
        pending = self.query_one("#day-pending", Static)
        pending.update(Text(line))
        pending.display = bool(line)

    def action_tally(self, metric_key: str, delta: int) -> None:
        if all(metric.key != metric_key for metric in self.catalog.visible):
            self.app.bell()  # hidden or unknown: nothing counted
            return
        # Queued by the app; the day is shown again once it is on disk.
        self.post_message(self.TallyWanted(self.day, metric_key, delta))

    def action_undo(self) -> None:
        self.post_message(self.UndoWanted())


def key_line(
    active: Mapping[str, ActiveBinding], metric_keys: Sequence[str], width: int = 10_000
) -> str:
    """`c/m/s +1 · C/M/S −1 · u undo · esc close`, from the keys bound now (remapped
    keys included) for the metrics of `metric_keys` (the visible ones, in order). Longer
    than `width` (eight metrics in a narrow pane), the −1 keys go first, then undo (the
    footer still lists them); a group is never cut."""
    groups: tuple[tuple[tuple[str, ...], str], ...] = (
        (tuple(f"tally.{key}" for key in metric_keys), "+1"),
        (tuple(f"correct.{key}" for key in metric_keys), "−1"),
        (("undo",), "undo"),
        (("day.close",), "close"),
    )
    parts: list[tuple[str, str]] = []
    for group, label in groups:
        keys = [key for binding_id in group for key in bound_keys(active, binding_id)[:1]]
        if keys:
            parts.append((label, f"{'/'.join(keys)} {label}"))
    for dropped in ("−1", "undo"):
        if len(" · ".join(part for _, part in parts)) <= width:
            break
        parts = [(label, part) for label, part in parts if label != dropped]
    return " · ".join(part for _, part in parts)
