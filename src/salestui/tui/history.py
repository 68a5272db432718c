"""The History tab: am I keeping the habit? A year heatmap, streaks, weeks, and each day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive, var
from textual.widget import Widget
from textual.widgets import Label, Select, Static

from salestui.domain.catalog import Catalog
from salestui.domain.funnel import UNCERTAIN_MARK, Funnel
from salestui.domain.history import Heatmap, Streaks, WeekRow
from salestui.domain.metrics import METRICS, Metric
from salestui.tui.charts import FirstThatFits, packed, step_label, uncertain_legend
from salestui.tui.messages import CatalogChanged

DARK_LEVELS = (
    Style(color="grey35"),
    Style(color="#0e6b35"),
    Style(color="#1a9a4a"),
    Style(color="#2fc25b"),
    Style(color="#5df08a", bold=True),
)
"""Cell colours from nothing (0) to the busiest quarter (4) on a dark theme: busier is
brighter, standing out more from the dark background."""
LIGHT_LEVELS = (
    Style(color="#a3a3a3"),
    Style(color="#7cc98a"),
    Style(color="#3c9f55"),
    Style(color="#22773a"),
    Style(color="#0c4d22", bold=True),
)
"""The same on a light theme: busier is darker (the dark theme's brightest green all
but vanished on a light background, so the busiest days looked the emptiest)."""
LEVEL_STYLES = DARK_LEVELS
"""The default theme's (textual-dark) cell colours."""
CELL = "■"
DAY_OFF_CELL = "·"
WEEKDAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
LABEL_WIDTH = 4


@dataclass(frozen=True, slots=True)
class HistoryFigures:
    """What the History tab shows, loaded off the UI thread."""

    heatmaps: dict[str, Heatmap]
    streaks: Streaks
    streak_rule: str
    best_day: dict[str, tuple[date, int] | None]
    best_week: dict[str, tuple[date, int] | None]
    weeks: Sequence[WeekRow | tuple[date, Funnel]]
    """The last weeks, this week first: the active funnel's stages."""
    metrics: dict[str, Metric] = field(default_factory=lambda: {m.key: m for m in METRICS})
    """Every metric with a heatmap, by key: its words."""
    hidden: tuple[str, ...] = ()
    """The keys of hidden metrics (their history is kept and can be looked at)."""


