"""Classic convergence beside the SIEI: sigma (dispersion over time) and beta (catch-up).

sigma-convergence: the cross-country dispersion of a level (GDP per capita) falls over
time; measured each year as the sd of logs (default) or the coefficient of variation,
with an OLS trend. beta-convergence: poorer countries grow faster; the slope of average
log growth on the initial log level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from siei_xl._defaults import DDOF
from siei_xl.convergence import check_members
from siei_xl.core.classic import Beta, Trend, beta, sigma, trend
from siei_xl.core.standardize import check_ddof
from siei_xl.exceptions import (
    ConstantIndicatorError,
    MissingValueError,
    OptionError,
    TooFewCountriesError,
    UndefinedResultError,
)
from siei_xl.groups import Groups, group_note, resolve_group
from siei_xl.labels import split_list
from siei_xl.panel import Panel

__all__ = [
    "MEMBERS",
    "SigmaResult",
    "beta_convergence",
    "membership_changes",
    "sigma_series",
    "sigma_value",
]

MEASURES = ("sd_log", "cv")
MEMBERS = ("as-of-year", "fixed")
"""How a group whose membership changes is taken over a span: each year's members
(``as-of-year``), or the members of the span's last year throughout (``fixed``)."""


@dataclass(frozen=True)
class SigmaResult:
    """The yearly dispersion and its trend."""

    series: pd.DataFrame
    """Columns year, sigma, n, members, note, error (the exception's class name, or "")."""
    trend: Trend
    """OLS of sigma on year over the years with a value."""
    measure: str


def _levels(panel: Panel, indicator: str, members: Sequence[str], year: int) -> np.ndarray:
    names = split_list(indicator)
    if len(names) != 1:
        raise OptionError(f"give one indicator (a positive level), got {indicator!r}")
    (k,) = panel.indicator_positions(names)
    t = panel.year_index(year)
    out = []
    for label in members:
        c = panel.country_index(label)
        value = float(panel.values[c, t, k])
        if math.isnan(value):
            raise MissingValueError(
                f"{panel.countries[c]} has no value for {panel.indicators[k]} in {year}"
            )
        if value <= 0:
            raise UndefinedResultError(
                f"{panel.countries[c]}'s {panel.indicators[k]} in {year} is {value:g}: a "
                "non-positive value has no logarithm"
            )
        out.append(value)
    return np.array(out)


def _options(measure: str, ddof: int) -> tuple[str, int]:
    word = str(measure).strip().lower()  # option words are case-blind
    if word not in MEASURES:
        raise OptionError(f"measure must be 'sd_log' or 'cv', got {measure!r}")
    return word, check_ddof(ddof)


def _members_option(members: str) -> str:
    word = str(members).strip().lower().replace("_", "-")
    if word not in MEMBERS:
        raise OptionError(f"members must be 'as-of-year' or 'fixed', got {members!r}")
    return word


def membership_changes(
    group: object, years: Sequence[int], groups: Groups | None = None
) -> dict[int, str]:
    """Years in which a group's membership differs from the year before, and how.

    Examples
    --------
    >>> from siei_xl.groups import Groups, Member
    >>> book = Groups({"EAEU": ["KAZ", "RUS", Member("KGZ", 2015, None)]})
    >>> membership_changes("EAEU", [2013, 2014, 2015, 2016], book)
    {2015: '+KGZ'}
    """
    changes: dict[int, str] = {}
    before: tuple[str, ...] | None = None
    for year in sorted(int(y) for y in years):
        now = resolve_group(group, year, groups)
        if before is not None and set(now) != set(before):
            joined = [f"+{m}" for m in now if m not in before]
            left = [f"-{m}" for m in before if m not in now]
            changes[year] = ",".join(joined + left)
        before = now
    return changes


def _sigma_of(
    panel: Panel, indicator: str, members: Sequence[str], year: int, measure: str, ddof: int
) -> float:
    if len(members) < 2:
        raise TooFewCountriesError(f"the group has {len(members)} member in {year}")
    return sigma(_levels(panel, indicator, members, year), measure=measure, ddof=ddof)


def sigma_value(
    panel: Panel,
    indicator: str,
    group: object,
    year: int,
    *,
    groups: Groups | None = None,
    measure: str = "sd_log",
    ddof: int = DDOF,
    members: str = "as-of-year",
) -> float:
    """Dispersion of ``indicator`` across the group's countries in one year.

    ``members="fixed"`` takes the group's members of the data's last year, as
    :func:`sigma_series` does over the data's years; ``as-of-year`` those of ``year``.

    Examples
    --------
    >>> from siei_xl.example import example_panel
    >>> round(sigma_value(example_panel(), "gdp_pc_ppp", "KAZ,RUS", 2015), 6)
    0.056696
    """
    measure, ddof = _options(measure, ddof)
    panel.year_index(year)
    when = panel.years[-1] if _members_option(members) == "fixed" else int(year)
    return _sigma_of(panel, indicator, resolve_group(group, when, groups), int(year), measure, ddof)


