"""The SIEI functions typed into cells, evaluated by the ``formulas`` Excel engine.

A workbook is written with XlsxWriter: a Data sheet with the example panel, a Groups sheet,
and a Calc sheet of formulas as a user would type them (optional arguments, ranges from
cells, IFERROR/ISNA/ERROR.TYPE over failing calls, CSE array formulas over the exact block
of an array result). ``formulas`` evaluates it with our functions registered through an
adapter that does what xlwings and the workbook's VBA wrapper do in Excel:

* in: ranges become lists of rows (a single cell a scalar, one row or column a 1-D list,
  except for ``data``/``groups`` which are always 2-D), blanks ``None``, numbers floats,
  error cells ``None`` (or their text, for ``data``/``groups``, read with err_to_str);
* out: ``"#CODE: reason"`` text becomes the real Excel error value, in every cell.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

formulas = pytest.importorskip("formulas")
xlsxwriter = pytest.importorskip("xlsxwriter")

import numpy as np  # noqa: E402
import schedula as sh  # noqa: E402
from formulas.functions import Array, wrap_func  # noqa: E402
from formulas.tokens.operand import Error, XlError  # noqa: E402

import siei_xl as siei  # noqa: E402
from siei_xl import udfs  # noqa: E402

RANGE_ARGS = {"data", "groups"}  # xw.arg(..., ndim=2, err_to_str=True)
_SENTINEL = re.compile(r"^(#N/A|#VALUE!|#NUM!|#DIV/0!)(: |$)")
REL = 1e-12

BOOK = "siei_formulas.xlsx"
DATA = "Data!$A$1:$D$241"
DATA_GAP = "DataGap!$A$1:$D$241"  # the same with KAZ's 2015 gdp_pc_ppp blank
GROUPS = "Groups!$A$1:$D$20"

# cell -> formula (single cells)
FORMULAS = {
    "A1": f'=SIEI_PAIR({DATA},"KAZ","RUS",2015)',
    "A2": f'=SIEI_PAIR({DATA}," kaz ","rus",2015,"gdp_growth","pooled",0)',
    "A3": f"=SIEI_PAIR({DATA},H1,H2,H3)",
    "A4": '=SIEI_PAIR(Data!A1:D400,"KAZ","RUS",2015)',  # 159 trailing blank rows
    "A5": f'=SIEI_PAIR({DATA},"KAZ","RUS",2015,H7)',  # indicators from a cell
    "A6": f'=SIEI_COUNTRYGROUP({DATA},"KAZ",H4:H6,2015)',  # group from a column of cells
    "A7": f'=SIEI_COUNTRYGROUP({DATA},"KAZ",I4:K4,2015,"gdp_pc_ppp")',  # ... from a row
    "A8": f'=SIEI_COUNTRYGROUP({DATA},"KAZ","RUS, CHN, KGZ",2015,"gdp_growth","yearly",1)',
    "A9": f"=SIEI_GROUPCV({DATA},H4:H6,2015)",
    "A10": f'=SIEI_GROUPCV({DATA},"RUS, CHN, KGZ, UZB, TKM",2015,"gdp_pc_ppp",0)',
    "A11": f'=SIEI_PAIR({DATA},"KZX","RUS",2015)',
    "A12": f'=IFERROR(SIEI_PAIR({DATA},"KZX","RUS",2015),-1)',
    "A13": f'=ISNA(SIEI_PAIR({DATA},"KZX","RUS",2015))',
    "A14": f'=ERROR.TYPE(SIEI_GROUPCV({DATA},"RUS",2015))',  # 2 = #DIV/0!
    "A15": f'=ERROR.TYPE(SIEI_PAIR({DATA},"KAZ","RUS",2015,H7,"weekly"))',  # 3 = #VALUE!
    "A16": f'=IFNA(SIEI_PAIR({DATA_GAP},"KAZ","RUS",2015),"gap")',
    "A17": f'=2*SIEI_PAIR({DATA},"KAZ","RUS",2015)',
    "A18": f"=SIEI_DATA_INFO({DATA})",
    "A19": "=SIEI_VERSION()",
    "A20": f'=SIEI_COUNTRYGROUP({DATA},"TJK",F1:F2,2015)',  # a spilled result as the group
    "A21": f"=ISERROR(SIEI_PAIR({DATA},H1,H2,H8))",  # year 2015.5 from a cell
}
# block -> formula (CSE array formulas over the exact size of the result)
ARRAYS = {
    "C1:D31": f'{{=SIEI_PAIR_SERIES({DATA},"KAZ","RUS")}}',
    "F1:F2": f'{{=SIEI_GROUP_MEMBERS({GROUPS},"EAEU",2015)}}',
    "M1:U9": f"{{=SIEI_PAIR_MATRIX({DATA},2015)}}",
    "M12:P15": f'{{=SIEI_PAIR_MATRIX({DATA},H3,"TJK, KAZ, RUS","gdp_growth","pooled",0)}}',
    "W1:X31": f'{{=SIEI_COUNTRYGROUP_SERIES({DATA_GAP},"KAZ",H4:H6)}}',
    "Z1:AA31": f"{{=SIEI_GROUPCV_SERIES({DATA},H4:H6)}}",
}
INPUTS = {"H1": "KAZ", "H2": "RUS", "H3": 2015, "H7": "gdp_pc_ppp", "H8": 2015.5}
INPUTS |= {"H4": "RUS", "H5": "CHN", "H6": "KGZ", "I4": "RUS", "J4": None, "K4": "CHN"}


# ------------------------------------------------------------------ adapter
def _cell(value: Any, err_to_str: bool) -> object:
    """One value of a formulas argument as xlwings delivers it."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is sh.EMPTY:
        return None
    if isinstance(value, XlError):
        return str(value) if err_to_str else None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def _argument(value: Any, range_arg: bool) -> object:
    if not isinstance(value, np.ndarray):
        return _cell(value, range_arg)
    if value.ndim == 0:
        return _cell(value.item(), range_arg)
    grid = np.atleast_2d(value)
    rows = [[_cell(v, range_arg) for v in row] for row in grid]
    if range_arg:
        return rows
    if grid.shape == (1, 1):
        return rows[0][0]
    if grid.shape[0] == 1:
        return rows[0]
    if grid.shape[1] == 1:
        return [row[0] for row in rows]
    return rows


