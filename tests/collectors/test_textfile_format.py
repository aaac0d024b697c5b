"""The text-format parser: what node_exporter's expfmt.TextParser accepts and refuses."""

import math

import pytest

from pyexporter.errors import ParseError
from pyexporter.textformat import go_uint64, parse_go_float, parse_text_format


def parse(text: str):
    return {f.name: f for f in parse_text_format(text.encode())}


def test_samples_help_and_type():
    fams = parse('# HELP a The \\"a\\" help\\\\with\\nlines\n# TYPE a counter\na{x="1",y="q\\"\\\\\\n"} 3\n'
                 "b 4.5\n")
    assert fams["a"].help == 'The "a" help\\with\nlines'
    assert fams["a"].type == "counter"
    assert fams["a"].metrics[0].labels == [("x", "1"), ("y", 'q"\\\n')]
    assert fams["a"].metrics[0].value == 3
    assert fams["b"].type == "untyped" and fams["b"].help is None and fams["b"].metrics[0].value == 4.5


def test_blank_lines_comments_and_whitespace():
    fams = parse("\n   \n# just a comment\n#\n  \t m  { a = \"b\" , }   7\n# HELP\n# HELP m\n")
    assert fams["m"].metrics[0].labels == [("a", "b")] and fams["m"].metrics[0].value == 7
    assert fams["m"].help is None


def test_empty_help_is_no_help():
    assert parse("# HELP m \nm 1\n")["m"].help is None
    assert parse("# HELP m  x \nm 1\n")["m"].help == "x "


def test_families_without_samples_are_dropped():
    assert parse("# HELP m x\n# TYPE m gauge\n") == {}
    assert parse("# TYPE m gauge_histogram\n") == {}


def test_timestamps_are_kept():
    fams = parse("m 1 -17\nn 2 1700000000000\n")
    assert fams["m"].metrics[0].timestamp_ms == -17
    assert fams["n"].metrics[0].timestamp_ms == 1700000000000


def test_summary_merges_lines_of_a_label_set():
    fams = parse(
        '# TYPE s summary\ns{a="1",quantile="0.5"} 1\ns_sum{a="1"} 10\ns{a="2",quantile="0.9"} 2\n'
        's_count{a="1"} 3.9\ns{quantile="0.99",a="1"} 4\ns_count{a="2"} 5\n')
    (one, two) = fams["s"].metrics
    assert one.labels == [("a", "1")]
    assert one.quantiles == [(0.5, 1.0), (0.99, 4.0)] and one.sum == 10 and one.count == 3
    assert two.quantiles == [(0.9, 2.0)] and two.count == 5 and two.sum == 0
    assert set(fams) == {"s"}


def test_histogram():
    fams = parse('# TYPE h histogram\nh_bucket{le="+Inf"} 3\nh_bucket{le="1.5"} 1\nh_sum 2.5\nh_count 3\n'
                 'h{le="2"} 2\nh_bucket 9\n')
    (metric,) = fams["h"].metrics
    assert metric.buckets == [(math.inf, 3), (1.5, 1), (2.0, 2)]
    assert metric.sum == 2.5 and metric.count == 3


def test_count_and_sum_without_a_summary_are_families():
    fams = parse("# TYPE s gauge\ns 1\ns_count 2\ns_sum 3\n")
    assert set(fams) == {"s", "s_count", "s_sum"}


