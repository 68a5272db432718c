"""The Prospects tab (5): the people and companies being worked, filtered as you type,
sorted by last touch, follow-up, touches or age; overdue follow-ups stand out. Enter
opens one (prospect_screen.py). Also the fuzzy picker `p` links the last tally with,
and the form that adds or edits a prospect.

The list never holds more than LIMIT rows: at 100,000 prospects the tab reads the first
LIMIT matches of an indexed query (or of `search`), and a line says how many there are.
A read that may take more than a few milliseconds (a filter, a large list) runs on a
worker thread with its own connection; the newest keystroke's read wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from salestui.clock import Clock
from salestui.domain.catalog import Catalog
from salestui.domain.prospects import SOURCES, Prospect, check_name, check_source
from salestui.domain.text import visible
from salestui.store.events import Event, Store, StoreError
from salestui.tui.messages import ProspectsChanged
from salestui.tui.prospect_list import ProspectList, Row
from salestui.tui.start import BOX_CSS
from salestui.tui.writer import SOURCE, OwnTallies, WriteAction

TYPE_CHECKING = False
if TYPE_CHECKING:
    from salestui.store.prospects import SearchIndex

LIMIT = 200
"""Rows the list holds at most; more matches are said in a line, never drawn."""
ORDERS: tuple[str, ...] = ("last_touch", "follow_up", "touches", "age")
"""What `o` cycles through (a click on the Name column sorts by name too)."""
ORDER_WORDS = {
    "name": "name",
    "last_touch": "last touch",
    "follow_up": "follow-up",
    "touches": "touches",
    "age": "age",
}
COLUMN_ORDERS = {
    "name": "name",
    "company": "name",
    "touches": "touches",
    "last": "last_touch",
    "follow": "follow_up",
    "added": "age",
}
"""A click on a column header sorts by what it shows."""
QUICK_ROWS = 2_000
"""Up to this many prospects, the list is read on the UI thread (a millisecond or two);
past it, on a worker thread."""


def days_words(day: date | None, today: date) -> str:
    """A past day for people: `today`, `yesterday`, `3d ago`, `12 Nov`, `12 Nov 2025`."""
    if day is None:
        return "—"
    ago = (today - day).days
    if ago == 0:
        return "today"
    if ago == 1:
        return "yesterday"
    if 1 < ago < 7:
        return f"{ago}d ago"
    return f"{day:%-d %b}" if day.year == today.year else f"{day:%-d %b %Y}"


def follow_up_words(follow_up: date | None, today: date) -> tuple[str, str | None]:
    """How a follow-up reads, and how urgent it is: (`overdue 3d`, "error"),
    (`today`, "warning"), (`Mon 30 Nov`, None); ("", None) without one. Words as well
    as colour: the colour alone would say nothing to some readers."""
    if follow_up is None:
        return "", None
    late = (today - follow_up).days
    if late > 0:
        return f"overdue {late}d", "error"
    if late == 0:
        return "today", "warning"
    if follow_up.year != today.year:
        return f"{follow_up:%a %-d %b %Y}", None
    return f"{follow_up:%a %-d %b}", None


def due_words(due: Sequence[Prospect], today: date) -> list[str]:
    """`Acme (overdue 2d)`, `Bob (today)`: each prospect due, for Today's line."""
    return [f"{visible(p.name)} ({follow_up_words(p.follow_up, today)[0]})" for p in due]


def due_line(due: Sequence[Prospect], today: date, width: int) -> str:
    """`Follow up: Acme (overdue 2d), Bob (today)`: as many as fit `width`, then
    `and 3 more`."""
    from rich.cells import cell_len

    words = due_words(due, today)
    line = "Follow up:"
    for index, word in enumerate(words):
        left = len(words) - index - 1
        candidate = f"{line}{',' if index else ''} {word}"
        tail = f", and {left} more" if left else ""
        if index and cell_len(candidate + tail) > width:
            return f"{line}, and {len(words) - index} more"
        line = candidate
    return line


def free_keys(bindings: BindingsMap, catalog: Catalog) -> BindingsMap:
    """`bindings` without the single letters a visible metric's key holds: a tally key
    works on every tab and screen (the metric wins; the command's hint leaves it out)."""
    letters = {metric.letter for metric in catalog.visible}
    return BindingsMap(
        [
            binding
            for _key, binding in bindings
            if not (len(binding.key) == 1 and binding.key in letters)
        ]
    )


