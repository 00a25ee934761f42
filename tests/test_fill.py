"""``siei-xl fill`` and ``siei-xl demo``: complete workbooks written without Excel.

The stored values of the Results formulas (what LibreOffice, a phone or Excel without
Python shows) are read back with openpyxl and recomputed with the pandas API from the
arguments the formulas name, so a wrong reference and a wrong value both fail. Bad inputs
must give one line on stderr, exit code 2 and no file at all.
"""

from __future__ import annotations

import hashlib
import math
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from udf_helpers import formulas_and_values

import siei_xl as siei
from siei_xl.cli import main
from siei_xl.example import EXAMPLE_NOTE
from siei_xl.excel import fill as fill_module
from siei_xl.excel import layout
from siei_xl.excel.fill import check_package, example_inputs, fill, write_filled
from siei_xl.excel.template import TEMPLATE_NAME, WorkbookContent, build_workbook
from siei_xl.exceptions import DataError, SieiError

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / TEMPLATE_NAME
XLSM_CHECK = REPO.parent / "shared" / "tools" / "xlsm_check.py"
SHARED_DATA = REPO.parent / "shared" / "data"
PNG = b"\x89PNG\r\n\x1a\n"
UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
PARTNERS = ["RUS", "CHN", "KGZ", "UZB", "TKM"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (hidden ones too) with its content hash."""
    return {str(p.relative_to(folder)): sha256(p) for p in folder.rglob("*") if p.is_file()}


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------ package checks
def assert_package_ok(path: Path) -> None:
    """xlsm_check passes; the VBA project is the template's; the ribbon is referenced."""
    if XLSM_CHECK.exists():
        done = subprocess.run(
            [sys.executable, str(XLSM_CHECK), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "xlsm check: passed" in done.stdout
    with zipfile.ZipFile(path) as out, zipfile.ZipFile(TEMPLATE) as template:
        assert out.read("xl/vbaProject.bin") == template.read("xl/vbaProject.bin")
        rels = out.read("_rels/.rels").decode("utf-8")
        assert re.search(rf'Type="{re.escape(UI_REL)}" Target="customUI/customUI14.xml"', rels)
        assert out.read("customUI/customUI14.xml") == template.read("customUI/customUI14.xml")


# ------------------------------------------------------------ stored values
def split_args(text: str) -> list[str]:
    """Top-level arguments of a function call's argument text."""
    args, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i])
            start = i + 1
    args.append(text[start:])
    return args


def check_stored_values(
    path: Path, panel: siei.Panel, groups: siei.Groups | None, *, rel: float = 1e-12
) -> int:
    """Every SIEI formula's cached value on Results against the pandas API; the count.

    The API gets the arguments the formula names, read from the cells it references, so
    a formula pointing at the wrong cell fails as surely as a wrong value.
    """
    text, cached = formulas_and_values(path)

    def value(ref: str, sheet: str = "Results") -> object:
        if "!" in ref:
            sheet, _, ref = ref.rpartition("!")
        row, col = _position(ref)
        rows = cached[sheet]
        return rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else None

    def option(ref: str) -> object:
        v = value(ref)
        return None if v is None or v == "" else v

    def check_table(ref: str, sheet: str, header: str) -> None:
        """A table reference starts at the table's header and ends at its last row."""
        first, _, last = ref.rpartition("!")[2].partition(":")
        assert value(first, sheet) == header, ref
        rows = [r for r in cached[sheet] if any(v is not None for v in r)]
        assert _position(last)[0] == len(cached[sheet]), ref
        assert cached[sheet][-1] == rows[-1], ref

    checked = 0
    for r, row in enumerate(text["Results"]):
        for c, formula in enumerate(row):
            if not (isinstance(formula, str) and formula.startswith("=SIEI_")):
                continue
            name, _, rest = formula[1:].partition("(")
            if name not in {"SIEI_PAIR", "SIEI_COUNTRYGROUP", "SIEI_GROUPCV"}:
                continue  # market and sigma cells: see test_market_and_sigma_cells_*
            args = split_args(rest[:-1])
            stored = cached["Results"][r][c]
            check_table(args[0], "Data", "country")
            focus: object = None
            group: object = None
            named = False
            if name == "SIEI_GROUPCV":
                year = value(args[2])
                options = {
                    "indicators": option(args[3]),
                    "ddof": int(float(option(args[4]) or 1)),
                    "cv_limit": float(option(args[5]) or 10),
                }
            else:
                focus, year = value(args[1]), value(args[3])
                options = {
                    "indicators": option(args[4]),
                    "standardize": option(args[5]) or "yearly",
                    "ddof": int(float(option(args[6]) or 1)),
                }
            if name != "SIEI_PAIR":
                group_text = args[2] if name == "SIEI_COUNTRYGROUP" else args[1]
                named = group_text.startswith("SIEI_GROUP_MEMBERS(")
                if named:
                    inner = split_args(group_text[len("SIEI_GROUP_MEMBERS(") : -1])
                    check_table(inner[0], "Groups", "group")
                    assert value(inner[2]) == year, formula
                    group = value(inner[1])
                else:
                    group = value(group_text)
            assert isinstance(year, int), (formula, year)
            expected = api_value(
                name,
                panel,
                focus=focus,
                other=value(args[2]) if name == "SIEI_PAIR" else group,
                year=year,
                groups=groups if named else None,
                options=options,
            )
            if isinstance(expected, str):
                assert stored == expected, (formula, stored, expected)
            else:
                assert isinstance(stored, float), (formula, stored)
                assert math.isclose(stored, expected, rel_tol=rel), (formula, stored, expected)
            checked += 1
    return checked


def api_value(
    name: str,
    panel: siei.Panel,
    *,
    focus: object,
    other: object,
    year: int,
    groups: siei.Groups | None,
    options: dict[str, object],
) -> float | str:
    """What the pandas API gives for a formula's arguments: a number or an error code."""
    try:
        if name == "SIEI_PAIR":
            return siei.pair_distance(panel, focus, other, year, **options)
        if name == "SIEI_COUNTRYGROUP":
            return siei.group_distance(panel, focus, other, year, groups=groups, **options)
        if name == "SIEI_GROUPCV":
            return siei.group_cv(panel, other, year, groups=groups, **options)
    except SieiError as exc:  # the cell stores the error code the function gives
        return exc.excel_code
    raise AssertionError(f"unexpected function {name}")


def _position(ref: str) -> tuple[int, int]:
    match = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", ref)
    assert match, ref
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)), col