def _to_excel(value: object) -> object:
    """What the VBA wrapper (SieiXlErr) makes of one returned value."""
    if isinstance(value, str):
        match = _SENTINEL.match(value)
        if match:
            return Error.errors[match.group(1)]
    if value is None:
        return ""  # xlwings writes None as an empty string
    return value


FAILURES: list[str] = []


def excel_adapter(func: Callable[..., Any]) -> Callable[..., Any]:
    """Our function as a ``formulas`` function: raw xlwings values in, Excel values out."""
    names = list(inspect.signature(func).parameters)

    @functools.wraps(func)
    def call(*args: Any) -> Any:
        raw = [_argument(a, n in RANGE_ARGS) for a, n in zip(args, names, strict=False)]
        try:
            result = func(*raw)
        except Exception as exc:  # formulas would hide it as #VALUE!: record it
            FAILURES.append(f"{func.__name__}: {type(exc).__name__}: {exc}")
            raise
        if isinstance(result, list):
            grid = [[_to_excel(v) for v in row] for row in result]
            return np.array(grid, dtype=object).view(Array)
        return _to_excel(result)

    return call


def register() -> None:
    """Register every SIEI function with formulas (before a workbook is loaded)."""
    table = formulas.get_functions()
    for name in udfs.FUNCTIONS:
        table[name] = table[f"_XLUDF.{name}"] = wrap_func(excel_adapter(getattr(udfs, name)))


