"""The PNG chart is fit for a report: whole years, names beside codes, method footnote."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import siei_xl as siei
from siei_xl.plot import convergence_figure, plot_convergence

PNG = b"\x89PNG\r\n\x1a\n"


def table(years: list[int]) -> pd.DataFrame:
    return siei.convergence_table(
        siei.example_panel(), "KAZ", ["RUS", "KGZ"], region="RUS,KGZ", years=years
    )


@pytest.mark.parametrize("years", [[2001, 2002, 2003], [2015, 2016], list(range(1995, 2025))])
def test_ticks_are_whole_years(years: list[int]) -> None:
    fig = convergence_figure(table(years), title="t", region_column="Region")
    ticks = fig.axes[0].get_xticks()
    shown = [t for t in ticks if years[0] - 1 <= t <= years[-1] + 1]
    assert shown
    assert all(float(t).is_integer() for t in shown)  # never 2002.5
    plt.close(fig)


def test_names_beside_codes_and_the_method_in_the_footnote() -> None:
    fig = convergence_figure(
        table([2014, 2015, 2016]),
        title="Convergence of Kazakhstan",
        region_column="Region",
        source_note="Source: World Bank WDI",
        universe=8,
    )
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["RUS (Russia)", "KGZ (Kyrgyzstan)", "Region"]
    texts = "\n".join(t.get_text() for t in fig.texts)
    assert "Source: World Bank WDI" in texts
    assert "z-scores per year (yearly), ddof=1, over a universe of 8 economies" in texts
    assert "indicators: gdp_pc_ppp, gdp_growth" in texts
    assert fig._suptitle is not None
    assert fig._suptitle.get_text() == "Convergence of Kazakhstan"
    plt.close(fig)


def test_the_png_is_written_atomically_and_kept_without_force(tmp_path: Path) -> None:
    out = plot_convergence(table([2015, 2016]), tmp_path / "c.png", title="t")
    assert out.read_bytes()[:8] == PNG
    with pytest.raises(siei.SieiError, match="already exists"):
        plot_convergence(table([2015, 2016]), out, title="t", force=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.png"]


def test_membership_changes_are_marked_on_the_chart() -> None:
    fig = convergence_figure(
        table([2013, 2014, 2015, 2016]), title="t", region_column="Region", marks={2015: "+KGZ"}
    )
    ax = fig.axes[0]
    vertical = [line for line in ax.lines if list(line.get_xdata()) == [2014.5, 2014.5]]
    assert len(vertical) == 1  # between the last year before the change and the first after
    assert "members +KGZ" in [t.get_text() for t in ax.texts]
    plt.close(fig)
