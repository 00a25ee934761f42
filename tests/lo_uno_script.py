"""LibreOffice UNO worker for the tests; run by ``tests/lo.py`` with the system Python.

Usage (``python3-uno`` binds to ``/usr/bin/python3``, not to the project's virtualenv)::

    /usr/bin/python3 tests/lo_uno_script.py recalc FILE [--freeze SIEI_] --workdir DIR
    /usr/bin/python3 tests/lo_uno_script.py cached FILE --workdir DIR
    /usr/bin/python3 tests/lo_uno_script.py vba FILE --workdir DIR
    /usr/bin/python3 tests/lo_uno_script.py basic SPEC.json --workdir DIR

Prints JSON on stdout: ``{sheet: {cell: value}}`` (after ``calculateAll()`` for ``recalc``,
as stored for ``cached``), or ``{module: source}`` of the document's VBA project. With
``--freeze``, every formula cell whose text contains one of the given names (the SIEI
functions LibreOffice cannot compute) is first replaced by its cached value, so the
standard formulas depending on them are recomputed against the stored results.
``basic`` reads ``{library: {"modules": {name: text}, "calls": ["Module.Function"]}}``,
puts each library into a new Calc document in VBA compatibility mode, runs each call (a
function without arguments) and prints ``{library: {call: result}}``; a module that does not
compile gives ``null`` for every call into it (LibreOffice reports no compile error).

Each run starts its own soffice (private profile under DIR, private pipe), never executes
macros, and shuts soffice down; the caller runs this script in its own process group and
kills the group on a timeout. ``uno`` is imported inside the functions, so this module can
be imported (by pytest's doctest collection) where ``uno`` is not available.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

FR_VALUE, FR_ERROR = 1, 4  # com.sun.star.sheet.FormulaResult
LOGICAL = 1024  # com.sun.star.util.NumberFormat.LOGICAL

PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>1</value></prop></item>
</oor:items>
"""


def col_name(col: int) -> str:
    """0-based column index to letters.

    >>> col_name(0), col_name(25), col_name(26)
    ('A', 'Z', 'AA')
    """
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def prop(name: str, value: object) -> Any:
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


class Office:
    """A private headless soffice reachable over a named pipe (never recalculates on load)."""

    def __init__(
        self,
        workdir: str,
        timeout: float = 60,
        profile: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.workdir = Path(workdir)
        self.profile = Path(profile) if profile else None  # used as is (extensions in it)
        self.env = env
        self.timeout = timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.ctx: Any = None
        self.desktop: Any = None

    def __enter__(self) -> Office:
        import uno  # type: ignore[import-not-found]
        from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

        profile = self.profile or self.workdir / "profile"
        if self.profile is None:
            (profile / "user").mkdir(parents=True, exist_ok=True)
            (profile / "user" / "registrymodifications.xcu").write_text(PROFILE, encoding="utf-8")
        pipe = "siei_lo_" + uuid.uuid4().hex
        soffice = shutil.which("soffice") or "/usr/bin/soffice"
        self.proc = subprocess.Popen(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nolockcheck",
                "--nodefault",
                "--nologo",
                f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=self.env,
        )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"soffice did not start (rc={self.proc.poll()})") from None
                time.sleep(0.1)
        self.ctx = ctx
        self.desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx
        )
        return self

    def load(self, path: str, *, read_only: bool = True) -> Any:
        import uno

        url = uno.systemPathToFileUrl(str(Path(path).resolve()))
        doc = self.desktop.loadComponentFromURL(
            url,
            "_blank",
            0,
            (
                prop("Hidden", True),
                prop("ReadOnly", read_only),
                prop("MacroExecutionMode", 0),  # NEVER_EXECUTE
                prop("UpdateDocMode", 0),  # NO_UPDATE
            ),
        )
        if doc is None:
            raise RuntimeError(f"LibreOffice could not load {path}")
        return doc

    def __exit__(self, *exc: object) -> None:
        if self.desktop is not None:
            # terminate() drops the bridge, so a DisposedException is normal
            with contextlib.suppress(Exception):
                self.desktop.terminate()
        if self.proc is not None:
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _kill_children(self.proc.pid)
                self.proc.kill()
                self.proc.wait()


