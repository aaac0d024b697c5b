"""The Prometheus text exposition format (0.0.4), parsed as node_exporter parses it.

node_exporter's textfile collector reads *.prom files with the text parser of
prometheus/common (expfmt.TextParser, legacy name validation). That parser is
stricter and quirkier than the format's prose, and a file it rejects
contributes nothing, so this is a port of its state machine, not a fresh
reading of the format:

- every line must end with a newline: a last line without one is "unexpected
  end of input stream" (only blanks may follow the last newline);
- blanks after the value are read as the start of a timestamp, so `m 1 ` fails;
- values are Go floats: no `_`, no hex, no `+NaN`, `Inf`/`infinity` in any
  case, overflow (`1e999`) is an error; timestamps are int64;
- HELP escapes are `\\\\`, `\\n` and `\\"`; label values take `\\\\`, `\\n`,
  `\\"`; label values must be UTF-8;
- a second HELP or TYPE line for a family, or TYPE after its samples, fails;
- `x_count`/`x_sum`(/`x_bucket`) lines belong to summary (histogram) `x`; a
  summary or histogram is one metric per label set without quantile/le, lines
  of the same label set wherever they are in the family merge into it;
- names may be quoted (`{"name"}`, `"label"="v"`) but must still be legacy
  names ([a-zA-Z_:][a-zA-Z0-9_:]*, labels without `:`).

Parsing is a pure function of bytes; anything it cannot accept raises
ParseError, never another exception.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

from pyexporter.errors import ParseError
from pyexporter.golang.strconv import parse_float, parse_int

COUNTER = "counter"
GAUGE = "gauge"
SUMMARY = "summary"
UNTYPED = "untyped"
HISTOGRAM = "histogram"
GAUGE_HISTOGRAM = "gaugehistogram"

#: dto.MetricType_value keys (the TYPE word is upper-cased before lookup).
_TYPE_WORDS = {
    "COUNTER": COUNTER, "GAUGE": GAUGE, "SUMMARY": SUMMARY, "UNTYPED": UNTYPED,
    "HISTOGRAM": HISTOGRAM, "GAUGE_HISTOGRAM": GAUGE_HISTOGRAM,
}

_LEGACY_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
_LEGACY_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")

_BLANK = (0x20, 0x09)
_NL = 0x0A
_QUOTE = 0x22
_BACKSLASH = 0x5C
_LABEL_START = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_\"")
_METRIC_START = _LABEL_START | {ord(":")}
_LABEL_CONT = _LABEL_START | frozenset(b"0123456789")
_METRIC_CONT = _METRIC_START | frozenset(b"0123456789")
_METRIC_RUN = re.compile(rb"[a-zA-Z0-9_:]*")
_LABEL_RUN = re.compile(rb"[a-zA-Z0-9_]*")
_WHITESPACE_OR_NL = re.compile(rb"[ \t\n]")
_LABEL_VALUE_SPECIAL = re.compile(rb'["\\\n]')

#: prometheus/common refuses these before strconv.ParseFloat sees the token.
_NOT_IN_FLOAT = re.compile(rb"[pP_]")


def parse_go_float(token: bytes) -> float | None:
    """prometheus/common's parseFloat: strconv.ParseFloat without `p`, `P` and `_`; None if invalid."""
    if not token.isascii() or _NOT_IN_FLOAT.search(token):
        return None
    try:
        return parse_float(token.decode("ascii"))
    except ParseError:
        return None


def _parse_timestamp(token: bytes) -> int | None:
    """strconv.ParseInt(token, 10, 64); None if invalid."""
    if not token.isascii():
        return None
    try:
        return parse_int(token.decode("ascii"))
    except ParseError:
        return None


def go_uint64(value: float) -> int:
    """Go's uint64(float64) on amd64, with which the parser stores counts.

    In range it truncates; a negative value wraps as its int64 truncation does;
    NaN, infinities and values beyond int64 give the CPU's "indefinite" 2**63.
    """
    if value != value or math.isinf(value):
        return 1 << 63
    if 0 <= value < 2.0**64:
        return int(value)
    if -(2.0**63) < value < 0:
        return int(value) & 0xFFFFFFFFFFFFFFFF
    return 1 << 63


