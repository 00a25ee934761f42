"""The convergence measures against an independent, deliberately plain re-computation.

The reference below uses nothing from siei_xl: dictionaries, loops, the ``statistics``
module and ``math.dist``, written straight from METHOD.md. It reads the same input table
the Panel is built from, so a disagreement means the engine (or the reading) is wrong.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import siei_xl as siei
from siei_xl import Groups, Member, Panel
from siei_xl.exceptions import DataError, MissingValueError, UnknownGroupError

RTOL = 1e-12
ATOL = 1e-12  # distances between near-identical points are differences of rounded values

Data = dict[str, dict[int, dict[str, float]]]  # country -> year -> indicator -> value


# ------------------------------------------------------------- the reference
def table_data(frame: pd.DataFrame, indicators: Sequence[str]) -> Data:
    """country -> year -> indicator -> value from a wide frame (NaN = missing)."""
    data: Data = {}
    for record in frame.to_dict("records"):
        cells = data.setdefault(str(record["country"]), {}).setdefault(int(record["year"]), {})
        for k in indicators:
            cells[k] = float(record[k])
    return data


def value(data: Data, country: str, year: int, k: str) -> float:
    return data[country].get(year, {}).get(k, math.nan)


def ref_z(data: Data, year: int, k: str, method: str, ddof: int) -> dict[str, float]:
    """z-scores of indicator k in a year over every country that has a value."""
    years = [year] if method == "yearly" else sorted({y for c in data for y in data[c]})
    pool = [value(data, c, y, k) for c in data for y in years]
    pool = [x for x in pool if not math.isnan(x)]
    if len(pool) <= ddof:
        return {}
    mean = statistics.fmean(pool)
    sd = statistics.stdev(pool) if ddof == 1 else statistics.pstdev(pool)
    if sd == 0:
        return {}
    out = {}
    for c in data:
        x = value(data, c, year, k)
        if not math.isnan(x):
            out[c] = (x - mean) / sd
    return out


class Reference:
    """The reference measures over one data set and one set of options."""

    def __init__(self, data: Data, ks: Sequence[str], method: str = "yearly", ddof: int = 1):
        self.data, self.ks, self.method, self.ddof = data, list(ks), method, ddof
        self._z: dict[tuple[int, str], dict[str, float]] = {}

    def z(self, year: int, k: str) -> dict[str, float]:
        if (year, k) not in self._z:  # computed once: the pooled pool is large
            self._z[year, k] = ref_z(self.data, year, k, self.method, self.ddof)
        return self._z[year, k]

    def point(self, country: str, year: int) -> list[float] | None:
        point = []
        for k in self.ks:
            z = self.z(year, k)
            if country not in z:
                return None
            point.append(z[country])
        return point

    def pair(self, a: str, b: str, year: int) -> float:
        pa, pb = self.point(a, year), self.point(b, year)
        return math.nan if pa is None or pb is None else math.dist(pa, pb)

    def group(self, a: str, group: Sequence[str], year: int) -> float:
        pa = self.point(a, year)
        points = [self.point(g, year) for g in group]
        members = [m for m in points if m is not None]
        if pa is None or not members or len(members) < len(points):
            return math.nan
        centroid = [statistics.fmean(m[j] for m in members) for j in range(len(self.ks))]
        return math.dist(pa, centroid)


def ref_cv(data: Data, group: Sequence[str], year: int, ks: Sequence[str], ddof: int) -> float:
    """Mean over indicators of |sd / mean| of the members' raw values."""
    cvs = []
    for k in ks:
        xs = [value(data, g, year, k) for g in group]
        if len(xs) < 2 or any(math.isnan(x) for x in xs):
            return math.nan
        mean = statistics.fmean(xs)
        sd = statistics.stdev(xs) if ddof == 1 else statistics.pstdev(xs)
        cvs.append(abs(sd / mean) if mean else math.inf)
    return statistics.fmean(cvs)


