"""Market integration (SIEI block 1) over reported bilateral flows.

A flow table holds, for each reporter, partner and year, the flow **as the reporter
reports it** (for trade: exports to plus imports from the partner, i.e. turnover). The
base (GDP for trade, population for migration) comes from the panel. The scores are
ratios of the two, so their units matter: flows carry a unit (a ``unit`` column, a header
such as ``value_musd``, or ``flow_unit=``) and so does the base (a known WDI code such as
``NY.GDP.MKTP.CD`` = current US$, a name such as ``gdp_usd_m``, or ``base_unit=``). When
both are known the flows are converted to the base's unit (US$ millions against US$: x
1,000,000) and different quantities are refused; when one is not known the two are taken
to be in the same unit, and the result says so. A share above 1 or below one millionth
is almost always a unit mistake: the result's ``warnings`` say so.

Mirror statistics: when a country did not report its flow with a partner, the partner's
report stands in for it and the result says so (``note``); when neither reported, the
score is not available. Higher scores mean more integration.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from siei_xl.bilateral import detect_flow_layout, read_bilateral, read_flows, to_flows
from siei_xl.core.flows import AGGREGATORS, country_group_score, pair_score, within_group_score
from siei_xl.exceptions import (
    DataError,
    DuplicateRowError,
    HeaderError,
    MissingValueError,
    NonNumericError,
    OptionError,
    UndefinedResultError,
    UnknownCountryError,
    closest,
)
from siei_xl.groups import Groups, group_note, resolve_group
from siei_xl.labels import (
    YEAR_HEADERS,
    column_index,
    is_missing,
    label_key,
    label_text,
    parse_number,
    split_list,
)
from siei_xl.panel import Panel, header_row
from siei_xl.units import Unit, conversion_factor, parse_unit, unit_of_name

__all__ = [
    "FlowScore",
    "Flows",
    "flow_group",
    "flow_pair",
    "flow_pair_series",
    "flow_within",
    "market_series",
]

REPORTER_HEADERS = ("reporter", "reporter_iso3", "reporter code", "from", "origin", "exporter")
PARTNER_HEADERS = ("partner", "partner_iso3", "partner code", "to", "destination", "counterpart")


class Flows:
    """Bilateral flows by reporter, partner and year, as each reporter reports them.

    Examples
    --------
    >>> f = Flows.from_rows(["reporter", "partner", "year", "value"],
    ...                     [["KAZ", "RUS", 2015, 20.0], ["RUS", "KAZ", 2015, 18.0]])
    >>> f.reported("kaz", "RUS", 2015), f.reported("KAZ", "CHN", 2015)
    (20.0, None)
    """

    def __init__(
        self,
        records: dict[tuple[str, str, int], float],
        labels: dict[str, str],
        unit: Unit | None = None,
    ) -> None:
        self._flows = records
        self._labels = labels
        self.unit = unit
        """The unit of the values (None when not stated)."""
        self.notes: tuple[str, ...] = ()
        """What reading a published layout set aside or assumed (aggregates, estimates...)."""

    def reported(self, reporter: str, partner: str, year: int) -> float | None:
        """The flow ``reporter`` reports with ``partner`` in ``year``; None if not reported."""
        return self._flows.get((label_key(reporter), label_key(partner), int(year)))

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(self._labels.values())

    @classmethod
    def from_rows(
        cls,
        header: Sequence[object],
        rows: Iterable[Sequence[object]],
        *,
        sum_duplicates: bool = False,
        first_row_number: int = 2,
        unit: object = None,
    ) -> Flows:
        """Read reporter, partner, year and one value column.

        ``sum_duplicates=True`` adds rows for the same reporter, partner and year (e.g. an
        exports row and an imports row, to get turnover); otherwise they are an error.
        ``unit`` (``'USD millions'``) overrides the unit the table states in a ``unit``
        column or in the value column's header (``value_musd``).
        """
        columns = [label_key(h) if h is not None else "" for h in header]
        if _is_published_layout(header):
            return cls._from_published(header, rows, unit)

        def find(accepted: Sequence[str], what: str) -> int:
            return column_index(columns, accepted, what, "flows")

        r_col = find(REPORTER_HEADERS, "reporter")
        p_col = find(PARTNER_HEADERS, "partner")
        y_col = find(YEAR_HEADERS, "year")
        value_cols = [
            j
            for j, c in enumerate(columns)
            if c
            and j not in (r_col, p_col, y_col)
            and c not in {"flow", "note", "flag", "imf_flag", "source", "unit", "units"}
        ]
        if len(value_cols) != 1:
            named = [j for j in value_cols if columns[j] in {"value", "value_musd", "flow_value"}]
            if len(named) != 1:
                raise HeaderError(
                    "the flows table needs exactly one value column besides reporter, partner "
                    f"and year; found {len(value_cols)}: "
                    f"{', '.join(repr(columns[j]) for j in value_cols) or 'none'}"
                )
            value_cols = named
        v_col = value_cols[0]
        u_col = next((j for j, c in enumerate(columns) if c in {"unit", "units"}), None)
        units: set[str] = set()
        records: dict[tuple[str, str, int], float] = {}
        first: dict[tuple[str, str, int], int] = {}
        labels: dict[str, str] = {}
        for offset, row in enumerate(rows):
            cells = list(row)
            if all(is_missing(v) for v in cells):
                continue
            row_no = first_row_number + offset

            def cell(j: int, cells: list[object] = cells) -> object:
                return cells[j] if j < len(cells) else None

            reporter, partner = cell(r_col), cell(p_col)
            if is_missing(reporter) or is_missing(partner):
                raise DataError(f"flows row {row_no}: the reporter or partner cell is blank")
            year = parse_number(cell(y_col))
            if year is None or math.isnan(year) or not year.is_integer():
                raise DataError(f"flows row {row_no}: {cell(y_col)!r} is not a year")
            value = parse_number(cell(v_col))
            if value is None:
                raise NonNumericError(
                    f"flows row {row_no}: {cell(v_col)!r} is not a number; use a decimal "
                    "point, and a blank or '..' for missing"
                )
            if math.isnan(value):
                continue  # not reported
            if u_col is not None and not is_missing(cell(u_col)):
                units.add(label_text(cell(u_col)))
            if value < 0:
                raise DataError(f"flows row {row_no}: a flow cannot be negative ({value:g})")
            key = (label_key(reporter), label_key(partner), int(year))
            labels.setdefault(key[0], label_text(reporter))
            labels.setdefault(key[1], label_text(partner))
            if key in records:
                if not sum_duplicates:
                    raise DuplicateRowError(
                        f"flows rows {first[key]} and {row_no} both hold {label_text(reporter)} "
                        f"-> {label_text(partner)} {int(year)}; keep one row (or add them up: "
                        "exports + imports = turnover)"
                    )
                records[key] += value
            else:
                records[key], first[key] = value, row_no
        if not records:
            raise DataError("the flows table has no values")
        return cls(records, labels, _flows_unit(unit, units, str(header[v_col])))

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, *, sum_duplicates: bool = False, unit: object = None
    ) -> Flows:
        """From a DataFrame in the Flows layout, or a published layout (IMF, Comtrade)."""
        if _is_published_layout(frame.columns):
            return cls._from_table(to_flows(frame, unit=unit))
        rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        return cls.from_rows(
            [str(c) for c in frame.columns], rows, sum_duplicates=sum_duplicates, unit=unit
        )

    @classmethod
    def from_cells(cls, rows: Sequence[Sequence[object]], *, unit: object = None) -> Flows:
        """From a sheet range whose header may sit below a title line."""
        top = header_row(rows, REPORTER_HEADERS, PARTNER_HEADERS)
        return cls.from_rows(rows[top], rows[top + 1 :], first_row_number=top + 2, unit=unit)

    @classmethod
    def read(
        cls,
        path: str | os.PathLike[str],
        *,
        unit: object = None,
        sheet: str | int | None = None,
        kind: str = "trade",
        year: int | None = None,
    ) -> Flows:
        """Read a file of flows: the Flows layout, the IMF's trade tables as downloaded, or
        UN Comtrade; with ``kind`` (``'migration'``, ``'remittances'``, ``'students'``,
        ``'investment'``) the publisher's table of that kind (see
        :func:`siei_xl.bilateral.read_bilateral`; ``year`` for a remittance matrix)."""
        if kind == "trade":
            return cls._from_table(read_flows(path, unit=unit, sheet=sheet))
        return cls._from_table(read_bilateral(path, kind, unit=unit, year=year, sheet=sheet))

    @classmethod
    def _from_published(
        cls, header: Sequence[object], rows: Iterable[Sequence[object]], unit: object
    ) -> Flows:
        frame = pd.DataFrame([list(r) for r in rows], dtype=object)
        width = len(header)
        frame = frame.reindex(columns=range(width))
        frame.columns = [str(h) if h is not None else "" for h in header]
        return cls._from_table(to_flows(frame, unit=unit))

    @classmethod
    def _from_table(cls, table: pd.DataFrame) -> Flows:
        flows = cls.from_frame(table[["reporter", "partner", "year", "value"]])
        flows.unit = parse_unit(table.attrs.get("unit")) if table.attrs.get("unit") else None
        flows.notes = tuple(table.attrs.get("notes", ()))
        return flows


def _is_published_layout(header: Iterable[object]) -> bool:
    """True for headers of the IMF's or UN Comtrade's layouts (a flow column, or Comtrade)."""
    frame = pd.DataFrame(columns=[str(h) if h is not None else "" for h in header])
    return detect_flow_layout(frame) in {"imf_trade", "comtrade"}


def _flows_unit(explicit: object, stated: set[str], value_header: str) -> Unit | None:
    if explicit is not None and str(explicit).strip():
        return explicit if isinstance(explicit, Unit) else parse_unit(explicit)
    units = {parse_unit(t) for t in stated}
    if len(units) > 1:
        raise DataError(
            f"the flows table mixes units ({', '.join(sorted(stated))}): keep one unit per table"
        )
    if units:
        return units.pop()
    return unit_of_name(value_header)


SHARE_LIMITS: tuple[float, float] = (1e-6, 1.0)
"""Shares outside (one millionth, 1] are flagged as a likely unit mistake."""


@dataclass(frozen=True)
class FlowScore:
    """A market score with the pieces it was made of and what stood in for what."""

    score: float
    shares: tuple[float, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = field(default_factory=tuple)
    """Implausible shares: almost always flows and base in different units."""
    units: str = ""
    """How the flows' unit met the base's (converted, assumed equal...)."""


class _Market:
    """Flows and bases for one computation, with mirror fallback and clear gaps."""

    def __init__(
        self,
        flows: Flows,
        panel: Panel,
        base_indicator: str,
        *,
        flow_unit: object = None,
        base_unit: object = None,
    ) -> None:
        self.flows, self.panel = flows, panel
        names = split_list(base_indicator)
        if len(names) != 1:
            raise OptionError(
                f"the base must be one column of the data (e.g. GDP), got {base_indicator!r}"
            )
        (self.k,) = panel.indicator_positions(names)
        self.base_name = panel.indicators[self.k]
        f_unit = _unit_arg(flow_unit) or flows.unit
        b_unit = _unit_arg(base_unit) or unit_of_name(self.base_name)
        factor = conversion_factor(f_unit, b_unit)
        self.factor = 1.0 if factor is None else factor
        if factor is None:
            unknown = " and ".join(
                what
                for what, u in (("the flows' unit", f_unit), (f"{self.base_name}'s unit", b_unit))
                if u is None
            )
            self.units = f"{unknown} not stated: flows and base taken to be in the same unit"
        elif factor == 1.0:
            self.units = f"flows and {self.base_name} both in {b_unit}"
        else:
            self.units = (
                f"flows in {f_unit} converted to {b_unit}, the unit of {self.base_name} "
                f"(x {factor:g})"
            )
        self.warnings: list[str] = []

    def share(self, flow: float, country: str, partner: str, year: int) -> float:
        """``F / B`` in one unit, with a warning when it cannot be right."""
        return self.check(flow * self.factor / self.base(country, year), country, partner, year)

    def check(self, value: float, country: str, partner: str, year: int) -> float:
        """Warn when a share is above 1 or below one millionth (a unit mistake)."""
        low, high = SHARE_LIMITS
        if value > high or 0 < value < low:
            where = "above 1" if value > high else "below one millionth"
            # no value in the text: the workbook condenses equal notes over the years
            self.warnings.append(
                f"{country}'s share of its flow with {partner} in its {self.base_name} is "
                f"{where} in {year}: flows and base are probably in different units "
                f"({self.units}); state them (e.g. flow_unit='USD millions')"
            )
        return value

    def result(
        self,
        score: float,
        shares: tuple[float, ...],
        notes: list[str],
        group: object = None,
        groups: Groups | None = None,
    ) -> FlowScore:
        source = group_note(group, groups) if group is not None else None
        return FlowScore(
            score,
            shares,
            tuple([source] if source else []) + tuple(notes),
            tuple(self.warnings),
            self.units,
        )

    def base(self, country: str, year: int) -> float:
        c, t = self.panel.country_index(country), self.panel.year_index(year)
        value = float(self.panel.values[c, t, self.k])
        if math.isnan(value):
            raise MissingValueError(
                f"{self.panel.countries[c]} has no value for {self.base_name} in {year}"
            )
        if value <= 0:
            raise UndefinedResultError(
                f"{self.panel.countries[c]}'s {self.base_name} in {year} is {value:g}; a base "
                "must be positive"
            )
        return value

    def flow(self, a: str, b: str, year: int, notes: list[str]) -> float:
        """F(a->b) as a reports it; b's mirror report if a did not report."""
        own = self.flows.reported(a, b, year)
        if own is not None:
            return own
        mirror = self.flows.reported(b, a, year)
        if mirror is not None:
            notes.append(f"{a} did not report its flow with {b} in {year}: {b}'s figure used")
            return mirror
        raise MissingValueError(f"neither {a} nor {b} reported a flow between them in {year}")

    def label(self, country: object) -> str:
        try:
            return self.panel.country(country)
        except UnknownCountryError:
            text = label_text(country)
            raise UnknownCountryError(
                f"country {text!r} is not in the data{closest(text, self.panel.countries)}"
            ) from None


