"""A pyexporter plugin: the kernel's taint flags. The collector lives in `.collector`."""
