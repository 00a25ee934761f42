"""The workbook's main job over plain rows: :func:`siei_xl.job.run`, ``validate``, settings.

Rows are given as the sheets hold them when read from A1: an instruction line above the
header, blank rows, stray spaces, numbers as floats (Excel hands a year over as 2015.0).
"""

from __future__ import annotations

import contextlib
import copy
import math
import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import siei_xl as siei
from siei_xl import job
from siei_xl.excel import layout
from siei_xl.excel.fill import example_inputs
from siei_xl.exceptions import OptionError, SieiError

PARTNERS = ["RUS", "CHN", "KGZ", "UZB", "TKM"]


def as_excel(rows: list[list[object]]) -> list[list[object]]:
    """Numbers as Excel hands them over: every int a float."""
    return [
        [float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in row]
        for row in rows
    ]


@pytest.fixture
def tables() -> tuple[list[list[object]], list[list[object]], list[list[object]]]:
    return example_inputs()


@pytest.fixture
def sheets(
    tables: tuple[list[list[object]], list[list[object]], list[list[object]]],
) -> tuple[list[list[object]], list[list[object]], list[list[object]]]:
    """The example as the three sheets hold it, read from A1 with xlwings."""
    data, groups, settings = tables
    data_sheet = [[layout.INSTRUCTIONS["Data"], None, None, None], *as_excel(data)]
    data_sheet.insert(40, [None, None, None, None])  # a blank row in the middle
    data_sheet.append([None, None, None, None])
    data_sheet = [
        [f"  {v} " if isinstance(v, str) and c == 0 and r > 1 else v for c, v in enumerate(row)]
        for r, row in enumerate(data_sheet)
    ]
    groups_sheet = [[layout.INSTRUCTIONS["Groups"]], *as_excel(groups), [None, None]]
    settings_sheet = [
        [layout.INSTRUCTIONS["Settings"], None, None],
        ["Setting", "Value", "What it means"],
        *[[f" {k.upper()}  ", v, "help"] for k, v in settings],
        [None, None, None],
    ]
    return data_sheet, groups_sheet, settings_sheet


def set_setting(rows: list[list[object]], key: str, value: object) -> list[list[object]]:
    out = copy.deepcopy(rows)
    for row in out:
        if isinstance(row[0], str) and row[0].strip().lower() == key.lower():
            row[1] = value
            return out
    raise KeyError(key)


# ------------------------------------------------------------------------ run
def test_run_reads_the_sheets_as_excel_gives_them(
    sheets: tuple[list[list[object]], ...], example: siei.Panel
) -> None:
    result = job.run(*sheets)
    expected = siei.convergence_table(
        example,
        "KAZ",
        PARTNERS,
        region="Border region",
        region_label="Border region",
        groups=siei.example_groups(),
    )
    assert list(result.distances.columns) == [*PARTNERS, "Border region"]
    assert list(result.distances.index) == list(range(1995, 2025))
    assert_allclose(result.distances.to_numpy(), expected.to_numpy(), rtol=1e-14)
    assert result.region_is_group
    assert result.settings.focus == "KAZ"
    assert result.settings.ddof == 1  # a float 1.0 in the cell


def test_run_equals_run_on_clean_tables(
    sheets: tuple[list[list[object]], ...],
    tables: tuple[list[list[object]], ...],
) -> None:
    messy, clean = job.run(*sheets), job.run(*tables)
    pd.testing.assert_frame_equal(messy.distances, clean.distances)
    pd.testing.assert_frame_equal(messy.region_cv, clean.region_cv)
    assert messy.notes == clean.notes


def test_run_and_validate_do_not_mutate_their_inputs(
    sheets: tuple[list[list[object]], ...],
) -> None:
    bad = copy.deepcopy(sheets)
    bad[0][5][2] = "abc"
    for inputs in (sheets, bad):
        before = copy.deepcopy(inputs)
        job.validate(*inputs)
        assert inputs == before
        with contextlib.suppress(SieiError):
            job.run(*inputs)
        assert inputs == before


def test_first_and_last_year_limit_the_table(sheets: tuple[list[list[object]], ...]) -> None:
    data, groups, settings = sheets
    settings = set_setting(set_setting(settings, "First year", 2000.0), "Last year", "2010")
    result = job.run(data, groups, settings)
    assert list(result.distances.index) == list(range(2000, 2011))
    assert list(result.region_cv["year"]) == list(range(2000, 2011))


# -------------------------------------------------------------------- validate
def test_valid_sheets_have_no_problems(sheets: tuple[list[list[object]], ...]) -> None:
    assert job.validate(*sheets) == []


