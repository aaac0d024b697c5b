"""pyexporter.plugin, the collector API: what it offers is what docs/plugins.md documents."""

from __future__ import annotations

import re

import pytest

from pyexporter import plugin
from pyexporter.errors import ConfigError
from pyexporter.loader import SUPPORTED_API_VERSIONS
from tests.support import REPO

DOC = (REPO / "docs" / "plugins.md").read_text()


def test_every_public_name_exists_and_is_documented():
    assert len(set(plugin.__all__)) == len(plugin.__all__)
    missing = [name for name in plugin.__all__ if not hasattr(plugin, name)]
    assert missing == []
    # The table of public names in docs/plugins.md names each of them, and nothing else.
    (table,) = re.findall(r"^\| names \| what they are \|\n\|---\|---\|\n((?:\|.*\|\n)+)", DOC, re.M)
    documented = {name for row in table.splitlines() for name in re.findall(r"`(\w+)`", row.split("|")[1])}
    assert documented == set(plugin.__all__)


def test_the_offered_version_is_one_this_pyexporter_runs():
    assert isinstance(plugin.API_VERSION, int) and plugin.API_VERSION in SUPPORTED_API_VERSIONS
    assert f"the running pyexporter offers ({plugin.API_VERSION})" in DOC


def test_parse_settings_is_the_exporters_command_line(tmp_path):
    settings = plugin.parse_settings([f"--path.procfs={tmp_path}", "--collector.disable-defaults",
                                      "--collector.loadavg", "--collector.timeout=2s"])
    assert settings.roots.proc("loadavg") == str(tmp_path / "loadavg")
    assert settings.enabled_collectors == ("loadavg",) and settings.collector_timeout == 2.0
    with pytest.raises(ConfigError):
        plugin.parse_settings(["--collector.timeout=soon"])
