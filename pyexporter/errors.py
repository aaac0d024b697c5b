"""The project's error types.

Parsers raise `ParseError` for input they cannot make sense of; collectors raise
`NoDataError` when their source does not exist on this kernel. The scrape engine
turns both (and any other exception) into `node_scrape_collector_success 0` for
that collector alone.
"""


class PyExporterError(Exception):
    """Base class of every error pyexporter raises on purpose."""


class ParseError(PyExporterError):
    """Input from /proc, /sys or a text file could not be parsed."""


class NoDataError(PyExporterError):
    """The collector's source is absent on this machine (node_exporter's ErrNoData)."""


class ConfigError(PyExporterError):
    """A flag or configuration value is invalid; reported at start, exit code 2."""
