"""The project's error types.

Parsers raise `ParseError` for input they cannot make sense of; collectors raise
`NoDataError` when their source does not exist on this kernel. The scrape engine
turns both (and any other exception) into `node_scrape_collector_success 0` for
that collector alone, serving what the collector yielded before it.
"""


class PyExporterError(Exception):
    """Base class of every error pyexporter raises on purpose."""


class ParseError(PyExporterError):
    """Input from /proc, /sys or a text file could not be parsed."""


class NoDataError(PyExporterError):
    """The collector's source is absent on this machine (node_exporter's ErrNoData)."""


class CollectorError(PyExporterError):
    """The collector failed, with node_exporter's message for it (logged without a traceback).

    As any exception from collect(), it leaves the families yielded before it served, with
    `node_scrape_collector_success 0`: node_exporter's Update() sends metrics as it goes and may
    then return an error.
    """


def raise_if_parts_failed(failures: list[str]) -> None:
    """CollectorError naming the last failure, if parts of the collection failed.

    For collectors that go on past a part they cannot read (a chip, a zone, a CPU) where
    node_exporter reports the collector failed, called after yielding the other parts' families:
    the last failure is named, as node_exporter returns its last error.
    """
    if failures:
        raise CollectorError(failures[-1])


class ConfigError(PyExporterError):
    """A flag or configuration value is invalid; reported at start, exit code 2."""
