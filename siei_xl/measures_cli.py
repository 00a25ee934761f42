"""The ``market``, ``sigma``, ``beta`` and ``composite`` commands of ``siei-xl``.

They follow the conventions of ``table``: the same data options, ``--years``, ``-o`` as
CSV (``--sep``, ``--decimal``, ``--bom``) or XLSX with the method columns and the n/a
reasons, and the same errors.

Examples::

    siei-xl market data.csv --flows trade.csv --base-indicator gdp_usd_m --focus KAZ \\
        --partners RUS,CHN --years 2000-2020
    siei-xl sigma data.csv --indicator gdp_pc_ppp --group EAEU --groups groups.csv \\
        --members fixed
    siei-xl beta data.csv --indicator gdp_pc_ppp --group KAZ,RUS,KGZ,ARM,BLR --years 2000-2020
    siei-xl composite scores.csv --higher trade --lower distance -o composite.xlsx
"""

from __future__ import annotations

import argparse

import pandas as pd

from siei_xl.classic import MEASURES, MEMBERS, beta_convergence, membership_changes, sigma_series
from siei_xl.cli_common import (
    add_data_options,
    add_output_options,
    emit,
    groups_of,
    load,
    print_group_source,
    require_partners,
    warn,
    years_of,
)
from siei_xl.composite import composite_index
from siei_xl.core.flows import AGGREGATORS
from siei_xl.exceptions import NonNumericError, OptionError
from siei_xl.groups import group_note
from siei_xl.job import market_table
from siei_xl.labels import parse_number, split_list
from siei_xl.market import Flows
from siei_xl.panel import read_cells, table_frame

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``market``, ``sigma``, ``beta`` and ``composite`` subcommands."""
    market = add_data_options(
        subparsers.add_parser(
            "market", help="market integration of a focus country with partners, by year"
        )
    )
    market.add_argument("--flows", required=True, help="CSV/XLSX: reporter,partner,year,value")
    market.add_argument(
        "--base-indicator", required=True, help="data column that scales the flows (e.g. GDP)"
    )
    market.add_argument("--focus", required=True, help="the focus country, e.g. KAZ")
    market.add_argument("--partners", required=True, help="comma-separated partners")
    market.add_argument("--region", help="also: with and within this group or list")
    market.add_argument("--region-label", default="Region", help="name of the region")
    market.add_argument("--aggregator", choices=AGGREGATORS, default=AGGREGATORS[0])
    market.set_defaults(run=_run_market)

    sigma = add_data_options(
        subparsers.add_parser("sigma", help="sigma convergence: dispersion of a level by year")
    )
    _level_options(sigma)
    sigma.add_argument("--measure", choices=MEASURES, default=MEASURES[0])
    sigma.set_defaults(run=_run_sigma)

    beta = add_data_options(
        subparsers.add_parser("beta", help="beta convergence: catch-up over a span of years")
    )
    _level_options(beta)
    beta.set_defaults(run=_run_beta)

    composite = subparsers.add_parser(
        "composite", help="composite index of score columns of a table (0 to 1)"
    )
    composite.add_argument("table", help="CSV/XLSX table: label columns and score columns")
    composite.add_argument("--sheet", help="sheet of a workbook (default: Data, else the first)")
    composite.add_argument("--higher", help="columns where higher = more integrated")
    composite.add_argument("--lower", help="columns where lower = more integrated (distances)")
    composite.add_argument("--weights", help="column=weight pairs, e.g. trade=2,distance=1")
    add_output_options(composite)
    composite.set_defaults(run=_run_composite)


def _level_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--indicator", required=True, help="a positive level, e.g. GDP per capita")
    parser.add_argument("--group", required=True, help="members (comma-separated) or a name")
    parser.add_argument(
        "--members",
        choices=MEMBERS,
        default=MEMBERS[0],
        help="as-of-year: each year's members; fixed: the members of the last year throughout",
    )


def _run_market(args: argparse.Namespace) -> None:
    require_partners(args)
    panel = load(args)
    flows = Flows.from_cells(read_cells(args.flows, what="flows file"))
    years = years_of(args, panel)
    book = groups_of(args)
    focus = panel.country(args.focus)
    table = market_table(
        flows,
        panel,
        args.base_indicator,
        focus,
        split_list(args.partners),
        region=args.region,
        region_label=args.region_label,
        groups=book,
        years=years,
        aggregator=args.aggregator,
    )
    notes: dict[int, list[str]] = table.attrs["year_notes"]
    for warning in table.attrs["warnings"]:
        warn(warning)
    units = table.attrs["units"]
    if args.output:
        out = table.copy()
        out["base_indicator"] = args.base_indicator
        out["aggregator"] = args.aggregator
        out["units"] = units
        out["note"] = ["; ".join(notes.get(int(y), [])) for y in table.index]
        emit(out, args, title="", index=True)
        print_group_source(table.attrs["group_source"])
        return
    print(
        f"Market integration of {focus} (flows over {args.base_indicator}, "
        f"aggregator {args.aggregator}; higher = more integrated), {panel}"
    )
    if units:
        print(f"units: {units}")
    print_group_source(table.attrs["group_source"])
    flat = [f"note {y}: {n}" for y, ns in sorted(notes.items()) for n in ns]
    emit(table, args, title="", index=True, notes=flat)


def _run_sigma(args: argparse.Namespace) -> None:
    panel = load(args)
    result = sigma_series(
        panel,
        args.indicator,
        args.group,
        groups=groups_of(args),
        years=years_of(args, panel),
        measure=args.measure,
        ddof=args.ddof,
        members=args.members,
    )
    frame = result.series.copy()
    fit = result.trend
    frame["measure"] = result.measure
    frame["ddof"] = args.ddof
    frame["indicator"] = args.indicator
    frame["members_rule"] = args.members
    source = frame.attrs["group_source"]
    if args.output:
        emit(frame, args, title="", index=False)
        print_group_source(source)
        return
    print(
        f"Sigma convergence of {args.indicator} in {args.group} ({result.measure}, "
        f"ddof={args.ddof}, members {args.members}), {panel}"
    )
    print_group_source(source)
    emit(frame[["year", "sigma", "n", "membership", "note"]], args, title="", index=False)
    print(
        f"trend of sigma: {fit.slope:.5f} per year (se {fit.se:.5f}, t {fit.t:.2f}, "
        f"{fit.n} years); negative = convergence"
    )
    for year, change in frame.attrs["membership_changes"].items():
        note = _membership_note(args.members, "sigma")
        print(f"  membership changed in {year} ({change}): {note}")


def _membership_note(members: str, measure: str) -> str:
    if members == "fixed":
        return f"{measure} uses the members of the last year throughout"
    if measure == "beta":
        return "beta uses the members of the first year; --members fixed, those of the last"
    return "a jump here may come from the new members alone; --members fixed keeps one set"


def _run_beta(args: argparse.Namespace) -> None:
    panel = load(args)
    years = years_of(args, panel) or list(panel.years)
    start, end = years[0], years[-1]
    if start == end:
        raise OptionError(f"beta needs a span of years, got only {start}: give --years FROM-TO")
    book = groups_of(args)
    result = beta_convergence(
        panel, args.indicator, args.group, start, end, groups=book, members=args.members
    )
    changes = membership_changes(args.group, years, book)
    row = {"indicator": args.indicator, "group": args.group, "start": start, "end": end}
    row.update(result._asdict())
    row["members_rule"] = args.members
    row["membership_changes"] = "; ".join(f"{y}: {c}" for y, c in changes.items())
    frame = pd.DataFrame([row])
    source = group_note(args.group, book)
    if args.output:
        emit(frame, args, title="", index=False)
        print_group_source(source)
        return
    print(
        f"Beta convergence of {args.indicator} in {args.group}, {start}-{end} "
        f"(members {args.members}), {panel}"
    )
    print_group_source(source)
    for key in ("b", "se", "t", "p", "a", "r2", "n", "years", "speed", "half_life"):
        value = row[key]
        print(f"  {key:<10} {value:.6g}" if isinstance(value, float) else f"  {key:<10} {value}")
    print("  b < 0: poorer members grew faster (convergence)")
    for year, change in changes.items():
        note = _membership_note(args.members, "beta")
        print(f"  membership changed in {year} ({change}): {note}")


def _run_composite(args: argparse.Namespace) -> None:
    frame = table_frame(read_cells(args.table, sheet=args.sheet, what="table"))
    directions = dict.fromkeys(split_list(args.higher), "higher")
    for name in split_list(args.lower):
        if name in directions:
            raise OptionError(f"column {name!r} is given both as --higher and --lower")
        directions[name] = "lower"
    if not directions:
        raise OptionError("name the score columns: --higher COLUMNS and/or --lower COLUMNS")
    for name in directions:
        if name in frame.columns:
            frame[name] = _numbers(frame[name], name)
    result = composite_index(frame, directions, weights=_weights(args.weights))
    emit(result, args, title="Composite index (1 = the most integrated row)", index=False)


def _numbers(column: pd.Series, name: str) -> list[float]:
    out: list[float] = []
    for row_no, cell in enumerate(column, start=2):
        number = parse_number(cell)
        if number is None:
            raise NonNumericError(
                f"row {row_no}, column {name!r}: {cell!r} is not a number; use a decimal "
                "point, and a blank or '..' for missing"
            )
        out.append(number)
    return out


def _weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    weights: dict[str, float] = {}
    for part in split_list(text):
        name, sep, value = part.partition("=")
        number = parse_number(value) if sep else None
        if number is None or number != number:
            raise OptionError(f"--weights takes column=number pairs, got {part!r}")
        weights[name.strip()] = number
    return weights
