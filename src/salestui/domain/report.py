"""The `salestui report` review of a period: totals, rates, change, target, best day, streak.

Previous period, against which the change is measured:

- `week`, `month`, `quarter`, `year` and `YYYY-MM`: the calendar unit before
  (last week, last month, ...), whole, even while this one is still running;
- `today`, `Nd` and `FROM..TO`: the same number of days right before;
- `all`: none.

Target and pace come from a month `Plan` when one is given:

- the period is the plan's month: the plan's `required` and `expected_by_now`;
- any other bounded period (a week, say): `per_day` x the period's working days
  is the target, and `per_day` x its working days strictly before today is what an
  even pace expects by now. `pace = done - expected`, so work done today counts.
  This is the plan's per-day share, not a re-plan of the period;
- `all`: no target.

The report covers one funnel's stages (the active funnel's; the built-in calls ->
meetings -> sales by default): counts, rates, target and pace. Every other visible
metric (emails, referrals, ...) is totalled on one line: `Also: 12 emails, 3 referrals`.

Renderers: `to_text`, `to_markdown` (a heading, a table with this period /
previous / change, bullet lines) and `to_json` (stable keys, rates as floats or null).
Rates are said as everywhere else (`Funnel.rate_text`): rounded to nearest, `?` when
from fewer than 20 events, with a footnote giving the likely range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from salestui.domain.counts import Counts, DayTotals, sum_range
from salestui.domain.funnel import Funnel
from salestui.domain.history import Streaks, best_day, streaks
from salestui.domain.metrics import METRIC_KEYS, METRICS, Metric
from salestui.domain.periods import (
    DateRange,
    Period,
    month_of,
    quarter_of,
    week_of,
    year_of,
)
from salestui.domain.planner import Plan, describe_pace
from salestui.domain.workdays import WorkCalendar

_MONTH_SPEC = re.compile(r"\d{4}-\d{2}")

_TITLES = {
    "today": "Daily report",
    "week": "Weekly report",
    "month": "Monthly report",
    "quarter": "Quarterly report",
    "year": "Yearly report",
}

_PREVIOUS_LABELS = {
    "today": "Yesterday",
    "week": "Last week",
    "month": "Last month",
    "quarter": "Last quarter",
    "year": "Last year",
}

BASIS_MONTH = "month"
"""The target is the month plan itself."""
BASIS_WORKING_DAYS = "working_days"
"""The target is the plan's per-day figures x the period's working days."""


def _kind(period: Period) -> str:
    """`today` | `week` | `month` | `quarter` | `year` | `all` | `days` (Nd, FROM..TO)."""
    if period.spec in _TITLES or period.spec == "all":
        return period.spec
    if _MONTH_SPEC.fullmatch(period.spec):
        return "month"
    return "days"


def previous_range(period: Period, span: DateRange | None) -> DateRange | None:
    """The period the report compares against (see the module docstring); None for `all`."""
    kind = _kind(period)
    if span is None or kind == "all":
        return None
    before = span.start - timedelta(days=1)
    if kind == "week":
        return week_of(before)
    if kind == "month":
        return month_of(before)
    if kind == "quarter":
        return quarter_of(before)
    if kind == "year":
        return year_of(before)
    return DateRange(span.start - timedelta(days=len(span)), before)


def _previous_label(period: Period, previous: DateRange) -> str:
    kind = _kind(period)
    if period.spec in _PREVIOUS_LABELS:
        return _PREVIOUS_LABELS[period.spec]
    if kind == "month":
        return previous.start.strftime("%B %Y")
    return f"Previous {len(previous)} days" if len(previous) > 1 else "Day before"


@dataclass(frozen=True, slots=True)
class ReportTarget:
    """What the plan asks of the period, and what an even pace expects by now."""

    basis: str
    """`month` (the plan itself) or `working_days` (per_day x working days)."""
    goal: int
    """The plan's monthly sales target."""
    month: str
    """The plan's month, `YYYY-MM`."""
    working_days: int
    """Working days the target covers."""
    working_days_elapsed: int
    """Of those, the days strictly before today."""
    target: Counts
    expected_by_now: Counts
    done: Counts

    def pace(self, metric: str) -> int:
        """Done minus expected by now: > 0 ahead, < 0 behind."""
        return self.done[metric] - self.expected_by_now[metric]


def _elapsed(calendar: WorkCalendar, span: DateRange, today: date) -> int:
    if today <= span.start:
        return 0
    return calendar.working_days(DateRange(span.start, min(today - timedelta(days=1), span.end)))


