"""The SIEI's two consolidated indices: market integration and convergence.

Each block index (trade, migration, ... for market integration; macro, monetary, fiscal,
financial for convergence) is a table of one kind of unit (pairs, a country with the
group, within the group) by year. The consolidated index of a block family puts its
indices through :func:`siei_xl.composite.composite_index`: min-max scaling over every
row of the run, "lower = closer" indices turned around (``1 - scaled``), equal weights,
so 1 is always the most integrated row of the run. The output says so in its columns.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import pandas as pd

from siei_xl.composite import composite_index
from siei_xl.exceptions import DataError, OptionError
from siei_xl.presets import Preset, presets

__all__ = ["FAMILIES", "consolidated", "consolidated_indices"]

FAMILIES = {"market": "market_integration", "convergence": "convergence"}
"""Preset block -> name of its consolidated index."""

SCALING = "min-max over all rows of the run (0 = least, 1 = most integrated row)"


def _direction_text(directions: Mapping[str, str]) -> str:
    return "; ".join(
        f"{name}: {word}" + (" = closer, turned around (1 - scaled)" if word == "lower" else "")
        for name, word in directions.items()
    )


def consolidated(
    tables: Mapping[str, pd.DataFrame],
    directions: Mapping[str, str],
    *,
    keys: Sequence[str],
    value: str,
    name: str = "index",
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """One consolidated index from block tables of the same units.

    Parameters
    ----------
    tables : mapping of block name to DataFrame
        Each with the ``keys`` columns (e.g. ``year, country``) and a ``value`` column.
    directions : mapping of block name to ``"lower"`` or ``"higher"``
    keys : the columns that identify a unit (a row)
    value : the column holding each block's index
    name : the name of the consolidated column

    Returns
    -------
    DataFrame
        The keys, one column per block (its raw index), ``name`` (0 to 1, higher = more
        integrated), ``<name>_n`` (how many blocks entered the row), ``<block>_scaled``,
        and the method as columns ``scaling`` and ``directions`` (also in ``attrs``).

    Examples
    --------
    >>> macro = pd.DataFrame({"year": [2000, 2001, 2002], "value": [1.0, 2.0, 3.0]})
    >>> trade = pd.DataFrame({"year": [2000, 2001, 2002], "value": [0.1, 0.3, 0.2]})
    >>> out = consolidated({"macro": macro, "trade": trade},
    ...                    {"macro": "lower", "trade": "higher"}, keys=["year"], value="value")
    >>> out["index"].round(12).tolist()  # macro turned: 1, 0.5, 0; trade: 0, 1, 0.5
    [0.5, 0.75, 0.25]
    """
    if not tables:
        raise OptionError("give at least one block index")
    unknown = [b for b in tables if b not in directions]
    if unknown:
        raise OptionError(f"no direction given for block {unknown[0]!r}")
    parts = []
    for block, table in tables.items():
        missing = [c for c in (*keys, value) if c not in table.columns]
        if missing:
            raise DataError(f"the {block} table has no column {missing[0]!r}")
        part = table[[*keys, value]].rename(columns={value: block})
        if part.duplicated(list(keys)).any():
            raise DataError(f"the {block} table has two rows for the same {', '.join(keys)}")
        parts.append(part)
    merged = functools.reduce(lambda a, b: a.merge(b, on=list(keys), how="outer"), parts)
    merged = merged.sort_values(list(keys), kind="stable").reset_index(drop=True)
    used = {b: directions[b] for b in tables}
    result = composite_index(merged, used, weights=weights)
    out = merged.copy()
    out[name] = result["composite"]
    out[f"{name}_n"] = result["n_components"]
    for block in tables:
        out[f"{block}_scaled"] = result[f"{block}_scaled"]
    out["scaling"] = SCALING
    out["directions"] = _direction_text(used)
    out.attrs.update(
        scaling=SCALING, directions=dict(used), weights=result.attrs["weights"], index=name
    )
    return out


def consolidated_indices(
    tables: Mapping[str, pd.DataFrame],
    *,
    keys: Sequence[str],
    value: str,
    book: Mapping[str, Preset] | None = None,
) -> dict[str, pd.DataFrame]:
    """The consolidated market-integration and convergence indices of block tables.

    ``tables`` are keyed by preset name (``macro``, ``trade``, ...); each preset's block
    and direction decide which index it enters and whether it is turned around. A family
    with no table is left out of the result (never invented).
    """
    book = presets() if book is None else book
    families: dict[str, dict[str, pd.DataFrame]] = {}
    for block, table in tables.items():
        if block not in book:
            raise OptionError(f"{block!r} is not a preset; cannot tell its block and direction")
        families.setdefault(book[block].block, {})[block] = table
    return {
        FAMILIES[family]: consolidated(
            members,
            {b: book[b].direction for b in members},
            keys=keys,
            value=value,
            name=FAMILIES[family],
        )
        for family, members in families.items()
    }
