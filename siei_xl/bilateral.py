"""Bilateral flows as published, turned into the Flows layout of :mod:`siei_xl.market`.

The Flows layout is ``reporter, partner, year, value, unit``: one row per reporter,
partner and year, the flow **as the reporter reports it**, and the unit of the values
(``USD millions``, ``persons``; see :mod:`siei_xl.units`). The readers here take the
tables the statistics offices publish, as downloaded:

=====================  =================================================================
layout                 looks like
=====================  =================================================================
``flows``              ``reporter, partner, year, value`` (already the Flows layout)
``imf_trade``          IMF Direction of Trade Statistics / IMTS: reporter, partner
                       (counterpart), flow (exports FOB / imports CIF), year, value in US$
                       millions, estimate flags
``comtrade``           UN Comtrade bulk or API CSV: ``reporterISO, partnerISO, flowCode,
                       period, primaryValue`` (US$)
=====================  =================================================================

Trade: exports + imports are added up to the **turnover as each reporter reports it**
(a reporter-partner-year with only one of them reported gets that one, and a note
counts them). The World and aggregate partners (``WLD``, ``W00``, regions, "nes" areas)
leave the flows; each reporter's total with the World is kept in ``attrs["totals"]``, a
Data-layout table (``country, year, trade_world_<unit>``) that can serve as the base of
trade shares. ``attrs`` also holds ``layout``, ``unit`` (label, ``''`` when unknown),
``notes`` and ``warnings``: nothing is dropped silently. (``attrs["totals"]`` is a
:class:`Totals`; its ``frame`` is the table.)
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from siei_xl.exceptions import DataError, HeaderError, NonNumericError, OptionError
from siei_xl.importers import iso3_code, read_table
from siei_xl.labels import label_key, label_text, parse_number
from siei_xl.units import Unit, parse_unit, unit_of_name

__all__ = [
    "FLOW_LAYOUTS",
    "WORLD_CODES",
    "Totals",
    "detect_flow_layout",
    "flows_summary",
    "read_flows",
    "to_flows",
]

FLOW_LAYOUTS: Final = ("flows", "imf_trade", "comtrade")

WORLD_CODES: Final = frozenset({"wld", "w00", "g001", "world", "0", "w0", "001", "1w"})
"""Partner codes and names that stand for the World (IMF, UN Comtrade, World Bank)."""

# Codes of the aggregates that look like countries (three letters) in IMF and World Bank
# tables; anything that is not three letters (regions such as F19 or 'Areas, nes') is an
# aggregate anyway.
_AGGREGATE_CODES: Final = frozenset(
    {
        "EUU", "EMU", "ECS", "EAS", "LCN", "MEA", "NAC", "SAS", "SSF", "ARB", "CEB", "CSS",
        "EAP", "ECA", "HIC", "LIC", "LMC", "LMY", "MIC", "UMC", "OED", "INX", "EAR", "LTE",
        "PRE", "PST", "IBD", "IBT", "IDA", "IDB", "IDX", "FCS", "HPC", "LDC", "OSS", "PSS",
        "SST", "TEA", "TEC", "TLA", "TMN", "TSA", "TSS", "XZN", "AFE", "AFW", "EUR", "OTH",
        "SPE", "NTZ", "XXA", "XXB", "XXC", "ALL", "TOT",
    }
)  # fmt: skip

_REPORTER: Final = (
    "reporter", "reporter_iso3", "reporter iso3", "reporteriso", "reporter iso",
    "reporter code", "country code", "country_code", "country", "ref_area", "ref area",
)  # fmt: skip
_PARTNER: Final = (
    "partner", "partner_iso3", "partner iso3", "partneriso", "partner iso", "partner code",
    "counterpart country code", "counterpart_country", "counterpart country",
    "counterpart_area", "counterpart area", "counterpart",
)  # fmt: skip
_FLOW: Final = ("flow", "flowcode", "flow code", "indicator", "indicator code", "indicator_code",
                "trade flow", "trade_flow")  # fmt: skip
_YEAR: Final = ("year", "time_period", "time period", "period", "refyear", "time")
_VALUE: Final = ("value_musd", "value_usd", "value", "primaryvalue", "obs_value", "trade value")
_FLAG: Final = ("imf_flag", "flag", "status", "obs_status", "isaggregate")
_UNIT: Final = ("unit", "units", "unit_measure", "unit of measure")
_UNIT_MULT: Final = ("unit_mult", "scale", "unit multiplier")

_EXPORTS: Final = frozenset(
    {"x", "exports", "export", "exports_fob", "exports fob", "txg_fob_usd", "xg_fob_usd"}
)
_IMPORTS_CIF: Final = frozenset(
    {"m", "imports", "import", "imports_cif", "imports cif", "tmg_cif_usd", "mg_cif_usd"}
)
_IMPORTS_FOB: Final = frozenset({"imports_fob", "imports fob", "tmg_fob_usd", "mg_fob_usd"})
_TURNOVER: Final = frozenset({"turnover", "total trade", "trade", "exports + imports"})
_ISO3: Final = re.compile(r"^[A-Z]{3}$")


# ----------------------------------------------------------------------------- entry
def read_flows(
    path: str | os.PathLike[str],
    *,
    layout: str | None = None,
    unit: object = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read a file of bilateral flows as published into the Flows layout.

    Parameters
    ----------
    path : path
        CSV or XLSX file (see :func:`siei_xl.importers.read_table`).
    layout : str, optional
        One of :data:`FLOW_LAYOUTS`; default: recognised from the headers.
    unit : str or Unit, optional
        The unit of the values (``'USD millions'``); overrides what the file says.
    sheet : str or int, optional
        Sheet of a workbook.
    """
    table = read_table(path, sheet=sheet)
    return to_flows(table, layout=layout, unit=unit)


