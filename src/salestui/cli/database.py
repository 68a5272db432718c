"""`salestui where` and `salestui backup`: the database file itself, where it is and a
safe copy of it."""

from __future__ import annotations

import os
from pathlib import Path

import click

from salestui.cli.common import fail_input
from salestui.domain.text import visible
from salestui.store.backup import FolderError, backup_to, backups_folder
from salestui.store.events import StoreError


@click.command()
@click.pass_context
def where(ctx: click.Context) -> None:
    """Print the database path in use and its size (first line: `database: PATH`)."""
    path: Path = ctx.obj["db"]
    click.echo(f"database: {visible(str(path))}")
    if path.exists():
        click.echo(f"size: {_size_on_disk(path)}")
    else:
        click.echo("status: not created yet (opening the app or the first change creates it)")
    click.echo(f"backups: {visible(str(backups_folder(path)))}")


def _size_on_disk(path: Path) -> str:
    """The database's bytes, its -wal file's included: recent tallies can sit in the WAL
    (SQLite moves them into the main file only now and then), so the file alone can read
    4,096 bytes on a database holding a day's work."""
    size = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    try:
        wal_size = wal.stat().st_size
    except OSError:  # no -wal: every closed connection folded it into the file
        wal_size = 0
    if wal_size == 0:
        return f"{size:,} bytes"
    return (
        f"{size + wal_size:,} bytes ({size:,} in {visible(path.name)} "
        f"+ {wal_size:,} in {visible(wal.name)})"
    )


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
    db: Path = ctx.obj["db"]
    stamp = ctx.obj["clock"]().strftime("%Y-%m-%d-%H%M%S")
    if target is None:
        dest = _free_name(backups_folder(db), stamp)
    else:
        chosen = Path(target).expanduser()
        if chosen.is_dir() or target.endswith(("/", os.sep)):
            dest = _free_name(chosen, stamp)
        elif chosen.exists() or chosen.is_symlink():
            fail_input(f"{target}: already exists; give a new file name or a folder")
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
