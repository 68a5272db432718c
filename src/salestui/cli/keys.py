"""`salestui keys`: which key runs each command in the app, and your own remaps.

A remap is a setting `key.<command>` (data like every setting: it travels with export
and merges across machines); the app reads them when it starts. Each visible metric, your
own included, has its commands (`tally.emails` on its letter, `correct.emails` on Shift).
"""

from __future__ import annotations

import click

from salestui.cli.common import (
    WideHelpGroup,
    echo_json,
    fail_input,
    json_option,
    open_store,
    reading_store,
)
from salestui.domain.keys import (
    SETTING_PREFIX,
    default_keys,
    keymap_from_settings,
    keys_display,
    parse_keys,
    validate_keymap,
)
from salestui.store.events import Store


def commands_of(store: Store) -> dict[str, str]:
    """Every command's binding id and its key out of the box on this database: the
    visible metrics' (built-ins and your own), then the app's own."""
    return default_keys((metric.key, metric.letter) for metric in store.catalog().visible)


@click.group(cls=WideHelpGroup, invoke_without_command=True)
@click.pass_context
def keys(ctx: click.Context) -> None:
    """The app's keys by command, and your own remaps (alone: the list)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(keys_list)


@keys.command("list")
@json_option
@click.pass_context
def keys_list(ctx: click.Context, as_json: bool) -> None:
    """Each command, its key out of the box and the key it has now."""
    store = reading_store(ctx)
    defaults = commands_of(store)
    keymap = keymap_from_settings(store.settings_like(SETTING_PREFIX))
    accepted, warnings = validate_keymap(keymap, defaults)
    if as_json:
        echo_json(
            {
                "keys": [
                    {
                        "command": command,
                        "default": keys_display(default),
                        "keys": keys_display(accepted.get(command, default)),
                    }
                    for command, default in defaults.items()
                ]
            }
        )
        return
    width = max(len(command) for command in defaults)
    for command, default in defaults.items():
        now = keys_display(accepted.get(command, default))
        changed = f"   (out of the box: {keys_display(default)})" if command in accepted else ""
        click.echo(f"{command:<{width}}  {now}{changed}")
    for warning in warnings:
        click.echo(warning)


@keys.command("set")
@click.argument("command")
@click.argument("new_keys", metavar="KEYS")
@click.pass_context
def keys_set(ctx: click.Context, command: str, new_keys: str) -> None:
    """Give COMMAND new KEYS (comma-separated, e.g. `k` or `k,f5`) from the next start."""
    store = reading_store(ctx)  # nothing is created for a remap that is refused
    defaults = commands_of(store)
    if command not in defaults:
        fail_input(f"no command {command!r}; commands: {', '.join(defaults)}")
    if not parse_keys(new_keys):
        fail_input("give at least one key, e.g. `salestui keys set tally.calls k`")
    keymap = keymap_from_settings(store.settings_like(SETTING_PREFIX))
    current, _warnings = validate_keymap(keymap, defaults)
    accepted, warnings = validate_keymap({**current, command: new_keys}, defaults)
    if command not in accepted:
        refusal = next(warning for warning in warnings if repr(command) in warning)
        fail_input(refusal.replace("ignored", "refused").rstrip("."))
    displaced = [other for other in current if other != command and other not in accepted]
    if displaced:
        # The new keys would take a key another remap already holds: that one stays.
        clash = next(
            key for key in parse_keys(new_keys) if key in parse_keys(current[displaced[0]])
        )
        fail_input(
            f"Key remap for {command!r} refused: {keys_display(clash)} is already the key of "
            f"{displaced[0]!r}"
        )
    open_store(ctx).set_setting(SETTING_PREFIX + command, accepted[command])
    click.echo(f"{command}: {keys_display(accepted[command])} (from the app's next start)")


@keys.command("reset")
@click.argument("command", required=False)
@click.option("--all", "everything", is_flag=True, help="Every command back to its own key.")
@click.pass_context
def keys_reset(ctx: click.Context, command: str | None, everything: bool) -> None:
    """Put COMMAND (or every command, with --all) back on its key out of the box."""
    if everything == (command is not None):
        fail_input("name one command, or pass --all")
    store = reading_store(ctx)  # nothing is created for a command that is refused
    defaults = commands_of(store)
    stored = store.settings_like(SETTING_PREFIX)
    if command is not None and command not in defaults:
        fail_input(f"no command {command!r}; commands: {', '.join(defaults)}")
    names = list(stored) if everything else [SETTING_PREFIX + str(command)]
    open_store(ctx).set_settings({name: None for name in names if name in stored})
    for name in names:
        binding = name[len(SETTING_PREFIX) :]
        if binding in defaults:
            click.echo(f"{binding}: {keys_display(defaults[binding])}")
