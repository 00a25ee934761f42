"""Real data in: long tables, World Bank downloads and CIS tables to the Data layout.

The Data layout is the wide table that :func:`siei_xl.read_panel` and the workbook's Data
sheet read: ``country, year, <one column per indicator>``, one row per country-year, years
whole numbers, values numbers or NaN. The functions here turn the common shapes of
published tables into it:

==============  ==========================================================================
shape           looks like
==============  ==========================================================================
``data``        ``country, year, gdp, growth``: already the Data layout
``long``        ``country, year, indicator, value``: one row per observation
``wb_wide``     a World Bank download: ``Country Name, Country Code, Series Name, Series
                Code, 2000 [YR2000], ...`` (DataBank) or ``..., Indicator Code, 1960,
                ...`` (bulk CSV); one block of rows per series, footer lines below
``years_wide``  one indicator, countries in rows, years as columns (CIS Interstate
                Statistical Committee tables), possibly with a title above the header
                and notes below; the indicator is named by the caller or the file name
==============  ==========================================================================

Cells follow :mod:`siei_xl.labels`: ``'..'``, ``'-'`` and blanks are missing values,
labels are trimmed and match ignoring case. Russian headers (``Страна``, ``Год``,
``Показатель``, ``Значение``) are understood; semicolon-separated files may use a
decimal comma (``1 234,5``).

Warnings (country names not in the built-in list) and notes (footnote rows skipped) travel
in ``frame.attrs["warnings"]`` and ``frame.attrs["notes"]``: nothing is dropped silently.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from siei_xl import files
from siei_xl.exceptions import (
    DataError,
    DuplicateRowError,
    HeaderError,
    NonNumericError,
    OptionError,
)
from siei_xl.labels import (
    COUNTRY_HEADERS,
    YEAR_HEADERS,
    from_decimal_comma,
    label_key,
    label_text,
    parse_number,
)
from siei_xl.panel import DESCRIPTIVE_HEADERS, INDICATOR_HEADERS, VALUE_HEADERS, read_sheet

__all__ = [
    "COUNTRY_NAMES",
    "HEADER_ALIASES",
    "SHAPES",
    "check_output",
    "detect_shape",
    "import_files",
    "iso3_code",
    "merge_panels",
    "read_table",
    "summary",
    "to_data_layout",
    "write_data",
]

SHAPES: Final = ("data", "long", "wb_wide", "years_wide")

COUNTRY_NAMES: Final[Mapping[str, tuple[str, ...]]] = {
    # The 15 post-Soviet states, then the other neighbours of Central Asia. English names
    # as the World Bank, the UN and the CIS Stat English pages spell them; Russian names
    # as CIS Stat and Rosstat do, old and new.
    "ARM": ("Armenia", "Republic of Armenia", "Armenia, Rep. of", "Армения", "Республика Армения"),
    "AZE": (
        "Azerbaijan",
        "Republic of Azerbaijan",
        "Azerbaijan, Rep. of",
        "Азербайджан",
        "Азербайджанская Республика",
    ),
    "BLR": (
        "Belarus",
        "Republic of Belarus",
        "Belarus, Rep. of",
        "Беларусь",
        "Белоруссия",
        "Республика Беларусь",
    ),
    "EST": ("Estonia", "Republic of Estonia", "Эстония", "Эстонская Республика"),
    "GEO": ("Georgia", "Грузия"),
    "KAZ": (
        "Kazakhstan",
        "Kazakstan",
        "Republic of Kazakhstan",
        "Kazakhstan, Rep. of",
        "Казахстан",
        "Республика Казахстан",
    ),
    "KGZ": (
        "Kyrgyzstan",
        "Kyrgyz Republic",
        "Kyrgyz Rep.",
        "Kirghizia",
        "Киргизия",
        "Кыргызстан",
        "Кыргызская Республика",
        "Киргизская Республика",
    ),
    "LVA": ("Latvia", "Republic of Latvia", "Латвия", "Латвийская Республика"),
    "LTU": ("Lithuania", "Republic of Lithuania", "Литва", "Литовская Республика"),
    "MDA": (
        "Moldova",
        "Republic of Moldova",
        "Moldova, Rep. of",
        "Молдова",
        "Молдавия",
        "Республика Молдова",
    ),
    "RUS": ("Russia", "Russian Federation", "Россия", "Российская Федерация", "РФ"),
    "TJK": (
        "Tajikistan",
        "Republic of Tajikistan",
        "Tajikistan, Rep. of",
        "Таджикистан",
        "Республика Таджикистан",
    ),
    "TKM": ("Turkmenistan", "Туркменистан", "Туркмения"),
    "UKR": ("Ukraine", "Украина"),
    "UZB": (
        "Uzbekistan",
        "Republic of Uzbekistan",
        "Uzbekistan, Rep. of",
        "Узбекистан",
        "Республика Узбекистан",
    ),
    "CHN": (
        "China",
        "People's Republic of China",
        "China, P.R.: Mainland",
        "Китай",
        "КНР",
        "Китайская Народная Республика",
    ),
    "MNG": ("Mongolia", "Монголия"),
    "TUR": ("Turkey", "Turkiye", "Türkiye", "Republic of Turkiye", "Турция", "Турецкая Республика"),
    "IRN": (
        "Iran",
        "Iran, Islamic Rep.",
        "Islamic Republic of Iran",
        "Иран",
        "Исламская Республика Иран",
    ),
    "AFG": ("Afghanistan", "Афганистан"),
}
"""ISO 3166-1 alpha-3 code -> names, used by ``to_iso3=True`` (``--codes iso3``) and by the
readers of published bilateral tables (IMF spellings such as ``Kazakhstan, Rep. of``)."""

_ISO3_BY_KEY: Final = {
    label_key(name): code for code, names in COUNTRY_NAMES.items() for name in (code, *names)
}

# Russian (and a few English) headers, mapped to the names panel.py and this module know.
HEADER_ALIASES: Final[Mapping[str, str]] = {
    "страна": "country",
    "страны": "country",
    "государство": "country",
    "государства": "country",
    "наименование страны": "country",
    "country name": "country",
    "economy": "country",
    "economy name": "country",
    "код страны": "country code",
    "economy code": "country code",
    "код": "code",
    "год": "year",
    "годы": "year",
    "показатель": "indicator",
    "индикатор": "indicator",
    "наименование показателя": "indicator name",
    "код показателя": "indicator code",
    "значение": "value",
    "единица измерения": "unit",
    "единицы измерения": "unit",
    "примечание": "note",
    "примечания": "note",
    "источник": "source",
}

_SERIES_HEADERS: Final = (
    "series code",
    "indicator code",
    "series",
    "indicator",
    "series name",
    "indicator name",
)
_WB_COUNTRY_HEADERS: Final = ("country code", "iso3", "code", "country")
_LONG_INDICATOR_HEADERS: Final = (*INDICATOR_HEADERS, "indicator name", "series name")
# Never an indicator name: the output would be read back as a label or long-table column.
_RESERVED: Final = frozenset(
    {*COUNTRY_HEADERS, *YEAR_HEADERS, *DESCRIPTIVE_HEADERS, *INDICATOR_HEADERS, *VALUE_HEADERS}
)
# Columns of a Data-layout table that are neither labels nor indicators.
_NOT_INDICATORS: Final = frozenset(
    {*COUNTRY_HEADERS, *YEAR_HEADERS, *DESCRIPTIVE_HEADERS, "time code", "unit", "note", "source"}
)

# '2015', '2015 [YR2015]' (World Bank DataBank), 'YR2015', '2015 г.', '2015 год', '2015*'.
_YEAR_HEADER: Final = re.compile(
    r"^(?:yr)?(?P<year>1[89]\d\d|20\d\d)(?:\.0+)?\s*(?:\[yr\d{4}\])?\s*"
    r"(?:г\.?|год|гг\.?)?\s*(?:\*+|\d\)|[¹²³⁴⁵⁶⁷⁸⁹])?$"
)
# Footnote marks CIS tables put after a name or a number: 'Россия 1)', '98,7*', 'Armenia²'.
# Only in tables with years as columns: elsewhere 'Region (2)' may well be a name.
_FOOTNOTE: Final = re.compile(r"\s*(?:\*+|(?<!\()\d\)|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)$")
_ISO3_LIKE: Final = re.compile(r"^[A-Z]{3}$")
_LONG_WHAT: Final = ("country", "year", "indicator", "value")
_HEADER_SEARCH: Final = 30  # rows searched for the header below titles


# ---------------------------------------------------------------------------- reading
def read_table(path: str | os.PathLike[str], *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX file as text and objects, with its header row found.

    Parameters
    ----------
    path : path
        ``.csv``/``.txt``/``.tsv`` (comma, semicolon or tab separated; UTF-8 with or
        without BOM, UTF-16 with BOM, else Windows-1251 as Russian-language files often
        are) or ``.xlsx``/``.xlsm``.
    sheet : str or int, optional
        Sheet of a workbook; default the sheet named ``Data`` if there is one, else the
        first.

    Returns
    -------
    DataFrame
        Cells as read (``None`` for blank), columns headed by the header row: the first
        of the top rows that has the headers of a known shape (see :func:`detect_shape`),
        so title lines above a table are skipped. ``index + 2`` is the row number in the
        file. ``attrs`` holds ``source`` (file name), ``name`` (file name without
        extension, the default indicator name of a one-indicator table), ``title`` (text
        above the header) and ``decimal`` (``','`` for a semicolon-separated file).
    """
    file = Path(path)
    if not file.exists():
        raise DataError(f"file {str(file)!r} does not exist")
    suffix = file.suffix.lower()
    if suffix in {".csv", ".txt", ".tsv"}:
        cells, separator = files.csv_rows(file)
        rows = [list[object](row) for row in cells]
        decimal = "," if separator == ";" else "."
    elif suffix in {".xlsx", ".xlsm"}:
        rows = _sheet_rows(file, sheet)
        decimal = "."
    elif suffix == ".xls":
        raise DataError(
            f"cannot read {file.name!r}: old .xls workbooks are not supported; open it in "
            "Excel and save it as .xlsx or CSV"
        )
    else:
        raise DataError(f"cannot read {file.name!r}: expected a .csv, .xlsx or .xlsm file")
    width = max((len(r) for r in rows), default=0)
    if width == 0:
        raise DataError(f"{file.name!r} is empty")
    grid = pd.DataFrame(
        [r + [None] * (width - len(r)) for r in rows],
        columns=[""] * width,
        index=pd.RangeIndex(-1, len(rows) - 1),  # index + 2 = row number in the file
        dtype=object,
    )
    grid = grid.mask(_blank_cells(grid), None)
    grid.attrs = {"source": file.name, "name": file.stem, "title": "", "decimal": decimal}
    return _find_header(grid)


