"""salestui benchmark suite: every figure is a ratio against a baseline measured in the same run.

    /work/venv/bin/python bench/run.py [--quick] [--only tui,tabs,cli,idle] [--idle-seconds S]

See bench/README.md for what each figure means. Results: a table on stdout and
bench/.work/results.json (all raw samples included).

The terminal is driven the way a person's is: each app runs in its own, fresh tmux
server (100x30, status line off) and the screen is read with `tmux capture-pane`
in a tight loop (one capture every ~3 ms).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / ".work"
VENV_BIN = Path("/work/venv/bin")
PYTHON = VENV_BIN / "python"
SALESTUI = VENV_BIN / "salestui"
WATSON_VENV = WORK / "watson-venv"
WATSON = WATSON_VENV / "bin" / "watson"
RESULTS = WORK / "results.json"

COLS, ROWS = 100, 30
POLL_SLEEP = 0.0012  # between captures; one capture itself takes ~1.8 ms here
LAUNCH_TIMEOUT = 30.0
KEY_TIMEOUT = 5.0
SEED_EVENTS = 1_000_000

# The Calls panel's line "week N · month M" (the header's "· week 48" is the ISO week: not it).
# Numbers may carry thousands separators ("week 1,008 · month 5,894").
WEEK_RE = re.compile(r"\bweek (\d[\d,\u202f\u00a0]*) \u00b7 month \d")
# The bare counter is read from its big Digits (see digits_show); this marks that variant.
DIGITS_SIGNAL = re.compile(r"(?!)")
DEAD_RE = re.compile(r"^Pane is dead", re.M)


# -- small helpers ---------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summary(values: list[float]) -> dict[str, Any]:
    """Median, min, quartiles and the raw samples."""
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=4) if len(ordered) >= 2 else [ordered[0]] * 3
    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "p25": q[0],
        "p75": q[2],
        "iqr_pct": 100 * (q[2] - q[0]) / statistics.median(ordered)
        if statistics.median(ordered)
        else None,
        "samples": values,
    }


def bench_env(**extra: str) -> dict[str, str]:
    """One controlled environment for every process the benchmark starts."""
    home = WORK / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "xterm-256color",  # the tmux client's; panes get default-terminal below
        "COLORTERM": "truecolor",
        "TZ": os.environ.get("TZ", ""),
        "TMPDIR": str(WORK / "tmp"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PYTHONDONTWRITEBYTECODE": "",
    }
    (WORK / "tmp").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in env.items() if v}
    env.update(extra)
    return env


# -- tmux ---------------------------------------------------------------------------------

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
        global _killed_ticks
        with contextlib.suppress(Exception):
            if not self.pid:
                self.fetch_pid()
        for pid in (self.pid, self.server_pid):
            with contextlib.suppress(Exception):
                _killed_ticks += cpu_ticks(pid) if pid else 0
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
        return bench_env(SALESTUI_DB=str(self.db)) if self.db else bench_env()


def as_int(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def first_value(regex: re.Pattern[str]) -> Callable[[str], int | None]:
    if regex is DIGITS_SIGNAL:  # any value: the bare counter is on screen
        return lambda screen: 1 if "Calls today" in screen else None

    def probe(screen: str) -> int | None:
        match = regex.search(screen)
        return as_int(match.group(1)) if match else None

    return probe


def value_is(regex: re.Pattern[str], wanted: int) -> Callable[[str], int | None]:
    if regex is DIGITS_SIGNAL:
        return digits_show(wanted)

    def probe(screen: str) -> int | None:
        match = regex.search(screen)
        return 1 if match and as_int(match.group(1)) == wanted else None

    return probe


@dataclass
class TuiRun:
    launch: float
    keys: list[float]
    first_signal: float
    backup_done: float | None = None


def run_tui_once(
    variant: Variant, presses: int, settle: float, gap: float, wait_backup: bool = False
) -> TuiRun:
    app, t0, t_first, t_right = launch_until_counts(variant)
    try:
        keys: list[float] = []
        if variant.keys and presses:
            time.sleep(settle)
            counter = Counter(app, variant)
            for _ in range(presses):
                keys.append(counter.press())
                time.sleep(gap)
        backup_done = None
        if wait_backup and variant.db is not None:
            # The app makes the day's first backup on a worker thread: when is it done?
            made = variant.db.parent / "backups" / f"salestui-{date.today().isoformat()}.db"
            deadline = time.perf_counter() + 60
            while not made.exists() and time.perf_counter() < deadline:
                time.sleep(0.02)
            backup_done = time.perf_counter() - t0 if made.exists() else None
        return TuiRun(
            launch=t_right - t0, keys=keys, first_signal=t_first - t0, backup_done=backup_done
        )
    finally:
        app.kill()


def rotate(items: list[Any], by: int) -> list[Any]:
    by %= len(items)
    return items[by:] + items[:by]


def measure_tui(
    variants: list[Variant], reps: int, presses: int
) -> dict[str, dict[str, list[float]]]:
    out: dict[str, dict[str, list[float]]] = {
        v.name: {
            "launch": [],
            "keys": [],
            "keys_per_launch": [],
            "first_signal": [],
            "backup_done_s": [],
        }
        for v in variants
    }
    log(f"tui: warm-up launch of each of {len(variants)} variants")
    for variant in variants:
        warm = run_tui_once(
            variant, presses=1, settle=0.3, gap=0.05, wait_backup=variant.first_of_day
        )
        if warm.backup_done is not None:
            out[variant.name]["backup_done_s"].append(warm.backup_done)
            log(f"tui: {variant.name}: the daily backup was done {warm.backup_done:.1f} s in")
    for rep in range(reps):
        for variant in rotate(variants, rep):
            result = run_tui_once(variant, presses=presses, settle=0.5, gap=0.2)
            out[variant.name]["launch"].append(result.launch)
            out[variant.name]["first_signal"].append(result.first_signal)
            out[variant.name]["keys"].extend(result.keys)
            if result.keys:
                out[variant.name]["keys_per_launch"].append(median(result.keys))
            time.sleep(0.2)
        log(
            f"tui: rep {rep + 1}/{reps}: "
            + ", ".join(
                f"{n} launch {1000 * r['launch'][-1]:.0f} ms"
                + (f" keys {1000 * median(r['keys'][-presses:]):.1f} ms" if r["keys"] else "")
                for n, r in out.items()
            )
        )
    return out


# -- key press against the bare counter, press by press ---------------------------------

KEYS_SETTLE = 1.5  # after both launch signals: the first second's start-up work is over
KEYS_GAP = 0.2  # after each press's signal, before the next press (to either app)
FIRST_PRESSES = 5  # presses timed right after the launch signal
FIRST_GAP = 0.2  # between them: a person counting from the moment the counts show, so
# the presses cover the first second (when the other tabs and the figures are loaded)


def digits_lines(value: int) -> list[str]:
    """The three screen lines Textual's Digits draws for `value` (as capture-pane shows)."""
    import io

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


