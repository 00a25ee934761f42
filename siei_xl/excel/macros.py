"""The ribbon's Python entry points, run by RunPython from the SIEI workbook.

Each button calls one function here with no arguments; it finds its workbook with
``xlwings.Book.caller()``, reads the sheets as plain rows, does the work with the plain
functions of :mod:`siei_xl.job` and :mod:`siei_xl.excel.layout`, and writes back through
the same small part of xlwings' Book API. Compute and Clear write only the Results and
Chart sheets; Load example moves the user's rows to backup sheets before replacing them.
Every function takes an optional ``book`` so tests can pass a stand-in of that API.
"""

from __future__ import annotations

from typing import Any, Final

from siei_xl.excel import layout
from siei_xl.excel.layout import Cell, ChartSpec, Refs
from siei_xl.exceptions import SieiError
from siei_xl.experts import EXPERT_HEADERS, SCORE_HEADERS
from siei_xl.groups import GROUP_HEADERS, MEMBER_HEADERS
from siei_xl.i18n import translate_note, words
from siei_xl.job import OPTIONAL_SETTINGS, SETTINGS, run, setting_key
from siei_xl.job import validate as validate_sheets
from siei_xl.labels import is_missing, label_key
from siei_xl.market import PARTNER_HEADERS, REPORTER_HEADERS
from siei_xl.panel import header_row

TITLE: Final = "SIEI"
ALERT_MAX: Final = 1000  # characters of a message box's text


def _caller(book: Any) -> Any:
    if book is not None:
        return book
    import xlwings as xw

    return xw.Book.caller()


def read_sheet(sheet: Any) -> list[list[object]]:
    """A sheet's cells from A1 to the last used cell, as rows (``None`` for blanks)."""
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (max(last.row, 1), max(last.column, 1))).options(ndim=2).value
    return [list(row) for row in values or []]


def _inputs(book: Any) -> tuple[list[list[object]], list[list[object]], list[list[object]]]:
    missing = [n for n in layout.INPUT_SHEETS if n not in [s.name for s in book.sheets]]
    if missing:
        raise SieiError(f"this workbook has no sheet named {missing[0]!r}; use the SIEI template")
    data, groups, settings = (read_sheet(book.sheets[n]) for n in layout.INPUT_SHEETS)
    return data, groups, settings


def _flows(book: Any) -> list[list[object]]:
    """The Flows sheet's rows; none when the workbook has no such sheet (older templates)."""
    return optional_sheet(book, layout.FLOWS)


def optional_sheet(book: Any, name: str) -> list[list[object]]:
    """An optional sheet's rows (Flows, Experts); none when the workbook lacks it."""
    if name not in [s.name for s in book.sheets]:
        return []
    return read_sheet(book.sheets[name])


def refs_of(
    data: list[list[object]],
    groups: list[list[object]],
    settings: list[list[object]],
    flows: list[list[object]] | None = None,
    experts: list[list[object]] | None = None,
) -> Refs:
    """Where the Data table, the Groups table and each setting are on the user's sheets."""
    top = header_row(data)
    header = data[top] if data else []
    width = max((c + 1 for c, v in enumerate(header) if not is_missing(v)), default=2)
    last = max((i for i, r in enumerate(data) if not all(is_missing(v) for v in r)), default=top)
    g_top = header_row(groups, GROUP_HEADERS, MEMBER_HEADERS)
    g_last = max(
        (i for i, r in enumerate(groups) if not all(is_missing(v) for v in r)), default=g_top
    )
    positions = {setting_key(r[0]): i for i, r in enumerate(settings) if r}
    cells = {}
    for key, _default, _help in SETTINGS:
        row = positions.get(key)
        if row is None and key in OPTIONAL_SETTINGS:
            continue  # a workbook made before the setting existed; no formula reads it
        if row is None:
            raise SieiError(f"the Settings sheet has no row {key!r}; add it in column A")
        cells[key] = f"{layout.SETTINGS_SHEET}!$B${row + 1}"
    flow_rows = flows or []
    f_top = header_row(flow_rows, REPORTER_HEADERS, PARTNER_HEADERS) if flow_rows else 0
    f_last = max(
        (i for i, r in enumerate(flow_rows) if not all(is_missing(v) for v in r)), default=f_top
    )
    return Refs(
        data=layout.ref(layout.DATA, top, 0, max(last, top + 1), max(width, 2) - 1),
        groups=layout.ref(layout.GROUPS, g_top, 0, max(g_last, g_top + 1), 3),
        settings=cells,
        flows=layout.ref(layout.FLOWS, f_top, 0, max(f_last, f_top + 1), 3),
        experts=layout.ref(layout.EXPERTS, 0, 0, max(len(experts or []) - 1, 2), 4),
    )


