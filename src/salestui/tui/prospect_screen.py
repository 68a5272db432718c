"""One prospect: its touches with notes, source, status, follow-up and name changes.

The tally keys log a touch linked to it (one of the window's tallies: `u` undoes it);
`f` sets the follow-up, `w` won, `l` lost (a reason, may be empty), `e` edit, `a` add
another. The screen only asks: the app's write queue writes, in key order.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from salestui.clock import Clock
from salestui.domain.catalog import Catalog
from salestui.domain.prospects import Change, Prospect, Touch
from salestui.domain.text import visible
from salestui.store.events import Store, StoreError
from salestui.tui.commands import metric_commands
from salestui.tui.prospects import days_words, follow_up_words, free_keys, key_of
from salestui.tui.writer import WriteQueue, wording

TYPE_CHECKING = False
if TYPE_CHECKING:
    from salestui.domain.workdays import WorkCalendar

ASKS = {
    "follow_up": "Follow up on (a date, +3d, +1w, +3wd, a weekday; empty clears it):",
    "lost": "Lost: why? (may be empty)",
}


class ProspectScreen(ModalScreen[None]):
    """A prospect's story and the keys that add to it."""

    DEFAULT_CSS = """
    ProspectScreen {
        align: center middle;
    }
    #prospect-box {
        width: 90%;
        max-width: 110;
        height: 90%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    #prospect-facts {
        margin-bottom: 1;
    }
    #prospect-ask, #prospect-answer, #prospect-error {
        display: none;
    }
    #prospect-error {
        color: $error;
        text-style: bold;
    }
    #prospect-changes {
        margin-top: 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("f", "follow_up", "Follow-up", id="prospect.follow-up"),
        Binding("w", "won", "Won", id="prospect.won"),
        Binding("l", "lost", "Lost", id="prospect.lost"),
        Binding("e", "edit", "Edit", id="prospect.edit"),
        Binding("a", "add", "Add", show=False, id="prospect.add"),
        Binding("u", "undo", "Undo", show=False, id="prospect.undo"),
        Binding("escape", "close", "Close", id="prospect.close"),
        *(
            Binding(str(n), f"switch_tab({n})", f"Tab {n}", show=False, id=f"prospect.tab{n}")
            for n in range(1, 6)
        ),
    ]

    class TallyWanted(Message):
        """A tally key: a touch of `metric_key` linked to `prospect_id` (the app queues it)."""

        def __init__(self, metric_key: str, prospect_id: str) -> None:
            super().__init__()
            self.metric_key = metric_key
            self.prospect_id = prospect_id

    class UndoWanted(Message):
        """`u`: undo the window's newest tally, as on Today."""

    class ChangeWanted(Message):
        """Won, lost, a follow-up or an edit of this prospect, for the app to write.
        `what` is `won`, `lost`, `follow_up`, `edit` or `add`; `value` what it needs."""

        def __init__(self, what: str, prospect_id: str, value: object = None) -> None:
            super().__init__()
            self.what = what
            self.prospect_id = prospect_id
            self.value = value

    class TabWanted(Message):
        """A digit key: close the prospect and show that tab."""

        def __init__(self, tab: int) -> None:
            super().__init__()
            self.tab = tab

    def __init__(
        self, prospect_id: str, store: Store, writes: WriteQueue, clock: Clock, catalog: Catalog
    ) -> None:
        super().__init__()
        self.prospect_id = prospect_id
        self.store = store
        """Read on the UI thread: one prospect, its touches and changes (indexed)."""
        self.writes = writes
        self.clock = clock
        self.catalog = catalog
        self.prospect: Prospect | None = None
        self._asking: str | None = None
        """What the answer field is asking (`follow_up`, `lost`), or None."""
        self._use_keys()

    def _use_keys(self) -> None:
        """The visible metrics' letters log a touch (they win over a command's letter)."""
        own = free_keys(BindingsMap(self.BINDINGS), self.catalog)
        tallies = [
            Binding(
                command.key,
                f"touch('{command.action.split(chr(39))[1]}')",
                f"+1 {command.title.removeprefix('Log a ')}",
                show=False,
                id=command.id,
            )
            for command in metric_commands(self.catalog.visible)
            if command.id.startswith("tally.")
        ]
        self._bindings = BindingsMap([*tallies, *(binding for _key, binding in own)])

    def follow_catalog(self, catalog: Catalog) -> None:
        """The metrics changed while the prospect is open: its keys follow."""
        self.catalog = catalog
        self._use_keys()
        self.refresh_bindings()
        if self.is_mounted:
            self._show_keys()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="prospect-box"):
            yield Static("", id="prospect-facts")
            yield Static("", id="prospect-ask")
            yield Input(id="prospect-answer")
            yield Static("", id="prospect-error")
            yield Static("", id="prospect-touches")
            yield Static("", id="prospect-changes")
        yield Footer()

    def on_mount(self) -> None:
        self.writes.on_done(self.show_prospect)
        self.show_prospect()
        self._show_keys()

    def on_unmount(self) -> None:
        self.writes.forget(_no_pending, self.show_prospect)

    def _show_keys(self) -> None:
        letters = "/".join(metric.letter for metric in self.catalog.visible)
        parts = [f"{letters} +1 touch"]
        for binding_id, what in (
            ("prospect.follow-up", "follow-up"),
            ("prospect.won", "won"),
            ("prospect.lost", "lost"),
            ("prospect.edit", "edit"),
            ("prospect.add", "add"),
        ):
            key = key_of(self._bindings, binding_id)
            if key:
                parts.append(f"{key} {what}")
        parts.append("esc close")
        self.query_one("#prospect-box").border_subtitle = " · ".join(parts)

    # -- reading and showing -----------------------------------------------------------

    def show_prospect(self) -> None:
        """Read the prospect, its touches and changes, and show them (again after each
        write lands)."""
        from salestui.store import prospects as stored

        facts = self.query_one("#prospect-facts", Static)
        try:
            prospect = stored.get_prospect(self.store, self.prospect_id)
            touches = stored.timeline(self.store, self.prospect_id)
            changes = stored.history(self.store, self.prospect_id)
        except StoreError as error:
            facts.update(
                Text(f"Cannot read this prospect: {visible(error.cause)}", style="bold red")
            )
            return
        if prospect is None:
            facts.update(Text("This prospect is not in the database.", style="bold red"))
            return
        self.prospect = prospect
        box = self.query_one("#prospect-box")
        box.border_title = visible(prospect.name)
        facts.update(self._facts(prospect))
        self.query_one("#prospect-touches", Static).update(self._touches(touches))
        self.query_one("#prospect-changes", Static).update(names_line(changes))

    def _facts(self, prospect: Prospect) -> Text:
        today = self.clock().date()
        text = Text()
        if prospect.company:
            text.append(visible(prospect.company), style="bold")
            text.append(" · ")
        text.append(f"source {prospect.source} · ")
        status_style = {"won": "bold green", "lost": "bold"}.get(prospect.status, "")
        text.append(prospect.status, style=status_style)
        if prospect.closed_on is not None:
            text.append(f" on {prospect.closed_on:%-d %b %Y}")
        if prospect.reason:
            text.append(f" ({visible(prospect.reason)})")
        follow, urgency = follow_up_words(prospect.follow_up, today)
        text.append(" · follow up ")
        if follow:
            theme = self.app.current_theme
            colour = {"error": theme.error, "warning": theme.warning}.get(urgency or "")
            text.append(follow, style=f"bold {colour}" if colour else "")
        else:
            text.append("not set", style="dim")
        touches = "touch" if prospect.touches == 1 else "touches"
        text.append(f"\n{prospect.touches:,} {touches}")
        if prospect.last_touch is not None:
            text.append(f" · last {days_words(prospect.last_touch, today)}")
        if prospect.created_on is not None:
            text.append(f" · added {days_words(prospect.created_on, today)}")
        return text

    def _touches(self, touches: list[Touch]) -> Table | Text:
        if not touches:
            letters = ", ".join(metric.letter for metric in self.catalog.visible)
            return Text(f"No touches yet. Press {letters} to log one linked to it.", style="dim")
        today = self.clock().date()
        table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold dim", expand=True)
        table.add_column("Day")
        table.add_column("Time")
        table.add_column("Touch")
        table.add_column("Note", ratio=1)
        for touch in touches:
            when = datetime.fromisoformat(touch.ts)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            metric = wording(self.catalog, touch.metric)
            change = metric.change(touch.delta)
            table.add_row(
                days_words(touch.day, today),
                f"{when.astimezone():%H:%M}",
                change,
                Text(visible(touch.note or "")),
            )
        return table

    # -- keys ------------------------------------------------------------------------------

    def action_touch(self, metric_key: str) -> None:
        if all(metric.key != metric_key for metric in self.catalog.visible):
            self.app.bell()
            return
        self.post_message(self.TallyWanted(metric_key, self.prospect_id))

    def action_undo(self) -> None:
        self.post_message(self.UndoWanted())

    def action_switch_tab(self, tab: int) -> None:
        self.post_message(self.TabWanted(tab))

    def action_close(self) -> None:
        if self._asking is not None:
            self._stop_asking()
            return
        self.dismiss(None)

    def action_won(self) -> None:
        self.post_message(self.ChangeWanted("won", self.prospect_id))

    def action_lost(self) -> None:
        self._ask("lost", "")

    def action_follow_up(self) -> None:
        current = self.prospect.follow_up if self.prospect is not None else None
        self._ask("follow_up", current.isoformat() if current is not None else "")

    def action_edit(self) -> None:
        if self.prospect is not None:
            self.post_message(self.ChangeWanted("edit", self.prospect_id, self.prospect))

    def action_add(self) -> None:
        self.post_message(self.ChangeWanted("add", self.prospect_id))

    def _ask(self, what: str, value: str) -> None:
        self._asking = what
        ask = self.query_one("#prospect-ask", Static)
        ask.update(ASKS[what])
        ask.display = True
        answer = self.query_one("#prospect-answer", Input)
        answer.value = value
        answer.display = True
        answer.focus()
        self.show_error("")

    def _stop_asking(self) -> None:
        self._asking = None
        self.query_one("#prospect-ask").display = False
        answer = self.query_one("#prospect-answer", Input)
        answer.display = False
        self.show_error("")
        self.set_focus(None)

    def show_error(self, line: str) -> None:
        """One line under the field (nothing was changed); "" hides it."""
        error = self.query_one("#prospect-error", Static)
        error.update(Text(line))
        error.display = bool(line)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        what = self._asking
        if what is None:
            return
        text = event.value
        if what == "follow_up":
            from salestui.domain.prospects import parse_follow_up

            day = None
            if text.strip():
                try:
                    day = parse_follow_up(text, self.clock().date(), self._calendar())
                except ValueError as refused:
                    self.show_error(visible(str(refused)))
                    return
            self.post_message(self.ChangeWanted("follow_up", self.prospect_id, day))
        else:
            self.post_message(self.ChangeWanted("lost", self.prospect_id, text.strip() or None))
        self._stop_asking()

    def _calendar(self) -> WorkCalendar | None:
        from salestui.store import prospects as stored

        try:
            return stored.work_calendar(self.store)
        except StoreError:
            return None


def _no_pending(pending: object) -> None:
    """The screen follows writes once they land, not while they wait."""


def names_line(changes: list[Change]) -> Text:
    """`Names: Jon Smith → John Smith (12 Nov)`, when the name was ever corrected."""
    names = [change for change in changes if change.field == "name" and change.value]
    if len(names) < 2:
        return Text("")
    parts = [visible(names[0].value or "")]
    parts += [f"{visible(change.value or '')} ({change.day:%-d %b})" for change in names[1:]]
    return Text("Names: " + " → ".join(parts))
