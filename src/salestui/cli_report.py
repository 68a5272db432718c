"""Old name of `salestui.cli.report`.

Kept only until tests/unit/test_report.py and tests/property/test_current_streak.py
import `report_streak` from `salestui.figures` (issue 13): the root group lists `report`
itself now, and the streak it shows is `figures.report_streak`.
"""

from __future__ import annotations

import click

from salestui.cli.report import report
from salestui.figures import report_streak as current_streak

__all__ = ["current_streak", "register"]


def register(cli: click.Group) -> None:
    """Add `report` to `cli` (harmless: it lists it already)."""
    cli.add_command(report)
