"""Market integration beyond trade: migration, remittances, students, investment.

Each reader is run on a small hand-made file of the layout as published (in
``tests/data``); expected values are added up by hand in the comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siei_xl import Panel
from siei_xl.bilateral import read_bilateral
from siei_xl.cli import main
from siei_xl.exceptions import OptionError, SieiError
from siei_xl.market import Flows, flow_pair
from siei_xl.units import UnitError

DATA = Path(__file__).with_name("data")


def values(frame: pd.DataFrame) -> dict[tuple[str, str, int], float]:
    return {
        (r, p, y): v
        for r, p, y, v in frame[["reporter", "partner", "year", "value"]].itertuples(index=False)
    }


def test_un_desa_migrant_stock() -> None:
    flows = read_bilateral(DATA / "undesa_migrant_stock_table1.csv", "migration")
    got = values(flows)
    # KAZ hosts 2,350,000 born in RUS; RUS hosts 2,560,000 born in KAZ (2015, both sexes)
    assert got[("KAZ", "RUS", 2015)] == 2_350_000 + 2_560_000
    assert got[("RUS", "KAZ", 2015)] == got[("KAZ", "RUS", 2015)]
    assert got[("KAZ", "UZB", 2020)] == 300_000  # the male block (1,050,000...) is not read
    assert flows.attrs["unit"] == "persons"
    assert not any("Central Asia" in p for p in flows["partner"])
    totals = flows.attrs["totals"].frame.set_index(["country", "year"])
    assert totals.loc[("KAZ", 2015), "migrants_world"] == 3_550_000


def test_world_bank_remittance_matrix() -> None:
    flows = read_bilateral(DATA / "wb_bilateral_remittance_matrix.csv", "remittances")
    got = values(flows)
    # received by KAZ from RUS (RUS row, KAZ column) 2100.7 + received by RUS from KAZ 640.2
    assert got[("KAZ", "RUS", 2021)] == pytest.approx(2100.7 + 640.2)
    assert got[("TJK", "RUS", 2021)] == pytest.approx(2890.3 + 15.8)
    assert flows.attrs["unit"] == "USD millions"
    assert "WORLD" not in set(flows["partner"])


def test_remittance_matrix_without_a_year_asks_for_it(tmp_path: Path) -> None:
    text = (DATA / "wb_bilateral_remittance_matrix.csv").read_text(encoding="utf-8")
    untitled = tmp_path / "matrix.csv"
    untitled.write_text("\n".join(text.splitlines()[1:]) + "\n", encoding="utf-8")
    with pytest.raises(OptionError, match="does not name its year"):
        read_bilateral(untitled, "remittances")
    flows = read_bilateral(untitled, "remittances", year=2020, unit="USD millions")
    assert set(flows["year"]) == {2020}


def test_unesco_uis_mobile_students() -> None:
    flows = read_bilateral(DATA / "uis_mobile_students.csv", "students")
    got = values(flows)
    assert got[("KAZ", "RUS", 2019)] == 67_500 + 1_500
    assert got[("KAZ", "RUS", 2018)] == 65_000  # only one direction reported that year
    assert got[("KGZ", "KAZ", 2019)] == 3_100
    assert flows.attrs["unit"] == "persons"
    assert flows.attrs["totals"].frame["students_world"].tolist() == [27_000]


def test_imf_cdis_positions() -> None:
    flows = read_bilateral(DATA / "imf_cdis_positions.csv", "investment")
    got = values(flows)
    # KAZ reports inward 3000 + outward 700 with RUS (the equity breakdown is left out)
    assert got[("KAZ", "RUS", 2019)] == pytest.approx(3700.0)
    # RUS reports inward 1350 only; its derived outward series is left out
    assert got[("RUS", "KAZ", 2019)] == pytest.approx(1350.0)
    assert flows.attrs["unit"] == "USD millions"
    assert any("Equity" in n for n in flows.attrs["notes"])


def test_migration_against_population_and_against_gdp() -> None:
    flows = Flows.read(DATA / "undesa_migrant_stock_table1.csv", kind="migration")
    assert flows.unit is not None
    assert flows.unit.label == "persons"
    panel = Panel.from_rows(
        ["country", "year", "SP.POP.TOTL", "NY.GDP.MKTP.CD"],
        [["KAZ", 2015, 17.5e6, 184e9], ["RUS", 2015, 144e6, 1363e9]],
    )
    score = flow_pair(flows, panel, "SP.POP.TOTL", "KAZ", "RUS", 2015).score
    s_kaz, s_rus = 4_910_000 / 17.5e6, 4_910_000 / 144e6
    assert score == pytest.approx(s_kaz * s_rus / (s_kaz + s_rus))
    with pytest.raises(UnitError, match="persons but the base is in USD"):
        flow_pair(flows, panel, "NY.GDP.MKTP.CD", "KAZ", "RUS", 2015)


def test_cli_import_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "students.csv"
    argv = ["import", str(DATA / "uis_mobile_students.csv"), "--kind", "students"]
    assert main([*argv, "-o", str(out)]) == 0
    assert "unit persons" in capsys.readouterr().out
    assert Flows.read(out).reported("KAZ", "RUS", 2019) == 69_000
    assert main([*argv, "-o", str(tmp_path / "x.csv"), "--year", "2019"]) == 0
    bad = main(["import", str(DATA / "uis_mobile_students.csv"), "--kind", "remittances",
                "-o", str(tmp_path / "y.csv")])  # fmt: skip
    assert bad == 2
    assert "corner cell" in capsys.readouterr().err
    assert not (tmp_path / "y.csv").exists()


@settings(max_examples=40)
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.lists(
                st.sampled_from(
                    [
                        "KAZ",
                        "RUS",
                        "WLD",
                        "2015",
                        "x",
                        "",
                        "1.5",
                        "-3",
                        "..",
                        "exports",
                        "M",
                        "reporter",
                        "partner",
                        "year",
                        "value",
                        "destination",
                        "origin",
                        "(across)",
                    ]
                ),
                min_size=1,
                max_size=6,
            ),
            max_size=6,
        ).map(lambda rows: "\n".join(",".join(r) for r in rows).encode()),
    ),
    kind=st.sampled_from(["trade", "migration", "remittances", "students", "investment"]),
)
def test_readers_never_trace_back(content: bytes, kind: str, tmp_path_factory: Any) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "flows.csv"
    path.write_bytes(content)
    message = ""
    try:
        flows = read_bilateral(path, kind)
    except SieiError as exc:  # the only way to fail: one line of our own
        message = str(exc)
    else:
        assert list(flows.columns) == ["reporter", "partner", "year", "value", "unit"]
    assert "\n" not in message
