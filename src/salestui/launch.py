"""The `salestui` entry point, on top of everything: nothing in salestui imports it.

`salestui` alone (or with only `--db PATH`) opens the app without importing click:
startup is the one thing a person waits for every time. So is a key bound to
`salestui log call`: `[--db PATH] log METRIC [COUNT]` is recorded by `salestui.quick_log`,
without click either. Everything else goes to the click command line (`salestui.cli`),
which is handed `run_tui` for the one case it opens the app itself (`salestui --db=A
--db=B`, say).

The two halves are imported where they are used, on purpose: the command line must
not pay for Textual, nor the app for click.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from salestui import quick_log
from salestui.clock import Clock, local_now
from salestui.paths import check_db_option, resolve_db_path
from salestui.store.events import Store, StoreError


def run_tui(db_path: Path, clock: Clock = local_now) -> int:
    """Open the app on `db_path`; a bad file is one line on stderr and exit code 1."""
    try:
        store = Store(db_path, clock=clock)  # fails before the screen is taken over
    except StoreError as error:
        print(f"salestui: {error}", file=sys.stderr)
        return 1
    # Textual paints at most MAX_FPS frames a second, on a fixed grid: a tally pressed
    # within one frame period of another repaint (its own decorations 30 ms after the
    # last tally) waited up to 16.7 ms for the next grid point at the default 60.
    os.environ.setdefault("TEXTUAL_FPS", "240")
    from salestui.tui.app import SalesApp  # Textual: only when the app opens

    SalesApp(store, clock=clock).run()
    return 0


def _bare_db_option(argv: Sequence[str]) -> tuple[bool, str | None]:
    """(True, PATH or None) when argv only opens the app: [], [--db PATH] or [--db=PATH]."""
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--db" and not argv[1].startswith("-"):  # "" too
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith("--db=") and len(argv[0]) > len("--db="):
        return True, argv[0][len("--db=") :]
    return False, None


def main() -> None:
    """Console script: the app, a quick tally, or the command line."""
    argv = sys.argv[1:]
    # Shell completion asks with `_SALESTUI_COMPLETE` set, whatever the words: that is
    # click's business, not a reason to open the app or record a tally.
    completing = "_SALESTUI_COMPLETE" in os.environ
    bare, db_option = _bare_db_option(argv)
    if bare and not completing:
        if db_option is not None:
            try:
                check_db_option(db_option)
            except ValueError as error:  # the same line and code as the command line's
                print(f"salestui: {error}", file=sys.stderr)
                sys.exit(2)
        sys.exit(run_tui(resolve_db_path(db_option)))
    if not completing:
        code = quick_log.run(argv)
        if code is not None:
            sys.exit(code)
    from salestui.cli import main as cli_main  # click: only for the command line

    cli_main(open_app=run_tui)
