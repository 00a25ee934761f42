"""The convergence block of the SIEI over a :class:`~siei_xl.panel.Panel`.

Three indicator types (METHOD.md): the distance between a pair of countries, the
distance from a country to the centroid of a group, and the mean absolute coefficient of
variation within a group. Lower values mean closer economies.

Each measure comes as a scalar function (one year; raises a :class:`SieiError` naming the
problem) and a ``*_series`` function (every year; a year that cannot be computed gets NaN
and a ``note`` saying why). Series record the method in their columns.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from siei_xl._defaults import CV_LIMIT, DDOF, STANDARDIZE
from siei_xl.core.dispersion import dispersion_stats
from siei_xl.core.distance import distance_to_centroid, pairwise_distances
from siei_xl.core.distance import pair_distance as _pair_distance
from siei_xl.core.standardize import Standardization
from siei_xl.exceptions import (
    ComputationError,
    ConstantIndicatorError,
    DataError,
    MissingValueError,
    NearZeroMeanError,
    OptionError,
    SieiError,
    TooFewCountriesError,
    UnknownCountryError,
    UnknownGroupError,
    closest,
)
from siei_xl.groups import Groups, group_note, resolve_group
from siei_xl.labels import split_list
from siei_xl.panel import Panel

__all__ = [
    "PairMatrices",
    "convergence_table",
    "group_cv",
    "group_cv_series",
    "group_distance",
    "group_distance_series",
    "pair_distance",
    "pair_matrices",
    "pair_matrix",
    "pair_matrix_values",
    "pair_series",
    "standardized_table",
]

# Errors that belong to one year of a series (the others, like an unknown country, are
# wrong in every year and are raised at once).
_YEAR_ERRORS = (MissingValueError, ComputationError)


# ---------------------------------------------------------------------- pairs
def pair_distance(
    panel: Panel,
    country_a: str,
    country_b: str,
    year: int,
    *,
    indicators: object = None,
    standardize: str = STANDARDIZE,
    ddof: int = DDOF,
) -> float:
    """Distance between two countries in one year (SIEI type 1).

    Parameters
    ----------
    panel : Panel
    country_a, country_b : str
        Labels (any case, trimmed).
    year : int
    indicators : list of str or comma-separated str, optional
        Coordinates of the space; default every indicator of the panel.
    standardize : {"yearly", "pooled"}
    ddof : {1, 0}

    Returns
    -------
    float

    Raises
    ------
    UnknownCountryError, UnknownYearError, UnknownIndicatorError
    MissingValueError
        One of the two countries lacks a value (never treated as zero).
    ConstantIndicatorError, TooFewCountriesError
        An indicator's z-score is undefined that year.

    Notes
    -----
    .. math:: D_{ab}(t) = \\sqrt{\\sum_k (z_{akt} - z_{bkt})^2}, \\quad
              z_{ckt} = (x_{ckt} - \\bar x_{kt}) / s_{kt}

    with mean and sd over every country of the panel (the universe), not only the pair.

    Examples
    --------
    >>> from siei_xl.example import example_panel
    >>> round(pair_distance(example_panel(), "KAZ", "RUS", 2015), 4)
    1.216
    """
    ctx = _Context(panel, indicators, standardize, ddof)
    a, b = panel.country_index(country_a), panel.country_index(country_b)
    t = panel.year_index(year)
    ctx.require_points((a, b), t)
    return float(_pair_distance(ctx.points(a, t), ctx.points(b, t)))


def pair_series(
    panel: Panel,
    country_a: str,
    country_b: str,
    *,
    years: Sequence[int] | None = None,
    indicators: object = None,
    standardize: str = STANDARDIZE,
    ddof: int = DDOF,
) -> pd.DataFrame:
    """Distance between two countries for every year (SIEI type 1 over time).

    Returns
    -------
    DataFrame
        Columns ``year, country_a, country_b, distance, n_countries, note, error,
        standardize, ddof, indicators``. ``n_countries`` is the number of countries the
        z-scores were computed over (the smallest over the indicators); where a distance is
        NaN, ``note`` says why and ``error`` names the exception class the scalar function
        would raise (e.g. ``MissingValueError``).
    """
    ctx = _Context(panel, indicators, standardize, ddof)
    a, b = panel.country_index(country_a), panel.country_index(country_b)
    ts = _year_positions(panel, years)
    pts = ctx.std.points[:, ts][:, :, ctx.ks]
    distances = _pair_distance(pts[a], pts[b])
    gaps = [
        None if math.isfinite(d) else ctx.explain((a, b), t)
        for d, t in zip(distances, ts, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "year": [panel.years[t] for t in ts],
            "country_a": panel.countries[a],
            "country_b": panel.countries[b],
            "distance": distances,
            "n_countries": [ctx.n_countries(t) for t in ts],
            "note": [str(g) if g else "" for g in gaps],
            "error": [type(g).__name__ if g else "" for g in gaps],
        }
    )
    return ctx.label(frame)


def pair_matrix(
    panel: Panel,
    year: int,
    *,
    countries: Sequence[str] | str | None = None,
    indicators: object = None,
    standardize: str = STANDARDIZE,
    ddof: int = DDOF,
) -> pd.DataFrame:
    """All-pairs distance matrix of one year, labelled by country.

    Parameters
    ----------
    countries : list of str, optional
        Rows and columns, in this order. Default: every country with a value for every
        chosen indicator that year. A listed country without a point gets NaN.

    Returns
    -------
    DataFrame
        Square and symmetric, zero on the diagonal; ``attrs`` record the method.
    """
    labels, distances = pair_matrix_values(
        panel, year, countries=countries, indicators=indicators, standardize=standardize, ddof=ddof
    )
    frame = pd.DataFrame(distances, index=labels, columns=labels)
    frame.index.name = frame.columns.name = "country"
    method = _Context(panel, indicators, standardize, ddof).method()
    frame.attrs.update(method, year=panel.years[panel.year_index(year)])
    return frame


def pair_matrix_values(
    panel: Panel,
    year: int,
    *,
    countries: Sequence[str] | str | None = None,
    indicators: object = None,
    standardize: str = STANDARDIZE,
    ddof: int = DDOF,
) -> tuple[list[str], npt.NDArray[np.float64]]:
    """:func:`pair_matrix` as its country labels and a bare array, for callers that turn
    the matrix into cells at once (a DataFrame would be a tenth of their time).

    >>> panel = Panel([[[0.0]], [[3.0]], [[1.0]]], ["A", "B", "C"], [2000], ["x"])
    >>> labels, distances = pair_matrix_values(panel, 2000)
    >>> labels, distances.round(3).tolist()
    (['A', 'B', 'C'], [[0.0, 1.964, 0.655], [1.964, 0.0, 1.309], [0.655, 1.309, 0.0]])
    """
    ctx = _Context(panel, indicators, standardize, ddof)
    t = panel.year_index(year)
    ctx.require_standardizable(t)
    pts = ctx.std.points[:, t][:, ctx.ks]
    if countries is None:
        rows = np.flatnonzero(~np.isnan(pts).any(axis=1))
    else:
        rows = np.array(_country_positions(panel, countries), dtype=np.int64)
    countries_of = panel.countries
    return [countries_of[i] for i in rows], pairwise_distances(pts[rows])


@dataclass(frozen=True)
class PairMatrices:
    """All-pairs distances for every year: ``distances[t, i, j]``."""

    countries: tuple[str, ...]
    years: tuple[int, ...]
    distances: npt.NDArray[np.float64]

    def frame(self, year: int) -> pd.DataFrame:
        """The labelled matrix of one year."""
        t = self.years.index(int(year))
        return pd.DataFrame(self.distances[t], index=self.countries, columns=self.countries)

    def to_long(self) -> pd.DataFrame:
        """Tidy table of every pair once (i < j): year, country_a, country_b, distance."""
        i, j = np.triu_indices(len(self.countries), k=1)
        n_t = len(self.years)
        return pd.DataFrame(
            {
                "year": np.repeat(np.array(self.years), len(i)),
                "country_a": np.tile(np.array(self.countries, dtype=object)[i], n_t),
                "country_b": np.tile(np.array(self.countries, dtype=object)[j], n_t),
                "distance": self.distances[:, i, j].ravel(),
            }
        )


def pair_matrices(
    panel: Panel,
    *,
    indicators: object = None,
    standardize: str = STANDARDIZE,
    ddof: int = DDOF,
) -> PairMatrices:
    """All-pairs distances of every country in every year of the panel.

    Pairs that need a missing value are NaN. This is the fast path for whole-world
    panels: one standardisation, then one distance matrix per year.
    """
    ctx = _Context(panel, indicators, standardize, ddof)
    pts = ctx.std.points[:, :, ctx.ks]
    n_c, n_t = len(panel.countries), len(panel.years)
    out = np.empty((n_t, n_c, n_c))
    for t in range(n_t):
        out[t] = pairwise_distances(pts[:, t])
    return PairMatrices(panel.countries, panel.years, out)


# ---------------------------------------------------------- country to group
def group_distance(
    panel: Panel,
    country: str,
    group: object,
    year: int,
    *,
    groups: Groups | None = None,
    indicators: object = None,
    standardize: str = STANDARDIZE,
    ddof: int = DDOF,
) -> float:
    """Distance from a country to the centroid of a group in one year (SIEI type 2).

    Parameters
    ----------
    group : list of str, comma-separated str, or a group name in ``groups``
        The group exactly as given: if it includes ``country``, the country counts in
        the centroid.
    groups : Groups, optional
        Named groups (membership may change by year).

    Notes
    -----
    .. math:: c_k = \\frac{1}{|G|}\\sum_{g\\in G} z_{gk}, \\quad
              D_{aG} = \\sqrt{\\sum_k (z_{ak} - c_k)^2}

    Every member needs a value: a member without one makes the result not available,
    rather than silently moving the centroid.

    Examples
    --------
    >>> from siei_xl.example import example_panel
    >>> p = example_panel()
    >>> group_distance(p, "KAZ", ["RUS"], 2015) == pair_distance(p, "KAZ", "RUS", 2015)
    True
    """
    ctx = _Context(panel, indicators, standardize, ddof)
    a = panel.country_index(country)
    t = panel.year_index(year)
    members = _members(panel, group, panel.years[t], groups)
    ctx.require_points((a, *members), t)
    member_points = np.stack([ctx.points(m, t) for m in members])
    return float(distance_to_centroid(ctx.points(a, t), member_points))


def group_distance_series(
    panel: Panel,
    country: str,
    group: object,
    *,
    groups: Groups | None = None,
    years: Sequence[int] | None = None,
    indicators: object = None,
    standardize: str = STANDARDIZE,
    ddof: int = DDOF,
) -> pd.DataFrame:
    """Distance from a country to a group's centroid for every year.

    Returns
    -------
    DataFrame
        Columns ``year, country, group, members, n_members, distance, n_countries, note,
        error`` and the method columns.
    """
    ctx = _Context(panel, indicators, standardize, ddof)
    a = panel.country_index(country)

    def one_year(members: tuple[int, ...], t: int) -> float:
        ctx.require_points((a, *members), t)
        member_points = np.stack([ctx.points(m, t) for m in members])
        return float(distance_to_centroid(ctx.points(a, t), member_points))

    frame = _group_records(ctx, group, groups, years, one_year, "distance")
    frame.insert(1, "country", panel.countries[a])
    frame["n_countries"] = [ctx.n_countries(panel.year_index(y)) for y in frame["year"]]
    return ctx.label(frame[[*frame.columns.drop(["note", "error"]), "note", "error"]])


# -------------------------------------------------------------- within group
def group_cv(
    panel: Panel,
    group: object,
    year: int,
    *,
    groups: Groups | None = None,
    indicators: object = None,
    ddof: int = DDOF,
    cv_limit: float = CV_LIMIT,
) -> float:
    """Mean absolute coefficient of variation within a group in one year (SIEI type 3).

    Computed on raw values (z-scores have mean about zero), so it is independent of the
    rest of the panel and of the standardisation.

    Parameters
    ----------
    cv_limit : float, default 10
        Refuse an indicator whose group mean is so close to zero that ``|sd / mean|``
        exceeds this: the CV would measure the mean's closeness to zero, not dispersion.

    Raises
    ------
    TooFewCountriesError
        The group has fewer than two members that year.
    NearZeroMeanError
        An indicator's group mean is near zero relative to its sd.
    MissingValueError
        A member lacks a value.

    Notes
    -----
    .. math:: V_G = \\frac{1}{K}\\sum_k \\left| s_{G,k} / \\bar x_{G,k} \\right|

    Examples
    --------
    >>> from siei_xl.example import example_panel
    >>> round(group_cv(example_panel(), "RUS, CHN, KGZ, UZB, TKM", 2015), 4)
    0.8218
    """
    ctx = _Context(panel, indicators, STANDARDIZE, ddof)
    t = panel.year_index(year)
    members = _members(panel, group, panel.years[t], groups)
    return _group_cv(ctx, members, t, cv_limit)


def group_cv_series(
    panel: Panel,
    group: object,
    *,
    groups: Groups | None = None,
    years: Sequence[int] | None = None,
    indicators: object = None,
    ddof: int = DDOF,
    cv_limit: float = CV_LIMIT,
) -> pd.DataFrame:
    """Mean absolute coefficient of variation within a group for every year.

    Returns
    -------
    DataFrame
        Columns ``year, group, members, n_members, cv, note, error, ddof, indicators``.
    """
    ctx = _Context(panel, indicators, STANDARDIZE, ddof)

    def one_year(members: tuple[int, ...], t: int) -> float:
        return _group_cv(ctx, members, t, cv_limit)

    frame = ctx.label(_group_records(ctx, group, groups, years, one_year, "cv"))
    return frame.drop(columns="standardize")


def _group_records(
    ctx: _Context,
    group: object,
    groups: Groups | None,
    years: Sequence[int] | None,
    compute: Callable[[tuple[int, ...], int], float],
    column: str,
) -> pd.DataFrame:
    """One row per year of a group measure; a year that fails gets NaN and a note."""
    panel = ctx.panel
    records = []
    for t in _year_positions(panel, years):
        year = panel.years[t]
        members: tuple[int, ...] = ()
        value, note, error = math.nan, "", ""
        try:
            members = _members(panel, group, year, groups)
            value = compute(members, t)
        except _YEAR_ERRORS as exc:
            note, error = str(exc), type(exc).__name__
        records.append(
            {
                "year": year,
                "group": _group_label(group),
                "members": ",".join(panel.countries[m] for m in members),
                "n_members": len(members),
                column: value,
                "note": note,
                "error": error,
            }
        )
    frame = pd.DataFrame.from_records(records)
    # Which group a name stood for (the user's, or the built-in catalogue's).
    frame.attrs["group_source"] = group_note(group, groups) or ""
    return frame


def _group_cv(ctx: _Context, members: tuple[int, ...], t: int, cv_limit: float) -> float:
    panel = ctx.panel
    year = panel.years[t]
    if not cv_limit > 0:
        raise OptionError(f"cv_limit must be a positive number, got {cv_limit!r}")
    if len(members) < 2:
        raise TooFewCountriesError(
            f"the group has {len(members)} member in {year}; a coefficient of variation "
            "needs at least 2 countries"
        )
    ctx.require_values(members, t)
    raw = panel.values[list(members), t][:, list(ctx.ks)]
    stats = dispersion_stats(raw, ddof=ctx.ddof)
    for j, k in enumerate(ctx.ks):
        mean, sd = float(stats.mean[j]), float(stats.sd[j])
        if abs(mean) * cv_limit < sd or (mean == 0.0 and sd == 0.0):
            cv = "infinite" if mean == 0 else f"{abs(sd / mean):.3g}"
            raise NearZeroMeanError(
                f"the group mean of {panel.indicators[k]} in {year} is {mean:.4g}, too close "
                f"to zero for its sd {sd:.4g} (|CV| = {cv}, limit {cv_limit:g}): the "
                "coefficient of variation is meaningless here; leave this indicator out "
                "or use a level rather than a rate"
            )
    return float(np.mean(np.abs(stats.cv)))


# ------------------------------------------------------------------ tables
def convergence_table(
    panel: Panel,
    focus: str,
    partners: Sequence[str] | str,
    *,
    region: object = None,
    region_label: str = "Region",
    groups: Groups | None = None,
    years: Sequence[int] | None = None,
    indicators: object = None,
    standardize: str = STANDARDIZE,
    ddof: int = DDOF,
) -> pd.DataFrame:
    """The seed's Figure 1 as a table: the focus country vs each partner and the region.

    Returns
    -------
    DataFrame
        Indexed by year; one column per partner (pair distance) and, if ``region`` is
        given, one column ``region_label`` (distance to the region's centroid). NaN where a
        value is not available; ``attrs["notes"]`` lists why, ``attrs["year_notes"]``
        holds the same reasons by year, and ``attrs["line_notes"]`` by line of the table
        (``"KAZ-RUS"``: ``[(year, reason), ...]``, in column order).

    Examples
    --------
    >>> from siei_xl.example import example_panel
    >>> t = convergence_table(example_panel(), "KAZ", ["RUS", "CHN"], region="RUS,CHN")
    >>> list(t.columns)
    ['RUS', 'CHN', 'Region']
    """
    ctx = _Context(panel, indicators, standardize, ddof)
    options = {"years": years, "indicators": indicators, "standardize": standardize, "ddof": ddof}
    columns: dict[str, pd.Series] = {}
    notes: list[str] = []
    year_notes: dict[int, list[str]] = {}
    line_notes: dict[str, list[tuple[int, str]]] = {}
    focus_label = panel.country(focus)

    def collect(prefix: str, series: pd.DataFrame) -> None:
        notes.extend(_notes(prefix, series))
        for year, note in zip(series["year"], series["note"], strict=True):
            if note:
                year_notes.setdefault(int(year), []).append(f"{prefix}: {note}")
                line_notes.setdefault(prefix, []).append((int(year), str(note)))

    for partner in _labels(partners):
        series = pair_series(panel, focus, partner, **options)  # type: ignore[arg-type]
        name = panel.country(partner)
        columns[name] = series.set_index("year")["distance"]
        collect(f"{focus_label}-{name}", series)
    if region is not None:
        if region_label in columns:  # e.g. a one-country region that is also a partner
            region_label = f"{region_label} (region)"
        series = group_distance_series(panel, focus, region, groups=groups, **options)  # type: ignore[arg-type]
        columns[region_label] = series.set_index("year")["distance"]
        collect(f"{focus_label}-{region_label}", series)
    table = pd.DataFrame(columns)
    table.index.name = "year"
    source = group_note(region, groups) if region is not None else None
    table.attrs.update(
        ctx.method(),
        focus=focus_label,
        notes=notes,
        year_notes=year_notes,
        line_notes=line_notes,
        group_source=source or "",
    )
    return table


def standardized_table(
    panel: Panel, *, standardize: str = STANDARDIZE, ddof: int = DDOF
) -> pd.DataFrame:
    """z-scores of every country-year in the layout of the data (country, year, ...)."""
    std = panel.standardization(standardize=standardize, ddof=ddof)
    z = Panel(std.points, panel.countries, panel.years, panel.indicators).to_wide()
    keep = panel.to_wide()[["country", "year"]]
    table = keep.merge(z, on=["country", "year"], how="left")
    table.attrs.update(standardize=std.method, ddof=std.ddof)
    return table


# ----------------------------------------------------------------- helpers
class _Context:
    """One computation's options, resolved once, with the explanations of gaps."""

    def __init__(self, panel: Panel, indicators: object, standardize: str, ddof: int) -> None:
        self.panel = panel
        self.ks = panel.indicator_positions(indicators)
        self.std: Standardization = panel.standardization(standardize=standardize, ddof=ddof)
        self.ddof = self.std.ddof

    def points(self, country: int, t: int) -> npt.NDArray[np.float64]:
        return self.std.points[country, t, list(self.ks)]

    def method(self) -> dict[str, object]:
        return {
            "standardize": self.std.method,
            "ddof": self.ddof,
            "indicators": [self.panel.indicators[k] for k in self.ks],
        }

    def label(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame["standardize"] = self.std.method
        frame["ddof"] = self.ddof
        frame["indicators"] = ",".join(self.panel.indicators[k] for k in self.ks)
        frame.attrs.update(self.method())
        return frame

    def n_countries(self, t: int) -> int:
        if self.std.method == "yearly":
            return int(min(self.std.count[t, k] for k in self.ks))
        return self._pooled_countries

    @functools.cached_property
    def _pooled_countries(self) -> int:
        """Countries with any value, the fewest over the indicators (the same every year)."""
        present = ~np.isnan(self.panel.values[:, :, list(self.ks)])
        return int(present.any(axis=1).sum(axis=0).min())

    def require_values(self, countries: Sequence[int], t: int) -> None:
        panel = self.panel
        for c in countries:
            for k in self.ks:
                if math.isnan(panel.values[c, t, k]):
                    raise MissingValueError(
                        f"{panel.countries[c]} has no value for {panel.indicators[k]} "
                        f"in {panel.years[t]}"
                    )

    def require_standardizable(self, t: int) -> None:
        panel, std = self.panel, self.std
        where = f"in {panel.years[t]}" if std.method == "yearly" else "over all years"
        for k in self.ks:
            n = int(std.count[t, k])
            name = panel.indicators[k]
            if n - self.ddof <= 0:
                raise TooFewCountriesError(
                    f"only {n} value of {name} {where}; a standard deviation with "
                    f"ddof={self.ddof} needs at least {self.ddof + 1}"
                )
            if std.sd[t, k] == 0:
                raise ConstantIndicatorError(
                    f"{name} has the same value for all {n} countries {where} (sd = 0), so "
                    "its z-scores are undefined; leave it out of the indicators"
                )

    def require_points(self, countries: Sequence[int], t: int) -> None:
        self.require_values(countries, t)
        self.require_standardizable(t)

    def explain(self, countries: Sequence[int], t: int) -> SieiError:
        """The error that makes a value unavailable in year position ``t``."""
        try:
            self.require_points(countries, t)
        except _YEAR_ERRORS as exc:
            return exc
        return MissingValueError(f"not available in {self.panel.years[t]}")


def _notes(prefix: str, series: pd.DataFrame) -> list[str]:
    return [f"{prefix} {y}: {n}" for y, n in zip(series["year"], series["note"], strict=True) if n]


def _labels(value: Sequence[str] | str) -> list[str]:
    return split_list(value)


def _country_positions(panel: Panel, countries: Sequence[str] | str) -> list[int]:
    labels = _labels(countries)
    if not labels:
        raise DataError("the list of countries is empty")
    return [panel.country_index(c) for c in labels]


def _members(panel: Panel, group: object, year: int, groups: Groups | None) -> tuple[int, ...]:
    labels = resolve_group(group, year, groups)
    if not labels:
        raise MissingValueError(f"group {_group_label(group)!r} has no members in {year}")
    positions: list[int] = []
    for label in labels:
        try:
            pos = panel.country_index(label)
        except UnknownCountryError as exc:
            raise unknown_member(panel, group, groups, exc) from None
        if pos in positions:
            raise DataError(f"country {panel.countries[pos]!r} is listed twice in the group")
        positions.append(pos)
    return tuple(positions)


def unknown_member(
    panel: Panel, group: object, groups: Groups | None, exc: UnknownCountryError
) -> SieiError:
    """The error for a group member that is not in the data: a group name that is not
    defined (said so, with the defined names), or an unknown country of a list."""
    if isinstance(group, str) and "," not in group:
        name = group.strip()
        if groups is not None and groups.names:
            return UnknownGroupError(
                f"{name!r} is neither a defined group{closest(name, groups.names)} nor a "
                "country of the data"
            )
        return UnknownGroupError(
            f"{name!r} is not a country of the data{closest(name, panel.countries)} and no "
            "groups are defined: a group name needs a groups table (on the command line, "
            "--groups FILE)"
        )
    return UnknownCountryError(f"in the group: {exc}")


def check_members(panel: Panel, group: object, years: Sequence[int], groups: Groups | None) -> None:
    """Refuse a group with a member that is not in the data in any of ``years``."""
    for year in years:
        for label in resolve_group(group, int(year), groups):
            try:
                panel.country_index(label)
            except UnknownCountryError as exc:
                raise unknown_member(panel, group, groups, exc) from None


def _group_label(group: object) -> str:
    if isinstance(group, str):
        return group.strip()
    return ",".join(str(g) for g in _labels(group))  # type: ignore[arg-type]


def _year_positions(panel: Panel, years: Sequence[int] | None) -> list[int]:
    if years is None:
        return list(range(len(panel.years)))
    return [panel.year_index(y) for y in years]