def measure_keys(
    baseline: Variant, subject: Variant, launches: int, presses: int
) -> dict[str, list[float]]:
    """Both apps open side by side (each its own tmux server); presses alternate one by
    one between them, in an order that flips every press, so drift hits both sides."""
    out: dict[str, list[float]] = {"baseline": [], "salestui": [], "pairs": []}
    log(f"keys: {launches} launches x {presses} presses each, alternating press by press")
    for launch in range(launches):
        pair: list[Counter] = []
        try:
            for variant in rotate([baseline, subject], launch):
                pair.append(open_counter(variant)[0])
            time.sleep(KEYS_SETTLE)
            pair[0].press(), pair[1].press()  # untimed: first-press paths (imports, caches)
            time.sleep(KEYS_GAP)
            for i in range(presses):
                for counter in rotate(pair, i):
                    took = counter.press()
                    side = "baseline" if counter.variant is baseline else "salestui"
                    out[side].append(took)
                    time.sleep(KEYS_GAP)
                out["pairs"].append(out["salestui"][-1] / out["baseline"][-1])
        finally:
            for counter in pair:
                counter.app.kill()
        last_b = out["baseline"][-presses:]
        last_s = out["salestui"][-presses:]
        log(
            f"keys: launch {launch + 1}/{launches}: baseline {1000 * median(last_b):.1f} ms,"
            f" salestui {1000 * median(last_s):.1f} ms"
        )
    return out


def measure_first_second(variants: list[Variant], launches: int) -> dict[str, dict[str, Any]]:
    """Launch, and as soon as the counts show press `c` FIRST_PRESSES times (each once the
    one before is on screen, FIRST_GAP apart): what a person who opens the app and counts
    at once gets. Launches of the variants rotated."""
    out: dict[str, dict[str, Any]] = {
        v.name: {"keys": [], "at": [], "worst_per_launch": []} for v in variants
    }
    log(f"first: {launches} launches of each of {len(variants)} variants, after a warm-up")
    for variant in variants:
        counter, _ = open_counter(variant)
        try:
            counter.press()
        finally:
            counter.app.kill()
    for launch in range(launches):
        for variant in rotate(variants, launch):
            counter, seen = open_counter(variant)
            try:
                took: list[float] = []
                for _ in range(FIRST_PRESSES):
                    out[variant.name]["at"].append(time.perf_counter() - seen)
                    took.append(counter.press())
                    time.sleep(FIRST_GAP)
            finally:
                counter.app.kill()
            out[variant.name]["keys"].extend(took)
            out[variant.name]["worst_per_launch"].append(max(took))
            time.sleep(0.2)
        log(
            f"first: launch {launch + 1}/{launches}: "
            + ", ".join(
                f"{name} {' '.join(f'{1000 * t:.0f}' for t in r['keys'][-FIRST_PRESSES:])} ms"
                for name, r in out.items()
            )
        )
    return out


# -- tab switches ------------------------------------------------------------------------

TAB_TIMEOUT = 10.0
TAB_SETTLE = 1.0  # after the launch signal: nobody switches tabs within a second of launching
TAB_BACK = 0.3  # after `1` has brought the Today tab back, before the next tab's key

