"""The event log on disk.

Everything uses the standard `sqlite3` module: a whole `salestui log call` costs less
than importing a database toolkit would.
One `Store` is one connection; use it from one thread only.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from salestui.clock import Clock, local_now
from salestui.domain.metrics import MAX_COUNT, METRIC_KEY, METRIC_KEYS
from salestui.domain.record import Record
from salestui.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

TYPE_CHECKING = False  # not `typing`'s: importing it would cost `salestui log` 2 ms
if TYPE_CHECKING:  # imported where used: `salestui log` needs neither (startup time)
    from collections.abc import Sequence

    from salestui.domain.catalog import Catalog
    from salestui.domain.counts import Counts
    from salestui.domain.periods import DateRange

BUSY_TIMEOUT_MS = 15_000
PRIVATE_FILE = 0o600
"""A new database (and, following it, its -wal and -shm files) is readable by its owner only."""
PRIVATE_FOLDER = 0o700


def sqlite_uri(path: Path, mode: str = "ro", *, immutable: bool = False) -> str:
    """A `file:` URI for `path` that SQLite reads back exactly, `#` and `?` included."""
    absolute = os.path.abspath(os.fspath(path))
    uri = f"file:{quote(absolute, safe='/')}?mode={mode}"
    return uri + "&immutable=1" if immutable else uri


def make_private_folder(folder: Path) -> None:
    """Create `folder` (and missing parents) readable by the owner only; an existing
    folder is left as it is. Raises OSError."""
    missing = []
    current = Path(folder)
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for each in reversed(missing):
        try:
            each.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            continue
    if not Path(folder).is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))


class StoreError(Exception):
    """A runtime failure with the database file: one line naming the file and the cause."""

    def __init__(self, path: Path, cause: str) -> None:
        super().__init__(f"{path}: {cause}")
        self.path = path
        self.cause = cause


class Busy(StoreError):
    """Another connection holds the write lock (raised only inside `Store.without_waiting`)."""


class BelowZeroError(ValueError):
    """A correction would take a day's count below zero."""


class Event(Record):
    """One row of the event log (immutable; its fields are the table's columns, in order)."""

    __match_args__ = ("id", "ts", "day", "metric", "delta", "note", "source", "cancels", "about")
    __slots__ = __match_args__
    id: str
    ts: str
    day: str
    metric: str
    delta: int
    note: str | None
    source: str
    cancels: str | None
    about: str | None
    """For a note added later (delta 0): the tally it is about."""

    def __init__(
        self,
        id: str,
        ts: str,
        day: str,
        metric: str,
        delta: int,
        note: str | None,
        source: str,
        cancels: str | None,
        about: str | None = None,
    ) -> None:
        # A Record, not a dataclass: `salestui log` does not pay for importing one.
        set_field = object.__setattr__
        set_field(self, "id", id)
        set_field(self, "ts", ts)
        set_field(self, "day", day)
        set_field(self, "metric", metric)
        set_field(self, "delta", delta)
        set_field(self, "note", note)
        set_field(self, "source", source)
        set_field(self, "cancels", cancels)
        set_field(self, "about", about)

    @property
    def local_time(self) -> datetime:
        """When it happened, in the reader's local zone."""
        return datetime.fromisoformat(self.ts).astimezone()


def new_id() -> str:
    """A fresh event id: a random (version 4) UUID in its usual 36-character form.

    Made here from 16 random bytes as `uuid.uuid4()` makes it: importing `uuid` (and
    `platform` with it) would cost every `salestui log` 2 ms.
    """
    random = bytearray(os.urandom(16))
    random[6] = random[6] & 0x0F | 0x40  # version 4
    random[8] = random[8] & 0x3F | 0x80  # the RFC 4122 variant
    digits = random.hex()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


