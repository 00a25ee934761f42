"""The workbook in English and Russian: one data file of texts, the Language setting, the
Preset setting, and the pandas API's notes in Russian (workbook and report).

A Russian workbook must differ from the English one in its words only: the sheets are
laid out from the same inputs in both languages and compared cell by cell, numbers and
formulas equal, texts Cyrillic where the English ones are words.
"""

from __future__ import annotations

import math
import re
import string
from pathlib import Path

import openpyxl
import pytest

from siei_xl.cli import main
from siei_xl.example import EXAMPLE_NOTE
from siei_xl.excel import layout
from siei_xl.excel.fill import apply_options, example_market_inputs
from siei_xl.excel.template import WorkbookContent, sheet_layouts
from siei_xl.exceptions import DataError, OptionError
from siei_xl.i18n import country_label, labels, translate_note, words
from siei_xl.job import SETTINGS, read_settings, run, setting_key
from siei_xl.plot import convergence_figure

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
CYRILLIC = re.compile("[А-Яа-яЁё]")
# two English words in a row (lower case): what a translated note must not contain; codes
# (KAZ, NY.GDP.PCAP.PP.CD), labels with underscores (gdp_growth) and numbers may stay
ENGLISH_WORDS = re.compile(r"\b[a-z]{2,}\s+[a-z]{2,}\b")


def flatten(table: object, prefix: str = "") -> dict[str, object]:
    if isinstance(table, dict):
        out: dict[str, object] = {}
        for key, value in table.items():
            out.update(flatten(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): table}


def placeholders(text: object) -> set[str]:
    items = text if isinstance(text, list) else [text]
    return {
        name
        for item in items
        for _, name, _, _ in string.Formatter().parse(str(item))
        if name is not None
    }


# ------------------------------------------------------------------ the data file
def test_every_english_text_has_a_russian_one_and_back() -> None:
    en, ru = flatten(labels()["en"]), flatten(labels()["ru"])
    assert set(en) == set(ru)
    for key, text in en.items():
        assert placeholders(text) == placeholders(ru[key]), key
        if isinstance(text, list):
            assert isinstance(ru[key], list), key
            assert len(ru[key]) == len(text), key  # type: ignore[arg-type]


def test_russian_texts_are_russian() -> None:
    """Every Russian text that is words in English has Cyrillic in it (not a copy)."""
    en, ru = flatten(labels()["en"]), flatten(labels()["ru"])
    for key, text in ru.items():
        if ENGLISH_WORDS.search(str(en[key])) and str(en[key]) != "":
            assert CYRILLIC.search(str(text)), key


def test_every_setting_has_a_label_and_help_in_both_languages() -> None:
    keys = [key for key, _, _ in SETTINGS]
    for lang in ("en", "ru"):
        for key in keys:
            assert words(lang).part("setting_label", key)
            assert words(lang).part("setting_help", key)
    assert set(flatten(labels()["en"]["setting_help"])) == set(keys)


def test_the_english_example_note_is_the_example_modules() -> None:
    assert words("en")("example_note") == EXAMPLE_NOTE


def test_russian_setting_labels_read_as_the_english_ones() -> None:
    for key, _, _ in SETTINGS:
        assert setting_key(words("ru").part("setting_label", key)) == key
        assert setting_key(key.upper()) == key
    assert setting_key("Страна фокуса") == "Focus country"
    assert setting_key("nonsense") is None


def test_country_names() -> None:
    assert country_label("KGZ", "ru") == "KGZ (Кыргызстан)"  # the EDB's spelling
    assert country_label("KAZ", "ru") == "KAZ (Казахстан)"
    assert country_label("RUS", "en") == "RUS (Russia)"
    assert country_label("Border region", "ru") == "Border region"


# ------------------------------------------------------------------ the workbook
def layouts(lang: str, **settings: str) -> dict[str, layout.SheetLayout]:
    data, groups, rows, flows = example_market_inputs()
    rows = apply_options(rows, {"Language": lang, **settings})
    content = WorkbookContent(data, groups, rows, run(data, groups, rows, flows), flows=flows)
    return {sheet.name: sheet for sheet in sheet_layouts(content)}


@pytest.fixture(scope="module")
def both() -> tuple[dict[str, layout.SheetLayout], dict[str, layout.SheetLayout]]:
    return layouts("en"), layouts("ru")


