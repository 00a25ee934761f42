"""The ribbon's Python entry points, run against an in-memory workbook (tests/fake_book.py).

What a user relies on: Compute writes live formulas that point at wherever their tables
really are, and whose values are the pandas API's; nothing but Results and Chart is ever
written by Compute, Validate, Draw chart or Clear; Load example never loses a row.
"""

from __future__ import annotations

import copy
import math
import re

import pytest
from fake_book import FakeBook

import siei_xl as siei
from siei_xl.example import EXAMPLE_NOTE
from siei_xl.excel import layout, macros
from siei_xl.excel.fill import example_inputs, example_market_inputs
from siei_xl.excel.template import WorkbookContent, sheet_layouts, template_content

PARTNERS = ["RUS", "CHN", "KGZ", "UZB", "TKM"]
INPUTS = ("Data", "Groups", "Settings")


def book_from(content: WorkbookContent, answers: tuple[str, ...] = ()) -> FakeBook:
    """A workbook laid out as the template lays it out (same sheets, same cells)."""
    book = FakeBook(answers=answers)
    book.lay_out(sheet_layouts(content))
    return book


@pytest.fixture
def filled() -> FakeBook:
    """The template with the example typed into Data, Groups and Settings."""
    data, groups, settings = example_inputs()
    return book_from(WorkbookContent(data, groups, settings))


@pytest.fixture
def empty() -> FakeBook:
    return book_from(template_content())


def expected_table(**kwargs: object) -> object:
    return siei.convergence_table(
        siei.example_panel(),
        "KAZ",
        PARTNERS,
        region="Border region",
        region_label="Border region",
        groups=siei.example_groups(),
        **kwargs,  # type: ignore[arg-type]
    )


def results_block(book: FakeBook) -> tuple[list[object], dict[int, list[object]]]:
    """Header row and year rows of the Results table, values evaluated by the fake book."""
    sheet = book.sheets["Results"]
    last = sheet.used_range.last_cell
    rows = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
    top = next(i for i, row in enumerate(rows) if row[0] == "Year")
    body = {}
    for row in rows[top + 1 :]:
        if not isinstance(row[0], float):
            break
        body[int(row[0])] = row
    return rows[top], body


def assert_results_equal_api(book: FakeBook, table: object) -> None:
    header, body = results_block(book)
    columns = list(table.columns)  # type: ignore[attr-defined]
    assert header[1 : len(columns) + 1] == columns
    assert sorted(body) == list(table.index)  # type: ignore[attr-defined]
    for year, row in body.items():
        for j, name in enumerate(columns, start=1):
            expected = float(table.loc[year, name])  # type: ignore[attr-defined]
            if math.isnan(expected):
                assert isinstance(row[j], str), (year, name, row[j])
                assert row[j].startswith("#"), (year, name, row[j])
            else:
                assert row[j] == pytest.approx(expected, rel=1e-12), (year, name)


# ------------------------------------------------------------------- compute
def test_compute_writes_live_formulas_equal_to_the_api(filled: FakeBook) -> None:
    inputs = filled.snapshot(*INPUTS)
    macros.compute(filled)
    assert len(filled.app.alerts) == 1
    assert filled.app.alerts[0]["prompt"].startswith("Results written: 8 countries, 30 years")
    assert_results_equal_api(filled, expected_table())
    results = filled.sheets["Results"]
    b6 = results.range("B6")
    assert b6.formula.startswith("=SIEI_PAIR(Data!$A$2:$D$242,Settings!$B$3,B$5,$A6,")
    assert b6.number_format == "0.000"
    assert results.range("A5").font.bold
    cv_header = results.range("J5").value
    assert cv_header == "CV within Border region"
    assert results.range("J6").value == pytest.approx(
        siei.group_cv(siei.example_panel(), PARTNERS, 1995), rel=1e-12
    )
    assert filled.snapshot(*INPUTS) == inputs


