"""xfrm: IPsec transformation error counters from /proc/net/xfrm_stat (node_xfrm_*_packets_total)."""

from __future__ import annotations

from collections.abc import Iterator

from pyexporter.fs import read_text
from pyexporter.metrics import NAMESPACE, MetricFamily, counter
from pyexporter.procfs.net_xfrm_stat import parse_xfrm_stat
from pyexporter.registry import Collector, register
from pyexporter.settings import Settings

#: (kernel counter, metric name part, HELP) for the counters procfs knows; others are ignored.
XFRM_COUNTERS: tuple[tuple[str, str, str], ...] = (
    ("XfrmInError", "in_error", "All errors not matched by other"),
    ("XfrmInBufferError", "in_buffer_error", "No buffer is left"),
    ("XfrmInHdrError", "in_hdr_error", "Header error"),
    ("XfrmInNoStates", "in_no_states",
     "No state is found i.e. Either inbound SPI, address, or IPsec protocol at SA is wrong"),
    ("XfrmInStateProtoError", "in_state_proto_error",
     "Transformation protocol specific error e.g. SA key is wrong"),
    ("XfrmInStateModeError", "in_state_mode_error", "Transformation mode specific error"),
    ("XfrmInStateSeqError", "in_state_seq_error", "Sequence error i.e. Sequence number is out of window"),
    ("XfrmInStateExpired", "in_state_expired", "State is expired"),
    ("XfrmInStateMismatch", "in_state_mismatch",
     "State has mismatch option e.g. UDP encapsulation type is mismatch"),
    ("XfrmInStateInvalid", "in_state_invalid", "State is invalid"),
    ("XfrmInTmplMismatch", "in_tmpl_mismatch",
     "No matching template for states e.g. Inbound SAs are correct but SP rule is wrong"),
    ("XfrmInNoPols", "in_no_pols",
     "No policy is found for states e.g. Inbound SAs are correct but no SP is found"),
    ("XfrmInPolBlock", "in_pol_block", "Policy discards"),
    ("XfrmInPolError", "in_pol_error", "Policy error"),
    ("XfrmOutError", "out_error", "All errors which is not matched others"),
    ("XfrmOutBundleGenError", "out_bundle_gen_error", "Bundle generation error"),
    ("XfrmOutBundleCheckError", "out_bundle_check_error", "Bundle check error"),
    ("XfrmOutNoStates", "out_no_states", "No state is found"),
    ("XfrmOutStateProtoError", "out_state_proto_error", "Transformation protocol specific error"),
    ("XfrmOutStateModeError", "out_state_mode_error", "Transformation mode specific error"),
    ("XfrmOutStateSeqError", "out_state_seq_error", "Sequence error i.e. Sequence number overflow"),
    ("XfrmOutStateExpired", "out_state_expired", "State is expired"),
    ("XfrmOutPolBlock", "out_pol_block", "Policy discards"),
    ("XfrmOutPolDead", "out_pol_dead", "Policy is dead"),
    ("XfrmOutPolError", "out_pol_error", "Policy error"),
    ("XfrmFwdHdrError", "fwd_hdr_error", "Forward routing of a packet is not allowed"),
    ("XfrmOutStateInvalid", "out_state_invalid", "State is invalid, perhaps expired"),
    ("XfrmAcquireError", "acquire_error", "State hasn’t been fully acquired before use"),
)


@register
class XfrmCollector(Collector):
    name = "xfrm"
    default_enabled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.descs = tuple(
            (key, counter(f"{NAMESPACE}_xfrm_{name}_packets_total", help_text))
            for key, name, help_text in XFRM_COUNTERS
        )

    def collect(self) -> Iterator[MetricFamily]:
        stats = parse_xfrm_stat(read_text(self.roots.proc("net", "xfrm_stat")))
        # Every known counter is exposed; one the kernel does not list reads 0, as in procfs.
        yield from (desc.one(stats.get(key, 0)) for key, desc in self.descs)
