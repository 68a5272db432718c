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
