"""Fill the SIEI workbook without Excel: read inputs, compute, write a complete .xlsm.

The output is built by the same code as the template (same VBA project, same ribbon),
with the Results formulas stored together with the values Python computed, so a viewer
without Python (LibreOffice, Excel with macros disabled, a phone) shows numbers.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from siei_xl.example import EXAMPLE_NOTE
from siei_xl.excel import layout
from siei_xl.excel.template import WorkbookContent, build_workbook, write_atomically
from siei_xl.exceptions import DataError, OptionError
from siei_xl.experts import EXPERT_HEADERS, SCORE_HEADERS
from siei_xl.files import check_input, check_output
from siei_xl.groups import GROUP_HEADERS, MEMBER_HEADERS
from siei_xl.i18n import check_language, words
from siei_xl.job import SETTINGS, JobResult, run, setting_key
from siei_xl.labels import is_missing, label_key, parse_number
from siei_xl.market import PARTNER_HEADERS, REPORTER_HEADERS
from siei_xl.panel import header_row

Rows = list[list[object]]

# A workbook this large unpacked, or this compressed, is refused before it is parsed.
MAX_UNPACKED_BYTES: Final = 300 * 2**20
MAX_COMPRESSION_RATIO: Final = 150


@dataclass
class FillReport:
    output: Path
    result: JobResult
    warnings: list[str] = field(default_factory=list)
    png: Path | None = None
    backup: Path | None = None


def check_package(path: Path) -> None:
    """Refuse what is not a readable workbook, or would unpack to far too much."""
    if not path.exists():
        raise DataError(f"input {str(path)!r} does not exist")
    if not zipfile.is_zipfile(path):
        raise DataError(f"{path.name!r} is not an Excel workbook (.xlsx/.xlsm are zip packages)")
    with zipfile.ZipFile(path) as package:
        infos = package.infolist()
        unpacked = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
            raise DataError(
                f"{path.name!r} would unpack to {unpacked / 2**20:.0f} MiB "
                f"({unpacked / packed:.0f}x its size): refused as a possible zip bomb"
            )
        if "xl/workbook.xml" not in package.namelist():
            raise DataError(f"{path.name!r} is a zip file but not an Excel workbook")


def read_workbook(path: Path) -> dict[str, Rows]:
    """Every sheet's cell values (cached values for formulas), as rows from A1."""
    import openpyxl

    check_package(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a damaged file
        raise DataError(f"cannot read {path.name!r} as a workbook: {exc}") from exc
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    finally:
        book.close()


def _table(rows: Rows, *required: tuple[str, ...]) -> Rows:
    """A sheet's table from its header row down, without blank rows or title lines."""
    top = header_row(rows, *required)
    body = [r for r in rows[top:] if not all(is_missing(v) for v in r)]
    if not body:
        return []
    width = max(c + 1 for c, v in enumerate(body[0]) if not is_missing(v))
    return [list(r[:width]) + [None] * (width - len(r[:width])) for r in body]


def _settings(rows: Rows) -> Rows:
    """The setting rows of a Settings sheet (labels in English or Russian), English keys."""
    return [
        [key, r[1] if len(r) > 1 else None]
        for r in rows
        if r and (key := setting_key(r[0])) is not None
    ]


def inputs_from_workbook(sheets: dict[str, Rows], source: str) -> tuple[Rows, Rows, Rows]:
    """Data, Groups and Settings tables of a workbook made from the SIEI template."""
    missing = [n for n in layout.INPUT_SHEETS if n not in sheets]
    if missing:
        raise DataError(
            f"{source!r} has no sheet {', '.join(repr(m) for m in missing)}: it is not a SIEI "
            "workbook. To fill from a plain data table, give it with --focus and --partners"
        )
    # The sheets' own rows, from A1: messages about a row then name the row the user sees.
    return (
        sheets[layout.DATA],
        sheets[layout.GROUPS],
        _settings(sheets[layout.SETTINGS_SHEET]),
    )


# What to compute is never borrowed from the built-in example: without a Settings sheet,
# these must be given by name.
_ASKED_FOR: Final = {"Focus country": "--focus", "Partners": "--partners", "Region": "--region"}


def apply_options(settings: Rows, options: dict[str, object]) -> Rows:
    """Settings rows with command-line options (keyed by setting name) taking precedence.

    A setting neither on the Settings sheet nor among ``options`` takes its default,
    except the focus country, partners and region, which stay blank (and a blank focus, or
    no partners and no region, is refused naming the option to give).
    """
    given = {label_key(k): v for k, v in options.items() if v is not None}
    current = {label_key(setting_key(r[0]) or r[0]): r[1] for r in settings if r and r[0]}
    current.update(given)
    rows = [
        [key, current.get(label_key(key), "" if key in _ASKED_FOR else default)]
        for key, default, _ in SETTINGS
    ]
    value = {key: "" if is_missing(v) else str(v).strip() for key, v in rows}
    if not value["Focus country"]:
        raise OptionError(
            "no focus country: give --focus CODE (or fill Focus country on the Settings sheet)"
        )
    if not value["Partners"] and not value["Region"]:
        raise OptionError(
            "no partners and no region: give --partners CODES, --region, or both (or fill "
            "them on the Settings sheet)"
        )
    return rows


def fill(
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str] | None,
    *,
    options: dict[str, object] | None = None,
    groups_path: str | os.PathLike[str] | None = None,
    flows_path: str | os.PathLike[str] | None = None,
    force: bool = False,
    in_place: bool = False,
    png: str | os.PathLike[str] | None = None,
    sheet: str | None = None,
    title: str | None = None,
    source_line: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> FillReport:
    """Fill a SIEI workbook from a template-made workbook or a CSV/XLSX data table.

    Parameters
    ----------
    input_path
        A workbook with Data, Groups and Settings sheets, or a data table (CSV/XLSX, long
        or wide) together with ``options`` naming at least the focus country.
    output_path
        The .xlsm to write; must not exist unless ``force``. With ``in_place`` it may be
        omitted: the input is replaced and a backup of it kept beside it.
    options
        Settings by name (``{"Focus country": "KAZ", "Partners": "RUS, CHN"}``), overriding
        the workbook's Settings sheet.
    sheet
        The sheet of a data table given as a workbook without SIEI sheets (default: Data,
        else the first).
    title, source_line
        Title and data-source line of the PNG chart.
    """
    step = progress or (lambda _message: None)
    source = Path(input_path)
    warnings: list[str] = []
    if in_place:
        output = source
        if output_path is not None and Path(output_path).resolve() != source.resolve():
            raise OptionError("--in-place writes over the input: give no other output")
        if source.suffix.lower() != ".xlsm":
            raise OptionError("--in-place needs a SIEI workbook (.xlsm) as input")
    elif output_path is None:
        raise OptionError("give an output file (-o OUTPUT.xlsm)")
    else:
        if Path(output_path).resolve() == source.resolve():
            raise OptionError("the output is the input: use --in-place to write over it")
        inputs = (source, groups_path, flows_path)
        output = check_output(output_path, force=force, suffixes=(".xlsm",), inputs=inputs)
    if png is not None:
        check_output(png, force=force, suffixes=(".png",), inputs=(source,), what="--png")
    step("reading input")
    data, groups, settings, flows, experts = _read_inputs(source, groups_path, warnings, sheet)
    if flows_path is not None:
        flows = _flows_file(Path(flows_path))
    settings = apply_options(settings, options or {})
    backup = None
    if in_place:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = source.with_name(f"{source.stem}.backup-{stamp}{source.suffix}")
    report = write_filled(
        data,
        groups,
        settings,
        output,
        flows=flows,
        experts=experts,
        description=words(layout.settings_language(settings))("filled_from", source=source.name),
        force=force or in_place,
        png=png,
        title=title,
        source_line=source_line,
        backup_of=source if in_place else None,
        backup=backup,
        step=step,
    )
    report.warnings[:0] = warnings
    return report


def write_filled(
    data: Rows,
    groups: Rows,
    settings: Rows,
    output: Path,
    *,
    description: str,
    force: bool,
    flows: Rows | None = None,
    experts: Rows | None = None,
    png: str | os.PathLike[str] | None = None,
    title: str | None = None,
    source_line: str | None = None,
    backup_of: Path | None = None,
    backup: Path | None = None,
    step: Callable[[str], None] = lambda _message: None,
) -> FillReport:
    """Compute from the input tables and write the filled workbook (and the PNG)."""
    step("computing")
    result = run(data, groups, settings, flows, experts)
    step("building workbook")
    content = WorkbookContent(
        data=_table(data),
        groups=_table(groups, GROUP_HEADERS, MEMBER_HEADERS)
        or [["group", "country", "from", "to"]],
        settings=settings,
        result=result,
        description=description,
        flows=_table(flows or [], REPORTER_HEADERS, PARTNER_HEADERS)
        or [["reporter", "partner", "year", "value"]],
        experts=_table(experts or [], EXPERT_HEADERS, SCORE_HEADERS)
        or [list(layout.EXPERTS_HEADER)],
    )
    payload = build_workbook(content)
    step("writing")
    if backup_of is not None and backup is not None:
        shutil.copy2(backup_of, backup)
    write_atomically(output, payload, force=force)
    report = FillReport(output, result, list(result.notes), backup=backup)
    if png is not None:
        step("drawing PNG")
        report.png = draw_png(
            result,
            png,
            title=title,
            source_note=source_line or _source_note(result, description),
            force=force,
        )
    return report


def example_inputs() -> tuple[Rows, Rows, Rows]:
    """The built-in illustrative example as Data, Groups and Settings tables."""
    from siei_xl.example import example_frame, example_group_rows

    frame = example_frame()
    data: Rows = [list(frame.columns)] + [
        [c, int(y), float(a), float(b)] for c, y, a, b in frame.itertuples(index=False)
    ]
    return data, example_group_rows(), layout.settings_rows()


def example_market_inputs() -> tuple[Rows, Rows, Rows, Rows]:
    """The example with GDP in US$, illustrative trade flows and the settings that use them."""
    from siei_xl.example import example_flows, example_frame

    _data, groups, _settings = example_inputs()
    frame = example_frame(with_gdp=True)
    data: Rows = [list(frame.columns)] + [
        [c, int(y), *map(float, rest)] for c, y, *rest in frame.itertuples(index=False)
    ]
    flow_frame = example_flows()
    flows: Rows = [list(flow_frame.columns)] + [
        [a, b, int(y), float(v)] for a, b, y, v in flow_frame.itertuples(index=False)
    ]
    settings = layout.settings_rows(
        {
            "Indicators": "gdp_pc_ppp, gdp_growth",
            "Base indicator": "gdp_usd_m",
            "Sigma indicator": "gdp_pc_ppp",
        }
    )
    return data, groups, settings, flows


def demo(
    out_dir: str | os.PathLike[str] = ".",
    *,
    force: bool = False,
    step: Callable[[str], None] = lambda _message: None,
    lang: str = "en",
) -> FillReport:
    """Fill the workbook from the built-in example: siei_demo.xlsm and siei_demo.png,
    their texts in ``lang`` (en or ru)."""
    folder = Path(out_dir)
    if not folder.is_dir():
        raise OptionError(f"--out-dir {str(folder)!r} is not an existing folder; create it first")
    workbook, picture = folder / "siei_demo.xlsm", folder / "siei_demo.png"
    for path in (workbook, picture):
        check_output(path, force=force, suffixes=(path.suffix,))
    from siei_xl.example import example_experts

    data, groups, settings, flows = example_market_inputs()
    settings = apply_options(settings, {"Language": check_language(lang, "--lang")})
    return write_filled(
        data,
        groups,
        settings,
        workbook,
        flows=flows,
        experts=example_experts(),
        description=EXAMPLE_NOTE,
        force=force,
        png=picture,
        step=step,
    )


def _read_inputs(
    source: Path, groups_path: object, warnings: list[str], sheet: str | None = None
) -> tuple[Rows, Rows, Rows, Rows, Rows]:
    from siei_xl.panel import read_panel

    check_input(source)
    if source.suffix.lower() in {".xlsx", ".xlsm"}:
        sheets = read_workbook(source)
        if sheet is not None and sheet not in sheets:
            raise DataError(f"{source.name!r} has no sheet {sheet!r}; sheets: {', '.join(sheets)}")
        is_siei = layout.SETTINGS_SHEET in sheets or source.suffix.lower() == ".xlsm"
        if is_siei and sheet is None:
            data, groups, settings = inputs_from_workbook(sheets, source.name)
            extra = [n for n in sheets if n not in layout.SHEETS]
            if extra:
                warnings.append(
                    f"sheets not carried into the output: {', '.join(extra)} (the input keeps them)"
                )
            flows = sheets.get(layout.FLOWS, [])
            experts = sheets.get(layout.EXPERTS, [])
            return data, _groups_file(groups_path) or groups, settings, flows, experts
    frame = read_panel(source, sheet=sheet).to_wide()
    table: Rows = [list(frame.columns)] + [
        [c, int(y), *[None if v != v else float(v) for v in rest]]
        for c, y, *rest in frame.itertuples(index=False)
    ]
    return table, _groups_file(groups_path), [], [], []


def _flows_file(path: Path) -> Rows:
    """A flows table (reporter, partner, year, value) from a CSV or XLSX file, its
    numbers as numbers (a CSV's text cells would land on the Flows sheet as text)."""
    from siei_xl.panel import read_cells

    rows = read_cells(path, what="flows file")
    return [[_cell_value(c) for c in r] for r in rows]


def _cell_value(cell: object) -> object:
    if not isinstance(cell, str):
        return cell
    number = parse_number(cell)
    if number is None or math.isnan(number):
        return cell if number is None else None
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def _groups_file(path: object) -> Rows:
    if path is None:
        return []
    from siei_xl.groups import Groups

    book = Groups.read(str(path))
    rows: Rows = [["group", "country", "from", "to"]]
    for name in book.names:
        rows += [[name, m.country, m.start, m.end] for m in book.all_members(name)]
    return rows


def _source_note(result: JobResult, description: str) -> str:
    """The data line of the chart's footnote (the method line is added by the plot)."""
    if description == EXAMPLE_NOTE:
        return words(result.settings.lang)("example_note")
    text = words(result.settings.lang)
    return f"{description}; {result.summary_in(text.lang)}. {text('computed_with')}"


def draw_png(
    result: JobResult,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    source_note: str = "",
    force: bool = True,
) -> Path:
    from siei_xl.plot import plot_convergence

    cfg = result.settings
    region = cfg.region_title if cfg.region else None
    focus = result.panel.country(cfg.focus)
    if cfg.lang != "en":
        focus = words(cfg.lang).country_label(focus)
    return plot_convergence(
        result.distances,
        path,
        title=title or words(cfg.lang)("results_title", focus=focus),
        lang=cfg.lang,
        region_column=region,
        source_note=source_note,
        universe=len(result.panel.countries),
        marks=result.membership_changes,
        force=force,
    )


class Progress:
    """Step messages on a terminal's stderr as a small bar; silent when piped or quiet."""

    def __init__(self, total: int, *, quiet: bool = False) -> None:
        self.total, self.done = total, 0
        self.enabled = not quiet and sys.stderr.isatty()

    def __call__(self, message: str) -> None:
        self.done += 1
        if self.enabled:
            filled = int(20 * self.done / self.total)
            bar = "#" * filled + "-" * (20 - filled)
            sys.stderr.write(f"\r[{bar}] {self.done}/{self.total} {message:<24}")
            sys.stderr.flush()
            if self.done >= self.total:
                sys.stderr.write("\n")
