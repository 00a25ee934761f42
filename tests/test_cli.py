"""The ``siei-xl`` command line, run in-process through ``siei_xl.cli.main``.

The command line is a thin wrapper, so its figures are checked against the library
functions it calls (themselves checked against independent computations elsewhere).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_allclose

import siei_xl as siei
from siei_xl.cli import main

PARTNERS = ["RUS", "CHN", "KGZ", "UZB", "TKM"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_prints_the_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the demo writes its workbook; never into the repository
    code, out, _ = run(capsys, "demo", "--out-dir", str(tmp_path))
    assert code == 0
    assert "ILLUSTRATIVE" in out  # never passes the example off as statistics
    header = next(line for line in out.splitlines() if "Border region" in line)
    assert header.split() == [*PARTNERS, "Border", "region"]
    rows = {
        line.split()[0]: line.split()[1:] for line in out.splitlines() if line[:2] in {"19", "20"}
    }
    assert sorted(rows) == [str(y) for y in range(1995, 2025)]
    panel = siei.example_panel()
    for partner, printed in zip(PARTNERS, rows["2015"], strict=False):
        assert printed == f"{siei.pair_distance(panel, 'KAZ', partner, 2015):.3f}"
    assert rows["2015"][-1] == f"{siei.group_distance(panel, 'KAZ', PARTNERS, 2015):.3f}"


def test_table(capsys: pytest.CaptureFixture[str], example_csv: Path) -> None:
    code, out, err = run(
        capsys, "table", str(example_csv), "--focus", "kaz", "--partners", "RUS,CHN",
        "--region", "RUS,CHN,KGZ", "--region-label", "Neighbours", "--years", "2010-2012",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "Convergence of KAZ" in out
    lines = out.splitlines()
    assert next(line for line in lines if "Neighbours" in line).split() == [
        "RUS",
        "CHN",
        "Neighbours",
    ]
    assert [line.split()[0] for line in lines if line[:3] == "201"] == ["2010", "2011", "2012"]


def test_table_to_csv(
    capsys: pytest.CaptureFixture[str], example_csv: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    code, out, _ = run(
        capsys, "table", str(example_csv), "--focus", "KAZ", "--partners", ",".join(PARTNERS),
        "--region", ",".join(PARTNERS), "--standardize", "pooled", "--ddof", "0", "-o", str(target),
    )  # fmt: skip
    assert code == 0
    assert f"wrote {target}" in out
    written = pd.read_csv(target, index_col="year")
    expected = siei.convergence_table(
        siei.example_panel(), "KAZ", PARTNERS, region=PARTNERS, standardize="pooled", ddof=0
    )
    # the numbers, then the method and each year's n/a reasons, as the pandas API has them
    assert list(written.columns) == [
        *PARTNERS,
        "Region",
        "standardize",
        "ddof",
        "indicators",
        "note",
    ]
    assert_allclose(written[expected.columns].to_numpy(), expected.to_numpy(), rtol=1e-12)
    assert set(written["standardize"]) == {"pooled"}
    assert set(written["ddof"]) == {0}
    assert set(written["indicators"]) == {"gdp_pc_ppp,gdp_growth"}


def test_pair(capsys: pytest.CaptureFixture[str], example_csv: Path, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "pair", str(example_csv), "KAZ", "RUS", "--years", "2015")
    assert code == 0
    row = next(line for line in out.splitlines() if line.strip().startswith("2015"))
    expected = siei.pair_distance(siei.example_panel(), "KAZ", "RUS", 2015)
    assert row.split()[:3] == ["2015", f"{expected:.3f}", "8"]
    target = tmp_path / "pair.csv"
    assert main(["pair", str(example_csv), "KAZ", "RUS", "-o", str(target)]) == 0
    written = pd.read_csv(target, keep_default_na=False)
    series = siei.pair_series(siei.example_panel(), "KAZ", "RUS")
    assert list(written.columns) == list(series.columns)  # the pandas API's columns, all
    assert_allclose(written["distance"], series["distance"], rtol=1e-12)


def test_group(capsys: pytest.CaptureFixture[str], example_csv: Path, tmp_path: Path) -> None:
    groups = tmp_path / "groups.csv"
    groups.write_text("group,country,from\nEAEU,RUS,2015\nEAEU,KAZ,2015\nEAEU,KGZ,2015\n")
    code, out, _ = run(
        capsys, "group", str(example_csv), "TJK", "--group", "EAEU", "--groups", str(groups),
        "--years", "2014-2015",
    )  # fmt: skip
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()[:3] == "201"}
    assert "no members in 2014" in lines["2014"]
    expected = siei.group_distance(siei.example_panel(), "TJK", "RUS,KAZ,KGZ", 2015)
    assert f"{expected:.3f}" in lines["2015"]


def test_matrix(capsys: pytest.CaptureFixture[str], example_csv: Path) -> None:
    code, out, _ = run(
        capsys, "matrix", str(example_csv), "--year", "2015", "--countries", "KAZ,RUS"
    )
    assert code == 0
    expected = siei.pair_distance(siei.example_panel(), "KAZ", "RUS", 2015)
    rows = {
        line.split()[0]: line.split()[1:] for line in out.splitlines() if line[:3] in {"KAZ", "RUS"}
    }
    assert rows == {"KAZ": ["0.000", f"{expected:.3f}"], "RUS": [f"{expected:.3f}", "0.000"]}


def test_cv(capsys: pytest.CaptureFixture[str], example_csv: Path, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "cv", str(example_csv), "--group", ",".join(PARTNERS))
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines() if line.strip()[:2] in {"19", "20"}}
    assert len(rows) == 30
    expected = siei.group_cv(siei.example_panel(), PARTNERS, 2015)
    assert f"{expected:.3f}" in rows["2015"]
    # a near-zero mean year (growth: mean 0.5, sd 5.6) is reported, not a huge number
    assert "too close to zero" in rows["1996"]
    # options reach the computation
    target = tmp_path / "cv.csv"
    argv = ["cv", str(example_csv), "--group", ",".join(PARTNERS), "--ddof", "0"]
    assert main([*argv, "--cv-limit", "1000", "-o", str(target)]) == 0
    written = pd.read_csv(target)
    series = siei.group_cv_series(siei.example_panel(), PARTNERS, ddof=0, cv_limit=1000)
    assert_allclose(written["cv"], series["cv"], rtol=1e-12)
    assert written["cv"].notna().all()
    # a year the measure is undefined is a note, not a failure of the whole run
    code, out, _ = run(capsys, "cv", str(example_csv), "--group", "KAZ", "--years", "2000")
    assert code == 0
    assert "the group has 1 member in 2000" in out


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["pair", "{csv}", "KZX", "RUS"], "country 'KZX' is not in the data (closest:"),
        (["pair", "{dir}/nope.csv", "KAZ", "RUS"], "nope.csv' does not exist"),
        (["pair", "{csv}", "KAZ", "RUS", "--indicators", "gdp"], "indicator 'gdp' is not"),
        (["pair", "{csv}", "KAZ", "RUS", "--years", "soon"], "--years must look like 2000-2020"),
        (["matrix", "{csv}", "--year", "1990"], "year 1990 is not in the data"),
        (["cv", "{csv}", "--group", "KAZ,XYZ"], "in the group: country 'XYZ' is not"),
        (["pair", "{bad}", "KAZ", "RUS"], "row 3, column 'gdp'"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str],
    example_csv: Path,
    tmp_path: Path,
    argv: list[str],
    problem: str,
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text('country,year,gdp\nKAZ,2015,1\nRUS,2015,"12,5"\n')
    paths = {"csv": example_csv, "dir": tmp_path, "bad": bad}
    code, out, err = run(capsys, *(a.format(**paths) for a in argv))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("siei-xl: error: ")
    assert problem in err


def test_bad_option_values_are_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], example_csv: Path
) -> None:
    code, out, err = run(capsys, "pair", str(example_csv), "KAZ", "RUS", "--standardize", "weekly")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("siei-xl: error: pair: argument --standardize: invalid choice: 'weekly'")


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 2
    assert "demo" in out
