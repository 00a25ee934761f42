"""The panel: countries x years x indicators, read from long or wide tables.

A :class:`Panel` is immutable. It keeps raw values in a ``(country, year, indicator)``
cube and caches its standardisations, so many measures over the same data cost one
standardisation.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from siei_xl._defaults import DDOF, STANDARDIZE
from siei_xl.core.standardize import Standardization, check_ddof, check_method, standardize
from siei_xl.exceptions import (
    DataError,
    DuplicateRowError,
    HeaderError,
    NonNumericError,
    OptionError,
    UnknownCountryError,
    UnknownIndicatorError,
    UnknownYearError,
    closest,
)
from siei_xl.files import check_input, csv_rows
from siei_xl.labels import (
    COUNTRY_HEADERS,
    YEAR_HEADERS,
    from_decimal_comma,
    is_missing,
    label_key,
    label_text,
    parse_number,
    parse_year,
    split_list,
)

__all__ = ["Panel", "read_cells", "read_panel", "table_frame", "years_in_span"]

INDICATOR_HEADERS = ("indicator", "indicator code", "series", "series code", "variable")
VALUE_HEADERS = ("value", "obs_value", "val")
# Columns that describe a row rather than measure it; never taken as indicators.
DESCRIPTIVE_HEADERS = frozenset(
    {
        "country",
        "country name",
        "country_name",
        "name",
        "economy",
        "region",
        "source",
        "note",
        "notes",
        "unit",
        "units",
        "flag",
        "indicator name",
        "series name",
    }
)


class Panel:
    """Raw indicator values of countries over years.

    Parameters
    ----------
    values : array_like, shape (n_countries, n_years, n_indicators)
        NaN marks a missing value.
    countries : sequence of str
        Labels, unique after trimming and ignoring case (``'kaz'`` is ``'KAZ'``).
    years : sequence of int
        Strictly increasing.
    indicators : sequence of str
        Unique names.
    description : str, optional
        Where the data came from; shown in outputs.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"country": ["A", "B"], "year": [2000, 2000], "gdp": [1.0, 3.0]})
    >>> Panel.from_wide(df)
    Panel(2 countries x 1 year (2000) x 1 indicator: gdp)
    """

    def __init__(
        self,
        values: npt.ArrayLike,
        countries: Sequence[str],
        years: Sequence[int],
        indicators: Sequence[str],
        *,
        description: str = "",
    ) -> None:
        cube = np.array(values, dtype=np.float64)
        shape = (len(countries), len(years), len(indicators))
        if cube.shape != shape:
            raise DataError(f"values have shape {cube.shape}, labels say {shape}")
        if np.isinf(cube).any():
            raise NonNumericError("values contain infinity; use a blank for a missing value")
        if list(years) != sorted(set(years)):
            raise DataError("years must be strictly increasing")
        cube.setflags(write=False)
        self._values = cube
        self._countries = tuple(label_text(c) for c in countries)
        self._years = tuple(int(y) for y in years)
        self._indicators = tuple(label_text(i) for i in indicators)
        self.description = description
        self._country_pos = _unique_positions(self._countries, "country")
        self._indicator_pos = _unique_positions(self._indicators, "indicator")
        self._year_pos = {y: i for i, y in enumerate(self._years)}
        self._standardized: dict[tuple[str, int], Standardization] = {}

    # ----------------------------------------------------------------- labels
    @property
    def values(self) -> npt.NDArray[np.float64]:
        """Read-only cube of raw values, shape (countries, years, indicators)."""
        return self._values

    @property
    def countries(self) -> tuple[str, ...]:
        return self._countries

    @property
    def years(self) -> tuple[int, ...]:
        return self._years

    @property
    def indicators(self) -> tuple[str, ...]:
        return self._indicators

    def __repr__(self) -> str:
        n_c, n_y, n_k = len(self._countries), len(self._years), len(self._indicators)
        span = f"{self._years[0]}" if n_y == 1 else f"{self._years[0]}-{self._years[-1]}"
        names = ", ".join(self._indicators[:4]) + (", ..." if n_k > 4 else "")
        return (
            f"Panel({n_c} {_plural(n_c, 'country', 'countries')} x {n_y} "
            f"{_plural(n_y, 'year', 'years')} ({span}) x {n_k} "
            f"{_plural(n_k, 'indicator', 'indicators')}: {names})"
        )

    def country_index(self, country: object) -> int:
        """Position of a country label (trimmed, any case); UnknownCountryError if absent."""
        pos = self._country_pos.get(label_key(country))
        if pos is None:
            text = label_text(country)
            raise UnknownCountryError(
                f"country {text!r} is not in the data{closest(text, self._countries)}"
            )
        return pos

    def country(self, country: object) -> str:
        """The data's own spelling of a country label."""
        return self._countries[self.country_index(country)]

    def year_index(self, year: object) -> int:
        """Position of a year; UnknownYearError if the data has no such year."""
        y = parse_year(year)
        pos = self._year_pos.get(y)
        if pos is None:
            raise UnknownYearError(
                f"year {y} is not in the data (it covers {self._years[0]}-{self._years[-1]})"
            )
        return pos

    def indicator_positions(self, indicators: object = None) -> tuple[int, ...]:
        """Positions of the chosen indicators: ``None`` for all, names, or comma text."""
        if indicators is None:
            return tuple(range(len(self._indicators)))
        names = split_list(indicators)
        if not names:
            return tuple(range(len(self._indicators)))
        out: list[int] = []
        for name in names:
            pos = self._indicator_pos.get(label_key(name))
            if pos is None:
                raise UnknownIndicatorError(
                    f"indicator {name!r} is not a column of the data"
                    f"{closest(name, self._indicators)}; columns: {', '.join(self._indicators)}"
                )
            if pos in out:
                raise UnknownIndicatorError(f"indicator {name!r} is listed twice")
            out.append(pos)
        return tuple(out)

    # -------------------------------------------------------- standardisation
    def standardization(
        self, *, standardize: str = STANDARDIZE, ddof: int = DDOF
    ) -> Standardization:
        """z-scores of every indicator over the universe of countries (cached)."""
        key = (check_method(standardize), check_ddof(ddof))
        cached = self._standardized.get(key)
        if cached is None:
            cached = _standardize(self._values, method=key[0], ddof=key[1])
            self._standardized[key] = cached
        return cached

    # ------------------------------------------------------------ conversions
    def to_wide(self) -> pd.DataFrame:
        """One row per country-year that has any value: country, year, indicators..."""
        n_c, n_y, n_k = self._values.shape
        flat = self._values.reshape(n_c * n_y, n_k)
        frame = pd.DataFrame(flat, columns=list(self._indicators))
        frame.insert(0, "year", np.tile(np.array(self._years, dtype=np.int64), n_c))
        frame.insert(0, "country", np.repeat(np.array(self._countries, dtype=object), n_y))
        keep = ~np.isnan(flat).all(axis=1)
        return frame.loc[keep].reset_index(drop=True)

    def to_long(self) -> pd.DataFrame:
        """Tidy table: country, year, indicator, value (missing values left out)."""
        wide = self.to_wide()
        long = wide.melt(id_vars=["country", "year"], var_name="indicator", value_name="value")
        return long.dropna(subset=["value"]).reset_index(drop=True)

    # ----------------------------------------------------------- construction
    @classmethod
    def from_rows(
        cls,
        header: Sequence[object],
        rows: Iterable[Sequence[object]],
        *,
        indicators: object = None,
        description: str = "",
        first_row_number: int = 2,
    ) -> Panel:
        """Build a panel from a header and rows of cell values, as a sheet holds them.

        The column headed ``country`` (or ``iso3``, ``code``, ``country code``; any case)
        holds labels, ``year`` holds years, and every other headed column is an indicator
        unless ``indicators`` names the ones to use. Entirely blank rows are skipped; blank
        cells and markers such as ``'..'`` are missing values. ``first_row_number`` is the
        row number of the first data row, used in error messages.
        """
        columns = [label_text(h) if h is not None else "" for h in header]
        c_col, y_col = _key_columns(columns)
        chosen = _indicator_columns(columns, (c_col, y_col), indicators)
        n_k = len(chosen)
        country_rows: dict[str, int] = {}
        countries: list[str] = []
        seen: dict[tuple[int, int], int] = {}
        cells: list[tuple[int, int, list[float]]] = []
        for offset, row in enumerate(rows):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            row_no = first_row_number + offset
            raw_country = row[c_col] if c_col < len(row) else None
            if raw_country is None or not label_text(raw_country):
                raise DataError(f"row {row_no}: the {columns[c_col]!r} cell is blank")
            if _is_error_text(raw_country):
                raise DataError(
                    f"row {row_no}: the {columns[c_col]!r} cell holds the error "
                    f"{label_text(raw_country)}, not a country label"
                )
            key = label_key(raw_country)
            c = country_rows.get(key)
            if c is None:
                c = country_rows[key] = len(countries)
                countries.append(label_text(raw_country))
            year = _row_year(row[y_col] if y_col < len(row) else None, row_no, columns[y_col])
            first = seen.setdefault((c, year), row_no)
            if first != row_no:
                raise DuplicateRowError(
                    f"rows {first} and {row_no} both hold {countries[c]} {year}; "
                    "keep one row per country and year"
                )
            numbers: list[float] = []
            for j, name in chosen:
                cell = row[j] if j < len(row) else None
                number = parse_number(cell)
                if number is None:
                    raise NonNumericError(
                        f"row {row_no}, column {name!r} ({countries[c]} {year}): {cell!r} is "
                        "not a number; use a decimal point, and a blank or '..' for missing"
                    )
                numbers.append(number)
            cells.append((c, year, numbers))
        if not cells:
            raise DataError("the data has a header but no rows")
        years = sorted({year for _, year, _ in cells})
        year_pos = {y: i for i, y in enumerate(years)}
        cube = np.full((len(countries), len(years), n_k), np.nan)
        for c, year, numbers in cells:
            cube[c, year_pos[year]] = numbers
        return cls(cube, countries, years, [n for _, n in chosen], description=description)

    @classmethod
    def from_wide(
        cls,
        frame: pd.DataFrame,
        *,
        indicators: object = None,
        description: str = "",
    ) -> Panel:
        """Build a panel from a wide DataFrame: country, year, one column per indicator.

        Column names follow :meth:`from_rows`. Values may be numbers or text such as
        ``'..'``; other text is an error naming the row and column.
        """
        header = [str(c) for c in frame.columns]
        rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        return cls.from_rows(header, rows, indicators=indicators, description=description)

    @classmethod
    def from_long(
        cls,
        frame: pd.DataFrame,
        *,
        indicators: object = None,
        description: str = "",
    ) -> Panel:
        """Build a panel from a long table: country, year, indicator, value.

        The indicator column may be headed ``indicator``, ``series`` or ``variable`` and
        the value column ``value``. Two rows for the same country, year and indicator are
        an error naming both rows.
        """
        columns = [label_text(c) for c in frame.columns]
        c_col, y_col = _key_columns(columns)
        i_col = _find_column(columns, INDICATOR_HEADERS, "indicator")
        v_col = _find_column(columns, VALUE_HEADERS, "value")
        # Row numbers as the file shows them (header = row 1); a sheet read with blank rows
        # dropped keeps its index, a frame with a non-integer index is numbered by position.
        rows = (
            frame.index + 2
            if pd.api.types.is_integer_dtype(frame.index)
            else np.arange(len(frame)) + 2
        )
        long = pd.DataFrame(
            {
                "row": np.asarray(rows),
                "country": frame.iloc[:, c_col].to_numpy(),
                "year": frame.iloc[:, y_col].to_numpy(),
                "indicator": frame.iloc[:, i_col]
                .map(lambda v: label_text(v) if v is not None else "")
                .to_numpy(),
                "value": frame.iloc[:, v_col].to_numpy(),
            }
        )
        long = long[long["indicator"] != ""]
        long = _canonical_long(long, columns[c_col], columns[y_col], columns[v_col])
        names = list(dict.fromkeys(long["indicator"]))
        if indicators is not None and split_list(indicators):
            wanted = split_list(indicators)
            by_key = {label_key(n): n for n in names}
            missing = [w for w in wanted if label_key(w) not in by_key]
            if missing:
                raise UnknownIndicatorError(
                    f"indicator {missing[0]!r} is not in the data{closest(missing[0], names)}"
                )
            names = [by_key[label_key(w)] for w in wanted]
            long = long[long["indicator"].isin(names)]
        key = ["country", "year", "indicator"]
        dupes = long.duplicated(subset=key, keep=False)
        if dupes.any():
            row = long[dupes].iloc[0]
            same = (long[key] == row[key]).all(axis=1)
            first_two = list(long.loc[same, "row"][:2])
            raise DuplicateRowError(
                f"rows {first_two[0]} and {first_two[1]} both hold {row['indicator']} for "
                f"{row['country']} {row['year']}; keep one row per country, year and indicator"
            )
        wide = long.pivot(index=["country", "year"], columns="indicator", values="value")
        wide = wide.reindex(columns=names).reset_index()
        return cls.from_wide(wide, description=description)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, **kwargs: Any) -> Panel:
        """Build a panel from a long or a wide DataFrame, whichever it is."""
        columns = [label_key(c) for c in frame.columns]
        is_long = any(h in columns for h in INDICATOR_HEADERS) and any(
            h in columns for h in VALUE_HEADERS
        )
        return cls.from_long(frame, **kwargs) if is_long else cls.from_wide(frame, **kwargs)


