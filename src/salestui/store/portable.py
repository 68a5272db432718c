"""The event log out and in: JSON and CSV exports, and merging imports.

Export streams: rows come off one cursor in chunks and are written as they come,
so memory stays flat for any history size. `write_export_file` decides how `-o FILE`
is written (stdout, through a symlink, straight into a pipe or device, or atomically
replacing a regular file with its mode kept) and refuses the database in use.

Formats. JSON: `{"format": "salestui-export", "version": 1, "settings": [...],
"events": [...], "prospects": [...], "touches": [...], "time": [...]}`; `settings`
(every change of every setting: id, ts, key, value, source) comes before `events`;
after them, each streamed like the events, every prospect change (PROSPECT_CHANGE_COLUMNS),
every touch (TOUCH_COLUMNS: a tally linked to a prospect) and every time change
(TIME_COLUMNS: a timer's start or stop, or time logged afterwards). Readers skip keys
they do not know, so the version stays 1 and an export without the last three (older,
or from a schema-4 file) still imports. The `prospects` table is never exported: the
store's triggers rebuild it from the changes and touches. A CSV holds one kind of
record under its own header (`export_events(..., what=...)`): events (the default and
the contract), prospects, touches or time; import tells them apart by the header.
Settings travel in JSON exports and database files only.

Prospects, touches and time are checked field by field as the app writes them (names
by `salestui.domain.prospects.check_name`, statuses, sources, follow-up dates, reasons
up to MAX_REASON, time kinds, categories without control characters, 1 to 1,440
minutes for a log, `day` the day of `at`) and merged by id like events. A touch must
name a prospect whose changes are in the file or the database (else it would make a
prospect without a name); its tally may be in neither, since it may come in a later
import (a CSV of events after the touches'), but where the tally is known the touch
must match it. A stop must end a start in the file or the database. With a period,
an export takes the events and touches of its days, every change of a timer with a
change on them (a stop with its start) and every prospect change.

CSV and spreadsheets. A text cell (note, source; a prospect change's value, a time
change's category) that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
would be run as a formula by a spreadsheet (OWASP "CSV injection"); such a cell is
written with a single quote `'` in front, which spreadsheets show as text. A cell that
itself starts with `'` gets one more, so the rule has no exception: salestui's CSV
import takes exactly one leading `'` off every such cell, and reads back exactly what
was exported. (A hand-made CSV whose note starts with `'` loses that quote; write `''`
for one.) Numbers are left alone:
a delta of `-1` stays the number -1. A cell may be up to 1 MiB (`_MAX_NOTE_CHARS`);
a longer one is refused, so a hostile file cannot make the reader buffer without end.
Rows end in CRLF (RFC 4180); with it the writer also quotes a note holding a lone
carriage return, which a `\n`-terminated file left bare (and the import split in two).

Import takes a JSON export, a CSV export or another salestui database file (the
laptop/desktop merge) and merges by event id (setting changes too). Nothing is
written unless the whole file is good:

1. Stage: read the file as a stream (every read bounded: a record, a line or a cell
   past its limit is refused, so `/dev/zero` or a 1 GB line cannot fill memory),
   check every record, and copy the checked rows into TEMP tables on the store's
   connection. A JSON export is read with ijson: the header and settings by a careful
   walk over its parse events, fed a line at a time so that each knows its line; the
   events in one pass of its C parser, and each list after them (prospects, touches,
   time) in one more; a record's line is worked out when a message needs it
   (`_TextSource._json_records`). The passes are checked against the file's keys,
   counted in its bytes; where they disagree the careful walk reads it all. Temp
   tables are private to the connection and take no lock on the database file. The
   first bad record stops the import with its line or record number.
2. Check against the database, still without the write lock: an id already stored
   with different content is refused (never overwritten); an undo must cancel a tally
   in the file or the database, on its day and metric with the opposite delta; and
   the merged log must not take a day's count below zero where the database has it
   at zero or more (a second undo of the same tally, from two machines, counts once,
   as in the store).
3. Merge in chunks: each chunk is one short `BEGIN IMMEDIATE` transaction (about
   CHUNK_SECONDS, at most CHUNK_ROWS rows), followed by a pause of PAUSE_SECONDS,
   longer than SQLite's busy handler sleeps, so a tally from another pane or a
   `salestui log` key binding waiting for the lock always gets in: an import never
   makes a tally fail. Tallies and corrections are written before the undos and
   notes that refer to them; each chunk records its rowids as imported, so
   `salestui undo` never cancels another machine's tally.

An import killed part way (kill -9, power loss) leaves the chunks it committed: each
is whole, and no undo is ever stored without its tally. Importing the same file again
completes it, since events merge by id. An id already stored with the same content
counts as "already present"; so does an id that appears twice in the file with the
same content. `source` (which program recorded the tally: tui, cli) is not compared:
it does not change what happened, and the stored value is kept.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import operator
import os
import re
import sqlite3
import stat
import string
import sys
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

import ijson  # type: ignore[import-untyped]
import sqlite_utils
from ijson.backends import python as _ijson_python  # type: ignore[import-untyped]
from ijson.backends import yajl2_c as _ijson_c

from salestui.domain import metrics as _metrics
from salestui.domain.catalog import (
    FUNNEL_PREFIX,
    KEY_HELP,
    MAX_VISIBLE,
    METRIC_PREFIX,
    Catalog,
    SettingChanges,
    singular_of,
)
from salestui.domain.keys import SETTING_PREFIX as KEY_SETTING_PREFIX
from salestui.domain.keys import keymap_from_settings
from salestui.domain.metrics import METRIC_KEY, METRIC_KEYS, Metric
from salestui.domain.periods import DateRange
from salestui.domain.prospects import FIELDS as PROSPECT_FIELDS
from salestui.domain.prospects import MAX_REASON
from salestui.domain.prospects import SOURCES as PROSPECT_SOURCES
from salestui.domain.prospects import STATUSES as PROSPECT_STATUSES
from salestui.domain.prospects import check_name as check_prospect_name
from salestui.store.events import (
    EVENT_COLUMNS,
    Store,
    StoreError,
    append_setting_change,
    translated,
)
from salestui.store.schema import APPLICATION_ID, SCHEMA_VERSION

EXPORT_FORMAT = "salestui-export"
EXPORT_VERSION = 1
REQUIRED_COLUMNS: tuple[str, ...] = EVENT_COLUMNS[:7]
"""What an import needs; `cancels` and `about` may be absent (then null)."""
SETTING_COLUMNS: tuple[str, ...] = ("id", "ts", "key", "value", "source")
"""Keys of each entry of a JSON export's `settings` list (one change of one setting)."""

Format = Literal["json", "csv"]
Progress = Callable[[int, int], None]
"""progress(done, total): rows for an export; bytes (or rows of a database) for an import."""

_FETCH = 5_000
_STAGE_CHUNK = 5_000
_MAX_RECORD_CHARS = 4 << 20  # one JSON event larger than this is refused, not buffered on
_SQLITE_MAGIC = b"SQLite format 3\x00"

Row = tuple[str, str, str, str, int, str | None, str, str | None, str | None]
SettingRow = tuple[str, str, str, str | None, str]


class ImportRefused(ValueError):
    """The import file is missing or malformed: one line naming the file and the place.

    Nothing was written when this is raised.
    """


@dataclass(frozen=True, slots=True)
class KindCount:
    """How many prospect changes, touches or time changes an import brought."""

    kind: str
    """prospects, touches or time (the JSON key)."""
    words: str
    """What they are, for people: prospect changes, touches, time entries."""
    added: int
    present: int


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did. `notes`: one line each for a metric the import added and for a
    definition in the file that was not applied (a letter this database gives to another
    metric or keeps for the app). `kinds`: the prospect changes, touches and time changes
    the file held (only those it held any of)."""

    added: int
    present: int
    settings_added: int = 0
    notes: tuple[str, ...] = ()
    kinds: tuple[KindCount, ...] = ()


# -- export ----------------------------------------------------------------------------


def export_events(
    store_or_path: Store | Path,
    out: TextIO,
    fmt: Format = "json",
    span: DateRange | None = None,
    progress: Progress | None = None,
    what: What = "events",
    counts: dict[str, int] | None = None,
) -> int:
    """Write the event log (or the events of the days in `span`) to `out`; return the count.

    Events come in recording order (rowid). JSON:
    `{"format": "salestui-export", "version": 1, "settings": [...], "events": [...],
    "prospects": [...], "touches": [...], "time": [...]}`, one record per line (the last
    three when the database has them, schema 5); CSV: a header row
    `id,ts,day,metric,delta,note,source,cancels,about`, empty cells for null.
    `what` (CSV only): `prospects`, `touches` or `time` writes those instead of events,
    under a header of their own (PROSPECT_CHANGE_COLUMNS, TOUCH_COLUMNS, TIME_COLUMNS);
    the count returned is then theirs.

    `span`: events and touches of those days, the time changes of every timer with a
    change on those days (a stop with its start), and every prospect change (a touch
    needs its prospect). `counts`, when given, gets how many of each list were written
    (by JSON key). A `Path` is read read-only and never created: a database that does
    not exist yet exports no events. Raises StoreError for an unreadable or foreign file.
    """
    if fmt not in ("json", "csv"):
        raise ValueError(f"unknown export format {fmt!r} (use json or csv)")
    if what not in WHATS:
        raise ValueError(f"unknown export {what!r} (use {', '.join(WHATS)})")
    if fmt == "json" and what != "events":
        raise ValueError("a JSON export holds everything; --what picks one CSV's records")
    counts = counts if counts is not None else {}
    if isinstance(store_or_path, Store):
        return _export_from(
            store_or_path.connection, store_or_path.path, out, fmt, span, progress, what, counts
        )
    path = Path(store_or_path)
    if not path.exists():
        if what != "events":
            return _write_extra_csv(iter(()), out, KINDS[what])
        return _write_export(iter(()), out, fmt)
    conn = _open_readonly(path, lambda cause: StoreError(path, cause))
    try:
        return _export_from(conn, path, out, fmt, span, progress, what, counts)
    finally:
        conn.close()


def _extra_query(
    conn: sqlite3.Connection, kind: _Kind, span: DateRange | None, neutralised: bool
) -> tuple[str, tuple[str, ...]]:
    """The SELECT of one list of prospect changes, touches or time changes (see
    `export_events` for what a period takes), in recording order."""
    columns = ", ".join(
        f"CASE WHEN substr({name}, 1, 1) IN ({_GUARDED_SQL})"
        f" THEN {_QUOTE_SQL} || {name} ELSE {name} END AS {name}"
        if neutralised and name in kind.guarded
        else name
        for name in kind.columns
    )
    where = ""
    params: tuple[str, ...] = ()
    if span is not None and kind.name != "prospects":
        params = (span.start.isoformat(), span.end.isoformat())
        where = (
            " WHERE day BETWEEN ? AND ?"
            if kind.name == "touches"
            else " WHERE timer IN (SELECT timer FROM time_changes WHERE day BETWEEN ? AND ?)"
        )
    return f"SELECT {columns} FROM {kind.table}{where} ORDER BY rowid", params


def _write_extra_csv(
    chunks: Iterator[list[Any]],
    out: TextIO,
    kind: _Kind,
    total: int = 0,
    progress: Progress | None = None,
) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(kind.columns)
    written = 0
    if progress is not None:
        progress(0, total)
    for rows in chunks:
        writer.writerows(rows)
        written += len(rows)
        if progress is not None:
            progress(written, total)
    return written


def _export_from(
    conn: sqlite3.Connection,
    path: Path,
    out: TextIO,
    fmt: Format,
    span: DateRange | None,
    progress: Progress | None,
    what: What = "events",
    counts: dict[str, int] | None = None,
) -> int:
    where = ""
    params: tuple[str, ...] = ()
    if span is not None:
        where, params = " WHERE day BETWEEN ? AND ?", (span.start.isoformat(), span.end.isoformat())
    counts = counts if counts is not None else {}
    with translated(path):
        columns = _select_list(conn, neutralised=fmt == "csv")
        # One read transaction: the count and the rows come from the same snapshot,
        # while other processes keep writing (WAL).
        conn.execute("BEGIN")
        try:
            if what != "events":
                kind = KINDS[what]
                if not _has_table(conn, kind.table):
                    return _write_extra_csv(iter(()), out, kind)
                sql, extra_params = _extra_query(conn, kind, span, neutralised=True)
                count = int(
                    conn.execute(f"SELECT count(*) FROM ({sql})", extra_params).fetchone()[0]
                )
                counts[what] = count
                cursor = conn.execute(sql, extra_params)
                return _write_extra_csv(_chunks(cursor), out, kind, count, progress)
            extras: list[tuple[str, Callable[[], Iterator[list[Any]]]]] = []
            if fmt == "json":
                for kind in KINDS.values():
                    if _has_table(conn, kind.table):
                        sql, extra_params = _extra_query(conn, kind, span, neutralised=False)
                        extras.append((kind.name, _lazy_chunks(conn, sql, extra_params)))
            total = int(conn.execute(f"SELECT count(*) FROM events{where}", params).fetchone()[0])
            settings: list[Any] = []
            if fmt == "json" and _has_table(conn, "setting_changes"):
                # Every change, whatever the period: settings are not per day. Few rows.
                settings = conn.execute(
                    f"SELECT {', '.join(SETTING_COLUMNS)} FROM setting_changes ORDER BY rowid"
                ).fetchall()
            cursor = conn.execute(f"SELECT {columns} FROM events{where} ORDER BY rowid", params)
            return _write_export(
                _chunks(cursor), out, fmt, total, progress, settings, extras, counts
            )
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")


def _chunks(cursor: sqlite3.Cursor) -> Iterator[list[Any]]:
    while rows := cursor.fetchmany(_FETCH):
        yield rows


def _lazy_chunks(
    conn: sqlite3.Connection, sql: str, params: tuple[str, ...]
) -> Callable[[], Iterator[list[Any]]]:
    """The rows of `sql`, read when the writer comes to them (after the events)."""
    return lambda: _chunks(conn.execute(sql, params))


def _write_export(
    chunks: Iterator[list[Any]],
    out: TextIO,
    fmt: Format,
    total: int = 0,
    progress: Progress | None = None,
    settings: Sequence[Sequence[Any]] = (),
    extras: Sequence[tuple[str, Callable[[], Iterator[list[Any]]]]] = (),
    counts: dict[str, int] | None = None,
) -> int:
    written = 0
    if progress is not None:
        progress(0, total)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(EVENT_COLUMNS)
        for rows in chunks:
            writer.writerows(rows)  # csv writes None as an empty cell
            written += len(rows)
            if progress is not None:
                progress(written, total)
        return written
    encode = json.JSONEncoder(ensure_ascii=False).encode
    out.write(f'{{"format": "{EXPORT_FORMAT}", "version": {EXPORT_VERSION}, "settings": [')
    # Settings come before events: an importer has them before the long list.
    out.write(
        "".join(
            ("\n" if at == 0 else ",\n") + encode(dict(zip(SETTING_COLUMNS, row, strict=True)))
            for at, row in enumerate(settings)
        )
    )
    out.write(("\n" if settings else "") + '], "events": [')
    separator = "\n"
    for rows in chunks:
        out.write(
            separator
            + ",\n".join(encode(dict(zip(EVENT_COLUMNS, row, strict=True))) for row in rows)
        )
        separator = ",\n"
        written += len(rows)
        if progress is not None:
            progress(written, total)
    out.write("\n]")
    # After the events, each list streamed the same way (a million touches are never
    # held at once). Readers skip keys they do not know: the version stays 1.
    for name, chunks_of in extras:
        columns = KINDS[name].columns
        out.write(f', "{name}": [')
        separator, count = "\n", 0
        for rows in chunks_of():
            out.write(
                separator + ",\n".join(encode(dict(zip(columns, row, strict=True))) for row in rows)
            )
            separator = ",\n"
            count += len(rows)
        out.write("\n]" if count else "]")
        if counts is not None:
            counts[name] = count
    out.write("}\n")
    return written


def _select_list(conn: sqlite3.Connection, neutralised: bool = False) -> str:
    """The export columns; `about` is null in a schema-1 file (it came with schema 2).

    `neutralised` (CSV): free-text cells get the formula guard (see the module docstring),
    added by SQLite so that the CSV writer stays all in C.
    """
    have = set(_database(conn).table("events").columns_dict)

    def column(name: str) -> str:
        if name not in have:
            return f"NULL AS {name}"
        if neutralised and name in _TEXT_EVENT_COLUMNS:
            return (
                f"CASE WHEN substr({name}, 1, 1) IN ({_GUARDED_SQL})"
                f" THEN {_QUOTE_SQL} || {name} ELSE {name} END AS {name}"
            )
        return name

    return ", ".join(column(name) for name in EVENT_COLUMNS)


_GUARD = "'"
"""Put before a CSV text cell that starts with one of `_GUARDED_FIRST`."""
_GUARDED_FIRST = ("=", "+", "-", "@", "\t", "\r", _GUARD)
_QUOTE_SQL = "''''"  # the SQL literal for one single quote
_GUARDED_SQL = ", ".join(
    {"\t": "char(9)", "\r": "char(13)", _GUARD: _QUOTE_SQL}.get(first, f"'{first}'")
    for first in _GUARDED_FIRST
)
_TEXT_EVENT_COLUMNS = frozenset({"note", "source"})


def _database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils over a connection, for looking at a file's tables and reading rows.

    Nothing is changed on the connection: no recursive triggers, no plugins.
    """
    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return bool(_database(conn).table(name).exists())


