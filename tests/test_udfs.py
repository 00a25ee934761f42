"""The Excel functions called with raw cell values, checked against the pandas API.

Every argument is given the way xlwings hands it over (lists of rows, ``None`` for blanks,
floats for numbers, ``2015.0`` for a year; a one-row or one-column range of an argument
without ``ndim=2`` as a 1-D list); every number must equal what ``siei_xl``'s pandas API
computes on the same data, to 1e-12 relative.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable

import pandas as pd
import pytest
import xlwings
from udf_helpers import (
    EXAMPLE_COUNTRIES,
    EXAMPLE_HEADER,
    EXAMPLE_YEARS,
    blank_rows,
    column,
    copy_rows,
    error_code,
    example_rows,
    find_row,
    frame_rows,
    is_plain_number,
    real_frame,
    set_cell,
    shuffled,
    with_frame_value,
)

import siei_xl as siei
from siei_xl import udfs
from siei_xl.excel import cells

REL = 1e-12
GROUP = ("RUS", "CHN", "KGZ", "UZB", "TKM")
YEARS = (1995, 1998, 2009, 2015, 2020, 2024)
OPTIONS = [
    # (indicators, standardize, ddof) as Excel cells, then as the pandas API takes them
    ((None, None, None), (None, "yearly", 1)),
    (("gdp_growth", "pooled", 0.0), ("gdp_growth", "pooled", 0)),
    (("gdp_pc_ppp", "yearly", 1.0), ("gdp_pc_ppp", "yearly", 1)),
    (("gdp_growth, gdp_pc_ppp", "POOLED ", 1.0), ("gdp_growth,gdp_pc_ppp", "pooled", 1)),
]


def approx(value: float) -> object:
    return pytest.approx(value, rel=REL, abs=0.0)


@pytest.fixture(scope="module")
def rows() -> list[list[object]]:
    """The example data as a raw range; tests copy it before changing anything."""
    return example_rows()


@pytest.fixture(scope="module")
def panel() -> siei.Panel:
    return siei.example_panel()


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return siei.example_frame()


def _api_series(series: pd.DataFrame, column_name: str) -> list[list[object]]:
    """The spill a series function should give, from the pandas API's series."""
    return [
        ["year", column_name],
        *(
            [float(y), v if math.isfinite(v) else None]
            for y, v in zip(series["year"], series[column_name], strict=True)
        ),
    ]


def _api_or_error(func: Callable[..., float], *args: object, **kwargs: object) -> float | str:
    """The pandas API's number, or the text a SIEI function shows for its error."""
    try:
        return func(*args, **kwargs)
    except siei.SieiError as exc:
        return cells.error_text(exc)


def _assert_table(result: object, expected: list[list[object]]) -> None:
    """Same shape and labels; numbers to 1e-12 and plain floats; None = any error text."""
    assert isinstance(result, list)
    assert [len(r) for r in result] == [len(r) for r in expected]
    for got_row, want_row in zip(result, expected, strict=True):
        for got, want in zip(got_row, want_row, strict=True):
            if isinstance(want, float):
                assert is_plain_number(got), (got, want_row)
                assert got == approx(want)
            elif want is None:
                assert error_code(got) is not None, (got, want_row)
            else:
                assert got == want


# ------------------------------------------------------------------- scalars
@pytest.mark.parametrize(("cells_options", "api_options"), OPTIONS)
@pytest.mark.parametrize("year", YEARS)
def test_pair_every_pair_matches_api(
    rows: list[list[object]],
    panel: siei.Panel,
    year: int,
    cells_options: tuple[object, ...],
    api_options: tuple[object, ...],
) -> None:
    indicators, standardize, ddof = api_options
    for a, b in itertools.combinations(EXAMPLE_COUNTRIES, 2):
        got = udfs.SIEI_PAIR(copy_rows(rows), a, b, float(year), *cells_options)
        want = siei.pair_distance(
            panel, a, b, year, indicators=indicators, standardize=standardize, ddof=ddof
        )
        assert is_plain_number(got)
        assert got == approx(want), (a, b, year)


