"""Import direction (STYLE.md, "the shape of the house"), read from the source with ast.

- ``siei_xl/core`` is numpy/scipy and the standard library, plus the two leaves
  ``siei_xl._defaults`` and ``siei_xl.exceptions``: the math never needs pandas or Excel.
- Only ``siei_xl/excel/`` and ``siei_xl/udfs.py`` import the Excel libraries (xlwings,
  openpyxl, XlsxWriter, pyOpenVBA). ``panel.py`` may name pandas' ``"openpyxl"`` engine in a
  string; only import statements count.
- The leaves import nothing of the package; the pandas ring never imports the adapters.
- The spreadsheet functions are defined once, host-neutral, in ``siei_xl/sheetfuncs/``: it
  imports no host (neither ``siei_xl.excel``/``siei_xl.udfs`` nor ``siei_xl.calc``).
  ``siei_xl/calc/`` (LibreOffice Calc) imports no Excel library and nothing of the Excel
  host; the UNO component it ships runs inside LibreOffice's own Python, so it imports the
  standard library and ``uno`` only, nothing of the package.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "siei_xl"
EXCEL_LIBRARIES = {"xlwings", "openpyxl", "xlsxwriter", "pyopenvba"}
ADAPTERS = {
    "siei_xl.excel",
    "siei_xl.udfs",
    "siei_xl.cli",
    "siei_xl.cli_common",
    "siei_xl.data_cli",
    "siei_xl.measures_cli",
    "siei_xl.groups_cli",
    "siei_xl.report_cli",
    "siei_xl.plot",
    "siei_xl.calc",
}
EXCEL_HOST = {"siei_xl.excel", "siei_xl.udfs"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Absolute names of every module imported anywhere in the file (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = (
        module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    )
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
            # "from siei_xl import exceptions" imports the submodule
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def top(name: str) -> str:
    return name.split(".")[0]


def within(name: str, prefixes: set[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


SOURCES = sorted(PACKAGE.rglob("*.py"))
CORE = [p for p in SOURCES if "core" in p.relative_to(PACKAGE).parts]


def test_the_package_has_the_expected_rings() -> None:
    assert CORE, "siei_xl/core is missing"
    names = {module_name(p) for p in SOURCES}
    assert {"siei_xl.panel", "siei_xl.convergence", "siei_xl.exceptions"} <= names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_imports_only_numpy_scipy_stdlib_and_leaves(path: Path) -> None:
    allowed_package = {"siei_xl._defaults", "siei_xl.exceptions", "siei_xl.core"}
    for name in imports(path):
        if top(name) == "siei_xl":
            # "from siei_xl.core.x import f" also yields "siei_xl.core.x.f": still core
            assert within(name, allowed_package), f"{path.name} imports {name}"
        else:
            assert top(name) in {"numpy", "scipy", "__future__"} or (
                top(name) in sys.stdlib_module_names
            ), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_excel_adapter_imports_excel_libraries(path: Path) -> None:
    name = module_name(path)
    if within(name, {"siei_xl.excel", "siei_xl.udfs"}):
        return
    excel = {i for i in imports(path) if top(i).lower() in EXCEL_LIBRARIES}
    assert not excel, f"{name} imports {sorted(excel)}"


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if module_name(p) in {"siei_xl.exceptions", "siei_xl._defaults"}],
    ids=lambda p: p.name,
)
def test_leaves_import_only_the_standard_library(path: Path) -> None:
    for name in imports(path):
        assert top(name) in sys.stdlib_module_names or name == "__future__", name


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in SOURCES
        if module_name(p)
        in {
            "siei_xl.panel",
            "siei_xl.groups",
            "siei_xl.labels",
            "siei_xl.files",
            "siei_xl.convergence",
            "siei_xl.classic",
            "siei_xl.market",
            "siei_xl.composite",
            "siei_xl.importers",
            "siei_xl.job",
            "siei_xl.presets",
            "siei_xl.experts",
            "siei_xl.consolidated",
            "siei_xl.report.compute",
            "siei_xl.bilateral",
            "siei_xl.units",
        }
    ],
    ids=lambda p: p.name,
)
def test_the_pandas_ring_does_not_import_the_adapters(path: Path) -> None:
    for name in imports(path):
        assert not within(name, ADAPTERS), f"{module_name(path)} imports {name}"


def test_the_checker_sees_imports_inside_functions() -> None:
    # the checker itself: an import hidden in a function body must be found
    source = PACKAGE / "core" / "standardize.py"
    assert "siei_xl.exceptions" in imports(source)  # imported inside check_ddof
    assert "numpy" in imports(source)
    assert "siei_xl.core.distance" in imports(PACKAGE / "core" / "__init__.py")


SHEETFUNCS = [p for p in SOURCES if module_name(p).startswith("siei_xl.sheetfuncs")]
CALC = [p for p in SOURCES if module_name(p).startswith("siei_xl.calc")]


def test_the_hosts_and_the_host_neutral_functions_exist() -> None:
    names = {module_name(p) for p in SOURCES}
    assert {"siei_xl.sheetfuncs.functions", "siei_xl.sheetfuncs.spec"} <= names
    assert {"siei_xl.udfs", "siei_xl.calc"} <= names


@pytest.mark.parametrize("path", SHEETFUNCS, ids=lambda p: p.name)
def test_the_function_definitions_import_no_host(path: Path) -> None:
    for name in imports(path):
        assert not within(name, ADAPTERS), f"{module_name(path)} imports {name}"
        assert top(name).lower() not in EXCEL_LIBRARIES | {"uno", "unohelper"}, name


# The workbook's sheets and the ribbon's actions over a Book: both hosts run them (Calc's
# SIEI menu through siei_xl.calc.book); they import no Excel library at module level.
WORKBOOK_JOB = {"siei_xl.excel.macros", "siei_xl.excel.layout"}


@pytest.mark.parametrize("path", CALC, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_calc_host_imports_nothing_of_excel(path: Path) -> None:
    for name in imports(path):
        if within(name, WORKBOOK_JOB):
            continue
        assert not within(name, EXCEL_HOST), f"{module_name(path)} imports {name}"
        assert top(name).lower() not in EXCEL_LIBRARIES, f"{module_name(path)} imports {name}"


def test_the_calc_component_needs_only_libreoffices_python() -> None:
    """It runs in the Python bundled with LibreOffice: no numpy, pandas or siei_xl."""
    components = sorted((PACKAGE / "calc" / "oxt").rglob("*.py"))
    assert components
    for path in components:
        for name in imports(path):
            uno_types = within(name, {"com.sun.star", "org.siei.calc"})  # UNO's and our IDL's
            assert top(name) in sys.stdlib_module_names | {"uno", "unohelper"} or uno_types, (
                f"{path.name} imports {name}"
            )
