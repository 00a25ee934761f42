"""Build the SIEI workbook (.xlsm) from code: sheets, VBA project and ribbon.

``siei-xl build-template`` writes ``workbook_template.xlsm``; ``siei-xl fill`` and the demo
use the same builder with data and results in it, so a filled workbook has exactly the
template's VBA project and ribbon.

Steps (see EXCEL.md for why): XlsxWriter writes the sheets (never re-saved through
openpyxl, which would drop the ribbon); pyOpenVBA adds a VBA project with one document
module per sheet, as Excel makes one, plus the generated modules; the ribbon part and its
relationship are added at the zip level; the zip is written with a fixed order and fixed
timestamps, so the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import xlsxwriter

from siei_xl import __version__, files
from siei_xl.excel import layout, ovba, vba
from siei_xl.excel.layout import SheetLayout
from siei_xl.excel.selftest import build_text
from siei_xl.i18n import check_language, words
from siei_xl.job import JobResult
from siei_xl.plot import PALETTE

# Fixed: the same inputs must give the same file.
CREATED: Final = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)
CT_PLAIN: Final = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_MACRO: Final = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
RIBBON_PART: Final = "customUI/customUI14.xml"
RIBBON_REL: Final = (
    '<Relationship Id="rIdSieiRibbon" '
    'Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" '
    f'Target="{RIBBON_PART}"/>'
)
TEMPLATE_NAME: Final = "workbook_template.xlsm"
VBA_PART: Final = "xl/vbaProject.bin"
BUILD_NAME: Final = "SIEI_BUILD"
# XlsxWriter asks for a full recalculation on load (fullCalcOnLoad) with Excel 2007's engine
# id, which makes any newer Excel recalculate everything on open as well. With macros
# disabled (or before Enable Content) every SIEI cell would then show #NAME? instead of the
# stored value. Written instead: the engine id of Excel 2019/2021/365, no fullCalcOnLoad;
# Workbook_Open recalculates the SIEI cells once Python answers (SieiOpen).
CALC_PR_XLSXWRITER: Final = b'<calcPr calcId="124519" fullCalcOnLoad="1"/>'
CALC_PR: Final = b'<calcPr calcId="191029"/>'


@dataclass
class WorkbookContent:
    """What goes into a workbook: the three input sheets and, optionally, results."""

    data: list[list[object]]
    """Header row and data rows of the Data sheet."""
    groups: list[list[object]]
    """Header row and rows of the Groups sheet."""
    settings: list[list[object]]
    """Key/value rows of the Settings sheet."""
    result: JobResult | None = None
    description: str = ""
    flows: list[list[object]] = field(
        default_factory=lambda: [["reporter", "partner", "year", "value"]]
    )
    """Header row and rows of the Flows sheet."""
    experts: list[list[object]] = field(default_factory=lambda: [list(layout.EXPERTS_HEADER)])
    """Header row and rows of the Experts sheet."""


def template_content(lang: str = "en") -> WorkbookContent:
    """The empty template: headers, default settings (Language ``lang``), no results."""
    return WorkbookContent(
        data=[["country", "year", "indicator_1", "indicator_2"]],
        groups=[["group", "country", "from", "to"]],
        settings=layout.settings_rows({"Language": check_language(lang, "--lang")}),
    )


def sheet_layouts(content: WorkbookContent) -> list[SheetLayout]:
    """Every sheet, its texts in the Language of the settings (sheet names stay English:
    formulas, the VBA and the LibreOffice side find the sheets by name)."""
    lang = layout.settings_language(content.settings)
    refs = layout.Refs.standard(content.data, content.groups, content.flows, content.experts)
    results = layout.results_sheet(content.result, refs, lang)
    return [
        layout.data_sheet(content.data, lang),
        layout.groups_sheet(content.groups, lang),
        layout.flows_sheet(content.flows, lang),
        layout.experts_sheet(content.experts, lang),
        layout.settings_sheet(content.settings, lang),
        results,
        layout.chart_sheet(results, lang),
        layout.help_sheet(lang),
        layout.conf_sheet(lang),
    ]


HEADER: Final[dict[str, Any]] = {
    "bold": True,
    "bg_color": "#DDEBF7",
    "bottom": 1,
    "text_wrap": True,
    "valign": "top",
}
FORMATS: Final[dict[str, dict[str, Any]]] = {
    "": {},
    "instruction": {"italic": True, "font_color": "#595959"},
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"bold": True},
    "header": HEADER,
    "header_num": {**HEADER, "align": "right"},  # over a column of numbers, aligned with them
    **{style: {"num_format": code} for style, code in layout.NUMBER_FORMATS.items()},
    "key": {"bold": True},
    "span": {"align": "right"},  # years as text ('1995-2024') under a column of numbers
    "input": {"bg_color": "#FFF2CC", "border": 1, "border_color": "#BFBFBF"},
    "note": {"font_color": "#404040"},
    "wrap": {"text_wrap": True, "valign": "top"},
    "help_name": {"bold": True, "valign": "top", "font_color": "#1F4E79"},
}


def write_sheets(content: WorkbookContent) -> bytes:
    """The workbook's sheets as an .xlsx package (declared macro-enabled), in memory."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        # use_future_functions: AGGREGATE and other Excel 2010+ functions are stored with
        # their _xlfn. prefix, without which Excel and LibreOffice show #NAME?
        {"in_memory": True, "strings_to_numbers": False, "use_future_functions": True},
    )
    book.set_properties(
        {
            "title": "SIEI workbook",
            "subject": "System of Indicators of Eurasian Integration",
            "author": "siei_xl",
            "comments": content.description or f"Built by siei_xl {__version__}",
            "created": CREATED,
        }
    )
    formats = {name: book.add_format(spec) for name, spec in FORMATS.items()}
    footer = words(layout.settings_language(content.settings))("page_footer")
    for sheet in sheet_layouts(content):
        _write_sheet(book, sheet, formats, footer)
    book.define_name("SIEI_Data", "=" + layout.data_ref(content.data))
    book.define_name("SIEI_Groups", "=" + layout.groups_ref(content.groups))
    book.define_name("SIEI_Flows", "=" + layout.flows_ref(content.flows))
    book.define_name("SIEI_Experts", "=" + layout.experts_ref(content.experts))
    # the build record =SIEI_SELFTEST(SIEI_BUILD) compares with (versions, example value)
    book.define_name(BUILD_NAME, f'="{build_text()}"')
    book.close()
    return _declare_macro_enabled(buffer.getvalue())