@pytest.mark.parametrize(("cells_options", "api_options"), OPTIONS)
@pytest.mark.parametrize("year", YEARS)
def test_countrygroup_matches_api(
    rows: list[list[object]],
    panel: siei.Panel,
    year: int,
    cells_options: tuple[object, ...],
    api_options: tuple[object, ...],
) -> None:
    indicators, standardize, ddof = api_options
    for country in EXAMPLE_COUNTRIES:
        got = udfs.SIEI_COUNTRYGROUP(rows, country, ", ".join(GROUP), float(year), *cells_options)
        want = siei.group_distance(
            panel,
            country,
            list(GROUP),
            year,
            indicators=indicators,
            standardize=standardize,
            ddof=ddof,
        )
        assert is_plain_number(got)
        assert got == approx(want), (country, year)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize(
    ("cells_options", "api_options"),
    [
        ((None, None, None), (None, 1, siei.CV_LIMIT)),
        (("gdp_pc_ppp", 0.0, None), ("gdp_pc_ppp", 0, siei.CV_LIMIT)),
        (("gdp_pc_ppp, gdp_growth", 1.0, 1000.0), ("gdp_pc_ppp,gdp_growth", 1, 1000.0)),
    ],
)
def test_groupcv_matches_api(
    rows: list[list[object]],
    panel: siei.Panel,
    year: int,
    cells_options: tuple[object, ...],
    api_options: tuple[object, ...],
) -> None:
    indicators, ddof, cv_limit = api_options
    groups = [GROUP, ("KAZ", "KGZ", "TJK", "TKM", "UZB"), ("RUS", "KAZ", "CHN", "MNG")]
    for group in groups:
        got = udfs.SIEI_GROUPCV(rows, list(group), float(year), *cells_options)
        want = _api_or_error(
            siei.group_cv,
            panel,
            list(group),
            year,
            indicators=indicators,
            ddof=ddof,
            cv_limit=cv_limit,
        )
        if isinstance(want, str):  # growth rates near zero: the same refusal
            assert got == want
        else:
            assert is_plain_number(got)
            assert got == approx(want), (group, year)


def test_scalar_results_are_plain_floats(rows: list[list[object]]) -> None:
    results = [
        udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0),
        udfs.SIEI_COUNTRYGROUP(rows, "KAZ", "RUS, CHN", 2015.0),
        udfs.SIEI_GROUPCV(rows, "RUS, CHN", 2015.0),
    ]
    assert all(type(r) is float for r in results)


# -------------------------------------------------------------------- arrays
@pytest.mark.parametrize(("cells_options", "api_options"), OPTIONS[:2])
def test_pair_series_matches_api(
    rows: list[list[object]],
    panel: siei.Panel,
    cells_options: tuple[object, ...],
    api_options: tuple[object, ...],
) -> None:
    indicators, standardize, ddof = api_options
    for a, b in [("KAZ", "RUS"), ("CHN", "MNG"), ("TJK", "KGZ")]:
        got = udfs.SIEI_PAIR_SERIES(rows, a, b, *cells_options)
        series = siei.pair_series(
            panel, a, b, indicators=indicators, standardize=standardize, ddof=ddof
        )
        assert len(got) == 1 + len(EXAMPLE_YEARS)
        assert [r[0] for r in got[1:]] == [float(y) for y in EXAMPLE_YEARS]
        _assert_table(got, _api_series(series, "distance"))


def test_countrygroup_series_matches_api(rows: list[list[object]], panel: siei.Panel) -> None:
    got = udfs.SIEI_COUNTRYGROUP_SERIES(rows, "KAZ", column(GROUP))
    series = siei.group_distance_series(panel, "KAZ", list(GROUP))
    assert got[0] == ["year", "distance"]
    _assert_table(got, _api_series(series, "distance"))
    pooled = udfs.SIEI_COUNTRYGROUP_SERIES(rows, "KAZ", "RUS, CHN", "gdp_growth", "pooled", 0.0)
    series = siei.group_distance_series(
        panel, "KAZ", ["RUS", "CHN"], indicators="gdp_growth", standardize="pooled", ddof=0
    )
    _assert_table(pooled, _api_series(series, "distance"))


def test_groupcv_series_matches_api(rows: list[list[object]], panel: siei.Panel) -> None:
    got = udfs.SIEI_GROUPCV_SERIES(rows, list(GROUP), "gdp_pc_ppp")
    series = siei.group_cv_series(panel, list(GROUP), indicators="gdp_pc_ppp")
    assert got[0] == ["year", "cv"]
    _assert_table(got, _api_series(series, "cv"))
    # growth rates: some years refuse a CV (mean near zero) and show their own error
    both = udfs.SIEI_GROUPCV_SERIES(rows, list(GROUP))
    series = siei.group_cv_series(panel, list(GROUP))
    _assert_table(both, _api_series(series, "cv"))
    refused = [(row[1], note) for row, note in zip(both[1:], series["note"], strict=True) if note]
    assert refused, "the example's growth rates should make some year refuse a CV"
    for text, note in refused:
        assert text.startswith("#DIV/0!: ")
        assert note.startswith(text.removeprefix("#DIV/0!: ").removesuffix("..."))
        assert len(text) <= 255


