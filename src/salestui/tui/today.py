"""The Today tab: a big counter per visible metric (one to eight), what the week and
month hold, the last 14 days; the pace of the active funnel under them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.geometry import Region
from textual.message import Message
from textual.reactive import var
from textual.renderables.digits import Digits as DigitsRenderable
from textual.strip import Strip
from textual.timer import Timer
from textual.visual import Visual, visualize
from textual.widget import Widget
from textual.widgets import Static

from salestui.clock import Clock
from salestui.domain.catalog import PRESETS, Catalog
from salestui.domain.counts import (
    SPARK_DAYS,
    MetricSummary,
    summarize_today,
    summary_span,
)
from salestui.domain.metrics import Metric
from salestui.domain.text import visible
from salestui.store.events import BelowZeroError, Event, Store, StoreError
from salestui.tui import writer
from salestui.tui.charts import count_spark, progress_bar
from salestui.tui.layouts import (
    COLUMN,
    LARGE,
    STRIP,
    Part,
    fit,
    fit_lines,
    panel_rows,
    pick_layout,
)
from salestui.tui.messages import FiguresWanted
from salestui.tui.writer import Pending, UndoResult, Write, WriteQueue, wording

if TYPE_CHECKING:
    from salestui.domain.planner import Plan
    from salestui.domain.prospects import Prospect
    from salestui.figures import PlanInputs

TIME_LINE_MIN_HEIGHT = 20
"""Today's time line shows from this many rows on (a smaller pane drops it first)."""
FLASH_SECONDS = 0.6

PANEL_MIN_WIDTH = 20
"""Below this width a panel would drop too much (a panel fits its lines to its width,
dropping words whole): the panels wrap into more rows instead."""
PANEL_HEIGHT = 9
"""A panel with big digits, borders included."""
CHROME_ROWS = 7
STRIP_TABS_MIN_HEIGHT = 10
"""A strip keeps the tab row from this many rows on (below, 1-4 still switch tabs)."""
"""Rows around the panels: top bar, tab row (2), the status line (margin and 2 lines), footer."""


