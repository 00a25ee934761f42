"""Dispersion within a group: the mean absolute coefficient of variation (type 3)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from siei_xl._defaults import DDOF

FloatArray = npt.NDArray[np.float64]


class DispersionStats(NamedTuple):
    """Per-indicator statistics of a group's raw values."""

    mean: FloatArray
    sd: FloatArray
    cv: FloatArray


def dispersion_stats(values: npt.ArrayLike, *, ddof: int = DDOF) -> DispersionStats:
    """Mean, sd and coefficient of variation of each indicator over group members.

    Parameters
    ----------
    values : array_like, shape (n_members, ..., n_indicators)
        Raw (not standardised) values; z-scores have mean about zero, so a CV of them is
        meaningless.
    ddof : {1, 0}

    Returns
    -------
    DispersionStats
        ``cv = sd / mean`` (signed; the caller takes the absolute value).
    """
    x = np.asarray(values, dtype=np.float64)
    mean = np.mean(x, axis=0)
    dev = x - mean
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(np.sum(dev * dev, axis=0) / (x.shape[0] - ddof))
        cv = sd / mean
    return DispersionStats(mean=mean, sd=sd, cv=cv)


def mean_abs_coefficient_of_variation(values: npt.ArrayLike, *, ddof: int = DDOF) -> FloatArray:
    """Average over indicators of ``|sd / mean|`` within a group.

    Parameters
    ----------
    values : array_like, shape (n_members, ..., n_indicators)
    ddof : {1, 0}

    Returns
    -------
    ndarray, shape (...)

    Notes
    -----
    .. math:: V_G = \\frac{1}{K}\\sum_k \\left|\\frac{s_{G,k}}{\\bar x_{G,k}}\\right|

    The absolute value handles negative means (growth in a crisis year). This function
    does not guard against a mean near zero; :func:`siei_xl.group_cv` does.

    Examples
    --------
    >>> float(mean_abs_coefficient_of_variation([[1.0, -2.0], [3.0, -6.0]]))
    0.7071067811865476
    """
    return np.mean(np.abs(dispersion_stats(values, ddof=ddof).cv), axis=-1)
