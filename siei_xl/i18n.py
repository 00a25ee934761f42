"""The workbook's words in English or Russian, and Russian country names.

The texts live in ``siei_xl/data/workbook_labels.toml`` (the report's own in
``report_labels.toml``, whose ``[ru.countries]`` spellings both use). Sheet and function
names are not translated: formulas, the VBA, the ribbon and the LibreOffice side find
sheets by name.

Examples
--------
>>> words("ru")("mean"), words("en")("cv_within", region="EAEU")
('Среднее', 'CV within EAEU')
>>> country_name("KGZ", "ru"), country_name("RUS", "en"), country_name("Border region", "ru")
('Кыргызстан', 'Russia', 'Border region')
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Final

from siei_xl.exceptions import OptionError
from siei_xl.importers import COUNTRY_NAMES
from siei_xl.labels import label_key

__all__ = [
    "LANGUAGES",
    "Words",
    "check_language",
    "country_label",
    "country_name",
    "data_labels",
    "translate_note",
    "words",
]

LANGUAGES: Final = ("en", "ru")
_ALIASES: Final = {
    "en": "en",
    "english": "en",
    "англ": "en",
    "английский": "en",
    "ru": "ru",
    "russian": "ru",
    "рус": "ru",
    "русский": "ru",
}


@functools.cache
def data_labels(name: str) -> Mapping[str, Mapping[str, object]]:
    """A TOML file of texts shipped in ``siei_xl/data`` (read once)."""
    text = resources.files("siei_xl").joinpath(f"data/{name}").read_text("utf-8")
    return tomllib.loads(text)


def labels() -> Mapping[str, Mapping[str, object]]:
    """The workbook's texts: ``{"en": {...}, "ru": {...}}`` as in the data file."""
    return data_labels("workbook_labels.toml")


def check_language(lang: object, what: str = "language") -> str:
    """``"en"`` or ``"ru"`` from a code or a name in either language (any case).

    >>> check_language("Русский"), check_language(" EN ")
    ('ru', 'en')
    """
    word = _ALIASES.get(label_key(lang) if lang is not None else "")
    if word is None:
        raise OptionError(f"{what} must be en (English) or ru (Russian), got {lang!r}")
    return word


