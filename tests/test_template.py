"""The committed ``workbook_template.xlsm`` and the builder that makes it.

The template is rebuilt from code in every run and compared with the committed file,
byte for byte and part by part (the part-by-part comparison says *what* drifted when the
bytes differ). Its VBA project is read back with oletools and compared with freshly
generated texts, so an edit to :mod:`siei_xl.excel.vba` or an xlwings upgrade without
``siei-xl build-template`` fails here.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest

from siei_xl import udfs
from siei_xl.excel import layout, vba
from siei_xl.excel.selftest import build_text
from siei_xl.excel.template import (
    RIBBON_PART,
    TEMPLATE_NAME,
    build_workbook,
    template_content,
)

with warnings.catch_warnings():  # oletools calls a pyparsing API deprecated since 3.3
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, VBA_Project

import olefile

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / TEMPLATE_NAME
XLSM_CHECK = REPO.parent / "shared" / "tools" / "xlsm_check.py"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
SHEETS = [
    "Data",
    "Groups",
    "Flows",
    "Experts",
    "Settings",
    "Results",
    "Chart",
    "Help",
    "xlwings.conf",
]
DOCUMENT_BASE = {
    "workbook": '"0{00020819-0000-0000-C000-000000000046}"',
    "sheet": '"0{00020820-0000-0000-C000-000000000046}"',
}


@pytest.fixture(scope="module")
def committed() -> bytes:
    assert TEMPLATE.exists(), f"{TEMPLATE} is missing: run siei-xl build-template"
    return TEMPLATE.read_bytes()


@pytest.fixture(scope="module")
def fresh() -> bytes:
    return build_workbook(template_content())


def parts(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        return {name: z.read(name) for name in z.namelist()}


def vba_texts(package: bytes) -> dict[str, str]:
    """Module name -> source text, decoded by oletools from xl/vbaProject.bin."""
    parser = VBA_Parser("vbaProject.bin", data=parts(package)["xl/vbaProject.bin"])
    try:
        return {
            Path(filename).stem: code for _f, _stream, filename, code in parser.extract_macros()
        }
    finally:
        parser.close()


def cells(package: bytes) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's cells (formulas as text) read with openpyxl, in sheet order."""
    book = openpyxl.load_workbook(io.BytesIO(package), read_only=True, data_only=False)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


def sheet_parts(package: bytes) -> dict[str, str]:
    """Sheet name -> its part name, through xl/workbook.xml and its relationships."""
    p = parts(package)
    rels = ET.fromstring(p["xl/_rels/workbook.xml.rels"])
    target = {r.attrib["Id"]: "xl/" + r.attrib["Target"] for r in rels}
    book = ET.fromstring(p["xl/workbook.xml"])
    return {s.attrib["name"]: target[s.attrib[f"{REL}id"]] for s in book.iter(f"{MAIN}sheet")}


def defined_names(package: bytes) -> list[tuple[str, str | None, str]]:
    book = ET.fromstring(parts(package)["xl/workbook.xml"])
    return [
        (d.attrib["name"], d.attrib.get("localSheetId"), d.text or "")
        for d in book.iter(f"{MAIN}definedName")
    ]


# ------------------------------------------------------------------ drift
def test_rebuilt_template_matches_the_committed_one_part_by_part(
    committed: bytes, fresh: bytes
) -> None:
    old, new = parts(committed), parts(fresh)
    assert list(old) == list(new)  # same parts, same order
    for name in ("[Content_Types].xml", "_rels/.rels", RIBBON_PART, "xl/_rels/workbook.xml.rels"):
        assert old[name] == new[name], name
    assert defined_names(committed) == defined_names(fresh)
    assert list(sheet_parts(committed)) == list(sheet_parts(fresh)) == SHEETS
    old_cells, new_cells = cells(committed), cells(fresh)
    for sheet in SHEETS:
        assert old_cells[sheet] == new_cells[sheet], sheet
    assert vba_texts(committed) == vba_texts(fresh)


def test_rebuilt_template_is_byte_identical(committed: bytes, fresh: bytes) -> None:
    assert hashlib.sha256(fresh).hexdigest() == hashlib.sha256(committed).hexdigest(), (
        "workbook_template.xlsm is stale: run `siei-xl build-template --force`"
    )


def test_build_is_deterministic(fresh: bytes) -> None:
    assert build_workbook(template_content()) == fresh


