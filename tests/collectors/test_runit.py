import logging
import os
import struct

import pytest

from pyexporter.collectors.runit import (
    DEPRECATION_WARNING,
    TAI_OFFSET,
    RunitStatus,
    list_services,
    parse_status,
)
from pyexporter.errors import NoDataError, ParseError
from tests.support import (
    NODE_EXPORTER,
    collect_text,
    make_collector,
    samples,
    scrape_once,
    symlink,
    write_tree,
)

CHANGED = 1_383_386_573  # 2013-11-02T10:02:53Z


def status(changed: int = CHANGED, pid: int = 123, want: bytes = b"u", state: int = 1,
           nanos: int = 0, paused: int = 0, term: int = 0) -> bytes:
    """runsv's 20-byte supervise/status record."""
    return (struct.pack(">QI", changed + TAI_OFFSET, nanos) + struct.pack("<I", pid)
            + bytes([paused]) + want + bytes([term, state]))


@pytest.mark.parametrize(("data", "expected"), [
    (status(), RunitStatus(pid=123, timestamp=CHANGED, state=1, want=1)),
    (status(pid=0, want=b"d", state=0), RunitStatus(0, CHANGED, 0, 0)),
    (status(pid=0xFFFFFFFF, state=2), RunitStatus(0xFFFFFFFF, CHANGED, 2, 1)),
    (status(want=b"x", state=7), RunitStatus(123, CHANGED, 7, 0)),
    (status() + b"trailing bytes are not read", RunitStatus(123, CHANGED, 1, 1)),
    # One short read: the rest of go-runit's 20-byte buffer stays zero.
    (status()[:14], RunitStatus(123 & 0xFFFF, CHANGED, 0, 0)),
    (b"\x01", RunitStatus(0, (1 << 56) - TAI_OFFSET, 0, 0)),
    # TAI labels with the top bit set wrap around as Go's int64 arithmetic does.
    (b"\xff" * 20, RunitStatus(0xFFFFFFFF, -1 - TAI_OFFSET, 255, 0)),
    (b"\x80" + b"\0" * 19, RunitStatus(0, (1 << 63) - TAI_OFFSET, 0, 0)),
    (b"\0" * 20, RunitStatus(0, -TAI_OFFSET, 0, 0)),
])
def test_parse_status(data, expected):
    assert parse_status(data) == expected


def test_parse_status_rejects_empty():
    with pytest.raises(ParseError):
        parse_status(b"")


def service_tree(tmp_path):
    svc = tmp_path / "service"
    write_tree(tmp_path, {
        "service/foo/supervise/status": status(),
        "service/.hidden/supervise/status": status(pid=7, state=2, want=b"d"),
        "service/short/supervise/status": status(pid=9)[:16],
        "service/empty/supervise/status": b"",
        "service/nostatus/run": "#!/bin/sh\n",
        "service/statusdir/supervise/status": None,
        # runit's own down file is not where go-runit looks: still "normally up".
        "service/rootdown/supervise/status": status(pid=11),
        "service/rootdown/down": "",
        "service/README": "not a service\n",
        "sv/bar/supervise/status": status(pid=0, want=b"d", state=0, changed=CHANGED + 60),
        "sv/bar/supervise/down": "",
    })
    symlink(tmp_path, "service/bar", str(tmp_path / "sv" / "bar"))
    symlink(tmp_path, "service/dangling", str(tmp_path / "sv" / "gone"))
    return svc


def test_list_services(tmp_path):
    svc = service_tree(tmp_path)
    assert list_services(str(svc)) == [".hidden", "bar", "dangling", "empty", "foo", "nostatus",
                                       "rootdown", "short", "statusdir"]


def test_collector(tmp_path, caplog):
    svc = service_tree(tmp_path)
    with caplog.at_level(logging.WARNING):
        collector = make_collector("runit", tmp_path, f"--collector.runit.servicedir={svc}")
    assert [r.getMessage() for r in caplog.records] == [DEPRECATION_WARNING]
    got = samples(collector.collect())
    expected = {}
    for name, state, want, normal, changed in [
        (".hidden", 2, 0, 1, CHANGED), ("bar", 0, 0, 0, CHANGED + 60), ("foo", 1, 1, 1, CHANGED),
        ("rootdown", 1, 1, 1, CHANGED), ("short", 0, 0, 1, CHANGED),
    ]:
        labels = f'{{service="{name}",supervisor="runit"}}'
        expected |= {
            f"node_service_state{labels}": state,
            f"node_service_desired_state{labels}": want,
            f"node_service_normal_state{labels}": normal,
            f"node_service_state_last_change_timestamp_seconds{labels}": changed,
        }
    assert got == expected
    text = collect_text(collector)
    assert ("# HELP node_service_state_last_change_timestamp_seconds Unix timestamp of the last runit "
            "service state change.\n# TYPE node_service_state_last_change_timestamp_seconds gauge\n") in text
    assert "# HELP node_service_normal_state Normal state of runit service.\n" in text
    assert ('node_service_state_last_change_timestamp_seconds{service="foo",supervisor="runit"} '
            '1.383386573e+09\n') in text


def test_servicedir_is_not_under_rootfs(tmp_path):
    # node_exporter takes the flag as a plain path; --path.rootfs does not prefix it.
    write_tree(tmp_path, {"etc/service/foo/supervise/status": status()})
    collector = make_collector("runit", tmp_path, "--collector.runit.servicedir=/etc/service")
    assert collector.service_dir == "/etc/service"
    relative = make_collector("runit", tmp_path, "--collector.runit.servicedir=etc/service")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert samples(relative.collect())['node_service_state{service="foo",supervisor="runit"}'] == 1
    finally:
        os.chdir(cwd)


def test_empty_servicedir(tmp_path):
    write_tree(tmp_path, {"service": None})
    collector = make_collector("runit", tmp_path, f"--collector.runit.servicedir={tmp_path}/service")
    assert collect_text(collector) == ""


def test_absent_servicedir_is_no_data(tmp_path):
    collector = make_collector("runit", tmp_path, f"--collector.runit.servicedir={tmp_path}/nope")
    with pytest.raises(NoDataError):
        list(collector.collect())


def test_servicedir_is_a_file(tmp_path):
    write_tree(tmp_path, {"service": "x"})
    collector = make_collector("runit", tmp_path, f"--collector.runit.servicedir={tmp_path}/service")
    with pytest.raises(NotADirectoryError):
        list(collector.collect())


def test_disabled_by_default():
    from pyexporter.cli import parse_args
    from pyexporter.collectors.runit import SERVICE_DIR
    settings = parse_args([])
    assert "runit" not in settings.enabled_collectors
    assert settings[SERVICE_DIR] == "/etc/service"


@pytest.mark.skipif(not NODE_EXPORTER.exists(), reason="reference node_exporter not installed")
def test_same_output_as_node_exporter(tmp_path):
    svc = service_tree(tmp_path)
    flags = ["--collector.disable-defaults", "--collector.runit", f"--collector.runit.servicedir={svc}"]
    theirs = scrape_once([str(NODE_EXPORTER)], flags)
    ours = scrape_once(["python", "-m", "pyexporter"], flags)

    def runit_lines(text: str) -> list[str]:
        return [line for line in text.splitlines() if "node_service_" in line]

    assert runit_lines(ours) == runit_lines(theirs)
    assert len(runit_lines(ours)) == 4 * 2 + 4 * 5
    assert 'node_scrape_collector_success{collector="runit"} 1' in ours
