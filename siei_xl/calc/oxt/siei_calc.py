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

import uno  # noqa: F401  (installs the import hook for the com.* and org.* names below)
import unohelper
from com.sun.star.lang import XServiceInfo, XServiceName
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
        self.lock = threading.Lock()
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

    def ask(self, request):
        """Send one request and return the reply; restart a dead child once."""
        with self.lock:
            retry = True
            while True:
                if not self.alive():
                    self.start()
                try:
                    _write_frame(self.proc.stdin, request)
                    return self.wait(CALL_TIMEOUT, "siei_xl did not answer")
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


def _method(name, array):
    def method(self, *args):
        return call(name, args, array)

    method.__name__ = name
    return method


for _name, _array in CONFIG.get("functions", {}).items():
    setattr(SieiAddIn, _name, _method(_name, _array))

# the name LibreOffice's Python loader looks for
g_ImplementationHelper = unohelper.ImplementationHelper()  # noqa: N816
g_ImplementationHelper.addImplementation(SieiAddIn, IMPLEMENTATION, SERVICES)
