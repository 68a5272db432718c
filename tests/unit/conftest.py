"""CLI fixtures: run `salestui` in-process with a fixed clock and a fresh database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from salestui.cli import main
from tests.conftest import FakeClock


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(
    db_path: Path,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Result]:
    monkeypatch.setenv("SALESTUI_DB", str(db_path))

    def invoke(*argv: str) -> Result:
        with pytest.raises(SystemExit) as exit_info:
            main(list(argv), clock=clock)
        captured = capsys.readouterr()
        code = exit_info.value.code
        return Result(code if isinstance(code, int) else 1, captured.out, captured.err)

    return invoke


@pytest.fixture
def standing_goal(run: Callable[..., Result], clock: FakeClock) -> Callable[[int], None]:
    """`salestui goal set N` as on the month's first working day, so that it covers the
    whole month (set later, a new goal starts mid-month and is pro-rated)."""

    def set_goal(target: int) -> None:
        now = clock.now
        clock.now = now.replace(day=1)
        while clock.now.weekday() >= 5:
            clock.now = clock.now.replace(day=clock.now.day + 1)
        result = run("goal", "set", str(target))
        clock.now = now
        assert result.code == 0, result.err

    return set_goal
