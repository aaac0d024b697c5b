import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

VULN = "sys/devices/system/cpu/vulnerabilities"


def test_cpu_vulnerabilities_collector(tmp_path):
    write_tree(tmp_path, {
        f"{VULN}/meltdown": "Mitigation: PTI\n",
        f"{VULN}/mds": "Vulnerable\n",
        f"{VULN}/srbds": "Not affected\n",
        f"{VULN}/gather_data_sampling": "",
    })
    collector = make_collector("cpu_vulnerabilities", tmp_path)
    assert samples(collector.collect()) == {
        'node_cpu_vulnerabilities_info{codename="gather_data_sampling",mitigation="",state="unknown"}': 1,
        'node_cpu_vulnerabilities_info{codename="mds",mitigation="",state="vulnerable"}': 1,
        'node_cpu_vulnerabilities_info{codename="meltdown",mitigation="PTI",state="mitigation"}': 1,
        'node_cpu_vulnerabilities_info{codename="srbds",mitigation="",state="not affected"}': 1,
    }
    assert "# TYPE node_cpu_vulnerabilities_info gauge\n" in collect_text(collector)


def test_cpu_vulnerabilities_unreadable_entry(tmp_path):
    write_tree(tmp_path, {f"{VULN}/meltdown": "Mitigation: PTI\n", f"{VULN}/odd": None})
    with pytest.raises(ParseError):
        list(make_collector("cpu_vulnerabilities", tmp_path).collect())
