"""World Bank data through its API client, ``wbgapi``, with a local cache.

:func:`fetch` asks the World Development Indicators database (``db=2``) for some
indicators of some economies over some years, and returns the Data layout of
:mod:`siei_xl.importers`. Each request is kept as one JSON file in the cache folder, so the
same request later needs no network (``refresh=True`` asks again).

``wbgapi`` is imported only when the cache has no copy, so the package works without it:
``pip install wbgapi`` (or the ``worldbank`` extra). Its ``data.fetch`` yields one record
per economy, series and year::

    {"value": 25000.5, "series": "NY.GDP.PCAP.PP.CD", "economy": "KAZ",
     "aggregate": False, "time": "YR2015"}

with ``value`` ``None`` when the World Bank has no value. The cache holds those records as
received.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from siei_xl.exceptions import (
    DataError,
    NotFoundError,
    OptionError,
    SourceUnavailableError,
    UnknownCountryError,
    UnknownIndicatorError,
)
from siei_xl.importers import iso3_code
from siei_xl.labels import parse_number, parse_year, split_list

__all__ = ["DATABASE", "WorldBankUnavailableError", "default_cache_dir", "fetch"]

DATABASE: Final = 2
"""wbgapi's number of the World Development Indicators database."""

_COUNTRY_CODE: Final = re.compile(r"^[A-Za-z0-9]{3}$")
_SERIES_CODE: Final = re.compile(r"^[A-Za-z0-9_.]+$")
_YEARS: Final = re.compile(r"^\s*(\d{4})\s*(?:[-\u2013:]\s*(\d{4})\s*)?$")
_CACHE_FORMAT: Final = 1


# The error lives in the one exception tree; this name reads better at the call sites.
WorldBankUnavailableError = SourceUnavailableError


def default_cache_dir(source: str = "worldbank") -> Path:
    """``$SIEI_CACHE/<source>``, default ``~/.cache/siei_xl/<source>``."""
    root = os.environ.get("SIEI_CACHE") or Path.home() / ".cache" / "siei_xl"
    return Path(root) / source


def fetch(
    countries: object,
    indicators: object,
    years: object,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    client: Any = None,
    refresh: bool = False,
) -> pd.DataFrame:
    """World Development Indicators for some economies and years, in the Data layout.

    Parameters
    ----------
    countries : str or sequence of str
        World Bank economy codes (ISO3 such as ``KAZ``, or aggregates such as ``WLD``),
        as a list or comma-separated text.
    indicators : str or sequence of str
        Series codes such as ``NY.GDP.PCAP.PP.CD``, as a list or comma-separated text.
    years : str or iterable of int
        ``'2000-2020'``, ``'2015'``, ``range(2000, 2021)`` or a list of years.
    cache_dir : path, optional
        Folder of the cache; default :func:`default_cache_dir`.
    client : module-like, optional
        The ``wbgapi`` module (default, imported on first use) or an object with the same
        ``data.fetch(series, economy=..., time=...)`` and, optionally, ``APIError``.
    refresh : bool, default False
        Ask the World Bank even when the cache has a copy, and replace the copy.

    Returns
    -------
    DataFrame
        ``country, year, <indicators in the order asked>``; one row per country-year
        with any value, years ``int64``, values ``float64``. ``attrs``: ``source``,
        ``cache`` (``'hit'`` or ``'miss'``), ``cache_file``, ``fetched`` (UTC time of the
        download), ``warnings`` (indicators or countries without any value).

    Raises
    ------
    WorldBankUnavailableError
        The API could not be reached (or wbgapi is not installed) and the cache has no
        copy of this request.
    NotFoundError
        The World Bank does not know a country or indicator code
        (:class:`~siei_xl.exceptions.UnknownCountryError`,
        :class:`~siei_xl.exceptions.UnknownIndicatorError`), or rejected the request.
    """
    codes = _country_codes(countries)
    series = _series_codes(indicators)
    wanted_years = _years(years)
    request = {
        "database": DATABASE,
        "economy": sorted(set(codes)),
        "series": sorted(set(series)),
        "time": wanted_years,
    }
    path = cache_path(cache_dir, "worldbank", "wdi", request)
    warnings: list[str] = []
    records, fetched, status = cached_records(
        path,
        request,
        lambda: _download(client, series, codes, wanted_years, path=path, refresh=refresh),
        refresh=refresh,
        warnings=warnings,
    )
    frame = _to_frame(records, codes, series, wanted_years, warnings)
    frame.attrs = {
        "source": "World Bank, World Development Indicators (via wbgapi)",
        "cache": status,
        "cache_file": str(path),
        "fetched": fetched,
        "warnings": warnings,
        "notes": [],
    }
    return frame


