import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

VMSTAT = """\
nr_free_pages 977769
pgpgin 7344136
pgpgout 1541180581
pswpin 1476
pswpout 35045
pgfault 2320168809
pgmajfault 507162
pgfree 1
oom_kill 0
"""


def test_vmstat_default_fields(tmp_path):
    write_tree(tmp_path, {"proc/vmstat": VMSTAT})
    assert samples(make_collector("vmstat", tmp_path).collect()) == {
        "node_vmstat_pgpgin": 7344136,
        "node_vmstat_pgpgout": 1541180581,
        "node_vmstat_pswpin": 1476,
        "node_vmstat_pswpout": 35045,
        "node_vmstat_pgfault": 2320168809,
        "node_vmstat_pgmajfault": 507162,
        "node_vmstat_oom_kill": 0,
    }


def test_vmstat_fields_flag(tmp_path):
    write_tree(tmp_path, {"proc/vmstat": VMSTAT})
    got = samples(make_collector("vmstat", tmp_path, "--collector.vmstat.fields=free").collect())
    # The pattern is searched, not anchored, as Go's MatchString.
    assert got == {"node_vmstat_nr_free_pages": 977769, "node_vmstat_pgfree": 1}


def test_vmstat_help_and_type(tmp_path):
    write_tree(tmp_path, {"proc/vmstat": VMSTAT})
    text = collect_text(make_collector("vmstat", tmp_path))
    assert ("# HELP node_vmstat_oom_kill /proc/vmstat information field oom_kill.\n"
            "# TYPE node_vmstat_oom_kill untyped\nnode_vmstat_oom_kill 0\n") in text


def test_vmstat_bad_value_fails_even_when_filtered_out(tmp_path):
    write_tree(tmp_path, {"proc/vmstat": VMSTAT + "nr_weird many\n"})
    with pytest.raises(ParseError):
        list(make_collector("vmstat", tmp_path).collect())


def test_vmstat_skips_names_prometheus_cannot_carry(tmp_path):
    write_tree(tmp_path, {"proc/vmstat": "pgfault-x 1\npgfault 2\n"})
    assert samples(make_collector("vmstat", tmp_path).collect()) == {"node_vmstat_pgfault": 2}


def test_vmstat_empty_and_missing(tmp_path):
    write_tree(tmp_path, {"proc/vmstat": ""})
    assert list(make_collector("vmstat", tmp_path).collect()) == []
    (tmp_path / "proc/vmstat").unlink()
    with pytest.raises(FileNotFoundError):
        list(make_collector("vmstat", tmp_path).collect())
