"""rtnetlink dumps share one socket (one per dump left resident memory growing, benchmarks/load.py);
a dump that fails closes it so that nothing of it outlives the failure."""

from __future__ import annotations

import socket

import pytest

from pyexporter import rtnetlink


class FakeSocket:
    def __init__(self, opened: list[FakeSocket], fail: list[bool]) -> None:
        self.closed = False
        self.fail = fail
        opened.append(self)

    def get_neighbours(self, family: int):
        assert not self.closed
        if self.fail and self.fail.pop(0):
            raise OSError("dump failed")
        return ()

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def sockets(monkeypatch):
    opened: list[FakeSocket] = []
    fail: list[bool] = []
    monkeypatch.setattr(rtnetlink, "_socket", None)
    monkeypatch.setattr(rtnetlink, "_open_route_socket", lambda: FakeSocket(opened, fail))
    return opened, fail


def test_dumps_share_one_socket(sockets):
    opened, _ = sockets
    for _ in range(5):
        assert rtnetlink.neighbours(socket.AF_INET) == []
    assert len(opened) == 1 and not opened[0].closed


def test_a_failed_dump_closes_the_socket_and_the_next_opens_another(sockets):
    opened, fail = sockets
    rtnetlink.neighbours(socket.AF_INET)
    fail.append(True)
    with pytest.raises(OSError):
        rtnetlink.neighbours(socket.AF_INET)
    assert len(opened) == 1 and opened[0].closed
    assert rtnetlink.neighbours(socket.AF_INET) == []
    assert len(opened) == 2 and not opened[1].closed
