"""``siei-xl fetch imf``: IMF bilateral trade through sdmx1, on a recorded response.

No network: the client is replaced by one that returns the hand-written SDMX-ML 2.1
message in ``tests/data/imf_imts_kaz_rus.xml`` (the GenericData format of the IMF's SDMX
API), parsed by sdmx1's real reader.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest

from siei_xl import imf
from siei_xl.cli import main
from siei_xl.exceptions import NotFoundError, SourceUnavailableError
from siei_xl.market import Flows

sdmx = pytest.importorskip("sdmx")

RECORDED = Path(__file__).with_name("data") / "imf_imts_kaz_rus.xml"


class Recorded:
    """Answers every data request with the recorded message; remembers the requests."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], dict[str, str]]] = []

    def data(self, resource_id: str, *, key: dict[str, Any], params: dict[str, str]) -> Any:
        self.calls.append((resource_id, key, params))
        with RECORDED.open("rb") as handle:  # sdmx1 leaves a file it opens itself open
            return sdmx.read_sdmx(handle)


class Offline:
    def data(self, resource_id: str, **kwargs: Any) -> Any:
        raise ConnectionError("no network")  # requests' ConnectionError is an OSError too


def test_fetch_turns_the_recorded_answer_into_flows(tmp_path: Path) -> None:
    client = Recorded()
    flows = imf.fetch("KAZ,RUS", "2015-2016", client=client, cache_dir=tmp_path)
    (resource, key, params) = client.calls[0]
    assert resource == "IMTS"
    assert key["INDICATOR"] == ["XG_FOB_USD", "MG_CIF_USD"]
    assert key["COUNTERPART_COUNTRY"] == ["G001", "KAZ", "RUS"]
    assert params == {"startPeriod": "2015", "endPeriod": "2016"}
    got = flows.set_index(["reporter", "partner", "year"])["value"]
    # turnover by hand from the recorded message: 4500.25 + 10499.75
    assert got[("KAZ", "RUS", 2015)] == pytest.approx(15000.0)
    assert got[("RUS", "KAZ", 2015)] == pytest.approx(12300.0 + 5100.0)
    assert "G001" not in set(flows["partner"])
    assert flows.attrs["unit"] == "USD millions"  # SCALE 6
    assert flows.attrs["totals"].frame.to_dict("records") == [
        {"country": "KAZ", "year": 2015, "trade_world_musd": 45955.8}
    ]
    assert flows.attrs["cache"] == "miss"


def test_second_request_comes_from_the_cache(tmp_path: Path) -> None:
    first = imf.fetch("KAZ,RUS", "2015-2016", client=Recorded(), cache_dir=tmp_path)
    again = imf.fetch("KAZ,RUS", "2015-2016", client=Offline(), cache_dir=tmp_path)
    assert again.attrs["cache"] == "hit"
    pd.testing.assert_frame_equal(first, again)
    with pytest.raises(SourceUnavailableError, match="has a copy"):
        imf.fetch("KAZ,RUS", "2015-2016", client=Offline(), cache_dir=tmp_path, refresh=True)


def test_offline_without_a_copy_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailableError, match=r"could not be reached .* no copy"):
        imf.fetch("KAZ", "2015", client=Offline(), cache_dir=tmp_path)


def test_an_empty_answer_is_not_found(tmp_path: Path) -> None:
    class Empty:
        def data(self, resource_id: str, **kwargs: Any) -> Any:
            return type("Message", (), {"data": []})()

    with pytest.raises(NotFoundError, match="no trade records"):
        imf.fetch("KAZ", "2015", client=Empty(), cache_dir=tmp_path)


def test_cli_fetch_imf_writes_flows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = ModuleType("sdmx")
    fake.Client = lambda source: Recorded()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sdmx", fake)
    monkeypatch.setenv("SIEI_CACHE", str(tmp_path / "cache"))
    out, totals = tmp_path / "flows.csv", tmp_path / "world.csv"
    argv = ["fetch", "imf", "--countries", "KAZ,RUS", "--years", "2015-2016", "-o", str(out)]
    assert main([*argv, "--totals", str(totals)]) == 0
    printed = capsys.readouterr().out
    assert "downloaded" in printed
    assert "unit USD millions" in printed
    flows = Flows.read(out)
    assert flows.reported("KAZ", "RUS", 2015) == pytest.approx(15000.0)
    assert pd.read_csv(totals, encoding="utf-8-sig").columns[-1] == "trade_world_musd"
    # offline now: the cached copy answers
    monkeypatch.setitem(sys.modules, "sdmx", ModuleType("sdmx"))
    assert main([*argv, "--force"]) == 0
    assert "from the cache" in capsys.readouterr().out


def test_cli_fetch_mistakes_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "x.csv")
    argv = ["fetch", "imf", "--countries", "KAZ", "--years", "2015", "-o", out]
    assert main([*argv, "--indicators", "NY.GDP.MKTP.CD"]) == 2
    assert "takes no --indicators" in capsys.readouterr().err
    assert main(["fetch", "worldbank", "--countries", "KAZ", "--years", "2015", "-o", out]) == 2
    assert "needs --indicators" in capsys.readouterr().err
    assert not Path(out).exists()
