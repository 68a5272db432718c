"""`export -o FILE` under attack: never the database, through symlinks, into pipes and
devices, never over a read-only file, modes kept, and one line naming the user's file."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.conftest import Result


def one_line_error(result: Result, code: int) -> str:
    assert result.code == code, result
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    return lines[0]


def events_in(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def logged(run, db_path: Path) -> Path:  # type: ignore[no-untyped-def]
    assert run("log", "calls", "3").code == 0
    assert run("log", "meetings").code == 0
    return db_path


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


# -- never the database ------------------------------------------------------------------


def test_the_database_in_use_is_refused(run, logged: Path) -> None:  # type: ignore[no-untyped-def]
    before = logged.read_bytes()
    message = one_line_error(run("export", "-o", str(logged)), 2)
    assert f"-o {logged}: is the database in use" in message
    assert events_in(logged) == 2 and logged.read_bytes() == before


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_its_wal_and_shm_are_refused(run, logged: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    side = Path(f"{logged}{suffix}")
    side.touch()  # present or not, they are refused by name
    message = one_line_error(run("export", "-o", str(side)), 2)
    assert f"the database's {suffix} file" in message


def test_another_path_to_the_database_is_refused(run, logged: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roundabout = logged.parent / ".." / logged.parent.name / logged.name
    link = tmp_path / "link.db"
    link.symlink_to(logged)
    hard = tmp_path / "hard.db"
    os.link(logged, hard)
    for path in (roundabout, link, hard):
        message = one_line_error(run("export", "-o", str(path)), 2)
        assert "is the database in use" in message, path
    assert events_in(logged) == 2


def test_a_hard_link_to_the_wal_is_refused(run, logged: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wal = Path(f"{logged}-wal")
    wal.touch()
    hard = tmp_path / "innocent.json"
    os.link(wal, hard)
    assert "-wal file" in one_line_error(run("export", "-o", str(hard)), 2)


# -- symlinks, pipes and devices ----------------------------------------------------------


def test_a_symlink_is_written_through(run, logged: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    synced = tmp_path / "cloud" / "salestui.json"
    synced.parent.mkdir()
    synced.write_text("old")
    link = tmp_path / "export.json"
    link.symlink_to(synced)
    assert run("export", "-o", str(link)).code == 0
    assert link.is_symlink()  # still the link: the synced file got the export
    assert len(json.loads(synced.read_text())["events"]) == 2
    assert not list(tmp_path.glob(".*partial")) and not list(synced.parent.glob(".*partial"))


def test_a_dangling_symlink_creates_its_target(run, logged: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "new.json"
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert run("export", "-o", str(link)).code == 0
    assert link.is_symlink() and json.loads(target.read_text())["events"]


def test_a_fifo_is_streamed_into(run, logged: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as pipe:
            received.append(pipe.read())

    reader = threading.Thread(target=read)
    reader.start()
    result = run("export", "--format", "csv", "-o", str(fifo))
    reader.join(10)
    assert result.code == 0, result
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still a pipe, nothing renamed over it
    assert received[0].decode().startswith("id,ts,day,metric,delta")


def test_dev_null_is_written_into_and_stays_a_device(run, logged: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("export", "-o", "/dev/null").code == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_device_is_one_line_naming_it(run, logged: Path) -> None:  # type: ignore[no-untyped-def]
    message = one_line_error(run("export", "-o", "/dev/full"), 1)
    assert message == "salestui: -o /dev/full: the disk is full; the export stopped"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_dash_is_standard_output(run, logged: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("export", "-o", "-")
    assert result.code == 0 and len(json.loads(result.out)["events"]) == 2
    assert not (Path.cwd() / "-").exists()


# -- files: refused, kept private, cleaned up ----------------------------------------------


def test_a_read_only_file_is_refused_even_for_root(run, logged: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kept = tmp_path / "kept.json"
    kept.write_text("precious")
    kept.chmod(0o444)
    message = one_line_error(run("export", "-o", str(kept)), 2)
    assert f"-o {kept}: the file is read-only" in message
    assert kept.read_text() == "precious" and stat.S_IMODE(kept.stat().st_mode) == 0o444


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_an_existing_file_keeps_its_mode(  # type: ignore[no-untyped-def]
    run, logged: Path, tmp_path: Path, mode: int, umask_022: None
) -> None:
    target = tmp_path / "export.json"
    target.write_text("old")
    target.chmod(mode)
    assert run("export", "-o", str(target)).code == 0
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert json.loads(target.read_text())["events"]


def test_a_new_file_is_private(run, logged: Path, tmp_path: Path, umask_022: None) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "new.csv"
    assert run("export", "--format", "csv", "-o", str(target)).code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failed_write_names_the_file_and_leaves_nothing(  # type: ignore[no-untyped-def]
    run, logged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "export.json"
    target.write_text("the previous export")

    def full_disk(*args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / ".hidden.partial"))

    monkeypatch.setattr("salestui.store.portable.export_events", full_disk)
    message = one_line_error(run("export", "-o", str(target)), 1)
    assert message == f"salestui: -o {target}: the disk is full; nothing was written"
    assert target.read_text() == "the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["data", "export.json"])


def test_a_folder_and_a_missing_folder_are_refused(run, logged: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "is a folder" in one_line_error(run("export", "-o", str(tmp_path)), 2)
    missing = tmp_path / "nope" / "x.json"
    assert "does not exist" in one_line_error(run("export", "-o", str(missing)), 2)


@pytest.mark.skipif(os.geteuid() != 0, reason="runs a process as another user (needs root)")
def test_a_file_another_user_may_not_write_is_refused(logged: Path) -> None:
    shared = Path(tempfile.mkdtemp(prefix="salestui-other-"))
    try:
        shared.chmod(0o777)
        theirs = shared / "theirs.json"
        theirs.write_text("root's")
        theirs.chmod(0o644)  # writable by its owner, root: not by nobody
        db = shared / "nobody.db"
        code = "from salestui.cli import main\nmain()\n"
        try:
            done = subprocess.run(
                [sys.executable, "-c", code, "--db", str(db), "export", "-o", str(theirs)],
                capture_output=True,
                text=True,
                user=65534,
                group=65534,
                cwd=shared,
                timeout=60,
            )
        except PermissionError:
            pytest.skip("user 65534 cannot run this Python (it lives in root's home)")
        assert done.returncode == 2, done
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert f"-o {theirs}: you may not write this file" in done.stderr
        assert theirs.read_text() == "root's"
    finally:
        for child in shared.iterdir():
            child.unlink()
        shared.rmdir()


def test_a_file_this_user_may_not_write_is_refused(  # type: ignore[no-untyped-def]
    run, logged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same decision as above, for any user: os.access says no."""
    theirs = tmp_path / "theirs.json"
    theirs.write_text("someone else's")
    real_access = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        return False if Path(str(path)) == theirs else real_access(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    message = one_line_error(run("export", "-o", str(theirs)), 2)
    assert f"-o {theirs}: you may not write this file" in message
    assert theirs.read_text() == "someone else's"


def test_what_a_killed_export_left_is_removed_by_the_next(
    run, logged: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "export.json"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = tmp_path / f".export.json.{int(dead.stdout)}.partial"
    stale.write_text("half an export")
    other = tmp_path / ".other.json.1.partial"
    other.write_text("another file's")
    assert run("export", "-o", str(target)).code == 0
    assert not stale.exists() and other.exists()
