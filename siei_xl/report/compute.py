"""Everything a SIEI report shows, computed through the pandas API (no files, no pictures).

For a group and a span of years: every convergence preset the data hold and every
market preset whose flows were given, each as the SIEI's three indicator types (pairs
of members, each member with the rest of the group, within the group); sigma and beta
convergence of the macro preset's level; the two consolidated indices; the expert poll.
What cannot be computed is listed with the reason, never invented.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from siei_xl._defaults import CV_LIMIT, DDOF, STANDARDIZE
from siei_xl.classic import SigmaResult, beta_convergence, sigma_series
from siei_xl.consolidated import consolidated_indices
from siei_xl.convergence import group_cv, group_distance, pair_distance
from siei_xl.core.classic import Beta
from siei_xl.exceptions import (
    ComputationError,
    MissingValueError,
    SieiError,
    UndefinedResultError,
    UnknownCountryError,
    UnknownGroupError,
    closest,
)
from siei_xl.experts import ExpertScores, agreement, expert_summary, institutional_index
from siei_xl.groups import Groups, catalogue, resolve_group
from siei_xl.labels import split_list
from siei_xl.market import Flows, FlowScore, flow_group, flow_pair, flow_within
from siei_xl.panel import Panel
from siei_xl.presets import Preset, Resolved, presets, resolve

__all__ = ["BlockResult", "Move", "Reason", "ReportData", "compute_report"]

# A year that cannot be computed gets NaN and the reason; other errors stop the report.
_YEAR_ERRORS = (MissingValueError, ComputationError, UndefinedResultError)


@dataclass
class BlockResult:
    """One SIEI index for the group: the three indicator types by year."""

    preset: Preset
    resolved: Resolved
    pairs: pd.DataFrame
    """year, country_a, country_b, value, note (members of that year only)."""
    with_group: pd.DataFrame
    """year, country, value, others, note: each member with the rest of the group."""
    within: pd.DataFrame
    """year, value, members, note."""
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.preset.name

    def last_year(self) -> int | None:
        """The last year with a value for at least one pair."""
        have = self.pairs.dropna(subset=["value"])
        return int(have["year"].max()) if len(have) else None

    def matrix(self, year: int, members: Sequence[str]) -> pd.DataFrame:
        """Members x members of one year (NaN where not available; 0 on the diagonal for
        distances, NaN for market scores)."""
        out = pd.DataFrame(np.nan, index=list(members), columns=list(members))
        rows = self.pairs[self.pairs["year"] == year]
        for a, b, v in rows[["country_a", "country_b", "value"]].itertuples(index=False):
            if a in out.index and b in out.index:
                out.loc[a, b] = out.loc[b, a] = v
        if self.preset.block == "convergence":
            for m in members:
                out.loc[m, m] = 0.0
        return out

    def with_group_wide(self) -> pd.DataFrame:
        """Index year, one column per member: the Figure 1 table."""
        return self.with_group.pivot(index="year", columns="country", values="value")


REASONS = {
    "no_flows": "no {flow} flows given",
    "no_base": "the base {code} is not in the data",
    "no_series": "none of {codes} is in the data",
    "unused_flows": "flows given for a type no chosen preset uses",
    "poll_group": "the expert poll has no scores of {group}",
    "no_poll": "no expert poll given (--experts)",
}


@dataclass(frozen=True)
class Reason:
    """Why a block was not computed: a key of :data:`REASONS` and its values."""

    key: str
    values: dict[str, object]

    def __str__(self) -> str:
        return REASONS[self.key].format(**self.values)


@dataclass(frozen=True)
class Move:
    """How much an index moved over the span (for the generated summary)."""

    block: str
    what: str
    """``"within"`` or ``"member"``."""
    member: str
    year0: int
    value0: float
    year1: int
    value1: float

    @property
    def change(self) -> float:
        return self.value1 - self.value0

    @property
    def relative(self) -> float:
        return self.change / abs(self.value0) if self.value0 else math.nan


@dataclass
class ReportData:
    """The numbers of a report and where they came from."""

    group: str
    members: tuple[str, ...]
    """Every member in the span, in the order first seen."""
    members_by_year: dict[int, tuple[str, ...]]
    years: tuple[int, ...]
    universe: int
    data_name: str
    standardize: str
    ddof: int
    blocks: dict[str, BlockResult] = field(default_factory=dict)
    missing: dict[str, Reason] = field(default_factory=dict)
    """Preset name (or ``institutional``) -> why it was not computed."""
    sigma: SigmaResult | None = None
    sigma_indicator: str = ""
    beta: Beta | None = None
    classic_notes: list[str] = field(default_factory=list)
    consolidated: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)
    """Level (``within``, ``with_group``) -> index name -> table."""
    consolidated_notes: list[str] = field(default_factory=list)
    experts: pd.DataFrame | None = None
    agreement: pd.DataFrame | None = None
    institutional: pd.DataFrame | None = None
    expert_scale: tuple[float, float] = (1.0, 10.0)

    def moves(self) -> list[Move]:
        """For each block: the within-group change and the member that moved most,
        first to last year with a value; largest relative change first."""
        out: list[Move] = []
        for name, block in self.blocks.items():
            within = block.within.dropna(subset=["value"])
            if len(within) >= 2:
                first, last = within.iloc[0], within.iloc[-1]
                out.append(
                    Move(
                        name,
                        "within",
                        "",
                        int(first["year"]),
                        float(first["value"]),
                        int(last["year"]),
                        float(last["value"]),
                    )
                )
            best: Move | None = None
            for member, rows in block.with_group.dropna(subset=["value"]).groupby("country"):
                if len(rows) < 2:
                    continue
                move = Move(
                    name,
                    "member",
                    str(member),
                    int(rows["year"].iloc[0]),
                    float(rows["value"].iloc[0]),
                    int(rows["year"].iloc[-1]),
                    float(rows["value"].iloc[-1]),
                )
                if best is None or abs(move.change) > abs(best.change):
                    best = move
            if best is not None:
                out.append(best)
        return sorted(out, key=lambda m: -abs(m.relative) if math.isfinite(m.relative) else 0.0)


def _year_value(compute: Callable[[], float]) -> tuple[float, str]:
    try:
        return compute(), ""
    except _YEAR_ERRORS as exc:
        return math.nan, str(exc)


Outcome = tuple[float, str]
"""A value (NaN when not available) and the note saying why."""


def _tables(
    data: ReportData,
    pair: Callable[[str, str, int], Outcome],
    member: Callable[[str, tuple[str, ...], int], Outcome],
    within: Callable[[tuple[str, ...], int], Outcome],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three SIEI indicator types of one block, over the members of each year."""
    pairs: list[dict[str, object]] = []
    rest: list[dict[str, object]] = []
    whole: list[dict[str, object]] = []
    for year in data.years:
        members = data.members_by_year[year]
        if len(members) < 2:
            whole.append(_too_few(year, members))
            continue
        for a, b in itertools.combinations(members, 2):
            value, note = pair(a, b, year)
            pairs.append(
                {"year": year, "country_a": a, "country_b": b, "value": value, "note": note}
            )
        for a in members:
            value, note = member(a, members, year)
            others = ",".join(m for m in members if m != a)
            rest.append(
                {"year": year, "country": a, "value": value, "others": others, "note": note}
            )
        value, note = within(members, year)
        whole.append({"year": year, "value": value, "members": ",".join(members), "note": note})
    return (
        _frame(pairs, ["year", "country_a", "country_b", "value", "note"]),
        _frame(rest, ["year", "country", "value", "others", "note"]),
        _frame(whole, ["year", "value", "members", "note"]),
    )


