"""What the command line says besides the numbers: the units a market table used, the
implausible-share warnings on stderr, which group a name stood for, the expert summary
written like every other table, and a repeated column header named on import."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from siei_xl.cli import main
from siei_xl.example import example_experts, example_flows, example_frame
from siei_xl.experts import expert_summary, read_experts

CATALOGUE_CA5 = "group 'CA5' (Central Asia (five states)) from the built-in catalogue"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    frame = example_frame(with_gdp=True)
    frame["gdp_usd"] = frame["gdp_usd_m"] * 1e9  # wrong by 1000: shares below a millionth
    frame.to_csv("d.csv", index=False)
    example_flows().to_csv("flows.csv", index=False)
    with open("poll.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(example_experts())
    Path("groups.csv").write_text("group,country\nCA5,KAZ\nCA5,RUS\nCA5,CHN\n", encoding="utf-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


MARKET = ("market", "d.csv", "--flows", "flows.csv", "--focus", "KAZ", "--partners", "RUS")


def test_market_prints_its_units_and_no_warning_when_plausible(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *MARKET, "--base-indicator", "gdp_usd_m", "--years", "2020")
    assert code == 0
    lines = out.splitlines()
    assert (
        lines[1] == "units: the flows' unit not stated: flows and base taken to be in the same unit"
    )
    assert err == ""


def test_market_warns_on_stderr_about_implausible_shares(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = (*MARKET, "--base-indicator", "gdp_usd", "--years", "2020-2021", "-o", "m.csv")
    code, out, err = run(capsys, *argv)
    assert code == 0
    warnings = err.splitlines()
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "siei-xl: warning: RUS: implausible shares in 2 year(s) (2020-2021)"
    )
    assert "below one millionth" in warnings[0]
    written = pd.read_csv("m.csv")
    assert set(written["units"]) == {
        "the flows' unit not stated: flows and base taken to be in the same unit"
    }
    assert out.startswith("wrote m.csv")


@pytest.mark.parametrize(
    "argv",
    [
        ("group", "d.csv", "TJK", "--group", "CA5", "--years", "2020-2021"),
        ("cv", "d.csv", "--group", "CA5", "--years", "2020-2021"),
        ("sigma", "d.csv", "--indicator", "gdp_pc_ppp", "--group", "CA5", "--years", "2018-2021"),
        ("beta", "d.csv", "--indicator", "gdp_pc_ppp", "--group", "CA5", "--years", "2000-2020"),
        (*MARKET, "--base-indicator", "gdp_usd_m", "--region", "CA5", "--years", "2020"),
    ],
    ids=["group", "cv", "sigma", "beta", "market"],
)
def test_a_named_group_says_where_it_came_from(
    files: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    code, out, _err = run(capsys, *argv)
    assert code == 0
    assert CATALOGUE_CA5 in out.splitlines()
    code, out, _err = run(capsys, *argv, "--groups", "groups.csv")
    assert code == 0
    assert "group 'CA5' from your groups (it replaces the built-in group of that name)" in out
    code, out, _err = run(capsys, *argv, "-o", "x.csv", "--force")
    assert code == 0
    assert CATALOGUE_CA5 in out.splitlines()


def test_a_list_of_countries_has_no_group_line(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "cv", "d.csv", "--group", "KAZ,RUS", "--years", "2020")
    assert code == 0
    assert "group '" not in out


def test_experts_output_is_written_like_every_table(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    want = expert_summary(read_experts("poll.csv"))
    code, out, _err = run(capsys, "experts", "poll.csv", "-o", "s.xlsx")
    assert code == 0
    assert out.startswith("wrote s.xlsx: 18 rows")
    sheet = openpyxl.load_workbook("s.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(want.columns)
    assert [r[4] for r in rows[1:]] == pytest.approx(list(want["mean"]), rel=1e-15)
    code, _out, _err = run(capsys, "experts", "poll.csv", "-o", "s.csv", "--sep", ";", "--bom")
    assert code == 0
    raw = Path("s.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfgrouping;criterion;year;n_experts;mean;")
    first = raw.decode("utf-8-sig").splitlines()[1].split(";")
    assert first[:4] == ["EAEU", "trade regime", "2023", "6"]
    assert first[4] == f"{want['mean'][0]}".replace(".", ",")  # decimal comma with ';'
    before = Path("s.csv").read_bytes()
    code, _out, err = run(capsys, "experts", "poll.csv", "-o", "s.csv")
    assert code == 2
    assert "--force" in err
    assert Path("s.csv").read_bytes() == before
    code, _out, err = run(capsys, "experts", "poll.csv", "-o", "s.txt")
    assert code == 2
    assert err.count("\n") == 1


def test_import_names_a_repeated_column(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("rep.csv").write_text(
        "country,year,gdp,gdp\nKAZ,2015,1,2\nRUS,2015,3,4\n", encoding="utf-8"
    )
    code, _out, err = run(capsys, "import", "rep.csv", "-o", "out.csv")
    assert code == 2
    assert err == (
        "siei-xl: error: columns 3 and 4 are both headed 'gdp': each indicator needs a column "
        "of its own; rename or delete one of them\n"
    )
    assert not Path("out.csv").exists()
    Path("rep2.csv").write_text("country,year,GDP [gdp_m],Gdp_M\nKAZ,2015,1,2\n", encoding="utf-8")
    code, _out, err = run(capsys, "import", "rep2.csv", "-o", "out.csv")
    assert code == 2
    assert "columns 3 and 4 ('GDP [gdp_m]', 'Gdp_M') both name 'gdp_m'" in err
