"""A composite index: min-max scaled components averaged with weights."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def min_max(values: npt.ArrayLike, *, higher_is_better: bool = True) -> FloatArray:
    """Scale to [0, 1] over every value given (all countries and years of a run).

    ``higher_is_better=False`` turns the scale around (distances: lower = closer), so 1 is
    always the most integrated. A constant column scales to NaN (no information).

    Examples
    --------
    >>> min_max([1.0, 2.0, 3.0]).tolist()
    [0.0, 0.5, 1.0]
    >>> min_max([1.0, 2.0, 3.0], higher_is_better=False).tolist()
    [1.0, 0.5, 0.0]
    """
    x = np.asarray(values, dtype=np.float64)
    if np.isnan(x).all():  # nanmin would warn; no values carry no information either
        return np.full_like(x, np.nan)
    lo, hi = np.nanmin(x), np.nanmax(x)
    if not hi > lo:
        return np.full_like(x, np.nan)
    scaled = (x - lo) / (hi - lo)
    return scaled if higher_is_better else 1.0 - scaled


def weighted_mean(scaled: npt.ArrayLike, weights: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Row-wise weighted mean over available components, and how many entered each row.

    Parameters
    ----------
    scaled : array_like, shape (n_rows, n_components)
        NaN where a component is missing for a row.
    weights : array_like, shape (n_components,)

    Examples
    --------
    >>> score, count = weighted_mean([[0.0, 1.0], [0.5, float("nan")]], [1.0, 1.0])
    >>> score.tolist(), count.tolist()
    ([0.5, 0.5], [2.0, 1.0])
    """
    x = np.asarray(scaled, dtype=np.float64)
    w = np.broadcast_to(np.asarray(weights, dtype=np.float64), x.shape)
    present = ~np.isnan(x)
    total = np.where(present, w, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(present, x * w, 0.0).sum(axis=1) / total
    return np.where(total > 0, score, np.nan), present.sum(axis=1).astype(np.float64)
