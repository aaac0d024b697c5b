"""Metric families: what collectors return and the exposition writer renders.

The model follows client_golang's, because node_exporter's output is the
reference: a family has a name, HELP, TYPE and samples; every sample carries
its own name (histograms and summaries have `_bucket`, `_sum`, `_count`), its
label pairs sorted by label name (as client_golang sorts them), and a float.
"""

from __future__ import annotations

import re
from typing import NamedTuple

GAUGE = "gauge"
COUNTER = "counter"
UNTYPED = "untyped"
SUMMARY = "summary"
HISTOGRAM = "histogram"

TYPES = frozenset({GAUGE, COUNTER, UNTYPED, SUMMARY, HISTOGRAM})

NAMESPACE = "node"

LabelPairs = tuple[tuple[str, str], ...]

_INVALID_NAME_RUN = re.compile(r"_*[^0-9A-Za-z_]+_*")
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


class Sample(NamedTuple):
    name: str
    labels: LabelPairs
    value: float


def build_name(namespace: str, subsystem: str, name: str) -> str:
    """client_golang's BuildFQName: the non-empty parts joined by '_'."""
    return "_".join(part for part in (namespace, subsystem, name) if part)


def sanitize_metric_name(name: str) -> str:
    """node_exporter's SanitizeMetricName: each run of characters invalid in a metric name, with the
    underscores around it, becomes one '_'."""
    return _INVALID_NAME_RUN.sub("_", name)


#: The label pairs of one-label samples, shared: a network device's forty
#: families all label their sample with the same (("device", name),) tuple,
#: which saves two tuples per sample on a big node. Cleared when it grows past
#: _SHARED_LABELS_MAX, so label values that come and go cannot make it grow
#: without bound.
_shared_labels: dict[tuple[str, str], LabelPairs] = {}
_SHARED_LABELS_MAX = 16384
_new_tuple = tuple.__new__
_ZERO = 0.0
_ONE = 1.0


class MetricFamily:
    """One metric family with its samples."""

    __slots__ = ("_order", "_sorted_names", "help", "label_names", "name", "samples", "type")

    def __init__(
        self,
        name: str,
        help: str,
        type: str = GAUGE,
        label_names: tuple[str, ...] = (),
        *,
        _order: tuple[int, ...] | None = None,
    ) -> None:
        self.name = name
        self.help = help
        self.type = type
        self.label_names = tuple(label_names)
        if _order is None:
            _order = tuple(sorted(range(len(self.label_names)), key=self.label_names.__getitem__))
        self._order = _order
        self._sorted_names = tuple(self.label_names[i] for i in _order)
        self.samples: list[Sample] = []

    def add(self, value: float, *label_values: str) -> MetricFamily:
        """Add a sample named like the family, with values for the family's label names."""
        names = self._sorted_names
        count = len(names)
        if len(label_values) != count:
            raise ValueError(
                f"{self.name}: {count} label values expected, got {len(label_values)}"
            )
        if count == 1:
            pair = (names[0], label_values[0])
            pairs = _shared_labels.get(pair)
            if pairs is None:
                if len(_shared_labels) >= _SHARED_LABELS_MAX:
                    _shared_labels.clear()
                pairs = _shared_labels[pair] = (pair,)
        elif count == 0:
            pairs = ()
        else:
            pairs = tuple(zip(names, map(label_values.__getitem__, self._order), strict=True))
        # Half of a big node's samples are 0 or 1: one float object each serves them all.
        value = _ZERO if value == 0 else _ONE if value == 1 else float(value)
        # tuple.__new__ is what Sample(...) calls, without the Python-level __new__ in between.
        self.samples.append(_new_tuple(Sample, (self.name, pairs, value)))
        return self

    def add_sample(self, name: str, labels: dict[str, str] | LabelPairs, value: float) -> MetricFamily:
        """Add a sample with any name and labels (histograms, summaries, textfile input)."""
        items = labels.items() if isinstance(labels, dict) else labels
        self.samples.append(Sample(name, tuple(sorted(items)), float(value)))
        return self

    def __repr__(self) -> str:
        return f"MetricFamily({self.name!r}, {self.type}, {len(self.samples)} samples)"


