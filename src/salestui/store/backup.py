"""Copies of the database: on demand, and one a day kept for a week.

A copy is made with SQLite's online backup API, which reads one consistent snapshot
while other processes go on writing (WAL), and is checked with
`PRAGMA integrity_check` before it gets its final name: a file named like a backup
is a good one. The source is only read.

Restore a backup:

1. quit salestui everywhere (every pane, every running command);
2. copy the backup over the database file (`salestui where` prints its path), e.g.
   `cp ~/.local/share/salestui/backups/salestui-2026-11-27.db ~/.local/share/salestui/salestui.db`;
3. delete the `salestui.db-wal` and `salestui.db-shm` files beside it, if any: they
   belong to the replaced file.

A backup is a complete salestui database in its own right; it can also be merged into
the current one with `salestui import BACKUP.db` (nothing is counted twice).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import sqlite3
import stat
import tempfile
import time
from datetime import date
from pathlib import Path

from salestui.store.events import (
    StoreError,
    WalNotReadable,
    disk_full,
    free_bytes,
    make_private_folder,
    read_only_connection,
    sqlite_uri,
    translated,
)
from salestui.store.schema import APPLICATION_ID

BACKUP_FOLDER = "backups"
DAILY_NAME = re.compile(r"salestui-(\d{4}-\d{2}-\d{2})\.db")
"""Daily backups; on-demand copies carry a time as well and are never pruned."""

PARTIAL_NAME = re.compile(
    r"\..+\.(?P<pid>\d+)@(?P<host>[A-Za-z0-9-]*)\.[A-Za-z0-9_]+\.partial(?:-journal|-wal|-shm)?"
)
"""A copy being written: `.<backup name>.<pid>@<host>.<random>.partial` (and SQLite's
journal beside it). The writer's pid and host say whether it can still be running."""
STALE_AFTER = 30 * 60
"""A partial untouched this long (seconds) is left over whoever wrote it: a live backup
keeps writing it, and touches it again before its check."""


class FolderError(StoreError):
    """The folder a backup goes to cannot be created or written (read-only, full...)."""


def backups_folder(db_path: Path) -> Path:
    """Where backups of `db_path` go: a `backups` folder beside it."""
    return Path(db_path).parent / BACKUP_FOLDER


def backup_to(db_path: Path, dest: Path) -> Path:
    """Copy the database at `db_path` to the new file `dest`, check the copy, return `dest`.

    Safe while the app and other processes write; the database is only read, so a
    read-only file or folder can be backed up elsewhere. The copy is private (0600) and
    written under a hidden temporary name in `dest`'s folder (created 0700 if needed),
    checked with `PRAGMA integrity_check` and only then renamed to `dest`; a bad copy is
    deleted. Temporary copies left by a killed backup are deleted on the way.
    StoreError (naming the database or `dest`, never the temporary file) on any failure:
    `db_path` missing or not a salestui database, `dest` existing, a full disk...;
    FolderError when `dest`'s folder cannot be created or written.
    """
    db_path, dest = Path(db_path), Path(dest)
    if not db_path.is_file():
        raise StoreError(db_path, "no database here yet; nothing to back up")
    if dest.exists() or dest.is_symlink():
        raise StoreError(dest, "already exists; choose another name (it was left untouched)")
    source = _open_source(db_path)
    try:
        _write_copy(source, db_path, dest)
    finally:
        source.close()
    return dest


def _has_events(source: sqlite3.Connection, db_path: Path) -> bool:
    with translated(db_path, plain=True):
        return bool(source.execute("SELECT EXISTS (SELECT 1 FROM events)").fetchone()[0])


def _write_copy(source: sqlite3.Connection, db_path: Path, dest: Path) -> None:
    folder = dest.parent
    _make_folder(folder)
    remove_stale_partials(folder)
    try:
        # mkstemp makes the file 0600: a backup is as private as a new database, and
        # the copy must be writable while it is written, whatever the database's mode.
        handle, name = tempfile.mkstemp(
            dir=folder, prefix=f".{dest.name}.{os.getpid()}@{_host()}.", suffix=".partial"
        )
    except OSError as error:
        raise _write_error(folder, error, db_path, folder=True) from None
    os.close(handle)
    partial = Path(name)
    try:
        _copy(source, partial, dest)
        # The check below only reads: refresh the time, so nobody takes it for stale.
        os.utime(partial)
        _verify(partial, dest)
        _fsync(partial)
        os.replace(partial, dest)
        _fsync(folder)
    except OSError as error:
        raise _write_error(dest, error, db_path) from None
    except sqlite3.Error as error:
        raise _write_error(dest, error, db_path) from None
    finally:
        _remove_partial(partial)