@pytest.mark.parametrize("year", [1995, 2015, 2024])
def test_pair_matrix_matches_api(rows: list[list[object]], panel: siei.Panel, year: int) -> None:
    got = udfs.SIEI_PAIR_MATRIX(rows, float(year))
    want = siei.pair_matrix(panel, year)
    labels = list(want.index)
    assert labels == list(EXAMPLE_COUNTRIES)
    assert got[0] == ["country", *labels]
    assert [r[0] for r in got[1:]] == labels
    expected = [["country", *labels]] + [
        [label, *map(float, values)] for label, values in zip(labels, want.to_numpy(), strict=True)
    ]
    _assert_table(got, expected)
    assert all(got[i][i] == 0.0 for i in range(1, len(got)))
    assert all(got[i][j] == got[j][i] for i in range(1, len(got)) for j in range(1, len(got)))


def test_pair_matrix_with_countries_and_options(
    rows: list[list[object]], panel: siei.Panel
) -> None:
    chosen = ["TJK", "kaz", " RUS "]
    got = udfs.SIEI_PAIR_MATRIX(rows, "2015", column(chosen), "gdp_growth", "pooled", 0.0)
    want = siei.pair_matrix(
        panel, 2015, countries=chosen, indicators="gdp_growth", standardize="pooled", ddof=0
    )
    assert got[0] == ["country", "TJK", "KAZ", "RUS"]
    expected = [["country", *want.index]] + [
        [label, *map(float, values)]
        for label, values in zip(want.index, want.to_numpy(), strict=True)
    ]
    _assert_table(got, expected)
    assert udfs.SIEI_PAIR_MATRIX(rows, 2015.0, "TJK, KAZ, RUS", "gdp_growth", "pooled", 0) == got


@pytest.mark.parametrize(("standardize", "ddof"), [(None, None), ("pooled", 0.0), ("yearly", 0)])
def test_standardize_matches_api(
    rows: list[list[object]], panel: siei.Panel, standardize: str | None, ddof: float | None
) -> None:
    got = udfs.SIEI_STANDARDIZE(rows, standardize, ddof)
    want = siei.standardized_table(
        panel, standardize=standardize or "yearly", ddof=1 if ddof is None else int(ddof)
    )
    assert got[0] == list(EXAMPLE_HEADER)
    expected = [list(EXAMPLE_HEADER)] + [
        [c, float(y), float(g), float(r)] for c, y, g, r in want.itertuples(index=False)
    ]
    _assert_table(got, expected)


def test_version() -> None:
    assert udfs.SIEI_VERSION() == f"siei_xl {siei.__version__} (xlwings {xlwings.__version__})"


def test_data_info(rows: list[list[object]]) -> None:
    assert udfs.SIEI_DATA_INFO(rows) == (
        "OK: 8 countries, 30 years (1995-2024), 2 indicators (gdp_pc_ppp, gdp_growth); "
        "0 of 480 values missing"
    )
    gaps = set_cell(set_cell(rows, 5, 2, None), 9, 3, "..")
    assert udfs.SIEI_DATA_INFO(gaps).endswith("; 2 of 480 values missing")


def _groups_rows() -> list[list[object]]:
    book = siei.example_groups()
    out: list[list[object]] = [["Group", "Country", "From", "To"]]
    for name in book.names:
        for m in book.all_members(name):
            out.append(
                [
                    name,
                    m.country,
                    None if m.start is None else float(m.start),
                    None if m.end is None else float(m.end),
                ]
            )
    return out


@pytest.mark.parametrize("year", [2010, 2015])
@pytest.mark.parametrize("name", ["Border region", "CA5", " eaeu "])
def test_group_members_matches_groups(name: str, year: int) -> None:
    book = siei.example_groups()
    got = udfs.SIEI_GROUP_MEMBERS(_groups_rows() + blank_rows(3), name, float(year))
    members = book.members(name, year)
    if members:
        assert got == column(members)
    else:
        assert error_code(got) == "#N/A"
        assert "eaeu" in got.lower()
        assert str(year) in got