def sheet_rows(path: Path, name: str) -> list[list[object]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(r) for r in book[name].iter_rows(values_only=True)]
    finally:
        book.close()


# --------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def example_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template with the example typed into Data, Groups and Settings (no results)."""
    path = tmp_path_factory.mktemp("input") / "typed.xlsm"
    path.write_bytes(build_workbook(WorkbookContent(*example_inputs())))
    return path


@pytest.fixture(scope="module")
def example_output(tmp_path_factory: pytest.TempPathFactory, example_input: Path) -> Path:
    before = sha256(example_input)
    out = tmp_path_factory.mktemp("output") / "filled.xlsm"
    report = fill(example_input, out)
    assert report.output == out
    assert sha256(example_input) == before  # the input is only read
    return out


# ------------------------------------------------------------------ filling
def test_fill_from_the_template_with_example_data(example_output: Path) -> None:
    assert_package_ok(example_output)
    n = check_stored_values(example_output, siei.example_panel(), siei.example_groups())
    assert n == 30 * 6 + 30  # pairs and region distance, region CV


def test_filled_workbook_keeps_the_inputs(example_input: Path, example_output: Path) -> None:
    for name in layout.INPUT_SHEETS:
        assert sheet_rows(example_output, name) == sheet_rows(example_input, name), name
    results = sheet_rows(example_output, "Results")
    assert results[4][:7] == ["Year", *PARTNERS, "Border region"]


def test_fill_an_already_filled_workbook(tmp_path: Path, example_output: Path) -> None:
    out = tmp_path / "again.xlsm"
    fill(example_output, out)
    assert sheet_rows(out, "Results") == sheet_rows(example_output, "Results")
    assert_package_ok(out)


