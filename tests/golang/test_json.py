"""encoding/json into Go structs (pyexporter.golang.json), as tables of cases."""

import pytest

from pyexporter.errors import ParseError
from pyexporter.golang import json as go_json


@pytest.mark.parametrize(("data", "fields", "expected"), [
    (b'{"A": 1, "a": 2}', {"A": "int"}, {"A": 2}),
    (b'{"name": "\\ud800x"}', {"Name": "string"}, {"Name": "\ufffdx"}),
    (b'{"Mac": "AQID"}', {"Mac": "bytes"}, {"Mac": b"\x01\x02\x03"}),
    (b'{"Mac": [1, null, 255]}', {"Mac": "bytes"}, {"Mac": b"\x01\x00\xff"}),
    (b'{"Mac": null, "other": {"deep": [1]}}', {"Mac": "bytes"}, {"Mac": b""}),
    (b'{"N": -9223372036854775808}', {"N": "int64"}, {"N": -(1 << 63)}),
])
def test_go_json_decode_struct(data, fields, expected):
    assert go_json.decode_struct(go_json.loads(data), fields) == expected


@pytest.mark.parametrize(("data", "fields"), [
    (b'{"Mac": "not base64!"}', {"Mac": "bytes"}), (b'{"Mac": [256]}', {"Mac": "bytes"}),
    (b'{"N": 1e3}', {"N": "int"}), (b'{"N": true}', {"N": "int"}),
    (b'{"N": 9223372036854775808}', {"N": "int"}),
    (b'{"S": 1}', {"S": "string"}), (b"[]", {"S": "string"}), (b'{"S": "x"', {"S": "string"}),
    (b"\xff\xfe", {"S": "string"}), (b'{"N": Infinity}', {"N": "int"}),
])
def test_go_json_rejects(data, fields):
    with pytest.raises(ParseError):
        go_json.decode_struct(go_json.loads(data), fields)
