"""The ``siei-xl`` command line: the SIEI without Excel.

Examples::

    siei-xl demo
    siei-xl table data.csv --focus KAZ --partners RUS,CHN,KGZ --region RUS,CHN,KGZ
    siei-xl pair data.xlsx KAZ RUS --indicators gdp_pc_ppp,gdp_growth
    siei-xl matrix data.csv --year 2015
    siei-xl cv data.csv --group KAZ,RUS,KGZ
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from siei_xl import __version__, data_cli, groups_cli, report_cli
from siei_xl._defaults import CV_LIMIT, DDOF, STANDARDIZE, STANDARDIZE_METHODS
from siei_xl.calc import cli as calc_cli
from siei_xl.convergence import (
    convergence_table,
    group_cv_series,
    group_distance_series,
    pair_matrix,
    pair_series,
)
from siei_xl.example import EXAMPLE_NOTE
from siei_xl.excel import doctor_cli
from siei_xl.exceptions import SieiError
from siei_xl.groups import Groups
from siei_xl.panel import Panel, read_panel


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 bad input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        args.run(args)
    except SieiError as exc:
        print(f"siei-xl: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `siei-xl ... | head` closed the pipe: not an error
        return 0
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="siei-xl",
        description="System of Indicators of Eurasian Integration: convergence of economies.",
    )
    parser.add_argument("--version", action="version", version=f"siei-xl {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = sub.add_parser(
        "demo", help="fill the workbook from the built-in example: siei_demo.xlsm and .png"
    )
    demo.add_argument("--out-dir", default=".", help="folder for the two files (default: here)")
    demo.add_argument("--force", action="store_true", help="overwrite existing demo files")
    demo.add_argument("--quiet", action="store_true", help="print only errors")
    demo.set_defaults(run=_run_demo)

    fill = sub.add_parser("fill", help="fill a SIEI workbook headless (no Excel needed)")
    fill.add_argument("input", help="a SIEI workbook (.xlsm/.xlsx) or a data table (CSV/XLSX)")
    fill.add_argument("-o", "--output", help="the filled workbook to write (.xlsm)")
    fill.add_argument("--focus", help="focus country (overrides Settings)")
    fill.add_argument("--partners", help="comma-separated partners (overrides Settings)")
    fill.add_argument("--region", help="a group name or comma-separated countries")
    fill.add_argument("--region-label", help="title of the region column")
    fill.add_argument("--indicators", help="comma-separated indicator columns")
    fill.add_argument("--standardize", choices=STANDARDIZE_METHODS)
    fill.add_argument("--ddof", type=int, choices=(0, 1))
    fill.add_argument("--groups", help="CSV of named groups: group,country[,from,to]")
    fill.add_argument("--flows", help="CSV/XLSX of flows: reporter,partner,year,value")
    fill.add_argument("--base-indicator", help="data column that scales the flows (e.g. GDP)")
    fill.add_argument("--sigma-indicator", help="level column for sigma convergence")
    fill.add_argument("--png", help="also draw the chart into this PNG file")
    fill.add_argument("--force", action="store_true", help="overwrite an existing output")
    fill.add_argument(
        "--in-place", action="store_true", help="write over the input .xlsm, keeping a backup"
    )
    fill.add_argument("--quiet", action="store_true", help="print only errors")
    fill.set_defaults(run=_run_fill)

    build = sub.add_parser("build-template", help="write the empty SIEI template workbook")
    build.add_argument(
        "-o", "--output", default="workbook_template.xlsm", help="default: %(default)s"
    )
    build.add_argument("--force", action="store_true", help="overwrite an existing file")
    build.set_defaults(run=_run_build_template)

    table = _with_data(sub.add_parser("table", help="focus country vs partners and region"))
    table.add_argument("--focus", required=True, help="the focus country, e.g. KAZ")
    table.add_argument("--partners", required=True, help="comma-separated partners")
    table.add_argument("--region", help="region members (comma-separated) or a group name")
    table.add_argument("--region-label", default="Region", help="column name of the region")
    table.set_defaults(run=_run_table)

    pair = _with_data(sub.add_parser("pair", help="distance between two countries, every year"))
    pair.add_argument("country_a")
    pair.add_argument("country_b")
    pair.set_defaults(run=_run_pair)

    group = _with_data(sub.add_parser("group", help="distance from a country to a group"))
    group.add_argument("country")
    group.add_argument("--group", required=True, help="members (comma-separated) or a name")
    group.set_defaults(run=_run_group)

    cv = _with_data(sub.add_parser("cv", help="coefficient of variation within a group"))
    cv.add_argument("--group", required=True, help="members (comma-separated) or a name")
    cv.add_argument("--cv-limit", type=float, default=CV_LIMIT, help="refuse |CV| above this")
    cv.set_defaults(run=_run_cv)

    matrix = _with_data(sub.add_parser("matrix", help="all-pairs distance matrix of a year"))
    matrix.add_argument("--year", required=True, type=int)
    matrix.add_argument("--countries", help="comma-separated; default all with data")
    matrix.set_defaults(run=_run_matrix)
    data_cli.register(sub)
    doctor_cli.register(sub)
    report_cli.register(sub)
    groups_cli.register(sub)
    calc_cli.register(sub)
    return parser


def _with_data(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("data", help="CSV or XLSX file, long or wide (see README)")
    parser.add_argument("--sheet", help="sheet of a workbook (default: Data, else the first)")
    parser.add_argument("--indicators", help="comma-separated indicator columns (default all)")
    parser.add_argument("--standardize", default=STANDARDIZE, choices=STANDARDIZE_METHODS)
    parser.add_argument("--ddof", type=int, default=DDOF, choices=(0, 1))
    parser.add_argument("--groups", help="CSV of named groups: group,country[,from,to]")
    parser.add_argument("--years", help="a year range such as 2000-2020")
    parser.add_argument("-o", "--output", help="write the result as CSV here")
    return parser


def _load(args: argparse.Namespace) -> Panel:
    return read_panel(args.data, sheet=args.sheet, indicators=args.indicators)


def _groups(args: argparse.Namespace) -> Groups | None:
    return Groups.read(args.groups) if args.groups else None


def _years(args: argparse.Namespace, panel: Panel) -> list[int] | None:
    if not args.years:
        return None
    text = str(args.years)
    first, _, last = text.partition("-")
    try:
        lo, hi = int(first), int(last or first)
    except ValueError:
        raise SieiError(f"--years must look like 2000-2020, got {text!r}") from None
    return [y for y in panel.years if lo <= y <= hi]


def _options(args: argparse.Namespace, panel: Panel) -> dict[str, object]:
    return {
        "years": _years(args, panel),
        "standardize": args.standardize,
        "ddof": args.ddof,
    }


def _emit(frame: pd.DataFrame, args: argparse.Namespace, *, title: str, index: bool) -> None:
    if getattr(args, "output", None):
        out = Path(args.output)
        frame.to_csv(out, index=index)
        print(f"wrote {out}")
        return
    print(title)
    print(frame.to_string(index=index, float_format=lambda v: f"{v:.3f}", na_rep="n/a"))


def _print_table(table: pd.DataFrame, title: str) -> None:
    print(title)
    attrs = table.attrs
    print(
        f"indicators: {', '.join(attrs['indicators'])}; "
        f"standardize={attrs['standardize']}, ddof={attrs['ddof']}; lower = closer"
    )
    print(table.to_string(float_format=lambda v: f"{v:.3f}", na_rep="n/a"))
    for note in table.attrs["notes"]:
        print(f"  n/a {note}")


def _run_demo(args: argparse.Namespace) -> None:
    from siei_xl.excel.fill import Progress, demo

    report = demo(args.out_dir, force=args.force, step=Progress(5, quiet=args.quiet))
    if args.quiet:
        return
    print(EXAMPLE_NOTE)
    _print_table(
        report.result.distances,
        "Convergence of Kazakhstan with its neighbours and the border region "
        "(distance in standardised GDP per capita and real growth)",
    )
    print(f"wrote {report.output} and {report.png}")


def _run_fill(args: argparse.Namespace) -> None:
    from siei_xl.excel.fill import Progress, fill

    options = {
        "Focus country": args.focus,
        "Partners": args.partners,
        "Region": args.region,
        "Region label": args.region_label,
        "Indicators": args.indicators,
        "Standardize": args.standardize,
        "ddof": args.ddof,
        "Base indicator": args.base_indicator,
        "Sigma indicator": args.sigma_indicator,
    }
    report = fill(
        args.input,
        args.output,
        options=options,
        groups_path=args.groups,
        flows_path=args.flows,
        force=args.force,
        in_place=args.in_place,
        png=args.png,
        progress=Progress(6 if args.png else 5, quiet=args.quiet),
    )
    if args.quiet:
        return
    print(f"filled {report.output}: {report.result.summary}")
    if report.backup:
        print(f"backup of the input: {report.backup}")
    if report.png:
        print(f"chart: {report.png}")
    if report.warnings:
        print(f"{len(report.warnings)} warning(s):")
        for warning in report.warnings:
            print(f"  {warning}")


def _run_build_template(args: argparse.Namespace) -> None:
    from siei_xl.excel.template import build_template

    print(f"wrote {build_template(args.output, force=args.force)}")


def _run_table(args: argparse.Namespace) -> None:
    panel = _load(args)
    table = convergence_table(
        panel,
        args.focus,
        args.partners,
        region=args.region,
        region_label=args.region_label,
        groups=_groups(args),
        indicators=args.indicators,
        **_options(args, panel),  # type: ignore[arg-type]
    )
    if args.output:
        _emit(table, args, title="", index=True)
        return
    _print_table(table, f"Convergence of {panel.country(args.focus)} ({panel})")


def _run_pair(args: argparse.Namespace) -> None:
    panel = _load(args)
    frame = pair_series(panel, args.country_a, args.country_b, **_options(args, panel))  # type: ignore[arg-type]
    _emit(frame[["year", "distance", "n_countries", "note"]], args, title=str(panel), index=False)


def _run_group(args: argparse.Namespace) -> None:
    panel = _load(args)
    frame = group_distance_series(
        panel,
        args.country,
        args.group,
        groups=_groups(args),
        **_options(args, panel),  # type: ignore[arg-type]
    )
    _emit(frame[["year", "members", "distance", "note"]], args, title=str(panel), index=False)


def _run_cv(args: argparse.Namespace) -> None:
    panel = _load(args)
    options = _options(args, panel)
    options.pop("standardize")
    frame = group_cv_series(
        panel,
        args.group,
        groups=_groups(args),
        cv_limit=args.cv_limit,
        **options,  # type: ignore[arg-type]
    )
    _emit(frame[["year", "members", "cv", "note"]], args, title=str(panel), index=False)


def _run_matrix(args: argparse.Namespace) -> None:
    panel = _load(args)
    frame = pair_matrix(
        panel, args.year, countries=args.countries, standardize=args.standardize, ddof=args.ddof
    )
    _emit(frame, args, title=f"{panel}, {args.year}", index=True)


if __name__ == "__main__":
    sys.exit(main())
