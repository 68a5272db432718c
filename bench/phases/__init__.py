"""The phases of a run, in their default order; each adds its rows, notes and raw data
to the `Bench` it is given. `export_import`, `prospects` and `timer` run only when asked
for (`--only`): the default run keeps its length."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator

from bench.context import Bench, log
from bench.noise import ForeignLoad, wait_quiet
from bench.terminal import PaneDied, Timeout, kill_all_servers

DEFAULT = ("keys", "first", "tui", "tabs", "cli", "idle", "reads")
EXTRA = ("export_import", "prospects", "timer")
NEEDS_TERMINAL = {"keys", "first", "tui", "tabs", "idle", "prospects", "timer"}


def runner(name: str) -> Callable[[Bench], None]:
    """The phase's `run(bench)`, imported only when the phase runs."""
    import importlib

    return importlib.import_module(f"bench.phases.{name}").run  # type: ignore[no-any-return]


@contextlib.contextmanager
def phase(bench: Bench, name: str) -> Iterator[None]:
    """Waits for a quieter machine, measures the others' CPU while the phase runs, and
    reports a phase that fails (app crashed, signal never shown) while the rest go on."""
    started = time.perf_counter()
    try:
        wait_quiet(bench.args.wait_quiet)
        load = ForeignLoad()
        yield
        bench.foreign[name] = load.stop()
    except (Timeout, PaneDied, RuntimeError, subprocess.TimeoutExpired) as error:
        bench.errors[name] = str(error)
        log(f"{name}: aborted: {error}")
    finally:
        kill_all_servers()
        bench.phase_seconds[name] = round(time.perf_counter() - started, 1)