def _write_sheet(
    book: Any, sheet: SheetLayout, formats: dict[str, Any], footer: str | None = None
) -> None:
    ws = book.add_worksheet(sheet.name)
    ws.set_paper(9)  # A4
    if sheet.portrait:
        ws.set_portrait()
    else:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_header(f'&L&"Calibri,Bold"SIEI &C{sheet.name}')
    ws.set_footer(footer or words("en")("page_footer"))
    for col, width in sheet.widths.items():
        ws.set_column(col, col, width)
    for row, height in sheet.heights.items():
        ws.set_row(row, height)
    if sheet.freeze_rows:
        ws.freeze_panes(sheet.freeze_rows, 0)
        if sheet.repeat_header:
            ws.repeat_rows(sheet.freeze_rows - 1)
    if sheet.page_breaks:
        ws.set_h_pagebreaks(sheet.page_breaks)
    for cell in sheet.cells:
        fmt = formats[cell.style]
        if cell.formula is not None:
            ws.write_formula(cell.row, cell.col, cell.formula, fmt, cell.value)
        elif cell.value is None:
            ws.write_blank(cell.row, cell.col, None, fmt)
        elif isinstance(cell.value, str):
            ws.write_string(cell.row, cell.col, cell.value, fmt)
        elif isinstance(cell.value, bool):
            ws.write_boolean(cell.row, cell.col, cell.value, fmt)
        else:
            ws.write_number(cell.row, cell.col, float(cell.value), fmt)  # type: ignore[arg-type]
    for (row, col), choices in sheet.lists.items():
        ws.data_validation(row, col, row, col, {"validate": "list", "source": list(choices)})
    for (row, col, last, last_col), check in sheet.number_checks.items():
        rule = {"criteria": "between", "minimum": check.low, "maximum": check.high}
        message = {"error_title": "SIEI", "error_message": check.message}
        ws.data_validation(row, col, last, last_col, {"validate": check.kind, **rule, **message})
    if sheet.chart is not None:
        _insert_chart(book, ws, sheet.chart)
    if sheet.name == layout.CONF:
        ws.hide()  # xlwings reads it; users rarely need it (unhide to set the interpreter)


# The same colours as the PNG figure, so the two pictures match.
SERIES_COLOURS: Final = PALETTE
# A membership change of the region: a large dark red diamond on the region's black line
# (filled: LibreOffice draws a marker's fill but not its border).
CHANGE_MARKER: Final = {
    "type": "diamond",
    "size": 11,
    "border": {"color": "#C00000"},
    "fill": {"color": "#C00000"},
}