# ------------------------------------------------------------------------- arguments
def _country_codes(countries: object) -> list[str]:
    codes = list(dict.fromkeys(c.upper() for c in split_list(countries)))
    if not codes:
        raise OptionError("give at least one country code, such as KAZ,RUS")
    for code in codes:
        if not _COUNTRY_CODE.match(code):
            guess = iso3_code(code)
            hint = f" (did you mean {guess}?)" if guess else ""
            raise UnknownCountryError(
                f"country {code!r} is not a World Bank economy code: use ISO3 codes such as "
                f"KAZ{hint}"
            )
    return codes


def _series_codes(indicators: object) -> list[str]:
    series = list(dict.fromkeys(split_list(indicators)))
    if not series:
        raise OptionError("give at least one indicator code, such as NY.GDP.PCAP.PP.CD")
    for code in series:
        if not _SERIES_CODE.match(code):
            raise UnknownIndicatorError(
                f"indicator {code!r} is not a World Bank series code: use codes such as "
                "NY.GDP.PCAP.PP.CD (see https://data.worldbank.org/indicator)"
            )
    return series


def _years(years: object) -> list[int]:
    if isinstance(years, str):
        match = _YEARS.match(years)
        if not match:
            raise OptionError(f"years must look like 2000-2020 or 2015, got {years!r}")
        first = int(match[1])
        last = int(match[2]) if match[2] else first
        if last < first:
            raise OptionError(f"years {years!r} run backwards: write {last}-{first}")
        out = list(range(first, last + 1))
    elif isinstance(years, int) and not isinstance(years, bool):
        out = [years]
    else:
        try:
            items = list(years)  # type: ignore[call-overload]
        except TypeError:
            raise OptionError(f"years must be a range such as 2000-2020, got {years!r}") from None
        out = sorted({parse_year(y, what="a year") for y in items})
    if not out:
        raise OptionError("give at least one year, such as 2000-2020")
    if out[0] < 1900 or out[-1] > 2100:
        raise OptionError(f"years must lie between 1900 and 2100, got {out[0]}-{out[-1]}")
    return out


# ---------------------------------------------------------------------------- network
def _download(
    client: Any, series: list[str], codes: list[str], years: list[int], *, path: Path, refresh: bool
) -> list[dict[str, Any]]:
    copy = cache_hint(path, refresh)
    if client is None:
        try:
            import wbgapi  # optional dependency: imported only when the cache has no copy
        except ImportError:
            raise WorldBankUnavailableError(
                "fetching from the World Bank needs the wbgapi package (pip install wbgapi, "
                f"or pip install 'siei-xl[worldbank]'), and {copy}"
            ) from None
        client = wbgapi
    api_error = getattr(client, "APIError", None)
    api_errors: tuple[type[BaseException], ...] = (
        (api_error,) if isinstance(api_error, type) and issubclass(api_error, Exception) else ()
    )
    try:
        return [dict(r) for r in client.data.fetch(series, economy=codes, time=years)]
    except OSError as exc:  # requests' ConnectionError and Timeout are OSErrors
        raise WorldBankUnavailableError(
            f"the World Bank API could not be reached ({exc}), and {copy}"
        ) from exc
    except api_errors as exc:
        status = getattr(exc, "code", None)
        if isinstance(status, int) and (status >= 500 or status == 429):
            raise WorldBankUnavailableError(
                f"the World Bank API is not answering (HTTP {status}: {exc}), and {copy}"
            ) from exc
        raise NotFoundError(
            f"the World Bank API rejected the request ({exc}): check the country codes "
            f"({', '.join(codes)}) and the indicator codes ({', '.join(series)}) of "
            "World Development Indicators at https://data.worldbank.org"
        ) from exc


# ------------------------------------------------------------------------------ cache
def cache_path(
    cache_dir: str | os.PathLike[str] | None, source: str, prefix: str, request: dict[str, Any]
) -> Path:
    """The cache file of a request: ``<cache>/<source>/<prefix>-<digest>.json``."""
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir(source)
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:20]
    return folder / f"{prefix}-{digest}.json"


def cached_records(
    path: Path,
    request: dict[str, Any],
    download: Callable[[], list[dict[str, Any]]],
    *,
    refresh: bool,
    warnings: list[str],
    source: str | None = None,
) -> tuple[list[dict[str, Any]], str, str]:
    """The records of a request from the cache, else downloaded and kept there.

    Returns the records, when they were fetched (UTC) and ``'hit'`` or ``'miss'``.
    """
    cached = None if refresh else _read_cache(path, request)
    if cached is not None:
        return cached["records"], str(cached["fetched"]), "hit"
    records = download()
    fetched = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        if source is None:
            _write_cache(path, request, records, fetched)
        else:
            _write_cache(path, request, records, fetched, source=source)
    except OSError as exc:  # a read-only or full disk must not lose the download
        warnings.append(f"could not keep a copy in the cache ({exc})")
    return records, fetched, "miss"


