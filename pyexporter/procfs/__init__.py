"""Parsers of /proc files: every one, whether one collector reads the file or several.

One module per file (or family of files: net/netstat+snmp+snmp6, the values
below /proc/sys), named after it as prometheus/procfs names its own. Each
parser is a pure function from the file's text or bytes to small typed values
(NamedTuple, dataclass, dict), with the semantics of the procfs (or
node_exporter) code that reads the file for node_exporter 1.12.1, and raises
ParseError and nothing else. Reading the file is the file layer's job
(pyexporter.fs); naming metrics is the collectors'. The Go primitives the
parsers are built on (strings.Fields, strconv, ...) are in pyexporter.golang.
Tests: tests/procfs/, tables of cases and procfs's own expectations on its
test tree.
"""