def key_of(bindings: BindingsMap, binding_id: str) -> str | None:
    """The key bound to `binding_id` in `bindings` (None when a metric took it)."""
    for _key, binding in bindings:
        if binding.id == binding_id:
            return binding.key_display or binding.key
    return None


@dataclass(frozen=True, slots=True)
class Listing:
    """What the list shows: the rows read, and how many prospects match in all."""

    query: tuple[str, str, bool]
    """(filter text, order, all) the rows were read for."""
    prospects: tuple[Prospect, ...]
    total: int
    """Prospects matching (the status filter and the text), at least len(prospects)."""


def read_listing(
    store: Store, text: str, order: str, show_all: bool, index: SearchIndex | None = None
) -> Listing:
    """The first LIMIT prospects for the filter `text` (fuzzy on name and company:
    `search`, through `index` when given), open ones unless `show_all`, in `order` (by
    name for a filter when `order` has nothing to go by)."""
    from salestui.store import prospects as stored

    status = None if show_all else "open"
    wanted = text.strip()
    if not wanted:
        rows = stored.list_prospects(store, status=status, order=order, limit=LIMIT)
        total = len(rows)
        if len(rows) >= LIMIT:
            total = stored.count_prospects(store, status=status)
        return Listing((text, order, show_all), tuple(rows), total)
    found = stored.search(store, wanted, limit=LIMIT, status=status, index=index)
    found.sort(key=SORT_KEYS[order])
    return Listing((text, order, show_all), tuple(found), len(found))


SORT_KEYS: dict[str, Callable[[Prospect], tuple[object, ...]]] = {
    "name": lambda p: (p.name.casefold(),),
    "last_touch": lambda p: (p.last_touch is None, -(p.last_touch or date.min).toordinal()),
    "follow_up": lambda p: (p.follow_up is None, p.follow_up or date.max),
    "touches": lambda p: (-p.touches,),
    "age": lambda p: (p.created_on or date.min,),
}
"""A filtered list (at most LIMIT rows) in the order chosen, as `list_prospects` orders."""


def count_line(listing: Listing, show_all: bool, order: str) -> str:
    """`12 open prospects · by last touch`, or `200 of 100,000 — type to filter`."""
    shown, total = len(listing.prospects), listing.total
    what = "prospects" if show_all else "open prospects"
    if listing.query[0].strip():
        head = f"{shown:,} matching" if shown < LIMIT else f"the first {shown:,} matches"
        return f"{head} ({'all' if show_all else 'open only'})"
    if shown < total:
        return f"{shown:,} of {total:,} — type to filter"
    if shown >= LIMIT:
        return f"the first {shown:,} — type to filter"
    return f"{total:,} {what} · by {ORDER_WORDS[order]}"


