"""The built-in catalogue of integration groupings and the one resolver that uses it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import siei_xl as siei
from siei_xl.cli import main
from siei_xl.exceptions import UnknownGroupError
from siei_xl.groups import (
    CATALOGUE_FILE,
    Groups,
    catalogue,
    group_note,
    membership_years,
    resolve_group,
)


def test_eaeu_has_no_members_in_2014_and_five_in_2015() -> None:
    assert resolve_group("EAEU", 2014) == ()
    # KGZ joined on 12 August 2015: any day of a year makes it a member year.
    assert sorted(resolve_group("EAEU", 2015)) == ["ARM", "BLR", "KAZ", "KGZ", "RUS"]


def test_sco_2017_adds_india_and_pakistan_and_later_iran_and_belarus() -> None:
    before, after = set(resolve_group("SCO", 2016)), set(resolve_group("SCO", 2017))
    assert before == {"CHN", "KAZ", "KGZ", "RUS", "TJK", "UZB"}
    assert after - before == {"IND", "PAK"}
    assert set(resolve_group("SCO", 2023)) - after == {"IRN"}
    assert set(resolve_group("SCO", 2024)) - set(resolve_group("SCO", 2023)) == {"BLR"}


@pytest.mark.parametrize(
    ("name", "year", "members"),
    [
        ("CU", 2009, set()),
        ("CU", 2010, {"BLR", "KAZ", "RUS"}),
        ("CU", 2015, set()),  # superseded by the EAEU on 1 January 2015
        ("EurAsEC", 2005, {"BLR", "KAZ", "KGZ", "RUS", "TJK"}),
        ("EurAsEC", 2006, {"BLR", "KAZ", "KGZ", "RUS", "TJK", "UZB"}),
        ("EurAsEC", 2008, {"BLR", "KAZ", "KGZ", "RUS", "TJK", "UZB"}),
        ("EurAsEC", 2009, {"BLR", "KAZ", "KGZ", "RUS", "TJK"}),
        ("EurAsEC", 2014, {"BLR", "KAZ", "KGZ", "RUS", "TJK"}),
        ("EurAsEC", 2015, set()),
        ("UNION_STATE", 1999, set()),
        ("UNION_STATE", 2000, {"BLR", "RUS"}),
        ("CA5", 2020, {"KAZ", "KGZ", "TJK", "TKM", "UZB"}),
    ],
)
def test_membership_by_year(name: str, year: int, members: set[str]) -> None:
    assert set(resolve_group(name, year)) == members


def test_cis_withdrawal_and_statuses_are_stated() -> None:
    assert "GEO" in resolve_group("CIS", 2009)  # left on 18 August 2009
    assert "GEO" not in resolve_group("CIS", 2010)
    assert "UKR" in resolve_group("CIS", 2018)
    assert "UKR" not in resolve_group("CIS", 2019)
    rows = {a.country: a for a in catalogue().rows("CIS")}
    assert rows["TKM"].status == "associate member"
    assert "2005" in rows["TKM"].source
    assert "Charter never ratified" in rows["UKR"].source
    assert rows["GEO"].left == "2009-08-18"


def test_every_row_has_a_source_and_valid_dates() -> None:
    with CATALOGUE_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["group"] for r in rows} == {
        "EAEU", "CU", "EurAsEC", "CIS", "CA5", "SCO", "CAREC", "UNION_STATE"
    }  # fmt: skip
    for row in rows:
        assert row["source"].strip(), row
        start, end = membership_years(row["joined"], row["left"])
        assert start is not None, row
        assert end is None or end >= start, row


def test_year_rule_for_spells_ending_on_new_year() -> None:
    # left is the first day without membership: leaving on 1 January ends the year before
    assert membership_years("2010-01-01", "2015-01-01") == (2010, 2014)
    assert membership_years("2006-01-25", "2008-11-12") == (2006, 2008)
    assert membership_years("2005") == (2005, None)


def test_a_users_group_of_the_same_name_wins_and_says_so() -> None:
    book = Groups({"EAEU": ["KAZ", "RUS"]})
    assert resolve_group("EAEU", 2015, book) == ("KAZ", "RUS")
    assert resolve_group("SCO", 2001, book) == ("CHN", "KAZ", "KGZ", "RUS", "TJK", "UZB")
    assert "your groups" in (group_note("EAEU", book) or "")
    assert "built-in catalogue" in (group_note("SCO", book) or "")
    assert group_note("KAZ,RUS", book) is None
    assert Groups({"EAEU": ["KAZ"]}, builtin=False).origin("SCO") is None


def test_a_one_cell_range_naming_a_group_is_that_group() -> None:
    # Excel and Calc pass a group as a list of cells
    assert len(resolve_group(["EAEU"], 2015)) == 5
    assert resolve_group(["KAZ"], 2015) == ("KAZ",)


def test_unknown_group_names_the_closest() -> None:
    with pytest.raises(UnknownGroupError, match=r"closest: EAEU"):
        Groups({}).members("EAUE", 2015)


def test_series_record_which_group_was_used(example: siei.Panel) -> None:
    frame = siei.group_distance_series(example, "KAZ", "CA5")
    assert "built-in catalogue" in frame.attrs["group_source"]
    members_2015 = frame.loc[frame["year"] == 2015, "members"].item()
    assert set(members_2015.split(",")) == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
    own = siei.group_distance_series(example, "KAZ", "CA5", groups=Groups({"CA5": ["RUS"]}))
    assert "your groups" in own.attrs["group_source"]
    assert set(own["members"]) == {"RUS"}


def test_cli_groups_lists_and_prints_members(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["groups"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in ("EAEU", "CU", "EurAsEC", "CIS", "SCO", "CAREC"))
    assert main(["groups", "EAEU", "--year", "2016"]) == 0
    out = capsys.readouterr().out
    assert "2016: 5 members: BLR, KAZ, RUS, ARM, KGZ" in out
    assert "built-in catalogue" in out
    assert main(["groups", "--year", "2014"]) == 0
    assert "Eurasian Economic Union in 2014: no members" in capsys.readouterr().out
    assert main(["groups", "EAEU", "--year", "2014"]) == 0
    assert "2014: no members" in capsys.readouterr().out


def test_cli_groups_unknown_name_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["groups", "EAUE"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert "closest: EAEU" in lines[0]


def test_cli_groups_with_a_users_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mine = tmp_path / "groups.csv"
    mine.write_text("group,country\nEAEU,KAZ\nEAEU,RUS\n", encoding="utf-8")
    assert main(["groups", "EAEU", "--year", "2016", "--groups", str(mine)]) == 0
    out = capsys.readouterr().out
    assert "from your groups" in out
    assert "2016: 2 members: KAZ, RUS" in out


def test_cli_commands_accept_a_catalogue_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, example: siei.Panel
) -> None:
    data = tmp_path / "data.csv"
    example.to_wide().to_csv(data, index=False)
    assert main(["cv", str(data), "--group", "CA5", "--years", "2015-2015"]) == 0
    out = capsys.readouterr().out
    assert "KAZ" in out
    assert "TKM" in out


def test_spreadsheet_functions_accept_a_catalogue_name(example: siei.Panel) -> None:
    from siei_xl import udfs

    members = udfs.SIEI_GROUP_MEMBERS([["group", "country"]], "EAEU", 2015.0)
    assert members == [["BLR"], ["KAZ"], ["RUS"], ["ARM"], ["KGZ"]]
    rows = [["country", "year", *example.indicators]]
    rows += [list(r) for r in example.to_wide().itertuples(index=False, name=None)]
    got = udfs.SIEI_COUNTRYGROUP(rows, "KAZ", "CA5", 2015.0)
    want = siei.group_distance(example, "KAZ", ["KAZ", "KGZ", "TJK", "TKM", "UZB"], 2015)
    assert got == pytest.approx(want)


def test_the_workbook_job_takes_a_catalogue_region(example: siei.Panel) -> None:
    import copy

    from siei_xl import job
    from siei_xl.excel.fill import example_inputs

    data, groups, settings = example_inputs()
    groups = [r for r in groups if r[0] != "CA5"]  # the example's sheet copies the catalogue's
    settings = copy.deepcopy(settings)
    for row in settings:
        if isinstance(row[0], str) and row[0].strip().lower() == "region":
            row[1] = "CA5"  # not on the Groups sheet now
    result = job.run(data, groups, settings)
    assert (
        "Region CA5: group 'CA5' (Central Asia (five states)) from the built-in"
        in (result.notes[0])
    )
    column = result.distances[result.distances.columns[-1]]
    assert column[2015] == pytest.approx(
        siei.group_distance(example, "KAZ", ["KAZ", "KGZ", "TJK", "TKM", "UZB"], 2015)
    )
