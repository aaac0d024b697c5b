"""Parsers of /sys files: every one, whether one collector reads the file or several.

One module per sysfs class or subsystem (md, btrfs, infiniband, thermal, ...).
Parsers are pure functions from an attribute's text (or a mapping of attribute
names to texts) to small typed values, with prometheus/procfs's semantics, and
raise ParseError and nothing else. Where procfs reads a whole directory whose
attributes depend on one another (an md array, a btrfs filesystem, a PCI
device), a `read_*` function here reads it through the file layer
(pyexporter.fs, through attrs.py's one-read attribute values) and hands the
texts to the parsers. Naming metrics stays with the collectors. Tests:
tests/sysfs/, tables of cases and procfs's own expectations on its test tree.
"""
