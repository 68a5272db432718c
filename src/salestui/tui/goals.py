"""The Goals tab: what must today bring to stay on track this month?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.reactive import var
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from salestui.clock import Clock
from salestui.domain.catalog import Catalog
from salestui.domain.goals import GoalStart, Start, parse_target, start_choices
from salestui.domain.lever import STEPS_POINTS, Levers, levers
from salestui.domain.metrics import METRIC_KEYS, METRICS, Metric
from salestui.domain.periods import DateRange
from salestui.domain.planner import MissingRateError, Plan, describe_pace
from salestui.domain.rates import (
    format_percent,
    format_rate_input,
    format_rate_words,
    parse_rate,
)
from salestui.domain.workdays import WorkCalendar, format_weekdays, parse_weekdays
from salestui.figures import SOURCE_WORDS, NoGoalError, PlanInputs
from salestui.store.events import Store
from salestui.tui.charts import FirstThatFits, packed, progress_bar
from salestui.tui.messages import FiguresWanted
from salestui.tui.today import error_text
from salestui.tui.writer import Write, WriteQueue, using_store

FIELD_WIDTH = 26
"""The narrowest a field of the form gets beside another: two days off and its frame."""
PROGRESS_WIDTH = 38
"""The month's progress bar beside the pace line (`#goals-progress`)."""
PLAN_PARTS = ("#goals-month", "#goals-pace-row", "#goals-rates", "#goals-levers")
"""Shown only once there is a plan."""


class _Parses(Validator):
    """Valid when `parser` accepts the text; its ValueError is the reason shown."""

    def __init__(self, parser: object) -> None:
        super().__init__()
        self.parser = parser

    def validate(self, value: str) -> ValidationResult:
        try:
            self.parser(value)  # type: ignore[operator]
        except ValueError as error:
            return self.failure(str(error))
        return self.success()


def parse_days_off(text: str) -> frozenset[date]:
    """`2026-12-24, 2026-12-31` -> the dates; empty text is no days off."""
    days = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            days.add(date.fromisoformat(part))
        except ValueError:
            raise ValueError(f"not a date: {part!r} (use YYYY-MM-DD, comma-separated)") from None
    return frozenset(days)


def rate_field_text(rate: Fraction) -> str:
    """A rate as the user would type it: `15%`, `1/3`; history's 37/293 as `12.6%`."""
    text = format_rate_input(rate)
    return format_percent(rate) if "/" in text and rate.denominator > 12 else text


def plan_headline(plan: Plan) -> Text:
    """The one answer: today's numbers, large and first."""
    text = Text()
    if plan.working_days_left == 0 or (
        plan.today in plan.span and not plan.calendar.is_working(plan.today)
    ):
        note = (
            "Today is a day off" if plan.working_days_left else "The month has no working day left"
        )
        text.append(f"{note}. ", style="dim")
    text.append("Today you need  ", style="bold")
    for metric in plan.stages:
        needed = plan.today_needed[metric.key]
        text.append(f"{needed:,}", style="bold green" if needed == 0 else "bold")
        text.append(f" {metric.key if needed != 1 else metric.singular}   ")
    if all(plan.today_needed[m.key] == 0 for m in plan.stages) and any(
        plan.today_target[m.key] for m in plan.stages
    ):
        text.append("✓ today's target is met", style="bold green")
    return text


def month_text(plan: Plan, width: int | None = None) -> Text:
    """`Month so far     532 / 1,126 calls   68 / 154 meetings ...` and the figures per
    working day, each stage's figure kept whole: one that would not fit `width` goes on
    the next line, under the first."""
    label_width = len("Per working day  ")
    done = [
        Text.assemble((f"{plan.done[m.key]:,}", "bold"), f" / {plan.required[m.key]:,} {m.key}")
        for m in plan.stages
    ]
    per_day = [Text(metric.amount(plan.per_day[metric.key])) for metric in plan.stages]
    room = 10_000 if width is None else width
    text = Text()
    for label, parts in (("Month so far", done), ("Per working day", per_day)):
        if text:
            text.append("\n")
        text.append(f"{label:<{label_width}}", style="bold")
        text.append_text(packed(parts, room - label_width, indent=label_width))
    return text


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """`month_text` drawn at the width it is given."""

    plan: Plan

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield month_text(self.plan, options.max_width)