def report_target(
    plan: Plan, span: DateRange, done: Counts, today: date, calendar: WorkCalendar
) -> ReportTarget:
    """The target for `span` from a month plan (see the module docstring)."""
    if span == plan.span:
        return ReportTarget(
            basis=BASIS_MONTH,
            goal=plan.target,
            month=plan.month,
            working_days=plan.working_days,
            working_days_elapsed=plan.working_days_elapsed,
            target=dict(plan.required),
            expected_by_now=dict(plan.expected_by_now),
            done=dict(done),
        )
    working = calendar.working_days(span)
    elapsed = _elapsed(calendar, span, today)
    return ReportTarget(
        basis=BASIS_WORKING_DAYS,
        goal=plan.target,
        month=plan.month,
        working_days=working,
        working_days_elapsed=elapsed,
        target={key: plan.per_day[key] * working for key in plan.keys},
        expected_by_now={key: plan.per_day[key] * elapsed for key in plan.keys},
        done=dict(done),
    )


@dataclass(frozen=True)
class Report:
    """A period's review; build it with `build_report`."""

    period: Period
    span: DateRange | None
    """The period's days; None for `all` on an empty log."""
    today: date
    funnel: Funnel
    previous_span: DateRange | None
    previous_label: str | None
    previous_funnel: Funnel | None
    target: ReportTarget | None
    best_days: dict[str, tuple[date, int] | None]
    """Per metric, the period's best day up to today and its count."""
    streak: Streaks
    daily_call_target: int | None
    """The calls (the funnel's first stage) a working day needed to count for the streak;
    None = any activity."""
    also: Counts = field(default_factory=dict)
    """The period's totals of the visible metrics outside the funnel (emails, referrals)."""
    also_metrics: tuple[Metric, ...] = ()
    """Those metrics, in display order."""

    @property
    def stages(self) -> tuple[Metric, ...]:
        """The funnel reported on, top first."""
        return self.funnel.stages

    @property
    def title(self) -> str:
        """`Weekly report`, `Monthly report`, ... or `Report`."""
        return _TITLES.get(_kind(self.period), "Report")

    @property
    def counts(self) -> Counts:
        return self.funnel.counts

    def change(self, metric: str) -> int | None:
        """This period minus the previous one; None without a previous period."""
        if self.previous_funnel is None:
            return None
        return self.counts[metric] - self.previous_funnel.counts[metric]

    def relative_change(self, metric: str) -> Fraction | None:
        """The change as a share of the previous count (1/5 = +20%); None when that was 0."""
        if self.previous_funnel is None or self.previous_funnel.counts[metric] <= 0:
            return None
        previous = self.previous_funnel.counts[metric]
        return Fraction(self.counts[metric] - previous, previous)

    def rate_change(self, stage: str) -> Fraction | None:
        """This period's rate into `stage` minus the previous one; None when either is missing."""
        if self.previous_funnel is None:
            return None
        now, before = self.funnel.rates[stage], self.previous_funnel.rates[stage]
        if now is None or before is None:
            return None
        return now - before


def build_report(
    period: Period,
    span: DateRange | None,
    totals: DayTotals,
    today: date,
    calendar: WorkCalendar,
    *,
    plan: Plan | None = None,
    streak: Streaks | None = None,
    daily_call_target: int | None = None,
    stages: tuple[Metric, ...] = METRICS,
    also: tuple[Metric, ...] = (),
) -> Report:
    """Review `span` (the period's days; for `all` the first to last event day or None).

    `totals` must cover `span` and `previous_range(period, span)`. `streak` is the
    current streak as the caller computed it from enough history; without it the
    streak is taken from `totals` with `daily_call_target` (None = any activity).
    `plan` gives the target and pace (none for `all`); it plans the funnel `stages`
    (top first). `also`: other metrics whose totals the report lists beside the funnel.
    """
    keys = tuple(metric.key for metric in stages)
    counts = sum_range(totals, span, keys) if span is not None else dict.fromkeys(keys, 0)
    previous = previous_range(period, span)
    previous_funnel = (
        Funnel(sum_range(totals, previous, keys), stages) if previous is not None else None
    )
    also_keys = [metric.key for metric in also]
    also_counts = (
        sum_range(totals, span, also_keys) if span is not None else dict.fromkeys(also_keys, 0)
    )
    target = None
    if plan is not None and span is not None and _kind(period) != "all":
        target = report_target(plan, span, counts, today, calendar)
    best: dict[str, tuple[date, int] | None] = {}
    in_span = {
        day: by_metric
        for day, by_metric in totals.items()
        if span is not None and day in span and day <= today
    }
    for key in keys:
        best[key] = best_day(in_span, key)
    if streak is None:
        streak = streaks(totals, today, calendar, daily_call_target)
    return Report(
        period=period,
        span=span,
        today=today,
        funnel=Funnel(counts, stages),
        previous_span=previous,
        previous_label=_previous_label(period, previous) if previous is not None else None,
        previous_funnel=previous_funnel,
        target=target,
        best_days=best,
        streak=streak,
        daily_call_target=daily_call_target,
        also=also_counts,
        also_metrics=tuple(also),
    )


