"""textfile: metrics that other programs write into *.prom files.

Every --collector.textfile.directory (repeatable; each a Go glob, taken
literally when it matches nothing) is listed, and each *.prom file in it is
parsed as the Prometheus text format (pyexporter.textformat, a port of the
parser node_exporter uses). node_textfile_mtime_seconds{file} reports each
file read; node_textfile_scrape_error is 1 when a directory could not be
listed or a file could not be read, parsed or accepted.

A file contributes all its samples or none: a parse error, a client-side
timestamp or a reserved label name drops the whole file while the others are
served. Families of one name from several files merge as node_exporter's
collector and client_golang's registry merge them: the first file's HELP
wins and a later file with another HELP is dropped (an error), a file without
HELP gets "Metric read from <files>", label sets are padded with empty values
within each file, and a family whose type, HELP or label set clashes with one
already gathered is dropped, as the registry drops it.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field

from pyexporter import fs
from pyexporter.errors import ParseError
from pyexporter.golang.filepath import BadPattern, go_glob, go_join
from pyexporter.golang.strconv import format_go_float
from pyexporter.metrics import GAUGE, HISTOGRAM, SUMMARY, MetricFamily, Sample, gauge
from pyexporter.registry import Collector, Flag, register
from pyexporter.settings import Settings
from pyexporter.textformat import Family, parse_text_format

log = logging.getLogger("pyexporter.collector.textfile")

SCRAPE_ERROR_NAME = "node_textfile_scrape_error"
SCRAPE_ERROR_HELP = "1 if there was an error opening or reading a file, 0 otherwise"

LabelPairs = tuple[tuple[str, str], ...]


# -- node_exporter's conversion and client_golang's gathering -------------------------------


@dataclass(slots=True)
class _Const:
    """One metric as node_exporter hands it to the registry (a const metric/summary/histogram)."""

    name: str
    help: str
    type: str
    labels: LabelPairs
    value: float = 0.0
    count: int = 0
    sum: float = 0.0
    #: Quantiles or buckets, keyed by their bound (a later line of one bound wins).
    parts: dict[float, float] = field(default_factory=dict)


def convert_family(family: Family, help_text: str) -> list[_Const]:
    """convertMetricFamily: one const metric per metric, label sets padded with ""."""
    all_names: set[str] = set()
    for metric in family.metrics:
        all_names.update(name for name, _ in metric.labels)
    kind = family.effective_type
    out = []
    for metric in family.metrics:
        labels = dict(metric.labels)
        for name in all_names:
            labels.setdefault(name, "")
        const = _Const(family.name, help_text, kind, tuple(sorted(labels.items())))
        if kind == SUMMARY:
            const.count, const.sum = metric.count, metric.sum
            const.parts = {q: v for q, v in metric.quantiles}
        elif kind == HISTOGRAM:
            const.count, const.sum = metric.count, metric.sum
            const.parts = {bound: float(count) for bound, count in metric.buckets}
        else:
            const.value = metric.value if metric.value is not None else 0.0
        out.append(const)
    return out


_SUFFIXES = ("_count", "_sum", "_bucket")


def _suffix_collision(name: str, kind: str, gathered: dict[str, _Gathered]) -> str | None:
    """client_golang's checkSuffixCollisions, within the textfile output."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            base = gathered.get(name[: -len(suffix)])
            if base is not None and (base.type == HISTOGRAM or (
                    base.type == SUMMARY and suffix != "_bucket")):
                return f"collides with {base.type} {base.name}"
            break
    if kind in (SUMMARY, HISTOGRAM):
        for suffix in ("_count", "_sum") + (("_bucket",) if kind == HISTOGRAM else ()):
            if name + suffix in gathered:
                return f"collides with {name + suffix}"
    return None


@dataclass(slots=True)
class _Gathered:
    name: str
    help: str
    type: str
    metrics: dict[LabelPairs, _Const] = field(default_factory=dict)