def _write_cells(sheet: Any, cells: list[Cell]) -> None:
    for cell in cells:
        target = sheet.range((cell.row + 1, cell.col + 1))
        if cell.formula is not None:
            target.formula = cell.formula
        else:
            target.value = cell.value
        if cell.style in layout.NUMBER_FORMATS:
            target.number_format = layout.NUMBER_FORMATS[cell.style]
        elif cell.style in {"header", "header_num", "title", "subtitle", "key"}:
            target.font.bold = True


def _alert(book: Any, text: str, title: str = TITLE, buttons: str = "ok") -> Any:
    return book.app.alert(text[:ALERT_MAX], title=title, buttons=buttons)


def _stopped(book: Any, action: str, exc: SieiError) -> None:
    """A button that could not run: why, in the workbook's language (the known sentences
    of the reason too; the button's name stays as the ribbon shows it)."""
    lang = _language(book)
    reason = translate_note(str(exc), lang)
    _alert(book, words(lang)("alert_stopped", action=action, reason=reason), f"{TITLE}: {action}")


# ------------------------------------------------------------------ buttons
def compute(book: Any = None) -> None:
    """Compute: write the Results tables (live formulas) and redraw the chart."""
    book = _caller(book)
    try:
        data, groups, settings = _inputs(book)
        flows = _flows(book)
        experts = optional_sheet(book, layout.EXPERTS)
        result = run(data, groups, settings, flows, experts)
        refs = refs_of(data, groups, settings, flows, experts)
    except SieiError as exc:
        _stopped(book, "Compute", exc)
        return
    sheet = layout.results_sheet(result, refs)
    results = book.sheets[layout.RESULTS]
    results.clear()
    _write_cells(results, sheet.cells)
    if sheet.chart_source is not None:
        _draw(book, sheet.chart_source)
    lang = result.settings.lang
    _alert(
        book, words(lang)("results_written", summary=result.summary_in(lang)), f"{TITLE}: Compute"
    )


def validate(book: Any = None) -> None:
    """Validate data: list every problem in one message; change nothing."""
    book = _caller(book)
    try:
        data, groups, settings = _inputs(book)
    except SieiError as exc:
        _alert(book, translate_note(str(exc), _language(book)), f"{TITLE}: Validate data")
        return
    lang = _language(book, settings)
    text = words(lang)
    problems = [
        translate_note(p, lang)
        for p in validate_sheets(data, groups, settings, optional_sheet(book, layout.EXPERTS))
    ]
    if not problems:
        message = text("alert_no_problems")
    else:
        head = text("alert_problems", n=len(problems)) + "\n\n"
        shown: list[str] = []
        for problem in problems[:15]:
            # stay within what _alert shows, leaving room for the "... and N more." line
            if shown and len(head) + sum(len(p) + 3 for p in [*shown, problem]) > ALERT_MAX - 40:
                break
            shown.append(problem)
        message = head + "\n".join(f"- {p}" for p in shown)
        if len(problems) > len(shown):
            message += "\n" + text("alert_more", n=len(problems) - len(shown))
    _alert(book, message, f"{TITLE}: Validate data")


