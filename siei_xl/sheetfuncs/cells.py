"""Raw cell values as Excel hands them to a function, turned into engine inputs.

xlwings passes a range as a list of rows (a 1-D list for one row or column, a scalar for
one cell), ``None`` for blanks (and for error cells, unless they come as ``'#N/A'`` text),
floats for numbers. These helpers accept every one of those shapes, so the same code runs
in Excel and in tests.
"""

from __future__ import annotations

import copy
import io
import math
import pickle
from collections import OrderedDict
from collections.abc import Callable, Sequence
from itertools import chain, repeat
from typing import Final, TypeVar, cast

import pandas as pd

from siei_xl._defaults import DDOF, STANDARDIZE
from siei_xl.core.standardize import check_ddof, check_method
from siei_xl.exceptions import DataError, OptionError, SieiError
from siei_xl.experts import ExpertScores, expert_summary
from siei_xl.labels import is_missing, label_text, parse_year, split_list
from siei_xl.market import Flows
from siei_xl.panel import Panel, header_row

# Excel limits a cell's text to what a UDF may return without #VALUE!.
MAX_TEXT: Final = 255
CACHE_SIZE: Final = 32
TABLE_CACHE_SIZE: Final = 16

_cache: OrderedDict[tuple[object, ...], object] = OrderedDict()
# Finished spilling tables apart from the parsed ranges, so that many of them (a matrix per
# year) never push out the panel every other formula reads.
# An entry is the table's rows, or until it is asked for a second time the function that
# builds them (see cached_table).
_tables: OrderedDict[tuple[object, ...], list[list[object]] | Callable[[], list[list[object]]]] = (
    OrderedDict()
)


def as_rows(value: object) -> list[list[object]]:
    """Any range value as a list of rows (a scalar is one row of one cell)."""
    if isinstance(value, list | tuple):
        if not value:
            return []
        if all(map(isinstance, value, repeat((list, tuple)))):  # loops in C: ranges are long
            return list(map(list, value))
        return [list(value)]
    return [[value]]


def trim_blank_rows(rows: list[list[object]]) -> list[list[object]]:
    """Drop the blank rows at the end of a generously selected range, cheaply.

    Comparing a whole row with a row of ``None`` runs in C, so 200,000 blank rows cost a
    few milliseconds; blank rows in the middle are skipped later by the panel reader.
    """
    if not rows:
        return rows
    blank = [None] * len(rows[-1])
    end = len(rows)
    while end and (rows[end - 1] == blank or all(is_missing(v) for v in rows[end - 1])):
        end -= 1
    return rows[:end]


def panel_from_cells(data: object, indicators: object = None) -> Panel:
    """The panel held in a data range (header row first), cached on the range's content.

    Repeated calls over the same range (hundreds of formulas reading one Data sheet) parse
    and standardise it once: the cache key is the cells' content, not the range address,
    so an edit to any cell makes a new key.
    """
    return panel_with_key(data, indicators)[0]


def panel_with_key(data: object, indicators: object = None) -> tuple[Panel, tuple[object, ...]]:
    """:func:`panel_from_cells`, and the key of the range's content and indicators.

    The key is what :func:`cached_table` needs to cache a result computed from the panel,
    so the range is read for its key once per call.
    """
    names = tuple(split_list(indicators)) if not is_missing_arg(indicators) else ()
    raw = drop_blank_tail(data)
    content = _content_key(raw)
    panel = _cached(Panel, raw, content, names, lambda rows: _build_panel(rows, names))
    return panel, (content, names)


def cached_table(
    key: tuple[object, ...], build: Callable[[], list[list[object]]]
) -> list[list[object]]:
    """A spilling table built once per ``key`` (a range's content key, then the options).

    ``build`` must return new row lists each time. The first call hands its caller the rows
    just built, uncopied, and keeps ``build`` itself: most tables are asked for once (a
    new year typed, an edited cell), and copying 40,000 cells for a cache that is never
    read would cost a tenth of the call. A second call builds the cache's own copy; every
    later call gets new row lists holding the same cells (floats and text, which cannot
    change), so a caller that edits its table never changes what the next call returns.
    A :class:`SieiError` from ``build`` propagates and nothing is cached.
    """
    try:
        entry = _tables[key]
    except KeyError:
        rows = build()
        _tables[key] = build
        if len(_tables) > TABLE_CACHE_SIZE:
            _tables.popitem(last=False)
        return rows
    _tables.move_to_end(key)
    if not isinstance(entry, list):
        entry = _tables[key] = entry()
    return list(map(list, entry))


