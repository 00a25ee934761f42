"""Does the add-in work here? The checks behind ``=SIEI_SELFTEST()``, the ribbon's Self-test
button and ``siei-xl doctor``.

The chain a SIEI cell depends on, in order: the Python xlwings starts, the siei_xl and
xlwings versions the workbook's VBA was generated for, xlwings' DLL beside that Python
(Windows), the UDF module importing, one example computation giving the value stored in
the workbook when it was built, and a failure coming back as ``"#N/A: reason"`` text (the
workbook's VBA turns it into a real error value; the ribbon's dialog checks that part in
VBA). Each check says what it found and, when it fails, the fix.

The workbook carries its build in the defined name ``SIEI_BUILD``, e.g.
``siei_xl=0.1.0;xlwings=0.37.8;probe=1.2345``; :func:`build_text` writes it and
:func:`parse_build` reads it back.

On Windows ``siei-xl doctor`` adds what only the machine can tell (:func:`windows_checks`):
Excel registered, the xlwings add-in, the Trust Center's access to the VBA project object
model. Those read the registry through a function passed in, so tests can stand it in.
"""

from __future__ import annotations

import math
import os
import struct
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from siei_xl import __version__
from siei_xl.exceptions import SieiError

OK: Final = "ok"
FAIL: Final = "FAIL"
SKIP: Final = "skip"
PROBE_ARGS: Final = ("KAZ", "RUS", 2015.0)
"""The example computation: =SIEI_PAIR(example data, "KAZ", "RUS", 2015)."""
PROBE_TOLERANCE: Final = 1e-10
"""Relative; the stored value has 12 significant digits."""
INSTALL_FIX: Final = "in a terminal: pip install siei-xl (it brings the matching xlwings)"


@dataclass(frozen=True)
class Check:
    """One link of the chain: its name, ok/FAIL/skip, what was found, the fix if it failed."""

    name: str
    status: str
    found: str
    fix: str = ""

    def row(self) -> list[object]:
        return [self.name, self.status, self.found, self.fix]


@dataclass(frozen=True)
class Build:
    """What the workbook was built with."""

    siei_xl: str
    xlwings: str
    probe: float


def probe_value() -> float:
    """The example computation, as a cell computes it: SIEI_PAIR over the example's rows."""
    from siei_xl import udfs
    from siei_xl.excel.fill import example_inputs

    data, _groups, _settings = example_inputs()
    value = udfs.SIEI_PAIR(data, *PROBE_ARGS)
    if not isinstance(value, float):
        raise RuntimeError(f"the example computation gave {value!r}, not a number")
    return value


def build_text(probe: float | None = None) -> str:
    """The ``SIEI_BUILD`` text of a workbook built now by this installation."""
    import xlwings

    value = probe_value() if probe is None else probe
    # 12 significant digits: the same text on every machine (the last bits of a float may
    # differ with the CPU's vector unit), far finer than any real change of a result
    return f"siei_xl={__version__};xlwings={xlwings.__version__};probe={value:.12g}"


def parse_build(text: object) -> Build:
    """Read a ``SIEI_BUILD`` text back.

    >>> parse_build("siei_xl=0.1.0;xlwings=0.37.8;probe=0.5")
    Build(siei_xl='0.1.0', xlwings='0.37.8', probe=0.5)
    """
    if not isinstance(text, str) or not text.strip():
        raise SieiError("give the workbook's build text, e.g. =SIEI_SELFTEST(SIEI_BUILD)")
    fields: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            fields[key.strip()] = value.strip()
    missing = [k for k in ("siei_xl", "xlwings", "probe") if k not in fields]
    if missing:
        raise SieiError(
            f"the build text {text[:60]!r} lacks {', '.join(missing)}: "
            "pass the defined name SIEI_BUILD, e.g. =SIEI_SELFTEST(SIEI_BUILD)"
        )
    try:
        probe = float(fields["probe"])
    except ValueError:
        raise SieiError(f"the build text's probe {fields['probe']!r} is not a number") from None
    return Build(fields["siei_xl"], fields["xlwings"], probe)


