"""The one Hypothesis strategies module: random panels with their labels, years and values.

A drawn :class:`PanelCase` holds the raw ingredients (a value cube and its labels), so a test
can build the same data as a :class:`~siei_xl.Panel`, as a wide table (in any row order), or
feed it to an independent re-computation.

Values sit on a grid of 0.01 times a per-indicator scale (0.01 to 10^4, like a growth rate
next to a GDP per capita): distinct values are never closer than 10^-6 of the largest one, so
z-scores are well conditioned and the tolerances of the property tests can stay tight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import hypothesis.extra.numpy as hnp
import numpy as np
import numpy.typing as npt
import pandas as pd
from hypothesis import strategies as st

from siei_xl import Panel
from siei_xl.groups import group_name
from siei_xl.labels import MISSING_MARKERS, label_key

__all__ = ["PanelCase", "labels", "panels", "years"]

# Letters of several scripts, digits and the punctuation real labels carry ("KZ-ALM",
# "Almaty (city)", "Côte d'Ivoire"). No comma: a comma separates labels in a list cell.
LABEL_ALPHABET = "ABCKRSUZabkrsuzÉéÖöЖжКк0123456789 -.()'_"
INDICATOR_SCALES = (0.01, 1.0, 100.0, 10_000.0)


@dataclass(frozen=True)
class PanelCase:
    """A drawn panel: ``values[c, t, k]`` (NaN = missing) with its labels."""

    values: npt.NDArray[np.float64]
    countries: tuple[str, ...]
    years: tuple[int, ...]
    indicators: tuple[str, ...]

    def panel(self) -> Panel:
        """The case as a Panel built directly from the cube."""
        return Panel(self.values, self.countries, self.years, self.indicators)

    def wide(self) -> pd.DataFrame:
        """One row per country and year (blank values included), as a sheet would hold it."""
        records = [
            {
                "country": country,
                "year": year,
                **dict(zip(self.indicators, self.values[c, t].tolist(), strict=True)),
            }
            for c, country in enumerate(self.countries)
            for t, year in enumerate(self.years)
        ]
        return pd.DataFrame.from_records(records, columns=["country", "year", *self.indicators])


def labels() -> st.SearchStrategy[str]:
    """Free-text unit labels (ISO codes, names, regional codes), possibly padded.

    Never the name of a built-in grouping ('CA5', 'SCO'): a single label naming one stands
    for that grouping wherever a group is asked for (documented), not for a country.
    """
    return st.text(alphabet=LABEL_ALPHABET, min_size=1, max_size=10).filter(
        lambda s: (
            bool(label_key(s)) and label_key(s) not in MISSING_MARKERS and group_name(s) is None
        )
    )


def years(*, min_size: int = 1, max_size: int = 4) -> st.SearchStrategy[list[int]]:
    """Strictly increasing years, not necessarily consecutive."""
    return st.lists(st.integers(1950, 2050), min_size=min_size, max_size=max_size, unique=True).map(
        sorted
    )


@st.composite
def panels(
    draw: st.DrawFn,
    *,
    min_countries: int = 2,
    max_countries: int = 7,
    max_years: int = 4,
    min_indicators: int = 1,
    max_indicators: int = 3,
    missing: bool = True,
    distinct: bool = False,
) -> PanelCase:
    """Random panels.

    Parameters
    ----------
    missing : bool
        Whether cells may be NaN (about one in five).
    distinct : bool
        Every value different from every other, so no indicator is ever constant in a year.
    """
    countries = draw(
        st.lists(labels(), min_size=min_countries, max_size=max_countries, unique_by=label_key)
    )
    year_list = draw(years(max_size=max_years))
    n_k = draw(st.integers(min_indicators, max_indicators))
    indicators = [f"ind{k}" for k in range(n_k)]
    grid = st.integers(-1_000_000, 1_000_000).map(lambda i: i / 100)
    cell = st.one_of(st.just(math.nan), grid, grid, grid, grid) if missing else grid
    cube = draw(
        hnp.arrays(
            np.float64,
            (len(countries), len(year_list), n_k),
            elements=cell,
            fill=st.nothing(),
            unique=distinct,
        )
    )
    scales = draw(st.lists(st.sampled_from(INDICATOR_SCALES), min_size=n_k, max_size=n_k))
    cube = cube * np.asarray(scales)
    return PanelCase(cube, tuple(countries), tuple(year_list), tuple(indicators))