EVENT_COLUMNS: tuple[str, ...] = Event.__slots__
"""The event log's columns, in order (export, import and every query use this list)."""
_EVENT_COLUMNS = ", ".join(EVENT_COLUMNS)
_EVENT_PLACEHOLDERS = ", ".join("?" for _ in EVENT_COLUMNS)


def _describe(error: sqlite3.Error) -> str:
    """A short, human cause for an sqlite3 error."""
    text = str(error)
    lowered = text.lower()
    if "file is not a database" in lowered:
        return "not a SQLite database (or it is corrupt)"
    if "malformed event" in lowered:
        return "a malformed event was refused (delta beyond 10,000, or a bad day or metric)"
    if "malformed" in lowered:
        return "the database file is corrupt (database disk image is malformed)"
    if "disk is full" in lowered or "database or disk is full" in lowered:
        return "the disk is full; nothing was written"
    if "disk i/o" in lowered:
        return f"cannot write to the disk ({text})"
    if "readonly" in lowered or "read-only" in lowered:
        return "the file cannot be written (read-only file or folder)"
    if "unable to open" in lowered:
        return "cannot open the file (it, or its folder, is missing or not accessible)"
    if "locked" in lowered or "busy" in lowered:
        return "another program held the database for too long (database is locked); try again"
    return text


@contextmanager
def translated(
    path: Path, fail: Callable[[str], Exception] | None = None, *, plain: bool = False
) -> Iterator[None]:
    """Turn an sqlite3 error inside the block into one line: the store's one translator.

    Raises StoreError(path, cause), or `fail(cause)` when given (an import refusal, a
    message that wraps the cause). The cause says whether the file or its folder is the
    read-only one and calls a disk with no room left full; `plain` gives SQLite's cause
    alone, for files salestui only reads (an import file, a backup's copy).
    """
    try:
        yield
    except sqlite3.Error as error:
        cause = _describe(error) if plain else _describe_at(path, error)
        raise (StoreError(path, cause) if fail is None else fail(cause)) from None


SQLITE_FULL = 13


def free_bytes(folder: Path) -> int | None:
    """Bytes free for this user in `folder`'s file system (None where it cannot be asked)."""
    try:
        info = os.statvfs(folder)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return None
    return info.f_bavail * info.f_frsize


