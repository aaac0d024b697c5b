import pytest

from pyexporter.errors import ParseError
from tests.support import collect_text, make_collector, samples, write_tree

AMD = "sys/class/drm/card0/device"


def tree(tmp_path):
    write_tree(tmp_path, {
        f"{AMD}/uevent": "DRIVER=amdgpu\nPCI_CLASS=30000\nPCI_ID=1002:687F\n",
        f"{AMD}/gpu_busy_percent": "4\n",
        f"{AMD}/mem_info_gtt_total": "8573157376\n",
        f"{AMD}/mem_info_gtt_used": "144560128\n",
        f"{AMD}/mem_info_vis_vram_total": "8573157376\n",
        f"{AMD}/mem_info_vis_vram_used": "1490378752\n",
        f"{AMD}/mem_info_vram_total": "0x1ff000000\n",
        f"{AMD}/mem_info_vram_used": "1490378752\n",
        f"{AMD}/mem_info_vram_vendor": "samsung\n",
        f"{AMD}/power_dpm_force_performance_level": "manual\n",
        f"{AMD}/unique_id": "0123456789abcdef\n",
        "sys/class/drm/card1/device/uevent": "DRIVER=i915\n",
        "sys/class/drm/card0-DP-1/status": "connected\n",
        "sys/class/drm/card10/device/uevent": "DRIVER=amdgpu\n",  # only card[0-9] is read
        "sys/class/drm/renderD128/dev": "226:128\n",
    })


def test_drm_cards(tmp_path):
    tree(tmp_path)
    got = samples(make_collector("drm", tmp_path).collect())
    assert got['node_drm_card_info{card="card0",memory_vendor="samsung",power_performance_level="manual",'
               'unique_id="0123456789abcdef",vendor="amd"}'] == 1
    assert got['node_drm_gpu_busy_percent{card="card0"}'] == 4
    assert got['node_drm_memory_vram_size_bytes{card="card0"}'] == 0x1FF000000
    assert got['node_drm_memory_vis_vram_used_bytes{card="card0"}'] == 1490378752
    # node_exporter 1.12.1 also reports cards of other drivers, with zeros and empty labels.
    assert got['node_drm_card_info{card="card1",memory_vendor="",power_performance_level="",'
               'unique_id="",vendor="amd"}'] == 1
    assert got['node_drm_memory_gtt_used_bytes{card="card1"}'] == 0
    assert not any('card="card10"' in key or "card0-DP-1" in key for key in got)


def test_drm_help(tmp_path):
    tree(tmp_path)
    text = collect_text(make_collector("drm", tmp_path))
    assert "# HELP node_drm_gpu_busy_percent How busy the GPU is as a percentage.\n" in text


def test_drm_missing_attribute_reads_zero(tmp_path):
    tree(tmp_path)
    (tmp_path / AMD / "gpu_busy_percent").unlink()
    (tmp_path / AMD / "unique_id").unlink()
    got = samples(make_collector("drm", tmp_path).collect())
    assert got['node_drm_gpu_busy_percent{card="card0"}'] == 0
    assert any('card="card0"' in key and 'unique_id=""' in key for key in got)


def test_drm_card_without_uevent(tmp_path):
    tree(tmp_path)
    (tmp_path / AMD / "uevent").unlink()
    with pytest.raises(ParseError):
        list(make_collector("drm", tmp_path).collect())


@pytest.mark.parametrize("value", ["busy\n", "-1\n", "", "0x\n"])
def test_drm_malformed_value(tmp_path, value):
    tree(tmp_path)
    (tmp_path / AMD / "gpu_busy_percent").write_text(value)
    with pytest.raises(ParseError):
        list(make_collector("drm", tmp_path).collect())
