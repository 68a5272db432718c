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
import os
import re
import sqlite3
import stat
import tempfile
from datetime import date
from pathlib import Path

from salestui.store.events import StoreError, _describe
from salestui.store.schema import APPLICATION_ID

BACKUP_FOLDER = "backups"
DAILY_NAME = re.compile(r"salestui-(\d{4}-\d{2}-\d{2})\.db")
"""Daily backups; on-demand copies carry a time as well and are never pruned."""


def backups_folder(db_path: Path) -> Path:
    """Where backups of `db_path` go: a `backups` folder beside it."""
    return Path(db_path).parent / BACKUP_FOLDER


def backup_to(db_path: Path, dest: Path) -> Path:
    """Copy the database at `db_path` to the new file `dest`, check the copy, return `dest`.

    Safe while the app and other processes write. The copy is written under a temporary
    name in `dest`'s folder (created if needed), checked with `PRAGMA integrity_check`
    and only then renamed to `dest`; a bad copy is deleted and StoreError raised.
    StoreError too if `db_path` is missing or not a salestui database, or `dest` exists.
    """
    db_path, dest = Path(db_path), Path(dest)
    if not db_path.is_file():
        raise StoreError(db_path, "no database here yet; nothing to back up")
    if dest.exists():
        raise StoreError(dest, "already exists; choose another name (it was left untouched)")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(dest, f"cannot create its folder ({error.strerror})") from None
    source = _open_source(db_path)
    try:
        try:
            handle, name = tempfile.mkstemp(
                dir=dest.parent, prefix=f".{dest.name}.", suffix=".partial"
            )
        except OSError as error:
            raise StoreError(dest, f"cannot write there ({error.strerror})") from None
        os.close(handle)
        partial = Path(name)
        with contextlib.suppress(OSError):  # the copy is as private as the database
            os.chmod(partial, stat.S_IMODE(db_path.stat().st_mode))
        try:
            _copy(source, partial, dest)
            _verify(partial, dest)
            _fsync(partial)
            os.replace(partial, dest)
            _fsync(dest.parent)
        except OSError as error:
            raise StoreError(dest, f"cannot write the copy ({error.strerror or error})") from None
        finally:
            partial.unlink(missing_ok=True)
    finally:
        source.close()
    return dest


def _open_source(db_path: Path) -> sqlite3.Connection:
    uri = f"{db_path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=15)
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    except sqlite3.Error as error:
        raise StoreError(db_path, _describe(error)) from None
    if app_id != APPLICATION_ID:
        conn.close()
        raise StoreError(db_path, "not a salestui database; it was left untouched")
    return conn


def _copy(source: sqlite3.Connection, partial: Path, dest: Path) -> None:
    try:
        target = sqlite3.connect(partial, isolation_level=None)
    except sqlite3.Error as error:
        raise StoreError(dest, _describe(error)) from None
    try:
        # All pages in one step: one read snapshot, and writers in WAL mode are not held up.
        source.backup(target)
        # A backup is one self-contained file; salestui switches it back to WAL on open.
        target.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as error:
        raise StoreError(dest, f"the backup failed ({_describe(error)})") from None
    finally:
        target.close()


def _verify(partial: Path, dest: Path) -> None:
    """Check the copy; raise StoreError (naming `dest`) unless it is sound."""
    try:
        conn = sqlite3.connect(f"{partial.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise StoreError(dest, f"the copy cannot be read back ({_describe(error)})") from None
    if [tuple(row) for row in rows] != [("ok",)]:
        first = str(rows[0][0]) if rows else "no answer"
        raise StoreError(dest, f"the copy failed its integrity check ({first}); it was deleted")
    if app_id != APPLICATION_ID:
        raise StoreError(dest, "the copy is not a salestui database; it was deleted")


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

    Returns the new backup's path, or None when today's exists already or there is no
    database yet. The new copy is verified before any older one is deleted; on-demand
    backups (their names carry a time) are never deleted. Raises StoreError on failure.
    """
    if keep < 1:
        raise ValueError("keep at least one daily backup")
    db_path = Path(db_path)
    target = daily_backup_path(db_path, today)
    if target.exists() or not db_path.is_file():
        return None
    try:
        made = backup_to(db_path, target)
    except StoreError:
        if target.exists():  # another process made it meanwhile
            return None
        raise
    prune_daily_backups(db_path, keep, spare=made)
    return made


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
