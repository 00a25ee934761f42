"""Named groups of countries whose membership may change by year.

A group is either a plain list of labels (the same every year) or a name in a
:class:`Groups` book, where each member may carry a first and a last year (the Customs
Union of 2010: BLR, KAZ, RUS; the EAEU from 2015 adds ARM, KGZ).

The package ships a catalogue of integration groupings (``siei_xl/data/groupings.csv``:
EAEU, CU, EurAsEC, CIS, CA5, SCO, CAREC, UNION_STATE) with the date each country joined
and left and the treaty or official page behind each date. Every book falls back on it:
a name that is not one of the user's groups but is in the catalogue is the catalogue's
group, and a user's group of the same name wins (:meth:`Groups.origin` says which).

**How a date becomes a year.** A country counts as a member in every calendar year in
which it was a member on at least one day: from the year it joined to the year of its
last day (Kyrgyzstan joined the EAEU on 12 August 2015, so the EAEU has five members in
2015; Georgia left the CIS on 18 August 2009, so 2009 is its last CIS year). ``left`` is
the first day a country is no longer a member, so a grouping that ended when its
successor took over on 1 January 2015 (CU, EurAsEC) ends with 2014.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from siei_xl.exceptions import DataError, HeaderError, UnknownGroupError, closest
from siei_xl.files import check_input, csv_rows
from siei_xl.labels import is_missing, label_key, label_text, parse_number, split_list
from siei_xl.panel import header_row, read_sheet

__all__ = [
    "CATALOGUE_FILE",
    "Accession",
    "GroupSpec",
    "Groups",
    "Member",
    "catalogue",
    "membership_years",
    "resolve_group",
]

CATALOGUE_FILE: Final = Path(__file__).with_name("data") / "groupings.csv"
"""The built-in catalogue of integration groupings, one row per country and spell."""

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
    builtin : bool, default True
        Fall back on the built-in catalogue (:func:`catalogue`) for a name that is not
        one of ``groups``; a group of ``groups`` with a catalogue name wins.

    Examples
    --------
    >>> book = Groups({"EAEU": [Member("RUS", 2015), Member("KAZ", 2015), Member("ARM", 2015)],
    ...                "CU": ["BLR", "KAZ", "RUS"]})
    >>> book.members("EAEU", 2014)
    ()
    >>> book.members("eaeu", 2015)
    ('RUS', 'KAZ', 'ARM')
    >>> book.origin("EAEU"), book.origin("SCO")
    ('user', 'catalogue')
    >>> book.members("SCO", 2017)
    ('CHN', 'KAZ', 'KGZ', 'RUS', 'TJK', 'UZB', 'IND', 'PAK')
    """

    def __init__(
        self, groups: Mapping[str, Sequence[str | Member]] | None = None, *, builtin: bool = True
    ) -> None:
        groups = groups or {}
        self.builtin = builtin
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
        """The names of the book's own groups (not the catalogue's)."""
        return tuple(self._names.values())

    def __contains__(self, name: object) -> bool:
        """True for the book's own groups and, with ``builtin``, the catalogue's."""
        return self.origin(name) is not None

    def __repr__(self) -> str:
        return f"Groups({', '.join(self.names)})"

    def origin(self, name: object) -> str | None:
        """``'user'`` for the book's own group, ``'catalogue'`` for a built-in one, else None."""
        if not isinstance(name, str):
            return None
        key = label_key(name)
        if key in self._names:
            return "user"
        if self.builtin and key in catalogue().book._names:
            return "catalogue"
        return None

    def describe(self, name: str) -> str:
        """One line saying where the group ``name`` comes from, for notes and outputs.

        Examples
        --------
        >>> Groups({}).describe("eaeu")
        "group 'EAEU' (Eurasian Economic Union) from the built-in catalogue"
        >>> Groups({"EAEU": ["KAZ", "RUS"]}).describe("EAEU")
        "group 'EAEU' from your groups (it replaces the built-in group of that name)"
        """
        origin = self.origin(name)
        if origin == "catalogue":
            info = catalogue()
            label = info.book._names[label_key(name)]
            return f"group {label!r} ({info.full_names[label]}) from the built-in catalogue"
        if origin == "user":
            label = self._names[label_key(name)]
            shadow = (
                " (it replaces the built-in group of that name)"
                if label_key(name) in catalogue().book._names
                else ""
            )
            return f"group {label!r} from your groups{shadow}"
        raise self._unknown(name)

    def members(self, name: str, year: int) -> tuple[str, ...]:
        """Members of group ``name`` in ``year``, in the order they were listed."""
        return tuple(
            dict.fromkeys(m.country for m in self.all_members(name) if m.active(int(year)))
        )

    def all_members(self, name: str) -> tuple[Member, ...]:
        """Every membership spell of group ``name`` (the book's own, else the catalogue's)."""
        origin = self.origin(name)
        if origin == "user":
            return self._members[label_key(name)]
        if origin == "catalogue":
            return catalogue().book._members[label_key(name)]
        raise self._unknown(name)

    def _unknown(self, name: object) -> UnknownGroupError:
        text = label_text(name)
        known = [*self.names, *(catalogue().book.names if self.builtin else ())]
        return UnknownGroupError(f"group {text!r} is not defined{closest(text, known)}")

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

    A single label (text without commas, or a one-cell range) that names a group of
    ``groups`` is that group; one that names a group of the built-in catalogue (and no
    group of ``groups``) is the catalogue's group; anything else is a list of labels
    (comma-separated text or a sequence).

    Examples
    --------
    >>> resolve_group("EAEU", 2014), resolve_group("EAEU", 2015)
    ((), ('BLR', 'KAZ', 'RUS', 'ARM', 'KGZ'))
    >>> resolve_group("EAEU", 2015, Groups({"EAEU": ["KAZ", "RUS"]}))
    ('KAZ', 'RUS')
    >>> resolve_group("KAZ, RUS", 2015)
    ('KAZ', 'RUS')
    """
    name = group_name(group, groups)
    if name is not None:
        return (groups if groups is not None else _CATALOGUE_ONLY).members(name, year)
    members = tuple(split_list(group))
    if not members:
        raise DataError("the group is empty: give at least one country")
    return members


def group_name(group: object, groups: Groups | None = None) -> str | None:
    """The group name a group argument stands for, or None when it is a list of labels."""
    labels = split_list(group) if isinstance(group, str | list | tuple) else []
    if len(labels) != 1 or (isinstance(group, str) and "," in group):
        return None
    book = groups if groups is not None else _CATALOGUE_ONLY
    return labels[0] if labels[0] in book else None


def group_note(group: object, groups: Groups | None = None) -> str | None:
    """Where a named group argument comes from (see :meth:`Groups.describe`); None for a list.

    Examples
    --------
    >>> group_note("SCO")
    "group 'SCO' (Shanghai Cooperation Organisation) from the built-in catalogue"
    >>> group_note("KAZ,RUS") is None
    True
    """
    name = group_name(group, groups)
    if name is None:
        return None
    return (groups if groups is not None else _CATALOGUE_ONLY).describe(name)


# ------------------------------------------------------------------- the catalogue
@dataclass(frozen=True)
class Accession:
    """One row of the catalogue: a country's membership spell and its source."""

    group: str
    full_name: str
    country: str
    joined: str
    left: str
    status: str
    source: str
    note: str

    @property
    def years(self) -> tuple[int | None, int | None]:
        return membership_years(self.joined, self.left)


