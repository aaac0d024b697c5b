"""One module per node_exporter collector, named as node_exporter names it.

Every module registers its collector class with `pyexporter.registry.register`;
`pyexporter.registry.load_collectors()` imports them all.
"""