INPUT_SHEETS = {layout.DATA, layout.GROUPS, layout.FLOWS, layout.EXPERTS}


def test_a_russian_workbook_has_the_english_ones_numbers_and_formulas(both) -> None:
    en, ru = both
    assert list(en) == list(ru) == list(layout.SHEETS)  # sheet names stay English
    for name in en:
        old = {(c.row, c.col): c for c in en[name].cells}
        new = {(c.row, c.col): c for c in ru[name].cells}
        # the Russian Help sheet adds one line: the functions' descriptions stay English
        assert set(new) - set(old) == ({(1, 0)} if name == layout.HELP else set()), name
        language = (layout.SETTINGS_SHEET, (layout.SETTING_ROW["Language"], 1))
        for at, cell in old.items():
            other = new[at]
            if (name, at) == language:
                assert (cell.value, other.value) == ("en", "ru")
                continue
            assert cell.formula == other.formula, (name, at)
            assert cell.style == other.style, (name, at)
            if isinstance(cell.value, float):
                assert isinstance(other.value, float)
                assert other.value == cell.value or (
                    math.isnan(cell.value) and math.isnan(other.value)
                )
            elif isinstance(cell.value, str):
                # a text either stays (codes, data, the functions' metadata on Help) or
                # turns Russian; English sentences must turn, except the metadata's
                # (and the names of the functions and of the ribbon's buttons, which are the
                # workbook's own, English)
                metadata = name == layout.HELP and (
                    cell.col in (2, 3, 4) or cell.style == "help_name"
                )
                # what the user's input sheets hold (their headers and rows, e.g. the
                # example's source notes on Groups) is data, kept as written
                metadata |= name in INPUT_SHEETS and cell.style != "instruction"
                assert other.value == cell.value or CYRILLIC.search(str(other.value))
                if ENGLISH_WORDS.search(cell.value) and not metadata:
                    assert CYRILLIC.search(str(other.value)), (name, at, cell.value)
            else:
                assert cell.value == other.value, (name, at)


def test_russian_labels_where_the_reader_sees_them(both) -> None:
    _, ru = both

    def text(sheet: str, row: int, col: int) -> object:
        """The cell's value as written: the last one put there."""
        return [c.value for c in ru[sheet].cells if (c.row, c.col) == (row, col)][-1]

    results = ru[layout.RESULTS]
    assert text(layout.RESULTS, 0, 0) == (
        "Конвергенция экономических систем: KAZ (Казахстан) с партнёрами и регионом"
    )
    keys = [c.value for c in results.cells if c.style == "key"]
    assert {"Среднее", "Изменение", "Изменение за"} <= set(keys)
    assert {"наклон в год", "стандартная ошибка", "t-статистика"} <= set(keys)
    notes = [str(c.value) for c in results.cells if str(c.value).startswith("- ")]
    assert notes
    assert not [n for n in notes if ENGLISH_WORDS.search(n.replace("Border region", ""))]
    assert text(layout.SETTINGS_SHEET, layout.HEADER_ROW, 0) == "Параметр"
    assert text(layout.SETTINGS_SHEET, layout.SETTING_ROW["Focus country"], 0) == "Страна фокуса"
    assert "встроенного каталога" in str(
        text(layout.SETTINGS_SHEET, layout.SETTING_ROW["Region"], 2)
    )
    assert text(layout.HELP, 2, 0) == "Функция"
    chart = ru[layout.CHART].chart
    assert chart is not None
    assert chart.x_title == "Год"
    assert CYRILLIC.search(chart.y_title)


def test_the_english_workbook_keeps_its_english_texts(both) -> None:
    en, _ = both
    results = {(c.row, c.col): c.value for c in en[layout.RESULTS].cells}
    assert results[(0, 0)] == "Convergence of KAZ with its partners and the region"
    assert "Mean" in results.values()
    assert "Change over" in results.values()


