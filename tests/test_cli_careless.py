"""Careless use of ``siei-xl``: every mistake is one line, exit code 2, nothing written.

Each case runs a command with one mistake in a folder holding good inputs, an existing
output, a subfolder and some bad files, and checks what a user sees: exit code 2, one
line on stderr starting ``siei-xl: error:`` that names the problem, nothing on stdout, no
traceback, and the folder byte for byte as it was (no output, no temporary file, no
input touched). A few cases run the installed entry point in a subprocess.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import siei_xl as siei
from siei_xl.cli import main

FLOWS = "reporter,partner,year,value\nKAZ,RUS,2015,20\nRUS,KAZ,2015,18\n"
GROUPS = "group,country,from,to\nEAEU,RUS,2015,\nEAEU,KAZ,2015,\nEAEU,KGZ,2015,\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Good inputs, an existing output, a subfolder and bad files; the working folder."""
    siei.example_frame().to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "flows.csv").write_text(FLOWS, encoding="utf-8")
    (tmp_path / "groups.csv").write_text(GROUPS, encoding="utf-8")
    (tmp_path / "out.csv").write_text("precious\n", encoding="utf-8")
    (tmp_path / "out.xlsm").write_bytes(b"precious")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "blank.csv").write_text("\n  \n\n", encoding="utf-8")
    (tmp_path / "junk.csv").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "dup.csv").write_text("country,year,gdp,gdp\nKAZ,2015,1,2\n", encoding="utf-8")
    (tmp_path / "comma.csv").write_text('country,year,gdp\nKAZ,2015,"1,5"\n', encoding="utf-8")
    (tmp_path / "header.csv").write_text("country,year,gdp\n", encoding="utf-8")
    (tmp_path / "nokeys.csv").write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    (tmp_path / "text.xlsx").write_text("not a workbook\n", encoding="utf-8")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0 not really")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(root: Path) -> dict[str, tuple[int, str, int]]:
    """Every file under ``root``: size, content hash and modification time."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            out[str(path.relative_to(root))] = (
                len(data),
                hashlib.sha256(data).hexdigest(),
                path.stat().st_mtime_ns,
            )
        else:
            out[str(path.relative_to(root))] = (-1, "folder", 0)
    return out


TABLE = ["table", "d.csv", "--focus", "KAZ", "--partners", "RUS,CHN"]
PAIR = ["pair", "d.csv", "KAZ", "RUS"]
MARKET = [
    "market", "d.csv", "--flows", "flows.csv", "--base-indicator", "gdp_pc_ppp",
    "--focus", "KAZ", "--partners", "RUS",
]  # fmt: skip
SIGMA = ["sigma", "d.csv", "--indicator", "gdp_pc_ppp", "--group", "KAZ,RUS,KGZ"]
BETA = ["beta", "d.csv", "--indicator", "gdp_pc_ppp", "--group", "KAZ,RUS,KGZ"]
FILL = ["fill", "d.csv", "-o", "new.xlsm", "--focus", "KAZ", "--partners", "RUS"]
COMPOSITE = ["composite", "d.csv"]

# (argv, a piece of the one line the user must see)
CASES: list[tuple[list[str], str]] = [
    # year spans: reversed, malformed, outside the data
    ([*TABLE, "--years", "2020-2000"], "runs backwards"),
    (["group", "d.csv", "KAZ", "--group", "RUS,CHN", "--years", "2020-2000"], "runs backwards"),
    (["cv", "d.csv", "--group", "RUS,CHN", "--years", "2020-2000"], "runs backwards"),
    ([*PAIR, "--years", "2020-2000"], "runs backwards"),
    ([*PAIR, "--years", "2030-2040"], "no data between 2030 and 2040 (the data covers 1995-2024)"),
    ([*PAIR, "--years", "20x0"], "must look like 2000-2020"),
    ([*PAIR, "--years", "2000-2010-2020"], "must look like 2000-2020"),
    ([*SIGMA, "--years", "2020-2000"], "runs backwards"),
    ([*MARKET, "--years", "soon"], "must look like 2000-2020"),
    ([*FILL, "--years", "2020-2000"], "runs backwards"),
    # inputs: missing, empty, blank, binary, a folder, unreadable layouts
    (["pair", "missing.csv", "KAZ", "RUS"], "'missing.csv' does not exist"),
    (["pair", "empty.csv", "KAZ", "RUS"], "'empty.csv' is empty"),
    (["table", "empty.csv", "--focus", "KAZ", "--partners", "RUS"], "'empty.csv' is empty"),
    (["pair", "blank.csv", "KAZ", "RUS"], "holds no table"),
    (["pair", "junk.csv", "KAZ", "RUS"], "is not a text (CSV) file"),
    (["pair", "sub", "KAZ", "RUS"], "'sub' is a folder"),
    (["matrix", "dup.csv", "--year", "2015"], "the header 'gdp' appears more than once"),
    (["pair", "comma.csv", "KAZ", "RUS"], "'1,5' is not a number"),
    (["pair", "header.csv", "KAZ", "RUS"], "has a header but no rows"),
    (["pair", "nokeys.csv", "KAZ", "RUS"], "siei-xl import"),
    (["pair", "text.xlsx", "KAZ", "RUS"], "cannot open 'text.xlsx' as a workbook"),
    (["pair", "old.xls", "KAZ", "RUS"], "expected a .csv, .xlsx or .xlsm file"),
    (["fill", "junk.csv", "-o", "new.xlsm", "--focus", "KAZ"], "is not a text (CSV) file"),
    (["composite", "empty.csv", "--higher", "x"], "'empty.csv' is empty"),
    (["import", "empty.csv", "-o", "new.csv"], "'empty.csv' is empty"),
    # outputs: no folder, a folder, over an input, existing, wrong kind
    ([*PAIR, "-o", "nodir/out.csv"], "folder 'nodir' does not exist"),
    ([*TABLE, "-o", "nodir/out.csv"], "folder 'nodir' does not exist"),
    ([*PAIR, "-o", "out.csv"], "'out.csv' already exists; use --force"),
    ([*PAIR, "-o", "d.csv", "--force"], "is also an input"),
    ([*PAIR, "-o", "sub"], "'sub' is a folder"),
    ([*PAIR, "-o", "out.txt"], "ending in .csv or .xlsx"),
    ([*FILL, "--png", "nodir/c.png"], "--png folder 'nodir' does not exist"),
    (["fill", "d.csv", "-o", "out.xlsm", "--focus", "KAZ", "--partners", "RUS"], "already"),
    (["fill", "d.csv", "-o", "new.xlsx", "--focus", "KAZ"], "ending in .xlsm"),
    (["demo", "--out-dir", "nodir"], "'nodir' is not an existing folder"),
    (["build-template", "-o", "nodir/t.xlsm"], "folder 'nodir' does not exist"),
    (["build-template", "-o", "out.xlsm"], "already exists"),
    ([*MARKET, "-o", "flows.csv", "--force"], "is also an input"),
    # groups: a missing file, a name without a file, a garbage file
    ([*PAIR, "--groups", "missing.csv"], "groups file 'missing.csv' does not exist"),
    (["group", "d.csv", "KAZ", "--group", "EAEU"], "no groups are defined"),
    (["cv", "d.csv", "--group", "EAEU"], "no groups are defined"),
    (["cv", "d.csv", "--group", "EAEU", "--groups", "junk.csv"], "is not a text (CSV) file"),
    (["cv", "d.csv", "--group", "EAEU", "--groups", "d.csv"], "needs a column headed 'group'"),
    # options out of range or unknown
    (["cv", "d.csv", "--group", "RUS,CHN", "--cv-limit", "-1"], "must be a positive number"),
    (["matrix", "d.csv", "--year", "1800"], "1800"),
    (["matrix", "d.csv", "--year", "soon"], "invalid int value: 'soon'"),
    ([*PAIR, "--ddof", "2"], "invalid choice: 2"),
    ([*PAIR, "--standardize", "weekly"], "invalid choice: 'weekly'"),
    (["table", "d.csv", "--focus", "KAZ"], "required: --partners"),
    (["tabel", "d.csv"], "invalid choice: 'tabel'"),
    (["pair", "d.csv", "KZX", "RUS"], "country 'KZX' is not in the data (closest:"),
    ([*PAIR, "--indicators", "gdp"], "indicator 'gdp' is not a column"),
    ([*PAIR, "-o", "new.csv", "--sep", ",", "--decimal", ","], "also the separator"),
    ([*PAIR, "--sep", ";"], "give -o FILE.csv"),
    ([*PAIR, "-o", "new.xlsx", "--bom"], "give -o FILE.csv"),
    (["fill", "d.csv", "-o", "new.xlsm", "--partners", "RUS"], "no focus country: give --focus"),
    (["fill", "d.csv", "-o", "new.xlsm", "--focus", "KAZ"], "no partners and no region"),
    ([*FILL, "--sheet", "Data"], "a CSV file, which has no sheets"),
    ([*PAIR, "--sheet", "Data"], "a CSV file, which has no sheets"),
    # the new commands
    (
        [
            "market",
            "d.csv",
            "--flows",
            "missing.csv",
            "--base-indicator",
            "x",
            "--focus",
            "KAZ",
            "--partners",
            "RUS",
        ],
        "flows file 'missing.csv' does not exist",
    ),
    (
        [
            "market",
            "d.csv",
            "--flows",
            "d.csv",
            "--base-indicator",
            "gdp_pc_ppp",
            "--focus",
            "KAZ",
            "--partners",
            "RUS",
        ],
        "needs a reporter column",
    ),
    ([*MARKET[:5], "nope", *MARKET[6:]], "'nope'"),
    ([*SIGMA, "--measure", "range"], "invalid choice: 'range'"),
    (["table", "d.csv", "--focus", "KAZ", "--partners", " "], "--partners is empty"),
    ([*MARKET[:-1], ""], "--partners is empty"),
    ([*PAIR, "--years", ""], "must look like 2000-2020"),
    ([*FILL, "--years", ""], "must look like 2000-2020"),
    ([*SIGMA[:5], "EAEU"], "no groups are defined"),
    ([*BETA[:5], "EEU", "--groups", "groups.csv"], "neither a defined group (closest: EAEU)"),
    ([*SIGMA, "--members", "some"], "invalid choice: 'some'"),
    ([*BETA, "--years", "2015"], "needs a span of years"),
    (["beta", "d.csv", "--indicator", "gdp_pc_ppp", "--group", "KAZ,RUS"], "at least 3"),
    ([*BETA, "--indicator", "gdp_growth"], "non-positive value has no logarithm"),
    ([*COMPOSITE, "--higher", "nope"], "component 'nope' is not a column"),
    ([*COMPOSITE], "name the score columns"),
    ([*COMPOSITE, "--higher", "gdp_pc_ppp", "--lower", "gdp_pc_ppp"], "both as --higher"),
    ([*COMPOSITE, "--higher", "gdp_pc_ppp", "--weights", "gdp_pc_ppp=x"], "column=number"),
    # --debug changes nothing for a user's mistake
    ([*PAIR, "--years", "2020-2000", "--debug"], "runs backwards"),
]


def _id(case: tuple[list[str], str]) -> str:
    return " ".join(case[0])[:60]


@pytest.mark.parametrize(("argv", "problem"), CASES, ids=[_id(c) for c in CASES])
def test_a_mistake_is_one_line_exit_2_and_nothing_written(
    folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str], problem: str
) -> None:
    before = snapshot(folder)
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("siei-xl: error: ")
    assert "Traceback" not in err
    assert problem in err
    assert snapshot(folder) == before


def test_the_corpus_covers_every_command() -> None:
    assert len(CASES) >= 40
    commands = {argv[0] for argv, _ in CASES}
    assert {
        "table", "pair", "group", "cv", "matrix", "fill", "demo", "build-template", "import",
        "market", "sigma", "beta", "composite",
    } <= commands  # fmt: skip


def test_a_bug_is_exit_1_with_where_to_report_and_no_traceback(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("siei_xl.cli.pair_series", broken)
    assert main(PAIR) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "internal error (ZeroDivisionError: division by zero)" in err
    assert "please report it to" in err
    assert "--debug" in err
    assert "Traceback" not in err
    assert main(["--debug", *PAIR]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err
    assert main([*PAIR, "--debug"]) == 1  # after the command too
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("siei-xl ")
    assert main(["table", "--help"]) == 0
    assert "--focus" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (["pair", "d.csv", "KAZ", "RUS", "--years", "2020-2000"], 2, "runs backwards"),
        (["pair", "d.csv", "KAZ", "RUS", "--ddof", "5"], 2, "invalid choice: 5"),
        (["pair", "d.csv", "KAZ", "RUS", "--years", "2015"], 0, "2015"),
    ],
)
def test_the_installed_entry_point(folder: Path, argv: list[str], code: int, needle: str) -> None:
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    script = Path(sys.executable).with_name("siei-xl")  # the console script pip installed
    command = [str(script)] if script.exists() else [sys.executable, "-m", "siei_xl.cli"]
    done = subprocess.run(
        [*command, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    if code:
        assert done.stderr.count("\n") == 1
        assert needle in done.stderr
    else:
        assert needle in done.stdout