@dataclass(frozen=True)
class Catalogue:
    """The built-in groupings: a :class:`Groups` book plus names and sources."""

    book: Groups
    full_names: Mapping[str, str]
    accessions: tuple[Accession, ...]

    def rows(self, name: str) -> tuple[Accession, ...]:
        key = label_key(name)
        return tuple(a for a in self.accessions if label_key(a.group) == key)


_DATE: Final = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def membership_years(joined: str, left: str = "") -> tuple[int | None, int | None]:
    """First and last calendar year of a membership spell (any day of a year counts).

    ``joined`` is the first day of membership, ``left`` the first day without it; each
    is ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (blank: open). A spell that ends on
    1 January ends with the year before.

    Examples
    --------
    >>> membership_years("2015-08-12")  # KGZ joins the EAEU
    (2015, None)
    >>> membership_years("2010-01-01", "2015-01-01")  # the CU, superseded by the EAEU
    (2010, 2014)
    >>> membership_years("1993-12", "2009-08-18")  # GEO in the CIS
    (1993, 2009)
    """
    first = _date_parts(joined, "joined")
    last = _date_parts(left, "left")
    start = first[0] if first else None
    if not last:
        return start, None
    year, month, day = last
    if month == 1 and day == 1:
        return start, year - 1
    return start, year


def _date_parts(text: str, what: str) -> tuple[int, int | None, int | None] | None:
    text = (text or "").strip()
    if not text:
        return None
    match = _DATE.match(text)
    if not match:
        raise DataError(f"catalogue: {what} date {text!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None:
        dt.date(year or 0, month, day or 1)  # a real date, or ValueError
    return int(match[1]), month, day


@functools.cache
def catalogue() -> Catalogue:
    """The built-in catalogue of integration groupings (read once).

    Examples
    --------
    >>> catalogue().book.names[:3]
    ('EAEU', 'CU', 'EurAsEC')
    """
    with CATALOGUE_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    accessions = tuple(Accession(**{k: (v or "").strip() for k, v in r.items()}) for r in rows)
    spells: dict[str, list[Member]] = {}
    full_names: dict[str, str] = {}
    for a in accessions:
        start, end = a.years
        spells.setdefault(a.group, []).append(Member(a.country, start, end))
        full_names.setdefault(a.group, a.full_name)
    return Catalogue(Groups(spells, builtin=False), full_names, accessions)


# An empty book: it resolves names in the catalogue only.
_CATALOGUE_ONLY: Final = Groups({})
