"""A composite integration index (beyond the seed).

Components (market scores, convergence distances, ...) are min-max scaled over every row
of the run (all countries and years given), so each runs from 0 to 1, then averaged with
equal weights (or the user's). Market scores are "higher = more integrated" and distances
"lower = closer": a component marked ``"lower"`` is turned around (``1 - scaled``) before
averaging, so 1 always means the most integrated row of the run. A row missing a
component is averaged over the components it has; ``n_components`` says how many.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from siei_xl.core.composite import min_max, weighted_mean
from siei_xl.exceptions import DataError, OptionError

__all__ = ["DIRECTIONS", "composite_index"]

DIRECTIONS = {"higher": True, "more": True, "lower": False, "less": False, "distance": False}


def composite_index(
    frame: pd.DataFrame,
    directions: Mapping[str, str],
    *,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Composite of the ``directions`` columns of ``frame``.

    Parameters
    ----------
    frame : DataFrame
        One row per unit (e.g. pair and year); the component columns hold numbers (NaN for
        missing); other columns are carried through as labels.
    directions : mapping of column name to ``"higher"`` or ``"lower"``
        ``"higher"``: higher = more integrated (market scores); ``"lower"``: lower = more
        integrated (distances, CVs), turned around after scaling.
    weights : mapping of column name to a non-negative weight, optional
        Default equal weights.

    Returns
    -------
    DataFrame
        The label columns, ``composite`` (0 to 1, higher = more integrated),
        ``n_components``, and each component's scaled value (``<name>_scaled``).

    Examples
    --------
    >>> df = pd.DataFrame({"pair": ["A-B", "A-C", "B-C"], "trade": [0.2, 0.1, 0.0],
    ...                    "distance": [0.5, 1.0, 1.5]})
    >>> composite_index(df, {"trade": "higher", "distance": "lower"})["composite"].tolist()
    [1.0, 0.5, 0.0]
    """
    components = list(directions)
    if not components:
        raise OptionError("give at least one component and its direction")
    missing = [c for c in components if c not in frame.columns]
    if missing:
        raise DataError(f"component {missing[0]!r} is not a column of the table")
    higher: list[bool] = []
    for name in components:
        word = str(directions[name]).strip().lower()
        if word not in DIRECTIONS:
            raise OptionError(
                f"direction of {name!r} must be 'higher' (more = more integrated) or 'lower' "
                f"(a distance), got {directions[name]!r}"
            )
        higher.append(DIRECTIONS[word])
    w = np.ones(len(components))
    if weights is not None:
        unknown = [k for k in weights if k not in directions]
        if unknown:
            raise OptionError(f"weight given for {unknown[0]!r}, which is not a component")
        w = np.array([float(weights.get(c, 1.0)) for c in components])
        if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise OptionError("weights must be non-negative numbers, not all zero")
    try:
        values = frame[components].astype(float).to_numpy()
    except (TypeError, ValueError) as exc:
        raise DataError(f"component columns must hold numbers: {exc}") from None
    if np.isinf(values).any():
        raise DataError("component columns hold an infinite value; use a blank for missing")
    empty = [c for j, c in enumerate(components) if np.isnan(values[:, j]).all()]
    if empty:
        raise DataError(f"component {empty[0]!r} has no values")
    scaled = np.column_stack(
        [min_max(values[:, j], higher_is_better=h) for j, h in enumerate(higher)]
    )
    constant = [c for j, c in enumerate(components) if np.isnan(scaled[:, j]).all()]
    if constant:
        raise DataError(
            f"component {constant[0]!r} has the same value in every row: it cannot be scaled"
        )
    score, count = weighted_mean(scaled, w)
    labels = [c for c in frame.columns if c not in directions]
    out = frame[labels].copy()
    out["composite"] = score
    out["n_components"] = count.astype(int)
    for j, name in enumerate(components):
        out[f"{name}_scaled"] = scaled[:, j]
    out.attrs.update(directions=dict(directions), weights=dict(zip(components, w, strict=True)))
    return out


def split_table(rows: Sequence[Sequence[object]]) -> tuple[list[str], list[str]]:
    """Label and component columns of a table: components are the all-number columns.

    A year column (headed year, time or period) holds numbers but is a label.
    """
    from siei_xl.labels import YEAR_HEADERS, is_missing, label_key, parse_number

    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    labels: list[str] = []
    components: list[str] = []
    for j, name in enumerate(header):
        if not name:
            continue
        if label_key(name) in YEAR_HEADERS:
            labels.append(name)
            continue
        cells = [r[j] for r in rows[1:] if j < len(r) and not is_missing(r[j])]
        numeric = cells and all(
            parse_number(v) is not None and not isinstance(v, bool) for v in cells
        )
        (components if numeric else labels).append(name)
    return labels, components
