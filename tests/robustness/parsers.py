"""Every parser of a /proc, /sys or text-format input, found by inspection, with samples to mutate.

A parser is a module-level function named `parse_*` (or `*_or_none`, the
lenient value parsers of sysfs attributes) whose required parameters
are inputs (`str`, `bytes`, `bytes | str`, `str | None`, `list[str]` for the
fields of one line, or a mapping of attribute names to texts), in the modules of
`pyexporter.golang`, `pyexporter.procfs`, `pyexporter.sysfs`, `pyexporter.textformat` and
`pyexporter.collectors`. New parsers are picked up without touching this file; a sample
for them in SAMPLES makes their fuzzing sharper but is not required.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyexporter.golang
import pyexporter.procfs
import pyexporter.sysfs
from pyexporter.loader import builtin_modules
from tests.support import conformance_fixtures

#: Modules that exist to parse /proc, /sys or text-format input: each must have a covered parser.
PARSER_PACKAGES = (pyexporter.golang, pyexporter.procfs, pyexporter.sysfs)
PARSER_MODULES_EXTRA = ("pyexporter.textformat",)

#: Modules of the parser packages that parse nothing, with the reason.
NOT_PARSER_MODULES: dict[str, str] = {
    "pyexporter.golang.errno": "formats an OSError's errno as Go's syscall.Errno prints it; reads no input",
    "pyexporter.golang.filepath": "matches and joins paths given by flags and directory listings; tested in "
                                 "tests/golang/test_filepath.py",
    "pyexporter.golang.json": "decodes JSON through the stdlib's parser; its caller "
                              "pyexporter.collectors.qdisc.parse_qdisc_fixture is fuzzed",
    "pyexporter.golang.strings": "splits text; every parser is built on it and fuzzed",
    "pyexporter.sysfs.powercap": "index_and_name derives a RAPL zone's index from its name and the names "
                                 "seen before; it fails on no input (tests/sysfs/test_powercap.py)",
}

#: parse_* functions that do not read a file, with the reason; they are left out.
NOT_INPUT_PARSERS = {
    "pyexporter.collectors.ipvs.parse_backend_labels":
        "parses the --collector.ipvs.backend-labels flag; a bad value is a ConfigError at start",
    "pyexporter.collectors.perf.parse_tracepoints":
        "parses the --collector.perf.tracepoint flag; a bad value is a ConfigError at start",
    "pyexporter.collectors.logind.parse_list_seats":
        "decodes a D-Bus reply body as jeepney returns it; fuzzed in tests/collectors/test_logind.py",
    "pyexporter.collectors.logind.parse_list_sessions":
        "decodes a D-Bus reply body as jeepney returns it; fuzzed in tests/collectors/test_logind.py",
    "pyexporter.collectors.systemd.parse_list_units":
        "decodes a D-Bus reply body as jeepney returns it; fuzzed in tests/collectors/test_systemd.py",
    "pyexporter.collectors.supervisord.parse_process_info":
        "reads an XML-RPC value as xmlrpc.client decodes it; fuzzed in tests/collectors/test_supervisord.py",
}

#: Parsers a collector may keep: their input is no kernel file (parsers of /proc and /sys files live in
#: pyexporter.procfs and pyexporter.sysfs, whether one collector reads the file or several).
COLLECTOR_PARSERS = {
    "pyexporter.collectors.ethtool.parse_drvinfo": "the ethtool_drvinfo struct an SIOCETHTOOL ioctl fills",
    "pyexporter.collectors.os.parse_os_release": "os-release(5), a file of the distribution",
    "pyexporter.collectors.perf.parse_cpus": "the --collector.perf.cpus flag",
    "pyexporter.collectors.qdisc.parse_qdisc_fixture":
        "node_exporter's JSON fixture (--collector.qdisc.fixtures)",
    "pyexporter.collectors.runit.parse_status": "runit's supervise/status record",
    "pyexporter.collectors.supervisord.parse_url": "the --collector.supervisord.url flag",
    "pyexporter.collectors.systemd.parse_systemd_version": "systemd's Version property, read over D-Bus",
}

#: Parameter annotations a parser's inputs may have (strings: modules use `from __future__ import
#: annotations`), and how bad input is fed to each.
PARAM_KINDS = {
    "str": "text", "bytes": "bytes", "bytes | str": "either", "str | bytes": "either",
    "list[str]": "fields", "str | None": "optional",
    "Mapping[str, str]": "mapping", "dict[str, str]": "mapping",
}
#: Mapping parameters (attribute name -> text) get the keys the parser asks for, found by a probe call.
MAPPING = "mapping"


class _RecordingMapping(Mapping[str, str]):
    """Answers "1" for every key and remembers which keys the parser looked up."""

    def __init__(self) -> None:
        self.keys_seen: list[str] = []

    def __getitem__(self, key: str) -> str:
        if key not in self.keys_seen:
            self.keys_seen.append(key)
        return "1"

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self[key]
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


@dataclass(frozen=True)
class Parser:
    qualname: str
    module: str
    func: Callable[..., Any]
    #: Per required parameter: "text", "bytes", "either", "fields" (the whitespace-separated fields
    #: of a line), "optional" (text or None) or "mapping" (attribute name -> text).
    kinds: tuple[str, ...]
    #: Per parameter: the keys a mapping parameter is read with (empty for the others).
    keys: tuple[tuple[str, ...], ...]

    def call(self, data: bytes) -> Any:
        """Feed the same raw content to every input (every key of a mapping), as the file layer decodes it."""
        return self.call_with([dict.fromkeys(keys, data) if kind == MAPPING else data
                               for kind, keys in zip(self.kinds, self.keys, strict=True)])

    def call_with(self, raw: Sequence[Any]) -> Any:
        """One raw value per parameter: bytes (or None for an optional one), a dict of bytes for a mapping."""
        args = []
        for kind, value in zip(self.kinds, raw, strict=True):
            if kind in ("bytes", "either") or value is None:
                args.append(value)
            elif kind == MAPPING:
                args.append({k: v.decode("utf-8", "replace") for k, v in value.items()})
            elif kind == "fields":
                args.append(value.decode("utf-8", "replace").split())
            else:
                args.append(value.decode("utf-8", "replace"))
        return self.func(*args)


def parser_modules() -> list[str]:
    names = []
    for package in PARSER_PACKAGES:
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_"):
                names.append(f"{package.__name__}.{info.name}")
    names.extend(PARSER_MODULES_EXTRA)
    return sorted(n for n in names if n not in NOT_PARSER_MODULES)


def collector_modules() -> list[str]:
    return builtin_modules()


def _is_parser_name(attr: str) -> bool:
    # parse_*: the parsers; *_or_none: the lenient value parsers of sysfs attributes (None, not an error).
    return attr.startswith("parse_") or (attr.endswith("_or_none") and not attr.startswith("_"))


def _param_kinds(func: Callable[..., Any]) -> tuple[str, ...] | None:
    """The kinds of the required parameters, or None when one is of an unknown kind (or there are none)."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return None
    kinds = []
    for param in params:
        if param.default is not inspect.Parameter.empty:
            continue
        annotation = param.annotation
        if not isinstance(annotation, str):
            annotation = getattr(annotation, "__name__", str(annotation))
        kind = PARAM_KINDS.get(annotation)
        if kind is None:
            return None
        kinds.append(kind)
    return tuple(kinds) or None


