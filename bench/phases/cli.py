"""Phase `cli` (rows 3, 3b, 4b): wall times of `salestui log call` against `watson status`
and against a bare `python -c "import sqlite3"` on the same Python (the tmux key
binding's cost), and `today --json` on the big database against an empty one."""

from __future__ import annotations

import shutil

from bench.context import WATSON, WORK, Bench, log
from bench.report import Row
from bench.stats import ms
from bench.timing import measure


def run(bench: Bench) -> None:
    log(f"cli: {bench.cli_reps} runs of each command, taking turns ({bench.timer})")
    watson_dir = WORK / "watson-dir"
    shutil.rmtree(watson_dir, ignore_errors=True)
    watson_dir.mkdir(parents=True)
    salestui, python = str(bench.tools.salestui), str(bench.tools.python)
    # One environment for all: `log call` finds its database in $SALESTUI_DB as from a
    # key binding; the `today` runs name theirs with --db.
    env = bench.tools.env(WATSON_DIR=str(watson_dir), SALESTUI_DB=str(bench.dbs["cli"]))
    cli = measure(
        {
            "watson status": [str(WATSON), "status"],
            "salestui log call": [salestui, "log", "call"],
            "python import sqlite3": [python, "-c", "import sqlite3"],
            "today --json empty": [salestui, "--db", str(bench.dbs["empty"]), "today", "--json"],
            "today --json big": [salestui, "--db", str(bench.dbs["big"]), "today", "--json"],
        },
        env,
        bench.cli_reps,
        use_hyperfine=bench.args.hyperfine,
    )
    bench.data["cli"] = cli
    bench.rows.append(
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
    bench.rows.append(
        Row(
            '3b `log call` vs `python -c "import sqlite3"`',
            "ms",
            "python -c import sqlite3",
            "salestui log call",
            ms(cli["python import sqlite3"]),
            ms(cli["salestui log call"]),
            2.5,
        )
    )
    bench.rows.append(
        Row(
            f"4b `today --json`, {bench.size} vs empty",
            "ms",
            "empty db",
            f"{bench.size} db",
            ms(cli["today --json empty"]),
            ms(cli["today --json big"]),
            1.1,
        )
    )
