"""filepath's Match, Glob, Join and Clean (pyexporter.golang.filepath), as tables of cases."""

import pytest

from pyexporter.golang.filepath import BadPattern, go_clean, go_glob, go_join, go_pattern
from tests.support import write_tree


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("*.prom", "a.prom", True),
        ("*.prom", ".prom", True),  # Go's * matches a leading dot
        ("*", "a/b", False),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("[a-c]x", "bx", True),
        ("[^a-c]x", "dx", True),
        ("[^a-c]x", "ax", False),
        ("[z-a]x", "zx", False),  # an empty range matches nothing
        ("\\*", "*", True),
        ("[*]", "*", True),
        ("x*y*z", "xaayzbz", True),
    ],
)
def test_go_pattern(pattern, name, matches):
    assert bool(go_pattern(pattern).fullmatch(name)) is matches


@pytest.mark.parametrize("pattern", ["[", "[]", "[a", "[a-", "[-a]", "x\\", "[\\"])
def test_go_pattern_rejects(pattern):
    with pytest.raises(BadPattern):
        go_pattern(pattern)


def test_go_glob(tmp_path, monkeypatch):
    write_tree(tmp_path, {"d/a_x/f": "", "d/b_x/f": "", "d/c_y/f": "", "e/a_x/f": ""})
    monkeypatch.chdir(tmp_path)
    assert go_glob("d/*_x") == ["d/a_x", "d/b_x"]
    assert go_glob("*/a_x") == ["d/a_x", "e/a_x"]
    assert go_glob("d/a_x/") == ["d/a_x/"]  # no magic: kept as written when it exists
    assert go_glob("missing") == []
    with pytest.raises(BadPattern):
        go_glob("d/[")


@pytest.mark.parametrize(
    ("parts", "expected"),
    [(("a/", "b"), "a/b"), (("", "b"), "b"), (("//a//", "b"), "/a/b"), (("a/../..", "b"), "../b"),
     (("", ""), "")],
)
def test_go_join(parts, expected):
    assert go_join(*parts) == expected


def test_go_clean():
    assert go_clean("") == "."
    assert go_clean("//x/./y/") == "/x/y"
