"""salestui: tally calls, meetings and sales from a terminal pane."""

__version__ = "0.1.0"
