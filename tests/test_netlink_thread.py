import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from pyexporter import netlink_thread


def test_every_call_runs_on_one_thread():
    with ThreadPoolExecutor(4) as pool:
        idents = set(pool.map(lambda _: netlink_thread.run(threading.get_ident), range(20)))
    assert len(idents) == 1
    assert idents != {threading.get_ident()}
    assert netlink_thread.run(lambda: threading.current_thread().name).startswith("netlink")


def test_exceptions_reach_the_caller():
    def refuse():
        raise PermissionError(1, "Operation not permitted")

    with pytest.raises(PermissionError):
        netlink_thread.run(refuse)
    assert netlink_thread.run(lambda: 42) == 42  # the thread survives


def test_a_call_from_the_netlink_thread_runs_in_place():
    outer = netlink_thread.run(lambda: (threading.get_ident(), netlink_thread.run(threading.get_ident)))
    assert outer[0] == outer[1]
