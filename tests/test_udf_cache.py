"""The cache behind the spreadsheet functions: the range content key and finished tables.

A parsed range is cached on its content (not its address), and SIEI_PAIR_MATRIX keeps its
finished table per content and options. Neither may ever hand back a stale or a shared
result: every edit of a cell (a number, TRUE for 1.0, a label, a year) is a new key; every
option is part of the key; every call gets its own row lists. The numbers themselves are
checked against the pandas API, which computes them without any of this cache.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from udf_helpers import (
    EXAMPLE_COUNTRIES,
    copy_rows,
    error_code,
    example_rows,
    extended_example,
    find_row,
    frame_rows,
    is_plain_number,
    set_cell,
    with_frame_value,
)

import siei_xl as siei
from siei_xl import udfs
from siei_xl.sheetfuncs import cells

Rows = list[list[object]]


@pytest.fixture(scope="module")
def rows() -> Rows:
    return example_rows()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cells.clear_cache()


def _expected_matrix(panel: siei.Panel, year: int, **options: object) -> Rows:
    """The spill the function should give, from the pandas API (no spreadsheet cache)."""
    want = siei.pair_matrix(panel, year, **options)  # type: ignore[arg-type]
    labels = list(want.index)
    values = want.to_numpy()
    body = [[label, *map(float, row)] for label, row in zip(labels, values, strict=True)]
    return [["country", *labels], *body]


def _assert_close(got: Rows, want: Rows) -> None:
    """Same labels and, cell by cell, plain floats within 1e-12 relative of the API's."""
    assert got[0] == want[0]
    assert [r[0] for r in got] == [r[0] for r in want]
    for got_row, want_row in zip(got[1:], want[1:], strict=True):
        for g, w in zip(got_row[1:], want_row[1:], strict=True):
            assert is_plain_number(g), g
            assert g == pytest.approx(w, rel=1e-12, abs=0.0)


# ------------------------------------------------------------------ content key
def test_content_key_tells_types_apart_that_compare_equal() -> None:
    """TRUE == 1.0, FALSE == 0.0 and -0.0 == 0.0 in Python; cells holding them differ."""
    key = cells._content_key
    assert [True, False] == [1.0, 0.0]  # what a tuple or list comparison would see
    assert key([[True]]) != key([[1.0]])
    assert key([[False]]) != key([[0.0]])
    assert key([[1]]) != key([[1.0]])
    assert key([[-0.0]]) != key([[0.0]])
    assert key([[None, "KAZ"]]) != key([["", "KAZ"]])
    assert key([["KAZ", 1.0], ["RUS", 2.0]]) != key([["KAZ", 1.0, "RUS", 2.0]])


def test_content_key_ignores_which_objects_hold_equal_content() -> None:
    """Excel builds new lists, floats and strings for every call: the same content must
    give the same key whether or not cells share one object."""
    shared = "KAZ"
    a: Rows = [[shared, 2015.0, 1.5], [shared, 2016.0, 1.5]]
    b: Rows = [["".join(["K", "AZ"]), 2015.0, float("1.5")], ["KA" + "Z", 2016.0, 3.0 / 2.0]]
    assert a[0][0] is a[1][0]
    assert b[0][0] is not b[1][0]
    assert cells._content_key(a) == cells._content_key(b)
    assert hash(cells._content_key(a)) == hash(cells._content_key(b))
    # tuples of rows (as LibreOffice hands a range) are another content than lists
    assert cells._content_key(tuple(map(tuple, a))) == cells._content_key(tuple(map(tuple, b)))


def test_content_key_of_cells_pickle_cannot_write() -> None:
    """A value of a class defined inside a function falls back to tuples plus the
    positions of the booleans, which still tell TRUE from 1.0."""

    class Stamp(float):  # not reachable by name: pickle refuses it
        pass

    one = cells._content_key([[Stamp(1.0), 1.0]])
    true = cells._content_key([[Stamp(1.0), True]])
    assert isinstance(one, tuple)
    assert isinstance(true, tuple)
    assert one != true
    assert one == cells._content_key([[Stamp(1.0), 1.0]])


