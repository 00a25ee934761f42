"""Market integration (SIEI block 1) over reported bilateral flows.

A flow table holds, for each reporter, partner and year, the flow **as the reporter
reports it** (for trade: exports to plus imports from the partner, i.e. turnover). The
base (GDP for trade, population for migration) comes from the panel. Flow and base must
be in the same units (e.g. both in million US$): the scores are ratios of the two.

Mirror statistics: when a country did not report its flow with a partner, the partner's
report stands in for it and the result says so (``note``); when neither reported, the
score is not available. Higher scores mean more integration.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

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
from siei_xl.groups import Groups, resolve_group
from siei_xl.labels import (
    YEAR_HEADERS,
    is_missing,
    label_key,
    label_text,
    parse_number,
    split_list,
)
from siei_xl.panel import Panel, header_row

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

    def __init__(self, records: dict[tuple[str, str, int], float], labels: dict[str, str]) -> None:
        self._flows = records
        self._labels = labels

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
    ) -> Flows:
        """Read reporter, partner, year and one value column.

        ``sum_duplicates=True`` adds rows for the same reporter, partner and year (e.g. an
        exports row and an imports row, to get turnover); otherwise they are an error.
        """
        columns = [label_key(h) if h is not None else "" for h in header]

        def find(accepted: Sequence[str], what: str) -> int:
            for name in accepted:
                if name in columns:
                    return columns.index(name)
            raise HeaderError(
                f"the flows table needs a {what} column (headed {accepted[0]!r}); found "
                f"{', '.join(repr(c) for c in columns if c) or 'no headers'}"
            )

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
        return cls(records, labels)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, sum_duplicates: bool = False) -> Flows:
        rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        return cls.from_rows([str(c) for c in frame.columns], rows, sum_duplicates=sum_duplicates)

    @classmethod
    def from_cells(cls, rows: Sequence[Sequence[object]]) -> Flows:
        """From a sheet range whose header may sit below a title line."""
        top = header_row(rows, REPORTER_HEADERS, PARTNER_HEADERS)
        return cls.from_rows(rows[top], rows[top + 1 :], first_row_number=top + 2)


@dataclass(frozen=True)
class FlowScore:
    """A market score with the pieces it was made of and what stood in for what."""

    score: float
    shares: tuple[float, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


class _Market:
    """Flows and bases for one computation, with mirror fallback and clear gaps."""

    def __init__(self, flows: Flows, panel: Panel, base_indicator: str) -> None:
        self.flows, self.panel = flows, panel
        names = split_list(base_indicator)
        if len(names) != 1:
            raise OptionError(
                f"the base must be one column of the data (e.g. GDP), got {base_indicator!r}"
            )
        (self.k,) = panel.indicator_positions(names)
        self.base_name = panel.indicators[self.k]

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
    """
    market = _Market(flows, panel, base_indicator)
    a, b = market.label(country_a), market.label(country_b)
    how = _check_aggregator(aggregator)
    if a == b:
        raise OptionError(f"a pair needs two different countries, got {a} twice")
    notes: list[str] = []
    share_a = market.flow(a, b, year, notes) / market.base(a, year)
    share_b = market.flow(b, a, year, notes) / market.base(b, year)
    return FlowScore(pair_score(share_a, share_b, how), (share_a, share_b), tuple(notes))


def flow_group(
    flows: Flows,
    panel: Panel,
    base_indicator: str,
    country: str,
    group: object,
    year: int,
    *,
    groups: Groups | None = None,
) -> FlowScore:
    """Country with group: ``sum over the other members g of F(a->g) / B_a``."""
    market = _Market(flows, panel, base_indicator)
    a = market.label(country)
    # A member listed twice is one partner: its flow must not count twice.
    members = dict.fromkeys(market.label(m) for m in resolve_group(group, year, groups))
    others = [m for m in members if m != a]
    if not others:
        raise MissingValueError(f"the group has no member other than {a} in {year}")
    notes: list[str] = []
    to_members = [market.flow(a, g, year, notes) for g in others]
    base = market.base(a, year)
    return FlowScore(
        country_group_score(to_members, base), tuple(f / base for f in to_members), tuple(notes)
    )


def flow_within(
    flows: Flows,
    panel: Panel,
    base_indicator: str,
    group: object,
    year: int,
    *,
    groups: Groups | None = None,
) -> FlowScore:
    """Within a group: half the sum of the members' flows with each other over their bases."""
    market = _Market(flows, panel, base_indicator)
    members = list(dict.fromkeys(market.label(m) for m in resolve_group(group, year, groups)))
    if len(members) < 2:
        raise MissingValueError(f"the group has {len(members)} member in {year}; need 2 or more")
    notes: list[str] = []
    matrix = [[0.0 if g == h else market.flow(g, h, year, notes) for h in members] for g in members]
    bases = [market.base(g, year) for g in members]
    return FlowScore(within_group_score(matrix, bases), (), tuple(notes))


def flow_pair_series(
    flows: Flows,
    panel: Panel,
    base_indicator: str,
    country_a: str,
    country_b: str,
    *,
    years: Sequence[int] | None = None,
    aggregator: str = "harmonic",
) -> pd.DataFrame:
    """The pair score for every year: ``year, score, share_a, share_b, note``."""
    return market_series(
        lambda y: flow_pair(
            flows, panel, base_indicator, country_a, country_b, y, aggregator=aggregator
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
    """Run a market measure for every year; a year that fails gets NaN and a note."""
    records = []
    for year in years if years is not None else panel.years:
        try:
            result = compute(year)
        except (MissingValueError, UndefinedResultError) as exc:
            records.append(
                {"year": year, "score": math.nan, "note": str(exc), "error": type(exc).__name__}
            )
            continue
        record: dict[str, object] = {
            "year": year,
            "score": result.score,
            "note": "; ".join(result.notes),
            "error": "",
        }
        if shares:
            record["share_a"], record["share_b"] = result.shares
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    columns = ["year", "score", *(["share_a", "share_b"] if shares else []), "note", "error"]
    return frame.reindex(columns=columns)