# What each tab shows only once its figures are loaded (before that its pane is blank):
# key, then signal patterns tried in order (the line of the first that matches is kept
# for the report). Checked by hand on the empty and the 1M database (see bench/README.md).
TAB_SIGNALS: dict[str, tuple[str, tuple[re.Pattern[str], ...]]] = {
    # the funnel's "Overall …" line (also "Overall —  no calls in this period")
    "funnel": ("2", (re.compile(r"^\s*Overall\b", re.M),)),
    "goals": (
        "3",
        (
            # the plan's headline in its bordered box, with a goal set (possibly after
            # "Today is a day off. ")
            re.compile(
                r"^[\s\u2502\u2503|]*"
                r"(?:(?:Today is a day off|The month has no working day left)\. )?"
                r"Today you need\b",
                re.M,
            ),
            # no plan (no goal, as on both seeded databases, or a rate missing): the title
            # line "November 2026 · no goal yet · 21 working days, 2 left", written in the
            # same call as the headline, whose wording for these cases changes and wraps
            re.compile(
                r"\u00b7 (?:no goal yet|goal [\d,]+ sales) \u00b7 \d+ working days?, \d+ left"
            ),
        ),
    ),
    # the summary line "Streak N working days · longest M" ("No tallies yet" is the line
    # below it on an empty database, drawn in the same widget)
    "history": ("4", (re.compile(r"\bStreak \d[\d,]*\b|No tallies yet"),)),
}


def matched_line(patterns: tuple[re.Pattern[str], ...]) -> Callable[[str], str | None]:
    """The screen line holding the first pattern's match (stripped of borders), or None."""

    def probe(screen: str) -> str | None:
        for regex in patterns:
            match = regex.search(screen)
            if match:
                start = screen.rfind("\n", 0, match.start()) + 1
                end = screen.find("\n", match.end())
                return screen[start : end if end >= 0 else None].strip(" \u2502\u2503|")
        return None

    return probe


def back_on_today(gone: tuple[re.Pattern[str], ...]) -> Callable[[str], int | None]:
    """The Today tab is showing again: its counts are there and the other tab's signal not."""
    other_tab = matched_line(gone)

    def probe(screen: str) -> int | None:
        return 1 if WEEK_RE.search(screen) and other_tab(screen) is None else None

    return probe


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


def run_tabs_once(variant: Variant) -> dict[str, Any]:
    """Launch; 1 s later switch to each other tab in turn, back to Today between them."""
    app, t0, _, t_launch = launch_until_counts(variant)
    out: dict[str, Any] = {"launch": t_launch - t0}
    try:
        time.sleep(TAB_SETTLE)
        for tab, (key, patterns) in TAB_SIGNALS.items():
            if matched_line(patterns)(app.capture()) is not None:
                raise RuntimeError(f"the {tab} tab's signal is on screen before its key")
            k0 = time.perf_counter()
            app.send_keys(key)
            k1, line = app.wait_for(matched_line(patterns), TAB_TIMEOUT, since=k0)
            out[tab] = k1 - k0
            out[f"{tab}_line"] = line
            app.send_keys("1")
            app.wait_for(back_on_today(patterns), KEY_TIMEOUT)
            time.sleep(TAB_BACK)
    finally:
        app.kill()
    return out


def run_history_cold(variant: Variant) -> dict[str, Any]:
    """Launch and press `4` as soon as the counts are on screen."""
    app, t0, _, t_launch = launch_until_counts(variant)
    try:
        k0 = time.perf_counter()
        app.send_keys("4")
        k1, line = app.wait_for(matched_line(TAB_SIGNALS["history"][1]), TAB_TIMEOUT, since=k0)
    finally:
        app.kill()
    return {
        "launch": t_launch - t0,
        "history_cold": k1 - t_launch,
        "history_cold_from_key": k1 - k0,
        "history_cold_line": line,
    }


def measure_tabs(variants: list[Variant], reps: int) -> dict[str, dict[str, Any]]:
    """Per repetition, for each variant: one launch switching to every tab (1 s after the
    launch signal) and one launch pressing `4` at once; the four runs rotated."""
    series = ("launch", *TAB_SIGNALS, "cold_launch", "history_cold", "history_cold_from_key")
    out: dict[str, dict[str, Any]] = {
        v.name: {**{s: [] for s in series}, "lines": {t: [] for t in TAB_SIGNALS}} for v in variants
    }

    def keep_line(name: str, tab: str, line: str) -> None:
        if line not in out[name]["lines"][tab]:
            out[name]["lines"][tab].append(line)

    log(f"tabs: warm-up launch of each of {len(variants)} variants (both procedures)")
    for variant in variants:
        run_tabs_once(variant)
        run_history_cold(variant)
    runs = [(v, proc) for proc in ("switch", "cold") for v in variants]
    for rep in range(reps):
        for variant, proc in rotate(runs, rep):
            record = out[variant.name]
            if proc == "switch":
                result = run_tabs_once(variant)
                record["launch"].append(result["launch"])
                for tab in TAB_SIGNALS:
                    record[tab].append(result[tab])
                    keep_line(variant.name, tab, result[f"{tab}_line"])
            else:
                result = run_history_cold(variant)
                record["cold_launch"].append(result["launch"])
                record["history_cold"].append(result["history_cold"])
                record["history_cold_from_key"].append(result["history_cold_from_key"])
                keep_line(variant.name, "history", result["history_cold_line"])
            time.sleep(0.2)
        log(
            f"tabs: rep {rep + 1}/{reps}: "
            + "; ".join(
                f"{n} "
                + " ".join(f"{t} {1000 * r[t][-1]:.0f}" for t in TAB_SIGNALS)
                + f" cold history {1000 * r['history_cold'][-1]:.0f} ms"
                for n, r in out.items()
            )
        )
    return out


