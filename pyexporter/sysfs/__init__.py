"""Pure parsers and helpers for /sys files that more than one collector reads."""