def _sheet_rows(file: Path, sheet: str | int | None) -> list[list[object]]:
    frame = read_sheet(file, sheet, header=None)
    return [
        [None if _is_blank(c) else c for c in row]
        for row in frame.itertuples(index=False, name=None)
    ]


def _find_header(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame headed by its header row: its own if it names a shape, else the first
    of the top rows that does, else the first non-blank row when it has no headers."""
    if _shape_of(list(frame.columns)) is not None or _flows_header(list(frame.columns)):
        return frame
    first_filled: int | None = None
    for pos, row in enumerate(frame.head(_HEADER_SEARCH).itertuples(index=False, name=None)):
        if first_filled is None and not all(_is_blank(c) for c in row):
            first_filled = pos
        if _shape_of(list(row)) is not None or _flows_header(list(row)):
            return _promote(frame, pos)
    if first_filled is not None and all(_is_blank(c) for c in frame.columns):
        return _promote(frame, first_filled)
    return frame


FLOW_REPORTER_HEADERS: Final = (
    "reporter", "reporter_iso3", "reporter iso3", "reporteriso", "reporter iso",
    "reporter code", "reportercode", "origin", "exporter", "from", "country of destination",
    "host country",
)  # fmt: skip
FLOW_PARTNER_HEADERS: Final = (
    "partner", "partner_iso3", "partner iso3", "partneriso", "partner iso", "partner code",
    "partnercode", "counterpart country code", "counterpart_country", "counterpart country",
    "counterpart_area", "counterpart area", "counterpart", "destination", "to",
    "country of origin", "origin country",
)  # fmt: skip


def _flows_header(row: Sequence[object]) -> bool:
    """True for the header of a table of bilateral flows (reporter and partner columns)."""
    keys = set(_keys(row))
    return bool(keys & set(FLOW_REPORTER_HEADERS)) and bool(keys & set(FLOW_PARTNER_HEADERS))


def _promote(frame: pd.DataFrame, pos: int) -> pd.DataFrame:
    above = [
        label_text(c)
        for row in [list(frame.columns), *frame.iloc[:pos].itertuples(index=False, name=None)]
        for c in row
        if not _is_blank(c) and not str(c).startswith("Unnamed:")
    ]
    table = frame.iloc[pos + 1 :].copy()
    table.columns = [_header_text(c) for c in frame.iloc[pos]]
    table.attrs = {**frame.attrs, "title": " ".join(above)}
    return table


# ----------------------------------------------------------------------------- shapes
def detect_shape(frame: pd.DataFrame) -> str:
    """The shape of a table: ``'data'``, ``'long'``, ``'wb_wide'`` or ``'years_wide'``.

    Decided from the headers (of the frame, or of the first of its top rows that names a
    shape), in this order: ``long`` has country, year, indicator and value columns;
    ``wb_wide`` has a country column, a series or indicator column and year columns;
    ``data`` has country and year columns; ``years_wide`` has year columns and a label
    column before them. HeaderError otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> detect_shape(pd.DataFrame(columns=["iso3", "year", "indicator", "value"]))
    'long'
    >>> detect_shape(pd.DataFrame(columns=["Страна", "2019", "2020 г."]))
    'years_wide'
    """
    table = _find_header(frame)
    shape = _shape_of(list(table.columns))
    if shape is None:
        source = frame.attrs.get("source")
        where = f" of {source!r}" if source else ""
        found = ", ".join(repr(_header_text(c)) for c in table.columns if not _is_blank(c))
        raise HeaderError(
            f"cannot tell the layout{where}: expected country, year and indicator columns "
            "(Data layout); country, year, indicator, value (long); World Bank columns "
            "'Country Code', 'Series Code' and years; or countries in the first column and "
            f"years as columns (one indicator); found {found or 'no headers'}"
        )
    return shape


def _shape_of(columns: Sequence[object]) -> str | None:
    keys = _keys(columns)
    years = _year_columns(columns)
    has = set(keys)
    country = bool(has & set(COUNTRY_HEADERS))
    year = bool(has & set(YEAR_HEADERS))
    if (
        country
        and year
        and has & set(_LONG_INDICATOR_HEADERS)
        and has & set(VALUE_HEADERS)
        and not years
    ):
        return "long"
    if years and country and has & set(_SERIES_HEADERS):
        return "wb_wide"
    if country and year:
        return "data"
    if years and _label_column(keys, years) is not None:
        return "years_wide"
    return None


def _keys(columns: Sequence[object]) -> list[str]:
    keys = [label_key(_header_text(c)) for c in columns]
    return [HEADER_ALIASES.get(k, k) for k in keys]


def _header_text(cell: object) -> str:
    return "" if _is_blank(cell) else label_text(cell)


def _header_year(cell: object) -> int | None:
    if isinstance(cell, bool) or _is_blank(cell):
        return None
    if isinstance(cell, int | float):
        number = float(cell)
        return int(number) if number.is_integer() and 1800 <= number <= 2099 else None
    match = _YEAR_HEADER.match(label_key(cell))
    return int(match["year"]) if match else None


def _year_columns(columns: Sequence[object]) -> list[int]:
    return [j for j, c in enumerate(columns) if _header_year(c) is not None]


def _label_column(keys: Sequence[str], years: Sequence[int]) -> int | None:
    for name in COUNTRY_HEADERS:
        if name in keys and keys.index(name) not in years:
            return keys.index(name)
    return next((j for j in range(len(keys)) if j < years[0]), None)


def _first(keys: Sequence[str], accepted: Sequence[str]) -> int | None:
    for name in accepted:
        if name in keys:
            return keys.index(name)
    return None


# ------------------------------------------------------------------------- conversion
def to_data_layout(
    frame: pd.DataFrame,
    *,
    shape: str | None = None,
    indicator: str | None = None,
    to_iso3: bool = False,
) -> pd.DataFrame:
    """Convert a table of any known shape to the Data layout.

    Parameters
    ----------
    frame : DataFrame
        As :func:`read_table` returns it, or any frame whose columns (or one of whose top
        rows) are the headers.
    shape : {'data', 'long', 'wb_wide', 'years_wide'}, optional
        Default: :func:`detect_shape`.
    indicator : str, optional
        Name of the one indicator of a ``years_wide`` table; default ``attrs["name"]``
        (the file name). OptionError for other shapes, whose indicators are named inside.
    to_iso3 : bool, default False
        Replace country names in :data:`COUNTRY_NAMES` by their ISO3 codes. Other labels
        are kept as given and listed in ``attrs["warnings"]`` (three capital letters are
        taken as a code already).

    Returns
    -------
    DataFrame
        ``country, year, <indicators>``: one row per country-year with any value, years
        ``int64``, values ``float64`` (NaN missing). ``attrs``: ``source``, ``shape``,
        ``warnings`` (list of str), ``notes`` (list of str: footnote and footer rows
        skipped, footnote marks dropped, labels without any value).

    Notes
    -----
    Rows whose value cells are all empty (footers such as ``Data from database: ...``,
    ``Last Updated: ...``, CIS notes such as ``1) Оценка``) carry no value and are
    skipped; a value cell that is neither a number nor a missing marker (``'..'``,
    ``'-'``, ...) is an error naming the row and column.

    Examples
    --------
    >>> import pandas as pd
    >>> cis = pd.DataFrame({"Страна": ["Казахстан", "Россия"], "2019": ["9 812,5", ".."]})
    >>> cis.attrs["decimal"] = ","
    >>> out = to_data_layout(cis, indicator="gdp_pc", to_iso3=True)
    >>> out.to_dict("list")
    {'country': ['KAZ'], 'year': [2019], 'gdp_pc': [9812.5]}
    """
    table = _find_header(frame)
    if shape is None:
        shape = detect_shape(table)
    elif shape not in SHAPES:
        raise OptionError(f"shape must be one of {', '.join(SHAPES)}, got {shape!r}")
    source = str(frame.attrs.get("source") or "the table")
    if indicator is not None and shape != "years_wide":
        raise OptionError(
            f"an indicator name applies to a table with one indicator and years as columns; "
            f"{source} is a {shape!r} table whose indicators are named inside it"
        )
    notes: list[str] = []
    if shape == "data":
        long = _long_from_data(table, notes)
    elif shape == "long":
        long = _long_from_long(table, notes)
    elif shape == "wb_wide":
        long = _long_from_wb(table, notes)
    else:
        name = indicator if indicator is not None else frame.attrs.get("name")
        if not name or not str(name).strip():
            raise HeaderError(
                f"{source} holds one indicator with years as columns: give its name "
                "(indicator=..., or --indicator NAME on the command line)"
            )
        long = _long_from_years(table, str(name).strip(), notes)
    return _finish(long, source=source, shape=shape, notes=notes, to_iso3=to_iso3, table=table)


def _long_from_data(table: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    keys = _keys(table.columns)
    c_col = _first(keys, COUNTRY_HEADERS)
    y_col = _first(keys, YEAR_HEADERS)
    if c_col is None or y_col is None:
        raise HeaderError("a Data-layout table needs a country column and a year column")
    headers = [_header_text(c) for c in table.columns]
    value_cols: list[int] = []
    for j, key in enumerate(keys):
        if j in (c_col, y_col) or key in _NOT_INDICATORS:
            continue
        if not key:
            if not table.iloc[:, j].map(_is_blank).all():
                raise HeaderError(f"column {j + 1} holds values but has no header")
            continue
        value_cols.append(j)
    if not value_cols:
        raise HeaderError(
            "no indicator columns: after the country and year columns, each further headed "
            "column should hold one indicator"
        )
    names = {j: _code_in_brackets(headers[j]) for j in value_cols}
    seen: dict[str, int] = {}
    for j in value_cols:
        first = seen.setdefault(label_key(names[j]), j)
        if first != j:
            same = (
                f"are both headed {headers[j]!r}"
                if headers[first] == headers[j]
                else f"({headers[first]!r}, {headers[j]!r}) both name {names[first]!r}"
            )
            raise HeaderError(
                f"columns {first + 1} and {j + 1} {same}: each indicator needs a column of "
                "its own; rename or delete one of them"
            )
    table = _drop_note_rows(table, value_cols, notes)
    pieces = [
        _piece(table, table.iloc[:, c_col], table.iloc[:, y_col], names[j], j, headers[j])
        for j in value_cols
    ]
    return _concat(pieces, year_header=headers[y_col])


def _long_from_long(table: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    keys = _keys(table.columns)
    cols = [
        _first(keys, accepted)
        for accepted in (COUNTRY_HEADERS, YEAR_HEADERS, _LONG_INDICATOR_HEADERS, VALUE_HEADERS)
    ]
    c_col, y_col, i_col, v_col = (_require(c, w) for c, w in zip(cols, _LONG_WHAT, strict=True))
    headers = [_header_text(c) for c in table.columns]
    table = _drop_note_rows(table, [v_col], notes)
    long = pd.DataFrame(
        {
            "country": table.iloc[:, c_col],
            "year": table.iloc[:, y_col],
            "indicator": table.iloc[:, i_col].map(_header_text),
            "value": table.iloc[:, v_col],
            "column": headers[v_col],
        },
        index=table.index,
    )
    blank = long["indicator"] == ""
    if blank.any():
        raise DataError(f"row {long.index[blank][0] + 2}: the {headers[i_col]!r} cell is blank")
    return _with_years(long, headers[y_col])


def _require(col: int | None, what: str) -> int:
    if col is None:
        raise HeaderError(f"a long table needs a {what} column")
    return col


def _long_from_wb(table: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    keys = _keys(table.columns)
    headers = [_header_text(c) for c in table.columns]
    c_col = _first(keys, _WB_COUNTRY_HEADERS)
    s_col = _first(keys, _SERIES_HEADERS)
    if c_col is None or s_col is None:
        raise HeaderError("a World Bank table needs 'Country Code' and 'Series Code' columns")
    year_cols = _checked_years(table.columns)
    table = _drop_note_rows(table, year_cols, notes)
    series = table.iloc[:, s_col].map(_header_text)
    blank = series == ""
    if blank.any():
        raise DataError(
            f"row {series.index[blank][0] + 2}: the {headers[s_col]!r} cell is blank but the "
            "row holds values"
        )
    pieces = [
        _piece(table, table.iloc[:, c_col], _header_year(table.columns[j]), series, j, headers[j])
        for j in year_cols
    ]
    return _concat(pieces, year_header="year")


def _long_from_years(table: pd.DataFrame, name: str, notes: list[str]) -> pd.DataFrame:
    keys = _keys(table.columns)
    headers = [_header_text(c) for c in table.columns]
    year_cols = _checked_years(table.columns)
    label = _label_column(keys, year_cols)
    if label is None:
        raise HeaderError("a table with years as columns needs a column of countries first")
    table = _drop_note_rows(table, year_cols, notes)
    pieces = [
        _piece(table, table.iloc[:, label], _header_year(table.columns[j]), name, j, headers[j])
        for j in year_cols
    ]
    return _concat(pieces, year_header="year")


def _checked_years(columns: Sequence[object]) -> list[int]:
    year_cols = _year_columns(columns)
    if not year_cols:
        raise HeaderError("no year columns: expected headers such as 2015 or '2015 [YR2015]'")
    seen: dict[int | None, int] = {}
    for j in year_cols:
        year = _header_year(columns[j])
        if year in seen:
            raise HeaderError(
                f"columns {seen[year] + 1} and {j + 1} are both headed with the year {year}"
            )
        seen[year] = j
    return year_cols


def _piece(
    table: pd.DataFrame, country: object, year: object, indicator: object, j: int, header: str
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": country,
            "year": year,
            "indicator": indicator,
            "value": table.iloc[:, j],
            "column": header,
        },
        index=table.index,
    )


def _concat(pieces: list[pd.DataFrame], *, year_header: str) -> pd.DataFrame:
    if not pieces:
        raise DataError("the table has no value columns")
    return _with_years(pd.concat(pieces), year_header)


def _with_years(long: pd.DataFrame, header: str) -> pd.DataFrame:
    parsed: dict[object, int] = {}
    years: list[int] = []
    for row, cell in zip(long.index, long["year"], strict=True):
        if cell not in parsed:
            number = parse_number(cell)
            if number is None or math.isnan(number) or not number.is_integer():
                raise DataError(
                    f"row {row + 2}: the {header!r} cell holds {cell!r}, not a whole year "
                    "such as 2015"
                )
            parsed[cell] = int(number)
        years.append(parsed[cell])
    return long.assign(year=years)


def _code_in_brackets(header: str) -> str:
    """``'GDP growth (annual %) [NY.GDP.MKTP.KD.ZG]'`` (DataBank) -> the code in brackets."""
    match = re.match(r"^.+\[([A-Za-z0-9_.]+)\]$", header)
    return match[1] if match else header


def _drop_note_rows(
    table: pd.DataFrame, value_cols: Sequence[int], notes: list[str]
) -> pd.DataFrame:
    """Leave out blank rows, and rows of one cell with the value cells empty: titles,
    footnotes and footers (``Data from database: ...``), each listed in ``notes``.

    A row with labels and no value (a country without data) stays, to be reported as such.
    """
    empty = _blank_cells(table.iloc[:, list(value_cols)]).all(axis=1).to_numpy()
    note = empty.copy()
    for pos in np.flatnonzero(empty):
        texts = [label_text(c) for c in table.iloc[pos] if not _is_blank(c)]
        note[pos] = len(texts) <= 1
        if len(texts) == 1:
            notes.append(f"skipped the note {texts[0]!r}")
    return table.loc[~note]


def _finish(
    long: pd.DataFrame,
    *,
    source: str,
    shape: str,
    notes: list[str],
    to_iso3: bool,
    table: pd.DataFrame,
) -> pd.DataFrame:
    if long.empty:
        raise DataError(f"{source} holds no values")
    warnings: list[str] = []
    labels: dict[object, str] = {}
    for cell in pd.unique(long["country"].to_numpy(dtype=object)):
        text = _header_text(cell)
        text = _FOOTNOTE.sub("", text) if shape == "years_wide" else text
        labels[cell] = _iso3_or_warn(text, warnings) if to_iso3 and text else text
    indicators = long["indicator"].to_numpy(dtype=object)
    for name in pd.unique(indicators):
        if label_key(name) in _RESERVED:
            raise HeaderError(
                f"{source}: {name!r} cannot name an indicator: it would be read back as a "
                "label column; rename it"
            )
    decimal_comma = table.attrs.get("decimal") == ","
    clean = pd.DataFrame(
        {
            "country": [labels[c] for c in long["country"].to_numpy(dtype=object)],
            "year": long["year"].to_numpy(dtype="int64"),
            "indicator": indicators,
            "value": _values(long, decimal_comma=decimal_comma, notes=notes),
        },
        index=long.index,
    )
    blank = clean["country"] == ""
    if blank.any():
        raise DataError(f"row {clean.index[blank][0] + 2}: the country cell is blank")
    _check_unique(clean)
    out = _pivot(clean)
    if out.empty:
        raise DataError(f"{source} holds no values: every value cell is blank or missing")
    found = {label_key(c) for c in out["country"]}
    empty = [c for c in dict.fromkeys(clean["country"]) if label_key(c) not in found]
    if empty:
        notes.append(f"no values for {', '.join(empty)}")
    out.attrs = {"source": source, "shape": shape, "warnings": warnings, "notes": notes}
    return out


def _check_unique(long: pd.DataFrame) -> None:
    """One value per country, year and indicator, labels matched as Panel matches them."""
    keys = pd.DataFrame(
        {
            "c": _label_keys(long["country"]),
            "y": long["year"].to_numpy(),
            "i": _label_keys(long["indicator"]),
        }
    )
    twice = keys.duplicated(keep=False).to_numpy()
    if not twice.any():
        return
    first = keys[twice].iloc[0]
    same = (keys == first).all(axis=1).to_numpy()
    rows = [int(r) + 2 for r in long.index[same][:2]]
    hit = long[same].iloc[0]
    raise DuplicateRowError(
        f"rows {rows[0]} and {rows[1]} both hold {hit['indicator']} for {hit['country']} "
        f"{hit['year']}; keep one row per country, year and indicator"
    )


def _label_keys(labels: pd.Series) -> list[str]:
    cells = labels.to_numpy(dtype=object)
    keys = {c: label_key(c) for c in pd.unique(cells)}
    return [keys[c] for c in cells]


def _pivot(long: pd.DataFrame, *, order: pd.DataFrame | None = None) -> pd.DataFrame:
    """Data layout from unique ``country, year, indicator, value`` rows.

    Labels match ignoring case and spaces; the first spelling (in ``order``, default
    ``long``) is kept. Countries and indicators come in order of first appearance, years
    ascending; country-years without any value are left out, as Panel.to_wide does.
    """
    order = long if order is None else order
    ckey, ikey = _label_keys(long["country"]), _label_keys(long["indicator"])
    o_ckey, o_ikey = _label_keys(order["country"]), _label_keys(order["indicator"])
    country_of = _first_spelling(o_ckey, order["country"])
    indicator_of = _first_spelling(o_ikey, order["indicator"])
    frame = pd.DataFrame(
        {
            "ckey": ckey,
            "year": long["year"].to_numpy(),
            "ikey": ikey,
            "value": long["value"].to_numpy(dtype="float64"),
        }
    )
    wide = frame.pivot(index=["ckey", "year"], columns="ikey", values="value")
    wide = wide.reindex(columns=list(indicator_of)).dropna(how="all")
    wide.columns = list(indicator_of.values())
    wide = wide.reset_index()
    rank = {k: n for n, k in enumerate(country_of)}
    wide = wide.assign(rank=wide["ckey"].map(rank)).sort_values(["rank", "year"], kind="stable")
    wide.insert(0, "country", wide["ckey"].map(country_of).astype(object))
    out = wide.drop(columns=["ckey", "rank"]).reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    out.columns.name = None
    return out


def _first_spelling(keys: Sequence[str], labels: pd.Series) -> dict[str, str]:
    """Key -> the first label with that key, in order of first appearance."""
    pairs = pd.DataFrame({"key": keys, "label": labels.to_numpy(dtype=object)})
    first = pairs.drop_duplicates("key")
    return dict(zip(first["key"], first["label"], strict=True))


def _values(
    long: pd.DataFrame, *, decimal_comma: bool, notes: list[str]
) -> npt.NDArray[np.float64]:
    cells = long["value"].to_numpy(dtype=object)
    # Fast path for cells pandas reads as finite numbers; the rest by the package's rules.
    fast = pd.to_numeric(pd.Series(cells), errors="coerce").to_numpy(dtype="float64")
    out = fast.copy()
    slow = ~np.isfinite(fast)
    marked: list[str] = []
    parsed: dict[object, float | None] = {}
    columns, countries, years = long["column"].to_numpy(), long["country"], long["year"]
    for pos in np.flatnonzero(slow):
        cell = cells[pos]
        key = cell if isinstance(cell, str) else None
        if key is None or key not in parsed:
            number = _number(cell, decimal_comma=decimal_comma, marked=marked)
            if key is not None:
                parsed[key] = number
        else:
            number = parsed[key]
        if number is None:
            raise NonNumericError(
                f"row {long.index[pos] + 2}, column {columns[pos]!r} "
                f"({_header_text(countries.iloc[pos])} {years.iloc[pos]}): {cell!r} is not a "
                "number; use a decimal point, and a blank or '..' for missing"
            )
        out[pos] = number
    if marked:
        notes.append(
            f"dropped footnote marks from {len(marked)} value(s), e.g. {marked[0]!r}; check "
            "the notes of the source table"
        )
    return out


def _number(cell: object, *, decimal_comma: bool, marked: list[str]) -> float | None:
    number = parse_number(cell)
    if number is not None or not isinstance(cell, str):
        return number
    text = cell.strip()
    stripped = _FOOTNOTE.sub("", text)
    if decimal_comma:
        stripped = from_decimal_comma(stripped) or stripped
    number = parse_number(stripped)
    if number is not None and _FOOTNOTE.sub("", text) != text:
        marked.append(text)
    return number


# ---------------------------------------------------------------------- country codes
def iso3_code(name: object) -> str | None:
    """ISO3 code of a country name in :data:`COUNTRY_NAMES` (any case), else ``None``.

    Examples
    --------
    >>> iso3_code("Kyrgyz Republic"), iso3_code(" кыргызстан "), iso3_code("Atlantis")
    ('KGZ', 'KGZ', None)
    """
    return _ISO3_BY_KEY.get(label_key(name))


def _iso3_or_warn(label: str, warnings: list[str]) -> str:
    code = iso3_code(label)
    if code is not None:
        return code
    if not _ISO3_LIKE.match(label):
        warnings.append(f"country {label!r} is not in the built-in list of names; kept as given")
    return label


# ------------------------------------------------------------------------------ merge
def merge_panels(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Outer-join Data-layout frames on country and year.

    Labels match ignoring case and spaces; the first spelling is kept. Each country-year
    holds every indicator any frame has for it. The same indicator with two different
    values for one country-year is a DuplicateRowError naming the country, year,
    indicator and both sources (``attrs["source"]``, else ``frame 1``, ``frame 2``, ...);
    equal values are fine. Values are compared exactly, as read.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"country": ["KAZ"], "year": [2015], "gdp": [1.0]})
    >>> b = pd.DataFrame({"country": ["kaz", "RUS"], "year": [2015, 2015], "pop": [2.0, 3.0]})
    >>> merge_panels([a, b]).to_dict("list")
    {'country': ['KAZ', 'RUS'], 'year': [2015, 2015], 'gdp': [1.0, nan], 'pop': [2.0, 3.0]}
    """
    parts: list[pd.DataFrame] = []
    sources: list[str] = []
    for n, frame in enumerate(frames, start=1):
        source = str(frame.attrs.get("source") or f"frame {n}")
        sources.append(source)
        parts.append(_as_long(frame, source))
    if not parts:
        raise DataError("nothing to merge: no tables given")
    everything = pd.concat(parts, ignore_index=True)
    long = everything[everything["value"].notna()]
    if long.empty:
        raise DataError(f"no values to merge in {', '.join(sources)}")
    key = ["ckey", "year", "ikey"]
    twice = long.duplicated(subset=key, keep=False)
    if twice.any():
        clash = long[twice]
        first = clash.groupby(key, sort=False)["value"].transform("first")
        differ = clash[clash["value"] != first]
        if not differ.empty:
            bad = differ.iloc[0]
            good = clash[(clash[key] == bad[key]).all(axis=1)].iloc[0]
            raise DuplicateRowError(
                f"{good['indicator']} for {good['country']} {good['year']} is "
                f"{float(good['value'])!r} in {good['source']} but {float(bad['value'])!r} "
                f"in {bad['source']}; correct one of the files or leave one out"
            )
        long = long.drop_duplicates(subset=key)
    # First spelling and first appearance win, whichever frame holds the values.
    out = _pivot(long, order=everything)
    out.attrs = {"sources": sources}
    return out