def to_flows(
    table: pd.DataFrame, *, layout: str | None = None, unit: object = None
) -> pd.DataFrame:
    """A table of a known flow layout (see the module's docstring) in the Flows layout.

    Examples
    --------
    >>> import pandas as pd
    >>> dots = pd.DataFrame({
    ...     "reporter_iso3": ["KAZ", "KAZ", "KAZ", "KAZ"],
    ...     "partner_iso3": ["RUS", "RUS", "WLD", "WLD"],
    ...     "flow": ["exports_fob", "imports_cif", "exports_fob", "imports_cif"],
    ...     "year": [2015, 2015, 2015, 2015],
    ...     "value_musd": [4.5, 8.5, 45.0, 30.0],
    ...     "imf_flag": [None, None, None, "e"]})
    >>> flows = to_flows(dots)
    >>> flows.to_dict("records")
    [{'reporter': 'KAZ', 'partner': 'RUS', 'year': 2015, 'value': 13.0, 'unit': 'USD millions'}]
    >>> flows.attrs["totals"].frame.to_dict("records")
    [{'country': 'KAZ', 'year': 2015, 'trade_world_musd': 75.0}]
    """
    columns = [label_key(c) for c in table.columns]
    found = layout or detect_flow_layout(table)
    if found is None:
        raise HeaderError(
            "cannot tell the flows layout: expected reporter, partner, year and value columns "
            "(Flows layout), an IMF trade table (reporter, partner, flow exports/imports, year, "
            "value) or UN Comtrade (reporterISO, partnerISO, flowCode, period, primaryValue); "
            f"found {', '.join(repr(str(c)) for c in table.columns) or 'no headers'}"
        )
    if found not in FLOW_LAYOUTS:
        raise OptionError(f"layout must be one of {', '.join(FLOW_LAYOUTS)}, got {found!r}")
    notes: list[str] = []
    body = table.reset_index(drop=True)
    body.columns = columns
    if found == "comtrade":
        body = _comtrade_rows(body, notes)
    value_col = _pick(columns, _VALUE, "value")
    stated = _stated_unit(body, columns, value_col, unit)
    if stated is None and found == "comtrade":
        stated = Unit("USD")  # primaryValue is in US$ (UN Comtrade API documentation)
    # Published layouts use codes (names become codes); the Flows layout keeps its labels,
    # which may be anything (border regions as well as countries).
    label = _code if found != "flows" else _plain_label
    frame = pd.DataFrame(
        {
            "reporter": body[_pick(columns, _REPORTER, "reporter")].map(label),
            "partner": body[_pick(columns, _PARTNER, "partner")].map(label),
            "year": _years(body[_pick(columns, _YEAR, "year")]),
            "value": _numbers(body[value_col], value_col),
        }
    )
    flag = _optional(columns, _FLAG)
    if flag is not None and found == "imf_trade":
        flagged = body[flag].map(lambda v: label_key(v) if v is not None else "").isin({"e"})
        count = int((flagged & frame["value"].notna()).sum())
        if count:
            notes.append(f"{count} value(s) are IMF estimates (flag 'e')")
    if found in {"imf_trade", "comtrade"}:
        frame = _turnover(frame, body[_pick(columns, _FLOW, "flow")], notes)
    frame = frame[frame["value"].notna()]
    if (frame["value"] < 0).any():
        bad = frame[frame["value"] < 0].iloc[0]
        raise DataError(
            f"flow {bad['reporter']} -> {bad['partner']} {bad['year']} is negative "
            f"({bad['value']:g}); flows are gross values"
        )
    flows, totals = _split_world(frame, notes, by_code=found != "flows")
    out = _finish(flows, totals, stated, found, "trade_world", notes)
    out.attrs["source"] = table.attrs.get("source", "")
    return out


