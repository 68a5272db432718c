"""Backups: online copies that are checked before they get their name, and a daily rotation."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from salestui.cli import main
from salestui.domain.periods import DateRange
from salestui.store import Store, StoreError
from salestui.store import backup as backup_module
from salestui.store.backup import (
    backup_to,
    backups_folder,
    daily_backup_path,
    ensure_daily_backup,
    prune_daily_backups,
)
from tests.conftest import FakeClock, local
from tests.unit.conftest import Result

TODAY = date(2026, 11, 27)
ALL = DateRange(date(2000, 1, 1), date(2100, 1, 1))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def events(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_backup_is_a_checked_self_contained_copy(
    store: Store, db_path: Path, tmp_path: Path, clock: FakeClock
) -> None:
    store.log("calls", 3)
    store.log("sales")
    dest = tmp_path / "copies" / "mine.db"
    assert backup_to(db_path, dest) == dest
    assert not dest.with_name("mine.db-wal").exists()
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()
    with Store(dest, clock=clock) as copy:
        assert copy.counts(ALL) == store.counts(ALL)
    assert leftovers(dest.parent) == []


def test_backup_only_reads_the_source(store: Store, db_path: Path, tmp_path: Path) -> None:
    store.log("calls")
    store.close()
    before = digest(db_path)
    backup_to(db_path, tmp_path / "a.db")
    assert digest(db_path) == before


def test_backup_while_another_connection_writes(
    store: Store, db_path: Path, tmp_path: Path, clock: FakeClock
) -> None:
    store.log("calls")
    stop = threading.Event()
    written: list[int] = []
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with Store(db_path, clock=clock) as other:
                while not stop.is_set():
                    other.log("calls", note="x" * 500)
                    written.append(1)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = [backup_to(db_path, tmp_path / f"copy-{n}.db") for n in range(5)]
    finally:
        stop.set()
        thread.join()
    assert not failures
    assert len(written) > 0
    counts = [events(copy) for copy in copies]
    assert counts == sorted(counts)  # each a consistent snapshot, later ones larger or equal
    assert counts[0] >= 1 and counts[-1] <= 1 + len(written)
    for copy in copies:
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # the rollup in the copy agrees with its own log
        total = conn.execute("SELECT SUM(count) FROM day_totals").fetchone()[0]
        assert total == conn.execute("SELECT SUM(delta) FROM events").fetchone()[0]
        conn.close()


def test_backup_refuses_missing_foreign_and_existing(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    with pytest.raises(StoreError, match="nothing to back up"):
        backup_to(tmp_path / "missing.db", tmp_path / "out.db")
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    before = digest(foreign)
    with pytest.raises(StoreError, match="not a salestui database"):
        backup_to(foreign, tmp_path / "out.db")
    assert digest(foreign) == before
    assert not (tmp_path / "out.db").exists()
    existing = tmp_path / "existing.db"
    existing.write_text("keep me")
    with pytest.raises(StoreError, match="already exists"):
        backup_to(db_path, existing)
    assert existing.read_text() == "keep me"


def test_a_bad_copy_is_deleted(
    store: Store, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.log("calls")

    def broken_copy(source: sqlite3.Connection, partial: Path, dest: Path) -> None:
        partial.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)

    monkeypatch.setattr(backup_module, "_copy", broken_copy)
    dest = tmp_path / "bad.db"
    with pytest.raises(StoreError) as info:
        backup_to(db_path, dest)
    assert str(info.value).startswith(f"{dest}: ")
    assert not dest.exists()
    assert leftovers(tmp_path) == []


def test_daily_backup_once_a_day(store: Store, db_path: Path) -> None:
    store.log("calls")
    made = ensure_daily_backup(db_path, TODAY)
    assert made == backups_folder(db_path) / "salestui-2026-11-27.db"
    assert made is not None and events(made) == 1
    store.log("calls")
    assert ensure_daily_backup(db_path, TODAY) is None
    assert events(made) == 1  # today's is not redone
    tomorrow = ensure_daily_backup(db_path, TODAY + timedelta(days=1))
    assert tomorrow is not None and events(tomorrow) == 2


def test_no_database_no_backup(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "salestui.db"
    assert ensure_daily_backup(db_path, TODAY) is None
    assert not (tmp_path / "data").exists()


def make_old_backups(db_path: Path, days: int) -> list[Path]:
    folder = backups_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    seed = backup_to(db_path, folder / "seed.tmp")
    made = []
    for offset in range(1, days + 1):
        path = daily_backup_path(db_path, TODAY - timedelta(days=offset))
        shutil.copy(seed, path)
        made.append(path)
    seed.unlink()
    return made


def test_daily_backups_keep_the_newest_seven(store: Store, db_path: Path) -> None:
    store.log("calls")
    old = make_old_backups(db_path, 9)
    on_demand = backups_folder(db_path) / "salestui-2026-01-01-120000.db"
    shutil.copy(old[0], on_demand)
    other_file = backups_folder(db_path) / "notes.txt"
    other_file.write_text("mine")
    made = ensure_daily_backup(db_path, TODAY)
    assert made is not None
    daily = sorted(p.name for p in backups_folder(db_path).glob("salestui-????-??-??.db"))
    assert daily == [f"salestui-{TODAY - timedelta(days=n)}.db" for n in range(6, -1, -1)]
    assert on_demand.exists() and other_file.exists()


def test_daily_backup_is_verified_before_pruning(
    store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.log("calls")
    old = make_old_backups(db_path, 9)

    def failing(partial: Path, dest: Path) -> None:
        raise StoreError(dest, "the copy failed its integrity check (simulated)")

    monkeypatch.setattr(backup_module, "_verify", failing)
    with pytest.raises(StoreError, match="integrity check"):
        ensure_daily_backup(db_path, TODAY)
    assert all(path.exists() for path in old)  # nothing pruned
    assert not daily_backup_path(db_path, TODAY).exists()
    assert leftovers(backups_folder(db_path)) == []


def test_prune_never_deletes_the_spared_copy(store: Store, db_path: Path) -> None:
    store.log("calls")
    make_old_backups(db_path, 3)
    oldest = daily_backup_path(db_path, TODAY - timedelta(days=3))
    deleted = prune_daily_backups(db_path, keep=1, spare=oldest)
    assert oldest.exists() and len(deleted) == 1
    with pytest.raises(ValueError):
        ensure_daily_backup(db_path, TODAY, keep=0)


def test_no_tally_yet_no_daily_backup(store: Store, db_path: Path) -> None:
    # Opening the app creates an empty database: that is no reason for a backups folder.
    assert ensure_daily_backup(db_path, TODAY) is None
    assert not backups_folder(db_path).exists()
    store.log("calls")
    assert ensure_daily_backup(db_path, TODAY) == daily_backup_path(db_path, TODAY)


def test_backups_are_private(store: Store, db_path: Path, tmp_path: Path) -> None:
    store.log("calls")
    db_path.chmod(0o644)  # a database made by an older salestui
    made = ensure_daily_backup(db_path, TODAY)
    assert made is not None and mode(made) == 0o600
    assert mode(backups_folder(db_path)) == 0o700
    elsewhere = backup_to(db_path, tmp_path / "new" / "deeper" / "copy.db")
    assert mode(elsewhere) == 0o600
    assert mode(tmp_path / "new") == 0o700 and mode(tmp_path / "new" / "deeper") == 0o700


# -- as another user: root (the tests' user here) ignores permission bits ---------------

NOBODY = 65534


def as_nobody(action: Callable[[], str]) -> str:
    """`action()` run as an unprivileged user: "ok: <its result>" or "error: <StoreError>".

    As root, in a forked child that gives up root (exec is no option: this Python lives
    in root's home); otherwise here.
    """

    def outcome() -> str:
        try:
            return f"ok: {action()}"
        except StoreError as error:
            return f"error: {error}"

    if os.geteuid() != 0:
        return outcome()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                result = outcome()
            except BaseException as error:
                result = f"crash: {error!r}"
            os.write(write_end, result.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        result = reader.read().decode()
    os.waitpid(pid, 0)
    return result


def cli_as_nobody(*argv: str) -> tuple[int, str, str]:
    """`salestui ARGV` as an unprivileged user: (exit code, stdout, stderr)."""

    def action() -> str:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(argv))
            except SystemExit as leaving:
                code = leaving.code
        return repr((code, out.getvalue(), err.getvalue()))

    result = as_nobody(action)
    assert result.startswith("ok: "), result
    code, out, err = eval(result.removeprefix("ok: "))  # our own repr of a tuple
    return int(code), str(out), str(err)


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder another user can reach (pytest's own temporary folders are root's)."""
    folder = Path(tempfile.mkdtemp(prefix="salestui-backup-test-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(folder)


def give(*paths: Path) -> None:
    """Hand files to the unprivileged user, as their own."""
    if os.geteuid() == 0:
        for path in paths:
            os.chown(path, NOBODY, NOBODY)


def make_database(path: Path, tallies: int = 2, note: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with Store(path, clock=FakeClock(local("2026-11-27T10:00:00"))) as made:
        for _ in range(tallies):
            made.log("calls", note=note)
    assert not path.with_name(path.name + "-wal").exists()  # closed cleanly
    return path


def test_a_read_only_database_can_be_backed_up(shared: Path) -> None:
    home = shared / "home"
    db = make_database(home / "salestui.db")
    give(home, db)
    db.chmod(0o444)
    copy = backups_folder(db) / "copy.db"
    assert as_nobody(lambda: str(backup_to(db, copy))) == f"ok: {copy}"
    assert events(copy) == 2
    assert mode(copy) == 0o600 and mode(copy.parent) == 0o700
    assert leftovers(copy.parent) == []


def test_a_database_in_a_read_only_folder(shared: Path) -> None:
    home = shared / "read#only?folder"  # '#' and '?' in the path must not matter
    db = make_database(home / "sales#1?.db")
    elsewhere = shared / "elsewhere"
    elsewhere.mkdir()
    give(home, db, elsewhere)
    home.chmod(0o555)  # like a read-only mount
    before = digest(db)

    # Its default backups folder cannot be made: one line naming it, nothing written.
    result = as_nobody(lambda: str(backup_to(db, backups_folder(db) / "x.db")))
    assert result.startswith(f"error: {backups_folder(db)}: cannot create this folder"), result
    assert ".partial" not in result and "\n" not in result
    # Anywhere else works: the database is only read.
    copy = elsewhere / "copy.db"
    assert as_nobody(lambda: str(backup_to(db, copy))) == f"ok: {copy}"
    assert events(copy) == 2 and mode(copy) == 0o600
    assert sorted(p.name for p in home.iterdir()) == ["sales#1?.db"]
    assert digest(db) == before

    warm_up_cli(shared)
    code, out, err = cli_as_nobody("--db", str(db), "backup")
    assert code == 1 and out == "", err
    assert err.count("\n") == 1 and err.startswith(f"salestui: {backups_folder(db)}: ")
    assert "salestui backup PATH" in err
    code, out, err = cli_as_nobody("--db", str(db), "backup", f"{elsewhere}/")
    assert code == 0 and err == "", err
    made = Path(out.strip())
    assert made.parent == elsewhere and events(made) == 2


def warm_up_cli(folder: Path) -> None:
    """Run `salestui backup` once here, so the child finds every module imported."""
    with contextlib.suppress(SystemExit), contextlib.redirect_stderr(io.StringIO()):
        main(["--db", str(folder / "none.db"), "backup"])


# -- killed backups -------------------------------------------------------------------

STOP_BEFORE_CHECK = """
import sys, time
from pathlib import Path
from salestui.store import backup

def stop(partial, dest):
    print(partial, flush=True)
    time.sleep(600)

backup._verify = stop
backup.backup_to(Path(sys.argv[1]), Path(sys.argv[2]))
"""


@pytest.mark.slow
def test_a_killed_backup_leaves_nothing_behind(store: Store, db_path: Path) -> None:
    for _ in range(20):
        store.log("calls", note="x" * 20_000)
    folder = backups_folder(db_path)
    child = subprocess.Popen(
        [sys.executable, "-c", STOP_BEFORE_CHECK, str(db_path), str(folder / "first.db")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    partial = Path(child.stdout.readline().strip())
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    assert partial.parent == folder and partial.stat().st_size > 400_000  # database-sized
    second = backup_to(db_path, folder / "second.db")
    assert events(second) == 20
    assert leftovers(folder) == []
    assert not (folder / "first.db").exists()


COPY_FOREVER = """
import sys
from pathlib import Path
from salestui.store.backup import backup_to

print("started", flush=True)
for n in range(10_000):
    backup_to(Path(sys.argv[1]), Path(sys.argv[2]) / f"copy-{n}.db")
"""


@pytest.mark.slow
def test_backups_killed_while_copying_are_cleaned_up(tmp_path: Path) -> None:
    db = make_database(tmp_path / "salestui.db", tallies=30, note="y" * 100_000)
    folder = tmp_path / "copies"
    folder.mkdir()
    # Kill it while a copy is under way (a partial that has started to grow). A copy
    # may finish between the look and the kill on a loaded machine: then try again.
    for _attempt in range(5):
        child = subprocess.Popen([sys.executable, "-c", COPY_FOREVER, str(db), str(folder)])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            growing = [p for p in folder.glob(".*.partial") if p.stat().st_size > 0]
            if growing and len(list(folder.glob("copy-*.db"))) >= 1:
                break
            time.sleep(0.001)
        child.send_signal(signal.SIGKILL)
        child.wait()
        if leftovers(folder):
            break
    assert leftovers(folder) != []
    backup_to(db, folder / "after.db")
    assert leftovers(folder) == []
    for copy in folder.glob("*.db"):
        assert events(copy) == 30


def test_stale_partials_go_and_live_ones_stay(store: Store, db_path: Path, tmp_path: Path) -> None:
    store.log("calls")
    folder = tmp_path / "copies"
    folder.mkdir()
    host = backup_module._host()
    gone = subprocess.Popen(["true"])  # noqa: S607
    gone.wait()
    sleeper = subprocess.Popen(["sleep", "60"])  # noqa: S607
    try:
        names = {
            "live": f".salestui-x.db.{sleeper.pid}@{host}.abc123.partial",
            "mine": f".salestui-y.db.{os.getpid()}@{host}.def456.partial",
            "dead": f".salestui-z.db.{gone.pid}@{host}.ghi789.partial",
            "dead journal": f".salestui-z.db.{gone.pid}@{host}.ghi789.partial-journal",
            "live but old": f".salestui-o.db.{sleeper.pid}@{host}.jkl012.partial",
            "other host": f".salestui-h.db.{gone.pid}@elsewhere.mno345.partial",
            "other host, old": f".salestui-i.db.{gone.pid}@elsewhere.pqr678.partial",
            "not ours": ".notes.txt.partial",
        }
        for name in names.values():
            (folder / name).write_bytes(b"x" * 100)
        old = time.time() - 2 * 3600
        for key in ("live but old", "other host, old"):
            os.utime(folder / names[key], (old, old))
        backup_to(db_path, folder / "copy.db")
        kept = {key for key, name in names.items() if (folder / name).exists()}
        assert kept == {"live", "mine", "other host", "not ours"}
    finally:
        sleeper.kill()
        sleeper.wait()


def test_daily_backup_cleans_up_even_when_today_s_exists(store: Store, db_path: Path) -> None:
    store.log("calls")
    assert ensure_daily_backup(db_path, TODAY) is not None
    gone = subprocess.Popen(["true"])  # noqa: S607
    gone.wait()
    stale = backups_folder(db_path) / (
        f".salestui-2026-11-28.db.{gone.pid}@{backup_module._host()}.abc123.partial"
    )
    stale.write_bytes(b"x")
    assert ensure_daily_backup(db_path, TODAY) is None
    assert not stale.exists()


# -- a full disk ------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB tmpfs (needs root); skipped where it cannot be mounted."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],  # noqa: S607
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)  # noqa: S607


def test_a_full_disk_says_so(tmp_path: Path, small_disk: Path) -> None:
    db = make_database(tmp_path / "salestui.db", tallies=10, note="z" * 50_000)
    dest = small_disk / "copy.db"
    with pytest.raises(StoreError) as info:
        backup_to(db, dest)
    line = str(info.value)
    assert line.startswith(f"{dest}: the disk is full"), line
    assert ".partial" not in line and "\n" not in line
    assert list(small_disk.iterdir()) == []  # nothing left taking the space


SIZE_LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
from salestui.cli import main
main(["--db", sys.argv[1], "backup", sys.argv[2]])
"""


@pytest.mark.slow
def test_a_file_size_limit_gives_one_line(tmp_path: Path) -> None:
    db = make_database(tmp_path / "salestui.db", tallies=10, note="z" * 50_000)
    dest = tmp_path / "out" / "copy.db"
    done = subprocess.run(
        [sys.executable, "-c", SIZE_LIMITED, str(db), str(dest)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        f"salestui: {dest}: the copy is larger than the file size limit (ulimit -f, 98 KB)\n"
    )
    assert ".partial" not in done.stderr
    assert list(dest.parent.iterdir()) == []


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs holding a salestui database, then remounted read-only (needs root)."""
    mount_point = tmp_path / "mounted"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],  # noqa: S607
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        make_database(mount_point / "salestui.db")
        subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)  # noqa: S607
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)  # noqa: S607


def test_backup_from_a_read_only_mount(
    run: Callable[..., Result], read_only_mount: Path, tmp_path: Path
) -> None:
    db = read_only_mount / "salestui.db"
    result = run("--db", str(db), "backup")
    assert result.code == 1 and result.out == ""
    assert result.err == (
        f"salestui: {read_only_mount / 'backups'}: cannot create this folder (read-only file "
        "system); no backup was made. Back up elsewhere: `salestui backup PATH`\n"
    )
    result = run("--db", str(db), "backup", f"{tmp_path}/")
    assert result.code == 0 and result.err == ""
    assert events(Path(result.out.strip())) == 2
    assert sorted(p.name for p in read_only_mount.iterdir()) == ["salestui.db"]


def test_another_user_s_database_in_use_is_copied_whole(shared: Path) -> None:
    home = shared / "colleague"
    db = make_database(home / "salestui.db")
    with Store(db, clock=FakeClock(local("2026-11-27T11:00:00"))) as owner:
        owner.log("sales")  # the owner's app is open: this tally is in the -wal file
        assert (home / "salestui.db-wal").stat().st_size > 0
        for path in home.iterdir():
            path.chmod(0o644)  # readable by others, writable by the owner only
        mine = shared / "mine"
        mine.mkdir()
        give(mine)
        copy = mine / "copy.db"
        assert as_nobody(lambda: str(backup_to(db, copy))) == f"ok: {copy}"
    assert events(copy) == 3


def test_a_read_only_folder_with_unmerged_changes_is_refused(shared: Path) -> None:
    home = shared / "crashed"
    db = make_database(home / "salestui.db")
    (home / "salestui.db-wal").write_bytes(b"\0" * 4096)  # left by a crash, no -shm
    give(home, *home.iterdir())
    home.chmod(0o555)
    mine = shared / "mine"
    mine.mkdir()
    give(mine)
    result = as_nobody(lambda: str(backup_to(db, mine / "copy.db")))
    assert result.startswith(f"error: {db}: cannot be read safely"), result
    assert list(mine.iterdir()) == []