class HeatmapGrid(Widget, can_focus=True):
    """Weeks across, Monday to Sunday down; arrows (or the mouse) pick a day, Enter opens it."""

    BINDINGS = [
        Binding("left", "move(0, -1)", "Day", show=False, id="heat.left"),
        Binding("right", "move(0, 1)", "Day", show=False, id="heat.right"),
        Binding("up", "move(-1, 0)", "Day", show=False, id="heat.up"),
        Binding("down", "move(1, 0)", "Day", show=False, id="heat.down"),
        Binding("enter", "open", "Open day", show=False, id="heat.open"),  # the hint says Enter
    ]

    DEFAULT_CSS = """
    HeatmapGrid {
        height: auto;
        width: auto;
    }
    """

    heatmap: reactive[Heatmap | None] = reactive(None, layout=True)
    cursor: reactive[tuple[int, int]] = reactive((0, 0))
    """(weekday row, week column)."""

    class DayChosen(Message):
        """Enter or a click on a day."""

        def __init__(self, day: date) -> None:
            super().__init__()
            self.day = day

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._placed = False
        self.unit: Metric | None = None
        """The metric drawn, for its words (`3 calls`); set before `heatmap`."""

    def watch_heatmap(self, heatmap: Heatmap | None) -> None:
        """Start on today; later refreshes keep the day the user picked."""
        if heatmap is not None and (not self._placed or self.selected() is None):
            self.cursor = (heatmap.today.weekday(), heatmap.weeks - 1)
            self._placed = True

    def selected(self) -> date | None:
        heatmap = self.heatmap
        row, column = self.cursor
        if heatmap is None or column >= heatmap.weeks:
            return None
        return heatmap.rows[row][column].day

    def get_content_width(self, container: Size, viewport: Size) -> int:
        grid = LABEL_WIDTH + (self.heatmap.weeks if self.heatmap else 53)
        legend = LABEL_WIDTH + sum(part.cell_len + 2 for part in self._legend_parts())
        natural = max(grid, legend)
        return min(natural, container.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + 7 + self._legend(width).plain.count("\n") + 1 + 1

    def shown_weeks(self, width: int | None = None) -> int:
        """How many of the latest weeks fit `width` (the widget's own by default): a
        narrow pane shows fewer whole weeks, today's always last."""
        heatmap = self.heatmap
        if heatmap is None:
            return 0
        width = self.content_size.width if width is None else width
        return max(1, min(heatmap.weeks, width - LABEL_WIDTH))

    def _first_column(self) -> int:
        """The heatmap's column drawn first (the older ones do not fit)."""
        heatmap = self.heatmap
        return heatmap.weeks - self.shown_weeks() if heatmap is not None else 0

    def _levels(self) -> tuple[Style, ...]:
        """The cell colours for the theme in use: busier days stand out more from its
        background (brighter on a dark theme, darker on a light one)."""
        theme = self.app.current_theme if self.is_attached else None
        return LIGHT_LEVELS if theme is not None and not theme.dark else DARK_LEVELS

    def _legend_parts(self) -> list[Text]:
        levels = self._levels()
        parts = []
        for index, step in enumerate(self.heatmap.legend if self.heatmap else ()):
            part = Text("less ", style="dim") if index == 0 else Text()
            part.append(CELL, style=levels[step.level])
            part.append(f" {step.text()}", style="dim")
            parts.append(part)
        parts.append(Text("more", style="dim"))
        parts.append(Text(f"{DAY_OFF_CELL} day off", style="dim"))
        return parts

    def _legend(self, width: int) -> Text:
        """The legend under the grid, on as many lines as `width` needs (a step is never
        split from its colour)."""
        legend = Text(" " * LABEL_WIDTH)
        legend.append_text(
            packed(self._legend_parts(), width - LABEL_WIDTH, indent=LABEL_WIDTH, gap="  ")
        )
        return legend

    def _selected_line(self, width: int) -> Text:
        """The day under the cursor and its count; `(day off)` and the Enter hint go
        first when the width is short."""
        heatmap = self.heatmap
        day = self.selected()
        if heatmap is None or day is None:
            return Text("")
        row, column = self.cursor
        cell = heatmap.rows[row][column]
        line = Text(" " * LABEL_WIDTH)
        line.append(f"{day:%a} {day.day} {day:%b %Y}: ", style="bold")
        unit = self.unit
        line.append(unit.amount(cell.count) if unit else f"{cell.count:,} {heatmap.metric}")
        extras = []
        if not cell.working:
            extras.append(Text("  (day off)", style="dim"))
        if self.has_focus:
            extras.append(Text("  · Enter to open", style="dim"))
        for extra in extras:
            if line.cell_len + extra.cell_len <= width:
                line.append_text(extra)
        return line

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        """Fewer weeks shown: the cursor stays on a day that is shown."""
        row, column = self.cursor
        first = self._first_column()
        if self.heatmap is not None and column < first:
            self.cursor = (row, first)

    def render(self) -> Text:
        heatmap = self.heatmap
        text = Text(no_wrap=True, overflow="crop")
        if heatmap is None:
            return text
        width = self.content_size.width
        shown = self.shown_weeks(width)
        first = heatmap.weeks - shown
        levels = self._levels()
        months = [" "] * shown
        for column, name in heatmap.month_labels:
            # Only whole names: a cut one ("D") would be a riddle.
            place = column - first
            if place >= 0 and place + len(name) <= shown:
                months[place : place + len(name)] = list(name)
        text.append(" " * LABEL_WIDTH + "".join(months) + "\n", style="dim")
        cursor_row, cursor_column = self.cursor
        for row_index, row in enumerate(heatmap.rows):
            text.append(f"{WEEKDAY_LABELS[row_index]:<{LABEL_WIDTH}}", style="dim")
            for column, cell in enumerate(row[first:], start=first):
                if cell.day is None:
                    text.append(" ")
                    continue
                glyph = CELL if cell.working or cell.count else DAY_OFF_CELL
                style = levels[cell.level]
                if self.has_focus and (row_index, column) == (cursor_row, cursor_column):
                    style = style + Style(reverse=True)
                text.append(glyph, style=style)
            text.append("\n")
        text.append_text(self._legend(width))
        text.append("\n")
        text.append_text(self._selected_line(width))
        return text

    def action_move(self, rows: int, columns: int) -> None:
        heatmap = self.heatmap
        if heatmap is None:
            return
        row, column = self.cursor
        row, column = row + rows, column + columns
        if row < 0:
            row, column = 6, column - 1
        elif row > 6:
            row, column = 0, column + 1
        column = max(self._first_column(), min(heatmap.weeks - 1, column))
        if heatmap.rows[row][column].day is not None:
            self.cursor = (row, column)

    def action_open(self) -> None:
        day = self.selected()
        if day is not None:
            self.post_message(self.DayChosen(day))

    def on_click(self, event: events.Click) -> None:
        heatmap = self.heatmap
        row, place = event.y - 1, event.x - LABEL_WIDTH
        if heatmap is None or not (0 <= row < 7 and 0 <= place < self.shown_weeks()):
            return
        column = self._first_column() + place
        if heatmap.rows[row][column].day is not None:
            self.cursor = (row, column)
            self.focus()
            self.action_open()


def week_table(
    weeks: Sequence[WeekRow | tuple[date, Funnel]], rates: int | None = None
) -> Table | Group:
    """The last weeks' counts and rates of a funnel's stages (calls, meetings, sales for
    `WeekRow`s), rates worded as everywhere (`33.3%?`, `—`); only the first `rates` rate
    columns when given (`fitting_week_table` drops the last ones on a narrow pane)."""
    rows = [
        (row.start, Funnel({"calls": row.calls, "meetings": row.meetings, "sales": row.sales}))
        if isinstance(row, WeekRow)
        else row
        for row in weeks
    ]
    stages = rows[0][1].stages if rows else METRICS
    table = Table(
        box=None,
        padding=(0, 2, 0, 0),
        header_style="bold dim",
    )
    table.add_column("Week of", no_wrap=True)
    for metric in stages:
        table.add_column(metric.key, justify="right", no_wrap=True)
    rated = stages[1:] if rates is None else stages[1 : 1 + rates]
    for before, after in zip(stages, rated, strict=False):
        table.add_column(step_label(before, after), justify="right", no_wrap=True)
    marked = False
    for start, funnel in rows:
        rate_cells = [funnel.rate_text(metric.key) for metric in rated]
        marked = marked or any(rate.endswith(UNCERTAIN_MARK) for rate in rate_cells)
        table.add_row(
            f"{start.day} {start:%b}",
            *(f"{funnel.counts[metric.key]:,}" for metric in stages),
            *rate_cells,
        )
    # The key goes under the table, not in its caption: a caption wraps at the table's width.
    return Group(table, Text(uncertain_legend(stages), style="dim")) if marked else table


def fitting_week_table(weeks: Sequence[WeekRow | tuple[date, Funnel]]) -> FirstThatFits:
    """`week_table` with every rate column, or without the last ones where the pane is
    too narrow for them: a count or a rate is never cut."""
    first = weeks[0] if weeks else None
    stages = len(first[1].stages) if isinstance(first, tuple) else 3
    return FirstThatFits(tuple(week_table(weeks, rates) for rates in range(stages - 1, -1, -1)))


def summary_text(figures: HistoryFigures, metric: str, width: int = 10_000) -> Text:
    """The streak and its rule, then the best day and week; a part that would not fit
    `width` beside the one before it starts a line of its own (a date is never split
    from its year when it fits a line)."""
    streaks = figures.streaks
    streak = Text("Streak ", style="dim")
    streak.append(f"{streaks.current} working day{'s' if streaks.current != 1 else ''}", "bold")
    streak.append(f" · longest {streaks.longest}", style="bold")
    text = packed([streak, Text(f"({figures.streak_rule})", style="dim")], width, gap="  ")
    text.append("\n")
    best_day = figures.best_day.get(metric)
    best_week = figures.best_week.get(metric)
    label = metric
    bests = []
    if best_day:
        part = Text("Best day ", style="dim")
        part.append(f"{best_day[1]:,} {label}", style="bold")
        part.append(f" ({best_day[0]:%a} {best_day[0].day} {best_day[0]:%b %Y})")
        bests.append(part)
    if best_week:
        part = Text("Best week ", style="dim")
        part.append(f"{best_week[1]:,} {label}", style="bold")
        part.append(f" (week of {best_week[0].day} {best_week[0]:%b %Y})")
        bests.append(part)
    if not bests:
        bests.append(Text("No tallies yet: each day you work fills a square.", style="dim"))
    text.append_text(packed(bests, width))
    return text


@dataclass(frozen=True, slots=True)
class Summary:
    """`summary_text` drawn at the width it is given."""

    figures: HistoryFigures
    metric: str

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield summary_text(self.figures, self.metric, options.max_width)


class HistoryTab(VerticalScroll):
    """The last 12 months at a glance; pick a day to see or fix its tallies."""

    DEFAULT_CSS = """
    HistoryTab {
        padding: 0 1;
    }
    #history-controls {
        height: 3;
    }
    #history-metric {
        width: 18;
    }
    #history-hint {
        width: 1fr;
        height: 3;
        content-align: left middle;
        padding-left: 2;
        color: $text-muted;
    }
    #history-summary {
        margin-bottom: 1;
    }
    HeatmapGrid:focus {
        background: $boost;
    }
    #history-weeks {
        margin-top: 1;
    }
    """

    figures: var[HistoryFigures | None] = var(None)

    def compose(self) -> ComposeResult:
        catalog = self._catalog()
        options = metric_options(catalog)
        with Horizontal(id="history-controls"):
            yield Select(
                options,
                value=options[0][1],
                allow_blank=False,
                id="history-metric",
            )
            yield Label(hint(53, 53), id="history-hint")
        yield Static("", id="history-summary")
        yield HeatmapGrid(id="heatmap")
        yield Static("", id="history-weeks")

    def on_mount(self) -> None:
        self._fit_picker(metric_options(self._catalog()))

    def _fit_picker(self, options: list[tuple[str, str]]) -> None:
        """Wide enough for the longest name (`Applications (hidden)`); the built-ins' 18
        at least, so the hint beside it keeps its place."""
        select = self.query_one("#history-metric", Select)
        select.styles.width = max(18, max(len(label) for label, _ in options) + 8)

    def _catalog(self) -> Catalog:
        catalog = getattr(self.app, "catalog", None)
        return catalog if isinstance(catalog, Catalog) else Catalog.builtin()

    def metric(self) -> str:
        """The metric picked (the first visible one until the picker has its first value)."""
        value = self.query_one("#history-metric", Select).value
        figures = self.figures
        known = figures.heatmaps if figures is not None else {}
        if isinstance(value, str) and value in known:
            return value
        visible = [key for key in known if figures is None or key not in figures.hidden]
        return visible[0] if visible else next(iter(known), "calls")

    def follow_catalog(self) -> None:
        """The metrics changed (app.catalog is the new catalog): the picker lists them,
        keeping the metric picked while it still exists."""
        options = metric_options(self._catalog())
        select = self.query_one("#history-metric", Select)
        picked = select.value
        with self.prevent(Select.Changed):
            select.set_options(options)
            if picked in {value for _, value in options}:
                select.value = picked
        self._fit_picker(options)

    def on_catalog_changed(self, message: CatalogChanged) -> None:
        self.follow_catalog()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._show()

    def focus_first(self) -> None:
        """Arrows move across days as soon as the tab shows."""
        self.query_one(HeatmapGrid).focus()

    def watch_figures(self) -> None:
        self._show()

    def _show(self) -> None:
        figures = self.figures
        if figures is None:
            return
        metric = self.metric()
        grid = self.query_one(HeatmapGrid)
        grid.unit = figures.metrics.get(metric)
        grid.heatmap = figures.heatmaps[metric]
        grid.refresh()  # the same heatmap with other words (a renamed metric) redraws too
        self.query_one("#history-summary", Static).update(Summary(figures, metric))
        self.query_one("#history-weeks", Static).update(fitting_week_table(figures.weeks))
        self._show_hint()

    def on_resize(self) -> None:
        self._show_hint()

    def _show_hint(self) -> None:
        """What the heatmap covers (fewer weeks on a narrow pane) and its keys."""
        grid = self.query_one(HeatmapGrid)
        if grid.heatmap is None:
            return
        shown = grid.shown_weeks(self.scrollable_content_region.width)
        self.query_one("#history-hint", Label).update(hint(shown, grid.heatmap.weeks))


def hint(shown: int, weeks: int) -> FirstThatFits:
    """`last 12 months · arrows pick a day, Enter opens it`, or `last 40 weeks` when the
    pane shows fewer; the keys go first when it is short (the day line says Enter too)."""
    span = "last 12 months" if shown >= weeks else f"last {shown} weeks"
    return FirstThatFits((Text(f"{span} · arrows pick a day, Enter opens it"), Text(span)))


def metric_options(catalog: Catalog) -> list[tuple[str, str]]:
    """The heatmap's choices: the visible metrics in display order, then the hidden ones
    (their history is kept), marked."""
    visible = [(entry.metric.label, entry.key) for entry in catalog.entries if not entry.hidden]
    hidden = [
        (f"{entry.metric.label} (hidden)", entry.key) for entry in catalog.entries if entry.hidden
    ]
    return visible + hidden