def _mapping_keys(func: Callable[..., Any], kinds: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    keys: list[tuple[str, ...]] = []
    for index, kind in enumerate(kinds):
        if kind != MAPPING:
            keys.append(())
            continue
        recorder = _RecordingMapping()
        args: list[Any] = []
        for i, other in enumerate(kinds):
            if i == index:
                args.append(recorder)
            else:
                args.append({} if other == MAPPING else b"1" if other in ("bytes", "either")
                            else ["1"] if other == "fields" else "1")
        try:
            func(*args)
        except Exception:  # the probe only wants the keys read before any failure
            pass
        keys.append(tuple(recorder.keys_seen))
    return tuple(keys)


def discover(modules: list[str] | None = None) -> list[Parser]:
    """Every parse_* function taking input in `modules` (default: all parser and collector modules)."""
    found = []
    for name in modules if modules is not None else parser_modules() + collector_modules():
        module = importlib.import_module(name)
        for attr, func in sorted(vars(module).items()):
            if not _is_parser_name(attr) or not inspect.isfunction(func) or func.__module__ != name:
                continue
            qualname = f"{name}.{attr}"
            if qualname in NOT_INPUT_PARSERS:
                continue
            kinds = _param_kinds(func)
            if kinds is not None:
                found.append(Parser(qualname, name, func, kinds, _mapping_keys(func, kinds)))
    return found


def unclassified(modules: list[str] | None = None) -> list[str]:
    """parse_* functions that are neither fuzzed nor excused (a signature this file does not know)."""
    out = []
    for name in modules if modules is not None else parser_modules() + collector_modules():
        module = importlib.import_module(name)
        for attr, func in vars(module).items():
            if (_is_parser_name(attr) and inspect.isfunction(func) and func.__module__ == name
                    and f"{name}.{attr}" not in NOT_INPUT_PARSERS and _param_kinds(func) is None):
                out.append(f"{name}.{attr}")
    return sorted(out)


# -- samples -------------------------------------------------------------------------------------

#: Real-looking content per parser: globs below the fixture tree (used when it is present)
#: and a built-in sample (always used). Samples are mutated, repeated and truncated.
SAMPLES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "pyexporter.procfs.cpuinfo.parse_cpuinfo": (("proc/cpuinfo",), (
        "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 142\n"
        "model name\t: Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz\nstepping\t: 10\nmicrocode\t: 0xb4\n"
        "cpu MHz\t\t: 799.998\ncache size\t: 8192 KB\nphysical id\t: 0\nsiblings\t: 8\ncore id\t\t: 0\n"
        "cpu cores\t: 4\nflags\t\t: fpu vme de pse tsc msr aes avx avx2 constant_tsc\n"
        "bugs\t\t: cpu_meltdown spectre_v1 spectre_v2 mds\nbogomips\t: 4224.00\n\n"
        "processor\t: 1\nvendor_id\t: GenuineIntel\ncpu MHz\t\t: 800.000\nphysical id\t: 0\ncore id\t\t: 1\n"
        "flags\t\t: fpu vme\n\n")),
    "pyexporter.golang.strconv.parse_uint": ((), "18446744073709551615"),
    "pyexporter.golang.strconv.parse_int": ((), "-9223372036854775808"),
    "pyexporter.golang.strconv.parse_float": ((), "1.5e-3"),
    "pyexporter.procfs.ipvs.parse_ipvs_stats": (("proc/net/ip_vs_stats",), (
        "   Total Incoming Outgoing         Incoming         Outgoing\n"
        "   Conns  Packets  Packets            Bytes            Bytes\n"
        " 16AA370 E33656E5        0     51D8C8883AB3                0\n\n"
        " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n"
        "       4    1FB3C        0          1282A8F                0\n")),
    "pyexporter.procfs.ipvs.parse_ip_port": ((), "C0A80016:0CEA"),
    "pyexporter.procfs.ipvs.parse_ipvs_backend_status": (("proc/net/ip_vs",), (
        "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\nTCP  C0A80016:0CEA wlc\n"
        "  -> C0A85216:0CEA      Tunnel  100    248        2\n"
        "FWM  10001000 wlc\n  -> C0A8321A:0CEA      Route   0      0          0\n"
        "UDP  [2620:0000:0000:0000:0000:0000:0000:0001]:0035 rr\n"
        "  -> [2620:0000:0000:0000:0000:0000:0000:0002]:0035 Masq 1 0 0\n")),
    "pyexporter.procfs.meminfo.parse_meminfo": (("proc/meminfo",), (
        "MemTotal:       15666184 kB\nMemFree:          440324 kB\nBuffers:            1020 kB\n"
        "Cached:           179408 kB\nHugePages_Total:       0\nHugePages_Free:        0\n"
        "Hugepagesize:       2048 kB\nDirectMap4k:       91136 kB\n")),
    "pyexporter.procfs.mountinfo.parse_mount_options": ((), "rw,nosuid,nodev,relatime,size=1024k,mode=755"),
    "pyexporter.procfs.mountinfo.parse_mountinfo_line": ((), (
        "22 28 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw")),
    "pyexporter.procfs.mountinfo.parse_mountinfo": (("proc/1/mountinfo", "proc/self/mountinfo"), (
        "1 1 0:5 / /root rw,nosuid,relatime shared:7 - rootfs rootfs rw\n"
        "16 21 0:16 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
        "26 21 8:1 / /mnt/with\\040space rw,relatime - ext4 /dev/sda1 rw,errors=remount-ro\n"
        "30 21 0:27 / /run/user/1000 rw,nosuid master:3 propagate_from:2 - tmpfs tmpfs rw,size=1024k\n")),
    "pyexporter.procfs.nfs.parse_client_rpc_stats": (("proc/net/rpc/nfs",), (
        "net 18628 0 18628 6\nrpc 4329785 0 4338291\n"
        "proc2 18 2 69 0 0 4410 0 0 0 0 0 0 0 0 0 0 0 99 2\n"
        "proc3 22 1 4084749 29200 94754 32580 186 47747 7840 4 0 0 0 0 0 0 0 0 0 0 0 0\n"
        "proc4 48 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
        "0 0 0\n")),
    "pyexporter.procfs.nfs.parse_server_rpc_stats": (("proc/net/rpc/nfsd",), (
        "rc 0 6 18622\nfh 0 0 0 0 0\nio 157286400 0\nth 8 0 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 "
        "0.000 0.000\nra 32 0 0 0 0 0 0 0 0 0 0 0\nnet 18628 0 18628 6\nrpc 18628 0 0 0 0\n"
        "proc2 18 2 69 0 0 4410 0 0 0 0 0 0 0 0 0 0 0 99 2\n"
        "proc3 22 2 112 0 2719 111 0 0 0 0 0 0 0 0 0 0 0 27 216 0 2 1 0\n"
        "proc4 2 2 10853\nproc4ops 72 0 0 0 1098 2 0 0 0 0 8179 5896 0 0 0 0 5900 0 0 2 0 2 0 9609 0 2 150 "
        "1272 0 0 0 1236 0 0 0 0 3 3 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
        "0 0 0\n")),
    "pyexporter.procfs.pressure.parse_psi": (("proc/pressure/*",), (
        "some avg10=0.00 avg60=0.13 avg300=0.30 total=1045683\n"
        "full avg10=0.00 avg60=0.00 avg300=0.04 total=6723\n")),
    "pyexporter.procfs.schedstat.parse_schedstat": (("proc/schedstat",), (
        "version 15\ntimestamp 15819019232\n"
        "cpu0 498494191 0 3533438552 2553969831 3853684107 2465731542 2045936778163039 343796328169361 "
        "4767485306\n"
        "domain0 00000000,00000003 212499247 210112015 1861015 1860405436 536440 369895 32599 210079416 "
        "25368550 24241256 384652 927363878 807233 6366 1647 24239609 2122447 1886868 0 0 0 0 0 0 1 0 0\n"
        "cpu1 518377256 0 4155211005 2778589869 10466382 2867629 1904686152592476 364107263788241 "
        "5145567945\n")),
    "pyexporter.procfs.stat.parse_cpu_line": ((), "cpu0 301854 612 111922 8979004 3552 2 3944 0 0 0"),
    "pyexporter.procfs.stat.parse_softirq_line": ((), "softirq 5057579 250191 1481983 1647 211099 186066 0 "
                                                     "1783454 622196 12499 508444"),
    "pyexporter.procfs.stat.parse_stat": (("proc/stat",), (
        "cpu  301854 612 111922 8979004 3552 2 3944 0 0 0\ncpu0 44490 19 21045 1087069 220 1 3410 0 0 0\n"
        "cpu1 47869 23 16474 1110787 591 0 46 0 0 0\n"
        "intr 8885917 17 0 0 0 0 0 0 0 1 79281 0 0 0 0 0 0 0 231237 0 0 0 0 250586 103 0 0 0\n"
        "ctxt 38014093\nbtime 1418183276\nprocesses 26442\nprocs_running 2\nprocs_blocked 1\n"
        "softirq 5057579 250191 1481983 1647 211099 186066 0 1783454 622196 12499 508444\n")),
    "pyexporter.sysfs.attrs.uint_or_none": ((), "4096"),
    "pyexporter.sysfs.attrs.int_or_none": ((), "-4096"),
    "pyexporter.sysfs.attrs.float_or_none": ((), "3.14"),
    "pyexporter.sysfs.bcache.parse_pseudo_float": ((), "1.1"),
    "pyexporter.sysfs.bcache.parse_writeback_rate_debug": (("sys/devices/**/bcache/writeback_rate_debug",), (
        "rate:           1.1M/sec\ndirty:          20.4G\ntarget:         20.4G\nproportional:   427.5k\n"
        "integral:       790.0k\nchange:         321.5k/sec\nnext io:        17ms\n")),
    "pyexporter.sysfs.bcache.parse_priority_stats": (("sys/devices/**/bcache/priority_stats",), (
        "Unused:\t\t99%\nMetadata:\t0%\nAverage:\t10473\nSectors per Q:\t64\n"
        "Quantiles:\t[0 0 0 20946 20946 20946]\n")),
    "pyexporter.sysfs.bcachefs.parse_human_bytes": ((), "2.05G"),
    "pyexporter.sysfs.bcachefs.parse_compression_stats": (("sys/fs/bcachefs/*/compression_stats",), (
        "typetype          compressed    uncompressed     average extent size\n"
        "lz4                    48.9G           71.2G                   62.5k\n"
        "zstd                    226G            603G                    115k\n")),
    "pyexporter.sysfs.bcachefs.parse_errors": (("sys/fs/bcachefs/*/errors",), (
        "btree_node_data_missing                         2       1753593586\n"
        "alloc_key_to_missing_lru_entry                  4517    1771754289\n")),
    "pyexporter.sysfs.bcachefs.parse_counter": (("sys/fs/bcachefs/*/counters/*",), (
        "since mount:                   302707\nsince filesystem creation:     1515147\n")),
    "pyexporter.sysfs.bcachefs.parse_btree_write_stats": (("sys/fs/bcachefs/*/btree_write_stats",), (
        "                   nr        size\ninitial:           3298401   100k\n"
        "cache_reclaim:     14401     720\n")),
    "pyexporter.sysfs.bcachefs.parse_io_done": (("sys/fs/bcachefs/*/dev-*/io_done",), (
        "read:\nsb          :       86016\nbtree       :     8912896\nuser        :610019098624\n"
        "write:\nsb          :      677376\nuser        :562070339584\n")),
    "pyexporter.sysfs.bcachefs.parse_io_errors": (("sys/fs/bcachefs/*/dev-*/io_errors",), (
        "IO errors since filesystem creation\n  read:    18828\n  write:   1\n  checksum:5\n"
        "IO errors since 8 y ago\n  read:    18828\n  write:   1\n  checksum:5\n")),
    "pyexporter.sysfs.btrfs.parse_commit_stats": (("sys/fs/btrfs/*/commit_stats",), (
        "commits 258051\nlast_commit_ms 1000\nmax_commit_ms 51462\ntotal_commit_ms 47836090\n")),
    "pyexporter.sysfs.cpu.parse_cpu_list": (("sys/devices/system/node/node*/cpulist",), "0-3,5,7-9\n"),
    "pyexporter.procfs.sys.parse_random_value": (("proc/sys/kernel/random/*",), "3754\n"),
    "pyexporter.procfs.sys.parse_file_nr": (("proc/sys/fs/file-nr",), "1024\t0\t1631329\n"),
    "pyexporter.procfs.mountinfo.parse_major_minor": ((), "259:3"),
    "pyexporter.sysfs.infiniband.parse_port_state": ((), "4: ACTIVE\n"),
    "pyexporter.sysfs.infiniband.parse_rate": ((), "100 Gb/sec (4X EDR)\n"),
    "pyexporter.sysfs.infiniband.parse_counter": ((), "0x1a2b\n"),
    "pyexporter.procfs.sys.parse_hung_task_detect_count": (("proc/sys/kernel/hung_task_detect_count",),
                                                            "12\n"),
    "pyexporter.procfs.loadavg.parse_loadavg": (("proc/loadavg",), "0.21 0.37 0.39 1/719 19737\n"),
    "pyexporter.collectors.os.parse_os_release": (("usr/lib/os-release",), (
        'NAME="Ubuntu"\nVERSION="20.04.2 LTS (Focal Fossa)"\nID=ubuntu\nID_LIKE=debian\n'
        'PRETTY_NAME="Ubuntu 20.04.2 LTS"\nVERSION_ID="20.04"\nVERSION_CODENAME=focal\n# comment\n'
        "BUILD_ID='a \\\"quoted\\\" $value'\n")),
    "pyexporter.sysfs.selinux.parse_avc_cache_stats": ((), (
        "lookups hits misses allocations reclaims frees\n2165 2104 61 61 0 2\n3084 3052 32 32 0 0\n")),
    "pyexporter.sysfs.selinux.parse_avc_hash_stats": ((), (
        "entries: 512\nbuckets used: 283/512\nlongest chain: 6\n")),
    "pyexporter.sysfs.selinux.parse_enforce": ((), "1"),
    "pyexporter.sysfs.selinux.parse_config_mode": ((), (
        "# comment\nSELINUX=enforcing\nSELINUXTYPE=targeted\n")),
    "pyexporter.procfs.vmstat.parse_vmstat": (("proc/vmstat",), (
        "nr_free_pages 977769\nnr_inactive_anon 79490\npgpgin 3735316\npgpgout 1806040\npswpin 0\n"
        "pgfault 2453209\npgmajfault 12\noom_kill 0\n")),
    "pyexporter.procfs.xfs.parse_xfs_stats": (("sys/fs/xfs/*/stats/stats", "proc/fs/xfs/stat"), (
        "extent_alloc 1 0 0 0\nabt 0 0 0 0\nblk_map 61 29 1 1 1 91 0\nbmbt 0 0 0 0\n"
        "dir 3 0 0 0\ntrans 4 1 0\nxpc 399724544 92823103 86219234\n")),
    "pyexporter.procfs.zfs.parse_kstat_named": (
        ("proc/spl/kstat/zfs/arcstats", "proc/spl/kstat/zfs/zfetchstats"), (
        "6 1 0x01 91 4368 5266997922 97951858082072\nname                            type data\n"
        "hits                            4    8772612\nmisses                          4    604635\n"
        "c_min                           4    33554432\narc_no_grow                     4    0\n")),
    "pyexporter.procfs.zfs.parse_pool_io": (("proc/spl/kstat/zfs/*/io",), (
        "12 3 0x00 1 80 79205351707403 395818011156865\n"
        "nread    nwritten reads    writes   wtime    wlentime wupdate  rtime    rlentime rupdate  wcnt     "
        "rcnt\n"
        "1884160  3206144  22       132      7155162  104112268 79210489694949 24168078 104112268 "
        "79210489849220 0        0\n")),
    "pyexporter.procfs.zfs.parse_objset": (("proc/spl/kstat/zfs/*/objset-*",), (
        "23 1 0x01 7 2160 221578688875 6665999035587\nname                            type data\n"
        "dataset_name                    7    pool1\nwrites                          4    0\n"
        "nwritten                        4    0\nreads                           4    0\n")),
    "pyexporter.procfs.zfs.parse_pool_state": (("proc/spl/kstat/zfs/*/state",), "ONLINE\n"),
    "pyexporter.textformat.parse_go_float": ((), "-1.5e+10"),
    "pyexporter.textformat.parse_text_format": (("textfile/*/*.prom",), (
        "# HELP node_textfile_demo A demo metric.\n# TYPE node_textfile_demo gauge\n"
        'node_textfile_demo{path="/a",le="0.5"} 1.5\nnode_textfile_demo{path="b\\"c"} NaN\n'
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\nh_sum 4.5\nh_count 3\n"
        "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 2\ns_count 1\nuntyped_metric -Inf\n")),
    # Fixture files only (the conformance tree); without it these get GENERIC_SAMPLES.
    "pyexporter.procfs.buddyinfo.parse_buddyinfo": (("proc/buddyinfo",), None),
    "pyexporter.procfs.cgroups.parse_cgroups": (("proc/cgroups",), None),
    "pyexporter.procfs.drbd.parse_drbd": (("proc/drbd",), None),
    "pyexporter.procfs.interrupts.parse_interrupts": (("proc/interrupts", "proc/interrupts_aarch64"), None),
    "pyexporter.procfs.net_stat.parse_lnstat": (("proc/net/stat/*",), None),
    "pyexporter.sysfs.node.parse_node_meminfo": (("sys/devices/system/node/node*/meminfo",), None),
    "pyexporter.sysfs.node.parse_node_numastat": (("sys/devices/system/node/node*/numastat",), None),
    "pyexporter.procfs.netstat.parse_net_stats": (("proc/net/netstat", "proc/net/snmp"), None),
    "pyexporter.procfs.netstat.parse_snmp6": (("proc/net/snmp6",), None),
    "pyexporter.procfs.pid_stat.parse_pid_stat": (("proc/[0-9]*/stat",), None),
    # The exporter's own /proc/self files (process_*): the same formats as any process's.
    "pyexporter.procfs.proc_stat.parse_proc_stat": (("proc/[0-9]*/stat",), None),
    "pyexporter.procfs.proc_netstat.parse_proc_netstat": (("proc/net/netstat",), None),
    "pyexporter.procfs.proc_limits.parse_proc_limits": ((), (
        "Limit                     Soft Limit           Hard Limit           Units\n"
        "Max cpu time              unlimited            unlimited            seconds\n"
        "Max open files            1024                 1048576              files\n"
        "Max address space         unlimited            unlimited            bytes\n"
        "Max nice priority         0                    0\n")),
    "pyexporter.procfs.slabinfo.parse_slabinfo": (("proc/slabinfo",), None),
    "pyexporter.procfs.softirqs.parse_softirqs": (("proc/softirqs",), None),
    "pyexporter.procfs.swaps.parse_swaps": (("proc/swaps",), None),
    "pyexporter.procfs.net_xfrm_stat.parse_xfrm_stat": (("proc/net/xfrm_stat",), None),
    "pyexporter.procfs.zoneinfo.parse_zoneinfo": (("proc/zoneinfo",), None),
    "pyexporter.procfs.diskstats.parse_diskstats": (("proc/diskstats",), None),
    "pyexporter.procfs.diskstats.parse_udev_properties": (("udev/data/b*",), None),
    "pyexporter.procfs.mdstat.parse_mdstat": (("proc/mdstat",), None),
    "pyexporter.procfs.mountstats.parse_mountstats": (("proc/[0-9]*/mountstats",), None),
    "pyexporter.procfs.net_arp.parse_arp": (("proc/net/arp",), None),
    "pyexporter.procfs.net_conntrackstat.parse_conntrack_stat": (("proc/net/stat/nf_conntrack",), None),
    "pyexporter.procfs.net_dev.parse_net_dev": (("proc/net/dev",), None),
    "pyexporter.procfs.net_ip_socket.parse_socket_summary": (("proc/net/udp", "proc/net/udp6"), None),
    "pyexporter.procfs.net_sockstat.parse_sockstat": (("proc/net/sockstat", "proc/net/sockstat6"), None),
    "pyexporter.procfs.net_softnet.parse_softnet": (("proc/net/softnet_stat",), None),
}