def detect_flow_layout(table: pd.DataFrame) -> str | None:
    """``'comtrade'``, ``'imf_trade'``, ``'flows'`` or None, from the headers.

    Examples
    --------
    >>> import pandas as pd
    >>> detect_flow_layout(pd.DataFrame(columns=["reporterISO", "partnerISO", "flowCode",
    ...                                          "period", "primaryValue"]))
    'comtrade'
    >>> detect_flow_layout(pd.DataFrame(columns=["country", "year", "gdp"])) is None
    True
    """
    keys = [label_key(c) for c in table.columns]
    has = set(keys)
    if {"primaryvalue"} <= has and has & {"reporteriso", "reportercode"}:
        return "comtrade"
    parts = (_REPORTER, _PARTNER, _YEAR, _VALUE)
    if not all(_optional(keys, names) is not None for names in parts):
        return None
    return "imf_trade" if _optional(keys, _FLOW) is not None else "flows"


# --------------------------------------------------------------------------- helpers
def _pick(columns: Sequence[str], names: Sequence[str], what: str) -> str:
    found = _optional(columns, names)
    if found is None:
        raise HeaderError(
            f"the flows table needs a {what} column (headed {names[0]!r}); found "
            f"{', '.join(repr(c) for c in columns if c) or 'no headers'}"
        )
    return found


def _optional(columns: Sequence[str], names: Sequence[str]) -> str | None:
    for name in names:
        if name in columns:
            return name
    return None


def _code(cell: object) -> str:
    """A country label: ISO3 as given, a known name as its ISO3 code, else the text."""
    text = label_text(cell) if cell is not None else ""
    if _ISO3.match(text.upper()) and len(text) == 3:
        return text.upper()
    return iso3_code(text) or text


def _plain_label(cell: object) -> str:
    return label_text(cell) if cell is not None else ""


def _years(cells: pd.Series) -> pd.Series:
    out = []
    for row, cell in enumerate(cells):
        number = parse_number(cell)
        if number is None or math.isnan(number) or not float(number).is_integer():
            text = str(cell)
            hint = (
                "; download annual data"
                if re.fullmatch(r"\d{4}(-?M?\d{2}|-?Q\d)", text.strip())
                else ""
            )
            raise DataError(f"flows row {row + 2}: {cell!r} is not a year{hint}")
        year = int(number)
        if year > 9999:
            raise DataError(f"flows row {row + 2}: {cell!r} is not a year; download annual data")
        out.append(year)
    return pd.Series(out, index=cells.index, dtype="int64")


def _numbers(cells: pd.Series, column: str) -> pd.Series:
    fast = pd.to_numeric(cells, errors="coerce")
    out = fast.to_numpy(dtype="float64").copy()
    for pos in np.flatnonzero(~np.isfinite(out)):
        number = parse_number(cells.iloc[pos])
        if number is None:
            raise NonNumericError(
                f"flows row {pos + 2}, column {column!r}: {cells.iloc[pos]!r} is not a number; "
                "use a decimal point, and a blank or '..' for missing"
            )
        out[pos] = number
    return pd.Series(out, index=cells.index)


def _stated_unit(
    body: pd.DataFrame, columns: Sequence[str], value_col: str, explicit: object
) -> Unit | None:
    if isinstance(explicit, Unit):
        return explicit
    if explicit is not None and str(explicit).strip():
        return parse_unit(explicit)
    unit_col = _optional(columns, _UNIT)
    found: Unit | None = None
    if unit_col is not None:
        texts = {label_text(v) for v in body[unit_col] if v is not None and label_text(v)}
        units = {parse_unit(t) for t in texts}
        if len(units) > 1:
            raise DataError(
                f"the flows table mixes units ({', '.join(sorted(texts))}): keep one unit per file"
            )
        found = next(iter(units), None)
    if found is None:
        found = unit_of_name(value_col)
    mult_col = _optional(columns, _UNIT_MULT)
    if mult_col is not None and found is not None and found.scale == 1.0:
        powers = {parse_number(v) for v in body[mult_col] if v is not None}
        powers.discard(None)
        if len(powers) > 1:
            raise DataError("the flows table mixes unit multipliers: keep one per file")
        if powers:
            (power,) = powers
            if power is not None and not math.isnan(power):
                found = Unit(found.quantity, 10.0 ** int(power))
    return found


def _flow_kind(cell: object) -> str:
    key = label_key(cell) if cell is not None else ""
    if key in _EXPORTS or (key.startswith("goods, value of exports")):
        return "exports"
    if key in _IMPORTS_CIF or key.startswith("goods, value of imports, cost, insurance"):
        return "imports"
    if key in _IMPORTS_FOB or key.startswith("goods, value of imports, free on board"):
        return "imports_fob"
    if key in _TURNOVER:
        return "turnover"
    return "other"