def _open_readonly(path: Path, fail: Callable[[str], Exception]) -> sqlite3.Connection:
    """Open another file read-only and check that it is a salestui database we can read."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    with translated(path, fail, plain=True):
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        with translated(path, fail, plain=True):
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if app_id != APPLICATION_ID or version < 1:
                raise fail("a SQLite database, but not a salestui one")
            if version > SCHEMA_VERSION:
                raise fail(
                    f"written by a newer salestui (schema {version}; this version reads up "
                    f"to {SCHEMA_VERSION}); upgrade salestui to read it"
                )
            if not _has_table(conn, "events"):
                raise fail("a salestui database without an event log (damaged?)")
    except BaseException:
        conn.close()
        raise
    return conn


# -- the export file ---------------------------------------------------------------------


class ExportRefused(ValueError):
    """`-o FILE` names something an export must not write: one line naming it.

    Nothing was written when this is raised.
    """


class ExportFailed(Exception):
    """Writing the export failed (a full disk, a closed pipe): one line naming the file."""


def write_export_file(output: str, database: Path, write: Callable[[TextIO], int]) -> int:
    """Run `write(out)` into the file the user named with `-o`; return what `write` returns.

    - `-` is standard output.
    - A symlink is followed: its target is written, so a synced file stays the one
      synced.
    - A FIFO or a character device (a pipe, /dev/stdout, /dev/null) is written straight
      into; nothing is renamed over it.
    - A regular file (or a new one) is written atomically: a temp file in the same
      folder, created with the final mode (the existing file's, else 0600: sales data
      is private), fsynced, then renamed over the target; on any failure the temp file
      is removed and the target is left as it was.
    - Refused (ExportRefused): the database in use, its `-wal` and `-shm` (by path and
      by inode), a folder, a missing folder, a block device or socket, and a file or
      folder that may not be written. A read-only file (no write bit) is refused even
      for root, who could write it: its mode says it is not to be replaced.
    Raises ExportFailed when writing fails; its message names `output`, never the temp file.
    """
    if output == "-":
        return _stream(output, sys.stdout, write)
    target = Path(output).expanduser()
    # A symlink (or a chain of them) is written through: the file it points to is replaced.
    real = Path(os.path.realpath(target))
    _refuse_the_database(output, real, database)
    try:
        info: os.stat_result | None = real.stat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise ExportRefused(f"-o {output}: cannot use it ({error.strerror})") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise ExportRefused(
            f"-o {output}: is a folder; give a file name, e.g. {target / 'salestui.json'}"
        )
    if info is not None and (stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)):
        return _write_into(output, real, write)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise ExportRefused(
            f"-o {output}: is not a file, a pipe or a character device; nothing was written"
        )
    folder = real.parent
    if not folder.is_dir():
        raise ExportRefused(f"-o {output}: the folder {folder} does not exist")
    if info is not None and not info.st_mode & 0o222:
        raise ExportRefused(
            f"-o {output}: the file is read-only; give another file name or make it writable"
        )
    if info is not None and not os.access(real, os.W_OK):
        raise ExportRefused(f"-o {output}: you may not write this file; give another file name")
    if not os.access(folder, os.W_OK | os.X_OK):
        if info is not None:
            # The file may be written but no temp file can be made beside it: write in place.
            return _write_into(output, real, write)
        raise ExportRefused(f"-o {output}: the folder {folder} cannot be written")
    return _replace_atomically(output, real, info, write)


def _refuse_the_database(output: str, real: Path, database: Path) -> None:
    """The database in use, its WAL and shared-memory files are never an export target."""
    db_real = Path(os.path.realpath(database))
    try:
        target_stat: os.stat_result | None = real.stat()
    except OSError:
        target_stat = None
    for suffix in ("", "-wal", "-shm"):
        for candidate in (db_real.with_name(db_real.name + suffix), Path(f"{database}{suffix}")):
            same = candidate == real
            if not same and target_stat is not None:
                try:
                    other = candidate.stat()
                except OSError:
                    continue
                same = (other.st_dev, other.st_ino) == (target_stat.st_dev, target_stat.st_ino)
            if same:
                what = "the database in use" if not suffix else f"the database's {suffix} file"
                raise ExportRefused(f"-o {output}: is {what} ({database}); export to another file")


def _stream(output: str, out: TextIO, write: Callable[[TextIO], int]) -> int:
    try:
        count = write(out)
        out.flush()
    except OSError as error:
        raise ExportFailed(f"-o {output}: {_write_failure(error)}; the export stopped") from None
    return count


def _write_into(output: str, real: Path, write: Callable[[TextIO], int]) -> int:
    """Write straight into an existing pipe, device or file (nothing renamed)."""
    try:
        out = open(real, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except PermissionError:
        raise ExportRefused(f"-o {output}: may not be written (permission denied)") from None
    except OSError as error:
        raise ExportFailed(f"-o {output}: cannot open it ({error.strerror})") from None
    try:
        with out:
            return _stream(output, out, write)
    except OSError as error:  # the close flushes: a full device shows here too
        raise ExportFailed(f"-o {output}: {_write_failure(error)}; the export stopped") from None


def _replace_atomically(
    output: str, real: Path, info: os.stat_result | None, write: Callable[[TextIO], int]
) -> int:
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o600
    _remove_stale_partials(real)
    partial = real.with_name(f".{real.name}.{os.getpid()}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as error:
        raise ExportFailed(
            f"-o {output}: cannot create a file in {real.parent} ({error.strerror}); "
            "nothing was written"
        ) from None
    try:
        try:
            os.fchmod(fd, mode)  # the umask must not loosen or tighten the target's mode
            if info is not None and os.geteuid() == 0:
                os.fchown(fd, info.st_uid, info.st_gid)  # root keeps the owner's file theirs
            out = os.fdopen(fd, "w", encoding="utf-8", newline="")
        except BaseException:
            os.close(fd)
            raise
        with out:
            count = write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, real)  # a half-written export never has the final name
    except OSError as error:
        raise ExportFailed(f"-o {output}: {_write_failure(error)}; nothing was written") from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    _sync_folder(real.parent)
    return count


def _remove_stale_partials(real: Path) -> None:
    """Delete what exports to this file killed part way left (their process is gone)."""
    prefix = f".{real.name}."
    try:
        names = [name for name in os.listdir(real.parent) if name.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid_text = name[len(prefix) :].removesuffix(".partial")
        if not name.endswith(".partial") or not pid_text.isdigit():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                (real.parent / name).unlink()
        except (PermissionError, OverflowError):
            continue  # another user's live export, or not a pid


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every file system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_failure(error: OSError) -> str:
    """The cause of a failed write in the user's words."""
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno == errno.EDQUOT:
        return "the disk quota is used up"
    if error.errno == errno.EPIPE:
        return "the reading end was closed"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.EROFS:
        return "the file system is read-only"
    return f"the write failed ({error.strerror or error})"


# -- checking one record -----------------------------------------------------------------


class _Bad(Exception):
    """One record is wrong; the caller adds the file and the place."""


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CANONICAL_TS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00")
_INTEGER = re.compile(r"[+-]?\d{1,19}")
_MAX_METRICS = 200
"""Different metric names one import file may count: a hostile file with a million names
cannot fill memory or the catalog."""


