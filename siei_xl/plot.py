"""The seed's Figure 1 as a picture: one line per partner plus the region, by year.

Made for a report: whole-year ticks, a title and a subtitle, country names beside codes
where they are known, the data source and the method (standardisation, ddof and how many
economies formed the universe the z-scores were computed over) in a footnote.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from siei_xl.files import check_output, write_atomically
from siei_xl.i18n import country_label, words

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["PALETTE", "convergence_figure", "country_label", "method_note", "plot_convergence"]

PALETTE = (
    "#1F77B4",
    "#D62728",
    "#2CA02C",
    "#FF7F0E",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#17BECF",
    "#BCBD22",
    "#7F7F7F",
)


def method_note(attrs: dict[str, object], universe: int | None, lang: str = "en") -> str:
    """The method in one line, from a table's ``attrs``.

    Examples
    --------
    >>> method_note({"standardize": "yearly", "ddof": 1, "indicators": ["gdp", "growth"]}, 8)
    'Method: z-scores per year (yearly), ddof=1, over a universe of 8 economies; indicators: gdp, growth. Lower = closer.'
    """  # noqa: E501 - a doctest's expected output is one line
    words_ = words(lang)
    how = {"yearly": words_("method_yearly"), "pooled": words_("method_pooled")}
    method = str(attrs.get("standardize", ""))
    parts = [words_("method", how=how.get(method, method or "z-scores"))]
    if "ddof" in attrs:
        parts.append(f"ddof={attrs['ddof']}")
    if universe:
        parts.append(words_("method_universe", n=universe))
    indicators = attrs.get("indicators")
    text = ", ".join(parts)
    if isinstance(indicators, list | tuple) and indicators:
        text += words_("method_indicators", indicators=", ".join(str(i) for i in indicators))
    return text + words_("method_end")


def plot_convergence(
    table: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    title: str,
    region_column: str | None = None,
    source_note: str = "",
    subtitle: str | None = None,
    universe: int | None = None,
    marks: dict[int, str] | None = None,
    force: bool = True,
    lang: str = "en",
) -> Path:
    """Draw a convergence table (index year, one column per line) into a PNG file.

    The file is written atomically; an existing one is replaced only with ``force``.
    See :func:`convergence_figure` for what the picture shows.
    """
    out = check_output(path, force=force, suffixes=(".png",), what="chart")
    fig = convergence_figure(
        table,
        title=title,
        region_column=region_column,
        source_note=source_note,
        subtitle=subtitle,
        universe=universe,
        marks=marks,
        lang=lang,
    )
    import matplotlib.pyplot as plt

    try:
        write_atomically(out, lambda temp: fig.savefig(temp, format="png"))
    finally:
        plt.close(fig)
    return out


def convergence_figure(
    table: pd.DataFrame,
    *,
    title: str,
    region_column: str | None = None,
    source_note: str = "",
    subtitle: str | None = None,
    universe: int | None = None,
    marks: dict[int, str] | None = None,
    lang: str = "en",
) -> Figure:
    """The figure of a convergence table: one line per column, the region black and dashed.

    Gaps (years not available) stay gaps; the x axis has whole years only; partners are
    labelled with their names where known; the footnote holds ``source_note`` (the data
    source) and the method read from ``table.attrs`` with ``universe`` (how many
    economies the z-scores were computed over). ``marks`` are years where the region's
    membership changed, drawn as dotted vertical lines labelled with the change. ``lang``
    (en or ru) is the language of the texts and of the country names.
    """
    text = words(lang)
    import matplotlib

    matplotlib.use("Agg")  # no screen needed; the figure goes to a file
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(10, 5.8), dpi=110)
    for k, column in enumerate(table.columns):
        is_region = column == region_column
        ax.plot(
            [int(y) for y in table.index],
            table[column],
            label=str(column) if is_region else country_label(column, lang),
            color="black" if is_region else PALETTE[k % len(PALETTE)],
            linestyle="--" if is_region else "-",
            linewidth=2.8 if is_region else 1.8,
            marker="o" if table[column].notna().sum() == 1 else None,  # a lone year shows
        )
    for year, change in (marks or {}).items():
        ax.axvline(year - 0.5, color="#888888", linestyle=":", linewidth=1.2)
        ax.annotate(
            text("plot_members", change=change),
            (year - 0.5, 1.0),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=7.5,
            color="#555555",
            ha="right",
            va="top",
        )
    fig.suptitle(title, fontsize=13, x=0.01, ha="left")
    ax.set_title(subtitle or text("plot_subtitle"), fontsize=9.5, color="#444444", loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(text("year"))
    ax.set_ylabel(text("plot_y"))
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncol=min(len(table.columns), 4),
        frameon=False,
        fontsize=9,
    )
    footnote = [method_note(dict(table.attrs), universe, lang)]
    if source_note:
        footnote.insert(0, source_note)
    fig.text(0.01, 0.01, "\n".join(footnote), fontsize=7, color="#555555", wrap=True)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig
