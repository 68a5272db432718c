"""Pure domain logic: no Textual, no I/O. Everything here takes the clock as an argument."""
