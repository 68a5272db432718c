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
from textual.reactive import var
from textual.renderables.digits import Digits as DigitsRenderable
from textual.timer import Timer
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
    digits with today's target beside it, a bar, week and month, the last 14 days."""

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

    def show(self, summary: MetricSummary) -> None:
        self.summary = summary
        self.refresh()

    def show_target(self, target: int | None) -> None:
        if target != self.target:
            self.target = target
            self.refresh()

    def show_pending(self, pending: int | None) -> None:
        """Mark the count as having tallies not on disk yet (the digits stay what is)."""
        if pending != self.pending:
            self.pending = pending
            self.refresh()

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
        before = self.summary[metric_key]
        after = MetricSummary(
            before.today + delta,
            before.week + delta,
            before.month + delta,
            (*before.last_days[:-1], before.last_days[-1] + delta),
        )
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
        self.query_one("#status", Static).update(status)

    def watch_last_action(self) -> None:
        self.show_pace()

    def watch_pending_line(self) -> None:
        self.show_pace()

    def flash(self, metric_key: str) -> None:
        self.query_one(f"#panel-{metric_key}", MetricPanel).flash()
