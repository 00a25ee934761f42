"""Agreement among experts: average ranks and Kendall's coefficient of concordance W."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def average_ranks(values: npt.ArrayLike) -> FloatArray:
    """Ranks 1..n of each row, ties sharing the mean of the ranks they span.

    Examples
    --------
    >>> average_ranks([[8.0, 8.0, 4.0, 2.0]]).tolist()
    [[3.5, 3.5, 2.0, 1.0]]
    """
    x = np.atleast_2d(np.asarray(values, dtype=np.float64))
    out = np.empty_like(x)
    for i, row in enumerate(x):
        _, inverse, counts = np.unique(row, return_inverse=True, return_counts=True)
        first = np.concatenate(([0], np.cumsum(counts)[:-1]))  # 0-based start of each tie run
        out[i] = (first + (counts + 1) / 2.0)[inverse.ravel()]
    return out


def tie_sums(values: npt.ArrayLike) -> FloatArray:
    """Per row, the tie correction ``sum over tie groups of (t^3 - t)``.

    Examples
    --------
    >>> tie_sums([[8.0, 8.0, 4.0, 2.0], [1.0, 2.0, 3.0, 4.0]]).tolist()
    [6.0, 0.0]
    """
    x = np.atleast_2d(np.asarray(values, dtype=np.float64))
    sums = []
    for row in x:
        counts = np.unique(row, return_counts=True)[1].astype(np.float64)
        sums.append(float(np.sum(counts**3 - counts)))
    return np.array(sums)


class KendallW(NamedTuple):
    """Kendall's W with the statistic of its chi-square test (the p-value needs scipy)."""

    w: float
    chi2: float
    df: int
    m: int
    """Number of raters (rows)."""
    n: int
    """Number of objects rated (columns)."""


def kendall_w(scores: npt.ArrayLike) -> KendallW:
    """Kendall's coefficient of concordance of m raters (rows) over n objects (columns).

    Parameters
    ----------
    scores : array_like, shape (m, n)
        Each rater's scores of the same n objects, complete (no NaN). Higher or lower
        does not matter: W depends only on how the raters order the objects.

    Returns
    -------
    KendallW
        ``w`` in [0, 1] (1: every rater orders the objects the same way), ``chi2 = m (n -
        1) W`` with ``df = n - 1``. ``w`` is NaN when every rater ties every object (no
        ordering to agree on).

    Notes
    -----
    With ``R_j`` the sum of object j's ranks and ``T_i = sum (t^3 - t)`` over rater i's
    groups of tied scores (Kendall & Babington Smith 1939; Siegel & Castellan 1988,
    eq. 9.16):

    .. math:: W = \\frac{12 \\sum_j (R_j - \\bar R)^2}{m^2 (n^3 - n) - m \\sum_i T_i}

    Without ties ``T_i = 0``. The chi-square approximation is fair for n > 7; for fewer
    objects it is conservative. In R: ``irr::kendall(t(scores), correct = TRUE)``.

    Examples
    --------
    >>> kendall_w([[1, 2, 3], [1, 2, 3]]).w
    1.0
    >>> round(kendall_w([[9, 7, 5, 3], [8, 8, 4, 2], [6, 9, 5, 1]]).w, 6)  # = 27/29
    0.931034
    """
    x = np.asarray(scores, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("scores must be a 2-D table: raters in rows, objects in columns")
    m, n = x.shape
    if np.isnan(x).any():
        raise ValueError("scores must be complete: every rater scores every object")
    ranks = average_ranks(x)
    rank_sums = ranks.sum(axis=0)
    s = float(np.sum((rank_sums - rank_sums.mean()) ** 2))
    denominator = m**2 * (n**3 - n) - m * float(tie_sums(x).sum())
    w = 12.0 * s / denominator if denominator > 0 else float("nan")
    return KendallW(w, m * (n - 1) * w, n - 1, m, n)
