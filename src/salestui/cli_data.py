"""Old name of `salestui.cli.data` (export, import) and `salestui.cli.database` (backup).

Kept only until tests/unit/test_export_safety.py and bench/export_import.py stop
importing it (issue 13): the root group lists these commands itself now.
"""

from __future__ import annotations

import click

from salestui.cli.data import export_command, import_command
from salestui.cli.database import backup_command


def register(cli: click.Group) -> None:
    """Add `export`, `import` and `backup` to `cli` (harmless: it lists them already)."""
    for command in (export_command, import_command, backup_command):
        cli.add_command(command)