def test_summary_rows_are_mean_and_change(filled: FakeBook) -> None:
    macros.compute(filled)
    results = filled.sheets["Results"]
    table = expected_table()
    assert results.range("A36").value == "Mean"
    assert results.range("B36").formula == "=AGGREGATE(1,6,B6:B35)"
    for j, name in enumerate(table.columns, start=2):
        column = table[name]
        assert results.range((36, j)).value == pytest.approx(column.mean(), rel=1e-12)
        change = column.iloc[-1] - column.iloc[0]
        assert results.range((37, j)).value == pytest.approx(change, rel=1e-9, abs=1e-12)


def test_formulas_follow_the_users_own_layout() -> None:
    """Header in row 1 (no instruction line), settings moved: references follow them."""
    data, groups, settings = example_inputs()
    book = book_from(template_content())
    for name in INPUTS:
        book.sheets[name].clear()
    book.sheets["Data"].write_rows(data)  # header in row 1
    book.sheets["Groups"].write_rows([["Named groups"], [None], *groups])  # header in row 3
    moved = [["My settings"], ["Setting", "Value"], *reversed(settings)]
    moved.insert(5, [None, None])
    book.sheets["Settings"].write_rows(moved)
    rows = {name: macros.read_sheet(book.sheets[name]) for name in INPUTS}
    refs = macros.refs_of(rows["Data"], rows["Groups"], rows["Settings"])
    assert refs.data == "Data!$A$1:$D$241"
    assert refs.groups == "Groups!$A$3:$D$18"
    row_of = {r[0]: i + 1 for i, r in enumerate(moved) if r[0]}
    for key, cell in refs.settings.items():
        assert cell == f"Settings!$B${row_of[key]}", key
    macros.compute(book)
    assert book.app.alerts[-1]["prompt"].startswith("Results written")
    results = book.sheets["Results"]
    pair = results.range("B6").formula
    assert pair.startswith(f"=SIEI_PAIR({refs.data},{refs.settings['Focus country']},B$5,$A6,")
    group = results.range("G6").formula
    assert f"SIEI_GROUP_MEMBERS({refs.groups},{refs.settings['Region']},$A6)" in group
    every = " ".join(
        str(c.formula) for c in results.cells.values() if c.formula and "SIEI_" in c.formula
    )
    assert "$B$3" not in every.replace(refs.settings["Focus country"], "")  # no template refs
    assert_results_equal_api(book, expected_table())


def test_compute_with_first_and_last_year(filled: FakeBook) -> None:
    settings = filled.sheets["Settings"]
    settings.range(layout.setting_ref("First year").split("!")[1]).value = 2000
    settings.range(layout.setting_ref("Last year").split("!")[1]).value = "2010"
    macros.compute(filled)
    assert_results_equal_api(filled, expected_table(years=list(range(2000, 2011))))


def test_compute_with_a_bad_setting_alerts_and_writes_nothing(filled: FakeBook) -> None:
    macros.compute(filled)
    before = filled.snapshot()
    charts = len(filled.sheets["Chart"].charts)
    filled.sheets["Settings"].range(layout.setting_ref("ddof").split("!")[1]).value = "two"
    changed = filled.snapshot()
    macros.compute(filled)
    assert filled.snapshot() == changed
    assert changed["Results"] == before["Results"]
    assert len(filled.sheets["Chart"].charts) == charts
    alert = filled.app.alerts[-1]
    assert alert["prompt"] == "Compute stopped: Settings: ddof must be a number, got 'two'"
    assert alert["buttons"] == "ok"


@pytest.fixture
def russian() -> FakeBook:
    """The example with the Settings Language ru."""
    data, groups, settings = example_inputs()
    settings = [[k, "ru" if k == "Language" else v] for k, v in settings]
    if not any(k == "Language" for k, _ in settings):
        settings.append(["Language", "ru"])
    return book_from(WorkbookContent(data, groups, settings))


