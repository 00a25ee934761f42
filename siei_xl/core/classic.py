"""Classic convergence measures: sigma (dispersion over time) and beta (catch-up growth)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import stats

from siei_xl._defaults import DDOF

FloatArray = npt.NDArray[np.float64]


class Trend(NamedTuple):
    """OLS of a series on time: slope per year, its standard error and t statistic."""

    slope: float
    se: float
    t: float
    intercept: float
    n: int


def sigma(values: npt.ArrayLike, *, measure: str = "sd_log", ddof: int = DDOF) -> float:
    """Dispersion of one year's levels across countries.

    Parameters
    ----------
    values : array_like
        Positive levels (e.g. GDP per capita) of the group's countries.
    measure : {"sd_log", "cv"}
        ``sd_log``: standard deviation of natural logs; ``cv``: sd / mean of the levels.

    Examples
    --------
    >>> round(sigma([1.0, math.e]), 6)  # logs 0 and 1
    0.707107
    >>> sigma([2.0, 2.0], measure="cv")
    0.0
    """
    x = np.asarray(values, dtype=np.float64)
    if measure == "sd_log":
        return float(np.std(np.log(x), ddof=ddof))
    if measure == "cv":
        return float(np.std(x, ddof=ddof) / np.mean(x))
    raise ValueError(f"measure must be 'sd_log' or 'cv', got {measure!r}")


def trend(years: npt.ArrayLike, values: npt.ArrayLike) -> Trend:
    """Ordinary least squares of ``values`` on ``years``.

    Examples
    --------
    >>> t = trend([2000, 2001, 2002], [3.0, 2.0, 1.0])
    >>> t.slope, t.se
    (-1.0, 0.0)
    """
    x = np.asarray(years, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    n = x.size
    xc = x - x.mean()
    sxx = float(np.sum(xc * xc))
    slope = float(np.sum(xc * (y - y.mean())) / sxx)
    intercept = float(y.mean() - slope * x.mean())
    residual = y - (intercept + slope * x)
    se = math.sqrt(float(np.sum(residual * residual)) / (n - 2) / sxx) if n > 2 else math.nan
    if math.isnan(se):  # two points: no residual degrees of freedom, so no t either
        t = math.nan
    else:
        t = slope / se if se > 0 else (math.copysign(math.inf, slope) if slope else math.nan)
    return Trend(slope, se, t, intercept, n)


class Beta(NamedTuple):
    """Beta convergence: ``(1/T) ln(y_T / y_0) = a + b ln y_0``."""

    b: float
    se: float
    t: float
    p: float
    a: float
    r2: float
    n: int
    years: int
    speed: float
    half_life: float


def beta(start: npt.ArrayLike, end: npt.ArrayLike, years: int) -> Beta:
    """Cross-country regression of average log growth on the initial log level.

    Parameters
    ----------
    start, end : array_like
        Positive levels of each country in the first and the last year.
    years : int
        ``T``, the number of years between them.

    Notes
    -----
    .. math:: \\frac1T \\ln\\frac{y_{iT}}{y_{i0}} = a + b \\ln y_{i0} + e_i, \\quad
              \\lambda = -\\ln(1 + bT)/T, \\quad \\text{half-life} = \\ln 2 / \\lambda

    ``b < 0`` means convergence. The speed is NaN when ``1 + bT <= 0`` and the half-life
    is NaN when the speed is not positive; callers explain why. (R's REAT uses
    ``-ln(1+b)/T`` with an annualised left side, which is inconsistent for T > 1.)

    Examples
    --------
    >>> r = beta([1.0, 2.0, 4.0], [4.0, 6.0, 8.0], 10)
    >>> round(r.b, 6), r.n
    (-0.05, 3)
    """
    y0 = np.asarray(start, dtype=np.float64)
    y1 = np.asarray(end, dtype=np.float64)
    x = np.log(y0)
    g = np.log(y1 / y0) / years
    fit = trend(x, g)
    residual = g - (fit.intercept + fit.slope * x)
    total = float(np.sum((g - g.mean()) ** 2))
    r2 = 1.0 - float(np.sum(residual * residual)) / total if total > 0 else math.nan
    p = (
        float(2 * stats.t.sf(abs(fit.t), fit.n - 2))
        if fit.n > 2 and math.isfinite(fit.t)
        else math.nan
    )
    base = 1.0 + fit.slope * years
    speed = -math.log(base) / years if base > 0 else math.nan
    half_life = math.log(2) / speed if speed > 0 else math.nan
    return Beta(fit.slope, fit.se, fit.t, p, fit.intercept, r2, fit.n, years, speed, half_life)
