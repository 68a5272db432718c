"""The event log out and in: JSON and CSV exports, and merging imports.

Export streams: rows come off one cursor in chunks and are written as they come,
so memory stays flat for any history size.

Import takes a JSON export, a CSV export or another salestui database file (the
laptop/desktop merge) and merges by event id. It runs in two steps so that a bad
file writes nothing and other processes are not kept waiting:

1. Stage: read the file as a stream, check every record, and copy the checked rows
   into a TEMP table on the store's connection. Temp tables are private to the
   connection and take no lock on the database file, so tallies from other panes go
   on meanwhile. The first bad record stops the import with its line or record
   number; nothing has been written to the database.
2. Merge, in one `BEGIN IMMEDIATE` transaction: refuse an id that is already stored
   with different content, then `INSERT OR IGNORE` the staged rows in file order.
   The per-day rollup (`day_totals`) is kept right by the insert trigger.

An id already stored with the same content counts as "already present"; so does an
id that appears twice in the file with the same content. `source` (which program
recorded the tally: tui, cli) is not compared: it does not change what happened,
and the stored value is kept.
"""

from __future__ import annotations

import csv
import io
import json
import operator
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from salestui.domain.metrics import METRIC_KEYS
from salestui.domain.periods import DateRange
from salestui.store.events import Store, StoreError, _describe
from salestui.store.schema import APPLICATION_ID, SCHEMA_VERSION

EXPORT_FORMAT = "salestui-export"
EXPORT_VERSION = 1
COLUMNS: tuple[str, ...] = (
    "id",
    "ts",
    "day",
    "metric",
    "delta",
    "note",
    "source",
    "cancels",
    "about",
)
"""Export columns, in order (CSV header and JSON keys)."""
REQUIRED_COLUMNS: tuple[str, ...] = COLUMNS[:7]
"""What an import needs; `cancels` and `about` may be absent (then null)."""

Format = Literal["json", "csv"]
Progress = Callable[[int, int], None]
"""progress(done, total): rows for an export; bytes (or rows of a database) for an import."""

_FETCH = 5_000
_STAGE_CHUNK = 5_000
_MAX_RECORD_CHARS = 1 << 20  # one JSON event larger than this is refused, not buffered on
_SQLITE_MAGIC = b"SQLite format 3\x00"
_INT64_MAX = 2**63 - 1

Row = tuple[str, str, str, str, int, str | None, str, str | None, str | None]


class ImportRefused(ValueError):
    """The import file is missing or malformed: one line naming the file and the place.

    Nothing was written when this is raised.
    """


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did."""

    added: int
    present: int


# -- export ----------------------------------------------------------------------------


def export_events(
    store_or_path: Store | Path,
    out: TextIO,
    fmt: Format = "json",
    span: DateRange | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the event log (or the events of the days in `span`) to `out`; return the count.

    Events come in recording order (rowid). JSON:
    `{"format": "salestui-export", "version": 1, "events": [...]}`, one event per line;
    CSV: a header row `id,ts,day,metric,delta,note,source,cancels,about`, empty cells
    for null. A `Path` is read read-only and never created: a database that does not
    exist yet exports no events. Raises StoreError for an unreadable or foreign file.
    """
    if fmt not in ("json", "csv"):
        raise ValueError(f"unknown export format {fmt!r} (use json or csv)")
    if isinstance(store_or_path, Store):
        return _export_from(store_or_path._conn, store_or_path.path, out, fmt, span, progress)
    path = Path(store_or_path)
    if not path.exists():
        return _write_export(iter(()), out, fmt)
    conn = _open_readonly(path, lambda cause: StoreError(path, cause))
    try:
        return _export_from(conn, path, out, fmt, span, progress)
    finally:
        conn.close()


