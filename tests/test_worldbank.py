"""The World Bank fetcher, with a fake wbgapi client and a cache in tmp_path; no network.

The fake's records have the shape wbgapi 1.0's ``data.fetch`` yields (read from its source,
``wbgapi/data.py``: ``{'value': ..., 'series': ..., 'economy': ..., 'aggregate': ...,
'time': 'YR2015'}``, ``value`` None when there is no value), and its ``APIError`` carries
``msg``, ``url`` and ``code`` as wbgapi's does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import siei_xl as siei
from siei_xl.exceptions import (
    NotFoundError,
    OptionError,
    UnknownCountryError,
    UnknownIndicatorError,
)
from siei_xl.worldbank import WorldBankUnavailableError, default_cache_dir, fetch

GDP_PPP, GROWTH = "NY.GDP.PCAP.PP.CD", "NY.GDP.MKTP.KD.ZG"

# economy -> series -> year -> value, as the API would serve them (None = no value)
SERVED: dict[str, dict[str, dict[int, float | None]]] = {
    "KAZ": {
        GDP_PPP: {2018: 25438.6551, 2019: 26351.0838, 2020: 26170.9},
        GROWTH: {2018: 4.1, 2019: 4.5, 2020: -2.5},
    },
    "RUS": {
        GDP_PPP: {2018: 28000.25, 2019: 29000.5, 2020: None},
        GROWTH: {2018: 2.8, 2019: 2.2, 2020: -2.7},
    },
    "TKM": {
        GDP_PPP: {2018: None, 2019: None, 2020: None},
        GROWTH: {2018: 6.2, 2019: 6.3, 2020: None},
    },
}


class FakeAPIError(Exception):
    """wbgapi.APIError: ``code`` is the HTTP status, None for a message from the API."""

    def __init__(self, url: str, msg: str, code: int | None = None) -> None:
        super().__init__(msg)
        self.url, self.msg, self.code = url, msg, code


class FakeData:
    def __init__(self, error: BaseException | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.error = error

    def fetch(
        self, series: list[str], economy: Any = "all", time: Any = "all", **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        # a generator, as wbgapi's: nothing happens (and nothing fails) until iterated
        self.calls.append({"series": list(series), "economy": list(economy), "time": list(time)})
        if self.error is not None:
            raise self.error
        for code in series:
            for country in economy:
                by_year = SERVED.get(country, {}).get(code)
                if by_year is None:
                    continue  # the API leaves out what it does not know
                for year in time:
                    yield {
                        "value": by_year.get(year),
                        "series": code,
                        "economy": country,
                        "aggregate": False,
                        "time": f"YR{year}",
                    }


def fake_client(error: BaseException | None = None) -> SimpleNamespace:
    return SimpleNamespace(data=FakeData(error), APIError=FakeAPIError)


def test_fetch_returns_the_data_layout(tmp_path: Path) -> None:
    client = fake_client()
    out = fetch("KAZ,RUS", [GDP_PPP, GROWTH], "2018-2020", cache_dir=tmp_path, client=client)
    assert client.data.calls == [
        {"series": [GDP_PPP, GROWTH], "economy": ["KAZ", "RUS"], "time": [2018, 2019, 2020]}
    ]
    assert list(out.columns) == ["country", "year", GDP_PPP, GROWTH]
    assert list(out["country"]) == ["KAZ"] * 3 + ["RUS"] * 3
    assert list(out["year"]) == [2018, 2019, 2020] * 2
    assert out["year"].dtype == np.int64
    assert out[GDP_PPP].iloc[1] == 26351.0838
    assert math.isnan(out[GDP_PPP].iloc[5])  # None from the API is missing
    assert out[GROWTH].iloc[5] == -2.7
    assert out.attrs["cache"] == "miss"
    assert out.attrs["warnings"] == []
    panel = siei.Panel.from_wide(out)
    assert panel.countries == ("KAZ", "RUS")


def test_the_cache_answers_the_same_request_without_the_client(tmp_path: Path) -> None:
    first = fetch("KAZ,RUS", GDP_PPP, "2018-2020", cache_dir=tmp_path, client=fake_client())
    offline = fake_client(ConnectionError("no network"))
    # same request in another order and case: same cache entry
    again = fetch(["rus", "kaz"], GDP_PPP, range(2018, 2021), cache_dir=tmp_path, client=offline)
    assert offline.data.calls == []
    assert again.attrs["cache"] == "hit"
    assert again.attrs["fetched"] == first.attrs["fetched"]
    assert list(again["country"].unique()) == ["RUS", "KAZ"]  # in the order asked
    kaz = again[again["country"] == "KAZ"].reset_index(drop=True)
    assert kaz.equals(first[first["country"] == "KAZ"].reset_index(drop=True))


def test_the_cache_keeps_the_records_as_received(tmp_path: Path) -> None:
    out = fetch("KAZ", GROWTH, "2019", cache_dir=tmp_path, client=fake_client())
    files = list(tmp_path.glob("wdi-*.json"))
    assert [str(f) for f in files] == [out.attrs["cache_file"]]
    content = json.loads(files[0].read_text(encoding="utf-8"))
    assert content["request"] == {
        "database": 2,
        "economy": ["KAZ"],
        "series": [GROWTH],
        "time": [2019],
    }
    assert content["records"] == [
        {"value": 4.5, "series": GROWTH, "economy": "KAZ", "aggregate": False, "time": "YR2019"}
    ]


def test_a_different_request_misses_the_cache(tmp_path: Path) -> None:
    fetch("KAZ", GROWTH, "2018-2019", cache_dir=tmp_path, client=fake_client())
    client = fake_client()
    out = fetch("KAZ", GROWTH, "2018-2020", cache_dir=tmp_path, client=client)
    assert len(client.data.calls) == 1
    assert out.attrs["cache"] == "miss"
    assert len(list(tmp_path.glob("wdi-*.json"))) == 2


def test_refresh_asks_again_and_replaces_the_copy(tmp_path: Path) -> None:
    fetch("KAZ", GROWTH, "2019", cache_dir=tmp_path, client=fake_client())
    path = next(tmp_path.glob("wdi-*.json"))
    content = json.loads(path.read_text(encoding="utf-8"))
    content["records"][0]["value"] = 99.0  # an old vintage in the cache
    path.write_text(json.dumps(content), encoding="utf-8")
    assert fetch("KAZ", GROWTH, "2019", cache_dir=tmp_path, client=fake_client())[GROWTH][0] == 99
    client = fake_client()
    out = fetch("KAZ", GROWTH, "2019", cache_dir=tmp_path, client=client, refresh=True)
    assert len(client.data.calls) == 1
    assert out[GROWTH][0] == 4.5
    assert json.loads(path.read_text(encoding="utf-8"))["records"][0]["value"] == 4.5


def test_a_damaged_cache_file_is_asked_again(tmp_path: Path) -> None:
    fetch("KAZ", GROWTH, "2019", cache_dir=tmp_path, client=fake_client())
    next(tmp_path.glob("wdi-*.json")).write_text("{not json", encoding="utf-8")
    client = fake_client()
    assert fetch("KAZ", GROWTH, "2019", cache_dir=tmp_path, client=client).attrs["cache"] == "miss"
    assert len(client.data.calls) == 1


def test_network_failure_without_a_copy(tmp_path: Path) -> None:
    client = fake_client(ConnectionError("Max retries exceeded with url: /v2/en/sources/2"))
    with pytest.raises(WorldBankUnavailableError) as info:
        fetch("KAZ", GROWTH, "2019", cache_dir=tmp_path, client=client)
    message = str(info.value)
    assert "World Bank API could not be reached" in message
    assert "Max retries exceeded" in message
    assert "the cache has no copy of this request" in message
    assert isinstance(info.value, siei.SieiError)


def test_network_failure_on_refresh_points_to_the_copy(tmp_path: Path) -> None:
    fetch("KAZ", GROWTH, "2019", cache_dir=tmp_path, client=fake_client())
    with pytest.raises(WorldBankUnavailableError, match="run without refresh to use it"):
        fetch(
            "KAZ",
            GROWTH,
            "2019",
            cache_dir=tmp_path,
            client=fake_client(TimeoutError("read timed out")),
            refresh=True,
        )


def test_server_errors_count_as_unreachable(tmp_path: Path) -> None:
    client = fake_client(FakeAPIError("https://api.worldbank.org/v2", "Service Unavailable", 503))
    with pytest.raises(WorldBankUnavailableError, match="HTTP 503"):
        fetch("KAZ", GROWTH, "2019", cache_dir=tmp_path, client=client)


def test_real_wbgapi_without_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """wbgapi itself, with requests failing as it does offline: the error is a SieiError."""
    pytest.importorskip("wbgapi")
    requests = pytest.importorskip("requests")

    def offline(*args: object, **kwargs: object) -> None:
        raise requests.exceptions.ConnectionError("Failed to resolve 'api.worldbank.org'")

    monkeypatch.setattr(requests, "get", offline)
    with pytest.raises(WorldBankUnavailableError, match="Failed to resolve"):
        fetch("KAZ", GROWTH, "2019", cache_dir=tmp_path)


def test_the_api_rejecting_a_code_is_a_not_found_error(tmp_path: Path) -> None:
    error = FakeAPIError("https://api.worldbank.org/v2", "Invalid value: The provided parameter")
    with pytest.raises(NotFoundError, match=r"rejected the request .*NY\.GDP\.XXX"):
        fetch("KAZ", "NY.GDP.XXX", "2019", cache_dir=tmp_path, client=fake_client(error))


def test_an_indicator_the_api_does_not_return_is_unknown(tmp_path: Path) -> None:
    with pytest.raises(UnknownIndicatorError, match=r"NY\.GDP\.XXX"):
        fetch("KAZ", [GROWTH, "NY.GDP.XXX"], "2019", cache_dir=tmp_path, client=fake_client())


def test_a_country_the_api_does_not_return_is_unknown(tmp_path: Path) -> None:
    with pytest.raises(UnknownCountryError, match="XKX"):
        fetch("KAZ,XKX", GROWTH, "2019", cache_dir=tmp_path, client=fake_client())


def test_a_country_name_instead_of_a_code(tmp_path: Path) -> None:
    client = fake_client()
    with pytest.raises(UnknownCountryError, match=r"'KYRGYZSTAN'.*did you mean KGZ"):
        fetch("Kyrgyzstan", GROWTH, "2019", cache_dir=tmp_path, client=client)
    assert client.data.calls == []  # refused before asking


@pytest.mark.parametrize(
    ("years", "message"),
    [("2020-2018", "run backwards"), ("20-21", "must look like"), ("1800", "between 1900")],
)
def test_bad_years(tmp_path: Path, years: str, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        fetch("KAZ", GROWTH, years, cache_dir=tmp_path, client=fake_client())


def test_countries_and_series_without_values_are_reported(tmp_path: Path) -> None:
    out = fetch("KAZ,TKM", [GDP_PPP], "2018-2020", cache_dir=tmp_path, client=fake_client())
    assert list(out["country"].unique()) == ["KAZ"]
    assert out.attrs["warnings"] == ["no values for TKM in 2018-2020"]


def test_an_unwritable_cache_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    out = fetch("KAZ", GROWTH, "2019", cache_dir=blocker, client=fake_client())
    assert out[GROWTH][0] == 4.5
    assert out.attrs["warnings"][0].startswith("could not keep a copy in the cache")


def test_default_cache_dir_follows_siei_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIEI_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path / "worldbank"
    monkeypatch.delenv("SIEI_CACHE")
    assert default_cache_dir() == Path.home() / ".cache" / "siei_xl" / "worldbank"


def test_records_with_labels_and_numeric_time_keys(tmp_path: Path) -> None:
    """wbgapi's labels=True / numericTimeKeys=True shapes are read too."""

    def fetch_labelled(series: list[str], **kwargs: Any) -> Iterator[dict[str, Any]]:
        yield {
            "value": 4.5,
            "series": {"id": GROWTH, "value": "GDP growth (annual %)"},
            "economy": {"id": "KAZ", "value": "Kazakhstan", "aggregate": False},
            "time": {"id": 2019, "value": "2019"},
        }

    client = SimpleNamespace(data=SimpleNamespace(fetch=fetch_labelled))
    out = fetch("KAZ", GROWTH, "2019", cache_dir=tmp_path, client=client)
    assert out.to_dict("list") == {"country": ["KAZ"], "year": [2019], GROWTH: [4.5]}
