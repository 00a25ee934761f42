"""The workbook of ``siei-xl report``: one sheet per block, consolidated indices, experts,
sources.

Convergence sheets hold, under the tables, the z-scores of the members (mean and sd over
every economy of the data); the pair distances and the distances to the rest of the group
are live formulas over them (``SQRT(SUMXMY2(...))``), stored with the values Python
computed, so the workbook shows numbers in any viewer and recalculates in any
spreadsheet without the SIEI add-in. Within-group and market values are stored numbers.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import pandas as pd
import xlsxwriter

from siei_xl.excel.layout import Cell, SheetLayout, col_name
from siei_xl.excel.template import CREATED, FORMATS, SERIES_COLOURS, _write_sheet
from siei_xl.i18n import words
from siei_xl.report.compute import BlockResult, ReportData
from siei_xl.report.text import Text


def _cached(value: float) -> object:
    return float(value) if math.isfinite(value) else "#N/A"


def _a1(row: int, col: int) -> str:
    return f"${col_name(col)}${row + 1}"


class _Writer:
    def __init__(self, name: str) -> None:
        self.sheet = SheetLayout(name, widths={0: 12})
        self.row = 0

    def put(
        self, row: int, col: int, value: object = None, style: str = "", formula: str | None = None
    ) -> None:
        self.sheet.cells.append(Cell(row, col, value, formula, style))

    def line(self, value: object, style: str = "") -> None:
        self.put(self.row, 0, value, style)
        self.row += 1

    def frame(self, frame: pd.DataFrame, text: Text, styles: Sequence[str] = ()) -> int:
        """A table with a header row; returns the row of its first data row."""
        for j, column in enumerate(frame.columns):
            self.put(self.row, j, str(column), "header")
        first = self.row + 1
        for i, row in enumerate(frame.itertuples(index=False, name=None)):
            for j, value in enumerate(row):
                style = styles[j] if j < len(styles) else "number"
                if isinstance(value, float):
                    self.put(first + i, j, _cached(value), style if math.isfinite(value) else "")
                elif value is None:
                    continue
                else:
                    self.put(
                        first + i,
                        j,
                        value if isinstance(value, int) else str(value),
                        "year" if j == 0 and isinstance(value, int) else "",
                    )
        self.row = first + len(frame) + 1
        return first


def _intro(w: _Writer, title: str, data: ReportData, text: Text, instruction: str = "") -> None:
    w.line(title, "title")
    if instruction:
        w.line(instruction, "instruction")
    # method and universe, in lines a printed page can hold
    for line in textwrap.wrap(text.footer(data), 160):
        w.line(line, "instruction")
    w.row += 1


def _block_sheet(block: BlockResult, data: ReportData, text: Text) -> tuple[SheetLayout, dict]:
    w = _Writer(block.name[:31])
    family = text("convergence") if block.preset.block == "convergence" else text("market")
    is_distance = block.preset.block == "convergence"
    _intro(
        w,
        f"{family}: {text.title(block.preset)}",
        data,
        text,
        text("sheet_instruction") if is_distance else "",
    )
    # z-scores of the members, placed after the tables; their rows are known in advance.
    years = list(data.years)
    members = list(data.members)
    pair_keys = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
    # pairs, with the rest, within: subtitle + header + one row a year + a blank each; notes
    n_rows_tables = 3 * (len(years) + 3) + len(block.notes) + bool(block.resolved.missing)
    z_top = w.row + n_rows_tables + 2
    z_row: dict[tuple[str, int], int] = {}
    k = 0
    if is_distance and block.resolved.panel is not None:
        panel = block.resolved.panel
        points = panel.standardization(standardize=data.standardize, ddof=data.ddof).points
        k = len(panel.indicators)
        r = z_top + 1
        for m in members:
            c = panel.country_index(m)
            for y in years:
                z_row[(m, y)] = r
                w.put(r, 0, m)
                w.put(r, 1, y, "year")
                for j in range(k):
                    w.put(r, 2 + j, _cached(float(points[c, panel.year_index(y), j])), "number")
                r += 1
        w.put(z_top - 1, 0, text("z_table"), "subtitle")
        w.put(z_top, 0, text("country"), "header")
        w.put(z_top, 1, text("year"), "header")
        for j, name in enumerate(panel.indicators):
            w.put(z_top, 2 + j, name, "header")

    def zrange(m: str, y: int) -> str:
        r = z_row[(m, y)]
        return f"{_a1(r, 2)}:{_a1(r, 1 + k)}"

    # pairs
    w.line(text("pairs"), "subtitle")
    w.put(w.row, 0, text("year"), "header")
    for j, (a, b) in enumerate(pair_keys):
        w.put(w.row, 1 + j, f"{a}–{b}", "header")
    w.row += 1
    values = {
        (y, a, b): v
        for y, a, b, v in block.pairs[["year", "country_a", "country_b", "value"]].itertuples(
            index=False
        )
    }
    for y in years:
        w.put(w.row, 0, y, "year")
        for j, (a, b) in enumerate(pair_keys):
            if (y, a, b) not in values:
                continue
            v = values[(y, a, b)]
            formula = None
            if z_row:
                za, zb = zrange(a, y), zrange(b, y)
                formula = f"=IF(COUNT({za},{zb})<{2 * k},NA(),SQRT(SUMXMY2({za},{zb})))"
            w.put(w.row, 1 + j, _cached(v), "number", formula)
        w.row += 1
    w.row += 1
    # each member with the rest
    w.line(text("with_group"), "subtitle")
    header_row = w.row
    w.put(w.row, 0, text("year"), "header")
    for j, m in enumerate(members):
        w.put(w.row, 1 + j, m, "header")
    w.row += 1
    with_values = {
        (y, c): (v, o)
        for y, c, v, o in block.with_group[["year", "country", "value", "others"]].itertuples(
            index=False
        )
    }
    first_data = w.row
    for y in years:
        w.put(w.row, 0, y, "year")
        for j, m in enumerate(members):
            if (y, m) not in with_values:
                continue
            v, others = with_values[(y, m)]
            formula = None
            if z_row:
                rest = others.split(",")
                refs = [zrange(m, y)] + [zrange(o, y) for o in rest]
                terms = "+".join(
                    f"({_a1(z_row[(m, y)], 2 + i)}-AVERAGE("
                    + ",".join(_a1(z_row[(o, y)], 2 + i) for o in rest)
                    + "))^2"
                    for i in range(k)
                )
                formula = f"=IF(COUNT({','.join(refs)})<{k * len(refs)},NA(),SQRT({terms}))"
            w.put(w.row, 1 + j, _cached(v), "number", formula)
        w.row += 1
    chart = {
        "header_row": header_row,
        "first": first_data,
        "last": w.row - 1,
        "columns": len(members),
        "title": text("figure1", title=text.title(block.preset), group=data.group),
        "y_title": text("lower_closer") if is_distance else text("higher_more"),
        "x_title": text("year"),
    }
    w.row += 1
    # within
    w.line(text("within"), "subtitle")
    within = block.within[["year", "value", "note"]].copy()
    within.columns = [text("year"), text("value"), text("note")]
    w.frame(within, text)
    for note in block.notes:
        w.line(note, "note")
    if block.resolved.missing:
        w.line(text.left_out(block), "note")
    w.sheet.widths.update(dict.fromkeys(range(1, max(len(pair_keys), k + 2) + 1), 11))
    return w.sheet, chart


def _sources_sheet(data: ReportData, text: Text, sources: Sequence[Sequence[str]]) -> SheetLayout:
    w = _Writer("Sources")
    _intro(w, text("sources"), data, text)
    table = pd.DataFrame(list(sources), columns=[text("file"), text("what"), text("unit")])
    w.frame(table, text)
    w.line(text("missing_blocks"), "subtitle")
    for line in text.missing(data):
        w.line(line, "note")
    w.row += 1
    w.line(text("indicators"), "subtitle")
    for block in data.blocks.values():
        w.line(f"{block.name}: {text.note(block.preset.describe())}", "note")
        for note in [text.left_out(block), *block.notes, text.preset_note(block.preset)]:
            if note:
                w.line(f"    {note}", "note")
    w.sheet.widths.update({0: 40, 1: 60, 2: 25})
    return w.sheet


def _summary_sheet(data: ReportData, text: Text) -> SheetLayout:
    w = _Writer("Summary")
    _intro(
        w,
        text("report_title", group=data.group, first=data.years[0], last=data.years[-1]),
        data,
        text,
        text.header(data),
    )
    w.line(text("summary"), "subtitle")
    for line in text.summary(data):
        w.line(line)
    return w.sheet


def _consolidated_sheet(data: ReportData, text: Text) -> SheetLayout | None:
    if not data.consolidated:
        return None
    w = _Writer("Consolidated")
    _intro(w, text("consolidated"), data, text)
    for level, indices in data.consolidated.items():
        w.line(text("within") if level == "within" else text("with_group"), "subtitle")
        for table in indices.values():
            w.frame(table, text)
    return w.sheet


def _experts_sheet(data: ReportData, text: Text) -> SheetLayout | None:
    if data.experts is None:
        return None
    w = _Writer("Experts")
    _intro(w, text("institutional"), data, text)
    w.frame(data.experts, text)
    if data.agreement is not None:
        w.line(text("agreement"), "subtitle")
        w.frame(data.agreement, text)
    if data.institutional is not None:
        w.line(text("experts_title", group=data.group), "subtitle")
        w.frame(data.institutional, text)
    return w.sheet


def _chart(book: Any, ws: Any, name: str, spec: dict) -> None:
    chart = book.add_chart({"type": "line"})
    quoted = f"'{name}'"
    for j in range(spec["columns"]):
        col = 1 + j
        chart.add_series(
            {
                "name": [name, spec["header_row"], col],
                "categories": f"={quoted}!{_a1(spec['first'], 0)}:{_a1(spec['last'], 0)}",
                "values": f"={quoted}!{_a1(spec['first'], col)}:{_a1(spec['last'], col)}",
                "line": {"width": 2.0, "color": SERIES_COLOURS[j % len(SERIES_COLOURS)]},
                "marker": {"type": "none"},
            }
        )
    chart.set_title({"name": spec["title"], "name_font": {"size": 11}})
    chart.set_x_axis({"name": spec["x_title"], "num_font": {"rotation": -45}})
    chart.set_y_axis({"name": spec["y_title"], "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.show_na_as_empty_cell()
    chart.set_size({"width": 760, "height": 400})
    ws.insert_chart(spec["header_row"] - 1, spec["columns"] + 3, chart)


def report_workbook(data: ReportData, text: Text, sources: Sequence[Sequence[str]]) -> bytes:
    """The report's .xlsx as bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    book.set_properties({"title": text("system"), "author": "siei_xl", "created": CREATED})
    formats = {name: book.add_format(spec) for name, spec in FORMATS.items()}
    sheets: list[tuple[SheetLayout, dict | None]] = [(_summary_sheet(data, text), None)]
    sheets += [_block_sheet(block, data, text) for block in data.blocks.values()]
    for extra in (_consolidated_sheet(data, text), _experts_sheet(data, text)):
        if extra is not None:
            sheets.append((extra, None))
    sheets.append((_sources_sheet(data, text, sources), None))
    for sheet, chart in sheets:
        _write_sheet(book, sheet, formats, words(text.lang)("page_footer"))
        ws = book.get_worksheet_by_name(sheet.name)
        # Print the tables (and the chart), not the far end of the long text lines.
        last_col = max((c.col for c in sheet.cells if c.style != "instruction"), default=0)
        if chart is not None:
            _chart(book, ws, sheet.name, chart)
            last_col = max(last_col, chart["columns"] + 3 + 11)
        # at least a page's width, so text lines on sheets without wide tables print
        ws.print_area(0, 0, max((c.row for c in sheet.cells), default=0), max(last_col, 13))
    book.close()
    return buffer.getvalue()
