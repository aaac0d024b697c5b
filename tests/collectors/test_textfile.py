import os
import shutil

import pytest

from pyexporter.cli import parse_args
from pyexporter.loader import load_collectors
from tests.support import TEXTFILE_CASES, collect_text, samples, write_tree

SUITE = TEXTFILE_CASES
CASES = sorted(p.stem for p in SUITE.glob("*.out")) if SUITE.is_dir() else []


def textfile(*directories: str):
    settings = parse_args([f"--collector.textfile.directory={d}" for d in directories])
    return load_collectors()["textfile"](settings)


def pin_mtimes(root):
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.utime(os.path.join(dirpath, name), (1, 1), follow_symlinks=False)


# -- node_exporter's own cases -------------------------------------------------------------------


@pytest.mark.skipif(not SUITE.is_dir(), reason="../shared/conformance is not present")
@pytest.mark.parametrize("case", CASES)
def test_node_exporter_case(case, tmp_path, monkeypatch):
    """Each case folder at fixtures/textfile/<case>, mtimes 1, the path given relatively."""
    fixtures = tmp_path / "fixtures" / "textfile"
    fixtures.mkdir(parents=True)
    for folder in SUITE.iterdir():
        if folder.is_dir():
            shutil.copytree(folder, fixtures / folder.name)
    pin_mtimes(fixtures)
    monkeypatch.chdir(tmp_path)
    pattern = f"fixtures/textfile/{case}"
    if case == "glob_extra_dimension":
        pattern = "fixtures/textfile/*_extra_dimension"
    assert collect_text(textfile(pattern)) == (SUITE / f"{case}.out").read_text()


def test_the_cases_are_all_there():
    if not SUITE.is_dir():
        pytest.skip("../shared/conformance is not present")
    expected = {"nonexistent_path", "glob_extra_dimension", "two_metric_files", "inconsistent_metrics"}
    assert expected <= set(CASES)


# -- our own cases ------------------------------------------------------------------------------


def run(tmp_path, files, *extra):
    write_tree(tmp_path, files)
    pin_mtimes(tmp_path)
    directories = [str(tmp_path / d) for d in extra] or [str(tmp_path)]
    return collect_text(textfile(*directories))


def test_no_directory_configured():
    collector = load_collectors()["textfile"](parse_args([]))
    assert samples(collector.collect()) == {"node_textfile_scrape_error": 0}


def test_values_mtime_and_default_help(tmp_path):
    text = run(tmp_path, {"a.prom": "# TYPE up gauge\nup{job=\"x\"} 1\nother 2.5e3\n",
                          "b.txt": "ignored 1\n"})
    assert f'node_textfile_mtime_seconds{{file="{tmp_path}/a.prom"}} 1\n' in text
    assert "node_textfile_scrape_error 0\n" in text
    assert f"# HELP up Metric read from {tmp_path}/a.prom\n# TYPE up gauge\nup{{job=\"x\"}} 1\n" in text
    assert "# TYPE other untyped\nother 2500\n" in text
    assert "ignored" not in text


def test_mtime_is_whole_seconds(tmp_path):
    write_tree(tmp_path, {"a.prom": "m 1\n"})
    os.utime(tmp_path / "a.prom", ns=(1_700_000_000_900_000_000, 1_700_000_000_900_000_000))
    got = samples(textfile(str(tmp_path)).collect())
    assert got[f'node_textfile_mtime_seconds{{file="{tmp_path}/a.prom"}}'] == 1_700_000_000


@pytest.mark.parametrize(
    "bad",
    [
        "m 1",  # no final newline
        "m 1 \n",  # blank after the value is read as a timestamp
        "m{a=\"b\"} x\n",
        "m{a=b} 1\n",
        "m{a=\"b\",a=\"c\"} 1\n",
        "m 1\r\n",  # CRLF
        "# TYPE m counter\n# TYPE m gauge\nm 1\n",
        "m 1\n# TYPE m counter\n",  # TYPE after samples
        "# TYPE m bogus\nm 1\n",
        "m{__name__=\"x\"} 1\n",
        "m{__hidden=\"x\"} 1\n",  # reserved label name: node_exporter would panic
        "m{a=\"\xff\"} 1\n",
    ],
)
def test_a_bad_file_contributes_nothing(tmp_path, bad):
    data = bad.encode("latin-1") if "\xff" in bad else bad.encode()
    text = run(tmp_path, {"bad.prom": data, "good.prom": "good 1\n"})
    assert "node_textfile_scrape_error 1\n" in text
    assert "\ngood 1\n" in text
    assert "bad.prom" not in text  # neither samples nor an mtime
    assert "\nm" not in text


def test_client_side_timestamps_drop_the_file(tmp_path):
    text = run(tmp_path, {"ts.prom": "a 1\nb 2 1700000000000\n", "ok.prom": "c 3\n"})
    assert "node_textfile_scrape_error 1\n" in text
    assert "\nc 3\n" in text and "\na 1\n" not in text and "ts.prom" not in text