def test_write_filled_then_fill_with_options(tmp_path: Path) -> None:
    data, groups, settings = example_inputs()
    source = tmp_path / "source.xlsm"
    write_filled(data, groups, settings, source, description="test", force=False)
    out = tmp_path / "eaeu.xlsm"
    report = fill(source, out, options={"Region": "EAEU", "First year": 2010})
    assert list(report.result.distances.index) == list(range(2010, 2025))
    settings_rows = {r[0]: r[1] for r in sheet_rows(out, "Settings") if r and r[0]}
    assert settings_rows["Region"] == "EAEU"
    n = check_stored_values(out, siei.example_panel(), siei.example_groups())
    assert n == 15 * 7


def test_fill_from_a_csv_with_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    siei.example_frame().to_csv("panel.csv", index=False)
    code, out, err = run_cli(
        capsys,
        "fill",
        "panel.csv",
        "-o",
        "from_csv.xlsm",
        "--focus",
        "KAZ",
        "--partners",
        "RUS, CHN,TJK",
        "--region",
        "RUS,CHN,KGZ",
        "--quiet",
    )
    assert (code, out, err) == (0, "", "")
    path = tmp_path / "from_csv.xlsm"
    assert_package_ok(path)
    assert check_stored_values(path, siei.example_panel(), None) == 30 * 5
    header = sheet_rows(path, "Results")[4]
    assert header[:5] == ["Year", "RUS", "CHN", "TJK", "Region"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["from_csv.xlsm", "panel.csv"]


def test_fill_prints_a_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    siei.example_frame().to_csv("panel.csv", index=False)
    code, out, _ = run_cli(
        capsys, "fill", "panel.csv", "-o", "o.xlsm", "--png", "chart.png", "--region", "RUS,CHN",
        "--focus", "KAZ",
    )  # fmt: skip
    assert code == 0
    assert out.startswith("filled o.xlsm: 8 countries, 30 years (1995-2024), 2 indicators;")
    assert "chart: chart.png" in out
    assert (tmp_path / "chart.png").read_bytes()[:8] == PNG


# ------------------------------------------------------- overwriting, backups
def test_existing_output_is_kept_without_force(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    example_input: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "out.xlsm"
    target.write_bytes(b"precious")
    before = listing(tmp_path)
    code, out, err = run_cli(capsys, "fill", str(example_input), "-o", "out.xlsm")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "already exists" in err
    assert "--force" in err
    assert listing(tmp_path) == before
    code, _, _ = run_cli(capsys, "fill", str(example_input), "-o", "out.xlsm", "--force")
    assert code == 0
    assert target.read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsm"]


def test_in_place_keeps_a_backup_of_the_original(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    example_input: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    book = tmp_path / "book.xlsm"
    original = example_input.read_bytes()
    book.write_bytes(original)
    code, out, _ = run_cli(capsys, "fill", "book.xlsm", "--in-place")
    assert code == 0
    backups = sorted(tmp_path.glob("book.backup-*.xlsm"))
    assert len(backups) == 1
    assert backups[0].read_bytes() == original
    assert f"backup of the input: {backups[0].name}" in out
    assert book.read_bytes() != original
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["book.xlsm", backups[0].name])
    assert check_stored_values(book, siei.example_panel(), siei.example_groups()) == 210


def test_in_place_refuses_a_second_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    siei.example_frame().to_csv("panel.csv", index=False)
    before = listing(tmp_path)
    code, _, err = run_cli(capsys, "fill", "panel.csv", "--in-place")
    assert code == 2
    assert err.count("\n") == 1
    assert listing(tmp_path) == before


# ------------------------------------------------------------------ bad inputs
def make_zip_bomb(path: Path, size: int = 301 * 2**20) -> None:
    """A small zip whose one member unpacks to ``size`` bytes of zeros (streamed)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/workbook.xml", "w", force_zip64=True) as member:
            chunk = bytes(4 * 2**20)
            written = 0
            while written < size:
                member.write(chunk[: size - written])
                written += len(chunk[: size - written])


def _missing(folder: Path) -> list[str]:
    return ["fill", "nowhere.xlsm", "-o", "out.xlsm"]


def _text_as_xlsx(folder: Path) -> list[str]:
    (folder / "notes.xlsx").write_text("this is not a workbook\n", encoding="utf-8")
    return ["fill", "notes.xlsx", "-o", "out.xlsm"]


def _zip_bomb(folder: Path) -> list[str]:
    make_zip_bomb(folder / "bomb.xlsx")
    assert (folder / "bomb.xlsx").stat().st_size < 2 * 2**20
    return ["fill", "bomb.xlsx", "-o", "out.xlsm"]


def _not_siei(folder: Path) -> list[str]:
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active["A1"] = "hello"
    book.save(folder / "other.xlsm")
    return ["fill", "other.xlsm", "-o", "out.xlsm"]


def _text_in_numbers(folder: Path) -> list[str]:
    frame = siei.example_frame()
    frame["gdp_growth"] = frame["gdp_growth"].astype(object)
    frame.loc[40, "gdp_growth"] = "n/a?"
    frame.to_csv(folder / "bad.csv", index=False)
    return ["fill", "bad.csv", "-o", "out.xlsm", "--focus", "KAZ", "--partners", "RUS"]


def _wrong_suffix(folder: Path) -> list[str]:
    siei.example_frame().to_csv(folder / "panel.csv", index=False)
    return ["fill", "panel.csv", "-o", "out.xlsx"]


def _bad_setting(folder: Path) -> list[str]:
    siei.example_frame().to_csv(folder / "panel.csv", index=False)
    return ["fill", "panel.csv", "-o", "out.xlsm", "--focus", "KAZ", "--region", "Atlantis"]


def _no_focus(folder: Path) -> list[str]:
    siei.example_frame().to_csv(folder / "panel.csv", index=False)
    return ["fill", "panel.csv", "-o", "out.xlsm", "--partners", "RUS"]


def _no_partners(folder: Path) -> list[str]:
    siei.example_frame().to_csv(folder / "panel.csv", index=False)
    return ["fill", "panel.csv", "-o", "out.xlsm", "--focus", "KAZ"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_missing, "'nowhere.xlsm' does not exist"),
        (_text_as_xlsx, "'notes.xlsx' is not an Excel workbook"),
        (_zip_bomb, "refused as a possible zip bomb"),
        (_not_siei, "it is not a SIEI workbook"),
        (_text_in_numbers, "'n/a?' is not a number"),
        (_wrong_suffix, "-o 'out.xlsx': expected a file name ending in .xlsm"),
        (_bad_setting, "Region 'Atlantis' is neither a group"),
        # a data table has no Settings: nothing is borrowed from the built-in example
        (_no_focus, "no focus country: give --focus CODE"),
        (_no_partners, "no partners and no region: give --partners"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[1:] if callable(v) else "",
)
def test_bad_input_gives_one_line_and_no_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[Path], list[str]],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = make(tmp_path)
    before = listing(tmp_path)
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("siei-xl: error: ")
    assert message in err
    assert listing(tmp_path) == before  # no output, no temporary file


def test_text_in_numbers_names_the_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = _text_in_numbers(tmp_path)
    _code, _out, err = run_cli(capsys, *argv)
    assert "row 42" in err  # CSV line 42: header line 1, frame row 40


def test_error_in_a_workbook_names_the_sheet_row(tmp_path: Path) -> None:
    data, groups, settings = example_inputs()
    data[5][2] = "abc"  # Data sheet: instruction row 1, header row 2: data[5] is row 7
    source = tmp_path / "typed.xlsm"
    source.write_bytes(build_workbook(WorkbookContent(data, groups, settings)))
    with pytest.raises(DataError, match=r"^row 7, column 'gdp_pc_ppp'"):
        fill(source, tmp_path / "out.xlsm")


def test_check_package_refuses_a_highly_compressed_file(tmp_path: Path) -> None:
    path = tmp_path / "dense.xlsx"
    make_zip_bomb(path, size=40 * 2**20)  # small, but 40 MiB from a few kB
    with pytest.raises(DataError, match="possible zip bomb"):
        check_package(path)
    assert 40 * 2**20 / path.stat().st_size > fill_module.MAX_COMPRESSION_RATIO


def test_check_package_accepts_real_workbooks(example_output: Path) -> None:
    check_package(example_output)
    check_package(TEMPLATE)


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(DataError, match="is a zip file but not an Excel workbook"):
        check_package(path)


# ------------------------------------------------------------------------ demo
def test_demo_writes_workbook_and_png_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "demo")
    assert code == 0
    assert EXAMPLE_NOTE in out
    book, png = tmp_path / "siei_demo.xlsm", tmp_path / "siei_demo.png"
    assert png.read_bytes()[:8] == PNG
    assert sorted(p.name for p in tmp_path.iterdir()) == ["siei_demo.png", "siei_demo.xlsm"]
    assert_package_ok(book)
    assert check_stored_values(book, siei.example_panel(), siei.example_groups()) == 210
    before = listing(tmp_path)
    code, out, err = run_cli(capsys, "demo")
    assert code == 2
    assert err.count("\n") == 1
    assert "already exists" in err
    assert listing(tmp_path) == before
    code, _, _ = run_cli(capsys, "demo", "--force", "--quiet")
    assert code == 0
    assert sha256(book) == before["siei_demo.xlsm"]  # the same inputs give the same bytes


def test_demo_workbook_declares_its_data_illustrative(tmp_path: Path) -> None:
    report = fill_module.demo(tmp_path)
    with zipfile.ZipFile(report.output) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
    assert "ILLUSTRATIVE" in core
    assert report.png is not None
    assert report.png.read_bytes()[:8] == PNG


# -------------------------------------------------------------------- real data
REAL = SHARED_DATA / "macro_focus_wide.csv"


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.exists(), reason=f"real data not found at {REAL}")
def test_fill_from_real_data(tmp_path: Path) -> None:
    indicators = "NY.GDP.PCAP.PP.CD,NY.GDP.MKTP.KD.ZG"
    out = tmp_path / "kaz.xlsm"
    report = fill(
        REAL,
        out,
        options={
            "Focus country": "KAZ",
            "Partners": ",".join(PARTNERS),
            "Region": ",".join(PARTNERS),
            "Indicators": indicators,
            "First year": 2000,
            "Last year": 2020,
        },
    )
    assert list(report.result.distances.index) == list(range(2000, 2021))
    assert_package_ok(out)
    panel = siei.read_panel(REAL)
    assert check_stored_values(out, panel, None) == 21 * 7
    # the same figures as the pandas API called directly
    table = siei.convergence_table(
        panel, "KAZ", PARTNERS, region=PARTNERS, indicators=indicators, years=range(2000, 2021)
    )
    stored = sheet_rows(out, "Results")
    for i, year in enumerate(range(2000, 2021)):
        row = stored[5 + i]
        assert row[0] == year
        for j, name in enumerate(table.columns, start=1):
            assert row[j] == pytest.approx(table.loc[year, name], rel=1e-12), (year, name)


def test_zip_bomb_helper_streams(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    make_zip_bomb(path, size=5 * 2**20 + 3)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/workbook.xml")
        assert info.file_size == 5 * 2**20 + 3
        with z.open(info) as member:
            assert member.read(16) == bytes(16)


def test_no_temporary_files_after_a_failed_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while writing leaves neither the output nor a temporary file."""
    from siei_xl.excel import template

    def failing_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.chdir(tmp_path)
    data, groups, settings = example_inputs()
    before = listing(tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(template.os, "replace", failing_replace)
        with pytest.raises(OSError, match="disk full"):
            write_filled(data, groups, settings, tmp_path / "o.xlsm", description="x", force=False)
    assert listing(tmp_path) == before


def test_market_and_sigma_cells_equal_their_formulas_and_the_api(tmp_path: Path) -> None:
    """The demo's market and sigma cells: each cached value equals its formula evaluated on
    the workbook's own cells, and sample cells equal the pandas API."""
    from collections import Counter

    from fake_book import FakeBook

    from siei_xl.classic import sigma_value
    from siei_xl.excel.fill import demo, example_market_inputs
    from siei_xl.market import Flows, flow_pair, flow_within

    report = demo(tmp_path)
    text, cached = formulas_and_values(report.output)
    book = FakeBook({name: rows for name, rows in text.items() if name != "Chart"})
    results = book.sheets["Results"]
    for r, row in enumerate(text["Results"], start=1):  # typed in as formulas, not text
        for c, formula in enumerate(row, start=1):
            if isinstance(formula, str) and formula.startswith("="):
                results.range((r, c)).formula = formula
    seen: Counter[str] = Counter()
    cells: dict[tuple[str, int], float] = {}
    for r, row in enumerate(text["Results"], start=1):
        for c, formula in enumerate(row, start=1):
            if not (isinstance(formula, str) and formula.startswith(("=SIEI_FLOW", "=SIEI_SIGMA"))):
                continue
            name = formula[1:].partition("(")[0]
            stored, got = cached["Results"][r - 1][c - 1], results.range((r, c)).value
            assert isinstance(stored, float), (formula, stored)
            assert math.isclose(got, stored, rel_tol=1e-12), (formula, got, stored)
            seen[name] += 1
            header = text["Results"][_header_row(text["Results"], r) - 1][c - 1]
            year = cached["Results"][r - 1][0 if name != "SIEI_SIGMA" else c - 2]
            cells[(f"{name}:{header}", int(year))] = stored
    partners, years = 5, 30
    assert seen == {
        "SIEI_FLOWPAIR": partners * years,
        "SIEI_FLOWGROUP": years,
        "SIEI_FLOWWITHIN": years,
        "SIEI_SIGMA": years,
    }
    data, _groups, _settings, flows = example_market_inputs()
    panel = siei.Panel.from_rows(data[0], data[1:])
    table = Flows.from_rows(flows[0], flows[1:])
    region = "RUS, CHN, KGZ, UZB, TKM"
    assert cells[("SIEI_FLOWPAIR:RUS", 2019)] == pytest.approx(
        flow_pair(table, panel, "gdp_usd_m", "KAZ", "RUS", 2019).score, rel=1e-12
    )
    assert cells[("SIEI_FLOWWITHIN:within Border region", 2019)] == pytest.approx(
        flow_within(table, panel, "gdp_usd_m", region, 2019).score, rel=1e-12
    )
    assert cells[("SIEI_SIGMA:sigma (sd_log)", 2019)] == pytest.approx(
        sigma_value(panel, "gdp_pc_ppp", region, 2019), rel=1e-12
    )


def _header_row(rows: list[list[object]], r: int) -> int:
    """The row of the header above row ``r`` (1-based): the nearest row starting 'Year'."""
    while r > 1 and rows[r - 1][0] != "Year":
        r -= 1
    return r


def test_fill_from_a_table_with_a_flows_file_writes_the_market_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from siei_xl.excel.fill import example_market_inputs

    data, _groups, _settings, flows = example_market_inputs()
    data_csv, flows_csv = tmp_path / "data.csv", tmp_path / "flows.csv"
    data_csv.write_text("\n".join(",".join(map(str, r)) for r in data), encoding="utf-8")
    flows_csv.write_text("\n".join(",".join(map(str, r)) for r in flows), encoding="utf-8")
    out = tmp_path / "out.xlsm"
    code = main(
        [
            "fill",
            str(data_csv),
            "-o",
            str(out),
            "--focus",
            "KAZ",
            "--partners",
            "RUS,CHN",
            "--region",
            "RUS,CHN,KGZ",
            "--indicators",
            "gdp_pc_ppp,gdp_growth",
            "--flows",
            str(flows_csv),
            "--base-indicator",
            "gdp_usd_m",
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr().err
    rows = sheet_rows(out, "Results")
    titles = [r[0] for r in rows if r and isinstance(r[0], str)]
    assert any(t.startswith("Market integration of KAZ") for t in titles)
    assert sheet_rows(out, "Flows")[1][:4] == ["reporter", "partner", "year", "value"]
    # a CSV's numbers land on the Flows sheet as numbers, not text
    _reporter, _partner, year, value = sheet_rows(out, "Flows")[2][:4]
    assert isinstance(year, int)
    assert isinstance(value, float | int)
    assert float(value) == float(flows[1][3])


# ------------------------------------------------------ ragged years, viewers
@pytest.fixture
def ragged_book(tmp_path: Path) -> tuple[Path, siei.Panel]:
    """A workbook filled from data where KGZ lacks 1995-2004 and CHN 2008-2011."""
    frame = siei.example_frame()
    frame.loc[(frame.country == "KGZ") & (frame.year < 2005), "gdp_pc_ppp"] = math.nan
    frame.loc[(frame.country == "CHN") & frame.year.between(2008, 2011), "gdp_growth"] = math.nan
    frame.to_csv(tmp_path / "ragged.csv", index=False)
    out = tmp_path / "ragged.xlsm"
    argv = ["fill", str(tmp_path / "ragged.csv"), "-o", str(out), "--focus", "KAZ",
            "--partners", "RUS,CHN,KGZ", "--region", "RUS,CHN,KGZ", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    return out, siei.Panel.from_wide(frame)


def _chart_ranges(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as package:
        names = [n for n in package.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        xml = package.read(names[0]).decode("utf-8")
    return re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", xml)


def _cells(path: Path, reference: str) -> list[object]:
    sheet_name, cells = reference.replace("$", "").split("!")
    book = openpyxl.load_workbook(path, data_only=True)
    return [row[0].value for row in book[sheet_name.strip("'")][cells]]


def test_missing_years_are_empty_cells_under_the_chart(
    ragged_book: tuple[Path, siei.Panel],
) -> None:
    """LibreOffice draws a ``#N/A`` source cell as 0 and Excel as a gap; both draw an empty
    cell as a gap (rendered and looked at: KGZ starts in 2005, CHN breaks in 2008-2011)."""
    path, panel = ragged_book
    table = siei.convergence_table(panel, "KAZ", ["RUS", "CHN", "KGZ"], region="RUS,CHN,KGZ")
    ranges = _chart_ranges(path)
    assert len(ranges) == 4
    for reference, column in zip(ranges, table.columns, strict=True):
        assert reference.startswith("Chart!")
        cells = _cells(path, reference)
        expected = table[column].tolist()
        assert len(cells) == len(expected) == 30
        for cell, value in zip(cells, expected, strict=True):
            if math.isnan(value):
                assert cell is None  # empty: a gap in every viewer
            else:
                assert cell == pytest.approx(value, rel=1e-12)
    kgz = _cells(path, ranges[2])
    assert kgz[:10] == [None] * 10
    assert all(isinstance(v, float) for v in kgz[10:])


def test_change_uses_the_first_and_last_years_with_values(
    ragged_book: tuple[Path, siei.Panel],
) -> None:
    path, panel = ragged_book
    rows = sheet_rows(path, "Results")
    change = next(r for r in rows if r and r[0] == "Change")
    over = next(r for r in rows if r and r[0] == "Change over")
    kgz_2005 = siei.pair_distance(panel, "KAZ", "KGZ", 2005)
    kgz_2024 = siei.pair_distance(panel, "KAZ", "KGZ", 2024)
    assert change[3] == pytest.approx(kgz_2024 - kgz_2005, rel=1e-12)  # not n/a
    assert over[1:5] == ["1995-2024", "1995-2024", "2005-2024", "2005-2024"]
    book = openpyxl.load_workbook(path)
    formulas = [
        c.value for c in next(r for r in book["Results"].iter_rows() if r[0].value == "Change")
    ]
    assert formulas[3] == "=D35-D16"  # 2024 minus 2005 (the table starts in row 6 with 1995)


def test_a_change_of_the_regions_members_is_noted_and_marked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    siei.example_frame().to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.csv").write_text(
        "group,country,from\nG,RUS,\nG,CHN,\nG,KGZ,2015\n", encoding="utf-8"
    )
    out = tmp_path / "g.xlsm"
    argv = ["fill", str(tmp_path / "d.csv"), "-o", str(out), "--focus", "KAZ", "--partners",
            "RUS", "--region", "G", "--groups", str(tmp_path / "g.csv"), "--sigma-indicator",
            "gdp_pc_ppp", "--indicators", "gdp_pc_ppp,gdp_growth", "--quiet"]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    rows = sheet_rows(out, "Results")
    text = [str(c) for r in rows for c in r if isinstance(c, str)]
    assert any("G membership changed in 2015 (+KGZ)" in t for t in text)
    header = next(r for r in rows if "members changed" in r)
    col = header.index("members changed")
    body = [r for r in rows[rows.index(header) + 1 :] if isinstance(r[col - 2], int)]
    assert [r[col - 2] for r in body if r[col]] == [2015]
    assert next(r[col] for r in body if r[col]) == "+KGZ"


def test_the_chart_marks_the_year_the_regions_members_changed(tmp_path: Path) -> None:
    """The native chart (Excel and LibreOffice alike) gets one more series: diamonds only,
    no line, on the region's own point in the change year; its legend entry names the
    change. (Rendered by LibreOffice and looked at: a dark red diamond on the dashed line.)"""
    siei.example_frame().to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.csv").write_text(
        "group,country,from\nG,RUS,\nG,CHN,\nG,KGZ,2015\n", encoding="utf-8"
    )
    out = tmp_path / "g.xlsm"
    argv = ["fill", str(tmp_path / "d.csv"), "-o", str(out), "--focus", "KAZ", "--partners",
            "RUS", "--region", "G", "--groups", str(tmp_path / "g.csv"), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    ranges = _chart_ranges(out)
    assert len(ranges) == 3  # RUS, G, and the markers
    region, marks = _cells(out, ranges[1]), _cells(out, ranges[2])
    years = list(range(1995, 2025))
    assert [y for y, v in zip(years, marks, strict=True) if v is not None] == [2015]
    assert marks[years.index(2015)] == region[years.index(2015)]
    with zipfile.ZipFile(out) as package:
        xml = package.read("xl/charts/chart1.xml").decode("utf-8")
    last = xml.split("<c:ser>")[-1]
    assert "<c:v>G membership changed: 2015 (+KGZ)</c:v>" in last
    assert '<c:spPr><a:ln><a:noFill/></a:ln></c:spPr><c:marker><c:symbol val="diamond"/>' in last
    assert xml.count('<c:symbol val="none"/>') == 2


def test_headers_over_numbers_are_aligned_with_them(tmp_path: Path) -> None:
    """On Results a column of numbers has its header on the right, as the numbers are; the
    Year column's header stays on the left."""
    report = fill_module.demo(tmp_path)
    sheet = openpyxl.load_workbook(report.output)["Results"]
    header = next(row for row in sheet.iter_rows() if row[0].value == "Year")
    assert header[0].alignment.horizontal in (None, "general", "left")
    numbers = [c for c in header[1:] if c.value and c.value != "Year"]  # and the CV table's
    assert [c.value for c in numbers][:2] == ["RUS", "CHN"]
    assert numbers[-1].value == "CV within Border region"
    assert {c.alignment.horizontal for c in numbers} == {"right"}
    assert [c.alignment.horizontal for c in header if c.value == "Year"] == [None, None]
    over = next(row for row in sheet.iter_rows() if row[0].value == "Change over")
    assert over[1].value == "1995-2024"
    assert over[1].alignment.horizontal == "right"


def test_each_results_table_prints_on_its_own_page_under_its_own_header(
    tmp_path: Path,
) -> None:
    report = fill_module.demo(tmp_path)
    with zipfile.ZipFile(report.output) as package:
        workbook = package.read("xl/workbook.xml").decode("utf-8")
        results = package.read("xl/worksheets/sheet6.xml").decode("utf-8")
    assert '<sheet name="Results"' in workbook
    rows = sheet_rows(report.output, "Results")
    market = next(i for i, r in enumerate(rows) if str(r[0]).startswith("Market integration"))
    # a page break right above the market (and sigma) tables, and the first table's
    # header is not printed above them
    assert re.search(rf'<brk id="{market}"', results)
    poll = next(i for i, r in enumerate(rows) if str(r[0]).startswith("Institutional block"))
    assert re.search(rf'<brk id="{poll}"', results)  # the expert table too, below them
    assert "Results!$5:$5" not in workbook
