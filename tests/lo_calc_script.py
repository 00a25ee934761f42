"""LibreOffice Calc with the SIEI extension, driven over UNO; run by ``tests/lo.py``.

Usage (with the system Python, which has ``python3-uno``)::

    /usr/bin/python3 tests/lo_calc_script.py PROFILE_DIR STEPS.json --workdir DIR

starts ``soffice -env:UserInstallation=file://PROFILE_DIR`` (a profile the extension was
installed into by ``siei-xl calc install --profile PROFILE_DIR``), runs the steps in order
and prints JSON ``{key: result}`` for the steps that read something. Steps::

    {"op": "new"}                                   a new spreadsheet becomes the document
    {"op": "load", "path": P}                       open a file (macros never run)
    {"op": "put", "sheet": S, "at": "A1", "rows": [[...], ...]}
    {"op": "formula", "sheet": S, "cell": "B2", "formula": "=SIEI_PAIR(...)"}
    {"op": "array", "sheet": S, "range": "D1:E31", "formula": "=SIEI_PAIR_SERIES(...)"}
    {"op": "calc"}                                  calculateAll()
    {"op": "read", "key": K, "sheet": S, "range": "A1:B3"}
    {"op": "siei_cells", "key": K}                  every cell whose formula names SIEI_
    {"op": "kill_child", "key": K}                  SIGKILL the siei_xl child process(es)
    {"op": "pdf", "path": P}                        print the document to a PDF
    {"op": "wizard", "key": K}                      the Function Wizard's texts of SIEI_*
    {"op": "select", "sheet": S, "cell": "B7"}     select a cell (for Explain error)
    {"op": "dispatch", "url": "org.siei.calc:compute"}  a command, as the SIEI menu sends it
    {"op": "menu", "key": K}                        the SIEI menu's entries (title, command)
    {"op": "chart_series", "key": K, "sheet": S}    each series of the sheet's chart: name,
                                                    line style, symbol type, colour
    {"op": "close"}

A cell reads as ``{"v": number or text, "err": Calc error code (0: none), "f": formula}``.
The step results also carry the seconds each ``calc`` took (``"calc_seconds"``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from lo_uno_script import Office, col_name

FR_VALUE = 1  # com.sun.star.sheet.FormulaResult


def cell_record(cell: Any) -> dict[str, object]:
    err = cell.getError()
    kind = cell.getType().value  # EMPTY, VALUE, TEXT or FORMULA
    value: object
    if err or kind == "TEXT" or (kind == "FORMULA" and cell.FormulaResultType2 != FR_VALUE):
        value = cell.getString()
    elif kind == "EMPTY":
        value = None
    else:
        value = cell.getValue()
    return {"v": value, "err": err, "f": cell.getFormula()}


def uno_url(path: str) -> str:
    import uno  # type: ignore[import-not-found]

    return str(uno.systemPathToFileUrl(str(Path(path).resolve())))


def sheet_of(doc: Any, name: str) -> Any:
    if not doc.Sheets.hasByName(name):
        doc.Sheets.insertNewByName(name, doc.Sheets.Count)
    return doc.Sheets.getByName(name)


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == parent]
        found += kids
        frontier += kids
    return found


def siei_children(pid: int) -> list[int]:
    out = []
    for child in children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"siei_xl.calc.server" in cmdline:
            out.append(child)
    return out


def wizard_texts(office: Office) -> dict[str, object]:
    """What Calc's Function Wizard shows for every SIEI function (FunctionDescriptions)."""
    smgr = office.ctx.ServiceManager
    descriptions = smgr.createInstanceWithContext(
        "com.sun.star.sheet.FunctionDescriptions", office.ctx
    )
    found: dict[str, object] = {}
    for i in range(descriptions.getCount()):
        props = {p.Name: p.Value for p in descriptions.getByIndex(i)}
        if str(props.get("Name", "")).upper().startswith("SIEI_"):
            found[props["Name"]] = {
                "description": props.get("Description"),
                "category": props.get("Category"),
                "args": [
                    [a.Name, a.Description, a.IsOptional] for a in props.get("Arguments") or ()
                ],
            }
    return found


def menu_commands(office: Office) -> list[list[str]]:
    """The SIEI menu's entries (title, command) as LibreOffice's configuration holds them."""
    from lo_uno_script import prop

    provider = office.ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", office.ctx
    )
    node = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationAccess",
        (prop("nodepath", "/org.openoffice.Office.Addons/AddonUI/OfficeMenuBar"),),
    )
    found: list[list[str]] = []
    for name in node.ElementNames:
        menu = node.getByName(name)
        if menu.Title == "SIEI":
            entries = menu.Submenu
            found += [
                [entries.getByName(e).Title, entries.getByName(e).URL]
                for e in sorted(entries.ElementNames)
            ]
    return found