class Words:
    """The workbook's texts in one language; ``w("key", **values)`` fills placeholders."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = check_language(lang)
        self._own = labels()[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        template = str(self._own[key])
        return template.format(**values) if values else template

    def list(self, key: str) -> list[str]:
        """A list-valued text (table headers)."""
        value = self._own[key]
        assert isinstance(value, list)
        return [str(v) for v in value]

    def part(self, table: str, key: str) -> str:
        """A text of a sub-table: ``part("setting_help", "Region")``."""
        sub = self._own[table]
        assert isinstance(sub, Mapping)
        return str(sub[key])

    def country(self, code: object) -> str:
        return country_name(code, self.lang)

    def country_label(self, code: object) -> str:
        return country_label(code, self.lang)


@functools.cache
def words(lang: str = "en") -> Words:
    return Words(lang)


def country_name(code: object, lang: str = "en") -> str:
    """A country's name in ``lang`` where known (the EDB's spelling in Russian), else the
    label as given."""
    text = str(code).strip()
    if lang == "ru":
        spelled = data_labels("report_labels.toml")["ru"].get("countries", {})
        if isinstance(spelled, Mapping) and text.upper() in spelled:
            return str(spelled[text.upper()])
    names = COUNTRY_NAMES.get(text.upper())
    if not names:
        return str(code)
    if lang == "ru":
        russian = [n for n in names if any("а" <= ch.lower() <= "я" for ch in n)]
        return russian[0] if russian else str(code)
    return names[0]


def country_label(code: object, lang: str = "en") -> str:
    """``'RUS (Russia)'`` / ``'RUS (Россия)'`` for a code whose name is known, else the
    label as it is.

    >>> country_label("KGZ"), country_label("KGZ", "ru"), country_label("Border region")
    ('KGZ (Kyrgyzstan)', 'KGZ (Кыргызстан)', 'Border region')
    """
    name = country_name(code, lang)
    return f"{code} ({name})" if name != str(code) else str(code)


_C = r"([^\s:;]+)"  # a country code or an indicator label
_Y = r"(\d{4})"
_YEARS = r"(\d{4}(?:-\d{4})?(?:, \d{4}(?:-\d{4})?)*)"  # years as condensed spans
_NOTE_FORMS: Final[tuple[tuple[str, str], ...]] = (
    # Sentences of the pandas API's notes, then the prefixes the workbook and the report
    # put before them. Applied in order, each to every match within a note.
    (rf"{_C} has no value for {_C} in {_YEARS}", r"\1: нет значения \2 за \3"),
    (
        rf"{_C} did not report its flow with {_C} in {_YEARS}: \2's figure used",
        r"\1 не сообщила о потоке с \2 за \3: использованы данные \2",
    ),
    (
        rf"neither {_C} nor {_C} reported a flow between them in {_YEARS}",
        r"ни \1, ни \2 не сообщили о потоке между ними за \3",
    ),
    (
        rf"the group mean of {_C} in {_YEARS} is (\S+), too close to zero for its sd (\S+) "
        r"\(\|CV\| = (\S+), limit (\S+)\): the coefficient of variation is meaningless here",
        r"среднее по группе для \1 за \2 равно \3 — слишком близко к нулю при ст. откл. \4 "
        r"(|коэф. вариации| = \5, предел \6): коэффициент вариации здесь не имеет смысла",
    ),
    (
        r"leave this indicator out or use a level rather than a rate",
        "исключите этот индикатор или возьмите уровень вместо темпа",
    ),
    (
        rf"the group has (\d+) member\(s\) in {_YEARS}",
        r"в группе за \2 членов: \1",
    ),
    ("every measure needs 2 or more", "любой показатель требует не менее 2"),
    (
        rf"the group has (\d+) member in {_YEARS}; a coefficient of variation needs at least 2 "
        "countries",
        r"в группе за \2 членов: \1; коэффициент вариации требует не менее 2 стран",
    ),
    (rf"group '([^']+)' has no members in {_YEARS}", r"в группе '\1' нет членов за \2"),
    (
        rf"{_C} lacks values in {_YEARS}: those years will be n/a",
        r"\1: нет значений за \2 — эти годы будут n/a",
    ),
    (
        rf"only (\d+) value of {_C} in {_YEARS}; a standard deviation with ddof=(\d) needs "
        r"at least (\d+)",
        r"только \1 значение \2 за \3; ст. откл. при ddof=\4 требует не менее \5",
    ),
    (
        rf"{_C} has the same value for all (\d+) countries in {_YEARS} \(sd = 0\), so its "
        "z-scores are undefined; leave it out of the indicators",
        r"\1 одинаков у всех \2 стран за \3 (ст. откл. = 0): z-оценки не определены; "
        "исключите его из индикаторов",
    ),
    (
        rf"{_C}: {_C} stands in for {_C} in (\d+) country-years? \(",
        r"\1: \2 заменяет \3 в \4 случаях (страна-год) (",
    ),
    (rf"{_C}: year-on-year change of {_C}, in %", r"\1: изменение \2 к предыдущему году, %"),
    (
        r"partner's \(mirror\) figures stand in (\d+) times: ",
        r"зеркальные данные партнёра использованы \1 раз: ",
    ),
    (
        r"flows in (.+?); base (\S+) in (.+?) times (\S+)$",
        r"потоки: \1; база \2: \3, множитель \4",
    ),
    (
        r"flows in (.+?) converted to (.+?), the unit of (\S+) \(x (\S+)\)",
        r"потоки в \1 пересчитаны в \2, единицы \3 (x \4)",
    ),
    (r"flows and (\S+) both in ", r"потоки и \1 в одних единицах: "),
    (
        r"not stated: flows and base taken to be in the same unit",
        "не указаны: потоки и база считаются в одних единицах",
    ),
    (r"the flows' unit", "единицы потоков"),
    (
        r"group '([^']+)' \(([^)]+)\) from the built-in catalogue",
        r"группа '\1' (\2) из встроенного каталога",
    ),
    (r"group '([^']+)' from your groups", r"группа '\1' из ваших групп"),
    (
        r" \(it replaces the built-in group of that name\)",
        " (заменяет встроенную группу с тем же именем)",
    ),
    (
        rf"^(.+?) membership changed in {_Y} \(([^)]*)\): a jump in the region's distance, CV "
        "or sigma that year may come from the change of members, not from convergence or "
        "divergence",
        r"\1: состав изменился в \2 (\3): скачок расстояния, коэффициента вариации или "
        "сигмы региона в этот год может объясняться сменой состава, а не конвергенцией или "
        "дивергенцией",
    ),
    (
        r"^market table skipped: Base indicator is (.+?) but the Flows sheet has no rows",
        r"таблица рыночной интеграции пропущена: базовый индикатор \1 задан, но на листе "
        "Flows нет строк",
    ),
    (
        r"computed without (.+?) \(not in the data\)",
        r"рассчитан без \1 (нет в данных)",
    ),
    (
        r"a fallback series stood in or a series was transformed, which formulas over the "
        r"Data sheet cannot repeat: the tables hold values",
        "использован запасной ряд или преобразование, которые формулы по листу Data "
        "не повторяют: в таблицах значения",
    ),
    (
        r"(\d+) expert\(s\) did not score every grouping: left out of W",
        r"экспертов, оценивших не все группы: \1; они не учтены в W",
    ),
    (
        r"W needs at least 2 experts who scored at least 2 groupings",
        "для W нужны не менее 2 экспертов, оценивших не менее 2 групп",
    ),
    (
        r"every expert gave every grouping the same score: no ordering",
        "каждый эксперт дал всем группам одну оценку: упорядочения нет",
    ),
    # the consolidated indices' method columns and the report's sources
    (
        r"min-max over all rows of the run \(0 = least, 1 = most integrated row\)",
        "min-max по всем строкам расчёта (0 — наименьшая, 1 — наибольшая интеграция)",
    ),
    (
        r"([\w.]+): lower = closer, turned around \(1 - scaled\)",
        r"\1: меньше — ближе, развёрнуто (1 − масштабированное)",
    ),
    (r"(^|; )([\w.]+): higher(?=;|$)", r"\1\2: больше — теснее"),
    (
        r"^(\S+) flows \((.+?)\) over (\S+) \((.+?)\); higher = more integrated$",
        r"потоки (\1, \2) к \3 (\4); больше — теснее",
    ),
    (r"; lower = closer$", "; меньше — ближе"),
    (r" \(else ([^)]+)\)", r" (иначе \1)"),
    (r"^indicators by WDI code", "индикаторы по кодам WDI"),
    (r"^as published \(see each preset\)$", "как опубликовано (см. каждый индекс)"),
    (
        r"^(\S+) flows, exports \+ imports as reported$",
        r"потоки (\1): экспорт + импорт по данным отчитывающихся стран",
    ),
    (r"^expert poll$", "экспертный опрос"),
    (r"^groups$", "группы"),
    (r"^scale ", "шкала "),
    (r"^(.+?) CV {_Y}: ".replace("{_Y}", _Y), r"\1, коэф. вариации \2: "),
    (r"^(.+?) CV: ", r"\1, коэф. вариации: "),
    (r"^market with (.+?): ", r"рыночная интеграция с группой \1: "),
    (r"^market within (.+?): ", r"рыночная интеграция внутри \1: "),
    (r"^market (.+?): ", r"рыночная интеграция, \1: "),
    (rf"^sigma {_Y}: ", r"сигма \1: "),
    (r"^sigma of (\S+): ", r"сигма \1: "),
    (r"^sigma: ", "сигма: "),
    (r"^beta: ", "бета: "),
    (r"^Region (.+?): ", r"Регион \1: "),
    (r"^Preset (\S+): ", r"Индекс СИЕИ \1: "),
)
_COMPILED: Final = tuple((re.compile(a), b) for a, b in _NOTE_FORMS)


def translate_note(note: str, lang: str = "en") -> str:
    """A note of the pandas API (English) in ``lang``: the known sentence forms are
    translated, codes, numbers and labels kept; a form not known stays English.

    Examples
    --------
    >>> translate_note("ARM has no value for public_debt in 2015", "ru")
    'ARM: нет значения public_debt за 2015'
    >>> translate_note("market TKM: TKM did not report its flow with KAZ in 1995-2024: "
    ...                "KAZ's figure used", "ru")
    'рыночная интеграция, TKM: TKM не сообщила о потоке с KAZ за 1995-2024: использованы данные KAZ'
    >>> translate_note("ARM has no value for public_debt in 2015")
    'ARM has no value for public_debt in 2015'
    """
    if check_language(lang) == "en":
        return note
    for pattern, replacement in _COMPILED:
        note = pattern.sub(replacement, note)
    return note
