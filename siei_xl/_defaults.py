"""Package-wide defaults, defined once (METHOD.md explains each choice).

``DDOF = 1``: the sample standard deviation, as Excel's STDEV.S; the population sd
(``ddof=0``, STDEV.P) is an option everywhere an sd is taken.

``STANDARDIZE = "yearly"``: z-scores per year over every country that has the value, the
literal reading of the method (each year's cross-section), scale-free and robust to
nominal growth; ``"pooled"`` uses all country-years at once.

``CV_LIMIT = 10``: a within-group coefficient of variation whose group mean is smaller in
absolute value than sd / 10 is refused as meaningless (it is dominated by how close the
mean happens to sit to zero, as real growth rates do in a crisis year).
"""

from typing import Final

DDOF: Final = 1
STANDARDIZE: Final = "yearly"
STANDARDIZE_METHODS: Final = ("yearly", "pooled")
CV_LIMIT: Final = 10.0
