"""The siei_xl side of the Calc add-in: a child process serving calls over its pipes.

LibreOffice's add-in component (``siei_calc.py`` in the extension, run by LibreOffice's own
Python) starts ``python -m siei_xl.calc.server`` with the user's interpreter and keeps it
for the session. Each request and reply is a 4-byte little-endian length and a pickle
(protocol 4, readable by every Python 3.8+): ``("call", name, args)`` is answered with
``("ok", result)``, where the result holds plain floats, text and ``"#CODE: reason"``
errors, exactly what the Excel host returns; a bug is answered with ``("bug", text)`` and
the server keeps serving. The cache of parsed ranges lives as long as the process.

``("macro", name, ())`` runs one of :data:`MACROS` (the SIEI menu's actions, the Excel
ribbon's code) on the document: while it runs, the server sends ``("book", op, args)``
requests back and reads each answer (:mod:`siei_xl.calc.book`) before it replies
``("ok", None)`` to the action itself.
"""

from __future__ import annotations

import gc
import importlib
import pickle
import platform
import struct
import sys
import traceback
from collections.abc import Callable
from typing import Any, BinaryIO, Final, cast

from siei_xl import __version__
from siei_xl.calc.book import CalcBook, Channel, HostError
from siei_xl.sheetfuncs import FUNCTIONS, evaluate

PROTOCOL: Final = 4
HEADER: Final = struct.Struct("<I")


def version() -> str:
    """``SIEI_VERSION`` in Calc: the package and the Python running it."""
    return f"siei_xl {__version__} (Python {platform.python_version()}, LibreOffice Calc)"


HOST_ONLY: Final[dict[str, Callable[..., Any]]] = {"SIEI_VERSION": version}
MACROS: Final = ("load_example", "validate", "compute", "draw_chart", "clear")
"""The actions of the SIEI menu run here: functions of :mod:`siei_xl.excel.macros`."""


def plain(value: object) -> object:
    """A result as values LibreOffice's Python can unpickle (no numpy), rows as tuples."""
    if isinstance(value, list | tuple):
        return tuple(plain(v) for v in value)
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return float(value)
    try:  # numpy scalars and the like
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)


def answer(request: object, channel: Channel | None = None) -> tuple[str, object]:
    """The reply to one request; never raises. ``channel`` asks the document (macros)."""
    try:
        kind, name, args = cast(tuple[str, str, tuple[object, ...]], request)
        if kind == "macro" and channel is not None and name in MACROS:
            import siei_xl.excel.macros as macros  # the Excel ribbon's code, loaded on use

            getattr(macros, name)(CalcBook(channel))
            return ("ok", None)
        if kind != "call":
            return ("bug", f"unknown request {kind!r}")
        func = HOST_ONLY.get(name) or FUNCTIONS[name].func
        assert func is not None
        return ("ok", plain(evaluate(func, tuple(args))))
    except Exception as exc:  # noqa: BLE001  a bug must not stop the server: it is reported
        traceback.print_exc(file=sys.stderr)
        return ("bug", "".join(traceback.format_exception_only(exc)).strip()[-300:])


def read_frame(stream: BinaryIO) -> object | None:
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    return pickle.loads(stream.read(size))


def write_frame(stream: BinaryIO, obj: object) -> None:
    data = pickle.dumps(obj, protocol=PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


PRELOAD: Final = ("siei_xl.classic", "siei_xl.market", "siei_xl.composite")
"""Modules the functions import on first use: loaded before the first call instead (SciPy
alone takes a second or more), so no single recalculation pays for them."""


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    """Answer requests until the input closes (LibreOffice has quit)."""
    for name in PRELOAD:
        importlib.import_module(name)
    # Everything loaded so far lives as long as the process: keep it out of the garbage
    # collector's way, or each full collection walks pandas and SciPy again mid-recalc.
    gc.freeze()
    write_frame(out, ("ready", __version__))

    def channel(op: str, args: tuple[object, ...]) -> object:
        write_frame(out, ("book", op, args))
        while True:
            reply = read_frame(inp)
            if reply is None:
                raise EOFError("LibreOffice closed the pipe during an action")
            if cast(tuple[object, ...], reply)[0] != "call":
                break
            # a cell recalculated meanwhile (the action changed its inputs): answer it too
            write_frame(out, answer(reply))
        status, value = cast(tuple[str, object], reply)
        if status != "ok":
            raise HostError(f"LibreOffice could not {op}: {value}")
        return value

    while (request := read_frame(inp)) is not None:
        write_frame(out, answer(request, channel))


def main() -> None:
    # The pipe is ours: anything else printing to stdout would corrupt the frames.
    out, sys.stdout = sys.stdout.buffer, sys.stderr
    serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
