"""``siei-xl import`` and ``siei-xl fetch worldbank``, run in-process through ``main``.

No network: ``fetch`` is run against a cache filled by a fake wbgapi client, and against a
fake ``wbgapi`` module that fails as it does offline.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from numpy.testing import assert_array_equal

import siei_xl as siei
from siei_xl.cli import main
from siei_xl.worldbank import fetch

LONG_CSV = (
    "country,year,indicator,value\nKAZ,2019,gdp,9731.1\nKAZ,2020,gdp,..\nRUS,2020,gdp,10126.7\n"
)
CIS_CSV = "Таблица 1. Рост ВВП, %\nСтрана,2019,2020\nКазахстан,4.5,-2.5\nАтлантида,1.0,2.0\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    long = tmp_path / "long.csv"
    long.write_text(LONG_CSV, encoding="utf-8")
    cis = tmp_path / "growth.csv"
    cis.write_text(CIS_CSV, encoding="utf-8")
    return long, cis


def test_import_merges_files_and_prints_a_summary(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "data.csv"
    code, stdout, stderr = run(
        capsys, "import", *map(str, files), "-o", str(out), "--codes", "iso3"
    )
    assert code == 0, stderr
    assert stdout.splitlines() == [
        f"wrote {out}: 3 countries, 2 years (2019-2020), 2 indicators, 1 warning (from 2 file(s))"
    ]
    assert stderr == (
        "siei-xl: warning: growth.csv: country 'Атлантида' is not in the built-in list of "
        "names; kept as given\n"
    )
    panel = siei.read_panel(out)
    assert panel.indicators == ("gdp", "growth")
    assert panel.countries == ("KAZ", "RUS", "Атлантида")
    kaz = panel.country_index("KAZ")
    assert_array_equal(panel.values[kaz, :, 1], [4.5, -2.5])


def test_import_names_the_indicator_and_writes_xlsx(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "data.xlsx"
    code, _, err = run(capsys, "import", str(files[1]), "--indicator", "gdp_growth", "-o", str(out))
    assert code == 0, err
    frame = pd.read_excel(out, sheet_name="Data", engine="openpyxl")
    assert list(frame.columns) == ["country", "year", "gdp_growth"]
    assert list(frame["country"]) == ["Казахстан", "Казахстан", "Атлантида", "Атлантида"]


def test_import_refuses_to_overwrite_without_force(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "data.csv"
    out.write_text("keep me", encoding="utf-8")
    code, stdout, err = run(capsys, "import", str(files[0]), "-o", str(out))
    assert code == 2
    assert stdout == ""
    assert err.startswith("siei-xl: error: ")
    assert "already exists; use --force" in err
    assert out.read_text(encoding="utf-8") == "keep me"
    code, _, err = run(capsys, "import", str(files[0]), "-o", str(out), "--force")
    assert code == 0, err
    assert siei.read_panel(out).countries == ("KAZ", "RUS")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "growth.csv", "long.csv"]


def test_import_errors_are_reported_not_raised(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys, "import", str(files[0]), "--indicator", "x", "-o", str(tmp_path / "o.csv")
    )
    assert code == 2
    assert "none of the files is one" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("name,amount\nA,1\n", encoding="utf-8")
    code, _, err = run(capsys, "import", str(bad), "-o", str(tmp_path / "o.csv"))
    assert code == 2
    assert "cannot tell the layout of 'bad.csv'" in err
    assert not (tmp_path / "o.csv").exists()


GROWTH = "NY.GDP.MKTP.KD.ZG"


def served(series: list[str], economy: list[str], time: list[int], **kw: Any) -> Iterator[Any]:
    for country in economy:
        for year in time:
            value = {"KAZ": 4.5, "RUS": 2.2}[country] if year == 2019 else None
            yield {
                "value": value,
                "series": series[0],
                "economy": country,
                "aggregate": False,
                "time": f"YR{year}",
            }


def test_fetch_worldbank_from_the_cache(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    client = SimpleNamespace(data=SimpleNamespace(fetch=served))
    fetch("KAZ,RUS", GROWTH, "2019-2020", cache_dir=cache, client=client)
    out = tmp_path / "wdi.csv"
    code, stdout, err = run(
        capsys,
        "fetch",
        "worldbank",
        "--countries",
        "KAZ,RUS",
        "--indicators",
        GROWTH,
        "--years",
        "2019-2020",
        "--cache-dir",
        str(cache),
        "-o",
        str(out),
    )
    assert code == 0, err
    assert stdout.startswith(f"wrote {out}: 2 countries, 1 year (2019), 1 indicator, 0 warn")
    assert "from the cache" in stdout
    panel = siei.read_panel(out)
    assert_array_equal(panel.values[:, 0, 0], [4.5, 2.2])


def test_fetch_worldbank_offline_without_a_copy(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*args: object, **kwargs: object) -> Iterator[Any]:
        raise ConnectionError("Failed to establish a new connection")
        yield  # a generator, as wbgapi.data.fetch is

    offline = ModuleType("wbgapi")
    offline.data = SimpleNamespace(fetch=unreachable)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "wbgapi", offline)
    out = tmp_path / "wdi.csv"
    code, stdout, err = run(
        capsys,
        "fetch",
        "worldbank",
        "--countries",
        "KAZ",
        "--indicators",
        GROWTH,
        "--years",
        "2019",
        "--cache-dir",
        str(tmp_path / "cache"),
        "-o",
        str(out),
    )
    assert code == 2
    assert stdout == ""
    assert "siei-xl: error: the World Bank API could not be reached" in err
    assert "the cache has no copy" in err
    assert not out.exists()


def test_fetch_needs_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", "worldbank", "--countries", "KAZ", "--years", "2015", "-o", "x.csv"]) == 2
    assert "--indicators" in capsys.readouterr().err
