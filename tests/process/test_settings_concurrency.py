"""Settings are data: concurrent changes from many processes are all kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run_many(db_path: Path, commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "SALESTUI_DB": str(db_path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "salestui", *argv],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in commands
    ]
    results = []
    for proc, argv in zip(procs, commands, strict=True):
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(argv, proc.returncode, out, err))
    return results


def test_concurrent_days_off_and_month_goals_are_all_kept(tmp_path: Path) -> None:
    db_path = tmp_path / "salestui.db"
    days = [f"2026-12-{day:02d}" for day in range(10, 18)]
    months = [f"2027-{month:02d}" for month in range(1, 9)]
    commands = [["calendar", "--off", day] for day in days]
    commands += [["goal", "set", str(40 + index), "--month", month] for index, month in
                 enumerate(months)]  # fmt: skip
    for result in run_many(db_path, commands):
        assert result.returncode == 0, result.stderr
    # Once every writer has finished, the reads run side by side too: each is its own
    # process reading what the writers left, so starting them together proves the same.
    reads = [["calendar"]] + [["goal", "show", "--month", month] for month in months]
    shown, *goals = run_many(db_path, reads)
    for day in days:
        assert day in shown.stdout
    for index, out in enumerate(result.stdout for result in goals):
        assert f"{40 + index:,} sales" in out, out
