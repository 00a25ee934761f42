"""Bad input to the Excel functions: an error text with the right code and a useful reason.

A SIEI function never raises and never returns a number from bad data: it returns
``"#CODE: reason"`` (at most 255 characters, Excel's limit for a UDF's text), where CODE is
one of #N/A, #VALUE!, #NUM!, #DIV/0! and the reason names the bad label, row or column.
"""

from __future__ import annotations

import gc
import math
import weakref
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from udf_helpers import (
    ERROR_CODES,
    blank_rows,
    column,
    copy_rows,
    error_code,
    example_rows,
    find_row,
    set_cell,
)

from siei_xl import udfs

ROWS = example_rows()
HEADER = ROWS[0]
KAZ_1997 = find_row(ROWS, "KAZ", 1997.0)  # row 4 of the sheet (header = row 1)
KAZ_2015 = find_row(ROWS, "KAZ", 2015.0)
CHN_2015 = find_row(ROWS, "CHN", 2015.0)
GROUPS = [
    ["group", "country", "from", "to"],
    ["EAEU", "RUS", 2015.0, None],
    ["EAEU", "KAZ", 2015.0, None],
    ["Central Asia", "KAZ", None, None],
]

P = udfs.SIEI_PAIR
CG = udfs.SIEI_COUNTRYGROUP
CV = udfs.SIEI_GROUPCV


def _without(column_index: int) -> list[list[object]]:
    return [[v for j, v in enumerate(row) if j != column_index] for row in ROWS]


def _constant_growth_2015() -> list[list[object]]:
    rows = copy_rows(ROWS)
    for row in rows[1:]:
        if row[1] == 2015.0:
            row[3] = 2.5
    return rows


def _one_country() -> list[list[object]]:
    return [HEADER, *(row for row in ROWS[1:] if row[0] == "KAZ")]


Call = Callable[[], object]