def _make_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    try:
        make_private_folder(folder)
    except OSError as error:
        raise _write_error(folder, error, None, folder=True) from None
    if not folder.is_dir():
        raise FolderError(folder, "is not a folder")


def _open_source(db_path: Path) -> sqlite3.Connection:
    """The database, read-only: a read snapshot that never writes to it."""
    if not os.access(db_path, os.R_OK):
        raise StoreError(db_path, "cannot be read (permission denied); nothing was copied")
    try:
        with translated(db_path):
            conn = read_only_connection(db_path, immutable_first=False)
    except WalNotReadable as error:
        # A WAL database whose folder cannot be written (another user's, a read-only
        # mount) or on a full disk cannot get the -shm file SQLite reads it with, and
        # an immutable read would miss the -wal's latest changes: give up rather than
        # copy an old state.
        raise StoreError(
            db_path,
            f"cannot be read safely: its folder is read-only and {error.wal.name} beside it "
            "holds changes not yet in it (open salestui once where the folder can be "
            "written, then back up)",
        ) from None
    with translated(db_path):
        try:
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        except BaseException:
            conn.close()
            raise
    if app_id != APPLICATION_ID:
        conn.close()
        raise StoreError(db_path, "not a salestui database; it was left untouched")
    return conn


def _copy(source: sqlite3.Connection, partial: Path, dest: Path) -> None:
    target = sqlite3.connect(partial, isolation_level=None)
    try:
        # All pages in one step: one read snapshot, and writers in WAL mode are not held up.
        source.backup(target)
        # A backup is one self-contained file; salestui switches it back to WAL on open.
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()


def _verify(partial: Path, dest: Path) -> None:
    """Check the copy; raise StoreError (naming `dest`) unless it is sound."""

    def unreadable(cause: str) -> StoreError:
        return StoreError(dest, f"the copy cannot be read back ({cause})")

    with translated(dest, unreadable, plain=True):
        conn = sqlite3.connect(sqlite_uri(partial, "ro"), uri=True)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        finally:
            conn.close()
    if [tuple(row) for row in rows] != [("ok",)]:
        first = str(rows[0][0]) if rows else "no answer"
        raise StoreError(dest, f"the copy failed its integrity check ({first}); it was deleted")
    if app_id != APPLICATION_ID:
        raise StoreError(dest, "the copy is not a salestui database; it was deleted")


def _write_error(
    path: Path, error: OSError | sqlite3.Error, db_path: Path | None, *, folder: bool = False
) -> StoreError:
    """One line for a failed write: the disk is full, the folder is read-only, or why."""
    where = path if folder else path.parent
    # SQLite reports some failed writes only as "disk I/O error": less room than half
    # the copy needs counts as full.
    needed = _database_bytes(db_path) // 2 if db_path is not None else 0
    if disk_full(error, where, needed):
        cause = "the disk is full"
        free = free_bytes(where)
        if free is not None:
            cause += f" ({_size(free)} free"
            if db_path is not None:
                cause += f"; the copy needs about {_size(_database_bytes(db_path))}"
            cause += ")"
        return StoreError(path, f"{cause}; no backup was made")
    if isinstance(error, OSError) and error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "read-only file system" if error.errno == errno.EROFS else "permission denied"
        verb = (
            "create this folder" if folder and not Path(path).exists() else "write in this folder"
        )
        return FolderError(where, f"cannot {verb} ({reason}); no backup was made")
    if isinstance(error, OSError):
        return StoreError(path, f"cannot write the copy ({error.strerror or error})")
    text = str(error)
    if "readonly" in text or "read-only" in text:
        return FolderError(where, "cannot write in this folder (read-only); no backup was made")
    limit = _file_size_limit()
    if (
        "i/o" in text.lower()
        and limit is not None
        and db_path is not None
        and limit < _database_bytes(db_path)
    ):
        return StoreError(
            path, f"the copy is larger than the file size limit (ulimit -f, {_size(limit)})"
        )
    return StoreError(path, f"cannot write the copy ({text})")


