"""The Calc host without LibreOffice: generated IDL/xcu, the extension file, the child process.

The texts LibreOffice reads are generated from the same registry as Excel's Function Wizard
texts; the child process is started here exactly as the add-in starts it (``python -m
siei_xl.calc.server``) and spoken to over its pipes with the add-in's framing.
"""

from __future__ import annotations

import inspect
import io
import json
import pickle
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from udf_helpers import example_rows

import siei_xl as siei
from siei_xl import udfs
from siei_xl.calc import extension, install, server
from siei_xl.cli import main
from siei_xl.exceptions import OptionError
from siei_xl.sheetfuncs import FUNCTIONS

OOR = "{http://openoffice.org/2001/registry}"
XML = "{http://www.w3.org/XML/1998/namespace}"


# ------------------------------------------------------------- one definition
def test_excel_and_calc_offer_the_same_functions_and_texts() -> None:
    assert list(FUNCTIONS) == [n for n in udfs.FUNCTIONS if n in FUNCTIONS]
    for name, info in FUNCTIONS.items():
        assert udfs.FUNCTIONS[name] == info  # the very same contract
        assert getattr(udfs, name).__doc__ == info.summary


def test_optional_arguments_are_the_defaulted_ones() -> None:
    info = FUNCTIONS["SIEI_PAIR"]
    assert info.optional == ("indicators", "standardize", "ddof")
    for info in FUNCTIONS.values():
        assert info.func is not None
        params = inspect.signature(info.func).parameters
        assert list(params) == list(info.args)


def test_the_idl_has_one_method_per_function() -> None:
    idl = extension.idl_text()
    found = re.findall(r"^\s+(any|sequence< sequence< any > >) (SIEI_\w+)\(", idl, re.M)
    methods = {name: kind for kind, name in found}
    assert set(methods) == set(FUNCTIONS)
    for name, info in FUNCTIONS.items():
        assert (methods[name] != "any") == info.spills, name
        line = next(x for x in idl.splitlines() if f" {name}(" in x)
        ranges = [a for a in info.args if a in extension.RANGE_ARGS]
        assert line.count("[in] any ") == len(info.args) - len(ranges)
        assert line.count("[in] com::sun::star::table::XCellRange ") == len(ranges)
        # the calling document first, hidden from the user, where cells are kept per document
        assert ("XPropertySet document" in line) == bool(ranges)
    assert "string SIEI_WHY(" in idl


def _xcu_functions() -> dict[str, ElementTree.Element]:
    root = ElementTree.fromstring(extension.xcu_text())
    info = root.find(
        f"./node[@{OOR}name='AddInInfo']/node[@{OOR}name='{extension.IMPLEMENTATION}']"
    )
    assert info is not None
    nodes = info.find(f"./node[@{OOR}name='AddInFunctions']")
    assert nodes is not None
    return {n.get(f"{OOR}name", ""): n for n in nodes}


def _prop(node: ElementTree.Element, name: str) -> str:
    value = node.find(f"./prop[@{OOR}name='{name}']/value")
    assert value is not None, name
    return value.text or ""


def test_the_function_wizard_texts_are_excels() -> None:
    nodes = _xcu_functions()
    assert set(nodes) == {*FUNCTIONS, "SIEI_WHY"}
    for name, info in FUNCTIONS.items():
        node = nodes[name]
        assert _prop(node, "DisplayName") == name
        assert _prop(node, "CompatibilityName") == name  # what maps SIEI_PAIR( in .xlsx
        assert _prop(node, "Description") == info.summary
        assert _prop(node, "Category") == "Add-In"
        params = node.find(f"./node[@{OOR}name='Parameters']")
        assert params is not None
        assert [p.get(f"{OOR}name") for p in params] == [extension.idl_name(a) for a in info.args]
        for param, (arg, doc) in zip(params, info.args.items(), strict=True):
            assert _prop(param, "DisplayName") == arg
            assert _prop(param, "Description") == doc
    why = nodes["SIEI_WHY"]
    assert _prop(why, "Description") == extension.WHY_SUMMARY


def test_the_committed_types_match_the_interface(tmp_path: Path) -> None:
    """Drift: the .rdb shipped must be what unoidl-write makes of today's IDL."""
    if extension.unoidl_write() is None:
        pytest.skip("unoidl-write (LibreOffice SDK, Debian libreoffice-dev) is not installed")
    fresh = extension.compile_rdb(tmp_path / "XSiei.rdb")
    assert fresh.read_bytes() == extension.RDB.read_bytes(), "run: python -m siei_xl.calc.extension"


