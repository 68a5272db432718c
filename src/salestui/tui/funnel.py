"""The Funnel tab: where do I lose people?"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.widgets import Input, Label, Select, Static

from salestui.clock import Clock
from salestui.domain.catalog import BUILTIN_FUNNEL, Catalog
from salestui.domain.funnel import UNCERTAIN_MARK, Funnel
from salestui.domain.history import MONTH_ABBREVIATIONS
from salestui.domain.periods import parse_period
from salestui.figures import FunnelView
from salestui.store.events import StoreError
from salestui.tui.charts import rate_spark, step_label, uncertain_legend
from salestui.tui.messages import CatalogChanged

PERIOD_CHOICES: tuple[tuple[str, str], ...] = (
    ("Today", "today"),
    ("This week", "week"),
    ("This month", "month"),
    ("Last 30 days", "30d"),
    ("Last 90 days", "90d"),
    ("This quarter", "quarter"),
    ("This year", "year"),
    ("All time", "all"),
    ("Custom range…", "custom"),
)

RANGE_EXAMPLE = "2026-11-01..2026-11-15"
RANGE_HINT = (
    f"Type a range like {RANGE_EXAMPLE}, a month like 2026-10 or 14d (the last 14 days), "
    "then press Enter."
)
"""Shown under the custom range field: its placeholder holds only the first example."""

BAR_WIDTH = 40


@dataclass(frozen=True, slots=True)
class FunnelFigures:
    """What the Funnel tab shows, loaded off the UI thread."""

    view: FunnelView
    trend: list[tuple[str, Funnel]]
    name: str = BUILTIN_FUNNEL
    """The funnel these figures are of."""


def funnel_text(view: FunnelView, width: int | None = None) -> Text:
    """Counts as bars, each step's rate in numbers and words, the overall rate, footnotes.

    Every figure is worded by the domain (`Funnel.rate_text`, `rate_words`, `notes`), the
    same as `salestui funnel` and the report. Drawn `width` wide (`FunnelBars` passes
    the pane's): the bars get shorter, and the words in brackets go where they would
    wrap, so the numbers keep their column.
    """
    funnel = view.funnel
    stages = funnel.stages
    text = Text()
    widest = max(funnel.counts.values()) or 1
    # Labels get a column as wide as the longest (Applications), at least the built-ins'.
    label_width = max(9, *(len(metric.label) + 1 for metric in stages))
    bar_width = BAR_WIDTH if width is None else max(1, min(BAR_WIDTH, width - label_width - 12))

    def fits(line: str) -> bool:
        return width is None or len(line) <= width

    for index, metric in enumerate(stages):
        count = funnel.counts[metric.key]
        blocks = 0 if count <= 0 else max(1, round(bar_width * count / widest))
        text.append(f"  {metric.label:<{label_width}}", style="bold")
        text.append(f"{count:>8,}  ", style="bold")
        text.append("█" * blocks + "\n", style="cyan")
        if index + 1 == len(stages):
            break
        stage = stages[index + 1].key
        indent = " " * (label_width + 11) + "↓ "
        rate = funnel.rate_text(stage)
        words = f"  ({funnel.rate_words(stage)})"
        if not fits(indent + rate + words):
            words = ""  # the rate in words goes first, then the rate's column
        if not fits(indent + rate):
            indent = "  ↓ "
        text.append(indent, style="dim")
        text.append(rate, style="bold")
        text.append(f"{words}\n", style="dim")
    first, last = stages[0], stages[-1]
    # "close" is the salesperson's word; other funnels say what the top becomes.
    outcome = "close" if last.key == "sales" else f"become {last.key}"
    closing = "" if funnel.overall is None else f" of {first.key} {outcome}"
    overall = funnel.overall_text()
    words = f"  ({funnel.overall_words()})"
    text.append("  Overall ")
    text.append(overall, style="bold")
    text.append(closing)
    text.append(f"{words}\n" if fits(f"  Overall {overall}{closing}{words}") else "\n")
    for note in funnel.notes():
        text.append(f"  {note}\n", style="yellow")
    return text


@dataclass(frozen=True, slots=True)
class FunnelBars:
    """`funnel_text` drawn at the width it is given."""

    view: FunnelView

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield funnel_text(self.view, options.max_width)


def trend_table(trend: list[tuple[str, Funnel]]) -> Table | Group:
    """Rates month by month, with a small chart drawn from zero.

    One row per step of the funnel, labelled `c→m`, `m→s` as in History's week table.
    Use `TrendTable` to show it: that drops the oldest months rather than cutting cells
    when it is narrow.
    """
    table = Table(
        box=None,
        padding=(0, 1, 0, 0),
        header_style="bold dim",
        title="Rates by month",
        title_justify="left",
        title_style="bold",
    )
    table.add_column("", no_wrap=True)
    for month, _ in trend:
        year, number = month.split("-")
        label = MONTH_ABBREVIATIONS[int(number) - 1]
        table.add_column(label, justify="right", no_wrap=True)
    # Each row's chart runs from 0% to its highest rate, so 15% -> 19% is ▇█, not ▁█.
    table.add_column("from 0%", no_wrap=True)
    marked = False
    stages = trend[0][1].stages if trend else ()
    for before, after in zip(stages, stages[1:], strict=False):
        rates = [funnel.rates[after.key] for _, funnel in trend]
        cells = [funnel.rate_text(after.key, 0) for _, funnel in trend]
        marked = marked or any(cell.endswith(UNCERTAIN_MARK) for cell in cells)
        table.add_row(step_label(before, after), *cells, rate_spark(rates))
    # The key goes under the table, not in its caption: a caption wraps at the table's width.
    if marked:
        return Group(table, Text(uncertain_legend(stages), style="dim"))
    return table


@dataclass(frozen=True, slots=True)
class TrendTable:
    """The last 12 months of `trend_table`, or as many of the latest as fit the width.

    Twelve months of `100%?` need about 90 columns; cut cells (`10…`) would say a
    wrong number, so a narrow screen shows fewer, whole months instead.
    """

    trend: list[tuple[str, Funnel]]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # Measured without a width limit: a measurement is otherwise capped at the width.
        unbounded = options.update_width(10_000)
        months = len(self.trend)
        table = trend_table(self.trend)
        while months > 1 and width_of(console, unbounded, table) > options.max_width:
            months -= 1
            table = trend_table(self.trend[-months:])
        yield table


class FunnelTab(VerticalScroll):
    """Counts and conversions for a chosen period, and how the rates move month by month.

    With two funnels or more, a picker chooses which one is shown (the active one, which
    Goals plans, until another is picked). Picking one here only shows it: making it the
    one Goals plans is `salestui funnel use` (a deliberate step, not a side effect of
    looking)."""

    DEFAULT_CSS = """
    FunnelTab {
        padding: 0 1 0 0;
        /* The focus mark takes the place of the left padding: nothing moves on focus. */
        border-left: blank;
    }
    FunnelTab:focus {
        border-left: outer $accent;
    }
    .hidden {
        display: none;
    }
    .error {
        color: $error;
        padding: 0 1;
    }
    .field-label {
        height: 3;
        content-align: left middle;
    }
    #funnel-controls {
        height: auto;
    }
    .control-group {
        width: auto;
        height: 3;
    }
    /* A narrow pane: the words before the pickers go first, then the pickers stack. */
    FunnelTab.-bare .field-label {
        display: none;
    }
    FunnelTab.-stacked #funnel-controls {
        layout: vertical;
    }
    FunnelTab.-stacked #period-span {
        height: 1;
        padding-left: 1;
    }
    #period-select {
        width: 22;
    }
    #funnel-select {
        width: 22;
        margin-right: 1;
    }
    #period-input {
        width: 28;
    }
    #period-span {
        width: 1fr;
        min-width: 10;
        height: 3;
        content-align: left middle;
        padding-left: 2;
        color: $text-muted;
    }
    /* Errors and the hint wrap: a long one is never cut at the screen's edge. */
    #period-error, #period-hint {
        width: 1fr;
        height: auto;
    }
    #period-hint {
        color: $text-muted;
        padding: 0 1;
    }
    #funnel-body {
        margin-top: 1;
    }
    #funnel-trend {
        margin-top: 1;
    }
    """

    figures: var[FunnelFigures | None] = var(None)

    def __init__(self, clock: Clock, db_path: Path | None = None) -> None:
        super().__init__()
        self.clock = clock
        self.db_path = db_path
        """Where a funnel other than the app's figures' is read from (None: never)."""
        self._awaiting_range = False
        """True from picking "Custom range…" until a range is sent: the figures below are
        still the previous period's, and the span label says so."""
        self._spec = "month"
        """The period shown (the last one sent up with PeriodChosen)."""
        self.chosen: str | None = None
        """The funnel picked in the picker; None: the active one."""
        self._span_text = ""
        """What the figures cover, as the span label says it."""

    class PeriodChosen(Message):
        """The user picked a period (a spec `parse_period` accepts today)."""

        def __init__(self, spec: str) -> None:
            super().__init__()
            self.spec = spec

    class Loaded(Message):
        """The picked funnel's figures, read by this tab's own worker."""

        def __init__(self, figures: FunnelFigures) -> None:
            super().__init__()
            self.figures = figures

    def compose(self) -> ComposeResult:
        catalog = self._catalog()
        with Horizontal(id="funnel-controls"):
            # Shown only once there is a second funnel to pick (funnel_choice_shown).
            with Horizontal(id="funnel-group", classes="control-group funnel-choice hidden"):
                yield Label("Funnel ", classes="field-label funnel-choice hidden")
                yield Select(
                    funnel_options(catalog),
                    value=catalog.active_name,
                    allow_blank=False,
                    type_to_search=False,
                    id="funnel-select",
                    classes="funnel-choice hidden",
                )
            with Horizontal(id="period-group", classes="control-group"):
                yield Label("Period ", classes="field-label")
                # No type-to-search in the open list: c, m and s tally whatever has focus.
                yield Select(
                    PERIOD_CHOICES,
                    value="month",
                    allow_blank=False,
                    type_to_search=False,
                    id="period-select",
                )
                yield Input(placeholder=RANGE_EXAMPLE, id="period-input", classes="hidden")
            yield Label("", id="period-span")
        yield Label("", id="period-error", classes="error")
        yield Label(RANGE_HINT, id="period-hint", classes="hidden")
        yield Static("", id="funnel-body")
        yield Static("", id="funnel-trend")
        from salestui.tui.prospect_figures import ProspectsSection

        yield ProspectsSection(self.clock, self.db_path)  # shown once there are prospects
        from salestui.tui.timer import TimeSection

        yield TimeSection(self.clock, self.db_path)  # shown once time was tracked

    def on_mount(self) -> None:
        self._show_funnel_choice(self._catalog())

    def focus_first(self) -> None:
        """The first picker: the funnel (when there are two or more), else the period.
        Enter (or ↓) opens it."""
        funnels = self.query_one("#funnel-select", Select)
        (funnels if funnels.display else self.query_one("#period-select", Select)).focus()

    # -- fitting the pane ------------------------------------------------------------

    def on_resize(self) -> None:
        self._fit_controls()

    def _fit_controls(self) -> None:
        """The pickers and the span in one row with their words while they fit; else
        without the words (`Funnel`, `Period`: the pickers show what they hold); else
        one picker a row, the span under them."""
        available = self.scrollable_content_region.width
        if not available:
            return  # not laid out yet: its first resize calls again
        if not self.show_vertical_scrollbar:
            # Room for a scrollbar that the taller stacked layout may bring.
            available -= self.styles.scrollbar_size_vertical
        picker = self.query_one("#funnel-select", Select).display
        typing = self.query_one("#period-input", Input).display
        span_width = len(self._span_text) + 2
        # Each group's picker (and the range field while one is typed), then its word.
        groups = ([22 + 1] if picker else []) + [22 + (28 if typing else 0)]
        labelled = [width + len("Period ") for width in groups]
        if sum(labelled) + span_width <= available:
            bare, stacked = False, False
        elif sum(groups) + span_width <= available:
            bare, stacked = True, False
        else:
            bare, stacked = max(labelled) > available, True
        self.set_class(bare, "-bare")
        self.set_class(stacked, "-stacked")

    # -- which funnel --------------------------------------------------------------

    def _catalog(self) -> Catalog:
        catalog = getattr(self.app, "catalog", None)
        return catalog if isinstance(catalog, Catalog) else Catalog.builtin()

    def wanted(self) -> str:
        """The funnel to show: the one picked, else the active one."""
        catalog = self._catalog()
        names = {funnel.name for funnel in catalog.funnels}
        return self.chosen if self.chosen in names else catalog.active_name

    def _show_funnel_choice(self, catalog: Catalog) -> None:
        """The picker with the catalog's funnels, on the one shown; hidden with only one."""
        select = self.query_one("#funnel-select", Select)
        with self.prevent(Select.Changed):  # filling the picker is not a pick
            select.set_options(funnel_options(catalog))
            select.value = self.wanted()
        for widget in self.query(".funnel-choice"):
            widget.set_class(len(catalog.funnels) < 2, "hidden")
        self._fit_controls()

    def follow_catalog(self) -> None:
        """The metrics or funnels changed (app.catalog is the new catalog): offer its
        funnels; a picked funnel that is gone gives way to the active one."""
        catalog = self._catalog()
        if self.chosen not in {funnel.name for funnel in catalog.funnels}:
            self.chosen = None
        self._show_funnel_choice(catalog)

    def on_catalog_changed(self, message: CatalogChanged) -> None:
        self.follow_catalog()

    def show_figures(self, figures: FunnelFigures) -> None:
        """Figures the app read (the active funnel's, unless it was told the one picked):
        shown when they are of the funnel wanted here, else that one is read instead."""
        if figures.name == self.wanted():
            self.figures = figures
        else:
            self._read_wanted()

    def _read_wanted(self) -> None:
        if self.db_path is None:
            return
        self._read_funnel(self.db_path, self._spec, self.wanted())

    @work(thread=True, exclusive=True, group="funnel-choice")
    def _read_funnel(self, db_path: Path, spec: str, name: str) -> None:
        """The picked funnel's counts and trend, on a worker thread."""
        from salestui.tui.background import load_funnel_figures

        try:
            figures = load_funnel_figures(db_path, self.clock, spec, name)
        except (StoreError, ValueError) as error:
            message = error.cause if isinstance(error, StoreError) else str(error)
            self.app.call_from_thread(
                self.notify, f"Cannot show that funnel: {message}", severity="error", markup=False
            )
            return
        self.post_message(self.Loaded(figures))

    def on_funnel_tab_loaded(self, message: FunnelTab.Loaded) -> None:
        message.stop()
        if message.figures.name == self.wanted():
            self.figures = message.figures

    # -- which period --------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "funnel-select":
            if isinstance(event.value, str) and event.value != self.wanted():
                self.chosen = event.value
                self._read_wanted()
            return
        custom = self.query_one("#period-input", Input)
        hint = self.query_one("#period-hint", Label)
        self.query_one("#period-error", Label).update("")
        if event.value == "custom":
            self._awaiting_range = True
            custom.remove_class("hidden")
            hint.remove_class("hidden")
            self._show_span()  # fits the controls too
            custom.focus()
            return
        self._awaiting_range = False
        custom.add_class("hidden")
        custom.remove_class("-invalid")
        hint.add_class("hidden")
        self._fit_controls()
        self._choose(str(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "period-input":
            return
        event.stop()
        spec = event.value.strip()
        if not spec:
            self.show_error(f"Nothing typed yet: {RANGE_HINT[0].lower()}{RANGE_HINT[1:]}")
            return
        self._awaiting_range = False
        self.query_one("#period-hint", Label).add_class("hidden")
        self._choose(spec)

    def _choose(self, spec: str) -> None:
        """Show `spec`'s figures (the app reads them), or say why it is refused."""
        try:
            parse_period(spec, self.clock().date())
        except ValueError as error:
            self.show_error(str(error))
            return
        self._spec = spec
        self.post_message(self.PeriodChosen(spec))

    def show_error(self, message: str) -> None:
        """A typed range was refused: say why (which replaces the hint); the figures stay
        the previous period's."""
        self._awaiting_range = True
        self.query_one("#period-error", Label).update(message)
        self.query_one("#period-hint", Label).add_class("hidden")
        self.query_one("#period-input", Input).add_class("-invalid")
        self._show_span()

    def _show_span(self) -> None:
        """What the figures below cover; while a custom range is being typed, that they
        are still the previous period's."""
        figures = self.figures
        if figures is None:
            span = ""
        elif figures.view.span is None:
            span = f"{figures.view.period.label}: no events yet"
        else:
            span = f"{figures.view.period.label} · {figures.view.span.compact()}"
        if self._awaiting_range:
            span = f"still showing {span}" if span else ""
        self._span_text = span
        self.query_one("#period-span", Label).update(span)
        self._fit_controls()

    def watch_figures(self, figures: FunnelFigures | None) -> None:
        if figures is None:
            return
        view = figures.view
        if not self._awaiting_range:
            # A reload while a range is being typed keeps its error on screen.
            self.query_one("#period-error", Label).update("")
            self.query_one("#period-input", Input).remove_class("-invalid")
        self._show_span()
        self.query_one("#funnel-body", Static).update(FunnelBars(view))
        self.query_one("#funnel-trend", Static).update(TrendTable(figures.trend))
        from salestui.tui.prospect_figures import ProspectsSection

        self.query_one(ProspectsSection).load(self._spec)
        from salestui.tui.timer import TimeSection

        self.query_one(TimeSection).load()


def width_of(console: Console, options: ConsoleOptions, table: Table | Group) -> int:
    """How wide a trend table is drawn; the key under it wraps, so it does not count."""
    measured = table.renderables[0] if isinstance(table, Group) else table
    return Measurement.get(console, options, measured).maximum


def funnel_options(catalog: Catalog) -> list[tuple[str, str]]:
    """The funnel picker's choices: each funnel by name, the active one marked."""
    return [
        (
            f"{funnel.name} (active)" if funnel.name == catalog.active_name else funnel.name,
            funnel.name,
        )
        for funnel in catalog.funnels
    ]