def _file_size_limit() -> int | None:
    """The largest file this process may write (`ulimit -f`), if limited."""
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return None if soft == resource.RLIM_INFINITY else soft


def _database_bytes(db_path: Path) -> int:
    total = 0
    for path in (db_path, db_path.with_name(db_path.name + "-wal")):
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


def _size(count: int) -> str:
    if count < 1 << 20:
        return f"{count / 1024:.0f} KB"
    return f"{count / (1 << 20):,.1f} MB"


def _host() -> str:
    """This machine's name as it goes into a partial's name (letters, digits, -)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname().split(".")[0])[:40]


def _remove_partial(partial: Path) -> None:
    for leftover in (partial, partial.with_name(partial.name + "-journal")):
        with contextlib.suppress(OSError):
            leftover.unlink()


def remove_stale_partials(folder: Path) -> list[Path]:
    """Delete the hidden copies a killed backup left in `folder`; return what was deleted.

    A partial is stale when its writer (the pid in its name, on this machine) is no
    longer running, or when nobody has written it for STALE_AFTER seconds (a writer on
    another machine sharing the folder, or a pid used again). One a live backup is
    writing is never touched. Best effort: what cannot be deleted is left.
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    host = _host()
    now = time.time()
    deleted: list[Path] = []
    for entry in entries:
        match = PARTIAL_NAME.fullmatch(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        writer_gone = match["host"] == host and not _running(int(match["pid"]))
        if writer_gone or now - info.st_mtime > STALE_AFTER:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                deleted.append(Path(entry.path))
    return deleted


def _running(pid: int) -> bool:
    """Whether process `pid` exists on this machine (unsure counts as running)."""
    if os.name != "posix":  # os.kill would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: someone else's process
        return True
    return True


def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk; best effort for folders."""
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() and hasattr(os, "O_DIRECTORY") else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        if path.is_dir():
            return
        raise
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def daily_backup_path(db_path: Path, day: date) -> Path:
    """`<db folder>/backups/salestui-YYYY-MM-DD.db`."""
    return backups_folder(db_path) / f"salestui-{day.isoformat()}.db"


def ensure_daily_backup(db_path: Path, today: date, keep: int = 7) -> Path | None:
    """Make today's backup if there is none yet; keep the newest `keep` daily backups.

    Returns the new backup's path, or None when today's exists already, or there is no
    tally to keep yet (no database, or one without events: nothing is created then, not
    even the backups folder). The new copy is verified before any older one is deleted;
    on-demand backups (their names carry a time) are never deleted. Hidden copies left
    by a killed backup are deleted. Raises StoreError on failure.
    """
    if keep < 1:
        raise ValueError("keep at least one daily backup")
    db_path = Path(db_path)
    target = daily_backup_path(db_path, today)
    if not db_path.is_file():
        return None
    if target.exists():
        remove_stale_partials(target.parent)
        return None
    source = _open_source(db_path)
    try:
        if not _has_events(source, db_path):
            return None
        try:
            _write_copy(source, db_path, target)
        except StoreError:
            if target.exists():  # another process made it meanwhile
                return None
            raise
    finally:
        source.close()
    prune_daily_backups(db_path, keep, spare=target)
    return target


def prune_daily_backups(db_path: Path, keep: int, spare: Path | None = None) -> list[Path]:
    """Delete all but the newest `keep` daily backups (by the date in the name).

    `spare` is never deleted. Returns what was deleted.
    """
    folder = backups_folder(db_path)
    try:
        daily = sorted(
            (entry for entry in folder.iterdir() if DAILY_NAME.fullmatch(entry.name)),
            key=lambda entry: entry.name,
            reverse=True,
        )
    except FileNotFoundError:
        return []
    deleted: list[Path] = []
    for old in daily[keep:]:
        if spare is not None and old == spare:
            continue
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
            deleted.append(old)
    return deleted
