"""The seed's Figure 1 on published data: Kazakhstan against its neighbours, 2000-2020.

Reads ``../shared/data/macro_focus_wide.csv`` (World Bank WDI, CC BY 4.0; see the README
there) and checks siei_xl against an independent computation in pandas that uses no
siei_xl code. The module is skipped when the shared folder is absent (a fresh clone).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import siei_xl as siei
from siei_xl.exceptions import MissingValueError, NearZeroMeanError

pytestmark = pytest.mark.realdata

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "macro_focus_wide.csv"
if not DATA.exists():
    pytest.skip(f"real data not found at {DATA}", allow_module_level=True)

FOCUS = "KAZ"
PARTNERS = ["RUS", "CHN", "KGZ", "UZB", "TKM"]
LEVEL, GROWTH = "NY.GDP.PCAP.PP.CD", "NY.GDP.MKTP.KD.ZG"
INDICATORS = [LEVEL, GROWTH]
YEARS = list(range(2000, 2021))
RTOL = 1e-12


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(DATA)


@pytest.fixture(scope="module")
def panel() -> siei.Panel:
    return siei.read_panel(DATA, indicators=INDICATORS)


@pytest.fixture(scope="module")
def z(raw: pd.DataFrame) -> pd.DataFrame:
    """Yearly z-scores over all 11 economies of the file, in plain pandas (sample sd)."""
    frame = raw.set_index(["iso3", "year"])[INDICATORS]
    by_year = frame.groupby(level="year")
    return (frame - by_year.transform("mean")) / by_year.transform("std", ddof=1)


def reference_pair(z: pd.DataFrame, a: str, b: str) -> pd.Series:
    diff = z.xs(a, level="iso3") - z.xs(b, level="iso3")
    return np.sqrt((diff**2).sum(axis=1, min_count=len(INDICATORS))).loc[YEARS]


def test_the_file_is_the_expected_universe(raw: pd.DataFrame, panel: siei.Panel) -> None:
    assert raw["iso3"].nunique() == 11
    assert sorted(panel.countries) == sorted(raw["iso3"].unique())
    assert panel.indicators == tuple(INDICATORS)
    # iso3 is the key; the names column is neither a key nor an indicator
    assert "Kazakhstan" not in panel.countries
    # every economy has both values in 2000-2020, so the universe is 11 every year
    window = raw[raw["year"].between(2000, 2020)]
    assert window[INDICATORS].notna().all().all()
    series = siei.pair_series(panel, FOCUS, "RUS", years=YEARS)
    assert (series["n_countries"] == 11).all()


@pytest.mark.parametrize("partner", PARTNERS)
def test_kazakhstan_and_each_neighbour(panel: siei.Panel, z: pd.DataFrame, partner: str) -> None:
    series = siei.pair_series(panel, FOCUS, partner, years=YEARS).set_index("year")
    assert_allclose(series["distance"], reference_pair(z, FOCUS, partner), rtol=RTOL)
    assert (series["note"] == "").all()


def test_kazakhstan_and_the_border_region(panel: siei.Panel, z: pd.DataFrame) -> None:
    series = siei.group_distance_series(panel, FOCUS, PARTNERS, years=YEARS).set_index("year")
    centroid = z.loc[PARTNERS].groupby(level="year").mean()
    diff = z.xs(FOCUS, level="iso3") - centroid
    expected = np.sqrt((diff**2).sum(axis=1)).loc[YEARS]
    assert_allclose(series["distance"], expected, rtol=RTOL)
    assert (series["members"] == ",".join(PARTNERS)).all()


def test_figure_1_table(panel: siei.Panel, z: pd.DataFrame) -> None:
    table = siei.convergence_table(
        panel, FOCUS, PARTNERS, region=PARTNERS, region_label="Border region", years=YEARS
    )
    assert list(table.columns) == [*PARTNERS, "Border region"]
    for partner in PARTNERS:
        assert_allclose(table[partner], reference_pair(z, FOCUS, partner), rtol=RTOL)
    assert table.attrs["notes"] == []


def test_group_cv_of_the_region(panel: siei.Panel, raw: pd.DataFrame) -> None:
    members = raw[raw["iso3"].isin(PARTNERS)].set_index("year")[INDICATORS]
    by_year = members.groupby(level="year")
    abs_cv = (by_year.std(ddof=1) / by_year.mean()).abs().loc[YEARS]
    expected = abs_cv.mean(axis=1)
    series = siei.group_cv_series(panel, PARTNERS, years=YEARS).set_index("year")
    computed = series["note"] == ""
    assert_allclose(series.loc[computed, "cv"], expected[computed], rtol=RTOL)
    # the refused years are exactly those where an indicator's |CV| exceeds the limit
    refused = (abs_cv > siei.CV_LIMIT).any(axis=1)
    assert (~computed).tolist() == refused.tolist()


def test_near_zero_mean_growth_is_refused_not_a_huge_number(
    panel: siei.Panel, raw: pd.DataFrame
) -> None:
    # 2020: the neighbours' growth rates (RUS -2.65, CHN 2.34, KGZ -7.15, UZB 1.62, TKM 5.87
    # in this vintage) average 0.006, so sd / mean is in the hundreds
    growth = raw[(raw["year"] == 2020) & raw["iso3"].isin(PARTNERS)][GROWTH]
    assert abs(growth.std() / growth.mean()) > 100
    with pytest.raises(NearZeroMeanError, match=f"{GROWTH} in 2020.*too close to zero"):
        siei.group_cv(panel, PARTNERS, 2020)
    series = siei.group_cv_series(panel, PARTNERS, years=YEARS).set_index("year")
    assert math.isnan(series.loc[2020, "cv"])
    assert "too close to zero" in series.loc[2020, "note"]
    assert series["cv"].max() < siei.CV_LIMIT  # no exploded value slipped through
    # the level alone has a meaningful CV in 2020
    level = raw[(raw["year"] == 2020) & raw["iso3"].isin(PARTNERS)][LEVEL]
    assert siei.group_cv(panel, PARTNERS, 2020, indicators=LEVEL) == pytest.approx(
        level.std() / level.mean(), rel=RTOL
    )


def test_pooled_standardisation_against_pandas(panel: siei.Panel, raw: pd.DataFrame) -> None:
    # pooled: mean and sd over every country-year of the file (1990-2025), not the window
    frame = raw.set_index(["iso3", "year"])[INDICATORS]
    zp = (frame - frame.mean()) / frame.std(ddof=1)
    series = siei.pair_series(panel, FOCUS, "CHN", years=YEARS, standardize="pooled")
    assert_allclose(series["distance"], reference_pair(zp, FOCUS, "CHN"), rtol=RTOL)


def test_missing_inflation_is_not_available_with_a_reason() -> None:
    # README traps: no CPI for TKM, CPI for UZB only from 2011
    panel = siei.read_panel(DATA, indicators="FP.CPI.TOTL.ZG")
    tkm = siei.pair_series(panel, FOCUS, "TKM", years=YEARS)
    assert tkm["distance"].isna().all()
    assert tkm["note"].str.contains("TKM has no value for FP.CPI.TOTL.ZG").all()
    uzb = siei.pair_series(panel, FOCUS, "UZB", years=YEARS).set_index("year")
    raw_uzb = pd.read_csv(DATA).set_index(["iso3", "year"]).loc["UZB", "FP.CPI.TOTL.ZG"]
    has_cpi = raw_uzb.loc[YEARS].notna()
    assert uzb["distance"].notna().tolist() == has_cpi.tolist()
    assert not has_cpi.loc[2005]
    assert has_cpi.loc[2015]
    with pytest.raises(MissingValueError, match=r"UZB has no value for FP\.CPI\.TOTL\.ZG in 2005"):
        siei.pair_distance(panel, FOCUS, "UZB", 2005)