def _turnover(frame: pd.DataFrame, flow: pd.Series, notes: list[str]) -> pd.DataFrame:
    """Exports + imports per reporter, partner and year, as the reporter reports them."""
    kind = flow.map(_flow_kind)
    if (kind == "imports").sum() == 0 and (kind == "imports_fob").any():
        kind = kind.replace("imports_fob", "imports")
        notes.append("imports are valued FOB (the file has no CIF imports)")
    other = sorted(
        {
            label_text(v)
            for v, k in zip(flow, kind, strict=True)
            if k not in {"exports", "imports", "turnover"} and v is not None
        }
    )
    if other:
        notes.append(f"left out flows other than exports and imports: {', '.join(other[:5])}")
    key = ["reporter", "partner", "year"]
    given = frame[(kind == "turnover") & frame["value"].notna()][[*key, "value"]]
    keep = frame[kind.isin({"exports", "imports"})].assign(kind=kind)
    keep = keep[keep["value"].notna()]
    if keep.empty and not given.empty:
        return _one_row_per_key(given)
    if keep.empty:
        raise DataError(
            "the trade table has no exports or imports values (flow column: e.g. exports_fob, "
            "imports_cif, X, M)"
        )
    twice = keep.duplicated([*key, "kind"], keep=False)
    if twice.any():
        bad = keep[twice].iloc[0]
        raise DataError(
            f"two {bad['kind']} rows for {bad['reporter']} -> {bad['partner']} {bad['year']}: "
            "keep one row per reporter, partner, flow and year"
        )
    wide = keep.pivot_table(index=key, columns="kind", values="value", aggfunc="sum")
    wide = wide.reindex(columns=["exports", "imports"])
    one_sided = int(wide.isna().any(axis=1).sum())
    if one_sided:
        notes.append(
            f"{one_sided} reporter-partner-year(s) report only exports or only imports; their "
            "turnover is that one flow"
        )
    out = wide.sum(axis=1, min_count=1).rename("value").reset_index()
    out["year"] = out["year"].astype("int64")
    return _one_row_per_key(pd.concat([out[[*key, "value"]], given], ignore_index=True))


def _one_row_per_key(frame: pd.DataFrame) -> pd.DataFrame:
    twice = frame.duplicated(["reporter", "partner", "year"], keep=False)
    if twice.any():
        bad = frame[twice].iloc[0]
        raise DataError(
            f"two turnover figures for {bad['reporter']} -> {bad['partner']} {bad['year']}: "
            "give either turnover or exports and imports, once"
        )
    return frame.reset_index(drop=True)


def _is_world(label: str) -> bool:
    return label_key(label) in WORLD_CODES


_AGGREGATE_NAMES: Final = frozenset(
    {"total", "other", "others", "other countries", "unknown", "not specified", "unspecified",
     "other north", "other south", "all countries"}
)  # fmt: skip


def _is_aggregate(label: str, *, by_code: bool = True) -> bool:
    """An aggregate partner: not an ISO3 code (code layouts), or a known aggregate name."""
    if label.startswith("aggregate: ") or label_key(label) in _AGGREGATE_NAMES:
        return True
    return by_code and (not _ISO3.match(label) or label in _AGGREGATE_CODES)


