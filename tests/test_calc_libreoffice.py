"""The SIEI functions computing live in LibreOffice Calc, end to end.

The extension is installed exactly as a user does (``siei-xl calc install --profile DIR``)
into a throwaway profile, then ``soffice -env:UserInstallation=file://DIR`` runs headless:

(a) formulas typed through UNO into a new document, scalar and table functions;
(b) the workbook ``siei-xl demo`` fills (the template after Load example and Compute, which
    need Excel's xlwings to run), whose SIEI formulas are recalculated by Calc;
(c) an .xlsx written by openpyxl with SIEI formulas and no stored values;
(d) ``workbook_template.xlsm`` through the SIEI menu's commands (Load example data,
    Compute, Explain error, Clear results, Validate data), as a user clicks them.

After ``calculateAll()`` every SIEI cell must equal the pandas API (or the value ``fill``
stored, computed by the pandas API) to 1e-12, and bad input must give a Calc error value
whose reason ``SIEI_WHY`` shows. The child process is killed mid-session and must answer
again; a wrong interpreter must show a cell naming it. LibreOffice starts twice in all
(about 15 s with the install), so the steps are batched into two sessions.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Final

import lo
import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula
from udf_helpers import example_rows

import siei_xl as siei
from siei_xl import udfs
from siei_xl.calc import extension
from siei_xl.classic import beta_convergence, sigma_value
from siei_xl.example import EXAMPLE_PARTNERS
from siei_xl.sheetfuncs import FUNCTIONS

pytestmark = pytest.mark.libreoffice

REL = 1e-12
NA, VALUE, NUM, DIV0 = 32767, 519, 503, 532  # Calc's error codes (formula/errorcodes.hxx)
EXCEL_CODES = {"#N/A": NA, "#VALUE!": VALUE, "#NUM!": NUM, "#DIV/0!": DIV0}
GROUP = "RUS, CHN, KGZ, UZB"
DATA = "$Data.$A$1:$D$241"
N_ROWS = len(example_rows())

# (cell, formula typed in Calc's own syntax, what the pandas API says)
SCALARS = [
    ("B1", f'=SIEI_PAIR({DATA};"KAZ";"RUS";2015)', "pair"),
    ("B2", f'=SIEI_PAIR({DATA};"KAZ";"RUS";2015;"gdp_growth";"pooled";0)', "pair_opts"),
    ("B3", f'=SIEI_COUNTRYGROUP({DATA};"KAZ";"{GROUP}";2015)', "countrygroup"),
    ("B4", f'=SIEI_GROUPCV({DATA};"{GROUP}";2015)', "groupcv"),
    ("B5", f'=SIEI_SIGMA({DATA};"gdp_pc_ppp";"{GROUP}";2015)', "sigma"),
    ("B6", "=SIEI_VERSION()", None),
    ("B7", f"=SIEI_DATA_INFO({DATA})", None),
]
ERRORS = [  # bad input: (cell, formula, Calc error, words of the reason)
    ("B10", f'=SIEI_PAIR({DATA};"KZX";"RUS";2015)', NA, "country 'KZX' is not in the data"),
    ("B11", f'=SIEI_GROUPCV({DATA};"KAZ";2015)', DIV0, "at least 2 countries"),
    ("B12", f'=SIEI_PAIR({DATA};"KAZ";"RUS";2015;;"weekly")', VALUE, "weekly"),
    ("B13", f'=SIEI_SIGMA({DATA};"gdp_growth";"{GROUP}";2015)', NUM, "positive"),
    ("B14", f'=SIEI_PAIR({DATA};"KAZ";;2015)', VALUE, "country_b is blank"),
]
ARRAYS = [  # (range, formula)
    ("D1:E31", f'=SIEI_PAIR_SERIES({DATA};"KAZ";"RUS")'),
    ("G1:O9", f"=SIEI_PAIR_MATRIX({DATA};2015)"),
    ("Q1:R11", f'=SIEI_BETA({DATA};"gdp_pc_ppp";"KAZ, {GROUP}";1995;2024)'),
    ("T1:U31", f'=SIEI_GROUPCV_SERIES({DATA};"RUS, CHN, KGZ, UZB, TKM")'),
]


def expected_scalars() -> dict[str, float]:
    panel = siei.example_panel()
    return {
        "pair": siei.pair_distance(panel, "KAZ", "RUS", 2015),
        "pair_opts": siei.pair_distance(
            panel, "KAZ", "RUS", 2015, indicators="gdp_growth", standardize="pooled", ddof=0
        ),
        "countrygroup": siei.group_distance(panel, "KAZ", GROUP.split(", "), 2015),
        "groupcv": siei.group_cv(panel, GROUP.split(", "), 2015),
        "sigma": sigma_value(panel, "gdp_pc_ppp", GROUP.split(", "), 2015),
    }


def typed_steps() -> list[dict[str, object]]:
    steps: list[dict[str, object]] = [
        {"op": "new"},
        {"op": "put", "sheet": "Data", "at": "A1", "rows": example_rows()},
    ]
    for cell, formula, _ in SCALARS:
        steps.append({"op": "formula", "sheet": "Calc", "cell": cell, "formula": formula})
    for cell, formula, _code, _words in ERRORS:
        steps.append({"op": "formula", "sheet": "Calc", "cell": cell, "formula": formula})
        why = f"C{cell[1:]}"
        steps.append(
            {"op": "formula", "sheet": "Calc", "cell": why, "formula": f"=SIEI_WHY({cell})"}
        )
    steps.append({"op": "formula", "sheet": "Calc", "cell": "D40", "formula": "=ISNA(B10)"})
    steps.append({"op": "formula", "sheet": "Calc", "cell": "D41", "formula": "=SIEI_WHY(B1)"})
    steps.append({"op": "formula", "sheet": "Calc", "cell": "E41", "formula": "=SIEI_WHY(U3)"})
    for rng, formula in ARRAYS:
        steps.append({"op": "array", "sheet": "Calc", "range": rng, "formula": formula})
    steps += [
        {"op": "calc"},
        {"op": "read", "key": "typed", "sheet": "Calc", "range": "A1:U41"},
        # the child killed mid-session: the next recalculation must still answer
        {"op": "kill_child", "key": "killed"},
        {"op": "formula", "sheet": "Calc", "cell": "B20", "formula": SCALARS[0][1]},
        {"op": "calc"},
        {"op": "read", "key": "after_kill", "sheet": "Calc", "range": "B20:B20"},
        {"op": "kill_child", "key": "children_after"},
        # an edited Data cell: the range's cells kept by the extension are read again
        {"op": "put", "sheet": "Data", "at": f"C{KAZ_2015 + 1}", "rows": [[EDITED]]},
        {"op": "calc"},
        {"op": "read", "key": "after_edit", "sheet": "Calc", "range": "B1:B1"},
        # a Data cell computed by a formula, whose input changes: read again too
        {"op": "formula", "sheet": "Data", "cell": f"C{KAZ_2015 + 1}", "formula": "=$Calc.$Z$1"},
        {"op": "put", "sheet": "Calc", "at": "Z1", "rows": [[EDITED]]},
        {"op": "calc"},
        {"op": "put", "sheet": "Calc", "at": "Z1", "rows": [[27994.0]]},
        {"op": "calc"},
        {"op": "read", "key": "after_formula", "sheet": "Calc", "range": "B1:B1"},
        {"op": "close"},
    ]
    return steps


KAZ_2015 = next(i for i, r in enumerate(example_rows()) if r[:2] == ["KAZ", 2015])
EDITED = 12345.0


def test_an_edited_range_is_read_again(session: dict) -> None:
    rows = [list(r) for r in example_rows()]
    rows[KAZ_2015][2] = EDITED
    want = udfs.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0)  # the pandas API over the edited rows
    assert isinstance(want, float)
    assert not math.isclose(want, expected_scalars()["pair"], rel_tol=1e-6)
    assert_number(session["after_edit"][0][0], want)
    # the formula gives the cell its original value back: the original distance again
    assert rows[KAZ_2015][2] != example_rows()[KAZ_2015][2] == 27994.0
    assert_number(session["after_formula"][0][0], expected_scalars()["pair"])


def write_foreign_xlsx(path: Path) -> None:
    """An .xlsx as another program writes it: formulas in Excel syntax, no cached values."""
    book = openpyxl.Workbook()
    data = book.active
    data.title = "Data"
    for row in example_rows():
        data.append(row)
    calc = book.create_sheet("Calc")
    ref = f"Data!$A$1:$D${N_ROWS}"
    calc["A1"] = f'=SIEI_PAIR({ref},"KAZ","RUS",2015)'
    calc["A2"] = f'=SIEI_GROUPCV({ref},"{GROUP}",2015)'
    calc["A3"] = f'=SIEI_PAIR({ref},"KZX","RUS",2015)'
    calc["A4"] = "=SIEI_WHY(A3)"
    calc["C1"] = ArrayFormula("C1:D31", f'=SIEI_PAIR_SERIES({ref},"KAZ","RUS")')
    book.save(path)


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lo.require_calc_addins()
    folder = tmp_path_factory.mktemp("calc") / "profile-not-yet-there"
    line = lo.install_extension(folder)  # siei-xl calc install --profile DIR
    assert line.startswith("installed SIEI"), line
    return folder


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lo.require_calc_addins()
    from siei_xl.excel.fill import demo

    return demo(tmp_path_factory.mktemp("demo")).output


TEMPLATE = Path(__file__).resolve().parents[1] / "workbook_template.xlsm"
MENU = "org.siei.calc:"


def stored_errors(book: Path, sheet: str) -> dict[str, str]:
    """Cells of ``sheet`` whose stored value is an error, e.g. ``{"I7": "#DIV/0!"}``."""
    ws = openpyxl.load_workbook(book, data_only=True)[sheet]
    return {
        c.coordinate: c.value
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value in EXCEL_CODES
    }


def menu_steps(demo_book: Path, pdf: Path) -> list[dict[str, object]]:
    """The template through the SIEI menu: Load example, Compute, Explain, Validate, Clear."""
    error_cell = sorted(stored_errors(demo_book, "Results"))[0]
    # a copy: a session that dies must not leave LibreOffice's lock file in the repository
    template = pdf.with_name(TEMPLATE.name)
    shutil.copyfile(TEMPLATE, template)
    return [
        {"op": "menu", "key": "menu"},
        {"op": "load", "path": str(template)},
        {"op": "dispatch", "url": MENU + "load_example"},
        {"op": "dispatch", "url": MENU + "compute"},
        {"op": "calc"},
        {"op": "siei_cells", "key": "menu_cells"},
        {"op": "read", "key": "chart_data", "sheet": "Chart", "range": "A33:G64"},
        {"op": "pdf", "path": str(pdf)},
        {"op": "select", "sheet": "Results", "cell": error_cell},
        {"op": "dispatch", "url": MENU + "explain"},
        {"op": "dispatch", "url": MENU + "clear"},
        {"op": "siei_cells", "key": "after_clear"},
        {"op": "read", "key": "cleared", "sheet": "Results", "range": "A1:A2"},
        # a number cell holding text, and a duplicate of the first data row
        {"op": "put", "sheet": "Data", "at": "C5", "rows": [["n/k"]]},
        {"op": "put", "sheet": "Data", "at": "A243", "rows": [["KAZ", 1995, 1, 2, 3]]},
        {"op": "dispatch", "url": MENU + "validate"},
        {"op": "close"},
        # the example again, Tajikistan joining the region in 2010: a change to mark
        {"op": "load", "path": str(template)},
        {"op": "dispatch", "url": MENU + "load_example"},
        {"op": "put", "sheet": "Groups", "at": "A18", "rows": [JOINING]},
        {"op": "dispatch", "url": MENU + "compute"},
        {"op": "calc"},
        {"op": "read", "key": "marked_data", "sheet": "Chart", "range": "A33:H64"},
        {"op": "read", "key": "marked_results", "sheet": "Results", "range": "A5:G35"},
        {"op": "chart_series", "key": "marked_series", "sheet": "Chart"},
        {"op": "pdf", "path": str(pdf.with_name("marked.pdf"))},
        {"op": "close"},
    ]


JOINING: Final = ["Border region", "TJK", 2010, None, "joins in 2010 (a test of the markers)"]


@pytest.fixture(scope="module")
def alert_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("alerts") / "alerts.jsonl"


@pytest.fixture(scope="module")
def menu_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf") / "template_computed.pdf"


@pytest.fixture(scope="module")
def session(
    profile: Path,
    demo_book: Path,
    alert_log: Path,
    menu_pdf: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict:
    foreign = tmp_path_factory.mktemp("xlsx") / "foreign.xlsx"
    write_foreign_xlsx(foreign)
    steps = [
        {"op": "wizard", "key": "wizard"},
        *typed_steps(),
        {"op": "load", "path": str(demo_book)},
        {"op": "calc"},
        {"op": "siei_cells", "key": "demo"},
        {"op": "close"},
        {"op": "load", "path": str(foreign)},
        {"op": "calc"},
        {"op": "read", "key": "foreign", "sheet": "Calc", "range": "A1:D31"},
        {"op": "close"},
        *menu_steps(demo_book, menu_pdf),
    ]
    # the menu's message boxes are written to this file (no one can click in headless)
    return lo.calc_session(profile, steps, env={"SIEI_XL_ALERT_LOG": str(alert_log)})


def at(block: list[list[dict]], cell: str, origin: str = "A1") -> dict:
    col = ord(cell[0]) - ord(origin[0])
    row = int(cell[1:]) - int(origin[1:])
    return block[row][col]


def assert_number(record: dict, want: float) -> None:
    assert record["err"] == 0, record
    assert isinstance(record["v"], float), record
    assert math.isclose(record["v"], want, rel_tol=REL, abs_tol=1e-15), (record, want)


# ------------------------------------------------------------ (a) typed formulas
def test_scalar_functions_typed_in_calc(session: dict) -> None:
    typed = session["typed"]
    expected = expected_scalars()
    for cell, _formula, key in SCALARS:
        if key is not None:
            assert_number(at(typed, cell), expected[key])
    version = at(typed, "B6")["v"]
    assert version.startswith(f"siei_xl {siei.__version__} (Python ")
    assert at(typed, "B7")["v"].startswith("OK: 8 countries, 30 years")


def test_errors_are_calc_error_values_with_their_reason(session: dict) -> None:
    typed = session["typed"]
    for cell, _formula, code, words in ERRORS:
        record = at(typed, cell)
        assert record["err"] == code, record  # never a number where Excel gives an error
        why = at(typed, f"C{cell[1:]}")
        assert why["err"] == 0
        excel_code = next(k for k, v in EXCEL_CODES.items() if v == code)
        assert why["v"].startswith(f"{excel_code}: "), why
        assert words in why["v"], why
    assert at(typed, "D40")["v"] == 1.0  # ISNA sees a real #N/A (TRUE)
    assert at(typed, "D41")["v"] == "No error in B1."
    # inside an array result: the error of that element (1996: group mean near zero)
    want = udfs.SIEI_GROUPCV_SERIES(example_rows(), "RUS, CHN, KGZ, UZB, TKM")[2]
    assert want[0] == 1996.0
    assert want[1].startswith("#DIV/0!: the group mean of gdp_growth in 1996")
    assert at(typed, "U3")["err"] == DIV0
    assert at(typed, "E41")["v"] == want[1]


def test_table_functions_as_array_formulas(session: dict) -> None:
    typed = session["typed"]
    panel = siei.example_panel()
    series = siei.pair_series(panel, "KAZ", "RUS")
    assert [at(typed, c)["v"] for c in ("D1", "E1")] == ["year", "distance"]
    for k, (year, value) in enumerate(zip(series["year"], series["distance"], strict=True)):
        assert at(typed, f"D{k + 2}")["v"] == float(year)
        assert_number(at(typed, f"E{k + 2}"), float(value))

    matrix = siei.pair_matrix(panel, 2015)
    labels = list(matrix.index)
    assert [at(typed, f"{chr(ord('H') + j)}1")["v"] for j in range(len(labels))] == labels
    for i, a in enumerate(labels):
        assert at(typed, f"G{i + 2}")["v"] == a
        for j, b in enumerate(labels):
            assert_number(at(typed, f"{chr(ord('H') + j)}{i + 2}"), float(matrix.loc[a, b]))

    beta = beta_convergence(panel, "gdp_pc_ppp", ["KAZ", *GROUP.split(", ")], 1995, 2024)
    assert at(typed, "Q1")["v"] == "b (slope)"
    assert_number(at(typed, "R1"), beta.b)
    assert_number(at(typed, "R5"), beta.a)
    assert_number(at(typed, "R7"), float(beta.n))
    assert at(typed, "Q11")["err"] == NA  # beyond the 10 rows: Calc's own #N/A padding


def test_the_child_is_restarted_after_being_killed(session: dict) -> None:
    assert session["killed"] == 1  # one child for the whole session so far
    assert_number(session["after_kill"][0][0], expected_scalars()["pair"])
    assert session["children_after"] == 1  # and one again after the restart


def test_the_function_wizard_shows_excels_texts(session: dict) -> None:
    wizard = session["wizard"]
    assert set(wizard) == {*FUNCTIONS, "SIEI_WHY"}
    for name, info in FUNCTIONS.items():
        shown = wizard[name]
        assert shown["description"] == info.summary
        assert [a[0] for a in shown["args"]] == list(info.args)
        assert [a[1] for a in shown["args"]] == list(info.args.values())
        # Calc lets every `any` argument be left out (and says so); every argument but the
        # tables of cells is `any` so that a value or a range fits, and a required one left
        # out is a #VALUE! whose reason names it (see
        # test_errors_are_calc_error_values_with_their_reason); the tables are ranges
        optional = [arg not in extension.RANGE_ARGS for arg in info.args]
        assert [a[2] for a in shown["args"]] == optional, name
    assert [a[0] for a in wizard["SIEI_WHY"]["args"]] == ["cell"]  # the document is hidden


# ------------------------------------------------------------- (b) demo workbook
def test_the_filled_workbook_recalculates_to_its_stored_values(
    session: dict, demo_book: Path
) -> None:
    assert_as_stored(session["demo"], demo_book)


def assert_as_stored(cells: dict[str, dict], book: Path, sheet: str | None = None) -> None:
    """``cells`` (``{"Sheet!A1": record}``) are the SIEI cells of ``book`` (or of its
    ``sheet``) and hold the values stored in it (errors as Calc's error codes)."""
    stored = openpyxl.load_workbook(book, data_only=True)
    formulas = openpyxl.load_workbook(book)
    written = {
        f"{ws.title}!{c.coordinate}"
        for ws in formulas.worksheets
        if sheet in (None, ws.title)
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f" and "SIEI_" in str(getattr(c.value, "text", c.value)).upper()
    }
    assert set(cells) == written
    assert len(cells) > 400
    for key, record in cells.items():
        name, ref = key.split("!")
        want = stored[name][ref].value
        if isinstance(want, str) and want in EXCEL_CODES:
            assert record["err"] == EXCEL_CODES[want], (key, record, want)
        elif isinstance(want, int | float):
            assert_number(record, float(want))
        else:
            assert record["err"] == 0, (key, record, want)
            assert record["v"] == want, (key, record, want)


# -------------------------------------------------------- (c) a foreign .xlsx
def test_an_xlsx_from_another_program_computes(session: dict) -> None:
    foreign = session["foreign"]
    expected = expected_scalars()
    assert_number(at(foreign, "A1"), expected["pair"])
    assert_number(at(foreign, "A2"), expected["groupcv"])
    assert at(foreign, "A3")["err"] == NA
    assert at(foreign, "A4")["v"].startswith("#N/A: country 'KZX' is not in the data")
    series = siei.pair_series(siei.example_panel(), "KAZ", "RUS")
    assert at(foreign, "C1")["v"] == "year"
    for k, value in enumerate(series["distance"]):
        assert_number(at(foreign, f"D{k + 2}"), float(value))


# ------------------------------------------------------------- (d) the SIEI menu
def test_the_menu_offers_the_ribbons_actions(session: dict) -> None:
    from siei_xl.excel.vba import RIBBON_BUTTONS

    ribbon = [label for _cb, label, _icon, _tip, _entry in RIBBON_BUTTONS if label != "Self-test"]
    assert [title for title, _url in session["menu"]] == ribbon
    assert all(url.startswith(MENU) for _title, url in session["menu"])


def alerts(log: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_load_example_then_compute_from_the_menu_writes_live_formulas(
    session: dict, demo_book: Path, alert_log: Path
) -> None:
    """The template after the menu's Load example and Compute computes what ``siei-xl
    demo`` stores: the same example through :func:`siei_xl.job.run` (the pandas API)."""
    cells = {k: v for k, v in session["menu_cells"].items() if k.startswith("Results!")}
    assert_as_stored(cells, demo_book, "Results")
    for record in cells.values():
        assert "SIEIADDIN.SIEI_" in record["f"], record  # a live add-in formula
    titles = [a["title"] for a in alerts(alert_log)]
    assert titles[:2] == ["SIEI: Load example data", "SIEI: Compute"]
    assert alerts(alert_log)[1]["prompt"].startswith("Results written: 8 countries")


def test_compute_draws_a_chart_from_live_cells_not_stale_values(session: dict) -> None:
    block = session["chart_data"]  # Chart!A33:G64, below the chart
    assert block[0][0]["v"].startswith("Chart data: live copies")
    assert block[1][0]["v"] == "Year"
    assert block[1][1]["f"] == "=$Results.$B$5"
    assert block[2][0]["v"] == 1995.0
    assert block[2][1]["f"] == '=IF(ISNUMBER($Results.$B$6);$Results.$B$6;"")'
    assert block[2][1]["v"] == session["menu_cells"]["Results!B6"]["v"]


def test_explain_error_gives_the_reason_of_the_selected_cell(
    session: dict, demo_book: Path, alert_log: Path
) -> None:
    cell, code = sorted(stored_errors(demo_book, "Results").items())[0]
    explain = alerts(alert_log)[2]
    assert explain["title"] == f"SIEI: {cell}"
    assert explain["prompt"].startswith(f"{code}: "), explain


def test_clear_results_empties_them(session: dict) -> None:
    assert not [k for k in session["after_clear"] if k.startswith(("Results!", "Chart!"))]
    assert session["cleared"][0][0]["v"].startswith("Results: written by SIEI > Compute")


def test_validate_reports_a_broken_data_sheet(session: dict, alert_log: Path) -> None:
    validate = alerts(alert_log)[3]
    assert validate["title"] == "SIEI: Validate data"
    # the text cell makes KAZ 1997 a gap too: three problems in one message
    assert validate["prompt"].startswith("3 problem(s):"), validate
    assert "KAZ lacks values in 1997" in validate["prompt"], validate
    assert "row 5, column 'gdp_pc_ppp' (KAZ 1997): 'n/k'" in validate["prompt"], validate
    assert "rows 3 and 243 both hold KAZ 1995" in validate["prompt"], validate
    # then Load example and Compute of the workbook whose region changes
    assert [a["title"] for a in alerts(alert_log)[4:]] == [
        "SIEI: Load example data",
        "SIEI: Compute",
    ]


def test_the_computed_template_prints(menu_pdf: Path) -> None:
    assert lo.pdf_pages(menu_pdf) > 3


def test_the_native_chart_marks_the_regions_change_of_members(session: dict) -> None:
    """Tajikistan joins the border region in 2010: the Calc chart draws the region's line
    black and dashed, and one more series of markers only (no line), live in 2010 alone,
    on the region's own value; its legend entry names the change. (The PDF of this
    workbook was rendered and looked at: a red diamond on the dashed line at 2010.)"""
    series = session["marked_series"]
    assert [s["name"] for s in series] == [
        *EXAMPLE_PARTNERS,
        "Border region",
        "Border region membership changed: 2010 (+TJK)",
    ]
    assert [s["line"] for s in series] == ["SOLID"] * 5 + ["DASH", "NONE"]
    assert [s["symbol"] for s in series] == [-3] * 6 + [1]  # none, then a diamond
    assert [s["color"] for s in series[5:]] == [0x000000, 0xC00000]  # black, dark red
    data, results = session["marked_data"], session["marked_results"]
    assert data[1][7]["v"] == "Border region membership changed: 2010 (+TJK)"
    years = [row[0]["v"] for row in data[2:]]
    region = {row[0]["v"]: row[6]["v"] for row in results[1:]}  # Results column G
    marks = {year: row[7] for year, row in zip(years, data[2:], strict=True)}
    assert marks[2010.0]["f"] == '=IF(ISNUMBER($Results.$G$21);$Results.$G$21;"")'
    assert marks[2010.0]["v"] == pytest.approx(region[2010.0], rel=1e-12)
    assert all(
        not cell["f"] and cell["v"] in ("", None) for y, cell in marks.items() if y != 2010.0
    )


# ------------------------------------------------------------- a wrong interpreter
def broken_steps() -> list[dict[str, object]]:
    return [
        {"op": "new"},
        {"op": "put", "sheet": "Data", "at": "A1", "rows": example_rows()},
        {"op": "formula", "sheet": "Calc", "cell": "A1", "formula": SCALARS[0][1]},
        {"op": "array", "sheet": "Calc", "range": "C1:D3", "formula": ARRAYS[0][1]},
        {"op": "calc"},
        {"op": "read", "key": "cells", "sheet": "Calc", "range": "A1:D1"},
        {"op": "close"},
    ]


def test_a_wrong_interpreter_shows_a_cell_naming_it(profile: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "no" / "python3")
    result = lo.calc_session(profile, broken_steps(), env={"SIEI_XL_PYTHON": missing})
    for record in (at(result["cells"], "A1"), at(result["cells"], "C1")):
        assert record["err"] == 0
        assert record["v"].startswith(f"SIEI: cannot start Python {missing!r}"), record


def test_an_interpreter_that_never_answers_does_not_hang_calc(
    profile: Path, tmp_path: Path
) -> None:
    silent = tmp_path / "silent-python"
    silent.write_text("#!/bin/sh\nexec sleep 300\n")
    silent.chmod(0o755)
    env = {"SIEI_XL_PYTHON": str(silent), "SIEI_XL_START_TIMEOUT": "2"}
    # one wait of 2 s for the whole sheet, not one per formula: the session's own time
    # limit (lo.calc_session kills LibreOffice) would fail the test long before a hang
    result = lo.calc_session(profile, broken_steps(), env=env, timeout=120)
    want = f"SIEI: Python {str(silent)!r} did not start siei_xl within 2 s"
    for record in (at(result["cells"], "A1"), at(result["cells"], "C1")):
        assert record["v"] == want, record


# ------------------------------------------------------- last: uninstall the extension
def test_uninstall_removes_it_once(profile: Path) -> None:
    """Runs last in this file: afterwards the profile no longer has the extension."""
    command = [*lo.siei_xl_command(), "calc", "uninstall", "--profile", str(profile)]
    first = lo.run_command(command)
    second = lo.run_command(command)
    assert first == "removed org.siei.calc"
    assert second == "org.siei.calc was not installed"
