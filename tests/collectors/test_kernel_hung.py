import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree


def test_kernel_hung_collector(tmp_path):
    write_tree(tmp_path, {"proc/sys/kernel/hung_task_detect_count": "42\n"})
    collector = make_collector("kernel_hung", tmp_path)
    assert samples(collector.collect()) == {"node_kernel_hung_tasks_total": 42}
    assert ("# HELP node_kernel_hung_tasks_total Total number of tasks that have been detected as hung since "
            "the system booted.\n# TYPE node_kernel_hung_tasks_total counter\n") in collect_text(collector)


@pytest.mark.parametrize("content", ["", "many\n"])
def test_kernel_hung_empty_or_malformed_file_fails(tmp_path, content):
    write_tree(tmp_path, {"proc/sys/kernel/hung_task_detect_count": content})
    with pytest.raises(ParseError):
        list(make_collector("kernel_hung", tmp_path).collect())
