"""siei_xl: the System of Indicators of Eurasian Integration for Python and Excel.

Plain pandas API::

    >>> import siei_xl as siei
    >>> panel = siei.example_panel()
    >>> round(siei.pair_distance(panel, "KAZ", "RUS", 2015), 4)
    1.216
"""

from siei_xl._defaults import CV_LIMIT, DDOF, STANDARDIZE
from siei_xl.convergence import (
    PairMatrices,
    convergence_table,
    group_cv,
    group_cv_series,
    group_distance,
    group_distance_series,
    pair_distance,
    pair_matrices,
    pair_matrix,
    pair_series,
    standardized_table,
)
from siei_xl.example import example_frame, example_groups, example_panel
from siei_xl.exceptions import SieiError
from siei_xl.groups import Groups, Member
from siei_xl.panel import Panel, read_panel

__version__ = "0.1.0"

__all__ = [
    "CV_LIMIT",
    "DDOF",
    "STANDARDIZE",
    "Groups",
    "Member",
    "PairMatrices",
    "Panel",
    "SieiError",
    "__version__",
    "convergence_table",
    "example_frame",
    "example_groups",
    "example_panel",
    "group_cv",
    "group_cv_series",
    "group_distance",
    "group_distance_series",
    "pair_distance",
    "pair_matrices",
    "pair_matrix",
    "pair_series",
    "read_panel",
    "standardized_table",
]
