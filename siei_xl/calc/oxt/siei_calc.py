"""The SIEI functions in LibreOffice Calc: the UNO add-in component inside the extension.

It runs in LibreOffice's own Python (which has no numpy or pandas, and whose version
differs by release), so it uses the standard library and ``uno`` only. Each call is handed
to a long-lived child process running ``siei_xl.calc.server`` in the Python where the user
installed siei_xl (``siei_calc.json`` inside the extension names it; the environment
variable ``SIEI_XL_PYTHON`` overrides it), over its stdin/stdout pipes, framed as a length
and a pickle. The child keeps its cache of parsed ranges between calls.

The child starts at the first call of a session, is restarted when it dies, and every wait
for it has a time limit, so Calc never hangs. Results come back as Excel would show them:
numbers, text, and ``"#N/A: reason"`` text for an error, which this component turns into a
real Calc error value (a NaN carrying Calc's error code) and whose reason ``SIEI_WHY``
shows. A child that cannot start gives a cell text naming the interpreter and the cause.

This file is shipped as is (and stays compatible with the older Pythons LibreOffice
bundles); the method list comes from ``siei_calc.json``, written with the interface
(``XSiei.rdb``) and ``CalcAddIns.xcu`` from the same function registry.
"""

import json
import os
import pickle
import queue
import re
import struct
import subprocess
import tempfile
import threading
import time

import uno  # also installs the import hook for the com.* and org.* names below
import unohelper
from com.sun.star.frame import XDispatch, XDispatchProvider
from com.sun.star.lang import XInitialization, XServiceInfo, XServiceName
from com.sun.star.util import XModifyListener
from org.siei.calc import XSiei

IMPLEMENTATION = "org.siei.calc.SieiAddIn"
SERVICES = ("com.sun.star.sheet.AddIn",)
HERE = os.path.dirname(os.path.abspath(__file__))
PROTOCOL = 4  # pickle protocol read and written by every Python 3.8+
START_TIMEOUT = float(os.environ.get("SIEI_XL_START_TIMEOUT", "60"))
CALL_TIMEOUT = float(os.environ.get("SIEI_XL_TIMEOUT", "120"))
RETRY_AFTER = 30.0  # seconds a failed start is reported again before trying anew

# Calc's own error codes (formula/errorcodes.hxx): a NaN whose low 32 bits hold the code is
# shown by Calc as that error, in a single cell and inside an array result alike.
CALC_ERRORS = {"#N/A": 0x7FFF, "#VALUE!": 519, "#NUM!": 503, "#DIV/0!": 532}
_ERROR_TEXT = re.compile(r"(#N/A|#VALUE!|#NUM!|#DIV/0!)(?::\s|$)")


