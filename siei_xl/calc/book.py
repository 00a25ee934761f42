"""The open Calc document as the small Book API the ribbon's macros use, served over the pipe.

The SIEI menu in LibreOffice asks the child process (:mod:`siei_xl.calc.server`) to run one
entry point of :mod:`siei_xl.excel.macros` (the same code as Excel's ribbon). That code
reads and writes the workbook through the part of xlwings' Book API listed in
``tests/fake_book.py``; here each operation becomes a request ``("book", op, args)`` sent
back to the extension, which performs it on the document with UNO and answers
``("ok", result)`` or ``("error", text)``. Writes are queued and sent in one request before
the next read, alert or the end of the action, so writing a Results sheet of a few
thousand cells costs one round trip.

Formulas are written as the macros give them, in Excel's syntax (``Data!$A$2:$D$242``,
``,`` between arguments, English names); the extension parses them with Calc's Excel A1
grammar, under which a ``SIEI_*`` name finds the add-in by its Excel name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Final

from siei_xl.excel.layout import CHART_DATA_ROW, ChartSpec, ref

Channel = Callable[[str, tuple[object, ...]], object]
"""Sends one request ``(op, args)`` to the extension and returns its answer."""

CHART_NAME: Final = "SieiChart"


class HostError(RuntimeError):
    """The extension could not do what was asked (e.g. a sheet name LibreOffice refuses)."""


class CalcBook:
    """A workbook open in Calc, as ``macros`` sees an xlwings ``Book``."""

    def __init__(self, channel: Channel) -> None:
        self._channel = channel
        self.pending: list[tuple[object, ...]] = []
        self.sheets = CalcSheets(self)
        self.app = CalcApp(self)

    def call(self, op: str, *args: object) -> Any:
        """Send the queued writes, then ``op``; its answer."""
        self.flush()
        return self._channel(op, args)

    def write(self, *item: object) -> None:
        self.pending.append(item)

    def flush(self) -> None:
        if self.pending:
            batch, self.pending = tuple(self.pending), []
            self._channel("write", (batch,))


class CalcApp:
    def __init__(self, book: CalcBook) -> None:
        self._book = book

    def alert(
        self, prompt: str, title: str | None = None, buttons: str = "ok", **_ignored: object
    ) -> str:
        """A message box; the button clicked: ``"ok"``, ``"cancel"``, ``"yes"``, ``"no"``."""
        return str(self._book.call("alert", prompt, title or "SIEI", buttons))


class CalcSheets:
    def __init__(self, book: CalcBook) -> None:
        self._book = book

    def _names(self) -> list[str]:
        return list(self._book.call("sheets"))

    def __iter__(self) -> Iterator[CalcSheet]:
        return iter([CalcSheet(self._book, n) for n in self._names()])

    def __len__(self) -> int:
        return len(self._names())

    def __getitem__(self, key: str | int) -> CalcSheet:
        names = self._names()
        if isinstance(key, int):
            return CalcSheet(self._book, names[key])
        for name in names:
            if name.lower() == key.lower():
                return CalcSheet(self._book, name)
        raise KeyError(key)

    def add(
        self, name: str, before: CalcSheet | None = None, after: CalcSheet | None = None
    ) -> CalcSheet:
        if after is not None:
            position = self._names().index(after.name) + 1
        elif before is not None:
            position = self._names().index(before.name)
        else:
            position = 0
        self._book.call("add_sheet", name, position)
        return CalcSheet(self._book, name)


class CalcSheet:
    def __init__(self, book: CalcBook, name: str) -> None:
        self.book = book
        self.name = name
        self.charts = CalcCharts(self)

    def __repr__(self) -> str:
        return f"<CalcSheet {self.name}>"

    def range(
        self, cell1: str | tuple[int, int], cell2: tuple[int, int] | None = None
    ) -> CalcRange:
        if isinstance(cell1, str):
            first, _, last = cell1.replace("$", "").partition(":")
            r1, c1 = _a1(first)
            r2, c2 = _a1(last) if last else (r1, c1)
        else:
            (r1, c1), (r2, c2) = cell1, cell2 or cell1
        return CalcRange(self, r1, c1, r2, c2)

    @property
    def used_range(self) -> CalcRange:
        last_row, last_col = self.book.call("used", self.name)
        return CalcRange(self, 1, 1, max(int(last_row), 1), max(int(last_col), 1))

    def clear(self) -> None:
        """Contents and formats (charts stay, as in Excel)."""
        self.book.write("clear", self.name)


class CalcFont:
    def __init__(self, rng: CalcRange) -> None:
        self._range = rng

    @property
    def bold(self) -> bool:
        raise NotImplementedError("the macros only set bold")

    @bold.setter
    def bold(self, value: bool) -> None:
        self._range.sheet.book.write("bold", self._range.sheet.name, *self._range.box, bool(value))


class CalcRange:
    """A block of cells, 1-based inclusive corners as in xlwings."""

    def __init__(self, sheet: CalcSheet, r1: int, c1: int, r2: int, c2: int) -> None:
        self.sheet = sheet
        self.box = (min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
        self.ndim: int | None = None

    @property
    def row(self) -> int:
        return self.box[0]

    @property
    def column(self) -> int:
        return self.box[1]

    @property
    def last_cell(self) -> CalcRange:
        r, c = self.box[2], self.box[3]
        return CalcRange(self.sheet, r, c, r, c)

    @property
    def address(self) -> str:
        r1, c1, r2, c2 = self.box
        return ref(self.sheet.name, r1 - 1, c1 - 1, r2 - 1, c2 - 1).split("!")[1]

    def options(self, ndim: int | None = None, **_ignored: object) -> CalcRange:
        view = CalcRange(self.sheet, *self.box)
        view.ndim = ndim
        return view

    @property
    def value(self) -> object:
        rows = [list(r) for r in self.sheet.book.call("read", self.sheet.name, *self.box)]
        if self.ndim == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        if all(len(r) == 1 for r in rows):
            return [r[0] for r in rows]
        return rows

    @value.setter
    def value(self, value: object) -> None:
        if isinstance(value, list | tuple):
            rows = value if all(isinstance(v, list | tuple) for v in value) else [value]
        else:
            rows = [[value]]
        plain = tuple(tuple(_plain(v) for v in row) for row in rows)
        self.sheet.book.write("values", self.sheet.name, self.box[0], self.box[1], plain)

    @property
    def formula(self) -> str:
        raise NotImplementedError("the macros only write formulas")

    @formula.setter
    def formula(self, text: str) -> None:
        self.sheet.book.write("formula", self.sheet.name, *self.box, str(text))

    @property
    def number_format(self) -> str:
        raise NotImplementedError("the macros only set number formats")

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        self.sheet.book.write("format", self.sheet.name, *self.box, str(fmt))

    @property
    def font(self) -> CalcFont:
        return CalcFont(self)


class CalcCharts:
    def __init__(self, sheet: CalcSheet) -> None:
        self._sheet = sheet

    def __iter__(self) -> Iterator[CalcChart]:
        names = self._sheet.book.call("charts", self._sheet.name)
        return iter([CalcChart(self._sheet, n) for n in names])

    def add(
        self, left: float = 0, top: float = 0, width: float = 355, height: float = 211
    ) -> CalcChart:
        chart = CalcChart(self._sheet, CHART_NAME)
        chart.frame = (left, top, width, height)
        return chart


class CalcChart:
    """A chart on a sheet; drawn by :meth:`draw_lines`, when its categories and titles are known."""

    api = None  # not Windows Excel's (object, COM object) tuple

    def __init__(self, sheet: CalcSheet, name: str) -> None:
        self.sheet = sheet
        self.name = name
        self.frame = (0.0, 0.0, 355.0, 211.0)
        self.chart_type = "line"
        self.source: CalcRange | None = None

    def delete(self) -> None:
        self.sheet.book.call("delete_chart", self.sheet.name, self.name)

    def set_source_data(self, source: CalcRange) -> None:
        self.source = source

    def draw_lines(self, categories: CalcRange, spec: ChartSpec) -> None:
        """Draw the line chart: ``categories`` down the x axis, a line per source column,
        the region's dashed and black, and markers where its membership changed.

        Calc draws an error cell (Results' ``#N/A``) as a value near zero, not as a gap,
        so the chart reads a live copy of the source below it on its sheet, in which a
        cell that holds no number is empty text (a gap). This copy replaces the values
        ``siei-xl fill`` stores there. The markers are one more column of that copy, live
        only in the years of a change.
        """
        if self.source is None:
            raise ValueError("set_source_data first")
        book, sheet = self.sheet.book, self.sheet.name
        s_r1, s_c1, s_r2, s_c2 = self.source.box
        c_r1, c_c1, c_r2, _ = categories.box
        top = CHART_DATA_ROW + 1  # 1-based row of the note
        book.write(
            "values",
            sheet,
            top,
            1,
            (("Chart data: live copies of the Results cells (blank = not available: a gap).",),),
        )
        header, first = top + 1, top + 2

        def cell(rng: CalcRange, row: int, col: int) -> str:
            return ref(rng.sheet.name, row - 1, col - 1, row - 1, col - 1).split(":")[0]

        def live(source: str) -> str:
            return f'=IF(ISNUMBER({source}),{source},"")'

        book.write("values", sheet, header, 1, (("Year",),))
        for k, row in enumerate(range(c_r1, c_r2 + 1)):
            book.write(
                "formula", sheet, first + k, 1, first + k, 1, f"={cell(categories, row, c_c1)}"
            )
        for j, col in enumerate(range(s_c1, s_c2 + 1), start=2):
            book.write("formula", sheet, header, j, header, j, f"={cell(self.source, s_r1, col)}")
            for k, row in enumerate(range(s_r1 + 1, s_r2 + 1)):
                src = cell(self.source, row, col)
                book.write("formula", sheet, first + k, j, first + k, j, live(src))
        styles = ["dashed" if series.dashed else "line" for series in spec.series]
        last_col = s_c2 - s_c1 + 2
        if spec.marks is not None:
            last_col += 1
            book.write("values", sheet, header, last_col, ((spec.marks.name,),))
            region = s_c1 + spec.marks.series
            for k, year in enumerate(spec.years):
                if year in spec.marks.years:
                    src = cell(self.source, s_r1 + 1 + k, region)
                    book.write(
                        "formula", sheet, first + k, last_col, first + k, last_col, live(src)
                    )
            styles.append("markers")
        last_row = first + s_r2 - s_r1 - 1
        book.write("format", sheet, first, 2, last_row, last_col, "0.000")
        block = (header, 1, last_row, last_col)
        book.call(
            "add_chart",
            sheet,
            self.name,
            self.frame,
            block,
            spec.title,
            spec.x_title,
            spec.y_title,
            styles,
        )


def _a1(text: str) -> tuple[int, int]:
    letters = "".join(ch for ch in text if ch.isalpha())
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return int(text[len(letters) :]), col


def _plain(value: object) -> object:
    """A cell value the extension's Python can unpickle: numbers as floats, blanks None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return value
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