def test_validate_reports_every_problem_naming_its_row(
    sheets: tuple[list[list[object]], ...],
) -> None:
    data, groups, settings = copy.deepcopy(sheets)
    # the sheet: instruction in row 1, header in row 2, so data[i] is sheet row i + 1;
    # the problems are in rows of TJK, a country no setting names (no gaps reported)
    assert data[1][:2] == ["country", "year"]
    tjk = [i for i, row in enumerate(data) if isinstance(row[0], str) and row[0].strip() == "TJK"]
    a, b, c = tjk[2], tjk[8], tjk[15]
    data[a][2] = "1,234"  # text in a number column
    data[b][0] = None  # no country
    data[c][:2] = data[c - 1][:2]  # repeats the row above
    problems = job.validate(data, groups, settings)
    assert len(problems) == 3, problems
    assert re.match(rf"row {a + 1}, column 'gdp_pc_ppp' .*'1,234' is not a number", problems[0])
    assert problems[1].startswith(f"row {b + 1}: the 'country' cell is blank")
    assert re.match(rf"rows {c} and {c + 1} both hold TJK \d{{4}}", problems[2])
    with pytest.raises(SieiError, match=f"row {a + 1},"):  # run stops at the first
        job.run(data, groups, settings)


def test_validate_reports_settings_groups_and_data_together(
    sheets: tuple[list[list[object]], ...],
) -> None:
    data, groups, settings = copy.deepcopy(sheets)
    data[6][3] = "n.a.x"
    groups[4][1] = None  # sheet row 5 of Groups: a group without its country
    settings = set_setting(settings, "CV limit", "-3")
    problems = job.validate(data, groups, settings)
    assert len(problems) == 3, problems
    assert any("CV limit" in p for p in problems)
    assert any(p.startswith("row 7, column 'gdp_growth'") for p in problems)
    assert any(p.startswith("groups row 5:") for p in problems), problems


def test_validate_names_unknown_labels_and_gaps(sheets: tuple[list[list[object]], ...]) -> None:
    data, groups, settings = copy.deepcopy(sheets)
    settings = set_setting(settings, "Partners", "RUS, CHNA")
    settings = set_setting(settings, "Region", "RUS, XYZ")
    for row in data[2:]:
        if row[0] and row[0].strip() == "KGZ" and row[1] in (2001.0, 2002.0, 2005.0):
            row[2] = ".."
    settings = set_setting(settings, "Partners", "RUS, CHNA, KGZ")
    problems = job.validate(data, groups, settings)
    assert any("Settings Partners" in p and "CHNA" in p for p in problems), problems
    assert any("Settings Region" in p and "XYZ" in p for p in problems), problems
    assert "KGZ lacks values in 2001-2002, 2005: those years will be n/a" in problems


def test_validate_an_empty_data_sheet(sheets: tuple[list[list[object]], ...]) -> None:
    _data, groups, settings = sheets
    empty = [[layout.INSTRUCTIONS["Data"]], ["country", "year", "a", "b"], [None, None]]
    assert job.validate(empty, groups, settings) == [
        "the Data sheet is empty: paste a header row and data below it"
    ]


# -------------------------------------------------------------------- settings
@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("Standardize", "weekly", "standardize"),
        ("ddof", "2", "ddof"),
        ("ddof", "sometimes", "ddof"),
        ("CV limit", "-1", "CV limit"),
        ("CV limit", "lots", "CV limit"),
        ("First year", "2000.5", "First year"),
        ("Last year", "soon", "Last year"),
        ("Focus country", "  ", "Focus country"),
    ],
)
def test_a_bad_setting_is_named(
    sheets: tuple[list[list[object]], ...], key: str, value: object, named: str
) -> None:
    data, groups, settings = sheets
    bad = set_setting(settings, key, value)
    with pytest.raises(OptionError) as info:
        job.read_settings(bad)
    assert named.lower() in str(info.value).lower()
    problems = job.validate(data, groups, bad)
    assert len(problems) == 1
    assert named.lower() in problems[0].lower()


def test_unknown_setting_names_its_row_and_text(sheets: tuple[list[list[object]], ...]) -> None:
    settings = copy.deepcopy(sheets[2])
    settings.insert(5, ["Colour ", "red"])  # sheet row 6
    with pytest.raises(OptionError, match=r"Settings row 6: unknown setting 'Colour'"):
        job.read_settings(settings)


def test_settings_tolerate_case_spaces_and_float_cells() -> None:
    cfg = job.read_settings(
        [
            ["Settings: anything"],
            [None],
            ["Setting", "Value"],
            ["  focus COUNTRY ", "  KAZ "],
            ["partners", " RUS ,CHN,, "],
            [None, None],
            ["DDOF", 0.0],
            ["cv limit", 5.0],
            ["first year", 2001.0],
        ]
    )
    assert cfg.focus == "KAZ"
    assert cfg.partners == ("RUS", "CHN")
    assert (cfg.ddof, cfg.cv_limit, cfg.first_year, cfg.last_year) == (0, 5.0, 2001, None)
    assert cfg.region == "Border region"  # the default