def pace_text(plan: Plan) -> Text:
    """Ahead or behind on the funnel's first stage (calls, applications)."""
    top = plan.stages[0]
    pace = plan.pace(top.key)
    return Text(describe_pace(pace, top), style="bold yellow" if pace < 0 else "bold green")


def steps(stages: Sequence[Metric]) -> list[tuple[Metric, Metric]]:
    """Each step of a funnel: (the stage before, the stage its rate converts into)."""
    return list(zip(stages, stages[1:], strict=False))


def rates_table(plan: Plan, *, words: bool = True, source: bool = True) -> Table:
    """The rates the plan uses, in numbers, in words and where each comes from (the
    words and the source may be left out: `fitting_rates_table`)."""
    table = Table(box=None, padding=(0, 2, 0, 0), show_header=True, header_style="bold dim")
    table.add_column("Rates used", no_wrap=True)
    table.add_column("rate", justify="right", no_wrap=True)
    if words:
        table.add_column("in words", no_wrap=True)
    if source:
        table.add_column("source", no_wrap=True)
    for before, after in steps(plan.stages):
        rate = plan.rates[after.key]
        cells = [f"{before.key} → {after.key}", format_percent(rate)]
        if words:
            cells.append(format_rate_words(rate, before, after))
        if source:
            cells.append(SOURCE_WORDS.get(plan.rates_source.get(after.key, ""), ""))
        table.add_row(*cells)
    return table


def fitting_rates_table(plan: Plan) -> FirstThatFits:
    """`rates_table` whole while it fits; on a narrow pane the source goes first, then
    the words (the rate itself always stays)."""
    return FirstThatFits(
        (
            rates_table(plan),
            rates_table(plan, source=False),
            rates_table(plan, words=False, source=False),
        )
    )


def lever_text(found: Levers, stages: Sequence[Metric]) -> Text:
    """Which rate to improve (domain.lever): per step, how many fewer of the first stage
    the month needs at +5 and +10 points, then the one to pull first and why.

    `Which rate to improve`
    `+5 points calls→meetings: 250 fewer calls this month; +10: 400 fewer`
    `Pull first: calls→meetings (your best month of the last twelve shows it can be done)`
    """
    top = stages[0]
    names = {after.key: f"{before.key}→{after.key}" for before, after in steps(stages)}
    first, *more = STEPS_POINTS
    text = Text("Which rate to improve\n", style="bold")
    for lever in found.stages:
        name = names.get(lever.stage, lever.stage)
        if lever.rate >= 1:
            text.append(f"{name} is at 100%: nothing to gain there\n", style="dim")
            continue
        saved = lever.savings[first]
        text.append(f"+{first} points {name}: ")
        text.append(f"{saved:,} fewer {top.singular if saved == 1 else top.key}", style="bold")
        text.append(" this month")
        for points in more:
            text.append(f"; +{points}: {lever.savings[points]:,} fewer")
        text.append("\n")
    if found.cheapest is None:
        text.append(f"No lever to pull: {found.reason}", style="dim")
    else:
        text.append("Pull first: ", style="bold")
        text.append(names.get(found.cheapest.stage, found.cheapest.stage), style="bold green")
        text.append(f" ({found.reason})", style="dim")
    return text


def levers_for(plan: Plan, best_months: Mapping[str, Fraction | None]) -> Levers:
    """The lever for `plan` from each stage's best month of the last twelve, as read
    with the figures (domain.lever takes the months; only their best counts)."""
    monthly = {stage: [best] for stage, best in best_months.items()}
    return levers(plan.target, plan.rates, plan.keys, monthly)


def rate_field_label(stage: str, stages: Sequence[str] = METRIC_KEYS) -> str:
    """The label of a rate's field on the Goals tab: `calls → meetings`."""
    index = list(stages).index(stage) if stage in stages else 0
    before = stages[index - 1] if index > 0 else "?"
    return f"{before} → {stage}"


