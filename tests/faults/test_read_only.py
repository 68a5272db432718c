"""Fault battery: read-only files and folders (another user's, a read-only mount).

Root ignores permission bits, so the CLI runs as the unprivileged user `nobody` (a
driver imports salestui as root, then drops to it). Reading commands work (the data can
be read, exported and backed up elsewhere); `log` and `undo` fail in one line naming the
file and "read-only"; nothing is created or changed beside the database."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.conftest import (
    NOBODY,
    Outcome,
    Salestui,
    as_user,
    assert_sound,
    integrity,
    read_only,
    shared_temp_folder,
    totals,
)

pytestmark = pytest.mark.slow

EXPECTED = {"calls": 4, "meetings": 2, "sales": 1}


@dataclass
class Place:
    db: Path
    uid: int | None  # who runs salestui; None: root (a read-only mount stops root too)
    writable: Path  # a folder that user may write: exports and backups go there


def make_database(cli: Salestui, db: Path) -> None:
    """A database with EXPECTED in it and nothing beside it (no -wal, no -shm)."""
    for metric, count in EXPECTED.items():
        cli.ok(db, "log", metric, str(count))
    with contextlib.closing(read_only(db)) as conn:
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        for path in sorted(folder.iterdir())
    }


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database every place starts from, made once for the module: each place gets a
    copy of the file (three `log` runs fewer per test; the copy is the same file, and
    nothing else is in the folder)."""
    runner = Salestui()
    db = tmp_path_factory.mktemp("read-only-source") / "salestui.db"
    make_database(runner, db)
    runner.assert_no_traceback()
    assert [path.name for path in db.parent.iterdir()] == ["salestui.db"]
    return db


@contextlib.contextmanager
def place(kind: str, prepared: Path) -> Iterator[Place]:
    if os.geteuid() != 0:
        pytest.skip("needs root: to switch to an unprivileged user, or to mount read-only")
    top = shared_temp_folder("salestui-readonly-")
    out = top / "out"
    out.mkdir()
    mounted: Path | None = None
    try:
        folder = top / "theirs"
        folder.mkdir()
        db = folder / "salestui.db"
        shutil.copy2(prepared, db)
        if kind == "mount":
            mounted = top / "mounted"
            mounted.mkdir()
            for command in (
                ["mount", "--bind", str(folder), str(mounted)],
                ["mount", "-o", "remount,bind,ro", str(mounted)],
            ):
                done = subprocess.run(command, capture_output=True, text=True)
                if done.returncode != 0:
                    pytest.skip(f"cannot make a read-only bind mount here: {done.stderr.strip()}")
            yield Place(mounted / "salestui.db", None, out)
            return
        os.chmod(folder, 0o755)
        if kind == "root's read-only file":
            os.chmod(db, 0o444)
        elif kind == "own read-only file":  # in a folder the user may write
            os.chown(folder, NOBODY, NOBODY)
            os.chown(db, NOBODY, NOBODY)
            os.chmod(db, 0o444)
        elif kind == "read-only folder":  # the file is the user's, the folder is not
            os.chown(db, NOBODY, NOBODY)
            os.chmod(db, 0o644)
        os.chown(out, NOBODY, NOBODY)
        yield Place(db, NOBODY, out)
    finally:
        if (
            mounted is not None
            and subprocess.run(["umount", str(mounted)], capture_output=True).returncode
        ):
            subprocess.run(["umount", "-l", str(mounted)], capture_output=True)
        shutil.rmtree(top, ignore_errors=True)


KINDS = ["root's read-only file", "own read-only file", "read-only folder", "mount"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_read_only_database_is_read_and_never_written(
    cli: Salestui, kind: str, prepared: Path
) -> None:
    with place(kind, prepared) as where:
        db = where.db

        def run(*args: str) -> Outcome:
            command = as_user(*args, uid=where.uid) if where.uid is not None else None
            return cli.run(db, *args, command=command)

        before = snapshot(db.parent)
        today = run("today", "--json")
        assert today.returncode == 0, today.stderr
        funnel = run("funnel", "--period", "all", "--json")
        assert funnel.returncode == 0, funnel.stderr
        assert json.loads(funnel.stdout)["counts"] == EXPECTED
        report = run("report", "--period", "all", "--format", "json")
        assert report.returncode == 0, report.stderr
        exported = run("export")
        assert exported.returncode == 0, exported.stderr
        assert len(json.loads(exported.stdout)["events"]) == 3
        target = where.writable / "rescued.json"
        assert run("export", "-o", str(target)).returncode == 0
        assert len(json.loads(target.read_text())["events"]) == 3
        backup = run("backup", str(where.writable) + "/")
        assert backup.returncode == 0, backup.stderr
        copy = Path(backup.stdout.strip())
        assert integrity(copy) == "ok" and totals(copy) == EXPECTED
        for args in (("log", "call"), ("undo",)):
            refused = run(*args)
            assert refused.returncode == 1, (args, refused.stderr)
            lines = refused.stderr.strip().splitlines()
            assert len(lines) == 1, refused.stderr
            assert str(db) in lines[0] and "read-only" in lines[0], lines[0]
            assert refused.stdout == ""
        after = snapshot(db.parent)
        if kind == "own read-only file":
            # A refused `log` (SQLite opens the read-only file to find out) may leave these;
            # the test below checks that they never stop the owner's writes later.
            for name in ("salestui.db-wal", "salestui.db-shm"):
                after.pop(name, None)
        assert after == before, "something was created or changed beside it"
        assert totals(db) == EXPECTED
        counts = assert_sound(cli, db)  # as root, for the mount too: nothing can be written
        assert counts == EXPECTED


def test_reading_a_read_only_file_leaves_nothing_that_stops_writing_later(
    cli: Salestui, prepared: Path
) -> None:
    with place("own read-only file", prepared) as where:
        db = where.db
        before = snapshot(db.parent)
        today = cli.run(db, "today", "--json", command=as_user("today", "--json"))
        assert today.returncode == 0, today.stderr
        os.chmod(db, 0o644)  # the owner makes it writable again
        logged = cli.run(db, "log", "call", command=as_user("log", "call"))
        assert logged.returncode == 0, logged.stderr
        assert set(snapshot(db.parent)) - set(before) <= {"salestui.db-wal", "salestui.db-shm"}
        assert before.keys() == {"salestui.db"}
        assert_sound(cli, db)
