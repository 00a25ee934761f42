"""An in-memory stand-in for the part of xlwings' Book API that the ribbon's macros use.

:mod:`siei_xl.excel.macros` takes an optional ``book``; these classes give it one without
Excel. They behave as Excel does where the macros could notice: numbers come back as
floats, a text that looks like a number becomes a number when written (as typed into a
cell), blanks are ``None``, ``clear()`` empties values and formats, an alert returns the
button the user clicked (scripted here). Reading a formula cell evaluates it as Excel
would: the SIEI functions through :mod:`siei_xl.udfs` with their arguments converted as
xlwings converts them, plus the few standard functions the Results sheet uses
(``AGGREGATE(1,6,...)``, ``+``, ``-``). Errors are the functions' ``"#N/A: reason"``
text, as the Python side returns them.

>>> book = FakeBook({"Data": [["country", "year"], ["KAZ", 2015]]})
>>> book.sheets["Data"].range((2, 2)).value
2015.0
>>> book.sheets["Data"].range("A1:B2").options(ndim=2).value
[['country', 'year'], ['KAZ', 2015.0]]
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from siei_xl.excel.layout import SheetLayout, col_name


@dataclass
class FakeCell:
    value: object = None
    formula: str | None = None
    number_format: str = "General"
    bold: bool = False


def col_index(letters: str) -> int:
    """Column letters to a 1-based index.

    >>> col_index("A"), col_index("Z"), col_index("AA")
    (1, 26, 27)
    """
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def parse_a1(text: str) -> tuple[int, int]:
    """``"$B$5"`` -> ``(5, 2)`` (1-based row, column)."""
    match = _A1.match(text.strip())
    if not match:
        raise ValueError(f"not a cell reference: {text!r}")
    return int(match.group(2)), col_index(match.group(1))


def as_typed(value: object) -> object:
    """What Excel stores when a macro writes ``value`` into a cell (``Range.Value = ...``)."""
    if isinstance(value, str):
        text = value.strip()
        if text and not text.startswith("'"):
            try:
                return float(text)
            except ValueError:
                return value
        return value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


class FakeFont:
    def __init__(self, rng: FakeRange) -> None:
        self._range = rng

    @property
    def bold(self) -> bool:
        return all(self._range.sheet.cell(r, c).bold for r, c in self._range.positions())

    @bold.setter
    def bold(self, value: bool) -> None:
        for r, c in self._range.positions():
            self._range.sheet.cell(r, c, create=True).bold = bool(value)


class FakeRange:
    """A rectangular block of cells, 1-based inclusive corners as in xlwings."""

    def __init__(self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int) -> None:
        if min(r1, c1, r2, c2) < 1:
            raise ValueError("rows and columns start at 1")
        self.sheet = sheet
        self.r1, self.c1 = min(r1, r2), min(c1, c2)
        self.r2, self.c2 = max(r1, r2), max(c1, c2)
        self.ndim: int | None = None
        self.api = None  # not Windows Excel's (object, COM object) tuple

    def __repr__(self) -> str:
        return f"<FakeRange {self.sheet.name}!{self.address}>"

    @property
    def address(self) -> str:
        first = f"${col_name(self.c1 - 1)}${self.r1}"
        if (self.r1, self.c1) == (self.r2, self.c2):
            return first
        return f"{first}:${col_name(self.c2 - 1)}${self.r2}"

    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.r2, self.c2, self.r2, self.c2)

    def positions(self) -> Iterator[tuple[int, int]]:
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                yield r, c

    def options(self, ndim: int | None = None, **_ignored: object) -> FakeRange:
        view = FakeRange(self.sheet, self.r1, self.c1, self.r2, self.c2)
        view.ndim = ndim
        return view

    @property
    def value(self) -> object:
        rows = [
            [self.sheet.computed(r, c) for c in range(self.c1, self.c2 + 1)]
            for r in range(self.r1, self.r2 + 1)
        ]
        if self.ndim == 2:
            return rows
        n_rows, n_cols = self.shape
        if n_rows == 1 and n_cols == 1:
            return rows[0][0]
        if n_rows == 1:
            return rows[0]
        if n_cols == 1:
            return [row[0] for row in rows]
        return rows

    @value.setter
    def value(self, value: object) -> None:
        if isinstance(value, list | tuple):
            rows = value if all(isinstance(v, list | tuple) for v in value) else [value]
        else:
            rows = [[value]]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):  # type: ignore[arg-type]
                cell = self.sheet.cell(self.r1 + i, self.c1 + j, create=True)
                cell.formula = None
                cell.value = as_typed(v)
                if isinstance(v, str) and v.startswith("="):
                    cell.formula, cell.value = v, None

    @property
    def formula(self) -> object:
        cell = self.sheet.cell(self.r1, self.c1)
        if cell.formula is not None:
            return cell.formula
        return "" if cell.value is None else str(cell.value)

    @formula.setter
    def formula(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError("a formula is text")
        for r, c in self.positions():
            cell = self.sheet.cell(r, c, create=True)
            if text.startswith("="):
                cell.formula, cell.value = text, None
            else:
                cell.formula, cell.value = None, as_typed(text)

    @property
    def number_format(self) -> str:
        return self.sheet.cell(self.r1, self.c1).number_format

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        for r, c in self.positions():
            self.sheet.cell(r, c, create=True).number_format = fmt

    @property
    def font(self) -> FakeFont:
        return FakeFont(self)

    def clear(self) -> None:
        for r, c in self.positions():
            self.sheet.cells.pop((r, c), None)


class FakeChart:
    def __init__(self, charts: FakeCharts, left: float, top: float, width: float, height: float):
        self._charts = charts
        self.left, self.top, self.width, self.height = left, top, width, height
        self.chart_type = "column_clustered"
        self.source: FakeRange | None = None
        self.api = None  # Windows Excel gives a tuple; the macros skip the COM styling

    def set_source_data(self, source: FakeRange) -> None:
        if not isinstance(source, FakeRange):
            raise TypeError("set_source_data takes a Range")
        self.source = source

    def delete(self) -> None:
        self._charts.items.remove(self)


class FakeCharts:
    def __init__(self) -> None:
        self.items: list[FakeChart] = []

    def __iter__(self) -> Iterator[FakeChart]:
        return iter(list(self.items))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> FakeChart:
        return self.items[index]

    def add(
        self, left: float = 0, top: float = 0, width: float = 355, height: float = 211
    ) -> FakeChart:
        chart = FakeChart(self, left, top, width, height)
        self.items.append(chart)
        return chart


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book = book
        self.name = name
        self.cells: dict[tuple[int, int], FakeCell] = {}
        self.charts = FakeCharts()

    def __repr__(self) -> str:
        return f"<FakeSheet {self.name}>"

    def cell(self, row: int, col: int, *, create: bool = False) -> FakeCell:
        if create:
            return self.cells.setdefault((row, col), FakeCell())
        return self.cells.get((row, col), FakeCell())

    def computed(self, row: int, col: int) -> object:
        """The value Excel shows: a formula's result, numbers as floats."""
        cell = self.cell(row, col)
        if cell.formula is not None:
            return self.book.evaluate(self, cell.formula)
        return cell.value

    def range(
        self, cell1: str | tuple[int, int] | FakeRange, cell2: tuple[int, int] | None = None
    ) -> FakeRange:
        if isinstance(cell1, FakeRange):
            return FakeRange(self, cell1.r1, cell1.c1, cell1.r2, cell1.c2)
        if isinstance(cell1, str):
            if cell2 is not None:
                raise TypeError("range('A1:B2') takes one argument")
            first, _, last = cell1.partition(":")
            r1, c1 = parse_a1(first)
            r2, c2 = parse_a1(last) if last else (r1, c1)
            return FakeRange(self, r1, c1, r2, c2)
        r1, c1 = cell1
        r2, c2 = cell2 if cell2 is not None else cell1
        return FakeRange(self, r1, c1, r2, c2)

    def __getitem__(self, address: str) -> FakeRange:
        return self.range(address)

    @property
    def used_range(self) -> FakeRange:
        used = [
            key
            for key, cell in self.cells.items()
            if cell.value is not None or cell.formula is not None
        ]
        if not used:
            return FakeRange(self, 1, 1, 1, 1)
        rows = [r for r, _ in used]
        cols = [c for _, c in used]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))

    def clear(self) -> None:
        """Contents and formats (charts stay, as in Excel)."""
        self.cells.clear()

    def clear_contents(self) -> None:
        for cell in self.cells.values():
            cell.value, cell.formula = None, None

    def rows(self) -> list[list[object]]:
        """Stored values from A1 to the last used cell (``None`` for blanks), no evaluation."""
        last = self.used_range.last_cell
        return [
            [self.cell(r, c).value for c in range(1, last.column + 1)]
            for r in range(1, last.row + 1)
        ]

    def snapshot(self) -> dict[tuple[int, int], FakeCell]:
        """A deep copy of every cell (value, formula, formats) that holds anything."""
        return {key: copy.deepcopy(cell) for key, cell in self.cells.items() if cell != FakeCell()}

    def write_rows(self, rows: Sequence[Sequence[object]], top: int = 1) -> None:
        """Put rows as a user would type them, from row ``top`` (blanks stay empty)."""
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is not None and v != "":
                    self.cell(top + i, j + 1, create=True).value = as_typed(v)


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book
        self.items: list[FakeSheet] = []

    def __iter__(self) -> Iterator[FakeSheet]:
        return iter(list(self.items))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, key: str | int) -> FakeSheet:
        if isinstance(key, int):
            return self.items[key]
        for sheet in self.items:
            if sheet.name.lower() == key.lower():
                return sheet
        raise KeyError(key)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(s.name.lower() == name.lower() for s in self.items)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.items]

    def add(
        self,
        name: str | None = None,
        before: FakeSheet | None = None,
        after: FakeSheet | None = None,
    ) -> FakeSheet:
        name = name or f"Sheet{len(self.items) + 1}"
        if name in self:
            raise ValueError(f"a sheet named {name!r} already exists")
        if len(name) > 31 or any(ch in name for ch in "[]:*?/\\"):
            raise ValueError(f"{name!r} is not a valid sheet name")
        sheet = FakeSheet(self.book, name)
        if after is not None:
            self.items.insert(self.items.index(after) + 1, sheet)
        elif before is not None:
            self.items.insert(self.items.index(before), sheet)
        else:
            self.items.insert(0, sheet)  # Excel adds before the active sheet
        return sheet