def test_missing_directory_is_an_error(tmp_path):
    text = run(tmp_path, {"a/x.prom": "x 1\n"}, "a", "missing")
    assert "node_textfile_scrape_error 1\n" in text
    assert "\nx 1\n" in text


def test_a_file_given_as_directory_is_an_error(tmp_path):
    text = run(tmp_path, {"x.prom": "x 1\n"}, "x.prom")
    assert text.endswith("node_textfile_scrape_error 1\n")


def test_unreadable_prom_entries(tmp_path):
    (tmp_path / "dir.prom").mkdir()
    os.mkfifo(tmp_path / "fifo.prom")
    os.symlink(tmp_path / "nowhere", tmp_path / "broken.prom")
    text = run(tmp_path, {"ok.prom": "ok 1\n", "empty.prom": ""})
    assert "node_textfile_scrape_error 1\n" in text
    assert "\nok 1\n" in text
    assert f'file="{tmp_path}/empty.prom"' in text  # an empty file is a valid, empty document


def test_repeated_flag_and_glob(tmp_path):
    text = run(tmp_path, {"one/a.prom": "a 1\n", "two/b.prom": "b 2\n", "three/c.prom": "c 3\n"},
               "one", "t*")
    assert "\na 1\n" in text and "\nb 2\n" in text and "\nc 3\n" in text
    assert "node_textfile_scrape_error 0\n" in text


def test_glob_matching_nothing_is_a_missing_directory(tmp_path):
    text = run(tmp_path, {"a.prom": "a 1\n"}, "nothing*")
    assert text.endswith("node_textfile_scrape_error 1\n")


def test_same_help_merges_and_label_sets_pad_within_a_file(tmp_path):
    text = run(tmp_path, {
        "a.prom": "# HELP e Events.\n# TYPE e counter\ne{x=\"1\"} 1\ne{y=\"2\"} 2\n",
        "b.prom": "# HELP e Events.\n# TYPE e counter\ne{z=\"3\"} 3\n",
    })
    assert "# HELP e Events.\n# TYPE e counter\n" in text
    assert 'e{x="",y="2"} 2\n' in text and 'e{x="1",y=""} 1\n' in text and 'e{z="3"} 3\n' in text


def test_different_help_drops_later_files_for_good(tmp_path):
    text = run(tmp_path, {
        "a.prom": "# HELP e First.\ne{f=\"a\"} 1\n",
        "b.prom": "# HELP e Second.\ne{f=\"b\"} 2\n",
        "c.prom": "# HELP e First.\ne{f=\"c\"} 3\n",  # dropped too: the names' HELP already clashed
    })
    assert "# HELP e First.\n" in text
    assert 'e{f="a"} 1\n' in text and 'f="b"' not in text and 'f="c"' not in text
    assert "node_textfile_scrape_error 1\n" in text
    assert text.count("node_textfile_mtime_seconds{") == 3


def test_help_then_no_help_keeps_the_first(tmp_path):
    # The second file gets "Metric read from a, b" as its HELP, which the registry refuses.
    text = run(tmp_path, {"a.prom": "# HELP e Events.\ne{f=\"a\"} 1\n", "b.prom": "e{f=\"b\"} 2\n"})
    assert "# HELP e Events.\n" in text and 'f="b"' not in text
    assert "node_textfile_scrape_error 0\n" in text


def test_type_clash_and_duplicates_are_dropped(tmp_path):
    text = run(tmp_path, {
        "a.prom": "# HELP g G.\n# TYPE g gauge\ng 1\nd 1\nd 2\n",
        "b.prom": "# HELP g G.\n# TYPE g counter\ng 5\n",
    })
    assert "# TYPE g gauge\ng 1\n" in text and "g 5" not in text
    assert "\nd 1\n" in text and "d 2" not in text


def test_summary_suffix_collision(tmp_path):
    text = run(tmp_path, {
        "a.prom": "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 2\ns_count 3\n",
        "b.prom": "s_count 9\n",
    })
    assert 's{quantile="0.5"} 1\ns_sum 2\ns_count 3\n' in text
    assert "s_count 9" not in text


def test_histogram_without_inf_bucket_gets_one(tmp_path):
    text = run(tmp_path, {"h.prom": "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"0.5\"} 1\n"
                                    "h_sum 3\nh_count 4\n"})
    assert ('h_bucket{le="0.5"} 1\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 4\nh_sum 3\nh_count 4\n'
            in text)


def test_large_file_is_refused(tmp_path):
    write_tree(tmp_path, {"big.prom": "x 1\n" * 100, "ok.prom": "ok 1\n"})
    collector = textfile(str(tmp_path))
    collector.max_file_bytes = 64
    text = collect_text(collector)
    assert "node_textfile_scrape_error 1\n" in text and "\nok 1\n" in text and "\nx 1\n" not in text