def disk_full(error: OSError | sqlite3.Error | None, folder: Path, needed: int = 1) -> bool:
    """Whether a failed write in `folder` means the disk has no room: the error says so
    (ENOSPC, a used-up quota, SQLITE_FULL) or, since SQLite reports some failed writes
    only as "disk I/O error", fewer than `needed` bytes are free there."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if isinstance(error, sqlite3.Error) and getattr(error, "sqlite_errorcode", 0) & 0xFF == (
        SQLITE_FULL
    ):
        return True
    free = free_bytes(folder)
    return free is not None and free < needed


def _describe_at(path: Path, error: sqlite3.Error) -> str:
    """Like `_describe`, but says whether the file or its folder is the read-only one,
    and calls a disk with no room left full (SQLite may only say "disk I/O error")."""
    cause = _describe(error)
    if "to the disk" in cause and disk_full(None, Path(path).parent):
        return "the disk is full; nothing was written"
    if "read-only" in cause or "cannot open" in cause:
        folder = Path(path).parent
        if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
            return f"its folder {folder} cannot be written (read-only folder)"
        if Path(path).is_file() and not os.access(path, os.W_OK):
            return "the file cannot be written (read-only file)"
    return cause


class WalNotReadable(Exception):
    """The database's latest changes are in its `-wal` file, which SQLite can read only
    through a `-shm` file it cannot make here (a read-only folder, a full disk)."""

    def __init__(self, wal: Path) -> None:
        super().__init__(str(wal))
        self.wal = wal


def read_only_connection(path: Path, *, immutable_first: bool) -> sqlite3.Connection:
    """A connection that only reads the database at `path`, checked by reading its schema.

    SQLite reads a WAL database through a `-shm` file beside it, which it cannot create
    in a read-only folder or on a full disk. An immutable read needs none and leaves
    nothing behind, but sees the database file alone: it is used only when no `-wal`
    file beside it holds data (the one rule for both callers).

    `immutable_first` (a store over a file it may not write): immutable is tried first,
    so that no `-shm` is made from a read-only file (it would be read-only too and stop
    its owner's writes). Otherwise (a backup of a live database): a plain read-only
    connection, which sees other processes' writes consistently, and immutable only when
    that fails because the folder cannot be written or the disk is full.

    Raises WalNotReadable when the plain connection failed and a `-wal` file holds data;
    otherwise the last sqlite3.Error.
    """
    path = Path(path)
    wal = path.with_name(path.name + "-wal")
    wal_has_data = wal.exists() and wal.stat().st_size > 0
    attempts: tuple[bool, ...] = (False, True)  # plain first; immutable where nothing else reads
    if immutable_first:
        attempts = (False,) if wal_has_data else (True, False)
    last: sqlite3.Error | None = None
    for immutable in attempts:
        if immutable and not immutable_first and last is not None:
            # Immutable could tear a copy a writer changes meanwhile (a backup's integrity
            # check catches that); it is worth it only where nothing else can read.
            folder = path.parent
            if os.access(folder, os.W_OK) and not disk_full(None, folder):
                raise last
        if immutable and wal_has_data:
            raise WalNotReadable(wal)
        try:
            conn = sqlite3.connect(
                sqlite_uri(path, "ro", immutable=immutable),
                uri=True,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        except sqlite3.Error as error:
            last = error
            continue
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.Error as error:
            last = error
            conn.close()
    if wal_has_data:
        raise WalNotReadable(wal)
    assert last is not None
    raise last


def append_setting_change(
    conn: sqlite3.Connection,
    key: str,
    value: str | None,
    source: str,
    ts: str,
    table: str = "setting_changes",
) -> None:
    """Append one change of setting `key` (None clears it) to `table` at `ts` (UTC ISO),
    or just after the key's last change when that is not earlier: a change is always
    later than the key's last one, even when the clock stands still or went back, so
    "the later change wins" keeps its order."""
    latest = conn.execute(f"SELECT max(ts) FROM {table} WHERE key = ?", (key,)).fetchone()[0]
    conn.execute(
        f"INSERT INTO {table} (id, ts, key, value, source) VALUES (?, ?, ?, ?, ?)",
        (new_id(), later_than(latest, ts), key, value, source),
    )


def later_than(latest: object, ts: str) -> str:
    """`ts` (UTC ISO), or one microsecond after `latest` (the last change's ts) when
    `ts` is not later: for append-only changes where the latest one wins, a change made
    now stays the latest even when the clock stood still, went back, or another
    machine's clock ran ahead. An unreadable `latest` leaves `ts` as it is."""
    if isinstance(latest, str) and latest >= ts:
        with contextlib.suppress(ValueError, OverflowError):
            later = datetime.fromisoformat(latest) + timedelta(microseconds=1)
            return later.astimezone(UTC).isoformat(timespec="microseconds")
    return ts


class MalformedRow(StoreError):
    """The file holds a row salestui cannot read (edited by hand, or damaged)."""


class Store:
    """A salestui database: validated, migrated and ready on construction.

    `readonly` opens an existing file for reading only (nothing is migrated or written);
    `Store.for_reading` chooses it for files that cannot be written.
    """

    def __init__(self, path: Path, clock: Clock = local_now, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.clock = clock
        self.readonly = readonly
        self._waits = True
        # SQLite answers "database is locked" without waiting in a few cases the busy
        # timeout does not cover (a hot journal left by a process killed while another
        # one was creating the file, a lock upgrade it treats as a deadlock): opening is
        # tried again, with short pauses, until the busy timeout has passed.
        started = time.monotonic()
        pause = 0.01
        while True:
            self._conn = self._connect_readonly() if readonly else self._connect()
            try:
                self._prepare()
                return
            except StoreError as error:
                self._conn.close()
                waited = time.monotonic() - started
                if "database is locked" not in error.cause or waited >= BUSY_TIMEOUT_MS / 1000:
                    raise
            except BaseException:
                self._conn.close()
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)

    @classmethod
    def for_reading(cls, path: Path, clock: Clock = local_now) -> Store:
        """A store for commands that only read: never creates anything.

        A missing file reads as an empty log (an in-memory database; `path` is kept for
        messages). A file or folder that cannot be written (another user's, a read-only
        mount) is opened read-only, so its data can still be read, exported and rescued.
        """
        path = Path(path)
        if not path.exists():
            # Before the first tally even the default folder may not exist yet.
            return cls._empty(path, clock)
        writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        if writable:
            try:
                return cls(path, clock)
            except StoreError as error:
                # A read-only place, or a full disk where not even the -shm can be made:
                # the data can still be read.
                if not any(
                    cause in error.cause
                    for cause in ("read-only", "cannot open", "disk is full", "to the disk")
                ):
                    raise
        return cls(path, clock, readonly=True)

    @classmethod
    def _empty(cls, path: Path, clock: Clock) -> Store:
        store = cls.__new__(cls)
        store.path = path
        store.clock = clock
        store.readonly = False
        store._waits = True
        store._conn = sqlite3.connect(":memory:", isolation_level=None)
        store._prepare()
        return store

    # -- opening -----------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        if path.is_dir():
            raise StoreError(path, "is a folder, not a database file")
        if not path.exists():
            try:
                make_private_folder(path.parent)
            except OSError as error:
                raise StoreError(path, f"cannot create its folder ({error.strerror})") from None
            try:
                # Created empty and private before SQLite opens it; SQLite gives the -wal
                # and -shm files the database's permissions.
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
            except FileExistsError:
                pass  # another process created it meanwhile
            except OSError as error:
                raise StoreError(path, f"cannot create the file ({error.strerror})") from None
        with translated(path):
            # Autocommit mode: transactions are explicit and short (BEGIN IMMEDIATE ... COMMIT).
            return sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)

    def _connect_readonly(self) -> sqlite3.Connection:
        path = self.path
        if not path.is_file():
            raise StoreError(path, "no such database file")
        try:
            return read_only_connection(path, immutable_first=True)
        except WalNotReadable as error:
            raise StoreError(
                path,
                f"cannot be read here: its latest tallies are in {error.wal.name}, which SQLite "
                "can only read where the folder can be written; copy the database and its -wal "
                "file to a folder you can write to",
            ) from None
        except sqlite3.Error as error:
            raise StoreError(path, _describe(error)) from None

    def _prepare(self) -> None:
        """Refuse foreign, corrupt or newer files untouched; create or migrate ours."""
        conn = self._conn
        with translated(self.path):
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            app_id, version, tables = self._identity()
            self._check_identity(app_id, version, tables)
            if self.readonly:
                if version < SCHEMA_VERSION:
                    raise StoreError(
                        self.path,
                        f"cannot be written and was made by an older salestui (schema "
                        f"{version}); copy it to a folder you can write to, then open the copy",
                    )
                return
            if version < SCHEMA_VERSION:
                if tables == 0:
                    # WAL is set before the first table exists, so two first launches agree.
                    conn.execute("PRAGMA journal_mode = WAL")
                self._migrate()
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")

    def _identity(self) -> tuple[int, int, int]:
        """(application_id, user_version, number of schema objects), from one snapshot:
        read one by one, another process's first migration could commit in between."""
        conn = self._conn
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            if own and conn.in_transaction:
                conn.execute("COMMIT")
        return int(app_id), int(version), int(tables)

    def _check_identity(self, app_id: int, version: int, tables: int) -> None:
        if app_id != APPLICATION_ID and not (app_id == 0 and tables == 0):
            raise StoreError(self.path, "not a salestui database; it was left untouched")
        if version > SCHEMA_VERSION:
            raise StoreError(
                self.path,
                f"written by a newer salestui (schema {version}; this version reads up to "
                f"{SCHEMA_VERSION}); upgrade salestui to open it",
            )

    def _migrate(self) -> None:
        with self.writing():
            app_id, version, tables = self._identity()  # another process may have won the race
            self._check_identity(app_id, version, tables)
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for step in MIGRATIONS[target]:
                    try:
                        if isinstance(step, str):
                            self._conn.execute(step)
                        else:
                            step(self._conn)
                    except sqlite3.OperationalError as error:
                        if "duplicate column" in str(error) or "already exists" in str(error):
                            raise StoreError(
                                self.path,
                                f"says schema {version} but was partly upgraded already "
                                f"({error}); it was left as it was: restore a backup or "
                                "ask for help",
                            ) from None
                        raise
            self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- the surface for code that moves data in bulk (import, export, backup) ----------

    @property
    def connection(self) -> sqlite3.Connection:
        """This store's connection, for bulk reads and for staging in TEMP tables (which
        take no lock on the file). Use it from the store's thread only; write to the
        database through `writing()`."""
        return self._conn

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, committed at the end of the block and rolled back
        on any exception; the write lock is taken up front (BEGIN IMMEDIATE)."""
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if not self._waits and "locked" in str(error).lower():
                raise Busy(self.path, "another program is writing (database is locked)") from None
            raise
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def without_waiting(self) -> Iterator[None]:
        """Inside the block a write that finds the database locked raises `Busy` at once,
        instead of waiting up to the busy timeout, so the caller can queue it elsewhere
        (the app commits a tally on the spot when it can, and on its writer thread when
        another program holds the lock)."""
        self._conn.execute("PRAGMA busy_timeout = 0")
        self._waits = False
        try:
            yield
        finally:
            self._waits = True
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _now_utc(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="microseconds")

    # -- writing -----------------------------------------------------------------

    def log(
        self,
        metric: str,
        delta: int = 1,
        *,
        at: datetime | None = None,
        note: str | None = None,
        source: str = "cli",
        prospect: str | None = None,
    ) -> Event:
        """Append one tally of `delta` events (negative for a correction) and commit it;
        with `prospect` (a prospect's id), linked to it as a touch in the same transaction.

        A correction that would take the day's count below zero raises BelowZeroError
        and writes nothing; so does |delta| above MAX_COUNT (ValueError).
        """
        if not METRIC_KEY.fullmatch(metric):
            # Which metrics exist (and which are hidden) is the catalog's word, checked by
            # every caller through `catalog()`; here only the shape a stored name has.
            raise ValueError(f"unknown metric {metric!r}")
        if delta == 0:
            raise ValueError("a tally changes the count by at least 1")
        if abs(delta) > MAX_COUNT:
            raise ValueError(f"a tally changes the count by at most {MAX_COUNT:,}, not {delta:,}")
        instant = at if at is not None else self.clock()
        day = instant.astimezone().date().isoformat()
        event = Event(
            id=new_id(),
            ts=instant.astimezone(UTC).isoformat(timespec="microseconds"),
            day=day,
            metric=metric,
            delta=delta,
            note=note or None,
            source=source,
            cancels=None,
        )
        with translated(self.path), self.writing() as conn:
            if delta < 0:
                have = self._count_on(conn, day, metric)
                if have + delta < 0:
                    raise BelowZeroError(f"{day} has {have} {metric}; cannot take away {-delta}")
            self._insert(conn, event)
            if prospect is not None:
                conn.execute(
                    "INSERT INTO touches (id, ts, prospect, event, event_ts, day, metric, source)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (new_id(), self._now_utc(), prospect, event.id, event.ts, day, metric, source),
                )
        return event

    @staticmethod
    def _count_on(conn: sqlite3.Connection, day: str, metric: str) -> int:
        """A day's count as every reader sees it (never below zero)."""
        row = conn.execute(
            "SELECT MAX(count, 0) FROM day_totals WHERE day = ? AND metric = ?", (day, metric)
        ).fetchone()
        return int(row[0]) if row and isinstance(row[0], int) else 0

    @staticmethod
    def _insert(conn: sqlite3.Connection, event: Event) -> None:
        conn.execute(
            f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES ({_EVENT_PLACEHOLDERS})",
            event.values(),
        )

    def undo(self, event_id: str | None = None, *, source: str = "cli") -> Event | None:
        """Cancel one tally with a new, opposite event, and return the tally cancelled.

        With `event_id`, that tally (None if it is already cancelled or unknown);
        without, the newest tally recorded on this database (never an imported one) that
        is still in force. Raises BelowZeroError, writing nothing, when cancelling it would
        take its day below zero (it was already taken back by a correction elsewhere).
        """
        with translated(self.path), self.writing() as conn:
            cancelled = (
                self._newest_own_tally(conn) if event_id is None else self._tally(conn, event_id)
            )
            if cancelled is None:
                return None
            if cancelled.delta > 0:
                have = self._count_on(conn, cancelled.day, cancelled.metric)
                if have < cancelled.delta:
                    raise BelowZeroError(
                        f"{cancelled.day} has {have} {cancelled.metric} left; the tally was "
                        "already taken back"
                    )
            self._insert(
                conn,
                Event(
                    id=new_id(),
                    ts=self._now_utc(),
                    # The undo lands on the cancelled tally's day, so that day's count is right.
                    day=cancelled.day,
                    metric=cancelled.metric,
                    delta=-cancelled.delta,
                    note=None,
                    source=source,
                    cancels=cancelled.id,
                ),
            )
        return cancelled

    _IN_FORCE = (
        "e.cancels IS NULL AND e.delta != 0"
        " AND NOT EXISTS (SELECT 1 FROM events AS u WHERE u.cancels = e.id)"
    )

    def _tally(self, conn: sqlite3.Connection, event_id: str) -> Event | None:
        row = conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events AS e WHERE e.id = ? AND {self._IN_FORCE}",
            (event_id,),
        ).fetchone()
        return self._event(row) if row else None

    def _newest_own_tally(self, conn: sqlite3.Connection) -> Event | None:
        """The newest tally in force that was recorded here, skipping imported rowids."""
        ranges = sorted(
            (int(first), int(last))
            for first, last in conn.execute("SELECT first_rowid, last_rowid FROM imported_rows")
        )
        below: int | None = None
        while True:
            bound = "" if below is None else f" AND e.rowid < {below}"
            row = conn.execute(
                f"SELECT e.rowid, {_EVENT_COLUMNS} FROM events AS e WHERE {self._IN_FORCE}{bound}"
                " ORDER BY e.rowid DESC LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            rowid = int(row[0])
            inside = [first for first, last in ranges if first <= rowid <= last]
            if not inside:
                return self._event(row[1:])
            below = min(inside)

    def record_import(
        self, conn: sqlite3.Connection, first_rowid: int, last_rowid: int, label: str
    ) -> None:
        """Inside an import's write transaction: these rowids came from another machine,
        so `undo` without an id never cancels them."""
        if last_rowid < first_rowid:
            return
        conn.execute(
            "INSERT INTO imported_rows (first_rowid, last_rowid, ts, label) VALUES (?, ?, ?, ?)",
            (first_rowid, last_rowid, self._now_utc(), label),
        )

    def add_note(self, event_id: str, text: str, *, source: str = "cli") -> Event:
        """Attach a note to an earlier tally: a new event (delta 0) about it.

        Raises ValueError for an empty note or an unknown tally.
        """
        text = text.strip()
        if not text:
            raise ValueError("a note needs some text")
        tally = self.event(event_id)
        if tally is None or tally.delta == 0:
            raise ValueError("there is no such tally to add a note to")
        note = Event(
            id=new_id(),
            ts=self._now_utc(),
            day=tally.day,
            metric=tally.metric,
            delta=0,
            note=text,
            source=source,
            cancels=None,
            about=tally.id,
        )
        with translated(self.path), self.writing() as conn:
            self._insert(conn, note)
        return note

    # -- reading -----------------------------------------------------------------

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with translated(self.path):
            return self._conn.execute(sql, params).fetchall()

    def _malformed(self, what: str, value: object) -> MalformedRow:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        return MalformedRow(
            self.path,
            f"the database holds a malformed row ({what} {shown}); it was edited by hand or "
            "is damaged: restore a backup (see `salestui where`)",
        )

    def _event(self, row: tuple[object, ...]) -> Event:
        """A row of `events` as an Event; MalformedRow when a value has the wrong type."""
        values = dict(zip(EVENT_COLUMNS, row, strict=True))
        for name in ("id", "ts", "day", "metric", "source"):
            if not isinstance(values[name], str):
                raise self._malformed(name, values[name])
        if not isinstance(values["delta"], int):
            raise self._malformed("delta", values["delta"])
        for name in ("note", "cancels", "about"):
            if values[name] is not None and not isinstance(values[name], str):
                raise self._malformed(name, values[name])
        try:
            datetime.fromisoformat(str(values["ts"]))
            date.fromisoformat(str(values["day"]))
        except ValueError:
            raise self._malformed("ts/day", (values["ts"], values["day"])) from None
        return Event(*row)  # type: ignore[arg-type]

    def _day(self, value: object) -> date:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self._malformed("day", value) from None

    def _count(self, value: object) -> int:
        if isinstance(value, int):
            return max(value, 0)
        raise self._malformed("count", value)

    def events_on(self, day: date) -> list[Event]:
        """Every event of one local day, in the order they were recorded."""
        rows = self._read(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE day = ? ORDER BY ts, rowid",
            (day.isoformat(),),
        )
        return [self._event(row) for row in rows]

    def counts(self, span: DateRange, keys: Sequence[str] = METRIC_KEYS) -> Counts:
        """Net count per metric of `keys` (the built-ins by default) over the inclusive
        local-day range (no day below zero), every one of them present."""
        rows = self._read(
            "SELECT metric, SUM(MAX(count, 0)) FROM day_totals WHERE day BETWEEN ? AND ?"
            " GROUP BY metric",
            (span.start.isoformat(), span.end.isoformat()),
        )
        from salestui.domain.counts import counts_from_rows

        # A hand-made text or real count makes the sum a real: refused, never shown.
        return counts_from_rows(((str(metric), self._count(total)) for metric, total in rows), keys)

    def day_totals(self, span: DateRange) -> dict[date, Counts]:
        """Per-day net counts inside the range (never below zero); days without events are
        absent."""
        totals: dict[date, Counts] = {}
        # Rows come in (day, metric) order: each day is parsed once, not once per metric
        # (years of history are read for a streak or `report --period all`).
        last: object = None
        per_day: Counts = {}
        for day, metric, count in self._read(
            "SELECT day, metric, count FROM day_totals WHERE day BETWEEN ? AND ?"
            " ORDER BY day, metric",
            (span.start.isoformat(), span.end.isoformat()),
        ):
            if day != last:
                last = day
                per_day = totals.setdefault(self._day(day), {})
            per_day[str(metric)] = (
                count if type(count) is int and count >= 0 else self._count(count)
            )
        return totals

    def active_days(self, span: DateRange) -> list[date]:
        """The days inside the range with any count above zero, newest first.

        For a streak reaching back years: one row a day, decided inside SQLite.
        """
        rows = self._read(
            "SELECT day, MAX(count) FROM day_totals WHERE day BETWEEN ? AND ?"
            " GROUP BY day HAVING MAX(count) > 0 ORDER BY day DESC",
            (span.start.isoformat(), span.end.isoformat()),
        )
        days = []
        parse = date.fromisoformat
        for day, highest in rows:
            if type(highest) is not int:  # hand-made text or real: refused, as by day_totals
                raise self._malformed("count", highest)
            try:
                days.append(parse(day))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise self._malformed("day", day) from None
        return days

    def bounds(self) -> DateRange | None:
        """First and last day with any event, or None for an empty log."""
        # Two single MIN/MAX queries: SQLite answers each from the end of the index,
        # while one `SELECT MIN(day), MAX(day)` scans all of it.
        first = self._read("SELECT MIN(day) FROM events")[0][0]
        if first is None:
            return None
        last = self._read("SELECT MAX(day) FROM events")[0][0]
        from salestui.domain.periods import DateRange

        return DateRange(self._day(first), self._day(last))

    def event(self, event_id: str) -> Event | None:
        """One event by id."""
        rows = self._read(f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,))
        return self._event(rows[0]) if rows else None

    def is_cancelled(self, event_id: str) -> bool:
        """Whether an undo has cancelled this event."""
        return bool(self._read("SELECT 1 FROM events WHERE cancels = ? LIMIT 1", (event_id,)))

    def has_events(self) -> bool:
        """Whether anything was ever recorded."""
        return bool(self._read("SELECT 1 FROM events LIMIT 1"))

    def is_empty(self) -> bool:
        """Whether nothing at all was ever recorded: no event, no setting change."""
        return not self.has_events() and not self._read("SELECT 1 FROM setting_changes LIMIT 1")

    def data_version(self) -> int:
        """Changes whenever another connection commits; nearly free to read."""
        return int(str(self._read("PRAGMA data_version")[0][0]))

    # -- settings ----------------------------------------------------------------
    # Settings are append-only changes, one key each (see schema 3): concurrent changes
    # to different keys are all kept, and a merge keeps each key's latest change.

    def setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        rows = self._read("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def settings_like(self, prefix: str) -> dict[str, str]:
        """Every setting whose key starts with `prefix`, by key."""
        rows = self._read(
            "SELECT key, value FROM settings WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        )
        return {str(key): str(value) for key, value in rows}

    def catalog(self) -> Catalog:
        """The metrics and funnels (built-ins plus the user's), from the settings."""
        from salestui.domain.catalog import Catalog

        rows = self._read(
            "SELECT key, value FROM settings WHERE (key >= 'metric.' AND key < 'metric/')"
            " OR (key >= 'funnel.' AND key < 'funnel/')"
        )
        return Catalog.from_settings({str(key): str(value) for key, value in rows})

    def set_setting(self, key: str, value: str | None, *, source: str = "cli") -> None:
        """Store (or with None, clear) a setting."""
        self.set_settings({key: value}, source=source)

    def set_settings(self, changes: Mapping[str, str | None], *, source: str = "cli") -> None:
        """Store several settings (None clears one) in one transaction; a key whose value
        is already that is left alone."""
        if changes:
            self.change_settings(lambda _store: changes, source=source)

    def change_settings(
        self,
        change: Callable[[Store], Mapping[str, str | None]],
        *,
        source: str = "cli",
    ) -> Mapping[str, str | None]:
        """Work out settings to store from what is stored, and store them, in one write
        transaction: `change(self)` reads this store with the write lock held, so no
        other process changes what it read before its answer is written (two `metric add`
        at once never pick the same free letter). A ValueError from `change` writes
        nothing. Returns the changes."""
        with translated(self.path), self.writing() as conn:
            changes = change(self)
            ts = self._now_utc()
            for key, value in changes.items():
                row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
                if (row[0] if row else None) == value:
                    continue
                append_setting_change(conn, key, value, source, ts)
        return changes