@dataclass
class FakeApp:
    """``book.app``: records every alert and answers with the scripted buttons."""

    answers: list[str] = field(default_factory=list)
    alerts: list[dict[str, object]] = field(default_factory=list)

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str:
        if buttons not in {"ok", "ok_cancel", "yes_no", "yes_no_cancel"}:
            raise ValueError(f"unknown buttons {buttons!r}")
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        return self.answers.pop(0) if self.answers else "ok"


class FakeBook:
    """A workbook: sheets in order, each given as rows from A1 (``None`` = blank)."""

    def __init__(
        self,
        sheets: dict[str, Sequence[Sequence[object]]] | None = None,
        answers: Sequence[str] = (),
    ) -> None:
        self.name = "workbook_template.xlsm"
        self.sheets = FakeSheets(self)
        self.app = FakeApp(list(answers))
        for name, rows in (sheets or {}).items():
            sheet = FakeSheet(self, name)
            self.sheets.items.append(sheet)
            sheet.write_rows(rows)

    def lay_out(self, layouts: Sequence[SheetLayout]) -> None:
        """Add sheets laid out as the workbook builder lays them out (same names, cells)."""
        for sheet_layout in layouts:
            sheet = self.sheets.add(
                sheet_layout.name, after=self.sheets[-1] if self.sheets else None
            )
            for cell in sheet_layout.cells:
                target = sheet.range((cell.row + 1, cell.col + 1))
                if cell.formula is not None:
                    target.formula = cell.formula
                else:
                    target.value = cell.value

    def snapshot(self, *names: str) -> dict[str, dict[tuple[int, int], FakeCell]]:
        return {name: self.sheets[name].snapshot() for name in names or self.sheets.names}

    def evaluate(self, sheet: FakeSheet, formula: str) -> object:
        """The result of a formula on ``sheet``, as Excel would show it."""
        return _Formula(self, sheet, formula).result()