# ------------------------------------------------- ranges recognised by comparison
@pytest.fixture(scope="module")
def big() -> Rows:
    """A range large enough to be remembered (30 economies x 30 years x 2 indicators)."""
    table = frame_rows(extended_example(30))
    assert len(table) * len(table[0]) >= cells.RECENT_MIN_CELLS
    return table


def _fresh(rows: Rows) -> Rows:
    """The same content in new lists, floats and strings, as Excel hands it over."""
    return [[float(repr(v)) if type(v) is float else v for v in row] for row in rows]


def test_a_range_seen_lately_gets_its_key_back_without_writing_it(big: Rows) -> None:
    key = cells._content_key(copy_rows(big))
    assert [entry.key for entry in cells._recent] == [key]
    assert cells._recent[0].key is key
    assert cells._content_key(_fresh(big)) is key  # compared, not written out again


@pytest.mark.parametrize(
    ("before", "after"),
    [(1.0, True), (True, 1.0), (0.0, False), (False, 0.0), (0.0, -0.0), (-0.0, 0.0), (1.0, 1)],
    ids=["1.0-TRUE", "TRUE-1.0", "0.0-FALSE", "FALSE-0.0", "0.0--0.0", "-0.0-0.0", "1.0-int1"],
)
def test_a_remembered_range_still_tells_cells_apart_that_compare_equal(
    big: Rows, before: object, after: object
) -> None:
    """``==`` takes these for equal; a remembered range's cells that could hold them are
    checked one by one, so the edited range is a new key (and a new parse)."""
    old = set_cell(big, 5, 3, before)
    new = set_cell(big, 5, 3, after)
    assert old == new
    first = cells._content_key(old)
    if type(before) is float:  # a range with TRUE or an integer in it is not remembered
        assert cells._content_key(copy_rows(old)) is first
    second = cells._content_key(new)
    assert second != first
    assert second == cells._written_key(new)


def test_an_edit_of_one_cell_is_a_new_key_and_the_caller_cannot_change_the_copy(
    big: Rows,
) -> None:
    data = copy_rows(big)
    key = cells._content_key(data)
    data[100][2] = 12345.0  # the caller edits its own list after the call
    assert cells._content_key(copy_rows(big)) is key
    edited = cells._content_key(data)
    assert edited != key
    assert edited == cells._written_key(data)


def test_ranges_not_remembered_still_get_exact_keys(big: Rows) -> None:
    """Too many cells to check one by one, tuples against lists, a NaN: all written out."""
    ones = [[*row[:2], 1.0, 0.0] if i else row for i, row in enumerate(big)]
    cells._content_key(copy_rows(big))
    key = cells._content_key(ones)
    assert [entry.key for entry in cells._recent] == [cells._content_key(big)]
    assert key == cells._written_key(ones)
    as_tuples = tuple(map(tuple, big))
    assert cells._content_key(as_tuples) != cells._content_key(copy_rows(big))
    with_nan = set_cell(big, 7, 2, math.nan)
    assert cells._content_key(with_nan) == cells._content_key(set_cell(big, 7, 2, math.nan))


