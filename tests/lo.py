"""LibreOffice (headless) as a second spreadsheet engine for the tests.

Every helper skips the calling test when ``soffice`` or the system Python's ``uno``
module (Debian package ``python3-uno``) is missing. Each call runs LibreOffice in its own
process group with a private profile (``-env:UserInstallation``) in a temporary folder,
and kills the whole group on a timeout, so concurrent calls do not interfere and nothing
is left running. Install as CI does::

    apt-get install -y --no-install-recommends libreoffice-calc-nogui poppler-utils \\
        python3-uno fonts-liberation2 fonts-crosextra-carlito
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
UNO_PYTHON = "/usr/bin/python3"  # python3-uno is built for the system interpreter
UNO_SCRIPT = HERE / "lo_uno_script.py"
CALC_SCRIPT = HERE / "lo_calc_script.py"
TIMEOUT = 180.0

# The profile used by conversions: recalculate on load (0) or keep cached values (1).
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
</oor:items>
"""


@functools.cache
def _missing() -> str | None:
    """Why LibreOffice cannot be used here, or None."""
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed"
    if not Path(UNO_PYTHON).exists():
        return f"{UNO_PYTHON} is missing (needed for python3-uno)"
    probe = subprocess.run(
        [UNO_PYTHON, "-c", "import uno"],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": ""},
        timeout=60,
        check=False,
    )
    if probe.returncode != 0:
        return f"{UNO_PYTHON} cannot import uno (install python3-uno)"
    return None


def skip_or_fail(reason: str) -> None:
    """Skip the calling test; under CI (``CI=true``) fail instead: CI must have LibreOffice."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run the LibreOffice tests: {reason}")
    pytest.skip(reason)


def require_libreoffice() -> None:
    """Skip the calling test unless soffice and the system Python's uno are available."""
    reason = _missing()
    if reason is not None:
        skip_or_fail(reason)


@functools.cache
def version() -> tuple[int, ...]:
    """LibreOffice's version, e.g. (25, 2, 3, 2); () when soffice does not say."""
    done = _run([shutil.which("soffice") or "soffice", "--version"], 120)
    match = re.search(r"LibreOffice (\d+(?:\.\d+)+)", done.stdout)
    return tuple(int(p) for p in match.group(1).split(".")) if match else ()


def require_calc_addins() -> None:
    """Skip unless LibreOffice is new enough to map Excel's SIEI_* names to the add-in."""
    from siei_xl.calc.extension import MINIMUM_LIBREOFFICE

    require_libreoffice()
    found = version()
    if found[: len(MINIMUM_LIBREOFFICE)] < MINIMUM_LIBREOFFICE:
        wanted = ".".join(map(str, MINIMUM_LIBREOFFICE))
        have = ".".join(map(str, found)) or "an unknown version"
        skip_or_fail(f"LibreOffice >= {wanted} is needed; found {have}")


def siei_xl_command() -> list[str]:
    """``siei-xl`` of the interpreter running the tests (its console script)."""
    script = Path(sys.executable).with_name("siei-xl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "siei_xl.cli"]


def run_command(command: Sequence[str]) -> str:
    """Run a command that drives LibreOffice (time limit, own process group); its output."""
    done = _run(command, TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:4])} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def install_extension(profile: Path) -> str:
    """``siei-xl calc install --profile DIR``, exactly as a user runs it; its output line."""
    require_calc_addins()
    return run_command([*siei_xl_command(), "calc", "install", "--profile", str(profile)])


