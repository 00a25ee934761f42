"""The seed's Figure 1 as a picture: one line per partner plus the region, by year."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

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


def plot_convergence(
    table: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    title: str,
    region_column: str | None = None,
    source_note: str = "",
) -> Path:
    """Draw a convergence table (index year, one column per line) into a PNG file.

    The region's line is black and dashed; gaps (years not available) stay gaps.
    """
    import matplotlib

    matplotlib.use("Agg")  # no screen needed; the figure goes to a file
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5.6), dpi=110)
    for k, column in enumerate(table.columns):
        is_region = column == region_column
        ax.plot(
            table.index,
            table[column],
            label=str(column),
            color="black" if is_region else PALETTE[k % len(PALETTE)],
            linestyle="--" if is_region else "-",
            linewidth=2.8 if is_region else 1.8,
        )
    ax.set_title(title, fontsize=12)
    ax.set_xlabel("Year")
    ax.set_ylabel("Distance (standardised units; lower = closer)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        ncol=min(len(table.columns), 6),
        frameon=False,
    )
    if source_note:
        fig.text(0.01, 0.01, source_note, fontsize=7, color="#555555", wrap=True)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    out = Path(path)
    fig.savefig(out)
    plt.close(fig)
    return out
