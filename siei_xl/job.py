"""The main job of the SIEI workbook as a plain function over plain values.

The ribbon's Compute button and ``siei-xl fill`` both read three sheets (Data, Groups,
Settings) as rows of cell values and call :func:`run`; they differ only in how they read
the cells and write the results. :func:`validate` lists every problem at once and
changes nothing.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from siei_xl import presets
from siei_xl._defaults import CV_LIMIT, DDOF, STANDARDIZE
from siei_xl.classic import MEASURES, SigmaResult, membership_changes, sigma_series
from siei_xl.convergence import convergence_table, group_cv_series, group_distance_series
from siei_xl.core.flows import AGGREGATORS
from siei_xl.core.standardize import check_ddof, check_method
from siei_xl.exceptions import ComputationError, DataError, OptionError, SieiError
from siei_xl.experts import (
    EXPERT_HEADERS,
    SCALE,
    SCORE_HEADERS,
    ExpertScores,
    expert_summary,
    parse_scale,
)
from siei_xl.groups import GROUP_HEADERS, MEMBER_HEADERS, Groups, group_note
from siei_xl.i18n import LANGUAGES, check_language, words
from siei_xl.labels import is_missing, label_key, label_text, parse_number, split_list
from siei_xl.market import Flows, FlowScore, flow_group, flow_pair, flow_within, market_series
from siei_xl.panel import Panel, header_row, years_in_span

__all__ = [
    "OPTIONAL_SETTINGS",
    "SETTINGS",
    "JobResult",
    "Settings",
    "market_table",
    "read_settings",
    "run",
    "setting_key",
    "validate",
]

Rows = Sequence[Sequence[object]]

_DEFAULTS: tuple[tuple[str, str], ...] = (
    # (key, default) in the order of the Settings sheet; the help texts, in English and
    # Russian, are in siei_xl/data/workbook_labels.toml. Expert scale, Preset and Language
    # come last, so the cells the formulas of older workbooks name stay where they were.
    ("Focus country", "KAZ"),
    ("Partners", "RUS, CHN, KGZ, UZB, TKM"),
    ("Region", "Border region"),
    ("Region label", ""),
    ("Indicators", ""),
    ("Standardize", STANDARDIZE),
    ("ddof", str(DDOF)),
    ("CV limit", f"{CV_LIMIT:g}"),
    ("First year", ""),
    ("Last year", ""),
    ("Base indicator", ""),
    ("Flow aggregator", "harmonic"),
    ("Sigma indicator", ""),
    ("Sigma measure", "sd_log"),
    ("Expert scale", "1-10"),
    ("Preset", ""),
    ("Language", "en"),
)
SETTINGS: tuple[tuple[str, str, str], ...] = tuple(
    (key, default, words("en").part("setting_help", key)) for key, default in _DEFAULTS
)
"""(key, default, English help) of each setting, in the order of the Settings sheet."""
OPTIONAL_SETTINGS = ("Expert scale", "Preset", "Language")
"""Settings a workbook made before they existed lacks: their defaults apply."""


def setting_key(label: object) -> str | None:
    """The setting a column-A label names, in English or Russian (any case), or None.

    >>> setting_key("focus country"), setting_key("Страна фокуса"), setting_key("x")
    ('Focus country', 'Focus country', None)
    """
    return _SETTING_KEYS.get(label_key(label)) if isinstance(label, str) else None


_SETTING_KEYS = {
    label_key(name): key
    for lang in LANGUAGES
    for key, _ in _DEFAULTS
    for name in (key, words(lang).part("setting_label", key))
}


@dataclass(frozen=True)
class Settings:
    """What Compute reads from the Settings sheet."""

    focus: str
    partners: tuple[str, ...]
    region: str = ""
    region_label: str = ""
    indicators: tuple[str, ...] = ()
    standardize: str = STANDARDIZE
    ddof: int = DDOF
    cv_limit: float = CV_LIMIT
    first_year: int | None = None
    last_year: int | None = None
    base_indicator: str = ""
    aggregator: str = "harmonic"
    sigma_indicator: str = ""
    sigma_measure: str = "sd_log"
    expert_scale: tuple[float, float] = SCALE
    preset: str = ""
    lang: str = "en"

    @property
    def region_title(self) -> str:
        if self.region_label:
            return self.region_label
        return self.region if "," not in self.region else words(self.lang)("region")


@dataclass
class JobResult:
    """Everything Compute writes: tables, notes and a one-line summary."""

    settings: Settings
    panel: Panel
    distances: pd.DataFrame
    """Indexed by year; one column per partner, then the region."""
    region_cv: pd.DataFrame | None
    """Columns year, cv, members, note; None without a region."""
    region_members: pd.DataFrame | None
    """Per year: the region's members (membership may change over time)."""
    notes: list[str] = field(default_factory=list)
    region_is_group: bool = False
    """True when the region names a group on the Groups sheet (rather than listing codes)."""
    indicators: tuple[str, ...] = ()
    """The convergence indicators used (the setting, or every column but the base)."""
    market: pd.DataFrame | None = None
    """Indexed by year: the focus with each partner, with the region, and within it."""
    sigma: SigmaResult | None = None
    """The region's sigma series and trend."""
    membership_changes: dict[int, str] = field(default_factory=dict)
    """Years where the region's membership changed, e.g. ``{2015: "+ARM,+KGZ"}``."""
    experts: pd.DataFrame | None = None
    """The expert poll per grouping, criterion and year (:func:`expert_summary`)."""
    formula_indicators: str = ""
    """With a Preset: the Data columns the Results formulas name (instead of the
    Indicators setting, which is blank then)."""
    live: bool = True
    """False when the Results formulas could not reproduce the values (a Preset's fallback
    series stood in, or a series was transformed): the tables are then written as values."""

    @property
    def summary(self) -> str:
        return self.summary_in("en")

    def summary_in(self, lang: str) -> str:
        """The one-line summary in ``lang``."""
        p = self.panel
        n_na = int(self.distances.isna().sum().sum())
        return words(lang)(
            "summary",
            countries=len(p.countries),
            years=len(p.years),
            first=p.years[0],
            last=p.years[-1],
            indicators=len(self.indicators or p.indicators),
            computed=self.distances.size - n_na,
            na=n_na,
        )