def advice(error: ValueError, month: DateRange, stages: tuple[Metric, ...] = METRICS) -> str:
    """What to do about a plan that cannot be made, pointing at the fields of this tab
    (the domain's messages name the CLI's flags and commands)."""
    month_name = month.start.strftime("%B %Y")
    keys = tuple(metric.key for metric in stages)
    if isinstance(error, NoGoalError):
        return (
            f"No goal yet for {month_name}: press g (or Enter) to go to the goal field below, "
            f"type your monthly {stages[-1].key} goal and press Enter."
        )
    if isinstance(error, MissingRateError):
        why = f" ({error.reason})" if error.reason else ""
        field = rate_field_label(error.stage, keys)
        return (
            f"No {field} rate yet{why}: type a starting rate in the "
            f"{field} field below (e.g. 15% or 1/3) and press Enter."
        )
    if "working days" in str(error):
        return (
            f"{month_name} has no working days in your calendar: change Working weekdays "
            "or Days off below and press Enter."
        )
    return str(error)


def start_options(
    target: int, choice: GoalStart, month: DateRange, unit: Metric = METRICS[-1]
) -> list[Option]:
    """The honest ways to start a goal set while the month is under way (`unit`: what
    the goal counts, sales by default)."""
    this_month = month.start.strftime("%B")
    next_month = (month.end + timedelta(days=1)).strftime("%B")
    days_left = f"{choice.days_left} working day{'s' if choice.days_left != 1 else ''} left"
    prorated = choice.prorated(target)
    return [
        Option(
            f"Pro-rate {this_month}: {unit.amount(prorated)} in the "
            f"{days_left}, then {target:,} a month",
            id=Start.PRORATE.value,
        ),
        Option(
            f"All {target:,} {unit.key} in {this_month}, counted from today ({days_left})",
            id=Start.FULL.value,
        ),
        Option(
            f"Start in {next_month}: {target:,} {unit.key} a month from then; "
            f"no goal for {this_month}",
            id=Start.NEXT_MONTH.value,
        ),
    ]


