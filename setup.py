"""Packaging beyond what pyproject.toml can say: the top-level `collectors/` folder installs as
`pyexporter.collectors` (never as a top-level `collectors` package), beside every package under
`pyexporter/`, which is found by itself."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["pyexporter", "pyexporter.*"]), "pyexporter.collectors"],
    package_dir={"pyexporter.collectors": "collectors"},
)
