"""LibreOffice (headless) as a second engine: it loads the VBA project, prints the workbook
and recomputes the standard formulas of the Results sheet.

Skipped where ``soffice`` or the system Python's ``uno`` is missing (tests/lo.py). Each
LibreOffice start costs about two seconds, so the checks share a few calls.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import lo
import openpyxl
import pytest

from siei_xl.excel import vba
from siei_xl.excel.fill import demo
from siei_xl.excel.template import TEMPLATE_NAME

pytestmark = pytest.mark.libreoffice

TEMPLATE = Path(__file__).resolve().parents[1] / TEMPLATE_NAME
EXPECTED_MODULES = {
    "xlwings",
    "xlwings_udfs",
    "SieiErrors",
    "SieiRibbon",
    "SieiRegister",
    "SieiWhy",
    "Dictionary",
    "ThisWorkbook",
}


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lo.require_libreoffice()  # skip before spending time on the build
    return demo(tmp_path_factory.mktemp("demo")).output


def code_lines(text: str) -> list[str]:
    """Module text as LibreOffice keeps it: no Attribute lines, LF line ends."""
    lines = lo.strip_vba_header(text.replace("\r\n", "\n")).rstrip("\n").split("\n")
    return [line for line in lines if not line.startswith("Attribute ")]


def test_libreoffice_loads_every_vba_module_of_the_template() -> None:
    modules = lo.vba_modules(TEMPLATE)
    assert set(modules) >= EXPECTED_MODULES
    assert {f"Sheet{k}" for k in range(1, 8)} <= set(modules)  # one per sheet
    for name, text in vba.standard_modules().items():
        assert code_lines(modules[name]) == code_lines(text), name


def test_filled_demo_prints_to_pdf(demo_book: Path, tmp_path: Path) -> None:
    pdf = lo.convert(demo_book, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert lo.pdf_pages(pdf) > 1


def test_standard_formulas_recompute_to_the_stored_values(demo_book: Path) -> None:
    """SIEI cells frozen to their stored values; Mean and Change recomputed by LibreOffice."""
    values, frozen = lo.recalculated_values(demo_book, freeze=("SIEI_",))
    book = openpyxl.load_workbook(demo_book, data_only=False)
    cached = openpyxl.load_workbook(demo_book, data_only=True)
    formulas = {
        c.coordinate: c.value
        for row in book["Results"].iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    }
    stored = {c.coordinate: c.value for row in cached["Results"].iter_rows() for c in row}
    siei_cells = {cell for cell, f in formulas.items() if "SIEI_" in f}
    assert {f"Results!{cell}" for cell in siei_cells} <= set(frozen)
    standard = {cell: f for cell, f in formulas.items() if cell not in siei_cells}
    means = [c for c, f in standard.items() if re.fullmatch(r"=_xlfn\.AGGREGATE\(1,6,\w+:\w+\)", f)]
    changes = [c for c, f in standard.items() if re.fullmatch(r"=[A-Z]+\d+-[A-Z]+\d+", f)]
    assert len(means) == len(changes) == 6
    assert set(standard) == set(means) | set(changes)
    recomputed = values["Results"]
    for cell in standard:
        old, new = stored[cell], recomputed.get(cell)
        assert isinstance(old, float), (cell, old)
        assert isinstance(new, int | float), (cell, formulas[cell], new)  # not '#NAME?'
        assert math.isclose(new, old, rel_tol=1e-9, abs_tol=1e-12), (cell, old, new)
