"""The report's pages as matplotlib figures (A4 landscape), shared by the PDF and the HTML."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Any

import numpy as np

from siei_xl.plot import PALETTE
from siei_xl.report.compute import BlockResult, ReportData
from siei_xl.report.text import Text

A4_LANDSCAPE = (11.69, 8.27)


@dataclass
class Page:
    """One page: its heading (for the HTML) and the figure."""

    heading: str
    figure: Any


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no screen needed; pages go to files
    import matplotlib.pyplot as plt

    return plt


def style() -> Any:
    """The report's matplotlib settings, for a ``with`` block around drawing and saving.

    DejaVu Sans ships with matplotlib and has Cyrillic glyphs; "US$" in a note is money,
    not the start of a formula.
    """
    return _pyplot().rc_context({"font.family": "DejaVu Sans", "text.parse_math": False})


def _page(plt: Any, title: str, text: Text, data: ReportData) -> Any:
    fig = plt.figure(figsize=A4_LANDSCAPE, dpi=100)
    fig.suptitle(title, fontsize=14, fontweight="bold", x=0.02, ha="left", y=0.975)
    fig.text(0.02, 0.935, text.header(data), fontsize=8, color="#404040")
    footer = "\n".join(textwrap.wrap(text.footer(data), 210))
    fig.text(0.02, 0.012, footer, fontsize=6.3, color="#404040", va="bottom")
    return fig


def _lines(ax: Any, table: Any, text: Text, *, dashed: str | None = None) -> None:
    for k, column in enumerate(table.columns):
        is_dashed = column == dashed
        ax.plot(
            table.index,
            table[column],
            label=text.country(str(column)) if not is_dashed else str(column),
            color="black" if is_dashed else PALETTE[k % len(PALETTE)],
            linestyle="--" if is_dashed else "-",
            linewidth=2.4 if is_dashed else 1.7,
            marker="o",
            markersize=2.5,
        )
    ax.grid(True, alpha=0.3)
    ax.set_xlabel(text("year"))
    ax.xaxis.get_major_locator().set_params(integer=True)


def block_page(plt: Any, block: BlockResult, data: ReportData, text: Text) -> Page:
    """Figure 1 (each member with the rest), the heat map of the last year, within group."""
    family = text("convergence") if block.preset.block == "convergence" else text("market")
    title = f"{family}: {text.title(block.preset)}"
    fig = _page(plt, title, text, data)
    grid = fig.add_gridspec(
        2,
        2,
        left=0.06,
        right=0.97,
        top=0.88,
        bottom=0.17,
        hspace=0.45,
        wspace=0.22,
        height_ratios=(1.5, 1),
    )
    is_distance = block.preset.block == "convergence"
    ax = fig.add_subplot(grid[0, 0])
    _lines(ax, block.with_group_wide(), text)
    ax.set_title(text("figure1", title=text.title(block.preset), group=data.group), fontsize=10)
    ax.set_ylabel(text("lower_closer") if is_distance else text("higher_more"), fontsize=8)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, ncol=3, loc="best")
    heat = fig.add_subplot(grid[0, 1])
    last = block.last_year()
    if last is not None:
        members = data.members_by_year[last]
        matrix = block.matrix(last, members)
        cells = matrix.to_numpy(dtype=float, copy=True)
        np.fill_diagonal(cells, np.nan)  # a country with itself says nothing
        cmap = "viridis_r" if is_distance else "viridis"
        image = heat.imshow(cells, cmap=cmap)
        low, high = np.nanmin(cells), np.nanmax(cells)
        heat.set_xticks(
            range(len(members)),
            [text.country(m) for m in members],
            rotation=45,
            ha="right",
            fontsize=7,
        )
        heat.set_yticks(range(len(members)), [text.country(m) for m in members], fontsize=7)
        for i in range(len(members)):
            for j in range(len(members)):
                value = cells[i, j]
                if math.isfinite(value):
                    # viridis is dark at its low end: light text there, dark text on yellow
                    shade = (value - low) / (high - low) if high > low else 0.5
                    dark = shade > 0.55 if is_distance else shade < 0.45
                    heat.text(
                        j,
                        i,
                        text.number(value, 2 if is_distance else 3),
                        ha="center",
                        va="center",
                        fontsize=6.5,
                        color="white" if dark else "black",
                    )
        fig.colorbar(image, ax=heat, shrink=0.8)
        heat.set_title(text("heatmap", year=last), fontsize=10)
    else:
        heat.axis("off")
        heat.text(0.5, 0.5, text("na"), ha="center")
    within = fig.add_subplot(grid[1, :])
    series = block.within.set_index("year")["value"]
    within.plot(series.index, series.to_numpy(), color="black", marker="o", linewidth=2)
    within.set_title(text("within"), fontsize=10)
    within.set_ylabel(text("cv_label") if is_distance else text("flow_within_label"), fontsize=8)
    within.grid(True, alpha=0.3)
    within.set_xlabel(text("year"))
    within.xaxis.get_major_locator().set_params(integer=True)
    notes = [n for n in (*block.notes, text.left_out(block)) if n]
    if notes:
        body = "\n".join(textwrap.shorten(n, 230) for n in notes[:4])
        fig.text(0.06, 0.085, body, fontsize=6.5, color="#7F3F00", va="bottom")
    return Page(title, fig)


def classic_page(plt: Any, data: ReportData, text: Text) -> Page | None:
    """sigma with its trend and standard error; beta as numbers."""
    if data.sigma is None and data.beta is None:
        return None
    title = f"{text('sigma')}, {text('beta')}"
    fig = _page(plt, title, text, data)
    ax = fig.add_axes((0.07, 0.3, 0.6, 0.55))
    if data.sigma is not None:
        series = data.sigma.series.dropna(subset=["sigma"])
        ax.plot(series["year"], series["sigma"], color=PALETTE[0], marker="o", linewidth=2)
        fit = data.sigma.trend
        years = np.array([series["year"].min(), series["year"].max()], dtype=float)
        ax.plot(years, fit.intercept + fit.slope * years, color="black", linestyle="--")
        ax.set_title(
            f"{text('sigma')}: " + text("trend", slope=fit.slope, se=fit.se, t=fit.t, n=fit.n),
            fontsize=10,
        )
        ax.set_ylabel(text("sigma_label", indicator=data.sigma_indicator), fontsize=8)
        ax.grid(True, alpha=0.3)
        ax.set_xlabel(text("year"))
    lines = []
    if data.beta is not None:
        b = data.beta
        lines.append(
            f"{text('beta')} ({data.years[-1] - b.years}-{data.years[-1]}, {data.sigma_indicator}):"
        )
        lines.append(
            text(
                "beta_text",
                b=b.b,
                se=b.se,
                t=b.t,
                p=b.p,
                r2=b.r2,
                n=b.n,
                years=b.years,
                speed=text.number(b.speed, 4),
                half_life=text.number(b.half_life, 1),
            )
        )
    lines += data.classic_notes
    fig.text(0.07, 0.2, "\n".join(textwrap.fill(x, 150) for x in lines), fontsize=9, va="top")
    return Page(title, fig)


def consolidated_page(plt: Any, data: ReportData, text: Text) -> Page | None:
    within = data.consolidated.get("within", {})
    members = data.consolidated.get("with_group", {})
    if not within and not members:
        return None
    title = text("consolidated")
    fig = _page(plt, title, text, data)
    names = {
        "convergence": text("convergence_index"),
        "market_integration": text("market_integration"),
    }
    ax = fig.add_axes((0.06, 0.2, 0.4, 0.62))
    for k, (name, table) in enumerate(within.items()):
        ax.plot(
            table["year"], table[name], label=names[name], color=PALETTE[k], marker="o", linewidth=2
        )
    ax.set_title(text("within"), fontsize=10)
    ax.set_ylabel(text("consolidated_label"), fontsize=8)
    ax.set_ylim(-0.05, 1.05)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_xlabel(text("year"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    right = fig.add_axes((0.55, 0.2, 0.42, 0.62))
    if "convergence" in members:
        table = members["convergence"].pivot(index="year", columns="country", values="convergence")
        _lines(right, table, text)
        right.set_title(f"{names['convergence']}: {text('with_group')}", fontsize=10)
        right.set_ylim(-0.05, 1.05)
        right.legend(fontsize=7, ncol=3)
    else:
        right.axis("off")
    notes = [
        f"{names.get(n, n)}: {t['directions'].iloc[0]}; {t['scaling'].iloc[0]}"
        for n, t in within.items()
    ] + data.consolidated_notes
    fig.text(
        0.06, 0.09, "\n".join(textwrap.shorten(n, 220) for n in notes), fontsize=7, va="bottom"
    )
    return Page(title, fig)


def experts_page(plt: Any, data: ReportData, text: Text) -> Page | None:
    if data.experts is None:
        return None
    title = text("institutional")
    fig = _page(plt, title, text, data)
    summary = data.experts
    last = int(summary["year"].max())
    table = summary[summary["year"] == last].pivot(
        index="grouping", columns="criterion", values="mean"
    )
    ax = fig.add_axes((0.06, 0.3, 0.55, 0.52))
    width = 0.8 / max(len(table.columns), 1)
    x = np.arange(len(table.index))
    for k, criterion in enumerate(table.columns):
        ax.bar(
            x + k * width,
            table[criterion],
            width,
            label=str(criterion),
            color=PALETTE[k % len(PALETTE)],
        )
    ax.set_xticks(x + 0.4 - width / 2, [str(g) for g in table.index], fontsize=8)
    low, high = data.expert_scale
    ax.set_ylim(low, high)
    ax.set_ylabel(text("experts_label", low=low, high=high), fontsize=8)
    ax.set_title(f"{text('experts_title', group=data.group)} ({last})", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(True, axis="y", alpha=0.3)
    lines = [f"{text('agreement')}:"]
    if data.agreement is not None:
        for row in data.agreement.itertuples(index=False):
            lines.append(
                f"{row.criterion} {row.year}: W = {text.number(row.w)}, chi2 = "
                f"{text.number(row.chi2, 2)}, df = {row.df}, p = {text.number(row.p_value)}, "
                f"n = {row.n_experts}" + (f" ({row.note})" if row.note else "")
            )
    if data.institutional is not None:
        for row in data.institutional.itertuples(index=False):
            lines.append(
                f"{data.group} {row.year}: {text.number(row.score, 2)} "
                f"({row.n_criteria} / {row.n_experts})"
            )
    fig.text(
        0.64, 0.82, "\n".join(textwrap.shorten(x, 70) for x in lines[:30]), fontsize=7.5, va="top"
    )
    return Page(title, fig)


def summary_page(plt: Any, data: ReportData, text: Text) -> Page:
    """Title page: what moved most, what is missing."""
    title = text("report_title", group=data.group, first=data.years[0], last=data.years[-1])
    fig = _page(plt, title, text, data)
    lines = [f"{text('summary')}:"]
    lines += ["  • " + textwrap.shorten(s, 160) for s in text.summary(data)[:12]]
    lines += ["", f"{text('missing_blocks')}:"]
    lines += ["  • " + textwrap.shorten(line, 160) for line in text.missing(data)]
    fig.text(0.04, 0.88, "\n".join(lines), fontsize=9, va="top", linespacing=1.5)
    return Page(title, fig)


def pages(data: ReportData, text: Text) -> list[Page]:
    plt = _pyplot()
    out = [summary_page(plt, data, text)]
    out += [block_page(plt, block, data, text) for block in data.blocks.values()]
    for make in (classic_page, consolidated_page, experts_page):
        page = make(plt, data, text)
        if page is not None:
            out.append(page)
    return out


def close(pages_: list[Page]) -> None:
    plt = _pyplot()
    for page in pages_:
        plt.close(page.figure)
