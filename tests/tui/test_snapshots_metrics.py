"""Snapshots of Today with metrics of your own: five at 120x40, eight at 80x24 (the
panels wrap into a grid; at 80x24 they go compact so every count stays whole).

Review the report (`pytest --snapshot-report`) before `--snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from salestui.domain.keys import reserved_keys
from salestui.store import Store
from salestui.tui.app import make_app
from tests.conftest import FakeClock
from tests.tui.conftest import after, seed_goal, seed_history

OWN = [("emails", "e"), ("referrals", "r"), ("cards", "b"), ("demos", "d"), ("replies", "y")]


def add_metrics(db_path: Path, clock: FakeClock, count: int) -> None:
    """The first `count` of OWN, as `salestui metric add` adds them."""
    with Store(db_path, clock=clock) as store:
        for key, letter in OWN[:count]:
            changes = store.catalog().add_metric(key, letter=letter, reserved=reserved_keys())
            store.set_settings(changes, source="cli")


@pytest.mark.parametrize(
    ("own", "size"), [(2, (120, 40)), (5, (80, 24))], ids=["5-metrics-120x40", "8-metrics-80x24"]
)
def test_today_with_metrics_of_your_own(
    snap_compare, db_path: Path, clock: FakeClock, own: int, size: tuple[int, int]
) -> None:
    seed_history(db_path, clock)
    seed_goal(db_path, clock)
    add_metrics(db_path, clock, own)
    app = make_app(db_path, clock=clock)
    letters = [letter for _key, letter in OWN[:own]]
    assert snap_compare(app, terminal_size=size, run_before=after("c", "c", "m", *letters, "e"))
