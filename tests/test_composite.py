"""The composite index: min-max scaling over every row of the run, turned around for
distances, averaged with equal or user weights over the components a row has.

Reference values are hand computations written out in each test; Hypothesis checks that the
composite lies in [0, 1] and does not depend on the units or the row order of a component.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from siei_xl import udfs
from siei_xl.composite import composite_index, split_table
from siei_xl.core.composite import min_max, weighted_mean
from siei_xl.exceptions import DataError, OptionError

REL = 1e-12


def approx(value: object) -> object:
    return pytest.approx(value, rel=REL, abs=1e-15)


@pytest.fixture
def scores() -> pd.DataFrame:
    """Two pairs over two years: a trade score (higher = more integrated), a distance."""
    return pd.DataFrame(
        {
            "pair": ["KAZ-RUS", "KAZ-CHN", "KAZ-RUS", "KAZ-CHN"],
            "year": [2015, 2015, 2016, 2016],
            "trade": [0.04, 0.01, 0.05, 0.02],
            "distance": [1.0, 3.0, 2.0, 5.0],
        }
    )


def test_min_max_by_hand() -> None:
    assert min_max([1.0, 2.0, 3.0]).tolist() == [0.0, 0.5, 1.0]
    assert min_max([1.0, 2.0, 3.0], higher_is_better=False).tolist() == [1.0, 0.5, 0.0]
    scaled = min_max([4.0, math.nan, 8.0, 5.0])
    assert scaled[[0, 2, 3]].tolist() == [0.0, 1.0, 0.25]
    assert math.isnan(scaled[1])
    assert np.isnan(min_max([2.0, 2.0])).all()
    assert np.isnan(min_max([math.nan, math.nan])).all()


def test_weighted_mean_by_hand() -> None:
    # row 1: (3*0 + 1*1) / 4; row 2: only the second component, so its value
    score, count = weighted_mean([[0.0, 1.0], [math.nan, 0.4], [math.nan, math.nan]], [3.0, 1.0])
    assert score[:2].tolist() == approx([0.25, 0.4])
    assert math.isnan(score[2])
    assert count.tolist() == [2.0, 1.0, 0.0]


def test_equal_weights_scaled_over_all_rows(scores: pd.DataFrame) -> None:
    # trade over all four rows: min 0.01, max 0.05 -> 0.75, 0, 1, 0.25
    # distance, lower = better, min 1, max 5 -> 1 - (d - 1)/4 = 1, 0.5, 0.75, 0
    out = composite_index(scores, {"trade": "higher", "distance": "lower"})
    assert list(out.columns) == [
        "pair",
        "year",
        "composite",
        "n_components",
        "trade_scaled",
        "distance_scaled",
    ]
    assert out["trade_scaled"].tolist() == approx([0.75, 0.0, 1.0, 0.25])
    assert out["distance_scaled"].tolist() == approx([1.0, 0.5, 0.75, 0.0])
    assert out["composite"].tolist() == approx([0.875, 0.25, 0.875, 0.125])
    assert out["n_components"].tolist() == [2, 2, 2, 2]
    assert out[["pair", "year"]].equals(scores[["pair", "year"]])
    assert out.attrs["directions"] == {"trade": "higher", "distance": "lower"}
    assert out.attrs["weights"] == {"trade": 1.0, "distance": 1.0}


def test_scaling_is_over_the_whole_run_not_per_year(scores: pd.DataFrame) -> None:
    one_year = composite_index(scores[scores["year"] == 2015], {"trade": "higher"})
    # within 2015 alone KAZ-RUS is the maximum (1.0); over both years it scores 0.75
    assert one_year["composite"].tolist() == approx([1.0, 0.0])
    both = composite_index(scores, {"trade": "higher"})
    assert both["composite"].iloc[0] == approx(0.75)


def test_user_weights(scores: pd.DataFrame) -> None:
    # (3 * trade + 1 * distance) / 4 on the scaled values of the test above
    out = composite_index(
        scores, {"trade": "higher", "distance": "lower"}, weights={"trade": 3.0, "distance": 1.0}
    )
    expected = [(3 * t + d) / 4 for t, d in [(0.75, 1.0), (0.0, 0.5), (1.0, 0.75), (0.25, 0.0)]]
    assert out["composite"].tolist() == approx(expected)
    # a component left out of the weights keeps weight 1
    partial = composite_index(
        scores, {"trade": "higher", "distance": "lower"}, weights={"trade": 3}
    )
    assert partial["composite"].tolist() == approx(expected)
    # weight 0 drops a component from the score but not from the count
    zero = composite_index(
        scores, {"trade": "higher", "distance": "lower"}, weights={"distance": 0.0}
    )
    assert zero["composite"].tolist() == approx([0.75, 0.0, 1.0, 0.25])


def test_direction_words() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]})
    for word, first in [("more", 0.0), (" Higher ", 0.0), ("LESS", 1.0), ("distance", 1.0)]:
        out = composite_index(frame, {"a": word})
        assert out["composite"].iloc[0] == first, word


def test_missing_component_is_averaged_over_what_the_row_has(scores: pd.DataFrame) -> None:
    holes = scores.copy()
    holes.loc[1, "distance"] = math.nan  # KAZ-CHN 2015: trade only
    holes.loc[3, ["trade", "distance"]] = math.nan  # KAZ-CHN 2016: nothing
    out = composite_index(holes, {"trade": "higher", "distance": "lower"})
    # trade over the three rows that have it: 0.04, 0.01, 0.05 -> 0.75, 0, 1
    # distance over 1.0 and 2.0 -> 1, 0 (turned around)
    assert out["composite"].iloc[:3].tolist() == approx([0.875, 0.0, 0.5])
    assert math.isnan(out["composite"].iloc[3])
    assert out["n_components"].tolist() == [2, 1, 2, 0]


@pytest.mark.parametrize(
    ("directions", "weights", "error", "message"),
    [
        ({"trade": "higher", "distance": "closer"}, None, OptionError, "'distance'.*'closer'"),
        ({}, None, OptionError, "at least one component"),
        ({"tarde": "higher"}, None, DataError, "'tarde' is not a column"),
        ({"trade": "higher"}, {"trade": -1.0}, OptionError, "non-negative"),
        ({"trade": "higher"}, {"trade": 0.0}, OptionError, "not all zero"),
        ({"trade": "higher"}, {"trade": math.inf}, OptionError, "non-negative numbers"),
        ({"trade": "higher"}, {"distance": 2.0}, OptionError, "'distance', which is not a comp"),
        ({"pair": "higher"}, None, DataError, "must hold numbers"),
    ],
)
def test_composite_errors(
    scores: pd.DataFrame,
    directions: dict[str, str],
    weights: dict[str, float] | None,
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        composite_index(scores, directions, weights=weights)


def test_constant_component_is_an_error(scores: pd.DataFrame) -> None:
    flat = scores.assign(distance=2.0)
    with pytest.raises(DataError, match="'distance' has the same value in every row"):
        composite_index(flat, {"trade": "higher", "distance": "lower"})


def test_component_without_values_is_an_error(scores: pd.DataFrame) -> None:
    empty = scores.assign(distance=math.nan)
    with pytest.raises(DataError, match="'distance' has no values"):
        composite_index(empty, {"trade": "higher", "distance": "lower"})
    with pytest.raises(DataError, match="infinite"):
        composite_index(scores.assign(trade=math.inf), {"trade": "higher"})


def test_split_table() -> None:
    rows = [
        ["pair", "Year", "trade", "distance", None, "comment"],
        ["KAZ-RUS", 2015.0, 0.04, "..", None, "x"],
        ["KAZ-CHN", 2015.0, "0.01", 3.0, None, None],
    ]
    # a year column holds numbers but labels the row; a blank header is skipped
    assert split_table(rows) == (["pair", "Year", "comment"], ["trade", "distance"])


def test_composite_from_raw_cells(scores: pd.DataFrame) -> None:
    cells = [["pair", "year", "trade", "distance"]]
    cells += [[p, float(y), t, d] for p, y, t, d in scores.itertuples(index=False)]
    cells[2][3] = ".."  # KAZ-CHN 2015 has no distance
    result = udfs.SIEI_COMPOSITE(cells, "higher, lower")
    assert result[0] == ["pair", "year", "composite", "n_components"]
    assert [row[:2] for row in result[1:]] == [row[:2] for row in cells[1:]]
    # distance over 1, 2, 5 (turned around): 1, 0.75, 0
    assert [row[2] for row in result[1:]] == approx([0.875, 0.0, 0.875, 0.125])
    assert [row[3] for row in result[1:]] == [2.0, 1.0, 2.0, 2.0]


# ------------------------------------------------------------------ properties
grid = st.integers(-1000, 1000).map(lambda i: i / 10)
components = st.lists(grid, min_size=2, max_size=12).filter(lambda v: len(set(v)) > 1)


@given(
    st.lists(st.tuples(grid, grid), min_size=2, max_size=12), st.sampled_from(["higher", "lower"])
)
def test_composite_lies_between_0_and_1(pairs: list[tuple[float, float]], direction: str) -> None:
    frame = pd.DataFrame(pairs, columns=["a", "b"])
    assume(frame["a"].nunique() > 1 and frame["b"].nunique() > 1)
    out = composite_index(frame, {"a": "higher", "b": direction})
    assert out["composite"].between(0.0, 1.0).all()
    assert out["n_components"].eq(2).all()


@given(components, st.floats(1e-3, 1e3), st.floats(-1e3, 1e3))
def test_composite_does_not_depend_on_units(
    values: list[float], factor: float, shift: float
) -> None:
    frame = pd.DataFrame({"x": values})
    base = composite_index(frame, {"x": "higher"})["composite"].to_numpy()
    moved = composite_index(frame.assign(x=frame["x"] * factor + shift), {"x": "higher"})
    assert moved["composite"].to_numpy() == pytest.approx(base, rel=1e-9, abs=1e-9)
    # a distance turned around is the negated score taken as higher-is-better
    negated = composite_index(frame.assign(x=-frame["x"]), {"x": "lower"})
    assert negated["composite"].to_numpy() == pytest.approx(base, rel=1e-12, abs=1e-12)


@given(components, st.randoms(use_true_random=False))
def test_composite_does_not_depend_on_row_order(values: list[float], rnd: random.Random) -> None:
    frame = pd.DataFrame({"id": range(len(values)), "x": values})
    order = list(range(len(values)))
    rnd.shuffle(order)
    base = composite_index(frame, {"x": "lower"}).set_index("id")["composite"]
    shuffled = composite_index(frame.iloc[order], {"x": "lower"}).set_index("id")["composite"]
    assert shuffled.sort_index().tolist() == base.sort_index().tolist()