def read_settings(rows: Rows) -> Settings:
    """Settings from key/value rows (column A key, column B value); unknown keys are errors."""
    values = {k: d for k, d, _ in SETTINGS}
    top = header_row(rows, _SETTING_HEADERS, _VALUE_HEADERS)
    start = top + 1 if any(label_key(c) in _VALUE_HEADERS for c in rows[top] if c) else 0
    for row_no, row in enumerate(rows[start:], start=start + 1):
        if not row or is_missing(row[0]):
            continue
        key = setting_key(row[0])
        if key is None:
            raise OptionError(
                f"Settings row {row_no}: unknown setting {label_text(row[0])!r}; "
                f"known: {', '.join(values)}"
            )
        cell = row[1] if len(row) > 1 else None
        values[key] = "" if is_missing(cell) else label_text(cell)
    return _settings(values)


# the Settings sheet's header in either language
_SETTING_HEADERS = ("setting", "key", "параметр")
_VALUE_HEADERS = ("value", "значение")


def _settings(values: dict[str, str]) -> Settings:
    focus = values["Focus country"].strip()
    if not focus:
        raise OptionError("Settings: Focus country is blank; give a country code such as KAZ")
    partners = tuple(split_list(values["Partners"]))
    if not partners and not values["Region"].strip():
        raise OptionError("Settings: give Partners, a Region, or both")
    return Settings(
        focus=focus,
        partners=partners,
        region=values["Region"].strip(),
        region_label=values["Region label"].strip(),
        indicators=tuple(split_list(values["Indicators"])),
        standardize=check_method(values["Standardize"] or STANDARDIZE),
        ddof=check_ddof(_number(values["ddof"] or str(DDOF), "ddof")),
        cv_limit=_positive(values["CV limit"] or str(CV_LIMIT), "CV limit"),
        first_year=_year(values["First year"], "First year"),
        last_year=_year(values["Last year"], "Last year"),
        base_indicator=values["Base indicator"].strip(),
        aggregator=_choice(values["Flow aggregator"], "Flow aggregator", AGGREGATORS),
        sigma_indicator=values["Sigma indicator"].strip(),
        sigma_measure=_choice(values["Sigma measure"], "Sigma measure", MEASURES),
        expert_scale=_scale(values["Expert scale"]),
        preset=_preset_name(values["Preset"]),
        lang=check_language(values["Language"] or "en", "Settings: Language"),
    )