# ------------------------------------------------------------------ fixtures
def random_frame(seed: int, *, missing: float = 0.15) -> pd.DataFrame:
    """9 economies x 6 years x 3 indicators of very different magnitude, some missing."""
    rng = np.random.default_rng(seed)
    countries = ["KAZ", "RUS", "CHN", "KGZ", "UZB", "TKM", "TJK", "MNG", "Reg-7 (border)"]
    years = list(range(2001, 2007))
    rows = []
    for c in countries:
        for y in years:
            level = rng.lognormal(9, 1)
            growth = rng.normal(4, 5)
            debt = rng.uniform(5, 120)
            row = [c, y, level, growth, debt]
            for j in (2, 3, 4):
                if rng.random() < missing:
                    row[j] = math.nan
            rows.append(row)
    return pd.DataFrame(rows, columns=["country", "year", "gdp_pc", "growth", "debt"])


CASES = ["example", "random0", "random1", "random2"]


def case(name: str) -> tuple[pd.DataFrame, list[str]]:
    if name == "example":
        return siei.example_frame(), ["gdp_pc_ppp", "gdp_growth"]
    return random_frame(int(name[-1])), ["gdp_pc", "growth", "debt"]


def example_reference() -> Reference:
    ks = ["gdp_pc_ppp", "gdp_growth"]
    return Reference(table_data(siei.example_frame(), ks), ks)


OPTIONS = [("yearly", 1), ("yearly", 0), ("pooled", 1), ("pooled", 0)]


