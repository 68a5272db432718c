"""Snapshots of the Prospects tab and a prospect's screen at a quarter screen (80x24)
and a big terminal (120x40): seeded prospects, a fixed clock (issue 11).

Review the report (`pytest --snapshot-report`) before `--snapshot-update`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from salestui.store import Store
from salestui.store.prospects import add_prospect, lost, set_follow_up
from salestui.tui.app import make_app
from tests.conftest import FakeClock, local
from tests.tui.conftest import after

SIZES = [(80, 24), (120, 40)]


def seed(db_path: Path) -> None:
    """Five prospects: one overdue, one due today, one lost, touches with a note."""
    seeding = FakeClock(local("2026-11-02T09:00"))
    with Store(db_path, clock=seeding) as store:
        ids = {}
        for name, company, source in (
            ("Acme Buyer", "Acme Corp", "referral"),
            ("Bob Jones", None, "cold"),
            ("Carla Diaz", "Zeta Ltd", "inbound"),
            ("Dana Lee", "Acme Corp", "event"),
            ("Eve Stone", "Stone Inc", "referral"),
        ):
            ids[name] = add_prospect(store, name, company=company, source=source).id
            seeding.advance(days=2)
        store.log("calls", 1, prospect=ids["Bob Jones"], note="left a voicemail")
        seeding.advance(hours=26)
        store.log("calls", 1, prospect=ids["Bob Jones"], note="wants a demo next week")
        seeding.advance(minutes=40)  # touches at one instant would come in no fixed order
        store.log("meetings", 1, prospect=ids["Bob Jones"])
        set_follow_up(store, ids["Bob Jones"], date(2026, 11, 24))
        seeding.advance(days=5)
        store.log("meetings", 1, prospect=ids["Carla Diaz"])
        set_follow_up(store, ids["Carla Diaz"], date(2026, 11, 27))
        store.log("calls", 1, prospect=ids["Eve Stone"])
        set_follow_up(store, ids["Eve Stone"], date(2026, 12, 3))
        lost(store, ids["Dana Lee"], "no budget")


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_prospects_tab(snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]):
    seed(db_path)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=after("5"))


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_prospect_screen(snap_compare, db_path: Path, clock: FakeClock, size: tuple[int, int]):
    seed(db_path)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=after("5", "b", "o", "b", "enter"))


def test_today_with_follow_ups(snap_compare, db_path: Path, clock: FakeClock):
    seed(db_path)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=(80, 24), run_before=after())
