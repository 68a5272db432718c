"""Wall times of whole commands (the CLI rows, the read commands): hyperfine when it is on
PATH, else our own loop; either way the commands of one comparison take turns.

hyperfine runs one command's runs back to back, so the runs are split into blocks of
`BLOCK` and each block is one hyperfine call with the commands in a rotated order:
drift on a shared machine then hits every command of a ratio alike, as with the
loop, which interleaves run by run.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.context import WORK
from bench.stats import rotate

BLOCK = 3


def hyperfine_version() -> str | None:
    """`hyperfine 1.15.0`, or None when it is not installed."""
    if shutil.which("hyperfine") is None:
        return None
    done = subprocess.run(["hyperfine", "--version"], capture_output=True, text=True)
    return done.stdout.strip() or None


def time_command(argv: list[str], env: dict[str, str]) -> float:
    """Wall time of one run; RuntimeError (with its last stderr line) when it fails."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120, cwd=WORK
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        last = lines[-1] if lines else ""
        raise RuntimeError(f"{shlex.join(argv)} exited {proc.returncode}: {last}")
    return elapsed


def _hyperfine_block(
    commands: list[tuple[str, list[str]]], env: dict[str, str], runs: int
) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(dir=WORK / "tmp") as folder:
        out = Path(folder) / "hyperfine.json"
        argv = ["hyperfine", "-N", "--style", "none", "--runs", str(runs)]
        argv += ["--export-json", str(out)]
        for name, command in commands:
            argv += ["-n", name, shlex.join(command)]
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=WORK)
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            raise RuntimeError(f"hyperfine failed: {lines[-1] if lines else proc.returncode}")
        found = json.loads(out.read_text())["results"]
    return {result["command"]: list(result["times"]) for result in found}


def measure(
    commands: dict[str, list[str]],
    env: dict[str, str],
    reps: int,
    *,
    warmup: int = 2,
    use_hyperfine: bool = True,
    after_each: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, list[float]]:
    """`reps` wall times of each command (all in the same environment), taking turns.

    `warmup` untimed runs of each first (page cache, .pyc files); `after_each(name)`
    runs after every run (the loop) or block (hyperfine), e.g. a guard on /dev/null.
    """
    names = list(commands)
    out: dict[str, list[float]] = {name: [] for name in names}
    for name in names:
        for _ in range(warmup):
            time_command(commands[name], env)
            if after_each:
                after_each(name)
    if use_hyperfine and hyperfine_version():
        blocks = max(1, -(-reps // BLOCK))
        for block in range(blocks):
            runs = min(BLOCK, reps - block * BLOCK)
            order = [(name, commands[name]) for name in rotate(names, block)]
            for name, times in _hyperfine_block(order, env, runs).items():
                out[name].extend(times)
            if after_each:
                for name in names:
                    after_each(name)
            if progress:
                progress(min(reps, (block + 1) * BLOCK), reps)
        return out
    for rep in range(reps):
        for name in rotate(names, rep):
            out[name].append(time_command(commands[name], env))
            if after_each:
                after_each(name)
        if progress:
            progress(rep + 1, reps)
    return out
