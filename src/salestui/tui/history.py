"""The History tab: am I keeping the habit? A year heatmap, streaks, weeks, and each day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive, var
from textual.widget import Widget
from textual.widgets import Label, Select, Static

from salestui.domain.catalog import Catalog
from salestui.domain.funnel import UNCERTAIN_MARK, Funnel
from salestui.domain.history import Heatmap, Streaks, WeekRow
from salestui.domain.metrics import METRICS, Metric
from salestui.tui.charts import step_label, uncertain_legend
from salestui.tui.messages import CatalogChanged

LEVEL_STYLES = (
    Style(color="grey35"),
    Style(color="#0e6b35"),
    Style(color="#1a9a4a"),
    Style(color="#2fc25b"),
    Style(color="#5df08a", bold=True),
)
"""Cell colours from nothing (0) to the busiest quarter (4)."""
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
        Binding("enter", "open", "Open day", id="heat.open"),
    ]

    DEFAULT_CSS = """
    HeatmapGrid {
        height: 10;
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

    def get_content_width(self, container: object, viewport: object) -> int:
        grid = LABEL_WIDTH + (self.heatmap.weeks if self.heatmap else 53)
        return max(grid, self._legend().cell_len)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return 10

    def _legend(self) -> Text:
        legend = Text(" " * LABEL_WIDTH + "less ", style="dim")
        for step in self.heatmap.legend if self.heatmap else ():
            legend.append(CELL, style=LEVEL_STYLES[step.level])
            legend.append(f" {step.text()}  ", style="dim")
        legend.append(f"more  {DAY_OFF_CELL} day off", style="dim")
        return legend

    def _selected_line(self) -> Text:
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
        if not cell.working:
            line.append("  (day off)", style="dim")
        if self.has_focus:
            line.append("  · Enter to open", style="dim")
        return line

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def render(self) -> Text:
        heatmap = self.heatmap
        text = Text(no_wrap=True, overflow="crop")
        if heatmap is None:
            return text
        months = [" "] * heatmap.weeks
        for column, name in heatmap.month_labels:
            for offset, char in enumerate(name):
                if column + offset < heatmap.weeks:
                    months[column + offset] = char
        text.append(" " * LABEL_WIDTH + "".join(months) + "\n", style="dim")
        cursor_row, cursor_column = self.cursor
        for row_index, row in enumerate(heatmap.rows):
            text.append(f"{WEEKDAY_LABELS[row_index]:<{LABEL_WIDTH}}", style="dim")
            for column, cell in enumerate(row):
                if cell.day is None:
                    text.append(" ")
                    continue
                glyph = CELL if cell.working or cell.count else DAY_OFF_CELL
                style = LEVEL_STYLES[cell.level]
                if self.has_focus and (row_index, column) == (cursor_row, cursor_column):
                    style = style + Style(reverse=True)
                text.append(glyph, style=style)
            text.append("\n")
        text.append_text(self._legend())
        text.append("\n")
        text.append_text(self._selected_line())
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
        column = max(0, min(heatmap.weeks - 1, column))
        if heatmap.rows[row][column].day is not None:
            self.cursor = (row, column)

    def action_open(self) -> None:
        day = self.selected()
        if day is not None:
            self.post_message(self.DayChosen(day))

    def on_click(self, event: events.Click) -> None:
        heatmap = self.heatmap
        row, column = event.y - 1, event.x - LABEL_WIDTH
        if heatmap is None or not (0 <= row < 7 and 0 <= column < heatmap.weeks):
            return
        if heatmap.rows[row][column].day is not None:
            self.cursor = (row, column)
            self.focus()
            self.action_open()


def week_table(weeks: Sequence[WeekRow | tuple[date, Funnel]]) -> Table | Group:
    """The last weeks' counts and rates of a funnel's stages (calls, meetings, sales for
    `WeekRow`s), rates worded as everywhere (`33.3%?`, `—`)."""
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
    table.add_column("Week of")
    for metric in stages:
        table.add_column(metric.key, justify="right")
    for before, after in zip(stages, stages[1:], strict=False):
        table.add_column(step_label(before, after), justify="right")
    marked = False
    for start, funnel in rows:
        rates = [funnel.rate_text(metric.key) for metric in stages[1:]]
        marked = marked or any(rate.endswith(UNCERTAIN_MARK) for rate in rates)
        table.add_row(
            f"{start.day} {start:%b}",
            *(f"{funnel.counts[metric.key]:,}" for metric in stages),
            *rates,
        )
    # The key goes under the table, not in its caption: a caption wraps at the table's width.
    return Group(table, Text(uncertain_legend(stages), style="dim")) if marked else table


def summary_text(figures: HistoryFigures, metric: str) -> Text:
    streaks = figures.streaks
    text = Text()
    text.append("Streak ", style="dim")
    text.append(f"{streaks.current} working day{'s' if streaks.current != 1 else ''}", "bold")
    text.append(f" · longest {streaks.longest}", style="bold")
    text.append(f"  ({figures.streak_rule})\n", style="dim")
    best_day = figures.best_day.get(metric)
    best_week = figures.best_week.get(metric)
    label = metric
    if best_day:
        text.append("Best day ", style="dim")
        text.append(f"{best_day[1]:,} {label}", style="bold")
        text.append(f" ({best_day[0]:%a} {best_day[0].day} {best_day[0]:%b %Y})   ")
    if best_week:
        text.append("Best week ", style="dim")
        text.append(f"{best_week[1]:,} {label}", style="bold")
        text.append(f" (week of {best_week[0].day} {best_week[0]:%b %Y})")
    if not best_day and not best_week:
        text.append("No tallies yet: each day you work fills a square.", style="dim")
    return text


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
            yield Label("last 12 months · arrows pick a day, Enter opens it", id="history-hint")
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
        self.query_one("#history-summary", Static).update(summary_text(figures, metric))
        self.query_one("#history-weeks", Static).update(week_table(figures.weeks))


def metric_options(catalog: Catalog) -> list[tuple[str, str]]:
    """The heatmap's choices: the visible metrics in display order, then the hidden ones
    (their history is kept), marked."""
    visible = [(entry.metric.label, entry.key) for entry in catalog.entries if not entry.hidden]
    hidden = [
        (f"{entry.metric.label} (hidden)", entry.key) for entry in catalog.entries if entry.hidden
    ]
    return visible + hidden