class GoalStartScreen(ModalScreen[Start | None]):
    """A goal set while the month is under way: pro-rate it, take all of it on from
    today, or start next month. Escape stores nothing."""

    DEFAULT_CSS = """
    GoalStartScreen {
        align: center middle;
    }
    #goal-start-box {
        width: auto;
        max-width: 90%;
        height: auto;
        border: round $accent;
        padding: 1 2;
        background: $surface;
    }
    #goal-start-question {
        width: auto;
        margin-bottom: 1;
    }
    #goal-start-options {
        width: auto;
        height: auto;
    }
    #goal-start-keys {
        margin-top: 1;
        color: $text-muted;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel: nothing saved", id="goal-start.cancel")]

    def __init__(
        self, target: int, choice: GoalStart, month: DateRange, unit: Metric = METRICS[-1]
    ) -> None:
        super().__init__()
        self.target = target
        self.choice = choice
        self.month = month
        self.unit = unit

    def compose(self) -> ComposeResult:
        passed = self.choice.working_days - self.choice.days_left
        month_name = self.month.start.strftime("%B")
        with Vertical(id="goal-start-box") as box:
            box.border_title = f"A goal of {self.target:,} {self.unit.key} a month"
            yield Label(
                f"{month_name} is under way: {passed} of its {self.choice.working_days} "
                "working days have passed. How should this month count?",
                id="goal-start-question",
            )
            yield OptionList(
                *start_options(self.target, self.choice, self.month, self.unit),
                id="goal-start-options",
            )
            yield Label(
                "↑↓ choose · Enter saves · Esc cancels (nothing is saved)", id="goal-start-keys"
            )
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(Start(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class GoalsTab(VerticalScroll):
    """The plan for this month, the rates behind it, and a what-if that saves on request.

    The tab itself takes focus when it opens (not the goal field): c, m and s keep
    tallying, ↑↓ scroll, Enter or Tab go into the form."""

    DEFAULT_CSS = """
    GoalsTab {
        padding: 0 1 0 0;
        /* The focus mark takes the place of the left padding: nothing moves on focus. */
        border-left: blank;
    }
    GoalsTab:focus {
        border-left: outer $accent;
    }
    .error {
        color: $error;
        padding: 0 1;
    }
    #goals-title {
        width: 1fr;
        color: $text-muted;
    }
    #goals-headline {
        margin-top: 1;
        padding: 0 1;
        border: round $accent;
    }
    #goals-month {
        margin-top: 1;
    }
    #goals-pace-row {
        height: 1;
    }
    #goals-progress {
        width: 38;
    }
    #goals-pace {
        width: 1fr;
        padding-left: 2;
    }
    /* A narrow pane: the pace under its bar, the form's fields one a row (_fit). */
    GoalsTab.-narrow-pace #goals-pace-row {
        layout: vertical;
        height: auto;
    }
    GoalsTab.-narrow-pace #goals-pace {
        height: auto;
        padding-left: 0;
    }
    GoalsTab.-narrow-form #goals-form {
        grid-size: 2;
        grid-columns: auto 1fr;
    }
    #goals-rates {
        margin-top: 1;
    }
    #goals-levers {
        margin-top: 1;
    }
    #goals-form {
        grid-size: 4;
        grid-columns: auto 1fr auto 1fr;
        grid-rows: 3;
        grid-gutter: 0 1;
        height: auto;
        margin-top: 1;
    }
    #goals-form Label {
        height: 3;
        content-align: right middle;
    }
    #goals-buttons {
        height: 3;
    }
    #goals-buttons Button {
        margin-right: 1;
    }
    """

    # Not in the footer: at 80 columns it would push Help and Quit out (the help screen
    # and the no-goal advice say it).
    BINDINGS = [Binding("enter", "edit_goal", "Edit the goal", show=False, id="goals.edit")]

    inputs: var[PlanInputs | None] = var(None)

    def __init__(self, clock: Clock, writes: WriteQueue) -> None:
        super().__init__()
        self.clock = clock
        self.writes = writes
        self._filled: dict[str, str] = {}
        """What the form was last filled with, per field: a field that differs is an edit."""
        self.best_months: Mapping[str, Fraction | None] = {}
        """Each rate stage's best month of the last twelve (set with `inputs`): the lever."""
        self._stages: tuple[Metric, ...] = METRICS
        """The funnel the form has fields for (the active one's stages)."""

    def compose(self) -> ComposeResult:
        catalog = getattr(self.app, "catalog", None)
        if isinstance(catalog, Catalog):
            self._stages = tuple(catalog.entry(key).metric for key in catalog.active.stages)
        yield Label("", id="goals-title")
        yield Static("", id="goals-headline")
        yield Static("", id="goals-month")
        with Horizontal(id="goals-pace-row"):
            # Text, not a ProgressBar: that widget ticks every second even when hidden.
            yield Static("", id="goals-progress")
            yield Static("", id="goals-pace")
        yield Static("", id="goals-rates")
        with Grid(id="goals-form"):
            yield Label(goal_field_label(self._stages[-1]), id="goal-label")
            yield Input(id="goal-input", validators=[_Parses(parse_target)], placeholder="e.g. 50")
            yield from rate_fields(self._stages)
            yield Label("Working weekdays", id="weekdays-label")
            yield Input(id="weekdays-input", validators=[_Parses(parse_weekdays)])
            yield Label("Days off")
            yield Input(
                id="days-off-input",
                validators=[_Parses(parse_days_off)],
                valid_empty=True,
                placeholder="2026-12-24, 2026-12-31",
            )
        yield Static("", id="goals-what-if")
        yield Label("", id="goals-error", classes="error")
        with Horizontal(id="goals-buttons"):
            yield Button("Save", id="goals-save", variant="primary")
            yield Button("Reset", id="goals-reset")
        # Which rate to improve: last, below the form whose rate fields try it out (above
        # it, the plan and its form would no longer fit a 30-line terminal together).
        yield Static("", id="goals-levers")

    # -- showing -----------------------------------------------------------------

    async def watch_inputs(self, inputs: PlanInputs | None) -> None:
        if inputs is None:
            return
        if inputs.stages != self._stages:
            await self._follow_funnel(inputs.stages)
            if self.inputs is not inputs:
                return  # newer figures came meanwhile: their own call shows them
        self._fill_form(inputs, keep_edits=True)
        self._show_plan(inputs)

    async def _follow_funnel(self, stages: tuple[Metric, ...]) -> None:
        """Another funnel is active: a rate field per step of it, the goal in its words.
        What was typed in the old fields belongs to the old funnel and goes with them."""
        self._stages = stages
        await self.query(".rate-field").remove()
        for field_id in [key for key in self._filled if key.startswith("rate-")]:
            del self._filled[field_id]
        self.query_one("#goal-label", Label).update(goal_field_label(stages[-1]))
        before = self.query_one("#weekdays-label", Label)
        await self.query_one("#goals-form", Grid).mount(*rate_fields(stages), before=before)
        self._fit()

    def _fill_form(self, inputs: PlanInputs, *, keep_edits: bool = False) -> None:
        """Put the stored figures in the form; with `keep_edits`, leave fields the user
        changed (a refresh from another tally must not wipe an unsaved what-if)."""
        in_use = inputs.rates_in_use()
        values = {
            "goal-input": str(inputs.goal) if inputs.goal else "",
            **{
                f"rate-{stage}": rate_field_text(in_use[stage]) if stage in in_use else ""
                for stage in inputs.rate_stages
            },
            "weekdays-input": format_weekdays(inputs.calendar.weekdays),
            "days-off-input": ", ".join(
                day.isoformat() for day in sorted(inputs.calendar.holidays)
            ),
        }
        for field_id, value in values.items():
            field = self.query_one(f"#{field_id}", Input)
            edited = field.value != self._filled.get(field_id, field.value)
            if not (keep_edits and edited):
                field.value = value
            self._filled[field_id] = value

    def _show_plan(self, inputs: PlanInputs) -> None:
        month_name = inputs.month.start.strftime("%B %Y")
        days = inputs.calendar.working_days(inputs.month)
        left = inputs.calendar.working_days_left(inputs.month, inputs.today)
        unit = inputs.goal_metric
        goal = f"goal {unit.amount(inputs.goal)}" if inputs.goal else "no goal yet"
        if inputs.goal and inputs.goal_start is not None:
            goal += f" from {inputs.goal_start.day} {inputs.goal_start:%b} (set mid-month)"
        self.query_one("#goals-title", Label).update(
            f"{month_name} · {goal} · {days} working days, {left} left (today included)"
        )
        headline = self.query_one("#goals-headline", Static)
        try:
            plan = inputs.plan()
        except ValueError as error:
            headline.update(Text(advice(error, inputs.month, inputs.stages), style="bold yellow"))
            for selector in PLAN_PARTS:
                self.query_one(selector).display = False
            self._show_what_if()
            return
        headline.update(plan_headline(plan))
        self.query_one("#goals-month", Static).update(MonthFigures(plan))
        for selector in PLAN_PARTS:
            self.query_one(selector).display = True
        top = plan.keys[0]
        self.query_one("#goals-progress", Static).update(
            Text(progress_bar(plan.done[top], plan.required[top], width=32), style="green")
        )
        self.query_one("#goals-pace", Static).update(pace_text(plan))
        self._fit()
        self.query_one("#goals-rates", Static).update(fitting_rates_table(plan))
        self.query_one("#goals-levers", Static).update(
            lever_text(levers_for(plan, self.best_months), plan.stages)
        )
        self._show_what_if()

    # -- fitting the pane ------------------------------------------------------------

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Two fields a row while they fit (each wide enough for two days off), else one;
        the pace beside its bar while it fits, else under it."""
        available = self.scrollable_content_region.width
        if not available:
            return  # not laid out yet: its first resize calls again
        if not self.show_vertical_scrollbar:
            available -= self.styles.scrollbar_size_vertical
        form_labels = self.query("#goals-form Label").results(Label)
        labels = [len(str(label.content)) for label in form_labels]
        two_a_row = max(labels[0::2], default=0) + max(labels[1::2], default=0)
        self.set_class(two_a_row + 2 * FIELD_WIDTH + 3 > available, "-narrow-form")
        pace = self.query_one("#goals-pace", Static).content
        pace_width = pace.cell_len if isinstance(pace, Text) else len(str(pace))
        self.set_class(PROGRESS_WIDTH + 2 + pace_width > available, "-narrow-pace")

    def focus_first(self) -> None:
        """The tab itself, not the goal field: letters keep tallying (see the class)."""
        self.focus()

    def action_edit_goal(self) -> None:
        """Enter on the tab: into the goal field."""
        self.query_one("#goal-input", Input).focus()

    # -- what-if and saving ------------------------------------------------------

    def _typed(self) -> tuple[int | None, dict[str, Fraction], WorkCalendar | None, str | None]:
        """What the form holds, parsed; the first problem as a sentence."""
        goal_text = self.query_one("#goal-input", Input).value.strip()
        problem: str | None = None
        goal: int | None = None
        if goal_text:
            try:
                goal = parse_target(goal_text)
            except ValueError as error:
                problem = f"Goal: {error}"
        rates: dict[str, Fraction] = {}
        for before, after in steps(self._stages):
            stage = after.key
            text = self.query_one(f"#rate-{stage}", Input).value.strip()
            if text:
                try:
                    rates[stage] = parse_rate(text)
                except ValueError as error:
                    problem = problem or f"{before.key} → {stage}: {error}"
        calendar: WorkCalendar | None = None
        try:
            calendar = WorkCalendar(
                weekdays=parse_weekdays(self.query_one("#weekdays-input", Input).value),
                holidays=parse_days_off(self.query_one("#days-off-input", Input).value),
            )
        except ValueError as error:
            problem = problem or f"Calendar: {error}"
        return goal, rates, calendar, problem

    def _show_what_if(self) -> None:
        inputs = self.inputs
        what_if = self.query_one("#goals-what-if", Static)
        error_label = self.query_one("#goals-error", Label)
        if inputs is None:
            return
        goal, rates, calendar, problem = self._typed()
        error_label.update(problem or "")
        if problem is not None:
            what_if.update("")
            return
        changed_rates = self._edited_rates(rates)
        changed = (
            (goal is not None and goal != inputs.goal)
            or changed_rates
            or (calendar is not None and calendar != inputs.calendar)
        )
        if not changed:
            what_if.update(Text("Edit a figure above to see what it would take.", style="dim"))
            return
        try:
            trial = replace(inputs, calendar=calendar or inputs.calendar)
            plan = trial.plan(target=goal, rate_flags=changed_rates)
        except ValueError as error:
            what_if.update(
                Text(f"What-if: {advice(error, inputs.month, inputs.stages)}", style="dim")
            )
            return
        words = dict(steps(inputs.stages))
        by_key = {after.key: before for before, after in words.items()}
        parts = [
            f"{format_percent(rate)} {stage} per {by_key[stage].singular}"
            for stage, rate in changed_rates.items()
            if stage in by_key
        ]
        premise = f"at {' and '.join(parts)}" if parts else "with these figures"
        top = inputs.stages[0]
        needed = plan.required[top.key]
        text = Text("What-if: ", style="bold")
        text.append(
            f"{premise} you would need {needed:,} {top.key} this month "
            f"({plan.per_day[top.key]:,} a day; {plan.today_needed[top.key]:,} today). "
        )
        found = levers_for(plan, self.best_months)
        if found.cheapest is not None:
            lever = found.cheapest
            name = f"{by_key[lever.stage].key}→{lever.stage}"
            text.append(
                f"Pull first then: {name} (+{STEPS_POINTS[0]} points: "
                f"{lever.savings[STEPS_POINTS[0]]:,} fewer). "
            )
        if self._new_goal_mid_month(goal, calendar) is not None:
            text.append("The month is under way: saving asks how it should count. ", style="dim")
        text.append("Save to keep it, Reset to go back.", style="dim")
        what_if.update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "period-input":
            self._show_what_if()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "period-input":
            event.stop()
            self.save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "goals-save":
            self.save()
        elif event.button.id == "goals-reset" and self.inputs is not None:
            self._fill_form(self.inputs)
            self._show_what_if()

    def save(self) -> None:
        """Validate the whole form; save it only if every field is right. A new goal
        set while the month is under way first asks how this month should count."""
        goal, rates, calendar, problem = self._typed()
        if problem is not None:
            self.query_one("#goals-error", Label).update(problem)
            self.app.notify(f"Nothing saved. {problem}", severity="error")
            return
        edited_goal = goal if self._goal_edited() else None
        edited_rates = self._edited_rates(rates)
        inputs = self.inputs
        only_this_month = inputs is not None and inputs.goal_start is not None
        choice = self._new_goal_mid_month(edited_goal, calendar)
        if edited_goal is None or choice is None or inputs is None:
            self._store(edited_goal, edited_rates, calendar, only_this_month=only_this_month)
            return
        target = edited_goal

        def chosen(start: Start | None) -> None:
            if start is None:
                self.app.notify("Nothing saved: the goal, rates and calendar are as they were.")
                return
            self._store(target, edited_rates, calendar, start=start)

        self.app.push_screen(
            GoalStartScreen(target, choice, inputs.month, inputs.goal_metric), chosen
        )

    def _goal_edited(self) -> bool:
        """The goal field differs from what the form was filled with."""
        return self.query_one("#goal-input", Input).value.strip() != self._filled.get(
            "goal-input", ""
        )

    def _new_goal_mid_month(
        self, goal: int | None, calendar: WorkCalendar | None
    ) -> GoalStart | None:
        """How this month would start, when `goal` is a new goal for a month under way
        (no goal covers it yet and some of its working days have passed); else None."""
        inputs = self.inputs
        if goal is None or inputs is None or inputs.goal is not None:
            return None
        choice = start_choices(
            inputs.month, inputs.today, calendar or inputs.calendar, covered=False
        )
        return choice if choice.mid_month else None

    def _edited_rates(self, rates: dict[str, Fraction]) -> dict[str, Fraction]:
        """The typed rates whose text the user changed from what the form was filled with."""
        return {
            stage: rate
            for stage, rate in rates.items()
            if self.query_one(f"#rate-{stage}", Input).value.strip()
            != self._filled.get(f"rate-{stage}", "")
        }

    def _store(
        self,
        goal: int | None,
        rates: dict[str, Fraction],
        calendar: WorkCalendar | None,
        *,
        start: Start | None = None,
        only_this_month: bool = False,
    ) -> None:
        """Store what the form holds (already validated): calendar, rates, and an edited
        goal (`goal` None: not edited), from this month on, started as the user chose
        when the month is under way. `only_this_month`: the month's goal already started
        mid-month, so the number typed changes this month alone (later months keep the
        goal set with it)."""
        from salestui.domain.catalog import BUILTIN_FUNNEL
        from salestui.domain.periods import month_of
        from salestui.figures import month_label, save_calendar, save_goal, save_rate, set_goal

        today = self.clock().date()
        month = month_label(month_of(today))
        # The funnel the form was filled for: its goal and rates, under its own keys.
        inputs = self.inputs
        funnel = inputs.funnel if inputs is not None else BUILTIN_FUNNEL
        unit = self._stages[-1].key

        def save(store: Store) -> str:  # on the writer thread
            # The calendar first: a goal set mid-month is pro-rated by the days it leaves.
            if calendar is not None:
                save_calendar(store, calendar, source="tui")
            for stage, rate in rates.items():
                save_rate(store, stage, rate, source="tui", funnel=funnel)
            if goal is None:
                return "Saved."
            if only_this_month:
                # This month's goal started mid-month: the number is this month's alone;
                # the goal set with it for later months stays.
                save_goal(store, month, goal, only=True, source="tui", funnel=funnel)
                return f"Saved. Goal for {month}: {goal:,} {unit}."
            saved = set_goal(store, today, goal, start, source="tui", funnel=funnel, unit=unit)
            return "Saved. " + saved.message

        note = ""
        if any(self._history_decides(stage) for stage in rates):
            note = " Your own 90-day history is used while it is large enough (30+)."

        def landed(result: object) -> None:
            self.notify(f"{result}{note}")
            self.post_message(FiguresWanted())

        def failed(error: Exception) -> None:
            self.notify(
                f"Not saved: {error_text(error)}", severity="error", timeout=8, markup=False
            )

        # Out of the field, onto the tab itself: letter keys tally again, focus still shows.
        self.focus_first()
        self.writes.submit(Write("goals", using_store(save), landed=landed, failed=failed))

    def _history_decides(self, stage: str) -> bool:
        from salestui.domain.planner import history_rate

        inputs = self.inputs
        return inputs is not None and history_rate(inputs.history, stage, inputs.stages) is not None


def goal_field_label(unit: Metric) -> str:
    """`Goal (sales this month)`."""
    return f"Goal ({unit.key} this month)"


def rate_fields(stages: Sequence[Metric]) -> list[Label | Input]:
    """A label and a field for each step's rate, `rate-STAGE` by the stage it converts into."""
    widgets: list[Label | Input] = []
    for before, after in steps(stages):
        widgets.append(Label(f"{before.key} → {after.key}", classes="rate-field"))
        widgets.append(
            Input(
                id=f"rate-{after.key}",
                classes="rate-field",
                validators=[_Parses(parse_rate)],
                valid_empty=True,
                placeholder="e.g. 15% or 1/3",
            )
        )
    return widgets
