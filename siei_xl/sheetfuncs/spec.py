"""The contract of a spreadsheet function, written once for every host.

A :class:`FunctionHelp` holds what a host needs to offer one function: its name, summary,
argument names and descriptions (which are optional), the kind of result (one value, or a
table that spills), an example and the errors it may give. :func:`sheet_function`
registers one; :func:`evaluate` runs one on raw cell values and applies the error contract:
a user's mistake (:class:`~siei_xl.exceptions.SieiError`) becomes ``"#CODE: reason"`` text,
never an exception, and a result is never a NaN or an infinity.

The hosts are thin: ``siei_xl.udfs`` (Excel, through xlwings and the workbook's VBA) turns
each entry into an xlwings function; ``siei_xl.calc`` turns each into a method of a
LibreOffice Calc add-in (IDL, ``CalcAddIns.xcu``).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar, cast

from siei_xl.exceptions import SieiError
from siei_xl.sheetfuncs.cells import cell_value, error_text

CATEGORY: Final = "SIEI"
NOT_FINITE: Final = "the result is not a finite number; look for extreme values in the data"
MAX_HELP: Final = 255  # Excel's Function Wizard cuts every text here
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class FunctionHelp:
    """What a user needs to know about one spreadsheet function (and its implementation)."""

    name: str
    summary: str
    args: dict[str, str]
    returns: str
    example: str
    spills: bool = False
    errors: tuple[str, ...] = field(default_factory=tuple)
    func: Callable[..., Any] | None = field(default=None, compare=False, repr=False)

    @property
    def syntax(self) -> str:
        return f"{self.name}({', '.join(self.args)})"

    @property
    def optional(self) -> tuple[str, ...]:
        """The arguments that may be omitted (they default to ``None``)."""
        if self.func is None:
            return ()
        params = inspect.signature(self.func).parameters.values()
        return tuple(p.name for p in params if p.default is not inspect.Parameter.empty)


FUNCTIONS: dict[str, FunctionHelp] = {}
"""Every spreadsheet function of the package, by name, in definition order."""


def registrar(
    registry: dict[str, FunctionHelp],
    host: Callable[[FunctionHelp], Any] | None = None,
) -> Callable[..., Callable[[F], F]]:
    """A decorator factory adding each function's contract to ``registry``.

    The help texts' length is checked on the way. Without ``host`` the decorated function
    is returned unchanged; with it, what ``host`` makes of the contract (Excel's xlwings
    function, for instance).
    """

    def function(
        summary: str,
        *,
        args: dict[str, str],
        returns: str,
        example: str,
        errors: tuple[str, ...] = (),
        spills: bool = False,
    ) -> Callable[[F], F]:
        def decorate(func: F) -> F:
            name = func.__name__
            for text in (summary, *args.values()):
                if len(text) > MAX_HELP:
                    too_long = f"{name}: help text over {MAX_HELP} characters: {text[:40]}..."
                    raise ValueError(too_long)
            info = FunctionHelp(name, summary, dict(args), returns, example, spills, errors, func)
            registry[name] = info
            return func if host is None else cast(F, host(info))

        return decorate

    return function


sheet_function = registrar(FUNCTIONS)
"""Register a spreadsheet function of every host; the function itself is unchanged.

It takes raw cell values and may raise :class:`SieiError`; hosts call it through
:func:`evaluate`.
"""


def evaluate(func: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """``func(*args)`` under the error contract: ``"#CODE: reason"`` instead of a SieiError.

    Any other exception is a bug and propagates.

    >>> def half(x):
    ...     if x == 0:
    ...         from siei_xl.exceptions import OptionError
    ...         raise OptionError("x must not be 0")
    ...     return x / 2 if x > 0 else float("inf")
    >>> evaluate(half, (3.0,)), evaluate(half, (0.0,))
    (1.5, '#VALUE!: x must not be 0')
    >>> evaluate(half, (-1.0,))[:6]
    '#NUM!:'
    """
    try:
        result = func(*args)
    except SieiError as exc:
        return error_text(exc)
    if isinstance(result, float) and not math.isfinite(result):
        # never a NaN (xlwings shows an empty cell) or an infinity as a result
        return cell_value(result, NOT_FINITE, "#NUM!")
    return result