def error_double(code):
    """The double Calc shows as the error ``code`` ('#N/A', '#VALUE!', ...)."""
    bits = 0x7FF8000000000000 | CALC_ERRORS[code]
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def load_config():
    try:
        with open(os.path.join(HERE, "siei_calc.json"), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


CONFIG = load_config()


class ChildError(Exception):
    """The child process cannot answer (not started, died, timed out)."""


class ChildTimeoutError(ChildError):
    """The child did not answer in time: it was stopped, and the call is not retried."""


class Child:
    """The siei_xl process: started once, restarted when it has died, never waited on forever."""

    def __init__(self):
        self.proc = None
        self.replies = None
        self.log = None
        # re-entrant: a cell recalculated during a menu action asks while the action waits
        self.lock = threading.RLock()
        self.failure = None  # (monotonic time, ChildError) of the last failed start

    def python(self):
        return os.environ.get("SIEI_XL_PYTHON") or CONFIG.get("python") or "python3"

    def start(self):
        """Start the child; a start that failed moments ago fails again at once, so a
        sheet of formulas over a broken interpreter does not wait once per formula."""
        if self.failure is not None and time.monotonic() - self.failure[0] < RETRY_AFTER:
            raise self.failure[1]
        try:
            self._start()
        except ChildError as exc:
            self.failure = (time.monotonic(), exc)
            raise
        self.failure = None

    def _start(self):
        python = self.python()
        # the child's stderr: its last line explains a failed start (closed with the child)
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        env = dict(os.environ)
        # LibreOffice's own Python settings must not leak into the user's interpreter
        for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"):
            env.pop(name, None)
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        try:
            self.proc = subprocess.Popen(
                [python, "-m", "siei_xl.calc.server"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log,
                env=env,
                creationflags=flags,
            )
        except OSError as exc:
            self.proc = None
            raise ChildError(f"cannot start Python {python!r}: {exc.strerror or exc}") from None
        self.replies = queue.Queue()
        threading.Thread(
            target=_read_frames, args=(self.proc.stdout, self.replies), daemon=True
        ).start()
        reply = self.wait(START_TIMEOUT, f"Python {python!r} did not start siei_xl")
        if reply[0] != "ready":
            raise self.failed(f"Python {python!r} did not start siei_xl")

    def wait(self, timeout, what):
        try:
            reply = self.replies.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            raise ChildTimeoutError(f"{what} within {timeout:g} s") from None
        if reply is None:  # end of the pipe: the child has gone
            raise self.failed(what)
        return reply

    def failed(self, what):
        detail = ""
        if self.log is not None:
            self.log.seek(0)
            lines = [line for line in self.log.read().decode(errors="replace").splitlines() if line]
            detail = lines[-1] if lines else ""
        self.stop()
        return ChildError(f"{what}: {detail}" if detail else what)

    def stop(self):
        if self.proc is not None:
            try:
                self.proc.kill()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                # already gone, or the system will reap it: nothing more to do for Calc
                self.proc = None
        self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ask(self, request, host=None):
        """Send one request and return the reply; restart a dead child once.

        During a menu action the child asks the document for cells (``("book", op,
        args)``): ``host(op, args)`` answers each before the action's own reply comes."""
        with self.lock:
            retry = True
            while True:
                if not self.alive():
                    self.start()
                try:
                    _write_frame(self.proc.stdin, request)
                    reply = self.wait(CALL_TIMEOUT, "siei_xl did not answer")
                    while reply[0] == "book" and host is not None:
                        retry = False  # the action has begun changing the document
                        _write_frame(self.proc.stdin, host(reply[1], reply[2]))
                        reply = self.wait(CALL_TIMEOUT, "siei_xl did not answer")
                    return reply
                except ChildTimeoutError:
                    raise  # asking again would make Calc wait twice as long
                except (OSError, ChildError):
                    if not retry or self.alive():
                        raise
                    retry = False
                    self.stop()  # killed between calls: start a new one and ask again


def _write_frame(stream, obj):
    data = pickle.dumps(obj, protocol=PROTOCOL)
    stream.write(struct.pack("<I", len(data)) + data)
    stream.flush()


def _read_frames(stream, replies):
    try:
        while True:
            head = stream.read(4)
            if len(head) < 4:
                break
            (size,) = struct.unpack("<I", head)
            replies.put(pickle.loads(stream.read(size)))
    except (OSError, ValueError, EOFError, pickle.UnpicklingError):
        pass
    replies.put(None)


CHILD = Child()


def to_calc(value):
    """A value for a Calc cell: an error text becomes Calc's error, None an empty text."""
    if isinstance(value, str):
        match = _ERROR_TEXT.match(value)
        return error_double(match.group(1)) if match else value
    if value is None:
        return ""
    return value


def call(name, args, array):
    """Run ``name`` in the child; a failure to reach it is a readable text, never a hang."""
    try:
        reply = CHILD.ask(("call", name, args))
    except ChildError as exc:
        reply = ("ok", f"SIEI: {exc}")
    if reply[0] != "ok":  # a bug in siei_xl: its traceback's last line
        reply = ("ok", f"SIEI: internal error in {name}: {reply[1]}")
    result = reply[1]
    if array:
        if not isinstance(result, (list, tuple)):
            result = [[result]]
        elif result and not isinstance(result[0], (list, tuple)):
            result = [result]
        width = max((len(row) for row in result), default=1)
        return tuple(
            tuple(to_calc(v) for v in row) + ("",) * (width - len(row)) for row in result
        ) or (("",),)
    if isinstance(result, (list, tuple)):  # a table asked for as one value: its first cell
        first = result[0] if result else ""
        result = first[0] if isinstance(first, (list, tuple)) and first else first
    return to_calc(result)


# ------------------------------------------------------------------ SIEI_WHY
_FORMULA = re.compile(r"^\{?=\s*(?:[\w.]*\.)?(SIEI_\w+)\s*\((.*)\)\s*\}?$", re.I | re.S)
_CALL = re.compile(r"^(?:[\w.]*\.)?(SIEI_\w+)\s*\((.*)\)$", re.I | re.S)
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_REFERENCE = re.compile(
    r"^(?:\$?(?P<sheet>'(?:[^']|'')+'|[^.'$:;()\"]+)\.)?(?P<first>\$?[A-Z]+\$?\d+)"
    r"(?::(?:\$?(?:'(?:[^']|'')+'|[^.'$:;()\"]+)\.)?(?P<last>\$?[A-Z]+\$?\d+))?$",
    re.I,
)


def split_arguments(text):
    """The top-level arguments of a Calc formula's call (separated by ';')."""
    args, depth, quoted, current = [], 0, False, ""
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "({":
            depth += 1
        elif not quoted and ch in ")}":
            depth -= 1
        elif not quoted and depth == 0 and ch == ";":
            args.append(current.strip())
            current = ""
            continue
        current += ch
    if current.strip() or args:
        args.append(current.strip())
    return args


def argument_value(text, document, sheet):
    """The value of one argument written as a constant or a reference; else ValueError."""
    if text == "":
        return None
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    if _NUMBER.match(text):
        return float(text)
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    nested = _CALL.match(text)
    if nested:  # e.g. SIEI_GROUP_MEMBERS(...) as the group: its value, asked for in turn
        name, inner = nested.group(1).upper(), nested.group(2)
        args = tuple(argument_value(a, document, sheet) for a in split_arguments(inner))
        return CHILD.ask(("call", name, args))[1]
    match = _REFERENCE.match(text)
    if not match:
        raise ValueError(text)
    target = sheet
    if match.group("sheet"):
        name = match.group("sheet")
        if name.startswith("'"):
            name = name[1:-1].replace("''", "'")
        target = document.Sheets.getByName(name)
    address = match.group("first").replace("$", "")
    if match.group("last"):
        address += ":" + match.group("last").replace("$", "")
    return target.getCellRangeByName(address).getDataArray()


def why(document, cell):
    """The reason a SIEI cell holds an error, found by asking the same call again."""
    one = cell.getCellByPosition(0, 0)
    where = one.AbsoluteName.rsplit(".", 1)[-1].replace("$", "")
    if one.getError() == 0:
        return f"No error in {where}."
    sheet = one.getSpreadsheet()
    cursor = sheet.createCursorByRange(one)
    cursor.collapseToCurrentArray()
    origin, here = cursor.getRangeAddress(), one.getCellAddress()
    row, col = here.Row - origin.StartRow, here.Column - origin.StartColumn
    anchor = sheet.getCellByPosition(origin.StartColumn, origin.StartRow)
    formula = anchor.getFormula()
    match = _FORMULA.match(formula)
    if not match:
        return f"{where} is not computed by a SIEI function: {formula[:200]}"
    name = match.group(1).upper()
    try:
        args = [argument_value(a, document, sheet) for a in split_arguments(match.group(2))]
    except ChildError as exc:
        return f"SIEI: {exc}"
    except ValueError as exc:
        return (
            f"SIEI_WHY reads formulas whose arguments are constants or references; "
            f"{where} has {exc.args[0][:80]}"
        )
    try:
        reply = CHILD.ask(("call", name, tuple(args)))
    except ChildError as exc:
        return f"SIEI: {exc}"
    result = reply[1]
    if isinstance(result, (list, tuple)):
        rows = [r if isinstance(r, (list, tuple)) else [r] for r in result]
        if not isinstance(result[0], (list, tuple)):
            rows = [list(result)]
        result = rows[row][col] if row < len(rows) and col < len(rows[row]) else ""
    if isinstance(result, str) and _ERROR_TEXT.match(result):
        return result
    return f"{where}: {formula[:200]} gives no SIEI error now (recalculate, then ask again)."


# ------------------------------------------------------------------ the add-in
class SieiAddIn(unohelper.Base, XSiei, XServiceName, XServiceInfo):
    """The add-in: one method per SIEI function (added below from the configuration)."""

    def __init__(self, ctx):
        self.ctx = ctx

    def getServiceName(self):
        return IMPLEMENTATION

    def getImplementationName(self):
        return IMPLEMENTATION

    def supportsService(self, name):
        return name in SERVICES

    def getSupportedServiceNames(self):
        return SERVICES

    def SIEI_WHY(self, document, cell):
        return why(document, cell)


class Forget(unohelper.Base, XModifyListener):
    """Drops a range's kept cells when any of them changes (or the document closes)."""

    def __init__(self, table, address):
        self.table, self.address = table, address

    def modified(self, event):
        self.table.pop(self.address, None)
        event.Source.removeModifyListener(self)

    def disposing(self, event):
        self.table.pop(self.address, None)


FORMULA_CELLS = 16  # com.sun.star.sheet.CellFlags.FORMULA


class RangeCells:
    """The cells of the ranges handed to the functions, read once and kept until they change.

    Calc would otherwise convert a range into values for every call: the demo's Flows table
    (1,471 rows) for each of its 210 market-integration cells. Kept per document (the hidden
    first argument; documents compare by identity) and range address, for ranges of plain
    values (the workbook's Data, Flows and Groups)."""

    MAX_DOCUMENTS = 8

    def __init__(self):
        self.documents = []  # [(document, {address: rows})], most recent last

    def table(self, document):
        for k, (known, table) in enumerate(self.documents):
            if known == document:
                if k != len(self.documents) - 1:
                    self.documents.append(self.documents.pop(k))
                return table
        table = {}
        self.documents = [*self.documents[-(self.MAX_DOCUMENTS - 1) :], (document, table)]
        return table

    def values(self, document, rng):
        table = self.table(document)
        address = rng.AbsoluteName
        rows = table.get(address)
        if rows is None:
            rows = rng.getDataArray()
            # Cells computed by formulas are not kept: Calc may tell of their change only
            # after the cells that read them have been recalculated.
            if rng.queryContentCells(FORMULA_CELLS).getCount() == 0:
                table[address] = rows
                rng.addModifyListener(Forget(table, address))
        return rows


RANGE_CELLS = RangeCells()


def _method(name, array, ranges):
    if not ranges:

        def method(self, *args):
            return call(name, args, array)

    else:

        def method(self, document, *args):
            args = list(args)
            for k in ranges:
                if args[k] is not None:
                    args[k] = RANGE_CELLS.values(document, args[k])
            return call(name, tuple(args), array)

    method.__name__ = name
    return method


for _name, _array in CONFIG.get("functions", {}).items():
    setattr(SieiAddIn, _name, _method(_name, _array, CONFIG.get("ranges", {}).get(_name, ())))

# ------------------------------------------------------------- the SIEI menu
MENU_IMPLEMENTATION = "org.siei.calc.SieiMenu"
MENU_SERVICES = ("com.sun.star.frame.ProtocolHandler",)
MENU_PROTOCOL = "org.siei.calc:"
# run by siei_xl.excel.macros in the child, on the document (DocumentHost answers it)
MACROS = ("load_example", "validate", "compute", "draw_chart", "clear")
TITLES = {
    "load_example": "Load example data",
    "validate": "Validate data",
    "compute": "Compute",
    "draw_chart": "Draw chart",
    "clear": "Clear results",
    "explain": "Explain error",
    "help": "Help",
}
CLEAR_ALL_BUT_OBJECTS = 1023 & ~128  # com.sun.star.sheet.CellFlags: charts stay, as in Excel
BOLD, NORMAL = 150.0, 100.0  # com.sun.star.awt.FontWeight
POINT = 35.28  # 1/100 mm per point
BUTTONS = {"ok": 1, "ok_cancel": 2, "yes_no": 3, "yes_no_cancel": 4}  # awt.MessageBoxButtons
ANSWERS = {0: "cancel", 1: "ok", 2: "yes", 3: "no"}  # awt.MessageBoxResults


class DocumentHost:
    """The document's side of a menu action: the cell operations the child asks for."""

    def __init__(self, ctx, frame, doc):
        self.ctx, self.frame, self.doc = ctx, frame, doc
        self.parser = None

    def handle(self, op, args):
        """``("ok", result)`` or ``("error", text)``: the child's Book call never hangs."""
        try:
            return ("ok", getattr(self, "op_" + op)(*args))
        except Exception as exc:  # noqa: BLE001  sent to the child, which stops the action
            return ("error", f"{type(exc).__name__}: {getattr(exc, 'Message', '') or exc}")

    def sheet(self, name):
        return self.doc.Sheets.getByName(name)

    def block(self, name, r1, c1, r2, c2):
        return self.sheet(name).getCellRangeByPosition(c1 - 1, r1 - 1, c2 - 1, r2 - 1)

    def op_sheets(self):
        return tuple(self.doc.Sheets.ElementNames)

    def op_add_sheet(self, name, position):
        self.doc.Sheets.insertNewByName(name, position)

    def op_used(self, name):
        cursor = self.sheet(name).createCursor()
        cursor.gotoEndOfUsedArea(False)
        end = cursor.getRangeAddress()
        return (end.EndRow + 1, end.EndColumn + 1)

    def op_read(self, name, r1, c1, r2, c2):
        rows = self.block(name, r1, c1, r2, c2).getDataArray()
        return tuple(tuple(None if v == "" else v for v in row) for row in rows)

    def op_charts(self, name):
        return tuple(self.sheet(name).getCharts().ElementNames)

    def op_delete_chart(self, name, chart):
        charts = self.sheet(name).getCharts()
        if charts.hasByName(chart):
            charts.removeByName(chart)

    def op_write(self, batch):
        for item in batch:
            getattr(self, "write_" + item[0])(*item[1:])

    def write_clear(self, name):
        self.sheet(name).clearContents(CLEAR_ALL_BUT_OBJECTS)

    def write_values(self, name, row, col, rows):
        sheet = self.sheet(name)
        for i, values in enumerate(rows):
            for j, value in enumerate(values):
                cell = sheet.getCellByPosition(col - 1 + j, row - 1 + i)
                if value is None or value == "":
                    cell.setString("")
                elif isinstance(value, str) and value.startswith("="):
                    self.set_formula(cell, value)
                elif isinstance(value, str):
                    number = _typed_number(value)
                    if number is None:
                        cell.setString(value)
                    else:
                        cell.setValue(number)
                else:
                    cell.setValue(float(value))

    def write_formula(self, name, r1, c1, r2, c2, text):
        sheet = self.sheet(name)
        for row in range(r1 - 1, r2):
            for col in range(c1 - 1, c2):
                self.set_formula(sheet.getCellByPosition(col, row), text)

    def set_formula(self, cell, text):
        """An Excel formula as Excel's Range.Formula takes it: A1 references with ``!``,
        ``,`` between arguments, English names; a SIEI_* name finds the add-in by its
        Excel name (CompatibilityName), as when Calc opens an .xlsx."""
        if self.parser is None:
            from com.sun.star.sheet.AddressConvention import XL_A1
            from com.sun.star.sheet.FormulaLanguage import XL_ENGLISH

            mapper = self.doc.createInstance("com.sun.star.sheet.FormulaOpCodeMapper")
            self.parser = self.doc.createInstance("com.sun.star.sheet.FormulaParser")
            self.parser.FormulaConvention = XL_A1
            self.parser.OpCodeMap = mapper.getAvailableMappings(XL_ENGLISH, 0x7FFFFFFF)
        cell.setTokens(self.parser.parseFormula(text, cell.getCellAddress()))

    def write_format(self, name, r1, c1, r2, c2, fmt):
        formats = self.doc.NumberFormats
        locale = uno.createUnoStruct("com.sun.star.lang.Locale")
        key = formats.queryKey(fmt, locale, False)
        if key == -1:
            key = formats.addNew(fmt, locale)
        self.block(name, r1, c1, r2, c2).NumberFormat = key

    def write_bold(self, name, r1, c1, r2, c2, bold):
        self.block(name, r1, c1, r2, c2).CharWeight = BOLD if bold else NORMAL

    def op_add_chart(self, name, chart, frame, block, title, x_title, y_title, styles=()):
        """A line chart of ``block`` (first column: categories; first row: series names);
        ``styles`` gives each series' look: "line", "dashed" (the region: black, thick,
        dashed) or "markers" (no line: the years the region's membership changed)."""
        sheet = self.sheet(name)
        charts = sheet.getCharts()
        if charts.hasByName(chart):
            charts.removeByName(chart)
        r1, c1, r2, c2 = block
        address = self.block(name, r1, c1, r2, c2).getRangeAddress()
        rect = uno.createUnoStruct("com.sun.star.awt.Rectangle")
        rect.X, rect.Y, rect.Width, rect.Height = (int(v * POINT) for v in frame)
        charts.addNewByName(chart, rect, (address,), True, True)
        document = charts.getByName(chart).getEmbeddedObject()
        document.setDiagram(document.createInstance("com.sun.star.chart.LineDiagram"))
        document.HasLegend = True
        # the look of the workbook's own chart: legend below, white wall, gridlines
        document.Legend.Alignment = uno.Enum("com.sun.star.chart.ChartLegendPosition", "BOTTOM")
        document.HasMainTitle = True
        document.Title.String = title
        diagram = document.getDiagram()
        diagram.Wall.FillStyle = uno.Enum("com.sun.star.drawing.FillStyle", "NONE")
        diagram.HasXAxisTitle = True
        diagram.XAxisTitle.String = x_title
        diagram.HasYAxisTitle = True
        diagram.YAxisTitle.String = y_title
        # the chart2 API: the chart1 one (getDataRowProperties) reads a line series' style
        # but does not set it
        chart_type = document.getFirstDiagram().getCoordinateSystems()[0].getChartTypes()[0]
        series = chart_type.getDataSeries()
        for k, style in enumerate(styles[: len(series)]):  # no zip(strict=): old Pythons
            _style_series(series[k], style)

    def op_alert(self, prompt, title, buttons):
        return self.alert(prompt, title, buttons)

    def alert(self, prompt, title="SIEI", buttons="ok"):
        """A message box and the button clicked. With ``SIEI_XL_ALERT_LOG`` set (automated
        runs, where no one can click), the message is appended to that file as a JSON line
        instead and answered "ok"."""
        log = os.environ.get("SIEI_XL_ALERT_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"title": title, "prompt": prompt}) + "\n")
            return "ok"
        if not self.doc.isAutomaticCalculationEnabled():
            self.doc.calculate()  # the user looks at the sheet behind the message
        toolkit = self.ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.awt.Toolkit", self.ctx
        )
        kind = "INFOBOX" if buttons == "ok" else "QUERYBOX"
        box = toolkit.createMessageBox(
            self.frame.getContainerWindow(),
            uno.Enum("com.sun.star.awt.MessageBoxType", kind),
            BUTTONS.get(buttons, 1),
            title,
            prompt,
        )
        try:
            return ANSWERS.get(box.execute(), "cancel")
        finally:
            box.dispose()


# com.sun.star.chart2.Symbol's StandardSymbol of a diamond; the markers' dark red
DIAMOND = 1
CHANGE_RED = 0xC00000


def _style_series(series, style):
    """One series' look, as the workbook's own chart draws it (see ``_insert_chart``)."""
    line_style = "com.sun.star.drawing.LineStyle"
    if style == "markers":
        series.LineStyle = uno.Enum(line_style, "NONE")
        symbol = uno.createUnoStruct("com.sun.star.chart2.Symbol")
        symbol.Style = uno.Enum("com.sun.star.chart2.SymbolStyle", "STANDARD")
        symbol.StandardSymbol = DIAMOND
        size = uno.createUnoStruct("com.sun.star.awt.Size")
        size.Width = size.Height = 350  # 1/100 mm
        symbol.Size = size
        symbol.FillColor = symbol.BorderColor = CHANGE_RED
        series.Symbol = symbol
        series.Color = CHANGE_RED
    elif style == "dashed":
        series.LineStyle = uno.Enum(line_style, "DASH")
        # The dash table's own "Dash": a LineDash given as numbers is drawn as a fine
        # hatching (rendered and looked at), whatever its lengths
        series.LineDashName = "Dash"
        series.LineWidth = 90
        series.Color = 0


def _typed_number(text):
    """What Excel stores for a text written into a cell: a number when it reads as one."""
    stripped = text.strip()
    if not stripped or stripped.startswith("'"):
        return None
    try:
        return float(stripped)
    except ValueError:
        return None


def run_action(ctx, frame, action):
    """One entry of the SIEI menu on the frame's spreadsheet."""
    doc = frame.getController().getModel()
    if doc is None or not doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
        return
    host = DocumentHost(ctx, frame, doc)
    title = "SIEI: " + TITLES.get(action, action)
    if action == "explain":
        selection = frame.getController().getSelection()
        if not hasattr(selection, "getCellByPosition"):
            host.alert("Select a cell first.", title)
            return
        cell = selection.getCellByPosition(0, 0)
        where = cell.AbsoluteName.rsplit(".", 1)[-1].replace("$", "")
        host.alert(why(doc, selection), "SIEI: " + where)
    elif action == "help":
        if doc.Sheets.hasByName("Help"):
            frame.getController().setActiveSheet(doc.Sheets.getByName("Help"))
        else:
            host.alert("This document has no Help sheet: use the SIEI template.", title)
    elif action in MACROS:
        automatic = doc.isAutomaticCalculationEnabled()
        undo = doc.getUndoManager()
        # one recalculation at the end instead of one per cell written; one step to undo
        doc.enableAutomaticCalculation(False)
        undo.enterUndoContext(title)
        try:
            try:
                reply = CHILD.ask(("macro", action, ()), host.handle)
            except ChildError as exc:
                reply = ("bug", str(exc))
        finally:
            undo.leaveUndoContext()
            doc.enableAutomaticCalculation(automatic)
        if automatic:
            doc.calculate()
        if reply[0] != "ok":
            host.alert(f"SIEI: {TITLES[action]} stopped: {reply[1]}", title)


class SieiMenu(unohelper.Base, XDispatchProvider, XDispatch, XInitialization, XServiceInfo):
    """The SIEI menu and toolbar's commands (``org.siei.calc:compute`` etc.)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.frame = None

    def initialize(self, args):
        if args:
            self.frame = args[0]

    def queryDispatch(self, url, target, flags):
        return self if url.Protocol == MENU_PROTOCOL else None

    def queryDispatches(self, requests):
        return tuple(self.queryDispatch(r.FeatureURL, r.FrameName, r.SearchFlags) for r in requests)

    def dispatch(self, url, args):
        if self.frame is not None:
            run_action(self.ctx, self.frame, url.Path)

    def addStatusListener(self, listener, url):
        return None

    def removeStatusListener(self, listener, url):
        return None

    def getImplementationName(self):
        return MENU_IMPLEMENTATION

    def supportsService(self, name):
        return name in MENU_SERVICES

    def getSupportedServiceNames(self):
        return MENU_SERVICES


# the name LibreOffice's Python loader looks for
g_ImplementationHelper = unohelper.ImplementationHelper()  # noqa: N816
g_ImplementationHelper.addImplementation(SieiAddIn, IMPLEMENTATION, SERVICES)
g_ImplementationHelper.addImplementation(SieiMenu, MENU_IMPLEMENTATION, MENU_SERVICES)
