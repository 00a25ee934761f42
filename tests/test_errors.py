"""The exception tree: every error is a ValueError with the documented Excel code, and every
entry point refuses bad labels and options with a message naming the problem."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

import pytest

import siei_xl as siei
from siei_xl import exceptions
from siei_xl.exceptions import (
    NotFoundError,
    OptionError,
    SieiError,
    UnknownCountryError,
    UnknownIndicatorError,
    UnknownYearError,
)

ALL_ERRORS = [
    cls for _, cls in inspect.getmembers(exceptions, inspect.isclass) if issubclass(cls, SieiError)
]


def documented_codes() -> dict[str, str | None]:
    """Excel code of each class as drawn in the module docstring's tree.

    A class without a code on its line inherits the code of the nearest ancestor above it
    in the drawing (deeper indentation = subclass); below the root, which heads the code
    column rather than having a code, that leaves None (not drawn).
    """
    codes: dict[str, str | None] = {}
    stack: list[tuple[int, str | None]] = []  # (depth, code) of the ancestors
    for line in (exceptions.__doc__ or "").splitlines():
        match = re.match(r"^(\s*)(?:[│ ]*[├└]── )?(\w+Error)\b(.*)$", line)
        if not match:
            continue
        name, rest = match.group(2), match.group(3)
        depth = len(line) - len(line.lstrip(" │├└─"))
        stack = [(d, c) for d, c in stack if d < depth]
        code = re.search(r"#[A-Z/0!]+[!?]?", rest)
        inherited = stack[-1][1] if stack else None
        codes[name] = code.group(0) if code else inherited
        stack.append((depth, codes[name]))
    return codes


def test_the_docstring_draws_every_error() -> None:
    assert {cls.__name__ for cls in ALL_ERRORS} == set(documented_codes())


@pytest.mark.parametrize("cls", ALL_ERRORS, ids=lambda c: c.__name__)
def test_every_error_is_a_value_error_with_its_documented_code(cls: type[SieiError]) -> None:
    assert issubclass(cls, ValueError)
    documented = documented_codes()[cls.__name__]
    assert documented is None or cls.excel_code == documented
    assert cls.excel_code in {"#VALUE!", "#N/A", "#NUM!", "#DIV/0!"}


def test_documented_codes_by_hand() -> None:
    # the tree of exceptions.py, read by eye: a second reading of the drawing above
    expected = {
        "SieiError": "#VALUE!",
        "OptionError": "#VALUE!",
        "DataError": "#VALUE!",
        "HeaderError": "#VALUE!",
        "DuplicateRowError": "#VALUE!",
        "NonNumericError": "#VALUE!",
        "NotFoundError": "#N/A",
        "UnknownCountryError": "#N/A",
        "UnknownYearError": "#N/A",
        "UnknownIndicatorError": "#N/A",
        "SourceUnavailableError": "#N/A",
        "UnknownGroupError": "#N/A",
        "MissingValueError": "#N/A",
        "ComputationError": "#NUM!",  # not drawn: see below
        "ConstantIndicatorError": "#DIV/0!",
        "TooFewCountriesError": "#DIV/0!",
        "NearZeroMeanError": "#DIV/0!",
        "UndefinedResultError": "#NUM!",
    }
    assert {cls.__name__: cls.excel_code for cls in ALL_ERRORS} == expected
    # the drawing gives a code to every class but the root
    drawn = {name: code for name, code in documented_codes().items() if code is not None}
    assert drawn == {name: code for name, code in expected.items() if name != "SieiError"}


def test_closest_hint() -> None:
    assert exceptions.closest("kzx", ["KAZ", "RUS"]) == " (closest: KAZ)"
    assert exceptions.closest("zzzzzz", ["KAZ", "RUS"]) == ""


# --------------------------------------------------- every entry point, bad input
def entry_points(panel: siei.Panel) -> dict[str, Callable[..., object]]:
    """Each public measure called on the example with keyword overrides."""
    return {
        "pair_distance": lambda **kw: siei.pair_distance(panel, "KAZ", "RUS", 2015, **kw),
        "pair_series": lambda **kw: siei.pair_series(panel, "KAZ", "RUS", **kw),
        "pair_matrix": lambda **kw: siei.pair_matrix(panel, 2015, **kw),
        "pair_matrices": lambda **kw: siei.pair_matrices(panel, **kw),
        "group_distance": lambda **kw: siei.group_distance(panel, "KAZ", "RUS,CHN", 2015, **kw),
        "group_distance_series": lambda **kw: siei.group_distance_series(
            panel, "KAZ", "RUS,CHN", **kw
        ),
        "convergence_table": lambda **kw: siei.convergence_table(
            panel, "KAZ", "RUS", region="RUS,CHN", **kw
        ),
        "standardized_table": lambda **kw: siei.standardized_table(panel, **kw),
    }


STANDARDIZED = list(entry_points(siei.example_panel()))
WITH_INDICATORS = [name for name in STANDARDIZED if name != "standardized_table"]


@pytest.mark.parametrize("name", STANDARDIZED)
@pytest.mark.parametrize(
    ("option", "match"),
    [
        ({"standardize": "weekly"}, "standardize must be 'yearly' or 'pooled', got 'weekly'"),
        ({"standardize": None}, "standardize must be"),
        ({"ddof": 2}, "ddof must be 0 .* or 1 .*got 2"),
        ({"ddof": True}, "ddof must be 0 or 1"),
        ({"ddof": "1"}, "ddof must be 0 or 1"),
    ],
)
def test_bad_options_raise_option_error(
    example: siei.Panel, name: str, option: dict[str, object], match: str
) -> None:
    with pytest.raises(OptionError, match=match):
        entry_points(example)[name](**option)


@pytest.mark.parametrize("call", ["group_cv", "group_cv_series"])
def test_bad_cv_options(example: siei.Panel, call: str) -> None:
    function = getattr(siei, call)
    args = (example, "RUS,CHN") + ((2015,) if call == "group_cv" else ())
    with pytest.raises(OptionError, match="ddof"):
        function(*args, ddof=2)
    with pytest.raises(OptionError, match="cv_limit"):
        function(*args, cv_limit=-1)


def test_options_are_spelled_loosely(example: siei.Panel) -> None:
    # case and padding of the method, and 1.0 for ddof, are what a cell holds
    assert siei.pair_distance(example, "KAZ", "RUS", 2015, standardize=" Pooled ") == (
        siei.pair_distance(example, "KAZ", "RUS", 2015, standardize="pooled")
    )
    assert siei.pair_distance(example, "KAZ", "RUS", 2015, ddof=0.0) == (  # type: ignore[arg-type]
        siei.pair_distance(example, "KAZ", "RUS", 2015, ddof=0)
    )


@pytest.mark.parametrize("name", WITH_INDICATORS)
def test_unknown_indicator_names_the_columns(example: siei.Panel, name: str) -> None:
    with pytest.raises(UnknownIndicatorError, match=r"'gdp_grwth'.*closest: gdp_growth"):
        entry_points(example)[name](indicators="gdp_grwth")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda p: siei.pair_distance(p, "KZX", "RUS", 2015), UnknownCountryError, "closest"),
        (lambda p: siei.pair_series(p, "KAZ", "Rusia"), UnknownCountryError, "closest: RUS"),
        (lambda p: siei.group_distance(p, "KAZ", "RUS,CHX", 2015), UnknownCountryError, "CHN"),
        (lambda p: siei.group_cv_series(p, "RUS,CHX"), UnknownCountryError, "closest: CHN"),
        (lambda p: siei.convergence_table(p, "KAZ", "RUS,UZK"), UnknownCountryError, "UZB"),
        (lambda p: siei.pair_matrix(p, 2015, countries="KAZ,TKN"), UnknownCountryError, "TKM"),
        (lambda p: siei.pair_distance(p, "KAZ", "RUS", 2030), UnknownYearError, "1995-2024"),
        (lambda p: siei.pair_series(p, "KAZ", "RUS", years=[2030]), UnknownYearError, "2030"),
        (lambda p: siei.group_cv(p, "RUS,CHN", 1990), UnknownYearError, "1990"),
        (lambda p: siei.pair_matrix(p, 1900), UnknownYearError, "1900"),
    ],
)
def test_unknown_labels_are_not_found_errors(
    example: siei.Panel, call: Callable[[siei.Panel], object], error: type, match: str
) -> None:
    with pytest.raises(error, match=match) as info:
        call(example)
    assert isinstance(info.value, NotFoundError)
    assert info.value.excel_code == "#N/A"


def test_adapters_can_catch_the_base_class(example: siei.Panel) -> None:
    with pytest.raises(SieiError):
        siei.pair_distance(example, "KAZ", "RUS", 2015, standardize="weekly")
    with pytest.raises(ValueError, match="not in the data"):
        siei.pair_distance(example, "KAZ", "XXX", 2015)