def test_the_buttons_speak_the_workbooks_language(russian: FakeBook) -> None:
    """With Language ru the message boxes are Russian: Compute's result and its refusal,
    Validate's list (known sentences translated), Load example's question and note."""
    macros.compute(russian)
    assert russian.app.alerts[-1]["prompt"].startswith("Результаты записаны: ")
    macros.validate(russian)
    assert russian.app.alerts[-1]["prompt"] == (
        "В Data, Groups, Experts и Settings проблем не найдено."
    )
    data = russian.sheets["Data"]
    kaz_1997 = next(
        r for r in range(1, 300) if [data.range((r, 1)).value, data.range((r, 2)).value]
        == ["KAZ", 1997.0]
    )  # fmt: skip
    data.range((kaz_1997, 3)).value = None
    macros.validate(russian)
    listed = russian.app.alerts[-1]["prompt"]
    assert listed.startswith("Найдено проблем: 1."), listed
    assert "KAZ: нет значений за 1997 — эти годы будут n/a" in listed, listed
    russian.sheets["Settings"].range(layout.setting_ref("ddof").split("!")[1]).value = "two"
    macros.compute(russian)
    assert russian.app.alerts[-1]["prompt"].startswith("Compute: остановлено — Settings: ddof")
    russian.app.answers = ["cancel"]
    macros.load_example(russian)
    assert russian.app.alerts[-1]["prompt"].startswith("В Data, Groups, Flows, Experts или")
    assert russian.app.alerts[-1]["buttons"] == "ok_cancel"


def test_compute_on_the_empty_template_says_why(empty: FakeBook) -> None:
    before = empty.snapshot()
    macros.compute(empty)
    assert empty.snapshot() == before
    assert len(empty.app.alerts) == 1
    assert "Data sheet is empty" in empty.app.alerts[0]["prompt"]


def test_compute_twice_gives_the_same_sheet_and_one_chart(filled: FakeBook) -> None:
    macros.compute(filled)
    first = filled.snapshot("Results", "Chart")
    macros.compute(filled)
    assert filled.snapshot("Results", "Chart") == first
    charts = list(filled.sheets["Chart"].charts)
    assert len(charts) == 1
    assert charts[0].chart_type == "line"
    assert charts[0].source is not None
    assert charts[0].source.sheet.name == "Results"
    assert charts[0].source.address == "$B$5:$G$35"


# --------------------------------------------------------- nothing else changes
def test_inputs_are_never_written(filled: FakeBook) -> None:
    inputs = filled.snapshot(*INPUTS, "Help", "xlwings.conf")
    kept = copy.deepcopy(inputs)
    for action in (macros.compute, macros.draw_chart, macros.validate, macros.clear):
        action(filled)
        assert filled.snapshot(*INPUTS, "Help", "xlwings.conf") == kept, action.__name__
    assert [s.name for s in filled.sheets] == list(layout.SHEETS)


def test_validate_alerts_once_with_every_problem_and_changes_nothing(filled: FakeBook) -> None:
    macros.compute(filled)
    data = filled.sheets["Data"]
    assert data.range("A215").value == data.range("A220").value == "MNG"  # named nowhere
    data.range("C215").value = "12,5"
    data.range("A220").value = None
    filled.sheets["Settings"].range("B4").value = "RUS, CHNA"
    before = filled.snapshot()
    charts = len(filled.sheets["Chart"].charts)
    alerts = len(filled.app.alerts)
    macros.validate(filled)
    assert filled.snapshot() == before
    assert len(filled.sheets["Chart"].charts) == charts
    assert len(filled.app.alerts) == alerts + 1
    alert = filled.app.alerts[-1]
    assert alert["title"] == "SIEI: Validate data"
    prompt = str(alert["prompt"])
    assert prompt.startswith("3 problem(s):")
    assert re.search(r"^- row 215, column 'gdp_pc_ppp'", prompt, re.M)
    assert re.search(r"^- row 220: the 'country' cell is blank", prompt, re.M)
    assert re.search(r"^- Settings Partners: country 'CHNA'", prompt, re.M)


def test_validate_lists_at_most_fifteen(filled: FakeBook) -> None:
    data = filled.sheets["Data"]
    for row in range(213, 233):  # MNG, named by no setting: no gap is reported
        data.range((row, 4)).value = "bad"
    macros.validate(filled)
    prompt = str(filled.app.alerts[-1]["prompt"])
    assert prompt.startswith("20 problem(s):")
    assert len(prompt) <= macros.ALERT_MAX  # nothing is cut off by the message box limit
    shown = [line for line in prompt.split("\n") if line.startswith("- row ")]
    assert 5 <= len(shown) <= 15
    assert all(line.endswith("for missing") for line in shown)  # whole messages only
    assert prompt.endswith(f"\n... and {20 - len(shown)} more.")


