"""`salestui export`, `salestui import` and `salestui backup`: the user's data out and in.

`register(cli)` adds them to the command group in `cli.py`. The store modules are
imported inside each command, so the quick commands pay nothing for these.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from salestui.cli import _fail_input, _open_store
from salestui.store.events import Store, StoreError

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from salestui.store.portable import Format

PROGRESS_EVENTS = 50_000
"""An export at least this long gets a progress bar (when stderr is a terminal)."""
PROGRESS_BYTES = 8 << 20
"""Likewise an import of a file at least this large (about 40,000 events)."""


class _Progress:
    """A progress(done, total) callback that draws a bar on stderr, only when it helps."""

    def __init__(self, label: str, minimum: int) -> None:
        self.label = label
        self.minimum = minimum
        self.decided = False
        self.bar: ProgressBar[int] | None = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.decided:
            self.decided = True
            if total >= self.minimum and _stderr_is_terminal():
                self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
                self.bar.__enter__()
        if self.bar is not None and done > self.shown:
            self.bar.update(done - self.shown)
            self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv"], case_sensitive=False),
    default="json",
    show_default=True,
    help="JSON (one object) or CSV (one row per event).",
)
@click.option(
    "--period",
    "-p",
    "period_text",
    default="all",
    show_default=True,
    metavar="P",
    help="Only the events of these days: today, week, month, quarter, year, all, Nd, "
    "YYYY-MM or FROM..TO.",
)
@click.option(
    "-o", "--output", "output", metavar="FILE", help="Write to FILE (default: standard output)."
)
@click.pass_context
def export_command(ctx: click.Context, fmt: str, period_text: str, output: str | None) -> None:
    """The event log out, in recording order (default: JSON on standard output).

    FILE `-` is standard output. A symlink is written through to its target; a pipe or
    a device is written straight into; a read-only file and the database in use are
    refused. A regular file is replaced only once the export is complete, keeping its
    permissions (a new file is readable by you only).

    \b
    Examples:  salestui export -o salestui.json
               salestui export --format csv --period 2026-11 > november.csv
    """
    from salestui.domain.periods import parse_period
    from salestui.store.events import Store
    from salestui.store.portable import (
        ExportFailed,
        ExportRefused,
        export_events,
        write_export_file,
    )

    chosen: Format = "csv" if fmt.lower() == "csv" else "json"
    try:
        period = parse_period(period_text, ctx.obj["clock"]().date())
    except ValueError as error:
        _fail_input(str(error))
    if output == "":
        _fail_input("-o needs a file name (or - for standard output)")
    db: Path = ctx.obj["db"]
    progress = _Progress("Exporting", PROGRESS_EVENTS)
    opened: list[Store] = []

    def write(out: TextIO) -> int:
        # Opened once the target is accepted. Reading creates nothing (a database that
        # does not exist yet has no events) and works on a read-only database.
        if not db.exists():
            return export_events(db, out, chosen, period.range, progress)
        store = Store.for_reading(db, clock=ctx.obj["clock"])
        opened.append(store)
        return export_events(store, out, chosen, period.range, progress)

    try:
        count = write_export_file("-" if output is None else output, db, write)
    except ExportRefused as error:
        _fail_input(str(error))
    except ExportFailed as error:
        raise click.ClickException(str(error)) from None
    finally:
        progress.close()
        for store in opened:
            store.close()
    if output is not None and output != "-":
        click.echo(f"exported {count} events to {output}")


@click.command("import")
@click.argument("file", metavar="FILE")
@click.pass_context
def import_command(ctx: click.Context, file: str) -> None:
    """Merge FILE into the event log: a JSON or CSV export, or another salestui database.

    Events are matched by id, so importing the same file twice adds nothing. A file with
    any bad record is refused whole, naming the line; nothing is written.
    """
    from salestui.store.portable import ImportRefused, import_file

    path = Path(file).expanduser()
    if not path.exists():
        _fail_input(
            f"{file}: no such file (import takes a JSON or CSV export from `salestui export`, "
            "or a salestui database file)"
        )
    if path.is_dir():
        _fail_input(f"{file}: is a folder; give the file to import")
    db: Path = ctx.obj["db"]
    created = [each for each in (db.parent, db) if not each.exists()]
    store = _open_store(ctx)
    large = path.is_file() and path.stat().st_size >= PROGRESS_BYTES
    progress = _Progress("Importing", 0 if large else sys.maxsize)
    try:
        result = import_file(store, path, progress, label=str(path))
    except ImportRefused as error:
        if created and store.is_empty():
            _remove_new_database(store, created)  # a refused import leaves nothing behind
        _fail_input(str(error))
    finally:
        progress.close()
    settings = f"; {result.settings_added} setting changes added" if result.settings_added else ""
    click.echo(f"added {result.added}, already present {result.present}{settings}")


def _remove_new_database(store: Store, created: list[Path]) -> None:
    """Delete the empty database (and folder) this command created, best effort."""
    store.close()
    db = store.path
    for each in (Path(f"{db}-wal"), Path(f"{db}-shm"), db):
        if db in created:
            each.unlink(missing_ok=True)
    if db.parent in created:
        with contextlib.suppress(OSError):
            db.parent.rmdir()


@click.command("backup")
@click.argument("target", metavar="[PATH]", required=False)
@click.pass_context
def backup_command(ctx: click.Context, target: str | None) -> None:
    """Copy the database now, safely while the app runs; print the copy's path.

    \b
    PATH may be a new file or a folder; default: the `backups` folder beside the
    database. The database is only read: a read-only one can be backed up to PATH.
    To restore: quit salestui, copy a backup over the database file
    (`salestui where` shows it) and delete the -wal and -shm files beside it.
    """
    from salestui.store.backup import FolderError, backup_to, backups_folder

    db: Path = ctx.obj["db"]
    stamp = ctx.obj["clock"]().strftime("%Y-%m-%d-%H%M%S")
    if target is None:
        dest = _free_name(backups_folder(db), stamp)
    else:
        chosen = Path(target).expanduser()
        if chosen.is_dir() or target.endswith(("/", os.sep)):
            dest = _free_name(chosen, stamp)
        elif chosen.exists() or chosen.is_symlink():
            _fail_input(f"{target}: already exists; give a new file name or a folder")
        else:
            dest = chosen
    if not db.exists():
        raise StoreError(db, "no database here yet; nothing to back up")
    try:
        made = backup_to(db, dest)
    except FolderError as error:
        if target is not None:
            raise
        # The default folder sits beside the database, which may be read-only (another
        # user's folder, a read-only mount): say where else a copy can go.
        raise FolderError(
            error.path, f"{error.cause}. Back up elsewhere: `salestui backup PATH`"
        ) from None
    click.echo(str(made))


def _free_name(folder: Path, stamp: str) -> Path:
    """`salestui-<stamp>.db` in `folder`, with -2, -3... if taken."""
    candidate = folder / f"salestui-{stamp}.db"
    number = 1
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = folder / f"salestui-{stamp}-{number}.db"
    return candidate


def register(cli: click.Group) -> None:
    """Add `export`, `import` and `backup` to the command group (idempotent)."""
    for command in (export_command, import_command, backup_command):
        cli.add_command(command)
