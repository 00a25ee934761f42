"""z-scores of a (country, year, indicator) cube over the universe of countries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from siei_xl._defaults import DDOF, STANDARDIZE, STANDARDIZE_METHODS

FloatArray = npt.NDArray[np.float64]

# An sd this small relative to the largest |value| is rounding noise around a constant
# (0.1 + 0.1 + 0.1 is not 0.3), not real dispersion; dividing by it would make huge z-scores.
CONSTANT_RTOL = 1e-12


@dataclass(frozen=True)
class Standardization:
    """z-scores with the statistics that produced them.

    Attributes
    ----------
    points : ndarray, shape (n_countries, n_years, n_indicators)
        ``(values - mean) / sd``; NaN where the value is missing or the sd is undefined.
    mean, sd : ndarray, shape (n_years, n_indicators)
        The mean and sd used for each year and indicator (the same row repeated for every
        year when ``method="pooled"``). ``sd`` is NaN when too few countries have a value
        and 0 when the indicator is constant.
    count : ndarray of int, shape (n_years, n_indicators)
        How many values entered each mean and sd (countries for ``yearly``, country-years
        for ``pooled``).
    method : str
        ``"yearly"`` or ``"pooled"``.
    ddof : int
        Delta degrees of freedom of the sd.
    """

    points: FloatArray
    mean: FloatArray
    sd: FloatArray
    count: npt.NDArray[np.int64]
    method: str
    ddof: int


def check_ddof(ddof: object) -> int:
    """Return ``ddof`` as an int if it is 0 or 1, else raise OptionError."""
    from siei_xl.exceptions import OptionError

    if isinstance(ddof, bool) or not isinstance(ddof, int | float | np.integer | np.floating):
        raise OptionError(f"ddof must be 0 or 1, got {ddof!r}")
    if ddof not in (0, 1):
        raise OptionError(
            f"ddof must be 0 (population sd, STDEV.P) or 1 (sample sd, STDEV.S), got {ddof!r}"
        )
    return int(ddof)


def check_method(method: object) -> str:
    """Return the standardisation method in lower case, or raise OptionError."""
    from siei_xl.exceptions import OptionError

    text = str(method).strip().lower() if isinstance(method, str) else None
    if text not in STANDARDIZE_METHODS:
        raise OptionError(f"standardize must be 'yearly' or 'pooled', got {method!r}")
    return text


def standardize(
    values: npt.ArrayLike, *, method: str = STANDARDIZE, ddof: int = DDOF
) -> Standardization:
    """Standardise every indicator over the universe of countries, missing-aware.

    Parameters
    ----------
    values : array_like, shape (n_countries, n_years, n_indicators)
        Raw values; NaN marks a missing value.
    method : {"yearly", "pooled"}
        ``"yearly"``: mean and sd per year over the countries that have the value.
        ``"pooled"``: mean and sd over every country-year that has the value.
    ddof : {1, 0}
        1 for the sample sd (Excel STDEV.S), 0 for the population sd (STDEV.P).

    Returns
    -------
    Standardization

    Notes
    -----
    .. math:: z_{ctk} = (x_{ctk} - \\bar x_{tk}) / s_{tk}

    with :math:`\\bar x_{tk}` and :math:`s_{tk}` over countries ``c`` (yearly) or over
    countries and years (pooled). Two passes (mean, then squared deviations) keep the sd
    accurate to the last digits. Where fewer than ``ddof + 1`` values exist the sd is NaN;
    where the indicator is constant the sd is 0; in both cases the z-scores are NaN.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[1.0]], [[2.0]], [[3.0]]])  # 3 countries, 1 year, 1 indicator
    >>> standardize(x).points.ravel().tolist()
    [-1.0, 0.0, 1.0]
    """
    method = check_method(method)
    ddof = check_ddof(ddof)
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"values must have 3 dimensions (country, year, indicator), got {x.ndim}")
    present = ~np.isnan(x)
    axes: tuple[int, ...] = (0,) if method == "yearly" else (0, 1)
    count = present.sum(axis=axes, keepdims=True)
    scale = np.where(present, np.abs(x), 0.0).max(axis=axes, keepdims=True)
    # Squares of values beyond ~1e154 overflow: such columns are computed in units of their
    # largest value (z-scores do not depend on the unit); ordinary data are left exact.
    unit = np.where(scale > 1e150, scale, 1.0)
    x = x / unit
    filled = np.where(present, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=axes, keepdims=True) / count
        deviation = np.where(present, x - mean, 0.0)
        var = (deviation * deviation).sum(axis=axes, keepdims=True) / (count - ddof)
    var[count - ddof <= 0] = np.nan
    sd = np.sqrt(var)
    sd[sd <= CONSTANT_RTOL * (scale / unit)] = 0.0
    usable = np.isfinite(sd) & (sd > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        points = np.where(usable, (x - mean) / np.where(usable, sd, 1.0), np.nan)
    n_years = x.shape[1]
    shape = (n_years, x.shape[2])
    return Standardization(
        points=points,
        mean=np.broadcast_to((mean * unit)[0], shape).copy(),
        sd=np.broadcast_to((sd * unit)[0], shape).copy(),
        count=np.broadcast_to(count[0], shape).astype(np.int64),
        method=method,
        ddof=ddof,
    )
