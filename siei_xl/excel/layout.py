"""What each sheet of the SIEI workbook holds, as plain data.

The template builder and the headless fill write these cells with XlsxWriter; the
ribbon's macros write the same cells through xlwings. Keeping the layout here, free of
any Excel library, means both paths put the same formulas in the same places.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from siei_xl import __version__
from siei_xl.classic import SigmaResult
from siei_xl.i18n import check_language, country_label, translate_note, words
from siei_xl.job import SETTINGS, JobResult, setting_key
from siei_xl.labels import is_missing, label_key

DATA, GROUPS, FLOWS, SETTINGS_SHEET, RESULTS, CHART, HELP, CONF = (
    "Data",
    "Groups",
    "Flows",
    "Settings",
    "Results",
    "Chart",
    "Help",
    "xlwings.conf",
)
EXPERTS = "Experts"
SHEETS = (DATA, GROUPS, FLOWS, EXPERTS, SETTINGS_SHEET, RESULTS, CHART, HELP, CONF)
INPUT_SHEETS = (DATA, GROUPS, SETTINGS_SHEET)
"""The sheets Compute needs; Flows and Experts are optional (market integration, the
institutional block)."""

NUMBER_FORMATS: Final = {"number": "0.000", "share": "0.0000", "year": "0"}
"""Excel number format of each numeric cell style (the builder and the macros use it)."""

HEADER_ROW = 1  # 0-based: row 2 holds the header on Data, Groups and Settings
TABLE_ROW = 4  # 0-based: row 5 holds the header of the Results tables

_INSTRUCTION_KEYS: Final = {
    DATA: "instr_data",
    GROUPS: "instr_groups",
    FLOWS: "instr_flows",
    EXPERTS: "instr_experts",
    SETTINGS_SHEET: "instr_settings",
    RESULTS: "instr_results",
    CHART: "instr_chart",
    HELP: "instr_help",
    CONF: "instr_conf",
}


def instruction(sheet: str, lang: str = "en") -> str:
    """A sheet's one-line instruction in ``lang`` (the texts: workbook_labels.toml)."""
    return words(lang)(_INSTRUCTION_KEYS[sheet])


INSTRUCTIONS: Final = {name: instruction(name) for name in _INSTRUCTION_KEYS}
"""The English instructions, by sheet."""

# Only keys with values: xlwings' GetConfig takes a key on this sheet even when its value is
# empty, which would hide the user's own Interpreter_Win/PYTHONPATH (user or folder file).
CONF_ROWS = (
    ("UDF Modules", "siei_xl.udfs"),
    ("Debug UDFs", "False"),
    ("Use UDF Server", "False"),
    ("Show Console", "False"),
)


@dataclass(frozen=True)
class Cell:
    """One cell: a value, or a formula with its cached value; 0-based position."""

    row: int
    col: int
    value: object = None
    formula: str | None = None
    style: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    values: str  # range reference, e.g. Results!$B$6:$B$35
    dashed: bool = False
    markers: bool = False
    """Drawn as markers without a line: the years the region's membership changed."""


@dataclass(frozen=True)
class ChartSpec:
    title: str
    categories: str
    series: tuple[Series, ...]
    source: str = ""
    """The block of series with their header row, e.g. ``Results!$B$5:$G$35``."""
    x_title: str = "Year"
    y_title: str = "Distance (standardised units; lower = closer)"
    years: tuple[int, ...] = ()
    """The categories' values, for a copy of the data beside the chart."""
    values: tuple[tuple[float, ...], ...] = ()
    """Each series' values as computed (NaN = not available), for the same copy."""
    marks: ChangeMarks | None = None
    """The years the region's membership changed, marked on the region's line."""


@dataclass(frozen=True)
class ChangeMarks:
    """A series of markers on the region's line at the years its membership changed.

    A line chart in Excel and LibreOffice has no vertical line at a category, so a change
    is a marker (no line joins them) on the region's own point of that year, and the
    legend entry names the changes: a jump there must not read as divergence unnoticed.
    """

    name: str
    """The legend entry, e.g. ``EAEU membership changed: 2015 (+ARM,+KGZ)``."""
    series: int
    """Position in :attr:`ChartSpec.series` of the region's line the markers sit on."""
    years: tuple[int, ...]

    def values(self, years: Sequence[int], region: Sequence[float]) -> list[float]:
        """The region's values in the change years, NaN (no marker) in every other."""
        changed = set(self.years)
        return [v if y in changed else math.nan for y, v in zip(years, region, strict=True)]


