"""``market``, ``sigma``, ``beta`` and ``composite`` on the command line; CSV and XLSX
outputs with the method columns; Russian-locale CSV in; ``members`` fixed or as-of-year.

The command line is a thin wrapper: its figures are checked against the library functions
(themselves checked elsewhere), and the new ``members`` option against numpy directly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import siei_xl as siei
from siei_xl.classic import beta_convergence, membership_changes, sigma_series
from siei_xl.cli import main
from siei_xl.composite import composite_index
from siei_xl.example import example_flows, example_frame
from siei_xl.groups import Groups, Member
from siei_xl.market import Flows, flow_pair_series

# KGZ joins in 2015, ARM leaves after 2016: the group changes twice inside 2010-2020
GROUPS = "group,country,from,to\nG,RUS,,\nG,KAZ,,\nG,KGZ,2015,\nG,CHN,,2016\n"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    example_frame(with_gdp=True).to_csv("d.csv", index=False)
    example_flows().to_csv("flows.csv", index=False)
    Path("groups.csv").write_text(GROUPS, encoding="utf-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def panel() -> siei.Panel:
    return siei.Panel.from_wide(example_frame(with_gdp=True))


def book() -> Groups:
    return Groups({"G": ["RUS", "KAZ", Member("KGZ", 2015, None), Member("CHN", None, 2016)]})


# ------------------------------------------------------------------- members
def test_membership_changes_names_who_joined_and_who_left() -> None:
    assert membership_changes("G", range(2010, 2021), book()) == {2015: "+KGZ", 2017: "-CHN"}
    assert membership_changes("RUS,KAZ", range(2010, 2021)) == {}


def test_sigma_members_fixed_uses_the_last_years_members_throughout() -> None:
    p = panel()
    years = list(range(2010, 2021))
    fixed = sigma_series(p, "gdp_pc_ppp", "G", groups=book(), years=years, members="fixed")
    yearly = sigma_series(p, "gdp_pc_ppp", "G", groups=book(), years=years)
    frame = example_frame().set_index(["country", "year"])["gdp_pc_ppp"]

    def sd_log(countries: list[str], year: int) -> float:  # by hand, with numpy
        return float(np.std(np.log([frame[(c, year)] for c in countries]), ddof=1))

    by_year = fixed.series.set_index("year")
    as_of = yearly.series.set_index("year")
    for year in years:  # fixed: the 2020 members (RUS, KAZ, KGZ) in every year
        assert by_year.loc[year, "sigma"] == pytest.approx(sd_log(["RUS", "KAZ", "KGZ"], year))
    assert as_of.loc[2012, "sigma"] == pytest.approx(sd_log(["RUS", "KAZ", "CHN"], 2012))
    assert as_of.loc[2015, "sigma"] == pytest.approx(sd_log(["RUS", "KAZ", "KGZ", "CHN"], 2015))
    # the years where membership changed are marked whichever members are used
    for series in (fixed.series, yearly.series):
        marked = series.loc[series["membership"] != "", ["year", "membership"]]
        assert marked.values.tolist() == [[2015, "+KGZ"], [2017, "-CHN"]]
    assert fixed.series.attrs["members"] == "fixed"


def test_beta_members_fixed_takes_the_end_years_members() -> None:
    p = panel()
    start_members = beta_convergence(p, "gdp_pc_ppp", "G", 2010, 2020, groups=book())
    end_members = beta_convergence(p, "gdp_pc_ppp", "G", 2010, 2020, groups=book(), members="fixed")
    assert start_members.n == 3  # RUS, KAZ, CHN in 2010
    assert end_members.n == 3  # RUS, KAZ, KGZ in 2020
    direct = beta_convergence(p, "gdp_pc_ppp", "RUS,KAZ,KGZ", 2010, 2020)
    assert end_members.b == pytest.approx(direct.b, rel=1e-12)
    with pytest.raises(siei.SieiError, match="members must be 'as-of-year' or 'fixed'"):
        beta_convergence(p, "gdp_pc_ppp", "G", 2010, 2020, groups=book(), members="latest")


# ------------------------------------------------------------------ commands
def test_market_table_matches_the_pandas_api(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "market", "d.csv", "--flows", "flows.csv", "--base-indicator", "gdp_usd_m",
        "--focus", "KAZ", "--partners", "RUS,TKM", "--years", "2010-2012", "-o", "m.csv",
    )  # fmt: skip
    assert (code, err) == (0, "")
    written = pd.read_csv("m.csv", index_col="year", keep_default_na=False)
    assert list(written.columns) == ["RUS", "TKM", "base_indicator", "aggregator", "units", "note"]
    flows = Flows.from_frame(example_flows())
    for partner in ("RUS", "TKM"):
        series = flow_pair_series(
            flows, panel(), "gdp_usd_m", "KAZ", partner, years=[2010, 2011, 2012]
        )
        assert_allclose(written[partner], series["score"], rtol=1e-12)
    assert "TKM" in written.loc[2010, "note"]  # Turkmenistan reports nothing: mirror figures
    code, out, _ = run(
        capsys, "market", "d.csv", "--flows", "flows.csv", "--base-indicator", "gdp_usd_m",
        "--focus", "KAZ", "--partners", "RUS", "--region", "RUS,KGZ", "--years", "2015",
    )  # fmt: skip
    assert code == 0
    assert "Market integration of KAZ" in out
    assert "with Region" in out
    assert "within Region" in out


def test_sigma_command_prints_the_trend_and_marks_membership(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "sigma", "d.csv", "--indicator", "gdp_pc_ppp", "--group", "G", "--groups",
        "groups.csv", "--years", "2010-2020", "--members", "fixed",
    )  # fmt: skip
    assert (code, err) == (0, "")
    expected = sigma_series(
        panel(), "gdp_pc_ppp", "G", groups=book(), years=range(2010, 2021), members="fixed"
    )
    assert f"{expected.trend.slope:.5f} per year" in out
    assert "membership changed in 2015 (+KGZ)" in out
    assert "membership changed in 2017 (-CHN)" in out
    code, _, _ = run(
        capsys, "sigma", "d.csv", "--indicator", "gdp_pc_ppp", "--group", "G", "--groups",
        "groups.csv", "-o", "s.xlsx",
    )  # fmt: skip
    assert code == 0
    workbook = openpyxl.load_workbook("s.xlsx", read_only=True)
    header = [c.value for c in next(workbook.active.iter_rows(max_row=1))]
    workbook.close()
    assert header[:7] == ["year", "sigma", "n", "members", "membership", "note", "error"]
    assert {"measure", "ddof", "indicator", "members_rule"} <= set(header)


def test_beta_command_matches_the_pandas_api(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, _ = run(
        capsys, "beta", "d.csv", "--indicator", "gdp_pc_ppp", "--group", "KAZ,RUS,CHN,KGZ,UZB",
        "--years", "2000-2020", "-o", "b.csv",
    )  # fmt: skip
    assert code == 0
    row = pd.read_csv("b.csv").iloc[0]
    expected = beta_convergence(panel(), "gdp_pc_ppp", "KAZ,RUS,CHN,KGZ,UZB", 2000, 2020)
    assert row["b"] == pytest.approx(expected.b, rel=1e-12)
    assert_allclose(row["half_life"], expected.half_life, rtol=1e-12)  # NaN if diverging
    assert (row["start"], row["end"], row["n"]) == (2000, 2020, 5)


def test_composite_command_matches_the_pandas_api(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scores = pd.DataFrame(
        {"pair": ["A-B", "A-C", "B-C"], "trade": [0.2, 0.1, 0.0], "distance": [0.5, 1.0, 1.5]}
    )
    scores.to_csv("scores.csv", index=False)
    code, _out, _ = run(
        capsys, "composite", "scores.csv", "--higher", "trade", "--lower", "distance",
        "-o", "c.csv",
    )  # fmt: skip
    assert code == 0
    written = pd.read_csv("c.csv")
    expected = composite_index(scores, {"trade": "higher", "distance": "lower"})
    assert written["composite"].tolist() == expected["composite"].tolist() == [1.0, 0.5, 0.0]


# ------------------------------------------------------------------- outputs
def test_csv_for_a_russian_locale_excel(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(
        capsys, "pair", "d.csv", "KAZ", "RUS", "-o", "ru.csv", "--sep", ";", "--bom"
    )  # fmt: skip
    assert code == 0
    raw = Path("ru.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the UTF-8 BOM Excel needs to read UTF-8
    first = raw[3:].decode("utf-8").splitlines()[1].split(";")
    assert first[0] == "1995"
    assert "," in first[3]  # the distance, with a decimal comma (the default with ';')
    back = pd.read_csv("ru.csv", sep=";", decimal=",", encoding="utf-8-sig")
    series = siei.pair_series(panel(), "KAZ", "RUS")
    assert_allclose(back["distance"], series["distance"], rtol=1e-12)


def test_xlsx_output_is_a_workbook_with_the_method(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(
        capsys, "table", "d.csv", "--indicators", "gdp_pc_ppp,gdp_growth", "--focus", "KAZ",
        "--partners", "RUS,CHN", "-o", "t.xlsx",
    )  # fmt: skip
    assert code == 0
    frame = pd.read_excel("t.xlsx", index_col="year")
    assert list(frame.columns) == ["RUS", "CHN", "standardize", "ddof", "indicators", "note"]
    expected = siei.convergence_table(
        panel(), "KAZ", ["RUS", "CHN"], indicators="gdp_pc_ppp,gdp_growth"
    )
    assert_allclose(frame[["RUS", "CHN"]].to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_a_russian_locale_csv_is_read_by_every_command(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example_frame().to_csv("ru.csv", index=False, sep=";", decimal=",", encoding="cp1251")
    example_frame().to_csv("plain.csv", index=False)
    assert "," in Path("ru.csv").read_text(encoding="cp1251").splitlines()[1]
    for argv in (
        ["table", "{}", "--focus", "KAZ", "--partners", "RUS,CHN", "--years", "2015"],
        ["pair", "{}", "KAZ", "RUS", "--years", "2015"],
        ["cv", "{}", "--group", "KAZ,RUS", "--years", "2015"],
        ["matrix", "{}", "--year", "2015"],
        ["sigma", "{}", "--indicator", "gdp_pc_ppp", "--group", "KAZ,RUS,KGZ"],
    ):
        code, russian, err = run(capsys, *(a.format("ru.csv") for a in argv))
        assert (code, err) == (0, "")
        _, plain, _ = run(capsys, *(a.format("plain.csv") for a in argv))
        numbers = [line for line in russian.splitlines() if "Panel(" not in line]
        assert numbers == [line for line in plain.splitlines() if "Panel(" not in line]


def test_table_marks_the_regions_membership_changes(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["table", "d.csv", "--focus", "TJK", "--partners", "RUS", "--region", "G",
            "--groups", "groups.csv", "--years", "2013-2018",
            "--indicators", "gdp_pc_ppp,gdp_growth"]  # fmt: skip
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert "Region membership changed in 2015 (+KGZ)" in out
    assert "Region membership changed in 2017 (-CHN)" in out
    code, _, _ = run(capsys, *argv, "-o", "t.csv")
    written = pd.read_csv("t.csv", index_col="year", keep_default_na=False)
    assert written["membership"].to_dict() == {
        2013: "", 2014: "", 2015: "+KGZ", 2016: "", 2017: "-CHN", 2018: ""
    }  # fmt: skip