class ProspectsTab(Vertical):
    """The filter, a line saying what is shown, and the list (Enter opens a prospect)."""

    DEFAULT_CSS = """
    ProspectsTab {
        height: 1fr;
    }
    ProspectsTab #prospect-filter {
        height: 3;
    }
    ProspectsTab #prospect-count {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    ProspectsTab #prospect-list {
        height: 1fr;
    }
    ProspectsTab #prospect-empty {
        padding: 1 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("o", "cycle_order", "Order", show=False, id="prospects.order"),
        Binding("v", "toggle_all", "All/open", show=False, id="prospects.all"),
        Binding("a", "add", "Add", show=False, id="prospects.add"),
        Binding("slash", "find", "Filter", show=False, key_display="/", id="prospects.filter"),
    ]

    class Chosen(Message):
        """Enter on a prospect: the app opens it."""

        def __init__(self, prospect_id: str) -> None:
            super().__init__()
            self.prospect_id = prospect_id

    class AddWanted(Message):
        """`a` on the tab: the app asks for a new prospect."""

    def __init__(self, clock: Clock, db_path: Path) -> None:
        super().__init__(id="prospects-tab")
        self.clock = clock
        self.db_path = db_path
        self.order = "last_touch"
        self.show_all = False
        self.listing: Listing | None = None
        """What the list shows now."""
        self._asked: tuple[str, str, bool] | None = None
        """The newest query sent to be read (older answers are dropped)."""
        self._large = False
        """Many prospects: a filter is read through `_index`, or on a worker thread
        until the index is read."""
        self._index: SearchIndex | None = None
        """The names and companies to filter by (`store.prospects.SearchIndex`), read on
        a worker once there are many prospects, and again when it is stale."""
        self._indexing = False
        """An index is being read."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Type to filter by name or company", id="prospect-filter")
        yield Static("", id="prospect-count")
        yield ProspectList(id="prospect-list")
        yield Static("", id="prospect-empty")

    def on_mount(self) -> None:
        self._use_keys()
        self.query_one("#prospect-empty").display = False
        self.reload()

    def _catalog(self) -> Catalog:
        catalog = getattr(self.app, "catalog", None)
        return catalog if isinstance(catalog, Catalog) else Catalog.builtin()

    def _use_keys(self) -> None:
        self._bindings = free_keys(BindingsMap(self.BINDINGS), self._catalog())

    def follow_catalog(self) -> None:
        """The metrics changed: a letter a metric took is no longer the tab's."""
        self._use_keys()
        self._show_count()

    def focus_first(self) -> None:
        """The filter when the tab opens (type to filter at once); the list when Escape
        leaves the filter, so letter keys tally again and arrows move in the list."""
        field = self.query_one("#prospect-filter", Input)
        if self.screen.focused is field:
            self.query_one("#prospect-list", ProspectList).focus()
        else:
            field.focus()

    # -- reading ---------------------------------------------------------------------

    def reload(self) -> None:
        """Read the list again for the filter, order and status shown."""
        text = self.query_one("#prospect-filter", Input).value
        self._ask((text, self.order, self.show_all))

    def _ask(self, query: tuple[str, str, bool]) -> None:
        self._asked = query
        store = getattr(self.app, "store", None)
        filtering = bool(query[0].strip())
        if not isinstance(store, Store):
            self._read(query)
            return
        index = self._index
        try:
            if index is not None and not self._indexing and index.stale(store):
                self._start_index()  # meanwhile the old one: its matches are checked again
            if filtering and self._large and index is None:
                if self._indexing:
                    return  # its arrival reads the filter (a scan would slow it down)
                self._read(query)  # a scan of them all, off the UI thread
                return
            # The first 200 from an index (~1 ms), or a filter through the search index
            # (a few ms) or over a few prospects: on the UI thread, no thread's delay.
            listing = read_listing(store, *query, index=index)
        except StoreError as error:
            self.notify(f"Cannot read the prospects: {visible(error.cause)}", severity="error")
            return
        if not filtering:
            self._large = listing.total > QUICK_ROWS
            if self._large and index is None and not self._indexing:
                self._start_index()
        self.show(listing)

    def _start_index(self) -> None:
        self._indexing = True
        self._read_index()

    @work(thread=True, exclusive=True, group="prospects-index")
    def _read_index(self) -> None:
        """Read the search index on its own connection (~0.3 s at 100k prospects)."""
        import sqlite3

        from salestui.store.prospects import SearchIndex

        index: SearchIndex | None = None
        try:
            with Store(self.db_path, clock=self.clock) as store:
                index = SearchIndex.load(store)
        except (StoreError, sqlite3.Error):
            pass  # filters keep scanning on a worker, which says what fails
        self.post_message(self.IndexRead(index))

    class IndexRead(Message):
        """A worker's search index (None: it could not be read), for the UI thread."""

        def __init__(self, index: SearchIndex | None) -> None:
            super().__init__()
            self.index = index

    def on_prospects_tab_index_read(self, message: ProspectsTab.IndexRead) -> None:
        message.stop()
        self._indexing = False
        if message.index is not None:
            self._index = message.index
        if self.query_one("#prospect-filter", Input).value.strip():
            self.reload()  # what was found without it (or by a stale one), or waits for it

    @work(thread=True, exclusive=True, group="prospects-list")
    def _read(self, query: tuple[str, str, bool]) -> None:
        """A read too slow for the UI thread, on its own connection (newest wins)."""
        try:
            with Store(self.db_path, clock=self.clock) as store:
                listing = read_listing(store, *query)
        except StoreError as error:
            cause = visible(error.cause)
            self.app.call_from_thread(
                self.notify, f"Cannot read the prospects: {cause}", severity="error"
            )
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Read(listing))

    class Read(Message):
        """A worker's listing, for the UI thread."""

        def __init__(self, listing: Listing) -> None:
            super().__init__()
            self.listing = listing

    def on_prospects_tab_read(self, message: ProspectsTab.Read) -> None:
        message.stop()
        if message.listing.query == self._asked:
            self.show(message.listing)

    def show(self, listing: Listing) -> None:
        """Fill the list with `listing` (at most LIMIT rows), keeping the cursor's row."""
        self.listing = listing
        rows = self.query_one("#prospect-list", ProspectList)
        today = self.clock().date()
        shown = []
        for prospect in listing.prospects:
            follow, urgency = follow_up_words(prospect.follow_up, today)
            cells = (
                visible(prospect.name),
                visible(prospect.company or ""),
                prospect.source,
                prospect.status,
                f"{prospect.touches:,}",
                days_words(prospect.last_touch, today),
                follow,
            )
            shown.append(Row(prospect.id, cells, urgency))
        rows.set_rows(shown, keep=rows.cursor_key)
        empty = self.query_one("#prospect-empty", Static)
        if empty.display != (not listing.prospects):
            empty.display = not listing.prospects  # a layout pass only when it changes
        if not listing.prospects:
            add = key_of(self._bindings, "prospects.add")
            how = f"Press {add} to add one" if add else "Add one with `salestui prospect add NAME`"
            if listing.query[0].strip():
                empty.update(f"No prospect matches that. {how}, or esc to leave the filter.")
            else:
                empty.update(f"No {'' if self.show_all else 'open '}prospects yet. {how}.")
        self._show_count()

    def _show_count(self) -> None:
        listing = self.listing
        if listing is None:
            return
        line = count_line(listing, self.show_all, self.order)
        keys = [
            (key_of(self._bindings, "prospects.order"), "order"),
            (key_of(self._bindings, "prospects.all"), "all/open"),
            (key_of(self._bindings, "prospects.add"), "add"),
        ]
        hints = " · ".join(f"{key} {what}" for key, what in keys if key)
        # One line of a fixed height and the pane's width: no layout pass for it.
        self.query_one("#prospect-count", Static).update(
            Text(f"{line}   {hints} · enter open" if hints else f"{line} · enter open"),
            layout=False,
        )

    # -- keys and events -------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "prospect-filter":
            event.stop()
            self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter opens the first match."""
        if event.input.id != "prospect-filter":
            return
        event.stop()
        rows = self.query_one("#prospect-list", ProspectList)
        if self.listing and self.listing.prospects:
            row = rows.cursor_row if 0 <= rows.cursor_row < len(self.listing.prospects) else 0
            self.post_message(self.Chosen(self.listing.prospects[row].id))

    def on_key(self, event: object) -> None:
        """Down from the filter goes to the list."""
        key = getattr(event, "key", "")
        field = self.query_one("#prospect-filter", Input)
        if key == "down" and self.screen.focused is field:
            self.query_one("#prospect-list", ProspectList).focus()
            getattr(event, "stop", lambda: None)()

    def on_prospect_list_selected(self, event: ProspectList.Selected) -> None:
        event.stop()
        self.post_message(self.Chosen(event.prospect_id))

    def on_prospect_list_header_clicked(self, event: ProspectList.HeaderClicked) -> None:
        event.stop()
        order = COLUMN_ORDERS.get(event.column)
        if order is not None:
            self.order = order
            self.reload()

    def action_cycle_order(self) -> None:
        at = ORDERS.index(self.order) if self.order in ORDERS else -1
        self.order = ORDERS[(at + 1) % len(ORDERS)]
        self.reload()

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.reload()

    def action_add(self) -> None:
        self.post_message(self.AddWanted())

    def action_find(self) -> None:
        self.query_one("#prospect-filter", Input).focus()

    def on_prospects_changed(self, message: ProspectsChanged) -> None:
        self.reload()


# -- adding and editing a prospect ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProspectForm:
    """What the add/edit form returns: checked name, company (None: none) and source."""

    name: str
    company: str | None
    source: str


class ProspectFormScreen(ModalScreen[ProspectForm | None]):
    """Name, company and source (add, or edit with the fields filled). A bad field is
    said in one line under them and nothing is returned."""

    DEFAULT_CSS = BOX_CSS.format(name="ProspectFormScreen")
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="prospect-form.cancel")]

    def __init__(self, title: str, prospect: Prospect | None = None, name: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.prospect = prospect
        self.name_given = name

    def compose(self) -> ComposeResult:
        prospect = self.prospect
        with Vertical() as box:
            box.border_title = self.title_text
            box.border_subtitle = "enter to save · tab next field · esc to cancel"
            yield Static("Name:", classes="hint")
            yield Input(
                value=prospect.name if prospect else self.name_given,
                placeholder="Ada Lovelace",
                id="prospect-name",
            )
            yield Static("Company (may be empty):", classes="hint")
            yield Input(value=(prospect.company or "") if prospect else "", id="prospect-company")
            yield Static(f"Source ({', '.join(SOURCES)}):", classes="hint")
            yield Input(value=prospect.source if prospect else "cold", id="prospect-source")
            yield Static("", id="prospect-form-error", classes="error")

    def on_mount(self) -> None:
        self.query_one("#prospect-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#prospect-form-error", Static)
        try:
            name = check_name(self.query_one("#prospect-name", Input).value)
            company_text = self.query_one("#prospect-company", Input).value
            company = check_name(company_text, "company") if company_text.strip() else None
            source = check_source(self.query_one("#prospect-source", Input).value or "cold")
        except ValueError as refused:
            error.update(Text(visible(str(refused))))
            return
        self.dismiss(ProspectForm(name, company, source))


# -- the picker `p` links a tally with --------------------------------------------------------

NEW = "new:"
"""An option id's prefix for "Add NAME as a new prospect"."""
PICKER_ROWS = 20


