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
    warnings: list[str] = []
    body = table.reset_index(drop=True)
    body.columns = columns
    if found == "comtrade":
        body = _comtrade_rows(body, notes)
    value_col = _pick(columns, _VALUE, "value")
    stated = _stated_unit(body, columns, value_col, unit)
    if stated is None and found == "comtrade":
        stated = Unit("USD")  # primaryValue is in US$ (UN Comtrade API documentation)
    frame = pd.DataFrame(
        {
            "reporter": body[_pick(columns, _REPORTER, "reporter")].map(_code),
            "partner": body[_pick(columns, _PARTNER, "partner")].map(_code),
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
    flows, totals = _split_world(frame, notes)
    if stated is None:
        warnings.append(
            "the unit of the values is not stated: give it (e.g. --unit 'USD millions') so "
            "that scores can check it against the base"
        )
    label = stated.label if stated is not None else ""
    flows = flows.assign(unit=label).reset_index(drop=True)
    if flows.empty:
        raise DataError("no bilateral flows left once the World and aggregates are set aside")
    flows.attrs = {
        "layout": found,
        "unit": label,
        "totals": _totals_frame(totals, stated),
        "notes": notes,
        "warnings": warnings,
        "source": table.attrs.get("source", ""),
    }
    return flows


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


def _is_aggregate(label: str) -> bool:
    return not _ISO3.match(label) or label in _AGGREGATE_CODES


def _split_world(frame: pd.DataFrame, notes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    world = frame["partner"].map(_is_world)
    aggregate = ~world & frame["partner"].map(_is_aggregate)
    bad_reporter = frame["reporter"].map(lambda r: _is_world(r) or _is_aggregate(r))
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


def _totals_frame(totals: pd.DataFrame, unit: Unit | None) -> Totals | None:
    if totals.empty:
        return None
    name = "trade_world" + _unit_suffix(unit)
    out = (
        totals.groupby(["reporter", "year"], sort=True)["value"]
        .sum()
        .rename(name)
        .reset_index()
        .rename(columns={"reporter": "country"})
    )
    out["year"] = out["year"].astype("int64")
    return Totals(out)


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
