"""The release check on Windows: ``siei-xl excel selftest`` drives Excel through xlwings.

It opens the template read-only in a hidden Excel, checks that every ribbon callback named
in the workbook's ``customUI`` exists in its VBA project, runs the ribbon's Python entry
points Load example data and Compute on it (every alert answered OK), lets Excel
calculate, compares every SIEI cell of the Results sheet with the value the pandas API
gives for the same inputs (the values :func:`siei_xl.job.run` computes and ``siei-xl
fill`` stores), and closes the workbook without saving. One row per check.

Only Windows with Excel can run it for real; tests pass an ``app`` standing in for
``xlwings.App`` (``books.open``, ``calculate``) and a ``procedures`` reader.
"""

from __future__ import annotations

import math
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final
from xml.etree import ElementTree as ET

from siei_xl.excel import layout, macros
from siei_xl.excel.selftest import FAIL, OK, SKIP, Check
from siei_xl.exceptions import SieiError

RIBBON_PART: Final = "customUI/customUI14.xml"
VBEXT_PK_PROC: Final = 0  # vbext_ProcKind.vbext_pk_Proc
REL_TOL: Final = 1e-9

Procedures = Callable[[Any, list[tuple[str, str]]], dict[tuple[str, str], bool] | None]
"""``(book, [(module, sub)]) -> {(module, sub): exists}``, or None when the VBA project
cannot be read (Trust access to the VBA project object model is off)."""


def ribbon_callbacks(path: Path) -> list[tuple[str, str]]:
    """``(module, sub)`` of every ``onAction`` of the workbook's ribbon, in order."""
    with zipfile.ZipFile(path) as package:
        if RIBBON_PART not in package.namelist():
            return []
        root = ET.fromstring(package.read(RIBBON_PART))
    found = []
    for element in root.iter():
        action = element.attrib.get("onAction")
        if action:
            module, _, sub = action.rpartition(".")
            found.append((module, sub))
    return found


def com_procedures(book: Any, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], bool] | None:
    """Read the VBA project through Excel's object model (needs Trust access to it)."""
    import importlib

    com_error: Any = importlib.import_module("pywintypes").com_error  # pywin32, Windows only
    try:
        components = book.api.VBProject.VBComponents
    except com_error:  # Excel refuses the VBProject when access to it is not trusted
        return None
    found = {}
    for module, sub in wanted:
        try:
            components(module).CodeModule.ProcStartLine(sub, VBEXT_PK_PROC)
            found[(module, sub)] = True
        except com_error:  # raised for a missing module or procedure
            found[(module, sub)] = False
    return found


