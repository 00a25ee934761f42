"""Trade flows as published (IMF DOTS/IMTS, UN Comtrade) and units in market scores.

The real-data tests read ``../shared/data/trade_dots_core_bilateral.csv`` (IMF DOTS, US$
millions) and ``macro_long.csv`` (World Bank WDI) and skip when they are absent. Reference
values are computed here from the raw files with pandas alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from siei_xl import Panel
from siei_xl.bilateral import detect_flow_layout, read_flows, to_flows
from siei_xl.cli import main
from siei_xl.exceptions import DataError, HeaderError
from siei_xl.market import Flows, flow_group, flow_pair, flow_pair_series
from siei_xl.units import UnitError, parse_unit, unit_of_name

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DOTS = SHARED / "trade_dots_core_bilateral.csv"
MACRO = SHARED / "macro_long.csv"
realdata = pytest.mark.skipif(
    not (DOTS.exists() and MACRO.exists()), reason=f"real data not found in {SHARED}"
)


# ------------------------------------------------------------------ hand-made tables
def test_imf_layout_turnover_world_and_aggregates() -> None:
    table = pd.DataFrame(
        {
            "Country Code": ["KAZ"] * 6 + ["F19"],
            "Counterpart Country Code": ["RUS", "RUS", "W00", "W00", "F19", "CHN", "KAZ"],
            "Indicator Code": [
                "TXG_FOB_USD", "TMG_CIF_USD", "TXG_FOB_USD", "TMG_CIF_USD",
                "TXG_FOB_USD", "TMG_FOB_USD", "TXG_FOB_USD",
            ],
            "Time Period": ["2015"] * 7,
            "Value": [4.5, 8.5, 45.0, 30.0, 3.0, 2.0, 1.0],
            "unit": ["US$ millions"] * 7,
        }
    )  # fmt: skip
    assert detect_flow_layout(table) == "imf_trade"
    flows = to_flows(table)
    got = {(r, p): v for r, p, v in flows[["reporter", "partner", "value"]].itertuples(index=False)}
    # TMG_FOB_USD is left out when CIF imports are there; F19 is an aggregate
    assert got == {("KAZ", "RUS"): 13.0}
    assert flows.attrs["unit"] == "USD millions"
    assert flows.attrs["totals"].frame.to_dict("records") == [
        {"country": "KAZ", "year": 2015, "trade_world_musd": 75.0}
    ]
    assert any("F19" in n for n in flows.attrs["notes"])
    assert any("TMG_FOB_USD" in n for n in flows.attrs["notes"])


def test_comtrade_layout_keeps_totals_only() -> None:
    table = pd.DataFrame(
        {
            "reporterISO": ["KAZ", "KAZ", "KAZ", "KAZ", "KAZ"],
            "partnerISO": ["RUS", "RUS", "RUS", "W00", "W00"],
            "flowCode": ["X", "M", "M", "X", "M"],
            "period": [2015, 2015, 2015, 2015, 2015],
            "cmdCode": ["TOTAL", "TOTAL", "27", "TOTAL", "TOTAL"],
            "primaryValue": [4.5e9, 8.5e9, 1e9, 45e9, 30e9],
        }
    )
    assert detect_flow_layout(table) == "comtrade"
    flows = to_flows(table)
    assert flows[["reporter", "partner", "year", "value"]].to_dict("records") == [
        {"reporter": "KAZ", "partner": "RUS", "year": 2015, "value": 13e9}
    ]
    assert flows.attrs["unit"] == "USD"  # primaryValue is in US$
    assert flows.attrs["totals"].frame.columns[-1] == "trade_world_usd"


def test_comtrade_monthly_and_commodity_detail_are_refused() -> None:
    base = {"reporterISO": ["KAZ"], "partnerISO": ["RUS"], "flowCode": ["X"],
            "primaryValue": [1.0]}  # fmt: skip
    with pytest.raises(DataError, match="download annual"):
        to_flows(pd.DataFrame({**base, "period": ["201501"]}))
    detail = pd.DataFrame({**base, "period": [2015, 2015], "cmdCode": ["27", "28"]} | {
        k: v * 2 for k, v in base.items()})  # fmt: skip
    with pytest.raises(DataError, match="no total"):
        to_flows(detail)


def test_unknown_layout_and_mixed_units_are_one_line_errors() -> None:
    with pytest.raises(HeaderError, match="cannot tell the flows layout"):
        to_flows(pd.DataFrame({"a": [1], "b": [2]}))
    mixed = pd.DataFrame({"reporter": ["A", "B"], "partner": ["B", "A"], "year": [1, 1],
                          "value": [1.0, 2.0], "unit": ["USD", "USD millions"]})  # fmt: skip
    with pytest.raises(DataError, match="mixes units"):
        to_flows(mixed)


@pytest.mark.parametrize(
    ("text", "quantity", "scale"),
    [("USD", "USD", 1.0), ("US$ millions", "USD", 1e6), ("million US$", "USD", 1e6),
     ("USD thousands", "USD", 1e3), ("млн долл. США", "USD", 1e6), ("persons", "persons", 1.0)],
)  # fmt: skip
def test_parse_unit(text: str, quantity: str, scale: float) -> None:
    unit = parse_unit(text)
    assert unit is not None
    assert (unit.quantity, unit.scale) == (quantity, scale)


def test_units_of_names() -> None:
    assert unit_of_name("NY.GDP.MKTP.CD") == parse_unit("USD")
    assert unit_of_name("SP.POP.TOTL") == parse_unit("persons")
    assert unit_of_name("value_musd") == parse_unit("USD millions")
    assert unit_of_name("gdp_usd_m") == parse_unit("USD millions")
    assert unit_of_name("gdp") is None
    assert unit_of_name("NE.EXP.GNFS.ZS") is None
    with pytest.raises(UnitError, match="not understood"):
        parse_unit("furlongs")


# --------------------------------------------------------------------- units in scores
PANEL_USD = Panel.from_rows(
    ["country", "year", "NY.GDP.MKTP.CD", "SP.POP.TOTL"],
    [["A", 2015, 100e6, 1e6], ["B", 2015, 200e6, 2e6], ["C", 2015, 400e6, 4e6]],
)
RAW = [["A", "B", 2015, 30.0], ["B", "A", 2015, 20.0], ["A", "C", 2015, 10.0]]


def test_flows_in_millions_convert_to_a_base_in_dollars() -> None:
    flows = Flows.from_rows(["reporter", "partner", "year", "value_musd"], RAW)
    result = flow_pair(flows, PANEL_USD, "NY.GDP.MKTP.CD", "A", "B", 2015)
    # by hand: s_A = 30e6 / 100e6 = 0.3, s_B = 20e6 / 200e6 = 0.1; 0.03 / 0.4 = 0.075
    assert result.score == pytest.approx(0.075)
    assert result.warnings == ()
    assert "x 1e+06" in result.units
    group = flow_group(flows, PANEL_USD, "NY.GDP.MKTP.CD", "A", "B,C", 2015)
    assert group.score == pytest.approx((30e6 + 10e6) / 100e6)


def test_different_quantities_are_refused() -> None:
    flows = Flows.from_rows(["reporter", "partner", "year", "value_musd"], RAW)
    with pytest.raises(UnitError, match="USD millions but the base is in persons"):
        flow_pair(flows, PANEL_USD, "SP.POP.TOTL", "A", "B", 2015)
    with pytest.raises(UnitError, match="not understood"):
        flow_pair(flows, PANEL_USD, "NY.GDP.MKTP.CD", "A", "B", 2015, base_unit="parsecs")


def test_implausible_shares_are_flagged_when_units_are_unknown() -> None:
    flows = Flows.from_rows(["reporter", "partner", "year", "value"], RAW)
    result = flow_pair(flows, PANEL_USD, "NY.GDP.MKTP.CD", "A", "B", 2015)
    assert result.score == pytest.approx(0.075e-6)  # the silent 1e-8 of the old days
    assert any("below one millionth" in w for w in result.warnings)
    series = flow_pair_series(flows, PANEL_USD, "NY.GDP.MKTP.CD", "A", "B")
    assert len(series.attrs["warnings"]) == 1
    assert "implausible shares in 1 year(s) (2015)" in series.attrs["warnings"][0]
    assert "below one millionth" in series.loc[0, "note"]
    assert "not stated" in series.attrs["units"]
    # stating the unit removes the warning
    fixed = flow_pair(flows, PANEL_USD, "NY.GDP.MKTP.CD", "A", "B", 2015, flow_unit="USD mln")
    assert fixed.warnings == ()
    big = flow_pair(flows, PANEL_USD, "NY.GDP.MKTP.CD", "A", "B", 2015, flow_unit="USD bn")
    assert any("above 1" in w for w in big.warnings)


def test_group_source_is_noted_in_market_series() -> None:
    panel = Panel.from_rows(
        ["country", "year", "gdp_usd_m"],
        [["KAZ", 2015, 100.0], ["RUS", 2015, 1000.0], ["BLR", 2015, 50.0],
         ["ARM", 2015, 10.0], ["KGZ", 2015, 6.0]],
    )  # fmt: skip
    rows = [["KAZ", p, 2015, 1.0] for p in ("RUS", "BLR", "ARM", "KGZ")]
    flows = Flows.from_rows(["reporter", "partner", "year", "value"], rows)
    result = flow_group(flows, panel, "gdp_usd_m", "KAZ", "EAEU", 2015)
    assert result.score == pytest.approx(4.0 / 100.0)
    assert "built-in catalogue" in result.notes[0]


# ------------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def dots() -> pd.DataFrame:
    return pd.read_csv(DOTS)


@realdata
def test_dots_as_published_turnover_and_no_world(dots: pd.DataFrame) -> None:
    flows = read_flows(DOTS)
    raw = dots[(dots.reporter_iso3 == "KAZ") & (dots.partner_iso3 == "RUS") & (dots.year == 2015)]
    exports = raw.loc[raw.flow == "exports_fob", "value_musd"].item()
    imports = raw.loc[raw.flow == "imports_cif", "value_musd"].item()
    got = flows[(flows.reporter == "KAZ") & (flows.partner == "RUS") & (flows.year == 2015)]
    assert got["value"].item() == pytest.approx(exports + imports, rel=1e-15)
    assert "WLD" not in set(flows["partner"])
    assert "WLD" not in set(flows["reporter"])
    assert flows.attrs["unit"] == "USD millions"
    assert set(flows["unit"]) == {"USD millions"}
    totals = flows.attrs["totals"].frame
    world = dots[(dots.reporter_iso3 == "KAZ") & (dots.partner_iso3 == "WLD") & (dots.year == 2015)]
    assert totals.set_index(["country", "year"]).loc[("KAZ", 2015), "trade_world_musd"] == (
        pytest.approx(world["value_musd"].sum(), rel=1e-15)
    )


@realdata
def test_market_scores_from_dots_and_wdi_gdp_equal_an_independent_computation(
    dots: pd.DataFrame,
) -> None:
    macro = pd.read_csv(MACRO)
    gdp = macro[macro.indicator == "NY.GDP.MKTP.CD"]
    panel = Panel.from_long(gdp[["iso3", "year", "indicator", "value"]])
    flows = Flows.read(DOTS)  # as downloaded: US$ millions; GDP in current US$
    got = flow_pair_series(flows, panel, "NY.GDP.MKTP.CD", "KAZ", "RUS", years=range(2000, 2021))
    assert got.attrs["warnings"] == []
    assert "x 1e+06" in got.attrs["units"]
    # independent: turnover as each side reports it, US$ millions -> US$, harmonic pair
    trade = dots[dots.flow.isin(["exports_fob", "imports_cif"])]
    turnover = trade.groupby(["reporter_iso3", "partner_iso3", "year"])["value_musd"].sum()
    gdp_by = gdp.set_index(["iso3", "year"])["value"]
    for year in range(2000, 2021):
        s_kaz = turnover[("KAZ", "RUS", year)] * 1e6 / gdp_by[("KAZ", year)]
        s_rus = turnover[("RUS", "KAZ", year)] * 1e6 / gdp_by[("RUS", year)]
        want = s_kaz * s_rus / (s_kaz + s_rus)
        row = got[got.year == year]
        assert row["score"].item() == pytest.approx(want, rel=1e-12)
        assert row["share_a"].item() == pytest.approx(s_kaz, rel=1e-12)
    assert np.all(got["score"] > 1e-4)  # no 1e-8 scores


@realdata
def test_cli_import_writes_the_flows_layout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, totals = tmp_path / "flows.csv", tmp_path / "totals.csv"
    assert main(["import", str(DOTS), "-o", str(out), "--totals", str(totals)]) == 0
    printed = capsys.readouterr().out
    assert "unit USD millions" in printed
    written = pd.read_csv(out, encoding="utf-8-sig")
    assert list(written.columns) == ["reporter", "partner", "year", "value", "unit"]
    assert "WLD" not in set(written["partner"])
    assert Flows.read(out).unit == parse_unit("USD millions")
    assert list(pd.read_csv(totals, encoding="utf-8-sig").columns) == [
        "country",
        "year",
        "trade_world_musd",
    ]
    # the same output again without --force: one line, exit 2, nothing changed
    before = out.read_bytes()
    assert main(["import", str(DOTS), "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_the_flows_layout_keeps_free_text_labels(tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(
        "reporter,partner,year,value,unit\n"
        "Altai Krai,East Kazakhstan,2015,12.5,USD millions\n"
        "East Kazakhstan,Altai Krai,2015,10.0,USD millions\n"
        "Altai Krai,World,2015,900.0,USD millions\n",
        encoding="utf-8",
    )
    flows = Flows.read(path)
    assert flows.reported("altai krai", "East Kazakhstan", 2015) == 12.5
    assert flows.reported("Altai Krai", "World", 2015) is None  # the World is a total
    assert flows.unit == parse_unit("USD millions")
