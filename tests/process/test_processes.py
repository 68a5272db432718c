"""Real processes: durability under kill -9, concurrent writers, import hygiene, exit codes."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def env_for(db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SALESTUI_DB"] = str(db_path)
    env.pop("TEXTUAL", None)
    return env


def calls_on_disk(db_path: Path) -> int:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        total = conn.execute("SELECT COALESCE(SUM(delta), 0) FROM events WHERE metric = 'calls'")
        return int(total.fetchone()[0])


class Terminal:
    """The app in a pseudo-terminal, read as a person's terminal would receive it."""

    def __init__(self, db_path: Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            os.execve(sys.executable, [sys.executable, "-m", "salestui"], env_for(db_path))
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.output = b""

    def wait_for(self, needle: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        wanted = needle.encode()
        while wanted not in self.output:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{needle!r} never appeared"
            ready, _, _ = select.select([self.fd], [], [], min(remaining, 0.2))
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:
                    break
        assert wanted in self.output, f"{needle!r} never appeared"

    def press(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def test_kill_9_right_after_the_screen_shows_a_tally_loses_nothing(db_path: Path) -> None:
    terminal = Terminal(db_path)
    try:
        terminal.wait_for("week 0 · month 0")
        for expected in range(1, 6):
            terminal.press("c")
            terminal.wait_for(f"week {expected} · month {expected}")
    finally:
        terminal.kill()  # no clean shutdown: whatever was only in memory is gone
    assert calls_on_disk(db_path) == 5


def test_an_open_app_shows_a_cli_tally_within_two_seconds(db_path: Path) -> None:
    terminal = Terminal(db_path)
    try:
        terminal.wait_for("week 0 · month 0")
        subprocess.run(
            [sys.executable, "-m", "salestui", "log", "call", "4"], env=env_for(db_path), check=True
        )
        terminal.wait_for("week 4 · month 4", timeout=2.5)
    finally:
        terminal.kill()


WRITER = """
import sys
from pathlib import Path
from salestui.store import Store
for _ in range(int(sys.argv[2])):
    with Store(Path(sys.argv[1])) as store:
        store.log("calls")
"""


def test_four_writers_at_once_lose_nothing(db_path: Path) -> None:
    # All four start on a database that does not exist yet: creation races too.
    per_process = 150
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), str(per_process)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    clis = [
        subprocess.Popen(
            [sys.executable, "-m", "salestui", "log", "call"],
            env=env_for(db_path),
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    errors = [proc.communicate(timeout=120)[1] for proc in writers + clis]
    assert [proc.returncode for proc in writers + clis] == [0] * 8, errors
    assert not any("locked" in err for err in errors)
    assert calls_on_disk(db_path) == 4 * per_process + 4


def test_cli_quick_commands_do_not_import_textual(db_path: Path) -> None:
    probe = (
        "import sys\n"
        "from salestui.cli import main\n"
        "try:\n"
        "    main(['log', 'call'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('textual', 'sqlite_utils') if m in sys.modules]\n"
        "print(','.join(heavy) or 'clean')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env_for(db_path), capture_output=True, text=True
    )
    assert result.stdout.strip().endswith("clean"), result.stdout + result.stderr


def test_tui_on_a_foreign_file_prints_one_line_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "foreign.db"
    path.write_bytes(b"PK\x03\x04 not a database at all" * 50)
    before = path.read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "salestui", "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0]
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_console_script_and_module_agree(db_path: Path) -> None:
    for argv in (["salestui"], [sys.executable, "-m", "salestui"]):
        exe = Path(sys.executable).parent / "salestui" if argv[0] == "salestui" else None
        command = [str(exe)] if exe else argv
        result = subprocess.run(
            [*command, "where"], env=env_for(db_path), capture_output=True, text=True
        )
        assert result.returncode == 0
        assert result.stdout.splitlines()[0] == f"database: {db_path}"


def test_bad_input_from_a_real_process_is_one_line_exit_2(db_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "salestui", "log", "call", "-3"],
        env=env_for(db_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert not db_path.exists()