def _scale(text: str) -> tuple[float, float]:
    try:
        return parse_scale(text.strip() or "1-10")
    except OptionError as exc:
        raise OptionError(f"Settings: Expert {exc}") from None


def _preset_name(text: str) -> str:
    """A convergence preset's name as shipped, or "" for none; anything else is refused."""
    if not text.strip():
        return ""
    book = presets.presets()
    usable = [n for n, p in book.items() if p.block == "convergence"]
    try:
        preset = presets.get(text.strip(), book)
    except SieiError:
        preset = None
    if preset is None or preset.block != "convergence":
        kind = "" if preset is None else f" ({preset.name} is a market index: use Base indicator)"
        raise OptionError(
            f"Settings: Preset must be one of {', '.join(usable)}, got {text.strip()!r}{kind}"
        )
    return preset.name


def _choice(text: str, name: str, allowed: Sequence[str]) -> str:
    word = text.strip().lower() or allowed[0]
    if word not in allowed:
        raise OptionError(f"Settings: {name} must be {' or '.join(allowed)}, got {text!r}")
    return word


def _number(text: str, name: str) -> float:
    number = parse_number(text)
    if number is None or math.isnan(number):
        raise OptionError(f"Settings: {name} must be a number, got {text!r}")
    return number


def _positive(text: str, name: str) -> float:
    number = _number(text, name)
    if number <= 0:
        raise OptionError(f"Settings: {name} must be positive, got {text!r}")
    return number


def _year(text: str, name: str) -> int | None:
    if not text.strip():
        return None
    number = _number(text, name)
    if not number.is_integer():
        raise OptionError(f"Settings: {name} must be a year such as 2000, got {text!r}")
    return int(number)


def read_data(rows: Rows, settings: Settings | None = None) -> Panel:
    """The Data sheet's rows (header first) as a panel."""
    body = [list(r) for r in rows]
    while body and all(is_missing(v) for v in body[-1]):
        body.pop()
    top = header_row(body)
    if len(body) < top + 2:
        raise DataError("the Data sheet is empty: paste a header row and data below it")
    indicators = None
    if settings and settings.indicators:
        # the columns the market and sigma tables read, besides the convergence indicators
        extra = [c for c in (settings.base_indicator, settings.sigma_indicator) if c]
        wanted = {label_key(i) for i in settings.indicators}
        indicators = list(settings.indicators) + [c for c in extra if label_key(c) not in wanted]
    return Panel.from_rows(
        body[top],
        body[top + 1 :],
        indicators=indicators,
        description="Data sheet",
        first_row_number=top + 2,
    )


def read_groups(rows: Rows) -> Groups:
    """The Groups sheet's rows (header first); an empty sheet is an empty book.

    A message about a row names its position in ``rows`` (the sheet row, read from A1).
    """
    body = [list(r) for r in rows]
    filled = [i for i, r in enumerate(body) if not all(is_missing(v) for v in r)]
    if not filled:
        return Groups({})
    top = filled[header_row([body[i] for i in filled], GROUP_HEADERS, MEMBER_HEADERS)]
    if filled[-1] == top:
        return Groups({})
    # Groups.from_rows numbers the rows under its header from 2: blank rows in front of
    # them make those numbers the rows' positions here (blank rows are skipped)
    blank: list[list[object]] = [[None]] * top
    return Groups.from_rows(body[top], blank + body[top + 1 :])


