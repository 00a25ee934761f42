"""Regenerate the README pictures: the demo workbook as LibreOffice renders it.

Run from the repository root with LibreOffice and poppler-utils installed:
    .venv/bin/python docs/render_screenshots.py
"""

import csv
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

from siei_xl.excel.fill import demo

# Each picture is the first page whose text starts with this (the sheet's first line).
PAGES = {
    "Settings: what SIEI": "settings_sheet.png",
    "Convergence of KAZ": "results_sheet.png",
    "Market integration of KAZ": "results_market_sigma.png",
    "Institutional block": "results_experts.png",
    "Chart: the convergence": "chart_sheet.png",
}
# The Russian demo workbook (siei-xl demo --lang ru): its Results sheet.
PAGES_RU = {"Конвергенция экономических систем: KAZ": "results_sheet_ru.png"}


def crop(path: Path) -> None:
    """Trim the white page margins around the printed sheet."""
    image = Image.open(path).convert("RGB")
    box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    if box:
        pad = 12
        left, top, right, bottom = box
        image.crop((max(left - pad, 0), max(top - pad, 0), right + pad, bottom + pad)).save(path)


def main() -> None:
    render("en", PAGES)
    render("ru", PAGES_RU)
    render_members()


def render(lang: str, wanted: dict[str, str]) -> None:
    out = Path(__file__).parent
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        report = demo(folder, lang=lang)
        if lang == "en":
            shutil.copy(report.png, out / "demo_chart.png")
        pictures(report.output, folder, wanted)


def render_members() -> None:
    """The example with Tajikistan joining the border region in 2010: the Chart sheet's
    marker of the change (``docs/chart_members.png``)."""
    from siei_xl.cli import main as cli
    from siei_xl.example import example_frame, example_group_rows

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        example_frame().to_csv(folder / "data.csv", index=False)
        rows = [*example_group_rows(), ["Border region", "TJK", 2010, None, "joins in 2010"]]
        with (folder / "groups.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([r[:4] for r in rows])
        book = folder / "siei_members.xlsm"
        argv = ["fill", str(folder / "data.csv"), "-o", str(book), "--groups",
                str(folder / "groups.csv"), "--focus", "KAZ", "--partners",
                "RUS,CHN,KGZ,UZB,TKM", "--region", "Border region", "--quiet"]  # fmt: skip
        if cli(argv) != 0:
            raise SystemExit("siei-xl fill failed")
        pictures(book, folder, {"Chart: the convergence": "chart_members.png"})


def pictures(book: Path, folder: Path, wanted: dict[str, str]) -> None:
    """The pages of ``book`` (as LibreOffice prints it) that start with each key of
    ``wanted``, as PNG files named by its values in ``docs/``."""
    out = Path(__file__).parent
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = folder / f"{book.stem}.pdf"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", str(pdf), str(folder / "page")],
        check=True,
        timeout=120,
    )
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf)], check=True, capture_output=True, text=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    width = len(str(pages))
    for start, name in wanted.items():
        number = next(n for n in range(1, pages + 1) if start in _page_text(pdf, n))
        target = out / name
        shutil.copy(folder / f"page-{number:0{width}d}.png", target)
        crop(target)


def _page_text(pdf: Path, number: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


if __name__ == "__main__":
    main()