# ------------------------------------------------------------------ workbook
def build(path: Path) -> None:
    frame = siei.example_frame()
    book = xlsxwriter.Workbook(str(path))
    for sheet_name, gap in (("Data", False), ("DataGap", True)):
        sheet = book.add_worksheet(sheet_name)
        sheet.write_row(0, 0, list(frame.columns))
        for i, (country, year, level, growth) in enumerate(frame.itertuples(index=False), 1):
            sheet.write_string(i, 0, country)
            sheet.write_number(i, 1, year)
            if not (gap and country == "KAZ" and year == 2015):
                sheet.write_number(i, 2, level)
            sheet.write_number(i, 3, growth)
    groups = book.add_worksheet("Groups")
    groups.write_row(0, 0, ["group", "country", "from", "to"])
    groups.write_row(1, 0, ["EAEU", "RUS", 2015])
    groups.write_row(2, 0, ["EAEU", "KAZ", 2015])
    groups.write_row(3, 0, ["CU", "BLR"])
    calc = book.add_worksheet("Calc")
    for ref, value in INPUTS.items():
        if value is not None:
            calc.write(ref, value)
    for ref, formula in FORMULAS.items():
        calc.write_formula(ref, formula)
    for ref, formula in ARRAYS.items():
        calc.write_array_formula(ref, formula)
    book.close()


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        value = value.item()
    if value is sh.EMPTY:
        return None
    if isinstance(value, XlError):
        return str(value)
    return value


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Any]:
    """Evaluate the workbook once; ``book("A1")`` or ``book("C1:D31")`` reads Calc."""
    register()
    path = tmp_path_factory.mktemp("formulas") / BOOK
    build(path)
    FAILURES.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TQDM_DISABLE", "1")  # formulas' progress bar
        model = formulas.ExcelModel().loads(str(path)).finish()
        solution = model.calculate()
    assert FAILURES == []

    def get(ref: str) -> Any:
        value = solution[f"'[{BOOK}]CALC'!{ref}"].value
        if value.shape == (1, 1):
            return _plain(value[0, 0])
        return [[_plain(v) for v in row] for row in value]

    return get


def approx(value: float) -> object:
    return pytest.approx(value, rel=REL, abs=0.0)


@pytest.fixture(scope="module")
def panel() -> siei.Panel:
    return siei.example_panel()


# --------------------------------------------------------------------- tests
def test_pair(book: Callable[[str], Any], panel: siei.Panel) -> None:
    want = siei.pair_distance(panel, "KAZ", "RUS", 2015)
    assert book("A1") == approx(want)
    assert book("A3") == approx(want)  # arguments from cells (a number cell as the year)
    assert book("A4") == approx(want)  # a range with blank rows below the data
    assert book("A17") == approx(2 * want)  # the result is a number for Excel arithmetic
    options = siei.pair_distance(
        panel, "KAZ", "RUS", 2015, indicators="gdp_growth", standardize="pooled", ddof=0
    )
    assert book("A2") == approx(options)
    assert book("A5") == approx(
        siei.pair_distance(panel, "KAZ", "RUS", 2015, indicators="gdp_pc_ppp")
    )


def test_countrygroup(book: Callable[[str], Any], panel: siei.Panel) -> None:
    three = ["RUS", "CHN", "KGZ"]
    assert book("A6") == approx(siei.group_distance(panel, "KAZ", three, 2015))
    two = siei.group_distance(panel, "KAZ", ["RUS", "CHN"], 2015, indicators="gdp_pc_ppp")
    assert book("A7") == approx(two)  # a row of cells with a blank in it
    growth = siei.group_distance(panel, "KAZ", three, 2015, indicators="gdp_growth")
    assert book("A8") == approx(growth)
    eaeu = siei.group_distance(panel, "TJK", ["RUS", "KAZ"], 2015)
    assert book("A20") == approx(eaeu)


def test_groupcv(book: Callable[[str], Any], panel: siei.Panel) -> None:
    assert book("A9") == approx(siei.group_cv(panel, ["RUS", "CHN", "KGZ"], 2015))
    five = ["RUS", "CHN", "KGZ", "UZB", "TKM"]
    assert book("A10") == approx(siei.group_cv(panel, five, 2015, indicators="gdp_pc_ppp", ddof=0))