@dataclass(slots=True)
class Metric:
    """One metric of a family: a sample, or a summary/histogram with its parts."""

    labels: list[tuple[str, str]] = field(default_factory=list)
    value: float | None = None
    timestamp_ms: int | None = None
    #: Set when the metric is a summary or histogram (even without any line of values).
    complex: bool = False
    quantiles: list[tuple[float, float]] = field(default_factory=list)
    buckets: list[tuple[float, int]] = field(default_factory=list)
    count: int = 0
    sum: float = 0.0


@dataclass(slots=True)
class Family:
    name: str
    help: str | None = None
    #: None until a TYPE line or the first sample; read as counter then (proto default).
    type: str | None = None
    metrics: list[Metric] = field(default_factory=list)

    @property
    def effective_type(self) -> str:
        return self.type or COUNTER


class _Eof(Exception):
    """The input ended where the parser needed another byte."""


_State = Callable[[], "_State | None"]


class _TextParser:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)
        #: Index of the byte after `cur`.
        self.pos = 0
        self.cur = -1
        self.line = 0
        self.families: dict[str, Family] = {}
        self.mf: Family | None = None
        self.metric: Metric | None = None
        self.label_pair: list[str] | None = None
        self.current_label: list[list[str]] = []
        self.inside_braces = False
        self.brace_name_set = False
        # Summaries and histograms.
        self.current_labels: dict[str, str] = {}
        self.summaries: dict[frozenset[tuple[str, str]], Metric] = {}
        self.histograms: dict[frozenset[tuple[str, str]], Metric] = {}
        self.quantile = math.nan
        self.bucket = math.nan
        self.is_summary_count = self.is_summary_sum = False
        self.is_histogram_count = self.is_histogram_sum = False

    # -- driver ------------------------------------------------------------------------

    def parse(self) -> list[Family]:
        state: _State | None = self.start_of_line
        try:
            while state is not None:
                state = state()
        except _Eof:
            self.error("unexpected end of input stream")
        return [mf for mf in self.families.values() if mf.metrics]

    def error(self, msg: str) -> NoReturn:
        raise ParseError(f"text format parsing error in line {self.line}: {msg}")

    # -- byte reading (Go's bufio.Reader.ReadByte into currentByte) ----------------------

    def read_byte(self) -> None:
        if self.pos >= self.size:
            raise _Eof
        self.cur = self.data[self.pos]
        self.pos += 1

    def skip_blank_tab(self) -> None:
        data, pos, size = self.data, self.pos, self.size
        while pos < size and data[pos] in _BLANK:
            pos += 1
        if pos >= size:
            self.pos = size
            raise _Eof
        self.cur = data[pos]
        self.pos = pos + 1

    def skip_blank_tab_if_current_blank_tab(self) -> None:
        if self.cur in _BLANK:
            self.skip_blank_tab()

    def read_token_until_whitespace(self) -> bytes:
        start = self.pos - 1
        match = _WHITESPACE_OR_NL.search(self.data, start)
        if match is None:
            self.pos = self.size
            raise _Eof
        end = match.start()
        self.cur = self.data[end]
        self.pos = end + 1
        return self.data[start:end]

    def read_token_until_newline(self, escapes: bool) -> bytes:
        start = self.pos - 1
        end = self.data.find(b"\n", start)
        segment = self.data[start:] if end < 0 else self.data[start:end]
        if escapes and b"\\" in segment:
            segment = self._unescape_help(segment, end >= 0)
        if end < 0:
            self.pos = self.size
            raise _Eof
        self.cur = _NL
        self.pos = end + 1
        return segment

    def _unescape_help(self, segment: bytes, terminated: bool) -> bytes:
        out = bytearray()
        i, n = 0, len(segment)
        while i < n:
            byte = segment[i]
            if byte != _BACKSLASH:
                out.append(byte)
                i += 1
                continue
            if i + 1 >= n:
                if terminated:  # the escaped byte is the newline itself
                    self.error("invalid escape sequence '\\\n'")
                raise _Eof
            nxt = segment[i + 1]
            if nxt == _BACKSLASH:
                out.append(_BACKSLASH)
            elif nxt == ord("n"):
                out.append(_NL)
            elif nxt == _QUOTE:
                out.append(_QUOTE)
            else:
                self.error(f"invalid escape sequence '\\{chr(nxt)}'")
            i += 2
        return bytes(out)

    def read_name(self, metric: bool) -> bytes:
        """readTokenAsMetricName / readTokenAsLabelName: a bare or quoted name."""
        start_set = _METRIC_START if metric else _LABEL_START
        if self.cur not in start_set:
            return b""
        if self.cur != _QUOTE:
            # Fast path: a bare name that ends at a byte that cannot continue it.
            run = (_METRIC_RUN if metric else _LABEL_RUN).match(self.data, self.pos - 1)
            assert run is not None
            end = run.end()
            if end < self.size and self.data[end] != _QUOTE:
                self.cur = self.data[end]
                self.pos = end + 1
                return run.group()
        return self._read_name_slow(metric)

    def _read_name_slow(self, metric: bool) -> bytes:
        cont = _METRIC_CONT if metric else _LABEL_CONT
        stop = 0x20 if metric else ord("=")
        what = "metric name" if metric else "label name"
        out = bytearray()
        quoted = escaped = False
        while True:
            cur = self.cur
            if escaped:
                if cur == _BACKSLASH:
                    out.append(_BACKSLASH)
                elif cur == ord("n"):
                    out.append(_NL)
                elif cur == _QUOTE:
                    out += b'\\"'
                else:
                    self.error(f"invalid escape sequence '\\{chr(cur)}'")
                escaped = False
            elif cur == _QUOTE:
                quoted = not quoted
                if not quoted:
                    self.read_byte()
                    return bytes(out)
            elif cur == _NL:
                self.error(f"{what} {_q(bytes(out))} contains unescaped new-line")
            elif cur == _BACKSLASH:
                escaped = True
            else:
                out.append(cur)
            self.read_byte()
            # In quotes any byte continues the name (Go: utf8.ValidString(string(b))).
            if not quoted and (self.cur not in cont or self.cur == stop):
                return bytes(out)

    def read_label_value(self) -> bytes:
        """readTokenAsLabelValue: the bytes after the opening quote up to the closing one."""
        data = self.data
        out = bytearray()
        pos = self.pos
        while True:
            match = _LABEL_VALUE_SPECIAL.search(data, pos)
            if match is None:
                self.pos = self.size
                raise _Eof
            at = match.start()
            out += data[pos:at]
            byte = data[at]
            if byte == _QUOTE:
                self.cur = _QUOTE
                self.pos = at + 1
                return bytes(out)
            if byte == _NL:
                self.pos = at + 1
                self.error(f"label value {_q(bytes(out))} contains unescaped new-line")
            if at + 1 >= self.size:
                self.pos = self.size
                raise _Eof
            nxt = data[at + 1]
            if nxt in (_QUOTE, _BACKSLASH):
                out.append(nxt)
            elif nxt == ord("n"):
                out.append(_NL)
            else:
                self.pos = at + 2
                self.error(f"invalid escape sequence '\\{chr(nxt)}'")
            pos = at + 2

    # -- families ----------------------------------------------------------------------

    def set_or_create_current_mf(self, raw: bytes) -> None:
        self.is_summary_count = self.is_summary_sum = False
        self.is_histogram_count = self.is_histogram_sum = False
        name = raw.decode("utf-8", "replace")
        if not _LEGACY_METRIC_NAME.match(name):
            self.error(f"invalid metric name {name!r}")
        mf = self.families.get(name)
        if mf is not None:
            self.mf = mf
            return
        summary = self.families.get(_strip_suffix(name, ("_count", "_sum")))
        if summary is not None and summary.type == SUMMARY:
            self.mf = summary
            self.is_summary_count = _has_suffix(name, "_count")
            self.is_summary_sum = _has_suffix(name, "_sum")
            return
        histogram = self.families.get(_strip_suffix(name, ("_count", "_sum", "_bucket")))
        if histogram is not None and histogram.type == HISTOGRAM:
            self.mf = histogram
            self.is_histogram_count = _has_suffix(name, "_count")
            self.is_histogram_sum = _has_suffix(name, "_sum")
            return
        self.mf = self.families[name] = Family(name)

    def _type(self) -> str:
        return self.mf.effective_type if self.mf is not None else COUNTER

    # -- states ------------------------------------------------------------------------

    def start_of_line(self) -> _State | None:
        self.line += 1
        self.inside_braces = False
        self.brace_name_set = False
        try:
            self.skip_blank_tab()
        except _Eof:
            return None  # the only place where the input may end
        cur = self.cur
        if cur == ord("#"):
            return self.start_comment
        if cur == _NL:
            return self.start_of_line
        if cur == ord("{"):
            self.inside_braces = True
            self.metric = Metric()
            return self.reading_labels
        return self.reading_metric_name

    def start_comment(self) -> _State | None:
        self.skip_blank_tab()
        if self.cur == _NL:
            return self.start_of_line
        keyword = self.read_token_until_whitespace()
        if self.cur == _NL:
            return self.start_of_line
        if keyword not in (b"HELP", b"TYPE"):
            end = self.data.find(b"\n", self.pos - 1)
            if end < 0:
                self.pos = self.size
                raise _Eof
            self.cur = _NL
            self.pos = end + 1
            return self.start_of_line
        self.skip_blank_tab()
        name = self.read_name(metric=True)
        if self.cur == _NL:
            return self.start_of_line
        if self.cur not in _BLANK:
            self.error("invalid metric name in comment")
        self.set_or_create_current_mf(name)
        self.skip_blank_tab()
        if self.cur == _NL:
            return self.start_of_line
        return self.reading_help if keyword == b"HELP" else self.reading_type

    def reading_help(self) -> _State | None:
        assert self.mf is not None
        if self.mf.help is not None:
            self.error(f"second HELP line for metric name {self.mf.name!r}")
        self.mf.help = self.read_token_until_newline(True).decode("utf-8", "replace")
        return self.start_of_line

    def reading_type(self) -> _State | None:
        assert self.mf is not None
        if self.mf.type is not None:
            self.error(f"second TYPE line for metric name {self.mf.name!r}, or TYPE reported after samples")
        word = self.read_token_until_newline(False).decode("utf-8", "replace")
        kind = _TYPE_WORDS.get(word.upper())
        if kind is None:
            self.error(f"unknown metric type {word!r}")
        self.mf.type = kind
        return self.start_of_line

    def reading_metric_name(self) -> _State | None:
        name = self.read_name(metric=True)
        if not name:
            self.error("invalid metric name")
        self.set_or_create_current_mf(name)
        assert self.mf is not None
        if self.mf.type is None:
            self.mf.type = UNTYPED
        self.metric = Metric()
        self.skip_blank_tab_if_current_blank_tab()
        return self.reading_labels

    def _reset_complex_labels(self) -> None:
        if self._type() in (SUMMARY, HISTOGRAM):
            assert self.mf is not None
            self.current_labels = {"__name__": self.mf.name}
            self.quantile = math.nan
            self.bucket = math.nan

    def reading_labels(self) -> _State | None:
        self._reset_complex_labels()
        if self.cur != ord("{"):
            return self.reading_value
        return self.start_label_name

    def _brace_metric_name(self, raw: bytes) -> None:
        """A bare term inside `{...}` at the start of a line names the metric."""
        self.set_or_create_current_mf(raw)
        assert self.mf is not None
        # As for a name before the braces; Go leaves the type unset (read as counter).
        if self.mf.type is None:
            self.mf.type = UNTYPED
        self.brace_name_set = True
        self.metric = Metric()
        self._reset_complex_labels()
        for name, value in self.current_label:
            if value is not None and not self._is_special_label(name):
                self.current_labels[name] = value

    def _close_labels(self) -> None:
        if self.mf is None or (self.inside_braces and not self.brace_name_set):
            self.error("invalid metric name")
        assert self.metric is not None
        self.metric.labels.extend((name, value) for name, value in self.current_label)
        self.current_label = []

    def _is_special_label(self, name: str) -> bool:
        kind = self._type()
        return (kind == SUMMARY and name == "quantile") or (kind == HISTOGRAM and name == "le")

    def start_label_name(self) -> _State | None:
        self.skip_blank_tab()
        if self.cur == ord("}"):
            self._close_labels()
            self.skip_blank_tab()
            return self.reading_value
        raw = self.read_name(metric=False)
        if not raw:
            self.error(f"invalid label name for metric {self._mf_name()!r}")
        self.skip_blank_tab_if_current_blank_tab()
        if self.cur != ord("="):
            if self.inside_braces:
                if self.cur == ord(","):
                    self._brace_metric_name(raw)
                    return self.start_label_name
                if self.cur == ord("}"):
                    self._brace_metric_name(raw)
                    self._close_labels()
                    self.skip_blank_tab()
                    return self.reading_value
                self.error(f"unexpected end of metric value {chr(self.cur)!r}")
            self.current_label = []
            self.error(f"expected '=' after label name, found {chr(self.cur)!r}")
        name = raw.decode("utf-8", "replace")
        if not _LEGACY_LABEL_NAME.match(name):
            self.error(f"invalid label name {name!r}")
        if name == "__name__":
            self.error('label name "__name__" is reserved')
        pair = [name, None]
        self.label_pair = pair
        if not self._is_special_label(name):
            self.current_label.append(pair)
        names = [p[0] for p in self.current_label]
        if len(set(names)) != len(names):
            self.current_label = []
            self.error(f"duplicate label names for metric {self._mf_name()!r}")
        return self.start_label_value

    def _mf_name(self) -> str:
        return self.mf.name if self.mf is not None else ""

    def start_label_value(self) -> _State | None:
        self.skip_blank_tab()
        if self.cur != _QUOTE:
            self.error(f"expected '\"' at start of label value, found {chr(self.cur)!r}")
        raw = self.read_label_value()
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.error(f"invalid label value {_q(raw)}")
        pair = self.label_pair
        assert pair is not None
        pair[1] = value
        name = pair[0]
        kind = self._type()
        if kind == SUMMARY:
            if name == "quantile":
                quantile = parse_go_float(raw)
                if quantile is None:
                    self.current_label = []
                    self.error(f"expected float as value for 'quantile' label, got {value!r}")
                self.quantile = quantile
            else:
                self.current_labels[name] = value
        elif kind == HISTOGRAM:
            if name == "le":
                bucket = parse_go_float(raw)
                if bucket is None:
                    self.error(f"expected float as value for 'le' label, got {value!r}")
                self.bucket = bucket
            else:
                self.current_labels[name] = value
        self.skip_blank_tab()
        if self.cur == ord(","):
            return self.start_label_name
        if self.cur == ord("}"):
            self._close_labels()
            self.skip_blank_tab()
            return self.reading_value
        self.current_label = []
        self.error(f"unexpected end of label value {value!r}")
        return None

    def reading_value(self) -> _State | None:
        mf = self.mf
        if mf is None:
            self.error("invalid metric name")
        assert mf is not None and self.metric is not None
        kind = mf.effective_type
        if kind in (SUMMARY, HISTOGRAM):
            known = self.summaries if kind == SUMMARY else self.histograms
            signature = frozenset(self.current_labels.items())
            existing = known.get(signature)
            if existing is not None:
                self.metric = existing
            else:
                known[signature] = self.metric
                mf.metrics.append(self.metric)
        else:
            mf.metrics.append(self.metric)
        metric = self.metric
        token = self.read_token_until_whitespace()
        value = parse_go_float(token)
        if value is None:
            self.error(f"expected float as value, got {_q(token)}")
        assert value is not None
        if kind in (COUNTER, GAUGE, UNTYPED):
            metric.value = value
        elif kind == SUMMARY:
            metric.complex = True
            if self.is_summary_count:
                metric.count = go_uint64(value)
            elif self.is_summary_sum:
                metric.sum = value
            elif not math.isnan(self.quantile):
                metric.quantiles.append((self.quantile, value))
        elif kind == HISTOGRAM:
            metric.complex = True
            if self.is_histogram_count:
                metric.count = go_uint64(value)
            elif self.is_histogram_sum:
                metric.sum = value
            elif not math.isnan(self.bucket):
                metric.buckets.append((self.bucket, go_uint64(value)))
        else:
            # Go records this error and then loses it on the next line; node_exporter
            # would then panic converting the family. Refusing the file is the sane part.
            self.error(f"unexpected type for metric name {mf.name!r}")
        if self.cur == _NL:
            return self.start_of_line
        return self.start_timestamp

    def start_timestamp(self) -> _State | None:
        self.skip_blank_tab()
        token = self.read_token_until_whitespace()
        timestamp = _parse_timestamp(token)
        if timestamp is None:
            self.error(f"expected integer as timestamp, got {_q(token)}")
        assert self.metric is not None
        self.metric.timestamp_ms = timestamp
        rest = self.read_token_until_newline(False)
        if rest:
            self.error(f"spurious string after timestamp: {_q(rest)}")
        return self.start_of_line


def _q(raw: bytes) -> str:
    return repr(raw.decode("utf-8", "replace"))


def _has_suffix(name: str, suffix: str) -> bool:
    return len(name) > len(suffix) and name.endswith(suffix)


def _strip_suffix(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if _has_suffix(name, suffix):
            return name[: -len(suffix)]
    return name


def parse_text_format(data: bytes) -> list[Family]:
    """The metric families of a text-format document, in order of first mention.

    Families mentioned only in comments (no samples) are left out, as expfmt does.
    Raises ParseError with expfmt's message and line number on any error.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ParseError(f"text format input must be bytes, not {type(data).__name__}")
    return _TextParser(bytes(data)).parse()
