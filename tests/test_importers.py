"""Real data in: long tables, World Bank downloads and CIS tables to the Data layout.

The fixtures are written by hand in the published formats:

- World Bank DataBank, "Data_Extract_From_World_Development_Indicators.csv": UTF-8 with BOM,
  every field quoted, ``Country Name, Country Code, Series Name, Series Code`` then one
  ``2000 [YR2000]`` column per year, ``..`` for missing, one block of rows per series, and
  two blank rows plus ``Data from database: ...`` and ``Last Updated: ...`` at the end.
- World Bank bulk CSV ("API_<code>_DS2_en_csv_v2_*.csv"): ``"Data Source"`` and ``"Last
  Updated Date"`` lines above the header, plain year headers, empty cells for missing and a
  trailing comma on every line.
- CIS Interstate Statistical Committee tables: one indicator, countries (Russian names) in
  rows, years as columns, a title row above and notes below; as CSV exported by a Russian
  Excel (Windows-1251, semicolons, decimal commas, spaces between thousands) and as XLSX.

The real-data test converts ``../shared/data/macro_long.csv`` and compares it with
``macro_focus_wide.csv`` (both World Bank WDI, see the README there); it is skipped when the
folder is absent.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from strategies import PanelCase, panels

import siei_xl as siei
from siei_xl.exceptions import (
    DataError,
    DuplicateRowError,
    HeaderError,
    NonNumericError,
    OptionError,
)
from siei_xl.importers import (
    COUNTRY_NAMES,
    detect_shape,
    import_files,
    iso3_code,
    merge_panels,
    read_table,
    summary,
    to_data_layout,
    write_data,
)

NAN = math.nan
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

DATABANK_CSV = (
    "\ufeff"
    '"Country Name","Country Code","Series Name","Series Code","2018 [YR2018]",'
    '"2019 [YR2019]","2020 [YR2020]"\n'
    '"Kazakhstan","KAZ","GDP per capita, PPP (current international $)","NY.GDP.PCAP.PP.CD",'
    '"25438.6551","26351.0838",".."\n'
    '"Kyrgyz Republic","KGZ","GDP per capita, PPP (current international $)",'
    '"NY.GDP.PCAP.PP.CD","5112.4221","5397.0004","4964.9893"\n'
    '"Kazakhstan","KAZ","GDP growth (annual %)","NY.GDP.MKTP.KD.ZG","4.1","4.5","-2.5"\n'
    '"Kyrgyz Republic","KGZ","GDP growth (annual %)","NY.GDP.MKTP.KD.ZG","3.8","4.6","-7.1"\n'
    '"","","","","","",""\n'
    '"","","","","","",""\n'
    '"Data from database: World Development Indicators","","","","","",""\n'
    '"Last Updated: 07/01/2024","","","","","",""\n'
)

BULK_CSV = (
    '"Data Source","World Development Indicators",\n'
    "\n"
    '"Last Updated Date","2024-06-28",\n'
    "\n"
    '"Country Name","Country Code","Indicator Name","Indicator Code","2018","2019","2020",\n'
    '"Armenia","ARM","Population, total","SP.POP.TOTL","2951741","2957728","2963234",\n'
    '"Aruba","ABW","Population, total","SP.POP.TOTL","","","",\n'
    '"Azerbaijan","AZE","Population, total","SP.POP.TOTL","9939800","10024283","",\n'
)

# A CIS Stat table as a Russian Excel saves it: title, blank line, header, notes below.
CIS_CSV = (
    "Валовой внутренний продукт на душу населения (долларов США)\n"
    "\n"
    "Страна;2018;2019;2020\n"
    "Азербайджан;4 739,8;4 805,8;4 229,9\n"
    "Казахстан;9 812,5;9 731,1;9 122,2\n"
    "Кыргызстан 1);1 308,1;1 374,0;...\n"
    "Россия;11 287,4;11 497,6;10 126,7\n"
    "Узбекистан;-;1 784,0;1 750,6*\n"
    "Содружество Независимых Государств;5 100,0;5 200,0;4 900,0\n"
    "\n"
    "1) Оценка.\n"
    "* Предварительные данные.\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def databank(tmp_path: Path) -> Path:
    return write(tmp_path / "Data_Extract_From_World_Development_Indicators.csv", DATABANK_CSV)


@pytest.fixture
def cis_csv(tmp_path: Path) -> Path:
    return write(tmp_path / "gdp_pc_usd.csv", CIS_CSV, encoding="cp1251")


def cell(frame: pd.DataFrame, country: str, year: int, indicator: str) -> float:
    hit = frame.loc[(frame["country"] == country) & (frame["year"] == year), indicator]
    assert len(hit) == 1, f"{country} {year}: {len(hit)} rows"
    return float(hit.iloc[0])


# ------------------------------------------------------------------------ World Bank
def test_databank_extract_becomes_the_data_layout(databank: Path) -> None:
    table = read_table(databank)
    assert detect_shape(table) == "wb_wide"
    out = to_data_layout(table)
    assert list(out.columns) == ["country", "year", "NY.GDP.PCAP.PP.CD", "NY.GDP.MKTP.KD.ZG"]
    assert out["year"].dtype == np.int64
    assert out["NY.GDP.PCAP.PP.CD"].dtype == np.float64
    assert list(zip(out["country"], out["year"], strict=True)) == [
        ("KAZ", 2018),
        ("KAZ", 2019),
        ("KAZ", 2020),
        ("KGZ", 2018),
        ("KGZ", 2019),
        ("KGZ", 2020),
    ]
    # values as typed in the fixture; '..' is missing
    assert cell(out, "KAZ", 2018, "NY.GDP.PCAP.PP.CD") == 25438.6551
    assert math.isnan(cell(out, "KAZ", 2020, "NY.GDP.PCAP.PP.CD"))
    assert cell(out, "KAZ", 2020, "NY.GDP.MKTP.KD.ZG") == -2.5
    assert cell(out, "KGZ", 2020, "NY.GDP.MKTP.KD.ZG") == -7.1
    # the footer lines are reported, not data
    assert out.attrs["notes"] == [
        "skipped the note 'Data from database: World Development Indicators'",
        "skipped the note 'Last Updated: 07/01/2024'",
    ]
    assert out.attrs["warnings"] == []
    panel = siei.Panel.from_wide(out)
    assert panel.countries == ("KAZ", "KGZ")


def test_databank_with_series_columns_first(tmp_path: Path) -> None:
    text = (
        "Series Name,Series Code,Country Name,Country Code,2019 [YR2019],2020 [YR2020]\n"
        "Population,SP.POP.TOTL,Armenia,ARM,2957728,2963234\n"
        "Population,SP.POP.TOTL,Georgia,GEO,3720161,..\n"
    )
    out = to_data_layout(read_table(write(tmp_path / "x.csv", text)))
    assert list(out["country"]) == ["ARM", "ARM", "GEO"]
    assert list(out["SP.POP.TOTL"]) == [2957728.0, 2963234.0, 3720161.0]


def test_bulk_download_with_lines_above_the_header(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "API_SP.POP.TOTL_DS2_en_csv_v2_1.csv", BULK_CSV))
    assert table.attrs["title"] == (
        "Data Source World Development Indicators Last Updated Date 2024-06-28"
    )
    assert detect_shape(table) == "wb_wide"
    out = to_data_layout(table)
    # Aruba has no value at all: no rows, but a note says so
    assert list(out["country"].unique()) == ["ARM", "AZE"]
    assert "no values for ABW" in out.attrs["notes"]
    assert cell(out, "AZE", 2019, "SP.POP.TOTL") == 10024283.0
    assert list(out.loc[out["country"] == "AZE", "year"]) == [2018, 2019]


def test_a_series_row_without_a_code_is_an_error(tmp_path: Path) -> None:
    text = DATABANK_CSV.replace('"NY.GDP.MKTP.KD.ZG","4.1"', '"","4.1"')
    with pytest.raises(DataError, match=r"row 4: the 'Series Code' cell is blank"):
        to_data_layout(read_table(write(tmp_path / "x.csv", text)))


def test_text_in_a_value_cell_names_row_and_column(databank: Path) -> None:
    databank.write_text(DATABANK_CSV.replace('"4.6"', '"4,6%"'), encoding="utf-8")
    with pytest.raises(NonNumericError, match=r"row 5, column '2019 \[YR2019\]' \(KGZ 2019\)"):
        to_data_layout(read_table(databank))


# ----------------------------------------------------------------------- CIS tables
def test_cis_table_in_cp1251_with_title_notes_and_decimal_commas(cis_csv: Path) -> None:
    table = read_table(cis_csv)
    assert table.attrs["title"].startswith("Валовой внутренний продукт")
    assert table.attrs["decimal"] == ","
    assert detect_shape(table) == "years_wide"
    out = to_data_layout(table)  # the indicator is named after the file
    assert list(out.columns) == ["country", "year", "gdp_pc_usd"]
    assert cell(out, "Казахстан", 2018, "gdp_pc_usd") == 9812.5
    assert cell(out, "Россия", 2018, "gdp_pc_usd") == 11287.4
    # '1)' after a name and '*' after a value are footnote marks, not part of them
    assert cell(out, "Кыргызстан", 2019, "gdp_pc_usd") == 1374.0
    assert cell(out, "Узбекистан", 2020, "gdp_pc_usd") == 1750.6
    # '-' and '...' are missing
    assert not ((out["country"] == "Узбекистан") & (out["year"] == 2018)).any()
    assert not ((out["country"] == "Кыргызстан") & (out["year"] == 2020)).any()
    notes = out.attrs["notes"]
    assert "skipped the note '1) Оценка.'" in notes
    assert "skipped the note '* Предварительные данные.'" in notes
    assert any("footnote marks from 1 value" in n for n in notes)


def test_cis_names_to_iso3_with_unknown_names_kept_and_reported(cis_csv: Path) -> None:
    out = to_data_layout(read_table(cis_csv), indicator="gdp_pc", to_iso3=True)
    assert list(out["country"].unique()) == [
        "AZE",
        "KAZ",
        "KGZ",
        "RUS",
        "UZB",
        "Содружество Независимых Государств",
    ]
    assert out.attrs["warnings"] == [
        "country 'Содружество Независимых Государств' is not in the built-in list of names; "
        "kept as given"
    ]
    assert cell(out, "Содружество Независимых Государств", 2020, "gdp_pc") == 4900.0


def test_names_stay_as_given_without_to_iso3(cis_csv: Path) -> None:
    out = to_data_layout(read_table(cis_csv))
    assert "KAZ" not in set(out["country"])
    assert out.attrs["warnings"] == []


def test_cis_workbook_with_title_and_blank_corner_cell(tmp_path: Path) -> None:
    grid = [
        ["Inflation, consumer prices (% change, December on December)", None, None],
        [None, 2021, 2022],
        ["Kyrgyzstan", 11.2, 14.7],
        ["Russian Federation", 8.4, 11.9],
        ["Tajikistan", 8.0, 4.2],
        ["Note: CIS Stat estimates.", None, None],
    ]
    path = tmp_path / "cpi.xlsx"
    pd.DataFrame(grid).to_excel(path, header=False, index=False, engine="openpyxl")
    table = read_table(path)
    assert detect_shape(table) == "years_wide"
    out = to_data_layout(table, indicator="cpi", to_iso3=True)
    assert list(out["country"].unique()) == ["KGZ", "RUS", "TJK"]
    assert cell(out, "RUS", 2022, "cpi") == 11.9
    assert out.attrs["notes"] == ["skipped the note 'Note: CIS Stat estimates.'"]


def test_a_table_of_one_indicator_needs_a_name() -> None:
    frame = pd.DataFrame({"Country": ["Armenia"], "2020": [1.0]})
    with pytest.raises(HeaderError, match="give its name"):
        to_data_layout(frame)
    out = to_data_layout(frame, indicator="gdp")
    assert out.to_dict("list") == {"country": ["Armenia"], "year": [2020], "gdp": [1.0]}


def test_an_indicator_name_for_a_table_that_names_its_own_is_refused(databank: Path) -> None:
    with pytest.raises(OptionError, match="'wb_wide' table"):
        to_data_layout(read_table(databank), indicator="gdp")


def test_an_indicator_named_like_a_label_column_is_refused() -> None:
    frame = pd.DataFrame({"Страна": ["Армения"], "2020": [1.0]})
    with pytest.raises(HeaderError, match="'Country' cannot name an indicator"):
        to_data_layout(frame, indicator="Country")


def test_two_columns_for_one_year_are_refused() -> None:
    frame = pd.DataFrame([["Armenia", 1.0, 2.0]], columns=["country", "2020", "2020 [YR2020]"])
    with pytest.raises(HeaderError, match="columns 2 and 3 are both headed with the year 2020"):
        to_data_layout(frame, indicator="gdp")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Kyrgyz Republic", "KGZ"),
        ("Kyrgyzstan", "KGZ"),
        ("Киргизия", "KGZ"),
        ("Кыргызстан", "KGZ"),
        ("Russian Federation", "RUS"),
        ("Россия", "RUS"),
        ("  российская   федерация ", "RUS"),
        ("Belarus", "BLR"),
        ("Белоруссия", "BLR"),
        ("Iran, Islamic Rep.", "IRN"),
        ("Turkiye", "TUR"),
        ("Китай", "CHN"),
        ("Монголия", "MNG"),
        ("Афганистан", "AFG"),
        ("Грузия", "GEO"),
        ("Молдова", "MDA"),
        ("kaz", "KAZ"),
    ],
)
def test_country_names_map_to_iso3(name: str, code: str) -> None:
    assert iso3_code(name) == code


def test_the_built_in_list_covers_the_former_soviet_union_and_neighbours() -> None:
    former_ussr = {"ARM", "AZE", "BLR", "EST", "GEO", "KAZ", "KGZ", "LVA", "LTU", "MDA"}
    former_ussr |= {"RUS", "TJK", "TKM", "UKR", "UZB"}
    assert set(COUNTRY_NAMES) == former_ussr | {"CHN", "MNG", "TUR", "IRN", "AFG"}
    # no name points to two codes
    keys = [n.casefold() for names in COUNTRY_NAMES.values() for n in names]
    assert len(keys) == len(set(keys))
    assert iso3_code("Georgia (US state)") is None


# --------------------------------------------------------------------- long and data
def test_long_table_with_missing_markers(tmp_path: Path) -> None:
    text = (
        "iso3;country;year;indicator;value;source\n"
        "KAZ;Kazakhstan;2019;gdp;9731,1;WDI\n"
        "KAZ;Kazakhstan;2019;pop;18,5;WDI\n"
        "KAZ;Kazakhstan;2020;gdp;..;WDI\n"
        "RUS;Russia;2020;gdp;10126,7;WDI\n"
        "RUS;Russia;2020;pop;;WDI\n"
    )
    table = read_table(write(tmp_path / "long.csv", text))
    assert detect_shape(table) == "long"
    out = to_data_layout(table)
    assert list(out.columns) == ["country", "year", "gdp", "pop"]  # 'iso3' wins, 'source' dropped
    assert list(out["country"]) == ["KAZ", "RUS"]
    assert list(out["year"]) == [2019, 2020]
    assert_array_equal(out["gdp"], [9731.1, 10126.7])  # decimal commas in a ';' file
    assert_array_equal(out["pop"], [18.5, NAN])


def test_long_table_duplicates_name_both_rows() -> None:
    frame = pd.DataFrame(
        {
            "country": ["KAZ", "kaz ", "RUS"],
            "year": [2019, 2019, 2019],
            "indicator": ["gdp", "gdp", "gdp"],
            "value": [1.0, 2.0, 3.0],
        }
    )
    with pytest.raises(DuplicateRowError, match=r"rows 2 and 3 both hold gdp for KAZ 2019"):
        to_data_layout(frame)


def test_data_layout_with_russian_headers_and_descriptive_columns() -> None:
    frame = pd.DataFrame(
        {
            "Страна": ["Армения", "Армения"],
            "Год": ["2019", "2020.0"],
            "Единица измерения": ["%", "%"],
            "GDP growth (annual %) [NY.GDP.MKTP.KD.ZG]": ["7.6", "-7.2"],
        }
    )
    assert detect_shape(frame) == "data"
    out = to_data_layout(frame, to_iso3=True)
    assert out.to_dict("list") == {
        "country": ["ARM", "ARM"],
        "year": [2019, 2020],
        "NY.GDP.MKTP.KD.ZG": [7.6, -7.2],
    }


def test_a_year_that_is_not_a_year_names_its_row() -> None:
    frame = pd.DataFrame({"country": ["A", "B"], "year": ["2019", "20x0"], "gdp": [1.0, 2.0]})
    with pytest.raises(DataError, match=r"row 3: the 'year' cell holds '20x0'"):
        to_data_layout(frame)


def test_an_unknown_layout_says_what_was_expected_and_found() -> None:
    frame = pd.DataFrame(columns=["name", "amount"])
    with pytest.raises(HeaderError, match=r"cannot tell the layout.*found 'name', 'amount'"):
        detect_shape(frame)


# -------------------------------------------------------------------------- reading
@pytest.mark.parametrize(
    ("separator", "encoding"),
    [(",", "utf-8"), (",", "utf-8-sig"), (";", "utf-8"), ("\t", "utf-8-sig"), (";", "cp1251")],
)
def test_read_table_separators_and_encodings(tmp_path: Path, separator: str, encoding: str) -> None:
    rows = [["Страна", "Год", "ВВП"], ["Казахстан", "2020", "9122.2"], ["Россия", "2020", ".."]]
    text = "\n".join(separator.join(r) for r in rows) + "\n"
    table = read_table(write(tmp_path / "t.csv", text, encoding))
    assert list(table.columns) == ["Страна", "Год", "ВВП"]
    assert table.iloc[0].tolist() == ["Казахстан", "2020", "9122.2"]
    assert list(table.index + 2) == [2, 3]  # row numbers of the file


def test_read_table_refuses_old_excel_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataError, match=r"save it as \.xlsx or CSV"):
        read_table(tmp_path / "old.xls")
    with pytest.raises(DataError, match="does not exist"):
        read_table(tmp_path / "nothing.csv")


# ---------------------------------------------------------------------------- merge
def framed(source: str, **columns: list[object]) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame.attrs["source"] = source
    return frame


def test_merge_is_an_outer_join_ignoring_case() -> None:
    a = framed("a.csv", country=["KAZ", "RUS"], year=[2019, 2019], gdp=[1.0, 2.0])
    b = framed("b.csv", country=["kaz", "KGZ"], year=[2019, 2020], pop=[10.0, 20.0])
    out = merge_panels([a, b])
    assert list(out["country"]) == ["KAZ", "RUS", "KGZ"]
    assert list(out["year"]) == [2019, 2019, 2020]
    assert_array_equal(out["gdp"], [1.0, 2.0, NAN])
    assert_array_equal(out["pop"], [10.0, NAN, 20.0])
    assert out.attrs["sources"] == ["a.csv", "b.csv"]


def test_merge_accepts_equal_values_and_fills_gaps() -> None:
    a = framed("a.csv", country=["KAZ", "KAZ"], year=[2019, 2020], gdp=[1.5, NAN])
    b = framed("b.csv", country=["KAZ", "KAZ"], year=[2019, 2020], GDP=[1.5, 1.7])
    out = merge_panels([a, b])
    assert list(out.columns) == ["country", "year", "gdp"]
    assert list(out["gdp"]) == [1.5, 1.7]


def test_merge_conflict_names_country_year_indicator_and_both_files() -> None:
    a = framed("wdi.csv", country=["KAZ"], year=[2019], gdp=[9731.1])
    b = framed("cisstat.csv", country=["KAZ"], year=[2019], gdp=[9812.5])
    with pytest.raises(DuplicateRowError) as info:
        merge_panels([a, b])
    message = str(info.value)
    for part in ("gdp", "KAZ", "2019", "9731.1", "wdi.csv", "9812.5", "cisstat.csv"):
        assert part in message


def test_merge_needs_the_data_layout() -> None:
    long = pd.DataFrame({"indicator": ["gdp"], "country": ["KAZ"], "year": [2019]})
    with pytest.raises(HeaderError, match="expected the Data layout"):
        merge_panels([long])


@given(case=panels(), data=st.data())
def test_data_layout_and_merge_do_not_depend_on_row_order_or_split(
    case: PanelCase, data: st.DataObject
) -> None:
    reference = case.panel().to_wide()
    wide = case.wide()
    shuffled = wide.iloc[data.draw(st.permutations(range(len(wide))))].reset_index(drop=True)
    if reference.empty:
        with pytest.raises(DataError, match="holds no values"):
            to_data_layout(shuffled)
        return
    out = to_data_layout(shuffled)
    key = ["country", "year"]
    got = out.set_index(key).sort_index()
    assert_array_equal(got.to_numpy(), reference.set_index(key).sort_index().to_numpy())
    # the same panel cut into one frame per indicator merges back to itself
    parts = [out[[*key, name]] for name in case.indicators]
    merged = merge_panels(parts).set_index(key).sort_index()
    assert_array_equal(merged.to_numpy(), got.to_numpy())
    # and its long form converts to the same table (less indicators without any value)
    long = to_data_layout(case.panel().to_long())
    kept = list(long.columns[2:])
    assert set(kept) <= set(case.indicators)
    assert_array_equal(long.set_index(key).sort_index().to_numpy(), got[kept].to_numpy())


# ------------------------------------------------------------------ import_files
def test_import_files_merges_world_bank_and_cis_tables(
    databank: Path, cis_csv: Path, tmp_path: Path
) -> None:
    out_path = tmp_path / "data.csv"
    out = import_files([databank, cis_csv], to_iso3=True, output=out_path)
    assert list(out.columns) == [
        "country",
        "year",
        "NY.GDP.PCAP.PP.CD",
        "NY.GDP.MKTP.KD.ZG",
        "gdp_pc_usd",
    ]
    assert cell(out, "KAZ", 2019, "NY.GDP.PCAP.PP.CD") == 26351.0838
    assert cell(out, "KAZ", 2019, "gdp_pc_usd") == 9731.1
    assert out.attrs["warnings"] == [
        "gdp_pc_usd.csv: country 'Содружество Независимых Государств' is not in the built-in "
        "list of names; kept as given"
    ]
    panel = siei.Panel.from_wide(out)
    assert set(panel.countries) == {"KAZ", "KGZ", "AZE", "RUS", "UZB"} | {
        "Содружество Независимых Государств"
    }
    # the file written reads back as the same panel
    again = siei.read_panel(out_path)
    assert again.countries == panel.countries
    assert_array_equal(again.values, panel.values)


def test_import_files_names_each_one_indicator_table(tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", "country,2019,2020\nKAZ,1,2\n")
    b = write(tmp_path / "b.csv", "country,2019,2020\nKAZ,3,4\n")
    out = import_files([a, b], indicator_names=["gdp", None])
    assert list(out.columns) == ["country", "year", "gdp", "b"]
    with pytest.raises(OptionError, match="2 indicator names for 1 files"):
        import_files([a], indicator_names=["x", "y"])


def test_one_indicator_name_for_files_that_name_their_own_is_refused(databank: Path) -> None:
    with pytest.raises(OptionError, match="none of the files is one"):
        import_files([databank], indicator_names="gdp")


def test_import_files_reports_conflicts_between_files(tmp_path: Path) -> None:
    a = write(tmp_path / "wdi.csv", "country,year,gdp\nKAZ,2019,9731.1\n")
    b = write(tmp_path / "rosstat.csv", "страна,год,gdp\nКазахстан,2019,9812.5\n")
    with pytest.raises(DuplicateRowError, match=r"in wdi\.csv but 9812\.5 in rosstat\.csv"):
        import_files([a, b], to_iso3=True)
    assert len(import_files([a, b])) == 2  # without --codes iso3 they are two countries


# ------------------------------------------------------------------------ writing
def test_write_data_refuses_to_overwrite_and_writes_xlsx(tmp_path: Path) -> None:
    frame = pd.DataFrame({"country": ["KAZ"], "year": [2019], "gdp": [1.25]})
    target = tmp_path / "out.xlsx"
    write_data(frame, target)
    with pytest.raises(OptionError, match="already exists; use --force"):
        write_data(frame, target)
    frame.loc[0, "gdp"] = 2.5
    write_data(frame, target, force=True)
    panel = siei.read_panel(target)
    assert panel.values[0, 0, 0] == 2.5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]  # no temporary left


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")

    def broken(self: pd.DataFrame, path: Path, **kwargs: object) -> None:
        Path(path).write_text("half", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    frame = pd.DataFrame({"country": ["KAZ"], "year": [2019], "gdp": [1.0]})
    with pytest.raises(OSError, match="disk full"):
        write_data(frame, target, force=True)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_write_data_wants_csv_or_xlsx(tmp_path: Path) -> None:
    frame = pd.DataFrame({"country": ["KAZ"], "year": [2019], "gdp": [1.0]})
    with pytest.raises(OptionError, match=r"ending in \.csv or \.xlsx"):
        write_data(frame, tmp_path / "out.json")


def test_summary_counts() -> None:
    frame = pd.DataFrame({"country": ["A", "A", "B"], "year": [2000, 2001, 2001], "k": [1, 2, 3]})
    assert summary(frame) == "2 countries, 2 years (2000-2001), 1 indicator"


# ---------------------------------------------------------------------- real data
@pytest.mark.realdata
def test_macro_long_converts_to_the_published_wide_file() -> None:
    long_csv, wide_csv = SHARED / "macro_long.csv", SHARED / "macro_focus_wide.csv"
    if not (long_csv.exists() and wide_csv.exists()):
        pytest.skip(f"real data not found in {SHARED}")
    out = to_data_layout(read_table(long_csv))
    assert out.attrs["shape"] == "long"
    reference = pd.read_csv(wide_csv)
    panel = siei.Panel.from_wide(out)
    assert len(panel.countries) == 217
    indicators = ["NY.GDP.PCAP.PP.CD", "NY.GDP.MKTP.KD.ZG", "SP.POP.TOTL", "FP.CPI.TOTL.ZG"]
    for country in ["KAZ", "RUS", "KGZ", "TKM"]:
        ours = out[out["country"] == country].set_index("year")[indicators]
        theirs = reference[reference["iso3"] == country].set_index("year")[indicators]
        ours, theirs = ours.dropna(how="all"), theirs.dropna(how="all")
        assert list(ours.index) == list(theirs.index), country
        # both files hold the published values to 10 significant digits: equal as read
        assert_array_equal(ours.to_numpy(), theirs.to_numpy(), err_msg=country)
    # a known gap (README): no CPI for Turkmenistan
    assert out.loc[out["country"] == "TKM", "FP.CPI.TOTL.ZG"].isna().all()