def _export_from(
    conn: sqlite3.Connection,
    path: Path,
    out: TextIO,
    fmt: Format,
    span: DateRange | None,
    progress: Progress | None,
) -> int:
    where = ""
    params: tuple[str, ...] = ()
    if span is not None:
        where, params = " WHERE day BETWEEN ? AND ?", (span.start.isoformat(), span.end.isoformat())
    try:
        columns = _select_list(conn)
        # One read transaction: the count and the rows come from the same snapshot,
        # while other processes keep writing (WAL).
        conn.execute("BEGIN")
        try:
            total = int(conn.execute(f"SELECT count(*) FROM events{where}", params).fetchone()[0])
            cursor = conn.execute(f"SELECT {columns} FROM events{where} ORDER BY rowid", params)
            return _write_export(_chunks(cursor), out, fmt, total, progress)
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
    except sqlite3.Error as error:
        raise StoreError(path, _describe(error)) from None


def _chunks(cursor: sqlite3.Cursor) -> Iterator[list[Any]]:
    while rows := cursor.fetchmany(_FETCH):
        yield rows


def _write_export(
    chunks: Iterator[list[Any]],
    out: TextIO,
    fmt: Format,
    total: int = 0,
    progress: Progress | None = None,
) -> int:
    written = 0
    if progress is not None:
        progress(0, total)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for rows in chunks:
            writer.writerows(rows)  # csv writes None as an empty cell
            written += len(rows)
            if progress is not None:
                progress(written, total)
        return written
    encode = json.JSONEncoder(ensure_ascii=False).encode
    out.write(f'{{"format": "{EXPORT_FORMAT}", "version": {EXPORT_VERSION}, "events": [')
    separator = "\n"
    for rows in chunks:
        out.write(
            separator + ",\n".join(encode(dict(zip(COLUMNS, row, strict=True))) for row in rows)
        )
        separator = ",\n"
        written += len(rows)
        if progress is not None:
            progress(written, total)
    out.write("\n]}\n")
    return written


def _select_list(conn: sqlite3.Connection) -> str:
    """The export columns; `about` is null in a schema-1 file (it came with schema 2)."""
    have = {str(row[1]) for row in conn.execute("PRAGMA table_info(events)")}
    return ", ".join(name if name in have else f"NULL AS {name}" for name in COLUMNS)