def run(
    data: Rows,
    groups: Rows,
    settings: Rows,
    flows: Rows | None = None,
    experts: Rows | None = None,
) -> JobResult:
    """Compute the Results tables from the input sheets.

    ``flows`` are the Flows sheet's rows (reporter, partner, year, value); with a Base
    indicator in the settings they give the market-integration table. ``experts`` are the
    Experts sheet's rows (expert, grouping, criterion, year, score); when it has scores
    they give the institutional block's table.

    Raises
    ------
    SieiError
        A problem that stops the whole job (unknown focus country, bad setting...).
        Problems of single years become NaN cells and notes.
    """
    cfg = read_settings(settings)
    panel = read_data(data, cfg)
    book = read_groups(groups)
    years = _years(panel, cfg)
    region: object = cfg.region if cfg.region else None
    if region is not None and region not in book and "," not in cfg.region:
        # a single word that is not a group name: a one-country region, or a typo
        try:
            panel.country_index(cfg.region)
        except SieiError:
            raise OptionError(
                f"Settings: Region {cfg.region!r} is neither a group on the Groups sheet "
                f"({', '.join(book.names) or 'none defined'}) nor a country of the data"
            ) from None
    base = label_key(cfg.base_indicator)
    indicators = list(cfg.indicators) or [i for i in panel.indicators if label_key(i) != base]
    notes: list[str] = []
    convergence_panel, formula_indicators, live = panel, "", True
    if cfg.preset and not cfg.indicators:
        convergence_panel, indicators, formula_indicators, live = _preset_panel(
            panel, cfg.preset, notes
        )
    options = {
        "years": years,
        "standardize": cfg.standardize,
        "ddof": cfg.ddof,
        "indicators": indicators,
    }
    distances = convergence_table(
        convergence_panel,
        cfg.focus,
        list(cfg.partners),
        region=region,
        region_label=cfg.region_title,
        groups=book,
        **options,  # type: ignore[arg-type]
    )
    # one note per line of the table and sentence, its years as spans: "KAZ-EAEU: group
    # 'EAEU' has no members in 1990-2014", not 25 lines (each cell keeps its own reason)
    for prefix, reasons in distances.attrs["line_notes"].items():
        frame = pd.DataFrame(reasons, columns=["year", "note"])
        notes += _condensed(prefix, frame, joined=False)
    source = distances.attrs.get("group_source", "")
    if "built-in" in source:  # a catalogue group, or one of the user's that replaces it
        notes.insert(0, f"Region {cfg.region}: {source}")
    region_cv = members = None
    if region is not None:
        cv = group_cv_series(
            convergence_panel,
            region,
            groups=book,
            years=years,
            indicators=indicators,
            ddof=cfg.ddof,
            cv_limit=cfg.cv_limit,
        )
        region_cv = cv[["year", "cv", "members", "note", "error"]]
        notes += _condensed(f"{cfg.region_title} CV", cv, joined=False)
        gd = group_distance_series(
            convergence_panel,
            cfg.focus,
            region,
            groups=book,
            **options,  # type: ignore[arg-type]
        )
        members = gd[["year", "members", "n_members"]]
    result = JobResult(
        cfg, panel, distances, region_cv, members, notes, region_is_group=cfg.region in book
    )
    result.indicators = tuple(indicators)
    result.formula_indicators, result.live = formula_indicators, live
    if region is not None:
        result.membership_changes = membership_changes(region, years, book)
        notes += [
            f"{cfg.region_title} membership changed in {year} ({change}): a jump in the "
            "region's distance, CV or sigma that year may come from the change of members, "
            "not from convergence or divergence"
            for year, change in result.membership_changes.items()
        ]
    if cfg.base_indicator:
        result.market = _market_table(panel, book, cfg, region, years, flows, notes)
    if cfg.sigma_indicator and region is not None:
        try:
            result.sigma = sigma_series(
                panel,
                cfg.sigma_indicator,
                region,
                groups=book,
                years=years,
                measure=cfg.sigma_measure,
                ddof=cfg.ddof,
            )
        except ComputationError as exc:
            notes.append(f"sigma of {cfg.sigma_indicator}: {exc}")
        else:
            series = result.sigma.series
            notes += _condensed("sigma", series, joined=False)
    scores = read_experts_sheet(experts or [], cfg.expert_scale)
    if scores is not None:
        result.experts = expert_summary(scores)
        notes += [
            f"experts {criterion} {year}: {note}"
            for criterion, year, note in agreement_notes(scores)
        ]
    return result


