"""What every table command of ``siei-xl`` shares: the data options, the year span, and
the output (CSV with a chosen separator, decimal mark and BOM, or a real XLSX workbook).

The command modules (:mod:`siei_xl.cli`, :mod:`siei_xl.measures_cli`) build on these so
that ``table``, ``pair``, ``market``, ``sigma`` ... take the same options and write their
results the same way.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import pandas as pd

from siei_xl import files
from siei_xl._defaults import DDOF, STANDARDIZE, STANDARDIZE_METHODS
from siei_xl.exceptions import OptionError
from siei_xl.groups import Groups
from siei_xl.labels import parse_span, split_list
from siei_xl.panel import Panel, read_panel, years_in_span

__all__ = [
    "TABLE_SUFFIXES",
    "add_data_options",
    "add_output_options",
    "emit",
    "groups_of",
    "load",
    "print_group_source",
    "warn",
    "write_table",
    "years_of",
]

TABLE_SUFFIXES: Final = (".csv", ".xlsx")
INPUT_OPTIONS: Final = {
    "data": "input",
    "input": "input",
    "files": "input",
    "table": "input",
    "flows": "flows file",
    "groups": "groups file",
    "file": "input",
    "experts": "expert poll file",
    "presets": "presets file",
}
"""Attributes of parsed arguments that name input files, and what to call them."""
_SEPARATORS: Final = {",": ",", ";": ";", "tab": "\t"}


def add_data_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The data file and the options every convergence command takes."""
    parser.add_argument("data", help="CSV or XLSX file, long or wide (see README)")
    parser.add_argument("--sheet", help="sheet of a workbook (default: Data, else the first)")
    parser.add_argument("--indicators", help="comma-separated indicator columns (default all)")
    parser.add_argument("--standardize", default=STANDARDIZE, choices=STANDARDIZE_METHODS)
    parser.add_argument("--ddof", type=int, default=DDOF, choices=(0, 1))
    parser.add_argument("--groups", help="CSV or XLSX of named groups: group,country[,from,to]")
    parser.add_argument("--years", help="a year or a span such as 2000-2020")
    add_output_options(parser)
    return parser


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``-o``, ``--force`` and the CSV format options."""
    parser.add_argument(
        "-o", "--output", help="write the result here: .csv, or .xlsx for a workbook"
    )
    parser.add_argument("--force", action="store_true", help="replace the output if it exists")
    parser.add_argument(
        "--sep",
        choices=tuple(_SEPARATORS),
        help="CSV field separator (default ','; ';' for a Russian-locale Excel)",
    )
    parser.add_argument(
        "--decimal", choices=(".", ","), help="CSV decimal mark (default '.'; ',' with --sep ';')"
    )
    parser.add_argument(
        "--bom",
        action="store_true",
        help="start the CSV with a UTF-8 byte-order mark, so Excel reads Cyrillic labels",
    )
    parser.set_defaults(outputs=(("output", TABLE_SUFFIXES),))


def check_paths(args: argparse.Namespace) -> None:
    """Check every file a command names before any work: inputs exist and are files, and
    outputs pass :func:`files.check_output` (never an input, never replaced without
    ``--force``)."""
    inputs: list[str] = []
    for name, what in INPUT_OPTIONS.items():
        value = getattr(args, name, None)
        given = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for path in given:
            files.check_input(path, what=what)
            inputs.append(str(path))
    force = bool(getattr(args, "force", False))
    for dest, suffixes in getattr(args, "outputs", (("output", TABLE_SUFFIXES),)):
        path = getattr(args, dest, None)
        if path:
            files.check_output(
                path,
                force=force,
                suffixes=suffixes,
                inputs=inputs,
                what="-o" if dest == "output" else f"--{dest}",
            )
    _csv_format(args)


def require_partners(args: argparse.Namespace) -> None:
    """Refuse a blank ``--partners`` without a ``--region``: there would be nothing to show."""
    if not split_list(args.partners) and not split_list(args.region):
        raise OptionError("--partners is empty: give at least one partner, or a --region")


def load(args: argparse.Namespace) -> Panel:
    return read_panel(args.data, sheet=args.sheet, indicators=args.indicators)


def groups_of(args: argparse.Namespace) -> Groups | None:
    return Groups.read(args.groups) if args.groups else None


def years_of(args: argparse.Namespace, panel: Panel) -> list[int] | None:
    """The panel's years inside ``--years``; None (all years) when not given."""
    if args.years is None:
        return None
    lo, hi = parse_span(args.years, what="--years")
    return years_in_span(panel, lo, hi, what="--years")


def method_options(args: argparse.Namespace, panel: Panel) -> dict[str, object]:
    """Keyword arguments of the convergence functions: years, standardize, ddof."""
    return {"years": years_of(args, panel), "standardize": args.standardize, "ddof": args.ddof}


def _csv_format(args: argparse.Namespace) -> tuple[str, str, str]:
    """Separator, decimal mark and encoding of a CSV output (checked before any work)."""
    sep_word, decimal, bom = (getattr(args, n, None) for n in ("sep", "decimal", "bom"))
    output = getattr(args, "output", None)
    is_csv = bool(output) and Path(str(output)).suffix.lower() == ".csv"
    if (sep_word or decimal or bom) and not is_csv:
        raise OptionError("--sep, --decimal and --bom shape a CSV output: give -o FILE.csv")
    sep = _SEPARATORS[sep_word or ","]
    decimal = decimal or ("," if sep == ";" else ".")
    if sep == decimal:
        raise OptionError(
            f"--decimal {decimal} is also the separator: use --sep ';' with --decimal ','"
        )
    return sep, decimal, "utf-8-sig" if bom else "utf-8"


def emit(
    frame: pd.DataFrame,
    args: argparse.Namespace,
    *,
    title: str,
    index: bool,
    notes: Sequence[str] = (),
) -> None:
    """Print ``frame`` (with its notes), or write it to ``-o`` as CSV or XLSX."""
    output = getattr(args, "output", None)
    if output:
        out = write_table(frame, output, args, index=index)
        print(f"wrote {out}")
        return
    if title:
        print(title)
    print(frame.to_string(index=index, float_format=lambda v: f"{v:.3f}", na_rep="n/a"))
    for note in notes:
        print(f"  {note}")


def warn(text: str) -> None:
    """One warning line on stderr, as the command line words them."""
    print(f"siei-xl: warning: {text}", file=sys.stderr)


def print_group_source(source: object) -> None:
    """Say which group a name stood for (the user's, or the built-in catalogue's)."""
    if source:
        print(f"{source}")


def write_table(
    frame: pd.DataFrame, path: str | os.PathLike[str], args: argparse.Namespace, *, index: bool
) -> Path:
    """Write ``frame`` atomically: ``.xlsx`` as a workbook, ``.csv`` in the chosen format."""
    out = Path(path)
    force = bool(getattr(args, "force", False))
    files.check_output(out, force=force, suffixes=TABLE_SUFFIXES, what="-o")
    if out.suffix.lower() == ".xlsx":
        return files.write_atomically(
            out,
            lambda temp: frame.to_excel(temp, index=index, sheet_name="siei", engine="openpyxl"),
        )
    sep, decimal, encoding = _csv_format(args)
    return files.write_atomically(
        out,
        lambda temp: frame.to_csv(
            temp, index=index, sep=sep, decimal=decimal, encoding=encoding, lineterminator="\n"
        ),
    )