# -- formatting -------------------------------------------------------------------------


def _signed(value: Fraction, places: int = 0) -> str:
    """`+7`, `-3`, `0`, `+13.3`: rounded half away from zero, sign always shown but for 0."""
    scale = 10**places
    magnitude = int((abs(value) * scale * 2 + 1) // 2)
    if magnitude == 0:
        return "0"
    whole, part = divmod(magnitude, scale)
    text = f"{whole:,}"
    if places and part:
        text += "." + f"{part:0{places}d}".rstrip("0")
    return ("+" if value > 0 else "-") + text


def _count_change_text(report: Report, metric: str) -> str:
    change = report.change(metric)
    if change is None:
        return "—"
    text = _signed(Fraction(change))
    relative = report.relative_change(metric)
    if relative is not None and change != 0:
        text += f" ({_signed(relative * 100)}%)"
    return text


def _rate_change_text(report: Report, stage: str) -> str:
    change = report.rate_change(stage)
    return "—" if change is None else f"{_signed(change * 100, 1)} pts"


def _rate_label(report: Report, stage: str) -> str:
    stages = report.stages
    return f"{stages[report.funnel.keys.index(stage) - 1].label} → {stage}"


def _table(report: Report) -> tuple[list[str], list[list[str]]]:
    """Header and rows: label, this period, (previous, change)."""
    with_previous = report.previous_funnel is not None
    header = ["", report.period.label]
    if with_previous:
        header += [str(report.previous_label), "Change"]
    rows: list[list[str]] = []
    for metric in report.stages:
        row = [metric.label, f"{report.counts[metric.key]:,}"]
        if report.previous_funnel is not None:
            row += [
                f"{report.previous_funnel.counts[metric.key]:,}",
                _count_change_text(report, metric.key),
            ]
        rows.append(row)
    for stage in report.funnel.keys[1:]:
        row = [_rate_label(report, stage), report.funnel.rate_text(stage)]
        if report.previous_funnel is not None:
            row += [
                report.previous_funnel.rate_text(stage),
                _rate_change_text(report, stage),
            ]
        rows.append(row)
    return header, rows


def _amounts(counts: Counts, metrics: tuple[Metric, ...]) -> str:
    return ", ".join(metric.amount(counts[metric.key]) for metric in metrics)


def _target_text(target: ReportTarget, stages: tuple[Metric, ...]) -> str:
    goal = f"{target.goal:,} {stages[-1].key}"
    if target.basis == BASIS_MONTH:
        how = f"the {target.month} plan for {goal}"
    else:
        days = "working day" if target.working_days == 1 else "working days"
        how = f"{target.working_days} {days} at the {target.month} plan's daily pace for {goal}"
    return f"{_amounts(target.target, stages)} ({how})"


def _pace_text(target: ReportTarget, stages: tuple[Metric, ...]) -> str:
    parts: list[str] = []
    for metric in stages:
        parts.append(describe_pace(target.pace(metric.key), metric))
    return ", ".join(parts)


def _day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _best_text(report: Report) -> str:
    parts: list[str] = []
    for metric in report.stages:
        best = report.best_days[metric.key]
        if best is None:
            parts.append(f"{metric.key} none")
        else:
            parts.append(f"{metric.key} {_day_text(best[0])} ({best[1]:,})")
    return "; ".join(parts)


def _streak_text(report: Report) -> str:
    days = report.streak.current
    unit = "working day" if days == 1 else "working days"
    top = report.stages[0]
    rule = (
        "with any activity"
        if report.daily_call_target is None
        else f"at their day's {top.singular} target (today: {top.amount(report.daily_call_target)})"
    )
    return f"{days} {unit} {rule}"


def _span_text(report: Report) -> str:
    return report.span.compact() if report.span is not None else "no events yet"


def _uncertain_notes(report: Report) -> list[str]:
    """Footnotes for the `?` rates of the table: this period's, then the previous one's."""
    # The table shows the steps, not the overall rate: its footnote would point at nothing.
    if report.previous_funnel is None:
        return report.funnel.notes(overall=False)
    return report.funnel.notes(overall=False, within=report.period.label) + (
        report.previous_funnel.notes(overall=False, within=str(report.previous_label))
    )


def _notes(report: Report) -> list[tuple[str, str]]:
    """The lines under the table: (label, text)."""
    notes: list[tuple[str, str]] = []
    if report.target is not None:
        notes.append(("Target", _target_text(report.target, report.stages)))
        notes.append(("Pace", _pace_text(report.target, report.stages)))
    notes.append(("Best day", _best_text(report)))
    notes.append(("Streak", _streak_text(report)))
    if report.also_metrics:
        notes.append(("Also", _amounts(report.also, report.also_metrics)))
    return notes


def to_text(report: Report) -> str:
    """The report as aligned plain text (no trailing newline)."""
    header, rows = _table(report)
    widths = [max(len(row[col]) for row in [header, *rows]) for col in range(len(header))]
    lines = [f"{report.title} · {report.period.label} · {_span_text(report)}"]
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(widths[col]) for col, cell in enumerate(row) if col > 0
        ]
        lines.append(("  " + "   ".join(cells)).rstrip())
    if report.previous_span is not None:
        lines.append(f"  ({report.previous_label}: {report.previous_span.compact()})")
    lines.extend(f"  {note}" for note in _uncertain_notes(report))
    for label, text in _notes(report):
        lines.append(f"  {label + ':':<10}{text}")
    return "\n".join(lines)