def calc_session(
    profile: Path,
    steps: Sequence[dict[str, object]],
    env: dict[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> dict[str, object]:
    """Run ``steps`` (see tests/lo_calc_script.py) in soffice on ``profile``; the results."""
    require_calc_addins()
    with tempfile.TemporaryDirectory(prefix="siei-lo-") as work:
        steps_file = Path(work, "steps.json")
        steps_file.write_text(json.dumps(list(steps)), encoding="utf-8")
        cmd = [UNO_PYTHON, str(CALC_SCRIPT), str(profile), str(steps_file), "--workdir", work]
        done = _run(cmd, timeout, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"Calc session failed (rc={done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _run(
    cmd: Sequence[str], timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run in a new session; on timeout kill the whole group (oosplash and soffice.bin)."""
    proc = subprocess.Popen(
        list(cmd),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": "", **(env or {})},
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RuntimeError(
            f"LibreOffice timed out after {timeout:.0f} s: {' '.join(cmd)}"
        ) from None
    return subprocess.CompletedProcess(list(cmd), proc.returncode, out, err)


def _uno(command: str, path: Path, *extra: str, timeout: float = TIMEOUT) -> dict[str, object]:
    require_libreoffice()
    with tempfile.TemporaryDirectory(prefix="siei-lo-") as work:
        cmd = [UNO_PYTHON, str(UNO_SCRIPT), command, str(Path(path).resolve()), *extra]
        done = _run([*cmd, "--workdir", work], timeout)
    if done.returncode != 0:
        raise RuntimeError(f"UNO worker failed (rc={done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout)
    return result


def recalculated_values(
    path: Path, freeze: Sequence[str] = ("SIEI_",), timeout: float = TIMEOUT
) -> tuple[dict[str, dict[str, object]], list[str]]:
    """Values of every sheet after LibreOffice's ``calculateAll()``, and the frozen cells.

    Formula cells whose text contains one of ``freeze`` (LibreOffice cannot compute the
    SIEI functions) keep their cached values, so the standard formulas that depend on them
    are recomputed against the stored results. Errors come back as text ('#NAME?').
    """
    args = ("--freeze", ",".join(freeze)) if freeze else ()
    result = _uno("recalc", path, *args, timeout=timeout)
    return result["values"], result["frozen"]  # type: ignore[return-value]


def cached_values(path: Path, timeout: float = TIMEOUT) -> dict[str, dict[str, object]]:
    """Values of every sheet as stored in the file (no recalculation)."""
    return _uno("cached", path, timeout=timeout)["values"]  # type: ignore[return-value]


def vba_modules(path: Path, timeout: float = TIMEOUT) -> dict[str, str]:
    """``{module: source}`` of the workbook's VBA project, as LibreOffice loads it."""
    return _uno("vba", path, timeout=timeout)["modules"]  # type: ignore[return-value]


def run_basic(
    libraries: dict[str, dict[str, object]], timeout: float = TIMEOUT
) -> dict[str, dict[str, object]]:
    """Compile libraries of Basic modules (VBA compatibility mode) and run their calls.

    ``libraries``: ``{name: {"modules": {module: text}, "calls": ["Module.Function"]}}``;
    returns ``{name: {call: result}}``, ``None`` where the module did not compile. One
    LibreOffice start for all of them.
    """
    with tempfile.TemporaryDirectory(prefix="siei-basic-") as folder:
        spec = Path(folder, "spec.json")
        spec.write_text(json.dumps(libraries), encoding="utf-8")
        return _uno("basic", spec, timeout=timeout)["results"]  # type: ignore[return-value]


def strip_vba_header(source: str) -> str:
    """The module text without the lines LibreOffice adds on import.

    >>> strip_vba_header("Rem Attribute VBA_ModuleType=VBAModule\\nOption VBASupport 1\\nSub A\\n")
    'Sub A\\n'
    """
    lines = source.split("\n")
    while lines and (
        lines[0].startswith("Rem Attribute VBA_ModuleType=")
        or lines[0] in ("Option VBASupport 1", "Option ClassModule")
    ):
        lines.pop(0)
    return "\n".join(lines)


def convert(
    path: Path, target: str, outdir: Path, *, recalc: bool = False, timeout: float = TIMEOUT
) -> Path:
    """``soffice --convert-to target``; the output file (checked: soffice exits 0 on failure).

    ``recalc=False`` keeps the cached values (a recalculation would turn every SIEI cell
    into #NAME?, as LibreOffice does not know the functions).
    """
    require_libreoffice()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="siei-lo-") as work:
        profile = Path(work, "profile")
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(
            PROFILE.format(mode=0 if recalc else 1), encoding="utf-8"
        )
        cmd = [
            shutil.which("soffice") or "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(Path(path).resolve()),
        ]
        done = _run(cmd, timeout)
    extension = target.split(":", 1)[0]
    out = outdir / f"{Path(path).stem}.{extension}"
    if not out.exists() or out.stat().st_size == 0:
        raise RuntimeError(
            f"soffice wrote no {out.name} (rc={done.returncode}): {done.stderr[-2000:]}"
        )
    return out


def pdf_pages(pdf: Path) -> int:
    """Number of pages of a PDF (pdfinfo when installed, else the page objects)."""
    if shutil.which("pdfinfo"):
        info = _run(["pdfinfo", str(pdf)], 60).stdout
        match = re.search(r"^Pages:\s+(\d+)", info, re.M)
        if match:
            return int(match.group(1))
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