def dll_name(xlwings_version: str, bits: int | None = None) -> str:
    """The xlwings DLL the workbook's VBA loads, for this Python's bitness (Excel's must match)."""
    bits = bits or struct.calcsize("P") * 8
    return f"xlwings{bits}-{xlwings_version}.dll"


def dll_folders(executable: str | None = None) -> list[Path]:
    """Where the xlwings VBA looks for its DLL: beside python.exe, then one folder up
    (a virtual environment's Scripts folder); pip puts it in the environment's root."""
    exe = Path(executable or sys.executable)
    prefix = Path(sys.prefix)
    found = [exe.parent, exe.parent.parent, prefix]
    return list(dict.fromkeys(found))


def python_checks(
    build: Build | None = None,
    *,
    platform: str = sys.platform,
    executable: str | None = None,
) -> list[Check]:
    """Every check that Python itself can make, on any operating system."""
    import xlwings

    checks = [
        Check(
            "Python",
            OK,
            f"Python {sys.version.split()[0]} ({struct.calcsize('P') * 8}-bit) at "
            f"{executable or sys.executable}",
        )
    ]
    checks.append(_version_check("siei_xl", __version__, build.siei_xl if build else None))
    pinned = _pinned_xlwings()
    wanted = build.xlwings if build else pinned
    checks.append(_version_check("xlwings", xlwings.__version__, wanted))
    checks.append(_dll_check(xlwings.__version__, platform, executable))
    checks.append(_udf_module_check())
    if checks[-1].status == OK:  # the last two compute through that module
        checks.append(_probe_check(build))
        checks.append(_error_check())
    return checks


def _pinned_xlwings() -> str | None:
    """The xlwings version siei_xl's installed metadata pins (``xlwings==X``)."""
    from importlib import metadata

    try:
        requires = metadata.requires("siei-xl") or []
    except metadata.PackageNotFoundError:
        return None
    for req in requires:
        name, sep, version = req.partition("==")
        if sep and name.strip().lower() == "xlwings":
            return version.split(";")[0].strip()
    return None


def _version_check(name: str, installed: str, wanted: str | None) -> Check:
    if wanted is None:
        return Check(name, OK, f"{name} {installed} installed (no workbook to compare with)")
    if installed == wanted:
        return Check(name, OK, f"{name} {installed}, as the workbook's VBA expects")
    return Check(
        name,
        FAIL,
        f"{name} {installed} installed; the workbook was built for {wanted}",
        f"pip install {name.replace('_', '-')}=={wanted}, or use the workbook made by your "
        f"version (siei-xl build-template)",
    )


def _dll_check(version: str, platform: str, executable: str | None) -> Check:
    name = dll_name(version)
    if platform != "win32":
        return Check("xlwings DLL", SKIP, f"not used on {platform} (Windows Excel only)")
    folders = dll_folders(executable)
    for folder in folders:
        if (folder / name).is_file():
            return Check("xlwings DLL", OK, f"{name} in {folder}")
    return Check(
        "xlwings DLL",
        FAIL,
        f"{name} not found in {', '.join(str(f) for f in folders)}",
        f"{INSTALL_FIX}; with several Pythons, set Interpreter_Win to the one that has it",
    )


def _udf_module_check() -> Check:
    try:
        from siei_xl import udfs
    except ImportError as exc:  # a broken installation is what this check is for
        return Check("UDF module", FAIL, f"siei_xl.udfs does not import: {exc}", INSTALL_FIX)
    missing = [name for name in udfs.FUNCTIONS if not callable(getattr(udfs, name, None))]
    if missing:
        return Check("UDF module", FAIL, f"siei_xl.udfs lacks {', '.join(missing)}", INSTALL_FIX)
    return Check("UDF module", OK, f"siei_xl.udfs imports; {len(udfs.FUNCTIONS)} functions")


def _probe_check(build: Build | None) -> Check:
    value = probe_value()
    what = 'SIEI_PAIR(example, "KAZ", "RUS", 2015)'
    if build is None:
        return Check("example", OK, f"{what} = {value!r} (no stored value to compare with)")
    if math.isclose(value, build.probe, rel_tol=PROBE_TOLERANCE, abs_tol=0.0):
        return Check("example", OK, f"{what} = {value!r}, the value stored at build time")
    return Check(
        "example",
        FAIL,
        f"{what} = {value!r}; the workbook stored {build.probe!r}",
        "use the siei_xl version the workbook was built with (see the siei_xl line)",
    )