def _show(value: object) -> str:
    """A value for an error message: short, and on one line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Checker:
    """Checks and normalises records. `text` is True for CSV, where every cell is a string
    and free text may carry the formula guard."""

    def __init__(self, text: bool) -> None:
        self.text = text
        self._days: set[str] = set()
        self._metrics: set[str] = set(METRIC_KEYS)

    def row(self, values: Sequence[object]) -> Row:
        """The checked, normalised row; raises _Bad naming the first wrong field."""
        event_id, ts, day, metric, delta, note, source, cancels, about = values
        if self.text:
            if type(delta) is str and _INTEGER.fullmatch(delta):
                delta = int(delta)
            if type(note) is str and note[:1] == _GUARD:
                note = note[1:]
            if type(source) is str and source[:1] == _GUARD:
                source = source[1:]
        # The common case (a salestui export) in one expression, for speed; anything else
        # takes the long way, which also finds the words for the error.
        if (
            type(event_id) is str
            and _UUID.fullmatch(event_id)
            and type(ts) is str
            and _CANONICAL_TS.fullmatch(ts)
            and _FIRST_YEAR <= ts < _PAST_LAST_YEAR
            and type(day) is str
            and day in self._days
            and type(metric) is str
            and metric in self._metrics
            and type(delta) is int
            and -_MAX_DELTA <= delta <= _MAX_DELTA
            and (note is None or (type(note) is str and _plain_text(note, _MAX_NOTE_CHARS)))
            and type(source) is str
            and source
            and _plain_text(source, _MAX_SOURCE_CHARS)
            and (
                cancels is None
                or (type(cancels) is str and (not cancels or _UUID.fullmatch(cancels)))
            )
            and (about is None or (type(about) is str and (not about or _UUID.fullmatch(about))))
        ):
            try:
                datetime.fromisoformat(ts)  # a real date and time
            except ValueError:
                pass
            else:
                _check_kind(delta, cancels or None, about or None)
                return (
                    event_id,
                    ts,
                    day,
                    metric,
                    delta,
                    note or None,
                    source,
                    cancels or None,
                    about or None,
                )
        row = (
            self._uuid("id", event_id),
            self._ts(ts),
            self._day(day),
            self._metric(metric),
            self._delta(delta),
            self._note(note),
            self._source(source),
            self._reference("cancels", cancels),
            self._reference("about", about),
        )
        _check_kind(row[4], row[7], row[8])
        return row

    @staticmethod
    def _uuid(name: str, value: object) -> str:
        if isinstance(value, str) and _UUID.fullmatch(value):
            return value
        raise _Bad(
            f"{name} {_show(value)} is not an event id "
            "(a lowercase UUID like 3f2b8c1e-5a7d-4e8f-9b0c-1d2e3f4a5b6c)"
        )

    def _reference(self, name: str, value: object) -> str | None:
        if value is None or value == "":
            return None
        return self._uuid(name, value)

    @staticmethod
    def _ts(value: object) -> str:
        if isinstance(value, str):
            try:
                instant = datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                if instant.tzinfo is not None and instant.utcoffset() is not None:
                    try:
                        utc = instant.astimezone(UTC)
                    except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC
                        utc = None
                    if utc is None or not _FIRST_YEAR_NUMBER <= utc.year <= _LAST_YEAR_NUMBER:
                        raise _Bad(f"ts {_show(value)} is out of range ({_YEARS})")
                    if _CANONICAL_TS.fullmatch(value):
                        return value
                    return utc.isoformat(timespec="microseconds")
        raise _Bad(
            f"ts {_show(value)} is not an ISO 8601 time with an offset "
            "(e.g. 2026-11-27T09:42:00.000000+00:00)"
        )

    def _day(self, value: object) -> str:
        if isinstance(value, str):
            if value in self._days:
                return value
            if _DAY.fullmatch(value):
                try:
                    date.fromisoformat(value)
                except ValueError:
                    pass
                else:
                    if not _FIRST_YEAR <= value < _PAST_LAST_YEAR:
                        raise _Bad(f"day {_show(value)} is out of range ({_YEARS})")
                    self._days.add(value)
                    return value
        raise _Bad(f"day {_show(value)} is not a date (use YYYY-MM-DD)")

    def _metric(self, value: object) -> str:
        """A metric name of the stored shape, known or not: whether the database knows it
        (or the file defines it) is decided once the whole file is read."""
        if isinstance(value, str):
            if value in self._metrics:
                return value
            if METRIC_KEY.fullmatch(value):
                if len(self._metrics) >= _MAX_METRICS:
                    raise _Bad(
                        f"metric {_show(value)} is one too many (a file may count at most "
                        f"{_MAX_METRICS} different metrics)"
                    )
                self._metrics.add(value)
                return value
        raise _Bad(f"unknown metric {_show(value)} (a metric is {KEY_HELP})")

    def _delta(self, value: object) -> int:
        number: int | None = None
        if type(value) is int:
            number = value
        elif self.text and isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            number = int(value)
        if number is None:
            raise _Bad(f"delta {_show(value)} is not a whole number")
        if abs(number) > _MAX_DELTA:
            raise _Bad(f"delta {_show(value)} is out of range (-{_MAX_DELTA} to {_MAX_DELTA})")
        return number

    @staticmethod
    def _note(value: object) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            _check_text("note", value, _MAX_NOTE_CHARS)
            return value
        raise _Bad(f"note {_show(value)} is not text")

    @staticmethod
    def _source(value: object) -> str:
        if isinstance(value, str) and value:
            _check_text("source", value, _MAX_SOURCE_CHARS)
            return value
        raise _Bad(f"source {_show(value)} must be a non-empty name (e.g. cli or tui)")


_MAX_DELTA: int = getattr(_metrics, "MAX_COUNT", 10_000)
"""|delta| of any event: what one tally may add or take away (COUNT's bound too)."""
_MAX_NOTE_CHARS = 1 << 20
_MAX_SOURCE_CHARS = 100
_MAX_CSV_CELL = _MAX_NOTE_CHARS + 1  # the longest note and its formula guard
_MAX_LINE_CHARS = _MAX_NOTE_CHARS + (64 << 10)
_FIRST_YEAR_NUMBER = 1900
_LAST_YEAR_NUMBER = 9998  # a day of margin below datetime's end, for any time zone
_FIRST_YEAR = f"{_FIRST_YEAR_NUMBER:04d}"
_PAST_LAST_YEAR = f"{_LAST_YEAR_NUMBER + 1:04d}"
_YEARS = f"years {_FIRST_YEAR_NUMBER} to {_LAST_YEAR_NUMBER}"


def _plain_text(text: str, limit: int) -> bool:
    """Short enough, no NUL, and encodable (a JSON string may hold a lone surrogate)."""
    if len(text) > limit or "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_text(name: str, text: str, limit: int) -> None:
    if len(text) > limit:
        raise _Bad(f"{name} is {len(text):,} characters long (at most {limit:,})")
    if not _plain_text(text, limit):
        raise _Bad(f"{name} {_show(text)} holds a NUL character or a lone surrogate")


_SETTING_KEY = re.compile(r"[a-z0-9._-]{1,100}")
_MAX_SETTING_CHARS = 4096


def _check_setting(record: object) -> SettingRow:
    """One change of one setting, checked: {"id", "ts", "key", "value", "source"}."""
    if not isinstance(record, dict):
        raise _Bad("a setting change must be an object")
    missing = [name for name in SETTING_COLUMNS if name not in record]
    if missing:
        raise _Bad(f"missing {', '.join(missing)}")
    key, value = record["key"], record["value"]
    if not isinstance(key, str) or not _SETTING_KEY.fullmatch(key):
        raise _Bad(f"setting key {_show(key)} is not a setting name (1 to 100 of a-z 0-9 . _ -)")
    if value is not None:
        if not isinstance(value, str):
            raise _Bad(f"setting value {_show(value)} is not text or null")
        _check_text("setting value", value, _MAX_SETTING_CHARS)
    return (
        _Checker._uuid("id", record["id"]),
        _Checker._ts(record["ts"]),
        key,
        value,
        _Checker._source(record["source"]),
    )


def _check_kind(delta: int, cancels: str | None, about: str | None) -> None:
    """What kind of event it is must fit its delta: a note 0, a tally or an undo not 0."""
    if about is not None:
        if cancels is not None:
            raise _Bad("an event cannot both cancel a tally (cancels) and be a note (about)")
        if delta != 0:
            raise _Bad(f"a note about a tally (about) has delta 0, not {delta}")
    elif delta == 0:
        raise _Bad(
            "delta 0 is only for a note about a tally (with about); a tally, a correction "
            f"or an undo changes the count by 1 to {_MAX_DELTA:,} either way"
        )


# -- prospects, touches and time ----------------------------------------------------------

PROSPECT_CHANGE_COLUMNS: tuple[str, ...] = (
    "id",
    "ts",
    "day",
    "prospect",
    "field",
    "value",
    "source",
)
"""Keys of each entry of a JSON export's `prospects` list (one change of one prospect's field)."""
TOUCH_COLUMNS: tuple[str, ...] = (
    "id",
    "ts",
    "prospect",
    "event",
    "event_ts",
    "day",
    "metric",
    "source",
)
"""Keys of each entry of `touches` (a tally linked to a prospect)."""
TIME_COLUMNS: tuple[str, ...] = (
    "id",
    "ts",
    "kind",
    "timer",
    "category",
    "at",
    "day",
    "minutes",
    "source",
)
"""Keys of each entry of `time` (a timer's start or stop, or time logged afterwards)."""

What = Literal["events", "prospects", "touches", "time"]
"""What one CSV export holds (a JSON export holds everything)."""
WHATS: tuple[What, ...] = ("events", "prospects", "touches", "time")

ExtraRow = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _Kind:
    """Prospect changes, touches or time changes: how each is exported and checked."""

    name: str  # the JSON key, the --what word
    table: str
    columns: tuple[str, ...]
    guarded: frozenset[str]  # free-text cells that get the CSV formula guard
    word: str  # one, in messages
    words: str  # several, in the summary


KINDS: dict[str, _Kind] = {
    kind.name: kind
    for kind in (
        _Kind(
            "prospects",
            "prospect_changes",
            PROSPECT_CHANGE_COLUMNS,
            frozenset({"value", "source"}),
            "prospect change",
            "prospect changes",
        ),
        _Kind("touches", "touches", TOUCH_COLUMNS, frozenset({"source"}), "touch", "touches"),
        _Kind(
            "time",
            "time_changes",
            TIME_COLUMNS,
            frozenset({"category", "source"}),
            "time entry",
            "time entries",
        ),
    )
}
"""The records besides events and settings, in the order an export writes them."""
_LIST_NAMES = frozenset(KINDS)
_TIME_KINDS = ("start", "stop", "log")
_MAX_CATEGORY_CHARS = 100


def _an_id(name: str, value: object) -> str:
    if isinstance(value, str) and _UUID.fullmatch(value):
        return value
    raise _Bad(
        f"{name} {_show(value)} is not an id (a lowercase UUID like "
        "3f2b8c1e-5a7d-4e8f-9b0c-1d2e3f4a5b6c)"
    )


def _a_day(name: str, value: object) -> str:
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if not _FIRST_YEAR <= value < _PAST_LAST_YEAR:
                raise _Bad(f"{name} {_show(value)} is out of range ({_YEARS})")
            return value
    raise _Bad(f"{name} {_show(value)} is not a date (use YYYY-MM-DD)")


def _a_ts(name: str, value: object) -> str:
    """A UTC time like `ts`, for a field of another name."""
    try:
        return _Checker._ts(value)
    except _Bad as bad:
        raise _Bad(name + str(bad).removeprefix("ts")) from None


def _optional(value: object) -> object:
    """An empty cell or string is no value (null)."""
    return None if value == "" else value


def _no_control(name: str, value: str) -> None:
    if any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in value):
        raise _Bad(f"{name} {_show(value)} holds control characters")


class _ExtraChecker:
    """Checks and normalises prospect changes, touches and time changes (see `_Checker`:
    `text` is True for CSV, where every cell is a string and free text may be guarded)."""

    def __init__(self, text: bool) -> None:
        self.text = text
        self._days: set[str] = set()
        self._metrics: set[str] = set(METRIC_KEYS)

    def check(self, kind: _Kind, values: Sequence[object]) -> ExtraRow:
        """The checked row of `kind`; raises _Bad naming the first wrong field."""
        if self.text:
            values = [
                value[1:]
                if name in kind.guarded and type(value) is str and value[:1] == _GUARD
                else value
                for name, value in zip(kind.columns, values, strict=True)
            ]
        if kind.name == "touches":
            return self.touch(values)
        if kind.name == "prospects":
            return self.prospect_change(values)
        return self.time_change(values)

    def _day(self, value: object, name: str = "day") -> str:
        if type(value) is str and value in self._days:
            return value
        day = _a_day(name, value)
        self._days.add(day)
        return day

    def touch(self, values: Sequence[object]) -> ExtraRow:
        touch_id, ts, prospect, event, event_ts, day, metric, source = values
        if (
            type(touch_id) is str
            and _UUID.fullmatch(touch_id)
            and type(ts) is str
            and _CANONICAL_TS.fullmatch(ts)
            and _FIRST_YEAR <= ts < _PAST_LAST_YEAR
            and type(prospect) is str
            and _UUID.fullmatch(prospect)
            and type(event) is str
            and _UUID.fullmatch(event)
            and type(event_ts) is str
            and _CANONICAL_TS.fullmatch(event_ts)
            and _FIRST_YEAR <= event_ts < _PAST_LAST_YEAR
            and type(day) is str
            and day in self._days
            and type(metric) is str
            and metric in self._metrics
            and type(source) is str
            and source
            and _plain_text(source, _MAX_SOURCE_CHARS)
        ):
            try:
                datetime.fromisoformat(ts)
                datetime.fromisoformat(event_ts)
            except ValueError:
                pass
            else:
                return (touch_id, ts, prospect, event, event_ts, day, metric, source)
        row = (
            _an_id("id", touch_id),
            _Checker._ts(ts),
            _an_id("prospect", prospect),
            _an_id("event", event),
            _a_ts("event_ts", event_ts),
            self._day(day),
            self._metric(metric),
            _Checker._source(source),
        )
        return row

    def _metric(self, value: object) -> str:
        """A metric of the stored shape: a touch's tally may come in a later import, so
        whether it is known is not asked (a file may name at most _MAX_METRICS)."""
        if isinstance(value, str):
            if value in self._metrics:
                return value
            if METRIC_KEY.fullmatch(value) and len(self._metrics) < _MAX_METRICS:
                self._metrics.add(value)
                return value
        raise _Bad(f"metric {_show(value)} is not a metric's name ({KEY_HELP})")

    def prospect_change(self, values: Sequence[object]) -> ExtraRow:
        change_id, ts, day, prospect, field, value, source = values
        checked_field = field if isinstance(field, str) and field in PROSPECT_FIELDS else None
        if checked_field is None:
            raise _Bad(
                f"field {_show(field)} is not a prospect field (use {', '.join(PROSPECT_FIELDS)})"
            )
        return (
            _an_id("id", change_id),
            _Checker._ts(ts),
            self._day(day),
            _an_id("prospect", prospect),
            checked_field,
            _prospect_value(checked_field, _optional(value)),
            _Checker._source(source),
        )

    def time_change(self, values: Sequence[object]) -> ExtraRow:
        change_id, ts, kind, timer, category, at, day, minutes, source = values
        change_id = _an_id("id", change_id)
        if kind not in _TIME_KINDS:
            raise _Bad(f"kind {_show(kind)} is not a time change (use start, stop or log)")
        timer = _an_id("timer", timer)
        if kind != "stop" and timer != change_id:
            raise _Bad(f"a {kind}'s timer is its own id, not {timer}")
        given, category = category, _optional(category)
        if category is not None or kind != "stop":
            if not isinstance(category, str) or not category.strip():
                raise _Bad(f"category {_show(given)} must be a non-empty name (e.g. admin)")
            _check_text("category", category, _MAX_CATEGORY_CHARS)
            _no_control("category", category)
        at_text = _local_time(at)
        day = self._day(day)
        if at_text[:10] != day:
            raise _Bad(f"day {day} is not the day of at ({at_text})")
        minutes = _optional(minutes)
        if self.text and isinstance(minutes, str) and _INTEGER.fullmatch(minutes.strip()):
            minutes = int(minutes)
        if kind == "log":
            if type(minutes) is not int or not 1 <= minutes <= _MAX_MINUTES:
                raise _Bad(
                    f"minutes {_show(minutes)} is not a whole number from 1 to {_MAX_MINUTES}"
                )
        elif minutes is not None:
            raise _Bad(f"a {kind} has no minutes (only a log has), not {_show(minutes)}")
        return (
            change_id,
            _Checker._ts(ts),
            kind,
            timer,
            category,
            at_text,
            day,
            minutes,
            _Checker._source(source),
        )


_MAX_MINUTES = 24 * 60
"""The longest stretch one time entry logs (a day), as `time log` takes it."""


def _local_time(value: object) -> str:
    """`at` of a time change: an ISO 8601 date and time with its offset, kept as written."""
    if isinstance(value, str) and len(value) <= 64:
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if instant.utcoffset() is not None:
                if not _FIRST_YEAR_NUMBER <= instant.year <= _LAST_YEAR_NUMBER:
                    raise _Bad(f"at {_show(value)} is out of range ({_YEARS})")
                return value
    raise _Bad(
        f"at {_show(value)} is not an ISO 8601 time with an offset (e.g. 2026-11-27T10:42:00+01:00)"
    )


def _prospect_value(field: str, value: object) -> str | None:
    """The value of one prospect change, as the app itself would store it."""
    if value is not None and not isinstance(value, str):
        raise _Bad(f"value {_show(value)} is not text or null")
    if field in ("name", "company"):
        if value is None and field == "company":
            return None
        try:
            checked = check_prospect_name(value or "", field)
        except ValueError as error:
            raise _Bad(str(error)) from None
        if checked != value:
            raise _Bad(f"{field} {_show(value)} has extra spaces (the app stores {checked!r})")
        return checked
    if field == "source":
        if value not in PROSPECT_SOURCES:
            raise _Bad(f"source value {_show(value)} is not one of {', '.join(PROSPECT_SOURCES)}")
        return value
    if field == "status":
        if value not in PROSPECT_STATUSES:
            raise _Bad(f"status {_show(value)} is not one of {', '.join(PROSPECT_STATUSES)}")
        return value
    if field == "reason":
        if value is not None:
            _check_text("reason", value, MAX_REASON)
        return value
    if value is not None:  # follow_up
        return _a_day("follow_up", value)
    return None


# -- reading import files ----------------------------------------------------------------

Located = tuple[int, int, Row]
"""(place, line, checked row): where a row came from, as two numbers `_Source.place` words."""


