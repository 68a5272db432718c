"""Driving a terminal as a person's is driven: each app in its own fresh tmux server
(100x30, status line off), the screen read with `tmux capture-pane` in a tight loop
(one capture every ~3 ms); the apps under test (`Variant`), their launch signal and
the key press counter. The paint measurement is ours: no tool times a terminal."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.context import WORK, Tools
from bench.noise import count_killed

COLS, ROWS = 100, 30
"""The terminal every app runs in; `set_size` changes it (`python -m bench --size WxH`)."""


def set_size(cols: int, rows: int) -> None:
    """Run every app in a `cols` x `rows` terminal (Today picks its layout from it)."""
    global COLS, ROWS
    COLS, ROWS = cols, rows


POLL_SLEEP = 0.0012  # between captures; one capture itself takes ~1.8 ms here
LAUNCH_TIMEOUT = 30.0
KEY_TIMEOUT = 5.0

# The Calls panel's line "week N · month M" (the header's "· week 48" is the ISO week: not it).
# Numbers may carry thousands separators ("week 1,008 · month 5,894").
WEEK_RE = re.compile(
    r"\bweek (\d[\d,\u202f\u00a0]*) \u00b7 month \d"  # a panel (standard, large layouts)
    r"|\bwk (\d[\d,\u202f\u00a0]*) \u00b7 mo \d"  # a narrow panel (8 metrics at 100 columns)
    r"|\u2502 (\d[\d,\u202f\u00a0]*) \u00b7 wk \d"  # a compact panel (column layout)
    r"|\bCalls (\d[\d,\u202f\u00a0]*)[/ ]"  # the strip: `Calls 23/48 ...`
)
"""Calls on salestui's Today, in whichever layout the pane's size picks (the first match
is the Calls panel: the first metric)."""
# The bare counter is read from its big Digits (see digits_show); this marks that variant.
DIGITS_SIGNAL = re.compile(r"(?!)")
DEAD_RE = re.compile(r"^Pane is dead", re.M)


TMUX_CONF = WORK / "tmux.conf"
SOCKETS = WORK / "sockets"  # tmux -S PATH: one fresh server per run; files removed after
_live_servers: set[str] = set()
_server_counter = 0


def write_tmux_conf() -> None:
    TMUX_CONF.write_text(
        "set -g status off\n"  # the app gets the whole 100x30, as in a person's terminal
        "set -g remain-on-exit on\n"  # a crash leaves its message on screen for the report
        "set -g escape-time 0\n"
        "set -g history-limit 100\n"
        'set -g default-terminal "tmux-256color"\n'
    )


class Timeout(Exception):
    pass


class PaneDied(Exception):
    pass


@dataclass
class Tmux:
    """One app in its own fresh tmux server."""

    command: str
    env: dict[str, str]
    name: str = "bench"
    socket: str = ""
    pid: int = 0
    server_pid: int = 0
    started_at: float = 0.0
    last_screen: str = ""

    def __post_init__(self) -> None:
        global _server_counter
        _server_counter += 1
        SOCKETS.mkdir(parents=True, exist_ok=True)
        self.socket = str(SOCKETS / f"salestui-bench-{os.getpid()}-{_server_counter}")

    def _tmux(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            ["tmux", "-u", "-S", self.socket, *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
        )

    def start(self) -> float:
        """Spawn the session; return the perf_counter instant just before the spawn."""
        _live_servers.add(self.socket)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                "tmux",
                "-u",
                "-S",
                self.socket,
                "-f",
                str(TMUX_CONF),
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(COLS),
                "-y",
                str(ROWS),
                "-c",
                str(WORK),
                self.command,
            ],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"tmux new-session failed: {proc.stderr.decode().strip()}")
        self.started_at = t0
        return t0

    def fetch_pid(self) -> int:
        out = self._tmux("display-message", "-p", "-t", self.name, "#{pid} #{pane_pid}")
        server, _, pane = out.stdout.decode().strip().partition(" ")
        self.server_pid, self.pid = int(server or 0), int(pane or 0)
        return self.pid

    def capture(self) -> str:
        proc = self._tmux("capture-pane", "-p", "-t", self.name)
        if proc.returncode != 0:
            raise PaneDied(f"capture-pane failed: {proc.stderr.decode().strip()}")
        text = proc.stdout.decode("utf-8", "replace")
        self.last_screen = text
        return text

    def send_keys(self, *keys: str) -> None:
        proc = self._tmux("send-keys", "-t", self.name, *keys)
        if proc.returncode != 0:
            raise PaneDied(f"send-keys failed: {proc.stderr.decode().strip()}")

    def wait_for(
        self, probe: Callable[[str], Any], timeout: float, since: float | None = None
    ) -> tuple[float, Any]:
        """Capture until probe(screen) is not None; return (instant the capture returned, value)."""
        deadline = (since if since is not None else time.perf_counter()) + timeout
        while True:
            screen = self.capture()
            now = time.perf_counter()
            value = probe(screen)
            if value is not None:
                return now, value
            dead = DEAD_RE.search(screen)
            if dead:
                above = screen[: dead.start()].strip().splitlines()
                last = above[-1].strip() if above else ""
                raise PaneDied(f"the app exited ({last}); screen:\n" + screen.rstrip())
            if now > deadline:
                raise Timeout(f"no signal after {timeout:.0f} s; screen:\n" + screen.rstrip())
            time.sleep(POLL_SLEEP)

    def kill(self) -> None:
        """Kill the server; make sure the app process (by its own pid) is gone too."""
        with contextlib.suppress(Exception):
            if not self.pid:
                self.fetch_pid()
        for pid in (self.pid, self.server_pid):
            count_killed(pid)
        with contextlib.suppress(Exception):
            self._tmux("kill-server")
        if self.pid:
            wait_gone(self.pid, 3.0)
        if self.server_pid:
            wait_gone(self.server_pid, 3.0)
        else:
            kill_by_socket(self.socket)
        _live_servers.discard(self.socket)
        Path(self.socket).unlink(missing_ok=True)


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    if pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 2
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.01)


def kill_by_socket(socket: str) -> None:
    """Last resort: end the processes of one of our own tmux servers, found by its
    unique socket path on their command line, and the apps in their panes."""
    servers: list[int] = []
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read().decode("utf-8", "replace")
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
            if socket in cmdline.split("\0"):
                servers.append(int(entry))
    for pid in servers:
        for child in children.get(pid, []):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGHUP)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    for pid in servers + [c for server in servers for c in children.get(server, [])]:
        wait_gone(pid, 2.0)


def kill_all_servers() -> None:
    for socket in list(_live_servers):
        with contextlib.suppress(Exception):
            subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True, timeout=5)
        with contextlib.suppress(Exception):
            kill_by_socket(socket)
        _live_servers.discard(socket)
        Path(socket).unlink(missing_ok=True)


# -- the apps under test -----------------------------------------------------------------


def week_calls(db: Path) -> int:
    """Calls this week (Monday to today, local days) straight from the rollup table."""
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT COALESCE(SUM(count), 0) FROM day_totals"
            " WHERE metric = 'calls' AND day BETWEEN ? AND ?",
            (monday.isoformat(), today.isoformat()),
        ).fetchone()
    finally:
        conn.close()
    return int(row[0])


@dataclass
class Variant:
    """One way of opening a TUI: the command, its database and how to read its signal."""

    name: str
    command: str
    regex: re.Pattern[str]
    tools: Tools
    db: Path | None = None  # salestui only
    fresh_copy_of: Path | None = None  # copy this template to `db` before each launch
    first_of_day: bool = False  # delete today's daily backup before each launch
    keys: bool = True  # measure key presses after the launch
    warnings: list[str] = field(default_factory=list)

    def prepare(self) -> int:
        """Get the database ready; return the value the launch signal must show."""
        if self.fresh_copy_of is not None and self.db is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.db}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.fresh_copy_of, self.db)
        if self.first_of_day and self.db is not None:
            shutil.rmtree(self.db.parent / "backups", ignore_errors=True)
        if self.db is None:
            return 0
        return week_calls(self.db)

    def env(self) -> dict[str, str]:
        """The controlled environment, pointing salestui at this variant's database."""
        return self.tools.env(SALESTUI_DB=str(self.db)) if self.db else self.tools.env()