def test_validate_clean_workbook(filled: FakeBook) -> None:
    macros.validate(filled)
    assert (
        filled.app.alerts[-1]["prompt"]
        == "No problems found in Data, Groups, Experts and Settings."
    )


def test_clear_empties_results_and_chart_only(filled: FakeBook) -> None:
    macros.compute(filled)
    others = filled.snapshot(*INPUTS, "Help", "xlwings.conf")
    macros.clear(filled)
    for name in ("Results", "Chart"):
        sheet = filled.sheets[name]
        assert sheet.rows() == [[layout.INSTRUCTIONS[name]]], name
        assert len(sheet.charts) == 0, name
    assert filled.snapshot(*INPUTS, "Help", "xlwings.conf") == others
    macros.clear(filled)  # clearing twice is harmless
    assert filled.sheets["Results"].rows() == [[layout.INSTRUCTIONS["Results"]]]


def test_draw_chart_replaces_the_chart(filled: FakeBook) -> None:
    macros.compute(filled)
    results = filled.snapshot("Results")
    macros.draw_chart(filled)
    macros.draw_chart(filled)
    assert len(filled.sheets["Chart"].charts) == 1
    assert filled.snapshot("Results") == results


def test_compute_and_draw_chart_remove_the_chart_data_fill_stored() -> None:
    """`siei-xl fill` stores the Results values below the chart; once the chart reads the
    live Results cells those values would go stale, so Compute and Draw chart remove them."""
    data, groups, settings = example_inputs()
    result = siei.job.run(data, groups, settings)
    for action in (macros.compute, macros.draw_chart):
        book = book_from(WorkbookContent(data, groups, settings, result=result))
        chart = book.sheets["Chart"]
        assert str(chart.range((layout.CHART_DATA_ROW + 1, 1)).value).startswith("Chart data")
        action(book)
        assert chart.rows() == [[layout.INSTRUCTIONS["Chart"]]]
        assert len(chart.charts) == 1


# ----------------------------------------------------- membership-change markers
JOINING = ["Border region", "TJK", 2010, None, "joins in 2010"]


@pytest.fixture
def joining() -> FakeBook:
    """The example with Tajikistan joining the border region in 2010."""
    data, groups, settings = example_inputs()
    return book_from(WorkbookContent(data, [*groups, JOINING], settings))


def test_compute_puts_live_markers_of_a_change_of_members_under_the_chart(
    joining: FakeBook,
) -> None:
    """Excel's chart reads the live Results cells; the markers of the region's change of
    members are one live column under it: the region's own cell in 2010, nothing else."""
    macros.compute(joining)
    chart = joining.sheets["Chart"]
    top = layout.CHART_DATA_ROW + 1  # 1-based row of the note
    assert str(chart.range((top, 1)).value).startswith("Chart data: the years the region")
    assert chart.range((top + 1, 2)).value == "Border region membership changed: 2010 (+TJK)"
    header, years = results_block(joining)
    region = header.index("Border region")
    rows = {int(chart.range((top + 2 + i, 1)).value): top + 2 + i for i in range(len(years))}
    assert sorted(rows) == sorted(years)
    for year, row in rows.items():
        cell = chart.range((row, 2))
        if year == 2010:
            assert cell.formula == "=IF(ISNUMBER(Results!$G$21),Results!$G$21,NA())"
            assert cell.value == pytest.approx(years[2010][region], rel=1e-12)
        else:
            assert cell.value is None
            assert cell.formula in (None, "")
    group_rows = [*example_inputs()[1], JOINING]
    groups = siei.Groups.from_rows(group_rows[0], group_rows[1:])
    want = siei.convergence_table(
        siei.example_panel(),
        "KAZ",
        PARTNERS,
        region="Border region",
        region_label="Border region",
        groups=groups,
    )
    assert years[2010][region] == pytest.approx(want.loc[2010, "Border region"], rel=1e-12)
    # Tajikistan's joining moved the region's point: the marker sits on the new one
    assert years[2010][region] != pytest.approx(expected_table().loc[2010, "Border region"])


