"""SIEI_EXPERT and SIEI_EXPERT_TABLE, called with raw cell values as a spreadsheet gives them.

The poll is the hand-worked one of ``test_experts.py`` (W = 27/29 for ``trade``), placed on
a sheet as a user would: an instruction line above the header, codes in any case and with
stray spaces, every number a float, blank rows below. Every number must equal what the
pandas API (:mod:`siei_xl.experts`) computes on the same rows; every failure is
``"#CODE: reason"`` text naming the row, as the pandas API names it.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from udf_helpers import error_code

from siei_xl import udfs
from siei_xl.experts import ExpertScores, expert_summary, expert_value

HEADER = ["expert", "grouping", "criterion", "year", "score"]
# 3 experts score 4 groupings on trade (2020) and on customs (2020, 2021): see test_experts.
HAND = {"A": (9, 7, 5, 3), "B": (8, 8, 4, 2), "C": (6, 9, 5, 1)}
GROUPINGS = ("EAEU", "CIS", "SCO", "CU")


def poll() -> list[list[object]]:
    """The poll as Excel hands over ``Experts!A1:E40``: title line, header, rows, blanks."""
    rows: list[list[object]] = [["Experts: one row per expert...", None, None, None, None]]
    rows.append(list(HEADER))
    for expert, scores in HAND.items():
        for grouping, score in zip(GROUPINGS, scores, strict=True):
            rows.append([expert, f" {grouping.lower()} ", "trade", 2020.0, float(score)])
            rows.append([expert, grouping, "Customs", 2020.0, float(10 - score)])
            rows.append([expert, grouping, "Customs", 2021.0, float(min(score + 1, 10))])
    rows += [[None] * 5 for _ in range(5)]
    return rows


def clean() -> list[list[object]]:
    """The same poll as the pandas API reads it (header first, no blanks)."""
    return [r for r in poll()[1:] if r[0] is not None]


@pytest.mark.parametrize(
    ("word", "column"),
    [
        (None, "mean"),
        ("mean", "mean"),
        ("Median", "median"),
        ("sd", "sd"),
        ("n", "n_experts"),
        ("min", "min"),
        ("MAX", "max"),
        ("W", "w"),
        ("p", "p_value"),
        ("p_value", "p_value"),
    ],
)
@pytest.mark.parametrize("grouping", ["EAEU", "sco"])
def test_every_statistic_equals_the_pandas_api(word: object, column: str, grouping: str) -> None:
    got = udfs.SIEI_EXPERT(poll(), grouping, " trade ", 2020.0, word)
    assert type(got) is float
    assert got == expert_value(clean(), grouping, "trade", 2020, column)


def test_the_hand_worked_values() -> None:
    # EAEU on trade: 9, 8, 6 -> mean 23/3, median 8, min 6, max 9, sd sqrt(7/3)
    assert udfs.SIEI_EXPERT(poll(), "EAEU", "trade", 2020.0) == pytest.approx(23 / 3, abs=1e-15)
    assert udfs.SIEI_EXPERT(poll(), "EAEU", "trade", 2020.0, "median") == 8.0
    assert udfs.SIEI_EXPERT(poll(), "EAEU", "trade", 2020.0, "sd") == pytest.approx(
        math.sqrt(7 / 3), rel=1e-14
    )
    assert udfs.SIEI_EXPERT(poll(), "EAEU", "trade", 2020.0, "W") == pytest.approx(
        float(Fraction(27, 29)), abs=1e-15
    )


def test_defaults_latest_year_and_mean_over_criteria() -> None:
    # no year: the latest (2021, customs only); no criterion: the mean over criteria
    assert udfs.SIEI_EXPERT(poll(), "EAEU") == expert_value(clean(), "EAEU")
    assert udfs.SIEI_EXPERT(poll(), "EAEU", None, None) == pytest.approx((10 + 9 + 7) / 3)
    both = udfs.SIEI_EXPERT(poll(), "CU", "", 2020.0)
    assert both == pytest.approx(((3 + 2 + 1) / 3 + (7 + 8 + 9) / 3) / 2)
    assert udfs.SIEI_EXPERT(poll(), "CU", None, "2020", "n") == 3.0


def test_an_error_cell_or_blank_is_no_score_never_zero() -> None:
    for marker in ("#N/A", None, ".."):
        rows = poll()
        rows[26][4] = marker  # C's score of EAEU on trade
        assert udfs.SIEI_EXPERT(rows, "EAEU", "trade", 2020.0, "n") == 2.0
        assert udfs.SIEI_EXPERT(rows, "EAEU", "trade", 2020.0) == 8.5


def test_scale_argument() -> None:
    rows = poll()
    rows[2][4] = 0.0  # a 0 is outside 1-10 but inside 0-10
    assert error_code(udfs.SIEI_EXPERT(rows, "EAEU", "trade", 2020.0)) == "#VALUE!"
    got = udfs.SIEI_EXPERT(rows, "EAEU", "trade", 2020.0, "min", "0-10")
    assert got == 0.0


@pytest.mark.parametrize(
    ("edit", "args", "code", "fragments"),
    [
        ((2, 4, 11.0), ("EAEU", "trade", 2020.0), "#VALUE!", ["experts row 3", "outside"]),
        ((5, 4, "8,5"), ("EAEU", "trade", 2020.0), "#VALUE!", ["experts row 6", "'8,5'"]),
        ((3, 2, "trade"), ("EAEU",), "#VALUE!", ["rows 3 and 4", "keep one"]),
        ((4, 3, "last"), ("EAEU",), "#VALUE!", ["experts row 5", "'last' is not a year"]),
        (None, ("EEU", "trade", 2020.0), "#N/A", ["grouping 'EEU'"]),
        (None, ("EAEU", "labour", 2020.0), "#N/A", ["criterion 'labour'", "known: Customs, trade"]),
        (None, ("EAEU", "trade", 2019.0), "#N/A", ["in 2019"]),
        (None, ("EAEU", None, 2020.0, "W"), "#VALUE!", ["give a criterion"]),
        (None, ("EAEU", "trade", 2020.0, "mode"), "#VALUE!", ["statistic", "'mode'"]),
        (None, ("EAEU", "trade", 2020.0, "mean", "10-1"), "#VALUE!", ["scale"]),
        (None, (None,), "#VALUE!", ["grouping is blank"]),
    ],
)
def test_mistakes_are_error_texts_naming_the_row(
    edit: tuple[int, int, object] | None, args: tuple[object, ...], code: str, fragments: list[str]
) -> None:
    rows = poll()
    if edit is not None:
        r, c, value = edit
        rows[r][c] = value
    got = udfs.SIEI_EXPERT(rows, *args)
    assert isinstance(got, str), got
    assert error_code(got) == code, got
    for fragment in fragments:
        assert fragment in got, (fragment, got)


def test_the_row_numbers_are_the_sheets_from_a1() -> None:
    """A range from A1 (title line above the header): 'row N' is the sheet's row N."""
    rows = poll()
    rows[7][4] = 12.0
    assert "experts row 8:" in udfs.SIEI_EXPERT(rows, "EAEU")
    with pytest.raises(Exception, match="experts row 8:"):
        ExpertScores.from_cells(rows)


