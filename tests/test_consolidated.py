"""The consolidated indices against a hand computation."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from siei_xl.consolidated import consolidated, consolidated_indices
from siei_xl.exceptions import DataError, OptionError

NAN = math.nan


def block(values: list[float], countries: tuple[str, ...] = ("KAZ", "RUS")) -> pd.DataFrame:
    keys = [(y, c) for y in (2010, 2011) for c in countries]
    return pd.DataFrame(
        {"year": [k[0] for k in keys], "country": [k[1] for k in keys], "value": values}
    )


def test_both_indices_by_hand() -> None:
    tables = {
        # rows: 2010 KAZ, 2010 RUS, 2011 KAZ, 2011 RUS
        "macro": block([2.0, 4.0, 1.0, 3.0]),  # lower = closer
        "fiscal": block([1.0, NAN, 0.5, 1.5]),  # lower = closer, RUS 2010 missing
        "trade": block([0.10, 0.02, 0.20, 0.04]),  # higher = more integrated
    }
    out = consolidated_indices(tables, keys=["year", "country"], value="value")
    assert set(out) == {"convergence", "market_integration"}
    conv = out["convergence"]
    # macro: min 1, max 4 -> scaled (x-1)/3 = 1/3, 1, 0, 2/3 -> turned 2/3, 0, 1, 1/3
    # fiscal: min 0.5, max 1.5 -> 0.5, n/a, 0, 1 -> turned 0.5, n/a, 1, 0
    # mean of available: (2/3 + 1/2)/2 = 7/12, 0 (macro only), 1, 1/6
    assert conv["convergence"].tolist() == pytest.approx([7 / 12, 0.0, 1.0, 1 / 6])
    assert conv["convergence_n"].tolist() == [2, 1, 2, 2]
    assert conv["macro_scaled"].tolist() == pytest.approx([2 / 3, 0, 1, 1 / 3])
    # trade alone: (x - 0.02) / 0.18 = 0.4444, 0, 1, 0.1111 (not turned)
    market = out["market_integration"]
    assert market["market_integration"].tolist() == pytest.approx([0.08 / 0.18, 0, 1, 0.02 / 0.18])
    # the method is written in the output
    assert conv["scaling"].iloc[0].startswith("min-max over all rows of the run")
    assert "macro: lower = closer, turned around (1 - scaled)" in conv["directions"].iloc[0]
    assert market["directions"].iloc[0] == "trade: higher"
    assert conv.attrs["directions"] == {"macro": "lower", "fiscal": "lower"}


def test_a_family_without_tables_is_left_out() -> None:
    out = consolidated_indices(
        {"macro": block([2.0, 4.0, 1.0, 3.0])}, keys=["year", "country"], value="value"
    )
    assert list(out) == ["convergence"]


def test_units_present_in_one_block_only_are_kept() -> None:
    a = block([1.0, 2.0, 3.0, 4.0])
    b = block([1.0, 2.0], countries=("KAZ",))
    out = consolidated(
        {"a": a, "b": b}, {"a": "lower", "b": "lower"}, keys=["year", "country"], value="value"
    )
    assert len(out) == 4
    assert out["index_n"].tolist() == [2, 1, 2, 1]


def test_errors() -> None:
    with pytest.raises(OptionError, match="not a preset"):
        consolidated_indices({"mystery": block([1.0] * 4)}, keys=["year", "country"], value="value")
    with pytest.raises(OptionError, match="no direction"):
        consolidated({"a": block([1.0] * 4)}, {}, keys=["year"], value="value")
    with pytest.raises(DataError, match="two rows for the same year"):
        consolidated(
            {"a": block([1.0, 2.0, 3.0, 4.0])}, {"a": "lower"}, keys=["year"], value="value"
        )
