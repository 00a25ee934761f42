"""`siei-xl report`: every file written, its numbers equal to the pandas API, both languages."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import lo
import openpyxl
import pandas as pd
import pytest
from conftest import SHARED_DATA

import siei_xl as siei
from siei_xl.cli import main
from siei_xl.example import example_flows, example_frame
from siei_xl.exceptions import DataError, OptionError, UnknownCountryError, UnknownGroupError
from siei_xl.market import Flows, flow_group, flow_pair, flow_within
from siei_xl.report.run import FILES, build_report

MACRO = ["NY.GDP.PCAP.PP.CD", "NY.GDP.MKTP.KD.ZG"]
MEMBERS = ["KAZ", "RUS", "KGZ", "UZB"]


def wdi_frame() -> pd.DataFrame:
    """The illustrative example with WDI column names; GDP in US$ (the example's US$ m x 1e6)."""
    frame = example_frame(with_gdp=True)
    return pd.DataFrame(
        {
            "country": frame["country"],
            "year": frame["year"],
            MACRO[0]: frame["gdp_pc_ppp"],
            MACRO[1]: frame["gdp_growth"],
            "NY.GDP.MKTP.CD": frame["gdp_usd_m"] * 1e6,
        }
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inputs")
    wdi_frame().to_csv(folder / "data.csv", index=False)
    example_flows().to_csv(folder / "trade.csv", index=False)
    rows = ["expert,grouping,criterion,year,score"]
    for expert, shift in (("E1", 0), ("E2", 1), ("E3", -1)):
        for grouping, base in (("Core", 7), ("CIS", 4), ("SCO", 3)):
            for criterion, step in (("trade regime", 0), ("institutions", 1)):
                rows.append(f"{expert},{grouping},{criterion},2020,{base + shift + step}")
    (folder / "poll.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    groups = "group,country,from,to\n" + "".join(f"Core,{m},2000,\n" for m in MEMBERS[:3])
    (folder / "groups.csv").write_text(groups + "Core,UZB,2010,\n", encoding="utf-8")
    return {
        "data": folder / "data.csv",
        "trade": folder / "trade.csv",
        "poll": folder / "poll.csv",
        "groups": folder / "groups.csv",
    }


@pytest.fixture(scope="module")
def report(inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("out") / "core"
    return build_report(
        inputs["data"],
        out,
        group="Core",
        groups_path=inputs["groups"],
        years="2005-2015",
        flows={"trade": inputs["trade"]},
        experts_path=inputs["poll"],
    )


def test_every_file_is_written_and_missing_blocks_are_listed(report) -> None:
    assert sorted(p.name for p in report.folder.iterdir()) == sorted(FILES)
    assert all(p.stat().st_size > 1000 for p in report.files)
    assert list(report.data.blocks) == ["macro", "trade"]
    assert str(report.data.missing["financial"]) == (
        "none of FS.AST.PRVT.GD.ZS, FM.LBL.BMNY.GD.ZS is in the data"
    )
    assert str(report.data.missing["migration"]) == "no migration flows given"
    assert "institutional" not in report.data.missing
    html = (report.folder / "report.html").read_text(encoding="utf-8")
    assert "none of FS.AST.PRVT.GD.ZS, FM.LBL.BMNY.GD.ZS is in the data" in html
    assert html.count("Universe: 8 economies in the data") == len(report.data.blocks) + 4
    assert report.files[2].read_bytes().startswith(b"%PDF")


def _sheet_values(path: Path, sheet: str) -> list[list[object]]:
    book = openpyxl.load_workbook(path, data_only=True)
    return [list(r) for r in book[sheet].iter_rows(values_only=True)]


def _table(rows: list[list[object]], title: str) -> pd.DataFrame:
    """The table under the subtitle ``title``: header row, then rows until a blank row."""
    top = next(i for i, r in enumerate(rows) if r[0] == title) + 1
    end = next(i for i in range(top + 1, len(rows)) if rows[i][0] is None)
    header = [h for h in rows[top] if h is not None]
    return pd.DataFrame([r[: len(header)] for r in rows[top + 1 : end]], columns=header)


def test_workbook_numbers_equal_the_pandas_api(report, inputs) -> None:
    panel = siei.read_panel(inputs["data"])
    members = {y: MEMBERS if y >= 2010 else MEMBERS[:3] for y in range(2005, 2016)}
    rows = _sheet_values(report.files[0], "macro")
    pairs = _table(rows, "Pairs of countries").set_index("Year")
    checked = 0
    for year, (a, b) in itertools.product(range(2005, 2016), itertools.combinations(MEMBERS, 2)):
        cell = pairs.loc[year, f"{a}–{b}"]
        if b not in members[year]:
            assert math.isnan(cell)  # not a member yet: a blank cell, no pair
            continue
        expected = siei.pair_distance(panel, a, b, year, indicators=MACRO)
        assert cell == pytest.approx(expected, rel=1e-12)
        checked += 1
    assert checked == 5 * 3 + 6 * 6
    rest = _table(rows, "Country with the rest of the group").set_index("Year")
    for year in (2005, 2012):
        for m in members[year]:
            others = [o for o in members[year] if o != m]
            expected = siei.group_distance(panel, m, others, year, indicators=MACRO)
            assert rest.loc[year, m] == pytest.approx(expected, rel=1e-12)
    within = _table(rows, "Within the group").set_index("Year")
    expected = siei.group_cv(panel, members[2012], 2012, indicators=MACRO)
    assert within.loc[2012, "Value"] == pytest.approx(expected, rel=1e-12)


def test_market_numbers_equal_the_pandas_api_with_the_base_in_flow_units(report, inputs) -> None:
    # Independent of the preset's scaling: the example's own GDP column in US$ million.
    panel = siei.Panel.from_wide(example_frame(with_gdp=True))
    flows = Flows.from_frame(example_flows())
    rows = _sheet_values(report.files[0], "trade")
    pairs = _table(rows, "Pairs of countries").set_index("Year")
    expected = flow_pair(flows, panel, "gdp_usd_m", "KAZ", "RUS", 2012).score
    assert pairs.loc[2012, "KAZ–RUS"] == pytest.approx(expected, rel=1e-12)
    rest = _table(rows, "Country with the rest of the group").set_index("Year")
    expected = flow_group(flows, panel, "gdp_usd_m", "KGZ", MEMBERS, 2012).score
    assert rest.loc[2012, "KGZ"] == pytest.approx(expected, rel=1e-12)
    within = _table(rows, "Within the group").set_index("Year")
    expected = flow_within(flows, panel, "gdp_usd_m", MEMBERS[:3], 2007).score
    assert within.loc[2007, "Value"] == pytest.approx(expected, rel=1e-12)


def test_consolidated_and_classic_are_in_the_data(report) -> None:
    data = report.data
    within = data.consolidated["within"]
    assert set(within) == {"convergence", "market_integration"}
    conv = within["convergence"]
    # one block each: the index is the block's own within value, min-max scaled and turned
    cv = conv["macro"]
    expected = 1 - (cv - cv.min()) / (cv.max() - cv.min())
    assert conv["convergence"].tolist() == pytest.approx(expected.tolist(), nan_ok=True)
    assert data.sigma is not None
    assert data.sigma.series["year"].tolist() == list(range(2005, 2016))
    assert data.beta is not None
    assert data.beta.n == 3  # members in the first year
    assert data.institutional is not None
    assert data.institutional["score"].tolist() == pytest.approx([7.5])  # (7 + 8) / 2


@pytest.mark.libreoffice
def test_formulas_recalculated_by_libreoffice_equal_the_stored_values(report) -> None:
    values, _frozen = lo.recalculated_values(report.files[0], freeze=())
    book = openpyxl.load_workbook(report.files[0], data_only=False)
    cached = openpyxl.load_workbook(report.files[0], data_only=True)
    count = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":  # text such as "= flow/base" is not a formula
                    continue
                count += 1
                old = cached[ws.title][cell.coordinate].value
                new = values[ws.title].get(cell.coordinate)
                if isinstance(old, float):
                    assert math.isclose(new, old, rel_tol=1e-9), (ws.title, cell.coordinate)
                else:
                    assert old == "#N/A", (ws.title, cell.coordinate, old)
                    assert str(new).startswith("#N/A"), (ws.title, cell.coordinate, new)
    # pairs: 3 in 2005-09 and 6 in 2010-15 (UZB joins); each member with the rest: 3 and 4
    assert count == (3 * 5 + 6 * 6) + (3 * 5 + 4 * 6)


def test_russian_report(inputs, tmp_path: Path) -> None:
    out = build_report(
        inputs["data"],
        tmp_path / "ru",
        group="KAZ,RUS,KGZ",
        years="2010-2012",
        lang="ru",
    )
    html = (out.folder / "report.html").read_text(encoding="utf-8")
    for words in (
        "Система индикаторов евразийской интеграции",
        "Конвергенция экономических систем",
        "Казахстан",
        "Кыргызстан",
        "не заданы потоки (trade)",
        "экспертный опрос не задан",
    ):
        assert words in html, words
    rows = _sheet_values(out.files[0], "macro")
    assert any(r[0] == "Пары стран" for r in rows)


def test_the_folder_is_refused_when_not_empty_and_replaced_with_force(inputs, tmp_path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep", encoding="utf-8")
    options = {"group": "KAZ,RUS", "years": "2010-2011"}
    with pytest.raises(DataError, match="is not empty; use --force"):
        build_report(inputs["data"], folder, **options)
    assert (folder / "mine.txt").exists()
    build_report(inputs["data"], folder, force=True, **options)
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left


def test_a_failure_leaves_no_folder(inputs, tmp_path: Path) -> None:
    with pytest.raises(UnknownCountryError, match="KZX"):
        build_report(inputs["data"], tmp_path / "out", group="KZX,RUS", years="2010-2011")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(
        UnknownGroupError, match=r"'Nowhere' is neither a group \(yours or the built-in"
    ):
        build_report(inputs["data"], tmp_path / "out", group="Nowhere", years="2010")
    with pytest.raises(OptionError, match="no market preset uses 'tourism' flows"):
        build_report(
            inputs["data"], tmp_path / "out", group="KAZ,RUS", years="2010", flows={"tourism": "x"}
        )


def test_cli(inputs, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "cli"
    argv = ["report", str(inputs["data"]), "--group", "KAZ,RUS,CHN", "--years", "2010-2012"]
    assert (
        main([*argv, "-o", str(folder), "--flows", str(inputs["trade"]), "--preset", "macro,trade"])
        == 0
    )
    captured = capsys.readouterr()
    assert "reading data" in captured.err  # progress
    assert "wrote" in captured.out
    assert "2 blocks: macro, trade" in captured.out
    assert main([*argv, "-o", str(folder)]) == 2
    assert "is not empty; use --force" in capsys.readouterr().err
    assert main([*argv[:-1], "2012-2010", "-o", str(tmp_path / "x")]) == 2
    assert "--years must go from early to late" in capsys.readouterr().err
    assert main(["presets"]) == 0
    assert "monetary" in capsys.readouterr().out


REAL = SHARED_DATA / "macro_long.csv"
TRADE = SHARED_DATA / "trade_dots_core_bilateral.csv"


@pytest.mark.realdata
@pytest.mark.skipif(
    not (REAL.exists() and TRADE.exists()), reason=f"real data not at {SHARED_DATA}"
)
def test_eaeu_report_on_real_data(tmp_path: Path) -> None:
    groups = tmp_path / "groups.csv"
    rows = [("BLR", 2015), ("KAZ", 2015), ("RUS", 2015), ("ARM", 2015), ("KGZ", 2015)]
    groups.write_text(
        "group,country,from\n" + "".join(f"EAEU,{c},{y}\n" for c, y in rows), encoding="utf-8"
    )
    out = build_report(
        REAL,
        tmp_path / "eaeu",
        group="EAEU",
        groups_path=groups,
        years="2015-2020",
        flows={"trade": TRADE},
    )
    assert sorted(p.name for p in out.folder.iterdir()) == sorted(FILES)
    assert list(out.data.blocks) == ["macro", "monetary", "fiscal", "trade"]
    assert out.data.blocks["monetary"].resolved.missing == ("PA.NUS.FCRF", "FR.INR.LEND")
    panel = siei.read_panel(REAL, indicators=MACRO)
    rows = _sheet_values(out.files[0], "macro")
    pairs = _table(rows, "Pairs of countries").set_index("Year")
    for a, b in itertools.combinations(["BLR", "KAZ", "RUS", "ARM", "KGZ"], 2):
        expected = siei.pair_distance(panel, a, b, 2019, indicators=MACRO)
        assert pairs.loc[2019, f"{a}–{b}"] == pytest.approx(expected, rel=1e-12)
    # IMF DOTS: exports and imports rows added up into turnover, US$ million over GDP in US$
    dots = pd.read_csv(TRADE)
    kaz_rus = dots.query("reporter_iso3 == 'KAZ' and partner_iso3 == 'RUS' and year == 2019")
    rus_kaz = dots.query("reporter_iso3 == 'RUS' and partner_iso3 == 'KAZ' and year == 2019")
    long = pd.read_csv(REAL).query("indicator == 'NY.GDP.MKTP.CD' and year == 2019")
    gdp = long.set_index("iso3")["value"] / 1e6
    s_a = kaz_rus["value_musd"].sum() / gdp["KAZ"]
    s_b = rus_kaz["value_musd"].sum() / gdp["RUS"]
    trade = _table(_sheet_values(out.files[0], "trade"), "Pairs of countries").set_index("Year")
    assert trade.loc[2019, "KAZ–RUS"] == pytest.approx(1 / (1 / s_a + 1 / s_b), rel=1e-9)
