"""The Today tab: three big counters, what the week and month hold, the last 14 days."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import Digits, Label, Static

from salestui.domain.counts import SPARK_DAYS, MetricSummary
from salestui.domain.metrics import CALLS, METRICS, Metric
from salestui.domain.planner import Plan, describe_pace
from salestui.tui.charts import count_spark, progress_bar

FLASH_SECONDS = 0.6


class MetricPanel(Vertical):
    """One metric: today's count, large; week and month; a sparkline."""

    def __init__(self, metric: Metric) -> None:
        super().__init__(id=f"panel-{metric.key}", classes="metric-panel")
        self.metric = metric
        self.border_title = metric.label
        self._flash_timer: Timer | None = None
        self._summary: MetricSummary | None = None
        self._target: int | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="count-row"):
            yield Digits("0", classes="count")
            yield Label("", classes="target")
        # One widget for the lines below the count: fewer widgets, faster first paint.
        yield Static("", classes="details")

    def show(self, summary: MetricSummary) -> None:
        """The count and the lines below it."""
        self._summary = summary
        self.query_one(Digits).update(str(summary.today))
        self._show_details()

    def show_target(self, done: int, target: int | None) -> None:
        """`/ 48 today` and a bar, once a plan exists; nothing before."""
        self._target = target
        label = self.query_one(".target", Label)
        if target is None:
            label.update("")
        else:
            label.update(f"/ {target:,} today" if target else "no target today")
        self._show_details()

    def _show_details(self) -> None:
        summary, target = self._summary, self._target
        if summary is None:
            return
        text = Text()
        if target:
            text.append(progress_bar(summary.today, target), style="green")
        text.append(f"\nweek {summary.week:,} · month {summary.month:,}\n\n", style="dim")
        text.append(count_spark(summary.last_days), style="bold")
        text.append(f" last {SPARK_DAYS}d", style="dim italic")
        self.query_one(".details", Static).update(text)

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

    def compose(self) -> ComposeResult:
        with Horizontal(id="panels"):
            for metric in METRICS:
                yield MetricPanel(metric)
        yield Label("", id="pace-line")
        yield Label("", id="last-action")

    def watch_summary(self, summary: dict[str, MetricSummary] | None) -> None:
        if summary is None:
            return
        for panel in self.query(MetricPanel):
            panel.show(summary[panel.metric.key])
        self._show_plan()

    def add(self, metric_key: str, delta: int) -> None:
        """Show a tally just committed for today without reading the day back."""
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

    def watch_plan(self) -> None:
        self._show_plan()

    def watch_plan_hint(self) -> None:
        self._show_plan()

    def _show_plan(self) -> None:
        """Targets beside each counter and the pace line; a quiet hint without a plan."""
        summary, plan = self.summary, self.plan
        if summary is None:
            return
        current = plan if plan is not None and plan.today == self.day else None
        for panel in self.query(MetricPanel):
            target = current.today_target[panel.metric.key] if current else None
            panel.show_target(summary[panel.metric.key].today, target)
        self.show_pace()

    def show_pace(self) -> None:
        """`Pace: 36 calls to go today · 14 calls behind pace this month`, or the hint."""
        summary, plan = self.summary, self.plan
        pace_line = self.query_one("#pace-line", Label)
        if summary is None or plan is None or plan.today != self.day:
            pace_line.update(self.plan_hint)
            return
        calls_today = summary["calls"].today
        to_go = max(0, plan.today_target["calls"] - calls_today)
        pace = plan.done["calls"] - plan.done_today["calls"] + calls_today
        pace -= plan.expected_by_now["calls"]
        today_part = f"{to_go:,} calls to go today" if to_go else "today's calls done ✓"
        pace_line.update(f"Pace: {today_part} · {describe_pace(pace, CALLS)} this month")

    def watch_last_action(self, text: str) -> None:
        self.query_one("#last-action", Label).update(text)

    def flash(self, metric_key: str) -> None:
        self.query_one(f"#panel-{metric_key}", MetricPanel).flash()
