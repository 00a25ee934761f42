"""The ``calc`` command of ``siei-xl``: the SIEI functions as a LibreOffice Calc extension.

Examples::

    siei-xl calc build -o siei.oxt
    siei-xl calc install                      # into your LibreOffice profile
    siei-xl calc install --profile /tmp/lo    # into the profile soffice
                                              # -env:UserInstallation=file:///tmp/lo uses
    siei-xl calc uninstall
"""

from __future__ import annotations

import argparse

from siei_xl.calc import extension, install

__all__ = ["register"]

PYTHON_HELP = (
    "the Python that runs siei_xl for LibreOffice (default: this one); it must have "
    "siei-xl installed"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``calc`` command and its subcommands to the ``siei-xl`` parser."""
    calc = subparsers.add_parser(
        "calc",
        help="the SIEI functions in LibreOffice Calc: build, install, uninstall the extension",
        description=(
            "The SIEI_* functions in LibreOffice Calc (25.2 or newer to open Excel files "
            "with SIEI formulas). The extension hands each call to siei_xl running in a "
            "Python of yours. Close LibreOffice before installing or uninstalling."
        ),
    )
    sub = calc.add_subparsers(title="actions", metavar="ACTION")

    build = sub.add_parser("build", help="write the extension (.oxt)")
    build.add_argument("-o", "--output", required=True, metavar="OXT", help="e.g. siei.oxt")
    build.add_argument("--python", metavar="PATH", help=PYTHON_HELP)
    build.add_argument("--force", action="store_true", help="replace OXT if it exists")
    build.set_defaults(run=_run_build, outputs=(("output", (".oxt",)),))

    for name, text in (("install", "install into"), ("uninstall", "remove from")):
        action = sub.add_parser(name, help=f"{text} your LibreOffice profile (or --profile)")
        action.add_argument(
            "--profile",
            metavar="DIR",
            help="a LibreOffice user-profile folder, as soffice "
            "-env:UserInstallation=file:///DIR uses it (created if missing)",
        )
        if name == "install":
            action.add_argument("--python", metavar="PATH", help=PYTHON_HELP)
        action.set_defaults(run=_run_install if name == "install" else _run_uninstall)
    calc.set_defaults(run=lambda args: calc.print_help())


def _run_build(args: argparse.Namespace) -> None:
    out = extension.build(args.output, python=args.python, force=args.force)
    print(f"wrote {out}")


def _run_install(args: argparse.Namespace) -> None:
    print(install.install(args.profile, python=args.python))


def _run_uninstall(args: argparse.Namespace) -> None:
    print(install.uninstall(args.profile))
