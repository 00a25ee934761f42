"""Parsing of the cells users type: labels, years, numbers, lists.

One set of rules for every entry point (CSV, XLSX, DataFrame, Excel cells), so the same
sheet gives the same panel however it arrives.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Final

from siei_xl.exceptions import DataError, HeaderError, OptionError

# Text that statistical offices and spreadsheets use for "no value". World Bank downloads
# use "..", CIS and Russian tables "..." or "-", Eurostat ":", Excel shows error codes.
MISSING_MARKERS: Final = frozenset(
    {
        "",
        ".",
        "..",
        "...",
        "\u2026",
        "-",
        "--",
        "\u2013",
        "\u2014",
        ":",
        "x",
        "na",
        "n/a",
        "n.a.",
        "nan",
        "null",
        "none",
        "#n/a",
        "#value!",
        "#div/0!",
        "#num!",
        "#ref!",
        "#name?",
        "#null!",
        "#spill!",
        "#calc!",
        "#getting_data",
    }
)

COUNTRY_HEADERS: Final = ("iso3", "country code", "country_code", "countrycode", "code", "country")
"""Accepted names of the country column, in order of preference when several are present
(a World Bank file has both ``country`` (names) and ``iso3`` (codes): codes win)."""

YEAR_HEADERS: Final = ("year", "time", "period")

# A number written the Russian (and most of Europe's) way: "12,5", "1 234,5".
_DECIMAL_COMMA: Final = re.compile(r"^[+-]?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:,\d+)?$")


def label_key(label: object) -> str:
    """Matching key of a label: trimmed, inner spaces collapsed, case-folded."""
    return " ".join(label_text(label).split()).casefold()


def label_text(label: object) -> str:
    """A label as text: ``101.0`` from a cell becomes ``'101'``; strings are trimmed."""
    if isinstance(label, float) and label.is_integer():
        return str(int(label))
    return str(label).strip()


def is_missing(value: object) -> bool:
    """True for a blank cell, NaN, or a missing-value marker such as ``'..'``."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return value.strip().casefold() in MISSING_MARKERS
    return False


def column_index(columns: Sequence[str], accepted: Sequence[str], what: str, table: str) -> int:
    """Position of the first of ``accepted`` among header ``columns`` (label keys).

    >>> column_index(["reporter", "year"], ("year", "period"), "year", "flows")
    1
    >>> column_index(["id"], ("year",), "year", "flows")
    Traceback (most recent call last):
    siei_xl.exceptions.HeaderError: the flows table needs a year column (headed 'year'); found 'id'
    """
    for name in accepted:
        if name in columns:
            return columns.index(name)
    raise HeaderError(
        f"the {table} table needs a {what} column (headed {accepted[0]!r}); found "
        f"{', '.join(repr(c) for c in columns if c) or 'no headers'}"
    )


def parse_number(value: object) -> float | None:
    """A cell as a float, ``nan`` for a missing marker, ``None`` if it is not a number."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) or math.isnan(number) else None
    if isinstance(value, str):
        text = value.strip()
        if text.casefold() in MISSING_MARKERS:
            return math.nan
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    try:  # numpy scalars, Decimal
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) or math.isnan(number) else None


def from_decimal_comma(text: str) -> str | None:
    """A decimal-comma number as text Python reads, or None if ``text`` is not one.

    Examples
    --------
    >>> from_decimal_comma("1 234,5"), from_decimal_comma("KAZ")
    ('1234.5', None)
    """
    stripped = text.strip()
    if not _DECIMAL_COMMA.match(stripped):
        return None
    return re.sub(r"[ \u00a0\u202f]", "", stripped).replace(",", ".")


def parse_year(value: object, *, what: str = "year") -> int:
    """A year from ``2015``, ``2015.0`` or ``' 2015 '``; OptionError otherwise."""
    number = parse_number(value)
    if number is None or math.isnan(number) or not float(number).is_integer():
        raise OptionError(f"{what} must be a whole number such as 2015, got {value!r}")
    if not 1 <= number <= 9999:
        raise OptionError(f"{what} must be a year between 1 and 9999, got {number:g}")
    return int(number)


def parse_span(text: object, *, what: str = "years") -> tuple[int, int]:
    """First and last year of a span written ``2000-2020`` (or one year, ``2015``).

    Examples
    --------
    >>> parse_span("2000-2020"), parse_span(" 2015 ")
    ((2000, 2020), (2015, 2015))
    >>> parse_span("2020-2000")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    siei_xl.exceptions.OptionError: years 2020-2000 runs backwards: ... first, 2000-2020
    """
    raw = str(text).strip()
    parts = [p.strip() for p in re.split(r"\s*(?:-|\u2013|:|\.\.)\s*", raw)]
    if not 1 <= len(parts) <= 2 or not all(re.fullmatch(r"\d{1,4}", p) for p in parts):
        raise OptionError(f"{what} must look like 2000-2020 (or one year, 2015), got {raw!r}")
    first, last = int(parts[0]), int(parts[-1])
    if not (1 <= first <= 9999 and 1 <= last <= 9999):
        raise OptionError(f"{what} must be years between 1 and 9999, got {raw!r}")
    if first > last:
        raise OptionError(
            f"{what} {raw} runs backwards: write the earlier year first, {last}-{first}"
        )
    return first, last


def split_list(value: object) -> list[str]:
    """Labels from comma-separated text or an iterable of cells; blanks are dropped.

    A 2-D block (list of rows) is read row by row.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int | float):
        return [] if is_missing(value) else [label_text(value)]
    if isinstance(value, Iterable):
        out: list[str] = []
        for item in value:
            out.extend(split_list(item))
        return out
    raise DataError(f"expected text or a list of labels, got {value!r}")
