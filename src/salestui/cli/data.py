"""`salestui export` and `salestui import`: the user's events out and in.

Only these two load the export and import code (`store.portable`); the quick commands
never import this module.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from salestui.cli.common import (
    PERIOD_WORDS,
    fail_input,
    fail_runtime,
    open_store,
    parse_or_fail,
    period_option,
)
from salestui.domain.periods import parse_period
from salestui.store import portable  # as a module: tests replace its functions
from salestui.store.events import Store

if TYPE_CHECKING:  # a private click module, named for the type only
    from click._termui_impl import ProgressBar

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
    "--what",
    type=click.Choice(list(portable.WHATS), case_sensitive=False),
    default="events",
    show_default=True,
    help="With --format csv: which records the CSV holds (JSON holds them all).",
)
@period_option(default="all", metavar="P", help=f"Only the events of these days: {PERIOD_WORDS}")
@click.option(
    "-o", "--output", "output", metavar="FILE", help="Write to FILE (default: standard output)."
)
@click.pass_context
def export_command(
    ctx: click.Context, fmt: str, what: str, period_text: str, output: str | None
) -> None:
    """The event log out, in recording order (default: JSON on standard output).

    A JSON export holds everything: settings, events, prospects (every change), the
    tallies linked to them (touches) and time. A CSV holds one kind of record, picked
    by --what: events (default), prospects, touches or time; import tells them apart
    by the header. --period keeps the events and touches of those days and the timers
    with a change on them; prospects' changes are always whole (a touch needs its
    prospect).

    FILE `-` is standard output. A symlink is written through to its target; a pipe or
    a device is written straight into; a read-only file and the database in use are
    refused. A regular file is replaced only once the export is complete, keeping its
    permissions (a new file is readable by you only).

    \b
    Examples:  salestui export -o salestui.json
               salestui export --format csv --period 2026-11 > november.csv
               salestui export --format csv --what touches -o touches.csv
    """
    chosen: portable.Format = "csv" if fmt.lower() == "csv" else "json"
    records: portable.What = next(each for each in portable.WHATS if each == what.lower())
    if chosen == "json" and records != "events":
        fail_input(f"--what {records} is for CSV (add --format csv); a JSON export holds them all")
    today = ctx.obj["clock"]().date()
    period = parse_or_fail(lambda text: parse_period(text, today), period_text)
    if output == "":
        fail_input("-o needs a file name (or - for standard output)")
    db: Path = ctx.obj["db"]
    progress = _Progress("Exporting", PROGRESS_EVENTS)
    opened: list[Store] = []
    counts: dict[str, int] = {}

    def write(out: TextIO) -> int:
        # Opened once the target is accepted. Reading creates nothing (a database that
        # does not exist yet has no events) and works on a read-only database.
        source: Store | Path = db
        if db.exists():
            source = Store.for_reading(db, clock=ctx.obj["clock"])
            opened.append(source)
        return portable.export_events(
            source, out, chosen, period.range, progress, what=records, counts=counts
        )

    try:
        count = portable.write_export_file("-" if output is None else output, db, write)
    except portable.ExportRefused as error:
        fail_input(str(error))
    except portable.ExportFailed as error:
        fail_runtime(str(error))
    finally:
        progress.close()
        for store in opened:
            store.close()
    if output is not None and output != "-":
        if records != "events":
            click.echo(f"exported {count} {portable.KINDS[records].words} to {output}")
            return
        others = [
            f"{counts[name]} {kind.words}"
            for name, kind in portable.KINDS.items()
            if counts.get(name)
        ]
        also = f" (and {', '.join(others)})" if others else ""
        click.echo(f"exported {count} events{also} to {output}")


@click.command("import")
@click.argument("file", metavar="FILE")
@click.option(
    "--add-metrics",
    is_flag=True,
    help="Add the metrics FILE counts that this database does not know (else refused).",
)
@click.pass_context
def import_command(ctx: click.Context, file: str, add_metrics: bool) -> None:
    """Merge FILE into the event log: a JSON or CSV export, or another salestui database.

    Prospects (their changes), touches and time come in with a JSON export or a
    database, or one CSV each (`export --format csv --what ...`): import the prospects'
    CSV before the touches'.

    Events are matched by id, so importing the same file twice adds nothing. A file with
    any bad record is refused whole, naming the line; nothing is written.

    A JSON export or a database brings its settings, metric and funnel definitions
    included (per setting, the later change wins); a CSV export holds events only. A
    metric FILE counts that neither this database nor FILE defines is refused, unless
    --add-metrics: then it is added on the first free letter of its name. A definition
    that would move a metric to another letter, or take a letter held here, is not
    applied: the import says so, one line each.
    """
    path = Path(file).expanduser()
    if not path.exists():
        fail_input(
            f"{file}: no such file (import takes a JSON or CSV export from `salestui export`, "
            "or a salestui database file)"
        )
    if path.is_dir():
        fail_input(f"{file}: is a folder; give the file to import")
    db: Path = ctx.obj["db"]
    created = [each for each in (db.parent, db) if not each.exists()]
    store = open_store(ctx)
    large = path.is_file() and path.stat().st_size >= PROGRESS_BYTES
    progress = _Progress("Importing", 0 if large else sys.maxsize)
    try:
        result = portable.import_file(
            store, path, progress, label=str(path), add_metrics=add_metrics
        )
    except portable.ImportRefused as error:
        if created and store.is_empty():
            _remove_new_database(store, created)  # a refused import leaves nothing behind
        fail_input(str(error))
    finally:
        progress.close()
    settings = f"; {result.settings_added} setting changes added" if result.settings_added else ""
    kinds = "".join(
        f"; {kind.added} {kind.words} added"
        + (f", {kind.present} already present" if kind.present else "")
        for kind in result.kinds
    )
    click.echo(f"added {result.added}, already present {result.present}{settings}{kinds}")
    for note in result.notes:
        click.echo(note)


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