def test_settings_need_partners_or_a_region() -> None:
    with pytest.raises(OptionError, match="Partners, a Region"):
        job.read_settings([["Focus country", "KAZ"], ["Partners", ""], ["Region", None]])


def test_first_year_after_last_year(sheets: tuple[list[list[object]], ...]) -> None:
    data, groups, settings = sheets
    settings = set_setting(set_setting(settings, "First year", 2010.0), "Last year", 2005.0)
    with pytest.raises(OptionError, match="First year 2010 is after Last year 2005"):
        job.run(data, groups, settings)


# ---------------------------------------------------------------------- regions
def test_named_region_with_membership_changing_by_year(
    sheets: tuple[list[list[object]], ...], example: siei.Panel
) -> None:
    data, groups, settings = sheets
    groups = [
        *groups[:-1],
        ["Shifting", "RUS", None, 2004.0],  # leaves after 2004
        ["Shifting", "CHN", 2000.0, None],  # joins in 2000
        [" shifting ", "KGZ", 1998.0, 2010.0],  # same group, other spelling
    ]
    settings = set_setting(settings, "Region", "Shifting")
    result = job.run(data, groups, settings)
    assert result.region_is_group
    column = result.distances["Shifting"]
    for year in result.distances.index:
        members = [
            c
            for c, lo, hi in (("RUS", None, 2004), ("CHN", 2000, None), ("KGZ", 1998, 2010))
            if (lo is None or year >= lo) and (hi is None or year <= hi)
        ]
        if not members:
            assert math.isnan(column[year]), year
            continue
        expected = siei.group_distance(example, "KAZ", members, year)
        assert column[year] == pytest.approx(expected, rel=1e-14), year
        row = result.region_members.set_index("year").loc[year]
        assert row["members"].split(",") == members, year
    assert result.region_members.set_index("year").loc[2005, "members"] == "CHN,KGZ"


def test_eaeu_has_no_members_before_2015(
    sheets: tuple[list[list[object]], ...], example: siei.Panel
) -> None:
    data, groups, settings = sheets
    result = job.run(data, groups, set_setting(settings, "Region", "EAEU"))
    column = result.distances["EAEU"]
    assert column.loc[:2014].isna().all()
    assert column.loc[2015:].notna().all()
    assert column[2015] == pytest.approx(
        siei.group_distance(example, "KAZ", ["RUS", "KAZ", "KGZ"], 2015), rel=1e-14
    )
    # one note for the whole span, not one per year (each cell keeps its own reason)
    assert "KAZ-EAEU: group 'EAEU' has no members in 1995-2014" in result.notes
    assert "EAEU CV: group 'EAEU' has no members in 1995-2014" in result.notes
    assert not [n for n in result.notes if "2013" in n]
    cv = result.region_cv.set_index("year")["cv"]
    assert np.isnan(cv[2014])
    assert cv[2015] == pytest.approx(siei.group_cv(example, ["RUS", "KAZ", "KGZ"], 2015))


def test_a_note_holding_a_semicolon_stays_one_note(
    sheets: tuple[list[list[object]], ...],
) -> None:
    """The CV's refusal is one message with a '; ' in it: condensing keeps it whole."""
    result = job.run(*sheets)
    cv = [n for n in result.notes if n.startswith("Border region CV: ")]
    assert len(cv) == 1
    assert "meaningless here; leave this indicator out" in cv[0]


def test_region_as_countries_and_as_one_country(
    sheets: tuple[list[list[object]], ...], example: siei.Panel
) -> None:
    data, groups, settings = sheets
    listed = job.run(data, groups, set_setting(settings, "Region", "RUS, CHN"))
    assert not listed.region_is_group
    assert list(listed.distances.columns)[-1] == "Region"
    assert listed.distances["Region"][2015] == pytest.approx(
        siei.group_distance(example, "KAZ", ["RUS", "CHN"], 2015), rel=1e-14
    )
    single = job.run(data, groups, set_setting(settings, "Region", "TJK"))  # not a partner
    assert list(single.distances.columns) == [*PARTNERS, "TJK"]
    assert single.distances["TJK"][2015] == pytest.approx(
        siei.pair_distance(example, "KAZ", "TJK", 2015), rel=1e-14
    )
    assert set(single.region_cv["error"]) == {"TooFewCountriesError"}


def test_region_neither_group_nor_country_is_an_error(
    sheets: tuple[list[list[object]], ...],
) -> None:
    data, groups, settings = sheets
    bad = set_setting(settings, "Region", "Atlantis")
    with pytest.raises(OptionError, match="Region 'Atlantis' is neither a group") as info:
        job.run(data, groups, bad)
    assert "Border region, EAEU, CU, CA5" in str(info.value)  # the groups there are
    problems = job.validate(data, groups, bad)
    assert problems == [
        "Settings Region: 'Atlantis' is neither a group on the Groups sheet nor a country "
        "of the data"
    ]