class _Source:
    """An open import file: its checked records, and how far the reading got."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.total = 0
        # Where checked setting changes go as they are read (set by the import).
        self.keep_setting: Callable[[SettingRow, int, int], None] = lambda row, number, line: None
        # Where checked prospect changes, touches and time changes go (set by the import),
        # and how a walk that reads them again from the top drops what it staged before.
        self.keep_extra: Callable[[_Kind, ExtraRow, int, int], None] = (
            lambda kind, row, number, line: None
        )
        self.forget_extras: Callable[[], None] = lambda: None

    def refuse(self, where: str, reason: str) -> ImportRefused:
        place = f"{where}: " if where else ""
        return ImportRefused(f"{self.path}: {place}{reason}; nothing was imported")

    def place(self, number: int, line: int) -> str:
        """Words for where a record is."""
        raise NotImplementedError

    def place_extra(self, kind: _Kind, number: int, line: int) -> str:
        """Words for where a prospect change, a touch or a time change is."""
        raise NotImplementedError

    def records(self) -> Iterator[Located]:
        """Every event, checked (settings, prospect changes, touches and time changes go
        to `keep_setting` and `keep_extra` as they are read); raises ImportRefused at the
        first bad one."""
        raise NotImplementedError

    def done(self) -> int:
        """How far the reading got, in the unit of `total`."""
        return 0

    def close(self) -> None:
        """Release the file."""


class _TextSource(_Source):
    """A JSON or CSV export, read as UTF-8 text (a BOM is allowed)."""

    def __init__(self, path: Path, raw: io.BufferedReader, kind: Literal["json", "csv"]) -> None:
        super().__init__(path)
        self.kind = kind
        self.raw = raw
        self.total = path.stat().st_size
        self.handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        # A regular file can be read more than once (a header pass, the fast pass, a
        # careful walk); a pipe is read once, by the careful walk.
        self._regular = stat.S_ISREG(os.fstat(raw.fileno()).st_mode)
        self._position: Callable[[], int] = raw.tell
        self._record_lines: dict[tuple[str, int], int] = {}
        self._fast_ended_plainly = False
        self._fast_keys = self._fast_record_keys = 0
        self._fast_lists: dict[str, int] = {}
        self._fast_empty_lists: dict[str, int] = {}

    def done(self) -> int:
        return self._position()

    def close(self) -> None:
        self.handle.close()

    def place(self, number: int, line: int) -> str:
        if self.kind == "csv":
            return f"line {number}"
        if number < 0:
            return f"setting {-number} (line {line})"
        # The fast pass knows no lines: a record's is found when a message needs it.
        return f"record {number} (line {line or self._line_of(number)})"

    def place_extra(self, kind: _Kind, number: int, line: int) -> str:
        if self.kind == "csv":
            return f"line {number}"
        return f"{kind.word} {number} (line {line or self._line_of(number, kind.name)})"

    def records(self) -> Iterator[Located]:
        try:
            if self.kind == "json":
                yield from self._json_records()
            else:
                yield from self._csv_records()
        except UnicodeDecodeError:
            raise self.refuse("", "not UTF-8 text") from None

    # CSV ----------------------------------------------------------------------------

    def _lines(self) -> Iterator[str]:
        """The file's lines, each read with a bound: a file without line ends (/dev/zero,
        one 1 GB line) is refused after _MAX_LINE_CHARS instead of read whole."""
        readline = self.handle.readline
        number = 0
        while line := readline(_MAX_LINE_CHARS + 1):
            number += 1
            if len(line) > _MAX_LINE_CHARS:
                raise self.refuse(
                    f"line {number}",
                    f"longer than {_MAX_LINE_CHARS:,} characters (a note is at most "
                    f"{_MAX_NOTE_CHARS:,})",
                )
            if "\x00" in line:
                raise self.refuse(f"line {number}", "holds a NUL byte (not a text export)")
            yield line

    def _csv_records(self) -> Iterator[Located]:
        # The default limit (131,072) refused long notes that export wrote; past this
        # one the cell is refused, so memory stays bounded.
        csv.field_size_limit(max(csv.field_size_limit(), _MAX_CSV_CELL))
        reader = csv.reader(self._lines(), strict=True)
        try:
            header = next(reader, None)
        except csv.Error as error:
            raise self.refuse("line 1", f"not CSV ({error})") from None
        if header is None:
            raise self.refuse("", "the file is empty")
        names = [name.strip() for name in header]
        extra = _csv_kind(names)
        if extra is not None:
            self._csv_extras(reader, extra, names)
            return
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if missing:
            if not (set(names) & set(EVENT_COLUMNS)):
                raise self.refuse("", _NOT_AN_EXPORT)
            raise self.refuse(
                "line 1",
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(the header needs {','.join(REQUIRED_COLUMNS)}; cancels and about are optional)",
            )
        twice = sorted({name for name in names if names.count(name) > 1 and name in EVENT_COLUMNS})
        if twice:
            raise self.refuse("line 1", f"column {', '.join(twice)} appears twice")
        index = [names.index(name) if name in names else None for name in EVENT_COLUMNS]
        width = len(names)
        check = _Checker(text=True).row
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader, None)
            except csv.Error as error:
                if "field limit" in str(error):
                    raise self.refuse(
                        f"line {line}",
                        f"a cell is longer than {_MAX_CSV_CELL:,} characters "
                        f"(a note is at most {_MAX_NOTE_CHARS:,})",
                    ) from None
                raise self.refuse(f"line {line}", f"malformed CSV ({error})") from None
            if cells is None:
                return
            if not cells:
                continue  # a blank line
            if len(cells) != width:
                raise self.refuse(
                    f"line {line}", f"{len(cells)} cells where the header has {width}"
                )
            try:
                row = check([None if at is None else cells[at] for at in index])
            except _Bad as bad:
                raise self.refuse(f"line {line}", str(bad)) from None
            yield line, 0, row

    def _csv_extras(self, reader: Any, kind: _Kind, names: list[str]) -> None:
        """A CSV export of prospect changes, touches or time changes (`export --what`)."""
        missing = [name for name in kind.columns if name not in names]
        if missing:
            raise self.refuse(
                "line 1",
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(a CSV of {kind.words} has the header {','.join(kind.columns)})",
            )
        twice = sorted({name for name in names if names.count(name) > 1 and name in kind.columns})
        if twice:
            raise self.refuse("line 1", f"column {', '.join(twice)} appears twice")
        index = [names.index(name) for name in kind.columns]
        width = len(names)
        check = _ExtraChecker(text=True).check
        keep = self.keep_extra
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader, None)
            except csv.Error as error:
                if "field limit" in str(error):
                    raise self.refuse(
                        f"line {line}", f"a cell is longer than {_MAX_CSV_CELL:,} characters"
                    ) from None
                raise self.refuse(f"line {line}", f"malformed CSV ({error})") from None
            if cells is None:
                return
            if not cells:
                continue
            if len(cells) != width:
                raise self.refuse(
                    f"line {line}", f"{len(cells)} cells where the header has {width}"
                )
            try:
                row = check(kind, [cells[at] for at in index])
            except _Bad as bad:
                raise self.refuse(f"line {line}", str(bad)) from None
            keep(kind, row, line, line)

    # JSON ---------------------------------------------------------------------------

    def _json_records(self) -> Iterator[Located]:
        """The header and the settings event by event (each knows its line), then the
        events in one pass of ijson's C parser. What that pass cannot take exactly as
        Python's json reads it is read again by the careful walk, which also finds a
        record's line when a message needs it."""
        head = yield from self._walk(first=True, stop_at_items=self._regular)
        walk = head
        if head.stopped:
            number = 0
            careful: _Careful | None = None
            try:
                for number, row in self._json_fast():
                    yield number, 0, row
                if not head.named_keys:
                    self._json_fast_extras()
            except _Careful as handed_over:
                careful = handed_over
            # The lists after "events" (prospects, touches, time) are keys the fast
            # passes read: every key in the file must be one of those counted.
            list_keys = sum(self._fast_lists.values())
            if (
                careful is not None
                or head.named_keys
                or (not self._fast_ended_plainly and not list_keys)
                or (self._fast_keys != head.map_keys + self._fast_record_keys + list_keys)
            ):
                # Read again from the top: the records already read are checked again (a
                # key twice), not handed on twice; the rest of the file (keys after
                # "events", the words for a malformed part) is read here.
                walk = yield from self._walk(
                    python=isinstance(careful, _NeedsPython),
                    quiet_records=number,
                    skip_settings=head.settings,
                )
        if "format" not in walk.header:
            raise self.refuse("", _NOT_AN_EXPORT)
        if "version" not in walk.header:
            raise self.refuse("", 'the export has no "version"')
        if not walk.seen_events:
            raise self.refuse("", 'the export has no "events" list')

    def _json_fast(self) -> Iterator[tuple[int, Row]]:
        """Every record under "events", in one pass of the C parser (ijson.items).

        Raises _Careful (after the records before it) where the careful walk must take
        over: malformed JSON, a file the C parser could misread. A key given twice is
        found by counting (see _FastReader.key_ends): records are plain dicts here, since
        a dict that refuses a key twice costs a Python call per key.
        """
        with open(self.path, "rb") as raw:
            reader = _FastReader(raw, self.total, count_lists=True)
            self._position = reader.tell
            check = _Checker(text=False).row
            all_columns = _ALL_COLUMNS
            number = keys = 0
            try:
                for record in _ijson_c.items(
                    reader, "events.item", use_float=True, buf_size=_FAST_CHUNK
                ):
                    number += 1
                    reader.items = number
                    try:
                        values = all_columns(record)
                    except (KeyError, TypeError):
                        values = None
                    try:
                        if values is not None and len(record) == len(EVENT_COLUMNS):
                            keys += len(EVENT_COLUMNS)
                            row = check(values)
                        else:
                            if _has_list_key(record):
                                raise _Careful  # its keys would be counted twice
                            keys += _object_keys(record)
                            row = _event_row(record, check)
                    except _Bad as bad:
                        # (_line_of reads the records before this one again, so a key
                        # given twice in one of them is refused first, as it comes first.)
                        raise self.refuse(self.place(number, 0), str(bad)) from None
                    yield number, row
            except (ijson.JSONError, UnicodeDecodeError) as error:
                if _C_OVERFLOW.search(str(error)):
                    raise _NeedsPython from None
                raise _Careful from None
            self._fast_ended_plainly = reader.ends_plainly()
            self._fast_keys = reader.key_ends
            self._fast_record_keys = keys
            self._fast_lists = reader.list_keys
            self._fast_empty_lists = reader.empty_lists

    def _json_fast_extras(self) -> None:
        """The prospect changes, touches and time changes after "events", one pass of the
        C parser per list the events pass saw (a list seen only empty is not read).
        Raises _Careful as `_json_fast` does; what was kept is then forgotten by the walk."""
        check = _ExtraChecker(text=False).check
        keep = self.keep_extra
        for name, kind in KINDS.items():
            if self._fast_lists.get(name, 0) <= self._fast_empty_lists.get(name, 0):
                continue
            width = len(kind.columns)
            columns = operator.itemgetter(*kind.columns)
            with open(self.path, "rb") as raw:
                reader = _FastReader(raw, self.total)
                self._position = reader.tell
                number = keys = 0
                try:
                    for record in _ijson_c.items(
                        reader, f"{name}.item", use_float=True, buf_size=_FAST_CHUNK
                    ):
                        number += 1
                        reader.items = number
                        try:
                            values = columns(record) if len(record) == width else None
                        except (KeyError, TypeError):
                            values = None
                        try:
                            if values is not None:
                                keys += width
                            else:
                                if _has_list_key(record):
                                    raise _Careful
                                keys += _object_keys(record)
                                values = _extra_values(kind, record)
                            row = check(kind, values)
                        except _Bad as bad:
                            raise self.refuse(self.place_extra(kind, number, 0), str(bad)) from None
                        keep(kind, row, number, 0)
                except (ijson.JSONError, UnicodeDecodeError) as error:
                    if _C_OVERFLOW.search(str(error)):
                        raise _NeedsPython from None
                    raise _Careful from None
            self._fast_record_keys += keys

    def _walk(
        self,
        first: bool = False,
        python: bool = False,
        stop_at_items: bool = False,
        quiet_records: int = 0,
        skip_settings: int = 0,
    ) -> Generator[Located, None, _JsonWalk]:
        """A careful walk over the file (see _JsonWalk), with the C parser unless it could
        misread the file, then with ijson's pure-Python one. `first`: on the open handle."""
        backend: Any = _ijson_python if python or not self._regular else _ijson_c
        skip_records = 0
        while True:
            self.forget_extras()  # each walk reads them all again
            handle = self.handle if first else self._reopen()
            walk = _JsonWalk(
                self,
                handle,
                backend,
                stop_at_items=stop_at_items,
                skip_records=skip_records,
                quiet_records=quiet_records,
                skip_settings=skip_settings,
            )
            self._position = handle.buffer.tell
            try:
                yield from walk.run()
                return walk
            except _NeedsPython:
                if backend is _ijson_python:  # pragma: no cover - it reads any JSON
                    raise
                skip_records = max(skip_records, walk.passed_records)
                skip_settings = max(skip_settings, walk.passed_settings)
            finally:
                if handle is not self.handle:
                    handle.close()
                    self._position = self._read_whole
            backend, first = _ijson_python, False

    def _read_whole(self) -> int:
        return self.total

    def _reopen(self) -> TextIO:
        return open(self.path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by _walk

    def _line_of(self, number: int, listing: str = "events") -> int:
        """The line record `number` of `listing` starts on: the file read again up to it."""
        if (listing, number) not in self._record_lines:
            walk = _JsonWalk(self, self._reopen(), _ijson_c, find_record=number, find_list=listing)
            try:
                for _ in walk.run():
                    pass
            except _NeedsPython:
                walk.handle.close()
                walk = _JsonWalk(
                    self, self._reopen(), _ijson_python, find_record=number, find_list=listing
                )
                for _ in walk.run():
                    pass
            finally:
                walk.handle.close()
            self._record_lines[listing, number] = walk.found_line
        return self._record_lines[listing, number]

    def _check_header(self, key: str, value: object) -> None:
        if key == "format" and value != EXPORT_FORMAT:
            raise self.refuse("", f"format is {_show(value)}, not {EXPORT_FORMAT!r}")
        if key == "version":
            if type(value) is not int or value < 1:
                raise self.refuse("", f"version {_show(value)} is not a version number")
            if value > EXPORT_VERSION:
                raise self.refuse(
                    "",
                    f"export version {value} is newer than this salestui reads "
                    f"({EXPORT_VERSION}); upgrade salestui to import it",
                )


_NOT_AN_EXPORT = (
    "not a salestui export (expected a JSON export with format salestui-export, "
    "a CSV file with the header " + ",".join(EVENT_COLUMNS) + ", or a salestui database)"
)
_ALL_COLUMNS = operator.itemgetter(*EVENT_COLUMNS)
_LISTS = ("events", "settings", *KINDS)
"""The lists of a JSON export, read item by item."""


def _csv_kind(names: Sequence[str]) -> _Kind | None:
    """Which records a CSV file holds, told by its header: None for events."""
    have = set(names)
    if {"field", "prospect"} <= have:
        return KINDS["prospects"]
    if {"event", "event_ts"} <= have:
        return KINDS["touches"]
    if {"kind", "timer"} <= have:
        return KINDS["time"]
    return None


_MAX_DEPTH = 900
"""Deeper JSON is refused (an event is a flat object); Python's json stopped about here."""
_PIECE_CHARS = 1 << 16  # the careful walk feeds a line at a time, a longer one in parts
_FAST_CHUNK = 1 << 18  # what the fast pass reads at a time (faster than ijson's 64 KiB)
_FINAL_BYTES = 4096  # the end of the file, handed to the fast pass a byte at a time
_DEPTH_ALARM = 4000  # ijson's C paths for that depth take ~40 MB; a 256 KiB piece opens <= 1,800
_FAST_RECORD_BYTES = 4 * _MAX_RECORD_CHARS + _FAST_CHUNK  # a UTF-8 character is <= 4 bytes
# A \uD800-\uDFFF escape: the C parser turns a lone one into '?' where json keeps it.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
# The C parser refuses numbers json reads (an integer past 64 bits, 1e400).
_C_OVERFLOW = re.compile(r"integer overflow|numeric \(floating point\) overflow")
_PLAIN_END = re.compile(rb"[ \t\r\n]*\][ \t\r\n]*\}[ \t\r\n]*")
# A key opening a list of prospect changes, touches or time changes (and an empty one).
# A quote after `,`, `{` or white space starts a string (in a string it would be \"), so
# in well-formed JSON each match is a key.
_LIST_KEY = re.compile(rb'(?<=[,{ \t\r\n])"(prospects|touches|time)"[ \t\r\n]*:[ \t\r\n]*\[')
_EMPTY_LIST = re.compile(
    rb'(?<=[,{ \t\r\n])"(prospects|touches|time)"[ \t\r\n]*:[ \t\r\n]*\[[ \t\r\n]*\]'
)
_SPACED_KEY_END = re.compile(rb'"[ \t\r\n]+:')


def _has_list_key(value: object) -> bool:
    """Whether a key named like a list of the export (prospects, touches, time) is in
    `value` at any depth: the fast pass counts those keys in the bytes."""
    if isinstance(value, dict):
        return any(key in _LIST_NAMES or _has_list_key(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_list_key(item) for item in value)
    return False


def _extra_values(kind: _Kind, record: object) -> Sequence[object]:
    """The values of one JSON prospect change, touch or time change, in column order."""
    if not isinstance(record, dict):
        raise _Bad(f"a {kind.word} must be an object")
    missing = [key for key in kind.columns if key not in record]
    if missing:
        raise _Bad(f"missing {', '.join(missing)}")
    return [record[key] for key in kind.columns]


def _object_keys(value: object) -> int:
    """How many keys the objects in `value` hold, at any depth."""
    if isinstance(value, dict):
        return len(value) + sum(_object_keys(item) for item in value.values())
    if isinstance(value, list):
        return sum(_object_keys(item) for item in value)
    return 0


def _event_row(record: object, check: Callable[[Sequence[object]], Row]) -> Row:
    """One JSON event checked; raises _Bad naming what is wrong."""
    if not isinstance(record, dict):
        raise _Bad("an event must be an object")
    try:
        values = _ALL_COLUMNS(record)
    except KeyError:
        missing = [key for key in REQUIRED_COLUMNS if key not in record]
        if missing:
            raise _Bad(f"missing {', '.join(missing)}") from None
        values = tuple(record.get(key) for key in EVENT_COLUMNS)
    return check(values)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _Record(dict[str, Any]):
    """A JSON object that refuses a key given twice (json and ijson keep the last one
    silently: `"delta": 1, "delta": -997` would be -997)."""

    __slots__ = ()

    def __setitem__(self, key: str, value: Any, _set: Any = dict.__setitem__) -> None:
        if key in self:
            raise _DuplicateKey(key)
        _set(self, key, value)


class _Careful(Exception):
    """The fast pass hands the file over to the careful walk."""


class _NeedsPython(_Careful):
    """The C parser would not read this file as Python's json does (a lone surrogate
    escape, an integer past 64 bits, a float past the double range): ijson's pure-Python
    parser reads it instead."""


class _FastReader:
    """The export as the fast pass's C parser reads it, checked before each piece goes on.

    - No surrogate escape (see _NeedsPython).
    - Bounded nesting: ijson's C parser builds a path string per level, so depth costs it
      memory squared. At the end of a piece in which an item ended the depth is at most
      2 (the object, the list) plus the brackets opened in that piece; otherwise it grows
      by at most those opened. Past _DEPTH_ALARM the careful walk (no paths) takes over.
    - Bounded records: past _FAST_RECORD_BYTES without an item ending, the careful walk
      takes over (it refuses a record past _MAX_RECORD_CHARS, in characters).
    - Lines give a second bound for both (a pass crosses other lists, whose items it does
      not count: the events pass the touches after them): a JSON string holds no raw line
      end, so at each line end the depth is known exactly (`_depth_change`); at most it
      plus the brackets opened since. The alarms go off only when both bounds are past.
    - The last _FINAL_BYTES go a byte at a time, so that where the last item ends is
      known exactly: `ends_plainly` says whether only `]}` follows it.
    """

    def __init__(self, raw: io.BufferedReader, size: int, count_lists: bool = False) -> None:
        self.raw = raw
        self.size = size
        # Keys that open a list of prospect changes, touches or time changes, per name,
        # and those of them that open an empty list (counted only when `count_lists`).
        self.count_lists = count_lists
        self.list_keys: dict[str, int] = {}
        self.empty_lists: dict[str, int] = {}
        self._tail = b""
        self.items = 0  # items read so far (set by whoever reads them)
        self.after_last_item = -1
        self.final = b""
        self._items_seen = 0
        self._ceiling = 0
        self._opens = 0
        self._since_item = 0
        self._carry = b""
        self._quote = b""  # a '"' and white space that ended the last piece
        self.key_ends = 0
        # The line bound: the depth at the last line end, what came after it (and the
        # brackets it opens), and the bytes since a line end between items (depth <= 2).
        self._lines = True  # False once a line is too long to follow
        self._depth = 0
        self._pending = b""
        self._pending_opens = 0
        self._deep_bytes = 0
        self.offset = 3 if raw.read(3) == b"\xef\xbb\xbf" else 0
        raw.seek(self.offset)

    def tell(self) -> int:
        return self.offset

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing first, to see bytes or text
            return b""
        if self.items != self._items_seen:
            self._items_seen = self.items
            self._ceiling = 2 + self._opens
            self._since_item = 0
            self.after_last_item = self.offset
        before_end = self.size - self.offset - _FINAL_BYTES
        near_end = before_end <= 0
        piece = self.raw.read(1 if near_end else min(size, before_end) if size > 0 else before_end)
        if not piece:
            return piece
        if near_end:
            self.final += piece
        self.offset += len(piece)
        if _SURROGATE_ESCAPE.search(self._carry + piece):
            raise _NeedsPython
        self._carry = (self._carry + piece)[-5:]
        joined = self._quote + piece
        self.key_ends += joined.count(b'":') + len(_SPACED_KEY_END.findall(joined))
        if self.count_lists:
            self._count_lists(piece)
        stripped = piece.rstrip(b" \t\r\n")
        self._quote = piece[len(stripped) - 1 :] if stripped.endswith(b'"') else b""
        self._opens = piece.count(b"{") + piece.count(b"[")
        self._ceiling += self._opens
        self._since_item += len(piece)
        if self._ceiling > _DEPTH_ALARM or self._since_item > _FAST_RECORD_BYTES:
            line_ceiling, deep_bytes = self._line_bound(piece)
            if line_ceiling > _DEPTH_ALARM or deep_bytes > _FAST_RECORD_BYTES:
                raise _Careful
        elif self._lines:
            self._line_bound(piece)
        return piece

    def _line_bound(self, piece: bytes) -> tuple[int, int]:
        """The line bound after `piece`: (the most the depth can be in it, the bytes read
        since a line end between items)."""
        if not self._lines:
            return sys.maxsize, sys.maxsize
        ceiling = self._depth + self._pending_opens + self._opens
        cut = piece.rfind(b"\n") + 1
        if cut:
            self._depth += _depth_change(self._pending + piece[:cut])
            self._pending = piece[cut:]
            self._pending_opens = self._pending.count(b"{") + self._pending.count(b"[")
            self._deep_bytes = (
                len(self._pending) if self._depth <= 2 else self._deep_bytes + len(piece)
            )
        else:
            self._pending += piece
            self._pending_opens += self._opens
            self._deep_bytes += len(piece)
            if len(self._pending) > _FAST_RECORD_BYTES:
                self._lines, self._pending = False, b""  # one long line: items bound it
        return ceiling, self._deep_bytes

    def _count_lists(self, piece: bytes) -> None:
        """Count the list keys that end in `piece` (the end of the last piece read too,
        for a key cut in two; one spread over more is missed, so the counts disagree
        and the careful walk reads the file)."""
        joined = self._tail + piece
        start = len(self._tail)
        self._tail = joined[-64:]
        if b'"time"' not in joined and b'"touches"' not in joined and b'"prospects"' not in joined:
            return  # most pieces: the regex tries every byte, `in` does not
        for pattern, counts in ((_LIST_KEY, self.list_keys), (_EMPTY_LIST, self.empty_lists)):
            for match in pattern.finditer(joined):
                if match.end() > start:
                    name = match.group(1).decode()
                    counts[name] = counts.get(name, 0) + 1

    def ends_plainly(self) -> bool:
        """Whether only white space, `]` and `}` follow the last item (no key after it)."""
        start = self.offset - len(self.final)
        if self.after_last_item < start or self.offset != self.size:
            return False
        return _PLAIN_END.fullmatch(self.final[self.after_last_item - start :]) is not None


_NOT_STRUCTURE = bytes(byte for byte in range(256) if byte not in b'"{}[]')
_STRINGS = re.compile(rb'"[^"]*"')


def _depth_change(lines: bytes) -> int:
    """How much deeper whole lines of JSON leave the nesting (brackets in strings do not
    count). Lines start outside a string, and escapes come in pairs: without the escaped
    backslashes and quotes, every quote left opens or closes a string."""
    if b"\\" in lines:
        lines = lines.replace(b"\\\\", b"").replace(b'\\"', b"")
    kept = lines.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in kept:  # a string with brackets in it
        kept = _STRINGS.sub(b"", kept)
    return kept.count(b"{") + kept.count(b"[") - kept.count(b"}") - kept.count(b"]")


class _Stop(Exception):
    """The walk has what it was asked for."""


class _JsonWalk:
    """A JSON export read event by event (ijson's basic_parse, fed a line at a time, a
    long line in parts), so that every setting and record knows its line and every refusal
    its words. It reads the header and settings before the fast pass, the whole file when
    the fast pass hands it over, and finds the line of a record for a message.

    `stop_at_items`: stop at the first item of the "events" list (the fast pass reads them).
    `skip_records`, `skip_settings`: that many were read already; they are walked over, not
    built, checked or kept again. `quiet_records`: that many were handed on (checked)
    already; they are only read again for a key given twice, which the fast pass finds
    by counting, not in which record. `find_record`: stop where that record
    starts (the ones before it checked); its line is then `found_line`.
    """

    def __init__(
        self,
        source: _TextSource,
        handle: TextIO,
        backend: Any,
        stop_at_items: bool = False,
        skip_records: int = 0,
        quiet_records: int = 0,
        skip_settings: int = 0,
        find_record: int = 0,
        find_list: str = "events",
    ) -> None:
        self.source = source
        self.handle = handle
        self.backend = backend
        self.stop_at_items = stop_at_items
        self.skip_records = skip_records
        if find_record:
            # Looking for the line of a prospect change, touch or time change: the
            # events before it are checked, none handed on.
            quiet_records = find_record - 1 if find_list == "events" else sys.maxsize
        self.quiet_records = quiet_records
        self.skip_settings = sys.maxsize if find_record else skip_settings
        self.find_record = find_record
        self.find_list = find_list
        self.check = _Checker(text=False).row
        self.extra_check = _ExtraChecker(text=False).check
        self.extras: dict[str, int] = dict.fromkeys(KINDS, 0)  # items of each list begun
        self.named_keys = 0  # keys named like those lists, at any depth (before a stop)
        self.header: dict[str, object] = {}
        self.seen_events = False
        self.stopped = False
        self.found_line = 0
        self.map_keys = 0  # keys of every object read (before a stop)
        self.records = 0  # items of "events" begun so far
        self.settings = 0  # items of "settings" begun so far
        self.passed_records = 0  # read whole (yielded or skipped)
        self.passed_settings = 0
        self.line = 1
        self.read = 0  # characters fed so far
        self.piece_start = 0
        # Where the walk is: before the object, in it (at `key`), in a list, or done.
        self.started = False
        self.ended = False
        self.key: str | None = None
        self.awaiting_value = False
        self.listing: str | None = None  # "events" or "settings" while in that list
        self.after = 0  # the number of the last item of the list read whole
        # The value being read: its kind ("" when none), number, line and containers.
        self.kind = ""
        self.number = 0
        self.build = True
        self.scan = False
        self.value_line = 0
        self.value_start = 0
        self.depth = 0
        self.stack: list[Any] = []
        self.keys: list[str] = []
        self.result: object = None

    def run(self) -> Iterator[Located]:
        """The records (numbered, with lines), checked; settings kept, the header checked."""
        sink = ijson.sendable_list()
        parser = self.backend.basic_parse_coro(sink, use_float=True)
        exact = self.backend is _ijson_python
        readline = self.handle.readline
        carry = b""
        try:
            while True:
                piece = readline(_PIECE_CHARS)
                data = piece.encode("utf-8")
                if not exact and _SURROGATE_ESCAPE.search(carry + data):
                    raise _NeedsPython
                carry = data[-5:]
                self.piece_start = self.read
                self.read += len(piece)
                try:
                    if data:
                        parser.send(data)
                    else:
                        parser.close()
                except ijson.JSONError as error:
                    yield from self._events(sink)  # what came before the error comes first
                    raise self._parse_error(error) from None
                yield from self._events(sink)
                if self.kind and self.read - self.value_start > _MAX_RECORD_CHARS:
                    raise self._too_long()
                if not piece:
                    return
                self.line += piece.count("\n")
        except _Stop:
            return

    def _events(self, sink: list[tuple[str, Any]]) -> Iterator[Located]:
        value_event, event = self._value_event, self._event
        for name, value in sink:
            # Most events are inside a value: one call each, not two.
            located = value_event(name, value) if self.kind else event(name, value)
            if located is not None:
                yield located
        del sink[:]

    def _event(self, name: str, value: Any) -> Located | None:
        if self.kind:
            return self._value_event(name, value)
        if not self.started:
            if name != "start_map":
                raise self._malformed("a JSON export is an object")
            self.started = True
            return None
        if self.listing is not None:
            if name == "end_array":
                self.listing = None
                self.awaiting_value = False
                return None
            return self._item(name, value)
        if name == "map_key":
            self.map_keys += 1
            if value in _LIST_NAMES:
                self.named_keys += 1
            self.key = value
            self.awaiting_value = True
            return None
        if name == "end_map":
            self.ended = True
            return None
        if self.key in _LISTS:
            self.seen_events = self.seen_events or self.key == "events"
            if name != "start_array":
                raise self._malformed(f'"{self.key}" must be a list')
            self.listing = self.key
            self.after = 0
            return None
        self._begin("value", 0, True)
        return self._value_event(name, value)

    def _item(self, name: str, value: Any) -> Located | None:
        if self.listing == "events":
            if self.stop_at_items:
                self.stopped = True
                raise _Stop
            self.records += 1
            if self.records == self.find_record and self.find_list == "events":
                self.found_line = self.line
                raise _Stop
            fresh = self.records > max(self.skip_records, self.quiet_records)
            self._begin("record", self.records, fresh, scan=self.records > self.skip_records)
        elif self.listing == "settings":
            self.settings += 1
            self._begin("setting", self.settings, self.settings > self.skip_settings)
        else:
            listing = str(self.listing)
            self.extras[listing] += 1
            number = self.extras[listing]
            if number == self.find_record and self.find_list == listing:
                self.found_line = self.line
                raise _Stop
            # Read whole each walk (the walk starts from an empty stage); a walk that
            # finds a line only looks for keys given twice.
            self._begin(listing, number, not self.find_record, scan=True)
        return self._value_event(name, value)

    def _begin(self, kind: str, number: int, build: bool, scan: bool = False) -> None:
        """Start reading a value: built (and checked when whole), scanned only for a key
        given twice, or walked over."""
        self.kind, self.number, self.build, self.scan = kind, number, build, scan
        self.value_line, self.value_start = self.line, self.piece_start
        self.depth = 0
        self.stack.clear()
        self.keys.clear()

    def _value_event(self, name: str, value: Any) -> Located | None:
        if name == "map_key":
            self.map_keys += 1
            if value in _LIST_NAMES:
                self.named_keys += 1
            if self.build:
                self.keys[-1] = value
            elif self.scan:
                if value in self.stack[-1]:
                    raise self._refuse_value(f"the key {value!r} appears twice in one object")
                self.stack[-1].add(value)
            return None
        if name in ("start_map", "start_array"):
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise self._refuse_value("JSON nested too deeply (an event is a flat object)")
            if self.build:
                container: Any = _Record() if name == "start_map" else []
                self._add(container)
                self.stack.append(container)
                self.keys.append("")
            elif self.scan:
                self.stack.append(set() if name == "start_map" else None)
            return None
        if name in ("end_map", "end_array"):
            self.depth -= 1
            if self.build:
                self.stack.pop()
                self.keys.pop()
            elif self.scan:
                self.stack.pop()
        elif self.build:
            self._add(value)
        return self._complete() if self.depth == 0 else None

    def _add(self, value: object) -> None:
        if not self.stack:
            self.result = value
        elif isinstance(self.stack[-1], list):
            self.stack[-1].append(value)
        else:
            try:
                self.stack[-1][self.keys[-1]] = value
            except _DuplicateKey as twice:
                reason = f"the key {twice.key!r} appears twice in one object"
                raise self._refuse_value(reason) from None

    def _complete(self) -> Located | None:
        kind, number, value, where = self.kind, self.number, self.result, self._where()
        self.kind, self.result = "", None
        self.awaiting_value = False
        if kind == "value":
            key = str(self.key)
            self.header[key] = value
            self.source._check_header(key, value)
            return None
        self.after = number
        extra = KINDS.get(kind)
        if extra is not None:
            if not self.build:
                return None
            try:
                checked = self.extra_check(extra, _extra_values(extra, value))
            except _Bad as bad:
                raise self.source.refuse(where, str(bad)) from None
            self.source.keep_extra(extra, checked, number, self.value_line)
            return None
        if kind == "setting":
            self.passed_settings = max(self.passed_settings, number)
            if not self.build:
                return None
            try:
                setting = _check_setting(value)
            except _Bad as bad:
                raise self.source.refuse(where, str(bad)) from None
            self.source.keep_setting(setting, -number, self.value_line)
            return None
        self.passed_records = max(self.passed_records, number)
        if not self.build:
            return None
        try:
            row = _event_row(value, self.check)
        except _Bad as bad:
            raise self.source.refuse(where, str(bad)) from None
        if number <= self.quiet_records:
            return None
        return number, self.value_line, row

    # the words for a refusal --------------------------------------------------------

    def _where(self) -> str:
        """The place of the item being read; '' for a header value."""
        if self.kind == "record":
            return f"record {self.number} (line {self.value_line})"
        if self.kind == "setting":
            return f"setting {self.number} (line {self.value_line})"
        if self.kind in KINDS:
            return f"{KINDS[self.kind].word} {self.number} (line {self.value_line})"
        return ""

    def _refuse_value(self, reason: str) -> ImportRefused:
        return self.source.refuse(self._where() or f"line {self.value_line}", reason)

    def _too_long(self) -> ImportRefused:
        where = self._where()
        what = "" if where else f"the value of {self.key!r}: "
        return self.source.refuse(
            where or f"line {self.value_line}",
            f"{what}longer than {_MAX_RECORD_CHARS:,} characters (or malformed); "
            "an event is at most that long",
        )

    def _malformed(self, message: str) -> ImportRefused:
        return self.source.refuse(f"line {self.line}", f"malformed JSON: {message}")

    def _parse_error(self, error: Exception) -> ImportRefused:
        text = str(error)
        if self.backend is _ijson_c and _C_OVERFLOW.search(text):
            raise _NeedsPython
        # yajl's first line ("parse error: premature EOF"), sometimes inside a bytes repr.
        detail = text.removeprefix("b'").split("\\n")[0].splitlines()[0] if text else ""
        detail = detail.removeprefix("parse error: ").removeprefix("lexical error: ")
        detail = detail.removesuffix(".") or "cut short"
        if _TOO_MANY_DIGITS.search(text):
            return (
                self._refuse_value("a number with too many digits")
                if self.kind
                else (self._malformed("a number with too many digits"))
            )
        if self.kind == "value":
            return self.source.refuse(
                f"line {self.line}", f"malformed JSON in the value of {self.key!r} ({detail})"
            )
        if self.kind:
            return self.source.refuse(self._where(), f"malformed JSON ({detail})")
        if self.listing is not None:
            if self.listing == "events":
                what, begun = "record", self.records
            elif self.listing == "settings":
                what, begun = "setting", self.settings
            else:
                what, begun = KINDS[self.listing].word, self.extras[self.listing]
            if self.after and ("expect ',' or ']'" in detail or "premature EOF" in detail):
                return self._malformed(f"expected ',' or ']' after {what} {self.after}")
            number = begun + 1
            return self.source.refuse(
                f"{what} {number} (line {self.line})", f"malformed JSON ({detail})"
            )
        if not self.started:
            return self._malformed("a JSON export is an object")
        if self.ended or "trailing garbage" in detail or "Additional data" in detail:
            return self._malformed("unexpected data after the end of the export")
        if "separated by a colon" in detail:
            return self._malformed("expected ':' after a key")
        if "object key" in detail:
            return self._malformed("expected a key (a string)")
        if self.awaiting_value:
            return self.source.refuse(
                f"line {self.line}", f"malformed JSON in the value of {self.key!r} ({detail})"
            )
        return self._malformed("expected ',' or '}' in the top-level object")


# The pure-Python parser's words for an integer longer than int() converts.
_DIGITS_LIMIT = sys.get_int_max_str_digits()
_TOO_MANY_DIGITS = re.compile(
    rf"'-?[0-9]{{{_DIGITS_LIMIT + 1},}}" if _DIGITS_LIMIT else r"(?!)"  # 0: no limit
)


class _DatabaseSource(_Source):
    """Another salestui database file, read read-only."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.conn = _open_readonly(path, lambda cause: self.refuse("", cause))
        self.read = 0
        try:
            with translated(path, self._unreadable, plain=True):
                self.total = _database(self.conn).table("events").count
        except BaseException:
            self.conn.close()
            raise

    def _unreadable(self, cause: str) -> ImportRefused:
        return self.refuse("", cause)

    def done(self) -> int:
        return self.read

    def close(self) -> None:
        self.conn.close()

    def place(self, number: int, line: int) -> str:
        if number < 0:
            return f"the setting change at rowid {-number}"
        return f"the event at rowid {number}"

    def place_extra(self, kind: _Kind, number: int, line: int) -> str:
        return f"the {kind.word} at rowid {number}"

    def records(self) -> Iterator[Located]:
        check = _Checker(text=False).row
        with translated(self.path, self._unreadable, plain=True):
            settings = _database(self.conn).table("setting_changes")
            # Schema >= 3; older files keep settings as blobs: not carried.
            changes = (
                settings.rows_where(select=f"rowid, {_SETTING_COLUMNS}", order_by="rowid")
                if settings.exists()
                else ()
            )
            for change in changes:
                rowid = int(change["rowid"])
                try:
                    setting = _check_setting(change)
                except _Bad as bad:
                    raise self.refuse(f"the setting change at rowid {rowid}", str(bad)) from None
                self.keep_setting(setting, -rowid, 0)
            # Schema >= 5; an older file has no prospects and no time.
            extra_check = _ExtraChecker(text=False).check
            for kind in KINDS.values():
                if not _has_table(self.conn, kind.table):
                    continue
                rows_of = self.conn.execute(
                    f"SELECT rowid, {', '.join(kind.columns)} FROM {kind.table} ORDER BY rowid"
                )
                while rows := rows_of.fetchmany(_FETCH):
                    for rowid, *values in rows:
                        try:
                            checked = extra_check(kind, values)
                        except _Bad as bad:
                            raise self.refuse(self.place_extra(kind, rowid, 0), str(bad)) from None
                        self.keep_extra(kind, checked, rowid, 0)
            cursor = self.conn.execute(
                f"SELECT rowid, {_select_list(self.conn)} FROM events ORDER BY rowid"
            )
            while rows := cursor.fetchmany(_FETCH):
                for rowid, *values in rows:
                    try:
                        row = check(values)
                    except _Bad as bad:
                        raise self.refuse(self.place(rowid, 0), str(bad)) from None
                    yield rowid, 0, row
                self.read += len(rows)


# -- import ------------------------------------------------------------------------------

_STAGE = "temp.salestui_import"
_STAGE_SETTINGS = "temp.salestui_import_settings"
_PLAN = "temp.salestui_import_plan"
_STAGE_OF = {name: f"temp.salestui_import_{name}" for name in KINDS}
_PLAN_OF = {name: f"temp.salestui_import_plan_{name}" for name in KINDS}
_TEMP_TABLES = (_STAGE, _STAGE_SETTINGS, _PLAN, *_STAGE_OF.values(), *_PLAN_OF.values())
_MAIN_COLUMNS = ", ".join(EVENT_COLUMNS)
_SAME = " AND ".join(
    f"e.{name} IS i.{name}" for name in EVENT_COLUMNS if name not in ("id", "source")
)
_SETTING_COLUMNS = ", ".join(SETTING_COLUMNS)
_SAME_SETTING = " AND ".join(f"e.{name} IS i.{name}" for name in ("ts", "key", "value"))
_IMPORT_CACHE_KIB = 64 * 1024  # page cache while merging: random ids touch the whole id index
_IMPORT_CHECKPOINT_PAGES = 32_768  # 128 MiB of WAL between checkpoints while merging
CHUNK_SECONDS = 0.15
"""How long one merge transaction may hold the write lock (about; it adapts its size)."""
CHUNK_ROWS = 20_000
PAUSE_SECONDS = 0.12
"""Between chunks: longer than SQLite's busy handler sleeps (up to 100 ms) between
retries, so a tally waiting for the lock always gets in."""


def import_file(
    store: Store,
    path: Path,
    progress: Progress | None = None,
    label: str | None = None,
    *,
    add_metrics: bool = False,
) -> ImportResult:
    """Merge a JSON export, a CSV export or another salestui database into `store`.

    Metrics. An event may count any metric of the stored shape. One this database does
    not know must be defined by the file (a JSON export or a database carries its
    `metric.KEY` setting), or `add_metrics` must be True: then the import defines it
    (`Catalog.add_metric`: the first free letter of its name; hidden when no letter is
    free or Today shows 8 metrics already). Otherwise the import is refused at the first
    event of it, so a typo in a hand-made CSV never becomes a metric. A definition in the
    file that would move a metric this database has to another letter, or put a new one
    on a letter this database gives to another metric or keeps for the app, is not
    applied: the local one stays (a new metric gets a free letter) and
    `ImportResult.notes` says so, one line each. Definitions are written in the same
    transaction as the file's settings, before any event of theirs.

    Every record is checked before anything is written; the first bad one raises
    ImportRefused naming the file and its line (CSV, JSON) or record (JSON), and the
    database is left as it was. So do an id already stored with different content
    (never overwritten), an undo whose tally is in neither the file nor the database
    (or does not match it), and events that would take a day's count below zero.
    The merge then commits in short chunks (see the module docstring). Raises
    StoreError when the store itself fails. `progress(done, total)` is called as the
    file is read (bytes, or rows of a database). `label` is kept with the imported
    rows (default: the file's path).
    """
    path = Path(path)
    source = _open_source(path)
    try:
        return _import(
            store, source, progress, label if label is not None else str(path), add_metrics
        )
    finally:
        source.close()


def _open_source(path: Path) -> _Source:
    def refuse(reason: str) -> ImportRefused:
        return ImportRefused(f"{path}: {reason}; nothing was imported")

    if path.is_dir():
        raise refuse("is a folder, not a file")
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by import_file or below
    except FileNotFoundError:
        raise refuse("no such file") from None
    except OSError as error:
        raise refuse(f"cannot read it ({error.strerror})") from None
    try:
        head = raw.peek(len(_SQLITE_MAGIC))[: len(_SQLITE_MAGIC)]
        if head.startswith(_SQLITE_MAGIC):
            raw.close()
            return _DatabaseSource(path)
        if not head:
            raise refuse("the file is empty")
        first = raw.peek(4096)[:4096]
        if b"\x00" in first:
            raise refuse("holds NUL bytes; " + _NOT_AN_EXPORT)
        start = first.lstrip(b"\xef\xbb\xbf \t\r\n")
        kind: Literal["json", "csv"] = "json" if start[:1] in (b"{", b"[") else "csv"
        return _TextSource(path, raw, kind)
    except OSError as error:
        raw.close()
        raise refuse(f"cannot read it ({error.strerror})") from None
    except BaseException:
        raw.close()
        raise


def _import(
    store: Store, source: _Source, progress: Progress | None, label: str, add_metrics: bool
) -> ImportResult:
    conn = store.connection
    with translated(store.path):
        cache = int(conn.execute("PRAGMA main.cache_size").fetchone()[0])
        for table in _TEMP_TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        for kind in KINDS.values():
            conn.execute(
                f"CREATE TABLE {_STAGE_OF[kind.name]} ({', '.join(kind.columns)},"
                " place INTEGER, line INTEGER)"
            )
        # rowid is the file order; place and line say where each row came from. The
        # ids are indexed once all are in (one sort beats a million random inserts).
        conn.execute(f"CREATE TABLE {_STAGE} ({_MAIN_COLUMNS}, place INTEGER, line INTEGER)")
        conn.execute(
            f"CREATE TABLE {_STAGE_SETTINGS} (id TEXT UNIQUE, {_SETTING_COLUMNS[4:]},"
            " place INTEGER, line INTEGER)"
        )
    try:
        staged, metrics, staged_extras = _stage(store, source, progress)

        def definitions() -> _Definitions:
            return _definitions(conn, store, source, metrics, add_metrics)

        with translated(store.path):
            conn.execute(f"PRAGMA main.cache_size = {-_IMPORT_CACHE_KIB}")
            # Refuses unknown metrics before the checks that take longer.
            first_plan = definitions()
            planned, planned_settings = _check(conn, store, source)
            planned_extras = _check_extras(conn, store, source, staged_extras)
            synchronous = int(conn.execute("PRAGMA main.synchronous").fetchone()[0])
            checkpoint = int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
            # Many short commits: each need not wait for the disk (a crash may lose the
            # last chunks, and importing again completes them), and checkpointing
            # seldom copies each page of the id index once, not once per chunk. (The
            # checkpoint runs after a commit has let go of the write lock.)
            conn.execute("PRAGMA main.synchronous = NORMAL")
            conn.execute(f"PRAGMA wal_autocheckpoint = {_IMPORT_CHECKPOINT_PAGES}")
            try:
                if first_plan.changes or first_plan.skipped:
                    planned_settings = max(planned_settings, 1)
                added = _merge(conn, store, planned, planned_settings, label, definitions)
                extras_added = _merge_extras(
                    conn, store, planned_extras, wrote=bool(added[0] or added[1])
                )
                conn.execute("PRAGMA main.wal_checkpoint(PASSIVE)")  # on disk before "added"
            finally:
                conn.execute(f"PRAGMA main.synchronous = {synchronous}")
                conn.execute(f"PRAGMA wal_autocheckpoint = {checkpoint}")
    finally:
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.execute(f"PRAGMA main.cache_size = {cache}")
            for table in _TEMP_TABLES:
                conn.execute(f"DROP TABLE IF EXISTS {table}")
        except sqlite3.Error:
            pass  # the temp tables go with the connection anyway
    kinds = tuple(
        KindCount(name, KINDS[name].words, extras_added[name], count - extras_added[name])
        for name, count in staged_extras.items()
        if count
    )
    return ImportResult(
        added=added[0],
        present=staged - added[0],
        settings_added=added[1],
        notes=added[2],
        kinds=kinds,
    )


def _stage(
    store: Store, source: _Source, progress: Progress | None
) -> tuple[int, dict[str, tuple[int, int]], dict[str, int]]:
    """Copy the checked rows into the temp tables, in file order; return how many events,
    each metric the events count with the place of its first event, in file order, and
    how many prospect changes, touches and time changes (by KINDS name)."""
    conn = store.connection
    extras: dict[str, list[tuple[Any, ...]]] = {name: [] for name in KINDS}
    extra_counts = dict.fromkeys(KINDS, 0)
    extra_inserts = {
        kind.name: f"INSERT INTO {_STAGE_OF[kind.name]} ({', '.join(kind.columns)}, place, line)"
        f" VALUES ({', '.join('?' for _ in kind.columns)}, ?, ?)"
        for kind in KINDS.values()
    }

    def flush_extras(name: str) -> None:
        conn.executemany(extra_inserts[name], extras[name])
        extra_counts[name] += len(extras[name])
        extras[name].clear()

    def keep_extra(kind: _Kind, row: ExtraRow, number: int, line: int) -> None:
        kept = extras[kind.name]
        kept.append((*row, number, line))
        if len(kept) >= _STAGE_CHUNK:
            flush_extras(kind.name)

    def forget_extras() -> None:
        for name in KINDS:
            extras[name].clear()
            extra_counts[name] = 0
            conn.execute(f"DELETE FROM {_STAGE_OF[name]}")

    source.keep_extra = keep_extra
    source.forget_extras = forget_extras
    insert = (
        f"INSERT INTO {_STAGE} ({_MAIN_COLUMNS}, place, line)"
        f" VALUES ({', '.join('?' for _ in EVENT_COLUMNS)}, ?, ?)"
    )
    staged = 0
    chunk: list[tuple[Any, ...]] = []
    metrics: dict[str, tuple[int, int]] = {}

    def flush() -> None:
        conn.executemany(insert, chunk)

    def keep_setting(row: SettingRow, number: int, line: int) -> None:
        values = (*row, number, line)
        before = conn.total_changes
        conn.execute(
            f"INSERT OR IGNORE INTO {_STAGE_SETTINGS} ({_SETTING_COLUMNS}, place, line)"
            f" VALUES ({', '.join('?' for _ in SETTING_COLUMNS)}, ?, ?)",
            values,
        )
        if conn.total_changes == before:
            _check_repeats(conn, source, [values], _STAGE_SETTINGS, _SAME_SETTING, "setting")

    source.keep_setting = keep_setting
    with translated(store.path):
        # A deferred transaction that only touches temp tables: no lock on the file.
        conn.execute("BEGIN")
        if progress is not None:
            progress(0, source.total)
        for number, line, row in source.records():
            chunk.append((*row, number, line))
            if row[3] not in metrics:
                metrics[row[3]] = (number, line)
            if len(chunk) >= _STAGE_CHUNK:
                flush()
                staged += len(chunk)
                chunk.clear()
                if progress is not None:
                    progress(source.done(), source.total)
        flush()
        staged += len(chunk)
        for name in KINDS:
            flush_extras(name)
            conn.execute(
                f"CREATE INDEX {_STAGE_OF[name]}_id ON {_STAGE_OF[name].removeprefix('temp.')}(id)"
            )
        conn.execute(
            "CREATE INDEX temp.salestui_import_prospects_of ON salestui_import_prospects(prospect)"
        )
        conn.execute("CREATE INDEX temp.salestui_import_id ON salestui_import(id)")
        conn.execute(
            "CREATE INDEX temp.salestui_import_cancels ON salestui_import(cancels)"
            " WHERE cancels IS NOT NULL"
        )
        conn.execute("COMMIT")
        if progress is not None:
            progress(source.total, source.total)
    return staged, metrics, extra_counts


def _check_repeats(
    conn: sqlite3.Connection,
    source: _Source,
    chunk: Sequence[tuple[Any, ...]],
    table: str,
    same: str,
    what: str,
) -> None:
    """Some ids of this chunk were staged already: each must repeat the same content."""
    width = len(chunk[0]) - 2
    names = EVENT_COLUMNS if table == _STAGE else SETTING_COLUMNS
    for values in chunk:
        number, line = values[-2:]
        fields = ", ".join(f"? AS {name}" for name in names)
        found = conn.execute(
            f"SELECT e.place, e.line, ({same}) FROM {table} AS e,"
            f" (SELECT {fields}) AS i WHERE e.id = i.id AND (e.place, e.line) != (?, ?)",
            (*values[:width], number, line),
        ).fetchone()
        if found is not None and not found[2]:
            raise source.refuse(
                source.place(number, line),
                f"{what} {values[0]} appears twice with different content "
                f"(first at {source.place(found[0], found[1])})",
            )


def _stored_differently(
    conn: sqlite3.Connection, stage: str, table: str, same: str
) -> tuple[int, str] | None:
    """The first staged row (rowid, id) whose id `table` already holds with other
    content (`same`: the SQL that compares staged `i` with stored `e`); None if none."""
    row = conn.execute(
        f"SELECT min(CASE WHEN NOT ({same}) THEN i.rowid END)"
        f" FROM {stage} AS i JOIN main.{table} AS e ON e.id = i.id"
    ).fetchone()
    if row[0] is None:
        return None
    found = conn.execute(f"SELECT id FROM {stage} WHERE rowid = ?", (row[0],)).fetchone()
    return int(row[0]), str(found[0])


def _repeated_differently(
    conn: sqlite3.Connection, stage: str, same: str
) -> tuple[Any, ...] | None:
    """The first staged row repeating an earlier row's id with other content: (rowid,
    id, the first copy's place and line); None if none (a same-content repeat is fine)."""
    if conn.execute(f"SELECT 1 FROM {stage} GROUP BY id HAVING count(*) > 1 LIMIT 1").fetchone():
        row = conn.execute(
            f"""SELECT i.rowid, i.id, e.place, e.line FROM {stage} AS i
            JOIN {stage} AS e ON e.rowid = (
                SELECT min(f.rowid) FROM {stage} AS f WHERE f.id = i.id)
            WHERE e.rowid < i.rowid AND NOT ({same}) ORDER BY i.rowid LIMIT 1"""
        ).fetchone()
        if row is not None:
            return row[0], row[1], row[2], row[3]  # as stored (a line may be null)
    return None


def _check(conn: sqlite3.Connection, store: Store, source: _Source) -> tuple[int, int]:
    """Everything that needs the whole file and the database, before anything is written.

    Builds the plan (which staged rows are new, in the order they will be written:
    tallies and corrections first, then undos and notes that refer to them) and
    returns how many events and setting changes it holds.
    """

    def refuse_at(rowid: int, reason: str, table: str = _STAGE) -> ImportRefused:
        number, line = conn.execute(
            f"SELECT place, line FROM {table} WHERE rowid = ?", (rowid,)
        ).fetchone()
        return source.refuse(source.place(number, line), reason)

    # 1. An id already stored must hold the same event: never overwritten.
    stored = _stored_differently(conn, _STAGE, "events", _SAME)
    if stored is not None:
        raise refuse_at(
            stored[0],
            f"event {stored[1]} is already in {store.path} with different content "
            "(it is never overwritten)",
        )
    stored = _stored_differently(conn, _STAGE_SETTINGS, "setting_changes", _SAME_SETTING)
    if stored is not None:
        raise refuse_at(
            stored[0],
            f"a setting change with this id is already in {store.path} with different "
            "content (it is never overwritten)",
            _STAGE_SETTINGS,
        )
    # An id repeated in the file must repeat the same event; the first copy is the one.
    repeated = _repeated_differently(conn, _STAGE, _SAME)
    if repeated is not None:
        rowid, event_id, first_number, first_line = repeated
        raise refuse_at(
            rowid,
            f"event {event_id} appears twice with different content "
            f"(first at {source.place(first_number, first_line)})",
        )
    # 2. An undo cancels a tally in the file or the database, on its day and metric,
    #    with the opposite delta.
    row = conn.execute(
        f"""SELECT n.rowid, n.cancels, coalesce(t.id, e.id) IS NULL,
            coalesce(t.cancels, e.cancels) IS NOT NULL OR coalesce(t.about, e.about) IS NOT NULL
        FROM {_STAGE} AS n
        LEFT JOIN {_STAGE} AS t ON t.id = n.cancels
        LEFT JOIN main.events AS e ON e.id = n.cancels
        WHERE n.cancels IS NOT NULL AND NOT (
            coalesce(t.id, e.id) IS NOT NULL
            AND coalesce(t.cancels, e.cancels) IS NULL AND coalesce(t.about, e.about) IS NULL
            AND coalesce(t.metric, e.metric) = n.metric AND coalesce(t.day, e.day) = n.day
            AND coalesce(t.delta, e.delta) = -n.delta)
        ORDER BY n.rowid LIMIT 1"""
    ).fetchone()
    if row is not None:
        rowid, cancels, unknown, not_a_tally = row
        if unknown:
            reason = (
                f"an undo of event {cancels}, which is neither in this file nor in "
                f"{store.path} (an undo must cancel a known tally)"
            )
        elif not_a_tally:
            reason = f"an undo of event {cancels}, which is not a tally (an undo or a note)"
        else:
            reason = (
                f"an undo of event {cancels} that does not match it (an undo has the "
                "tally's day and metric and the opposite delta)"
            )
        raise refuse_at(rowid, reason)
    # 3. The plan: staged rows not yet stored, tallies and corrections first.
    conn.execute(f"CREATE TABLE {_PLAN} (src INTEGER NOT NULL)")
    new = "NOT EXISTS (SELECT 1 FROM main.events AS e WHERE e.id = s.id)"
    if repeated:
        new += f" AND s.rowid = (SELECT min(rowid) FROM {_STAGE} AS f WHERE f.id = s.id)"
    conn.execute(
        f"INSERT INTO {_PLAN} (src) SELECT rowid FROM {_STAGE} AS s"
        f" WHERE s.cancels IS NULL AND s.about IS NULL AND {new} ORDER BY rowid"
    )
    conn.execute(
        f"INSERT INTO {_PLAN} (src) SELECT rowid FROM {_STAGE} AS s"
        f" WHERE (s.cancels IS NOT NULL OR s.about IS NOT NULL) AND {new} ORDER BY rowid"
    )
    planned = int(conn.execute(f"SELECT count(*) FROM {_PLAN}").fetchone()[0])
    # 4. No day goes below zero that is not already so. A second undo of a tally (two
    #    machines each undid it) is not counted, as the store counts it.
    row = conn.execute(
        f"""WITH change AS (
            SELECT s.day, s.metric, sum(s.delta) AS delta
            FROM {_PLAN} AS p JOIN {_STAGE} AS s ON s.rowid = p.src
            WHERE s.delta != 0 AND (s.cancels IS NULL OR (
                NOT EXISTS (SELECT 1 FROM main.events AS u WHERE u.cancels = s.cancels)
                AND NOT EXISTS (SELECT 1 FROM {_STAGE} AS g
                    WHERE g.cancels IS NOT NULL AND g.cancels = s.cancels
                    AND g.rowid < s.rowid)))
            GROUP BY s.day, s.metric)
        SELECT c.day, c.metric, coalesce(t.count, 0), coalesce(t.count, 0) + c.delta
        FROM change AS c
        LEFT JOIN main.day_totals AS t ON t.day = c.day AND t.metric = c.metric
        WHERE coalesce(t.count, 0) + c.delta < 0 AND coalesce(t.count, 0) >= 0
        ORDER BY c.day, c.metric LIMIT 1"""
    ).fetchone()
    if row is not None:
        day, metric, before, after = row
        raise source.refuse(
            "",
            f"it would take {metric} on {day} below zero ({before} in {store.path}, "
            f"{after} after the import); a correction or undo needs its tally",
        )
    planned_settings = int(
        conn.execute(
            f"SELECT count(*) FROM {_STAGE_SETTINGS} AS s WHERE NOT EXISTS"
            " (SELECT 1 FROM main.setting_changes AS e WHERE e.id = s.id)"
        ).fetchone()[0]
    )
    return planned, planned_settings


def _check_extras(
    conn: sqlite3.Connection, store: Store, source: _Source, staged: dict[str, int]
) -> dict[str, int]:
    """The checks of `_check` for prospect changes, touches and time changes, and their
    plans (rows not yet stored, first copy of each id, in file order); returns how many
    each plan holds.

    A touch must name a prospect whose changes are in the file or the database (else it
    would make a prospect without a name); its tally may be in neither (it may come in a
    later import: a CSV of events after a CSV of touches), but where it is known it must
    be a tally on the touch's ts, day and metric. A stop must end a start in the file or
    the database.
    """
    planned: dict[str, int] = {}
    for name, kind in KINDS.items():
        stage = _STAGE_OF[name]
        conn.execute(f"CREATE TABLE {_PLAN_OF[name]} (src INTEGER NOT NULL)")
        if not staged[name]:
            planned[name] = 0
            continue

        def refuse_at(
            rowid: int, reason: str, kind: _Kind = kind, stage: str = stage
        ) -> ImportRefused:
            number, line = conn.execute(
                f"SELECT place, line FROM {stage} WHERE rowid = ?", (rowid,)
            ).fetchone()
            return source.refuse(source.place_extra(kind, number, line), reason)

        same = " AND ".join(
            f"e.{column} IS i.{column}" for column in kind.columns if column not in ("id", "source")
        )
        stored = _stored_differently(conn, stage, kind.table, same)
        if stored is not None:
            raise refuse_at(
                stored[0],
                f"{kind.word} {stored[1]} is already in {store.path} with different content "
                "(it is never overwritten)",
            )
        repeated = _repeated_differently(conn, stage, same)
        if repeated is not None:
            rowid, record_id, first_number, first_line = repeated
            raise refuse_at(
                rowid,
                f"{kind.word} {record_id} appears twice with different content "
                f"(first at {source.place_extra(kind, first_number, first_line)})",
            )
        if name == "touches":
            row = conn.execute(
                f"""SELECT t.rowid, t.prospect FROM {stage} AS t
                WHERE NOT EXISTS (SELECT 1 FROM {_STAGE_OF["prospects"]} AS p
                    WHERE p.prospect = t.prospect)
                AND NOT EXISTS (SELECT 1 FROM main.prospect_changes AS c
                    WHERE c.prospect = t.prospect)
                ORDER BY t.rowid LIMIT 1"""
            ).fetchone()
            if row is not None:
                raise refuse_at(
                    row[0],
                    f"a touch of prospect {row[1]}, which is neither in this file nor in "
                    f"{store.path} (import the prospect's changes with it or first)",
                )
            matches = (
                "{e}.cancels IS NULL AND {e}.about IS NULL AND {e}.ts = t.event_ts"
                " AND {e}.day = t.day AND {e}.metric = t.metric"
            )
            row = conn.execute(
                f"""SELECT t.rowid, t.event FROM {stage} AS t
                WHERE EXISTS (SELECT 1 FROM main.events AS e
                    WHERE e.id = t.event AND NOT ({matches.format(e="e")}))
                OR EXISTS (SELECT 1 FROM {_STAGE} AS s
                    WHERE s.id = t.event AND NOT ({matches.format(e="s")}))
                ORDER BY t.rowid LIMIT 1"""
            ).fetchone()
            if row is not None:
                raise refuse_at(
                    row[0],
                    f"a touch of event {row[1]} that does not match it (a touch links a "
                    "tally, not an undo or a note, and copies its ts, day and metric)",
                )
        if name == "time":
            row = conn.execute(
                f"""SELECT t.rowid, t.timer FROM {stage} AS t WHERE t.kind = 'stop'
                AND NOT EXISTS (SELECT 1 FROM {stage} AS s WHERE s.id = t.timer
                    AND s.kind = 'start')
                AND NOT EXISTS (SELECT 1 FROM main.time_changes AS m WHERE m.id = t.timer
                    AND m.kind = 'start')
                ORDER BY t.rowid LIMIT 1"""
            ).fetchone()
            if row is not None:
                raise refuse_at(
                    row[0],
                    f"a stop of timer {row[1]}, which is neither in this file nor in "
                    f"{store.path} (a stop ends a start)",
                )
        new = f"NOT EXISTS (SELECT 1 FROM main.{kind.table} AS e WHERE e.id = s.id)"
        if repeated:
            new += f" AND s.rowid = (SELECT min(rowid) FROM {stage} AS f WHERE f.id = s.id)"
        conn.execute(
            f"INSERT INTO {_PLAN_OF[name]} (src) SELECT rowid FROM {stage} AS s"
            f" WHERE {new} ORDER BY rowid"
        )
        planned[name] = int(conn.execute(f"SELECT count(*) FROM {_PLAN_OF[name]}").fetchone()[0])
    return planned


def _merge_extras(
    conn: sqlite3.Connection, store: Store, planned: dict[str, int], wrote: bool
) -> dict[str, int]:
    """Write the plans of prospect changes, touches and time changes in short
    transactions, as `_merge` writes events (the store's triggers keep each prospect as
    it stands, in any order); return how many of each were added."""
    added = dict.fromkeys(KINDS, 0)
    for name, kind in KINDS.items():
        columns = ", ".join(kind.columns)
        insert = (
            f"INSERT OR IGNORE INTO main.{kind.table} ({columns})"
            f" SELECT {', '.join('s.' + column for column in kind.columns)}"
            f" FROM {_PLAN_OF[name]} AS p JOIN {_STAGE_OF[name]} AS s ON s.rowid = p.src"
            " WHERE p.rowid > ? AND p.rowid <= ? ORDER BY p.rowid"
        )
        done = 0
        size = min(2_000, CHUNK_ROWS)
        while done < planned[name]:
            if wrote:
                time.sleep(PAUSE_SECONDS)
            started = time.monotonic()
            with store.writing():
                added[name] += int(conn.execute(insert, (done, done + size)).rowcount)
                took = time.monotonic() - started
            wrote = True
            done += size
            size = max(200, min(CHUNK_ROWS, int(size * CHUNK_SECONDS / max(took, 1e-3))))
    return added


def _merge(
    conn: sqlite3.Connection,
    store: Store,
    planned: int,
    planned_settings: int,
    label: str,
    definitions: Callable[[], _Definitions],
) -> tuple[int, int, tuple[str, ...]]:
    """Write the plan in short transactions; return (events added, setting changes
    added, notes on the metrics' definitions).

    The file's settings and the definitions of the metrics it brings come first, in one
    transaction, so that no event is ever stored of a metric without a definition. Then
    each chunk of events holds the write lock for about CHUNK_SECONDS, and lets go for
    PAUSE_SECONDS so that a tally from another process waiting for the lock gets in.
    """
    settings_added = 0
    notes: tuple[str, ...] = ()
    if planned_settings:  # (or definitions to write)
        with store.writing():
            # Worked out again under the write lock: another process may have added a
            # metric (or taken a letter) since the check.
            plan = definitions()
            for key in sorted(plan.skipped):
                conn.execute(f"DELETE FROM {_STAGE_SETTINGS} WHERE key = ?", (key,))
            settings_added = int(
                conn.execute(
                    f"INSERT OR IGNORE INTO main.setting_changes ({_SETTING_COLUMNS})"
                    f" SELECT {_SETTING_COLUMNS} FROM {_STAGE_SETTINGS} ORDER BY rowid"
                ).rowcount
            )
            _write_settings(conn, plan.changes)
            notes = tuple(plan.notes)
    insert = (
        f"INSERT OR IGNORE INTO main.events ({_MAIN_COLUMNS})"
        f" SELECT {', '.join('s.' + name for name in EVENT_COLUMNS)}"
        f" FROM {_PLAN} AS p JOIN {_STAGE} AS s ON s.rowid = p.src"
        " WHERE p.rowid > ? AND p.rowid <= ? ORDER BY p.rowid"
    )
    added = 0
    done = 0
    size = min(2_000, CHUNK_ROWS)
    while done < planned:
        if done or settings_added:
            time.sleep(PAUSE_SECONDS)
        started = time.monotonic()
        with store.writing():
            before = int(
                conn.execute("SELECT coalesce(max(rowid), 0) FROM main.events").fetchone()[0]
            )
            count = int(conn.execute(insert, (done, done + size)).rowcount)
            if count:
                after = int(conn.execute("SELECT max(rowid) FROM main.events").fetchone()[0])
                store.record_import(conn, before + 1, after, label)
            # The time the lock is held; the commit after it only appends to the WAL
            # (a checkpoint, when one runs, comes after the lock is let go).
            took = time.monotonic() - started
        added += count
        done += size
        # The next chunk's size aims at CHUNK_SECONDS, whatever the machine's speed.
        size = max(200, min(CHUNK_ROWS, int(size * CHUNK_SECONDS / max(took, 1e-3))))
    return added, settings_added, notes


# -- the metrics an import brings ---------------------------------------------------------

_CATALOG_KEYS = " OR ".join(
    f"(key >= '{prefix}' AND key < '{prefix[:-1]}/')"
    for prefix in (METRIC_PREFIX, FUNNEL_PREFIX, KEY_SETTING_PREFIX)
)
"""The settings a catalog and the app's keys are read from (`/` sorts right after `.`)."""
_BUILTIN_KEYS = frozenset(METRIC_KEYS)


@dataclass(slots=True)
class _Definitions:
    """What an import does to the metrics' definitions, besides merging the file's."""

    changes: SettingChanges
    """Definitions to write (the import's own setting changes)."""
    skipped: set[str]
    """Setting keys whose changes in the file are not applied (a letter clash)."""
    notes: list[str]
    """One line for the user per metric added and per definition not applied."""


def _latest(rows: Sequence[tuple[Any, ...]]) -> dict[str, tuple[str | None, bool]]:
    """Per key, the value of its latest change (ts, then id: the `settings` view's rule)
    and whether that change comes from the file. Rows: (ts, id, key, value, from_file)."""
    latest: dict[str, tuple[Any, ...]] = {}
    for row in rows:
        kept = latest.get(row[2])
        if kept is None or (row[0], row[1]) > (kept[0], kept[1]):
            latest[row[2]] = row
    return {key: (row[3], bool(row[4])) for key, row in latest.items()}


def _definitions(
    conn: sqlite3.Connection,
    store: Store,
    source: _Source,
    metrics: dict[str, tuple[int, int]],
    add_metrics: bool,
) -> _Definitions:
    """Decide what happens to the metrics' definitions (see `import_file`).

    `metrics`: every metric the file's events count, with the place of its first event.
    Reads only settings (few rows). Raises ImportRefused for a metric nobody defines
    (unless `add_metrics`) and for a metric named by another's singular.
    """
    rows = conn.execute(
        f"SELECT ts, id, key, value, 0 FROM main.setting_changes WHERE {_CATALOG_KEYS}"
    ).fetchall()
    local = {key: value for key, (value, _) in _latest(rows).items() if value is not None}
    incoming = conn.execute(
        f"SELECT ts, id, key, value, 1 FROM {_STAGE_SETTINGS} AS s WHERE ({_CATALOG_KEYS})"
        " AND NOT EXISTS (SELECT 1 FROM main.setting_changes AS e WHERE e.id = s.id)"
        " ORDER BY rowid"
    ).fetchall()
    merged = _latest(rows + incoming)
    result = {key: value for key, (value, _) in merged.items() if value is not None}
    mine = Catalog.from_settings(local)
    reserved = Catalog.from_settings(result).app_keys(keymap_from_settings(result))
    plan = _Definitions({}, set(), [])

    # 1. Definitions in the file that would win (the later change): applied unless they
    #    move a metric of this database to another letter, or put a new one on a letter
    #    taken here.
    redefine: list[tuple[str, Metric]] = []
    for name in dict.fromkeys(row[2] for row in incoming):
        key = name[len(METRIC_PREFIX) :]
        if not name.startswith(METRIC_PREFIX) or key in _BUILTIN_KEYS or not merged[name][1]:
            continue  # not a metric of the user's, or this database's change is later
        others = {setting: value for setting, value in result.items() if setting != name}
        theirs = _entry(
            Catalog.from_settings({name: result[name]}) if name in result else None, key
        )
        ours = _entry(mine, key)
        if theirs is None:
            # Unreadable or cleared in the file: the local definition (if any) stays.
            plan.skipped.add(name)
            _restore(result, name, local)
            if ours is not None:
                plan.notes.append(
                    f"{key}: the file's definition is unreadable; kept this database's"
                )
            continue
        letter = theirs.metric.letter
        if ours is not None:
            if letter != ours.metric.letter:
                plan.skipped.add(name)
                _restore(result, name, local)
                kept = ours.metric.letter
                plan.notes.append(
                    f"{key}: the file puts it on {letter}, this database on {kept}; kept {kept}"
                )
            continue
        catalog = Catalog.from_settings(others)
        holder = reserved.get(letter) or next(
            (entry.key for entry in catalog.entries if entry.metric.letter == letter), None
        )
        crowded = not theirs.hidden and len(catalog.visible) >= MAX_VISIBLE
        if holder is not None or crowded:
            plan.skipped.add(name)
            result.pop(name, None)
            redefine.append((key, theirs.metric))
            if holder is not None:
                plan.notes.append(
                    f"{key}: the file puts it on {letter}, which this database gives to "
                    f"{holder}; not applied"
                )

    # 2. Metrics counted in the file that nobody defines (or whose definition from the
    #    file was not applied): defined here, in the order the file first counts them.
    catalog = Catalog.from_settings(result)
    for key, like in redefine:
        catalog = _add(plan, result, catalog, key, like, reserved)
    for key, (number, line) in metrics.items():
        if any(entry.key == key for entry in catalog.entries):
            continue
        try:
            named = catalog.entry(key).key
        except ValueError:
            named = None
        if named is not None:
            raise source.refuse(
                source.place(number, line),
                f"metric {key!r} is {named}'s other name; events name a metric by its "
                f"plural ({named})",
            )
        if not add_metrics:
            known = ", ".join(entry.key for entry in catalog.entries)
            raise source.refuse(
                source.place(number, line),
                f"unknown metric {key!r} (use {known}); import with --add-metrics to add "
                "the metrics a file counts that this database does not know",
            )
        catalog = _add(plan, result, catalog, key, None, reserved)
    return plan


def _entry(catalog: Catalog | None, key: str) -> Any:
    """The catalog's entry of `key` (a metric of the user's), or None."""
    if catalog is None:
        return None
    return next((entry for entry in catalog.entries if entry.key == key), None)


def _restore(result: dict[str, str], name: str, local: dict[str, str]) -> None:
    if name in local:
        result[name] = local[name]
    else:
        result.pop(name, None)


def _add(
    plan: _Definitions,
    result: dict[str, str],
    catalog: Catalog,
    key: str,
    like: Metric | None,
    reserved: dict[str, str],
) -> Catalog:
    """Define `key` (named as `like`, when the file defined it) on the first free letter
    of its name; hidden when none is free or Today shows MAX_VISIBLE metrics already."""
    singular = like.singular if like is not None else None
    label = like.label if like is not None else None
    step: SettingChanges | None = None
    for name in dict.fromkeys((singular, None)):
        try:
            step = catalog.add_metric(key, singular=name, label=label, reserved=reserved)
            break
        except ValueError:
            continue
    if step is not None:
        letter = str(json.loads(str(step[METRIC_PREFIX + key]))["letter"])
        plan.notes.append(f"Added metric {key} (key {letter}) from the file.")
    else:
        taken = set(reserved) | {entry.metric.letter for entry in catalog.entries}
        free = [letter for letter in key + string.ascii_lowercase if "a" <= letter <= "z"]
        letter = next((each for each in free if each not in taken), "")
        singular = singular or singular_of(key)
        if not _free_name(catalog, singular):
            singular = key
        value = {
            "singular": singular,
            "letter": letter,
            "label": label or key.capitalize(),
            "hidden": True,
            "order": max((entry.order for entry in catalog.entries), default=0) + 1,
        }
        step = {METRIC_PREFIX + key: json.dumps(value)}
        if len(catalog.visible) >= MAX_VISIBLE:
            why = f"Today shows at most {MAX_VISIBLE} metrics"
            how = f"hide one (`salestui metric hide KEY`), then `salestui metric show {key}`"
        else:
            why = "no letter of its name is free"
            how = f"`salestui metric show {key}` shows it on that letter"
        if letter:
            plan.notes.append(f"Added metric {key} hidden, on {letter} ({why}); {how}.")
        else:
            plan.notes.append(
                f"Added metric {key} hidden, without a key (every letter is taken); its "
                "events are counted and `salestui metric list` shows it."
            )
    plan.changes.update(step)
    result.update({name: value for name, value in step.items() if value is not None})
    return Catalog.from_settings(result)


def _free_name(catalog: Catalog, name: str) -> bool:
    try:
        catalog.entry(name)
    except ValueError:
        return True
    return False


def _write_settings(conn: sqlite3.Connection, changes: SettingChanges) -> None:
    """Append the import's own setting changes, each later than its key's last change."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    for key, value in changes.items():
        append_setting_change(conn, key, value, "import", now, "main.setting_changes")