def _unit_arg(value: object) -> Unit | None:
    if value is None or isinstance(value, Unit):
        return value
    return parse_unit(value)


def _check_aggregator(aggregator: str) -> str:
    text = str(aggregator).strip().lower()
    if text not in AGGREGATORS:
        raise OptionError(f"aggregator must be one of {', '.join(AGGREGATORS)}, got {aggregator!r}")
    return text


def flow_pair(
    flows: Flows,
    panel: Panel,
    base_indicator: str,
    country_a: str,
    country_b: str,
    year: int,
    *,
    aggregator: str = "harmonic",
    flow_unit: object = None,
    base_unit: object = None,
) -> FlowScore:
    """Pair score of mutual dependence: ``1 / (1/s_a + 1/s_b)`` by default.

    ``s_a = F(a->b) / B_a`` and ``s_b = F(b->a) / B_b``, each side by its own report.
    Symmetric; one-sided dependence scores low (shares 0.5 and 0.1 give 0.083, shares 0.3
    and 0.3 give 0.15).

    Examples
    --------
    >>> p = Panel.from_rows(["country", "year", "gdp"], [["A", 2015, 100.0], ["B", 2015, 100.0]])
    >>> f = Flows.from_rows(["reporter", "partner", "year", "value"],
    ...                     [["A", "B", 2015, 30.0], ["B", "A", 2015, 30.0]])
    >>> flow_pair(f, p, "gdp", "A", "B", 2015).score
    0.15

    ``flow_unit`` and ``base_unit`` (``'USD millions'``, ``'USD'``) state the units when
    the flows or the base column do not; flows are converted to the base's unit:

    >>> g = Panel.from_rows(["country", "year", "NY.GDP.MKTP.CD"],
    ...                     [["A", 2015, 100e6], ["B", 2015, 100e6]])
    >>> flow_pair(f, g, "NY.GDP.MKTP.CD", "A", "B", 2015, flow_unit="USD millions").score
    0.15
    """
    market = _Market(flows, panel, base_indicator, flow_unit=flow_unit, base_unit=base_unit)
    a, b = market.label(country_a), market.label(country_b)
    how = _check_aggregator(aggregator)
    if a == b:
        raise OptionError(f"a pair needs two different countries, got {a} twice")
    notes: list[str] = []
    share_a = market.share(market.flow(a, b, year, notes), a, b, year)
    share_b = market.share(market.flow(b, a, year, notes), b, a, year)
    return market.result(pair_score(share_a, share_b, how), (share_a, share_b), notes)


