"""Fault injection: salestui as real processes under kill -9, a held lock, a full disk
and read-only files (issue 7). See test_faults.py for what the battery covers."""