@dataclass(frozen=True)
class NumberCheck:
    """An input block's data validation: whole or decimal numbers from ``low`` to ``high``."""

    kind: str  # "integer" or "decimal"
    low: float
    high: float
    message: str


@dataclass
class SheetLayout:
    name: str
    cells: list[Cell] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    freeze_rows: int = 0
    chart: ChartSpec | None = None
    """A chart drawn on this sheet."""
    chart_source: ChartSpec | None = None
    """A chart of this sheet's data, drawn elsewhere (the Chart sheet)."""
    portrait: bool = False
    heights: dict[int, float] = field(default_factory=dict)
    """Row heights in points, where wrapped text needs more than one line."""
    lists: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    """In-cell drop-down lists (data validation), by position."""
    page_breaks: list[int] = field(default_factory=list)
    """Rows (0-based) that start a new printed page: each further table on its own page,
    under its own header."""
    number_checks: dict[tuple[int, int, int, int], NumberCheck] = field(default_factory=dict)
    """Blocks (first row, col, last row, col; 0-based) that accept only numbers (data
    validation: anything else is refused with the check's message)."""
    repeat_header: bool = True
    """Print the frozen header rows on every page (off when further tables follow, whose
    pages must show their own header, not the first table's)."""

    def put(
        self, row: int, col: int, value: object = None, style: str = "", formula: str | None = None
    ) -> None:
        self.cells.append(Cell(row, col, value, formula, style))


def col_name(col: int) -> str:
    """0-based column index to letters: 0 -> A, 26 -> AA."""
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def ref(sheet: str, row0: int, col0: int, row1: int, col1: int) -> str:
    """Absolute reference such as ``Data!$A$2:$D$242`` (0-based inclusive corners)."""
    quoted = f"'{sheet}'" if not sheet.replace("_", "").isalnum() else sheet
    return f"{quoted}!${col_name(col0)}${row0 + 1}:${col_name(col1)}${row1 + 1}"


def _instruction(sheet: SheetLayout, lang: str) -> None:
    sheet.put(0, 0, instruction(sheet.name, lang), "instruction")


