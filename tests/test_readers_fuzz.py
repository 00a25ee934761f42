"""Random bytes and random table shapes never end in a traceback.

Every reader (the panel, groups and flows readers, the importers) and the command line
either succeed or raise a :class:`SieiError` / exit with code 2 and one line: any other
exception is a bug that Hypothesis would show with its smallest example.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from siei_xl import importers
from siei_xl.cli import main
from siei_xl.exceptions import SieiError
from siei_xl.groups import Groups
from siei_xl.market import Flows
from siei_xl.panel import read_cells, read_panel

HEADERS = (
    "country", "iso3", "year", "gdp", "growth", "value", "indicator", "group", "reporter",
    "partner", "from", "to", "", "2015", "2016", "Country Name", "Series Code", "..", "gdp",
)  # fmt: skip
CELLS = st.one_of(
    st.sampled_from(["KAZ", "RUS", "kaz ", "CHN", "EAEU", "", "..", "-", "n/a", "#N/A", "x"]),
    st.integers(1990, 2025).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.3g}"),
    st.floats(0, 1e4, allow_nan=False).map(lambda v: f"{v:.2f}".replace(".", ",")),
    st.text(min_size=0, max_size=8),
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[list[str]], str, str]:
    """A small table of random headers and cells, a separator and an encoding."""
    width = draw(st.integers(1, 6))
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=width + 1), max_size=6))
    separator = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251"]))
    return [header, *rows], separator, encoding


def csv_bytes(rows: list[list[str]], separator: str, encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


@contextmanager
def file_with(content: bytes, name: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        yield path


READERS: dict[str, Callable[[Path], object]] = {
    "read_panel": read_panel,
    "Groups.read": Groups.read,
    "flows": lambda path: Flows.from_cells(read_cells(path, what="flows file")),
    "read_table": importers.read_table,
    "import_files": lambda path: importers.import_files([path]),
}


def reads_or_refuses(reader: Callable[[Path], object], path: Path) -> None:
    message = "read"
    try:
        reader(path)
    except SieiError as exc:
        message = str(exc).strip()
    assert message, "an error must say what is wrong"


@pytest.mark.parametrize("reader", list(READERS), ids=list(READERS))
@given(content=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_random_bytes_are_read_or_refused(reader: str, content: bytes, suffix: str) -> None:
    with file_with(content, f"input{suffix}") as path:
        reads_or_refuses(READERS[reader], path)


@pytest.mark.parametrize("reader", list(READERS), ids=list(READERS))
@given(table=tables())
def test_random_table_shapes_are_read_or_refused(
    reader: str, table: tuple[list[list[str]], str, str]
) -> None:
    with file_with(csv_bytes(*table), "input.csv") as path:
        reads_or_refuses(READERS[reader], path)


@given(table=tables())
def test_random_workbooks_are_read_or_refused(table: tuple[list[list[str]], str, str]) -> None:
    # a sheet cannot hold control characters: the workbook writer refuses them
    rows = [["".join(ch for ch in c if ch.isprintable()) for c in r] for r in table[0]]
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.xlsx"
        frame.to_excel(path, index=False, header=False, engine="openpyxl")
        for reader in (read_panel, Groups.read, importers.read_table):
            reads_or_refuses(reader, path)


def run_quietly(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


COMMANDS = (
    ["table", "{path}", "--focus", "KAZ", "--partners", "RUS,CHN", "--region", "RUS,CHN"],
    ["pair", "{path}", "KAZ", "RUS"],
    ["cv", "{path}", "--group", "KAZ,RUS"],
    ["matrix", "{path}", "--year", "2015"],
    ["sigma", "{path}", "--indicator", "gdp", "--group", "KAZ,RUS,CHN"],
    ["composite", "{path}", "--higher", "gdp"],
    ["cv", "data.csv", "--group", "EAEU", "--groups", "{path}"],
    [
        "market",
        "data.csv",
        "--flows",
        "{path}",
        "--base-indicator",
        "gdp",
        "--focus",
        "KAZ",
        "--partners",
        "RUS",
    ],
    ["fill", "{path}", "-o", "out.xlsm", "--focus", "KAZ", "--partners", "RUS"],
)


@given(
    content=st.one_of(st.binary(max_size=400), tables().map(lambda t: csv_bytes(*t))),
    command=st.sampled_from(COMMANDS),
    suffix=st.sampled_from([".csv", ".xlsx", ".xlsm"]),
)
def test_the_command_line_never_shows_a_traceback(
    content: bytes, command: list[str], suffix: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(content)
        good = Path(folder) / "data.csv"
        good.write_text("country,year,gdp\nKAZ,2015,1\nRUS,2015,2\n", encoding="utf-8")
        argv = [
            a.format(path=path)
            .replace("data.csv", str(good))
            .replace("out.xlsm", f"{folder}/o.xlsm")
            for a in command
        ]
        code, err = run_quietly(argv)
        assert code in (0, 2), err
        assert "Traceback" not in err
        assert "internal error" not in err
        if code == 2:
            assert err.count("\n") == 1
            assert err.startswith("siei-xl: error: ")


@st.composite
def broken_packages(draw: st.DrawFn) -> bytes:
    """A zip package with workbook-like member names and random contents."""
    names = draw(
        st.lists(
            st.sampled_from(
                ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml",
                 "xl/_rels/workbook.xml.rels", "_rels/.rels", "xl/styles.xml"]
            ),
            unique=True,
            max_size=6,
        )
    )  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name in names:
            package.writestr(name, draw(st.binary(max_size=200)))
    return buffer.getvalue()


@given(content=broken_packages(), suffix=st.sampled_from([".xlsx", ".xlsm"]))
def test_broken_workbooks_are_refused(content: bytes, suffix: str) -> None:
    with file_with(content, f"input{suffix}") as path:
        for reader in (read_panel, Groups.read, importers.read_table):
            reads_or_refuses(reader, path)
        code, err = run_quietly(
            ["fill", str(path), "-o", str(path.with_name("o.xlsm")), "--focus", "KAZ"]
        )
        assert code == 2, err
        assert err.startswith("siei-xl: error: ")
