"""Moved to :mod:`siei_xl.sheetfuncs.cells` (shared by the Excel and Calc hosts).

This name keeps ``from siei_xl.excel import cells`` working: the names are the same
objects, so the cache of parsed ranges is shared, not copied.
"""

from siei_xl.sheetfuncs.cells import *  # noqa: F403