def test_build_template_command_gives_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: bytes
) -> None:
    """Another process, another hash seed: the same file."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "t.xlsm"
    code = (
        "import sys; from siei_xl.cli import main; "
        "sys.exit(main(['build-template', '-o', sys.argv[1]]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == fresh
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsm"]  # no temp files left


# -------------------------------------------------------------- VBA project
def test_template_vba_modules_equal_generated_texts(committed: bytes) -> None:
    modules = vba_texts(committed)
    for name, text in vba.standard_modules().items():
        assert modules[name] == text, f"module {name} differs from siei_xl.excel.vba"
    # ThisWorkbook: the document module's attribute header, then the generated body
    this = modules["ThisWorkbook"].split("\r\n")
    header = [line for line in this if line.startswith("Attribute ")]
    assert this[: len(header)] == header
    assert "\r\n".join(this[len(header) :]) == vba.thisworkbook_text()
    # Dictionary: xlwings' class, stored without the .cls file header, with its VB_Base
    expected = vba.dictionary_class_text().split("\r\n")
    assert expected[:4] == ["VERSION 1.0 CLASS", "BEGIN", "  MultiUse = -1  'True", "END"]
    stored = [
        line for line in modules["Dictionary"].split("\r\n") if "Attribute VB_Base" not in line
    ]
    assert stored == expected[4:]


def test_document_modules_match_the_sheet_code_names(committed: bytes) -> None:
    modules = vba_texts(committed)
    p = parts(committed)
    book = p["xl/workbook.xml"].decode("utf-8")
    assert re.search(r'<workbookPr [^>]*codeName="ThisWorkbook"', book)
    assert f"VB_Base = {DOCUMENT_BASE['workbook']}" in modules["ThisWorkbook"]
    code_names = []
    for sheet, part in sheet_parts(committed).items():
        match = re.search(r'<sheetPr [^>]*codeName="(\w+)"', p[part].decode("utf-8"))
        assert match, sheet
        code_names.append(match.group(1))
    assert len(set(code_names)) == len(SHEETS)
    document = {
        name for name, text in modules.items() if f"VB_Base = {DOCUMENT_BASE['sheet']}" in text
    }
    assert document == set(code_names)  # one document module per sheet, no phantom
    expected = {"ThisWorkbook", *code_names, "Dictionary", *vba.standard_modules()}
    assert set(modules) == expected


def xlsm_check(path: Path) -> str:
    """The shared checker's output for ``path``; it must pass (skips when the tool is absent)."""
    if not XLSM_CHECK.exists():
        pytest.skip(f"{XLSM_CHECK} not found")
    done = subprocess.run(
        [sys.executable, str(XLSM_CHECK), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "xlsm check: passed" in done.stdout
    assert "PROBLEM" not in done.stdout
    return done.stdout


def test_committed_template_passes_xlsm_check(committed: bytes) -> None:
    xlsm_check(TEMPLATE)


def check_package(package: bytes) -> list[str]:
    """xlsm_check's checks, in-process: ribbon relationship, callbacks, decoding, stomping."""
    problems = []
    p = parts(package)
    if b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" not in p["[Content_Types].xml"]:
        problems.append("not declared macro-enabled")
    if b"vbaProject.bin" not in p["xl/_rels/workbook.xml.rels"]:
        problems.append("vbaProject.bin not referenced")
    rels = ET.fromstring(p["_rels/.rels"])
    ui = [
        r.attrib["Target"]
        for r in rels.iter(f"{PKG_REL}Relationship")
        if r.attrib["Type"] == UI_REL
    ]
    if ui != [RIBBON_PART] or RIBBON_PART not in p:
        problems.append(f"ribbon relationship: {ui}")
    parser = VBA_Parser("vbaProject.bin", data=p["xl/vbaProject.bin"])
    try:
        modules = list(parser.extract_macros())
        if parser.detect_vba_stomping():
            problems.append("VBA stomping")
    finally:
        parser.close()
    source = "\n".join(code for *_rest, code in modules)
    if len(modules) < 10 or any(not code.startswith("Attribute VB_Name") for *_r, code in modules):
        problems.append("modules do not decode")
    root = ET.fromstring(p[RIBBON_PART])
    for el in root.iter():
        action = el.attrib.get("onAction")
        if action is None:
            continue
        name = action.rpartition(".")[2]
        match = re.search(rf"^Public Sub {re.escape(name)}\(([^)]*)\)", source, re.M)
        if not match or match.group(1) != "control As IRibbonControl":
            problems.append(f"callback {action}")
    return problems


def test_committed_template_passes_the_same_checks_in_process(committed: bytes) -> None:
    assert check_package(committed) == []


def test_in_process_check_sees_a_dropped_ribbon(committed: bytes) -> None:
    p = parts(committed)
    p["_rels/.rels"] = re.sub(rb"<Relationship [^>]*customUI[^>]*/>", b"", p["_rels/.rels"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in p.items():
            z.writestr(name, data)
    assert check_package(out.getvalue()) == ["ribbon relationship: []"]


# --------------------------------------------------- [MS-OVBA] writer form
# 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF (MUST on write), Reserved2 0x00, Reserved3 0x0001,
# and no PerformanceCache: Excel then ignores compiled code and compiles from source.
SPEC_VBA_PROJECT = bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00])


def project_layout(project: bytes) -> tuple[bytes, dict[str, int]]:
    """``_VBA_PROJECT`` and each module's MODULEOFFSET, read by olefile and oletools' parser."""
    ole = olefile.OleFileIO(project)
    try:
        head = ole.openstream("VBA/_VBA_PROJECT").read()
        parsed = VBA_Project(ole, "", "PROJECT", "VBA/dir")
        parsed.parse_project_stream()
        for _ in parsed.parse_modules():
            pass
        return head, {m.streamname: m.textoffset for m in parsed.modules}
    finally:
        ole.close()


@pytest.fixture(scope="module")
def filled_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh ``siei-xl fill`` output (the illustrative example through the command line)."""
    from siei_xl.cli import main

    folder = tmp_path_factory.mktemp("fill")
    assert main(["demo", "--out-dir", str(folder), "--quiet"]) == 0
    out = folder / "filled.xlsm"
    assert main(["fill", str(folder / "siei_demo.xlsm"), "-o", str(out)]) == 0
    return out


def test_vba_project_is_in_the_writer_form_the_spec_prescribes(
    committed: bytes, filled_output: Path
) -> None:
    for package in (committed, filled_output.read_bytes()):
        head, offsets = project_layout(parts(package)["xl/vbaProject.bin"])
        assert head == SPEC_VBA_PROJECT
        assert len(offsets) == len(SHEETS) + 1 + 1 + len(vba.standard_modules())
        assert set(offsets.values()) == {0}, offsets  # source only, no compiled code anywhere


def test_every_module_decodes_and_the_filled_output_passes_xlsm_check(
    committed: bytes, filled_output: Path
) -> None:
    assert vba_texts(filled_output.read_bytes()) == vba_texts(committed)
    out = xlsm_check(filled_output)
    assert f"ok: {len(vba_texts(committed))} VBA modules decode" in out


def test_source_only_strips_compiled_code_from_an_excel_written_project() -> None:
    """xlwings' quickstart workbook was saved by Excel: p-code caches in front of the source."""
    import xlwings

    from siei_xl.excel import ovba

    saved_by_excel = (Path(xlwings.__file__).parent / "quickstart_standalone.xlsm").read_bytes()
    before = parts(saved_by_excel)["xl/vbaProject.bin"]
    _head, offsets = project_layout(before)
    assert max(offsets.values()) > 0  # the case being tested is really there
    after = ovba.source_only(before)
    head, new_offsets = project_layout(after)
    assert head == SPEC_VBA_PROJECT
    assert new_offsets == dict.fromkeys(offsets, 0)

    def texts(project: bytes) -> dict[str, str]:
        parser = VBA_Parser("vbaProject.bin", data=project)
        try:
            return {f: code for _f, _s, f, code in parser.extract_macros()}
        finally:
            parser.close()

    assert texts(after) == texts(before)  # the same source, every module


# ------------------------------------------------------------------- sheets
def test_sheets_and_instruction_lines(committed: bytes) -> None:
    book = cells(committed)
    assert list(book) == SHEETS
    for name in SHEETS[:-1]:
        assert book[name][0][0] == layout.INSTRUCTIONS[name], name
    assert book["Data"][1][:4] == ("country", "year", "indicator_1", "indicator_2")
    assert book["Groups"][1][:4] == ("group", "country", "from", "to")
    assert book["Flows"][1][:4] == ("reporter", "partner", "year", "value")
    assert book["Settings"][1][:3] == ("Setting", "Value", "What it means")


def test_xlwings_conf_table_and_its_instruction_beside_it(committed: bytes) -> None:
    rows = cells(committed)["xlwings.conf"]
    table = {row[0]: row[1] for row in rows if row and row[0] is not None}
    assert table["UDF Modules"] == vba.UDF_MODULE == "siei_xl.udfs"
    assert rows[0][0] == "UDF Modules"  # the key/value table starts at A1
    assert rows[0][3] == layout.INSTRUCTIONS["xlwings.conf"]  # beside A:B, not above
    for row in rows:  # nothing but the table in A:B
        assert row[0] is None or row[0] in dict(layout.CONF_ROWS)
    book = parts(committed)["xl/workbook.xml"].decode("utf-8")
    assert re.search(r'<sheet name="xlwings.conf" [^>]*state="hidden"', book)


def test_xlwings_conf_has_no_key_without_a_value(committed: bytes) -> None:
    """xlwings' GetConfig takes a key on the sheet even when its value is empty: an empty
    Interpreter_Win would hide the one the user set in their own xlwings.conf."""
    rows = cells(committed)["xlwings.conf"]
    # what GetConfigFromSheet reads: A1 down to the last cell before the first blank in A
    table = []
    for row in rows:
        if row[0] is None or row[0] == "":
            break
        table.append((row[0], row[1] if len(row) > 1 else None))
    assert len(table) == len(layout.CONF_ROWS) >= 1
    for key, value in table:
        assert isinstance(value, str), key
        assert value.strip(), key
    assert not {"Interpreter_Win", "Interpreter_Mac", "PYTHONPATH"} & {k for k, _ in table}


def test_settings_sheet_holds_every_setting_at_its_row(committed: bytes) -> None:
    rows = cells(committed)["Settings"]
    for key, row in layout.SETTING_ROW.items():
        assert rows[row][0] == key
        assert layout.setting_ref(key) == f"Settings!$B${row + 1}"


def test_help_lists_every_function_with_its_summary(committed: bytes) -> None:
    rows = cells(committed)["Help"]
    listed = {row[0]: row for row in rows[3:] if row and row[0]}
    for name, info in udfs.FUNCTIONS.items():
        assert name in listed, name
        assert listed[name][2] == info.summary, name
        assert listed[name][1].startswith(info.syntax), name
        for arg in info.args:
            assert f"{arg}: " in listed[name][3], (name, arg)
    assert listed["SIEI_WHY"][2] == vba.WHY_SUMMARY


def test_defined_names_cover_the_input_tables(committed: bytes) -> None:
    names = {name: text for name, local, text in defined_names(committed) if local is None}
    assert names == {
        "SIEI_Data": "Data!$A$2:$D$3",
        "SIEI_Groups": "Groups!$A$2:$D$3",
        "SIEI_Flows": "Flows!$A$2:$D$3",
        "SIEI_Experts": "Experts!$A$1:$E$3",
        "SIEI_BUILD": f'"{build_text()}"',
    }


# ------------------------------------------------------ macros off, then on
def test_stored_values_are_not_recalculated_on_load(committed: bytes, filled_output: Path) -> None:
    """No fullCalcOnLoad, and a current engine id: Excel keeps the stored values on open, so
    with macros disabled no SIEI cell turns into #NAME?."""
    for package in (committed, filled_output.read_bytes()):
        book = ET.fromstring(parts(package)["xl/workbook.xml"])
        calc = book.find(f"{MAIN}calcPr")
        assert calc is not None
        assert calc.attrib == {"calcId": "191029"}  # Excel 2019 / 2021 / 365
    # the filled output really holds stored values for its SIEI formulas
    results = parts(filled_output.read_bytes())[sheet_parts(filled_output.read_bytes())["Results"]]
    stored = re.findall(rb"<c [^>]*><f>SIEI_PAIR\([^<]*</f><v>([^<]+)</v>", results)
    assert stored
    assert all(float(v) >= 0 for v in stored)


def test_workbook_open_registers_then_recalculates_the_siei_cells_once(committed: bytes) -> None:
    modules = vba_texts(committed)
    body = modules["ThisWorkbook"].split("Private Sub Workbook_Open()\r\n")[1].split("End Sub")[0]
    assert body.split() == ["SieiRegisterFunctions", "SieiRecalculateOnce"]  # nothing else
    recalc = modules["SieiOpen"]
    assert "If Not SieiPythonAnswers() Then Exit Sub" in recalc  # stored numbers stay without it
    assert "block.Dirty" in recalc
    # Python is asked only when there are SIEI cells, and before any cell is touched
    assert recalc.index("If found.Count = 0 Then Exit Sub") < recalc.index("SieiPythonAnswers()")
    assert recalc.index("SieiPythonAnswers()") < recalc.index("block.Dirty")
    assert "CalculateFull" not in recalc
    assert 'InStr(1, cell.Formula, "SIEI_", vbTextCompare)' in recalc
