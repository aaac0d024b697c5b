"""A small, healthy fixture tree (proc, sys, rootfs, a textfile directory) for end-to-end tests.

Every file is written here, so the tests do not depend on the conformance
suite; its content follows the kernel's formats. `TREE_COLLECTORS` are the
collectors that read it (those not written yet are skipped by the tests).
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from tests.support import write_tree

#: Collectors the tree feeds; each reports success on it.
TREE_COLLECTORS = ("cpu", "entropy", "fibrechannel", "filefd", "filesystem", "loadavg", "meminfo",
                   "netclass", "netdev", "pressure", "stat", "textfile", "vmstat")

PROC_STAT = (
    "cpu  301854 612 111922 8979004 3552 2 3944 0 0 0\n"
    "cpu0 150000 300 55000 4489000 1700 1 1972 0 0 0\n"
    "cpu1 151854 312 56922 4490004 1852 1 1972 0 0 0\n"
    "intr 8885917 17 0 0 0 0 0 0 0 1 79281 0 0 0 0 0 0 0 231237 0 0 0 0 250586 103 0 0 0\n"
    "ctxt 38014093\n"
    "btime 1418183276\n"
    "processes 26442\n"
    "procs_running 2\n"
    "procs_blocked 1\n"
    "softirq 5057579 250191 1481983 1647 211099 186066 0 1783454 622196 12499 508444\n"
)

MEMINFO = (
    "MemTotal:       15666184 kB\nMemFree:          440324 kB\nMemAvailable:    9321208 kB\n"
    "Buffers:            1020 kB\nCached:          9218440 kB\nSwapCached:            0 kB\n"
    "Active:          5372496 kB\nInactive:        6875120 kB\nSwapTotal:       8388604 kB\n"
    "SwapFree:        8388604 kB\nDirty:               412 kB\nHugePages_Total:       0\n"
    "HugePages_Free:        0\nHugepagesize:       2048 kB\n"
)

VMSTAT = (
    "nr_free_pages 977769\nnr_inactive_anon 79490\npgpgin 3735316\npgpgout 1806040\npswpin 0\n"
    "pswpout 0\npgfault 2453209\npgmajfault 12\noom_kill 0\n"
)

NET_DEV = (
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo "
    "colls carrier compressed\n"
    "    lo:  174164    1791    0    0    0     0          0         0   174164    1791    0    0    0 "
    "    0       0          0\n"
    "  eth0: 68210035  552561    0    0    0     0          0        12  9315587   94221    0    0    0 "
    "    0       0          0\n"
)

PSI = ("some avg10=0.00 avg60=0.13 avg300=0.30 total=1045683\n"
       "full avg10=0.00 avg60=0.00 avg300=0.04 total=6723\n")

NET_ATTRS = {
    "addr_assign_type": "3\n", "addr_len": "6\n", "address": "01:02:03:04:05:06\n",
    "broadcast": "ff:ff:ff:ff:ff:ff\n", "carrier": "1\n", "carrier_changes": "2\n",
    "carrier_down_count": "1\n", "carrier_up_count": "1\n", "dev_id": "0x20\n", "dormant": "1\n",
    "duplex": "full\n", "flags": "0x1303\n",
    "ifalias": "\n", "ifindex": "2\n", "iflink": "2\n", "link_mode": "1\n", "mtu": "1500\n",
    "name_assign_type": "2\n", "netdev_group": "0\n", "operstate": "up\n", "speed": "1000\n",
    "proto_down": "0\n", "tx_queue_len": "1000\n", "type": "1\n",
}

FC_ATTRS = {
    "speed": "16 Gbit\n", "port_state": "Online\n", "port_type": "Point-To-Point (direct nport connection)\n",
    "port_id": "0x000002\n", "port_name": "0x1000e0071bce95f2\n", "fabric_name": "0x0\n",
    "symbolic_name": "Emulex SN1100E2P FV12.4.270.3 DV12.4.0.0. HN:gotest. OS:Linux\n",
    "supported_classes": "Class 3\n", "supported_speeds": "4 Gbit, 8 Gbit, 16 Gbit\n",
    "dev_loss_tmo": "30\n",
    "statistics/dumped_frames": "0xffffffffffffffff\n", "statistics/error_frames": "0x0\n",
    "statistics/rx_frames": "0x3\n", "statistics/tx_frames": "0x4\n",
    "statistics/seconds_since_last_reset": "0x7\n",
}

TEXTFILE = (
    "# HELP robustness_textfile_value A value a cron job wrote.\n"
    "# TYPE robustness_textfile_value gauge\n"
    'robustness_textfile_value{job="backup"} 1\n'
)


def mountinfo(root: Path) -> str:
    return (
        "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
        "22 21 8:2 / /data rw,relatime shared:2 - ext4 /dev/sda2 rw\n"
        "23 21 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:3 - proc proc rw\n"
    )


def build_tree(root: Path) -> Path:
    """(Re)write the healthy tree under root, removing whatever a test broke there."""
    for sub in ("proc", "sys", "textfile", "data"):
        path = root / sub
        if path.is_symlink() or path.is_file() or _is_special(path):
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)
    files: dict[str, str | bytes | None] = {
        "proc/stat": PROC_STAT,
        "proc/meminfo": MEMINFO,
        "proc/vmstat": VMSTAT,
        "proc/loadavg": "0.21 0.37 0.39 1/719 19737\n",
        "proc/sys/fs/file-nr": "1024\t0\t1631329\n",
        "proc/sys/kernel/random/entropy_avail": "256\n",
        "proc/sys/kernel/random/poolsize": "256\n",
        "proc/sys/kernel/random/urandom_min_reseed_secs": "60\n",
        "proc/pressure/cpu": PSI,
        "proc/pressure/io": PSI,
        "proc/pressure/memory": PSI,
        "proc/pressure/irq": "full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n",
        "proc/net/dev": NET_DEV,
        "proc/1/mountinfo": mountinfo(root),
        "proc/self/mountinfo": mountinfo(root),
        "sys/devices/system/cpu/cpu0/online": "1\n",
        "sys/devices/system/cpu/cpu1/online": "1\n",
        "sys/devices/system/cpu/cpu0/topology/core_id": "0\n",
        "sys/devices/system/cpu/cpu0/topology/physical_package_id": "0\n",
        "sys/devices/system/cpu/cpu1/topology/core_id": "1\n",
        "sys/devices/system/cpu/cpu1/topology/physical_package_id": "0\n",
        "sys/devices/system/cpu/isolated": "\n",
        "textfile/robustness.prom": TEXTFILE,
        "textfile/other.prom": "robustness_other_value 2\n",
        "data": None,
    }
    for device in ("eth0", "lo"):
        for attr, value in NET_ATTRS.items():
            files[f"sys/devices/virtual/net/{device}/{attr}"] = value
    for attr, value in FC_ATTRS.items():
        files[f"sys/devices/pci0000:00/0000:00:02.0/host0/fc_host/host0/{attr}"] = value
    write_tree(root, files)
    for device in ("eth0", "lo"):
        _link(root / "sys/class/net" / device, f"../../devices/virtual/net/{device}")
    _link(root / "sys/class/fc_host/host0", "../../devices/pci0000:00/0000:00:02.0/host0/fc_host/host0")
    return root


def _link(path: Path, target: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def _is_special(path: Path) -> bool:
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return False
    return not (stat.S_ISDIR(mode) or stat.S_ISREG(mode))


def tree_flags(root: Path, *, netdev: bool = True) -> list[str]:
    """The roots, plus flags that make collectors read the tree rather than the live kernel.

    netdev=False leaves out the netdev flag, which only exists once that collector does.
    """
    flags = [
        f"--path.procfs={root / 'proc'}",
        f"--path.sysfs={root / 'sys'}",
        f"--path.rootfs={root}",
        f"--path.udev.data={root / 'udev' / 'data'}",
        f"--collector.textfile.directory={root / 'textfile'}",
    ]
    if netdev:
        # netdev reads netlink by default, which would show the live interfaces.
        flags.append("--no-collector.netdev.netlink")
    return flags