# ------------------------------------------------------------------- formulas
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"]|"")*")
    | (?P<ref>(?:(?:'[^']+'|[A-Za-z_][\w.]*)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)
    | (?P<func>[A-Za-z_][\w.]*)\(
    | (?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)
    | (?P<op>[-+,)])
    )""",
    re.X,
)

# Arguments xlwings reads as 2-D lists (with error cells as text): ``@xw.arg(ndim=2)``.
_TWO_D = {"data", "groups", "experts"}


@dataclass
class _Ref:
    sheet: FakeSheet
    rng: FakeRange


class _Formula:
    """A recursive-descent reader of the formulas the SIEI workbook writes."""

    def __init__(self, book: FakeBook, sheet: FakeSheet, text: str) -> None:
        if not text.startswith("="):
            raise ValueError(f"not a formula: {text!r}")
        self.book, self.sheet, self.text = book, sheet, text[1:]
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(self.text):
            match = _TOKEN.match(self.text, pos)
            if not match or match.end() == pos:
                raise ValueError(f"cannot read formula {text!r} at {self.text[pos:]!r}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.at = 0

    def result(self) -> object:
        value = self.expression()
        if self.at != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.at]} in {self.text!r}")
        return self.scalar(value)

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expression(self) -> object:
        value = self.term()
        while (token := self.peek()) is not None and token[1] in {"+", "-"}:
            op = self.take()[1]
            right = self.scalar(self.term())
            left = self.scalar(value)
            if _is_error(left):
                value = left
            elif _is_error(right):
                value = right
            elif not isinstance(left, float) or not isinstance(right, float):
                value = "#VALUE!"
            else:
                value = left + right if op == "+" else left - right
        return value

    def term(self) -> object:
        kind, text = self.take()
        if kind == "op" and text == "-":
            value = self.scalar(self.term())
            return -value if isinstance(value, float) else value
        if kind == "number":
            return float(text)
        if kind == "string":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            return self.reference(text)
        if kind == "func":
            args: list[object] = []
            if self.peek() == ("op", ")"):
                self.take()
            else:
                while True:
                    args.append(self.expression())
                    sep = self.take()
                    if sep == ("op", ")"):
                        break
                    if sep != ("op", ","):
                        raise ValueError(f"expected , or ) in {self.text!r}")
            return self.call(text.upper(), args)
        raise ValueError(f"unexpected {text!r} in {self.text!r}")

    def reference(self, text: str) -> _Ref:
        sheet = self.sheet
        if "!" in text:
            name, _, text = text.rpartition("!")
            sheet = self.book.sheets[name.strip("'")]
        return _Ref(sheet, sheet.range(text.replace("$", "")))

    def scalar(self, value: object) -> object:
        if isinstance(value, _Ref):
            if value.rng.shape != (1, 1):
                return "#VALUE!"
            return value.rng.value
        if isinstance(value, list):
            return value[0][0] if value and isinstance(value[0], list) else value[0]
        return value

    def call(self, name: str, args: list[object]) -> object:
        if name == "AGGREGATE" or name == "_XLFN.AGGREGATE":
            return self.aggregate(args)
        if name.startswith("SIEI_"):
            return self.udf(name, args)
        if name == "ISNUMBER":  # the live copies under the chart
            return isinstance(self.scalar(args[0]), float)
        if name == "IF":
            return self.scalar(args[1] if self.scalar(args[0]) else args[2])
        if name == "NA" and not args:
            return "#N/A"
        raise ValueError(f"the fake book does not evaluate {name}()")

    def aggregate(self, args: list[object]) -> object:
        function, options, block = args
        if (self.scalar(function), self.scalar(options)) != (1.0, 6.0):
            raise ValueError("only AGGREGATE(1,6,range) (mean, ignoring errors) is supported")
        if not isinstance(block, _Ref):
            raise ValueError("AGGREGATE needs a range")
        numbers = [
            v
            for row in block.rng.options(ndim=2).value  # type: ignore[union-attr]
            for v in row
            if isinstance(v, float)
        ]
        return math.fsum(numbers) / len(numbers) if numbers else "#DIV/0!"

    def udf(self, name: str, args: list[object]) -> object:
        import inspect

        from siei_xl import udfs

        func = getattr(udfs, name)
        params = list(inspect.signature(func).parameters)
        values = []
        for param, arg in zip(params, args, strict=False):
            if isinstance(arg, _Ref):
                view = arg.rng.options(ndim=2) if param in _TWO_D else arg.rng
                value = view.value
            else:
                value = arg
            if _is_error(value) and param not in _TWO_D:
                return value  # an error argument: Excel shows the error
            values.append(value)
        return func(*values)


def _is_error(value: object) -> bool:
    return isinstance(value, str) and value.startswith("#")
