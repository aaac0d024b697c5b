"""Exposition: metric families to the bytes node_exporter would send.

Text format 0.0.4 and OpenMetrics 1.0.0, written as client_golang's expfmt
writes them (float formatting, escaping, label order), so that a diff against
node_exporter's output shows only real differences.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Iterator

from pyexporter.golang.strconv import format_go_float
from pyexporter.metrics import COUNTER, HISTOGRAM, SUMMARY, UNTYPED, MetricFamily

TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"

_INF = math.inf


def _format_openmetrics_float(value: float) -> str:
    if value.is_integer() and -1e6 < value < 1e6:
        return f"{int(value)}.0"
    text = format_go_float(value)
    if value != value or value in (_INF, -_INF):
        return text
    if "e" not in text and "." not in text:
        return text + ".0"
    return text


def escape_label_value(value: str) -> str:
    if "\\" in value or '"' in value or "\n" in value:
        return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return value


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _label_block(labels: tuple[tuple[str, str], ...]) -> str:
    if not labels:
        return ""
    if len(labels) == 1:
        ((key, value),) = labels
        if "\\" in value or '"' in value or "\n" in value:
            value = escape_label_value(value)
        return f'{{{key}="{value}"}}'
    return "{" + ",".join([f'{k}="{escape_label_value(v)}"' for k, v in labels]) + "}"


def _text_lines(fam: MetricFamily) -> bytes:
    """One family in the text format."""
    fmt = format_go_float
    block = _label_block
    lines = [f"# HELP {fam.name} {_escape_help(fam.help)}\n# TYPE {fam.name} {fam.type}\n"]
    lines += [f"{name}{block(labels)} {fmt(value)}\n" if labels else f"{name} {fmt(value)}\n"
              for name, labels, value in fam.samples]
    return "".join(lines).encode("utf-8")


def iter_text(families: Iterable[MetricFamily]) -> Iterator[bytes]:
    """Prometheus text format 0.0.4, one chunk per family (no body-sized intermediate text)."""
    for fam in families:
        if fam.samples:
            yield _text_lines(fam)


def render_text(families: Iterable[MetricFamily]) -> bytes:
    """Prometheus text format 0.0.4."""
    return b"".join(iter_text(families))


def _openmetrics_lines(fam: MetricFamily) -> bytes:
    name = fam.name
    mtype = fam.type
    rename_total = False
    if mtype == COUNTER:
        if name.endswith("_total"):
            name = name[:-6]
        else:
            rename_total = True
    elif mtype == UNTYPED:
        mtype = "unknown"
    help_text = _escape_help(fam.help).replace('"', '\\"')
    fmt = _format_openmetrics_float
    block = _label_block
    lines = [f"# HELP {name} {help_text}\n# TYPE {name} {mtype}\n"]
    if mtype in (HISTOGRAM, SUMMARY):
        for sname, labels, value in fam.samples:
            if labels:
                labels = tuple(
                    (k, _format_openmetrics_float(float(v)) if k in ("le", "quantile") and _is_float(v)
                     else v) for k, v in labels
                )
            lines.append(f"{sname}{block(labels)} {fmt(value)}\n")
    elif rename_total:
        base, total = fam.name, fam.name + "_total"
        lines += [f"{total if sname == base else sname}{block(labels)} {fmt(value)}\n"
                  for sname, labels, value in fam.samples]
    else:
        lines += [f"{sname}{block(labels)} {fmt(value)}\n" for sname, labels, value in fam.samples]
    return "".join(lines).encode("utf-8")


def iter_openmetrics(families: Iterable[MetricFamily], *, eof: bool = True) -> Iterator[bytes]:
    """OpenMetrics 1.0.0, one chunk per family."""
    for fam in families:
        if fam.samples:
            yield _openmetrics_lines(fam)
    if eof:
        yield b"# EOF\n"


def render_openmetrics(families: Iterable[MetricFamily], *, eof: bool = True) -> bytes:
    """OpenMetrics 1.0.0 as client_golang writes it (counters carry `_total`, untyped is `unknown`)."""
    return b"".join(iter_openmetrics(families, eof=eof))


def gzip_chunks(chunks: Iterable[bytes], level: int) -> bytes:
    """A gzip member of the concatenated chunks, compressed as they come."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [compressor.compress(chunk) for chunk in chunks]
    out.append(compressor.flush())
    return b"".join(out)


def encode(families: Iterable[MetricFamily], fmt: str, gzip_level: int | None = None) -> bytes:
    """A whole response body in `fmt` ("text" or "openmetrics"), gzip-compressed when a level is given.

    Compressed bodies are built family by family: the uncompressed body never
    exists whole, which keeps the peak memory of a big scrape down.
    """
    chunks = iter_openmetrics(families) if fmt == "openmetrics" else iter_text(families)
    if gzip_level is None:
        return b"".join(chunks)
    return gzip_chunks(chunks, gzip_level)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def negotiate(accept: str | None) -> str:
    """'openmetrics' or 'text' for an Accept header, as expfmt.Negotiate chooses."""
    if not accept:
        return "text"
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        params = {}
        for field in fields[1:]:
            key, _, val = field.partition("=")
            params[key.strip().lower()] = val.strip().strip('"')
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            q = 0.0
        if q <= 0:
            continue
        if media == "application/openmetrics-text" and params.get("version", "1.0.0") in ("1.0.0", "0.0.1"):
            ranked.append((q, index, "openmetrics"))
        elif media == "text/plain" and params.get("version", "0.0.4") == "0.0.4":
            ranked.append((q, index, "text"))
    if not ranked:
        return "text"
    ranked.sort(key=lambda r: (-r[0], r[1]))
    return ranked[0][2]