def _insert_chart(book: Any, ws: Any, spec: layout.ChartSpec) -> None:
    chart = book.add_chart({"type": "line"})
    for k, series in enumerate(spec.series):
        line: dict[str, Any] = {"width": 2.25, "color": SERIES_COLOURS[k % len(SERIES_COLOURS)]}
        marker: dict[str, Any] = {"type": "none"}
        if series.dashed:
            line = {"width": 3.5, "color": "#000000", "dash_type": "dash"}
        if series.markers:
            line, marker = {"none": True}, CHANGE_MARKER
        chart.add_series(
            {
                "name": series.name,
                "categories": "=" + spec.categories,
                "values": "=" + series.values,
                "line": line,
                "marker": marker,
            }
        )
    chart.set_title({"name": spec.title, "name_font": {"size": 13}})
    chart.set_x_axis({"name": spec.x_title, "num_font": {"rotation": -45}})
    chart.set_y_axis({"name": spec.y_title, "min": 0, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.show_na_as_empty_cell()
    chart.set_size({"width": 980, "height": 540})
    ws.insert_chart("A3", chart)


def _declare_macro_enabled(package: bytes) -> bytes:
    """XlsxWriter declares a macro-enabled workbook only when it writes the VBA itself."""
    with zipfile.ZipFile(io.BytesIO(package)) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}
    types_xml = parts["[Content_Types].xml"]
    if CT_PLAIN not in types_xml:
        raise RuntimeError("unexpected [Content_Types].xml from XlsxWriter")
    parts["[Content_Types].xml"] = types_xml.replace(CT_PLAIN, CT_MACRO)
    if parts["xl/workbook.xml"].count(CALC_PR_XLSXWRITER) != 1:
        raise RuntimeError("unexpected calcPr in xl/workbook.xml from XlsxWriter")
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(CALC_PR_XLSXWRITER, CALC_PR)
    return _zip(parts)


def add_vba(package: bytes) -> bytes:
    """Add the VBA project: document modules for the workbook and each sheet, then ours.

    The project is then rewritten to the form [MS-OVBA] prescribes for a writer (source
    only, see :mod:`siei_xl.excel.ovba`), so that Excel compiles it from source.
    """
    from pyopenvba import ExcelFile, VBAModuleKind

    with tempfile.TemporaryDirectory(prefix="siei-build-") as tmp:
        skeleton = Path(tmp) / "sheets.xlsm"
        skeleton.write_bytes(package)
        out = Path(tmp) / "book.xlsm"
        with ExcelFile(skeleton) as book:
            project = book.add_vba_project()
            for name, text in vba.standard_modules().items():
                project.add_module(name, text, kind=VBAModuleKind.standard)
            project.add_module("Dictionary", vba.dictionary_class_text(), kind=VBAModuleKind.other)
            book.set_module("ThisWorkbook", vba.thisworkbook_text())
            book.save(out)
        package = out.read_bytes()
    with zipfile.ZipFile(io.BytesIO(package)) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}
    parts[VBA_PART] = ovba.source_only(parts[VBA_PART])
    return _zip(parts)


def add_ribbon(package: bytes) -> bytes:
    """Add the SIEI ribbon tab: the customUI part and its package relationship."""
    with zipfile.ZipFile(io.BytesIO(package)) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}
    rels = parts["_rels/.rels"].decode("utf-8")
    if RIBBON_PART not in rels:
        rels = rels.replace("</Relationships>", RIBBON_REL + "</Relationships>")
    parts["_rels/.rels"] = rels.encode("utf-8")
    parts[RIBBON_PART] = vba.customui_xml()
    return _zip(parts)


def _zip(parts: dict[str, bytes]) -> bytes:
    """A package with [Content_Types].xml first, the rest sorted, fixed timestamps."""
    out = io.BytesIO()
    names = ["[Content_Types].xml", *sorted(n for n in parts if n != "[Content_Types].xml")]
    with zipfile.ZipFile(out, "w") as zout:
        for name in names:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zout.writestr(info, parts[name], compresslevel=6)
    return out.getvalue()


def build_workbook(content: WorkbookContent) -> bytes:
    """The complete .xlsm as bytes."""
    return add_ribbon(add_vba(write_sheets(content)))


def write_atomically(path: str | os.PathLike[str], payload: bytes, *, force: bool = False) -> Path:
    """Write to a temporary file beside ``path``, then rename it into place.

    An existing file is replaced only with ``force``; a failure leaves no partial file
    (:func:`siei_xl.files.write_atomically`).
    """
    target = files.check_output(path, force=force, suffixes=())
    return files.write_atomically(target, lambda temp: temp.write_bytes(payload))


def build_template(
    path: str | os.PathLike[str] = TEMPLATE_NAME, *, force: bool = True, lang: str = "en"
) -> Path:
    """Write the empty SIEI template workbook, its texts in ``lang`` (en or ru)."""
    return write_atomically(path, build_workbook(template_content(lang)), force=force)