def read_panel(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    indicators: object = None,
) -> Panel:
    """Read a panel from a CSV or Excel file, long or wide.

    Parameters
    ----------
    path : path
        ``.csv``/``.txt`` (comma, semicolon or tab separated; UTF-8, UTF-16 with BOM or
        Windows-1251) or ``.xlsx``/``.xlsm``. In a semicolon-separated file, as a
        Russian-locale Excel saves CSV, numbers may have decimal commas (``12,5``).
    sheet : str or int, optional
        Sheet of a workbook; default the sheet named ``Data`` if there is one, else the
        first.
    indicators : list of str or comma-separated str, optional
        Indicators to keep; default all.

    Raises
    ------
    DataError
        The file is missing, empty, a folder, not a table, or not in a layout this reads
        (the message points to ``siei-xl import`` for other layouts).
    HeaderError
        A header is missing or repeated (naming it).
    """
    file = check_input(path)
    frame = table_frame(read_cells(file, sheet=sheet))
    try:
        return Panel.from_frame(frame, indicators=indicators, description=file.name)
    except HeaderError as exc:
        raise type(exc)(
            f"{file.name}: {exc}; for World Bank, CIS or long tables, convert the file "
            "first with `siei-xl import`"
        ) from None


def years_in_span(panel: Panel, first: int, last: int, *, what: str) -> list[int]:
    """The panel's years from ``first`` to ``last``; refused (naming ``what``) when the
    span runs backwards or holds no year of the data.

    Examples
    --------
    >>> p = Panel.from_rows(["country", "year", "x"], [["A", 2000, 1.0], ["A", 2005, 2.0]])
    >>> years_in_span(p, 1990, 2003, what="--years")
    [2000]
    """
    if first > last:
        raise OptionError(f"{what}: the first year {first} is after the last year {last}")
    years = [y for y in panel.years if first <= y <= last]
    if not years:
        raise OptionError(
            f"{what}: no data between {first} and {last} (the data covers "
            f"{panel.years[0]}-{panel.years[-1]})"
        )
    return years


