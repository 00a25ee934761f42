"""The self-test (``=SIEI_SELFTEST``, the ribbon's dialog, ``siei-xl doctor``) and the release
check (``siei-xl excel selftest``): the Python side real, the Excel side stood in.

What a user relies on: every check that passes here would pass for them, and each one that
fails names the fix; a workbook built by another siei_xl, or computing another value,
is told apart from a good one.
"""

from __future__ import annotations

import functools
import io
import re
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fake_book import FakeBook

from siei_xl import __version__, udfs
from siei_xl.cli import main
from siei_xl.excel import release, selftest, vba
from siei_xl.excel.doctor_cli import workbook_build
from siei_xl.excel.template import TEMPLATE_NAME, sheet_layouts, template_content
from siei_xl.exceptions import SieiError

with warnings.catch_warnings():  # oletools calls a pyparsing API deprecated since 3.3
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser

TEMPLATE = Path(__file__).resolve().parents[1] / TEMPLATE_NAME


def statuses(checks: list[selftest.Check]) -> dict[str, str]:
    return {c.name: c.status for c in checks}


# ----------------------------------------------------------------- build record
def test_build_record_round_trips_and_is_the_templates() -> None:
    text = selftest.build_text()
    build = selftest.parse_build(text)
    assert build.siei_xl == __version__
    assert build.probe == pytest.approx(selftest.probe_value(), rel=1e-11)
    assert text.endswith(f"probe={selftest.probe_value():.12g}")
    assert workbook_build(TEMPLATE) == build  # the committed template carries this build
    # the ribbon's VBA passes the same record as the defined name holds
    assert f'Public Const SIEI_BUILD_TEXT As String = "{text}"' in vba.selftest_module_text()


def test_probe_is_the_example_pair_distance_computed_independently() -> None:
    """The probe equals a hand-rolled computation: yearly z-scores over all countries with
    the sample sd, then the Euclidean distance of KAZ and RUS in 2015."""
    import numpy as np

    from siei_xl.example import example_frame

    frame = example_frame()
    year = frame[frame["year"] == 2015].set_index("country")
    values = year.drop(columns=["year"]).astype(float)
    z = (values - values.mean()) / values.std(ddof=1)
    expected = float(np.sqrt(((z.loc["KAZ"] - z.loc["RUS"]) ** 2).sum()))
    assert selftest.probe_value() == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "SIEI_BUILD"),
        ("", "SIEI_BUILD"),
        ("siei_xl=0.1.0;probe=1", "lacks xlwings"),
        ("siei_xl=0.1.0;xlwings=0.37.8;probe=abc", "not a number"),
    ],
)
def test_parse_build_refuses_what_is_not_a_build_record(text: object, message: str) -> None:
    with pytest.raises(SieiError, match=message):
        selftest.parse_build(text)


# --------------------------------------------------------------- python checks
def test_everything_passes_against_this_installations_build() -> None:
    checks = selftest.python_checks(selftest.parse_build(selftest.build_text()), platform="linux")
    assert [c.name for c in checks] == [
        "Python",
        "siei_xl",
        "xlwings",
        "xlwings DLL",
        "UDF module",
        "example",
        "error values",
    ]
    assert statuses(checks)["xlwings DLL"] == selftest.SKIP  # not used off Windows
    assert all(c.status == selftest.OK for c in checks if c.name != "xlwings DLL")


def test_a_workbook_of_another_version_fails_with_the_fix() -> None:
    import xlwings

    build = selftest.Build("0.0.1", "0.30.0", selftest.probe_value() * 1.001)
    checks = {c.name: c for c in selftest.python_checks(build, platform="linux")}
    assert checks["siei_xl"].status == selftest.FAIL
    assert "pip install siei-xl==0.0.1" in checks["siei_xl"].fix
    assert checks["xlwings"].status == selftest.FAIL
    assert f"xlwings {xlwings.__version__} installed" in checks["xlwings"].found
    assert checks["example"].status == selftest.FAIL
    assert checks["error values"].status == selftest.OK
    report = selftest.format_report(list(checks.values()))
    assert report.count("fix: ") == 3


def test_dll_is_looked_for_beside_python_and_one_folder_up(tmp_path: Path) -> None:
    import xlwings

    scripts = tmp_path / "venv" / "Scripts"
    scripts.mkdir(parents=True)
    exe = str(scripts / "python.exe")
    missing = selftest.python_checks(platform="win32", executable=exe)
    dll = statuses(missing)
    assert dll["xlwings DLL"] == selftest.FAIL
    (tmp_path / "venv" / selftest.dll_name(xlwings.__version__)).write_bytes(b"MZ")
    found = {c.name: c for c in selftest.python_checks(platform="win32", executable=exe)}
    assert found["xlwings DLL"].status == selftest.OK
    assert str(tmp_path / "venv") in found["xlwings DLL"].found
    assert selftest.dll_name("0.37.8", 64) == "xlwings64-0.37.8.dll"