class ProspectPicker(ModalScreen[str | None]):
    """Type to filter (fuzzy, by name and company); Enter picks the highlighted one. A
    name no prospect has offers "Add NAME as a new prospect". Returns a prospect's id, or
    `new:NAME` for a new one (the app adds it), or None (Escape)."""

    DEFAULT_CSS = BOX_CSS.format(name="ProspectPicker")
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel")]

    def __init__(self, store: Store, about: str) -> None:
        super().__init__()
        self.store = store
        self.about = about

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Link to a prospect"
            box.border_subtitle = "type to filter · enter to pick · esc to cancel"
            yield Static(Text(self.about), classes="hint", id="picker-about")
            yield Input(placeholder="Name or company", id="picker-filter")
            yield OptionList(id="picker-options")
            yield Static("", id="picker-error", classes="error")

    def on_mount(self) -> None:
        self.query_one("#picker-filter", Input).focus()
        self._fill("")

    def _fill(self, text: str) -> None:
        from salestui.store import prospects as stored

        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        wanted = text.strip()
        try:
            if wanted:
                found = stored.search(self.store, wanted, limit=PICKER_ROWS)
            else:
                found = stored.list_prospects(
                    self.store, status="open", order="last_touch", limit=PICKER_ROWS
                )
        except StoreError as error:
            self.query_one("#picker-error", Static).update(
                f"Cannot read the prospects: {visible(error.cause)}"
            )
            return
        found = [p for p in found if p.is_open] + [p for p in found if not p.is_open]
        for prospect in found:
            company = f" · {visible(prospect.company)}" if prospect.company else ""
            status = "" if prospect.is_open else f" ({prospect.status})"
            options.add_option(Option(f"{visible(prospect.name)}{company}{status}", id=prospect.id))
        exact = any(" ".join(wanted.split()).casefold() == p.name.casefold() for p in found)
        if wanted and not exact:
            options.add_option(
                Option(
                    f"Add {visible(' '.join(wanted.split()))} as a new prospect", id=NEW + wanted
                )
            )
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#picker-error", Static).update("")
        self._fill(event.value)

    def on_key(self, event: object) -> None:
        """Up and down move in the list while typing."""
        key = getattr(event, "key", "")
        if key in ("up", "down"):
            options = self.query_one("#picker-options", OptionList)
            (options.action_cursor_up if key == "up" else options.action_cursor_down)()
            getattr(event, "stop", lambda: None)()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is None:
            self.query_one("#picker-error", Static).update("Type a name first.")
            return
        self._pick(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id is None:
            return
        if option_id.startswith(NEW):
            try:
                check_name(option_id[len(NEW) :])
            except ValueError as refused:
                self.query_one("#picker-error", Static).update(Text(visible(str(refused))))
                return
        self.dismiss(option_id)


def last_tally(store: Store, own_tallies: Sequence[str]) -> Event | None:
    """This window's newest tally still in force (what `p` links, as `n` notes)."""
    for event_id in reversed(own_tallies):
        try:
            if not store.is_cancelled(event_id):
                return store.event(event_id)
        except StoreError:
            return None
    return None


def touch(metric: str, delta: int, prospect_id: str) -> WriteAction:
    """A write action: a tally of `metric` linked to a prospect (and the metric's
    follow-up rule applied), one of this window's tallies (so `u` undoes it)."""

    def action(store: Store, own: OwnTallies) -> Event:
        from salestui.store.prospects import log_touch

        event, _follow_up = log_touch(store, metric, delta, prospect_id, source=SOURCE)
        own.ids.append(event.id)
        return event

    return action