def as_int(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def matched(match: re.Match[str]) -> str:
    """The value of whichever alternative of the signal matched."""
    return next(group for group in match.groups() if group is not None)


def first_value(regex: re.Pattern[str]) -> Callable[[str], int | None]:
    if regex is DIGITS_SIGNAL:  # any value: the bare counter is on screen
        return lambda screen: 1 if "Calls today" in screen else None

    def probe(screen: str) -> int | None:
        match = regex.search(screen)
        return as_int(matched(match)) if match else None

    return probe


def value_is(regex: re.Pattern[str], wanted: int) -> Callable[[str], int | None]:
    if regex is DIGITS_SIGNAL:
        return digits_show(wanted)

    def probe(screen: str) -> int | None:
        match = regex.search(screen)
        return 1 if match and as_int(matched(match)) == wanted else None

    return probe


def digits_lines(value: int) -> list[str]:
    """The three screen lines Textual's Digits draws for `value` (as capture-pane shows)."""
    from rich.console import Console
    from textual.renderables.digits import Digits

    console = Console(width=400, file=io.StringIO(), color_system=None, record=True)
    console.print(Digits(str(value)))
    return [line.rstrip() for line in console.export_text().splitlines()[:3]]


def digits_show(value: int) -> Callable[[str], int | None]:
    """Probe: the bare counter's Digits show exactly `value` (three lines, nothing after)."""
    wanted = digits_lines(value)

    def probe(screen: str) -> int | None:
        lines = [line.rstrip() for line in screen.splitlines()]
        for i in range(len(lines) - 2):
            if lines[i] == wanted[0] and lines[i + 1] == wanted[1] and lines[i + 2] == wanted[2]:
                return 1
        return None

    return probe


@dataclass
class Counter:
    """An open app and how to read its count: the bare counter's Digits (the harness
    keeps the count: nothing else changes it) or salestui's `week N`."""

    app: Tmux
    variant: Variant
    value: int = 0

    def press(self) -> float:
        """Send `c`; return seconds until the screen shows the count one higher."""
        if self.variant.regex is DIGITS_SIGNAL:
            probe = digits_show(self.value + 1)
        else:
            now = first_value(self.variant.regex)(self.app.capture())
            assert now is not None
            self.value = now
            probe = value_is(self.variant.regex, self.value + 1)
        k0 = time.perf_counter()
        self.app.send_keys("c")
        k1, _ = self.app.wait_for(probe, KEY_TIMEOUT, since=k0)
        self.value += 1
        return k1 - k0


def open_counter(variant: Variant) -> tuple[Counter, float]:
    """Launch and wait for the launch signal; return the counter and the signal's instant."""
    app, _, _, seen = launch_until_counts(variant)
    return Counter(app, variant), seen


def launch_until_counts(variant: Variant) -> tuple[Tmux, float, float, float]:
    """Open the app and wait for its launch signal (the right `week N`); return the
    running app (the caller kills it), the spawn instant, the instant of the first
    `week N · month` text and the instant the right number showed."""
    expected = variant.prepare()
    app = Tmux(f"exec {variant.command}", variant.env())
    try:
        t0 = app.start()
        app.fetch_pid()
        # The first "week N · month" text; then (if it is not yet right) the right number.
        t_first, _ = app.wait_for(first_value(variant.regex), LAUNCH_TIMEOUT, since=t0)
        try:
            t_right, _ = app.wait_for(value_is(variant.regex, expected), 3.0)
        except Timeout:
            seen = first_value(variant.regex)(app.last_screen)
            variant.warnings.append(f"launch showed {seen}, expected {expected}")
            t_right = t_first
    except BaseException:
        app.kill()
        raise
    return app, t0, t_first, t_right


def tui_available(tools: Tools, env_db: Path) -> tuple[bool, str]:
    """Whether salestui opens in a terminal and shows its counts (else the TUI rows are skipped)."""
    variant = Variant("probe", str(tools.salestui), WEEK_RE, tools, db=env_db)
    app = Tmux(f"exec {variant.command}", variant.env())
    try:
        app.start()
        app.wait_for(first_value(WEEK_RE), 20.0)
        return True, "ok"
    except (Timeout, PaneDied) as error:
        return False, f"salestui did not show 'week N · month M': {error}"
    finally:
        app.kill()