class Desc:
    """A family template built once per collector: name, HELP, TYPE and label names.

    Mirrors prometheus.NewDesc: collectors build their descriptors in __init__
    and call `family()` (or `one()`) in every collect().
    """

    __slots__ = ("_order", "help", "label_names", "name", "type")

    def __init__(self, name: str, help: str, type: str = GAUGE, label_names: tuple[str, ...] = ()) -> None:
        self.name = name
        self.help = help
        self.type = type
        self.label_names = tuple(label_names)
        self._order = tuple(sorted(range(len(self.label_names)), key=self.label_names.__getitem__))

    def family(self) -> MetricFamily:
        return MetricFamily(self.name, self.help, self.type, self.label_names, _order=self._order)

    def one(self, value: float, *label_values: str) -> MetricFamily:
        """A family holding one sample."""
        return self.family().add(value, *label_values)


def gauge(name: str, help: str, *label_names: str) -> Desc:
    return Desc(name, help, GAUGE, label_names)


def counter(name: str, help: str, *label_names: str) -> Desc:
    return Desc(name, help, COUNTER, label_names)


def untyped(name: str, help: str, *label_names: str) -> Desc:
    return Desc(name, help, UNTYPED, label_names)


class Families(dict[str, MetricFamily]):
    """The families of one collect(), by name, each made on first use: the one idiom for that.

    For collectors whose families depend on what they find (a family only
    when some device has the value): `of(desc)` is the family to add to;
    `named(...)` where the name itself is found at collect time (a sensor
    type, a RAPL zone). The first call for a name decides its HELP and TYPE.
    """

    def of(self, desc: Desc) -> MetricFamily:
        family = self.get(desc.name)
        if family is None:
            family = self[desc.name] = desc.family()
        return family

    def named(self, name: str, help: str, type: str = GAUGE,
              label_names: tuple[str, ...] = ()) -> MetricFamily:
        family = self.get(name)
        if family is None:
            family = self[name] = MetricFamily(name, help, type, label_names)
        return family


def _encodable(text: str) -> bool:
    """Whether the text is valid UTF-8 once encoded (a str may hold lone surrogates)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def family_problem(family: object) -> str | None:
    """What would make `family` break an exposition, or None: for output the engine does not trust.

    client_golang refuses such metrics when they are made (NewDesc, NewConstMetric); here a family
    is built freely, so the engine checks what a plugin's collector yields before gathering it: an
    invalid name, a label name twice or out of order, a value that is not a float, text that is
    not UTF-8 would make Prometheus reject the whole scrape or the exposition fail.
    """
    if not isinstance(family, MetricFamily):
        return f"{family!r} is not a MetricFamily"
    name = family.name
    if not isinstance(name, str) or not _METRIC_NAME.fullmatch(name):
        return f"invalid metric name {name!r}"
    if family.type not in TYPES:
        return f"{name}: invalid type {family.type!r}"
    if not isinstance(family.help, str) or not _encodable(family.help):
        return f"{name}: HELP is not UTF-8 text"
    if not isinstance(family.samples, list):
        return f"{name}: samples is not a list"
    for sample in family.samples:
        if not (isinstance(sample, tuple) and len(sample) == 3):
            return f"{name}: {sample!r} is not a Sample"
        sample_name, labels, value = sample
        if not isinstance(sample_name, str) or not _METRIC_NAME.fullmatch(sample_name):
            return f"{name}: invalid sample name {sample_name!r}"
        if not isinstance(value, float):
            return f"{name}: value {value!r} is not a float"
        if not isinstance(labels, tuple):
            return f"{name}: labels {labels!r} are not label pairs"
        previous = ""
        for pair in labels:
            if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)
                    and isinstance(pair[1], str)):
                return f"{name}: {pair!r} is not a (name, value) pair of text"
            label, label_value = pair
            if not _LABEL_NAME.fullmatch(label) or label.startswith("__"):
                return f"{name}: invalid label name {label!r}"
            if label <= previous:
                return f"{name}: label {label!r} repeated or out of order"
            if not _encodable(label_value):
                return f"{name}: label {label} is not UTF-8 text"
            previous = label
    return None