def draw_chart(book: Any = None) -> None:
    """Draw chart: the chart of the Results table on the Chart sheet."""
    book = _caller(book)
    try:
        data, groups, settings = _inputs(book)
        flows, experts = _flows(book), optional_sheet(book, layout.EXPERTS)
        sheet = layout.results_sheet(
            run(data, groups, settings, flows, experts),
            refs_of(data, groups, settings, flows, experts),
        )
    except SieiError as exc:
        _stopped(book, "Draw chart", exc)
        return
    if sheet.chart_source is not None:
        _draw(book, sheet.chart_source)


def clear(book: Any = None) -> None:
    """Clear results: empty Results and Chart (Data, Groups and Settings are kept)."""
    book = _caller(book)
    lang = _language(book)
    for name in (layout.RESULTS, layout.CHART):
        _empty(book.sheets[name], name, lang)


def _empty(sheet: Any, name: str, lang: str = "en") -> None:
    """Remove a sheet's charts and cells, and put its one-line instruction back."""
    for chart in list(sheet.charts):
        chart.delete()
    sheet.clear()
    _write_cells(sheet, [Cell(0, 0, layout.instruction(name, lang), style="instruction")])


def _language(book: Any, rows: list[list[object]] | None = None) -> str:
    """The Settings sheet's Language; English when it is missing or not understood."""
    try:
        return layout.settings_language(
            read_sheet(book.sheets[layout.SETTINGS_SHEET]) if rows is None else rows
        )
    except (SieiError, KeyError):
        return "en"


def load_example(book: Any = None) -> None:
    """Load example data: the built-in ILLUSTRATIVE example into Data, Groups and Settings.

    Rows already on those sheets are first copied to new sheets named
    ``Data (backup 1)`` etc., so nothing the user typed is lost.
    """
    book = _caller(book)
    names = [s.name for s in book.sheets]
    try:
        data, groups, settings = _inputs(book)
    except SieiError as exc:
        _alert(book, str(exc), f"{TITLE}: Load example data")
        return
    flows = _flows(book) if layout.FLOWS in names else []
    experts = optional_sheet(book, layout.EXPERTS)
    if _holds_user_input(data, groups, settings, flows, experts):
        answer = _alert(
            book,
            words(_language(book, settings))("alert_overwrite"),
            f"{TITLE}: Load example data",
            buttons="ok_cancel",
        )
        if str(answer).lower() != "ok":
            return
        n = 1
        while f"Data (backup {n})" in names:
            n += 1
        inputs = dict(zip(layout.INPUT_SHEETS, (data, groups, settings), strict=True))
        if layout.FLOWS in names:
            inputs[layout.FLOWS] = flows
        if layout.EXPERTS in names:
            inputs[layout.EXPERTS] = experts
        for name, rows in inputs.items():
            backup = book.sheets.add(f"{name} (backup {n})", after=book.sheets[-1])
            if rows:
                backup.range((1, 1)).value = rows
    from siei_xl.excel.fill import example_market_inputs

    data_rows, group_rows, setting_rows, flow_rows = example_market_inputs()
    # the example in the workbook's language
    lang = _language(book, settings)
    setting_rows = [[k, lang if k == "Language" else v] for k, v in setting_rows]
    contents = {
        layout.DATA: layout.data_sheet(data_rows, lang),
        layout.GROUPS: layout.groups_sheet(group_rows, lang),
        layout.SETTINGS_SHEET: layout.settings_sheet(setting_rows, lang),
    }
    if layout.FLOWS in names:
        contents[layout.FLOWS] = layout.flows_sheet(flow_rows, lang)
    if layout.EXPERTS in names:
        from siei_xl.example import example_experts

        contents[layout.EXPERTS] = layout.experts_sheet(example_experts(), lang)
    for name, sheet_layout in contents.items():
        target = book.sheets[name]
        target.clear()
        _write_cells(target, sheet_layout.cells)
    text = words(lang)
    _alert(
        book,
        text("alert_example_loaded", note=text("example_note")),
        f"{TITLE}: Load example data",
    )