def gather(consts: list[_Const]) -> list[MetricFamily]:
    """The registry's Gather over the collector's metrics, in the order they were sent.

    A metric whose family was already seen with another type or HELP, a repeated
    label set, or a family name clashing with a summary/histogram's series is
    dropped and logged, as client_golang drops it (the rest is still served).
    """
    gathered: dict[str, _Gathered] = {}
    for const in consts:
        fam = gathered.get(const.name)
        if fam is None:
            clash = _suffix_collision(const.name, const.type, gathered)
            if clash is not None:
                log.error("dropped textfile metric %s: %s", const.name, clash)
                continue
            fam = gathered[const.name] = _Gathered(const.name, const.help, const.type)
        elif fam.type != const.type:
            log.error("dropped textfile metric %s: has type %s but should have %s",
                      const.name, const.type, fam.type)
            continue
        elif fam.help != const.help:
            log.error("dropped textfile metric %s: has help %r but should have %r",
                      const.name, const.help, fam.help)
            continue
        if const.labels in fam.metrics:
            log.error("dropped textfile metric %s%s: collected before with the same name and label values",
                      const.name, dict(const.labels))
            continue
        fam.metrics[const.labels] = const
    return [_render(fam) for fam in gathered.values()]


def _go_metric_order(labels: LabelPairs) -> tuple[int, tuple[str, ...]]:
    """client_golang's metric sorter: by label count, then label values in label-name order."""
    return len(labels), tuple(value for _, value in labels)


def _render(fam: _Gathered) -> MetricFamily:
    out = MetricFamily(fam.name, fam.help, fam.type)
    if fam.type not in (SUMMARY, HISTOGRAM):
        for labels, const in fam.metrics.items():
            out.samples.append(Sample(fam.name, labels, const.value))
        return out
    special = "quantile" if fam.type == SUMMARY else "le"
    for labels in sorted(fam.metrics, key=_go_metric_order):
        const = fam.metrics[labels]
        parts = sorted(const.parts.items())
        if fam.type == HISTOGRAM and not any(math.isinf(bound) and bound > 0 for bound, _ in parts):
            parts.append((math.inf, float(const.count)))
        series = f"{fam.name}_bucket" if fam.type == HISTOGRAM else fam.name
        for bound, value in parts:
            out.samples.append(Sample(series, (*labels, (special, format_go_float(bound))), value))
        out.samples.append(Sample(f"{fam.name}_sum", labels, const.sum))
        out.samples.append(Sample(f"{fam.name}_count", labels, float(const.count)))
    return out


# -- the collector ---------------------------------------------------------------------------


@dataclass(slots=True)
class _FileResult:
    mtime: float | None = None
    families: list[Family] | None = None
    error: str | None = None


def _has_timestamps(families: list[Family]) -> bool:
    return any(m.timestamp_ms is not None for f in families for m in f.metrics)


def _reserved_label(families: list[Family]) -> str | None:
    # client_golang refuses label names starting with "__" (node_exporter panics on them).
    for family in families:
        for metric in family.metrics:
            for name, _ in metric.labels:
                if name.startswith("__"):
                    return f"{family.name}: label name {name!r} is reserved"
    return None


def _go_unix_seconds(mtime_ns: int) -> float:
    """time.Time.UnixNano() / 1e9 in int64 arithmetic: truncated towards zero."""
    seconds = abs(mtime_ns) // 1_000_000_000
    return float(seconds if mtime_ns >= 0 else -seconds)