def expert_summary_from_cells(experts: object, scale: object) -> pd.DataFrame:
    """The summary of the expert poll held in a range (:func:`siei_xl.experts.expert_summary`),
    cached on the range's content and the scale: a table of SIEI_EXPERT cells reads one
    poll many times, and Kendall's W is computed once per poll, not once per cell."""
    raw = drop_blank_tail(experts)
    return _cached(
        pd.DataFrame, raw, _content_key(raw), (str(scale),), lambda rows: _summary(rows, scale)
    )


def _summary(rows: list[list[object]], scale: object) -> pd.DataFrame | SieiError:
    try:
        return expert_summary(ExpertScores.from_cells(rows, scale=scale))
    except SieiError as exc:
        return exc


def flows_from_cells(flows: object) -> Flows:
    """The flow table held in a range (reporter, partner, year, value), cached likewise."""
    raw = drop_blank_tail(flows)
    return _cached(Flows, raw, _content_key(raw), (), _build_flows)


T = TypeVar("T")


def _cached(
    kind: type[T],
    raw: object,
    content: object,
    options: tuple[object, ...],
    build: Callable[[list[list[object]]], T | SieiError],
) -> T:
    """What ``build`` makes of the rows of ``raw`` (a range without its blank tail), cached
    on ``content`` (its :func:`_content_key`) and ``options``."""
    key = (kind.__name__, content, options)
    try:
        hit = _cache[key]
    except KeyError:
        hit = build(trim_blank_rows(as_rows(raw)))
        _cache[key] = hit
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    if isinstance(hit, SieiError):
        # A copy: raising the cached instance itself would chain every call's traceback
        # (and with it every call's arguments) onto it, a leak that grows with each call.
        raise copy.copy(hit)
    return cast(T, hit)


def _build_flows(rows: list[list[object]]) -> Flows | SieiError:
    if len(rows) < 2:
        return DataError(
            "flows must be a range with a header row (reporter, partner, year, value) and at "
            "least one row"
        )
    try:
        return Flows.from_cells(rows)
    except SieiError as exc:
        return exc


def drop_blank_tail(value: object) -> object:
    """A list of rows without its trailing rows of blanks, found by comparisons run in C.

    A range selected generously (``A1:D200000``) arrives with every blank row; copying and
    checking each of them in Python would cost a quarter of a second per call. Whole
    slices are compared with a blank template, galloping back from the end, so 200,000
    blank rows cost about a millisecond. A range without such rows, and anything else, is
    returned as it is, not copied (and :func:`trim_blank_rows` still handles rows of
    missing markers).
    """
    if not isinstance(value, list | tuple) or not value or not isinstance(value[-1], list | tuple):
        return value
    width = len(value[-1])
    blank: list[None] | tuple[None, ...] = (
        [None] * width if isinstance(value[-1], list) else (None,) * width
    )
    end, step = len(value), 1
    while end and step:
        k = min(step, end)
        template = [blank] * k if isinstance(value, list) else (blank,) * k
        if value[end - k : end] == template:
            end -= k
            step = min(2 * step, 1 << 16)
        else:
            step //= 2
    return value if end == len(value) else value[:end]


def _content_key(value: object) -> object:
    """A hashable key equal for equal cell content and types, built in C where possible.

    A range seen lately (:data:`_recent`) is recognised by comparing it with a copy kept
    of it, which runs in C and is cheaper than writing it out again; its key then is the
    same object, whose hash is already known. Anything else gets :func:`_written_key`.
    """
    if not _worth_remembering(value):
        return _written_key(value)
    for seen in _recent:
        if seen.matches(value):
            _recent.remove(seen)
            _recent.insert(0, seen)
            return seen.key
    key = _written_key(value)
    remembered = _SeenRange.of(cast(Sequence[Sequence[object]], value), key)
    if remembered is not None:
        _recent.insert(0, remembered)
        del _recent[RECENT_RANGES:]
    return key


