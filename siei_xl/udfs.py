"""The SIEI functions for Excel cells (xlwings user-defined functions): the Excel host.

The workbook's VBA calls this module by name (``XLPy.CallUDF("siei_xl.udfs", ...)``). The
functions themselves, their help texts and their error contract are defined once, for every
host, in :mod:`siei_xl.sheetfuncs`; here each is wrapped with xlwings' decorators. Each takes
the raw values Excel hands over (lists of rows, ``None`` for blanks, floats for numbers,
``2015.0`` for a year) and never raises for bad input: a failure is returned as text made
of an Excel error code and the reason, e.g.
``"#N/A: country 'KZX' is not in the data (closest: KAZ)"``. In the SIEI workbook the VBA
wrapper turns that text into a real Excel error value (so IFERROR and ISNA work) and keeps
the reason for ``=SIEI_WHY(cell)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import xlwings as xw

from siei_xl.sheetfuncs import functions, spec
from siei_xl.sheetfuncs.spec import CATEGORY, FunctionHelp, evaluate

__all__ = ["CATEGORY", "FUNCTIONS", "FunctionHelp", "arg_options", "excel", "excel_function"]

FUNCTIONS: dict[str, FunctionHelp] = dict(spec.FUNCTIONS)
"""Every Excel function of the package, by name, in definition order: the host-neutral
ones, then any defined for Excel only with :func:`excel_function`."""


RANGE_ARGS = frozenset({"data", "groups", "experts"})
"""Arguments that are always table ranges."""


def arg_options(name: str) -> dict[str, Any]:
    """xlwings conversion options of an argument: table ranges always arrive as 2-D blocks,
    their error cells as text ('#N/A'), so a one-row range or an error is never misread."""
    return {"ndim": 2, "err_to_str": True} if name in RANGE_ARGS else {}


def excel(info: FunctionHelp, impl: Callable[..., Any] | None = None) -> Any:
    """The xlwings function for one contract: help metadata, decorators, error contract."""
    func = impl or info.func
    assert func is not None, info.name

    @functools.wraps(func)
    def wrapper(*call_args: Any) -> Any:
        return evaluate(func, call_args)

    wrapper.__name__ = wrapper.__qualname__ = info.name
    wrapper.__doc__ = info.summary
    # xlwings turns type hints into value converters (Any would break conversion in
    # Excel): the function Excel sees has none.
    wrapper.__annotations__ = {}
    decorated: Any = wrapper
    for arg_name, doc in reversed(list(info.args.items())):
        decorated = xw.arg(arg_name, doc=doc, **arg_options(arg_name))(decorated)
    return xw.func(category=CATEGORY)(decorated)


excel_function = spec.registrar(FUNCTIONS, excel)
"""Register a function for Excel only (help metadata, xlwings decorators, errors).

The decorated function may raise :class:`~siei_xl.exceptions.SieiError`; the wrapper
returns it as ``"#CODE: reason"`` text. Any other exception is a bug and propagates.
Functions for every host are defined in :mod:`siei_xl.sheetfuncs.functions` instead.
"""


def _version() -> str:
    return f"{functions.SIEI_VERSION()} (xlwings {xw.__version__})"


SIEI_PAIR = excel(FUNCTIONS["SIEI_PAIR"])
SIEI_COUNTRYGROUP = excel(FUNCTIONS["SIEI_COUNTRYGROUP"])
SIEI_GROUPCV = excel(FUNCTIONS["SIEI_GROUPCV"])
SIEI_PAIR_SERIES = excel(FUNCTIONS["SIEI_PAIR_SERIES"])
SIEI_COUNTRYGROUP_SERIES = excel(FUNCTIONS["SIEI_COUNTRYGROUP_SERIES"])
SIEI_GROUPCV_SERIES = excel(FUNCTIONS["SIEI_GROUPCV_SERIES"])
SIEI_PAIR_MATRIX = excel(FUNCTIONS["SIEI_PAIR_MATRIX"])
SIEI_STANDARDIZE = excel(FUNCTIONS["SIEI_STANDARDIZE"])
SIEI_GROUP_MEMBERS = excel(FUNCTIONS["SIEI_GROUP_MEMBERS"])
SIEI_DATA_INFO = excel(FUNCTIONS["SIEI_DATA_INFO"])
SIEI_VERSION = excel(FUNCTIONS["SIEI_VERSION"], _version)
SIEI_FLOWPAIR = excel(FUNCTIONS["SIEI_FLOWPAIR"])
SIEI_FLOWGROUP = excel(FUNCTIONS["SIEI_FLOWGROUP"])
SIEI_FLOWWITHIN = excel(FUNCTIONS["SIEI_FLOWWITHIN"])
SIEI_FLOWPAIR_SERIES = excel(FUNCTIONS["SIEI_FLOWPAIR_SERIES"])
SIEI_FLOWGROUP_SERIES = excel(FUNCTIONS["SIEI_FLOWGROUP_SERIES"])
SIEI_FLOWWITHIN_SERIES = excel(FUNCTIONS["SIEI_FLOWWITHIN_SERIES"])
SIEI_SIGMA = excel(FUNCTIONS["SIEI_SIGMA"])
SIEI_SIGMA_SERIES = excel(FUNCTIONS["SIEI_SIGMA_SERIES"])
SIEI_SIGMA_TREND = excel(FUNCTIONS["SIEI_SIGMA_TREND"])
SIEI_BETA = excel(FUNCTIONS["SIEI_BETA"])
SIEI_COMPOSITE = excel(FUNCTIONS["SIEI_COMPOSITE"])
SIEI_EXPERT = excel(FUNCTIONS["SIEI_EXPERT"])
SIEI_EXPERT_TABLE = excel(FUNCTIONS["SIEI_EXPERT_TABLE"])


# -------------------------------------------------------------- self-test
@excel_function(
    "Self-test: is every link from this cell to Python working? One row per check (Python, "
    "versions, xlwings DLL, functions, an example computation, error values) with the fix.",
    args={
        "build": "Optional. The workbook's build record: the defined name SIEI_BUILD. With it, "
        "versions and the example value are compared with the ones stored at build time.",
    },
    returns="table: check, status, found, fix",
    example="=SIEI_SELFTEST(SIEI_BUILD)",
    spills=True,
)
def SIEI_SELFTEST(build: Any = None) -> Any:
    from siei_xl.excel.selftest import selftest_cells

    return selftest_cells(build)