@register
class TextfileCollector(Collector):
    name = "textfile"
    flags = (
        Flag("collector.textfile.directory",
             "Directory to read text files with metrics from, supports glob matching. (repeatable)",
             ("",), "list"),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.directories: tuple[str, ...] = tuple(self.flag("collector.textfile.directory"))
        self.mtime_desc = gauge("node_textfile_mtime_seconds",
                                "Unixtime mtime of textfiles successfully read.", "file")
        #: Larger files are refused (node_exporter reads any size).
        self.max_file_bytes = fs.MAX_FILE_BYTES

    def _paths(self) -> list[str]:
        paths: list[str] = []
        for pattern in self.directories:
            try:
                matches = go_glob(pattern)
            except BadPattern:
                matches = []
            # Not a glob, or nothing matched: a single directory, read (and failed) as such.
            paths.extend(matches or [pattern])
        return paths

    def _process_file(self, path: str) -> _FileResult:
        try:
            data = fs.read_file(path, self.max_file_bytes)
        except (OSError, ParseError) as exc:
            return _FileResult(error=f"failed to open textfile data file {path!r}: {exc}")
        try:
            families = parse_text_format(data)
        except ParseError as exc:
            return _FileResult(error=f"failed to parse textfile data from {path!r}: {exc}")
        if _has_timestamps(families):
            return _FileResult(
                error=f"textfile {path!r} contains unsupported client-side timestamps, skipping entire file")
        reserved = _reserved_label(families)
        if reserved is not None:
            return _FileResult(error=f"textfile {path!r}: {reserved}, skipping entire file")
        # Only stat the file once it has been parsed and validated, so that a
        # failure does not appear fresh.
        try:
            mtime_ns = os.stat(path).st_mtime_ns
        except OSError as exc:
            return _FileResult(families=families, error=f"failed to stat {path!r}: {exc}")
        return _FileResult(mtime=_go_unix_seconds(mtime_ns), families=families)

    def collect(self) -> list[MetricFamily]:
        errored = False
        parsed: list[Family] = []
        files_of: dict[str, list[str]] = {}
        #: (first HELP, conflicting HELP) per name, as node_exporter tracks them.
        helps: dict[str, tuple[str, str]] = {}
        mtimes: dict[str, float] = {}

        for directory in self._paths():
            if not directory:
                continue  # the flag's default: no directory configured
            try:
                if not fs.is_dir(directory):
                    raise NotADirectoryError(f"{directory}: not an existing directory")
                names = fs.list_dir(directory)
            except OSError as exc:
                errored = True
                log.error("failed to read textfile collector directory", extra={
                    "path": directory, "err": str(exc)})
                continue
            for name in names:
                if not name.endswith(".prom"):
                    continue
                path = go_join(directory, name)
                result = self._process_file(path)
                for family in result.families or ():
                    seen = helps.get(family.name)
                    if seen is not None and (
                            (family.help is not None and seen[0] != family.help) or seen[1] != ""):
                        # A later file of another HELP is dropped, and once two HELPs
                        # clashed every later file of that name is.
                        helps[family.name] = (seen[0], family.help if family.help is not None else seen[1])
                        errored = True
                        log.error("inconsistent metric help text", extra={
                            "metric": family.name, "original_help_text": seen[0],
                            "new_help_text": family.help, "file": files_of[family.name][0]})
                        continue
                    if family.help is not None:
                        helps[family.name] = (family.help, "")
                    files_of.setdefault(family.name, []).append(path)
                    parsed.append(family)
                if result.error is not None:
                    errored = True
                    log.error("failed to collect textfile data", extra={"file": name, "err": result.error})
                    continue
                assert result.mtime is not None
                mtimes[path] = result.mtime

        consts: list[_Const] = []
        default_help: dict[str, str] = {}
        for family in parsed:
            help_text = family.help
            if help_text is None:
                help_text = default_help.get(family.name)
                if help_text is None:
                    help_text = f"Metric read from {', '.join(files_of[family.name])}"
                    default_help[family.name] = help_text
            consts.extend(convert_family(family, help_text))
        for path in sorted(mtimes):
            consts.append(_Const(self.mtime_desc.name, self.mtime_desc.help, GAUGE, (("file", path),),
                                 mtimes[path]))
        consts.append(_Const(SCRAPE_ERROR_NAME, SCRAPE_ERROR_HELP, GAUGE, (), 1.0 if errored else 0.0))
        return gather(consts)
