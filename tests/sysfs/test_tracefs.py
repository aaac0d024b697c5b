"""tracefs's tracepoint id file, as tables of cases."""


from pyexporter.sysfs.tracefs import parse_tracepoint_id
from tests.support import parser_tests

U64_MAX = 2**64 - 1


test_parse_tracepoint_id, test_parse_tracepoint_id_rejects = parser_tests(
    parse_tracepoint_id,
    [("372\n", 372), ("0", 0), ("18446744073709551615\nx", U64_MAX)],
    ["", "\n", "-1", "x", " 1", "18446744073709551616", "١٢"])