def test_group_members_feed_other_functions(rows: list[list[object]], panel: siei.Panel) -> None:
    members = udfs.SIEI_GROUP_MEMBERS(_groups_rows(), "ca5", 2015.0)
    got = udfs.SIEI_COUNTRYGROUP(rows, "RUS", members, 2015.0)
    want = siei.group_distance(panel, "RUS", ["KAZ", "KGZ", "TJK", "TKM", "UZB"], 2015)
    assert got == approx(want)


# -------------------------------------------------------- shapes of the input
def test_data_as_a_single_row_is_a_header_without_rows(rows: list[list[object]]) -> None:
    got = udfs.SIEI_PAIR(list(rows[0]), "KAZ", "RUS", 2015.0)
    assert error_code(got) == "#VALUE!"
    assert "header" in got


def test_data_as_tuples_of_tuples(rows: list[list[object]], panel: siei.Panel) -> None:
    data = tuple(tuple(r) for r in rows) + ((None,) * 4,) * 50
    assert udfs.SIEI_PAIR(data, "KAZ", "RUS", 2015.0) == approx(
        siei.pair_distance(panel, "KAZ", "RUS", 2015)
    )


@pytest.mark.parametrize("marker", [None, "", "..", "n/a", "#N/A", "#DIV/0!", "  ...  "])
def test_missing_cells_are_missing_values(
    rows: list[list[object]], frame: pd.DataFrame, marker: object
) -> None:
    """Blanks, text placeholders and error cells (None, or '#N/A' text with err_to_str)."""
    i = find_row(rows, "KAZ", 2015.0)
    data = set_cell(rows, i, 3, marker)
    gap_panel = siei.Panel.from_wide(
        with_frame_value(frame, "KAZ", 2015, "gdp_growth", float("nan"))
    )
    assert udfs.SIEI_PAIR(data, "KAZ", "RUS", 2015.0) == (
        "#N/A: KAZ has no value for gdp_growth in 2015"
    )
    # the other countries of that year are standardised without KAZ, as the API does
    for a, b in [("RUS", "CHN"), ("MNG", "TJK")]:
        got = udfs.SIEI_PAIR(data, a, b, 2015.0)
        assert got == approx(siei.pair_distance(gap_panel, a, b, 2015))
    # and with only the other indicator, KAZ 2015 is fine
    got = udfs.SIEI_PAIR(data, "KAZ", "RUS", 2015.0, "gdp_pc_ppp")
    assert got == approx(siei.pair_distance(gap_panel, "KAZ", "RUS", 2015, indicators="gdp_pc_ppp"))


def test_missing_value_inside_a_series_fails_that_row_only(
    rows: list[list[object]], frame: pd.DataFrame
) -> None:
    data = set_cell(rows, find_row(rows, "KAZ", 2015.0), 2, None)
    gap_panel = siei.Panel.from_wide(
        with_frame_value(frame, "KAZ", 2015, "gdp_pc_ppp", float("nan"))
    )
    got = udfs.SIEI_PAIR_SERIES(data, "KAZ", "RUS")
    by_year = {row[0]: row[1] for row in got[1:]}
    assert by_year[2015.0] == "#N/A: KAZ has no value for gdp_pc_ppp in 2015"
    want = siei.pair_series(gap_panel, "KAZ", "RUS")
    for year, value in zip(want["year"], want["distance"], strict=True):
        if year != 2015:
            assert is_plain_number(by_year[float(year)])
            assert by_year[float(year)] == approx(value)
    group = udfs.SIEI_COUNTRYGROUP_SERIES(data, "RUS", "KAZ, CHN")
    bad = [row for row in group[1:] if not is_plain_number(row[1])]
    assert bad == [[2015.0, "#N/A: KAZ has no value for gdp_pc_ppp in 2015"]]
    cv = udfs.SIEI_GROUPCV_SERIES(data, "RUS, KAZ, CHN", "gdp_pc_ppp")
    bad = [row for row in cv[1:] if not is_plain_number(row[1])]
    assert bad == [[2015.0, "#N/A: KAZ has no value for gdp_pc_ppp in 2015"]]


def test_missing_value_in_the_matrix(rows: list[list[object]]) -> None:
    data = set_cell(rows, find_row(rows, "KAZ", 2015.0), 2, "..")
    default = udfs.SIEI_PAIR_MATRIX(data, 2015.0)
    assert default[0] == ["country", *(c for c in EXAMPLE_COUNTRIES if c != "KAZ")]
    listed = udfs.SIEI_PAIR_MATRIX(data, 2015.0, "KAZ, RUS")
    assert listed[0] == ["country", "KAZ", "RUS"]
    # every entry that needs KAZ names KAZ, the indicator and the year, in its row or column
    reason = "#N/A: KAZ has no value for gdp_pc_ppp in 2015"
    assert listed[1][1:] == [reason, reason]
    assert listed[2][1:] == [reason, 0.0]


