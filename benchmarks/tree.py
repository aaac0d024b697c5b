"""A synthetic /proc, /sys, udev and root tree shaped like a big Kubernetes node.

Sizes are options (CPUs, network interfaces, disks, mounts, processes), so
the same generator builds the 1x, 4x and 16x trees of the benchmark. Every
default collector that both exporters have finds data here; the values are
pseudo-random but fixed by a seed, so two runs read the same tree.

Layout of a generated tree (all under one directory):
    proc/   --path.procfs
    sys/    --path.sysfs
    udev/   --path.udev.data
    root/   --path.rootfs (etc/os-release only; the filesystem collector stays off)
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class TreeSize:
    cpus: int = 64
    interfaces: int = 400
    disks: int = 24
    mounts: int = 300
    processes: int = 500

    def scaled(self, factor: int) -> TreeSize:
        return TreeSize(*(max(1, v * factor) for v in asdict(self).values()))


class _Writer:
    """Writes files below one root, creating directories on the way."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._dirs: set[str] = set()
        self.files = 0

    def path(self, rel: str) -> str:
        return os.path.join(self.root, rel)

    def _mkdir(self, directory: str) -> None:
        if directory not in self._dirs:
            os.makedirs(directory, exist_ok=True)
            self._dirs.add(directory)

    def write(self, rel: str, text: str) -> None:
        full = self.path(rel)
        self._mkdir(os.path.dirname(full))
        with open(full, "w", encoding="utf-8") as fh:
            fh.write(text)
        self.files += 1

    def attrs(self, rel_dir: str, values: dict[str, object]) -> None:
        """One sysfs attribute file per key, each value followed by a newline as the kernel writes it."""
        for name, value in values.items():
            self.write(f"{rel_dir}/{name}", f"{value}\n")

    def link(self, rel: str, target: str) -> None:
        full = self.path(rel)
        self._mkdir(os.path.dirname(full))
        os.symlink(target, full)


def _mac(rng: random.Random) -> str:
    return ":".join(f"{rng.randrange(256):02x}" for _ in range(6))


def _proc_stat(w: _Writer, rng: random.Random, size: TreeSize) -> None:
    def cpu_line(label: str, scale: int) -> str:
        user, nice = rng.randrange(10**7) * scale, rng.randrange(10**4) * scale
        system = rng.randrange(10**6) * scale
        idle, iowait = rng.randrange(10**8) * scale, rng.randrange(10**5) * scale
        irq, softirq, steal = rng.randrange(10**4) * scale, rng.randrange(10**5) * scale, 0
        guest, guest_nice = rng.randrange(10**3) * scale, 0
        return (f"{label} {user} {nice} {system} {idle} {iowait} {irq} {softirq} {steal} {guest} "
                f"{guest_nice}\n")

    lines = [cpu_line("cpu ", size.cpus)]
    lines += [cpu_line(f"cpu{i}", 1) for i in range(size.cpus)]
    # A big node numbers many interrupt lines (per-queue NIC and NVMe vectors).
    irqs = [rng.randrange(10**6) for _ in range(256 + 8 * size.cpus)]
    lines.append(f"intr {sum(irqs)} " + " ".join(map(str, irqs)) + "\n")
    lines.append(f"ctxt {rng.randrange(10**12)}\nbtime 1700000000\nprocesses {rng.randrange(10**8)}\n")
    lines.append(f"procs_running {rng.randrange(1, 20)}\nprocs_blocked {rng.randrange(3)}\n")
    soft = [rng.randrange(10**8) for _ in range(10)]
    lines.append(f"softirq {sum(soft)} " + " ".join(map(str, soft)) + "\n")
    w.write("proc/stat", "".join(lines))


