from __future__ import annotations

import pytest

from salestui.launch import _bare_db_option


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], (True, None)),
        (["--db", "/tmp/x.db"], (True, "/tmp/x.db")),
        (["--db=/tmp/x.db"], (True, "/tmp/x.db")),
        (["log", "call"], (False, None)),
        (["--db", "/tmp/x.db", "today"], (False, None)),
        (["--db"], (False, None)),
        (["--db="], (False, None)),
        (["--help"], (False, None)),
        (["--db", "--help"], (False, None)),
    ],
)
def test_only_bare_app_launches_skip_the_command_line(argv, expected) -> None:
    assert _bare_db_option(argv) == expected


@pytest.mark.parametrize("db", ["", "   ", "/nonexistent-folder-for-salestui/x.db"])
def test_bare_launch_checks_db_before_opening_the_app(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import salestui.launch as launch

    def no_app(*args: object, **kwargs: object) -> int:
        raise AssertionError("the app must not open")

    monkeypatch.setattr(launch, "run_tui", no_app)
    monkeypatch.setattr("sys.argv", ["salestui", "--db", db])
    with pytest.raises(SystemExit) as exit_info:
        launch.main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("salestui: --db ") and len(err.strip().splitlines()) == 1


def test_shell_completion_is_answered_not_the_app_opened(tmp_path) -> None:  # noqa: ANN001
    import os
    import subprocess
    import sys

    env = {**os.environ, "SALESTUI_DB": str(tmp_path / "x.db")}
    script = subprocess.run(
        [sys.executable, "-m", "salestui"], env={**env, "_SALESTUI_COMPLETE": "bash_source"},
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert script.returncode == 0 and "_salestui_completion()" in script.stdout
    words = subprocess.run(
        [sys.executable, "-m", "salestui"],
        env={**env, "_SALESTUI_COMPLETE": "bash_complete", "COMP_WORDS": "salestui log me",
             "COMP_CWORD": "2"},
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert words.stdout.split() == ["plain,meetings", "plain,meeting"]
    assert not (tmp_path / "x.db").exists()