def test_a_russian_settings_sheet_is_read_back(both) -> None:
    """Compute reads a Settings sheet written in Russian (labels and header in Russian)."""
    _, ru = both
    sheet = ru[layout.SETTINGS_SHEET]
    grid: list[list[object]] = [
        [None, None, None] for _ in range(layout.SETTING_ROW["Language"] + 1)
    ]
    for cell in sheet.cells:
        grid[cell.row][cell.col] = cell.value
    settings = read_settings(grid)
    assert settings.lang == "ru"
    assert settings.focus == "KAZ"
    assert settings.indicators == ("gdp_pc_ppp", "gdp_growth")


def test_a_bad_language_is_one_clear_line() -> None:
    rows = layout.settings_rows({"Language": "de"})
    with pytest.raises(
        OptionError, match=r"Language must be en .English. or ru .Russian., got 'de'"
    ):
        read_settings(rows)
    assert read_settings(layout.settings_rows({"Language": "русский"})).lang == "ru"


def test_demo_and_template_in_russian_from_the_command_line(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--out-dir", str(tmp_path), "--lang", "ru", "--quiet"]) == 0
    book = openpyxl.load_workbook(tmp_path / "siei_demo.xlsm", read_only=True)
    try:
        settings = list(book[layout.SETTINGS_SHEET].iter_rows(values_only=True))
        results = list(book[layout.RESULTS].iter_rows(values_only=True))
    finally:
        book.close()
    assert ("Язык", "ru") in [tuple(r[:2]) for r in settings]
    assert results[0][0].startswith("Конвергенция экономических систем")
    # fill keeps the workbook's language unless --lang says otherwise
    out = tmp_path / "again.xlsm"
    assert main(["fill", str(tmp_path / "siei_demo.xlsm"), "-o", str(out), "--quiet"]) == 0
    again = openpyxl.load_workbook(out, read_only=True)
    try:
        assert next(again[layout.RESULTS].iter_rows(values_only=True))[0] == results[0][0]
    finally:
        again.close()
    assert main(["build-template", "-o", str(tmp_path / "t.xlsm"), "--lang", "xx"]) == 2
    assert "invalid choice: 'xx'" in capsys.readouterr().err


def test_the_png_chart_in_russian() -> None:
    data, groups, rows, flows = example_market_inputs()
    result = run(data, groups, apply_options(rows, {"Language": "ru"}), flows)
    fig = convergence_figure(result.distances, title="t", region_column="Border region", lang="ru")
    try:
        ax = fig.axes[0]
        assert ax.get_xlabel() == "Год"
        assert CYRILLIC.search(ax.get_ylabel())
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "KGZ (Кыргызстан)" in legend
        assert "Border region" in legend
        footnote = " ".join(t.get_text() for t in fig.texts)
        assert "Методика: z-оценки по годам" in footnote
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


# ------------------------------------------------------------------ Preset
def wdi_inputs() -> tuple[list[list[object]], list[list[object]], list[list[object]]]:
    """The example with its columns named by the WDI codes of the macro preset."""
    data, groups, rows, _ = example_market_inputs()
    names = {"gdp_pc_ppp": "NY.GDP.PCAP.PP.CD", "gdp_growth": "NY.GDP.MKTP.KD.ZG"}
    data = [[names.get(str(c), c) for c in data[0]], *data[1:]]
    return data, groups, apply_options(rows, {"Sigma indicator": "NY.GDP.PCAP.PP.CD"})


def test_a_preset_sets_the_indicators_and_the_formulas_name_them() -> None:
    data, groups, rows = wdi_inputs()
    by_preset = run(data, groups, apply_options(rows, {"Indicators": "", "Preset": "Macro"}))
    codes = "NY.GDP.PCAP.PP.CD, NY.GDP.MKTP.KD.ZG"
    by_hand = run(data, groups, apply_options(rows, {"Indicators": codes, "Preset": ""}))
    assert by_preset.settings.preset == "macro"
    assert by_preset.distances.equals(by_hand.distances)  # same numbers, same labels
    assert by_preset.live
    assert by_preset.formula_indicators == codes.replace(" ", "")
    refs = layout.Refs.standard(data, groups)
    sheet = layout.results_sheet(by_preset, refs)
    formulas = [c.formula for c in sheet.cells if c.formula and "SIEI_PAIR(" in c.formula]
    assert formulas
    assert all(f'"{by_preset.formula_indicators}"' in f for f in formulas)


def test_indicators_win_over_a_preset() -> None:
    data, groups, rows = wdi_inputs()
    result = run(
        data, groups, apply_options(rows, {"Indicators": "NY.GDP.MKTP.KD.ZG", "Preset": "macro"})
    )
    assert result.indicators == ("NY.GDP.MKTP.KD.ZG",)
    assert result.formula_indicators == ""


def test_a_preset_with_a_fallback_writes_values_and_says_why() -> None:
    """monetary: CPI inflation, the GDP deflator where CPI is missing (filled in by
    presets.resolve); formulas over Data cannot repeat that, so the cells hold values."""
    data, groups, rows = wdi_inputs()
    header = [*data[0], "FP.CPI.TOTL.ZG", "NY.GDP.DEFL.KD.ZG"]
    body = [
        [*r, None if r[0] == "TKM" else 5.0 + r[1] % 7, 4.0 + r[1] % 5]  # type: ignore[operator]
        for r in data[1:]
    ]
    result = run(
        [header, *body], groups, apply_options(rows, {"Indicators": "", "Preset": "monetary"})
    )
    assert result.indicators == ("inflation",)
    assert not result.live
    assert any("GDP deflator" in n or "NY.GDP.DEFL.KD.ZG stands in" in n for n in result.notes)
    assert any("cannot repeat" in n for n in result.notes)
    sheet = layout.results_sheet(result, layout.Refs.standard([header, *body], groups))
    numbers = [c for c in sheet.cells if c.style == "number" and c.row < 40 and c.col >= 1]
    assert numbers
    assert not [c for c in numbers if c.formula and "SIEI_" in c.formula]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("macr", r"Preset must be one of macro, monetary, fiscal, financial, got 'macr'"),
        ("trade", r"trade is a market index: use Base indicator"),
    ],
)
def test_a_bad_preset_is_one_clear_line(value: str, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        read_settings(layout.settings_rows({"Preset": value}))


def test_a_preset_whose_series_are_absent_says_so() -> None:
    data, groups, rows, _ = example_market_inputs()  # columns gdp_pc_ppp, ..., not WDI codes
    with pytest.raises(
        DataError, match=r"Preset macro needs NY.GDP.PCAP.PP.CD.*; none is a column"
    ):
        run(data, groups, apply_options(rows, {"Indicators": "", "Preset": "macro"}))


# ------------------------------------------------------------------ notes
def test_the_known_note_forms_in_russian() -> None:
    cases = {
        "Border region CV 1996: the group mean of gdp_growth in 1996 is 0.5, too close to zero "
        "for its sd 5.592 (|CV| = 11.2, limit 10): the coefficient of variation is meaningless "
        "here; leave this indicator out or use a level rather than a rate": (
            "Border region, коэф. вариации 1996: среднее по группе для gdp_growth за 1996 равно "
            "0.5 — слишком близко к нулю при ст. откл. 5.592 (|коэф. вариации| = 11.2, предел "
            "10): коэффициент вариации здесь не имеет смысла; исключите этот индикатор или "
            "возьмите уровень вместо темпа"
        ),
        # the notes of a span, condensed: one line per series and sentence
        "KAZ-EAEU: group 'EAEU' has no members in 1990-2014": (
            "KAZ-EAEU: в группе 'EAEU' нет членов за 1990-2014"
        ),
        "EAEU CV: group 'EAEU' has no members in 1990-2014": (
            "EAEU, коэф. вариации: в группе 'EAEU' нет членов за 1990-2014"
        ),
        "KAZ-RUS: KAZ has no value for gdp in 1990, 2024-2025": (
            "KAZ-RUS: KAZ: нет значения gdp за 1990, 2024-2025"
        ),
        "neither BLR nor KAZ reported a flow between them in 2021": (
            "ни BLR, ни KAZ не сообщили о потоке между ними за 2021"
        ),
        "market within EAEU: group 'EAEU' (Eurasian Economic Union) from the built-in catalogue": (
            "рыночная интеграция внутри EAEU: группа 'EAEU' (Eurasian Economic Union) из "
            "встроенного каталога"
        ),
        "flows in US$ million; base NY.GDP.MKTP.CD in US$ times 1e-06": (
            "потоки: US$ million; база NY.GDP.MKTP.CD: US$, множитель 1e-06"
        ),
    }
    for english, russian in cases.items():
        assert translate_note(english, "ru") == russian
        assert translate_note(english, "en") == english


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="shared real data (../shared/data) absent")
def test_no_english_note_reaches_a_russian_report_on_real_data() -> None:
    from siei_xl.panel import read_panel
    from siei_xl.report.compute import compute_report
    from siei_xl.report.run import read_flows
    from siei_xl.report.text import Text

    panel = read_panel(SHARED_DATA / "macro_long.csv")
    flows = {"trade": read_flows(SHARED_DATA / "trade_dots_core_bilateral.csv")}
    seen = 0
    for group, years in (("EAEU", range(2010, 2025)), ("CA5", range(1992, 2025))):
        english = compute_report(panel, group, list(years), flows=flows)
        data = Text("ru").localise(english)
        notes = [*data.classic_notes, *data.consolidated_notes]
        for block in data.blocks.values():
            notes += block.notes
            for table in (block.pairs, block.with_group, block.within):
                notes += [n for n in table["note"] if isinstance(n, str) and n]
        for tables in data.consolidated.values():  # the method columns of the indices
            for table in tables.values():
                notes += [*table["scaling"], *table["directions"]]
        seen += len(notes)
        left = [n for n in notes if ENGLISH_WORDS.search(n)]
        assert not left, left[:3]
        # the pandas API's own notes stay English
        block = next(iter(english.blocks.values()))
        assert [translate_note(n, "en") for n in block.notes] == block.notes
    assert seen > 20  # the data do have notes (missing values, fallbacks, mirror flows)