def _as_long(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    keys = [label_key(c) for c in frame.columns]
    if keys[:2] != ["country", "year"]:
        raise HeaderError(
            f"{source}: expected the Data layout (country, year, indicators...), found "
            f"{', '.join(repr(str(c)) for c in frame.columns[:4])}; convert it with "
            "to_data_layout first"
        )
    names = [label_text(c) for c in frame.columns[2:]]
    seen: dict[str, str] = {}
    for name in names:
        if label_key(name) in seen:
            raise HeaderError(f"{source}: indicators {seen[label_key(name)]!r} and {name!r} repeat")
        seen[label_key(name)] = name
    base = pd.DataFrame(
        {
            "country": frame.iloc[:, 0].map(label_text).to_numpy(),
            "year": frame.iloc[:, 1].to_numpy(),
        }
    )
    base = _with_years(base.set_index(pd.RangeIndex(len(base))), str(frame.columns[1]))
    blank = base["country"].map(label_key) == ""
    if blank.any():
        raise DataError(f"{source}, row {int(blank.to_numpy().argmax()) + 2}: the country is blank")
    pieces = []
    for j, name in enumerate(names, start=2):
        column = frame.iloc[:, j]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            values = column.to_numpy(dtype="float64")
        else:
            values = [_frame_number(cell, source, row, name) for row, cell in enumerate(column)]
        pieces.append(base.assign(indicator=name, value=values))
    if not pieces:
        return pd.DataFrame(columns=["country", "year", "indicator", "value", "ckey", "ikey"])
    long = pd.concat(pieces, ignore_index=True)
    return long.assign(
        ckey=long["country"].map(label_key),
        ikey=long["indicator"].map(label_key),
        source=source,
    )


def _frame_number(cell: object, source: str, row: int, column: str) -> float:
    number = parse_number(cell)
    if number is None:
        raise NonNumericError(
            f"{source}, row {row + 2}, column {column!r}: {cell!r} is not a number; use a "
            "decimal point, and a blank or '..' for missing"
        )
    return number


# ----------------------------------------------------------------------- all together
def import_files(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    indicator_names: str | Sequence[str | None] | Mapping[str, str] | None = None,
    output: str | os.PathLike[str] | None = None,
    to_iso3: bool = False,
    sheet: str | int | None = None,
    force: bool = False,
) -> pd.DataFrame:
    """Read files of any known shape and merge them into one Data-layout frame.

    Parameters
    ----------
    paths : path or sequence of paths
        CSV or XLSX files (see :func:`read_table`).
    indicator_names : str, sequence or mapping, optional
        Names of the one indicator of ``years_wide`` tables (CIS style): one name for all
        of them, one per path (``None`` keeps the file name), or a mapping from file name
        (or path) to name. Default: each file's name without extension.
    output : path, optional
        Also write the result here (``.csv`` or ``.xlsx``, see :func:`write_data`).
    to_iso3 : bool, default False
        Replace the country names of :data:`COUNTRY_NAMES` by ISO3 codes.
    sheet : str or int, optional
        Sheet of each workbook (default ``Data``, else the first).
    force : bool, default False
        Overwrite ``output`` if it exists.

    Returns
    -------
    DataFrame
        The merged Data layout (see :func:`merge_panels`); it loads with
        :meth:`siei_xl.Panel.from_wide`. ``attrs["warnings"]`` and ``attrs["notes"]``
        list each file's warnings and notes, prefixed with the file name.
    """
    files = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not files:
        raise OptionError("no files to import")
    if output is not None:
        check_output(output, force=force)
    if (
        isinstance(indicator_names, Sequence)
        and not isinstance(indicator_names, str)
        and len(indicator_names) != len(files)
    ):
        raise OptionError(
            f"{len(indicator_names)} indicator names for {len(files)} files: give one "
            "name per file, or one name for all"
        )
    frames: list[pd.DataFrame] = []
    warnings: list[str] = []
    notes: list[str] = []
    named_any = False
    for n, path in enumerate(files):
        table = read_table(path, sheet=sheet)
        shape = detect_shape(table)
        name = _indicator_name(indicator_names, n, Path(path)) if shape == "years_wide" else None
        named_any = named_any or name is not None
        frame = to_data_layout(table, shape=shape, indicator=name, to_iso3=to_iso3)
        source = frame.attrs["source"]
        warnings.extend(f"{source}: {w}" for w in frame.attrs["warnings"])
        notes.extend(f"{source}: {w}" for w in frame.attrs["notes"])
        frames.append(frame)
    if isinstance(indicator_names, str) and not named_any:
        raise OptionError(
            f"the indicator name {indicator_names!r} applies to tables with years as "
            "columns, and none of the files is one; their indicators are named inside them"
        )
    merged = merge_panels(frames)
    merged.attrs = {"sources": merged.attrs["sources"], "warnings": warnings, "notes": notes}
    if output is not None:
        write_data(merged, output, force=force)
    return merged


def _indicator_name(
    names: str | Sequence[str | None] | Mapping[str, str] | None, n: int, path: Path
) -> str | None:
    if names is None or isinstance(names, str):
        return names
    if isinstance(names, Mapping):
        return names.get(str(path), names.get(path.name))
    return names[n]


# ----------------------------------------------------------------------------- output
def check_output(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """The output path, checked: ``.csv`` or ``.xlsx``, its folder exists, and it does not
    exist yet unless ``force`` (see :func:`siei_xl.files.check_output`)."""
    return files.check_output(path, force=force)


def write_data(frame: pd.DataFrame, path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write a Data-layout frame to CSV (UTF-8 with BOM, so Excel shows Cyrillic labels)
    or XLSX (sheet ``Data``), atomically: a temporary file in the same folder replaces
    the output only once complete. Refuses to replace an existing file unless ``force``.
    """
    out = check_output(path, force=force)
    if out.suffix.lower() == ".csv":
        return files.write_atomically(
            out, lambda temp: frame.to_csv(temp, index=False, encoding="utf-8-sig")
        )
    return files.write_atomically(
        out, lambda temp: frame.to_excel(temp, sheet_name="Data", index=False, engine="openpyxl")
    )


def summary(frame: pd.DataFrame) -> str:
    """One line: how many countries, years and indicators a Data-layout frame holds.

    Examples
    --------
    >>> import pandas as pd
    >>> summary(pd.DataFrame({"country": ["A", "B"], "year": [2000, 2002], "gdp": [1, 2]}))
    '2 countries, 2 years (2000-2002), 1 indicator'
    """
    n_c = frame["country"].nunique()
    years = sorted(set(frame["year"]))
    n_k = len(frame.columns) - 2
    span = (
        "" if not years else f" ({years[0]})" if len(years) == 1 else f" ({years[0]}-{years[-1]})"
    )
    return (
        f"{n_c} {'country' if n_c == 1 else 'countries'}, "
        f"{len(years)} {'year' if len(years) == 1 else 'years'}{span}, "
        f"{n_k} {'indicator' if n_k == 1 else 'indicators'}"
    )


def _blank_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Mask of the cells :func:`_is_blank` calls blank, computed by column."""
    cells = frame.to_numpy(dtype=object)
    spaces = np.array(
        [[isinstance(c, str) and not c.strip() for c in row] for row in cells], dtype=bool
    ).reshape(cells.shape)
    return pd.DataFrame(frame.isna().to_numpy() | spaces, index=frame.index, columns=frame.columns)


def _is_blank(cell: object) -> bool:
    if cell is None:
        return True
    if isinstance(cell, float):
        return math.isnan(cell)
    if isinstance(cell, str):
        return not cell.strip()
    try:  # pandas' NA and NaT, numpy's nan
        return bool(pd.isna(cell))
    except (TypeError, ValueError):
        return False