#: Shapes most /proc and /sys files have, for parsers without a sample of their own.
GENERIC_SAMPLES = (
    "42\n",
    "key: 123 kB\nother_key:   0\n",
    "name value\nfoo 1\nbar 18446744073709551615\n",
    "header a b c\nrow0 1 2 3\nrow1 4 5 6\n",
    "k=v a=1 b=2.5\n",
    "0-3,5\n",
)

#: At most this many fixture files per glob, so a glob over thousands of files stays cheap.
MAX_FILES_PER_GLOB = 4
#: Fixture files larger than this are cut (the mutations and repetitions grow them further).
MAX_SAMPLE_BYTES = 16 * 1024


def samples_for(parser: Parser) -> list[bytes]:
    """The parser's sample contents: fixture files (when present) and the built-in sample."""
    globs, builtin = SAMPLES.get(parser.qualname, ((), None))
    out: list[bytes] = []
    fixtures = conformance_fixtures()
    if fixtures is not None:
        for pattern in globs:
            matches = sorted(p for p in fixtures.glob(pattern) if p.is_file() and not p.is_symlink())
            for path in matches[:MAX_FILES_PER_GLOB]:
                out.append(_read_sample(path))
    if builtin is not None:
        out.append(builtin.encode())
    if not out:
        out.extend(s.encode() for s in GENERIC_SAMPLES)
    return out


def _read_sample(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(MAX_SAMPLE_BYTES)