# (call, expected code, text the reason must contain), one per kind of mistake
CASES: list[object] = [
    # --- labels that are not in the data
    pytest.param(
        lambda: P(ROWS, "KZX", "RUS", 2015.0), "#N/A", ["'KZX'", "closest:", "KAZ"], id="country"
    ),
    pytest.param(lambda: P(ROWS, "KAZ", "rsu", 2015.0), "#N/A", ["'rsu'", "RUS"], id="country-b"),
    pytest.param(
        lambda: CG(ROWS, "KZX", "RUS", 2015.0), "#N/A", ["'KZX'", "KAZ"], id="group-country"
    ),
    pytest.param(
        lambda: udfs.SIEI_PAIR_SERIES(ROWS, "KAZ", "XXX"), "#N/A", ["'XXX'"], id="series-country"
    ),
    pytest.param(
        lambda: udfs.SIEI_PAIR_MATRIX(ROWS, 2015.0, "KAZ, XXX"),
        "#N/A",
        ["'XXX'"],
        id="matrix-country",
    ),
    pytest.param(
        lambda: P(ROWS, "KAZ", "RUS", 1990.0), "#N/A", ["1990", "1995-2024"], id="year-absent"
    ),
    pytest.param(
        lambda: udfs.SIEI_PAIR_MATRIX(ROWS, 2030.0), "#N/A", ["2030"], id="matrix-year-absent"
    ),
    pytest.param(
        lambda: P(ROWS, "KAZ", "RUS", 2015.0, "gdp"), "#N/A", ["indicator 'gdp'"], id="indicator"
    ),
    pytest.param(
        lambda: P(ROWS, "KAZ", "RUS", 2015.0, "gdp_growht"),
        "#N/A",
        ["'gdp_growht'", "closest: gdp_growth"],
        id="indicator-typo",
    ),
    pytest.param(
        lambda: CV(ROWS, "RUS, CHN", 2015.0, [["gdp_growth"], ["GDP_GROWTH"]]),
        "#N/A",
        ["GDP_GROWTH", "twice"],
        id="indicator-twice",
    ),
    pytest.param(
        lambda: CG(ROWS, "KAZ", "RUS, XXX", 2015.0),
        "#N/A",
        ["group", "'XXX'"],
        id="group-member-unknown",
    ),
    pytest.param(
        lambda: udfs.SIEI_GROUPCV_SERIES(ROWS, column(["RUS", "XXX"])),
        "#N/A",
        ["'XXX'"],
        id="cv-series-member-unknown",
    ),
    pytest.param(
        lambda: udfs.SIEI_GROUP_MEMBERS(GROUPS, "EAUE", 2015.0),
        "#N/A",
        ["'EAUE'", "closest: EAEU"],
        id="group-name-unknown",
    ),
    pytest.param(
        lambda: udfs.SIEI_GROUP_MEMBERS(GROUPS, "EAEU", 2010.0),
        "#N/A",
        ["'EAEU'", "no members", "2010"],
        id="group-no-members-that-year",
    ),
    # --- values needed but missing
    pytest.param(
        lambda: P(set_cell(ROWS, KAZ_2015, 3, None), "KAZ", "RUS", 2015.0),
        "#N/A",
        ["KAZ", "gdp_growth", "2015"],
        id="missing-blank",
    ),
    pytest.param(
        lambda: P(set_cell(ROWS, KAZ_2015, 2, ".."), "RUS", "kaz", 2015.0),
        "#N/A",
        ["KAZ", "gdp_pc_ppp", "2015"],
        id="missing-marker",
    ),
    pytest.param(
        lambda: CG(set_cell(ROWS, CHN_2015, 3, "#N/A"), "KAZ", "RUS, CHN", 2015.0),
        "#N/A",
        ["CHN", "gdp_growth", "2015"],
        id="missing-member-error-cell",
    ),
    pytest.param(
        lambda: CV(set_cell(ROWS, CHN_2015, 3, None), "RUS, CHN", 2015.0),
        "#N/A",
        ["CHN", "gdp_growth", "2015"],
        id="missing-cv-member",
    ),
    # --- a bad data table
    pytest.param(
        lambda: P([*ROWS, ROWS[5]], "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["rows 6 and 242", "KAZ 1999"],
        id="duplicate-rows",
    ),
    pytest.param(
        lambda: P([*ROWS, [" kaz ", 1999.0, 1.0, 2.0]], "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["rows 6 and 242", "1999"],
        id="duplicate-rows-spelling",
    ),
    pytest.param(
        lambda: P(set_cell(ROWS, KAZ_1997, 2, "12,5"), "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["row 4", "'gdp_pc_ppp'", "'12,5'"],
        id="decimal-comma",
    ),
    pytest.param(
        lambda: P(set_cell(ROWS, KAZ_1997, 3, "abc"), "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["row 4", "'gdp_growth'", "'abc'"],
        id="text-value",
    ),
    pytest.param(
        lambda: P(set_cell(ROWS, KAZ_1997, 3, True), "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["row 4", "'gdp_growth'", "True"],
        id="boolean-value",
    ),
    pytest.param(
        lambda: P(set_cell(ROWS, KAZ_1997, 0, None), "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["row 4", "'country'", "blank"],
        id="blank-country-cell",
    ),
    pytest.param(
        lambda: P(set_cell(ROWS, KAZ_1997, 1, 2015.5), "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["row 4", "'year'", "2015.5"],
        id="fractional-year-cell",
    ),
    pytest.param(
        lambda: P(set_cell(ROWS, KAZ_1997, 1, "FY2015"), "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["row 4", "'FY2015'"],
        id="text-year-cell",
    ),
    pytest.param(
        lambda: P(set_cell(ROWS, KAZ_1997, 1, None), "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["row 4", "'year'"],
        id="blank-year-cell",
    ),
    pytest.param(
        lambda: P(set_cell(ROWS, KAZ_1997, 1, "#REF!"), "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["row 4", "'#REF!'"],
        id="error-year-cell",
    ),
    pytest.param(
        lambda: P(set_cell(ROWS, 0, 1, "yr"), "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["no year column", "'yr'"],
        id="no-year-column",
    ),
    pytest.param(
        lambda: P(_without(0), "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["no country column", "'year'"],
        id="no-country-column",
    ),
    pytest.param(
        lambda: P([r[:2] for r in ROWS], "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["no indicator columns"],
        id="no-indicator-column",
    ),
    pytest.param(
        lambda: P(set_cell(ROWS, 0, 3, "GDP_PC_PPP"), "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["GDP_PC_PPP", "more than once"],
        id="duplicate-header",
    ),
    pytest.param(
        lambda: P(ROWS[:1], "KAZ", "RUS", 2015.0), "#VALUE!", ["header"], id="header-only"
    ),
    pytest.param(
        lambda: P(ROWS[:1] + blank_rows(200_000), "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["header"],
        id="header-and-blank-rows",
    ),
    pytest.param(lambda: P(list(HEADER), "KAZ", "RUS", 2015.0), "#VALUE!", ["header"], id="1d"),
    pytest.param(lambda: P([], "KAZ", "RUS", 2015.0), "#VALUE!", ["header"], id="empty-data"),
    pytest.param(lambda: P(None, "KAZ", "RUS", 2015.0), "#VALUE!", ["header"], id="blank-data"),
    pytest.param(
        lambda: udfs.SIEI_DATA_INFO(set_cell(ROWS, KAZ_1997, 2, "12,5")),
        "#VALUE!",
        ["row 4", "'12,5'"],
        id="data-info",
    ),
    # --- the measure is undefined
    pytest.param(
        lambda: P(_constant_growth_2015(), "KAZ", "RUS", 2015.0),
        "#DIV/0!",
        ["gdp_growth", "2015", "same value"],
        id="constant-indicator",
    ),
    pytest.param(
        lambda: P(_one_country(), "KAZ", "KAZ", 2015.0),
        "#DIV/0!",
        ["only 1 value", "2015"],
        id="one-country-no-sd",
    ),
    pytest.param(
        lambda: CV(ROWS, "RUS", 2015.0), "#DIV/0!", ["1 member", "2015"], id="cv-one-member"
    ),
    pytest.param(
        lambda: CV(ROWS, "RUS, KAZ", 2015.0, "gdp_growth"),
        "#DIV/0!",
        ["gdp_growth", "2015", "too close to zero"],
        id="cv-near-zero-mean",
    ),
    # --- bad options
    pytest.param(
        lambda: P(ROWS, "KAZ", "RUS", 2015.0, None, "weekly"),
        "#VALUE!",
        ["standardize", "'weekly'"],
        id="standardize",
    ),
    pytest.param(
        lambda: udfs.SIEI_PAIR_SERIES(ROWS, "KAZ", "RUS", None, 1.0),
        "#VALUE!",
        ["standardize", "1.0"],
        id="standardize-number",
    ),
    pytest.param(
        lambda: P(ROWS, "KAZ", "RUS", 2015.0, None, None, 2.0), "#VALUE!", ["ddof", "2"], id="ddof2"
    ),
    pytest.param(
        lambda: CG(ROWS, "KAZ", "RUS", 2015.0, None, None, -1.0),
        "#VALUE!",
        ["ddof", "-1"],
        id="ddof-negative",
    ),
    pytest.param(
        lambda: udfs.SIEI_STANDARDIZE(ROWS, None, "x"), "#VALUE!", ["ddof", "'x'"], id="ddof-text"
    ),
    pytest.param(
        lambda: CV(ROWS, "RUS, CHN", 2015.0, None, 0.5), "#VALUE!", ["ddof", "0.5"], id="ddof-half"
    ),
    pytest.param(
        lambda: CV(ROWS, "RUS, CHN", 2015.0, None, None, -1.0),
        "#VALUE!",
        ["cv_limit", "-1"],
        id="cv-limit-negative",
    ),
    pytest.param(
        lambda: udfs.SIEI_GROUPCV_SERIES(ROWS, "RUS, CHN", None, None, 0.0),
        "#VALUE!",
        ["cv_limit", "0"],
        id="cv-limit-zero",
    ),
    pytest.param(
        lambda: CV(ROWS, "RUS, CHN", 2015.0, None, None, "abc"),
        "#VALUE!",
        ["cv_limit", "'abc'"],
        id="cv-limit-text",
    ),
    # --- bad arguments
    pytest.param(
        lambda: P(ROWS, "", "RUS", 2015.0), "#VALUE!", ["country_a", "blank"], id="country-empty"
    ),
    pytest.param(
        lambda: P(ROWS, "KAZ", None, 2015.0), "#VALUE!", ["country_b", "blank"], id="country-none"
    ),
    pytest.param(
        lambda: CG(ROWS, "   ", "RUS", 2015.0), "#VALUE!", ["country", "blank"], id="country-spaces"
    ),
    pytest.param(
        lambda: P(ROWS, ["KAZ", "RUS"], "RUS", 2015.0),
        "#VALUE!",
        ["country_a", "single cell", "2 values"],
        id="country-two-cells",
    ),
    pytest.param(
        lambda: udfs.SIEI_PAIR_SERIES(ROWS, "KAZ", [["RUS"], ["CHN"]]),
        "#VALUE!",
        ["country_b", "single cell", "2 values"],
        id="country-two-cells-column",
    ),
    pytest.param(
        lambda: P(ROWS, True, "RUS", 2015.0), "#VALUE!", ["country_a", "True"], id="country-bool"
    ),
    pytest.param(
        lambda: CG(ROWS, "KAZ", "", 2015.0), "#VALUE!", ["group", "empty"], id="group-empty"
    ),
    pytest.param(
        lambda: CV(ROWS, [[None], [None]], 2015.0),
        "#VALUE!",
        ["group", "empty"],
        id="group-blank-range",
    ),
    pytest.param(
        lambda: udfs.SIEI_COUNTRYGROUP_SERIES(ROWS, "KAZ", None),
        "#VALUE!",
        ["group", "empty"],
        id="group-omitted",
    ),
    pytest.param(
        lambda: CG(ROWS, "KAZ", [["RUS"], ["rus "]], 2015.0),
        "#VALUE!",
        ["'RUS'", "twice"],
        id="group-member-twice",
    ),
    pytest.param(
        lambda: P(ROWS, "KAZ", "RUS", 2015.5), "#VALUE!", ["year", "2015.5"], id="year-fraction"
    ),
    pytest.param(
        lambda: P(ROWS, "KAZ", "RUS", None), "#VALUE!", ["year", "blank"], id="year-blank"
    ),
    pytest.param(
        lambda: CV(ROWS, "RUS, CHN", "twenty"), "#VALUE!", ["year", "'twenty'"], id="year-text"
    ),
    pytest.param(
        lambda: udfs.SIEI_PAIR_MATRIX(ROWS, [2015.0, 2016.0]),
        "#VALUE!",
        ["year", "2 values"],
        id="year-two-cells",
    ),
    pytest.param(lambda: P(ROWS, "KAZ", "RUS", True), "#VALUE!", ["year", "True"], id="year-bool"),
    pytest.param(
        lambda: P(ROWS, "KAZ", "RUS", math.nan), "#VALUE!", ["year", "nan"], id="year-nan"
    ),
    # --- groups tables
    pytest.param(
        lambda: udfs.SIEI_GROUP_MEMBERS([["grp", "country"], ["EAEU", "RUS"]], "EAEU", 2015.0),
        "#VALUE!",
        ["'group'", "'grp'"],
        id="groups-no-group-column",
    ),
    pytest.param(
        lambda: udfs.SIEI_GROUP_MEMBERS(
            [["group", "country", "from"], ["EAEU", "RUS", "x2015"]], "EAEU", 2015.0
        ),
        "#VALUE!",
        ["groups row 2", "'x2015'"],
        id="groups-bad-year",
    ),
    pytest.param(
        lambda: udfs.SIEI_GROUP_MEMBERS(GROUPS, None, 2015.0),
        "#VALUE!",
        ["name", "blank"],
        id="groups-blank-name",
    ),
    pytest.param(
        # EAEU would come from the built-in catalogue; a name in neither is not defined
        lambda: udfs.SIEI_GROUP_MEMBERS(["group", "country"], "EAEUX", 2015.0),
        "#N/A",
        ["'EAEUX'", "not defined", "closest: EAEU"],
        id="groups-header-only-1d",
    ),
    # --- Excel's 255-character limit
    pytest.param(
        lambda: P(ROWS, "K" * 300, "RUS", 2015.0), "#N/A", ["country 'KKKK", "..."], id="long-label"
    ),
    pytest.param(
        lambda: CG(ROWS, "KAZ", "RUS, " + "X" * 400, 2015.0),
        "#N/A",
        ["in the group", "XXXX"],
        id="long-member",
    ),
    pytest.param(
        lambda: P(ROWS, "KAZ", "RUS", 1e300), "#VALUE!", ["between 1 and 9999"], id="huge-year"
    ),
]


@pytest.mark.parametrize(("call", "code", "reason"), CASES)
def test_bad_input_gives_an_error_text(call: Call, code: str, reason: list[str]) -> None:
    result = call()
    assert isinstance(result, str), result
    assert len(result) <= 255
    assert error_code(result) == code, result
    for text in reason:
        assert text in result, (text, result)


def test_the_corpus_is_large() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize(("call", "code", "reason"), CASES[:12])
def test_errors_are_the_same_when_cached(call: Call, code: str, reason: list[str]) -> None:
    """A bad range is cached as bad; the second call says the same."""
    assert call() == call()


def test_a_failed_call_keeps_no_argument_alive() -> None:
    """The cached error must not hold the caller's range (or grow with every call)."""

    class Range(list):  # a list that accepts weak references
        pass

    data = Range([list(HEADER)])
    probe = weakref.ref(data)
    for _ in range(3):
        assert error_code(udfs.SIEI_PAIR(data, "KAZ", "RUS", 2015.0)) == "#VALUE!"
    del data
    gc.collect()
    assert probe() is None


def test_error_text_in_the_country_column_is_an_error() -> None:
    data = set_cell(ROWS, KAZ_1997, 0, "#N/A")
    result = udfs.SIEI_PAIR(data, "RUS", "CHN", 1997.0)
    assert error_code(result) == "#VALUE!"
    assert "row 4" in result


def test_huge_values_are_standardised() -> None:
    """Squares of 1e300 overflow; the sd is computed in units of the largest value."""
    data = set_cell(ROWS, KAZ_2015, 2, 1e300)
    result = udfs.SIEI_PAIR(data, "CHN", "RUS", 2015.0)
    assert type(result) is float
    assert math.isfinite(result)


def test_an_absurd_year_cell_is_an_error() -> None:
    result = udfs.SIEI_STANDARDIZE(set_cell(ROWS, KAZ_1997, 1, 1e19))
    assert error_code(result) == "#VALUE!"
    assert "row 4" in result


# --------------------------------------------------- anything at all: no raise
TEXT = st.sampled_from(
    ["", " ", "..", "n/a", "#N/A", "#DIV/0!", "12,5", "KAZ", " rus ", "yearly", "x", "1e400"]
)
JUNK = st.one_of(
    st.none(),
    TEXT,
    st.booleans(),
    st.floats(-1e15, 1e15),
    st.sampled_from([0.0, 1.0, 2015.0, 2015.5, -1.0, math.nan, math.inf]),
    st.text(max_size=8),
)
ARG = st.one_of(
    JUNK,
    st.floats(allow_nan=True, allow_infinity=True),
    JUNK,
    st.lists(JUNK, max_size=3),
    st.lists(st.lists(JUNK, min_size=1, max_size=3), max_size=3),
)


@st.composite
def damaged_rows(draw: st.DrawFn) -> list[list[object]]:
    """The example range with a few cells (any, header included) replaced by junk."""
    rows = copy_rows(ROWS)
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(rows) - 1))
        j = draw(st.integers(0, len(HEADER) - 1))
        rows[i][j] = draw(JUNK)
    if draw(st.booleans()):
        rows = rows[: draw(st.integers(0, len(rows)))]
    return rows


def _check_result(result: object) -> None:
    if isinstance(result, str):
        if result.startswith("#"):
            assert error_code(result) in ERROR_CODES, result
        assert len(result) <= 255
    elif isinstance(result, list):
        for row in result:
            assert isinstance(row, list)
            for value in row:
                assert type(value) in (float, str), value
                if isinstance(value, str):
                    _check_result(value)
    else:
        assert type(result) is float, result
        assert math.isfinite(result)


@given(
    name=st.sampled_from(sorted(udfs.FUNCTIONS)),
    data=damaged_rows(),
    args=st.lists(ARG, min_size=6, max_size=6),
    labels=st.lists(st.sampled_from(["KAZ", "RUS", "CHN", "KGZ", "kaz"]), max_size=3),
)
def test_no_input_makes_a_function_raise(
    name: str, data: list[list[object]], args: list[object], labels: list[str]
) -> None:
    func = getattr(udfs, name)
    arity = len(udfs.FUNCTIONS[name].args)
    if arity == 0:
        _check_result(func())
        return
    params = list(udfs.FUNCTIONS[name].args)
    call: list[object] = [data if params[0] == "data" else GROUPS, *args[: arity - 1]]
    # half the time give real labels where labels go, so the deeper code runs too
    for k, param in enumerate(params):
        if labels and param in {"country", "country_a", "country_b", "group", "countries"}:
            call[k] = labels[k % len(labels)] if param.startswith("country") else labels
        if param == "year" and labels:
            call[k] = 2015.0
    _check_result(func(*call))