def _cpuinfo(w: _Writer, size: TreeSize) -> None:
    packages = 2 if size.cpus >= 2 else 1
    per_package = max(1, size.cpus // packages)
    blocks = []
    for cpu in range(size.cpus):
        package = min(cpu // per_package, packages - 1)
        blocks.append(
            f"processor\t: {cpu}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 106\n"
            f"model name\t: Intel(R) Xeon(R) Synthetic CPU @ 2.60GHz\nstepping\t: 6\n"
            f"microcode\t: 0xd0003a5\ncpu MHz\t\t: {2600 + cpu % 7}.000\ncache size\t: 49152 KB\n"
            f"physical id\t: {package}\nsiblings\t: {per_package}\ncore id\t\t: {cpu % per_package}\n"
            f"cpu cores\t: {per_package}\napicid\t\t: {cpu}\nfpu\t\t: yes\n"
            "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush "
            "mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology "
            "cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt "
            "aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch avx2 avx512f\n"
            "bugs\t\t: spectre_v1 spectre_v2 spec_store_bypass swapgs\nbogomips\t: 5200.00\n"
            "clflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 46 bits physical, 57 bits virtual\n"
            "power management:\n\n")
    w.write("proc/cpuinfo", "".join(blocks))


def _cpu_sysfs(w: _Writer, rng: random.Random, size: TreeSize) -> None:
    base = "sys/devices/system/cpu"
    last = size.cpus - 1
    w.write(f"{base}/online", f"0-{last}\n" if last else "0\n")
    w.write(f"{base}/possible", f"0-{last}\n" if last else "0\n")
    w.write(f"{base}/present", f"0-{last}\n" if last else "0\n")
    w.write(f"{base}/offline", "\n")
    w.write(f"{base}/isolated", "\n")
    w.write(f"{base}/kernel_max", "8191\n")
    packages = 2 if size.cpus >= 2 else 1
    per_package = max(1, size.cpus // packages)
    for cpu in range(size.cpus):
        d = f"{base}/cpu{cpu}"
        package = min(cpu // per_package, packages - 1)
        w.attrs(f"{d}/topology", {"physical_package_id": package, "core_id": cpu % per_package,
                                  "die_id": 0, "cluster_id": cpu % per_package})
        w.attrs(f"{d}/thermal_throttle", {"core_throttle_count": rng.randrange(50),
                                          "package_throttle_count": rng.randrange(50)})
        # x86 cannot take cpu0 offline, so the kernel gives it no `online` file.
        if cpu:
            w.write(f"{d}/online", "1\n")
        policy = f"{base}/cpufreq/policy{cpu}"
        w.attrs(policy, {
            "affinity_cpus": cpu, "related_cpus": cpu, "cpuinfo_cur_freq": 2600000 + rng.randrange(900000),
            "cpuinfo_max_freq": 3500000, "cpuinfo_min_freq": 800000, "cpuinfo_transition_latency": 0,
            "scaling_available_governors": "performance powersave", "scaling_driver": "intel_pstate",
            "scaling_governor": "performance", "scaling_cur_freq": 2600000 + rng.randrange(900000),
            "scaling_max_freq": 3500000, "scaling_min_freq": 800000, "scaling_setspeed": "<unsupported>",
        })
        w.link(f"{d}/cpufreq", f"../cpufreq/policy{cpu}")
    w.attrs("sys/devices/system/clocksource/clocksource0",
            {"available_clocksource": "tsc hpet acpi_pm ", "current_clocksource": "tsc"})


def _net(w: _Writer, rng: random.Random, size: TreeSize) -> None:
    # A few NICs, loopback and a container network's veth pairs make up a Kubernetes node.
    physical = min(4, size.interfaces)
    names = ["lo"] + [f"eno{i + 1}" for i in range(physical)]
    while len(names) < size.interfaces:
        names.append(f"cali{rng.getrandbits(44):011x}")
    names = names[: max(1, size.interfaces)]
    dev_lines = [
        "Inter-|   Receive                                                |  Transmit\n",
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo "
        "colls carrier compressed\n",
    ]
    for index, name in enumerate(names, start=1):
        rx = [rng.randrange(10**12), rng.randrange(10**9), rng.randrange(100), rng.randrange(1000), 0, 0, 0,
              rng.randrange(10**5)]
        tx = [rng.randrange(10**12), rng.randrange(10**9), 0, rng.randrange(100), 0, 0, 0, 0]
        dev_lines.append(f"{name:>6}: " + " ".join(map(str, rx)) + " " + " ".join(map(str, tx)) + "\n")
        if name == "lo":
            device = "sys/devices/virtual/net/lo"
            kind, flags, address, speed = 772, "0x9", "00:00:00:00:00:00", None
        elif name.startswith("eno"):
            device = f"sys/devices/pci0000:00/0000:00:{index + 2:02x}.0/net/{name}"
            kind, flags, address, speed = 1, "0x1003", _mac(rng), 25000
        else:
            device = f"sys/devices/virtual/net/{name}"
            kind, flags, address, speed = 1, "0x1003", _mac(rng), 10000
        attrs: dict[str, object] = {
            "addr_assign_type": 0 if kind == 772 else 3, "addr_len": 6, "address": address,
            "broadcast": "00:00:00:00:00:00" if kind == 772 else "ff:ff:ff:ff:ff:ff",
            "carrier": 1, "carrier_changes": rng.randrange(10), "carrier_down_count": rng.randrange(5),
            "carrier_up_count": rng.randrange(5), "dev_id": "0x0", "dev_port": 0, "dormant": 0,
            "flags": flags, "gro_flush_timeout": 0, "ifalias": "", "ifindex": index, "iflink": index,
            "link_mode": 0, "mtu": 65536 if kind == 772 else 1500, "name_assign_type": 4 if kind == 1 else 2,
            "napi_defer_hard_irqs": 0, "netdev_group": 0, "operstate": "unknown" if kind == 772 else "up",
            "proto_down": 0, "testing": 0, "threaded": 0, "tx_queue_len": 1000, "type": kind,
        }
        if speed is not None:
            attrs["duplex"] = "full"
            attrs["speed"] = speed
        w.attrs(device, attrs)
        w.write(f"{device}/uevent", f"INTERFACE={name}\nIFINDEX={index}\n")
        w.link(f"sys/class/net/{name}", "../../" + device.removeprefix("sys/"))
    w.write("proc/net/dev", "".join(dev_lines))
    arp = ["IP address       HW type     Flags       HW address            Mask     Device\n"]
    for i, name in enumerate(names[1 : 1 + min(len(names) - 1, 64)]):
        arp.append(f"10.{i // 250}.{i % 250}.1       0x1         0x2         {_mac(rng)}     *        "
                   f"{name}\n")
    w.write("proc/net/arp", "".join(arp))


def _netstat(w: _Writer, rng: random.Random) -> None:
    def block(prefix: str, keys: list[str]) -> str:
        values = [str(rng.randrange(10**6)) for _ in keys]
        return f"{prefix}: {' '.join(keys)}\n{prefix}: {' '.join(values)}\n"

    tcpext = ("SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled RcvPruned OfoPruned "
              "OutOfWindowIcmps LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSActive PAWSEstab "
              "DelayedACKs DelayedACKLocked DelayedACKLost ListenOverflows ListenDrops TCPHPHits TCPPureAcks "
              "TCPHPAcks TCPRenoRecovery TCPSackRecovery TCPSACKReneging TCPSACKReorder TCPRenoReorder "
              "TCPTSReorder TCPFullUndo TCPPartialUndo TCPDSACKUndo TCPLossUndo TCPLostRetransmit "
              "TCPRenoFailures TCPSackFailures TCPLossFailures TCPFastRetrans TCPSlowStartRetrans "
              "TCPTimeouts "
              "TCPLossProbes TCPLossProbeRecovery TCPRcvCollapsed TCPBacklogCoalesce TCPDSACKOldSent "
              "TCPDSACKOfoSent TCPDSACKRecv TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory "
              "TCPAbortOnTimeout "
              "TCPAbortOnLinger TCPAbortFailed TCPMemoryPressures TCPRcvQDrop TCPOFOQueue TCPOFODrop "
              "TCPOFOMerge TCPSynRetrans TCPOrigDataSent TCPKeepAlive TCPDelivered").split()
    ipext = ("InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts InOctets "
             "OutOctets "
             "InMcastOctets OutMcastOctets InBcastOctets OutBcastOctets InCsumErrors InNoECTPkts").split()
    w.write("proc/net/netstat", block("TcpExt", tcpext) + block("IpExt", ipext))
    ip = ("Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos "
          "InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs "
          "ReasmFails FragOKs FragFails FragCreates").split()
    icmp = ("InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InEchos InEchoReps OutMsgs OutErrors "
            "OutDestUnreachs OutEchos OutEchoReps").split()
    tcp = ("RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab "
           "InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors").split()
    udp = ("InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors "
           "IgnoredMulti").split()
    w.write("proc/net/snmp", block("Ip", ip) + block("Icmp", icmp) + block("Tcp", tcp) + block("Udp", udp)
            + block("UdpLite", udp))
    snmp6 = ("Ip6InReceives Ip6InHdrErrors Ip6InTooBigErrors Ip6InNoRoutes Ip6InAddrErrors Ip6InDelivers "
             "Ip6OutRequests Ip6OutDiscards Ip6OutNoRoutes Ip6InOctets Ip6OutOctets Icmp6InMsgs "
             "Icmp6InErrors "
             "Icmp6OutMsgs Icmp6OutErrors Udp6InDatagrams Udp6NoPorts Udp6InErrors Udp6OutDatagrams "
             "Udp6RcvbufErrors Udp6SndbufErrors Udp6InCsumErrors Udp6IgnoredMulti UdpLite6InDatagrams "
             "UdpLite6NoPorts UdpLite6InErrors UdpLite6OutDatagrams").split()
    w.write("proc/net/snmp6", "".join(f"{k:<32}{rng.randrange(10**6)}\n" for k in snmp6))
    w.write("proc/net/sockstat",
            f"sockets: used {rng.randrange(5000)}\nTCP: inuse {rng.randrange(900)} orphan 0 tw "
            f"{rng.randrange(500)} alloc {rng.randrange(1000)} mem {rng.randrange(100)}\n"
            "UDP: inuse 12 mem 4\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n")
    w.write("proc/net/sockstat6", "TCP6: inuse 40\nUDP6: inuse 9\nUDPLITE6: inuse 0\nRAW6: inuse 1\n"
            "FRAG6: inuse 0 memory 0\n")
    header = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
              "inode ref pointer drops\n")
    udp4 = [header] + [
        f"  {i}: 00000000:{1000 + i:04X} 00000000:0000 07 00000000:00000000 00:00000000 00000000     0"
        f"        0 {10000 + i} 2 0000000000000000 0\n" for i in range(12)]
    w.write("proc/net/udp", "".join(udp4))
    header6 = ("  sl  local_address                         remote_address                        st "
               "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n")
    udp6 = [header6] + [
        f"  {i}: 00000000000000000000000000000000:{2000 + i:04X} 00000000000000000000000000000000:0000 07 "
        f"00000000:00000000 00:00000000 00000000     0        0 {20000 + i} 2 0000000000000000 0\n"
        for i in range(9)]
    w.write("proc/net/udp6", "".join(udp6))


def _per_cpu_proc(w: _Writer, rng: random.Random, size: TreeSize) -> None:
    sched = ["version 15\ntimestamp 4295000000\n"]
    for cpu in range(size.cpus):
        sched.append(f"cpu{cpu} 0 0 0 0 0 0 {rng.randrange(10**15)} {rng.randrange(10**14)} "
                     f"{rng.randrange(10**10)}\n")
        sched.append("domain0 00000000,00000003 " + " ".join(["0"] * 35) + "\n")
    w.write("proc/schedstat", "".join(sched))
    w.write("proc/net/softnet_stat", "".join(
        " ".join(f"{v:08x}" for v in [rng.randrange(10**8), rng.randrange(100), rng.randrange(1000)]
                 + [0] * 6 + [rng.randrange(10**6), 0, 0, cpu]) + "\n" for cpu in range(size.cpus)))
    conntrack = ["entries  clashres found new invalid ignore delete chainlength insert insert_failed drop "
                 "early_drop icmp_error  expect_new expect_create expect_delete search_restart\n"]
    for _ in range(size.cpus):
        values = [rng.randrange(10**5)] + [rng.randrange(100)] * 16
        conntrack.append(" ".join(f"{v:08x}" for v in values) + "\n")
    w.write("proc/net/stat/nf_conntrack", "".join(conntrack))
    w.write("proc/sys/net/netfilter/nf_conntrack_count", f"{rng.randrange(10**5)}\n")
    w.write("proc/sys/net/netfilter/nf_conntrack_max", "1048576\n")


def _memory_and_misc(w: _Writer, rng: random.Random, size: TreeSize) -> None:
    total = 512 * 1024 * 1024
    meminfo = {
        "MemTotal": total, "MemFree": total // 3, "MemAvailable": total // 2, "Buffers": 2**20,
        "Cached": total // 5, "SwapCached": 0, "Active": total // 4, "Inactive": total // 6,
        "Active(anon)": total // 8, "Inactive(anon)": 2**21, "Active(file)": total // 8,
        "Inactive(file)": total // 7, "Unevictable": 4096, "Mlocked": 4096, "SwapTotal": 0, "SwapFree": 0,
        "Dirty": 1024, "Writeback": 0, "AnonPages": total // 9, "Mapped": 2**22, "Shmem": 2**21,
        "KReclaimable": 2**22, "Slab": 2**23, "SReclaimable": 2**22, "SUnreclaim": 2**22,
        "KernelStack": 2**16, "PageTables": 2**20, "NFS_Unstable": 0, "Bounce": 0, "WritebackTmp": 0,
        "CommitLimit": total // 2, "Committed_AS": total // 3, "VmallocTotal": 34359738367,
        "VmallocUsed": 2**18, "VmallocChunk": 0, "Percpu": 2**17, "HardwareCorrupted": 0,
        "AnonHugePages": 2**20, "ShmemHugePages": 0, "ShmemPmdMapped": 0, "FileHugePages": 0,
        "FilePmdMapped": 0, "CmaTotal": 0, "CmaFree": 0,
    }
    text = "".join(f"{k + ':':<16}{v:>8} kB\n" for k, v in meminfo.items())
    text += "HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\n"
    text += "HugePages_Surp:        0\nHugepagesize:       2048 kB\nHugetlb:               0 kB\n"
    text += "DirectMap4k:     1048576 kB\nDirectMap2M:    16777216 kB\nDirectMap1G:    524288000 kB\n"
    w.write("proc/meminfo", text)
    w.write("proc/loadavg", f"{rng.random() * 40:.2f} {rng.random() * 40:.2f} {rng.random() * 40:.2f} "
            f"7/{size.processes * 4} {size.processes * 10}\n")
    vm_keys = (
        "nr_free_pages nr_zone_inactive_anon nr_zone_active_anon nr_zone_inactive_file nr_zone_active_file "
        "nr_zone_unevictable nr_zone_write_pending nr_mlock nr_bounce nr_zspages nr_free_cma "
        "numa_hit numa_miss numa_foreign numa_interleave numa_local numa_other nr_inactive_anon "
        "nr_active_anon nr_inactive_file nr_active_file nr_unevictable nr_slab_reclaimable "
        "nr_slab_unreclaimable nr_isolated_anon nr_isolated_file workingset_nodes workingset_refault_anon "
        "workingset_refault_file workingset_activate_anon workingset_activate_file workingset_restore_anon "
        "workingset_restore_file workingset_nodereclaim nr_anon_pages nr_mapped nr_file_pages nr_dirty "
        "nr_writeback nr_writeback_temp nr_shmem nr_shmem_hugepages nr_shmem_pmdmapped nr_file_hugepages "
        "nr_file_pmdmapped nr_anon_transparent_hugepages nr_vmscan_write nr_vmscan_immediate_reclaim "
        "nr_dirtied nr_written nr_kernel_misc_reclaimable nr_foll_pin_acquired nr_foll_pin_released "
        "nr_kernel_stack nr_page_table_pages nr_swapcached nr_dirty_threshold "
        "nr_dirty_background_threshold pgpgin pgpgout pswpin pswpout pgalloc_dma pgalloc_dma32 "
        "pgalloc_normal pgalloc_movable allocstall_dma allocstall_dma32 allocstall_normal "
        "allocstall_movable pgskip_dma pgskip_dma32 pgskip_normal pgskip_movable pgfree pgactivate "
        "pgdeactivate pglazyfree pgfault pgmajfault pglazyfreed pgrefill pgreuse pgsteal_kswapd "
        "pgsteal_direct pgdemote_kswapd pgdemote_direct pgscan_kswapd pgscan_direct pgscan_direct_throttle "
        "pgscan_anon pgscan_file pgsteal_anon pgsteal_file zone_reclaim_failed pginodesteal slabs_scanned "
        "kswapd_inodesteal kswapd_low_wmark_hit_quickly kswapd_high_wmark_hit_quickly pageoutrun "
        "pgrotated drop_pagecache drop_slab oom_kill numa_pte_updates numa_huge_pte_updates "
        "numa_hint_faults numa_hint_faults_local numa_pages_migrated pgmigrate_success pgmigrate_fail "
        "thp_migration_success thp_migration_fail thp_migration_split compact_migrate_scanned "
        "compact_free_scanned compact_isolated compact_stall compact_fail compact_success "
        "compact_daemon_wake compact_daemon_migrate_scanned compact_daemon_free_scanned "
        "htlb_buddy_alloc_success htlb_buddy_alloc_fail unevictable_pgs_culled unevictable_pgs_scanned "
        "unevictable_pgs_rescued unevictable_pgs_mlocked unevictable_pgs_munlocked unevictable_pgs_cleared "
        "unevictable_pgs_stranded thp_fault_alloc thp_fault_fallback thp_fault_fallback_charge "
        "thp_collapse_alloc thp_collapse_alloc_failed thp_file_alloc thp_file_fallback "
        "thp_file_fallback_charge thp_file_mapped thp_split_page thp_split_page_failed "
        "thp_deferred_split_page thp_split_pmd thp_split_pud thp_zero_page_alloc "
        "thp_zero_page_alloc_failed thp_swpout thp_swpout_fallback balloon_inflate balloon_deflate "
        "balloon_migrate swap_ra swap_ra_hit direct_map_level2_splits direct_map_level3_splits "
        "nr_unstable").split()
    w.write("proc/vmstat", "".join(f"{k} {rng.randrange(10**10)}\n" for k in vm_keys))
    w.write("proc/sys/fs/file-nr", f"{rng.randrange(10**5)}\t0\t9223372036854775807\n")
    w.write("proc/sys/kernel/random/entropy_avail", "256\n")
    w.write("proc/sys/kernel/random/poolsize", "256\n")
    w.write("proc/sys/kernel/threads-max", "4126690\n")
    w.write("proc/sys/kernel/pid_max", "4194304\n")
    for res in ("cpu", "io", "memory", "irq"):
        some = (f"some avg10={rng.random():.2f} avg60={rng.random():.2f} avg300={rng.random():.2f} "
                f"total={rng.randrange(10**10)}\n")
        full = f"full avg10=0.00 avg60=0.00 avg300=0.00 total={rng.randrange(10**9)}\n"
        w.write(f"proc/pressure/{res}", (full if res == "irq" else some + full))
    w.write("proc/mdstat", "Personalities : [raid1]\nunused devices: <none>\n")
    os_release = ('NAME="Synthetic Linux"\nID=synthetic\nVERSION_ID="24.04"\nVERSION="24.04 LTS"\n'
                  'PRETTY_NAME="Synthetic Linux 24.04 LTS"\nVERSION_CODENAME=bench\n')
    w.write("root/etc/os-release", os_release)
    w.write("root/usr/lib/os-release", os_release)


def _disks(w: _Writer, rng: random.Random, size: TreeSize) -> None:
    lines = []
    nvme = size.disks // 2
    for i in range(size.disks):
        if i < nvme:
            name, major, minor, part = f"nvme{i}n1", 259, 2 * i, f"nvme{i}n1p1"
            rotational, model = 0, "Synthetic NVMe 3.84TB"
        else:
            j = i - nvme
            letters = ""
            n = j
            while True:
                letters = chr(ord("a") + n % 26) + letters
                n = n // 26 - 1
                if n < 0:
                    break
            # sd majors: 8 for the first 16 disks, then 65, 66, ...
            major = 8 if j < 16 else 64 + j // 16
            name, minor, part = f"sd{letters}", (j * 16) % 256, f"sd{letters}1"
            rotational, model = 1, "SYNTHETIC_HDD_16TB"
        for dev, mnr in ((name, minor), (part, minor + 1)):
            stats = [rng.randrange(10**9) for _ in range(17)]
            stats[8] = rng.randrange(8)
            lines.append(f"{major:4d} {mnr:7d} {dev} " + " ".join(map(str, stats)) + "\n")
        block = f"sys/block/{name}"
        w.attrs(f"{block}/queue", {
            "rotational": rotational, "logical_block_size": 512, "physical_block_size": 4096,
            "minimum_io_size": 4096, "optimal_io_size": 0, "hw_sector_size": 512, "max_sectors_kb": 1280,
            "nr_requests": 256, "read_ahead_kb": 128, "scheduler": "[none] mq-deadline",
            "discard_granularity": 512 if not rotational else 0, "write_cache": "write back",
        })
        w.attrs(block, {"dev": f"{major}:{minor}", "size": rng.randrange(10**10), "removable": 0, "ro": 0})
        serial = f"SYN{rng.getrandbits(40):010X}"
        model_enc = model.replace(" ", "\\x20")
        wwn = f"0x5000{rng.getrandbits(48):012x}"
        path = f"pci-0000:{0x40 + i:02x}:00.0-{'nvme-1' if i < nvme else 'sas-phy0-lun-0'}"
        w.write(f"udev/b{major}:{minor}",
                f"S:disk/by-id/wwn-{wwn}\nS:disk/by-path/{path}\nW:12\nI:123456\n"
                f"E:ID_TYPE=disk\nE:ID_BUS={'nvme' if i < nvme else 'ata'}\n"
                f"E:ID_MODEL={model.replace(' ', '_')}\n"
                f"E:ID_MODEL_ENC={model_enc}\nE:ID_REVISION=1.0\n"
                f"E:ID_SERIAL={model.replace(' ', '_')}_{serial}\nE:ID_SERIAL_SHORT={serial}\n"
                f"E:ID_WWN={wwn}\n"
                f"E:ID_PATH={path}\nE:ID_PATH_TAG={path.replace(':', '_').replace('.', '_')}\n"
                + ("E:ID_ATA=1\nE:ID_ATA_WRITE_CACHE=1\nE:ID_ATA_WRITE_CACHE_ENABLED=1\n"
                   "E:ID_ATA_ROTATION_RATE_RPM=7200\n" if i >= nvme else "")
                + "E:ID_FS_TYPE=\nG:systemd\n")
        if i < nvme:
            w.attrs(f"sys/devices/pci0000:00/0000:{0x40 + i:02x}:00.0/nvme/nvme{i}", {
                "model": model, "serial": serial, "firmware_rev": "1.0", "state": "live", "cntlid": 1,
                "transport": "pcie", "subsysnqn": f"nqn.2024-01.synthetic:nvme{i}",
            })
            w.link(f"sys/class/nvme/nvme{i}",
                   f"../../devices/pci0000:00/0000:{0x40 + i:02x}:00.0/nvme/nvme{i}")
    w.write("proc/diskstats", "".join(lines))


def _mounts(w: _Writer, rng: random.Random, size: TreeSize) -> None:
    base = [
        "1 0 259:1 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p1 rw",
        "2 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw",
        "3 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:3 - sysfs sysfs rw",
        "4 1 0:5 / /dev rw,nosuid shared:4 - devtmpfs devtmpfs rw,size=263921276k,mode=755",
        "5 1 0:25 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=52784256k,mode=755",
        "6 1 259:3 / /var/lib/kubelet rw,relatime shared:6 - xfs /dev/nvme1n1p1 rw,attr2,inode64,noquota",
    ]
    lines = base[: size.mounts]
    n = len(lines)
    while n < size.mounts:
        pod = f"{rng.getrandbits(64):016x}-{rng.getrandbits(32):08x}"
        if n % 2:
            lines.append(f"{n + 1} 6 0:{100 + n} / /var/lib/kubelet/pods/{pod}/volumes/"
                         f"kubernetes.io~projected/kube-api-access-{rng.getrandbits(20):05x} rw,relatime "
                         f"shared:{n + 1} - tmpfs tmpfs "
                         "rw,size=1048576k")
        else:
            lines.append(f"{n + 1} 5 0:{100 + n} / /run/containerd/io.containerd.runtime.v2.task/k8s.io/"
                         f"{pod}/"
                         f"rootfs rw,relatime shared:{n + 1} - overlay overlay rw,lowerdir=/l1:/l2,"
                         "upperdir=/u,workdir=/w")
        n += 1
    text = "\n".join(lines) + "\n"
    w.write("proc/1/mountinfo", text)
    w.write("proc/self/mountinfo", text)
    mounts = "".join(
        f"{ln.split(' - ')[1].split()[1]} {ln.split()[4]} {ln.split(' - ')[1].split()[0]} rw 0 0\n"
        for ln in lines)
    w.write("proc/1/mounts", mounts)
    w.write("proc/self/mounts", mounts)


def _processes(w: _Writer, rng: random.Random, size: TreeSize) -> None:
    states = "SSSSSSSSSSSSRDIZ"
    pid = 1
    for i in range(size.processes):
        if i:
            pid += rng.randrange(1, 30)
        threads = 1 if i % 3 else rng.randrange(2, 9)
        state = states[rng.randrange(len(states))]
        comm = ("containerd-shim" if i % 5 == 0 else "kworker/u128:1") if i else "systemd"

        def stat_line(task: int, st: str, nthreads: int, comm: str = comm) -> str:
            return (f"{task} ({comm}) {st} 1 {task} {task} 0 -1 4194560 {rng.randrange(10**5)} 0 0 0 "
                    f"{rng.randrange(10**5)} {rng.randrange(10**4)} 0 0 20 0 {nthreads} 0 "
                    f"{rng.randrange(10**7)} {rng.randrange(10**9)} {rng.randrange(10**5)} "
                    "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 3 0 0 0 0 0 0 0 0 0 0 0 0 0\n")

        w.write(f"proc/{pid}/stat", stat_line(pid, state, threads))
        for t in range(threads):
            tid = pid + t
            w.write(f"proc/{pid}/task/{tid}/stat", stat_line(tid, state if t == 0 else "S", threads))
        pid += threads


def _hardware(w: _Writer, rng: random.Random, size: TreeSize) -> None:
    w.attrs("sys/devices/virtual/dmi/id", {
        "bios_date": "03/14/2024", "bios_release": "1.2", "bios_vendor": "Synthetic BIOS Inc.",
        "bios_version": "2.3.4", "board_asset_tag": "", "board_name": "SYN-BOARD",
        "board_vendor": "Synthetic",
        "board_version": "A01", "chassis_asset_tag": "", "chassis_type": 23, "chassis_vendor": "Synthetic",
        "chassis_version": "", "product_family": "Servers", "product_name": "Synthetic Server 9000",
        "product_sku": "SKU1", "product_version": "1", "sys_vendor": "Synthetic",
    })
    w.link("sys/class/dmi/id", "../../devices/virtual/dmi/id")
    packages = 2 if size.cpus >= 2 else 1
    per_package = max(1, size.cpus // packages)
    for chip in range(packages):
        d = f"sys/devices/platform/coretemp.{chip}/hwmon/hwmon{chip}"
        attrs: dict[str, object] = {"name": "coretemp"}
        for t in range(per_package + 1):
            n = t + 1
            attrs[f"temp{n}_label"] = f"Package id {chip}" if t == 0 else f"Core {t - 1}"
            attrs[f"temp{n}_input"] = 40000 + rng.randrange(30000)
            attrs[f"temp{n}_max"] = 90000
            attrs[f"temp{n}_crit"] = 100000
            attrs[f"temp{n}_crit_alarm"] = 0
        w.attrs(d, attrs)
        # The chip label node_exporter derives comes from the `device` link (platform_coretemp_0).
        w.link(f"{d}/device", f"../../../coretemp.{chip}")
        w.link(f"sys/class/hwmon/hwmon{chip}", f"../../devices/platform/coretemp.{chip}/hwmon/hwmon{chip}")
    d = f"sys/devices/platform/nct6775.656/hwmon/hwmon{packages}"
    attrs = {"name": "nct6779"}
    for n in range(10):
        attrs[f"in{n}_input"] = 1000 + rng.randrange(1000)
        attrs[f"in{n}_min"] = 0
        attrs[f"in{n}_max"] = 2000
        attrs[f"in{n}_alarm"] = 0
    for n in range(1, 7):
        attrs[f"fan{n}_input"] = 3000 + rng.randrange(2000)
        attrs[f"fan{n}_min"] = 0
        attrs[f"fan{n}_alarm"] = 0
    w.attrs(d, attrs)
    w.link(f"{d}/device", "../../../nct6775.656")
    w.link(f"sys/class/hwmon/hwmon{packages}", f"../../devices/platform/nct6775.656/hwmon/hwmon{packages}")
    # One thermal zone per package and one "Processor" cooling device per CPU, as ACPI creates them.
    for z in range(packages):
        d = f"sys/devices/virtual/thermal/thermal_zone{z}"
        w.attrs(d, {"type": "x86_pkg_temp", "temp": 45000 + rng.randrange(20000), "policy": "step_wise",
                    "mode": "enabled"})
        w.link(f"sys/class/thermal/thermal_zone{z}", f"../../devices/virtual/thermal/thermal_zone{z}")
    for c in range(size.cpus):
        d = f"sys/devices/virtual/thermal/cooling_device{c}"
        w.attrs(d, {"type": "Processor", "cur_state": 0, "max_state": 3})
        w.link(f"sys/class/thermal/cooling_device{c}", f"../../devices/virtual/thermal/cooling_device{c}")
    for p in range(packages):
        d = f"sys/devices/virtual/powercap/intel-rapl/intel-rapl:{p}"
        w.attrs(d, {"name": f"package-{p}", "energy_uj": rng.randrange(10**11),
                    "max_energy_range_uj": 262143328850, "enabled": 1})
        w.link(f"sys/class/powercap/intel-rapl:{p}",
               f"../../devices/virtual/powercap/intel-rapl/intel-rapl:{p}")
        d0 = f"{d}/intel-rapl:{p}:0"
        w.attrs(d0, {"name": "dram", "energy_uj": rng.randrange(10**11), "max_energy_range_uj": 65712999613,
                     "enabled": 1})
        w.link(f"sys/class/powercap/intel-rapl:{p}:0",
               f"../../devices/virtual/powercap/intel-rapl/intel-rapl:{p}/intel-rapl:{p}:0")
    for mc in range(packages):
        d = f"sys/devices/system/edac/mc/mc{mc}"
        w.attrs(d, {"ce_count": rng.randrange(10), "ue_count": 0, "ce_noinfo_count": 0, "ue_noinfo_count": 0,
                    "mc_name": "Synthetic EDAC", "size_mb": 262144})
        for row in range(4):
            w.attrs(f"{d}/csrow{row}", {"ce_count": 0, "ue_count": 0, "ch0_ce_count": 0, "ch1_ce_count": 0,
                                        "ch0_dimm_label": f"CPU{mc}_DIMM_{row}A",
                                        "ch1_dimm_label": f"CPU{mc}_DIMM_{row}B"})


def generate(target: str, size: TreeSize, seed: int = 1) -> int:
    """Write a tree for `size` below `target` (emptied first); returns the number of files written."""
    if os.path.exists(target):
        shutil.rmtree(target)
    os.makedirs(target)
    rng = random.Random(seed)
    w = _Writer(target)
    _proc_stat(w, rng, size)
    _cpuinfo(w, size)
    _cpu_sysfs(w, rng, size)
    _net(w, rng, size)
    _netstat(w, rng)
    _per_cpu_proc(w, rng, size)
    _memory_and_misc(w, rng, size)
    _disks(w, rng, size)
    _mounts(w, rng, size)
    _processes(w, rng, size)
    _hardware(w, rng, size)
    return w.files


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic big-node /proc and /sys tree.")
    parser.add_argument("target")
    defaults = TreeSize()
    for name, value in asdict(defaults).items():
        parser.add_argument(f"--{name}", type=int, default=value)
    parser.add_argument("--scale", type=int, default=1, help="multiply every size by this factor")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    size = TreeSize(*(getattr(args, name) for name in asdict(defaults))).scaled(args.scale)
    files = generate(args.target, size, args.seed)
    print(f"{args.target}: {files} files for {size}")


if __name__ == "__main__":
    main()
