"""Other work on the machine: how much CPU it used during a phase, and waiting for quiet.

The machine is shared; every figure is a ratio measured interleaved, but a busy
neighbour still widens the spread, so each phase reports the CPU others used.
"""

from __future__ import annotations

import contextlib
import os
import time

from bench.context import log

CLK_TCK = os.sysconf("SC_CLK_TCK")

killed_ticks = 0
"""CPU of tmux servers and apps, read just before they were killed (see terminal.Tmux.kill)."""


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


def count_killed(pid: int) -> None:
    """Add a process's CPU to the benchmark's own, just before it is killed."""
    global killed_ticks
    with contextlib.suppress(Exception):
        killed_ticks += cpu_ticks(pid) if pid else 0


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
    return round(CLK_TCK * sum(times[:4])) + killed_ticks


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