def _written_key(value: object) -> object:
    """The content written out: usually the bytes of a pickle written without its memo
    (``fast`` mode: no object sharing, so equal content gives equal bytes whatever the
    identity of its objects).

    It tells TRUE from 1.0 and FALSE from 0.0, which a tuple comparison does not, it is a
    format that reads back to one content only, and bytes cache their hash. It is the
    cheapest such writer measured (about 15% below ``marshal``, which copies every text
    cell as it writes it). Values pickle cannot write (objects of local classes, say)
    fall back to tuples of the cells plus the positions of any booleans.
    """
    buffer = io.BytesIO()
    writer = pickle.Pickler(buffer, protocol=5)
    writer.fast = True
    try:
        writer.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError):
        rows = as_rows(value)
        flags = tuple(
            (i, j) for i, row in enumerate(rows) for j, v in enumerate(row) if isinstance(v, bool)
        )
        return (tuple(map(tuple, rows)), flags)
    return buffer.getvalue()


RECENT_MIN_CELLS: Final = 1000
"""Smaller ranges are written out every time: comparing would save next to nothing."""
RECENT_RANGES: Final = 4
RECENT_MAX_CHECKED: Final = 256
"""A range with more cells that need a check of their own is not remembered."""


class _SeenRange:
    """A range seen lately: a copy of its rows, its key, and the cells that need a check
    of their own when a new range compares equal to the copy.

    Only ranges of floats, text and blanks are remembered (what Excel hands over for a
    data sheet). ``==`` on lists runs in C but cannot tell TRUE from 1.0, FALSE from 0.0
    or -0.0 from 0.0: any such difference sits in a cell equal to 0 or 1, so those few
    cells are compared by their written form. What ``==`` still takes as equal is a
    number of another type with the same value (2 for 2.0), which every reader turns into
    the same float. A NaN never equals itself, so a range holding one is written out again.
    """

    __slots__ = ("checked", "key", "rows")

    def __init__(
        self, rows: object, key: object, checked: tuple[tuple[int, int, bytes], ...]
    ) -> None:
        self.rows, self.key, self.checked = rows, key, checked

    @classmethod
    def of(cls, value: Sequence[Sequence[object]], key: object) -> _SeenRange | None:
        """The entry for ``value``, or None if it is not a range worth remembering. Every
        scan runs in C but the visits to the (few) cells equal to 0 or 1."""
        width = len(value[0])
        if not all(map(isinstance, value, repeat((list, tuple)))) or set(map(len, value)) != {
            width
        }:
            return None
        flat = list(chain.from_iterable(value))
        if not set(map(type, flat)) <= _PLAIN_CELLS:
            return None
        checked: list[tuple[int, int, bytes]] = []
        for probe in (0.0, 1.0):
            k = -1
            while True:
                try:
                    k = flat.index(probe, k + 1)
                except ValueError:
                    break
                if len(checked) == RECENT_MAX_CHECKED:
                    return None
                checked.append((k // width, k % width, pickle.dumps(flat[k], protocol=5)))
        # A copy of the same kind (list or tuple rows), so that == compares like with like
        # and no later edit of the caller's lists reaches it.
        copied = [type(row)(row) for row in value]  # type: ignore[call-arg]
        return cls(type(value)(copied), key, tuple(checked))  # type: ignore[call-arg]

    def matches(self, value: object) -> bool:
        if value != self.rows:
            return False
        rows = cast(Sequence[Sequence[object]], value)
        return all(pickle.dumps(rows[i][j], protocol=5) == b for i, j, b in self.checked)


_PLAIN_CELLS: Final = frozenset({float, str, type(None)})


def _worth_remembering(value: object) -> bool:
    """Rows (lists or tuples) of at least about :data:`RECENT_MIN_CELLS` cells, judged by
    the first row (:meth:`_SeenRange.of` checks every row once)."""
    return (
        isinstance(value, list | tuple)
        and len(value) > 1
        and isinstance(value[0], list | tuple)
        and len(value) * len(value[0]) >= RECENT_MIN_CELLS
    )


_recent: list[_SeenRange] = []


def _build_panel(rows: list[list[object]], names: tuple[str, ...]) -> Panel | SieiError:
    if len(rows) < 2:
        return DataError(
            "data must be a range with a header row (country, year, indicators...) and at "
            "least one row of values"
        )
    top = header_row(rows)
    try:
        return Panel.from_rows(
            rows[top], rows[top + 1 :], indicators=list(names) or None, first_row_number=top + 2
        )
    except SieiError as exc:  # a bad range stays bad until its content changes: cache it
        return exc.with_traceback(None)


def clear_cache() -> None:
    """Forget every cached panel, flow table and finished table."""
    _cache.clear()
    _recent.clear()
    clear_tables()


def clear_tables() -> None:
    """Forget every finished table (the parsed ranges stay)."""
    _tables.clear()


def is_missing_arg(value: object) -> bool:
    """True for an omitted or blank optional argument."""
    if isinstance(value, list | tuple):
        return all(is_missing_arg(v) for v in value)
    return value is None or (isinstance(value, str) and not value.strip())


def one_value(value: object, name: str) -> object:
    """The single cell of an argument that must be one cell."""
    if isinstance(value, list | tuple):
        flat = [v for row in as_rows(value) for v in row if not is_missing_arg(v)]
        if len(flat) != 1:
            raise OptionError(f"{name} must be a single cell or value, got {len(flat)} values")
        return flat[0]
    return value


def label_arg(value: object, name: str) -> str:
    """A country label argument: trimmed text (a number such as 101 becomes '101')."""
    value = one_value(value, name)
    if value is None or is_missing_arg(value):
        raise OptionError(f"{name} is blank: give a country label such as KAZ")
    if isinstance(value, bool):
        raise OptionError(f"{name} must be a country label, got {value!r}")
    return label_text(value)


def year_arg(value: object, name: str = "year") -> int:
    """A year argument: 2015, 2015.0 or '2015'."""
    value = one_value(value, name)
    if value is None or is_missing_arg(value):
        raise OptionError(f"{name} is blank: give a year such as 2015")
    return parse_year(value, what=name)


def method_arg(value: object) -> str:
    """The standardize option; blank means the default."""
    value = one_value(value, "standardize")
    return STANDARDIZE if is_missing_arg(value) else check_method(value)


def ddof_arg(value: object) -> int:
    """The ddof option; blank means the default (1)."""
    value = one_value(value, "ddof")
    if is_missing_arg(value):
        return DDOF
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise OptionError(f"ddof must be 0 or 1, got {value!r}") from None
    return check_ddof(value)


def number_arg(value: object, name: str, default: float) -> float:
    """A positive number option; blank means ``default``."""
    value = one_value(value, name)
    if is_missing_arg(value):
        return default
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise OptionError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise OptionError(f"{name} must be a positive number, got {value!r}")
    return number


def labels_arg(value: object, name: str) -> list[str]:
    """Labels from a range (row, column or block) or comma-separated text."""
    labels = split_list(as_rows(value)) if isinstance(value, list | tuple) else split_list(value)
    if not labels:
        raise OptionError(f"{name} is empty: give labels in a range or as 'KAZ, RUS'")
    return labels


def optional_labels(value: object) -> list[str] | None:
    """Labels, or ``None`` when the argument is omitted or blank."""
    return None if is_missing_arg(value) else labels_arg(value, "labels")


def error_text(exc: SieiError) -> str:
    """``'#N/A: reason'``: the Excel error code, then the reason, within 255 characters."""
    text = f"{exc.excel_code}: {exc}"
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def cell_value(value: float, reason: str | None = None, code: str = "#N/A") -> object:
    """A number for a cell, or an error string when it is not available."""
    if math.isfinite(value):
        return float(value)  # a plain float: numpy scalars are not a COM type
    text = f"{code}: {reason or 'not available'}"
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def table(header: Sequence[object], rows: Sequence[Sequence[object]]) -> list[list[object]]:
    """A spilling result: header row, then rows."""
    return [list(header), *[list(r) for r in rows]]