@pytest.mark.parametrize("year", [2015.0, 2015, "2015", " 2015 ", [2015.0], [[2015.0]]])
def test_year_argument_forms(rows: list[list[object]], panel: siei.Panel, year: object) -> None:
    want = siei.pair_distance(panel, "KAZ", "RUS", 2015)
    assert udfs.SIEI_PAIR(rows, "KAZ", "RUS", year) == approx(want)
    assert udfs.SIEI_PAIR_MATRIX(rows, year)[2][1] == approx(want)


def test_years_as_text_in_the_data(rows: list[list[object]], panel: siei.Panel) -> None:
    data = copy_rows(rows)
    for row in data[1:]:
        row[1] = f"{row[1]:.0f}"
    data[5][1] = f" {data[5][1]}.0 "
    assert udfs.SIEI_PAIR(data, "KAZ", "RUS", 2015.0) == approx(
        siei.pair_distance(panel, "KAZ", "RUS", 2015)
    )


@pytest.mark.parametrize(("a", "b"), [(" kaz ", "rUs"), ("Kaz", "RUS  "), ([" KAZ"], [["rus"]])])
def test_country_arguments_trimmed_any_case(
    rows: list[list[object]], panel: siei.Panel, a: object, b: object
) -> None:
    want = siei.pair_distance(panel, "KAZ", "RUS", 2015)
    assert udfs.SIEI_PAIR(rows, a, b, 2015.0) == approx(want)
    group = siei.group_distance(panel, "KAZ", ["RUS"], 2015)
    assert udfs.SIEI_COUNTRYGROUP(rows, a, b, 2015.0) == approx(group)


def test_country_codes_in_the_data_trimmed_any_case(
    rows: list[list[object]], panel: siei.Panel
) -> None:
    data = copy_rows(rows)
    for row in data[1:]:
        if row[0] == "KAZ" and row[1] in (2001.0, 2015.0):
            row[0] = " kaz "
    got = udfs.SIEI_PAIR(data, "KAZ", "RUS", 2015.0)
    assert got == approx(siei.pair_distance(panel, "KAZ", "RUS", 2015))
    assert udfs.SIEI_PAIR_MATRIX(data, 2015.0)[0][1:] == list(EXAMPLE_COUNTRIES)


@pytest.mark.parametrize("header", ["country", "Country", "ISO3", "iso3", "Code", "Country Code"])
def test_country_column_headers(rows: list[list[object]], panel: siei.Panel, header: str) -> None:
    data = set_cell(rows, 0, 0, header)
    assert udfs.SIEI_PAIR(data, "KAZ", "RUS", 2015.0) == approx(
        siei.pair_distance(panel, "KAZ", "RUS", 2015)
    )


def test_columns_in_any_order(rows: list[list[object]], panel: siei.Panel) -> None:
    order = [3, 1, 0, 2]
    data = [[row[j] for j in order] for row in rows]
    assert udfs.SIEI_PAIR(data, "KAZ", "RUS", 2015.0) == approx(
        siei.pair_distance(panel, "KAZ", "RUS", 2015)
    )


@pytest.mark.parametrize("n_blank", [1, 7, 1000])
def test_trailing_blank_rows(rows: list[list[object]], panel: siei.Panel, n_blank: int) -> None:
    data = rows + blank_rows(n_blank)
    assert udfs.SIEI_PAIR(data, "KAZ", "RUS", 2015.0) == approx(
        siei.pair_distance(panel, "KAZ", "RUS", 2015)
    )
    mixed = rows + blank_rows(3) + [["", None, "  ", None]] + blank_rows(n_blank)
    assert udfs.SIEI_DATA_INFO(mixed) == udfs.SIEI_DATA_INFO(rows)


def test_200000_trailing_blank_rows(rows: list[list[object]], panel: siei.Panel) -> None:
    """Correctness only; the cost is measured by benchmarks/bench_udfs.py."""
    data = rows + blank_rows(200_000)
    assert udfs.SIEI_PAIR(data, "KAZ", "RUS", 2015.0) == approx(
        siei.pair_distance(panel, "KAZ", "RUS", 2015)
    )
    series = udfs.SIEI_PAIR_SERIES(data, "KAZ", "RUS")
    assert series == udfs.SIEI_PAIR_SERIES(rows, "KAZ", "RUS")
    assert udfs.SIEI_DATA_INFO(data) == udfs.SIEI_DATA_INFO(rows)
    # a value after the blanks is still read (it is not a trailing blank)
    late = [*data, ["KAZ", 2025.0, 20000.0, 1.0]]
    assert "31 years (1995-2025)" in udfs.SIEI_DATA_INFO(late)