def read_experts_sheet(rows: Rows, scale: object = SCALE) -> ExpertScores | None:
    """The Experts sheet's scores; None when it has no rows below its header.

    A message about a row names its position in ``rows`` (the sheet row, read from A1).
    """
    body = [list(r) for r in rows]
    while body and all(is_missing(v) for v in body[-1]):
        body.pop()
    if len(body) < 2 or len(body) == header_row(body, EXPERT_HEADERS, SCORE_HEADERS) + 1:
        return None
    return ExpertScores.from_cells(body, scale=scale)


def agreement_notes(scores: ExpertScores) -> list[tuple[str, int, str]]:
    """``(criterion, year, note)`` of the agreement (Kendall's W) where there is a note."""
    from siei_xl.experts import agreement

    table = agreement(scores)
    return [
        (str(c), int(y), str(n))
        for c, y, n in zip(table["criterion"], table["year"], table["note"], strict=True)
        if n
    ]


def _preset_panel(panel: Panel, name: str, notes: list[str]) -> tuple[Panel, list[str], str, bool]:
    """The panel of a convergence preset's series (fallbacks filled in), its indicator
    labels, the Data columns the formulas can name, and whether they reproduce it."""
    preset = presets.get(name)
    resolved = presets.resolve(preset, panel)
    if resolved.panel is None:
        raise DataError(
            f"Settings: Preset {preset.name} needs {', '.join(preset.codes)}; none is a "
            "column of the Data sheet (name the columns by their WDI codes, or fill Indicators)"
        )
    notes += [f"Preset {preset.name}: {n}" for n in resolved.notes]
    if resolved.missing:
        notes.append(
            f"Preset {preset.name}: computed without {', '.join(resolved.missing)} "
            "(not in the data)"
        )
    used = [i for i in preset.indicators if i.label in resolved.used]
    columns = {label_key(c) for c in panel.indicators}
    exact = resolved.fallbacks.empty and all(
        i.transform is None and label_key(i.code) in columns for i in used
    )
    if not exact:
        notes.append(
            f"Preset {preset.name}: a fallback series stood in or a series was transformed, "
            "which formulas over the Data sheet cannot repeat: the tables hold values"
        )
    return resolved.panel, list(resolved.used), ",".join(i.code for i in used), exact


def _market_table(
    panel: Panel,
    book: Groups,
    cfg: Settings,
    region: object,
    years: list[int],
    flows: Rows | None,
    notes: list[str],
) -> pd.DataFrame | None:
    """Market integration of the focus with each partner, the region, and within it."""
    body = [list(r) for r in flows or [] if not all(is_missing(v) for v in r)]
    if len(body) < 2:
        notes.append(
            f"market table skipped: Base indicator is {cfg.base_indicator} but the Flows sheet "
            "has no rows"
        )
        return None
    table = market_table(
        Flows.from_cells(body),
        panel,
        cfg.base_indicator,
        cfg.focus,
        cfg.partners,
        region=region,
        region_label=cfg.region_title,
        groups=book,
        years=years,
        aggregator=cfg.aggregator,
    )
    for name, pairs in table.attrs["notes"].items():
        notes += _condensed(f"market {name}", pd.DataFrame(pairs, columns=["year", "note"]))
    return table


