"""pyexporter: a drop-in Python replacement for Prometheus node_exporter on Linux."""

__version__ = "0.1.0"
#: The node_exporter release whose flags and metrics pyexporter reproduces.
NODE_EXPORTER_COMPAT = "1.12.1"