def test_compute_without_a_change_of_members_puts_no_markers(filled: FakeBook) -> None:
    macros.compute(filled)
    assert filled.sheets["Chart"].rows() == [[layout.INSTRUCTIONS["Chart"]]]


class _Com:
    """A stand-in for Excel's chart objects that records what the macros set and call."""

    def __init__(self, log: list[tuple[str, object]], path: str) -> None:
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str) -> _Com:
        return _Com(self._log, f"{self._path}.{name}")

    def __setattr__(self, name: str, value: object) -> None:
        self._log.append((f"{self._path}.{name}", value))

    def __call__(self, *args: object) -> _Com:
        return _Com(self._log, f"{self._path}({', '.join(map(str, args))})")


class _ComRange:
    def __init__(self, name: str) -> None:
        self.api = name


def test_excel_styles_the_region_and_draws_the_markers_through_its_chart_objects() -> None:
    """What Windows Excel is told (its object model cannot run here): the region's line
    black, thick and dashed; a new series of diamonds only, on the live marker cells."""
    data, groups, settings = example_inputs()
    result = siei.job.run(data, [*groups, JOINING], settings)
    spec = layout.results_sheet(
        result, macros.refs_of(data, [*groups, JOINING], settings, [], None)
    )
    spec = spec.chart_source
    assert spec is not None
    assert spec.marks is not None
    log: list[tuple[str, object]] = []

    class Chart:
        api = (None, _Com(log, "chart"))

    macros._style_chart(Chart(), spec, _ComRange("years"), _ComRange("marks"))
    set_to = dict(log)
    region = "chart.SeriesCollection(6)"
    assert set_to[f"{region}.Format.Line.DashStyle"] == macros.MSO_LINE_DASH == 4
    assert set_to[f"{region}.Format.Line.ForeColor.RGB"] == 0
    assert "chart.SeriesCollection(1).Format.Line.DashStyle" not in set_to
    new = "chart.SeriesCollection().NewSeries()"
    assert set_to[f"{new}.Name"] == "Border region membership changed: 2010 (+TJK)"
    assert set_to[f"{new}.Values"] == "marks"
    assert set_to[f"{new}.XValues"] == "years"
    assert set_to[f"{new}.ChartType"] == macros.XL_LINE_MARKERS == 65
    assert set_to[f"{new}.Format.Line.Visible"] == 0
    assert set_to[f"{new}.MarkerStyle"] == macros.XL_MARKER_DIAMOND == 2
    assert set_to["chart.ChartTitle.Text"] == spec.title


# --------------------------------------------------------------- load example
def example_rows() -> dict[str, list[list[object]]]:
    """What Load example writes: the example with its GDP base and trade flows."""
    from siei_xl.example import example_experts

    data, groups, settings, flows = example_market_inputs()
    experts = example_experts()
    return {
        "Data": data,
        "Groups": groups,
        "Flows": flows,
        "Settings": settings,
        "Experts": experts,
    }


def table_of(book: FakeBook, name: str) -> list[list[object]]:
    """A sheet's rows below the instruction line, blanks trimmed, numbers as floats."""
    rows = [row for row in book.sheets[name].rows()[1:] if any(v is not None for v in row)]
    if name == "Settings":
        return [row[:2] for row in rows[1:]]
    width = max(len(r) for r in rows)
    return [[*row, *[None] * (width - len(row))] for row in rows]


def as_floats(rows: list[list[object]]) -> list[list[object]]:
    out = []
    for row in rows:
        cells = []
        for v in row:
            if isinstance(v, int | float) and not isinstance(v, bool):
                cells.append(float(v))
            elif isinstance(v, str) and re.fullmatch(r"\d+", v):
                cells.append(float(v))  # "1" typed into Excel is a number
            elif v == "":
                cells.append(None)
            else:
                cells.append(v)
        out.append(cells)
    return out


