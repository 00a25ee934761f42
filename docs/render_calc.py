"""Regenerate the LibreOffice Calc pictures of the README.

Run from the repository root with LibreOffice >= 25.2, python3-uno and poppler-utils:
    .venv/bin/python docs/render_calc.py

The extension is installed into a throwaway profile, then in one headless LibreOffice:

- ``docs/calc_results.png``: the filled demo workbook, every formula recalculated by Calc
  (the SIEI ones through the extension), the Results sheet's first page;
- ``docs/calc_menu_chart.png``: ``workbook_template.xlsm`` after the SIEI menu's Load example
  data and Compute, the Chart sheet with the chart Calc drew.

Each page is printed to PDF, turned into a PNG and trimmed.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import lo
from render_screenshots import _page_text, crop

from siei_xl.excel.fill import demo

ROOT = Path(__file__).resolve().parents[1]
MENU = "org.siei.calc:"


def page_png(pdf: Path, marker: str, out: Path, folder: Path) -> None:
    """The first page of ``pdf`` whose text holds ``marker``, as a trimmed PNG."""
    for page in range(1, lo.pdf_pages(pdf) + 1):
        if marker in _page_text(pdf, page):
            stem = folder / "page"
            pick = ["-f", str(page), "-l", str(page), "-singlefile"]
            subprocess.run(["pdftoppm", "-png", "-r", "80", *pick, str(pdf), str(stem)], check=True)
            Path(f"{stem}.png").replace(out)
            crop(out)
            print(f"wrote {out} (page {page})")
            return
    raise SystemExit(f"no page of {pdf.name} holds {marker!r}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = demo(folder).output
        profile = folder / "profile"
        print(lo.install_extension(profile))
        recalculated, menu = folder / "recalculated.pdf", folder / "menu.pdf"
        steps = [
            {"op": "load", "path": str(book)},
            {"op": "calc"},
            {"op": "pdf", "path": str(recalculated)},
            {"op": "close"},
            {"op": "load", "path": str(ROOT / "workbook_template.xlsm")},
            {"op": "dispatch", "url": MENU + "load_example"},
            {"op": "dispatch", "url": MENU + "compute"},
            {"op": "calc"},
            {"op": "pdf", "path": str(menu)},
            {"op": "close"},
        ]
        alerts = folder / "alerts.jsonl"  # no one clicks the message boxes here
        lo.calc_session(profile, steps, env={**os.environ, "SIEI_XL_ALERT_LOG": str(alerts)})
        out = Path(__file__).parent
        page_png(recalculated, "Convergence of KAZ", out / "calc_results.png", folder)
        page_png(menu, "Chart: the convergence", out / "calc_menu_chart.png", folder)


if __name__ == "__main__":
    main()