def _open_readonly(path: Path, fail: Callable[[str], Exception]) -> sqlite3.Connection:
    """Open another file read-only and check that it is a salestui database we can read."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise fail(_describe(error)) from None
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if app_id != APPLICATION_ID or version < 1:
            raise fail("a SQLite database, but not a salestui one")
        if version > SCHEMA_VERSION:
            raise fail(
                f"written by a newer salestui (schema {version}; this version reads up to "
                f"{SCHEMA_VERSION}); upgrade salestui to read it"
            )
        has_events = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'"
        ).fetchone()
        if not has_events:
            raise fail("a salestui database without an event log (damaged?)")
    except sqlite3.Error as error:
        conn.close()
        raise fail(_describe(error)) from None
    except BaseException:
        conn.close()
        raise
    return conn


# -- checking one record -----------------------------------------------------------------


class _Bad(Exception):
    """One record is wrong; the caller adds the file and the place."""


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CANONICAL_TS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00")
_INTEGER = re.compile(r"[+-]?\d{1,19}")
_METRICS = frozenset(METRIC_KEYS)
_METRICS_WORDS = ", ".join(METRIC_KEYS)


def _show(value: object) -> str:
    """A value for an error message: short, and on one line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Checker:
    """Checks and normalises records. `text` is True for CSV, where every cell is a string."""

    def __init__(self, text: bool) -> None:
        self.text = text
        self._days: set[str] = set()

    def row(self, values: Sequence[object]) -> Row:
        """The checked, normalised row; raises _Bad naming the first wrong field."""
        event_id, ts, day, metric, delta, note, source, cancels, about = values
        if self.text and type(delta) is str and _INTEGER.fullmatch(delta):
            delta = int(delta)
        # The common case (a salestui export) in one expression, for speed; anything else
        # takes the long way, which also finds the words for the error.
        if (
            type(event_id) is str
            and _UUID.fullmatch(event_id)
            and type(ts) is str
            and _CANONICAL_TS.fullmatch(ts)
            and type(day) is str
            and day in self._days
            and type(metric) is str
            and metric in _METRICS
            and type(delta) is int
            and -_INT64_MAX <= delta <= _INT64_MAX
            and (note is None or type(note) is str)
            and type(source) is str
            and source
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
        return (
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
                    if _CANONICAL_TS.fullmatch(value):
                        return value
                    return instant.astimezone(UTC).isoformat(timespec="microseconds")
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
                    self._days.add(value)
                    return value
        raise _Bad(f"day {_show(value)} is not a date (use YYYY-MM-DD)")

    @staticmethod
    def _metric(value: object) -> str:
        if isinstance(value, str) and value in _METRICS:
            return value
        raise _Bad(f"unknown metric {_show(value)} (use {_METRICS_WORDS})")

    def _delta(self, value: object) -> int:
        number: int | None = None
        if type(value) is int:
            number = value
        elif self.text and isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            number = int(value)
        if number is None:
            raise _Bad(f"delta {_show(value)} is not a whole number")
        if abs(number) > _INT64_MAX:
            raise _Bad(f"delta {_show(value)} is too large")
        return number

    @staticmethod
    def _note(value: object) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value
        raise _Bad(f"note {_show(value)} is not text")

    @staticmethod
    def _source(value: object) -> str:
        if isinstance(value, str) and value:
            return value
        raise _Bad(f"source {_show(value)} must be a non-empty name (e.g. cli or tui)")


# -- reading import files ----------------------------------------------------------------

Located = tuple[int, int, Row]
"""(place, line, checked row): where a row came from, as two numbers `_Source.place` words."""


class _Source:
    """An open import file: its checked records, and how far the reading got."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.total = 0

    def refuse(self, where: str, reason: str) -> ImportRefused:
        place = f"{where}: " if where else ""
        return ImportRefused(f"{self.path}: {place}{reason}; nothing was imported")

    def place(self, number: int, line: int) -> str:
        """Words for where a record is."""
        raise NotImplementedError

    def records(self) -> Iterator[Located]:
        """Every record, checked; raises ImportRefused at the first bad one."""
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

    def done(self) -> int:
        return self.raw.tell()

    def close(self) -> None:
        self.handle.close()

    def place(self, number: int, line: int) -> str:
        return f"record {number} (line {line})" if self.kind == "json" else f"line {number}"

    def records(self) -> Iterator[Located]:
        try:
            if self.kind == "json":
                yield from self._json_records()
            else:
                yield from self._csv_records()
        except UnicodeDecodeError:
            raise self.refuse("", "not UTF-8 text") from None

    # CSV ----------------------------------------------------------------------------

    def _csv_records(self) -> Iterator[Located]:
        reader = csv.reader(self.handle, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as error:
            raise self.refuse("line 1", f"not CSV ({error})") from None
        if header is None:
            raise self.refuse("", "the file is empty")
        names = [name.strip() for name in header]
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if missing:
            if not (set(names) & set(COLUMNS)):
                raise self.refuse("", _NOT_AN_EXPORT)
            raise self.refuse(
                "line 1",
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(the header needs {','.join(REQUIRED_COLUMNS)}; cancels and about are optional)",
            )
        twice = sorted({name for name in names if names.count(name) > 1 and name in COLUMNS})
        if twice:
            raise self.refuse("line 1", f"column {', '.join(twice)} appears twice")
        index = [names.index(name) if name in names else None for name in COLUMNS]
        width = len(names)
        check = _Checker(text=True).row
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader, None)
            except csv.Error as error:
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

    # JSON ---------------------------------------------------------------------------

    def _json_records(self) -> Iterator[Located]:
        stream = _JsonStream(self.handle, self)
        stream.expect("{", "a JSON export is an object")
        header: dict[str, object] = {}
        seen_events = False
        if stream.peek() == "}":
            stream.advance()
        else:
            while True:
                key = stream.value("a key")
                if not isinstance(key, str):
                    raise stream.error("expected a key (a string)")
                stream.expect(":", "expected ':' after a key")
                if key == "events":
                    seen_events = True
                    yield from self._json_events(stream)
                else:
                    header[key] = stream.value(f"the value of {key!r}")
                    if key in ("format", "version"):
                        self._check_header(key, header[key])
                if stream.next_char() == "}":
                    break
                if stream.last != ",":
                    raise stream.error("expected ',' or '}' in the top-level object")
        stream.expect_end()
        if "format" not in header:
            raise self.refuse("", _NOT_AN_EXPORT)
        if "version" not in header:
            raise self.refuse("", 'the export has no "version"')
        if not seen_events:
            raise self.refuse("", 'the export has no "events" list')

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

    def _json_events(self, stream: _JsonStream) -> Iterator[Located]:
        stream.expect("[", '"events" must be a list')
        if stream.peek() == "]":
            stream.advance()
            return
        check = _Checker(text=False).row
        scan = stream.scan
        after_record = _AFTER_RECORD.match
        all_columns = _ALL_COLUMNS
        number = 0
        while True:
            number += 1
            stream.read_ahead(_READ_AHEAD)
            line = stream.line
            # Fast path: the event and the separator after it, each in one C call. When
            # either is cut by the end of the buffer (or malformed), the careful path
            # reads on or finds the words for the error.
            try:
                record, end = scan(stream.buffer, stream.pos)
            except (StopIteration, json.JSONDecodeError):
                where = f"record {number} (line {line})"
                record = stream.value(f"record {number}", where)
                end = stream.pos
            if not isinstance(record, dict):
                raise self.refuse(f"record {number} (line {line})", "an event must be an object")
            try:
                values = all_columns(record)
            except KeyError:
                missing = [key for key in REQUIRED_COLUMNS if key not in record]
                if missing:
                    where = f"record {number} (line {line})"
                    raise self.refuse(where, f"missing {', '.join(missing)}") from None
                values = tuple(record.get(key) for key in COLUMNS)
            try:
                row = check(values)
            except _Bad as bad:
                raise self.refuse(f"record {number} (line {line})", str(bad)) from None
            yield number, line, row
            match = after_record(stream.buffer, end)
            if match is not None and match.end() < len(stream.buffer):
                separator = match.group(1)
                stream.move(match.end())
            else:
                stream.move(end)
                separator = stream.next_char()
                stream.peek()  # to the next record, so that its line is right
            if separator == "]":
                return
            if separator != ",":
                raise stream.error(f"expected ',' or ']' after record {number}")


_NOT_AN_EXPORT = (
    "not a salestui export (expected a JSON export with format salestui-export, "
    "a CSV file with the header " + ",".join(COLUMNS) + ", or a salestui database)"
)
_SPACE = re.compile(r"[ \t\r\n]*")
_AFTER_RECORD = re.compile(r"[ \t\r\n]*([,\]])[ \t\r\n]*")
_ALL_COLUMNS = operator.itemgetter(*COLUMNS)
_READ_AHEAD = 1 << 14  # more than one event usually takes


class _JsonStream:
    """Just enough of a streaming JSON reader for an export: the top level by hand,
    each value (an event, the version) with the C decoder, text read 256 KiB at a time."""

    def __init__(self, handle: TextIO, source: _Source) -> None:
        self.handle = handle
        self.source = source
        self.buffer = ""
        self.pos = 0
        self.line = 1  # the line at self.pos
        self.eof = False
        self.last = ""
        decoder = json.JSONDecoder()
        self.decode = decoder.raw_decode
        # The C scanner itself: no white space skipped, StopIteration when there is no value.
        self.scan: Callable[[str, int], tuple[object, int]] = decoder.scan_once  # type: ignore[attr-defined]

    def _fill(self) -> bool:
        if self.eof:
            return False
        data = self.handle.read(1 << 18)
        if not data:
            self.eof = True
            return False
        self.buffer = self.buffer[self.pos :] + data
        self.pos = 0
        return True

    def read_ahead(self, chars: int) -> None:
        """Make sure `chars` characters are buffered past the position, unless at the end."""
        if len(self.buffer) - self.pos < chars:
            self._fill()

    def move(self, to: int) -> None:
        """Move the position forward to `to`, counting lines."""
        self.line += self.buffer.count("\n", self.pos, to)
        self.pos = to

    def _skip_space(self) -> None:
        while True:
            match = _SPACE.match(self.buffer, self.pos)
            self.move(match.end() if match else self.pos)
            if self.pos < len(self.buffer) or not self._fill():
                return

    def peek(self) -> str:
        """The next character after white space ('' at the end)."""
        self._skip_space()
        return self.buffer[self.pos] if self.pos < len(self.buffer) else ""

    def advance(self) -> None:
        self.move(self.pos + 1)

    def next_char(self) -> str:
        """Consume and return the next character after white space."""
        self.last = self.peek()
        if self.last:
            self.advance()
        return self.last

    def expect(self, char: str, message: str) -> None:
        if self.next_char() != char:
            raise self.error(message)

    def expect_end(self) -> None:
        if self.peek():
            raise self.error("unexpected data after the end of the export")

    def error(self, message: str) -> ImportRefused:
        return self.source.refuse(f"line {self.line}", f"malformed JSON: {message}")

    def value(self, what: str, where: str | None = None) -> object:
        """Decode the next JSON value, reading on while it is cut by the buffer's end."""
        self._skip_space()
        while True:
            try:
                value, end = self.decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                if self.eof or len(self.buffer) - self.pos > _MAX_RECORD_CHARS:
                    line = self.line + self.buffer.count("\n", self.pos, error.pos)
                    if where is not None:
                        raise self.source.refuse(where, f"malformed JSON ({error.msg})") from None
                    raise self.source.refuse(
                        f"line {line}", f"malformed JSON in {what} ({error.msg})"
                    ) from None
                self._fill()
                continue
            # A number or literal that ends with the buffer may go on in the next read.
            if end == len(self.buffer) and self._fill():
                continue
            self.move(end)
            return value


class _DatabaseSource(_Source):
    """Another salestui database file, read read-only."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.conn = _open_readonly(path, lambda cause: self.refuse("", cause))
        self.read = 0
        try:
            self.total = int(self.conn.execute("SELECT count(*) FROM events").fetchone()[0])
        except sqlite3.Error as error:
            self.conn.close()
            raise self.refuse("", _describe(error)) from None

    def done(self) -> int:
        return self.read

    def close(self) -> None:
        self.conn.close()

    def place(self, number: int, line: int) -> str:
        return f"the event at rowid {number}"

    def records(self) -> Iterator[Located]:
        check = _Checker(text=False).row
        try:
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
        except sqlite3.Error as error:
            raise self.refuse("", _describe(error)) from None


# -- import ------------------------------------------------------------------------------

_STAGE = "temp.salestui_import"
_MAIN_COLUMNS = ", ".join(COLUMNS)
_SAME = " AND ".join(f"e.{name} IS i.{name}" for name in COLUMNS if name not in ("id", "source"))
_IMPORT_CACHE_KIB = 64 * 1024  # page cache while merging: random ids touch the whole id index


def import_file(store: Store, path: Path, progress: Progress | None = None) -> ImportResult:
    """Merge a JSON export, a CSV export or another salestui database into `store`.

    Every record is checked before anything is written; the first bad one raises
    ImportRefused naming the file and its line (CSV, JSON) or record (JSON), and the
    database is left as it was. An id already stored with different content is refused
    the same way, never overwritten. Raises StoreError when the store itself fails.
    `progress(done, total)` is called as the file is read (bytes, or rows of a database).
    """
    path = Path(path)
    source = _open_source(path)
    try:
        return _import(store, source, progress)
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
        start = raw.peek(4096)[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        kind: Literal["json", "csv"] = "json" if start[:1] in (b"{", b"[") else "csv"
        return _TextSource(path, raw, kind)
    except OSError as error:
        raw.close()
        raise refuse(f"cannot read it ({error.strerror})") from None
    except BaseException:
        raw.close()
        raise


def _import(store: Store, source: _Source, progress: Progress | None) -> ImportResult:
    conn = store._conn
    try:
        cache = int(conn.execute("PRAGMA main.cache_size").fetchone()[0])
        conn.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        # rowid is the file order; place and line say where each row came from.
        conn.execute(f"CREATE TABLE {_STAGE} ({_MAIN_COLUMNS}, place INTEGER, line INTEGER)")
    except sqlite3.Error as error:
        raise StoreError(store.path, _describe(error)) from None
    try:
        staged = _stage(store, source, progress)
        try:
            conn.execute(f"PRAGMA main.cache_size = {-_IMPORT_CACHE_KIB}")
            with store._write():
                added = _merge(conn, store, source, staged)
        except sqlite3.Error as error:
            raise StoreError(store.path, _describe(error)) from None
    finally:
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.execute(f"PRAGMA main.cache_size = {cache}")
            conn.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        except sqlite3.Error:
            pass  # the temp table goes with the connection anyway
    return ImportResult(added=added, present=staged - added)


def _stage(store: Store, source: _Source, progress: Progress | None) -> int:
    """Copy the checked rows into the temp table, in file order; return how many."""
    conn = store._conn
    insert = (
        f"INSERT INTO {_STAGE} ({_MAIN_COLUMNS}, place, line)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    staged = 0
    chunk: list[tuple[object, ...]] = []
    try:
        # A deferred transaction that only touches the temp table: no lock on the file.
        conn.execute("BEGIN")
        if progress is not None:
            progress(0, source.total)
        for number, line, row in source.records():
            chunk.append((*row, number, line))
            if len(chunk) >= _STAGE_CHUNK:
                conn.executemany(insert, chunk)
                staged += len(chunk)
                chunk.clear()
                if progress is not None:
                    progress(source.done(), source.total)
        conn.executemany(insert, chunk)
        staged += len(chunk)
        conn.execute("COMMIT")
        if progress is not None:
            progress(source.total, source.total)
    except sqlite3.Error as error:
        raise StoreError(store.path, _describe(error)) from None
    return staged


def _merge(conn: sqlite3.Connection, store: Store, source: _Source, staged: int) -> int:
    """Inside the write transaction: refuse conflicts, add what is new; return how many."""
    present, first_bad = conn.execute(
        f"SELECT count(*), min(CASE WHEN NOT ({_SAME}) THEN i.rowid END)"
        f" FROM {_STAGE} AS i JOIN main.events AS e ON e.id = i.id"
    ).fetchone()
    if first_bad is not None:
        event_id, number, line = conn.execute(
            f"SELECT id, place, line FROM {_STAGE} WHERE rowid = ?", (first_bad,)
        ).fetchone()
        raise source.refuse(
            source.place(number, line),
            f"event {event_id} is already in {store.path} with different content "
            "(it is never overwritten)",
        )
    added = int(
        conn.execute(
            f"INSERT OR IGNORE INTO main.events ({_MAIN_COLUMNS})"
            f" SELECT {_MAIN_COLUMNS} FROM {_STAGE} ORDER BY rowid"
        ).rowcount
    )
    if added + present < staged:
        # Some id came twice in the file; the first copy went in. Are the others the same?
        bad = conn.execute(
            f"SELECT min(i.rowid) FROM {_STAGE} AS i JOIN main.events AS e ON e.id = i.id"
            f" WHERE NOT ({_SAME})"
        ).fetchone()[0]
        if bad is not None:
            event_id, number, line = conn.execute(
                f"SELECT id, place, line FROM {_STAGE} WHERE rowid = ?", (bad,)
            ).fetchone()
            first_number, first_line = conn.execute(
                f"SELECT place, line FROM {_STAGE} WHERE id = ? ORDER BY rowid LIMIT 1",
                (event_id,),
            ).fetchone()
            raise source.refuse(
                source.place(number, line),
                f"event {event_id} appears twice with different content "
                f"(first at {source.place(first_number, first_line)})",
            )
    return added
