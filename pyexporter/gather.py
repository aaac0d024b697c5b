"""Gathering: the families collectors produced, merged as client_golang's Registry.Gather merges them.

node_exporter serves what its registry gathers, with promhttp's ContinueOnError: a metric that
breaks a rule is dropped and logged, the rest is served. The rules, applied in the order the
families were produced:

- families of one name merge into one; the first one's HELP and TYPE stand, and a later one with
  another TYPE or HELP is dropped;
- a new name that collides with the series of a summary or histogram gathered before (`x_sum`,
  `x_count`, `x_bucket` beside `x`), or a summary or histogram whose series collide with a name
  gathered before, is dropped (checkSuffixCollisions);
- a series (name and label values) that repeats an earlier one is dropped, the first one served: a
  duplicate would make Prometheus reject the whole scrape. For summaries and histograms the unit
  is the metric (its quantiles or buckets, sum and count).

Families without samples take no part (client_golang knows a family only by its metrics). Every
drop is logged once per family and reason (series: once per series): the clash repeats on every
scrape. Families come out sorted by name, samples in client_golang's order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from itertools import islice
from operator import eq, itemgetter

from pyexporter.metrics import HISTOGRAM, SUMMARY, LabelPairs, MetricFamily, Sample

log = logging.getLogger(__name__)

#: The label that tells a summary's quantiles and a histogram's buckets apart within one metric.
_METRIC_PART_LABEL = {SUMMARY: "quantile", HISTOGRAM: "le"}


class _Gathered:
    """One family being gathered: the first family of its name, then the samples of every later one."""

    __slots__ = ("family", "metrics")

    def __init__(self, first: MetricFamily) -> None:
        self.family = MetricFamily(first.name, first.help, first.type, first.label_names)
        #: Summaries and histograms: each metric's samples by its labels (without quantile/le).
        self.metrics: dict[LabelPairs, list[Sample]] | None = None
        if first.type in _METRIC_PART_LABEL:
            self.metrics = {}
            self.add_metrics(first)
        else:
            self.family.samples = list(first.samples)

    def add_metrics(self, family: MetricFamily) -> None:
        assert self.metrics is not None
        part = _METRIC_PART_LABEL[family.type]
        incoming: dict[LabelPairs, list[Sample]] = {}
        for sample in family.samples:
            key = tuple(pair for pair in sample.labels if pair[0] != part)
            incoming.setdefault(key, []).append(sample)
        for key, samples in incoming.items():
            if key in self.metrics:
                _report_duplicate(family.name, key)
                continue
            self.metrics[key] = samples

    def result(self) -> MetricFamily:
        family = self.family
        if self.metrics is not None:
            # client_golang's metric sorter: by label count, then label values in label-name order.
            order = sorted(self.metrics, key=lambda labels: (len(labels), tuple(v for _, v in labels)))
            family.samples = [sample for key in order for sample in self.metrics[key]]
            return family
        samples = family.samples
        if len(samples) > 1:
            # A stable sort: of two equal series, the one produced first stays first and is kept.
            samples.sort(key=_sort_key(samples))
            # Duplicates are rare: look for neighbours with equal keys before building a new list.
            keys = list(map(_SAMPLE_KEY, samples))
            if any(map(eq, keys, islice(keys, 1, None))):
                family.samples = _drop_duplicates(samples)
        return family


def gather(outputs: Iterable[Iterable[MetricFamily]]) -> list[MetricFamily]:
    """One family per name, sorted by name, from the collectors' families in the order produced.

    Each collector's families must be complete: a collector may fill a family after yielding it,
    so the engine drains collect() before gathering (never hand it a running generator).
    """
    by_name: dict[str, _Gathered] = {}
    for families in outputs:
        for family in families:
            if not family.samples:
                continue
            have = by_name.get(family.name)
            if have is None:
                clash = _suffix_collision(family, by_name)
                if clash is not None:
                    _report_family(family.name, clash)
                    continue
                by_name[family.name] = _Gathered(family)
            elif have.family.type != family.type:
                _report_family(family.name, f"has type {family.type} but should have {have.family.type}")
            elif have.family.help != family.help:
                _report_family(family.name, f"has help {family.help!r} but should have {have.family.help!r}")
            elif have.metrics is not None:
                have.add_metrics(family)
            else:
                have.family.samples.extend(family.samples)
    return [by_name[name].result() for name in sorted(by_name)]


def _suffix_collision(family: MetricFamily, gathered: dict[str, _Gathered]) -> str | None:
    """client_golang's checkSuffixCollisions for a name not gathered before."""
    name = family.name
    for suffix in ("_count", "_sum", "_bucket"):
        if name.endswith(suffix):
            base = gathered.get(name[: -len(suffix)])
            if base is not None and (base.family.type == HISTOGRAM
                                     or (base.family.type == SUMMARY and suffix != "_bucket")):
                return f"collides with the {base.family.type} {base.family.name} gathered before"
            break
    if family.type in _METRIC_PART_LABEL:
        for suffix in ("_count", "_sum", "_bucket") if family.type == HISTOGRAM else ("_count", "_sum"):
            if name + suffix in gathered:
                return f"collides with {name + suffix} gathered before"
    return None


#: (name, labels) of a sample: the order client_golang sorts samples in.
_SAMPLE_KEY = itemgetter(0, 1)
_NAME = itemgetter(0)
_LABELS = itemgetter(1)


def _label_value(sample: Sample) -> str:
    return sample[1][0][1]


def _sort_key(samples: list[Sample]) -> Callable[[Sample], object]:
    """A key ordering `samples` as _SAMPLE_KEY does, but cheaper to compare where the family allows.

    Comparing (name, ((label, value), ...)) goes three tuples deep for every
    comparison. Where every sample has the family's name, the labels alone
    order them; where every sample also has the same single label, its value
    does: a plain string comparison, several times faster on a big family.
    """
    if len(set(map(_NAME, samples))) != 1:
        return _SAMPLE_KEY
    label_sets = samples[0][1]
    if len(label_sets) == 1:
        label = label_sets[0][0]
        if all(len(labels) == 1 and labels[0][0] == label for labels in map(_LABELS, samples)):
            return _label_value
    return _LABELS


def _drop_duplicates(samples: list[Sample]) -> list[Sample]:
    kept: list[Sample] = []
    previous = None
    for sample in samples:
        key = (sample.name, sample.labels)
        if key == previous:
            _report_duplicate(sample.name, sample.labels)
            continue
        previous = key
        kept.append(sample)
    return kept


#: What was logged already; bounded, so names that come and go cannot make it grow for ever.
_reported: set[tuple[str, object]] = set()
_REPORTED_MAX = 10_000


def _once(key: tuple[str, object]) -> bool:
    if key in _reported or len(_reported) >= _REPORTED_MAX:
        return False
    _reported.add(key)
    return True


def _report_family(name: str, reason: str) -> None:
    if _once((name, reason)):
        log.error("dropped collected metric family %s: %s", name, reason)


def _report_duplicate(name: str, labels: LabelPairs) -> None:
    if _once((name, labels)):
        log.warning("dropped collected metric %s%s: it was collected before with the same name and label "
                    "values; the first one is served", name, dict(labels))
