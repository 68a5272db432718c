"""`salestui calendar`: the working weekdays and days off the plan counts with."""

from __future__ import annotations

from datetime import date

import click

from salestui.cli.common import fail_input, open_store, parse_or_fail, reading_store
from salestui.domain.workdays import format_weekdays, parse_weekdays
from salestui.figures import calendar, calendar_changes


def parse_day(text: str) -> date:
    """A YYYY-MM-DD day, or ValueError saying so."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


@click.command("calendar")
@click.option(
    "--weekdays",
    "weekdays_text",
    metavar="DAYS",
    help="Working weekdays, e.g. mon-fri, sun-thu or mon,tue,thu.",
)
@click.option(
    "--off",
    "off_texts",
    metavar="YYYY-MM-DD",
    multiple=True,
    help="Add a day off (holiday); repeatable.",
)
@click.option(
    "--on", "on_texts", metavar="YYYY-MM-DD", multiple=True, help="Remove a day off; repeatable."
)
@click.pass_context
def calendar_command(
    ctx: click.Context,
    weekdays_text: str | None,
    off_texts: tuple[str, ...],
    on_texts: tuple[str, ...],
) -> None:
    """Show or change the working-day calendar used by the plan."""
    weekdays = parse_or_fail(parse_weekdays, weekdays_text) if weekdays_text else None
    off = {parse_or_fail(parse_day, text) for text in off_texts}
    on = {parse_or_fail(parse_day, text) for text in on_texts}
    both = sorted(off & on)
    if both:
        fail_input(f"{both[0]} is given both as --off and --on; choose one")
    changes = calendar_changes(weekdays, off=off, on=on)
    if changes:
        store = open_store(ctx)
        # Only the named changes are written (one setting each), so that concurrent
        # `calendar --off` runs for different days all keep theirs.
        store.set_settings(changes)
    else:  # showing the calendar creates nothing
        store = reading_store(ctx)
    current = calendar(store)
    click.echo(f"Working weekdays: {format_weekdays(current.weekdays)}")
    days_off = ", ".join(day.isoformat() for day in sorted(current.holidays)) or "none"
    click.echo(f"Days off: {days_off}")