def test_quoted_and_braced_names():
    fams = parse('{"quoted"} 1\n{"braced", a="b"} 2\n"bare"{"l"="v"} 3\nfo"o" 4\n')
    assert fams["quoted"].metrics[0].value == 1
    assert fams["braced"].metrics[0].labels == [("a", "b")]
    assert fams["bare"].metrics[0].labels == [("l", "v")]
    assert fams["foo"].metrics[0].value == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("m 1", "unexpected end of input stream"),
        ("# HELP m x", "unexpected end of input stream"),
        ("m 1 \n", "expected integer as timestamp"),
        ("m 1 2 \n", "spurious string after timestamp"),
        ("m 1 2 3\n", "spurious string after timestamp"),
        ("m 1 1.5\n", "expected integer as timestamp"),
        ("m 1 99999999999999999999\n", "expected integer as timestamp"),
        ("m\n", "expected float as value"),
        ("m 1\r\n", "expected float as value"),
        ("m 1_000\n", "expected float as value"),
        ("m 0x10\n", "expected float as value"),
        ("m 1e999\n", "expected float as value"),
        ("m +nan\n", "expected float as value"),
        ("m inff\n", "expected float as value"),
        ("1m 1\n", "invalid metric name"),
        ("m-x 1\n", "expected float as value"),
        ('{"a.b"} 1\n', "invalid metric name"),
        ('{a="b"} 1\n', "invalid metric name"),
        ('m{"a.b"="c"} 1\n', "invalid label name"),
        ('m{a="b",a="c"} 1\n', "duplicate label names"),
        ('m{__name__="x"} 1\n', "reserved"),
        ("m{a=b} 1\n", "expected '\"' at start of label value"),
        ('m{a="b"\n', "unexpected end of label value"),
        ('m{a="b\nc"} 1\n', "contains unescaped new-line"),
        ('m{a="\\t"} 1\n', "invalid escape sequence"),
        ("m{a} 1\n", "expected '=' after label name"),
        ("m{1=\"x\"} 1\n", "invalid label name for metric"),
        ("# HELP m a\\tb\nm 1\n", "invalid escape sequence"),
        ("# HELP m a\\\nm 1\n", "invalid escape sequence"),
        ("# HELP m a\n# HELP m b\nm 1\n", "second HELP line"),
        ("# TYPE m gauge\n# TYPE m gauge\nm 1\n", "second TYPE line"),
        ("m 1\n# TYPE m gauge\n", "TYPE reported after samples"),
        ("# TYPE m counter \nm 1\n", "unknown metric type"),
        ("# TYPE m gauge_histogram\nm 1\n", "unexpected type"),
        ("# HELP 1m x\n", "invalid metric name in comment"),
        ("# HELP m.x y\n", "invalid metric name in comment"),
        ('# TYPE s summary\ns{quantile="x"} 1\n', "expected float as value for 'quantile' label"),
        ('# TYPE h histogram\nh_bucket{le="x"} 1\n', "expected float as value for 'le' label"),
    ],
)
def test_errors(text, message):
    with pytest.raises(ParseError, match=message):
        parse_text_format(text.encode())


def test_error_reports_the_line():
    with pytest.raises(ParseError, match="line 3"):
        parse_text_format(b"a 1\n\nb x\n")


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n", b"   ", b"# comment only\n"],
)
def test_empty_documents(data):
    assert parse_text_format(data) == []


@pytest.mark.parametrize(
    "data",
    [b"\x00\xff\xfe", b"m{a=\"\xff\"} 1\n", b"{" * 50, b'm{a="' + b"\\" * 3, b"# TYPE",
     b"m 1e" + b"9" * 400 + b"\n", b"\xe2\x80\x8b 1\n", "m{a=\"b\"} 1\n".encode("utf-16")],
)
def test_garbage_is_a_parse_error(data):
    with pytest.raises(ParseError):
        parse_text_format(data)


def test_not_bytes_is_a_parse_error():
    with pytest.raises(ParseError):
        parse_text_format("m 1\n")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("token", "expected"),
    [(b"1", 1.0), (b"-1.5e3", -1500.0), (b".5", 0.5), (b"5.", 5.0), (b"+Inf", math.inf), (b"-inf", -math.inf),
     (b"Infinity", math.inf), (b"1e-400", 0.0), (b"1.7976931348623157e308", 1.7976931348623157e308)],
)
def test_parse_go_float(token, expected):
    assert parse_go_float(token) == expected


@pytest.mark.parametrize("token", [b"", b".", b"e1", b"1e", b"1e+", b"0x1p3", b"1_0", b" 1", b"1\r", b"+NaN",
                                   b"infin", b"2e308", b"\xd9\xa1"])
def test_parse_go_float_rejects(token):
    assert parse_go_float(token) is None


def test_parse_go_float_nan():
    assert math.isnan(parse_go_float(b"NaN")) and math.isnan(parse_go_float(b"nan"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3.9, 3), (0.0, 0), (1.8e19, 18000000000000000000), (-1.0, 2**64 - 1), (math.nan, 2**63),
     (math.inf, 2**63), (2.0**64, 2**63)],
)
def test_go_uint64(value, expected):
    assert go_uint64(value) == expected
