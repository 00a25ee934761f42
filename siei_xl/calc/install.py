"""Install the SIEI extension into a LibreOffice user profile, or remove it.

The work is done by LibreOffice's own extension manager, driven over UNO by
``oxt/profile_tool.py`` with a Python that has LibreOffice's ``uno`` module; that works as
root (where ``unopkg`` refuses to touch a user profile) and on a profile folder that does
not exist yet. LibreOffice must not be running on that profile meanwhile.

Where things are looked for (first found wins):

- ``soffice``: ``$SIEI_XL_SOFFICE``, ``soffice`` or ``libreoffice`` on the PATH, the usual
  install folders of Windows and macOS;
- the Python with ``uno``: ``$SIEI_XL_UNO_PYTHON``, the one inside LibreOffice's program
  folder (Windows, macOS), ``/usr/bin/python3`` (Linux with ``python3-uno``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

from siei_xl.calc import extension
from siei_xl.exceptions import OptionError, SieiError

TOOL: Final = extension.OXT_DIR / "profile_tool.py"
TIMEOUT: Final = 300.0
SOFFICE_PLACES: Final = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)


def find_soffice() -> Path:
    """LibreOffice's ``soffice`` program."""
    candidates = [
        os.environ.get("SIEI_XL_SOFFICE"),
        shutil.which("soffice"),
        shutil.which("libreoffice"),
        *SOFFICE_PLACES,
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise OptionError(
        "LibreOffice (soffice) not found: install LibreOffice, or set SIEI_XL_SOFFICE to "
        "its soffice program"
    )


def find_uno_python(soffice: Path) -> str:
    """A Python that can ``import uno`` of this LibreOffice."""
    named = os.environ.get("SIEI_XL_UNO_PYTHON")
    program = soffice.resolve().parent
    candidates = [named] if named else []
    candidates += [
        str(program / "python.exe"),
        str(program / "python"),
        str(program.parent / "Resources" / "python"),  # macOS: Contents/MacOS/soffice
        "/usr/bin/python3",
    ]
    for candidate in candidates:
        if not candidate or not Path(candidate).is_file():
            continue
        try:
            probe = subprocess.run(
                [candidate, "-c", "import uno"],
                capture_output=True,
                timeout=60,
                check=False,
                env={**os.environ, "PYTHONPATH": ""},
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return candidate
    raise OptionError(
        "no Python with LibreOffice's uno module found (on Debian/Ubuntu: apt-get install "
        "python3-uno); or set SIEI_XL_UNO_PYTHON"
    )


def _profile_tool(args: list[str]) -> str:
    soffice = find_soffice()
    python = find_uno_python(soffice)
    try:
        done = subprocess.run(
            [python, str(TOOL), *args[:2], str(soffice), *args[2:]],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            env={**os.environ, "PYTHONPATH": ""},
        )
    except subprocess.TimeoutExpired:
        raise SieiError(f"LibreOffice did not finish within {TIMEOUT:.0f} s") from None
    line = (done.stdout.strip().splitlines() or [done.stderr.strip()[-300:]])[-1]
    if done.returncode != 0:
        raise SieiError(f"LibreOffice refused: {line}")
    return line


def profile_arg(profile: str | os.PathLike[str] | None) -> list[str]:
    if profile is None:
        return []
    path = Path(profile).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise OptionError(f"profile {str(path)!r} is a file, not a folder")
    return [str(path)]


def install(profile: str | os.PathLike[str] | None = None, *, python: str | None = None) -> str:
    """Build the extension for ``python`` (default: this interpreter) and install it."""
    extra = profile_arg(profile)
    with tempfile.TemporaryDirectory(prefix="siei-oxt-") as work:
        oxt = extension.build(Path(work, "siei.oxt"), python=python or sys.executable)
        return _profile_tool(["add", str(oxt), *extra])


def uninstall(profile: str | os.PathLike[str] | None = None) -> str:
    """Remove the extension from the profile (a no-op when it is not there)."""
    return _profile_tool(["remove", extension.IDENTIFIER, *profile_arg(profile)])
