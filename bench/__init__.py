"""salestui benchmarks: every figure is a ratio against a baseline measured in the same run.

    python -m bench [--quick] [--only keys,first,tui,tabs,cli,idle,reads]

See bench/README.md for what each figure means and how the modules divide the work.
"""