def _kill_children(pid: int) -> None:
    """SIGKILL the children of ``pid`` (soffice.bin outlives its oosplash parent)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                os.kill(int(entry), signal.SIGKILL)
        except (OSError, IndexError, ValueError):
            continue


def used_range(sheet: Any) -> Any:
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.RangeAddress
    return sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)


def sheet_values(doc: Any) -> dict[str, dict[str, object]]:
    """Every sheet's non-empty values in bulk; errors as their text ('#NAME?', 'Err:502')."""
    out: dict[str, dict[str, object]] = {}
    formats = doc.NumberFormats
    for i in range(doc.Sheets.Count):
        sheet = doc.Sheets.getByIndex(i)
        rng = used_range(sheet)
        data = [list(row) for row in rng.getDataArray()]
        parts = rng.CellFormatRanges
        for k in range(parts.Count):
            part = parts.getByIndex(k)
            if formats.getByKey(part.NumberFormat).Type & LOGICAL:
                a = part.RangeAddress
                for r in range(a.StartRow, a.EndRow + 1):
                    for c in range(a.StartColumn, a.EndColumn + 1):
                        if isinstance(data[r][c], float):
                            data[r][c] = bool(data[r][c])
        errors = sheet.queryFormulaCells(FR_ERROR).Cells.createEnumeration()
        while errors.hasMoreElements():
            cell = errors.nextElement()
            a = cell.CellAddress
            data[a.Row][a.Column] = cell.getString()
        values: dict[str, object] = {}
        for r, row in enumerate(data):
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                values[f"{col_name(c)}{r + 1}"] = v
        out[sheet.Name] = values
    return out


def freeze(doc: Any, names: list[str]) -> list[str]:
    """Replace every formula cell whose text contains one of ``names`` by its cached value."""
    keys = [n.upper() for n in names]
    frozen = []
    for i in range(doc.Sheets.Count):
        sheet = doc.Sheets.getByIndex(i)
        for r, row in enumerate(used_range(sheet).getFormulaArray()):
            for c, formula in enumerate(row):
                if formula.startswith("=") and any(k in formula.upper() for k in keys):
                    cell = sheet.getCellByPosition(c, r)
                    if cell.FormulaResultType2 == FR_VALUE:
                        cell.setValue(cell.getValue())
                    else:
                        cell.setString(cell.getString())
                    frozen.append(f"{sheet.Name}!{col_name(c)}{r + 1}")
    return frozen


def vba_modules(doc: Any) -> dict[str, str]:
    libraries = doc.BasicLibraries
    if not libraries.hasByName("VBAProject"):
        return {}
    libraries.loadLibrary("VBAProject")
    library = libraries.getByName("VBAProject")
    return {name: library.getByName(name) for name in library.ElementNames}


def run_basic(office: Office, spec: dict[str, dict[str, Any]]) -> dict[str, dict[str, object]]:
    """Compile each library's modules in a fresh document and run its calls."""
    out: dict[str, dict[str, object]] = {}
    for name, library in spec.items():
        doc = office.desktop.loadComponentFromURL(
            "private:factory/scalc", "_blank", 0, (prop("Hidden", True),)
        )
        try:
            libraries = doc.BasicLibraries
            libraries.VBACompatibilityMode = True
            basic = libraries.createLibrary(name)
            for module, text in library["modules"].items():
                basic.insertByName(module, text)
            provider = doc.getScriptProvider()
            results: dict[str, object] = {}
            for call in library["calls"]:
                script = provider.getScript(
                    f"vnd.sun.star.script:{name}.{call}?language=Basic&location=document"
                )
                results[call] = script.invoke((), (), ())[0]
            out[name] = results
        finally:
            doc.close(True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["recalc", "cached", "vba", "basic"])
    parser.add_argument("path")
    parser.add_argument("--freeze", default="", help="comma-separated function names")
    parser.add_argument("--workdir", required=True, help="folder for the private profile")
    args = parser.parse_args(argv)
    names = [n for n in args.freeze.split(",") if n]
    result: object
    if args.command == "basic":
        spec = json.loads(Path(args.path).read_text(encoding="utf-8"))
        with Office(args.workdir) as office:
            result = {"results": run_basic(office, spec)}
        json.dump(result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    with Office(args.workdir) as office:
        doc = office.load(args.path, read_only=not (args.command == "recalc" and names))
        try:
            if args.command == "recalc":
                frozen = freeze(doc, names) if names else []
                doc.calculateAll()
                result = {"values": sheet_values(doc), "frozen": frozen}
            elif args.command == "cached":
                result = {"values": sheet_values(doc)}
            else:
                result = {"modules": vba_modules(doc)}
        finally:
            doc.close(True)
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