def to_markdown(report: Report) -> str:
    """The report as Markdown: a heading, a table, bullet lines (ends with a newline)."""
    header, rows = _table(report)
    lines = [f"## {report.title}: {report.period.label} ({_span_text(report)})", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("| --- |" + " ---: |" * (len(header) - 1))
    for row in rows:
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    if report.previous_span is not None:
        lines.append(f"- **{report.previous_label}:** {report.previous_span.compact()}")
    lines.extend(f"- {note}" for note in _uncertain_notes(report))
    for label, text in _notes(report):
        lines.append(f"- **{label}:** {text}")
    return "\n".join(lines) + "\n"


def _rates_json(funnel: Funnel) -> dict[str, float | None]:
    return {stage: None if rate is None else float(rate) for stage, rate in funnel.rates.items()}


def _span_json(span: DateRange | None) -> tuple[str | None, str | None]:
    return (None, None) if span is None else (span.start.isoformat(), span.end.isoformat())


def to_json(report: Report) -> dict[str, object]:
    """The report as JSON-ready data. Keys are stable; rates are floats or null.

    `change.relative` is the change over the previous count (0.2 = +20%, null when
    that was 0); `change.rates` is the difference of the rates (0.05 = 5 points).
    Counts, rates, target and best days are keyed by the funnel's stages; `stages` (the
    funnel, top first) is there for a funnel other than calls → meetings → sales, and
    `also` (the other visible metrics' totals) when there are any.
    """
    start, end = _span_json(report.span)
    payload: dict[str, object] = {
        "period": report.period.spec,
        "label": report.period.label,
        "from": start,
        "to": end,
        "counts": dict(report.counts),
        "rates": _rates_json(report.funnel),
        "overall": None if report.funnel.overall is None else float(report.funnel.overall),
    }
    if report.previous_funnel is None or report.previous_span is None:
        payload["previous"] = None
        payload["change"] = None
    else:
        previous_start, previous_end = _span_json(report.previous_span)
        overall = report.previous_funnel.overall
        payload["previous"] = {
            "label": report.previous_label,
            "from": previous_start,
            "to": previous_end,
            "counts": dict(report.previous_funnel.counts),
            "rates": _rates_json(report.previous_funnel),
            "overall": None if overall is None else float(overall),
        }
        keys = report.funnel.keys
        relative = {key: report.relative_change(key) for key in keys}
        rate_changes = {stage: report.rate_change(stage) for stage in keys[1:]}
        payload["change"] = {
            "counts": {key: report.change(key) for key in keys},
            "relative": {key: None if v is None else float(v) for key, v in relative.items()},
            "rates": {key: None if v is None else float(v) for key, v in rate_changes.items()},
        }
    target = report.target
    payload["target"] = (
        None
        if target is None
        else {
            "basis": target.basis,
            "goal": target.goal,
            "month": target.month,
            "working_days": target.working_days,
            "working_days_elapsed": target.working_days_elapsed,
            "target": dict(target.target),
            "expected_by_now": dict(target.expected_by_now),
            "done": dict(target.done),
            "pace": {key: target.pace(key) for key in report.funnel.keys},
        }
    )
    payload["best_day"] = {
        key: None if best is None else {"day": best[0].isoformat(), "count": best[1]}
        for key, best in report.best_days.items()
    }
    payload["streak"] = {
        "current": report.streak.current,
        "daily_call_target": report.daily_call_target,
    }
    # Only beyond the built-in funnel alone, so the built-ins' JSON stays as it was.
    if report.funnel.keys != METRIC_KEYS:
        payload["stages"] = list(report.funnel.keys)
    if report.also_metrics:
        payload["also"] = dict(report.also)
    return payload