def test_selftest_udf_spills_a_table_and_reports_a_bad_argument_as_text() -> None:
    rows = udfs.SIEI_SELFTEST(selftest.build_text())
    assert rows[0] == ["check", "status", "found", "fix"]
    assert {r[1] for r in rows[1:]} <= {selftest.OK, selftest.SKIP}
    assert all(len(v) <= 255 for r in rows for v in r if isinstance(v, str))
    assert udfs.SIEI_SELFTEST("junk").startswith("#VALUE!: ")
    assert "SIEI_SELFTEST" in udfs.FUNCTIONS


# --------------------------------------------------------------- windows checks
def registry(values: dict[tuple[str, str, str], object]) -> Any:
    return lambda root, key, name: values.get((root, key, name))


def test_windows_checks_without_excel_say_so() -> None:
    checks = selftest.windows_checks(registry({}), environ={})
    assert [(c.name, c.status) for c in checks] == [("Excel", selftest.FAIL)]


def test_windows_checks_read_excel_addin_and_trust_center(tmp_path: Path) -> None:
    values = {
        ("HKCR", r"Excel.Application\CurVer", ""): "Excel.Application.16",
        ("HKCU", r"Software\Microsoft\Office\16.0\Excel\Security", "AccessVBOM"): 1,
    }
    xlstart = tmp_path / "Microsoft" / "Excel" / "XLSTART"
    xlstart.mkdir(parents=True)
    (xlstart / "xlwings.xlam").write_bytes(b"PK")
    checks = selftest.windows_checks(registry(values), environ={"APPDATA": str(tmp_path)})
    assert statuses(checks) == {
        "Excel": selftest.OK,
        "xlwings add-in": selftest.OK,
        "VBA project access": selftest.OK,
    }
    values.pop(("HKCU", r"Software\Microsoft\Office\16.0\Excel\Security", "AccessVBOM"))
    (xlstart / "xlwings.xlam").unlink()
    later = {c.name: c for c in selftest.windows_checks(registry(values), environ={})}
    # neither is needed by the SIEI workbook: reported, not failed
    assert later["xlwings add-in"].status == selftest.SKIP
    assert later["VBA project access"].status == selftest.SKIP
    assert "Trust Center" in later["VBA project access"].fix


# ----------------------------------------------------------------------- doctor
def with_build(tmp_path: Path, text: str) -> Path:
    """A copy of the template whose SIEI_BUILD record says ``text``."""
    out = tmp_path / "other.xlsm"
    with zipfile.ZipFile(TEMPLATE) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = re.sub(
                    rb'(<definedName name="SIEI_BUILD">)"[^"]*"',
                    rb'\1"' + text.encode() + b'"',
                    data,
                )
            zout.writestr(info, data)
    return out