def test_blank_rows_in_the_middle(rows: list[list[object]], panel: siei.Panel) -> None:
    data = [rows[0], *blank_rows(2)]
    for i, row in enumerate(rows[1:]):
        data.append(list(row))
        if i % 17 == 0:
            data += blank_rows(1 + i % 3)
    assert udfs.SIEI_PAIR(data, "KAZ", "RUS", 2015.0) == approx(
        siei.pair_distance(panel, "KAZ", "RUS", 2015)
    )
    assert udfs.SIEI_STANDARDIZE(data) == udfs.SIEI_STANDARDIZE(rows)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rows_in_any_order(rows: list[list[object]], panel: siei.Panel, seed: int) -> None:
    data = shuffled(rows, seed)
    for a, b, year in [("KAZ", "RUS", 2015), ("CHN", "TJK", 1995), ("MNG", "UZB", 2024)]:
        got = udfs.SIEI_PAIR(data, a, b, float(year))
        assert got == approx(siei.pair_distance(panel, a, b, year))
    # the same numbers, up to the order of summation over countries
    series = udfs.SIEI_PAIR_SERIES(rows, "KAZ", "RUS")
    _assert_table(udfs.SIEI_PAIR_SERIES(data, "KAZ", "RUS"), series)
    # the matrix lists countries in the order the data first shows them
    got, want = udfs.SIEI_PAIR_MATRIX(data, 2015.0), udfs.SIEI_PAIR_MATRIX(rows, 2015.0)
    assert sorted(got[0][1:]) == sorted(want[0][1:])
    cell = {(r[0], c): v for r in want[1:] for c, v in zip(want[0][1:], r[1:], strict=True)}
    for r in got[1:]:
        for c, v in zip(got[0][1:], r[1:], strict=True):
            assert v == approx(cell[r[0], c])


@pytest.mark.parametrize(
    "group",
    [
        [["RUS"], ["CHN"]],  # a column range read with ndim=2
        ["RUS", "CHN"],  # a column or row range as xlwings gives it by default
        [["RUS", "CHN"]],  # a row range read with ndim=2
        [["RUS", None], [None, "CHN"]],  # a block with blanks
        [["RUS"], [None], ["CHN"], [None]],
        "RUS, CHN",
        " rus ,chn,, ",
        ("RUS", "CHN"),
    ],
)
def test_group_argument_forms(rows: list[list[object]], panel: siei.Panel, group: object) -> None:
    want = siei.group_distance(panel, "KAZ", ["RUS", "CHN"], 2015)
    assert udfs.SIEI_COUNTRYGROUP(rows, "KAZ", group, 2015.0) == approx(want)
    cv = siei.group_cv(panel, ["RUS", "CHN"], 2015)
    assert udfs.SIEI_GROUPCV(rows, group, 2015.0) == approx(cv)
    series = udfs.SIEI_COUNTRYGROUP_SERIES(rows, "KAZ", group)
    assert series == udfs.SIEI_COUNTRYGROUP_SERIES(rows, "KAZ", "RUS, CHN")


def test_group_of_three_as_a_block(rows: list[list[object]], panel: siei.Panel) -> None:
    block = [["RUS", "CHN"], ["KGZ", None]]
    want = siei.group_distance(panel, "KAZ", ["RUS", "CHN", "KGZ"], 2015)
    assert udfs.SIEI_COUNTRYGROUP(rows, "KAZ", block, 2015.0) == approx(want)


@pytest.mark.parametrize(
    "indicators",
    [
        "gdp_growth",
        " GDP_Growth ",
        ["gdp_growth"],
        [["gdp_growth"]],
        [["gdp_growth", None]],
    ],
)
def test_one_indicator_forms(
    rows: list[list[object]], panel: siei.Panel, indicators: object
) -> None:
    want = siei.pair_distance(panel, "KAZ", "RUS", 2015, indicators="gdp_growth")
    assert udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0, indicators) == approx(want)


