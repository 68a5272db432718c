"""The table on stdout and bench/.work/results.json: rows (a baseline, a subject, a
target), their ratios, verdicts, cross-checks and noise."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import terminal
from bench.context import RESULTS, Bench
from bench.stats import summary
from bench.terminal import POLL_SLEEP


@dataclass
class Row:
    """One line of the table: salestui (`subject`) against its baseline, in the same run."""

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


def textual_version() -> str:
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        return version("textual")
    return "?"


def print_notes(bench: Bench) -> None:
    """Other work on the machine by phase, then every note."""
    print()
    print(
        "other work on the machine (% of one core, by phase): "
        + (", ".join(f"{k} {v:.0f}%" for k, v in bench.foreign.items()) or "n/a")
    )
    print(f"CLI wall times: {bench.timer}")
    for note in bench.notes:
        print(f"note: {note}")


def write_results(
    bench: Bench, table: list[dict[str, Any]], loadavg_before: list[str], elapsed: float
) -> None:
    """Settings, machine facts, rows and every raw sample, for a later look."""
    results = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": bench.quick,
        "settings": {
            "reps": bench.reps,
            "presses": bench.presses,
            "cli_reps": bench.cli_reps,
            "read_reps": bench.read_reps,
            "idle_windows": bench.idle_windows,
            "idle_seconds": bench.idle_seconds,
            "events": bench.args.events,
            "metrics": bench.args.metrics,
            "poll_sleep_s": POLL_SLEEP,
            "terminal": f"{terminal.COLS}x{terminal.ROWS}",
            "python": str(bench.tools.python),
            "salestui": str(bench.tools.salestui),
            "cli_timer": bench.timer,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_before": loadavg_before,
            "loadavg_after": Path("/proc/loadavg").read_text().split()[:3],
            "python": platform.python_version(),
            "textual": textual_version(),
            "tmux": subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.strip(),
        },
        "foreign_cpu_pct_of_one_core": bench.foreign,
        "rows": table,
        "errors": bench.errors,
        "raw": bench.data,
        "notes": bench.notes,
        "elapsed_s": elapsed,
        "phase_seconds": bench.phase_seconds,
    }
    RESULTS.write_text(json.dumps(results, indent=2))