def cache_hint(path: Path, refresh: bool) -> str:
    """What the cache offers, for the message of a failed download."""
    if refresh and path.exists():
        return f"the cache has a copy ({path.name}): run without refresh to use it"
    return f"the cache has no copy of this request (looked for {path})"


def _read_cache(path: Path, request: dict[str, Any]) -> dict[str, Any] | None:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no copy, or a damaged one: ask again
        return None
    if (
        not isinstance(content, dict)
        or content.get("format") != _CACHE_FORMAT
        or content.get("request") != request
        or not isinstance(content.get("records"), list)
    ):
        return None
    return content


def _write_cache(
    path: Path,
    request: dict[str, Any],
    records: list[dict[str, Any]],
    fetched: str,
    source: str = "World Bank API via wbgapi: data.fetch(series, economy=..., time=...)",
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "format": _CACHE_FORMAT,
        "source": source,
        "request": request,
        "fetched": fetched,
        "records": records,
    }
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        temp.write_text(json.dumps(content, indent=1, allow_nan=False), encoding="utf-8")
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- frame
def _to_frame(
    records: Sequence[dict[str, Any]],
    codes: list[str],
    series: list[str],
    years: list[int],
    warnings: list[str],
) -> pd.DataFrame:
    country_of = {c.casefold(): c for c in codes}
    series_of = {s.casefold(): s for s in series}
    wanted_years = set(years)
    values: dict[tuple[str, int, str], float] = {}
    for record in records:
        economy, code, year = (
            _record_id(record, "economy"),
            _record_id(record, "series"),
            _record_year(record),
        )
        country = country_of.get(economy.casefold())
        name = series_of.get(code.casefold())
        if country is None or name is None or year not in wanted_years:
            continue  # not asked for
        number = parse_number(record.get("value"))
        if number is None:
            raise DataError(f"the World Bank sent a value that is not a number: {record!r}")
        key = (country, year, name)
        old = values.setdefault(key, number)
        if old != number and not (math.isnan(old) and math.isnan(number)):
            raise DataError(
                f"the World Bank sent two values for {name} of {country} {year}: {old} and {number}"
            )
    if not values:
        raise NotFoundError(
            f"the World Bank returned no records for {', '.join(series)} of "
            f"{', '.join(codes)}: check the codes"
        )
    seen_countries = {c for c, _, _ in values}
    seen_series = {s for _, _, s in values}
    unknown = [c for c in codes if c not in seen_countries]
    if unknown:
        raise UnknownCountryError(
            f"the World Bank returned nothing for country code(s) {', '.join(unknown)}: not "
            "economies of World Development Indicators"
        )
    unknown = [s for s in series if s not in seen_series]
    if unknown:
        raise UnknownIndicatorError(
            f"the World Bank returned nothing for indicator code(s) {', '.join(unknown)}: not "
            "series of World Development Indicators"
        )
    cube = np.full((len(codes), len(years), len(series)), np.nan)
    c_pos = {c: i for i, c in enumerate(codes)}
    y_pos = {y: i for i, y in enumerate(years)}
    s_pos = {s: i for i, s in enumerate(series)}
    for (country, year, name), number in values.items():
        cube[c_pos[country], y_pos[year], s_pos[name]] = number
    for k, name in enumerate(series):
        if np.isnan(cube[:, :, k]).all():
            warnings.append(f"no values for {name} in {years[0]}-{years[-1]}")
    for i, country in enumerate(codes):
        if np.isnan(cube[i]).all():
            warnings.append(f"no values for {country} in {years[0]}-{years[-1]}")
    flat = cube.reshape(len(codes) * len(years), len(series))
    frame = pd.DataFrame(flat, columns=series)
    frame.insert(0, "year", np.tile(np.array(years, dtype=np.int64), len(codes)))
    frame.insert(0, "country", np.repeat(np.array(codes, dtype=object), len(years)))
    keep = ~np.isnan(flat).all(axis=1)
    return frame.loc[keep].reset_index(drop=True)


def _record_id(record: dict[str, Any], field: str) -> str:
    """``'KAZ'``, or the ``id`` of ``{'id': 'KAZ', 'value': 'Kazakhstan'}`` (labels=True)."""
    cell = record.get(field)
    if isinstance(cell, dict):
        cell = cell.get("id")
    if not isinstance(cell, str) or not cell:
        raise DataError(f"unexpected record from the World Bank API (no {field!r}): {record!r}")
    return cell


def _record_year(record: dict[str, Any]) -> int:
    """``'YR2015'`` (wbgapi's time key), ``2015`` (numericTimeKeys=True) or ``{'id': ...}``."""
    cell = record.get("time")
    if isinstance(cell, dict):
        cell = cell.get("id")
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    if isinstance(cell, str):
        match = re.fullmatch(r"(?:YR)?(\d{4})", cell.strip(), flags=re.IGNORECASE)
        if match:
            return int(match[1])
    raise DataError(f"unexpected record from the World Bank API (time {cell!r}): {record!r}")