def test_the_example_notes_in_russian_have_no_english_sentence() -> None:
    data, groups, rows, flows = example_market_inputs()
    result = run(data, groups, rows, flows)
    assert result.notes
    for note in result.notes:
        russian = translate_note(note, "ru").replace("Border region", "")
        assert not ENGLISH_WORDS.search(russian), note


def test_every_preset_note_has_a_russian_one() -> None:
    from siei_xl.presets import presets
    from siei_xl.report.text import Text

    for preset in presets().values():
        assert preset.note, preset.name
        assert CYRILLIC.search(preset.note_ru), preset.name
        assert Text("ru").preset_note(preset) == preset.note_ru
        assert Text("en").preset_note(preset) == preset.note


def test_the_ribbon_in_a_russian_workbook() -> None:
    """Load example keeps the workbook's language; Compute writes Russian Results from a
    Settings sheet labelled in Russian; Clear puts back the Russian instructions."""
    from fake_book import FakeBook

    from siei_xl.excel import macros
    from siei_xl.excel.template import template_content

    book = FakeBook()
    book.lay_out(sheet_layouts(template_content("ru")))
    macros.load_example(book)
    assert book.sheets[layout.SETTINGS_SHEET].range("A3").value == "Страна фокуса"
    assert book.sheets[layout.DATA].range("A1").value == layout.instruction(layout.DATA, "ru")
    macros.compute(book)
    assert str(book.sheets[layout.RESULTS].range("A1").value).startswith("Конвергенция")
    assert str(book.app.alerts[-1]["prompt"]).startswith("Результаты записаны: стран: 8")
    macros.clear(book)
    assert book.sheets[layout.RESULTS].range("A1").value == layout.instruction(layout.RESULTS, "ru")


def test_fill_with_a_preset_from_the_command_line(tmp_path: Path, capsys) -> None:
    """--preset chooses the indicators of a data table; the formulas name its series."""
    data, _, _ = wdi_inputs()
    source = tmp_path / "wdi.csv"
    source.write_text(
        "\n".join(",".join("" if v is None else str(v) for v in r) for r in data), "utf-8"
    )
    out = tmp_path / "out.xlsm"
    argv = ["fill", str(source), "-o", str(out), "--focus", "KAZ", "--partners", "RUS,CHN"]
    assert main([*argv, "--preset", "macro", "--quiet"]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    try:
        formula = next(book[layout.RESULTS].iter_rows(min_row=6, max_row=6, values_only=True))[1]
    finally:
        book.close()
    assert '"NY.GDP.PCAP.PP.CD,NY.GDP.MKTP.KD.ZG"' in str(formula)
    assert main([*argv, "--preset", "nope", "--force"]) == 2
    assert "Preset must be one of macro" in capsys.readouterr().err
