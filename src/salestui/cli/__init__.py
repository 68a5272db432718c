"""The `salestui` command line: the root group, its lazy list of commands, and `main`.

Each command lives in a module of this package and is imported only when it runs (or
when its own `--help` is asked for): `salestui log call` loads `counting` and never the
report, the plan or the export code. The root's `--help` lists every command from the
short help kept in `COMMANDS`, without importing them. Shared helpers and options live
in `salestui.cli.common`; command modules import from there, never from here.

Nothing here imports Textual or `salestui.launch`: `salestui` with no command opens the
app through the `open_app` that `launch` hands to `main`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import click

from salestui.cli.common import InputError, WideHelpGroup, parse_or_fail
from salestui.clock import Clock, local_now
from salestui.paths import check_db_option, resolve_db_path
from salestui.quick_log import failed, say

if TYPE_CHECKING:  # imported where used: only when the shell asks for completions
    from click.shell_completion import CompletionItem

OpenApp = Callable[[Path, Clock], int]
"""Opens the app on a database with a clock; returns the exit code."""


class LazyCommand(NamedTuple):
    """Where a command is defined ("module:attribute") and its one-line help for listings."""

    target: str
    short_help: str


COMMANDS: Mapping[str, LazyCommand] = {
    "backup": LazyCommand(
        "salestui.cli.database:backup_command",
        "Copy the database now, safely while the app runs; print the copy's path.",
    ),
    "calendar": LazyCommand(
        "salestui.cli.calendar:calendar_command",
        "Show or change the working-day calendar used by the plan.",
    ),
    "due": LazyCommand(
        "salestui.cli.prospects:due",
        "Follow-ups due today or overdue (silent when none: made for a shell prompt).",
    ),
    "export": LazyCommand(
        "salestui.cli.data:export_command",
        "The event log out, in recording order (default: JSON on standard output).",
    ),
    "funnel": LazyCommand(
        "salestui.cli.funnel:funnel",
        "Counts and conversion rates of a funnel for a period (default: this month).",
    ),
    "goal": LazyCommand(
        "salestui.cli.plan:goal",
        "The monthly goal: sales, or your funnel's last stage (alone: the goal in force).",
    ),
    "import": LazyCommand(
        "salestui.cli.data:import_command",
        "Merge FILE into the event log: a JSON or CSV export, or another salestui database.",
    ),
    "keys": LazyCommand(
        "salestui.cli.keys:keys",
        "The app's keys by command, and your own remaps (alone: the list).",
    ),
    "log": LazyCommand(
        "salestui.cli.counting:log",
        "Record one tally of COUNT (default 1) calls, meetings, sales or your own metrics.",
    ),
    "metric": LazyCommand(
        "salestui.cli.metrics:metric",
        "Your own metrics beside calls, meetings and sales (alone: the list).",
    ),
    "plan": LazyCommand(
        "salestui.cli.plan:plan",
        "What this month needs per day: calls, meetings, sales, or your funnel's stages.",
    ),
    "preset": LazyCommand(
        "salestui.cli.metrics:preset",
        "Start counting for one kind of work: its metrics and funnel, made active.",
    ),
    "prospect": LazyCommand(
        "salestui.cli.prospects:prospect",
        "The people you are working: add, list, follow up, won or lost, and figures.",
    ),
    "rate": LazyCommand(
        "salestui.cli.plan:rate",
        "Starting rates, used until your own history is large enough (alone: show).",
    ),
    "report": LazyCommand(
        "salestui.cli.report:report",
        "A review of a period: totals, rates, change, pace, streak.",
    ),
    "time": LazyCommand(
        "salestui.cli.timer:time_group",
        "Time on non-sales work: start or stop a timer, log time, see today's.",
    ),
    "today": LazyCommand("salestui.cli.counting:today", "Today's counts."),
    "undo": LazyCommand(
        "salestui.cli.counting:undo",
        "Cancel the most recent tally made on this database.",
    ),
    "where": LazyCommand(
        "salestui.cli.database:where",
        "Print the database path in use and its size (first line: `database: PATH`).",
    ),
}
"""Every command of the root group; a test checks each short help against the command's."""


class LazyGroup(WideHelpGroup):
    """A group that imports a command's module only when that command is wanted
    (click's "lazily loading subcommands" recipe), listing them all from `COMMANDS`."""

    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self.lazy:
            return command
        module_name, attribute = self.lazy[cmd_name].target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy[cmd_name].target} is not a click command")
        return command

    def short_helps(self, ctx: click.Context) -> list[tuple[str, str]]:
        """The listing from `COMMANDS`: `salestui --help` imports no command module."""
        rows = []
        for name in self.list_commands(ctx):
            if name in self.lazy:
                rows.append((name, self.lazy[name].short_help))
            elif not self.commands[name].hidden:  # added eagerly: its own help
                rows.append((name, self.commands[name].get_short_help_str(limit=1_000)))
        return rows

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Command names from `COMMANDS` (no module imported per key press), then options."""
        from click.shell_completion import CompletionItem  # completion only: not on every run

        names = [
            CompletionItem(name, help=short_help)
            for name, short_help in self.short_helps(ctx)
            if name.startswith(incomplete)
        ]
        # click.Command's own: the root's options, not the commands again.
        return names + click.Command.shell_complete(self, ctx, incomplete)


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
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
    if db_option is not None:
        parse_or_fail(check_db_option, db_option)
    ctx.obj["db"] = resolve_db_path(db_option)
    if ctx.invoked_subcommand is None:
        open_app: OpenApp | None = ctx.obj.get("open_app")
        if open_app is None:  # called in-process without the app (tests): the help
            click.echo(ctx.get_help())
            return
        code = open_app(ctx.obj["db"], ctx.obj["clock"])
        if code:
            sys.exit(code)


def main(
    argv: Sequence[str] | None = None,
    clock: Clock | None = None,
    open_app: OpenApp | None = None,
) -> NoReturn:
    """Entry point: one line on stderr for every failure, never a traceback.

    `clock` replaces the wall clock (tests); `open_app` opens the app when no command
    is given (`salestui.launch` passes it; the command line never imports the app).
    """
    obj: dict[str, object] = {}
    if clock is not None:
        obj["clock"] = clock
    if open_app is not None:
        obj["open_app"] = open_app
    try:
        code = cli.main(args=argv, prog_name="salestui", standalone_mode=False, obj=obj)
    except click.UsageError as error:
        # Click's own usage errors come with a usage block; one line is the contract.
        message = error.format_message()
        if not isinstance(error, InputError) and error.ctx is not None:
            message = _first_line(message) + f" (see: {error.ctx.command_path} --help)"
        _say(message)
        sys.exit(2)
    except click.ClickException as error:
        _say(error.format_message())
        sys.exit(error.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 -- the file, a closed pipe, or a bug: one line
        sys.exit(failed(error))
    sys.exit(code if isinstance(code, int) else 0)


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text.strip() else text.strip()


def _say(message: str) -> None:
    """One line on stderr (the quick path's words, so both paths say things alike)."""
    say(_first_line(message))
