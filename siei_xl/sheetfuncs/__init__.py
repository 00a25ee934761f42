"""The spreadsheet functions, host-neutral: contracts, help texts, cell conversion, errors.

- :mod:`~siei_xl.sheetfuncs.cells`: raw cell values (as any spreadsheet hands them over)
  turned into engine inputs, with the cache of parsed ranges;
- :mod:`~siei_xl.sheetfuncs.spec`: the registry of function contracts and the error
  contract (:func:`~siei_xl.sheetfuncs.spec.evaluate`);
- :mod:`~siei_xl.sheetfuncs.functions`: every ``SIEI_*`` function.

Hosts (``siei_xl.udfs`` for Excel, ``siei_xl.calc`` for LibreOffice Calc) are generated from
:data:`FUNCTIONS`; this package imports neither.
"""

from siei_xl.sheetfuncs import functions as functions
from siei_xl.sheetfuncs.spec import CATEGORY, FUNCTIONS, FunctionHelp, evaluate

__all__ = ["CATEGORY", "FUNCTIONS", "FunctionHelp", "evaluate", "functions"]
