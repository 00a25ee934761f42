"""Named groups of countries whose membership may change by year.

A group is either a plain list of labels (the same every year) or a name in a
:class:`Groups` book, where each member may carry a first and a last year (the Customs
Union of 2010: BLR, KAZ, RUS; the EAEU from 2015 adds ARM, KGZ).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from siei_xl.exceptions import DataError, HeaderError, UnknownGroupError, closest
from siei_xl.files import check_input, csv_rows
from siei_xl.labels import is_missing, label_key, label_text, parse_number, split_list
from siei_xl.panel import header_row, read_sheet

__all__ = ["GroupSpec", "Groups", "Member", "resolve_group"]

GROUP_HEADERS = ("group", "name", "group name")
MEMBER_HEADERS = ("country", "member", "iso3", "code", "country code")
FROM_HEADERS = ("from", "from year", "from_year", "start", "start year", "since")
TO_HEADERS = ("to", "to year", "to_year", "end", "end year", "until")


@dataclass(frozen=True)
class Member:
    """A country's membership of a group, from ``start`` to ``end`` inclusive."""

    country: str
    start: int | None = None
    end: int | None = None

    def active(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


class Groups:
    """A book of named groups.

    Parameters
    ----------
    groups : mapping of str to sequence of str or Member
        Group name to members. Plain strings are members in every year.

    Examples
    --------
    >>> book = Groups({"EAEU": [Member("RUS", 2015), Member("KAZ", 2015), Member("ARM", 2015)],
    ...                "CU": ["BLR", "KAZ", "RUS"]})
    >>> book.members("EAEU", 2014)
    ()
    >>> book.members("eaeu", 2015)
    ('RUS', 'KAZ', 'ARM')
    """

    def __init__(self, groups: Mapping[str, Sequence[str | Member]]) -> None:
        self._names: dict[str, str] = {}
        self._members: dict[str, tuple[Member, ...]] = {}
        for name, members in groups.items():
            key = label_key(name)
            if not key:
                raise DataError("a group name is blank")
            if key in self._names:
                raise DataError(f"group {name!r} is defined twice")
            self._names[key] = label_text(name)
            self._members[key] = tuple(
                m if isinstance(m, Member) else Member(label_text(m)) for m in members
            )
            for m in self._members[key]:
                if m.start is not None and m.end is not None and m.start > m.end:
                    raise DataError(
                        f"group {name!r}: {m.country} joins in {m.start} after leaving in {m.end}"
                    )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._names.values())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and label_key(name) in self._names

    def __repr__(self) -> str:
        return f"Groups({', '.join(self.names)})"

    def members(self, name: str, year: int) -> tuple[str, ...]:
        """Members of group ``name`` in ``year``, in the order they were listed."""
        key = label_key(name)
        if key not in self._members:
            raise UnknownGroupError(f"group {name!r} is not defined{closest(name, self.names)}")
        return tuple(m.country for m in self._members[key] if m.active(year))

    def all_members(self, name: str) -> tuple[Member, ...]:
        key = label_key(name)
        if key not in self._members:
            raise UnknownGroupError(f"group {name!r} is not defined{closest(name, self.names)}")
        return self._members[key]

    @classmethod
    def from_rows(cls, header: Sequence[object], rows: Iterable[Sequence[object]]) -> Groups:
        """Read a table with columns group, country and optional from / to years."""
        columns = [label_key(h) if h is not None else "" for h in header]

        def find(accepted: Sequence[str], required: bool) -> int | None:
            for name in accepted:
                if name in columns:
                    return columns.index(name)
            if required:
                raise HeaderError(
                    f"the groups table needs a column headed {accepted[0]!r}; "
                    f"found {', '.join(repr(c) for c in columns if c) or 'no headers'}"
                )
            return None

        g_col = find(GROUP_HEADERS, True)
        m_col = find(MEMBER_HEADERS, True)
        f_col = find(FROM_HEADERS, False)
        t_col = find(TO_HEADERS, False)
        book: dict[str, list[Member]] = {}
        names: dict[str, str] = {}
        for offset, row in enumerate(rows):
            cells = list(row)
            if all(is_missing(v) for v in cells):
                continue
            row_no = offset + 2

            def cell(col: int | None, cells: list[object] = cells) -> object:
                return cells[col] if col is not None and col < len(cells) else None

            name, country = cell(g_col), cell(m_col)
            if is_missing(name) or is_missing(country):
                raise DataError(f"groups row {row_no}: both a group name and a country are needed")
            key = label_key(name)
            names.setdefault(key, label_text(name))
            book.setdefault(names[key], []).append(
                Member(
                    label_text(country),
                    _year_or_none(cell(f_col), row_no),
                    _year_or_none(cell(t_col), row_no),
                )
            )
        return cls(book)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Groups:
        rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        return cls.from_rows([str(c) for c in frame.columns], rows)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Groups:
        """Read groups from a CSV file or the ``Groups`` sheet of a workbook."""
        file = check_input(path, what="groups file")
        rows: list[list[object]]
        if file.suffix.lower() in {".xlsx", ".xlsm"}:
            sheet = read_sheet(file, "Groups", header=None)
            rows = [list(r) for r in sheet.itertuples(index=False, name=None)]
        else:
            rows = [list[object](r) for r in csv_rows(file)[0]]
        rows = rows[header_row(rows, GROUP_HEADERS, MEMBER_HEADERS) :]
        if not rows:
            raise DataError(f"groups file {file.name!r} holds no table")
        return cls.from_rows(rows[0], rows[1:])


def _year_or_none(value: object, row_no: int) -> int | None:
    if is_missing(value):
        return None
    number = parse_number(value)
    if number is None or not float(number).is_integer():
        raise DataError(f"groups row {row_no}: {value!r} is not a year")
    return int(number)


GroupSpec = str | Sequence[str]
"""A group argument: a list of labels, comma-separated labels, or a name in a book."""


def resolve_group(group: object, year: int, groups: Groups | None = None) -> tuple[str, ...]:
    """Members of a group argument in a given year.

    A string that names a group in ``groups`` is that group; any other string is a
    comma-separated list of labels; a sequence is a list of labels.
    """
    if isinstance(group, str) and groups is not None and group in groups:
        return groups.members(group, year)
    members = tuple(split_list(group))
    if not members:
        raise DataError("the group is empty: give at least one country")
    return members
