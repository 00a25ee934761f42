"""The institutional block: expert scores, their summary and Kendall's W."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from siei_xl.cli import main
from siei_xl.core.agreement import average_ranks, kendall_w
from siei_xl.exceptions import DataError, DuplicateRowError, NonNumericError, OptionError
from siei_xl.experts import (
    ExpertScores,
    agreement,
    expert_summary,
    expert_value,
    institutional_index,
    parse_scale,
    read_experts,
)

HEADER = ["expert", "grouping", "criterion", "year", "score"]

# The hand-worked table: 3 experts (rows) score 4 groupings (columns).
#   expert A: 9 7 5 3 -> ranks 4   3   2 1
#   expert B: 8 8 4 2 -> ranks 3.5 3.5 2 1   (one tie of t = 2: T_B = 2^3 - 2 = 6)
#   expert C: 6 9 5 1 -> ranks 3   4   2 1
# rank sums R = 10.5, 10.5, 6, 3; mean m(n+1)/2 = 7.5; S = 9 + 9 + 2.25 + 20.25 = 40.5
# W = 12 S / (m^2 (n^3 - n) - m sum T) = 486 / (9 * 60 - 3 * 6) = 486 / 522 = 27/29
# chi2 = m (n - 1) W = 9 * 27/29 = 243/29, df = 3
HAND = [[9, 7, 5, 3], [8, 8, 4, 2], [6, 9, 5, 1]]
GROUPINGS = ["EAEU", "CIS", "SCO", "CU"]


def hand_rows(criterion: str = "trade", year: int = 2020) -> list[list[object]]:
    return [
        [expert, g, criterion, year, score]
        for expert, scores in zip("ABC", HAND, strict=True)
        for g, score in zip(GROUPINGS, scores, strict=True)
    ]


def test_ranks_share_ties() -> None:
    assert average_ranks(HAND).tolist() == [[4, 3, 2, 1], [3.5, 3.5, 2, 1], [3, 4, 2, 1]]


def test_kendall_w_of_the_hand_worked_table() -> None:
    result = kendall_w(HAND)
    assert result.w == pytest.approx(float(Fraction(27, 29)), abs=1e-15)
    assert result.chi2 == pytest.approx(243 / 29, abs=1e-12)
    assert (result.df, result.m, result.n) == (3, 3, 4)


def test_kendall_w_agrees_with_friedmans_test_in_scipy() -> None:
    # Independent route: W = chi2_Friedman / (m (n - 1)); scipy corrects for ties the same way.
    chi2 = stats.friedmanchisquare(*np.array(HAND, dtype=float).T).statistic
    assert kendall_w(HAND).w == pytest.approx(chi2 / (3 * 3), rel=1e-12)


@given(
    st.integers(2, 6).flatmap(
        lambda m: st.integers(3, 7).flatmap(
            lambda n: st.lists(
                st.lists(st.integers(1, 5), min_size=n, max_size=n), min_size=m, max_size=m
            )
        )
    )
)
def test_kendall_w_equals_friedman_on_random_tables(table: list[list[int]]) -> None:
    x = np.array(table, dtype=float)
    result = kendall_w(x)
    if math.isnan(result.w):  # every expert ties everything: Friedman is undefined too
        assert all(len(set(row)) == 1 for row in table)
        return
    m, n = x.shape
    chi2 = stats.friedmanchisquare(*x.T).statistic
    assert result.w == pytest.approx(chi2 / (m * (n - 1)), rel=1e-9, abs=1e-12)
    assert 0 <= result.w <= 1 + 1e-12


def test_perfect_agreement_is_one_and_reversed_pairs_are_zero() -> None:
    assert kendall_w([[1, 2, 3, 4]] * 5).w == 1.0
    assert kendall_w([[3, 1, 2], [3, 1, 2], [30, 10, 20]]).w == 1.0  # only the order counts
    assert kendall_w([[1, 2, 3], [3, 2, 1]]).w == 0.0  # rank sums all equal: S = 0


def test_summary_and_agreement_of_the_hand_table() -> None:
    scores = ExpertScores.from_rows(HEADER, hand_rows())
    summary = expert_summary(scores)
    eaeu = summary[summary["grouping"] == "EAEU"].iloc[0]
    # EAEU scores 9, 8, 6: mean 23/3, median 8, sd sqrt(((4/3)^2 + (1/3)^2 + (5/3)^2) / 2)
    assert eaeu["mean"] == pytest.approx(23 / 3)
    assert eaeu["median"] == 8
    assert eaeu["sd"] == pytest.approx(math.sqrt((16 + 1 + 25) / 9 / 2))
    assert (eaeu["min"], eaeu["max"], eaeu["n_experts"]) == (6, 9, 3)
    assert eaeu["w"] == pytest.approx(27 / 29)
    # p-value: upper tail of chi-square(3) at 243/29, from scipy's distribution
    assert eaeu["p_value"] == pytest.approx(stats.chi2.sf(243 / 29, 3))
    assert 0.03 < eaeu["p_value"] < 0.05


def test_an_expert_missing_a_grouping_is_left_out_of_w_and_said_so() -> None:
    rows = [*hand_rows(), ["D", "EAEU", "trade", 2020, 5]]
    row = agreement(ExpertScores.from_rows(HEADER, rows)).iloc[0]
    assert row["w"] == pytest.approx(27 / 29)
    assert row["n_experts"] == 3
    assert "1 expert(s) did not score every grouping" in row["note"]


def test_institutional_index_is_the_mean_over_criteria() -> None:
    rows = hand_rows("trade") + hand_rows("institutions")
    rows = [r if r[2] == "trade" or r[1] != "EAEU" else [*r[:4], 10 - r[4]] for r in rows]
    summary = expert_summary(ExpertScores.from_rows(HEADER, rows))
    index = institutional_index(summary, "eaeu")
    # trade mean 23/3; institutions: 1, 2, 4 -> 7/3; mean of the two = 5
    assert index["score"].tolist() == [pytest.approx(5.0)]
    assert index["n_criteria"].tolist() == [2]


@pytest.mark.parametrize(
    ("row", "error", "message"),
    [
        (["A", "EAEU", "trade", 2020, 11], DataError, "row 14: score 11 is outside the scale 1-10"),
        (["A", "EAEU", "trade", 2020, 0], DataError, "row 14: score 0 is outside"),
        (["A", "EAEU", "trade", 2020, "8,5"], NonNumericError, "row 14: score '8,5' is not"),
        (["A", "eaeu ", "Trade", 2020, 7], DuplicateRowError, "rows 2 and 14 both hold A's score"),
        (["", "EAEU", "trade", 2020, 7], DataError, "row 14: the expert cell is blank"),
        (["A", "EAEU", "trade", "last", 7], DataError, "row 14: 'last' is not a year"),
    ],
)
def test_bad_scores_name_the_row(row, error, message) -> None:
    with pytest.raises(error, match=message):
        ExpertScores.from_rows(HEADER, [*hand_rows(), row])


def test_a_blank_score_is_no_score_not_zero() -> None:
    scores = ExpertScores.from_rows(HEADER, [*hand_rows(), ["D", "EAEU", "trade", 2020, ""]])
    assert len(scores.frame) == 12


@pytest.mark.parametrize("bad", ["10-1", "1to10", "a-b", (1,)])
def test_bad_scales_are_refused(bad) -> None:
    with pytest.raises(OptionError, match="scale"):
        parse_scale(bad)


def test_expert_value_is_the_pure_function_behind_the_spreadsheet_function() -> None:
    rows = [HEADER, *hand_rows()]
    assert expert_value(rows, "CIS", "trade", 2020) == 8.0
    assert expert_value(rows, "CIS", "trade", 2020, "median") == 8.0
    assert expert_value(rows, "cis", "TRADE", None, "w") == pytest.approx(27 / 29)
    with pytest.raises(OptionError, match="statistic must be one of"):
        expert_value(rows, "CIS", "trade", 2020, "mode")


def test_cli_prints_and_writes_the_summary(tmp_path: Path, capsys) -> None:
    poll = tmp_path / "poll.csv"
    poll.write_text(
        "\n".join(",".join(map(str, r)) for r in [HEADER, *hand_rows()]) + "\n", encoding="utf-8"
    )
    assert main(["experts", str(poll)]) == 0
    out = capsys.readouterr().out
    assert "12 scores by 3 experts, scale 1-10" in out
    assert "0.931" in out
    target = tmp_path / "summary.csv"
    assert main(["experts", str(poll), "-o", str(target)]) == 0
    assert len(read_experts(poll).frame) == 12
    assert target.read_text(encoding="utf-8").startswith("grouping,criterion,year,n_experts")
    assert main(["experts", str(poll), "-o", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["experts", str(poll), "--scale", "1-5"]) == 2
    assert "row 2: score 9 is outside the scale 1-5" in capsys.readouterr().err


def test_a_workbook_is_read_from_its_experts_sheet(tmp_path: Path) -> None:
    import pandas as pd

    path = tmp_path / "poll.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="Notes", index=False)
        table = pd.DataFrame(hand_rows(), columns=HEADER)
        table.to_excel(writer, sheet_name="Experts", index=False, startrow=1)
    scores = read_experts(path)
    assert len(scores.frame) == 12
    assert scores.frame["row"].min() == 3  # a title line above the header: rows as Excel shows
