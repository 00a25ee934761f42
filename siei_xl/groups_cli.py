"""The ``groups`` command of ``siei-xl``: the built-in catalogue of integration groupings.

Examples::

    siei-xl groups                       # every grouping, its span and members today
    siei-xl groups EAEU --year 2016      # the members in one year, with dates and sources
    siei-xl groups EAEU --groups my.csv  # your group of that name wins over the catalogue
"""

from __future__ import annotations

import argparse

from siei_xl.exceptions import UnknownGroupError, closest
from siei_xl.groups import Groups, catalogue

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``groups`` subcommand to the ``siei-xl`` parser."""
    parser = subparsers.add_parser(
        "groups",
        help="list the built-in integration groupings, or the members of one in a year",
        description=(
            "The built-in catalogue of integration groupings (EAEU, CU, EurAsEC, CIS, CA5, "
            "SCO, CAREC, UNION_STATE) with the date and source of each membership. A country "
            "counts in every year in which it was a member on at least one day. Every "
            "command that takes --group or --region accepts these names; a group of the "
            "same name in --groups FILE wins."
        ),
    )
    parser.add_argument("name", nargs="?", help="a grouping, e.g. EAEU (default: list them all)")
    parser.add_argument("--year", type=int, help="the members in this year (default: all spells)")
    parser.add_argument("--groups", help="CSV of your groups: group,country[,from,to]")
    parser.set_defaults(run=_run_groups)


def _run_groups(args: argparse.Namespace) -> None:
    book = Groups.read(args.groups) if args.groups else Groups({})
    if args.name is None:
        _list(book, args.year)
        return
    name = args.name.strip()
    if name not in book:
        known = [*book.names, *catalogue().book.names]
        raise UnknownGroupError(
            f"group {name!r} is neither in the catalogue nor in your groups"
            f"{closest(name, known)}; run 'siei-xl groups' to list them"
        )
    print(book.describe(name))
    origin = book.origin(name)
    rows = {a.country: a for a in catalogue().rows(name)} if origin == "catalogue" else {}
    spells = book.all_members(name)
    if args.year is not None:
        members = book.members(name, args.year)
        if not members:
            years = [m.start for m in spells if m.start is not None]
            since = f" (its first members joined in {min(years)})" if years else ""
            print(f"{args.year}: no members{since}")
            return
        print(f"{args.year}: {len(members)} members: {', '.join(members)}")
        spells = tuple(m for m in spells if m.active(args.year))
    for member in spells:
        row = rows.get(member.country)
        if row is None:
            span = f"{member.start or '...'}-{member.end or ''}"
            print(f"  {member.country}  {span}")
            continue
        left = f" to {row.left}" if row.left else ""
        print(f"  {member.country}  {row.status} from {row.joined}{left}; source: {row.source}")
        if row.note:
            print(f"       note: {row.note}")


def _list(book: Groups, year: int | None) -> None:
    info = catalogue()
    for name in info.book.names:
        shadowed = " [replaced by your group of that name]" if name in book.names else ""
        if year is not None:
            members = info.book.members(name, year)
            listed = ", ".join(members) if members else "no members"
            print(f"{name:<12} {info.full_names[name]} in {year}: {listed}{shadowed}")
            continue
        spells = info.book.all_members(name)
        first = min(m.start for m in spells if m.start is not None)
        ends = [m.end for m in spells]
        last = "" if any(e is None for e in ends) else str(max(e for e in ends if e is not None))
        countries = ", ".join(dict.fromkeys(m.country for m in spells))
        print(f"{name:<12} {info.full_names[name]} ({first}-{last}): {countries}{shadowed}")
    for name in book.names:
        if name not in info.book.names and year is None:
            countries = ", ".join(dict.fromkeys(m.country for m in book.all_members(name)))
            print(f"{name:<12} your group: {countries}")
