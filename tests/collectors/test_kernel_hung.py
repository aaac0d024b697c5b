import pytest

from pyexporter.collectors.kernel_hung import parse_hung_task_detect_count
from pyexporter.errors import NoDataError, ParseError
from tests.support import collect_text, make_collector, samples, write_tree


@pytest.mark.parametrize(
    ("text", "expected"), [("42\n", 42), ("0", 0), (" 7 \n", 7), ("18446744073709551615\n", 2**64 - 1)])
def test_parse(text, expected):
    assert parse_hung_task_detect_count(text) == expected


@pytest.mark.parametrize("text", ["", "\n", "-1\n", "4 2\n", "x\n", "18446744073709551616\n", "\x00"])
def test_parse_rejects(text):
    with pytest.raises(ParseError):
        parse_hung_task_detect_count(text)


def test_kernel_hung_collector(tmp_path):
    write_tree(tmp_path, {"proc/sys/kernel/hung_task_detect_count": "42\n"})
    collector = make_collector("kernel_hung", tmp_path)
    assert samples(collector.collect()) == {"node_kernel_hung_tasks_total": 42}
    assert ("# HELP node_kernel_hung_tasks_total Total number of tasks that have been detected as hung since "
            "the system booted.\n# TYPE node_kernel_hung_tasks_total counter\n") in collect_text(collector)


def test_kernel_hung_missing_file_is_no_data(tmp_path):
    with pytest.raises(NoDataError):
        list(make_collector("kernel_hung", tmp_path).collect())


@pytest.mark.parametrize("content", ["", "many\n"])
def test_kernel_hung_empty_or_malformed_file_fails(tmp_path, content):
    write_tree(tmp_path, {"proc/sys/kernel/hung_task_detect_count": content})
    with pytest.raises(ParseError):
        list(make_collector("kernel_hung", tmp_path).collect())
