"""IMF bilateral trade through the IMF's SDMX API, with a local cache.

:func:`fetch` asks the IMF's International Merchandise Trade Statistics (``IMTS``, the
successor of the Direction of Trade Statistics) for the exports (``XG_FOB_USD``) and
imports (``MG_CIF_USD``) of some reporters with some partners and with the World
(``G001``), and returns the Flows layout of :mod:`siei_xl.bilateral`: turnover as each
reporter reports it, the World totals set aside in ``attrs["totals"]``, the unit from the
series' ``SCALE`` attribute (``6`` = millions).

The client is `sdmx1 <https://pypi.org/project/sdmx1/>`_ (``import sdmx``), the maintained
general SDMX library (Apache-2.0) whose ``IMF_DATA`` source speaks the IMF's current API
(``api.imf.org/external/sdmx``). It was chosen over ``imfp`` because imfp pins exact
versions of pandas and requests (``pandas==2.2.3``), which cannot live beside this
package's pandas, and because sdmx1 reads the standard SDMX-ML messages that the other
statistics offices publish too. It is imported only when the cache has no copy: ``pip
install 'siei-xl[imf]'``.

Each request is kept as one JSON file in the cache folder (``$SIEI_CACHE/imf``, default
``~/.cache/siei_xl/imf``) holding the observations as received::

    {"COUNTRY": "KAZ", "COUNTERPART_COUNTRY": "RUS", "INDICATOR": "XG_FOB_USD",
     "TIME_PERIOD": "2015", "value": 4547.5, "SCALE": "6"}
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd

from siei_xl.bilateral import to_flows
from siei_xl.exceptions import DataError, NotFoundError, OptionError, SourceUnavailableError
from siei_xl.labels import parse_number
from siei_xl.units import Unit
from siei_xl.worldbank import _country_codes, _years, cache_hint, cache_path, cached_records

__all__ = ["DATAFLOW", "EXPORTS", "IMPORTS", "SOURCE", "WORLD", "fetch"]

SOURCE: Final = "IMF_DATA"
"""sdmx1's name of the IMF's current SDMX API."""
DATAFLOW: Final = "IMTS"
EXPORTS: Final = "XG_FOB_USD"
IMPORTS: Final = "MG_CIF_USD"
WORLD: Final = "G001"


def fetch(
    countries: object,
    years: object,
    *,
    partners: object = None,
    cache_dir: str | os.PathLike[str] | None = None,
    client: Any = None,
    refresh: bool = False,
) -> pd.DataFrame:
    """Bilateral goods trade of some reporters in the Flows layout, from the IMF (cached).

    Parameters
    ----------
    countries : str or sequence of str
        Reporters, ISO3 codes (``'KAZ,RUS'``).
    years : str or iterable of int
        ``'2000-2020'``, ``'2015'`` or a list of years.
    partners : str or sequence of str, optional
        Partners; default the reporters themselves. The World is always asked for too.
    cache_dir : path, optional
        Folder of the cache; default ``$SIEI_CACHE/imf``.
    client : object, optional
        An ``sdmx.Client('IMF_DATA')`` (default, made on first use) or any object with
        the same ``data(resource_id, key=..., params=...)`` returning an SDMX message.
    refresh : bool, default False
        Ask the IMF even when the cache has a copy, and replace the copy.

    Returns
    -------
    DataFrame
        ``reporter, partner, year, value, unit`` (see :func:`siei_xl.bilateral.to_flows`);
        ``attrs`` adds ``source``, ``cache`` (``'hit'`` / ``'miss'``), ``cache_file`` and
        ``fetched``.
    """
    reporters = _country_codes(countries)
    others = _country_codes(partners) if partners is not None else list(reporters)
    wanted = _years(years)
    key = {
        "COUNTRY": sorted(set(reporters)),
        "COUNTERPART_COUNTRY": sorted({*others, WORLD}),
        "INDICATOR": [EXPORTS, IMPORTS],
        "FREQUENCY": ["A"],
    }
    request = {"source": SOURCE, "dataflow": DATAFLOW, "key": key, "years": [wanted[0], wanted[-1]]}
    path = cache_path(cache_dir, "imf", "imts", request)
    warnings: list[str] = []
    records, fetched, status = cached_records(
        path,
        request,
        lambda: _download(client, key, wanted, path=path, refresh=refresh),
        refresh=refresh,
        warnings=warnings,
        source=f"sdmx1 {SOURCE} {DATAFLOW}",
    )
    flows = to_flows(_frame(records, wanted), layout="imf_trade", unit=_unit(records))
    flows.attrs.update(
        source="IMF, International Merchandise Trade Statistics (IMTS), via sdmx1",
        cache=status,
        cache_file=str(path),
        fetched=fetched,
        warnings=[*flows.attrs["warnings"], *warnings],
    )
    return flows


def _download(
    client: Any, key: dict[str, list[str]], years: list[int], *, path: Path, refresh: bool
) -> list[dict[str, Any]]:
    copy = cache_hint(path, refresh)
    if client is None:
        try:
            import sdmx  # optional dependency: imported only when the cache has no copy
        except ImportError:
            raise SourceUnavailableError(
                "fetching from the IMF needs the sdmx1 package (pip install sdmx1, or pip "
                f"install 'siei-xl[imf]'), and {copy}"
            ) from None
        client = sdmx.Client(SOURCE)
    query = {k: list(v) for k, v in key.items()}  # sdmx1 turns lists into 'A+B'
    params = {"startPeriod": str(years[0]), "endPeriod": str(years[-1])}
    try:
        message = client.data(DATAFLOW, key=query, params=params)
    except OSError as exc:  # requests' errors (connection, HTTP status) are OSErrors
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if isinstance(status, int) and 400 <= status < 500 and status != 429:
            raise NotFoundError(
                f"the IMF API rejected the request (HTTP {status}): check the country codes "
                f"({', '.join(key['COUNTRY'])}, partners {', '.join(key['COUNTERPART_COUNTRY'])})"
            ) from exc
        raise SourceUnavailableError(
            f"the IMF API could not be reached ({exc}), and {copy}"
        ) from exc
    return _records(message)


def _records(message: Any) -> list[dict[str, Any]]:
    """The observations of an sdmx1 data message as plain records (what the cache holds)."""
    records: list[dict[str, Any]] = []
    for dataset in getattr(message, "data", []):
        for obs in dataset.obs:
            record: dict[str, Any] = {k: str(v.value) for k, v in obs.key.values.items()}
            record.update({k: str(v.value) for k, v in obs.attrib.items()})
            value = obs.value
            number = None if value is None else parse_number(value)
            record["value"] = None if number is None or math.isnan(number) else number
            records.append(record)
    return records


def _frame(records: Sequence[dict[str, Any]], years: list[int]) -> pd.DataFrame:
    if not records:
        raise NotFoundError(
            "the IMF returned no trade records for this request: check the country codes "
            "(ISO3, e.g. KAZ) and the years"
        )
    missing = {"COUNTRY", "COUNTERPART_COUNTRY", "INDICATOR", "TIME_PERIOD"} - set(records[0])
    if missing:
        raise DataError(
            f"unexpected answer from the IMF API (no {', '.join(sorted(missing))}): {records[0]!r}"
        )
    frame = pd.DataFrame.from_records(
        [
            {
                "reporter": r["COUNTRY"],
                "partner": r["COUNTERPART_COUNTRY"],
                "flow": r["INDICATOR"],
                "year": r["TIME_PERIOD"],
                "value": r["value"],
            }
            for r in records
        ]
    )
    frame = frame[pd.to_numeric(frame["year"], errors="coerce").isin(years)]
    if frame.empty:
        raise NotFoundError(f"the IMF returned no trade records for {years[0]}-{years[-1]}")
    return frame


def _unit(records: Sequence[dict[str, Any]]) -> Unit:
    scales = {r.get("SCALE", r.get("UNIT_MULT")) for r in records}
    if len(scales) > 1:
        raise DataError(
            f"the IMF sent values at different scales ({', '.join(sorted(map(str, scales)))})"
        )
    (scale,) = scales
    power = parse_number(scale) if scale is not None else 0.0
    if power is None or math.isnan(power) or not float(power).is_integer():
        raise OptionError(f"the IMF sent a scale that is not a power of ten: {scale!r}")
    return Unit("USD", 10.0 ** int(power))
