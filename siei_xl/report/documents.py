"""The report as PDF (one A4 page per figure) and as one self-contained HTML file."""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path

import pandas as pd

from siei_xl.report.compute import ReportData
from siei_xl.report.figures import Page
from siei_xl.report.text import Text


def write_pdf(pages: list[Page], path: Path, data: ReportData, text: Text) -> Path:
    from matplotlib.backends.backend_pdf import PdfPages

    title = text("report_title", group=data.group, first=data.years[0], last=data.years[-1])
    with PdfPages(
        path, metadata={"Title": title, "Subject": text("system"), "Creator": "siei_xl"}
    ) as pdf:
        for number, page in enumerate(pages, start=1):
            stamp = page.figure.text(
                0.98,
                0.975,
                f"{text('page')} {number}/{len(pages)}",
                ha="right",
                fontsize=8,
                color="#404040",
            )
            pdf.savefig(page.figure)
            stamp.remove()
    return path


def _png(page: Page) -> str:
    buffer = io.BytesIO()
    page.figure.savefig(buffer, format="png", dpi=80)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _table(frame: pd.DataFrame, text: Text) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            return text.number(value, 4) if math.isfinite(value) else text("na")
        return html.escape(str(value))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em; max-width: 1200px; }
header, footer { font-size: 0.8em; color: #404040; border-bottom: 1px solid #ccc; }
footer { border-top: 1px solid #ccc; border-bottom: none; margin-top: 1em; padding-top: .5em; }
table { border-collapse: collapse; font-size: 0.8em; margin: .5em 0; }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th { background: #DDEBF7; } img { max-width: 100%; }
section { page-break-after: always; margin-bottom: 2em; }
"""


def write_html(pages: list[Page], path: Path, data: ReportData, text: Text) -> Path:
    title = text("report_title", group=data.group, first=data.years[0], last=data.years[-1])
    header = f"<header>{html.escape(text.header(data))}</header>"
    footer = f"<footer>{html.escape(text.footer(data))}</footer>"
    parts = [
        f'<!DOCTYPE html><html lang="{text.lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<section>{header}<h1>{html.escape(title)}</h1><h2>{html.escape(text('summary'))}</h2><ul>",
        *[f"<li>{html.escape(line)}</li>" for line in text.summary(data)],
        f"</ul><h2>{html.escape(text('missing_blocks'))}</h2><ul>",
        *[f"<li>{html.escape(line)}</li>" for line in text.missing(data)],
        f"</ul>{footer}</section>",
    ]
    for page in pages[1:]:
        parts.append(
            f"<section>{header}<h2>{html.escape(page.heading)}</h2>"
            f'<img alt="{html.escape(page.heading)}" src="data:image/png;base64,{_png(page)}">'
        )
        block = next(
            (b for b in data.blocks.values() if page.heading.endswith(text.title(b.preset))), None
        )
        if block is not None:
            wide = block.with_group_wide().reset_index()
            wide.columns = [text("year"), *[text.country(str(c)) for c in wide.columns[1:]]]
            parts.append(f"<h3>{html.escape(text('with_group'))}</h3>{_table(wide, text)}")
            within = block.within[["year", "value", "note"]]
            within.columns = [text("year"), text("value"), text("note")]
            parts.append(f"<h3>{html.escape(text('within'))}</h3>{_table(within, text)}")
            if block.notes:
                parts.append(
                    "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in block.notes) + "</ul>"
                )
        parts.append(f"{footer}</section>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
