"""Snapshots of the Funnel, Goals and History tabs with a funnel of the user's own (the
jobs preset beside the built-in sales funnel), at a fixed clock and seeded history.

Review the report (`pytest --snapshot-report`) before `--snapshot-update`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from salestui.domain.catalog import Catalog
from salestui.domain.keys import reserved_keys
from salestui.store import Store
from salestui.tui.app import make_app
from tests.conftest import FakeClock, local
from tests.tui.conftest import after, seed_history


def seed_jobs(db_path: Path, clock: FakeClock) -> None:
    """The jobs preset (active), a goal of 4 offers at 20% and 1/2, and a job search's
    working days since the summer (June is its best month for interviews)."""
    with Store(db_path, clock=clock) as store:
        store.set_settings(Catalog.builtin().apply_preset("jobs", reserved_keys()))
        store.set_settings(
            {
                "goal/jobs.from.2026-11": "4",
                "rate/jobs.interviews": "20%",
                "rate/jobs.offers": "1/2",
            }
        )
        today = local("2026-11-27T11:00")
        for back in range(1, 181):
            when = today - timedelta(days=back)
            if when.weekday() >= 5:
                continue
            store.log("applications", 1 + back % 3, at=when)
            if back % 4 == 0 or 150 <= back <= 170:
                store.log("interviews", 1, at=when)
            if back % 30 == 0:
                store.log("offers", 1, at=when)


def test_funnel_with_two_funnels(snap_compare, db_path: Path, clock: FakeClock) -> None:
    seed_history(db_path, clock, days=60)
    seed_jobs(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=(120, 40), run_before=after("2"))


def test_goals_planning_jobs(snap_compare, db_path: Path, clock: FakeClock) -> None:
    seed_jobs(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(app, terminal_size=(120, 40), run_before=after("3"))


def test_history_of_applications(snap_compare, db_path: Path, clock: FakeClock) -> None:
    seed_jobs(db_path, clock)
    app = make_app(db_path, clock=clock)
    assert snap_compare(
        app, terminal_size=(80, 24), run_before=after("4", history_metric="applications")
    )
