"""The ``presets``, ``experts`` and ``report`` commands of ``siei-xl``.

Examples::

    siei-xl presets
    siei-xl presets monetary
    siei-xl experts poll.csv --scale 1-10 -o summary.csv
    siei-xl report macro_long.csv --flows trade.csv --group EAEU --groups groups.csv \\
        --years 2010-2020 -o eaeu_report --lang ru
"""

from __future__ import annotations

import argparse

from siei_xl import presets

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``presets``, ``experts`` and ``report`` subcommands to ``siei-xl``."""
    pre = subparsers.add_parser(
        "presets",
        help="list the SIEI indices (presets) or show one",
        description="The SIEI indices shipped with siei_xl: block, series, direction, notes.",
    )
    pre.add_argument("name", nargs="?", help="show this preset in full")
    pre.add_argument("--presets", metavar="FILE", help="a TOML file laid over the shipped presets")
    pre.set_defaults(run=_run_presets)


def _run_presets(args: argparse.Namespace) -> None:
    book = presets.load(args.presets)
    if args.name is None:
        width = max(len(n) for n in book)
        for name, p in book.items():
            print(f"{name:<{width}}  {p.block:<11}  {p.title}: {p.describe()}")
        return
    p = presets.get(args.name, book)
    print(f"{p.name}: {p.title} ({p.title_ru})" if p.title_ru else f"{p.name}: {p.title}")
    print(f"  block      {p.block}")
    meaning = "closer" if p.block == "convergence" else "more integrated"
    print(f"  direction  {p.direction} = {meaning}")
    if p.block == "market":
        print(f"  flow       {p.flow} ({p.flow_unit})")
        print(f"  base       {p.base} ({p.base_unit}), times {p.base_scale:g} to flow units")
    for ind in p.indicators:
        extra = "".join(
            [
                f", else {', '.join(ind.fallback)}" if ind.fallback else "",
                f", {ind.transform}" if ind.transform else "",
            ]
        )
        print(f"  indicator  {ind.label}: {ind.code}{extra}")
    if p.note:
        print(f"  note       {p.note}")
