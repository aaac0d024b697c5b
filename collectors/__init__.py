"""One module per node_exporter collector, named as node_exporter names it.

Installed as `pyexporter.collectors`. Every module registers its collector class with
`pyexporter.registry.register` when imported; `pyexporter.loader.load_collectors()` imports them all.
"""
