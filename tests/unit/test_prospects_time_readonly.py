"""Prospects and time on a database that cannot be written (another user's file, a
read-only mount): the commands that only read answer; nothing is created there."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from salestui.store import Store
from salestui.store.prospects import add_prospect
from salestui.store.timers import start_timer
from tests.conftest import FakeClock, local
from tests.unit.test_cli_hostile import run_as_nobody


@pytest.fixture
def readonly_database() -> Iterator[Path]:
    """A database with a prospect, a touch and a running timer, in a folder owned by
    root (0755) with 0444 files: read-only for nobody."""
    folder = Path(tempfile.mkdtemp(prefix="salestui-ro-", dir="/tmp"))
    db = folder / "ro.db"
    clock = FakeClock(local("2026-11-27T10:00"))
    with Store(db, clock=clock) as store:
        dana = add_prospect(store, "Dana Ng", company="Acme", source="referral")
        store.log("calls", 1, prospect=dana.id)
        start_timer(store, "admin")
    folder.chmod(0o755)
    for path in folder.iterdir():
        path.chmod(0o444)
    yield db
    shutil.rmtree(folder)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["time", "status"], "Running: admin since 10:00 (0:42)"),
        (["time", "status", "--json"], '"today": {"admin": 42}'),
        (["prospect", "show", "dana"], "Dana Ng (Acme)"),
        (["prospect", "show", "dana", "--json"], '"touches": 1'),
        (["prospect", "list", "--json"], '"name": "Dana Ng"'),
        (["due", "--json"], '{"due": []}'),
    ],
)
def test_reading_prospects_and_time_needs_no_write(
    readonly_database: Path, argv: list[str], needle: str
) -> None:
    db = readonly_database
    clock = FakeClock(local("2026-11-27T10:42"))
    from salestui.cli import main

    with pytest.raises(SystemExit):  # as root first: every lazy import is done before the fork
        main(["--db", str(db), *argv], clock=clock)
    before = sorted(p.name for p in db.parent.iterdir())
    code, out, err = run_as_nobody(["--db", str(db), *argv], clock)
    assert (code, err) == (0, ""), err
    assert needle in out
    assert sorted(p.name for p in db.parent.iterdir()) == before
    assert stat.S_IMODE(db.stat().st_mode) == 0o444
