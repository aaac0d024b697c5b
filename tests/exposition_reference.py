"""The exposition writer as it was before it was optimised, kept as the reference.

tests/test_exposition_identity.py checks that pyexporter.exposition writes the
same bytes as this, on the conformance tree, on a big synthetic tree and on
generated values. Do not optimise this module: its worth is being unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from pyexporter.metrics import COUNTER, HISTOGRAM, SUMMARY, UNTYPED, MetricFamily

_INF = math.inf


def format_go_float(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, 64), as client_golang's text writer formats samples."""
    if value != value:
        return "NaN"
    if value == _INF:
        return "+Inf"
    if value == -_INF:
        return "-Inf"
    if value.is_integer() and -1e6 < value < 1e6:
        return str(int(value))
    text = repr(value)
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    if "e" in text:
        mantissa, exp_text = text.split("e")
        exponent = int(exp_text)
        digits = mantissa.replace(".", "")
    else:
        int_part, _, frac = text.partition(".")
        if frac == "0":
            frac = ""
        if int_part != "0":
            exponent = len(int_part) - 1
            digits = (int_part + frac).rstrip("0")
        else:
            stripped = frac.lstrip("0")
            exponent = -(len(frac) - len(stripped)) - 1
            digits = stripped
    # strconv's 'g' with the shortest precision switches to %e exactly when the
    # decimal exponent is < -4 or >= 6 (eprec is forced to 6 for shortest).
    digits = digits.rstrip("0") or "0"
    if exponent < -4 or exponent >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        esign = "-" if exponent < 0 else "+"
        return f"{sign}{mant}e{esign}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    if len(digits) <= exponent + 1:
        return sign + digits + "0" * (exponent + 1 - len(digits))
    return f"{sign}{digits[: exponent + 1]}.{digits[exponent + 1:]}"


def _format_openmetrics_float(value: float) -> str:
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
    return "{" + ",".join(f'{k}="{escape_label_value(v)}"' for k, v in labels) + "}"


def render_text(families: Iterable[MetricFamily]) -> bytes:
    """Prometheus text format 0.0.4."""
    out: list[str] = []
    append = out.append
    fmt = format_go_float
    for fam in families:
        if not fam.samples:
            continue
        append(f"# HELP {fam.name} {_escape_help(fam.help)}\n# TYPE {fam.name} {fam.type}\n")
        for name, labels, value in fam.samples:
            append(f"{name}{_label_block(labels)} {fmt(value)}\n")
    return "".join(out).encode("utf-8")


def render_openmetrics(families: Iterable[MetricFamily], *, eof: bool = True) -> bytes:
    """OpenMetrics 1.0.0 as client_golang writes it (counters carry `_total`, untyped is `unknown`)."""
    out: list[str] = []
    append = out.append
    fmt = _format_openmetrics_float
    for fam in families:
        if not fam.samples:
            continue
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
        append(f"# HELP {name} {help_text}\n# TYPE {name} {mtype}\n")
        for sname, labels, value in fam.samples:
            if rename_total and sname == fam.name:
                sname = sname + "_total"
            if mtype in (HISTOGRAM, SUMMARY) and labels:
                labels = tuple(
                    (k, _format_openmetrics_float(float(v)) if k in ("le", "quantile") and _is_float(v)
                     else v) for k, v in labels
                )
            append(f"{sname}{_label_block(labels)} {fmt(value)}\n")
    if eof:
        append("# EOF\n")
    return "".join(out).encode("utf-8")


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
