"""Pure parsers for /proc files that more than one collector reads."""
