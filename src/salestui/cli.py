"""The `salestui` command line.

Quick commands (`log`, `undo`, `today`, `where`) must stay fast: they import neither
Textual nor sqlite-utils. The TUI is imported only when it is opened.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from salestui.clock import Clock, local_now
from salestui.paths import resolve_db_path
from salestui.store.events import StoreError

if TYPE_CHECKING:  # typing only, without the import cost
    from salestui.store.events import Store


class InputError(click.UsageError):
    """Bad input: exit 2 with one line."""


def _fail_input(message: str) -> NoReturn:
    raise InputError(message)


def _open_store(ctx: click.Context) -> Store:
    from salestui.store.events import Store

    store = Store(ctx.obj["db"], clock=ctx.obj["clock"])
    ctx.call_on_close(store.close)
    return store


def _echo_json(payload: dict[str, Any]) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False))


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "db_option",
    metavar="PATH",
    help="Database file (default: $SALESTUI_DB, else the user data folder).",
)
@click.version_option(package_name="salestui", message="salestui %(version)s")
@click.pass_context
def cli(ctx: click.Context, db_option: str | None) -> None:
    """Tally cold calls, meetings and sales; with no command, open the app.

    \b
    Keys in the app: c/m/s +1 call/meeting/sale, C/M/S -1, u undo, ? help, q quit.
    """
    ctx.ensure_object(dict)
    ctx.obj.setdefault("clock", local_now)
    ctx.obj["db"] = resolve_db_path(db_option)
    if ctx.invoked_subcommand is None:
        _run_tui(ctx.obj["db"], ctx.obj["clock"])


def _run_tui(db: Path, clock: Clock) -> None:
    from salestui.store.events import Store

    store = Store(db, clock=clock)  # a bad file fails here, before the screen is taken over
    from salestui.tui.app import SalesApp

    SalesApp(store, clock=clock).run()


@cli.command()
@click.pass_context
def where(ctx: click.Context) -> None:
    """Print the database path in use (first line: `database: PATH`)."""
    path: Path = ctx.obj["db"]
    click.echo(f"database: {path}")
    if path.exists():
        click.echo(f"size: {path.stat().st_size} bytes")
    else:
        click.echo("status: not created yet (it is made on the first tally)")


def parse_count(text: str) -> int:
    """COUNT: a whole number >= 1."""
    try:
        count = int(text)
    except ValueError:
        _fail_input(f"COUNT must be a whole number >= 1, not {text!r}")
    if count < 1:
        _fail_input(f"COUNT must be a whole number >= 1, not {count}")
    return count


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("metric")
@click.argument("count", required=False, default="1")
@click.option("--at", "at_text", metavar="WHEN", help="When it happened: a date or datetime.")
@click.option("--note", metavar="TEXT", help="A note kept with the tally.")
@click.pass_context
def log(ctx: click.Context, metric: str, count: str, at_text: str | None, note: str | None) -> None:
    """Record one tally of COUNT (default 1) calls, meetings or sales.

    \b
    METRIC is calls, meetings or sales (or call / c, meeting / m, sale / s).
    Examples:  salestui log call
               salestui log meetings 2 --at 2026-11-26 --note "Acme, Globex"
    """
    from salestui.domain.metrics import parse_metric
    from salestui.domain.when import parse_at

    try:
        chosen = parse_metric(metric)
    except ValueError as error:
        _fail_input(str(error))
    amount = parse_count(count)
    now = ctx.obj["clock"]()
    at = None
    if at_text is not None:
        try:
            at = parse_at(at_text, now)
        except ValueError as error:
            _fail_input(str(error))
    store = _open_store(ctx)
    event = store.log(chosen.key, amount, at=at, note=note, source="cli")
    when = "" if event.day == now.date().isoformat() else f" on {event.day}"
    click.echo(f"+{chosen.amount(amount)}{when}")


@cli.command()
@click.pass_context
def undo(ctx: click.Context) -> None:
    """Cancel the most recent tally, whatever made it."""
    from salestui.domain.metrics import metric_by_key

    store = _open_store(ctx)
    cancelled = store.undo(source="cli")
    if cancelled is None:
        click.echo("Nothing to undo.")
        return
    metric = metric_by_key(cancelled.metric)
    sign = "+" if cancelled.delta > 0 else "-"
    click.echo(f"Undid {sign}{metric.amount(abs(cancelled.delta))} from {cancelled.day}.")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def today(ctx: click.Context, as_json: bool) -> None:
    """Today's counts."""
    from salestui.domain.metrics import metric_by_key
    from salestui.domain.periods import DateRange

    day = ctx.obj["clock"]().date()
    path: Path = ctx.obj["db"]
    if path.exists():
        counts = _open_store(ctx).counts(DateRange(day, day))
    else:  # reading must not create the file
        from salestui.domain.counts import zero_counts

        counts = zero_counts()
    if as_json:
        _echo_json({"day": day.isoformat(), "counts": counts})
        return
    click.echo(day.strftime("%a %d %b %Y"))
    for key, value in counts.items():
        click.echo(f"  {metric_by_key(key).label:<9} {value:>5}")


def main(argv: Sequence[str] | None = None, clock: Clock | None = None) -> NoReturn:
    """Entry point: one line on stderr for every failure, never a traceback.

    `clock` replaces the wall clock (tests).
    """
    obj = {"clock": clock} if clock is not None else {}
    try:
        code = cli.main(args=argv, prog_name="salestui", standalone_mode=False, obj=obj)
    except click.UsageError as error:
        # Click's own usage errors come with a usage block; one line is the contract.
        message = error.format_message().splitlines()[0] if error.format_message() else ""
        if not isinstance(error, InputError) and error.ctx is not None:
            message += f" (see: {error.ctx.command_path} --help)"
        click.echo(f"salestui: {message}", err=True)
        sys.exit(2)
    except click.ClickException as error:
        click.echo(f"salestui: {error.format_message()}", err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        sys.exit(130)
    except StoreError as error:
        click.echo(f"salestui: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as error:
        click.echo(f"salestui: {error.filename or 'I/O'}: {error.strerror or error}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
