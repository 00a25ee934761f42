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
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn, cast

import pandas as pd

from siei_xl import __version__, data_cli, groups_cli, measures_cli, report_cli
from siei_xl._defaults import CV_LIMIT, STANDARDIZE_METHODS
from siei_xl.calc import cli as calc_cli
from siei_xl.classic import membership_changes
from siei_xl.cli_common import (
    add_data_options,
    check_paths,
    emit,
    groups_of,
    load,
    method_options,
    print_group_source,
    require_partners,
    write_table,
)
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
from siei_xl.i18n import LANGUAGES

REPORT_TO = "the siei_xl issue tracker"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    The one error boundary of ``siei-xl``: 0 done; 2 a mistake in the command or its
    input (a usage error, or a :class:`SieiError`), told in one line on stderr with
    nothing written; 1 a bug in siei_xl, told in a short message saying where to report
    it (the traceback only with ``--debug``); 130 interrupted.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help and --version (0), or a usage error already told (2)
        return exc.code if isinstance(exc.code, int) else 2
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    debug = bool(getattr(args, "debug", False))
    try:
        check_paths(args)  # every output checked before the first byte of work
        args.run(args)
    except SieiError as exc:
        return _fail(str(exc))
    except BrokenPipeError:  # `siei-xl ... | head` closed the pipe: not an error
        # Python flushes stdout at exit and would complain about the closed pipe there:
        # point stdout at /dev/null (the recipe of the signal module's documentation)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("siei-xl: interrupted; no output was written", file=sys.stderr)
        return 130
    except OSError as exc:  # the system refused a file: permissions, a full disk ...
        if debug:
            traceback.print_exc()
        where = f" {exc.filename!s}" if exc.filename else ""
        return _fail(f"cannot use{where}: {exc.strerror or exc}")
    except Exception as exc:  # noqa: BLE001 - the boundary: any other exception is a bug
        if debug:
            traceback.print_exc()
        hint = "" if debug else " (run again with --debug for the details)"
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(
            f"siei-xl: internal error ({type(exc).__name__}: {first}); this is a bug in "
            f"siei-xl {__version__}, not in your input: please report it to {REPORT_TO} with "
            f"the command you ran{hint}",
            file=sys.stderr,
        )
        return 1
    return 0