def read_cells(
    path: str | os.PathLike[str], *, sheet: str | int | None = None, what: str = "input"
) -> list[list[object]]:
    """The non-blank rows of a CSV file or a workbook's sheet, as cells.

    CSV cells are text; in a semicolon-separated file (Russian-locale Excel) numbers with
    decimal commas come back with decimal points (``"12,5"`` -> ``"12.5"``). Sheets follow
    :func:`read_sheet`.
    """
    file = check_input(path, what=what)
    suffix = file.suffix.lower()
    rows: list[list[object]]
    if suffix in {".csv", ".txt", ".tsv"}:
        if sheet is not None:
            raise OptionError(
                f"{file.name!r} is a CSV file, which has no sheets: leave out the sheet"
            )
        text_rows, separator = csv_rows(file)
        if separator == ";":
            text_rows = [[from_decimal_comma(c) or c for c in r] for r in text_rows]
        rows = [list[object](r) for r in text_rows]
    elif suffix in {".xlsx", ".xlsm"}:
        cells = read_sheet(file, sheet, header=None)
        rows = [list(r) for r in cells.itertuples(index=False, name=None)]
    else:
        raise DataError(f"cannot read {file.name!r}: expected a .csv, .xlsx or .xlsm file")
    rows = [r for r in rows if not all(_blank(c) for c in r)]
    if not rows:
        raise DataError(f"{file.name!r} holds no table (only blank cells)")
    return rows


