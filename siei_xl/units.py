"""Units of flows and bases, so that US$ millions are never divided by US$.

A unit is a quantity (``USD``, ``persons``) and a scale (1, a thousand, a million, a
billion). It is read from, in this order: an explicit option; a ``unit`` column; the
header of the value column (``value_musd``, ``gdp_usd_m``, ``trade_world_musd``); a known
World Development Indicators code (``NY.GDP.MKTP.CD`` is current US$, ``SP.POP.TOTL``
persons). Two units of the same quantity convert (flows in US$ millions against GDP in
US$: the flows are multiplied by a million); different quantities are refused.

Examples
--------
>>> parse_unit("US$ millions")
Unit(quantity='USD', scale=1000000.0)
>>> unit_of_name("NY.GDP.MKTP.CD"), unit_of_name("value_musd").label
(Unit(quantity='USD', scale=1.0), 'USD millions')
>>> conversion_factor(parse_unit("USD millions"), parse_unit("USD"))
1000000.0
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from siei_xl.exceptions import OptionError

__all__ = [
    "WDI_UNITS",
    "Unit",
    "UnitError",
    "conversion_factor",
    "parse_unit",
    "unit_of_name",
]


class UnitError(OptionError):
    """Units that cannot be right together (or cannot be read)."""


_SCALES: Final[Mapping[str, float]] = {
    "": 1.0,
    "k": 1e3,
    "thousand": 1e3,
    "thousands": 1e3,
    "thous": 1e3,
    "th": 1e3,
    "тыс": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "млн": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "bln": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "млрд": 1e9,
}
_SCALE_WORDS: Final = {1.0: "", 1e3: " thousands", 1e6: " millions", 1e9: " billions"}
_QUANTITIES: Final[Mapping[str, str]] = {
    "usd": "USD",
    "us$": "USD",
    "$": "USD",
    "us dollars": "USD",
    "dollars": "USD",
    "current us$": "USD",
    "current usd": "USD",
    "constant 2015 us$": "USD",
    "долл": "USD",
    "долл сша": "USD",
    "persons": "persons",
    "person": "persons",
    "people": "persons",
    "number": "persons",
    "number of persons": "persons",
    "человек": "persons",
    "students": "persons",
}

WDI_UNITS: Final[Mapping[str, str]] = {
    "NY.GDP.MKTP.CD": "USD",
    "NY.GDP.MKTP.KD": "USD",
    "NY.GNP.MKTP.CD": "USD",
    "TX.VAL.MRCH.CD.WT": "USD",
    "TM.VAL.MRCH.CD.WT": "USD",
    "BX.TRF.PWKR.CD.DT": "USD",
    "BM.TRF.PWKR.CD.DT": "USD",
    "BX.KLT.DINV.CD.WD": "USD",
    "SP.POP.TOTL": "persons",
    "SP.POP.1564.TO": "persons",
    "SE.TER.ENRL": "persons",
}
"""World Development Indicators codes whose unit is known (quantity, scale 1)."""

# Suffixes of a column name that state its unit: value_musd, gdp_usd_m, trade_kusd.
_NAME_SUFFIX: Final = re.compile(
    r"(?:^|[_ .])(?:(?P<pre>m|k|b|mln|bn)_?usd|usd_?(?P<post>m|k|b|mln|bn)?)$", re.IGNORECASE
)
_PREFIX_SCALES: Final = {"m": 1e6, "mln": 1e6, "k": 1e3, "b": 1e9, "bn": 1e9}


@dataclass(frozen=True)
class Unit:
    """A quantity (``'USD'``, ``'persons'``) and the scale of one reported number."""

    quantity: str
    scale: float = 1.0

    @property
    def label(self) -> str:
        """``'USD millions'``, ``'persons'``, ``'persons thousands'``."""
        words = _SCALE_WORDS.get(self.scale, f" x {self.scale:g}")
        return f"{self.quantity}{words}"

    def __str__(self) -> str:
        return self.label


def parse_unit(text: object) -> Unit | None:
    """The unit named by a text such as ``'US$ millions'``, ``'million USD'``, ``'USD'``,
    ``'persons'`` or ``'млн долл. США'``; None for a blank; UnitError for text not understood.

    Examples
    --------
    >>> parse_unit("million US$"), parse_unit("USD thousands").scale, parse_unit("")
    (Unit(quantity='USD', scale=1000000.0), 1000.0, None)
    """
    if text is None:
        return None
    raw = str(text).strip()
    if not raw:
        return None
    named = unit_of_name(raw)
    if named is not None:
        return named
    words = re.sub(r"[().,]", " ", raw.casefold()).replace("сша", "").split()
    scale_words = [w for w in words if w in _SCALES and w]
    rest = " ".join(w for w in words if w not in scale_words)
    quantity = _QUANTITIES.get(rest)
    if quantity is None or len(scale_words) > 1:
        raise UnitError(
            f"unit {raw!r} is not understood: write e.g. 'USD', 'USD millions', 'persons' "
            "or 'persons thousands'"
        )
    return Unit(quantity, _SCALES[scale_words[0]] if scale_words else 1.0)


def unit_of_name(name: object) -> Unit | None:
    """The unit a column name or indicator code states, or None.

    Examples
    --------
    >>> unit_of_name("gdp_usd_m"), unit_of_name("SP.POP.TOTL"), unit_of_name("gdp")
    (Unit(quantity='USD', scale=1000000.0), Unit(quantity='persons', scale=1.0), None)
    """
    text = str(name).strip()
    if text.upper() in WDI_UNITS:
        return Unit(WDI_UNITS[text.upper()])
    if re.fullmatch(r"[A-Z]{2}(\.[A-Z0-9]+)+\.(CD|KD)(\.[A-Z]+)?", text.upper()) and ("." in text):
        return Unit("USD")  # WDI's .CD (current US$) and .KD (constant US$) series
    match = _NAME_SUFFIX.search(text)
    if match is None:
        return None
    prefix = (match["pre"] or match["post"] or "").casefold()
    return Unit("USD", _PREFIX_SCALES.get(prefix, 1.0))


def conversion_factor(flow: Unit | None, base: Unit | None) -> float | None:
    """What a flow is multiplied by to be in the base's unit; None when either is unknown.

    Raises UnitError when the quantities differ (US$ against persons).
    """
    if flow is None or base is None:
        return None
    if flow.quantity != base.quantity:
        raise UnitError(
            f"the flows are in {flow.label} but the base is in {base.label}: a share needs "
            "the same quantity on both sides (trade against GDP, migrants against population)"
        )
    return flow.scale / base.scale
