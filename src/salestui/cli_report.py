"""Old name of `salestui.cli.report`.

Kept only until tests/unit/test_report.py and tests/property/test_current_streak.py
import from `salestui.cli.report` (issue 13): the root group lists `report` itself now.
"""

from __future__ import annotations

import click

from salestui.cli.report import current_streak, report

__all__ = ["current_streak", "register"]


def register(cli: click.Group) -> None:
    """Add `report` to `cli` (harmless: it lists it already)."""
    cli.add_command(report)