# ---------------------------------------------------------- the comparisons
@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize(("method", "ddof"), OPTIONS)
def test_pair_series_matches_reference(name: str, method: str, ddof: int) -> None:
    frame, ks = case(name)
    panel, ref = Panel.from_wide(frame), Reference(table_data(frame, ks), ks, method, ddof)
    for a, b in [("KAZ", "RUS"), ("KAZ", "CHN"), ("MNG", "TKM")]:
        series = siei.pair_series(panel, a, b, standardize=method, ddof=ddof)
        expected = [ref.pair(a, b, y) for y in series["year"]]
        assert_allclose(series["distance"], expected, rtol=RTOL, atol=ATOL)
        # a year without a distance says why; a year with one has no note
        assert (series["note"] == "").tolist() == np.isfinite(expected).tolist()
        assert series.attrs["standardize"] == method
        assert series.attrs["ddof"] == ddof


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize(("method", "ddof"), OPTIONS)
def test_pair_series_on_one_indicator(name: str, method: str, ddof: int) -> None:
    frame, ks = case(name)
    panel, ref = Panel.from_wide(frame), Reference(table_data(frame, ks), ks[-1:], method, ddof)
    series = siei.pair_series(panel, "RUS", "KGZ", indicators=ks[-1], standardize=method, ddof=ddof)
    expected = [ref.pair("RUS", "KGZ", y) for y in series["year"]]
    assert_allclose(series["distance"], expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", CASES)
def test_n_countries_counts_the_universe(name: str) -> None:
    frame, ks = case(name)
    panel, data = Panel.from_wide(frame), table_data(frame, ks)
    series = siei.pair_series(panel, "KAZ", "RUS")
    expected = [
        min(sum(not math.isnan(value(data, c, y, k)) for c in data) for k in ks)
        for y in series["year"]
    ]
    assert series["n_countries"].tolist() == expected


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize(("method", "ddof"), OPTIONS)
def test_group_distance_series_matches_reference(name: str, method: str, ddof: int) -> None:
    frame, ks = case(name)
    panel, ref = Panel.from_wide(frame), Reference(table_data(frame, ks), ks, method, ddof)
    for focus, group in [("KAZ", ["RUS", "CHN", "KGZ"]), ("KAZ", ["KAZ", "RUS"]), ("TJK", ["UZB"])]:
        series = siei.group_distance_series(panel, focus, group, standardize=method, ddof=ddof)
        expected = [ref.group(focus, group, y) for y in series["year"]]
        assert_allclose(series["distance"], expected, rtol=RTOL, atol=ATOL)
        assert (series["note"] == "").tolist() == np.isfinite(expected).tolist()


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("ddof", [1, 0])
def test_group_cv_series_matches_reference(name: str, ddof: int) -> None:
    frame, ks = case(name)
    panel, data = Panel.from_wide(frame), table_data(frame, ks)
    for group in (["RUS", "CHN", "KGZ", "UZB", "TKM"], ["KAZ", "MNG"]):
        series = siei.group_cv_series(panel, group, ddof=ddof)
        expected = np.array([ref_cv(data, group, y, ks, ddof) for y in series["year"]])
        # the engine refuses |CV| above the limit of 10 for any indicator (a mean near zero)
        exploding = [
            any(ref_cv(data, group, y, [k], ddof) > siei.CV_LIMIT for k in ks)
            for y in series["year"]
        ]
        expected[exploding] = math.nan
        assert_allclose(series["cv"], expected, rtol=RTOL, atol=ATOL)
        assert (series["note"] == "").tolist() == np.isfinite(expected).tolist()


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize(("method", "ddof"), OPTIONS)
def test_pair_matrix_matches_reference(name: str, method: str, ddof: int) -> None:
    frame, ks = case(name)
    panel, ref = Panel.from_wide(frame), Reference(table_data(frame, ks), ks, method, ddof)
    for year in panel.years:
        matrix = siei.pair_matrix(panel, year, standardize=method, ddof=ddof)
        # default rows: exactly the countries with a complete point that year
        complete = [c for c in ref.data if ref.point(c, year) is not None]
        assert list(matrix.index) == complete
        assert list(matrix.columns) == complete
        expected = [[ref.pair(a, b, year) for b in complete] for a in complete]
        assert_allclose(matrix.to_numpy(), expected, rtol=RTOL, atol=ATOL)
        assert matrix.attrs["year"] == year


@pytest.mark.parametrize("name", CASES)
def test_pair_matrices_every_year_matches_reference(name: str) -> None:
    frame, ks = case(name)
    panel, data = Panel.from_wide(frame), table_data(frame, ks)
    ref = Reference(data, ks)
    result = siei.pair_matrices(panel)
    assert result.countries == tuple(data)
    for t, year in enumerate(result.years):
        expected = [[ref.pair(a, b, year) for b in data] for a in data]
        # a country without a point has NaN everywhere, its diagonal included
        assert_allclose(result.distances[t], expected, rtol=RTOL, atol=ATOL)
    tidy = result.to_long()
    n = len(result.countries)
    assert len(tidy) == len(result.years) * n * (n - 1) // 2
    first = tidy.iloc[0]
    assert first["distance"] == pytest.approx(
        ref.pair(first["country_a"], first["country_b"], first["year"]),
        rel=RTOL,
        nan_ok=True,
    )
    assert_allclose(result.frame(result.years[-1]).to_numpy(), result.distances[-1])


def test_pair_matrix_with_chosen_countries(example: Panel) -> None:
    ref = example_reference()
    matrix = siei.pair_matrix(example, 2009, countries="tkm, kaz,RUS")
    assert list(matrix.index) == ["TKM", "KAZ", "RUS"]
    expected = [[ref.pair(a, b, 2009) for b in matrix.index] for a in matrix.index]
    assert_allclose(matrix.to_numpy(), expected, rtol=RTOL, atol=ATOL)
    with pytest.raises(DataError, match="empty"):
        siei.pair_matrix(example, 2009, countries="")


@pytest.mark.parametrize(("method", "ddof"), OPTIONS)
def test_standardized_table_matches_reference(method: str, ddof: int) -> None:
    frame, ks = case("random1")
    panel, data = Panel.from_wide(frame), table_data(frame, ks)
    table = siei.standardized_table(panel, standardize=method, ddof=ddof)
    for record in table.to_dict("records"):
        for k in ks:
            z = ref_z(data, record["year"], k, method, ddof).get(record["country"], math.nan)
            assert record[k] == pytest.approx(z, rel=RTOL, abs=ATOL, nan_ok=True)
    assert table.attrs == {"standardize": method, "ddof": ddof}


def test_scalar_functions_agree_with_series(example: Panel) -> None:
    pair = siei.pair_series(example, "KAZ", "UZB", standardize="pooled", ddof=0)
    group = siei.group_distance_series(example, "KAZ", "RUS,CHN,KGZ,UZB,TKM")
    cv = siei.group_cv_series(example, "RUS,CHN,KGZ,UZB,TKM")
    for t, year in enumerate(example.years):
        assert siei.pair_distance(
            example, "KAZ", "UZB", year, standardize="pooled", ddof=0
        ) == pytest.approx(pair["distance"][t], rel=1e-15)
        assert siei.group_distance(example, "KAZ", "RUS,CHN,KGZ,UZB,TKM", year) == pytest.approx(
            group["distance"][t], rel=1e-15
        )
        if cv["note"][t] == "":
            assert siei.group_cv(example, "RUS,CHN,KGZ,UZB,TKM", year) == cv["cv"][t]


def test_convergence_table_is_the_pair_and_group_series(example: Panel) -> None:
    partners = ["RUS", "CHN", "KGZ", "UZB", "TKM"]
    table = siei.convergence_table(
        example, "kaz", partners, region=",".join(partners), region_label="Border region"
    )
    assert list(table.columns) == [*partners, "Border region"]
    assert list(table.index) == list(example.years)
    ref = example_reference()
    for year in (1995, 2009, 2024):
        for p in partners:
            assert table.loc[year, p] == pytest.approx(ref.pair("KAZ", p, year), rel=RTOL)
        assert table.loc[year, "Border region"] == pytest.approx(
            ref.group("KAZ", partners, year), rel=RTOL
        )
    assert table.attrs["focus"] == "KAZ"
    assert table.attrs["notes"] == []


def test_convergence_table_notes_missing_years() -> None:
    frame, ks = case("random0")
    panel, ref = Panel.from_wide(frame), Reference(table_data(frame, ks), ks)
    table = siei.convergence_table(panel, "KAZ", "RUS,CHN", region="RUS,CHN")
    gaps = [
        (y, p) for y in panel.years for p in ("RUS", "CHN") if math.isnan(ref.pair("KAZ", p, y))
    ]
    assert gaps, "the seed should leave some pair without a value"
    for year, partner in gaps:
        assert math.isnan(table.loc[year, partner])
        assert any(n.startswith(f"KAZ-{partner} {year}: ") for n in table.attrs["notes"])


# ------------------------------------------------ groups that change by year
EAEU = Groups(
    {
        # Customs Union from 2010, EAEU enlargement in 2015; a member that left in 2012
        "EAEU": [
            Member("RUS", 2010),
            Member("KAZ", 2010),
            Member("KGZ", 2015),
            Member("TKM", 2010, 2012),
        ],
        "Pair": ["CHN", "UZB"],
    }
)


def test_group_members_by_year() -> None:
    assert EAEU.members("EAEU", 2009) == ()
    assert EAEU.members("eaeu ", 2011) == ("RUS", "KAZ", "TKM")
    assert EAEU.members("EAEU", 2013) == ("RUS", "KAZ")
    assert EAEU.members("EAEU", 2015) == ("RUS", "KAZ", "KGZ")
    assert EAEU.members("Pair", 1900) == ("CHN", "UZB")
    with pytest.raises(UnknownGroupError, match="closest: EAEU"):
        EAEU.members("EAU", 2015)
    with pytest.raises(DataError, match="after leaving"):
        Groups({"G": [Member("A", 2015, 2010)]})
    with pytest.raises(DataError, match="defined twice"):
        Groups({"G": ["A"], " g": ["B"]})


def test_groups_read_from_a_table(tmp_path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("group,country,from,to\nEAEU,RUS,2010,\nEAEU,KAZ,2010.0,\nEAEU,KGZ,2015,\n")
    book = Groups.read(path)
    assert book.members("EAEU", 2014) == ("RUS", "KAZ")
    assert book.members("EAEU", 2015) == ("RUS", "KAZ", "KGZ")
    bad = tmp_path / "bad.csv"
    bad.write_text("group,country,from\nEAEU,RUS,soon\n")
    with pytest.raises(DataError, match="'soon' is not a year"):
        Groups.read(bad)


def test_group_distance_series_follows_membership(example: Panel) -> None:
    ref = example_reference()
    series = siei.group_distance_series(example, "TJK", "EAEU", groups=EAEU).set_index("year")
    # before 2010 the group has no members: NaN with a note, not an error
    assert series.loc[2005, "n_members"] == 0
    assert math.isnan(series.loc[2005, "distance"])
    assert "no members in 2005" in series.loc[2005, "note"]
    for year in example.years:
        members = EAEU.members("EAEU", year)
        assert series.loc[year, "members"] == ",".join(members)
        expected = ref.group("TJK", members, year)
        assert series.loc[year, "distance"] == pytest.approx(expected, rel=RTOL, nan_ok=True)
    # the centroid moves when KGZ joins in 2015: the 2015 distance is not the one to the
    # 2014 membership
    without_kgz = ref.group("TJK", ["RUS", "KAZ"], 2015)
    assert series.loc[2015, "distance"] != pytest.approx(without_kgz, rel=1e-6)
    assert siei.group_distance(example, "TJK", "EAEU", 2015, groups=EAEU) == pytest.approx(
        ref.group("TJK", ["RUS", "KAZ", "KGZ"], 2015), rel=RTOL
    )
    with pytest.raises(MissingValueError, match="no members in 2005"):
        siei.group_distance(example, "TJK", "EAEU", 2005, groups=EAEU)


def test_group_cv_series_follows_membership(example: Panel) -> None:
    data = table_data(siei.example_frame(), ["gdp_pc_ppp", "gdp_growth"])
    ks = ["gdp_pc_ppp", "gdp_growth"]
    series = siei.group_cv_series(example, "EAEU", groups=EAEU).set_index("year")
    assert "no members in 2009" in series.loc[2009, "note"]
    assert series.loc[2013, "n_members"] == 2
    for year in range(2010, 2025):
        members = EAEU.members("EAEU", year)
        if series.loc[year, "note"] == "":
            assert series.loc[year, "cv"] == pytest.approx(
                ref_cv(data, members, year, ks, 1), rel=RTOL
            )
    assert series.loc[2015, "cv"] != pytest.approx(ref_cv(data, ["RUS", "KAZ"], 2015, ks, 1))


def test_group_errors_that_hold_every_year_are_raised(example: Panel) -> None:
    with pytest.raises(siei.SieiError, match="'XYZ' is not in the data"):
        siei.group_distance_series(example, "KAZ", "RUS,XYZ")
    with pytest.raises(DataError, match="listed twice"):
        siei.group_distance(example, "KAZ", "RUS, rus", 2015)
    with pytest.raises(DataError, match="empty"):
        siei.group_cv(example, " , ", 2015)


def test_a_one_country_region_that_is_also_a_partner_keeps_both_columns() -> None:
    panel = siei.example_panel()
    table = siei.convergence_table(panel, "KAZ", ["RUS", "CHN"], region="CHN", region_label="CHN")
    assert list(table.columns) == ["RUS", "CHN", "CHN (region)"]
    # a one-country group's centroid is the country itself
    assert table["CHN (region)"].tolist() == pytest.approx(table["CHN"].tolist(), rel=1e-12)