def data_sheet(rows: Sequence[Sequence[object]], lang: str = "en") -> SheetLayout:
    """The Data sheet: ``rows`` are the header and the data rows."""
    sheet = SheetLayout(DATA, freeze_rows=HEADER_ROW + 1, portrait=True)
    _instruction(sheet, lang)
    width = max((len(r) for r in rows), default=2)
    header = list(rows[0]) if rows else ["country", "year"]
    for c in range(width):
        sheet.put(HEADER_ROW, c, header[c] if c < len(header) else None, "header")
        sheet.widths[c] = 10 if c < 2 else 18
    for r, row in enumerate(rows[1:], start=HEADER_ROW + 1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.put(r, c, value, "year" if c == 1 else "")
    return sheet


def data_ref(rows: Sequence[Sequence[object]]) -> str:
    """Reference of the whole Data table, header included."""
    width = max((len(r) for r in rows), default=2)
    return ref(DATA, HEADER_ROW, 0, HEADER_ROW + max(len(rows) - 1, 1), width - 1)


def _input_table(
    name: str,
    rows: Sequence[Sequence[object]],
    default_header: list[str],
    year_columns: set[int],
    widths: dict[int, float],
    lang: str = "en",
) -> SheetLayout:
    """A four-column input sheet (Groups, Flows): instruction, header in row 2, rows."""
    sheet = SheetLayout(name, freeze_rows=HEADER_ROW + 1, portrait=True)
    _instruction(sheet, lang)
    header = list(rows[0]) if rows else default_header
    for c, title in enumerate(header):
        sheet.put(HEADER_ROW, c, title, "header")
    for r, row in enumerate(rows[1:], start=HEADER_ROW + 1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.put(r, c, value, "year" if c in year_columns else "")
    sheet.widths.update(widths)
    return sheet


def groups_sheet(rows: Sequence[Sequence[object]], lang: str = "en") -> SheetLayout:
    header = ["group", "country", "from", "to"]
    return _input_table(GROUPS, rows, header, {2, 3}, {0: 22, 1: 12, 2: 8, 3: 8, 4: 60}, lang)


def groups_ref(rows: Sequence[Sequence[object]]) -> str:
    return ref(GROUPS, HEADER_ROW, 0, HEADER_ROW + max(len(rows) - 1, 1), 3)


def flows_sheet(rows: Sequence[Sequence[object]], lang: str = "en") -> SheetLayout:
    header = ["reporter", "partner", "year", "value"]
    return _input_table(FLOWS, rows, header, {2}, {0: 12, 1: 12, 2: 8, 3: 14}, lang)


def flows_ref(rows: Sequence[Sequence[object]]) -> str:
    return ref(FLOWS, HEADER_ROW, 0, HEADER_ROW + max(len(rows) - 1, 1), 3)


EXPERTS_HEADER = ["expert", "grouping", "criterion", "year", "score"]


def experts_sheet(rows: Sequence[Sequence[object]], lang: str = "en") -> SheetLayout:
    """The Experts sheet: the poll, header in row 2; scores must be numbers on the scale."""
    widths = {0: 10.0, 1: 14.0, 2: 22.0, 3: 8.0, 4: 8.0}
    sheet = _input_table(EXPERTS, rows, EXPERTS_HEADER, {3}, widths, lang)
    last = HEADER_ROW + max(len(rows) - 1, 0) + 1000  # room for the user's own rows
    sheet.number_checks[(HEADER_ROW + 1, 3, last, 3)] = NumberCheck(
        "integer", 1900, 2100, "A year such as 2024."
    )
    sheet.number_checks[(HEADER_ROW + 1, 4, last, 4)] = NumberCheck(
        "decimal", 0, 100, "A score on the Expert scale (Settings), as a number; blank = no score."
    )
    return sheet


def experts_ref(rows: Sequence[Sequence[object]]) -> str:
    """The poll from A1 (instruction line, header, rows), so a message's row number is the
    sheet's row."""
    return ref(EXPERTS, 0, 0, HEADER_ROW + max(len(rows) - 1, 1), 4)


def settings_rows(values: dict[str, object] | None = None) -> list[list[object]]:
    """Settings as key/value rows with their defaults, overridden by ``values``."""
    given = {label_key(k): v for k, v in (values or {}).items()}
    return [[key, given.get(label_key(key), default)] for key, default, _ in SETTINGS]


SETTING_ROW = {key: HEADER_ROW + 1 + i for i, (key, _, _) in enumerate(SETTINGS)}


def setting_ref(key: str) -> str:
    """Absolute reference of a setting's value cell, e.g. ``Settings!$B$3``."""
    return f"{SETTINGS_SHEET}!$B${SETTING_ROW[key] + 1}"


def settings_language(rows: Sequence[Sequence[object]]) -> str:
    """The Language setting of key/value rows (a label in either language), else ``"en"``."""
    for row in rows:
        if row and setting_key(row[0]) == "Language" and len(row) > 1 and not is_missing(row[1]):
            return check_language(row[1], "Settings: Language")
    return "en"


def settings_sheet(rows: Sequence[Sequence[object]], lang: str | None = None) -> SheetLayout:
    """The Settings sheet, labelled and explained in ``lang`` (default: its Language)."""
    lang = settings_language(rows) if lang is None else lang
    text = words(lang)
    sheet = SheetLayout(SETTINGS_SHEET, freeze_rows=HEADER_ROW + 1)
    _instruction(sheet, lang)
    for c, name in enumerate(text.list("settings_header")):
        sheet.put(HEADER_ROW, c, name, "header")
    for label, value in rows:
        key = setting_key(label) or str(label)
        r = SETTING_ROW[key]
        sheet.put(r, 0, text.part("setting_label", key), "key")
        sheet.put(r, 1, None if value in ("", None) else value, "input")
        sheet.put(r, 2, text.part("setting_help", key), "wrap")  # long ones take two lines
    sheet.lists[(SETTING_ROW["Standardize"], 1)] = ("yearly", "pooled")
    sheet.lists[(SETTING_ROW["ddof"], 1)] = ("1", "0")
    sheet.lists[(SETTING_ROW["Language"], 1)] = ("en", "ru")
    sheet.widths.update({0: 16 if lang == "en" else 22, 1: 28, 2: 80})  # Russian labels are longer
    return sheet


def _cached(value: float, error: str = "#N/A") -> object:
    return float(value) if math.isfinite(value) else error


@dataclass(frozen=True)
class Refs:
    """Where the Results formulas read their inputs."""

    data: str
    """The Data table, header included, e.g. ``Data!$A$2:$D$242``."""
    groups: str
    settings: dict[str, str]
    """Setting name to its value cell, e.g. ``{"Focus country": "Settings!$B$3"}``."""
    flows: str = ""
    """The Flows table, header included."""
    experts: str = ""
    """The Experts sheet's poll from A1."""

    @classmethod
    def standard(
        cls,
        data_rows: Sequence[Sequence[object]],
        group_rows: Sequence[Sequence[object]],
        flow_rows: Sequence[Sequence[object]] = (),
        expert_rows: Sequence[Sequence[object]] = (),
    ) -> Refs:
        """References in a workbook laid out by this module."""
        return cls(
            data=data_ref(data_rows),
            groups=groups_ref(group_rows),
            settings={key: setting_ref(key) for key in SETTING_ROW},
            flows=flows_ref(flow_rows),
            experts=experts_ref(expert_rows),
        )


def _focus_name(result: JobResult) -> str:
    """The focus country as titles name it: its label, or in Russian its name."""
    label = result.panel.country(result.settings.focus)
    return label if result.settings.lang == "en" else country_label(label, result.settings.lang)


def results_sheet(result: JobResult | None, refs: Refs, lang: str = "en") -> SheetLayout:
    """The Results sheet: live SIEI formulas with the values Python computed cached.

    Its texts are in the result's Language setting (``lang`` when there is no result).
    """
    lang = result.settings.lang if result is not None else lang
    text = words(lang)
    sheet = SheetLayout(RESULTS, freeze_rows=TABLE_ROW + 1)
    _instruction(sheet, lang)
    if result is None:
        sheet.put(2, 0, text("results_none"), "note")
        sheet.widths[0] = 12
        return sheet
    cfg, panel, table = result.settings, result.panel, result.distances
    title = text("results_title", focus=_focus_name(result))
    sheet.put(0, 0, title, "title")
    sheet.put(1, 0, instruction(RESULTS, lang), "instruction")
    indicators = ", ".join(result.indicators or cfg.indicators or panel.indicators)
    sheet.put(
        2,
        0,
        text(
            "results_method",
            indicators=indicators,
            standardize=cfg.standardize,
            ddof=cfg.ddof,
            summary=result.summary_in(lang),
            version=__version__,
        ),
        "note",
    )
    data, at = refs.data, refs.settings
    focus = at["Focus country"]
    # with a Preset the Indicators setting is blank: the formulas name the preset's columns
    chosen = f'"{result.formula_indicators}"' if result.formula_indicators else at["Indicators"]
    options = f"{chosen},{at['Standardize']},{at['ddof']}"
    members_of = _members_formula(refs, result.region_is_group)
    live = _LiveOrValue(result.live)
    sheet.put(TABLE_ROW, 0, text("year"), "header")
    columns = list(table.columns)
    n_partners = len(cfg.partners)
    for j, name in enumerate(columns, start=1):
        sheet.put(TABLE_ROW, j, name, "header_num")
        sheet.widths[j] = 13
    first = TABLE_ROW + 1
    for i, year in enumerate(table.index):
        r = first + i
        year_cell = f"$A{r + 1}"
        sheet.put(r, 0, int(year), "year")
        for j in range(1, len(columns) + 1):
            value = float(table.iloc[i, j - 1])
            if j <= n_partners:
                partner = f"{col_name(j)}${TABLE_ROW + 1}"
                formula = f"=SIEI_PAIR({data},{focus},{partner},{year_cell},{options})"
            else:
                members = members_of(year_cell)
                formula = f"=SIEI_COUNTRYGROUP({data},{focus},{members},{year_cell},{options})"
            sheet.put(r, j, _cached(value), "number", live(formula))
    last = first + len(table.index) - 1
    sheet.widths[0] = 12
    # Summary rows in standard formulas (any spreadsheet recalculates them).
    sheet.put(last + 1, 0, text("mean"), "key")
    sheet.put(last + 2, 0, text("change"), "key")
    sheet.put(last + 3, 0, text("change_over"), "key")
    for j in range(1, len(columns) + 1):
        column = table.iloc[:, j - 1].to_numpy(dtype=float)
        cells = f"{col_name(j)}{first + 1}:{col_name(j)}{last + 1}"
        finite = column[np.isfinite(column)]
        mean = float(finite.mean()) if finite.size else math.nan
        sheet.put(last + 1, j, _cached(mean, "#DIV/0!"), "number", f"=AGGREGATE(1,6,{cells})")
        # first and last years that have a value: a ragged series is not n/a for lack of
        # its end years, and the row below says which years were used
        have = np.flatnonzero(np.isfinite(column))
        if have.size < 2:
            sheet.put(last + 2, j, "#N/A", "number", "=NA()")
            sheet.put(last + 3, j, text("change_na"), "note")
            continue
        lo, hi = int(have[0]), int(have[-1])
        sheet.put(
            last + 2,
            j,
            float(column[hi] - column[lo]),
            "number",
            f"={col_name(j)}{first + hi + 1}-{col_name(j)}{first + lo + 1}",
        )
        sheet.put(last + 3, j, f"{int(table.index[lo])}-{int(table.index[hi])}", "span")
    next_col = len(columns) + 2
    if result.region_cv is not None:
        cv_col = next_col
        sheet.put(TABLE_ROW, cv_col, text("year"), "header")
        sheet.put(TABLE_ROW, cv_col + 1, text("cv_within", region=cfg.region_title), "header_num")
        sheet.widths[cv_col] = 8
        sheet.widths[cv_col + 1] = 22
        cv_options = f"{chosen},{at['ddof']},{at['CV limit']}"
        for i, (year, cv, error) in enumerate(
            zip(
                result.region_cv["year"],
                result.region_cv["cv"],
                result.region_cv["error"],
                strict=True,
            )
        ):
            r = first + i
            year_cell = f"${col_name(cv_col)}{r + 1}"
            sheet.put(r, cv_col, int(year), "year")
            code = "#DIV/0!" if error in {"NearZeroMeanError", "TooFewCountriesError"} else "#N/A"
            formula = f"=SIEI_GROUPCV({data},{members_of(year_cell)},{year_cell},{cv_options})"
            sheet.put(r, cv_col + 1, _cached(float(cv), code), "number", live(formula))
    notes_row = last + 6
    sheet.put(last + 4, 0, text("mean_change_note"), "note")
    sheet.put(notes_row, 0, text("notes") if result.notes else text("notes_none"), "subtitle")
    for k, note in enumerate(result.notes, start=1):
        sheet.put(notes_row + k, 0, f"- {translate_note(note, lang)}", "note")
    below = notes_row + len(result.notes) + 3
    if result.market is not None or result.sigma is not None:
        sheet.page_breaks.append(below)
        sheet.repeat_header = False
    if result.market is not None:
        _market_block(sheet, result, result.market, refs, below, members_of)
    if result.sigma is not None:
        column = 0 if result.market is None else len(result.market.columns) + 2
        _sigma_block(sheet, result, result.sigma, refs, below, column, members_of)
    if result.experts is not None:
        heights = [2 + len(result.market)] if result.market is not None else []
        heights += [len(result.sigma.series) + 7] if result.sigma is not None else []
        top = below + max(heights, default=-2) + 2
        sheet.page_breaks.append(top)
        sheet.repeat_header = False
        _experts_block(sheet, result.experts, refs, top, lang)
    sheet.chart_source = ChartSpec(
        title=title,
        categories=ref(RESULTS, first, 0, last, 0),
        series=tuple(
            Series(name, ref(RESULTS, first, j, last, j), dashed=j > n_partners)
            for j, name in enumerate(columns, start=1)
        ),
        source=ref(RESULTS, TABLE_ROW, 1, last, len(columns)),
        x_title=text("year"),
        y_title=text("chart_y"),
        years=tuple(int(y) for y in table.index),
        values=tuple(tuple(float(v) for v in table[c]) for c in columns),
        marks=_change_marks(result, columns),
    )
    return sheet


def _change_marks(result: JobResult, columns: Sequence[object]) -> ChangeMarks | None:
    """Markers for the years the region's membership changed, if it did in the table's span."""
    cfg = result.settings
    changes = result.membership_changes
    if not changes or not cfg.region or cfg.region_title not in columns:
        return None
    listed = "; ".join(f"{year} ({change})" for year, change in sorted(changes.items()))
    return ChangeMarks(
        name=words(cfg.lang)("chart_members", region=cfg.region_title, changes=listed),
        series=list(columns).index(cfg.region_title),
        years=tuple(sorted(changes)),
    )


class _LiveOrValue:
    """A formula as given, or none (the cell keeps its value) when formulas over the Data
    sheet could not reproduce the values (a Preset's fallback or transform)."""

    def __init__(self, live: bool) -> None:
        self.live = live

    def __call__(self, formula: str) -> str | None:
        return formula if self.live else None


def _market_block(
    sheet: SheetLayout,
    result: JobResult,
    table: pd.DataFrame,
    refs: Refs,
    top: int,
    members_of: Callable[[str], str],
) -> None:
    """Market integration of the focus: with each partner, with the region, within it."""
    cfg, at = result.settings, refs.settings
    text = words(cfg.lang)
    focus = at["Focus country"]
    common = f"{refs.flows},{refs.data},{at['Base indicator']}"
    title = text("market_title", focus=_focus_name(result), base=cfg.base_indicator)
    sheet.put(top, 0, title, "subtitle")
    header = top + 1
    sheet.heights[header] = 30.0  # "within <region>" takes two lines
    sheet.put(header, 0, text("year"), "header")
    n_partners = len(cfg.partners)
    region_headers = [text(k, region=cfg.region_title) for k in ("with_region", "within_region")]
    for j, name in enumerate(table.columns, start=1):
        # partners' headers are codes the formulas read; the region's are words
        shown = name if j <= n_partners else region_headers[j - n_partners - 1]
        sheet.put(header, j, shown, "header_num")
        sheet.widths[j] = max(sheet.widths.get(j, 0), 13)
    for i, year in enumerate(table.index):
        r = header + 1 + i
        year_cell = f"$A{r + 1}"
        sheet.put(r, 0, int(year), "year")
        for j in range(1, len(table.columns) + 1):
            if j <= n_partners:
                partner = f"{col_name(j)}${header + 1}"
                formula = (
                    f"=SIEI_FLOWPAIR({common},{focus},{partner},{year_cell},"
                    f"{at['Flow aggregator']})"
                )
            elif j == n_partners + 1:
                formula = f"=SIEI_FLOWGROUP({common},{focus},{members_of(year_cell)},{year_cell})"
            else:
                formula = f"=SIEI_FLOWWITHIN({common},{members_of(year_cell)},{year_cell})"
            sheet.put(r, j, _cached(float(table.iloc[i, j - 1])), "share", formula)


def _sigma_block(
    sheet: SheetLayout,
    result: JobResult,
    sigma: SigmaResult,
    refs: Refs,
    top: int,
    col: int,
    members_of: Callable[[str], str],
) -> None:
    """The region's sigma series, and its trend (computed when written)."""
    cfg, at = result.settings, refs.settings
    text = words(cfg.lang)
    series, fit = sigma.series, sigma.trend
    title = text("sigma_title", indicator=cfg.sigma_indicator, region=cfg.region_title)
    sheet.put(top, col, title, "subtitle")
    header = top + 1
    sheet.put(header, col, text("year"), "header")
    sheet.put(header, col + 1, text("sigma_header", measure=cfg.sigma_measure), "header_num")
    sheet.put(header, col + 2, text("members_changed"), "header")
    sheet.widths.setdefault(col + 1, 14)
    sheet.widths.setdefault(col + 2, 14)
    options = f"{at['Sigma measure']},{at['ddof']}"
    for i, (year, value, error) in enumerate(
        zip(series["year"], series["sigma"], series["error"], strict=True)
    ):
        r = header + 1 + i
        year_cell = f"${col_name(col)}{r + 1}"
        sheet.put(r, col, int(year), "year")
        code = "#NUM!" if error == "UndefinedResultError" else "#N/A"
        formula = (
            f"=SIEI_SIGMA({refs.data},{at['Sigma indicator']},{members_of(year_cell)},"
            f"{year_cell},{options})"
        )
        sheet.put(r, col + 1, _cached(float(value), code), "number", formula)
        if "membership" in series and series["membership"].iloc[i]:
            sheet.put(r, col + 2, str(series["membership"].iloc[i]), "note")
    r = header + len(series) + 2
    sheet.put(r, col, text("trend_note"), "note")
    labels = text.list("trend_labels")
    for k, (label, value) in enumerate(zip(labels, (fit.slope, fit.se, fit.t), strict=True), 1):
        sheet.put(r + k, col, label, "key")
        sheet.put(r + k, col + 2, _cached(value, "#NUM!"), "number")


EXPERT_STATISTICS: Final = ("n", "mean", "median", "sd", "W", "p")
"""The columns of the experts table: SIEI_EXPERT's statistic words, read from the header."""
_SUMMARY_COLUMN: Final = {
    "n": "n_experts",
    "mean": "mean",
    "median": "median",
    "sd": "sd",
    "W": "w",
    "p": "p_value",
}


def _experts_block(
    sheet: SheetLayout, summary: pd.DataFrame, refs: Refs, top: int, lang: str = "en"
) -> None:
    """The institutional block: each grouping, criterion and year of the Experts sheet."""
    text = words(lang)
    low, high = summary.attrs.get("scale", (1.0, 10.0))
    sheet.put(top, 0, text("experts_title", low=f"{low:g}", high=f"{high:g}"), "subtitle")
    header = top + 1
    # the statistic headers stay as they are: the formulas read them as SIEI_EXPERT's words
    labels = text.list("experts_columns")
    for j, name in enumerate((*labels, *EXPERT_STATISTICS)):
        sheet.put(header, j, name, "header" if j < len(labels) else "header_num")
    sheet.widths[1] = max(sheet.widths.get(1, 0), 20)
    # a workbook made before the Expert scale setting: its default, as Compute reads it
    scale = refs.settings.get("Expert scale", '"1-10"')
    for i, record in enumerate(summary.to_dict("records")):
        r = header + 1 + i
        sheet.put(r, 0, record["grouping"])
        sheet.put(r, 1, record["criterion"])
        sheet.put(r, 2, int(record["year"]), "year")
        for j, word in enumerate(EXPERT_STATISTICS, start=3):
            formula = (
                f"=SIEI_EXPERT({refs.experts},$A{r + 1},$B{r + 1},$C{r + 1},"
                f"{col_name(j)}${header + 1},{scale})"
            )
            value = float(record[_SUMMARY_COLUMN[word]])
            style = "year" if word == "n" else "number"
            sheet.put(r, j, _cached(value), style, formula)
    sheet.put(header + len(summary) + 2, 0, text("experts_note"), "note")


def _members_formula(refs: Refs, region_is_group: bool) -> Callable[[str], str]:
    """The region argument of a formula: the members cell, or the named group's members."""
    region = refs.settings["Region"]
    if not region_is_group:
        return lambda year_cell: region
    return lambda year_cell: f"SIEI_GROUP_MEMBERS({refs.groups},{region},{year_cell})"


CHART_DATA_ROW: Final = 32
"""0-based row of the title of the chart's data block on the Chart sheet, below the chart."""


def chart_sheet(results: SheetLayout, lang: str = "en") -> SheetLayout:
    """The Chart sheet: the chart, drawn from a copy of the Results values below it.

    In the copy a year without a value is an empty cell. Excel and LibreOffice both leave
    a gap for an empty cell, whereas LibreOffice draws Results' ``#N/A`` cells as zeros
    (the reader would see a line drop to 0, as if the economies were identical). SIEI >
    Compute and Draw chart redraw the chart from the live Results cells in Excel, which
    shows ``#N/A`` as a gap.
    """
    text = words(lang)
    sheet = SheetLayout(CHART)
    _instruction(sheet, lang)
    spec = results.chart_source
    if spec is None:
        sheet.put(2, 0, text("chart_none"), "note")
        return sheet
    if not spec.years:
        sheet.chart = spec
        return sheet
    top = CHART_DATA_ROW
    sheet.page_breaks.append(top)  # the data under their header on a page of their own
    sheet.put(top, 0, text("chart_data_note"), "note")
    header, first = top + 1, top + 2
    last = first + len(spec.years) - 1
    sheet.put(header, 0, text("year"), "header")
    for i, year in enumerate(spec.years):
        sheet.put(first + i, 0, year, "year")
    columns = list(zip(spec.series, spec.values, strict=True))
    if spec.marks is not None:
        region = spec.values[spec.marks.series]
        marked = spec.marks.values(spec.years, region)
        columns.append((Series(spec.marks.name, "", markers=True), tuple(marked)))
    series = []
    for j, (line, values) in enumerate(columns, start=1):
        sheet.put(header, j, line.name, "header_num")
        sheet.widths[j] = 13
        for i, value in enumerate(values):
            if math.isfinite(value):
                sheet.put(first + i, j, value, "number")
        series.append(
            Series(
                line.name,
                ref(CHART, first, j, last, j),
                dashed=line.dashed,
                markers=line.markers,
            )
        )
    sheet.chart = ChartSpec(
        title=spec.title,
        categories=ref(CHART, first, 0, last, 0),
        series=tuple(series),
        source=ref(CHART, header, 1, last, len(series)),
        x_title=spec.x_title,
        y_title=spec.y_title,
    )
    return sheet


def live_marks(spec: ChartSpec, lang: str = "en") -> tuple[list[Cell], str] | None:
    """For a chart drawn from the live Results cells (Excel's SIEI > Compute): the
    membership-change markers as a column under the chart on the Chart sheet, and the
    reference of its values. None when the region's membership did not change.

    A change year's cell is a live copy of the region's Results cell, ``#N/A`` (a gap in
    Excel) when that holds no number; every other year's cell is empty (no marker).
    """
    marks = spec.marks
    if marks is None or not spec.years:
        return None
    text = words(lang)
    region_sheet, region_cells = spec.series[marks.series].values.split("!")
    first_cell = region_cells.split(":")[0].replace("$", "")
    letters = first_cell.rstrip("0123456789")
    first_row = int(first_cell[len(letters) :])
    top = CHART_DATA_ROW
    header, first = top + 1, top + 2
    cells = [
        Cell(top, 0, text("chart_marks_note"), style="note"),
        Cell(header, 0, text("year"), style="header"),
        Cell(header, 1, marks.name, style="header"),
    ]
    for i, year in enumerate(spec.years):
        cells.append(Cell(first + i, 0, year, style="year"))
        if year in marks.years:
            source = f"{region_sheet}!${letters}${first_row + i}"
            formula = f"=IF(ISNUMBER({source}),{source},NA())"
            cells.append(Cell(first + i, 1, None, formula, "number"))
    return cells, ref(CHART, first, 1, first + len(spec.years) - 1, 1)


def help_sheet(lang: str = "en") -> SheetLayout:
    """Every SIEI function, generated from the same metadata as the Function Wizard.

    In Russian the headers, errors and ribbon are Russian; the functions' descriptions stay
    English (they are registered with the Function Wizard from the same one metadata), and
    a line under the instruction says so.
    """
    from siei_xl import udfs
    from siei_xl.excel.vba import WHY_ARG, WHY_SUMMARY

    text = words(lang)
    sheet = SheetLayout(HELP, freeze_rows=3)
    _instruction(sheet, lang)
    if text("help_functions_note"):
        sheet.put(1, 0, text("help_functions_note"), "note")
    headers = text.list("help_header")
    widths = (24, 42, 42, 64, 16)
    for c, name in enumerate(headers):
        sheet.put(2, c, name, "header")
        sheet.widths[c] = widths[c]
    entries = [
        (
            i.name,
            f"{i.syntax}\n\n{text('help_example', example=i.example)}",
            i.summary,
            i.args,
            i.returns + (text("help_spills") if i.spills else ""),
        )
        for i in udfs.FUNCTIONS.values()
    ]
    entries.append(
        (
            "SIEI_WHY",
            f"SIEI_WHY(cell)\n\n{text('help_example', example='=SIEI_WHY(B7)')}",
            WHY_SUMMARY,
            {"cell": WHY_ARG},
            "text",
        )
    )
    r = 3
    for name, syntax, summary, args, returns in entries:
        arg_text = "\n".join(f"{a}: {d}" for a, d in args.items()) or text("help_no_args")
        texts = (name, syntax, summary, arg_text, returns)
        for c, value in enumerate(texts):
            sheet.put(r, c, value, "help_name" if c == 0 else "wrap")
        sheet.heights[r] = 13.5 * max(_lines(t, widths[c]) for c, t in enumerate(texts))
        r += 1
    r += 1
    sheet.put(r, 0, text("help_errors"), "subtitle")
    errors = (
        ("#N/A", text("help_error_na")),
        ("#VALUE!", text("help_error_value")),
        ("#DIV/0!", text("help_error_div0")),
        ("#NUM!", text("help_error_num")),
        (text("help_error_why_label"), text("help_error_why")),
    )
    for k, (code, meaning) in enumerate(errors, start=1):
        sheet.put(r + k, 0, code, "help_name")
        sheet.put(r + k, 1, meaning, "note")
    r += len(errors) + 2
    sheet.put(r, 0, text("help_ribbon"), "subtitle")
    from siei_xl.excel.vba import RIBBON_BUTTONS

    # the ribbon's labels are the workbook's own (English); their tips in this language
    for k, (callback, label, _icon, _tip, _entry) in enumerate(RIBBON_BUTTONS, start=1):
        sheet.put(r + k, 0, label, "help_name")
        sheet.put(r + k, 1, text.part("ribbon", callback), "note")
    return sheet


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (an estimate)."""
    per_line = max(int(width * 1.3), 1)
    return sum(max(math.ceil(len(part) / per_line), 1) for part in text.split("\n"))


def conf_sheet(lang: str = "en") -> SheetLayout:
    sheet = SheetLayout(CONF)
    for r, (key, value) in enumerate(CONF_ROWS):
        sheet.put(r, 0, key, "key")
        if value:
            sheet.put(r, 1, value, "")
    # The instruction sits beside the A:B table xlwings reads, not above it.
    sheet.put(0, 3, instruction(CONF, lang), "instruction")
    sheet.widths.update({0: 18, 1: 30})
    return sheet