def test_errors_are_real_excel_errors(book: Callable[[str], Any]) -> None:
    assert book("A11") == "#N/A"
    assert book("A12") == -1
    assert book("A13") is True
    assert book("A14") == 2  # ERROR.TYPE of #DIV/0!
    assert book("A15") == 3  # ERROR.TYPE of #VALUE!
    assert book("A16") == "gap"  # IFNA over a missing value
    assert book("A21") is True


def test_text_functions(book: Callable[[str], Any]) -> None:
    assert book("A18").startswith("OK: 8 countries, 30 years (1995-2024)")
    assert book("A19") == udfs.SIEI_VERSION()


def test_pair_series_block(book: Callable[[str], Any], panel: siei.Panel) -> None:
    block = book("C1:D31")
    assert block[0] == ["year", "distance"]
    series = siei.pair_series(panel, "KAZ", "RUS")
    assert [r[0] for r in block[1:]] == list(series["year"])
    for row, want in zip(block[1:], series["distance"], strict=True):
        assert row[1] == approx(want)


def test_series_with_a_gap_shows_one_error(book: Callable[[str], Any]) -> None:
    frame = siei.example_frame()
    where = (frame["country"] == "KAZ") & (frame["year"] == 2015)
    frame.loc[where, "gdp_pc_ppp"] = math.nan
    gap_panel = siei.Panel.from_wide(frame)
    block = book("W1:X31")
    assert block[0] == ["year", "distance"]
    series = siei.group_distance_series(gap_panel, "KAZ", ["RUS", "CHN", "KGZ"])
    for row, want in zip(block[1:], series["distance"], strict=True):
        if row[0] == 2015:
            assert row[1] == "#N/A"
        else:
            assert row[1] == approx(want)


def test_groupcv_series_block(book: Callable[[str], Any], panel: siei.Panel) -> None:
    block = book("Z1:AA31")
    assert block[0] == ["year", "cv"]
    series = siei.group_cv_series(panel, ["RUS", "CHN", "KGZ"])
    for row, want, error in zip(block[1:], series["cv"], series["error"], strict=True):
        if error:
            assert row[1] == "#DIV/0!"  # a growth-rate mean near zero that year
        else:
            assert row[1] == approx(want)


def test_matrix_block(book: Callable[[str], Any], panel: siei.Panel) -> None:
    block = book("M1:U9")
    want = siei.pair_matrix(panel, 2015)
    labels = list(want.index)
    assert block[0] == ["country", *labels]
    assert [r[0] for r in block[1:]] == labels
    for row, values in zip(block[1:], want.to_numpy(), strict=True):
        assert row[1:] == [approx(v) for v in values]
    small = book("M12:P15")
    want = siei.pair_matrix(
        panel,
        2015,
        countries=["TJK", "KAZ", "RUS"],
        indicators="gdp_growth",
        standardize="pooled",
        ddof=0,
    )
    assert small[0] == ["country", "TJK", "KAZ", "RUS"]
    for row, values in zip(small[1:], want.to_numpy(), strict=True):
        assert row[1:] == [approx(v) for v in values]


def test_group_members_block(book: Callable[[str], Any]) -> None:
    assert book("F1:F2") == [["RUS"], ["KAZ"]]


def test_adapter_shapes() -> None:
    """The adapter gives what xlwings gives: scalars, 1-D lists, 2-D lists, None, floats."""
    one = np.array([[sh.EMPTY]], dtype=object)
    column = np.array([["RUS"], [sh.EMPTY], [3]], dtype=object)
    row = np.array([["RUS", 2015]], dtype=object)
    assert _argument(one, False) is None
    assert _argument(one, True) == [[None]]
    assert _argument(column, False) == ["RUS", None, 3.0]
    assert _argument(row, False) == ["RUS", 2015.0]
    assert _argument(row, True) == [["RUS", 2015.0]]
    error = np.array([[Error.errors["#N/A"]]], dtype=object)
    assert _argument(error, True) == [["#N/A"]]
    assert _argument(error, False) is None
    assert _argument(2015, False) == 2015.0
    assert _argument(True, False) is True
    assert isinstance(_to_excel("#N/A: reason"), XlError)
    assert _to_excel("#NAME?: no") == "#NAME?: no"
    assert _to_excel("OK") == "OK"