def flow_group(
    flows: Flows,
    panel: Panel,
    base_indicator: str,
    country: str,
    group: object,
    year: int,
    *,
    groups: Groups | None = None,
    flow_unit: object = None,
    base_unit: object = None,
) -> FlowScore:
    """Country with group: ``sum over the other members g of F(a->g) / B_a``.

    ``group`` may name a group of ``groups`` or of the built-in catalogue (``'EAEU'``).
    """
    market = _Market(flows, panel, base_indicator, flow_unit=flow_unit, base_unit=base_unit)
    a = market.label(country)
    # A member listed twice is one partner: its flow must not count twice.
    members = dict.fromkeys(market.label(m) for m in resolve_group(group, year, groups))
    others = [m for m in members if m != a]
    if not members:
        raise MissingValueError(f"the group has no members in {year}")
    if not others:
        raise MissingValueError(f"the group has no member other than {a} in {year}")
    notes: list[str] = []
    to_members = [market.flow(a, g, year, notes) * market.factor for g in others]
    base = market.base(a, year)
    score = country_group_score(to_members, base)
    market.check(score, a, "the group", year)
    return market.result(score, tuple(f / base for f in to_members), notes, group, groups)


def flow_within(
    flows: Flows,
    panel: Panel,
    base_indicator: str,
    group: object,
    year: int,
    *,
    groups: Groups | None = None,
    flow_unit: object = None,
    base_unit: object = None,
) -> FlowScore:
    """Within a group: half the sum of the members' flows with each other over their bases."""
    market = _Market(flows, panel, base_indicator, flow_unit=flow_unit, base_unit=base_unit)
    members = list(dict.fromkeys(market.label(m) for m in resolve_group(group, year, groups)))
    if len(members) < 2:
        # one sentence: the workbook splits notes at '; '
        raise MissingValueError(f"the group has {len(members)} member in {year}: need 2 or more")
    notes: list[str] = []
    matrix = [
        [0.0 if g == h else market.flow(g, h, year, notes) * market.factor for h in members]
        for g in members
    ]
    bases = [market.base(g, year) for g in members]
    score = within_group_score(matrix, bases)
    market.check(score, "the group", "its members", year)
    return market.result(score, (), notes, group, groups)