def _convergence_block(
    preset: Preset, resolved: Resolved, data: ReportData, *, cv_limit: float
) -> BlockResult:
    panel = _panel_of(resolved)
    method, ddof = data.standardize, data.ddof

    def pair(a: str, b: str, year: int) -> Outcome:
        return _year_value(partial(pair_distance, panel, a, b, year, standardize=method, ddof=ddof))

    def member(a: str, members: tuple[str, ...], year: int) -> Outcome:
        others = [m for m in members if m != a]
        return _year_value(
            partial(group_distance, panel, a, others, year, standardize=method, ddof=ddof)
        )

    def within(members: tuple[str, ...], year: int) -> Outcome:
        cv = partial(group_cv, panel, list(members), year, ddof=data.ddof, cv_limit=cv_limit)
        return _year_value(cv)

    return BlockResult(preset, resolved, *_tables(data, pair, member, within), list(resolved.notes))


def _market_block(
    preset: Preset, resolved: Resolved, flows: Flows, data: ReportData
) -> BlockResult:
    panel = _panel_of(resolved)
    mirror: list[str] = []

    def score(compute: Callable[[], FlowScore]) -> Outcome:
        try:
            result = compute()
        except _YEAR_ERRORS as exc:
            return math.nan, str(exc)
        mirror.extend(result.notes)
        return float(result.score), "; ".join(result.notes)

    tables = _tables(
        data,
        lambda a, b, year: score(partial(flow_pair, flows, panel, "base", a, b, year)),
        lambda a, members, year: score(
            partial(flow_group, flows, panel, "base", a, list(members), year)
        ),
        lambda members, year: score(
            partial(flow_within, flows, panel, "base", list(members), year)
        ),
    )
    notes = list(resolved.notes)
    unique = sorted(set(mirror))
    if unique:
        shown = "; ".join(unique[:3]) + ("; ..." if len(unique) > 3 else "")
        notes.append(f"partner's (mirror) figures stand in {len(unique)} times: {shown}")
    notes.append(
        f"flows in {preset.flow_unit}; base {preset.base} in {preset.base_unit} times "
        f"{preset.base_scale:g}"
    )
    return BlockResult(preset, resolved, *tables, notes)


