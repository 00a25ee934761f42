"""The ``doctor`` and ``excel selftest`` commands of ``siei-xl``: does the add-in work here?

Examples::

    siei-xl doctor
    siei-xl doctor --workbook my_siei.xlsm
    siei-xl excel selftest                  # Windows with Excel: the release check

``doctor`` runs the Python-side checks of the workbook's Self-test on any system (and on
Windows also looks at Excel, the xlwings add-in and the Trust Center); with ``--workbook``
it compares with what that workbook was built with. ``excel selftest`` drives Excel. Both
print one line per check; when a check fails they end with one error line and exit 2.
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

from siei_xl.excel import selftest
from siei_xl.exceptions import DataError, SieiError

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``doctor`` and ``excel`` subcommands to the ``siei-xl`` parser."""
    doctor = subparsers.add_parser(
        "doctor",
        help="check that Python, siei_xl, xlwings (and on Windows Excel) are ready",
        description=(
            "Run the Python-side checks of the workbook's Self-test: Python, the siei_xl and "
            "xlwings versions, xlwings' DLL (Windows), the functions module, one example "
            "computation, error values. On Windows also Excel, the xlwings add-in and the "
            "Trust Center's access to the VBA project."
        ),
    )
    doctor.add_argument(
        "--workbook",
        metavar="FILE",
        help="a SIEI workbook (.xlsm): compare with the versions and example value it was "
        "built with",
    )
    doctor.set_defaults(run=_run_doctor)

    excel = subparsers.add_parser("excel", help="commands that drive Excel (Windows)")
    excel.set_defaults(run=_excel_usage)
    excel_sub = excel.add_subparsers(title="excel commands", metavar="COMMAND")
    check = excel_sub.add_parser(
        "selftest",
        help="release check: open the template in Excel, load the example, compute, compare",
        description=(
            "Windows with Excel only. Opens the workbook read-only in a hidden Excel, checks "
            "the ribbon callbacks, loads the example, computes, compares every SIEI cell of "
            "Results with the pandas API and closes without saving."
        ),
    )
    check.add_argument(
        "workbook",
        nargs="?",
        default="workbook_template.xlsm",
        help="the workbook to check (default: workbook_template.xlsm here)",
    )
    check.set_defaults(run=_run_excel_selftest)


def workbook_build(path: str | Path) -> selftest.Build:
    """The ``SIEI_BUILD`` record of a SIEI workbook, read from its ``xl/workbook.xml``."""
    source = Path(path)
    if not source.is_file():
        raise DataError(f"workbook {str(source)!r} does not exist")
    try:
        with zipfile.ZipFile(source) as package:
            book = package.read("xl/workbook.xml").decode("utf-8")
    except (zipfile.BadZipFile, KeyError):
        raise DataError(f"{source.name!r} is not an Excel workbook (.xlsm)") from None
    match = re.search(r'<definedName name="SIEI_BUILD"[^>]*>"([^"<]*)"</definedName>', book)
    if match is None:
        raise DataError(
            f"{source.name!r} has no SIEI_BUILD record: not a SIEI workbook, or one built "
            "before siei_xl recorded it (take a fresh workbook_template.xlsm)"
        )
    return selftest.parse_build(match.group(1))


def _report(checks: list[selftest.Check]) -> None:
    print(selftest.format_report(checks))
    failed = [c.name for c in checks if c.status == selftest.FAIL]
    if failed:
        raise SieiError(
            f"{len(failed)} of {len(checks)} checks failed ({', '.join(failed)}); "
            "the fixes are listed above"
        )


def _run_doctor(args: argparse.Namespace) -> None:
    build = workbook_build(args.workbook) if args.workbook else None
    checks = selftest.python_checks(build)
    if sys.platform == "win32":
        checks += selftest.windows_checks()
    _report(checks)


def _excel_usage(args: argparse.Namespace) -> None:
    raise SieiError("say which: siei-xl excel selftest [WORKBOOK]")


def _run_excel_selftest(args: argparse.Namespace) -> None:
    from siei_xl.excel.release import excel_selftest

    _report(excel_selftest(Path(args.workbook)))