def test_one_expert_has_no_sd_or_w() -> None:
    rows = [HEADER, ["A", "EAEU", "trade", 2020.0, 7.0], ["A", "CIS", "trade", 2020.0, 5.0]]
    assert error_code(udfs.SIEI_EXPERT(rows, "EAEU", "trade", 2020.0, "sd")) == "#N/A"
    assert error_code(udfs.SIEI_EXPERT(rows, "EAEU", "trade", 2020.0, "W")) == "#N/A"


def test_the_table_equals_the_summary() -> None:
    got = udfs.SIEI_EXPERT_TABLE(poll())
    want = expert_summary(ExpertScores.from_rows(HEADER, clean()[1:]))
    assert got[0] == [
        "grouping",
        "criterion",
        "year",
        "n_experts",
        "mean",
        "median",
        "sd",
        "min",
        "max",
        "w",
        "p_value",
    ]
    assert len(got) == len(want) + 1 == 1 + 4 * 3
    for row, record in zip(got[1:], want.to_dict("records"), strict=True):
        assert row[:3] == [record["grouping"], record["criterion"], float(record["year"])]
        for value, column in zip(row[3:], got[0][3:], strict=True):
            assert type(value) is float
            assert value == record[column], column


def test_the_table_marks_what_is_not_available() -> None:
    rows = [HEADER, ["A", "EAEU", "trade", 2020.0, 7.0], ["A", "CIS", "trade", 2020.0, 5.0]]
    got = udfs.SIEI_EXPERT_TABLE(rows, "1-10")
    sd, w = got[1][6], got[1][9]
    assert error_code(sd) == "#N/A"
    assert "one expert" in sd
    assert error_code(w) == "#N/A"
    assert "2 or more experts" in w
    assert error_code(udfs.SIEI_EXPERT_TABLE([HEADER])) == "#VALUE!"


JUNK = st.one_of(
    st.none(),
    st.sampled_from(["", "..", "#N/A", "EAEU", " cis ", "trade", "x", "8,5", "W", "p", "1-10"]),
    st.booleans(),
    st.sampled_from([0.0, -1.0, 5.0, 11.0, 2020.0, 2020.5, 1e300, math.nan, math.inf]),
    st.floats(-1e6, 1e6),
)
ARG = st.one_of(JUNK, st.lists(JUNK, max_size=3), st.lists(st.lists(JUNK, max_size=3), max_size=2))


@st.composite
def damaged_poll(draw: st.DrawFn) -> list[list[object]]:
    rows = poll()
    for _ in range(draw(st.integers(0, 3))):
        rows[draw(st.integers(0, len(rows) - 1))][draw(st.integers(0, 4))] = draw(JUNK)
    return rows


@given(damaged_poll(), st.lists(ARG, min_size=5, max_size=5))
def test_no_input_makes_the_expert_functions_raise(
    rows: list[list[object]], args: list[object]
) -> None:
    for result in (udfs.SIEI_EXPERT(rows, *args), udfs.SIEI_EXPERT_TABLE(rows, args[0])):
        cells = result if isinstance(result, list) else [[result]]
        for row in cells:
            for value in row:
                if isinstance(value, str) and value.startswith("#"):
                    assert error_code(value) is not None, value
                    assert len(value) <= 255
                elif not isinstance(value, str):
                    assert type(value) is float, value
                    assert math.isfinite(value)