# -- CLI ---------------------------------------------------------------------------------


def time_command(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(
        argv,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        cwd=WORK,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode().strip()}"
        )
    return elapsed


def measure_cli(
    commands: dict[str, tuple[list[str], dict[str, str]]], reps: int
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for name in names:  # warm-up: page cache and .pyc files
        for _ in range(2):
            time_command(*commands[name])
    for rep in range(reps):
        for name in rotate(names, rep):
            out[name].append(time_command(*commands[name]))
    return out


# -- idle CPU ----------------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid: int) -> int:
    """utime + stime of the whole process (all threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)


def cpu_ns(pid: int) -> int:
    """Sum of the on-CPU nanoseconds of the process's live threads (schedstat)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with (
            contextlib.suppress(FileNotFoundError),
            open(f"/proc/{pid}/task/{task}/schedstat") as h,
        ):
            total += int(h.read().split()[0])
    return total


def measure_idle(
    variants: list[Variant], windows: int, seconds: float
) -> dict[str, dict[str, list[float]]]:
    """All variants open at once (each in its own tmux server), idle for `seconds`."""
    out: dict[str, dict[str, list[float]]] = {
        v.name: {"cpu_ms": [], "sched_ms": []} for v in variants
    }
    for window in range(windows):
        apps: list[tuple[Variant, Tmux]] = []
        try:
            for variant in variants:
                expected = variant.prepare()
                app = Tmux(f"exec {variant.command}", variant.env())
                apps.append((variant, app))
                app.start()
                app.fetch_pid()
                app.wait_for(value_is(variant.regex, expected), LAUNCH_TIMEOUT)
            time.sleep(3.0)  # let start-up work (deferred loads, first timers) finish
            start = {v.name: (cpu_ticks(a.pid), cpu_ns(a.pid)) for v, a in apps}
            time.sleep(seconds)
            for variant, app in apps:
                ticks, ns = cpu_ticks(app.pid), cpu_ns(app.pid)
                out[variant.name]["cpu_ms"].append(
                    1000 * (ticks - start[variant.name][0]) / CLK_TCK
                )
                out[variant.name]["sched_ms"].append((ns - start[variant.name][1]) / 1e6)
                # still showing the app, not a crash message?
                app.wait_for(first_value(variant.regex), 2.0)
        finally:
            for _, app in apps:
                app.kill()
        log(
            f"idle: window {window + 1}/{windows} ({seconds:.0f} s): "
            + ", ".join(f"{n} {r['cpu_ms'][-1]:.0f} ms" for n, r in out.items())
        )
    return out


# -- other work on the machine -------------------------------------------------------------


_killed_ticks = 0  # CPU of tmux servers and apps, read just before they were killed


def _busy_ticks() -> int:
    """CPU ticks spent by the whole machine outside idle and iowait (/proc/stat)."""
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest is inside user)
    return sum(fields[:8]) - fields[3] - fields[4]


def _own_ticks() -> int:
    """CPU ticks of the benchmark itself: this process, the commands it waited for
    (tmux clients, CLI runs), and the tmux servers and apps it has killed so far."""
    times = os.times()
    return round(CLK_TCK * sum(times[:4])) + _killed_ticks


class ForeignLoad:
    """CPU used by other work on the machine while a phase runs: a hint that the figures
    are noisy. System-wide busy time minus the benchmark's own (see _own_ticks)."""

    def __init__(self) -> None:
        self.busy0, self.own0, self.t0 = _busy_ticks(), _own_ticks(), time.monotonic()

    def stop(self) -> float:
        """Other work's CPU as a percentage of one core, averaged over the phase."""
        wall = time.monotonic() - self.t0
        ticks = (_busy_ticks() - self.busy0) - (_own_ticks() - self.own0)
        return max(0.0, 100 * ticks / CLK_TCK / wall) if wall > 0 else 0.0


def wait_quiet(max_wait: float, threshold: float = 10.0) -> float:
    """Wait (up to max_wait s) for other processes to use < threshold % of a core."""
    deadline = time.monotonic() + max_wait
    while True:
        load = ForeignLoad()
        time.sleep(2.0)
        percent = load.stop()
        if percent < threshold or time.monotonic() >= deadline:
            return percent
        log(f"waiting for a quieter machine: other processes use {percent:.0f}% of a core")


# -- set-up ------------------------------------------------------------------------------


def ensure_watson() -> None:
    if WATSON.exists():
        return
    log("setup: creating the watson virtualenv (pip install td-watson)")
    search = os.pathsep.join(
        d for d in os.environ.get("PATH", "/usr/bin").split(os.pathsep) if Path(d) != VENV_BIN
    )
    python3 = shutil.which("python3", path=search) or "python3"
    subprocess.run([python3, "-m", "venv", str(WATSON_VENV)], check=True)
    subprocess.run([str(WATSON_VENV / "bin" / "pip"), "install", "-q", "td-watson"], check=True)


def schema_version() -> int:
    from salestui.store.schema import SCHEMA_VERSION

    return int(SCHEMA_VERSION)


def db_in_own_folder(name: str) -> Path:
    """`bench/.work/db/NAME/salestui.db`: the app keeps one daily backup per folder
    (`backups/salestui-DAY.db` beside the file), so every database gets its own."""
    folder = WORK / "db" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "salestui.db"