def _too_few(year: int, members: Sequence[str]) -> dict[str, object]:
    """The within-group row of a year the group has fewer than two members."""
    note = f"the group has {len(members)} member(s) in {year}; every measure needs 2 or more"
    return {"year": year, "value": math.nan, "members": ",".join(members), "note": note}


def _panel_of(resolved: Resolved) -> Panel:
    if resolved.panel is None:
        raise MissingValueError(f"{resolved.preset.name}: none of its series is in the data")
    return resolved.panel


def _frame(records: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["value"] = frame["value"].astype(float)
    return frame


def compute_report(
    panel: Panel,
    group: object,
    years: Sequence[int],
    *,
    groups: Groups | None = None,
    flows: Mapping[str, Flows] | None = None,
    experts: ExpertScores | None = None,
    book: Mapping[str, Preset] | None = None,
    only: Sequence[str] | None = None,
    standardize: str = STANDARDIZE,
    ddof: int = DDOF,
    cv_limit: float = CV_LIMIT,
    step: Callable[[str], None] = lambda _message: None,
) -> ReportData:
    """Compute every block the inputs allow for ``group`` over ``years``.

    Parameters
    ----------
    panel : Panel
        Indicators named by WDI code (as the presets name them); the universe of the
        z-scores.
    group : a group name in ``groups`` or a list of countries
    years : the span; years outside the panel are dropped
    flows : mapping of flow type (``trade``, ``migration``, ...) to its Flows
    experts : the expert poll, if any; its grouping named like ``group`` is the block
    only : preset names to compute (default all)
    """
    book = presets() if book is None else book
    flows = dict(flows or {})
    span = tuple(y for y in years if y in set(panel.years))
    if not span:
        raise MissingValueError(
            f"the data have no year in {min(years)}-{max(years)} (they cover "
            f"{panel.years[0]}-{panel.years[-1]})"
        )
    by_year: dict[int, tuple[str, ...]] = {}
    order: dict[str, None] = {}
    named = isinstance(group, str) and "," not in group and (groups is None or group not in groups)
    for year in span:
        try:
            labels = tuple(panel.country(m) for m in resolve_group(group, year, groups))
        except UnknownCountryError:
            if not named:
                raise
            name = str(group).strip()
            known = [*(groups.names if groups is not None else ()), *catalogue().book.names]
            raise UnknownGroupError(
                f"{name!r} is neither a group (yours or the built-in catalogue's) nor a "
                f"country of the data{closest(name, known)}; run 'siei-xl groups' to list the "
                "groupings, or give a list such as KAZ,RUS,KGZ"
            ) from None
        by_year[year] = labels
        order.update(dict.fromkeys(labels))
    if len(order) < 2:
        raise MissingValueError(f"the group {group!r} has fewer than 2 members in the span")
    data = ReportData(
        group=str(group).strip() if isinstance(group, str) else ",".join(split_list(group)),
        members=tuple(order),
        members_by_year=by_year,
        years=span,
        universe=len(panel.countries),
        data_name=panel.description,
        standardize=standardize,
        ddof=ddof,
    )
    chosen = [book[n] for n in (only or book)]
    for preset in chosen:
        if preset.block == "market":
            if preset.flow not in flows:
                data.missing[preset.name] = Reason("no_flows", {"flow": preset.flow})
                continue
            resolved = resolve(preset, panel)
            if not resolved.available:
                data.missing[preset.name] = Reason("no_base", {"code": preset.base})
                continue
            step(f"market: {preset.name}")
            data.blocks[preset.name] = _market_block(preset, resolved, flows[preset.flow], data)
        else:
            resolved = resolve(preset, panel)
            if not resolved.available:
                data.missing[preset.name] = Reason(
                    "no_series", {"codes": ", ".join(resolved.missing)}
                )
                continue
            step(f"convergence: {preset.name}")
            data.blocks[preset.name] = _convergence_block(preset, resolved, data, cv_limit=cv_limit)
    unused = sorted(set(flows) - {p.flow for p in chosen if p.block == "market"})
    if unused:
        data.missing[", ".join(unused)] = Reason("unused_flows", {})
    _classic(panel, group, groups, data, book)
    step("consolidated indices")
    _consolidated(data)
    if experts is not None:
        step("expert poll")
        data.experts = expert_summary(experts)
        data.agreement = agreement(experts)
        data.expert_scale = experts.scale
        try:
            data.institutional = institutional_index(data.experts, data.group)
        except SieiError:
            data.missing["institutional"] = Reason("poll_group", {"group": data.group})
    else:
        data.missing["institutional"] = Reason("no_poll", {})
    return data


def _classic(
    panel: Panel,
    group: object,
    groups: Groups | None,
    data: ReportData,
    book: Mapping[str, Preset],
) -> None:
    macro = book.get("macro")
    indicator = macro.sigma_indicator if macro is not None else None
    if not indicator or indicator not in panel.indicators:
        data.classic_notes.append(
            f"sigma and beta need {indicator or 'a level indicator'} in the data"
        )
        return
    data.sigma_indicator = indicator
    try:
        data.sigma = sigma_series(panel, indicator, group, groups=groups, years=list(data.years))
    except SieiError as exc:
        data.classic_notes.append(f"sigma: {exc}")
    # beta from the first year with 3 members (a slope with a standard error needs 3)
    start = next((y for y in data.years if len(data.members_by_year[y]) >= 3), data.years[0])
    try:
        data.beta = beta_convergence(panel, indicator, group, start, data.years[-1], groups=groups)
    except SieiError as exc:
        data.classic_notes.append(f"beta: {exc}")


def _consolidated(data: ReportData) -> None:
    levels = {
        "within": (["year"], lambda b: b.within),
        "with_group": (["year", "country"], lambda b: b.with_group),
    }
    book = {name: block.preset for name, block in data.blocks.items()}
    for level, (keys, table) in levels.items():
        tables = {
            name: table(block)[[*keys, "value"]]
            for name, block in data.blocks.items()
            if table(block)["value"].notna().sum() >= 2
        }
        if not tables:
            continue
        try:
            data.consolidated[level] = consolidated_indices(
                tables, keys=keys, value="value", book=book
            )
        except SieiError as exc:
            data.consolidated_notes.append(f"{level}: {exc}")
