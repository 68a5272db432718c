"""Kept for `python bench/run.py ...`: the benchmarks are the `bench` package now.

python -m bench [--quick] [--only PHASES]     # from the repository root
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.__main__ import main

    sys.exit(main())