@given(
    cells_drawn=st.lists(
        st.sampled_from([0.0, -0.0, 1.0, True, False, 0, 1, 2.5, "KAZ", "", None]),
        min_size=8,
        max_size=8,
    ),
    edit=st.tuples(
        st.integers(0, 7), st.sampled_from([0.0, -0.0, 1.0, True, False, 0, 1, 2.5, "x", None])
    ),
)
def test_a_remembered_key_is_the_written_key_of_the_same_content(
    cells_drawn: list[object], edit: tuple[int, object]
) -> None:
    """Property: whatever a remembered range is compared with, the key equals the key of
    that range written out, so equal keys mean equal cells, types and signs included."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cells, "RECENT_MIN_CELLS", 1)
        cells.clear_cache()
        data: Rows = [cells_drawn[:4], cells_drawn[4:]]
        cells._content_key(data)
        edited = copy_rows(data)
        edited[edit[0] // 4][edit[0] % 4] = edit[1]
        got = cells._content_key(edited)
        assert got == cells._written_key(edited)
        assert (got == cells._written_key(data)) == (
            cells._written_key(edited) == cells._written_key(data)
        )


# ----------------------------------------------------------- the matrix's table
def test_matrix_of_199_economies_matches_the_api() -> None:
    """The size the speed goal is measured at; built, then from the cache, the same."""
    frame = extended_example(199)
    rows = frame_rows(frame)
    want = _expected_matrix(siei.Panel.from_wide(frame), 2015)
    first = udfs.SIEI_PAIR_MATRIX(copy_rows(rows), 2015.0)
    assert len(first) == len(want) == 200
    _assert_close(first, want)
    again = udfs.SIEI_PAIR_MATRIX(copy_rows(rows), 2015.0)
    assert again == first  # bit for bit: the same floats
    cells.clear_tables()
    assert udfs.SIEI_PAIR_MATRIX(copy_rows(rows), 2015.0) == first


def test_a_returned_matrix_can_be_edited_without_changing_the_next() -> None:
    rows = example_rows()
    first = udfs.SIEI_PAIR_MATRIX(copy_rows(rows), 2015.0)
    pristine = [list(r) for r in first]
    first[1][2] = "edited"
    first[2].append("extra")
    first.append(["more"])
    again = udfs.SIEI_PAIR_MATRIX(copy_rows(rows), 2015.0)
    assert again == pristine
    assert all(a is not b for a, b in zip(again, first, strict=False))


def test_an_edited_cell_gives_a_new_matrix_and_back(rows: Rows) -> None:
    frame = siei.example_frame()
    before = udfs.SIEI_PAIR_MATRIX(copy_rows(rows), 2015.0)
    edited = set_cell(rows, find_row(rows, "KAZ", 2015), 2, 30000.0)
    after = udfs.SIEI_PAIR_MATRIX(edited, 2015.0)
    want = siei.Panel.from_wide(with_frame_value(frame, "KAZ", 2015, "gdp_pc_ppp", 30000.0))
    _assert_close(after, _expected_matrix(want, 2015))
    assert after[1][2] != before[1][2]
    # the original content gives the original table again
    assert udfs.SIEI_PAIR_MATRIX(copy_rows(rows), 2015.0) == before


def test_true_for_one_in_the_range_is_not_a_cached_matrix(rows: Rows) -> None:
    i = find_row(rows, "KAZ", 2015)
    one = udfs.SIEI_PAIR_MATRIX(set_cell(rows, i, 3, 1.0), 2015.0)
    assert is_plain_number(one[1][2])
    true = udfs.SIEI_PAIR_MATRIX(set_cell(rows, i, 3, True), 2015.0)
    assert error_code(true) == "#VALUE!"
    assert "True" in true
    assert "gdp_growth" in true
    assert udfs.SIEI_PAIR_MATRIX(set_cell(rows, i, 3, 1.0), 2015.0) == one


def test_every_option_is_part_of_the_matrix_key(rows: Rows) -> None:
    """Each call after the first changes one option: each must give the API's table for
    its own options, not the one cached before it."""
    panel = siei.example_panel()
    calls: list[tuple[tuple[object, ...], int, dict[str, object]]] = [
        ((2015.0,), 2015, {}),
        ((2016.0,), 2016, {}),
        ((2015.0, "KAZ, RUS"), 2015, {"countries": ["KAZ", "RUS"]}),
        ((2015.0, "RUS, KAZ"), 2015, {"countries": ["RUS", "KAZ"]}),
        ((2015.0, None, "gdp_growth"), 2015, {"indicators": "gdp_growth"}),
        ((2015.0, None, None, "pooled"), 2015, {"standardize": "pooled"}),
        ((2015.0, None, None, None, 0.0), 2015, {"ddof": 0}),
    ]
    tables = []
    for args, year, options in calls:
        got = udfs.SIEI_PAIR_MATRIX(copy_rows(rows), *args)
        _assert_close(got, _expected_matrix(panel, year, **options))
        tables.append(got)
    # and the same calls again, now from the cache, give the same tables
    for (args, _, _), table in zip(calls, tables, strict=True):
        assert udfs.SIEI_PAIR_MATRIX(copy_rows(rows), *args) == table


def test_gaps_keep_their_reasons_when_cached(rows: Rows) -> None:
    data = set_cell(rows, find_row(rows, "KAZ", 2015), 2, "..")
    reason = "#N/A: KAZ has no value for gdp_pc_ppp in 2015"
    for _ in range(2):
        listed = udfs.SIEI_PAIR_MATRIX(copy_rows(data), 2015.0, "KAZ, RUS")
        assert listed == [["country", "KAZ", "RUS"], ["KAZ", reason, reason], ["RUS", reason, 0.0]]


def test_errors_are_not_cached_as_tables(rows: Rows) -> None:
    """A year absent from the data is an error each time, and the good year still works."""
    for _ in range(2):
        assert error_code(udfs.SIEI_PAIR_MATRIX(copy_rows(rows), 2030.0)) == "#N/A"
    assert udfs.SIEI_PAIR_MATRIX(copy_rows(rows), 2015.0)[0][1:] == list(EXAMPLE_COUNTRIES)


def test_many_matrices_do_not_push_out_the_parsed_range(rows: Rows) -> None:
    """A matrix per year (more than the table cache holds) leaves the panel cached."""
    panel = cells.panel_from_cells(copy_rows(rows))
    years = range(1995, 1995 + cells.TABLE_CACHE_SIZE + cells.CACHE_SIZE + 2)
    for year in years:
        assert len(udfs.SIEI_PAIR_MATRIX(copy_rows(rows), float(min(year, 2024)))) == 9
    assert len(cells._tables) <= cells.TABLE_CACHE_SIZE
    assert cells.panel_from_cells(copy_rows(rows)) is panel


def test_dates_in_the_range_are_cached_and_still_edited(rows: Rows) -> None:
    stamp = dt.datetime(2024, 5, 1)
    data = [[*row, "note" if i == 0 else stamp] for i, row in enumerate(rows)]
    want = udfs.SIEI_PAIR_MATRIX(rows, 2015.0)
    assert udfs.SIEI_PAIR_MATRIX(copy_rows(data), 2015.0) == want
    assert udfs.SIEI_PAIR_MATRIX(copy_rows(data), 2015.0) == want
    later = [[*row[:-1], stamp + dt.timedelta(days=1)] if i else row for i, row in enumerate(data)]
    assert udfs.SIEI_PAIR_MATRIX(later, 2015.0) == want  # a note column: same numbers
    assert cells._content_key(later) != cells._content_key(data)
    assert all(math.isfinite(v) for r in want[1:] for v in r[1:] if isinstance(v, float))


def test_a_table_of_expert_cells_reads_the_poll_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """SIEI_EXPERT cells over one poll share its summary (Kendall's W once per poll, not
    once per cell); an edited score is a new poll, and the numbers stay the pandas API's."""
    from siei_xl import experts
    from siei_xl.example import example_experts

    cells.clear_cache()
    poll = [list(r) for r in example_experts()]
    built: list[int] = []
    original = experts.expert_summary

    def counting(scores: experts.ExpertScores) -> object:
        built.append(1)
        return original(scores)

    monkeypatch.setattr(cells, "expert_summary", counting)
    args = ("EAEU", "common institutions", 2024.0)
    values = [udfs.SIEI_EXPERT(copy_rows(poll), *args, s) for s in ("mean", "W", "p", "n")]
    assert len(built) == 1
    for value, word in zip(values, ("mean", "w", "p_value", "n_experts"), strict=True):
        assert value == experts.expert_value(poll, *args[:2], 2024, word)
    edited = copy_rows(poll)
    row = next(i for i, r in enumerate(edited) if r[1:4] == ["EAEU", "common institutions", 2024])
    edited[row][4] = 1.0 if edited[row][4] != 1.0 else 2.0
    moved = udfs.SIEI_EXPERT(edited, *args, "mean")
    assert len(built) == 2
    assert moved == experts.expert_value(edited, *args[:2], 2024, "mean") != values[0]


def test_a_table_is_built_for_its_first_caller_then_once_for_the_cache() -> None:
    """The first caller gets the rows just built (no copy); a second call builds the
    cache's own copy; later calls copy that. No caller's edit reaches another."""
    built: list[int] = []

    def build() -> list[list[object]]:
        built.append(1)
        return [["country", "A"], ["A", 0.0]]

    key = ("test-table", object())
    tables = [cells.cached_table(key, build) for _ in range(5)]
    assert len(built) == 2
    for table in tables:
        table[1][1] = "edited"
        table.append(["more"])
    assert cells.cached_table(key, build) == [["country", "A"], ["A", 0.0]]
    assert len(built) == 2
