"""JSON decoded into typed records the way Go's encoding/json fills a struct.

node_exporter's qdisc and wifi collectors read their end-to-end fixtures with
json.Unmarshal into Go structs. The rules that matter for the same output:
object keys match field names exactly or else case-insensitively; unknown
keys are ignored; null leaves a field at its zero value; an integer field
takes only an integer literal within its range; a byte slice is a base64
string (or an array of bytes). Where Go reports an error (a value of the wrong
type, invalid JSON), these functions raise ParseError, and nothing else.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from pyexporter.errors import ParseError

#: Field kinds: Go integer types by (minimum, maximum), "string" and "bytes".
INT_RANGES: dict[str, tuple[int, int]] = {
    "int": (-(1 << 63), (1 << 63) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
    "uint8": (0, 255),
    "uint32": (0, (1 << 32) - 1),
    "uint64": (0, (1 << 64) - 1),
}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _Float(str):
    """A JSON number literal with a fraction or exponent; no Go integer field takes it."""


def _reject_constant(name: str) -> Any:
    raise ParseError(f"invalid JSON literal {name}")


def loads(data: bytes) -> Any:
    """Parse JSON as Go's decoder accepts it (no NaN/Infinity; invalid UTF-8 becomes U+FFFD)."""
    text = data.decode("utf-8", "replace")
    try:
        return json.loads(text, parse_float=_Float, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"invalid JSON: {exc}") from None


def _string(value: Any, name: str) -> str:
    if not isinstance(value, str) or isinstance(value, _Float):
        raise ParseError(f"JSON field {name}: string expected")
    # json.loads keeps unpaired \\ud800-style escapes; Go turns them into U+FFFD.
    return _LONE_SURROGATE.sub("\ufffd", value)


def _integer(value: Any, kind: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParseError(f"JSON field {name}: integer expected")
    low, high = INT_RANGES[kind]
    if not low <= value <= high:
        raise ParseError(f"JSON field {name}: {value} out of range for {kind}")
    return value


def _bytes(value: Any, name: str) -> bytes:
    if isinstance(value, list):
        # An array of numbers fills a byte slice element by element (null is 0).
        return bytes(0 if item is None else _integer(item, "uint8", name) for item in value)
    text = _string(value, name)
    try:
        # base64.StdEncoding: padding required; Go's decoder skips newlines.
        return base64.b64decode(text.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        raise ParseError(f"JSON field {name}: invalid base64") from None


def decode_struct(value: Any, fields: Mapping[str, str]) -> dict[str, Any]:
    """A JSON object as a Go struct with the given {field name: kind}; zero values for the rest."""
    out: dict[str, Any] = {name: _zero(kind) for name, kind in fields.items()}
    if value is None:
        return out
    if not isinstance(value, dict):
        raise ParseError("JSON object expected")
    folded = {name.lower(): name for name in fields}
    for key, item in value.items():
        name = key if key in fields else folded.get(key.lower())
        if name is None or item is None:
            continue
        kind = fields[name]
        if kind == "string":
            out[name] = _string(item, name)
        elif kind == "bytes":
            out[name] = _bytes(item, name)
        else:
            out[name] = _integer(item, kind, name)
    return out


def decode_struct_list(value: Any, fields: Mapping[str, str], *,
                       pointers: bool = False) -> list[dict[str, Any]]:
    """A JSON array of objects as a Go slice of structs (null is an empty slice).

    A null element of a slice of pointers is a nil pointer, which node_exporter
    dereferences and crashes on; it is refused here.
    """
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError("JSON array expected")
    if pointers and any(item is None for item in value):
        raise ParseError("null element in JSON array")
    return [decode_struct(item, fields) for item in value]


def _zero(kind: str) -> Any:
    if kind == "string":
        return ""
    if kind == "bytes":
        return b""
    return 0
