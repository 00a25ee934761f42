"""The ``import`` and ``fetch`` commands of ``siei-xl``: real data in, the Data layout out.

Examples::

    siei-xl import long.csv Data_Extract_From_World_Development_Indicators.csv -o data.csv
    siei-xl import gdp_pc.csv --indicator gdp_pc --codes iso3 -o data.xlsx
    siei-xl fetch worldbank --countries KAZ,RUS,CHN --indicators NY.GDP.PCAP.PP.CD \\
        --years 2000-2020 -o wdi.csv
    siei-xl import dots.csv -o flows.csv --totals trade_world.csv
    siei-xl fetch imf --countries KAZ,RUS,CHN --years 2000-2020 -o flows.csv

Both write the output atomically and refuse to replace an existing file without
``--force``. They print one summary line; warnings go to standard error.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from siei_xl import bilateral, imf, importers, worldbank
from siei_xl.cli_common import TABLE_SUFFIXES
from siei_xl.exceptions import OptionError

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``import`` and ``fetch`` subcommands to the ``siei-xl`` parser."""
    imp = subparsers.add_parser(
        "import",
        help="turn long, World Bank or CIS tables into the Data layout",
        description=(
            "Convert CSV/XLSX tables to the Data layout (country, year, one column per "
            "indicator) and merge them: long tables (country, year, indicator, value), World "
            "Bank downloads (years as columns, '..' for missing), tables of one indicator "
            "with countries in rows and years as columns (CIS Stat), or the Data layout."
        ),
    )
    imp.add_argument("files", nargs="+", metavar="FILE", help="CSV or XLSX files to merge")
    _output(imp)
    imp.add_argument(
        "--indicator",
        metavar="NAME",
        help="name of the indicator of tables with years as columns (default: the file name)",
    )
    imp.add_argument(
        "--codes",
        choices=("iso3",),
        help="iso3: replace country names (English or Russian, post-Soviet states and "
        "neighbours) by ISO3 codes; unknown names are kept and reported",
    )
    imp.add_argument("--sheet", help="sheet of the workbooks (default: Data, else the first)")
    imp.add_argument(
        "--unit",
        help="flows only: the unit of the values (e.g. 'USD millions'), when the file does "
        "not say it",
    )
    imp.add_argument(
        "--kind",
        choices=bilateral.KINDS,
        help="a published bilateral table: trade (IMF DOTS/IMTS, UN Comtrade; recognised "
        "without --kind), migration (UN DESA migrant stock), remittances (World Bank "
        "bilateral remittance matrix), students (UNESCO UIS), investment (IMF CDIS)",
    )
    imp.add_argument(
        "--year", type=int, help="remittances: the year of the matrix, when its title lacks it"
    )
    imp.add_argument(
        "--totals",
        metavar="FILE",
        help="trade flows only: also write each reporter's total with the World (Data "
        "layout: country, year, trade_world_<unit>), a base for trade shares",
    )
    imp.set_defaults(
        run=_run_import, outputs=(("output", TABLE_SUFFIXES), ("totals", TABLE_SUFFIXES))
    )

    fetch = subparsers.add_parser(
        "fetch",
        help="download indicators from the World Bank or bilateral trade from the IMF (cached)",
        description=(
            "worldbank: World Development Indicators through the World Bank API client "
            "(wbgapi), written in the Data layout. imf: bilateral goods trade (IMTS: exports "
            "FOB + imports CIF = turnover as each reporter reports it, US$) through the "
            "IMF's SDMX API (sdmx1), written in the Flows layout. Each request is cached "
            "(default ~/.cache/siei_xl/<source>, or $SIEI_CACHE/<source>)."
        ),
    )
    fetch.add_argument("source", choices=("worldbank", "imf"), help="where to fetch from")
    fetch.add_argument("--countries", required=True, help="economy codes, e.g. KAZ,RUS,CHN")
    fetch.add_argument(
        "--indicators", help="worldbank: series codes, e.g. NY.GDP.PCAP.PP.CD,SP.POP.TOTL"
    )
    fetch.add_argument("--partners", help="imf: partner codes (default: the countries themselves)")
    fetch.add_argument(
        "--totals",
        metavar="FILE",
        help="imf: also write each reporter's trade with the World (Data layout)",
    )
    fetch.add_argument("--years", required=True, help="a year or a range, e.g. 2000-2020")
    _output(fetch)
    fetch.add_argument("--refresh", action="store_true", help="ignore the cached copy")
    fetch.add_argument("--cache-dir", metavar="DIR", help="folder of the cache")
    fetch.set_defaults(
        run=_run_fetch, outputs=(("output", TABLE_SUFFIXES), ("totals", TABLE_SUFFIXES))
    )


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="the .csv or .xlsx file to write"
    )
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")


