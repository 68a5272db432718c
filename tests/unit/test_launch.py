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