@pytest.mark.parametrize(
    "indicators",
    [
        "gdp_growth, gdp_pc_ppp",
        ["gdp_growth", "gdp_pc_ppp"],
        [["gdp_growth"], ["gdp_pc_ppp"]],
        [["gdp_growth", "gdp_pc_ppp"]],
    ],
)
def test_two_indicator_forms(
    rows: list[list[object]], panel: siei.Panel, indicators: object
) -> None:
    want = siei.pair_distance(panel, "KAZ", "RUS", 2015)
    assert udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0, indicators) == approx(want)


def test_indicators_with_descriptive_and_extra_columns(
    rows: list[list[object]], panel: siei.Panel
) -> None:
    data = [[*row[:1], "name", *row[1:], "x"] for row in rows]
    data[0][1], data[0][-1] = "Country Name", "population"
    for row in data[1:]:
        row[-1] = 1e6
    got = udfs.SIEI_PAIR(data, "KAZ", "RUS", 2015.0, "gdp_pc_ppp, gdp_growth")
    assert got == approx(siei.pair_distance(panel, "KAZ", "RUS", 2015))


def test_omitted_optional_arguments_take_defaults(rows: list[list[object]]) -> None:
    pair = udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0)
    assert pair == udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0, None, None, None)
    assert pair == udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0, "", "", "")
    assert pair == udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0, [None, None], None, None)
    assert pair == udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0, None, "yearly", 1.0)
    group = udfs.SIEI_COUNTRYGROUP(rows, "KAZ", "RUS, CHN", 2015.0)
    assert group == udfs.SIEI_COUNTRYGROUP(rows, "KAZ", "RUS, CHN", 2015.0, None, None, None)
    cv = udfs.SIEI_GROUPCV(rows, "RUS, CHN", 2015.0)
    assert cv == udfs.SIEI_GROUPCV(rows, "RUS, CHN", 2015.0, None, None, None)
    assert cv == udfs.SIEI_GROUPCV(rows, "RUS, CHN", 2015.0, None, 1.0, 10.0)
    matrix = udfs.SIEI_PAIR_MATRIX(rows, 2015.0)
    assert matrix == udfs.SIEI_PAIR_MATRIX(rows, 2015.0, None, None, None, None)
    series = udfs.SIEI_PAIR_SERIES(rows, "KAZ", "RUS")
    assert series == udfs.SIEI_PAIR_SERIES(rows, "KAZ", "RUS", None, None, None)
    assert udfs.SIEI_STANDARDIZE(rows) == udfs.SIEI_STANDARDIZE(rows, None, None)
    cv_series = udfs.SIEI_GROUPCV_SERIES(rows, "RUS, CHN")
    assert cv_series == udfs.SIEI_GROUPCV_SERIES(rows, "RUS, CHN", None, None, None)


def test_ddof_forms(rows: list[list[object]], panel: siei.Panel) -> None:
    want = siei.pair_distance(panel, "KAZ", "RUS", 2015, ddof=0)
    for ddof in (0.0, 0, "0", " 0 ", [0.0], [[0.0]]):
        assert udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0, None, None, ddof) == approx(want)


def test_array_values_are_plain_python(rows: list[list[object]]) -> None:
    results = [
        udfs.SIEI_PAIR_SERIES(rows, "KAZ", "RUS"),
        udfs.SIEI_COUNTRYGROUP_SERIES(rows, "KAZ", "RUS, CHN"),
        udfs.SIEI_GROUPCV_SERIES(rows, "RUS, CHN"),
        udfs.SIEI_PAIR_MATRIX(rows, 2015.0),
        udfs.SIEI_STANDARDIZE(rows),
    ]
    for table in results:
        assert type(table) is list
        assert all(type(row) is list for row in table)
        assert len({len(row) for row in table}) == 1
        for value in itertools.chain.from_iterable(table[1:]):
            assert type(value) in (float, str), value
            if isinstance(value, str):
                assert value in EXAMPLE_COUNTRIES or error_code(value), value


# --------------------------------------------------------------------- cache
def test_equal_content_in_new_lists_gives_identical_results(rows: list[list[object]]) -> None:
    cells.clear_cache()
    first = udfs.SIEI_PAIR(copy_rows(rows), "KAZ", "RUS", 2015.0)
    second = udfs.SIEI_PAIR(copy_rows(rows), "KAZ", "RUS", 2015.0)
    assert first == second
    assert type(first) is type(second) is float
    assert udfs.SIEI_PAIR_MATRIX(copy_rows(rows), 2015.0) == udfs.SIEI_PAIR_MATRIX(
        copy_rows(rows), 2015.0
    )