def ensure_empty_db(path: Path) -> Path:
    """A database with the schema and no events (made by the project itself)."""
    from salestui.store.events import Store

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    Store(path).close()
    return path


def checkpoint(path: Path) -> None:
    """Fold the WAL into the main file (an app killed by the benchmark leaves one)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=15)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def make_todays_backup(db: Path) -> None:
    """Make today's daily backup with the project's own code, as the first launch of
    the day would, so that measured launches see the steady state (no copy running)."""
    try:
        from salestui.store.backup import ensure_daily_backup
    except ImportError:  # a version without daily backups
        return
    ensure_daily_backup(db, date.today())


def ensure_seeded_db(events: int) -> Path:
    """The seeded database, cached; re-made when the day or the schema changed."""
    path = db_in_own_folder(f"seed-{events}")
    stamp = path.with_suffix(".json")
    wanted = {"events": events, "day": date.today().isoformat(), "schema": schema_version()}
    with contextlib.suppress(FileNotFoundError, ValueError):
        if path.exists() and json.loads(stamp.read_text()) == wanted:
            return path
    log(f"setup: seeding {events:,} events into {path} (cached for today)")
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(BENCH))
    import seed as seed_module

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    took = seed_module.seed(path, events)
    log(f"setup: seeded in {took:.1f} s")
    stamp.write_text(json.dumps(wanted))
    return path


def tui_available(command: str, env_db: Path) -> tuple[bool, str]:
    if command == str(SALESTUI) and not (ROOT / "src" / "salestui" / "tui" / "app.py").exists():
        return False, "src/salestui/tui/app.py does not exist"
    variant = Variant("probe", command, WEEK_RE, db=env_db)
    app = Tmux(f"exec {variant.command}", variant.env())
    try:
        app.start()
        app.wait_for(first_value(WEEK_RE), 20.0)
        return True, "ok"
    except (Timeout, PaneDied) as error:
        return False, f"salestui did not show 'week N · month M': {error}"
    finally:
        app.kill()


# -- report ------------------------------------------------------------------------------


@dataclass
class Row:
    metric: str
    unit: str
    baseline_name: str
    subject_name: str
    baseline: list[float]
    subject: list[float]
    target: float | None
    # Per repetition (same launch pair / run pair / idle window), for the paired ratio;
    # default: baseline and subject themselves, which are aligned by repetition.
    paired: tuple[list[float], list[float]] | None = None

    def paired_ratio(self) -> float | None:
        base, subj = self.paired or (self.baseline, self.subject)
        ratios = [s / b for b, s in zip(base, subj, strict=False) if b > 0]
        return statistics.median(ratios) if ratios and len(base) == len(subj) else None

    def as_dict(self) -> dict[str, Any]:
        b, s = summary(self.baseline), summary(self.subject)
        ratio = (
            s["median"] / b["median"] if self.baseline and self.subject and b["median"] else None
        )
        ratio_min = s["min"] / b["min"] if self.baseline and self.subject and b["min"] else None
        verdict = None
        if self.target is not None and ratio is not None:
            verdict = "PASS" if ratio <= self.target else "FAIL"
        return {
            "metric": self.metric,
            "unit": self.unit,
            "baseline_name": self.baseline_name,
            "subject_name": self.subject_name,
            "baseline": b,
            "subject": s,
            "ratio": ratio,
            "ratio_of_mins": ratio_min,
            "paired_ratio": self.paired_ratio(),
            "target": self.target,
            "result": verdict,
        }


def fmt(value: float | None, unit: str) -> str:
    if value is None or value != value:
        return "n/a"
    return f"{value:.1f}" if value < 100 or unit == "ms cpu" else f"{value:.0f}"


def print_table(rows: list[dict[str, Any]]) -> None:
    headers = [
        "metric",
        "baseline med (min)",
        "salestui med (min)",
        "ratio",
        "paired",
        "of mins",
        "target",
        "result",
    ]
    lines = []
    for row in rows:
        b, s = row["baseline"], row["subject"]
        lines.append(
            [
                f"{row['metric']} [{row['unit']}]",
                f"{fmt(b.get('median'), row['unit'])} ({fmt(b.get('min'), row['unit'])})",
                f"{fmt(s.get('median'), row['unit'])} ({fmt(s.get('min'), row['unit'])})",
                f"{row['ratio']:.3f}" if row["ratio"] is not None else "n/a",
                f"{row['paired_ratio']:.3f}" if row["paired_ratio"] is not None else "n/a",
                f"{row['ratio_of_mins']:.3f}" if row["ratio_of_mins"] is not None else "n/a",
                f"<= {row['target']}" if row["target"] is not None else "-",
                row["result"] or "info",
            ]
        )
    widths = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    print(
        "ratio = salestui median / baseline median, judged against the target. Cross-checks:"
        "\npaired = median of the per-repetition ratios (each baseline run next to its salestui"
        " run);\nof mins = salestui min / baseline min (other work only ever adds time)."
    )
    print()
    print("noise (interquartile range as % of the median; n samples):")
    for row in rows:
        b, s = row["baseline"], row["subject"]

        def noise(x: dict[str, Any]) -> str:
            if not x.get("n"):
                return "n/a"
            iqr = x.get("iqr_pct")
            return f"{iqr:.0f}% (n={x['n']})" if iqr is not None else f"- (n={x['n']})"

        base, subject = row["baseline_name"], row["subject_name"]
        print(f"  {row['metric']}: {base} {noise(b)}, {subject} {noise(s)}")


@contextlib.contextmanager
def phase_guard(name: str, errors: dict[str, str]) -> Iterator[None]:
    """A phase that fails (app crashed, signal never shown) is reported; the rest go on."""
    started = time.perf_counter()
    try:
        yield
    except (Timeout, PaneDied, RuntimeError, subprocess.TimeoutExpired) as error:
        errors[name] = str(error)
        log(f"{name}: aborted: {error}")
    finally:
        kill_all_servers()
        PHASE_SECONDS[name] = round(time.perf_counter() - started, 1)


PHASE_SECONDS: dict[str, float] = {}


# -- main --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="salestui benchmarks (see bench/README.md)")
    parser.add_argument("--quick", action="store_true", help="few repetitions, 10 s idle window")
    parser.add_argument(
        "--only",
        default="keys,first,tui,tabs,cli,idle",
        help="phases: keys,first,tui,tabs,cli,idle (keys,first: ~4 min)",
    )
    parser.add_argument(
        "--key-launches", type=int, help="launch pairs of the keys phase (default 3, quick 2)"
    )
    parser.add_argument(
        "--key-presses", type=int, help="presses per app per launch pair (default 12)"
    )
    parser.add_argument(
        "--first-launches", type=int, help="launches per database, first phase (default 5)"
    )
    parser.add_argument("--reps", type=int, help="launches per variant (default 11, quick 3)")
    parser.add_argument("--presses", type=int, help="key presses per launch (default 5, quick 3)")
    parser.add_argument("--cli-reps", type=int, help="runs per CLI command (default 21, quick 7)")
    parser.add_argument("--idle-windows", type=int, help="idle windows (default 3, quick 1)")
    parser.add_argument(
        "--idle-seconds", type=float, help="idle window length (default 60, quick 10)"
    )
    parser.add_argument(
        "--events", type=int, default=SEED_EVENTS, help="events in the big database"
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        metavar="S",
        help="before each phase, wait up to S s for other work to stop (default 45, quick 15)",
    )
    parser.add_argument(
        "--no-first-of-day",
        dest="first_of_day",
        action="store_false",
        help="skip the info rows for the day's first launch (daily backup of the big db)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--salestui-cmd", default=str(SALESTUI), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    reps = args.reps or (3 if quick else 11)
    presses = args.presses or (3 if quick else 5)
    cli_reps = args.cli_reps or (7 if quick else 21)
    idle_windows = args.idle_windows or (1 if quick else 3)
    idle_seconds = args.idle_seconds or (10.0 if quick else 60.0)
    if args.wait_quiet is None:
        args.wait_quiet = 15.0 if quick else 45.0
    phases = {p.strip() for p in args.only.split(",") if p.strip()}

    if shutil.which("tmux") is None:
        log("tmux is missing: apt-get install -y tmux")
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    write_tmux_conf()
    atexit.register(kill_all_servers)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(130))

    started = time.perf_counter()
    loadavg_before = Path("/proc/loadavg").read_text().split()[:3]
    if "cli" in phases:
        ensure_watson()
    empty_template = ensure_empty_db(db_in_own_folder("template"))
    big_db = ensure_seeded_db(args.events)
    checkpoint(big_db)
    first_db = db_in_own_folder(f"seed-{args.events}-first-of-day")
    if "tui" in phases and args.first_of_day:
        for suffix in ("-wal", "-shm"):
            Path(f"{first_db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(big_db, first_db)
    cli_db = ensure_empty_db(db_in_own_folder("cli-log"))
    tui_empty_db = db_in_own_folder("tui-empty")
    shutil.copyfile(empty_template, tui_empty_db)
    for db in (big_db, tui_empty_db, cli_db):
        make_todays_backup(db)
    salestui_cmd = args.salestui_cmd

    baseline = Variant("baseline", f"{PYTHON} {BENCH / 'baseline_app.py'}", DIGITS_SIGNAL)
    empty = Variant(
        "salestui-empty",
        salestui_cmd,
        WEEK_RE,
        db=tui_empty_db,
        fresh_copy_of=empty_template,
    )
    size = f"{args.events / 1e6:g}M" if args.events >= 1_000_000 else f"{args.events / 1e3:g}k"
    big = Variant(f"salestui-{size}", salestui_cmd, WEEK_RE, db=big_db)
    first = Variant(
        f"salestui-{size}-first-of-day", salestui_cmd, WEEK_RE, db=first_db, first_of_day=True
    )

    rows: list[Row] = []
    notes: list[str] = []
    data: dict[str, Any] = {}
    foreign: dict[str, float] = {}
    errors: dict[str, str] = {}
    try:
        tui_ok, why = (True, "")
        if phases & {"tui", "tabs", "idle"}:
            probe_db = ensure_empty_db(db_in_own_folder("probe"))
            tui_ok, why = tui_available(salestui_cmd, probe_db)
            if not tui_ok:
                notes.append(f"TUI rows skipped: {why}")
                log(f"tui: skipped: {why}")

        if "keys" in phases and tui_ok:
            with phase_guard("keys", errors):
                wait_quiet(args.wait_quiet)
                load = ForeignLoad()
                keys = measure_keys(
                    baseline,
                    empty,
                    args.key_launches or (2 if quick else 3),
                    args.key_presses or 12,
                )
                foreign["keys"] = load.stop()
                data["keys"] = keys
                rows.append(
                    Row(
                        "2 key press to screen (press by press)",
                        "ms",
                        "bare counter",
                        "salestui-empty",
                        ms(keys["baseline"]),
                        ms(keys["salestui"]),
                        1.2,
                    )
                )

        if "first" in phases and tui_ok:
            with phase_guard("first", errors):
                wait_quiet(args.wait_quiet)
                load = ForeignLoad()
                first_keys = measure_first_second(
                    [baseline, empty, big], args.first_launches or (3 if quick else 5)
                )
                foreign["first"] = load.stop()
                data["first"] = first_keys
                steady = data.get("keys", {}).get("salestui")
                for variant in (empty, big):
                    rows.append(
                        Row(
                            f"7 first {FIRST_PRESSES} presses after launch, {variant.name}"
                            + (" vs steady" if steady else " vs bare counter's"),
                            "ms",
                            "steady salestui" if steady else "bare counter first",
                            variant.name,
                            ms(steady or first_keys["baseline"]["keys"]),
                            ms(first_keys[variant.name]["keys"]),
                            2.0,
                        )
                    )
                    worst = max(first_keys[variant.name]["keys"], default=float("nan"))
                    notes.append(
                        f"first presses, {variant.name}: slowest {1000 * worst:.0f} ms; median"
                        f" of each launch's slowest"
                        f" {1000 * median(first_keys[variant.name]['worst_per_launch']):.0f} ms"
                    )

        if "tui" in phases and tui_ok:
            with phase_guard("tui", errors):
                wait_quiet(args.wait_quiet)
                load = ForeignLoad()
                variants = [baseline, empty, big] + ([first] if args.first_of_day else [])
                tui = measure_tui(variants, reps, presses)
                foreign["tui"] = load.stop()
                data["tui"] = tui
                rows.append(
                    Row(
                        "1 launch to counts on screen",
                        "ms",
                        "baseline",
                        "salestui-empty",
                        ms(tui["baseline"]["launch"]),
                        ms(tui[empty.name]["launch"]),
                        1.15,
                    )
                )
                rows.append(
                    Row(
                        "  key press, launch by launch (see 2)",
                        "ms",
                        "baseline",
                        "salestui-empty",
                        ms(tui["baseline"]["keys"]),
                        ms(tui[empty.name]["keys"]),
                        None,
                        paired=(
                            ms(tui["baseline"]["keys_per_launch"]),
                            ms(tui[empty.name]["keys_per_launch"]),
                        ),
                    )
                )
                rows.append(
                    Row(
                        f"4a launch, {size} events vs empty",
                        "ms",
                        "salestui-empty",
                        big.name,
                        ms(tui[empty.name]["launch"]),
                        ms(tui[big.name]["launch"]),
                        1.1,
                    )
                )
                rows.append(
                    Row(
                        f"  key press, {size} events vs empty",
                        "ms",
                        "salestui-empty",
                        big.name,
                        ms(tui[empty.name]["keys"]),
                        ms(tui[big.name]["keys"]),
                        None,
                        paired=(
                            ms(tui[empty.name]["keys_per_launch"]),
                            ms(tui[big.name]["keys_per_launch"]),
                        ),
                    )
                )
                if args.first_of_day:
                    rows.append(
                        Row(
                            f"  launch, {size}, first of the day (backup runs)",
                            "ms",
                            big.name,
                            first.name,
                            ms(tui[big.name]["launch"]),
                            ms(tui[first.name]["launch"]),
                            None,
                        )
                    )
                    rows.append(
                        Row(
                            f"  key press, {size}, first of the day (backup runs)",
                            "ms",
                            big.name,
                            first.name,
                            ms(tui[big.name]["keys"]),
                            ms(tui[first.name]["keys"]),
                            None,
                            paired=(
                                ms(tui[big.name]["keys_per_launch"]),
                                ms(tui[first.name]["keys_per_launch"]),
                            ),
                        )
                    )
                    done = tui[first.name]["backup_done_s"]
                    notes.append(
                        f"first launch of the day on the {size} database: the daily backup"
                        + (
                            f" was done {done[0]:.1f} s after the launch (warm-up run)"
                            if done
                            else " did not finish within 60 s of the launch"
                        )
                    )

        if "tabs" in phases and tui_ok:
            with phase_guard("tabs", errors):
                log(f"tabs: {reps} repetitions, interleaved")
                wait_quiet(args.wait_quiet)
                load = ForeignLoad()
                tabs = measure_tabs([empty, big], reps)
                foreign["tabs"] = load.stop()
                data["tabs"] = tabs
                for number, tab in (("6a", "funnel"), ("6b", "goals"), ("6c", "history")):
                    rows.append(
                        Row(
                            f"{number} {tab.capitalize()} tab, {size} vs empty",
                            "ms",
                            "salestui-empty",
                            big.name,
                            ms(tabs[empty.name][tab]),
                            ms(tabs[big.name][tab]),
                            1.2,
                        )
                    )
                rows.append(
                    Row(
                        f"  History tab pressed at launch, {size} vs empty",
                        "ms",
                        "salestui-empty",
                        big.name,
                        ms(tabs[empty.name]["history_cold"]),
                        ms(tabs[big.name]["history_cold"]),
                        None,
                    )
                )
                for variant in (empty, big):
                    for tab in TAB_SIGNALS:
                        seen = " | ".join(
                            line if len(line) <= 64 else line[:63] + "\u2026"
                            for line in tabs[variant.name]["lines"][tab]
                        )
                        notes.append(f"tabs: {variant.name}, {tab} tab showed: {seen}")

        if "cli" in phases:
            with phase_guard("cli", errors):
                log(f"cli: {cli_reps} runs of each command, interleaved")
                watson_dir = WORK / "watson-dir"
                shutil.rmtree(watson_dir, ignore_errors=True)
                watson_dir.mkdir(parents=True)
                wait_quiet(args.wait_quiet)
                load = ForeignLoad()
                cli = measure_cli(
                    {
                        "watson status": (
                            [str(WATSON), "status"],
                            bench_env(WATSON_DIR=str(watson_dir)),
                        ),
                        "salestui log call": (
                            [salestui_cmd, "log", "call"],
                            bench_env(SALESTUI_DB=str(cli_db)),
                        ),
                        "today --json empty": (
                            [salestui_cmd, "today", "--json"],
                            bench_env(SALESTUI_DB=str(empty_template)),
                        ),
                        "today --json big": (
                            [salestui_cmd, "today", "--json"],
                            bench_env(SALESTUI_DB=str(big_db)),
                        ),
                    },
                    cli_reps,
                )
                foreign["cli"] = load.stop()
                data["cli"] = cli
                rows.append(
                    Row(
                        "3 `log call` vs `watson status`",
                        "ms",
                        "watson status",
                        "salestui log call",
                        ms(cli["watson status"]),
                        ms(cli["salestui log call"]),
                        0.75,
                    )
                )
                rows.append(
                    Row(
                        f"4b `today --json`, {size} vs empty",
                        "ms",
                        "empty db",
                        f"{size} db",
                        ms(cli["today --json empty"]),
                        ms(cli["today --json big"]),
                        1.1,
                    )
                )

        if "idle" in phases and tui_ok:
            with phase_guard("idle", errors):
                log(f"idle: {idle_windows} x {idle_seconds:.0f} s, both apps open at once")
                wait_quiet(args.wait_quiet)
                load = ForeignLoad()
                idle = measure_idle([baseline, empty], idle_windows, idle_seconds)
                foreign["idle"] = load.stop()
                data["idle"] = idle
                rows.append(
                    Row(
                        f"5 idle CPU per {idle_seconds:.0f} s (utime+stime)",
                        "ms cpu",
                        "baseline",
                        "salestui-empty",
                        idle["baseline"]["cpu_ms"],
                        idle[empty.name]["cpu_ms"],
                        1.2,
                    )
                )
                rows.append(
                    Row(
                        f"  idle CPU per {idle_seconds:.0f} s (schedstat)",
                        "ms cpu",
                        "baseline",
                        "salestui-empty",
                        idle["baseline"]["sched_ms"],
                        idle[empty.name]["sched_ms"],
                        None,
                    )
                )
    finally:
        kill_all_servers()

    for variant in (baseline, empty, big, first):
        for warning in variant.warnings:
            notes.append(f"{variant.name}: {warning}")
    for phase, error in errors.items():
        notes.append(f"the {phase} phase was aborted: {error.splitlines()[0]}")
    for phase, percent in foreign.items():
        if percent > 5:
            notes.append(
                f"other processes used {percent:.0f}% of a core during the {phase} phase:"
                " its figures are noisier than on a quiet machine"
            )
    table = [row.as_dict() for row in rows]
    print_table(table)
    print()
    print(
        "other work on the machine (% of one core, by phase): "
        + (", ".join(f"{k} {v:.0f}%" for k, v in foreign.items()) or "n/a")
    )
    for note in notes:
        print(f"note: {note}")
    elapsed = time.perf_counter() - started
    results = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": quick,
        "settings": {
            "reps": reps,
            "presses": presses,
            "cli_reps": cli_reps,
            "idle_windows": idle_windows,
            "idle_seconds": idle_seconds,
            "events": args.events,
            "poll_sleep_s": POLL_SLEEP,
            "terminal": f"{COLS}x{ROWS}",
        },
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_before": loadavg_before,
            "loadavg_after": Path("/proc/loadavg").read_text().split()[:3],
            "python": platform.python_version(),
            "textual": textual_version(),
            "tmux": subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.strip(),
        },
        "foreign_cpu_pct_of_one_core": foreign,
        "rows": table,
        "errors": errors,
        "raw": data,
        "notes": notes,
        "elapsed_s": elapsed,
        "phase_seconds": PHASE_SECONDS,
    }
    RESULTS.write_text(json.dumps(results, indent=2))
    phases_took = ", ".join(f"{k} {v:.0f} s" for k, v in PHASE_SECONDS.items())
    print(f"\n{len(rows)} rows in {elapsed:.0f} s ({phases_took}); raw samples in {RESULTS}")
    failed = [r for r in table if r["result"] == "FAIL"]
    return 1 if failed and args.strict else 0


def ms(values: list[float]) -> list[float]:
    return [1000 * v for v in values]


def textual_version() -> str:
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        return version("textual")
    return "?"


if __name__ == "__main__":
    sys.exit(main())