def _error_check() -> Check:
    from siei_xl import udfs
    from siei_xl.excel.fill import example_inputs

    data, _groups, _settings = example_inputs()
    value = udfs.SIEI_PAIR(data, "XXX", "RUS", 2015.0)
    if isinstance(value, str) and value.startswith("#N/A: "):
        return Check("error values", OK, f"a bad country gives {value[:60]!r}")
    return Check(
        "error values",
        FAIL,
        f"a bad country gave {value!r}, not '#N/A: reason' text",
        INSTALL_FIX,
    )


RegistryReader = Callable[[str, str, str], object]
"""``read(root, key, value_name)`` -> the value, or None when absent (root: HKCU/HKCR)."""


def read_registry(root: str, key: str, name: str) -> object:
    """The Windows registry value, or None."""
    import importlib

    winreg: Any = importlib.import_module("winreg")  # Windows only: typed as Any elsewhere

    roots = {"HKCU": winreg.HKEY_CURRENT_USER, "HKCR": winreg.HKEY_CLASSES_ROOT}
    try:
        with winreg.OpenKey(roots[root], key) as handle:
            return winreg.QueryValueEx(handle, name)[0]
    except OSError:
        return None


def windows_checks(
    read: RegistryReader = read_registry, environ: Mapping[str, str] = os.environ
) -> list[Check]:
    """What only the Windows machine can tell: Excel, the xlwings add-in, VBA project access."""
    checks = []
    version = read("HKCR", r"Excel.Application\CurVer", "")
    if not version:
        checks.append(
            Check("Excel", FAIL, "Excel is not registered on this machine", "install Excel")
        )
        return checks
    checks.append(Check("Excel", OK, f"{version} registered"))
    office = _office_version(str(version))
    addin = Path(environ.get("APPDATA", "")) / "Microsoft" / "Excel" / "XLSTART" / "xlwings.xlam"
    if addin.is_file():
        checks.append(Check("xlwings add-in", OK, f"installed: {addin}"))
    else:
        checks.append(
            Check(
                "xlwings add-in",
                SKIP,
                "not installed; the SIEI workbook does not need it (only the way back in the "
                "README does: xlwings addin install)",
            )
        )
    access = read("HKCU", rf"Software\Microsoft\Office\{office}\Excel\Security", "AccessVBOM")
    if access == 1:
        checks.append(Check("VBA project access", OK, "Trust access to the VBA project: on"))
    else:
        checks.append(
            Check(
                "VBA project access",
                SKIP,
                "Trust access to the VBA project object model: off. Needed only for xlwings' "
                "Import Functions and the callbacks check of siei-xl excel selftest",
                "File > Options > Trust Center > Trust Center Settings > Macro Settings > "
                "tick Trust access to the VBA project object model",
            )
        )
    return checks


def _office_version(prog_id: str) -> str:
    """``Excel.Application.16`` -> ``16.0`` (the Office key of the registry)."""
    tail = prog_id.rsplit(".", 1)[-1]
    return f"{tail}.0" if tail.isdigit() else "16.0"


def table(checks: list[Check]) -> list[list[object]]:
    """The checks as a spilling table with a header row."""
    return [["check", "status", "found", "fix"], *(c.row() for c in checks)]


def selftest_cells(build: object = None) -> list[list[object]]:
    """What ``=SIEI_SELFTEST(SIEI_BUILD)`` spills."""
    parsed = None if build is None or build == "" else parse_build(build)
    # a cell holds at most 255 characters of returned text (longer becomes #VALUE!)
    rows = table(python_checks(parsed))
    return [[v[:255] if isinstance(v, str) else v for v in row] for row in rows]


def format_report(checks: list[Check]) -> str:
    """A plain-text table: one line per check, the fix below a failed one."""
    width = max(len(c.name) for c in checks)
    lines = []
    for c in checks:
        lines.append(f"{c.status:<4}  {c.name:<{width}}  {c.found}")
        if c.status == FAIL and c.fix:
            lines.append(f"{'':<4}  {'':<{width}}  fix: {c.fix}")
    return "\n".join(lines)
