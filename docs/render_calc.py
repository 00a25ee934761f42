"""Regenerate docs/calc_results.png: the filled demo workbook computing live in LibreOffice.

Run from the repository root with LibreOffice >= 25.2, python3-uno and poppler-utils:
    .venv/bin/python docs/render_calc.py

The extension is installed into a throwaway profile, the workbook is opened there, every
formula is recalculated by Calc (the SIEI ones through the extension), and the Results
sheet's first page is printed, turned into a PNG and trimmed.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import lo
from render_screenshots import _page_text, crop

from siei_xl.excel.fill import demo

TITLE = "Convergence of KAZ"  # the first line of the Results sheet


def main() -> None:
    out = Path(__file__).parent / "calc_results.png"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = demo(folder).output
        profile = folder / "profile"
        print(lo.install_extension(profile))
        pdf = folder / "recalculated.pdf"
        steps = [
            {"op": "load", "path": str(book)},
            {"op": "calc"},
            {"op": "pdf", "path": str(pdf)},
            {"op": "close"},
        ]
        lo.calc_session(profile, steps)
        pages = lo.pdf_pages(pdf)
        for page in range(1, pages + 1):
            if TITLE in _page_text(pdf, page):
                stem = folder / "page"
                pick = ["-f", str(page), "-l", str(page), "-singlefile"]
                subprocess.run(
                    ["pdftoppm", "-png", "-r", "80", *pick, str(pdf), str(stem)], check=True
                )
                Path(f"{stem}.png").replace(out)
                crop(out)
                print(f"wrote {out} (page {page})")
                return
        raise SystemExit(f"no page starts with {TITLE!r}")


if __name__ == "__main__":
    main()
