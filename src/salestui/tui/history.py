"""The History tab: am I keeping the habit? A year heatmap, streaks, weeks, and each day."""

from __future__ import annotations

from dataclasses import dataclass
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

from salestui.domain.funnel import UNCERTAIN_LEGEND, UNCERTAIN_MARK, format_rate
from salestui.domain.history import Heatmap, Streaks, WeekRow
from salestui.domain.metrics import METRIC_KEYS, METRICS, metric_by_key

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
    weeks: list[WeekRow]


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
        metric = metric_by_key(heatmap.metric)
        line = Text(" " * LABEL_WIDTH)
        line.append(f"{day:%a} {day.day} {day:%b %Y}: ", style="bold")
        line.append(metric.amount(cell.count))
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


def week_table(weeks: list[WeekRow]) -> Table | Group:
    """The last weeks' counts and rates, rates worded as everywhere (`33.3%?`, `—`)."""
    table = Table(
        box=None,
        padding=(0, 2, 0, 0),
        header_style="bold dim",
    )
    table.add_column("Week of")
    for metric in METRICS:
        table.add_column(metric.key, justify="right")
    table.add_column("c→m", justify="right")
    table.add_column("m→s", justify="right")
    marked = False
    for row in weeks:
        rates = (format_rate(row.meetings, row.calls), format_rate(row.sales, row.meetings))
        marked = marked or any(rate.endswith(UNCERTAIN_MARK) for rate in rates)
        table.add_row(
            f"{row.start.day} {row.start:%b}",
            f"{row.calls:,}",
            f"{row.meetings:,}",
            f"{row.sales:,}",
            *rates,
        )
    # The key goes under the table, not in its caption: a caption wraps at the table's width.
    return Group(table, Text(UNCERTAIN_LEGEND, style="dim")) if marked else table


def summary_text(figures: HistoryFigures, metric: str) -> Text:
    streaks = figures.streaks
    text = Text()
    text.append("Streak ", style="dim")
    text.append(f"{streaks.current} working day{'s' if streaks.current != 1 else ''}", "bold")
    text.append(f" · longest {streaks.longest}", style="bold")
    text.append(f"  ({figures.streak_rule})\n", style="dim")
    best_day = figures.best_day.get(metric)
    best_week = figures.best_week.get(metric)
    label = metric_by_key(metric).key
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
        with Horizontal(id="history-controls"):
            yield Select(
                [(metric.label, metric.key) for metric in METRICS],
                value="calls",
                allow_blank=False,
                id="history-metric",
            )
            yield Label("last 12 months · arrows pick a day, Enter opens it", id="history-hint")
        yield Static("", id="history-summary")
        yield HeatmapGrid(id="heatmap")
        yield Static("", id="history-weeks")

    def metric(self) -> str:
        """The metric picked (calls until the picker has its first value)."""
        value = self.query_one("#history-metric", Select).value
        return value if isinstance(value, str) and value in METRIC_KEYS else "calls"

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
        self.query_one(HeatmapGrid).heatmap = figures.heatmaps[metric]
        self.query_one("#history-summary", Static).update(summary_text(figures, metric))
        self.query_one("#history-weeks", Static).update(week_table(figures.weeks))
