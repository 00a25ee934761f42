"""The mathematics of the SIEI, in numpy only: arrays in, arrays out.

Nothing here knows about labels, pandas, files or Excel; :mod:`siei_xl.panel` and
:mod:`siei_xl.convergence` put names on the results.
"""

from siei_xl.core.dispersion import dispersion_stats, mean_abs_coefficient_of_variation
from siei_xl.core.distance import distance_to_centroid, pair_distance, pairwise_distances
from siei_xl.core.standardize import Standardization, standardize

__all__ = [
    "Standardization",
    "dispersion_stats",
    "distance_to_centroid",
    "mean_abs_coefficient_of_variation",
    "pair_distance",
    "pairwise_distances",
    "standardize",
]