def _blank(cell: object) -> bool:
    return (
        cell is None
        or (isinstance(cell, float) and math.isnan(cell))
        or (isinstance(cell, str) and not cell.strip())
    )


def table_frame(rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    """Cells with the first row as header, keeping repeated headers (to refuse them)."""
    if not rows:
        raise DataError("the file holds no table")
    header = ["" if is_missing(h) and not isinstance(h, str) else label_text(h) for h in rows[0]]
    width = max([len(header), *(len(r) for r in rows)])
    header += [""] * (width - len(header))
    body = [list(r) + [None] * (width - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=range(width), dtype=object)
    frame.columns = pd.Index(header, dtype=object)
    return frame


def read_sheet(file: Path, sheet: str | int | None, *, header: int | None = 0) -> pd.DataFrame:
    """One sheet of a workbook as cells (objects): ``sheet`` by name or position; default
    the sheet named Data if there is one, else the first. ``header=None`` keeps row 1 as
    data (for tables with title lines)."""
    try:
        book = pd.ExcelFile(file, engine="openpyxl")
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise DataError(f"cannot open {file.name!r} as a workbook: {exc}") from exc
    with book:
        names = book.sheet_names
        if sheet is None:
            sheet = next((n for n in names if n.strip().casefold() == "data"), names[0])
        elif isinstance(sheet, str) and sheet not in names:
            raise DataError(f"{file.name!r} has no sheet {sheet!r}; sheets: {', '.join(names)}")
        return pd.read_excel(book, sheet_name=sheet, header=header, dtype=object)


def _canonical_long(
    long: pd.DataFrame, country_header: str, year_header: str, value_header: str
) -> pd.DataFrame:
    """Labels, years and values of a long table parsed by the rules of :meth:`Panel.from_rows`.

    Done before looking for duplicates and pivoting, so ``' kaz '`` and ``'KAZ'``, or
    ``'2015.0'`` and ``2015``, are one country-year rather than a false duplicate, and a
    bad cell is reported with its own row number.
    """
    spelling: dict[str, str] = {}
    country_of: dict[object, str] = {}
    year_of: dict[object, int] = {}
    countries: list[str] = []
    years: list[int] = []
    numbers: list[float] = []
    for row_no, country, year, indicator, value in long[
        ["row", "country", "year", "indicator", "value"]
    ].itertuples(index=False, name=None):
        if country not in country_of:
            if is_missing(country):
                raise DataError(f"row {row_no}: the {country_header!r} cell is blank")
            text = label_text(country)
            country_of[country] = spelling.setdefault(label_key(text), text)
        countries.append(country_of[country])
        if year not in year_of:
            year_of[year] = _row_year(year, row_no, year_header)
        years.append(year_of[year])
        number = parse_number(value)
        if number is None:
            raise NonNumericError(
                f"row {row_no}, column {value_header!r} ({countries[-1]} {years[-1]}, "
                f"{indicator}): {value!r} is not a number; use a decimal point, and a blank "
                "or '..' for missing"
            )
        numbers.append(number)
    return long.assign(country=countries, year=years, value=numbers)


def _standardize(values: npt.NDArray[np.float64], *, method: str, ddof: int) -> Standardization:
    return standardize(values, method=method, ddof=ddof)


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _unique_positions(labels: Sequence[str], what: str) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, label in enumerate(labels):
        key = label_key(label)
        if not key:
            raise DataError(f"a {what} label is blank")
        if key in positions:
            raise DataError(
                f"{what} {labels[positions[key]]!r} and {label!r} are the same label "
                "(labels match ignoring case and spaces)"
            )
        positions[key] = i
    return positions


def _find_column(columns: Sequence[str], accepted: Sequence[str], what: str) -> int:
    keys = [label_key(c) for c in columns]
    for name in accepted:
        if name in keys:
            return keys.index(name)
    raise HeaderError(
        f"no {what} column: expected a header named {' or '.join(repr(a) for a in accepted)}; "
        f"found {', '.join(repr(c) for c in columns if c) or 'no headers'}"
    )


def _key_columns(columns: Sequence[str]) -> tuple[int, int]:
    keys = [label_key(c) for c in columns]
    for name in (*COUNTRY_HEADERS, *YEAR_HEADERS):
        if keys.count(name) > 1:
            raise HeaderError(f"the header {name!r} appears {keys.count(name)} times")
    return (
        _find_column(columns, COUNTRY_HEADERS, "country"),
        _find_column(columns, YEAR_HEADERS, "year"),
    )


def _indicator_columns(
    columns: Sequence[str], key_cols: tuple[int, int], indicators: object
) -> list[tuple[int, str]]:
    keys = [label_key(c) for c in columns]
    wanted = split_list(indicators) if indicators is not None else []
    if wanted:
        out: list[tuple[int, str]] = []
        for name in wanted:
            key = label_key(name)
            hits = [j for j, k in enumerate(keys) if k == key and j not in key_cols]
            if not hits:
                candidates = [c for j, c in enumerate(columns) if c and j not in key_cols]
                raise UnknownIndicatorError(
                    f"indicator {name!r} is not a column of the data{closest(name, candidates)}"
                )
            if len(hits) > 1:
                raise HeaderError(f"the header {name!r} appears {len(hits)} times")
            if any(j == hits[0] for j, _ in out):
                raise UnknownIndicatorError(f"indicator {name!r} is listed twice")
            out.append((hits[0], columns[hits[0]]))
        return out
    label_cols = set(key_cols)
    out = [
        (j, c)
        for j, c in enumerate(columns)
        if c
        and j not in label_cols
        and keys[j] not in DESCRIPTIVE_HEADERS
        and keys[j] not in COUNTRY_HEADERS
    ]
    seen: dict[str, str] = {}
    for _, c in out:
        if label_key(c) in seen:
            raise HeaderError(f"the header {c!r} appears more than once")
        seen[label_key(c)] = c
    if not out:
        raise HeaderError(
            "no indicator columns: after the country and year columns, "
            "each further headed column should hold one indicator"
        )
    return out


def _is_error_text(value: object) -> bool:
    """An Excel error value delivered as text (``'#N/A'``), which is never a label."""
    return isinstance(value, str) and value.strip().startswith("#") and is_missing(value)


def _row_year(cell: object, row_no: int, header: str) -> int:
    number = parse_number(cell)
    if number is None or math.isnan(number) or not number.is_integer() or not 1 <= number <= 9999:
        raise DataError(
            f"row {row_no}: the {header!r} cell holds {cell!r}, not a whole year such as 2015"
        )
    return int(number)


def header_row(
    rows: Sequence[Sequence[object]],
    *required: Sequence[str],
    search: int = 10,
) -> int:
    """Position of the header row: the first of the top rows that names every required column.

    ``required`` are sets of accepted header names (default: a country column and a year
    column). Lets a range start with a title or instruction line above the table, as the
    SIEI workbook's sheets do. Without such a row in the first ``search`` rows, the first
    row is the header (and its error message says what is missing).
    """
    needs = required or (COUNTRY_HEADERS, YEAR_HEADERS)
    for i, row in enumerate(rows[:search]):
        keys = {label_key(c) for c in row if isinstance(c, str)}
        if all(keys & set(accepted) for accepted in needs):
            return i
    return 0
