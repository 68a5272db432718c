"""What every command module shares: failing in one line, opening the store, JSON
output, the options several commands take, and the help listing that never cuts short.

A leaf: it imports nothing from the command line, so every command module can import
it at the top and none imports another's privates.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from salestui.domain.metrics import METRICS, Metric
from salestui.store.events import Store

if TYPE_CHECKING:  # imported where used: completions and catalog changes only
    from collections.abc import Mapping

    from click.shell_completion import CompletionItem

    from salestui.domain.catalog import Catalog, SettingChanges

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

PERIOD_WORDS = "today, week, month, quarter, year, all, Nd, YYYY-MM or FROM..TO."
"""The periods `--period` takes, in the words of `funnel --help`."""


class InputError(click.UsageError):
    """Bad input: exit 2 with one line (no usage block, no `--help` hint)."""


def fail_input(message: str) -> NoReturn:
    """Stop with exit code 2 and `message` as the one line on stderr; nothing is written."""
    raise InputError(message)


def fail_runtime(message: str) -> NoReturn:
    """Stop with exit code 1 and `message` (which names the file and the cause)."""
    raise click.ClickException(message)


def parse_or_fail(parser: Callable[[str], T], text: str) -> T:
    """`parser(text)`, or exit 2 with the ValueError's message."""
    try:
        return parser(text)
    except ValueError as error:
        fail_input(str(error))


def open_store(ctx: click.Context) -> Store:
    """The store for a command that writes (the database is created if missing),
    closed when the command ends."""
    store = Store(ctx.obj["db"], clock=ctx.obj["clock"])
    ctx.call_on_close(store.close)
    return store


def reading_store(ctx: click.Context) -> Store:
    """A store for a command that only reads: a missing database is empty, not created."""
    store = Store.for_reading(ctx.obj["db"], clock=ctx.obj["clock"])
    ctx.call_on_close(store.close)
    return store


def echo_json(payload: dict[str, Any]) -> None:
    """One JSON object on one line of standard output (non-ASCII text kept as it is)."""
    click.echo(json.dumps(payload, ensure_ascii=False))


def json_option(function: F) -> F:
    """`--json`: print JSON instead of text (passed as `as_json`)."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)


def period_option(
    default: str, help: str = PERIOD_WORDS, metavar: str | None = None
) -> Callable[[F], F]:
    """`--period`/`-p` with its default (passed as `period_text`)."""
    return click.option(
        "--period",
        "-p",
        "period_text",
        default=default,
        show_default=True,
        metavar=metavar,
        help=help,
    )


def month_option(help: str) -> Callable[[F], F]:
    """`--month YYYY-MM` (passed as `month_text`, None when not given)."""
    return click.option("--month", "month_text", metavar="YYYY-MM", help=help)


def change_catalog(
    ctx: click.Context, change: Callable[[Catalog, Mapping[str, str]], SettingChanges]
) -> Catalog:
    """Apply a change to the metrics and funnels: `change(catalog, reserved)` (reserved:
    the app's own keys, each with what it does) returns the settings to write, or raises
    ValueError, which stops with exit 2 and its one line before anything is written or
    even created. Returns the catalog as it is after the change."""
    from salestui.domain.keys import SETTING_PREFIX, keymap_from_settings

    def changed(store: Store) -> SettingChanges:
        catalog = store.catalog()
        reserved = catalog.app_keys(keymap_from_settings(store.settings_like(SETTING_PREFIX)))
        return change(catalog, reserved)

    try:
        # Checked first on a reading store, so a missing database stays missing when the
        # change is refused; then again with the write lock held, so that another
        # process's change in between (a letter taken) is seen before anything is written.
        changed(reading_store(ctx))
        store = open_store(ctx)
        store.change_settings(changed)
    except ValueError as error:
        fail_input(str(error))
    return store.catalog()


def _metrics_for_completion(ctx: click.Context) -> tuple[Metric, ...]:
    """The visible metrics of the database the command line would use; the built-ins
    when it cannot be read (completion must never fail or create anything)."""
    try:
        from salestui.paths import resolve_db_path

        root = ctx.find_root()
        obj = root.obj if isinstance(root.obj, dict) else {}
        path = obj.get("db") or resolve_db_path(root.params.get("db_option"))
        with Store.for_reading(path) as store:
            return store.catalog().visible
    except Exception:  # noqa: BLE001 -- any failure: the built-ins, silently
        return METRICS


def complete_metric(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Metric names for shell completion: the visible metrics of the database in use
    (calls, meetings, sales and your own, plural and singular)."""
    from click.shell_completion import CompletionItem  # completion only: not on every run

    return [
        CompletionItem(name, help=metric.label)
        for metric in _metrics_for_completion(ctx)
        for name in (metric.key, metric.singular)
        if name.startswith(incomplete.lower())
    ]


class WideHelpGroup(click.Group):
    """A command group whose `--help` lists each command's whole first sentence.

    Click cuts short help at the terminal width with "..."; here it wraps instead.
    """

    group_class = type  # subgroups (`goal`, `rate`) list their commands the same way

    def short_helps(self, ctx: click.Context) -> list[tuple[str, str]]:
        """(name, short help) for each visible command, in listing order."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1_000)))
        return rows

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = self.short_helps(ctx)
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