def test_doctor_passes_here(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--workbook", str(TEMPLATE)]) == 0
    out = capsys.readouterr().out
    assert "ok    example" in out
    assert "the value stored at build time" in out


def test_doctor_on_a_workbook_of_another_build_fails_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import xlwings

    other = with_build(tmp_path, f"siei_xl=0.0.1;xlwings={xlwings.__version__};probe=0.5")
    assert main(["doctor", "--workbook", str(other)]) == 2
    captured = capsys.readouterr()
    assert "FAIL  siei_xl" in captured.out
    assert "fix: pip install siei-xl==0.0.1" in captured.out
    assert captured.err.count("\n") == 1
    assert "2 of 7 checks failed (siei_xl, example)" in captured.err


def test_doctor_refuses_what_is_not_a_siei_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "notes.xlsm"
    text.write_text("hello", encoding="utf-8")
    assert main(["doctor", "--workbook", str(text)]) == 2
    assert "not an Excel workbook" in capsys.readouterr().err
    assert main(["doctor", "--workbook", str(tmp_path / "none.xlsm")]) == 2
    assert "does not exist" in capsys.readouterr().err


# ------------------------------------------------------------ release check
class StandInBook(FakeBook):
    """The template as Excel would open it: its sheets and cells, plus ``close``."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False
        self.lay_out(sheet_layouts(template_content()))

    def close(self) -> None:
        self.closed = True


class StandInApp:
    """``xlwings.App`` as the release check uses it."""

    def __init__(self) -> None:
        self.opened: list[tuple[str, object]] = []
        self.book: StandInBook | None = None
        self.calculations = 0
        self.books = self

    def open(self, fullname: str, read_only: object = None) -> StandInBook:
        self.opened.append((fullname, read_only))
        self.book = StandInBook()
        return self.book

    def calculate(self) -> None:
        self.calculations += 1

    def quit(self) -> None:
        raise AssertionError("the check must not quit an Excel it did not start")


def template_procedures(book: object, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], bool]:
    """Read the template's VBA with oletools (what Excel's object model would list)."""
    with zipfile.ZipFile(TEMPLATE) as package:
        parser = VBA_Parser("vbaProject.bin", data=package.read("xl/vbaProject.bin"))
    try:
        modules = {Path(f).stem: code for _f, _s, f, code in parser.extract_macros()}
    finally:
        parser.close()
    return {
        (m, s): bool(re.search(rf"^Public Sub {s}\(", modules.get(m, ""), re.M)) for m, s in wanted
    }


def test_release_check_passes_on_the_template() -> None:
    app = StandInApp()
    checks = release.excel_selftest(TEMPLATE, app=app, procedures=template_procedures)
    assert [(c.name, c.status) for c in checks] == [
        ("open", "ok"),
        ("ribbon callbacks", "ok"),
        ("load example", "ok"),
        ("compute", "ok"),
        ("results", "ok"),
        ("close", "ok"),
    ]
    assert app.opened == [(str(TEMPLATE.resolve()), True)]
    assert app.book is not None
    assert app.book.closed
    assert app.calculations == 1
    results = next(c for c in checks if c.name == "results")
    count = int(re.search(r"all (\d+) SIEI cells", results.found).group(1))  # type: ignore[union-attr]
    assert count > 100  # convergence, market and sigma tables of the example
    assert f"all {len(release.ribbon_callbacks(TEMPLATE))} exist" in checks[1].found


def test_release_check_sees_a_function_that_computes_differently(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = udfs.SIEI_PAIR

    @functools.wraps(original)  # the stand-in reads the signature to convert arguments
    def off(*args: object) -> object:
        value = original(*args)
        return value * 1.001 if isinstance(value, float) else value

    # Excel's cells call the function; the API values come from the library
    monkeypatch.setattr(udfs, "SIEI_PAIR", off)
    checks = release.excel_selftest(TEMPLATE, app=StandInApp(), procedures=template_procedures)
    results = next(c for c in checks if c.name == "results")
    assert results.status == selftest.FAIL
    assert "differ from the API" in results.found
    assert checks[-1].name == "close"


def test_release_check_reports_missing_or_unreadable_callbacks() -> None:
    def one_missing(book: object, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], bool]:
        return {key: key[1] != "OnCompute" for key in wanted}

    checks = {
        c.name: c
        for c in release.excel_selftest(TEMPLATE, app=StandInApp(), procedures=one_missing)
    }
    assert checks["ribbon callbacks"].status == selftest.FAIL
    assert "SieiRibbon.OnCompute" in checks["ribbon callbacks"].found
    unreadable = release.excel_selftest(
        TEMPLATE, app=StandInApp(), procedures=lambda book, wanted: None
    )
    assert statuses(unreadable)["ribbon callbacks"] == selftest.SKIP


def test_release_check_closes_the_book_when_a_step_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    app = StandInApp()

    def broken(book: object) -> None:
        raise RuntimeError("Excel went away")

    monkeypatch.setattr(release.macros, "compute", broken)
    with pytest.raises(RuntimeError, match="went away"):
        release.excel_selftest(TEMPLATE, app=app, procedures=template_procedures)
    assert app.book is not None
    assert app.book.closed


def test_excel_selftest_elsewhere_says_why_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    if sys.platform == "win32":
        pytest.skip("this is Windows")
    assert main(["excel", "selftest", str(TEMPLATE)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "drives Excel for Windows" in err
    with pytest.raises(SieiError, match="drives Excel for Windows"):
        release.excel_selftest(TEMPLATE, platform="darwin")


def test_ribbon_callbacks_of_a_workbook_without_a_ribbon(tmp_path: Path) -> None:
    bare = tmp_path / "bare.xlsm"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    bare.write_bytes(buffer.getvalue())
    assert release.ribbon_callbacks(bare) == []
    assert ("SieiRibbon", "OnSelfTest") in release.ribbon_callbacks(TEMPLATE)
