"""Presets: the SIEI indices resolve to the right series and directions."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from siei_xl import presets
from siei_xl.exceptions import MissingValueError, OptionError, SieiError
from siei_xl.panel import Panel

WDI = {
    "macro": ("NY.GDP.PCAP.PP.CD", "NY.GDP.MKTP.KD.ZG"),
    "monetary": ("FP.CPI.TOTL.ZG", "PA.NUS.FCRF", "FR.INR.LEND"),
    "fiscal": ("GC.NLD.TOTL.GD.ZS", "GC.DOD.TOTL.GD.ZS"),
    "financial": ("FS.AST.PRVT.GD.ZS", "FM.LBL.BMNY.GD.ZS"),
}


@pytest.mark.parametrize(("name", "codes"), WDI.items())
def test_convergence_presets_name_the_wdi_series_and_lower_is_closer(name, codes) -> None:
    preset = presets.get(name)
    assert preset.codes == codes
    assert preset.block == "convergence"
    assert preset.direction == "lower"
    assert preset.note
    assert preset.title_ru


def test_inflation_falls_back_on_the_deflator_and_the_exchange_rate_is_a_change() -> None:
    inflation, rate, _interest = presets.get("monetary").indicators
    assert inflation.fallback == ("NY.GDP.DEFL.KD.ZG",)
    assert rate.transform == "pct_change"


@pytest.mark.parametrize(
    ("name", "flow", "base"),
    [
        ("trade", "trade", "NY.GDP.MKTP.CD"),
        ("migration", "migration", "SP.POP.TOTL"),
        ("investment", "investment", "NY.GDP.MKTP.CD"),
    ],
)
def test_market_presets_are_a_flow_over_a_base_and_higher_is_more_integrated(
    name, flow, base
) -> None:
    preset = presets.get(name)
    assert (preset.block, preset.flow, preset.base, preset.direction) == (
        "market",
        flow,
        base,
        "higher",
    )


def test_every_shipped_preset_is_valid_and_the_six_market_flows_are_there() -> None:
    book = presets.presets()
    market = {p.flow for p in book.values() if p.block == "market"}
    assert market == {"trade", "migration", "electricity", "agriculture", "education", "investment"}
    assert all(
        p.direction == ("lower" if p.block == "convergence" else "higher") for p in book.values()
    )


def _panel(columns: dict[str, list[float]]) -> Panel:
    frame = pd.DataFrame(
        {"country": ["A", "A", "A", "B", "B", "B"], "year": [2000, 2001, 2002] * 2, **columns}
    )
    return Panel.from_wide(frame)


def test_resolve_uses_the_fallback_only_where_the_main_series_is_missing() -> None:
    panel = _panel(
        {
            "FP.CPI.TOTL.ZG": [5.0, math.nan, 4.0, math.nan, math.nan, 2.0],
            "NY.GDP.DEFL.KD.ZG": [9.0, 7.0, 9.0, 1.0, math.nan, 9.0],
            "PA.NUS.FCRF": [100.0, 110.0, 99.0, 2.0, 3.0, 3.0],
        }
    )
    r = presets.resolve(presets.get("monetary"), panel)
    assert r.used == ("inflation", "exchange_rate_change")
    assert r.missing == ("FR.INR.LEND",)
    inflation = r.panel.values[:, :, 0]
    np.testing.assert_array_equal(inflation, [[5.0, 7.0, 4.0], [1.0, np.nan, 2.0]])
    assert r.fallbacks[["country", "year"]].values.tolist() == [["A", 2001], ["B", 2000]]
    # pct change by hand: A 2001: 100*(110/100-1) = 10; A 2002: 100*(99/110-1) = -10
    change = r.panel.values[:, :, 1]
    np.testing.assert_allclose(change[0], [np.nan, 10.0, -10.0])
    np.testing.assert_allclose(change[1], [np.nan, 50.0, 0.0])


def test_resolve_refuses_a_partial_index_when_asked_to() -> None:
    panel = _panel({"FP.CPI.TOTL.ZG": [1.0] * 6})
    with pytest.raises(MissingValueError, match=r"PA\.NUS\.FCRF, FR\.INR\.LEND"):
        presets.resolve(presets.get("monetary"), panel, partial=False)


def test_a_block_without_any_series_is_not_available() -> None:
    r = presets.resolve(presets.get("fiscal"), _panel({"x": [1.0] * 6}))
    assert not r.available
    assert r.missing == ("GC.NLD.TOTL.GD.ZS", "GC.DOD.TOTL.GD.ZS")


def test_a_market_base_is_scaled_to_the_flow_units() -> None:
    panel = _panel({"NY.GDP.MKTP.CD": [2e9, 3e9, 4e9, 5e9, 6e9, 7e9]})
    r = presets.resolve(presets.get("trade"), panel)
    assert r.panel.values[0, :, 0].tolist() == [2000.0, 3000.0, 4000.0]


def test_override_and_a_user_file_change_only_what_they_give(tmp_path: Path) -> None:
    p = presets.override(presets.get("macro"), indicators="NY.GDP.PCAP.KD, NY.GDP.MKTP.KD.ZG")
    assert p.codes == ("NY.GDP.PCAP.KD", "NY.GDP.MKTP.KD.ZG")
    file = tmp_path / "mine.toml"
    file.write_text(
        '[macro]\nindicators = ["NY.GDP.PCAP.KD"]\n\n'
        '[growth]\nblock = "convergence"\ntitle = "Growth"\ndirection = "lower"\n'
        'indicators = ["NY.GDP.MKTP.KD.ZG"]\n',
        encoding="utf-8",
    )
    book = presets.load(file)
    assert book["macro"].codes == ("NY.GDP.PCAP.KD",)
    assert book["macro"].note == presets.get("macro").note
    assert book["growth"].codes == ("NY.GDP.MKTP.KD.ZG",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[macro]\ndirection = "up"\n', "direction must be 'lower'"),
        ('[macro]\ncolour = "red"\n', "unknown field 'colour'"),
        ("[macro\n", "not valid TOML"),
        ('[new]\nblock = "market"\ntitle = "x"\ndirection = "higher"\n', "a flow type and a base"),
    ],
)
def test_bad_user_presets_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(SieiError, match=message):
        presets.load(file)


def test_an_unknown_preset_suggests_the_closest() -> None:
    with pytest.raises(OptionError, match="closest: macro"):
        presets.get("makro")
