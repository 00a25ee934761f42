"""Building a Panel from long, wide, CSV, XLSX and DataFrame input, clean and messy."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

import siei_xl as siei
from siei_xl import Panel, read_panel
from siei_xl.exceptions import (
    DataError,
    DuplicateRowError,
    HeaderError,
    NonNumericError,
    OptionError,
    UnknownCountryError,
    UnknownIndicatorError,
    UnknownYearError,
)

NAN = math.nan
WriteCsv = Callable[..., Path]

# The same small panel in every layout below: 3 countries x 2 years x 2 indicators,
# RUS growth 2016 missing.
EXPECTED_COUNTRIES = ("KAZ", "RUS", "CHN")
EXPECTED_YEARS = (2015, 2016)
EXPECTED_INDICATORS = ("gdp", "growth")
EXPECTED = np.array(
    [
        [[10.0, 1.5], [11.0, 1.1]],
        [[20.0, -2.0], [21.0, NAN]],
        [[5.0, 7.0], [6.0, 6.8]],
    ]
)


def assert_expected(panel: Panel, *, countries: tuple[str, ...] = EXPECTED_COUNTRIES) -> None:
    """The panel holds EXPECTED, whatever order its countries came in."""
    assert panel.years == EXPECTED_YEARS
    assert panel.indicators == EXPECTED_INDICATORS
    assert sorted(panel.countries) == sorted(countries)
    order = [panel.country_index(c) for c in EXPECTED_COUNTRIES]
    assert_array_equal(panel.values[order], EXPECTED)


def expected_wide() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": ["KAZ", "KAZ", "RUS", "RUS", "CHN", "CHN"],
            "year": [2015, 2016] * 3,
            "gdp": [10.0, 11.0, 20.0, 21.0, 5.0, 6.0],
            "growth": [1.5, 1.1, -2.0, NAN, 7.0, 6.8],
        }
    )


# --------------------------------------------------------------- clean input
def test_from_wide() -> None:
    panel = Panel.from_wide(expected_wide())
    assert_expected(panel)
    assert panel.countries == EXPECTED_COUNTRIES  # order of first appearance
    assert repr(panel) == "Panel(3 countries x 2 years (2015-2016) x 2 indicators: gdp, growth)"


def test_from_long_and_from_frame_detect_the_layout() -> None:
    long = expected_wide().melt(id_vars=["country", "year"], var_name="indicator")
    assert_expected(Panel.from_long(long))
    assert_expected(Panel.from_frame(long))
    assert_expected(Panel.from_frame(expected_wide()))


def test_to_wide_and_to_long_round_trip() -> None:
    panel = Panel.from_wide(expected_wide())
    assert_expected(Panel.from_wide(panel.to_wide()))
    long = panel.to_long()
    assert len(long) == 11  # 12 cells, one missing left out
    assert_expected(Panel.from_long(long))


def test_constructor_checks_shapes_and_labels() -> None:
    with pytest.raises(DataError, match="shape"):
        Panel(np.zeros((2, 1, 1)), ["A"], [2000], ["g"])
    with pytest.raises(DataError, match="same label"):
        Panel(np.zeros((2, 1, 1)), ["KAZ", " kaz"], [2000], ["g"])
    with pytest.raises(DataError, match="increasing"):
        Panel(np.zeros((1, 2, 1)), ["A"], [2001, 2000], ["g"])
    with pytest.raises(NonNumericError, match="infinity"):
        Panel(np.full((1, 1, 1), np.inf), ["A"], [2000], ["g"])


def test_values_are_read_only() -> None:
    panel = Panel.from_wide(expected_wide())
    with pytest.raises(ValueError, match="read-only"):
        panel.values[0, 0, 0] = 99.0


def test_wide_csv(write_csv: WriteCsv) -> None:
    path = write_csv(
        "country,year,gdp,growth\n"
        "KAZ,2015,10,1.5\nKAZ,2016,11,1.1\nRUS,2015,20,-2\nRUS,2016,21,\n"
        "CHN,2015,5,7\nCHN,2016,6,6.8\n"
    )
    panel = read_panel(path)
    assert_expected(panel)
    assert panel.description == "data.csv"


def test_long_csv_with_descriptive_columns(write_csv: WriteCsv) -> None:
    # the layout of ../shared/data/macro_long.csv: iso3 and names, a source column
    lines = ["iso3,country,year,indicator,value,source"]
    names = {"KAZ": "Kazakhstan", "RUS": "Russia", "CHN": "China"}
    for _, row in expected_wide().melt(id_vars=["country", "year"], var_name="ind").iterrows():
        if not math.isnan(row["value"]):
            c = row["country"]
            lines.append(f"{c},{names[c]},{row['year']},{row['ind']},{row['value']},WDI")
    assert_expected(read_panel(write_csv("\n".join(lines) + "\n")))


def test_semicolon_csv(write_csv: WriteCsv) -> None:
    path = write_csv(
        "country;year;gdp;growth\nKAZ;2015;10;1.5\nKAZ;2016;11;1.1\nRUS;2015;20;-2\n"
        "RUS;2016;21;..\nCHN;2015;5;7\nCHN;2016;6;6.8\n"
    )
    assert_expected(read_panel(path))


def test_xlsx_written_with_openpyxl(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Notes"
    sheet["A1"] = "this sheet is not data"
    data = book.create_sheet("Data")
    data.append(["Country", "Year", "gdp", "growth"])
    for row in expected_wide().itertuples(index=False):
        country, year, gdp, growth = row
        # years as Excel stores them (floats), missing as a World Bank '..' string
        data.append([country, float(year), gdp, ".." if math.isnan(growth) else growth])
    data.append([None, None, None, None])  # trailing blank rows
    data.append([None, None, None, None])
    path = tmp_path / "data.xlsx"
    book.save(path)
    assert_expected(read_panel(path))  # the sheet named Data, not the first one
    with pytest.raises(DataError, match="no sheet 'Missing'"):
        read_panel(path, sheet="Missing")


def test_xlsx_written_with_pandas_long(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    long = expected_wide().melt(id_vars=["country", "year"], var_name="Indicator")
    long = long.rename(columns={"value": "Value", "country": "Country Code"})
    long.to_excel(path, index=False)
    assert_expected(read_panel(path))
    assert read_panel(path, indicators="growth").indicators == ("growth",)


def test_dataframe_with_only_chosen_indicators() -> None:
    panel = Panel.from_wide(expected_wide(), indicators=["GROWTH"])
    assert panel.indicators == ("growth",)
    assert_array_equal(panel.values[:, :, 0], EXPECTED[:, :, 1])
    with pytest.raises(UnknownIndicatorError, match="closest: gdp"):
        Panel.from_wide(expected_wide(), indicators="gpd")


# --------------------------------------------------------------- messy input
def test_missing_markers_padding_case_float_years_and_blank_rows(write_csv: WriteCsv) -> None:
    path = write_csv(
        "COUNTRY ,Year,gdp,growth\n"
        " KAZ ,2015.0,10,1.5\n"
        "kaz,2016,11,1.1\n"
        "RUS,2015,20,-2\n"
        "rus,2016.0,21,n/a\n"
        "  chn,2015,5,7\n"
        "CHN  ,2016,6,6.8\n"
        ",,,\n"
        ",,,\n"
    )
    panel = read_panel(path)
    assert_expected(panel, countries=("KAZ", "RUS", "chn"))  # first spelling kept
    assert panel.country("Chn ") == "chn"


@pytest.mark.parametrize("marker", ["", "..", "n/a", "N/A", "...", "-", "#N/A", " .. "])
def test_missing_value_markers(marker: str) -> None:
    frame = expected_wide().astype(object)
    frame.loc[3, "growth"] = marker
    assert_expected(Panel.from_wide(frame))


def test_numbers_as_text_are_numbers() -> None:
    frame = expected_wide().astype(object)
    frame.loc[0, "gdp"] = " 10 "
    frame.loc[0, "year"] = "2015"
    assert_expected(Panel.from_wide(frame))


@pytest.mark.parametrize("header", ["iso3", "Country Code", "code", "country", "ISO3 "])
def test_country_header_variants(header: str) -> None:
    assert_expected(Panel.from_wide(expected_wide().rename(columns={"country": header})))


def test_iso3_wins_over_country_names(write_csv: WriteCsv) -> None:
    # the layout of ../shared/data/macro_focus_wide.csv
    path = write_csv(
        "iso3,country,year,gdp,growth\n"
        "KAZ,Kazakhstan,2015,10,1.5\nKAZ,Kazakhstan,2016,11,1.1\n"
        "RUS,Russia,2015,20,-2\nRUS,Russia,2016,21,\n"
        "CHN,China,2015,5,7\nCHN,China,2016,6,6.8\n"
    )
    panel = read_panel(path)
    assert_expected(panel)
    assert "country" not in panel.indicators


def test_duplicate_country_year_names_both_rows(write_csv: WriteCsv) -> None:
    path = write_csv("country,year,gdp\nKAZ,2015,1\nRUS,2015,2\nCHN,2015,3\n kaz,2015.0,4\n")
    with pytest.raises(DuplicateRowError, match=r"rows 2 and 5 both hold KAZ 2015"):
        read_panel(path)


def test_duplicate_in_a_long_table_names_both_rows() -> None:
    # rows 2..5 (header = row 1): A and B twice each, the first duplicate pair is rows 2 and 4
    long = pd.DataFrame(
        {"country": ["A", "B", "A", "B"], "year": 2000, "indicator": "g", "value": [1, 2, 3, 4]}
    )
    with pytest.raises(DuplicateRowError, match=r"rows 2 and 4 both hold g for A 2000"):
        Panel.from_long(long)


def test_long_table_with_spelling_variants_is_one_country_year() -> None:
    # the same country-year spelled two ways across indicators is not a duplicate
    long = pd.DataFrame(
        {
            "country": ["KAZ", " kaz", "RUS", "RUS"],
            "year": ["2015", "2015.0", 2015, 2015],
            "indicator": ["gdp", "growth", "gdp", "growth"],
            "value": [1.0, "2", 3.0, ".."],
        }
    )
    panel = Panel.from_long(long)
    assert panel.years == (2015,)
    kaz, rus = panel.country_index("KAZ"), panel.country_index("RUS")
    assert_array_equal(panel.values[kaz, 0], [1.0, 2.0])
    assert_array_equal(panel.values[rus, 0], [3.0, NAN])


def test_non_numeric_text_names_row_and_column(write_csv: WriteCsv) -> None:
    path = write_csv('country,year,gdp,growth\nKAZ,2015,10,1.5\nRUS,2015,"12,5",2\n')
    with pytest.raises(NonNumericError) as info:
        read_panel(path)
    message = str(info.value)
    assert "row 3" in message
    assert "'gdp'" in message
    assert "'12,5'" in message
    assert "RUS 2015" in message


def test_non_numeric_text_in_a_long_table_names_its_row() -> None:
    long = pd.DataFrame(
        {"country": ["A", "A", "B"], "year": 2000, "indicator": ["g", "h", "g"]}
    ).assign(value=[1, 2, "12,5"])
    with pytest.raises(NonNumericError, match=r"row 4, column 'value' \(B 2000, g\): '12,5'"):
        Panel.from_long(long)


def test_bad_year_cell_names_the_row() -> None:
    frame = expected_wide().astype(object)
    frame.loc[2, "year"] = "2015a"
    with pytest.raises(DataError, match=r"row 4: the 'year' cell holds '2015a'"):
        Panel.from_wide(frame)


def test_blank_country_cell_names_the_row() -> None:
    frame = expected_wide().astype(object)
    frame.loc[1, "country"] = None
    with pytest.raises(DataError, match=r"row 3: the 'country' cell is blank"):
        Panel.from_wide(frame)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["name", "year", "gdp"], "no country column"),
        (["country", "when", "gdp"], "no year column"),
        (["country", "year"], "no indicator columns"),
        (["country", "year", "gdp", "GDP"], "appears more than once"),
        (["country", "Country", "year", "gdp"], "'country' appears 2 times"),
    ],
)
def test_header_errors(columns: list[str], message: str) -> None:
    frame = pd.DataFrame([["KAZ", 2015, 1.0, 2.0][: len(columns)]], columns=columns)
    with pytest.raises(HeaderError, match=message):
        Panel.from_wide(frame)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_panel(tmp_path / "nope.csv")
    other = tmp_path / "data.json"
    other.write_text("{}")
    with pytest.raises(DataError, match=r"expected a \.csv"):
        read_panel(other)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    with pytest.raises(DataError, match="cannot open"):
        read_panel(fake)
    empty = tmp_path / "empty.csv"
    empty.write_text("country,year,gdp\n,,\n")
    with pytest.raises(DataError, match="no rows"):
        read_panel(empty)


# ------------------------------------------------------------- label lookup
def test_unknown_labels_say_what_is_there(example: Panel) -> None:
    with pytest.raises(UnknownCountryError, match=r"'KZX' is not in the data \(closest: .*KAZ"):
        example.country_index("KZX")
    with pytest.raises(UnknownYearError, match=r"year 1990 is not in the data.*1995-2024"):
        example.year_index(1990)
    with pytest.raises(UnknownIndicatorError, match=r"'gdp_pc' .*closest: gdp_pc_ppp"):
        example.indicator_positions("gdp_pc")
    with pytest.raises(UnknownIndicatorError, match="listed twice"):
        example.indicator_positions("gdp_growth, GDP_GROWTH")
    with pytest.raises(OptionError, match="whole number"):
        example.year_index("2015.5")


def test_label_lookup_ignores_case_and_padding(example: Panel) -> None:
    assert example.country_index(" kaz ") == example.country_index("KAZ")
    assert example.year_index("2015.0") == example.year_index(2015)
    assert example.indicator_positions(" GDP_GROWTH ") == (1,)
    assert example.indicator_positions(None) == example.indicator_positions("") == (0, 1)


def test_standardization_is_cached_per_option(example: Panel) -> None:
    first = example.standardization()
    assert example.standardization(standardize="YEARLY", ddof=1.0) is first  # type: ignore[arg-type]
    assert example.standardization(ddof=0) is not first


def test_example_data_is_labelled_illustrative() -> None:
    frame = siei.example_frame()
    assert "ILLUSTRATIVE" in frame.attrs["note"]
    assert siei.example_panel().description == frame.attrs["note"]
    assert frame.shape == (8 * 30, 4)
    assert not frame.isna().any().any()