def test_load_example_into_an_empty_workbook(empty: FakeBook) -> None:
    macros.load_example(empty)
    assert len(empty.app.alerts) == 1  # no question: nothing to lose
    assert empty.app.alerts[0]["buttons"] == "ok"
    assert EXAMPLE_NOTE in str(empty.app.alerts[0]["prompt"])
    for name, rows in example_rows().items():
        assert table_of(empty, name) == as_floats(rows), name
        assert empty.sheets[name].range("A1").value == layout.INSTRUCTIONS[name]
    assert [s.name for s in empty.sheets] == list(layout.SHEETS)
    macros.compute(empty)
    assert_results_equal_api(empty, expected_table())


def test_load_example_cancelled_changes_nothing() -> None:
    data, groups, settings = example_inputs()
    mine = [row[:] for row in data[:40]]
    book = book_from(WorkbookContent(mine, groups, settings), answers=("cancel",))
    before = book.snapshot()
    macros.load_example(book)
    assert book.snapshot() == before
    assert [s.name for s in book.sheets] == list(layout.SHEETS)
    assert len(book.app.alerts) == 1
    assert book.app.alerts[0]["buttons"] == "ok_cancel"


def test_load_example_backs_up_the_users_rows_first() -> None:
    data, groups, settings = example_inputs()
    mine = [data[0], ["AAA", 2000, 1.5, 2.5], ["BBB", 2000, 3.0, None]]
    my_settings = [[k, "AAA" if k == "Focus country" else v] for k, v in settings]
    book = book_from(WorkbookContent(mine, groups[:3], my_settings), answers=("ok", "ok", "ok"))
    originals = {name: book.sheets[name].rows() for name in INPUTS}
    macros.load_example(book)
    names = [s.name for s in book.sheets]
    assert names == [
        *layout.SHEETS,
        "Data (backup 1)",
        "Groups (backup 1)",
        "Settings (backup 1)",
        "Flows (backup 1)",
        "Experts (backup 1)",
    ]
    for name in INPUTS:
        assert book.sheets[f"{name} (backup 1)"].rows() == originals[name], name
    for name, rows in example_rows().items():
        assert table_of(book, name) == as_floats(rows), name
    # the second time, the example itself is backed up, under the next number
    macros.load_example(book)
    assert [s.name for s in book.sheets][-5:] == [
        "Data (backup 2)",
        "Groups (backup 2)",
        "Settings (backup 2)",
        "Flows (backup 2)",
        "Experts (backup 2)",
    ]
    assert book.sheets["Data (backup 1)"].rows() == originals["Data"]
    asked = [a for a in book.app.alerts if a["buttons"] == "ok_cancel"]
    assert len(asked) == 2


def test_load_example_without_the_sheets_alerts_instead_of_failing() -> None:
    book = FakeBook({"Sheet1": [["anything"]]})
    macros.load_example(book)
    assert len(book.app.alerts) == 1
    assert "no sheet named 'Data'" in str(book.app.alerts[0]["prompt"])
    assert [s.name for s in book.sheets] == ["Sheet1"]


def test_load_example_asks_when_only_groups_or_settings_were_edited() -> None:
    """Not only Data: a user's groups or settings are input too, and are backed up."""
    content = template_content()
    content.groups = [["group", "country", "from", "to"], ["Mine", "KAZ", None, None]]
    book = book_from(content, answers=("cancel",))
    before = book.snapshot()
    macros.load_example(book)
    assert book.app.alerts[0]["buttons"] == "ok_cancel"
    assert book.snapshot() == before


def test_compute_writes_the_market_and_sigma_tables() -> None:
    data, groups, settings, flows = example_market_inputs()
    content = WorkbookContent(data, groups, settings, flows=flows)
    book = book_from(content)
    macros.compute(book)
    results = book.sheets["Results"]
    rows = results.rows()
    titles = [r[0] for r in rows if isinstance(r[0], str)]
    assert any(t.startswith("Market integration of KAZ") for t in titles)
    header = next(i for i, r in enumerate(rows, start=1) if r[:2] == ["Year", "RUS"] and i > 40)
    first_year = results.range((header + 1, 2)).value
    from siei_xl.market import Flows, flow_pair

    panel = siei.Panel.from_rows(data[0], data[1:])
    expected = flow_pair(
        Flows.from_rows(flows[0], flows[1:]), panel, "gdp_usd_m", "KAZ", "RUS", 1995
    )
    assert first_year == pytest.approx(expected.score, rel=1e-12)