def sigma_series(
    panel: Panel,
    indicator: str,
    group: object,
    *,
    groups: Groups | None = None,
    years: Sequence[int] | None = None,
    measure: str = "sd_log",
    ddof: int = DDOF,
    members: str = "as-of-year",
) -> SigmaResult:
    """Dispersion of ``indicator`` across the group's countries each year, with its trend.

    Parameters
    ----------
    measure : {"sd_log", "cv"}
        ``sd_log``: sd of natural logs (scale-free, the usual sigma); ``cv``: sd / mean.
    members : {"as-of-year", "fixed"}
        ``as-of-year``: each year the group's members that year. ``fixed``: the members
        of the span's last year in every year, so a change in dispersion is never caused
        by countries joining or leaving (today's members, followed back in time).

    Returns
    -------
    SigmaResult
        ``series`` has columns ``year, sigma, n, members, membership, note, error``:
        ``membership`` marks the years where the group's membership changed from the year
        before (``'+ARM,+KGZ'``), whichever ``members`` is chosen; ``attrs`` hold
        ``measure, ddof, indicator, members``, ``membership_changes`` and
        ``group_source`` (where a group name came from, "" for a list).

    Notes
    -----
    A year where a member lacks a value is NaN with a note (the group is never silently
    shrunk). The trend is the OLS slope of sigma on year, its standard error and t
    statistic; a negative, significant slope is sigma-convergence. With ``as-of-year``,
    a jump in a year marked in ``membership`` may come from the new members alone.

    Examples
    --------
    >>> from siei_xl.example import example_panel
    >>> r = sigma_series(example_panel(), "gdp_pc_ppp", "KAZ,RUS,KGZ")
    >>> r.trend.slope > 0  # Kyrgyzstan falls behind: the dispersion grows
    True
    """
    measure, ddof = _options(measure, ddof)
    how = _members_option(members)
    span = [int(y) for y in (years if years is not None else panel.years)]
    if not span:
        raise OptionError("no years to compute: the span is empty")
    check_members(panel, group, span, groups)
    changes = membership_changes(group, span, groups)
    fixed = resolve_group(group, span[-1], groups) if how == "fixed" else None
    records = []
    for year in span:
        members_now = fixed if fixed is not None else resolve_group(group, year, groups)
        value, note, error = math.nan, "", ""
        try:
            value = _sigma_of(panel, indicator, members_now, year, measure, ddof)
        except (MissingValueError, UndefinedResultError, TooFewCountriesError) as exc:
            note, error = str(exc), type(exc).__name__
        records.append(
            {
                "year": year,
                "sigma": value,
                "n": len(members_now),
                "members": ",".join(members_now),
                "membership": changes.get(year, ""),
                "note": note,
                "error": error,
            }
        )
    frame = pd.DataFrame.from_records(records)
    ok = frame["sigma"].notna()
    if ok.sum() < 3:
        failed = frame.loc[~ok, "note"]
        why = f" ({failed.iloc[0]})" if ok.sum() == 0 and len(failed) else ""
        raise TooFewCountriesError(
            f"only {int(ok.sum())} years have a value; a trend needs at least 3{why}"
        )
    fit = trend(frame.loc[ok, "year"].to_numpy(), frame.loc[ok, "sigma"].to_numpy())
    frame.attrs.update(
        measure=measure,
        ddof=ddof,
        indicator=indicator,
        members=how,
        membership_changes=changes,
        group_source=group_note(group, groups) or "",
    )
    return SigmaResult(frame, fit, measure)


def beta_convergence(
    panel: Panel,
    indicator: str,
    group: object,
    start_year: int,
    end_year: int,
    *,
    groups: Groups | None = None,
    members: str = "as-of-year",
) -> Beta:
    """Absolute beta convergence of ``indicator`` over the group's countries.

    Regression over countries of ``(1/T) ln(y_end / y_start)`` on ``ln y_start`` with
    ``T = end_year - start_year``.

    Parameters
    ----------
    members : {"as-of-year", "fixed"}
        ``as-of-year``: the group's members in ``start_year`` (those whose catch-up the
        span follows from its start). ``fixed``: the members in ``end_year`` (today's
        members, followed back to the start), as ``fixed`` means for :func:`sigma_series`.
        :func:`membership_changes` says whether the two differ.

    Raises
    ------
    UndefinedResultError
        A non-positive value (no logarithm), naming country and year.
    TooFewCountriesError
        Fewer than 3 countries (a slope with a standard error needs 3).

    Examples
    --------
    >>> from siei_xl.example import example_panel
    >>> r = beta_convergence(example_panel(), "gdp_pc_ppp", "KAZ,RUS,CHN,KGZ,UZB,TKM", 1995, 2024)
    >>> r.n, r.years
    (6, 29)
    """
    if int(end_year) <= int(start_year):
        raise OptionError(f"end_year ({end_year}) must be after start_year ({start_year})")
    how = _members_option(members)
    year = int(end_year if how == "fixed" else start_year)
    check_members(panel, group, [year], groups)
    chosen = resolve_group(group, year, groups)
    if len(chosen) < 3:
        raise TooFewCountriesError(
            f"beta needs at least 3 countries for a slope and its standard error; got {len(chosen)}"
        )
    y0 = _levels(panel, indicator, chosen, int(start_year))
    y1 = _levels(panel, indicator, chosen, int(end_year))
    if np.ptp(np.log(y0)) == 0:
        raise ConstantIndicatorError(
            f"every country has the same {indicator} in {start_year}: no slope can be fitted"
        )
    return beta(y0, y1, int(end_year) - int(start_year))
