"""Create a salestui database holding N events spread over the last 10 years.

    /work/venv/bin/python bench/seed.py PATH [--events N] [--years Y] [--seed S]

The schema is the project's own: `Store(path).close()` creates (or migrates) it,
then the rows go in with plain sqlite3 in one transaction. The `events_rollup`
trigger keeps the per-day `day_totals` table up to date as they go in.

Events: timestamps uniform over [now - Y years, now], appended in time order;
`day` is the local calendar day (honours TZ); metric calls/meetings/sales in
roughly 80/15/5 %; delta 1; note NULL; source 'cli'. With `--metrics N` (4-8), N-3 of
the user's own metrics (emails, referrals, cards, demos, letters) are defined with the
project's own code and take a share of the events (issue 10: the same ratios with 8).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

YEAR_SECONDS = 365.2425 * 86400

OWN_METRICS: tuple[tuple[str, str], ...] = (
    ("emails", "e"),
    ("referrals", "r"),
    ("cards", "b"),
    ("demos", "d"),
    ("letters", "w"),
)
"""The user's own metrics a `--metrics N` database adds after the three built-ins."""


def define_metrics(path: Path, metrics: int) -> tuple[str, ...]:
    """Add `metrics - 3` own metrics to the database at `path` (as `salestui metric add`
    does) and return every metric key, built-ins first."""
    if not 3 <= metrics <= 3 + len(OWN_METRICS):
        raise SystemExit(f"seed: --metrics takes 3 to {3 + len(OWN_METRICS)}, not {metrics}")
    from salestui.domain.keys import reserved_keys
    from salestui.store.events import Store

    with Store(path) as store:
        for key, letter in OWN_METRICS[: metrics - 3]:
            store.set_settings(
                store.catalog().add_metric(key, letter=letter, reserved=reserved_keys())
            )
        return tuple(metric.key for metric in store.catalog().visible)


def seed(
    path: Path,
    events: int = 1_000_000,
    years: float = 10.0,
    rng_seed: int = 1,
    metrics: int = 3,
) -> float:
    """Create the database at `path` (must not exist) and return the seconds it took."""
    from salestui.store.events import Store

    started = time.perf_counter()
    if path.exists():
        raise SystemExit(f"seed: {path} already exists; remove it first")
    Store(path).close()  # the project's schema, migrations and pragmas (WAL)
    keys = define_metrics(path, metrics)

    rng = random.Random(rng_seed)
    now = time.time()
    span = years * YEAR_SECONDS
    instants = sorted(now - rng.random() * span for _ in range(events))
    weights = (80, 15, 5, *(10 for _ in keys[3:]))
    chosen = rng.choices(keys, weights=weights, k=events)
    uuid4 = uuid.uuid4
    fromts = datetime.fromtimestamp

    def rows() -> Iterator[tuple[str, str, str, str, int, None, str]]:
        for instant, metric in zip(instants, chosen, strict=True):
            yield (
                str(uuid4()),
                fromts(instant, UTC).isoformat(timespec="microseconds"),
                fromts(instant).date().isoformat(),  # local day, TZ honoured
                metric,
                1,
                None,
                "cli",
            )

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA cache_size = -262144")  # 256 MiB: random uuid keys
        conn.execute("PRAGMA synchronous = OFF")  # this connection only; file is fsynced below
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO events (id, ts, day, metric, delta, note, source, cancels)"
            " VALUES (?,?,?,?,?,?,?,NULL)",
            rows(),
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    with open(path, "rb+") as handle:  # make it durable like a normal database
        os.fsync(handle.fileno())
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("path", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--metrics", type=int, default=3, help="3 built-ins plus own (up to 8)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    if args.force:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.path}{suffix}").unlink(missing_ok=True)
    took = seed(args.path, args.events, args.years, args.seed, args.metrics)
    conn = sqlite3.connect(args.path)
    total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    days = conn.execute("SELECT count(DISTINCT day) FROM day_totals").fetchone()[0]
    conn.close()
    size = args.path.stat().st_size / 1e6
    print(f"seeded {args.path}: {total} events over {days} days, {size:.0f} MB, {took:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