def _fail(message: str) -> int:
    print(f"siei-xl: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("siei-xl").strip()
        where = f"{command}: " if command else ""
        self.exit(2, f"siei-xl: error: {where}{message} (see {self.prog} --help)\n")


LANG_HELP = "language of the workbook's texts: en (default) or ru"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="siei-xl",
        description="System of Indicators of Eurasian Integration: convergence of economies.",
    )
    parser.add_argument("--version", action="version", version=f"siei-xl {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of a bug")
    # the command modules take the standard action; its parsers are _Parser all the same
    sub = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(title="commands", metavar="COMMAND"),
    )

    demo = sub.add_parser(
        "demo", help="fill the workbook from the built-in example: siei_demo.xlsm and .png"
    )
    demo.add_argument("--out-dir", default=".", help="folder for the two files (default: here)")
    demo.add_argument("--force", action="store_true", help="overwrite existing demo files")
    demo.add_argument("--quiet", action="store_true", help="print only errors")
    demo.add_argument("--lang", default="en", choices=LANGUAGES, help=LANG_HELP)
    demo.set_defaults(run=_run_demo, outputs=())

    fill = sub.add_parser("fill", help="fill a SIEI workbook headless (no Excel needed)")
    fill.add_argument("input", help="a SIEI workbook (.xlsm/.xlsx) or a data table (CSV/XLSX)")
    fill.add_argument("-o", "--output", help="the filled workbook to write (.xlsm)")
    fill.add_argument("--sheet", help="sheet of a data table in a workbook (default: Data)")
    fill.add_argument("--focus", help="focus country (overrides Settings)")
    fill.add_argument("--partners", help="comma-separated partners (overrides Settings)")
    fill.add_argument("--region", help="a group name or comma-separated countries")
    fill.add_argument("--region-label", help="title of the region column")
    fill.add_argument("--indicators", help="comma-separated indicator columns")
    fill.add_argument("--standardize", choices=STANDARDIZE_METHODS)
    fill.add_argument("--ddof", type=int, choices=(0, 1))
    fill.add_argument("--years", help="a year or a span such as 2000-2020")
    fill.add_argument("--groups", help="CSV or XLSX of named groups: group,country[,from,to]")
    fill.add_argument("--flows", help="CSV/XLSX of flows: reporter,partner,year,value")
    fill.add_argument("--base-indicator", help="data column that scales the flows (e.g. GDP)")
    fill.add_argument("--sigma-indicator", help="level column for sigma convergence")
    fill.add_argument("--png", help="also draw the chart into this PNG file")
    fill.add_argument("--title", help="title of the PNG chart")
    fill.add_argument("--source", help="data-source line under the PNG chart")
    fill.add_argument("--force", action="store_true", help="overwrite an existing output")
    fill.add_argument(
        "--in-place", action="store_true", help="write over the input .xlsm, keeping a backup"
    )
    fill.add_argument("--quiet", action="store_true", help="print only errors")
    fill.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of the workbook's texts: en or ru (default: the Settings sheet's "
        "Language, else en)",
    )
    fill.add_argument(
        "--preset",
        help="a SIEI index (macro, monetary, fiscal, financial) choosing the indicators "
        "(unless --indicators is given)",
    )
    fill.set_defaults(run=_run_fill, outputs=(("output", (".xlsm",)), ("png", (".png",))))

    build = sub.add_parser("build-template", help="write the empty SIEI template workbook")
    build.add_argument(
        "-o", "--output", default="workbook_template.xlsm", help="default: %(default)s"
    )
    build.add_argument("--force", action="store_true", help="overwrite an existing file")
    build.add_argument("--lang", default="en", choices=LANGUAGES, help=LANG_HELP)
    build.set_defaults(run=_run_build_template, outputs=(("output", (".xlsm",)),))

    table = add_data_options(sub.add_parser("table", help="focus country vs partners and region"))
    table.add_argument("--focus", required=True, help="the focus country, e.g. KAZ")
    table.add_argument("--partners", required=True, help="comma-separated partners")
    table.add_argument("--region", help="region members (comma-separated) or a group name")
    table.add_argument("--region-label", default="Region", help="column name of the region")
    table.add_argument("--png", help="also draw the table as a chart into this PNG file")
    table.add_argument("--title", help="title of the PNG chart")
    table.add_argument("--source", help="data-source line under the PNG chart")
    table.set_defaults(run=_run_table)
    table.set_defaults(outputs=(("output", (".csv", ".xlsx")), ("png", (".png",))))

    pair = add_data_options(sub.add_parser("pair", help="distance between two countries"))
    pair.add_argument("country_a")
    pair.add_argument("country_b")
    pair.set_defaults(run=_run_pair)

    group = add_data_options(sub.add_parser("group", help="distance from a country to a group"))
    group.add_argument("country")
    group.add_argument("--group", required=True, help="members (comma-separated) or a name")
    group.set_defaults(run=_run_group)

    cv = add_data_options(sub.add_parser("cv", help="coefficient of variation within a group"))
    cv.add_argument("--group", required=True, help="members (comma-separated) or a name")
    cv.add_argument("--cv-limit", type=float, default=CV_LIMIT, help="refuse |CV| above this")
    cv.set_defaults(run=_run_cv)

    matrix = add_data_options(sub.add_parser("matrix", help="all-pairs distance matrix of a year"))
    matrix.add_argument("--year", required=True, type=int)
    matrix.add_argument("--countries", help="comma-separated; default all with data")
    matrix.set_defaults(run=_run_matrix)
    data_cli.register(sub)
    doctor_cli.register(sub)
    report_cli.register(sub)
    groups_cli.register(sub)
    calc_cli.register(sub)
    measures_cli.register(sub)
    for command in sub.choices.values():
        # --debug is also accepted after the command; SUPPRESS keeps the global value
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    return parser


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


def table_with_method(table: pd.DataFrame) -> pd.DataFrame:
    """A convergence table with the method columns and each year's n/a reasons, as the
    pandas series carry them, for a file."""
    out = table.copy()
    attrs = table.attrs
    out["standardize"] = attrs["standardize"]
    out["ddof"] = attrs["ddof"]
    out["indicators"] = ",".join(attrs["indicators"])
    year_notes = attrs.get("year_notes", {})
    out["note"] = ["; ".join(year_notes.get(int(y), [])) for y in table.index]
    return out


