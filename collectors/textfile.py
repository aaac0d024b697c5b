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
within each file, and a family whose type or HELP clashes with one already
gathered, or a repeated series, is dropped as the registry drops it (by
pyexporter.gather, with the other collectors' families).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass

from pyexporter import fs
from pyexporter.errors import ParseError
from pyexporter.flags import ListFlag
from pyexporter.golang.filepath import BadPattern, go_glob, go_join
from pyexporter.golang.strconv import format_go_float
from pyexporter.metrics import HISTOGRAM, SUMMARY, LabelPairs, MetricFamily, Sample, gauge
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings
from pyexporter.textformat import Family, Metric, parse_text_format

log = logging.getLogger(__name__)


# -- node_exporter's conversion ---------------------------------------------------------------


def _metric_parts(metric: Metric, kind: str) -> dict[float, float]:
    """A summary's quantiles or a histogram's buckets by their bound (a later line of one bound wins)."""
    if kind == SUMMARY:
        return {q: v for q, v in metric.quantiles}
    return {bound: float(count) for bound, count in metric.buckets}


def convert_family(family: Family, help_text: str) -> MetricFamily:
    """convertMetricFamily: one const metric per metric, label sets padded with "".

    Summaries and histograms are written as client_golang writes const ones: quantiles or buckets
    in order of their bound (a histogram gets the +Inf bucket it lacks), then sum and count.
    """
    all_names: set[str] = set()
    for metric in family.metrics:
        all_names.update(name for name, _ in metric.labels)
    kind = family.effective_type
    out = MetricFamily(family.name, help_text, kind)
    special = "quantile" if kind == SUMMARY else "le"
    for metric in family.metrics:
        labels = dict(metric.labels)
        for name in all_names:
            labels.setdefault(name, "")
        pairs: LabelPairs = tuple(sorted(labels.items()))
        if kind not in (SUMMARY, HISTOGRAM):
            out.samples.append(Sample(family.name, pairs, metric.value if metric.value is not None else 0.0))
            continue
        parts = sorted(_metric_parts(metric, kind).items())
        if kind == HISTOGRAM and not any(math.isinf(bound) and bound > 0 for bound, _ in parts):
            parts.append((math.inf, float(metric.count)))
        series = f"{family.name}_bucket" if kind == HISTOGRAM else family.name
        for bound, value in parts:
            out.samples.append(Sample(series, (*pairs, (special, format_go_float(bound))), value))
        out.samples.append(Sample(f"{family.name}_sum", pairs, metric.sum))
        out.samples.append(Sample(f"{family.name}_count", pairs, float(metric.count)))
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


DIRECTORY = ListFlag(
    "collector.textfile.directory",
    "Directory to read text files with metrics from, supports glob matching. (repeatable)", ("",))


@register
class TextfileCollector(Collector):
    name = "textfile"
    flags = (DIRECTORY,)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.directories = settings[DIRECTORY]
        self.mtime_desc = gauge("node_textfile_mtime_seconds",
                                "Unixtime mtime of textfiles successfully read.", "file")
        self.scrape_error_desc = gauge(
            "node_textfile_scrape_error", "1 if there was an error opening or reading a file, 0 otherwise")
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

    def collect(self) -> Iterator[MetricFamily]:
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

        # Families are gathered with everything else (pyexporter.gather): a later file's family of
        # another type or HELP, a repeated series or a summary's colliding series is dropped there,
        # as node_exporter's registry drops it.
        default_help: dict[str, str] = {}
        for family in parsed:
            help_text = family.help
            if help_text is None:
                help_text = default_help.get(family.name)
                if help_text is None:
                    help_text = f"Metric read from {', '.join(files_of[family.name])}"
                    default_help[family.name] = help_text
            yield convert_family(family, help_text)
        mtime = self.mtime_desc.family()
        for path in sorted(mtimes):
            mtime.add(mtimes[path], path)
        yield mtime
        yield self.scrape_error_desc.one(1.0 if errored else 0.0)