def _holds_user_input(
    data: list[list[object]],
    groups: list[list[object]],
    settings: list[list[object]],
    flows: list[list[object]],
    experts: list[list[object]] | None = None,
) -> bool:
    """True when a sheet has rows below its header, or Settings differ from the defaults."""

    def has_rows(rows: list[list[object]], *headers: tuple[str, ...]) -> bool:
        body = rows[header_row(rows, *headers) + 1 :] if rows else []
        return any(not all(is_missing(v) for v in row) for row in body)

    # label_key: '1', 1 and 1.0 are the same setting value (cells come back as floats)
    defaults = {k: label_key(d) for k, d, _ in SETTINGS if k != "Language"}
    edited = any(
        (key := setting_key(r[0])) in defaults
        and label_key("" if len(r) < 2 or is_missing(r[1]) else r[1]) != defaults[key]
        for r in settings
        if r
    )
    return (
        has_rows(data)
        or has_rows(groups, GROUP_HEADERS, MEMBER_HEADERS)
        or has_rows(flows, REPORTER_HEADERS, PARTNER_HEADERS)
        or has_rows(experts or [], EXPERT_HEADERS, SCORE_HEADERS)
        or edited
    )


def _draw(book: Any, spec: ChartSpec) -> None:
    """Replace the chart on the Chart sheet; series and categories as in the template."""
    sheet = book.sheets[layout.CHART]
    # the chart data `siei-xl fill` stores below the chart would be stale from now on
    _empty(sheet, layout.CHART, _language(book))
    chart = sheet.charts.add(left=10, top=40, width=720, height=400)
    chart.chart_type = "line"
    results = book.sheets[layout.RESULTS]
    chart.set_source_data(results.range(spec.source.split("!")[1]))
    categories = results.range(spec.categories.split("!")[1])
    draw_lines = getattr(chart, "draw_lines", None)
    if draw_lines is not None:  # LibreOffice Calc: the host draws it (siei_xl.calc.book)
        draw_lines(categories, spec)
        return
    marks_range = None
    marks = layout.live_marks(spec, _language(book))
    if marks is not None:
        cells, values = marks
        _write_cells(sheet, cells)
        marks_range = sheet.range(values.split("!")[1])
    _style_chart(chart, spec, categories, marks_range)


# Excel's chart object model (MsoTriState, MsoLineDashStyle, XlMarkerStyle, XlChartType)
MSO_FALSE: Final = 0
MSO_LINE_DASH: Final = 4
XL_MARKER_NONE: Final = -4142
XL_MARKER_DIAMOND: Final = 2
XL_LINE_MARKERS: Final = 65
CHANGE_RED: Final = 0x0000C0  # RGB(192, 0, 0) as Excel's BGR long


def _style_chart(chart: Any, spec: ChartSpec, categories: Any, marks: Any = None) -> None:
    """Years on the x axis, titles, the region's line dashed and black, and the markers of
    its membership changes (the values in ``marks``, a range): Windows Excel's chart object
    model, as the template's chart is drawn (not in the stand-in)."""
    api = getattr(chart, "api", None)
    if not isinstance(api, tuple) or len(api) < 2:
        return
    xl_chart = api[1]
    for k, series in enumerate(spec.series, start=1):
        xl_series = xl_chart.SeriesCollection(k)
        xl_series.XValues = categories.api
        xl_series.MarkerStyle = XL_MARKER_NONE
        if series.dashed:
            xl_series.Format.Line.ForeColor.RGB = 0
            xl_series.Format.Line.Weight = 3
            xl_series.Format.Line.DashStyle = MSO_LINE_DASH
    if marks is not None and spec.marks is not None:
        xl_series = xl_chart.SeriesCollection().NewSeries()
        xl_series.Name = spec.marks.name
        xl_series.Values = marks.api
        xl_series.XValues = categories.api
        xl_series.ChartType = XL_LINE_MARKERS
        xl_series.Format.Line.Visible = MSO_FALSE
        xl_series.MarkerStyle = XL_MARKER_DIAMOND
        xl_series.MarkerSize = 9
        xl_series.MarkerBackgroundColor = CHANGE_RED
        xl_series.MarkerForegroundColor = CHANGE_RED
    xl_chart.HasTitle = True
    xl_chart.ChartTitle.Text = spec.title