def _run_demo(args: argparse.Namespace) -> None:
    from siei_xl.excel.fill import Progress, demo

    report = demo(
        args.out_dir, force=args.force, step=Progress(5, quiet=args.quiet), lang=args.lang
    )
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
    from siei_xl.labels import parse_span

    first = last = None
    if args.years is not None:
        first, last = parse_span(args.years, what="--years")
    options = {
        "Focus country": args.focus,
        "Partners": args.partners,
        "Region": args.region,
        "Region label": args.region_label,
        # --preset chooses the indicators: the sheet's Indicators would win over it
        "Indicators": "" if args.preset and args.indicators is None else args.indicators,
        "Standardize": args.standardize,
        "ddof": args.ddof,
        "First year": first,
        "Last year": last,
        "Base indicator": args.base_indicator,
        "Sigma indicator": args.sigma_indicator,
        "Preset": args.preset,
        "Language": args.lang,
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
        sheet=args.sheet,
        title=args.title,
        source_line=args.source,
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

    print(f"wrote {build_template(args.output, force=args.force, lang=args.lang)}")


def _run_table(args: argparse.Namespace) -> None:
    require_partners(args)
    panel = load(args)
    book = groups_of(args)
    table = convergence_table(
        panel,
        args.focus,
        args.partners,
        region=args.region,
        region_label=args.region_label,
        groups=book,
        indicators=args.indicators,
        **method_options(args, panel),  # type: ignore[arg-type]
    )
    changes = membership_changes(args.region, list(table.index), book) if args.region else {}
    title = args.title or f"Convergence of {panel.country(args.focus)} with its partners"
    if args.png:
        from siei_xl.plot import plot_convergence

        plot_convergence(
            table,
            args.png,
            title=title,
            region_column=args.region_label if args.region else None,
            source_note=args.source or "",
            universe=len(panel.countries),
            marks=changes,
        )
    if args.output:
        out = table_with_method(table)
        if book is not None and args.region in book:  # a named group may change members
            out["membership"] = [changes.get(int(y), "") for y in table.index]
        print(f"wrote {write_table(out, args.output, args, index=True)}")
    else:
        _print_table(table, f"{title} ({panel})")
        for year, change in changes.items():
            print(
                f"  {args.region_label} membership changed in {year} ({change}): a jump that "
                "year may come from the change of members"
            )
    if args.png:
        print(f"chart: {args.png}")


def _run_pair(args: argparse.Namespace) -> None:
    panel = load(args)
    frame = pair_series(panel, args.country_a, args.country_b, **method_options(args, panel))  # type: ignore[arg-type]
    if args.output:
        emit(frame, args, title="", index=False)
        return
    emit(frame[["year", "distance", "n_countries", "note"]], args, title=str(panel), index=False)


def _run_group(args: argparse.Namespace) -> None:
    panel = load(args)
    frame = group_distance_series(
        panel,
        args.country,
        args.group,
        groups=groups_of(args),
        **method_options(args, panel),  # type: ignore[arg-type]
    )
    if args.output:
        emit(frame, args, title="", index=False)
        print_group_source(frame.attrs["group_source"])
        return
    print_group_source(frame.attrs["group_source"])
    emit(frame[["year", "members", "distance", "note"]], args, title=str(panel), index=False)


def _run_cv(args: argparse.Namespace) -> None:
    panel = load(args)
    options = method_options(args, panel)
    options.pop("standardize")
    frame = group_cv_series(
        panel,
        args.group,
        groups=groups_of(args),
        cv_limit=args.cv_limit,
        **options,  # type: ignore[arg-type]
    )
    if args.output:
        emit(frame, args, title="", index=False)
        print_group_source(frame.attrs["group_source"])
        return
    print_group_source(frame.attrs["group_source"])
    emit(frame[["year", "members", "cv", "note"]], args, title=str(panel), index=False)


def _run_matrix(args: argparse.Namespace) -> None:
    panel = load(args)
    frame = pair_matrix(
        panel, args.year, countries=args.countries, standardize=args.standardize, ddof=args.ddof
    )
    if args.output:
        out = frame.copy()
        out["year"] = args.year
        out["standardize"] = frame.attrs.get("standardize", args.standardize)
        out["ddof"] = frame.attrs.get("ddof", args.ddof)
        out["indicators"] = ",".join(frame.attrs.get("indicators", panel.indicators))
        emit(out, args, title="", index=True)
        return
    emit(frame, args, title=f"{panel}, {args.year}", index=True)


if __name__ == "__main__":
    sys.exit(main())
