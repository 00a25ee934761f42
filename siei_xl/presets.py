"""The SIEI's indices as named presets: block, indicators, direction, and what differs.

The presets ship in ``siei_xl/data/presets.toml``. A convergence preset lists World Bank
WDI codes (with fallbacks where a series is missing for some economies, and transforms
such as the year-on-year change of an exchange rate); a market preset names a flow type
and the base it is divided by. :func:`resolve` turns a preset and a panel into the panel
the measures need, saying which series were used where.

Examples
--------
>>> macro = get("macro")
>>> macro.block, macro.direction, macro.codes
('convergence', 'lower', ('NY.GDP.PCAP.PP.CD', 'NY.GDP.MKTP.KD.ZG'))
>>> get("monetary").indicators[0].fallback
('NY.GDP.DEFL.KD.ZG',)
>>> get("trade").base, get("trade").direction
('NY.GDP.MKTP.CD', 'higher')
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siei_xl.exceptions import DataError, MissingValueError, OptionError, closest
from siei_xl.labels import label_key, split_list
from siei_xl.panel import Panel

__all__ = [
    "BLOCKS",
    "Indicator",
    "Preset",
    "Resolved",
    "get",
    "load",
    "override",
    "presets",
    "resolve",
]

BLOCKS = ("convergence", "market")
TRANSFORMS = ("pct_change",)
_DIRECTIONS = ("lower", "higher")


@dataclass(frozen=True)
class Indicator:
    """One coordinate of a convergence index: a series code, its fallbacks, a transform."""

    code: str
    label: str
    fallback: tuple[str, ...] = ()
    transform: str | None = None


@dataclass(frozen=True)
class Preset:
    """One SIEI index."""

    name: str
    block: str
    title: str
    direction: str
    note: str = ""
    title_ru: str = ""
    note_ru: str = ""
    indicators: tuple[Indicator, ...] = ()
    flow: str | None = None
    flow_unit: str = ""
    base: str | None = None
    base_unit: str = ""
    base_scale: float = 1.0
    sigma_indicator: str | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        """The main series codes of a convergence index, in order."""
        return tuple(i.code for i in self.indicators)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(i.label for i in self.indicators)

    def describe(self) -> str:
        """One line: what the index is made of."""
        if self.block == "market":
            return (
                f"{self.flow} flows ({self.flow_unit}) over {self.base} ({self.base_unit} x "
                f"{self.base_scale:g}); {self.direction} = more integrated"
            )
        parts = []
        for ind in self.indicators:
            text = ind.code
            if ind.transform:
                text = f"{ind.transform}({text})"
            if ind.fallback:
                text += f" (else {', '.join(ind.fallback)})"
            parts.append(text)
        return f"{' + '.join(parts)}; {self.direction} = closer"


def _check(preset: Preset) -> Preset:
    where = f"preset {preset.name!r}"
    if preset.block not in BLOCKS:
        raise OptionError(
            f"{where}: block must be one of {', '.join(BLOCKS)}, got {preset.block!r}"
        )
    if preset.direction not in _DIRECTIONS:
        raise OptionError(
            f"{where}: direction must be 'lower' (lower = closer) or 'higher' (higher = more "
            f"integrated), got {preset.direction!r}"
        )
    if preset.block == "convergence":
        if not preset.indicators:
            raise OptionError(f"{where}: a convergence index needs at least one indicator")
        labels = [label_key(i.label) for i in preset.indicators]
        if len(set(labels)) != len(labels):
            raise OptionError(f"{where}: two indicators have the same label")
        for ind in preset.indicators:
            if ind.transform is not None and ind.transform not in TRANSFORMS:
                raise OptionError(
                    f"{where}: transform of {ind.code} must be one of {', '.join(TRANSFORMS)}, "
                    f"got {ind.transform!r}"
                )
    else:
        if not preset.flow or not preset.base:
            raise OptionError(f"{where}: a market index needs a flow type and a base")
        if not preset.base_scale > 0:
            raise OptionError(f"{where}: base_scale must be positive, got {preset.base_scale!r}")
    return preset


def _indicator(spec: object, where: str) -> Indicator:
    if isinstance(spec, str):
        return Indicator(spec.strip(), spec.strip())
    if not isinstance(spec, Mapping) or "code" not in spec:
        raise OptionError(f"{where}: an indicator is a code or a table with 'code', got {spec!r}")
    unknown = set(spec) - {"code", "label", "fallback", "transform"}
    if unknown:
        raise OptionError(f"{where}: unknown indicator field {sorted(unknown)[0]!r}")
    code = str(spec["code"]).strip()
    return Indicator(
        code,
        str(spec.get("label", code)).strip(),
        tuple(split_list(spec.get("fallback", ()))),
        spec.get("transform"),
    )


_FIELDS = {f.name for f in dataclasses.fields(Preset)} - {"name"}


def _preset(name: str, table: Mapping[str, Any], source: str) -> Preset:
    where = f"{source}: preset {name!r}"
    unknown = set(table) - _FIELDS
    if unknown:
        raise OptionError(
            f"{where}: unknown field {sorted(unknown)[0]!r} (known: {', '.join(sorted(_FIELDS))})"
        )
    values = dict(table)
    values["indicators"] = tuple(_indicator(s, where) for s in values.get("indicators", ()))
    if "base_scale" in values:
        values["base_scale"] = float(values["base_scale"])
    try:
        return _check(Preset(name=name, **values))
    except TypeError as exc:  # a required field is missing
        raise OptionError(f"{where}: {exc}") from None


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{source} is not valid TOML: {exc}") from None


def presets() -> dict[str, Preset]:
    """The presets shipped with the package, by name, in file order."""
    text = resources.files("siei_xl").joinpath("data/presets.toml").read_text(encoding="utf-8")
    return {
        name: _preset(name, table, "presets.toml")
        for name, table in _read_toml(text, "presets.toml").items()
    }


def load(path: str | os.PathLike[str] | None = None) -> dict[str, Preset]:
    """The shipped presets, with a user's TOML file laid over them.

    A table in the user's file with a shipped name changes only the fields it gives
    (``[macro]`` with ``indicators = ["NY.GDP.PCAP.KD", "NY.GDP.MKTP.KD.ZG"]``); a new name
    adds a preset, which must then give every required field.
    """
    book = presets()
    if path is None:
        return book
    file = Path(path)
    if not file.exists():
        raise DataError(f"presets file {str(file)!r} does not exist")
    for name, table in _read_toml(file.read_text(encoding="utf-8"), file.name).items():
        if not isinstance(table, Mapping):
            raise OptionError(f"{file.name}: {name!r} must be a table ([{name}])")
        if name in book:
            merged = {f: getattr(book[name], f) for f in _FIELDS}
            merged["indicators"] = [dataclasses.asdict(i) for i in merged["indicators"]]
            merged.update(table)
            book[name] = _preset(name, merged, file.name)
        else:
            book[name] = _preset(name, table, file.name)
    return book


def get(name: str, book: Mapping[str, Preset] | None = None) -> Preset:
    """A preset by name (any case)."""
    book = presets() if book is None else book
    for key, preset in book.items():
        if label_key(key) == label_key(name):
            return preset
    raise OptionError(f"no preset named {name!r}{closest(str(name), book)}; see `siei-xl presets`")


def override(preset: Preset, **changes: Any) -> Preset:
    """A copy of ``preset`` with some fields changed; indicators may be plain codes.

    Examples
    --------
    >>> p = override(get("macro"), indicators=["NY.GDP.PCAP.KD", "NY.GDP.MKTP.KD.ZG"])
    >>> p.codes, p.direction
    (('NY.GDP.PCAP.KD', 'NY.GDP.MKTP.KD.ZG'), 'lower')
    """
    unknown = set(changes) - _FIELDS
    if unknown:
        raise OptionError(f"cannot override {sorted(unknown)[0]!r}: not a preset field")
    if "indicators" in changes:
        specs = changes["indicators"]
        items = split_list(specs) if isinstance(specs, str) else list(specs)
        changes["indicators"] = tuple(
            i if isinstance(i, Indicator) else _indicator(i, preset.name) for i in items
        )
    return _check(dataclasses.replace(preset, **changes))


@dataclass(frozen=True)
class Resolved:
    """A preset resolved against a panel: the series to use and what stood in for what."""

    preset: Preset
    panel: Panel | None
    """One column per available indicator (its label), or the scaled base of a market
    index (column ``base``); None when nothing is available."""
    used: tuple[str, ...]
    """Labels of the indicators available."""
    missing: tuple[str, ...]
    """Codes not in the data (neither the main series nor a fallback)."""
    notes: tuple[str, ...] = ()
    fallbacks: pd.DataFrame = field(default_factory=pd.DataFrame)
    """country, year, indicator, code: where a fallback series stood in."""

    @property
    def available(self) -> bool:
        return self.panel is not None


def resolve(preset: Preset, panel: Panel, *, partial: bool = True) -> Resolved:
    """The panel a preset needs, built from ``panel``'s columns (named by series code).

    Parameters
    ----------
    partial : bool, default True
        Compute a convergence index on the indicators that exist when some do not (the
        missing ones are listed in ``missing``); False raises instead.

    Notes
    -----
    A fallback fills only the country-years where the main series has no value, and each
    such cell is listed in ``fallbacks``. ``pct_change`` is ``100 (x_t / x_{t-1} - 1)``
    from consecutive years only. A market index's base is multiplied by ``base_scale``
    to put it in the flows' units.

    Examples
    --------
    >>> df = pd.DataFrame({"country": ["A", "B", "A", "B"], "year": [2000, 2000, 2001, 2001],
    ...                    "FP.CPI.TOTL.ZG": [5.0, None, 4.0, 3.0],
    ...                    "NY.GDP.DEFL.KD.ZG": [6.0, 8.0, 5.0, 2.0]})
    >>> r = resolve(get("monetary"), Panel.from_wide(df))
    >>> r.used, r.missing
    (('inflation',), ('PA.NUS.FCRF', 'FR.INR.LEND'))
    >>> r.panel.values[:, :, 0].tolist()
    [[5.0, 4.0], [8.0, 3.0]]
    >>> r.notes[0]
    'inflation: NY.GDP.DEFL.KD.ZG stands in for FP.CPI.TOTL.ZG in 1 country-year (B 2000)'
    """
    known = {label_key(name): k for k, name in enumerate(panel.indicators)}

    def column(code: str) -> np.ndarray | None:
        k = known.get(label_key(code))
        return None if k is None else panel.values[:, :, k]

    if preset.block == "market":
        base = column(preset.base or "")
        if base is None:
            return Resolved(preset, None, (), (str(preset.base),))
        sub = Panel(
            (base * preset.base_scale)[:, :, None],
            panel.countries,
            panel.years,
            ["base"],
            description=panel.description,
        )
        return Resolved(preset, sub, ("base",), ())

    cubes: list[np.ndarray] = []
    used: list[str] = []
    missing: list[str] = []
    notes: list[str] = []
    stood_in: list[dict[str, object]] = []
    for ind in preset.indicators:
        main = column(ind.code)
        values = None if main is None else main.copy()
        for code in ind.fallback:
            extra = column(code)
            if extra is None:
                continue
            if values is None:
                values = np.full(extra.shape, np.nan)
            fill = np.isnan(values) & ~np.isnan(extra)
            if fill.any():
                values[fill] = extra[fill]
                cells = [
                    (panel.countries[c], panel.years[t])
                    for c, t in zip(*np.nonzero(fill), strict=True)
                ]
                stood_in += [
                    {"country": c, "year": y, "indicator": ind.label, "code": code}
                    for c, y in cells
                ]
                shown = ", ".join(f"{c} {y}" for c, y in cells[:4]) + (
                    ", ..." if len(cells) > 4 else ""
                )
                plural = "country-year" if len(cells) == 1 else "country-years"
                notes.append(
                    f"{ind.label}: {code} stands in for {ind.code} "
                    f"in {len(cells)} {plural} ({shown})"
                )
        if values is None:
            missing.append(ind.code)
            continue
        if ind.transform == "pct_change":
            values = _pct_change(values, panel.years)
            notes.append(f"{ind.label}: year-on-year change of {ind.code}, in %")
        cubes.append(values)
        used.append(ind.label)
    if missing and not partial:
        raise MissingValueError(
            f"preset {preset.name!r} needs {', '.join(missing)}, which the data do not have"
        )
    if not cubes:
        return Resolved(preset, None, (), tuple(missing), tuple(notes))
    sub = Panel(
        np.stack(cubes, axis=2), panel.countries, panel.years, used, description=panel.description
    )
    table = pd.DataFrame(stood_in, columns=["country", "year", "indicator", "code"])
    return Resolved(preset, sub, tuple(used), tuple(missing), tuple(notes), table)


def _pct_change(values: np.ndarray, years: Sequence[int]) -> np.ndarray:
    out = np.full(values.shape, np.nan)
    for t in range(1, len(years)):
        if years[t] - years[t - 1] == 1:  # a gap in the years has no one-year change
            with np.errstate(divide="ignore", invalid="ignore"):
                change = 100.0 * (values[:, t] / values[:, t - 1] - 1.0)
            out[:, t] = np.where(np.isfinite(change), change, np.nan)
    return out