def market_table(
    flows: Flows,
    panel: Panel,
    base_indicator: str,
    focus: str,
    partners: Sequence[str],
    *,
    region: object = None,
    region_label: str = "Region",
    groups: Groups | None = None,
    years: Sequence[int] | None = None,
    aggregator: str = "harmonic",
) -> pd.DataFrame:
    """Market integration of ``focus``: with each partner, and with and within the region.

    Returns
    -------
    DataFrame
        Indexed by year; a column per partner (the pair score), and with a region
        ``with <region_label>`` and ``within <region_label>``. ``attrs["notes"]`` holds
        each column's ``(year, note)`` pairs (every year, note ``""`` when none),
        ``attrs["year_notes"]`` the non-empty notes by year, ``attrs["units"]`` how the
        flows' unit met the base's, ``attrs["warnings"]`` one line per column with
        implausible shares, ``attrs["group_source"]`` where a named region came from.
    """
    label = panel.country(focus)
    computations: list[tuple[str, Callable[[int], FlowScore]]] = [
        (
            panel.country(p),
            functools.partial(
                flow_pair, flows, panel, base_indicator, label, p, aggregator=aggregator
            ),
        )
        for p in partners
    ]
    if region is not None:

        def with_region(year: int) -> FlowScore:
            return flow_group(flows, panel, base_indicator, label, region, year, groups=groups)

        def within_region(year: int) -> FlowScore:
            return flow_within(flows, panel, base_indicator, region, year, groups=groups)

        computations += [
            (f"with {region_label}", with_region),
            (f"within {region_label}", within_region),
        ]
    columns: dict[str, pd.Series] = {}
    notes_of: dict[str, list[tuple[int, str]]] = {}
    year_notes: dict[int, list[str]] = {}
    units, warnings = "", []
    for name, compute in computations:
        series = market_series(compute, panel, years)
        units = units or series.attrs.get("units", "")
        warnings += [f"{name}: {w}" for w in series.attrs.get("warnings", [])]
        columns[name] = series.set_index("year")["score"]
        notes_of[name] = [
            (int(y), str(n)) for y, n in zip(series["year"], series["note"], strict=True)
        ]
        for year, note in zip(series["year"], series["note"], strict=True):
            if note:
                year_notes.setdefault(int(year), []).append(f"{name}: {note}")
    frame = pd.DataFrame(columns)
    frame.index.name = "year"
    frame.attrs.update(
        notes=notes_of,
        year_notes=year_notes,
        units=units,
        warnings=warnings,
        group_source=group_note(region, groups) if region is not None else "",
    )
    return frame


def _condensed(prefix: str, series: pd.DataFrame, *, joined: bool = True) -> list[str]:
    """One note per distinct sentence, its years as spans: '... in 1995-2024: ...'.

    ``joined``: a year's note may hold several sentences joined by '; ' (the market
    tables'); otherwise it is one message, which may itself contain '; '.
    """
    years_of: dict[str, list[int]] = {}
    for year, note in zip(series["year"], series["note"], strict=True):
        for part in filter(None, str(note).split("; ") if joined else [str(note)]):
            years_of.setdefault(part.replace(str(year), "{years}"), []).append(int(year))
    return [f"{prefix}: {text.replace('{years}', _spans(ys))}" for text, ys in years_of.items()]


def _years(panel: Panel, cfg: Settings) -> list[int]:
    lo = cfg.first_year if cfg.first_year is not None else panel.years[0]
    hi = cfg.last_year if cfg.last_year is not None else panel.years[-1]
    if lo > hi:
        raise OptionError(f"Settings: First year {lo} is after Last year {hi}")
    return years_in_span(panel, lo, hi, what="Settings")


