"""The Experts sheet of the SIEI workbook and the institutional block Compute writes from it.

What a user relies on: the template has an Experts sheet (header, number checks, defined
name), Load example fills it with the illustrative poll, and Compute (or ``siei-xl fill``)
adds a table per grouping, criterion and year to Results whose cells are live
``SIEI_EXPERT`` formulas, stored with the values the pandas API gives
(:func:`siei_xl.experts.expert_summary` on the same rows). The example's Groups sheet holds
the built-in catalogue's groupings for the example's economies.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fake_book import FakeBook
from udf_helpers import formulas_and_values

import siei_xl as siei
from siei_xl import job
from siei_xl.example import EXAMPLE_PARTNERS, example_experts, example_group_rows
from siei_xl.excel import layout, macros
from siei_xl.excel.fill import demo, example_inputs
from siei_xl.excel.template import WorkbookContent, sheet_layouts, template_content
from siei_xl.exceptions import SieiError
from siei_xl.experts import ExpertScores, expert_summary
from siei_xl.groups import catalogue

STATISTICS = {"n": "n_experts", "mean": "mean", "median": "median", "sd": "sd", "W": "w"}
STATISTICS["p"] = "p_value"


def _summary() -> dict[tuple[str, str, int], dict[str, object]]:
    rows = example_experts()
    frame = expert_summary(ExpertScores.from_rows(rows[0], rows[1:]))
    return {(r["grouping"], r["criterion"], int(r["year"])): r for r in frame.to_dict("records")}


def _book(content: WorkbookContent) -> FakeBook:
    book = FakeBook()
    book.lay_out(sheet_layouts(content))
    return book


def _expert_cells(book: FakeBook) -> list[tuple[int, int, str]]:
    """(row, col, formula) of every SIEI_EXPERT cell on Results (1-based)."""
    cells = book.sheets["Results"].cells
    return sorted(
        (r, c, cell.formula)
        for (r, c), cell in cells.items()
        if cell.formula is not None and cell.formula.startswith("=SIEI_EXPERT(")
    )


# ------------------------------------------------------------------ the sheet
def test_the_template_has_an_experts_sheet(tmp_path: Path) -> None:
    from siei_xl.excel.template import build_template

    path = build_template(tmp_path / "t.xlsm")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames.index("Experts") == book.sheetnames.index("Flows") + 1
    sheet = book["Experts"]
    assert sheet["A1"].value == layout.INSTRUCTIONS["Experts"]
    assert [c.value for c in sheet[2]] == ["expert", "grouping", "criterion", "year", "score"]
    assert book.defined_names["SIEI_Experts"].attr_text == "Experts!$A$1:$E$3"
    checks = {
        str(v.sqref): (v.type, v.formula1, v.formula2)
        for v in sheet.data_validations.dataValidation
    }
    assert checks == {"D3:D1002": ("whole", "1900", "2100"), "E3:E1002": ("decimal", "0", "100")}
    settings = {r[0].value: r[1].value for r in book["Settings"].iter_rows(min_row=3)}
    assert settings["Expert scale"] == "1-10"
    with zipfile.ZipFile(path) as z:  # the Experts sheet has its VBA document module
        assert b"Experts" in z.read("xl/workbook.xml")


def test_an_empty_or_header_only_experts_sheet_adds_no_table() -> None:
    data, groups, settings = example_inputs()
    for experts in (None, [], [[layout.INSTRUCTIONS["Experts"]], layout.EXPERTS_HEADER]):
        result = job.run(data, groups, settings, None, experts)
        assert result.experts is None
        sheet = layout.results_sheet(result, layout.Refs.standard(data, groups))
        assert not any(c.formula and "SIEI_EXPERT" in c.formula for c in sheet.cells)


def test_a_bad_score_stops_compute_and_validate_names_the_row() -> None:
    data, groups, settings = example_inputs()
    experts = [[layout.INSTRUCTIONS["Experts"]], *example_experts()]
    experts[7][4] = 11.0  # sheet row 8
    with pytest.raises(SieiError, match="experts row 8: score 11 is outside the scale 1-10"):
        job.run(data, groups, settings, None, experts)
    problems = job.validate(data, groups, settings, experts)
    assert problems == ["Experts sheet: experts row 8: score 11 is outside the scale 1-10"]
    wide = [[k, "0-20" if k == "Expert scale" else v] for k, v in settings]
    assert job.validate(data, groups, wide, experts) == []
    assert job.run(data, groups, wide, None, experts).experts is not None


# ---------------------------------------------------------- the results table
def test_compute_writes_the_institutional_block_with_live_formulas() -> None:
    book = _book(template_content())
    macros.load_example(book)  # the empty template: no question asked
    assert book.sheets["Experts"].range("A4").value == "E1"
    macros.compute(book)
    cells = _expert_cells(book)
    assert len(cells) == 18 * len(STATISTICS)  # 3 groupings x 3 criteria x 2 years
    want = _summary()
    results = book.sheets["Results"]
    for r, c, formula in cells:
        assert formula.startswith("=SIEI_EXPERT(Experts!$A$1:$E$110,")
        grouping, criterion, year = (results.range((r, k)).value for k in (1, 2, 3))
        header = formula.split(",")[-2]  # the statistic is the column's header cell
        word = results.range(header.replace("$", "")).value
        expected = float(want[(grouping, criterion, int(year))][STATISTICS[word]])
        got = results.range((r, c)).value
        assert got == pytest.approx(expected, rel=1e-14), (grouping, criterion, year, word)


def test_the_demo_stores_the_values_its_formulas_give(tmp_path: Path) -> None:
    report = demo(tmp_path)
    text, cached = formulas_and_values(report.output)
    book = FakeBook({name: rows for name, rows in text.items() if name != "Chart"})
    results = book.sheets["Results"]
    checked = 0
    want = _summary()
    for r, row in enumerate(text["Results"], start=1):
        for c, formula in enumerate(row, start=1):
            if not (isinstance(formula, str) and formula.startswith("=SIEI_EXPERT(")):
                continue
            results.range((r, c)).formula = formula
            stored, got = cached["Results"][r - 1][c - 1], results.range((r, c)).value
            assert isinstance(stored, float)
            assert math.isclose(got, stored, rel_tol=1e-14)
            grouping, criterion, year = cached["Results"][r - 1][:3]
            header = cached["Results"][_header(cached["Results"], r) - 1][c - 1]
            record = want[(grouping, criterion, int(year))]
            assert stored == pytest.approx(float(record[STATISTICS[header]]), rel=1e-14)
            checked += 1
    assert checked == 108
    notes = [r[0] for r in cached["Results"] if isinstance(r[0], str) and r[0].startswith("- ")]
    left_out = "1 expert(s) did not score every grouping: left out of W"
    assert f"- experts common institutions 2024: {left_out}" in notes


def _header(rows: list[list[object]], r: int) -> int:
    while rows[r - 1][0] != "Grouping":
        r -= 1
    return r


# --------------------------------------------------- the catalogue's groupings
def test_the_example_groups_are_the_catalogues_for_its_economies() -> None:
    rows = example_group_rows()
    book = siei.example_groups()
    assert book.names == ("Border region", "EAEU", "CU", "CA5")
    assert book.members("Border region", 2000) == EXAMPLE_PARTNERS
    countries = set(siei.example_panel().countries)
    for name in ("EAEU", "CU", "CA5"):
        for year in range(1995, 2025):
            built_in = catalogue().book.members(name, year)
            assert book.members(name, year) == tuple(c for c in built_in if c in countries)
    assert book.members("EAEU", 2014) == ()
    assert book.members("EAEU", 2015) == ("KAZ", "RUS", "KGZ")
    assert book.members("CU", 2012) == ("KAZ", "RUS")
    sources = {r[0]: r[4] for r in rows[1:]}
    assert sources["EAEU"].endswith("ARM, BLR left out: not in the example's data")
    assert sources["CA5"] == "built-in catalogue (siei-xl groups CA5)"


def test_load_example_fills_groups_from_the_catalogue() -> None:
    book = _book(template_content())
    macros.load_example(book)
    groups = macros.read_sheet(book.sheets["Groups"])
    assert groups[1] == ["group", "country", "from", "to", "source"]
    eaeu = [r[:4] for r in groups[2:] if r[0] == "EAEU"]
    assert eaeu == [
        ["EAEU", "KAZ", 2015, None],
        ["EAEU", "RUS", 2015, None],
        ["EAEU", "KGZ", 2015, None],
    ]
    # Compute with the region set to the catalogue's CA5 as the sheet holds it
    settings = book.sheets["Settings"]
    row = layout.SETTING_ROW["Region"] + 1
    settings.range((row, 2)).value = "CA5"
    macros.compute(book)
    assert book.sheets["Results"].range("G5").value == "CA5"