def _split_world(
    frame: pd.DataFrame, notes: list[str], *, by_code: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Flows between countries, and the totals with the World (aggregates left out).

    ``by_code``: labels are codes (IMF, Comtrade), so anything that is not three letters
    is an aggregate; otherwise (tables of names) only known aggregate names are.
    """

    def aggregate_label(label: str) -> bool:
        return _is_aggregate(label, by_code=by_code)

    if frame.empty:
        raise DataError("the table has no flows with values")
    # astype(bool): map keeps the string dtype of an empty column
    world = frame["partner"].map(_is_world).astype(bool)
    aggregate = ~world & frame["partner"].map(aggregate_label).astype(bool)
    bad_reporter = frame["reporter"].map(lambda r: _is_world(r) or aggregate_label(r)).astype(bool)
    dropped = sorted(set(frame.loc[aggregate, "partner"]))
    if dropped:
        notes.append(
            f"left out {len(dropped)} aggregate partner(s): {', '.join(dropped[:8])}"
            + ("..." if len(dropped) > 8 else "")
        )
    reporters = sorted(set(frame.loc[bad_reporter, "reporter"]))
    if reporters:
        notes.append(f"left out aggregate reporter(s): {', '.join(reporters[:8])}")
    totals = frame[world & ~bad_reporter]
    flows = frame[~world & ~aggregate & ~bad_reporter]
    self_rows = flows["reporter"] == flows["partner"]
    if self_rows.any():
        notes.append(f"left out {int(self_rows.sum())} row(s) of a country with itself")
        flows = flows[~self_rows]
    return flows.sort_values(["reporter", "partner", "year"], kind="stable"), totals


class Totals:
    """Each reporter's total with the World, in the Data layout (``country, year, <name>``).

    Kept in ``attrs["totals"]`` of a flows frame; a wrapper (compared by identity) so that
    pandas can copy and compare ``attrs`` without comparing two tables.
    """

    __slots__ = ("frame",)

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __repr__(self) -> str:
        return f"Totals({len(self.frame)} rows, {self.frame.columns[-1]})"


def _unit_suffix(unit: Unit | None) -> str:
    if unit is None or unit.quantity != "USD":
        return ""
    return {1.0: "_usd", 1e3: "_kusd", 1e6: "_musd", 1e9: "_busd"}.get(unit.scale, "")


def _comtrade_rows(body: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Keep the totals of a Comtrade extract: all commodities, partners, modes, customs."""
    rows = body
    for column, total, what in (
        ("cmdcode", "total", "commodity"),
        ("partner2code", "0", "second partner"),
        ("motcode", "0", "mode of transport"),
        ("customscode", "c00", "customs procedure"),
    ):
        if column not in rows.columns:
            continue
        codes = rows[column].map(lambda v: label_key(v) if v is not None else "")
        if (codes == total).any():
            if (codes != total).any():
                notes.append(f"kept the {what} total ({column} = {total.upper()}) only")
            rows = rows[codes == total]
        elif codes.nunique() > 1:
            raise DataError(
                f"the Comtrade file has several {what} codes ({column}) and no total "
                f"({total.upper()}): download the total, or one code only"
            )
    if "freqcode" in rows.columns:
        freq = {label_key(v) for v in rows["freqcode"] if v is not None}
        if freq - {"a"}:
            raise DataError("the Comtrade file holds monthly data (freqCode M): download annual")
    return rows


def flows_summary(flows: pd.DataFrame) -> str:
    """One line: how many reporters, partners and years a Flows-layout frame holds.

    Examples
    --------
    >>> import pandas as pd
    >>> flows_summary(pd.DataFrame({"reporter": ["A", "B"], "partner": ["B", "A"],
    ...                             "year": [2015, 2016], "value": [1.0, 2.0], "unit": "USD"}))
    '2 flows, 2 reporters, 2 partners, 2015-2016, unit USD'
    """
    years = sorted(set(flows["year"]))
    span = f"{years[0]}-{years[-1]}" if years else "no years"
    unit = flows.attrs.get("unit") or (flows["unit"].iloc[0] if len(flows) else "")
    return (
        f"{len(flows)} flows, {flows['reporter'].nunique()} reporters, "
        f"{flows['partner'].nunique()} partners, {span}, unit {unit or 'not stated'}"
    )


# ------------------------------------------------------------- beyond trade (SIEI block 1)
KINDS: Final = ("trade", "migration", "remittances", "students", "investment")
"""What a flows file measures; each kind has the published layout it reads and a base."""

BASES: Final = {
    "trade": "GDP (NY.GDP.MKTP.CD, current US$), or the total with the World",
    "migration": "population (SP.POP.TOTL, persons)",
    "remittances": "GDP (NY.GDP.MKTP.CD, current US$)",
    "students": "tertiary students (SE.TER.ENRL) or population (SP.POP.TOTL)",
    "investment": "GDP (NY.GDP.MKTP.CD, current US$)",
}

_DESTINATION: Final = (
    "destination", "country of destination", "host country", "host", "geounit", "country_id",
    "region, development group, country or area of destination",
)  # fmt: skip
_ORIGIN: Final = (
    "origin", "country of origin", "origin country", "home country", "source country",
    "region, development group, country or area of origin",
)  # fmt: skip


def read_bilateral(
    path: str | os.PathLike[str],
    kind: str = "trade",
    *,
    unit: object = None,
    year: int | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read a published bilateral table of one kind into the Flows layout.

    ==============  ====================================================================
    kind            layout read (as downloaded)
    ==============  ====================================================================
    ``trade``       IMF DOTS / IMTS or UN Comtrade (see :func:`to_flows`)
    ``migration``   UN DESA International Migrant Stock, table 1: destination and origin
                    (names and M49 location codes) in rows, years as columns (both
                    sexes first; the male and female blocks after it are ignored)
    ``remittances`` World Bank Bilateral Remittance Matrix: a title naming the year
                    and "millions of US$", then one matrix, a corner cell saying which
                    side runs across (``... receiving ... (across)``), ``WORLD`` totals
    ``students``    UNESCO UIS internationally mobile tertiary students: destination,
                    origin, year, number (one row per pair and year)
    ``investment``  IMF CDIS / Direct Investment Positions: reporter, counterpart,
                    indicator (inward / outward position), years as columns or a year
                    column, US$ (scale from a ``scale`` column or ``unit``)
    ==============  ====================================================================

    Migration, remittances and students are tables of one figure per destination and
    origin (estimated or reported by the destination); the flow between ``a`` and ``b``
    is the sum of both directions (migrants from ``b`` in ``a`` plus migrants from
    ``a`` in ``b``), the analogue of trade turnover, so it is the same for both. For
    investment the reporter's inward plus outward position with the counterpart, as the
    reporter reports it. The World rows are set aside as ``attrs["totals"]``.
    """
    kind = str(kind).strip().lower()
    if kind not in KINDS:
        raise OptionError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind == "trade":
        return read_flows(path, unit=unit, sheet=sheet)
    table = read_table(path, sheet=sheet)
    if kind == "migration":
        return migration_flows(table, unit=unit)
    if kind == "remittances":
        return remittance_flows(table, unit=unit, year=year)
    if kind == "students":
        return student_flows(table, unit=unit)
    return investment_flows(table, unit=unit)


def migration_flows(table: pd.DataFrame, *, unit: object = None) -> pd.DataFrame:
    """UN DESA International Migrant Stock (destination x origin, years as columns).

    Examples
    --------
    >>> import pandas as pd
    >>> desa = pd.DataFrame(
    ...     [[1, "Kazakhstan", 398, "Russian Federation", 643, 2000.0, 2500.0],
    ...      [2, "Russian Federation", 643, "Kazakhstan", 398, 3000.0, 2800.0],
    ...      [3, "Russian Federation", 643, "WORLD", 900, 9.0e6, 1.1e7]],
    ...     columns=["Index", "Region, development group, country or area of destination",
    ...              "Location code of destination",
    ...              "Region, development group, country or area of origin",
    ...              "Location code of origin", "2015", "2020"])
    >>> flows = migration_flows(desa)
    >>> flows[flows.year == 2015][["reporter", "partner", "value", "unit"]].to_dict("records")
    [{'reporter': 'KAZ', 'partner': 'RUS', 'value': 5000.0, 'unit': 'persons'}, \
{'reporter': 'RUS', 'partner': 'KAZ', 'value': 5000.0, 'unit': 'persons'}]
    """
    columns = [label_key(c) for c in table.columns]
    dest = _pick(columns, _DESTINATION, "destination")
    orig = _pick(columns, _ORIGIN, "origin")
    years = _first_year_block(table.columns)
    if not years:
        raise HeaderError("the migrant stock table needs years as columns (1990, 1995, ...)")
    body = table.reset_index(drop=True)
    body.columns = columns
    codes = {
        side: next((c for c in columns if c == f"location code of {side}"), None)
        for side in ("destination", "origin")
    }
    notes: list[str] = []
    dest_labels = _labels_with_codes(body[dest], body, codes["destination"])
    orig_labels = _labels_with_codes(body[orig], body, codes["origin"])
    pieces = [
        pd.DataFrame(
            {
                "destination": dest_labels,
                "origin": orig_labels,
                "year": year,
                "value": _numbers(body.iloc[:, j], str(year)),
            }
        )
        for j, year in years
    ]
    long = pd.concat(pieces, ignore_index=True)
    return _two_way(long, _unit_or(unit, Unit("persons")), "migrants_world", notes)


def remittance_flows(
    table: pd.DataFrame, *, unit: object = None, year: int | None = None
) -> pd.DataFrame:
    """World Bank Bilateral Remittance Matrix (one year; US$ millions).

    Examples
    --------
    >>> import pandas as pd
    >>> wb = pd.DataFrame(
    ...     [["Remittance-receiving country (across) / sending country (down)",
    ...       "Kazakhstan", "Russian Federation", "WORLD"],
    ...      ["Kazakhstan", None, 300.0, 500.0],
    ...      ["Russian Federation", 1200.0, None, 9000.0],
    ...      ["WORLD", 2000.0, 8000.0, None]], columns=["", "", "", ""])
    >>> wb.attrs["title"] = "Bilateral Remittance Estimates for 2021 (millions of US$)"
    >>> flows = remittance_flows(wb)
    >>> flows[["reporter", "partner", "year", "value", "unit"]].to_dict("records")
    [{'reporter': 'KAZ', 'partner': 'RUS', 'year': 2021, 'value': 1500.0, \
'unit': 'USD millions'}, {'reporter': 'RUS', 'partner': 'KAZ', 'year': 2021, \
'value': 1500.0, 'unit': 'USD millions'}]
    """
    cells = [list(table.columns), *table.itertuples(index=False, name=None)]
    top = next(
        (i for i, row in enumerate(cells[:30]) if row and "(across)" in label_key(row[0] or "")),
        None,
    )
    if top is None:
        raise HeaderError(
            "the remittance matrix needs its corner cell, e.g. 'Remittance-receiving country "
            "(across) / Remittance-sending country (down)'"
        )
    corner = label_key(cells[top][0])
    across_receives = corner.index("(across)") > corner.find("receiv") >= 0
    title = " ".join(
        [str(table.attrs.get("title", ""))]
        + [label_text(c) for row in cells[:top] for c in row if c is not None]
    )
    if year is None:
        found = re.findall(r"\b(19[6-9]\d|20\d\d)\b", title)
        if not found:
            raise OptionError("the remittance matrix does not name its year: give it (--year)")
        year = int(found[-1])
    header = cells[top]
    records = []
    for row in cells[top + 1 :]:
        if not row or row[0] is None or not label_text(row[0]):
            continue
        for j in range(1, len(header)):
            if header[j] is None or j >= len(row):
                continue
            number = parse_number(row[j])
            if number is None:
                raise NonNumericError(f"remittance matrix: {row[j]!r} is not a number")
            down, across = _code(row[0]), _code(header[j])
            receiver, sender = (across, down) if across_receives else (down, across)
            records.append({"destination": receiver, "origin": sender, "year": year,
                            "value": number})  # fmt: skip
    if not records:
        raise DataError("the remittance matrix has no values below its header")
    long = pd.DataFrame.from_records(records)
    default = Unit("USD", 1e6) if "million" in title.casefold() else None
    notes = [f"year {year}; each pair is remittances received plus sent (both directions)"]
    return _two_way(long, _unit_or(unit, default), "remittances_world", notes)


def student_flows(table: pd.DataFrame, *, unit: object = None) -> pd.DataFrame:
    """UNESCO UIS internationally mobile tertiary students: destination, origin, year, number.

    Examples
    --------
    >>> import pandas as pd
    >>> uis = pd.DataFrame({"Country of destination": ["Russian Federation", "Kazakhstan"],
    ...                     "Country of origin": ["Kazakhstan", "Russian Federation"],
    ...                     "Year": [2019, 2019], "Value": [65000, 1500]})
    >>> student_flows(uis)[["reporter", "partner", "value"]].to_dict("records")
    [{'reporter': 'KAZ', 'partner': 'RUS', 'value': 66500.0}, \
{'reporter': 'RUS', 'partner': 'KAZ', 'value': 66500.0}]
    """
    columns = [label_key(c) for c in table.columns]
    body = table.reset_index(drop=True)
    body.columns = columns
    long = pd.DataFrame(
        {
            "destination": body[_pick(columns, _DESTINATION, "destination")].map(_code),
            "origin": body[_pick(columns, _ORIGIN, "origin")].map(_code),
            "year": _years(body[_pick(columns, _YEAR, "year")]),
            "value": _numbers(body[_pick(columns, _VALUE, "value")], "value"),
        }
    )
    return _two_way(long, _unit_or(unit, Unit("persons")), "students_world", [])


def investment_flows(table: pd.DataFrame, *, unit: object = None) -> pd.DataFrame:
    """IMF CDIS (Direct Investment Positions by counterpart): inward + outward positions.

    Examples
    --------
    >>> import pandas as pd
    >>> cdis = pd.DataFrame({
    ...     "Country Name": ["Kazakhstan, Rep. of"] * 3,
    ...     "Counterpart Country Name": ["Russian Federation"] * 3,
    ...     "Indicator Name": ["Inward Direct Investment Positions, US Dollars",
    ...                        "Outward Direct Investment Positions, US Dollars",
    ...                        "Inward Direct Investment Positions, Equity, US Dollars"],
    ...     "Scale": ["Millions"] * 3, "2019": [3000.0, 700.0, 2500.0]})
    >>> investment_flows(cdis)[["reporter", "partner", "year", "value", "unit"]].to_dict(
    ...     "records")
    [{'reporter': 'KAZ', 'partner': 'RUS', 'year': 2019, 'value': 3700.0, \
'unit': 'USD millions'}]
    """
    columns = [label_key(c) for c in table.columns]
    body = table.reset_index(drop=True)
    body.columns = columns
    reporter = _pick(columns, ("country name", *_REPORTER), "reporter")
    partner = _pick(columns, ("counterpart country name", *_PARTNER), "counterpart")
    indicator = _pick(columns, ("indicator name", *_FLOW), "indicator")
    kinds = body[indicator].map(_position_kind)
    notes: list[str] = []
    skipped = sorted({label_text(v) for v in body.loc[kinds.isna(), indicator] if v is not None})
    if skipped:
        notes.append(f"left out breakdowns and derived series: {', '.join(skipped[:3])}")
    body = body[kinds.notna()]
    years = _first_year_block(table.columns)
    if years:
        pieces = [
            pd.DataFrame({"reporter": body[reporter].map(_code),
                          "partner": body[partner].map(_code), "year": year,
                          "value": _numbers(body.iloc[:, j], str(year))})
            for j, year in years
        ]  # fmt: skip
        frame = pd.concat(pieces, ignore_index=True)
    else:
        frame = pd.DataFrame(
            {
                "reporter": body[reporter].map(_code),
                "partner": body[partner].map(_code),
                "year": _years(body[_pick(columns, _YEAR, "year")]),
                "value": _numbers(body[_pick(columns, _VALUE, "value")], "value"),
            }
        )
    frame = frame[frame["value"].notna()]
    frame = frame.groupby(["reporter", "partner", "year"], as_index=False, sort=False)[
        "value"
    ].sum()
    scale_col = _optional(columns, ("scale", "unit_mult", *_UNIT))
    stated = _unit_or(unit, None)
    if stated is None and scale_col is not None:
        scales = {label_text(v) for v in body[scale_col] if v is not None}
        if len(scales) == 1:
            text = scales.pop()
            stated = parse_unit(f"USD {text}") if not text.strip().isdigit() else Unit(
                "USD", 10.0 ** int(text))  # fmt: skip
    flows, totals = _split_world(frame, notes, by_code=False)
    return _finish(flows, totals, stated, "investment", "investment_world", notes)


# ------------------------------------------------------------------- shared helpers
def _position_kind(cell: object) -> str | None:
    key = label_key(cell) if cell is not None else ""
    if any(w in key for w in ("equity", "debt", "derived", "mirror", "net ", "fellow")):
        return None
    if "inward" in key and "position" in key:
        return "inward"
    if "outward" in key and "position" in key:
        return "outward"
    return None


def _first_year_block(columns: Sequence[object]) -> list[tuple[int, int]]:
    """(position, year) of year columns, the first block only (before a year repeats)."""
    out: list[tuple[int, int]] = []
    seen: set[int] = set()
    for j, c in enumerate(columns):
        text = label_text(c) if c is not None else ""
        match = re.fullmatch(r"(1[89]\d\d|20\d\d)(?:\.0+)?", text)
        if not match:
            continue
        year = int(match[1])
        if year in seen:
            break
        seen.add(year)
        out.append((j, year))
    return out


def _labels_with_codes(names: pd.Series, body: pd.DataFrame, code_col: str | None) -> pd.Series:
    """Names as ISO3 where known; M49 codes of 900 and above (aggregates) marked as such."""
    labels = names.map(_code)
    if code_col is None:
        return labels
    codes = pd.to_numeric(body[code_col], errors="coerce")
    world = codes == 900
    aggregate = codes > 900
    return labels.mask(world, "WLD").mask(aggregate, "aggregate: " + names.astype(str))


def _unit_or(explicit: object, default: Unit | None) -> Unit | None:
    if isinstance(explicit, Unit):
        return explicit
    if explicit is not None and str(explicit).strip():
        return parse_unit(explicit)
    return default


def _two_way(
    long: pd.DataFrame, unit: Unit | None, totals_name: str, notes: list[str]
) -> pd.DataFrame:
    """Destination x origin figures to flows: both directions of each pair added up."""
    long = long[long["value"].notna()]
    frame = long.rename(columns={"destination": "reporter", "origin": "partner"})
    flows, totals = _split_world(
        frame[["reporter", "partner", "year", "value"]], notes, by_code=False
    )
    key = ["reporter", "partner", "year"]
    if flows.duplicated(key).any():
        bad = flows[flows.duplicated(key)].iloc[0]
        raise DataError(
            f"two figures for {bad['reporter']} from {bad['partner']} in {bad['year']}: keep one"
        )
    reverse = flows.rename(columns={"reporter": "partner", "partner": "reporter"})
    both = pd.concat([flows, reverse[[*key, "value"]]], ignore_index=True)
    summed = both.groupby(key, as_index=False, sort=True)["value"].sum(min_count=1)
    return _finish(summed, totals, unit, "bilateral", totals_name, notes)


def _finish(
    flows: pd.DataFrame,
    totals: pd.DataFrame,
    unit: Unit | None,
    layout: str,
    totals_name: str,
    notes: list[str],
) -> pd.DataFrame:
    warnings = []
    if unit is None:
        warnings.append(
            "the unit of the values is not stated: give it (e.g. --unit 'USD millions') so "
            "that scores can check it against the base"
        )
    if flows.empty:
        raise DataError("no bilateral flows left once the World and aggregates are set aside")
    label = unit.label if unit is not None else ""
    out = flows.assign(unit=label).reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    total = None
    if not totals.empty:
        frame = (
            totals.groupby(["reporter", "year"], sort=True)["value"].sum()
            .rename(totals_name + _unit_suffix(unit)).reset_index()
            .rename(columns={"reporter": "country"})
        )  # fmt: skip
        frame["year"] = frame["year"].astype("int64")
        total = Totals(frame)
    out.attrs = {"layout": layout, "unit": label, "totals": total, "notes": notes,
                 "warnings": warnings, "source": ""}  # fmt: skip
    return out