def test_editing_one_cell_changes_the_result(rows: list[list[object]], frame: pd.DataFrame) -> None:
    i = find_row(rows, "KAZ", 2015.0)
    before = udfs.SIEI_PAIR(copy_rows(rows), "KAZ", "RUS", 2015.0)
    edited = set_cell(rows, i, 2, 30000.0)
    after = udfs.SIEI_PAIR(edited, "KAZ", "RUS", 2015.0)
    want = siei.Panel.from_wide(with_frame_value(frame, "KAZ", 2015, "gdp_pc_ppp", 30000.0))
    assert after != before
    assert after == approx(siei.pair_distance(want, "KAZ", "RUS", 2015))
    # and back: the original content gives the original result again
    assert udfs.SIEI_PAIR(copy_rows(rows), "KAZ", "RUS", 2015.0) == before
    # a country cell renamed, a year cell changed: new results, no stale panel
    renamed = set_cell(rows, i, 0, "KZX")
    assert error_code(udfs.SIEI_PAIR(renamed, "KAZ", "RUS", 2015.0)) == "#N/A"
    moved = set_cell(rows, i, 1, 2030.0)
    assert "KAZ has no value" in udfs.SIEI_PAIR(moved, "KAZ", "RUS", 2015.0)


def test_a_cell_edited_from_1_to_true_is_not_a_cache_hit(rows: list[list[object]]) -> None:
    """TRUE == 1.0 in Python: the cache must still see the edit."""
    i = find_row(rows, "KAZ", 2015.0)
    one = udfs.SIEI_PAIR(set_cell(rows, i, 3, 1.0), "KAZ", "RUS", 2015.0)
    assert is_plain_number(one)
    true = udfs.SIEI_PAIR(set_cell(rows, i, 3, True), "KAZ", "RUS", 2015.0)
    assert error_code(true) == "#VALUE!"
    assert "True" in true
    assert "gdp_growth" in true
    zero = udfs.SIEI_PAIR(set_cell(rows, i, 2, 0.0), "KAZ", "RUS", 2015.0)
    false = udfs.SIEI_PAIR(set_cell(rows, i, 2, False), "KAZ", "RUS", 2015.0)
    assert is_plain_number(zero)
    assert error_code(false) == "#VALUE!"


def test_cache_with_cells_that_are_not_plain_values(rows: list[list[object]]) -> None:
    """Dates (pywin32 gives datetime objects) in a descriptive column: same answers,
    cached, and still no stale result after an edit."""
    stamp = dt.datetime(2024, 5, 1)
    data = [[*row, "note" if i == 0 else stamp] for i, row in enumerate(rows)]
    want = udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0)
    assert udfs.SIEI_PAIR(copy_rows(data), "KAZ", "RUS", 2015.0) == want
    assert udfs.SIEI_PAIR(copy_rows(data), "KAZ", "RUS", 2015.0) == want
    i = find_row(rows, "KAZ", 2015.0)
    assert is_plain_number(udfs.SIEI_PAIR(set_cell(data, i, 3, 1.0), "KAZ", "RUS", 2015.0))
    true = udfs.SIEI_PAIR(set_cell(data, i, 3, True), "KAZ", "RUS", 2015.0)
    assert error_code(true) == "#VALUE!"


def test_indicator_spelling_does_not_leak_through_the_cache(rows: list[list[object]]) -> None:
    first = udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0, "GDP_X")
    second = udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0, "gdp_x")
    assert "'GDP_X'" in first
    assert "'gdp_x'" in second


# ------------------------------------------------------------------ real data
@pytest.mark.realdata
def test_real_data_matches_api() -> None:
    frame = real_frame()
    if frame is None:
        pytest.skip("../shared/data/macro_focus_wide.csv is absent")
    panel = siei.Panel.from_wide(frame)
    rows = frame_rows(frame) + blank_rows(100)
    countries = panel.countries
    assert len(countries) == 11
    for year in (1995, 2009, 2015, 2020, 2024):
        for a, b in itertools.combinations(countries, 2):
            got = udfs.SIEI_PAIR(rows, a.lower(), b, float(year))
            want = _api_or_error(siei.pair_distance, panel, a, b, year)
            if isinstance(want, str):
                assert got == want
            else:
                assert got == approx(want), (a, b, year)
    series = udfs.SIEI_COUNTRYGROUP_SERIES(rows, "KAZ", "RUS, CHN, KGZ, UZB, TKM")
    want_series = siei.group_distance_series(panel, "KAZ", ["RUS", "CHN", "KGZ", "UZB", "TKM"])
    _assert_table(series, _api_series(want_series, "distance"))
