"""``siei-xl report``: read the inputs, compute, write the folder (workbook, HTML, PDF).

The folder is built beside its target under a temporary name and renamed into place at
the end, so a failure leaves no half-written report; an existing non-empty folder is
replaced only with ``force``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from siei_xl._defaults import DDOF, STANDARDIZE
from siei_xl.exceptions import DataError, OptionError
from siei_xl.experts import SCALE, read_experts
from siei_xl.groups import Groups
from siei_xl.market import Flows
from siei_xl.panel import Panel, read_panel
from siei_xl.presets import Preset, load
from siei_xl.report.compute import ReportData, compute_report
from siei_xl.report.text import Text

FILES = ("report.xlsx", "report.html", "report.pdf")


@dataclass
class ReportOutput:
    folder: Path
    data: ReportData
    files: list[Path] = field(default_factory=list)


def parse_years(text: str) -> list[int]:
    """``"2010-2020"`` or ``"2015"`` to a list of years.

    Examples
    --------
    >>> parse_years("2018-2020"), parse_years(" 2015 ")
    ([2018, 2019, 2020], [2015])
    """
    first, _, last = str(text).strip().partition("-")
    try:
        lo, hi = int(first), int(last or first)
    except ValueError:
        raise OptionError(f"--years must look like 2010-2020, got {text!r}") from None
    if hi < lo:
        raise OptionError(f"--years must go from early to late, got {text!r}")
    return list(range(lo, hi + 1))


def parse_flows(specs: Sequence[str] | None) -> dict[str, Path]:
    """``--flows FILE`` (trade) or ``--flows TYPE=FILE``, repeatable.

    Examples
    --------
    >>> parse_flows(["dots.csv", "migration=stocks.csv"])
    {'trade': PosixPath('dots.csv'), 'migration': PosixPath('stocks.csv')}
    """
    out: dict[str, Path] = {}
    for spec in specs or ():
        kind, sep, path = spec.partition("=")
        if not sep:
            kind, path = "trade", spec
        kind = kind.strip().lower()
        if kind in out:
            raise OptionError(f"--flows given twice for {kind}")
        out[kind] = Path(path.strip())
    return out


def read_flows(path: Path) -> Flows:
    """A flows table; rows for the same reporter, partner and year (an exports row and an
    imports row, as in IMF DOTS) are added up into turnover."""
    if not path.exists():
        raise DataError(f"flows file {str(path)!r} does not exist")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        frame = pd.read_excel(path, dtype=object)
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return Flows.from_frame(frame, sum_duplicates=True)


def _vintages(path: Path) -> str:
    """The ``source`` column of a long table (e.g. ``WDI@4ebec5a``), if it has one."""
    if path.suffix.lower() not in {".csv", ".txt"}:
        return ""
    head = pd.read_csv(path, nrows=0)
    columns = {c.strip().lower(): c for c in head.columns}
    if "source" not in columns:
        return ""
    sources = pd.read_csv(path, usecols=[columns["source"]], dtype=str)[columns["source"]]
    return ", ".join(sorted(sources.dropna().unique())[:6])


def check_folder(folder: Path, *, force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise DataError(f"{folder} exists and is not a folder")
    if folder.exists() and any(folder.iterdir()) and not force:
        raise DataError(f"{folder} is not empty; use --force to replace it")
    if not folder.resolve().parent.exists():
        raise DataError(f"folder {str(folder.resolve().parent)!r} does not exist")


def _replace_folder(built: Path, folder: Path) -> None:
    """Move the finished folder into place; an old one is removed only after."""
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        folder.rename(old)
    try:
        built.rename(folder)
    except BaseException:
        if old is not None:
            old.rename(folder)
        raise
    if old is not None:
        shutil.rmtree(old)


def build_report(
    data_path: str | os.PathLike[str],
    folder: str | os.PathLike[str],
    *,
    group: str,
    years: str | Sequence[int],
    groups_path: str | os.PathLike[str] | None = None,
    flows: Mapping[str, str | os.PathLike[str]] | None = None,
    experts_path: str | os.PathLike[str] | None = None,
    scale: object = SCALE,
    lang: str = "en",
    presets_path: str | os.PathLike[str] | None = None,
    only: Sequence[str] | None = None,
    standardize: str = STANDARDIZE,
    ddof: int = DDOF,
    force: bool = False,
    step: Callable[[str], None] = lambda _message: None,
    panel: Panel | None = None,
) -> ReportOutput:
    """Compute the report and write ``report.xlsx``, ``report.html``, ``report.pdf``.

    ``panel`` may be given already read (the data file is then only named in the
    sources).
    """
    from siei_xl.excel.report_book import report_workbook
    from siei_xl.excel.template import write_atomically
    from siei_xl.report import documents, figures

    target = Path(folder)
    text = Text(lang)  # a bad language fails before any work
    span = parse_years(years) if isinstance(years, str) else list(years)
    check_folder(target, force=force)
    book: Mapping[str, Preset] = load(presets_path)
    if only:
        from siei_xl.presets import get

        only = [get(name, book).name for name in only]
    flow_paths = {k: Path(v) for k, v in (flows or {}).items()}
    known = {str(p.flow) for p in book.values() if p.block == "market"}
    unknown = sorted(set(flow_paths) - known)
    if unknown:
        raise OptionError(
            f"no market preset uses {unknown[0]!r} flows; known types: {', '.join(sorted(known))}"
        )
    data_file = Path(data_path)
    # the small inputs first: a mistake in them shows before the data are read
    groups = Groups.read(groups_path) if groups_path else None
    poll = read_experts(experts_path, scale=scale) if experts_path else None
    flow_tables = {}
    for kind, path in flow_paths.items():
        step(f"reading {kind} flows")
        flow_tables[kind] = read_flows(path)
    step("reading data")
    if panel is None:
        panel = read_panel(data_file)
    data = compute_report(
        panel,
        group,
        span,
        groups=groups,
        flows=flow_tables,
        experts=poll,
        book=book,
        only=only,
        standardize=standardize,
        ddof=ddof,
        step=step,
    )
    data.data_name = data_file.name
    data = text.localise(data)  # the notes in the report's language
    vintage = _vintages(data_file)
    sources = [
        [
            data_file.name,
            f"indicators by WDI code{'; ' + vintage if vintage else ''}",
            "as published (see each preset)",
        ]
    ]
    for kind, path in flow_paths.items():
        preset = next(p for p in book.values() if p.flow == kind)
        sources.append(
            [path.name, f"{kind} flows, exports + imports as reported", preset.flow_unit]
        )
    if experts_path:
        low, high = data.expert_scale
        sources.append([Path(experts_path).name, "expert poll", f"scale {low:g}-{high:g}"])
    if groups_path:
        sources.append([Path(groups_path).name, "groups", ""])
    sources = [[text.note(cell) for cell in row] for row in sources]  # in its language
    out = ReportOutput(target, data)
    parent = target.resolve().parent
    built = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    try:
        step("workbook")
        write_atomically(built / FILES[0], report_workbook(data, text, sources))
        step("figures")
        with figures.style():
            pages = figures.pages(data, text)
            try:
                step("HTML")
                documents.write_html(pages, built / FILES[1], data, text)
                step("PDF")
                documents.write_pdf(pages, built / FILES[2], data, text)
            finally:
                figures.close(pages)
        built.chmod(0o777 & ~_umask())
        _replace_folder(built, target)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    out.files = [target / name for name in FILES]
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
