import pytest

from pyexporter.errors import ParseError
from pyexporter.sysfs.cpu import parse_cpu_list


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,3-5,9\n", [1, 3, 4, 5, 9]), ("0-2,8,10-11\n", [0, 1, 2, 8, 10, 11]), ("\n", []), ("", []),
     ("0", [0]), ("2-2", [2]), ("4-2", []), ("65537", [1])],  # procfs keeps CPU numbers as uint16
)
def test_parse_cpu_list(text, expected):
    assert parse_cpu_list(text) == expected


@pytest.mark.parametrize("text", ["a", "1-2-3", "-1", "1-", "-", "1,,x", "0-99999999", "0-65536", "1 ,2"])
def test_parse_cpu_list_rejects(text):
    with pytest.raises(ParseError):
        parse_cpu_list(text)