def flow_pair_series(
    flows: Flows,
    panel: Panel,
    base_indicator: str,
    country_a: str,
    country_b: str,
    *,
    years: Sequence[int] | None = None,
    aggregator: str = "harmonic",
    flow_unit: object = None,
    base_unit: object = None,
) -> pd.DataFrame:
    """The pair score for every year: ``year, score, share_a, share_b, note``.

    ``attrs``: ``units`` (how the flows' unit met the base's) and ``warnings``
    (implausible shares, one line).
    """
    return market_series(
        lambda y: flow_pair(
            flows,
            panel,
            base_indicator,
            country_a,
            country_b,
            y,
            aggregator=aggregator,
            flow_unit=flow_unit,
            base_unit=base_unit,
        ),
        panel,
        years,
        shares=True,
    )


def market_series(
    compute: Callable[[int], FlowScore],
    panel: Panel,
    years: Sequence[int] | None,
    *,
    shares: bool = False,
) -> pd.DataFrame:
    """Run a market measure for every year; a year that fails gets NaN and a note.

    ``attrs``: ``units`` (how the flows' unit met the base's), ``warnings`` (one line
    when shares are implausible: the years and an example) and ``notes`` (where a group
    name came from).
    """
    records = []
    implausible: list[tuple[int, str]] = []
    units = group_source = ""
    for year in years if years is not None else panel.years:
        try:
            result = compute(year)
        except (MissingValueError, UndefinedResultError) as exc:
            records.append(
                {"year": year, "score": math.nan, "note": str(exc), "error": type(exc).__name__}
            )
            continue
        units = units or result.units
        group_source = group_source or next((n for n in result.notes if n.startswith("group ")), "")
        implausible += [(year, w) for w in result.warnings]
        record: dict[str, object] = {
            "year": year,
            "score": result.score,
            "note": "; ".join([*result.notes, *result.warnings]),
            "error": "",
        }
        if shares:
            record["share_a"], record["share_b"] = result.shares
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    columns = ["year", "score", *(["share_a", "share_b"] if shares else []), "note", "error"]
    frame = frame.reindex(columns=columns)
    warnings = []
    if implausible:
        bad_years = sorted({y for y, _ in implausible})
        warnings.append(
            f"implausible shares in {len(bad_years)} year(s) ({_span(bad_years)}), e.g. "
            f"{implausible[0][1]}"
        )
    frame.attrs.update(units=units, warnings=warnings, notes=[group_source] if group_source else [])
    return frame


def _span(years: Sequence[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
