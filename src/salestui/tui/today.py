"""The Today tab: three big counters, what the week and month hold, the last 14 days."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Region
from textual.reactive import var
from textual.renderables.digits import Digits as DigitsRenderable
from textual.strip import Strip
from textual.timer import Timer
from textual.visual import Visual, visualize
from textual.widget import Widget
from textual.widgets import Static

from salestui.domain.counts import SPARK_DAYS, MetricSummary
from salestui.domain.metrics import CALLS, METRICS, Metric
from salestui.tui.charts import count_spark, progress_bar

if TYPE_CHECKING:
    from salestui.domain.planner import Plan

FLASH_SECONDS = 0.6


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
        return (self.size, self.visual_style, self.has_class("-flash"), self.app.theme)

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
        """The cells of each line that differ between two drawings."""
        width = self.size.width
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

    def render(self) -> RenderableType:
        summary, target = self.summary, self.target
        if summary is None:
            return Text("")
        flashing = self.has_class("-flash")
        digits_style = Style(bold=True, color=self._success() if flashing else None)
        top = Table.grid(padding=(0, 1))
        top.add_column()
        top.add_column(vertical="bottom")
        beside = "" if target is None else (f"/ {target:,} today" if target else "no target today")
        beside_text = Text(beside, style="dim")
        if self.pending is not None:
            # The digits are what is on disk; what waits for the lock is said beside them.
            change = f"{self.pending:+,}".replace("-", "−") if self.pending else "±0"
            beside_text = Text(f"{change} waiting…", style="bold reverse yellow")
        top.add_row(DigitsRenderable(str(summary.today), digits_style), beside_text)
        lines = Text(no_wrap=True, overflow="crop")
        if target:
            lines.append(progress_bar(summary.today, target), style="green")
        lines.append(f"\nweek {summary.week:,} · month {summary.month:,}\n\n", style="dim")
        lines.append(count_spark(summary.last_days), style="bold")
        lines.append(f" last {SPARK_DAYS}d", style="dim italic")
        return Group(top, lines)

    def _success(self) -> str | None:
        return self.app.theme_variables.get("success")

    def flash(self) -> None:
        """Mark the panel for a moment, so a press is seen even from the corner of an eye."""
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self.add_class("-flash")
        self._flash_timer = self.set_timer(FLASH_SECONDS, lambda: self.remove_class("-flash"))


def plus(summary: MetricSummary, delta: int) -> MetricSummary:
    """The figures once a tally of `delta` today is added."""
    return MetricSummary(
        summary.today + delta,
        summary.week + delta,
        summary.month + delta,
        (*summary.last_days[:-1], summary.last_days[-1] + delta),
    )


def _cells(strip: Strip) -> list[tuple[str, object]]:
    """A drawn line cell by cell (character and style), to find what changed."""
    return [(char, segment.style) for segment in strip for char in segment.text]


class TodayView(Vertical):
    """The Today tab's content."""

    day: date = date.min
    """The day `summary` is for; a plan for another day (before midnight) is not shown."""
    summary: var[dict[str, MetricSummary] | None] = var(None)
    plan: var[Plan | None] = var(None)
    plan_hint: var[str] = var("")
    last_action: var[str] = var("")
    pending_line: var[str] = var("")
    """What waits for the database (shown instead of the last action while it waits)."""
    _status_height = -1
    """Lines the status line took when last laid out (-1: not laid out yet)."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="panels"):
            for metric in METRICS:
                yield MetricPanel(metric)
        yield Static("", id="status")

    def watch_summary(self, summary: dict[str, MetricSummary] | None) -> None:
        if summary is None:
            return
        for panel in self.query(MetricPanel):
            if panel.summary != summary[panel.metric.key]:
                panel.show(summary[panel.metric.key])
        self._show_plan()

    def add(self, metric_key: str, delta: int) -> None:
        """Show a tally just saved for today without reading the day back."""
        if self.summary is None:
            return
        after = plus(self.summary[metric_key], delta)
        # set_reactive: only the changed panel redraws (its count, bar and lines), not all
        # three; the pace line follows with the other decorations (see SalesApp).
        self.set_reactive(TodayView.summary, {**self.summary, metric_key: after})
        self.query_one(f"#panel-{metric_key}", MetricPanel).show(after)

    def show_counts(self, summary: dict[str, MetricSummary]) -> None:
        """Redraw only the counters whose figures changed (after a tally lands); the pace
        line follows with the other decorations (see SalesApp)."""
        self.set_reactive(TodayView.summary, summary)
        for panel in self.query(MetricPanel):
            if panel.summary != summary[panel.metric.key]:
                panel.show(summary[panel.metric.key])

    def show_pending(self, pending: dict[str, int], line: str) -> None:
        """Mark the counters with tallies waiting for the database, and say so."""
        for panel in self.query(MetricPanel):
            panel.show_pending(pending.get(panel.metric.key))
        self.pending_line = line

    def watch_plan(self) -> None:
        self._show_plan()

    def watch_plan_hint(self) -> None:
        self._show_plan()

    def _show_plan(self) -> None:
        """Targets beside each counter and the pace line; a quiet hint without a plan."""
        plan = self.plan
        current = plan if plan is not None and plan.today == self.day else None
        for panel in self.query(MetricPanel):
            panel.show_target(current.today_target[panel.metric.key] if current else None)
        self.show_pace()

    def show_pace(self) -> None:
        """`Pace: 36 calls to go today · 14 calls behind pace this month`, or the hint;
        and under it the last action."""
        summary, plan = self.summary, self.plan
        status = Text()
        if summary is None or plan is None or plan.today != self.day:
            status.append(self.plan_hint, style="bold")
        else:
            calls_today = summary["calls"].today
            to_go = max(0, plan.today_target["calls"] - calls_today)
            pace = plan.done["calls"] - plan.done_today["calls"] + calls_today
            pace -= plan.expected_by_now["calls"]
            from salestui.domain.planner import describe_pace  # after the first paint

            today_part = f"{to_go:,} calls to go today" if to_go else "today's calls done ✓"
            status.append(
                f"Pace: {today_part} · {describe_pace(pace, CALLS)} this month", style="bold"
            )
        if self.pending_line:
            status.append(f"\n{self.pending_line}", style="bold yellow")
        else:
            status.append(f"\n{self.last_action}", style="dim")
        line = self.query_one("#status", Static)
        # A new layout of the whole screen (~8 ms) only when the line's height changes:
        # the usual update ("Last: +1 call at 10:42") keeps it and repaints the line alone.
        width = line.content_size.width
        height = len(status.wrap(self.app.console, width)) if width else -1
        line.update(status, layout=height != self._status_height or height < 0)
        self._status_height = height

    def watch_last_action(self) -> None:
        self.show_pace()

    def watch_pending_line(self) -> None:
        self.show_pace()

    def flash(self, metric_key: str) -> None:
        self.query_one(f"#panel-{metric_key}", MetricPanel).flash()