def validate(data: Rows, groups: Rows, settings: Rows, experts: Rows | None = None) -> list[str]:
    """Every problem found in the three sheets, in one list; empty when all is well.

    Unlike :func:`run`, this does not stop at the first problem: it checks the settings,
    then every data row (unknown text in numbers, duplicates, blank codes, bad years),
    then the groups and the labels the settings name, then the coverage of the years,
    then the Experts sheet's first problem (a score outside the scale, a repeated row).
    """
    problems: list[str] = []
    try:
        cfg: Settings | None = read_settings(settings)
    except SieiError as exc:
        problems.append(str(exc))
        cfg = None
    body = [list(r) for r in data]
    top = header_row(body)
    panel = None
    if not any(not all(is_missing(v) for v in r) for r in body[top + 1 :]):
        problems.append("the Data sheet is empty: paste a header row and data below it")
    else:
        good_rows, row_problems = _check_rows(body, top)
        problems += row_problems
        if good_rows:
            try:  # the labels the settings name are checked against the readable rows
                panel = read_data([body[top], *good_rows], cfg)
            except SieiError as exc:
                problems.append(str(exc))
    try:
        book = read_groups(groups)
    except SieiError as exc:
        problems.append(str(exc))
        book = Groups({})
    if panel is not None and cfg is not None:
        problems += _label_problems(panel, book, cfg)
    try:
        read_experts_sheet(experts or [], cfg.expert_scale if cfg is not None else SCALE)
    except SieiError as exc:
        problems.append(f"Experts sheet: {exc}")
    return list(dict.fromkeys(problems))


def _check_rows(body: list[list[object]], top: int) -> tuple[list[list[object]], list[str]]:
    """Check every data row on its own, then duplicates; return the good rows and problems.

    ``body`` is the sheet from its first row, so positions give sheet row numbers.
    """
    header = body[top]
    problems: list[str] = []
    good: list[list[object]] = []
    first_row: dict[tuple[str, int], int] = {}
    for row_no, row in enumerate(body[top + 1 :], start=top + 2):
        if all(is_missing(v) for v in row):
            continue
        try:
            one = Panel.from_rows(header, [row], first_row_number=row_no)
        except SieiError as exc:
            problems.append(str(exc))
            continue
        key = (label_key(one.countries[0]), one.years[0])
        if key in first_row:
            problems.append(
                f"rows {first_row[key]} and {row_no} both hold {one.countries[0]} {one.years[0]}; "
                "keep one row per country and year"
            )
            continue
        first_row[key] = row_no
        good.append(row)
    if len(problems) > 50:
        problems = [*problems[:50], f"... and {len(problems) - 50} more problems"]
    return good, problems


def _label_problems(panel: Panel, book: Groups, cfg: Settings) -> list[str]:
    problems: list[str] = []
    labels = [("Focus country", cfg.focus)] + [("Partners", p) for p in cfg.partners]
    for where, label in labels:
        try:
            panel.country_index(label)
        except SieiError as exc:
            problems.append(f"Settings {where}: {exc}")
    if cfg.region:
        if cfg.region in book:
            for member in book.all_members(cfg.region):
                try:
                    panel.country_index(member.country)
                except SieiError as exc:
                    problems.append(f"Groups {cfg.region}: {exc}")
        else:
            for label in split_list(cfg.region):
                try:
                    panel.country_index(label)
                except SieiError:
                    problems.append(
                        f"Settings Region: {label!r} is neither a group on the Groups sheet "
                        "nor a country of the data"
                    )
    present = np.isfinite(panel.values).all(axis=2).reshape(len(panel.countries), -1)
    for label in [cfg.focus, *cfg.partners]:
        try:
            c = panel.country_index(label)
        except SieiError:
            continue
        gaps = [y for y, ok in zip(panel.years, present[c].tolist(), strict=True) if not ok]
        if gaps:
            problems.append(
                f"{panel.countries[c]} lacks values in {_spans(gaps)}: those years will be n/a"
            )
    return problems


def _spans(years: list[int]) -> str:
    spans: list[str] = []
    start = prev = years[0]
    for y in [*years[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        spans.append(str(start) if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(spans)