def chart_series(sheet: Any) -> list[dict[str, object]]:
    """How the first chart on ``sheet`` draws each series (the chart1 API's view)."""
    charts = sheet.getCharts()
    document = charts.getByIndex(0).getEmbeddedObject()
    diagram = document.getDiagram()
    names = document.getData().getColumnDescriptions()
    return [
        {
            "name": name,
            "line": diagram.getDataRowProperties(k).LineStyle.value,
            "symbol": diagram.getDataRowProperties(k).SymbolType,
            "color": diagram.getDataRowProperties(k).LineColor,
        }
        for k, name in enumerate(names)
    ]


def run(office: Office, steps: list[dict[str, Any]]) -> dict[str, object]:
    out: dict[str, object] = {"calc_seconds": []}
    doc: Any = None
    for step in steps:
        op = step["op"]
        if op == "new":
            doc = office.desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, ())
        elif op == "load":
            doc = office.load(step["path"], read_only=False)
        elif op == "put":
            sheet = sheet_of(doc, step["sheet"])
            rows = [tuple("" if v is None else v for v in row) for row in step["rows"]]
            width = max(len(r) for r in rows)
            rows = [r + ("",) * (width - len(r)) for r in rows]
            start = sheet.getCellRangeByName(step["at"]).getCellAddress()
            target = sheet.getCellRangeByPosition(
                start.Column, start.Row, start.Column + width - 1, start.Row + len(rows) - 1
            )
            target.setDataArray(tuple(rows))
        elif op == "formula":
            sheet_of(doc, step["sheet"]).getCellRangeByName(step["cell"]).setFormula(
                step["formula"]
            )
        elif op == "array":
            sheet_of(doc, step["sheet"]).getCellRangeByName(step["range"]).setArrayFormula(
                step["formula"]
            )
        elif op == "calc":
            t0 = time.perf_counter()
            doc.calculateAll()
            out["calc_seconds"].append(time.perf_counter() - t0)  # type: ignore[union-attr]
        elif op == "read":
            rng = doc.Sheets.getByName(step["sheet"]).getCellRangeByName(step["range"])
            a = rng.getRangeAddress()
            out[step["key"]] = [
                [
                    cell_record(rng.getCellByPosition(c, r))
                    for c in range(a.EndColumn - a.StartColumn + 1)
                ]
                for r in range(a.EndRow - a.StartRow + 1)
            ]
        elif op == "siei_cells":
            found: dict[str, object] = {}
            for i in range(doc.Sheets.Count):
                sheet = doc.Sheets.getByIndex(i)
                cursor = sheet.createCursor()
                cursor.gotoEndOfUsedArea(False)
                end = cursor.RangeAddress
                used = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)
                for r, row in enumerate(used.getFormulaArray()):
                    for c, formula in enumerate(row):
                        if formula.startswith(("=", "{=")) and "SIEI_" in formula.upper():
                            cell = sheet.getCellByPosition(c, r)
                            if cell.getType().value == "FORMULA":  # not help text "=SIEI..."
                                found[f"{sheet.Name}!{col_name(c)}{r + 1}"] = cell_record(cell)
            out[step["key"]] = found
        elif op == "kill_child":
            assert office.proc is not None
            pids = siei_children(office.proc.pid)
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            out[step["key"]] = len(pids)
        elif op == "pdf":
            from lo_uno_script import prop

            target = uno_url(step["path"])
            doc.storeToURL(target, (prop("FilterName", "calc_pdf_Export"),))
        elif op == "wizard":
            out[step["key"]] = wizard_texts(office)
        elif op == "select":
            cell = doc.Sheets.getByName(step["sheet"]).getCellRangeByName(step["cell"])
            doc.getCurrentController().select(cell)
        elif op == "dispatch":
            helper = office.ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.DispatchHelper", office.ctx
            )
            frame = doc.getCurrentController().getFrame()
            helper.executeDispatch(frame, step["url"], "", 0, ())
        elif op == "menu":
            out[step["key"]] = menu_commands(office)
        elif op == "chart_series":
            out[step["key"]] = chart_series(doc.Sheets.getByName(step["sheet"]))
        elif op == "close":
            doc.close(True)
            doc = None
        else:
            raise ValueError(f"unknown step {op!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile")
    parser.add_argument("steps")
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args(argv)
    steps = json.loads(Path(args.steps).read_text(encoding="utf-8"))
    with Office(args.workdir, timeout=90, profile=args.profile, env=dict(os.environ)) as office:
        result = run(office, steps)
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
