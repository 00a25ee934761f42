"""The one exception tree of siei_xl.

Every error the package raises on purpose is a :class:`SieiError`, which is also a
:class:`ValueError`, so callers can catch either. Adapters (the Excel functions, the
command line) catch ``SieiError`` only: anything else is a bug and must surface.

::

    SieiError (ValueError)                    excel_code
    ├── OptionError          bad option value       #VALUE!
    ├── DataError            bad input table        #VALUE!
    │   ├── HeaderError      missing/duplicate column
    │   ├── DuplicateRowError
    │   └── NonNumericError
    ├── NotFoundError        unknown label          #N/A
    │   ├── UnknownCountryError
    │   ├── UnknownYearError
    │   ├── UnknownIndicatorError
    │   └── UnknownGroupError
    ├── MissingValueError    a needed value is missing      #N/A
    ├── SourceUnavailableError  a data source cannot be reached #N/A
    └── ComputationError     the measure is undefined   #NUM!
        ├── ConstantIndicatorError   sd is zero             #DIV/0!
        ├── TooFewCountriesError     n too small for an sd  #DIV/0!
        ├── NearZeroMeanError        CV would explode       #DIV/0!
        └── UndefinedResultError     e.g. log of a negative #NUM!

Each class carries ``excel_code``: the Excel error value an adapter should show.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ComputationError",
    "ConstantIndicatorError",
    "DataError",
    "DuplicateRowError",
    "HeaderError",
    "MissingValueError",
    "NearZeroMeanError",
    "NonNumericError",
    "NotFoundError",
    "OptionError",
    "SieiError",
    "SourceUnavailableError",
    "TooFewCountriesError",
    "UndefinedResultError",
    "UnknownCountryError",
    "UnknownGroupError",
    "UnknownIndicatorError",
    "UnknownYearError",
    "closest",
]


class SieiError(ValueError):
    """Base of every error siei_xl raises on purpose."""

    excel_code = "#VALUE!"


class OptionError(SieiError):
    """An option has a value outside its allowed set."""

    excel_code = "#VALUE!"


class DataError(SieiError):
    """The input table cannot be read as a panel."""

    excel_code = "#VALUE!"


class HeaderError(DataError):
    """A required column is missing, or a column name is ambiguous or repeated."""


class DuplicateRowError(DataError):
    """Two rows describe the same country and year."""


class NonNumericError(DataError):
    """A value cell holds text that is not a number nor a missing-value marker."""


class NotFoundError(SieiError):
    """A label (country, year, indicator, group) is not in the data."""

    excel_code = "#N/A"


class UnknownCountryError(NotFoundError):
    """A country label is not in the data."""


class UnknownYearError(NotFoundError):
    """A year is not in the data."""


class UnknownIndicatorError(NotFoundError):
    """An indicator name is not a column of the data."""


class UnknownGroupError(NotFoundError):
    """A group name is not defined."""


class MissingValueError(SieiError):
    """A result needs a value that is missing from the data."""

    excel_code = "#N/A"


class SourceUnavailableError(SieiError):
    """A remote data source (the World Bank API) cannot be reached and no cached copy exists."""

    excel_code = "#N/A"


class ComputationError(SieiError):
    """The measure is mathematically undefined for these inputs."""

    excel_code = "#NUM!"


class ConstantIndicatorError(ComputationError):
    """An indicator has the same value for every country, so its sd is zero."""

    excel_code = "#DIV/0!"


class TooFewCountriesError(ComputationError):
    """Too few countries have a value to compute a standard deviation or a CV."""

    excel_code = "#DIV/0!"


class NearZeroMeanError(ComputationError):
    """A group mean is so close to zero that the coefficient of variation explodes."""

    excel_code = "#DIV/0!"


class UndefinedResultError(ComputationError):
    """The result is undefined (log of a non-positive number, no convergence speed)."""

    excel_code = "#NUM!"


def closest(label: str, choices: Iterable[str], *, limit: int = 3) -> str:
    """Return a ``" (closest: A, B)"`` hint for an unknown label, or ``""``.

    Matching ignores case, so ``'kzx'`` suggests ``'KAZ'``.
    """
    by_key: dict[str, str] = {}
    for choice in choices:
        by_key.setdefault(str(choice).casefold(), str(choice))
    hits = difflib.get_close_matches(label.casefold(), list(by_key), n=limit, cutoff=0.5)
    if not hits:
        return ""
    return " (closest: " + ", ".join(by_key[h] for h in hits) + ")"