# ------------------------------------------------------------------ the .oxt
def test_build_writes_a_complete_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "siei.oxt"
    assert main(["calc", "build", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    with zipfile.ZipFile(out) as oxt:
        names = set(oxt.namelist())
        assert names == {
            "META-INF/manifest.xml",
            "description.xml",
            "CalcAddIns.xcu",
            "ProtocolHandler.xcu",
            "Addons.xcu",
            "siei_calc.json",
            "XSiei.rdb",
            "siei_calc.py",
        }
        manifest = ElementTree.fromstring(oxt.read("META-INF/manifest.xml"))
        entries = [e.get("{http://openoffice.org/2001/manifest}full-path") for e in manifest]
        assert entries == [
            "XSiei.rdb",
            "siei_calc.py",
            "CalcAddIns.xcu",
            "ProtocolHandler.xcu",
            "Addons.xcu",
        ]
        config = json.loads(oxt.read("siei_calc.json"))
        assert config["python"] == sys.executable  # the interpreter that built it
        assert config["functions"] == {n: i.spills for n, i in FUNCTIONS.items()}
        assert oxt.read("XSiei.rdb") == extension.RDB.read_bytes()
        assert oxt.read("siei_calc.py") == extension.COMPONENT.read_bytes()
        ElementTree.fromstring(oxt.read("description.xml"))


def test_build_refuses_to_overwrite_and_odd_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "siei.oxt"
    out.write_bytes(b"mine")
    assert main(["calc", "build", "-o", str(out)]) == 2
    assert "already exists; use --force" in capsys.readouterr().err
    assert out.read_bytes() == b"mine"
    assert main(["calc", "build", "-o", str(tmp_path / "siei.zip")]) == 2
    assert "ending in .oxt" in capsys.readouterr().err
    assert main(["calc", "build", "-o", str(tmp_path / "nowhere" / "siei.oxt")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_build_checks_the_interpreter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "no-python")
    assert main(["calc", "build", "-o", str(tmp_path / "s.oxt"), "--python", missing]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert missing in err
    assert not (tmp_path / "s.oxt").exists()


def test_install_refuses_a_file_as_profile(tmp_path: Path) -> None:
    file = tmp_path / "profile"
    file.write_text("x")
    with pytest.raises(OptionError, match="is a file, not a folder"):
        install.profile_arg(file)


# ------------------------------------------------------------ the child process
def _frame(obj: object) -> bytes:
    data = pickle.dumps(obj, protocol=4)
    return struct.pack("<I", len(data)) + data


def _frames(data: bytes) -> list[object]:
    out, stream = [], io.BytesIO(data)
    while head := stream.read(4):
        (size,) = struct.unpack("<I", head)
        out.append(pickle.loads(stream.read(size)))
    return out


def test_the_child_answers_over_its_pipes_as_the_add_in_asks() -> None:
    """Calc hands ranges as tuples of row tuples, empty cells as ''."""
    rows = tuple(tuple("" if v is None else v for v in row) for row in example_rows())
    rows += (("", "", "", ""),) * 3  # a generous selection
    requests = [
        ("call", "SIEI_PAIR", (rows, "KAZ", "RUS", 2015.0)),
        ("call", "SIEI_PAIR", (rows, "KZX", "RUS", 2015.0)),
        ("call", "SIEI_NOSUCH", ()),
        ("call", "SIEI_PAIR_SERIES", (rows, "KAZ", "RUS", None, None, None)),
        ("call", "SIEI_VERSION", ()),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "siei_xl.calc.server"],
        input=b"".join(_frame(r) for r in requests),
        capture_output=True,
        timeout=120,
        check=True,
    )
    ready, pair, bad, bug, series, version = _frames(done.stdout)
    assert ready == ("ready", siei.__version__)
    panel = siei.example_panel()
    assert pair == ("ok", pytest.approx(siei.pair_distance(panel, "KAZ", "RUS", 2015), rel=1e-12))
    assert bad[0] == "ok"
    assert bad[1].startswith("#N/A: country 'KZX'")
    assert bug[0] == "bug"  # reported, and the next request is still served
    assert "SIEI_NOSUCH" in bug[1]
    expected = siei.pair_series(panel, "KAZ", "RUS")
    assert series[0] == "ok"
    assert series[1][0] == ("year", "distance")
    assert [r[0] for r in series[1][1:]] == [float(y) for y in expected["year"]]
    for row, value in zip(series[1][1:], expected["distance"], strict=True):
        assert row[1] == pytest.approx(value, rel=1e-12)
    assert version[1].startswith(f"siei_xl {siei.__version__} (Python ")


def test_results_are_plain_values_for_libreoffices_python() -> None:
    import numpy as np

    assert server.plain([[np.float64(1.5), np.int64(2), None, "x", True]]) == (
        (1.5, 2.0, None, "x", True),
    )
    assert type(server.plain(np.float64(1.5))) is float


def test_the_menu_has_the_ribbons_actions_and_the_component_runs_each() -> None:
    """Addons.xcu's entries, the component's commands and the Excel ribbon agree."""
    from siei_xl.excel.vba import RIBBON_BUTTONS

    ribbon = {label: entry for _cb, label, _icon, _tip, entry in RIBBON_BUTTONS}
    component = extension.COMPONENT.read_text(encoding="utf-8")
    for command, label in extension.MENU:
        assert label in ribbon, label
        assert f'"{command}": "{label}"' in component  # TITLES in siei_calc.py
        if ribbon[label] is not None:  # a Python entry point: the same macro runs
            assert ribbon[label] == command
            assert command in server.MACROS
    addons = ElementTree.fromstring(extension.addons_text())
    urls = [v.text for v in addons.iter("value") if (v.text or "").startswith("org.siei")]
    menu = [f"{extension.MENU_PROTOCOL}{c}" for c, _ in extension.MENU]
    assert urls == menu + menu  # the menu, then the toolbar
    handler = extension.protocol_handler_text()
    assert f"<value>{extension.MENU_PROTOCOL}*</value>" in handler
    assert extension.MENU_IMPLEMENTATION in component


def test_a_menu_action_asks_the_document_over_the_pipe_and_answers_cells_meanwhile() -> None:
    """``("macro", "validate", ())``: the child reads the sheets and shows its message through
    ``("book", op, args)`` requests; a cell recalculated while an answer is due (a
    ``("call", ...)`` frame instead of the answer) is served first."""
    from siei_xl.excel.fill import example_inputs

    data, groups, settings = example_inputs()
    data = [list(r) for r in data]
    data[3][2] = "n/k"  # a number cell holding text: Validate reports row 4
    sheets = {"Data": data, "Groups": groups, "Settings": settings, "Results": [], "Chart": []}

    def read(name: str, r1: int, c1: int, r2: int, c2: int) -> tuple[tuple[object, ...], ...]:
        rows = sheets[name]
        return tuple(
            tuple(
                rows[r][c] if r < len(rows) and c < len(rows[r]) else None
                for c in range(c1 - 1, c2)
            )
            for r in range(r1 - 1, r2)
        )

    alerts: list[tuple[object, ...]] = []

    def host(op: str, args: tuple[object, ...]) -> object:
        """What the extension answers (siei_calc.DocumentHost), over plain rows."""
        if op == "sheets":
            return tuple(sheets)
        if op == "used":
            rows = sheets[str(args[0])]
            return (len(rows), max(map(len, rows), default=1))
        if op == "read":
            return read(*args)
        assert op == "alert", op
        alerts.append(args)
        return "ok"

    proc = subprocess.Popen(
        [sys.executable, "-m", "siei_xl.calc.server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        assert server.read_frame(proc.stdout) == ("ready", siei.__version__)
        server.write_frame(proc.stdin, ("macro", "validate", ()))
        nested = []
        while (frame := server.read_frame(proc.stdout))[0] == "book":
            _book, op, args = frame
            if op == "read" and not nested:
                server.write_frame(proc.stdin, ("call", "SIEI_VERSION", ()))
                nested.append(server.read_frame(proc.stdout))
            server.write_frame(proc.stdin, ("ok", host(op, args)))
        assert frame == ("ok", None)
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
        proc.stdout.close()
    assert nested[0][0] == "ok"
    assert nested[0][1].startswith(f"siei_xl {siei.__version__}")
    [(prompt, title, buttons)] = alerts
    assert title == "SIEI: Validate data"
    assert buttons == "ok"
    assert "row 4, column" in prompt
    assert "'n/k' is not a number" in prompt