class AnsweringBook:
    """The book as the ribbon's macros see it, every alert answered OK and recorded."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self.alerts: list[str] = []
        self.app = self

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", **_: Any) -> str:
        self.alerts.append(prompt)
        return "ok"

    def __getattr__(self, name: str) -> Any:
        return getattr(self._book, name)


def excel_selftest(
    template: Path,
    *,
    app: Any = None,
    procedures: Procedures = com_procedures,
    platform: str = sys.platform,
) -> list[Check]:
    """Run the release check against ``template``; the checks, in order."""
    owned = app is None
    if owned and platform != "win32":
        raise SieiError(
            f"siei-xl excel selftest drives Excel for Windows; this is {platform} "
            "(siei-xl doctor runs the Python-side checks anywhere)"
        )
    template = Path(template)
    if not template.is_file():
        raise SieiError(f"{str(template)!r} does not exist: give the workbook to check")
    if owned:
        import xlwings as xw

        app = xw.App(visible=False, add_book=False)
    checks: list[Check] = []
    try:
        book = app.books.open(str(template.resolve()), read_only=True)
        checks.append(Check("open", OK, f"{template.name} opened read-only"))
        try:
            checks.append(_callbacks_check(book, template, procedures))
            checks += _compute_checks(book, app)
        finally:
            book.close()  # never saved: opened read-only, closed as is
        checks.append(Check("close", OK, "closed without saving"))
    finally:
        if owned:
            app.quit()
    return checks


def _callbacks_check(book: Any, template: Path, procedures: Procedures) -> Check:
    wanted = ribbon_callbacks(template)
    if not wanted:
        return Check("ribbon callbacks", FAIL, "the workbook has no ribbon", "rebuild it")
    found = procedures(book, wanted)
    if found is None:
        return Check(
            "ribbon callbacks",
            SKIP,
            "the VBA project cannot be read: Trust access to the VBA project object model is off",
            "File > Options > Trust Center > Trust Center Settings > Macro Settings",
        )
    missing = [f"{m}.{s}" for (m, s) in wanted if not found.get((m, s))]
    if missing:
        return Check(
            "ribbon callbacks",
            FAIL,
            f"missing in the VBA project: {', '.join(missing)}",
            "siei-xl build-template --force",
        )
    return Check("ribbon callbacks", OK, f"all {len(wanted)} exist")


def _compute_checks(book: Any, app: Any) -> list[Check]:
    answering = AnsweringBook(book)
    macros.load_example(answering)
    data = macros.read_sheet(book.sheets[layout.DATA])
    rows = sum(1 for row in data if any(v is not None for v in row))
    checks = [Check("load example", OK if rows > 2 else FAIL, f"Data holds {rows} rows")]
    answering.alerts.clear()
    macros.compute(answering)
    said = " ".join(answering.alerts)
    if not said.startswith("Results written"):
        checks.append(Check("compute", FAIL, said[:200] or "no message", "see the message"))
        return checks
    checks.append(Check("compute", OK, said[:120]))
    calculate = getattr(app, "calculate", None)
    if calculate is not None:
        calculate()
    checks.append(results_check(book))
    return checks


def expected_results(book: Any) -> list[layout.Cell]:
    """The Results sheet's SIEI cells with the values the pandas API gives for the book's
    inputs (what Compute writes, with values computed by :func:`siei_xl.job.run`)."""
    from siei_xl.job import run

    data, groups, settings = (macros.read_sheet(book.sheets[n]) for n in layout.INPUT_SHEETS)
    names = [s.name for s in book.sheets]
    flows = macros.read_sheet(book.sheets[layout.FLOWS]) if layout.FLOWS in names else []
    experts = macros.optional_sheet(book, layout.EXPERTS)
    result = run(data, groups, settings, flows, experts)
    sheet = layout.results_sheet(result, macros.refs_of(data, groups, settings, flows, experts))
    return [c for c in sheet.cells if c.formula is not None and "SIEI_" in c.formula.upper()]


def same(expected: object, actual: object) -> bool:
    """A cell's value equals the API's: numbers to 1e-9, errors by their code."""
    if isinstance(expected, float) and isinstance(actual, float):
        return math.isclose(expected, actual, rel_tol=REL_TOL, abs_tol=1e-12)
    if isinstance(expected, str) and expected.startswith("#"):
        code = re.match(r"#[A-Z/0!?]+", expected)
        return isinstance(actual, str) and code is not None and actual.startswith(code.group())
    return expected == actual


def results_check(book: Any) -> Check:
    expected = expected_results(book)
    sheet = book.sheets[layout.RESULTS]
    wrong = []
    for cell in expected:
        actual = sheet.range((cell.row + 1, cell.col + 1)).options(err_to_str=True).value
        if isinstance(actual, int):
            actual = float(actual)
        if not same(cell.value, actual):
            address = f"{layout.col_name(cell.col)}{cell.row + 1}"
            wrong.append(f"{address}: {actual!r} (API: {cell.value!r})")
    if not expected:
        return Check("results", FAIL, "Compute wrote no SIEI cell", "see the Compute message")
    if wrong:
        return Check(
            "results",
            FAIL,
            f"{len(wrong)} of {len(expected)} SIEI cells differ from the API: "
            + "; ".join(wrong[:3]),
            "the functions Excel calls differ from the library: reinstall siei-xl",
        )
    return Check("results", OK, f"all {len(expected)} SIEI cells equal the pandas API")
