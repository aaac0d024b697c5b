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


class PartialError(PyExporterError):
    """The collector failed part way, after node_exporter would already have sent `families`.

    node_exporter's Update() sends metrics as it goes and may then return an
    error: the samples sent are exposed and the collector reports success 0.
    """

    def __init__(self, message: str, families: list) -> None:
        super().__init__(message)
        self.families = families


def raise_if_parts_failed(failures: list[str], families: list) -> list:
    """`families`, or PartialError carrying them when parts of the collection failed.

    For collectors that go on past a part they cannot read (a chip, a zone, a CPU) where
    node_exporter reports the collector failed: the last failure is named, as node_exporter
    returns its last error.
    """
    if failures:
        raise PartialError(failures[-1], families)
    return families


class ConfigError(PyExporterError):
    """A flag or configuration value is invalid; reported at start, exit code 2."""