def _run_import(args: argparse.Namespace) -> None:
    importers.check_output(args.output, force=args.force)  # before the work, not after
    if args.totals:
        importers.check_output(args.totals, force=args.force)
    if args.kind not in (None, "trade"):
        if len(args.files) != 1:
            raise OptionError(f"import one {args.kind} table at a time")
        flows = bilateral.read_bilateral(
            args.files[0], args.kind, unit=args.unit, year=args.year, sheet=args.sheet
        )
        _write_flows(flows, args, origin=f"{args.kind}: {bilateral.BASES[args.kind]} as base")
        return
    tables = [importers.read_table(f, sheet=args.sheet) for f in args.files]
    layouts = [bilateral.detect_flow_layout(t) for t in tables]
    if any(layouts):
        _import_flows(args, tables, layouts)
        return
    if args.kind == "trade":
        bilateral.to_flows(tables[0])  # says which columns a trade table needs
    if args.unit or args.totals or args.year:
        raise OptionError("--unit, --year and --totals apply to tables of bilateral flows only")
    frame = importers.import_files(
        args.files,
        indicator_names=args.indicator,
        to_iso3=args.codes == "iso3",
        sheet=args.sheet,
    )
    _write(frame, args, origin=f"from {len(args.files)} file(s)")


def _fetch_imf(args: argparse.Namespace) -> None:
    if args.indicators:
        raise OptionError("fetch imf takes no --indicators: it fetches exports and imports")
    if args.totals:
        importers.check_output(args.totals, force=args.force)
    flows = imf.fetch(
        args.countries,
        args.years,
        partners=args.partners,
        cache_dir=args.cache_dir,
        refresh=args.refresh,
    )
    cached = "from the cache" if flows.attrs["cache"] == "hit" else "downloaded"
    _write_flows(flows, args, origin=f"IMF IMTS, {cached}, fetched {flows.attrs['fetched']}")


def _import_flows(
    args: argparse.Namespace, tables: list[pd.DataFrame], layouts: list[str | None]
) -> None:
    if len(tables) != 1:
        raise OptionError(
            "import one table of bilateral flows at a time (it is not merged with other files)"
        )
    flows = bilateral.to_flows(tables[0], layout=layouts[0], unit=args.unit)
    _write_flows(flows, args, origin=f"{flows.attrs['layout']} layout")


def _write_flows(flows: pd.DataFrame, args: argparse.Namespace, *, origin: str) -> None:
    totals = flows.attrs["totals"]
    if args.totals and totals is None:
        raise OptionError("the flows have no totals with the World to write (no World rows)")
    out = importers.write_data(flows, args.output, force=args.force)
    turnover = {
        "imf_trade": ", turnover = exports + imports as each reporter reports it",
        "comtrade": ", turnover = exports + imports as each reporter reports it",
        "bilateral": ", both directions of each pair added up",
        "investment": ", inward + outward positions as each reporter reports them",
    }.get(flows.attrs["layout"], "")
    print(f"wrote {out}: {bilateral.flows_summary(flows)} ({origin}{turnover})")
    if args.totals:
        written = importers.write_data(totals.frame, args.totals, force=args.force)
        print(f"wrote {written}: totals with the World, {importers.summary(totals.frame)}")
    elif totals is not None:
        print("totals with the World set aside; write them with --totals FILE")
    for note in flows.attrs["notes"]:
        print(f"note: {note}")
    for warning in flows.attrs["warnings"]:
        print(f"siei-xl: warning: {warning}", file=sys.stderr)


def _run_fetch(args: argparse.Namespace) -> None:
    importers.check_output(args.output, force=args.force)
    if args.source == "imf":
        _fetch_imf(args)
        return
    if not args.indicators:
        raise OptionError("fetch worldbank needs --indicators, e.g. NY.GDP.PCAP.PP.CD")
    if args.partners or args.totals:
        raise OptionError("--partners and --totals apply to fetch imf only")
    frame = worldbank.fetch(
        args.countries,
        args.indicators,
        args.years,
        cache_dir=args.cache_dir,
        refresh=args.refresh,
    )
    cached = "from the cache" if frame.attrs["cache"] == "hit" else "downloaded"
    _write(frame, args, origin=f"World Bank WDI, {cached}, fetched {frame.attrs['fetched']}")


def _write(frame: pd.DataFrame, args: argparse.Namespace, *, origin: str) -> None:
    warnings = list(frame.attrs.get("warnings", []))
    out = importers.write_data(frame, args.output, force=args.force)
    count = len(warnings)
    print(
        f"wrote {out}: {importers.summary(frame)}, "
        f"{count} {'warning' if count == 1 else 'warnings'} ({origin})"
    )
    for warning in warnings:
        print(f"siei-xl: warning: {warning}", file=sys.stderr)