def arrangement(count: int, width: int, height: int) -> tuple[int, bool]:
    """How `count` panels fit a `width` x `height` screen: (columns, compact). As many side
    by side as stay readable; when they wrap into rows that would not fit the height, the
    panels go compact (the count in plain bold digits: 5 rows instead of 9)."""
    columns = max(1, min(count, width // PANEL_MIN_WIDTH))
    rows = -(-count // columns)
    columns = -(-count // rows)  # rows as even as they go: 3 + 2, not 4 + 1
    compact = rows > 1 and rows * PANEL_HEIGHT > height - CHROME_ROWS
    return columns, compact


class MetricPanel(Widget):
    """One metric, drawn by one widget (a fast first paint): today's count in large
    digits with today's target beside it, a bar, week and month, the last 14 days.

    The panel keeps its drawn lines and, when its figures change, repaints only the
    cells that differ (a tally: the digits that changed and the week/month and spark
    figures), so a key press costs a few cells on the terminal instead of the whole
    bordered panel. Anything else that changes the look (size, theme, the flash) draws
    it afresh."""

    DEFAULT_CSS = """
    MetricPanel {
        height: 9;
    }
    """

    def __init__(self, metric: Metric) -> None:
        super().__init__(id=f"panel-{metric.key}", classes="metric-panel")
        self.metric = metric
        self.density = "big"
        """big (digits, nine rows), compact (three lines, five rows), pair (two lines)
        or line (one line): many metrics in a short column."""
        self.border_title = metric.label
        self._flash_timer: Timer | None = None
        self.summary: MetricSummary | None = None
        """What the panel shows now."""
        self.target: int | None = None
        """Today's target, once a plan exists."""
        self.pending: int | None = None
        """The change still waiting for the database (None: nothing waits)."""
        self._strips: list[Strip] | None = None
        self._strips_key: tuple[object, ...] = ()
        self._prepared: tuple[tuple[object, ...], list[Strip], list[Strip], list[Region]] | None
        self._prepared = None
        """Lines drawn ahead for a tally being saved: (what they show, lines they replace,
        the new lines, the cells that differ)."""

    def show(self, summary: MetricSummary) -> None:
        self.summary = summary
        self._redraw()

    def show_target(self, target: int | None) -> None:
        if target != self.target:
            self.target = target
            self._redraw()

    def show_pending(self, pending: int | None) -> None:
        """Mark the count as having tallies not on disk yet (the digits stay what is)."""
        if pending != self.pending:
            self.pending = pending
            self._redraw()

    def _look(self) -> tuple[object, ...]:
        """What the drawn lines depend on besides the figures."""
        return (
            self.size,
            self.visual_style,
            self.has_class("-flash"),
            self.app.theme,
            self.density,
        )

    @property
    def compact(self) -> bool:
        """Drawn without big digits (any density but big)."""
        return self.density != "big"

    def set_density(self, density: str) -> None:
        """Draw big digits, compact three lines or one line (see `density`)."""
        if density != self.density:
            self.density = density
            self._strips = None
            self.refresh(layout=True)

    def _draw(self) -> list[Strip]:
        width, height = self.size
        visual: Visual = visualize(self, self.render())
        return Visual.to_strips(self, visual, width, height, self.visual_style)

    def _prepare_next(self) -> None:
        """The most likely next change is one more: draw it while nothing happens."""
        if self.summary is not None:
            self.prepare(plus(self.summary, 1))

    def render_line(self, y: int) -> Strip:
        look = self._look()
        if self._strips is None or look != self._strips_key:
            self._strips, self._strips_key = self._draw(), look
            self.call_after_refresh(self._prepare_next)
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)

    def _state(self) -> tuple[object, ...]:
        return (self.summary, self.target, self.pending, self._strips_key)

    def prepare(self, summary: MetricSummary) -> None:
        """Draw `summary` ahead, so showing it once its tally is on disk is a swap."""
        old = self._strips
        if old is None or not self.is_mounted or self._look() != self._strips_key:
            return
        ready = self._prepared
        if ready is not None and ready[0] == (summary, *self._state()[1:]) and ready[1] is old:
            return  # drawn already
        shown = self.summary
        self.summary = summary
        try:
            new = self._draw()
            self._prepared = (self._state(), old, new, self._changed(old, new))
        finally:
            self.summary = shown

    def _redraw(self) -> None:
        """Repaint only the cells whose drawing changed."""
        old = self._strips
        if self.is_mounted and self.parent is not None and not self.parent.display:
            # Hidden (the strip layout shows the counts): nothing to paint now; drawn
            # afresh when shown again, so a press in a strip costs the strip alone.
            self._strips = None
            return
        if old is None or not self.is_mounted or self._look() != self._strips_key:
            self._strips = None
            self.refresh()
            return
        prepared, self._prepared = self._prepared, None
        if prepared is not None and prepared[0] == self._state() and prepared[1] is old:
            _, _, new, changed = prepared
        else:
            new = self._draw()
            changed = self._changed(old, new)
        self._strips = new
        if changed:
            self.refresh(*changed)
        self.call_after_refresh(self._prepare_next)

    def _changed(self, old: list[Strip], new: list[Strip]) -> list[Region]:
        return changed_regions(old, new, self.size.width)

    def render(self) -> RenderableType:
        summary = self.summary
        if summary is None:
            return Text("")
        flashing = self.has_class("-flash")
        digits_style = Style(bold=True, color=self._success() if flashing else None)
        width = self.content_size.width or PANEL_MIN_WIDTH
        count = f"{summary.today:,}"
        if self.density == "line":
            return self._render_line(summary, digits_style, width)
        if self.density in ("compact", "pair") or DigitsRenderable.get_width(count) > width:
            return self._render_compact(summary, digits_style, width)
        # Beside the digits while it fits there; else under them, on the bar's line.
        beside = fit(self._beside(), width - DigitsRenderable.get_width(count) - 1, " ")
        below = "" if beside else fit(self._beside(), width, " ")
        top = Table.grid(padding=(0, 1))
        top.add_column(no_wrap=True)
        top.add_column(vertical="bottom", no_wrap=True)
        top.add_row(DigitsRenderable(count, digits_style), Text(beside, style=self._beside_style()))
        lines = Text(no_wrap=True, overflow="crop")
        if below:
            lines.append(below, style=self._beside_style())
        if self.target:
            room = width - (cell_len(below) + 1 if below else 0)
            bar = progress_bar(summary.today, self.target, min(14, room - 5))
            if room - 5 >= 3:
                lines.append(f" {bar}" if below else bar, style="green")
        lines.append(f"\n{periods_text(summary, width)}\n\n", style="dim")
        self._append_spark(lines, summary, width)
        return Group(top, lines)

    def _beside(self) -> list[Part]:
        """What stands beside the count: today's target, or what waits for the disk."""
        if self.pending is not None:
            change = f"{self.pending:+,}".replace("-", "−") if self.pending else "±0"
            return [(0, change), (1, "waiting…")]
        target = self.target
        if target is None:
            return []
        if not target:
            return [(0, "no"), (1, "target"), (1, "today")]
        return [(0, f"/ {target:,}"), (1, "today")]

    def _beside_style(self) -> str:
        return "bold reverse yellow" if self.pending is not None else "dim"

    @staticmethod
    def _append_spark(lines: Text, summary: MetricSummary, width: int) -> None:
        """The last 14 days (the newest that fit) and their label, whole or not at all."""
        spark = count_spark(summary.last_days)[-width:]
        lines.append(spark, style="bold")
        for label in (f" last {SPARK_DAYS}d", f" {SPARK_DAYS}d"):
            if len(spark) + len(label) <= width:
                lines.append(label, style="dim italic")
                break

    def _render_compact(
        self, summary: MetricSummary, digits_style: Style, width: int
    ) -> RenderableType:
        """Count and target, week and month, the last 14 days: one line each."""
        count = f"{summary.today:,}"
        first = Text(no_wrap=True, overflow="crop")
        first.append(count, style=digits_style)
        beside = fit(self._beside(), width - len(count) - 1, " ")
        if beside:
            first.append(f" {beside}", style=self._beside_style())
        lines = Text(no_wrap=True, overflow="crop")
        if self.density == "pair":
            # Week and month, then as much of the last days as is left of the line.
            periods = periods_text(summary, width)
            lines.append(periods, style="dim")
            room = width - cell_len(periods) - 2
            if room >= 5:
                lines.append("  ")
                self._append_spark(lines, summary, room)
            return Group(first, lines)
        lines.append(f"{periods_text(summary, width)}\n", style="dim")
        self._append_spark(lines, summary, width)
        return Group(first, lines)

    def _render_line(self, summary: MetricSummary, digits_style: Style, width: int) -> Text:
        """One line: the count, its target and bar, the week, as much as fits."""
        count = f"{summary.today:,}"
        line = Text(no_wrap=True, overflow="crop")
        line.append(count, style=digits_style)
        parts = self._beside()
        if self.target and self.pending is None:
            parts.append((2, progress_bar(summary.today, self.target, 5)))
        parts.append((3, f"· wk {summary.week:,} · mo {summary.month:,}"))
        rest = fit(parts, width - len(count) - 1, " ")
        if rest:
            line.append(f" {rest}", style=self._beside_style())
        return line

    def _success(self) -> str | None:
        return self.app.theme_variables.get("success")

    def flash(self) -> None:
        """Mark the panel for a moment, so a press is seen even from the corner of an eye."""
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self.add_class("-flash")
        self._flash_timer = self.set_timer(FLASH_SECONDS, lambda: self.remove_class("-flash"))


def periods_text(summary: MetricSummary, width: int) -> str:
    """`week 118 · month 294`, shorter (`wk 118 · mo 294`) when that does not fit, then
    the month dropped: a figure is never cut."""
    week, month = f"{summary.week:,}", f"{summary.month:,}"
    for text in (f"week {week} · month {month}", f"wk {week} · mo {month}"):
        if cell_len(text) <= width:
            return text
    return fit([(0, f"wk {week}"), (1, f"mo {month}")], width)


def plus(summary: MetricSummary, delta: int) -> MetricSummary:
    """The figures once a tally of `delta` today is added."""
    return MetricSummary(
        summary.today + delta,
        summary.week + delta,
        summary.month + delta,
        (*summary.last_days[:-1], summary.last_days[-1] + delta),
    )


def _word_parts(sentence: str) -> list[Part]:
    """A sentence as parts the strip may shorten from its end, word by word."""
    return [(index, word) for index, word in enumerate(sentence.split())]


def changed_regions(old: list[Strip], new: list[Strip], width: int) -> list[Region]:
    """The cells of each line that differ between two drawings."""
    changed: list[Region] = []
    for y in range(max(len(old), len(new))):
        before = _cells(old[y]) if y < len(old) else []
        after = _cells(new[y]) if y < len(new) else []
        if before == after:
            continue
        start = 0
        while start < min(len(before), len(after)) and before[start] == after[start]:
            start += 1
        end_before, end_after = len(before), len(after)
        while (
            end_before > start
            and end_after > start
            and before[end_before - 1] == after[end_after - 1]
        ):
            end_before -= 1
            end_after -= 1
        end = min(width, max(end_before, end_after))
        changed.append(Region(start, y, max(1, end - start), 1))
    return changed


def _cells(strip: Strip) -> list[tuple[str, object]]:
    """A drawn line cell by cell (character and style), to find what changed."""
    return [(char, segment.style) for segment in strip for char in segment.text]


def error_text(error: Exception) -> str:
    """The one-line cause of a failed read or write, safe to show."""
    return visible(error.cause if isinstance(error, StoreError) else str(error))


class StripView(Widget):
    """Today in a strip: every metric on one or two lines, the pace, the last tally.

    Like a panel, it repaints only the cells that changed (a tally changes a figure or
    two), and asks for a new layout only when its number of lines changes."""

    DEFAULT_CSS = """
    StripView {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="strip")
        self.lines: list[Text] = []
        self._strips: list[Strip] | None = None
        self._strips_key: tuple[object, ...] = ()

    def show(self, lines: list[Text]) -> None:
        """Show `lines` (already fitted to the width)."""
        if [line.plain for line in lines] == [line.plain for line in self.lines] and [
            line.spans for line in lines
        ] == [line.spans for line in self.lines]:
            return
        relayout = len(lines) != len(self.lines)
        self.lines = lines
        old = self._strips
        if relayout or old is None or not self.is_mounted or self._look() != self._strips_key:
            self._strips = None
            self.refresh(layout=relayout)
            return
        new = self._draw()
        self._strips = new
        changed = changed_regions(old, new, self.content_size.width)
        if changed:
            self.refresh(*changed)  # regions of the content, as drawn

    def _look(self) -> tuple[object, ...]:
        return (self.content_size, self.visual_style, self.app.theme)

    def _draw(self) -> list[Strip]:
        width = self.content_size.width
        style = self.visual_style.rich_style
        console = self.app.console
        strips = []
        for line in self.lines:
            segments = list(line.render(console))
            strips.append(Strip(segments).apply_style(style).adjust_cell_length(width, style))
        return strips

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self.lines)

    def render_line(self, y: int) -> Strip:
        look = self._look()
        if self._strips is None or look != self._strips_key:
            self._strips, self._strips_key = self._draw(), look
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.content_size.width, self.visual_style.rich_style)


FIRST_RUN_HINT = "New here? ctrl+p, then “Start from a preset…”: " + ", ".join(
    name for name in PRESETS if name != "sales"
)
"""Said under the counters of a database nothing was ever recorded in: the offer of a
starting point that never takes a key away (c, m, s count at once)."""


class TodayView(Vertical):
    """The Today tab: today's counts read from disk, this window's tallies, undo and
    notes, and the status line that says what happened. Its layout follows the pane's
    size (strip, column, standard, large: see layouts.pick_layout)."""

    DEFAULT_CSS = """
    TodayView #strip {
        display: none;
    }
    TodayView #more {
        display: none;
        height: 10;
        margin-top: 1;
        padding: 0 1;
    }
    TodayView #timeline {
        width: 1fr;
        height: 100%;
        border-left: tall $primary 50%;
        padding: 0 1;
    }
    TodayView #week-rates {
        width: 1fr;
        height: 100%;
        padding: 0 1;
    }
    TodayView #rates {
        margin-top: 1;
    }
    """

    DECORATION_DELAY = 0.03
    """The flash and status lines of a tally follow its count by this much (tests: 1 ms)."""

    class DayChanged(Message):
        """The day shown changed (start-up, midnight): the top bar names it."""

        def __init__(self, day: date) -> None:
            super().__init__()
            self.day = day

    day: date = date.min
    """The day `summary` is for; a plan for another day (before midnight) is not shown."""
    summary: var[dict[str, MetricSummary] | None] = var(None)
    plan: var[Plan | None] = var(None)
    plan_hint: var[tuple[str, ...]] = var(())
    """What is missing for a plan, in phrases: a narrow pane drops the later ones whole,
    so the hint stays a sentence ("Press g to set a monthly goal")."""
    last_action: var[str] = var("")
    pending_line: var[str] = var("")
    """What waits for the database (shown instead of the last action while it waits)."""
    _status_height = -1
    """Lines the status line took when last laid out (-1: not laid out yet)."""
    pane_layout = ""
    """strip, column, standard or large (layouts.pick_layout); "" before the first fit."""
    timer_text = ""
    """The running non-sales timer (`⏱ admin 0:42`), for the strip (tui/timer.py)."""
    time_parts: tuple[Part, ...] = ()
    """Today's time on non-sales work, as parts of one line (tui/timer.py)."""

    def __init__(
        self, store: Store, clock: Clock, writes: WriteQueue, catalog: Catalog | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        self.writes = writes
        self.catalog = catalog if catalog is not None else Catalog.builtin()
        """The metrics shown (its visible ones, in order) and the words for any stored one."""
        self._columns = 0
        """Panels side by side when they wrap into a grid (0: one row, the plain layout)."""
        self._data_version = -1
        self._reloads = 0
        """Counts reads of today's figures: a tally that landed with no read since it was
        queued is added to the screen as it is; otherwise it is read back (that read may
        already hold it)."""
        self._status_said = 0
        """Counts what the status line was told, so a tally's delayed "Last:" line never
        covers a newer outcome (an undo that landed right after it)."""
        self._last_tally: Event | None = None
        """The tally the status line's "Last: …" names (kept true when it is undone)."""
        self._last_said_day = ""
        """The day the "Last: …" line was last worded for (it names another day's date)."""
        self._timeline: list[tuple[str, str]] = []
        self.due: list[Prospect] = []
        """Open prospects whose follow-up is today or overdue (read with the figures)."""
        """Today's tallies for the large layout's timeline (read there only)."""
        writes.on_pending(self._show_waiting)

    def compose(self) -> ComposeResult:
        with Horizontal(id="panels"):
            for metric in self.catalog.visible:
                yield MetricPanel(metric)
        yield StripView()
        yield Static("", id="status")
        with Horizontal(id="more"):
            yield Static("", id="timeline")
            with Vertical(id="week-rates"):
                yield Static("", id="week")
                yield Static("", id="rates")

    def on_mount(self) -> None:
        self.fit_panels()

    def on_resize(self) -> None:
        self.fit_panels()

    def fit_panels(self) -> None:
        """Pick the layout for the pane's size (see layouts.pick_layout) and fit the
        panels to it: side by side while they stay readable, else a grid of rows, compact
        when those rows would not fit the height; stacked in a narrow column; a strip of
        lines in a short pane; panels and what comes next in a large one."""
        panels = list(self.query(MetricPanel))
        if not panels:
            return
        width, height = self.app.size
        layout = pick_layout(width, height)
        if layout != self.pane_layout:
            self.pane_layout = layout
            self.query_one("#panels").display = layout != STRIP
            self.query_one(StripView).display = layout == STRIP
            self.query_one("#status").display = layout != STRIP
            self.query_one("#more").display = layout == LARGE
        if layout == STRIP:
            self._show_strip()
            return
        if layout == COLUMN:
            _, density = panel_rows(len(panels), height - CHROME_ROWS)
            columns = 1
        else:
            columns, compact = arrangement(len(panels), width, height)
            density = "compact" if compact else "big"
        if columns == len(panels):
            columns = 0  # one row: the plain horizontal layout
        if columns != self._columns:
            container = self.query_one("#panels", Horizontal)
            if columns:
                container.styles.layout = "grid"
                container.styles.grid_size_columns = columns
                container.styles.grid_columns = "1fr"
                container.styles.grid_rows = "auto"
            else:
                container.styles.layout = "horizontal"
            self._columns = columns
        for panel in panels:
            panel.set_density(density)
        if layout == LARGE:
            rows = -(-len(panels) // max(1, columns or len(panels)))
            more = height - CHROME_ROWS - rows * PANEL_HEIGHT - 1
            self.query_one("#more").styles.height = max(3, more)
            self._show_more(read=True)
        self.show_pace()

    # -- the strip (a short pane) ------------------------------------------------------

    def _strip_rows(self) -> int:
        """Rows the strip may take: the pane less the footer and, when shown, the tabs."""
        height = self.app.size.height
        return max(1, height - 1 - (0 if height < STRIP_TABS_MIN_HEIGHT else 2))

    def _show_strip(self) -> None:
        """Every metric with its target, the pace, the last tally and `u undo`, on the
        lines the strip has, least important dropped first."""
        if self.pane_layout != STRIP or not self.is_mounted:
            return
        width = max(1, self.app.size.width - 2)
        rows = self._strip_rows()
        metrics_with_bars = self._strip_metrics(bars=True)
        metrics = self._strip_metrics(bars=False)
        pace = self._pace_parts(short=True)
        last = self._last_parts(width)
        lines: list[Text] = []
        if rows >= 3:
            room = min(3, rows - 2)
            chosen = fit_lines(metrics_with_bars, width, room)
            if len(" · ".join(chosen).split(" · ")) < len(metrics_with_bars):
                chosen = fit_lines(metrics, width, room)
            lines += [Text(line, style="bold") for line in chosen]
            if pace:
                lines.append(Text(fit(pace, width), style="bold"))
            if last:
                lines.append(Text(fit(last, width), style="dim"))
        else:
            # One or two lines: the figures first, the pace and the last tally after them.
            ranked = [(p, t) for p, t in metrics] + [(p + 3, t) for p, t in pace]
            if rows == 2:
                lines.append(Text(fit(ranked, width), style="bold"))
                lines.append(Text(fit(last, width), style="dim"))
            else:
                ranked += [(p + 2, t) for p, t in last]
                lines.append(Text(fit(ranked, width), style="bold"))
        self.query_one(StripView).show(lines)

    def _strip_metrics(self, *, bars: bool) -> list[Part]:
        """`Calls 23/48 ▓▓▓░░` per visible metric (the active funnel's first)."""
        summary = self.summary or {}
        parts: list[Part] = []
        stages = self.catalog.active.stages
        for panel in self.query(MetricPanel):
            figures = summary.get(panel.metric.key)
            today = figures.today if figures is not None else 0
            text = f"{panel.metric.label} {today:,}"
            target = panel.target
            if target:
                text += f"/{target:,}"
                if bars:
                    filled = min(5, 5 * max(today, 0) // target)
                    text += " " + "▓" * filled + "░" * (5 - filled)
            if panel.pending is not None:
                change = f"{panel.pending:+,}".replace("-", "−") if panel.pending else "±0"
                text += f" {change} waiting…"
            parts.append((0 if panel.metric.key in stages else 1, text))
        if self.timer_text:  # the top bar is gone in a strip: the timer shows here
            parts.append((0, self.timer_text))
        return parts

    def _last_parts(self, width: int) -> list[Part]:
        """The last tally and `u undo` (or what waits, or the last outcome's words,
        shortened word by word)."""
        last = self._last_tally
        if not self.pending_line and last is not None and self.last_action.startswith("Last:"):
            return [(0, f"Last: {self._tally_words(last)}"), (1, "u undo")]
        sentence = fit(_word_parts(self.pending_line or self.last_action), width, " ")
        return [(0, sentence)] if sentence else []

    # -- the large layout: today's timeline, the week, the rates -----------------------

    def _show_more(self, *, read: bool) -> None:
        """Fill the room under the panels (large layout only); `read`: today's events
        are read again for the timeline (a few rows of one day)."""
        if self.pane_layout != LARGE or not self.is_mounted:
            return
        from salestui.tui.timeline import rate_lines, timeline, timeline_lines, week_lines

        more = self.query_one("#more")
        height = more.styles.height.value if more.styles.height is not None else 10
        width = self.app.size.width // 2 - 2
        if read:
            with contextlib.suppress(StoreError):  # the counts' read says what is wrong
                self._timeline = timeline(self.store.events_on(self.day), self._words)
        lines = timeline_lines(self._timeline, width, int(height))
        self.query_one("#timeline", Static).update(Text("\n".join(lines)))
        plan = self.plan if self.plan is not None and self.plan.today == self.day else None
        summary = self.summary or {}
        week = "\n".join(week_lines(plan, summary, width))
        self.query_one("#week", Static).update(Text(week))
        self.query_one("#rates", Static).update(Text("\n".join(rate_lines(plan, width))))

    async def set_catalog(self, catalog: Catalog) -> None:
        """Show the metrics of `catalog` (added, hidden, reordered, renamed): panels are
        rebuilt when they differ, today's figures read again, waiting tallies re-marked."""
        self.catalog = catalog
        if self.last_action == FIRST_RUN_HINT:
            self.last_action = ""  # a starting point was chosen
        wanted = catalog.visible
        if tuple(panel.metric for panel in self.query(MetricPanel)) != wanted:
            container = self.query_one("#panels", Horizontal)
            await container.remove_children()
            await container.mount_all([MetricPanel(metric) for metric in wanted])
            self.fit_panels()
        self.reload()
        self._show_panels()
        self._show_waiting(self.writes.pending())

    def _summary_keys(self) -> tuple[str, ...]:
        """The visible metrics, and the active funnel's stages (the pace line's) too."""
        keys = [metric.key for metric in self.catalog.visible]
        keys += [key for key in self.catalog.active.stages if key not in keys]
        return tuple(keys)

    def _panel(self, metric_key: str) -> MetricPanel | None:
        """The panel of a metric, or None when it is not shown (hidden meanwhile)."""
        for panel in self.query(MetricPanel):
            if panel.metric.key == metric_key:
                return panel
        return None

    def watch_summary(self, summary: dict[str, MetricSummary] | None) -> None:
        if summary is None:
            return
        self._show_panels()

    def _show_panels(self) -> None:
        """Every panel's figures, targets and the pace line, from `summary` and `plan`."""
        summary = self.summary
        if summary is None:
            return
        for panel in self.query(MetricPanel):
            figures = summary.get(panel.metric.key)
            if figures is not None and panel.summary != figures:
                panel.show(figures)
        self._show_plan()

    def add(self, metric_key: str, delta: int) -> None:
        """Show a tally just saved for today without reading the day back."""
        if self.summary is None or metric_key not in self.summary:
            self.reload(counts_only=True)
            return
        after = plus(self.summary[metric_key], delta)
        # set_reactive: only the changed panel redraws (its count, bar and lines), not all
        # three; the pace line follows with the other decorations (see SalesApp).
        self.set_reactive(TodayView.summary, {**self.summary, metric_key: after})
        panel = self._panel(metric_key)
        if panel is not None:
            panel.show(after)
        self._show_strip()  # a strip shows the count in the same frame

    def show_counts(self, summary: dict[str, MetricSummary]) -> None:
        """Redraw only the counters whose figures changed (after a tally lands); the pace
        line follows with the other decorations (see SalesApp)."""
        self.set_reactive(TodayView.summary, summary)
        for panel in self.query(MetricPanel):
            figures = summary.get(panel.metric.key)
            if figures is not None and panel.summary != figures:
                panel.show(figures)
        self._show_strip()

    def show_pending(self, pending: dict[str, int], line: str) -> None:
        """Mark the counters with tallies waiting for the database, and say so."""
        for panel in self.query(MetricPanel):
            panel.show_pending(pending.get(panel.metric.key))
        self.pending_line = line
        self._show_strip()

    def watch_plan(self) -> None:
        self._show_plan()

    def watch_plan_hint(self) -> None:
        self._show_plan()

    def _show_plan(self) -> None:
        """Targets beside each counter and the pace line; a quiet hint without a plan."""
        plan = self.plan
        current = plan if plan is not None and plan.today == self.day else None
        for panel in self.query(MetricPanel):
            # A metric outside the active funnel has no target: its count alone.
            panel.show_target(current.today_target.get(panel.metric.key) if current else None)
        self.show_pace()
        self._show_more(read=False)

    def _pace_parts(self, *, short: bool = False) -> list[Part]:
        """`Pace: 36 calls to go today`, `14 calls behind pace this month` (least
        important last); `short`: `36 calls to go` alone, for a strip. Without a plan:
        the hint, word by word."""
        summary, plan = self.summary, self.plan
        if summary is None or plan is None or plan.today != self.day:
            return [] if short else list(enumerate(self.plan_hint))
        # The top of the active funnel: what a day's work is counted in.
        top = plan.stages[0]
        figures = summary.get(top.key)
        top_today = figures.today if figures is not None else plan.done_today[top.key]
        to_go = max(0, plan.today_target[top.key] - top_today)
        if short:
            return [(3, f"{to_go:,} {top.key} to go" if to_go else f"{top.key} done ✓")]
        pace = plan.done[top.key] - plan.done_today[top.key] + top_today
        pace -= plan.expected_by_now[top.key]
        from salestui.domain.planner import describe_pace  # after the first paint

        today_part = f"{to_go:,} {top.key} to go today" if to_go else f"today's {top.key} done ✓"
        return [(0, f"Pace: {today_part}"), (1, f"{describe_pace(pace, top)} this month")]

    def show_pace(self) -> None:
        """`Pace: 36 calls to go today · 14 calls behind pace this month`, or the hint;
        and under it the last action. Parts that do not fit the width are dropped whole
        (the hint word by word)."""
        if self.pane_layout == STRIP:
            self._show_strip()
            return
        line = self.query_one("#status", Static)
        width = line.content_size.width or max(1, self.app.size.width - 2)
        plan = self.plan
        planned = self.summary is not None and plan is not None and plan.today == self.day
        status = Text(fit(self._pace_parts(), width, " · " if planned else " "), style="bold")
        if self.pending_line:
            status.append(f"\n{self.pending_line}", style="bold yellow")
        else:
            status.append(f"\n{self.last_action}", style="dim")
        # The follow-ups, then today's time: each only while it fits under the panels
        # (a column of panels leaves few rows; Today never scrolls for them).
        free = self._rows_under_panels(line)
        used = len(status.wrap(self.app.console, width)) if width else 0
        if self.due and used < free:
            status.append_text(self._due_line(width))
            used += 1
        if self.time_parts and self.app.size.height >= TIME_LINE_MIN_HEIGHT and used < free:
            from salestui.tui.timer import time_line_fitted

            status.append(f"\n{time_line_fitted(self.time_parts, width)}")
        # A new layout of the whole screen (~8 ms) only when the line's height changes:
        # the usual update ("Last: +1 call at 10:42") keeps it and repaints the line alone.
        width = line.content_size.width
        height = len(status.wrap(self.app.console, width)) if width else -1
        line.update(status, layout=height != self._status_height or height < 0)
        self._status_height = height

    def _rows_under_panels(self, line: Static) -> int:
        """Rows left for the status lines under the panels (many before the first
        layout, when nothing is measured yet)."""
        # Today's height follows its content: the room is its pane's (which would scroll).
        pane = self.parent
        height = pane.content_size.height if isinstance(pane, Widget) else 0
        if not height:
            return 99
        try:
            panels = self.query_one("#panels").outer_size.height
            more = self.query_one("#more")
        except NoMatches:  # not composed yet
            return 99
        below = more.outer_size.height if more.display else 0
        return max(0, height - panels - below - line.styles.margin.top - line.styles.margin.bottom)

    def _due_line(self, width: int) -> Text:
        """`Follow up: Acme (overdue 2d), Bob (today)`, the names that fit the width."""
        from salestui.tui.prospects import due_line

        return Text(f"\n{due_line(self.due, self.day, width)}", style="bold")

    def show_time(self, timer_text: str, parts: list[Part]) -> None:
        """The running timer (strip) and today's time line (hidden in a small pane)."""
        self.timer_text, self.time_parts = timer_text, tuple(parts)
        if self.is_mounted and self.pane_layout:
            self.show_pace()

    def watch_last_action(self) -> None:
        self.show_pace()

    def watch_pending_line(self) -> None:
        self.show_pace()

    def flash(self, metric_key: str) -> None:
        panel = self._panel(metric_key)
        if panel is not None:
            panel.flash()

    # -- reading today's figures ---------------------------------------------------

    def first_read(self) -> StoreError | None:
        """Read today's figures for the first screen; the error when nothing could be
        read at all (the app then closes and exits 1)."""
        try:
            self._read(counts_only=False)
            if self.store.is_empty():
                self.last_action = FIRST_RUN_HINT
        except StoreError as error:
            return error
        return None

    def reload(self, *, counts_only: bool = False) -> None:
        """Read today's figures from disk (a few rows from the per-day rollup).

        `counts_only` (after this window's own write): redraw only the counters that
        changed; the pace line follows with the tally's other decorations."""
        try:
            self._read(counts_only=counts_only)
        except StoreError as error:
            self.notify(
                f"Cannot read the database: {error_text(error)}",
                severity="error",
                timeout=8,
                markup=False,
            )

    def _read(self, *, counts_only: bool) -> None:
        day = self.clock().date()
        self._reloads += 1
        self._data_version = self.store.data_version()
        summary = summarize_today(
            self.store.day_totals(summary_span(day)), day, self._summary_keys()
        )
        if counts_only and self.day == day and self.summary is not None:
            self.show_counts(summary)
            return
        if self.day != day:
            self.post_message(self.DayChanged(day))
        self.day = day
        from salestui.store.prospects import due_prospects

        self.due = due_prospects(self.store, day)  # one indexed read: follow-ups due
        self.summary = summary
        self._check_last_tally()
        self._show_more(read=True)

    def poll(self) -> bool:
        """Pick up other processes' tallies and roll over at midnight; True when another
        connection changed the database (so settings may have changed too)."""
        try:
            changed = self.store.data_version() != self._data_version
        except StoreError:
            changed = True
        if changed or self.clock().date() != self.day:
            # This window's own writes count as changes too (the writer has its own
            # connection): the counts are checked at once, the figures once a burst is over.
            self.reload()
            self.post_message(FiguresWanted(soon=True))
        return changed

    def show_plan_inputs(self, inputs: PlanInputs) -> None:
        """Today's targets from the month's plan, or a hint saying what is missing."""
        from salestui.domain.planner import MissingRateError
        from salestui.figures import NoGoalError

        try:
            self.plan = inputs.plan()
        except NoGoalError:
            self.plan = None
            self.plan_hint = ("Press g to set a monthly goal", "and see today's targets here.")
        except MissingRateError as error:
            self.plan = None
            self.plan_hint = (
                f"Add a starting {error.stage} rate on the Goals tab (3)",
                "to see today's targets.",
            )

    # -- the status line ------------------------------------------------------------

    def _check_last_tally(self) -> None:
        """Keep the "Last: …" line true when its tally was undone elsewhere (another
        window, `salestui undo`): say so, and what `u` would undo now."""
        last = self._last_tally
        if last is None:
            return
        today = self.clock().date().isoformat()
        try:
            if not self.store.is_cancelled(last.id):
                if last.day != today and self._last_said_day != today:
                    # Past midnight "at 23:58" would read as today's: name the day.
                    self.say(f"Last: {self._tally_words(last)}  (u to undo)")
                    self._last_tally, self._last_said_day = last, today
                return
            self._last_tally = None
            successor = None
            for event_id in reversed(self.writes.own_tallies):
                if event_id != last.id and not self.store.is_cancelled(event_id):
                    successor = self.store.event(event_id)
                    break
        except StoreError:
            return  # the next read says what failed
        sentence = f"{self._tally_words(last)} was undone elsewhere."
        if successor is not None:
            sentence += f"  u undoes {self._tally_words(successor)}."
        self.say(sentence)

    def _tally_words(self, event: Event) -> str:
        """`+1 meeting at 10:42`, or `+1 meeting from Thu 26 Nov` on another day."""
        change = self._words(event.metric).change(event.delta)
        if event.day == self.clock().date().isoformat():
            return f"{change} at {event.local_time:%H:%M}"
        return f"{change} from {date.fromisoformat(event.day):%a %-d %b}"

    def _words(self, metric_key: str) -> Metric:
        """How a stored metric is named (hidden and unknown ones included)."""
        return wording(self.catalog, metric_key)

    def say(self, sentence: str) -> None:
        """Put an outcome on the status line (under the counters)."""
        self._status_said += 1
        self._last_tally = None
        self.last_action = sentence

    def _show_waiting(self, pending: Pending) -> None:
        """Mark the counters of waiting tallies, and say what waits."""
        if self.is_attached:
            self.show_pending(pending.marks, pending.line)

    # -- this window's tallies --------------------------------------------------------

    def tally(self, metric_key: str, delta: int, prospect: str | None = None) -> None:
        """Queue one tally; the counter shows it once it is on disk (the screen never runs
        ahead of the disk), marked as waiting meanwhile if the database is busy. With
        `prospect` (an id), the tally is a touch linked to that prospect."""
        reloads = self._reloads
        self._queue_tally(
            metric_key,
            delta,
            lambda event: self._tally_landed(event, reloads),
            prospect=prospect,
        )

    def _tally_landed(self, event: Event, reloads_when_queued: int) -> None:
        metric = self._words(event.metric)
        if (
            reloads_when_queued == self._reloads
            and self.summary is not None
            and event.day == self.day.isoformat() == self.clock().date().isoformat()
        ):
            self.add(event.metric, event.delta)  # on disk; nothing read since it was queued
        else:
            self.reload(counts_only=True)  # a read meanwhile may hold it
        self.post_message(FiguresWanted(soon=True))
        last = f"Last: {metric.change(event.delta)} at {event.local_time:%H:%M}  (u to undo)"
        self._status_said += 1
        # The new count goes out alone; the flash, pace and status lines a moment later, so
        # their work does not hold up the frame that writes the count.
        self.set_timer(
            self.DECORATION_DELAY, partial(self._after_tally, event, last, self._status_said)
        )

    def _after_tally(self, event: Event, last_action: str, said: int) -> None:
        self.flash(event.metric)
        if said == self._status_said:
            self._last_tally = event
            # One repaint for the pace and the last action (set_reactive: no second one).
            self.set_reactive(TodayView.last_action, last_action)
        self.show_pace()
        self._show_more(read=True)  # the timeline, once the count is out

    def tally_on(self, day: date, metric_key: str, delta: int) -> bool:
        """Backdate a tally to `day` (the History tab's day view); True when queued (the
        day view shows it once it is on disk)."""
        from salestui.domain.when import parse_at

        try:
            at = parse_at(day.isoformat(), self.clock())
        except ValueError as error:
            self.notify(f"Not saved: {visible(str(error))}", severity="error", markup=False)
            return False

        def landed(event: Event) -> None:
            self.reload()
            self.post_message(FiguresWanted())

        self._queue_tally(metric_key, delta, landed, day=day, at=at)
        return True

    def _queue_tally(
        self,
        metric_key: str,
        delta: int,
        landed: Callable[[Event], None],
        *,
        day: date | None = None,
        at: datetime | None = None,
        prospect: str | None = None,
    ) -> None:
        """Queue one tally of this window (undoable with `u`), today or backdated; with
        `prospect`, linked to it (a touch)."""
        metric = self._words(metric_key)
        action = writer.tally(metric_key, delta, at)
        if prospect is not None:
            from salestui.tui.prospects import touch

            action = touch(metric_key, delta, prospect)

        def failed(error: Exception) -> None:
            day_text = "today" if day is None or day == self.day else f"on {day:%-d %b}"
            if isinstance(error, BelowZeroError):
                self.notify(f"No {metric_key} {day_text} to take back.", severity="warning")
                return
            sentence = f"{metric.change(delta)} {day_text} not saved: {error_text(error)}"
            self.notify(sentence, severity="error", timeout=8, markup=False)
            self.say(sentence)

        self.writes.submit(
            Write(
                metric.change(delta),
                action,
                landed=landed,
                failed=failed,
                metric=metric_key,
                delta=delta,
            )
        )

    def undo(self) -> None:
        """Undo this window's newest tally still in force (queued behind the tallies
        before it); with none left, do nothing."""

        def failed(error: Exception) -> None:
            self.notify(
                f"Not undone: {error_text(error)}", severity="error", timeout=8, markup=False
            )

        self.writes.submit(Write("undo", writer.undo_newest, landed=self._undone, failed=failed))

    def _undone(self, result: UndoResult) -> None:
        undone = None if result.refused else result.tally
        if undone is not None:
            self.reload()
            self.post_message(FiguresWanted(soon=True))
            self.flash(undone.metric)
            sentence = f"Undid {self._tally_words(undone)}"
            self.say(sentence)
            if undone.day != self.clock().date().isoformat():
                # Not today's: worth more than the status line's glance.
                self.notify(f"{sentence} (not today).", severity="warning")
        elif result.refused:
            refused = result.tally
            what = (
                self._words(refused.metric).change(refused.delta)
                if refused is not None
                else "That tally"
            )
            sentence = f"{what} was already taken back elsewhere; nothing undone."
            self.say(sentence)
            self.notify(sentence, severity="warning")
        else:
            self.say("Nothing left to undo in this window.")

    def note(self) -> None:
        """Ask for a note about this window's newest tally still in force."""
        if self.writes.waiting:
            self.notify(
                "The last change is still waiting for the database; press n once it is saved."
            )
            return
        tally = None
        for event_id in reversed(self.writes.own_tallies):
            try:
                if not self.store.is_cancelled(event_id):
                    tally = self.store.event(event_id)
                    break
            except StoreError:
                break
        if tally is None:
            self.notify("Tally something first: n adds a note to this window's last tally.")
            return
        about = f"{self._words(tally.metric).change(tally.delta)} at {tally.local_time:%H:%M}"
        tally_id = tally.id

        def save(text: str | None) -> None:
            if text is None:
                return

            def landed(note: Event) -> None:
                self.say(f"Note on {about}: {visible(note.note or '')}")
                self._show_more(read=True)

            def failed(error: Exception) -> None:
                self.notify(
                    f"Note not saved: {error_text(error)}",
                    severity="error",
                    timeout=8,
                    markup=False,
                )

            self.writes.submit(
                Write("note", writer.note(tally_id, text), landed=landed, failed=failed)
            )

        from salestui.tui.note import NoteScreen

        self.app.push_screen(NoteScreen(about), save)
