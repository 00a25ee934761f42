"""The institutional block of the SIEI: an expert poll scoring integration groupings.

Layout (a CSV/XLSX file or an ``Experts`` sheet): one row per expert, grouping,
criterion and year, with the score on a stated scale (default 1 to 10)::

    expert, grouping, criterion, year, score
    E1,     EAEU,     trade regime, 2020, 8

Per grouping, criterion and year the scores are summarised (mean, median, sd, min, max,
number of experts); agreement among the experts is Kendall's W of each criterion and year,
the groupings being the objects the experts order, with its chi-square test. A blank
score means the expert gave none (never zero); a score outside the scale, text, or two
rows for the same expert, grouping, criterion and year are errors naming the rows.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from siei_xl.core.agreement import kendall_w
from siei_xl.exceptions import (
    DataError,
    DuplicateRowError,
    MissingValueError,
    NonNumericError,
    NotFoundError,
    OptionError,
)
from siei_xl.labels import (
    YEAR_HEADERS,
    column_index,
    is_missing,
    label_key,
    label_text,
    parse_number,
    parse_year,
)
from siei_xl.panel import header_row

__all__ = [
    "SCALE",
    "STATISTICS",
    "ExpertScores",
    "agreement",
    "expert_summary",
    "expert_value",
    "institutional_index",
    "parse_scale",
    "read_experts",
]

SCALE = (1.0, 10.0)
"""Default scale of the scores: 1 (no integration) to 10 (full integration)."""

EXPERT_HEADERS = ("expert", "respondent", "rater", "эксперт")
GROUPING_HEADERS = ("grouping", "group", "integration grouping", "группировка", "объединение")
CRITERION_HEADERS = ("criterion", "criteria", "aspect", "критерий")
SCORE_HEADERS = ("score", "value", "mark", "оценка", "балл")
STATISTICS = ("mean", "median", "sd", "min", "max", "n_experts", "w", "p_value")


def parse_scale(scale: object) -> tuple[float, float]:
    """A scale from ``"1-10"``, ``(1, 10)`` or ``"0..5"``.

    Examples
    --------
    >>> parse_scale("1-10"), parse_scale((0, 5)), parse_scale(" 1 .. 7 ")
    ((1.0, 10.0), (0.0, 5.0), (1.0, 7.0))
    """
    if isinstance(scale, str):
        text = scale.replace("..", "-").replace("–", "-")
        parts = [p.strip() for p in text.split("-")]
        bounds: Sequence[object] = parts if len(parts) == 2 else ()
    elif isinstance(scale, Sequence) and len(scale) == 2:
        bounds = scale
    else:
        bounds = ()
    numbers = [parse_number(b) for b in bounds]
    if len(numbers) != 2 or any(n is None or math.isnan(n) for n in numbers):
        raise OptionError(f"scale must look like 1-10 (lowest-highest), got {scale!r}")
    low, high = float(numbers[0]), float(numbers[1])  # type: ignore[arg-type]
    if not low < high:
        raise OptionError(f"scale must go from low to high, got {scale!r}")
    return low, high


@dataclass(frozen=True)
class ExpertScores:
    """Validated scores: a tidy frame ``expert, grouping, criterion, year, score, row``."""

    frame: pd.DataFrame
    scale: tuple[float, float]

    @classmethod
    def from_rows(
        cls,
        header: Sequence[object],
        rows: Iterable[Sequence[object]],
        *,
        scale: object = SCALE,
        first_row_number: int = 2,
    ) -> ExpertScores:
        """Read and check the poll's rows; ``first_row_number`` is the first data row's number.

        Examples
        --------
        >>> s = ExpertScores.from_rows(["expert", "grouping", "criterion", "year", "score"],
        ...                            [["E1", "EAEU", "trade", 2020, 8]])
        >>> s.frame[["expert", "score", "row"]].values.tolist()
        [['E1', 8.0, 2]]
        >>> ExpertScores.from_rows(["expert", "grouping", "criterion", "year", "score"],
        ...                        [["E1", "EAEU", "trade", 2020, 11]])
        Traceback (most recent call last):
        siei_xl.exceptions.DataError: experts row 2: score 11 is outside the scale 1-10
        """
        low, high = parse_scale(scale)
        columns = [label_key(h) if h is not None else "" for h in header]

        def find(accepted: Sequence[str], what: str) -> int:
            return column_index(columns, accepted, what, "experts")

        cols = [
            find(EXPERT_HEADERS, "expert"),
            find(GROUPING_HEADERS, "grouping"),
            find(CRITERION_HEADERS, "criterion"),
            find(YEAR_HEADERS, "year"),
            find(SCORE_HEADERS, "score"),
        ]
        records: list[tuple[str, str, str, int, float, int]] = []
        first: dict[tuple[str, str, str, int], int] = {}
        spelled: dict[str, str] = {}
        for offset, row in enumerate(rows):
            cells = list(row)
            if all(is_missing(v) for v in cells):
                continue
            row_no = first_row_number + offset
            expert, grouping, criterion, year_cell, score_cell = (
                cells[j] if j < len(cells) else None for j in cols
            )
            for value, what in (
                (expert, "expert"),
                (grouping, "grouping"),
                (criterion, "criterion"),
            ):
                if is_missing(value):
                    raise DataError(f"experts row {row_no}: the {what} cell is blank")
            try:
                year = parse_year(year_cell)
            except OptionError:
                raise DataError(f"experts row {row_no}: {year_cell!r} is not a year") from None
            score = parse_number(score_cell)
            if score is None:
                raise NonNumericError(
                    f"experts row {row_no}: score {score_cell!r} is not a number; use a decimal "
                    "point, and a blank for no score"
                )
            if math.isnan(score):
                continue  # the expert gave no score: not a zero
            if not low <= score <= high:
                raise DataError(
                    f"experts row {row_no}: score {score:g} is outside the scale {low:g}-{high:g}"
                )
            names = []
            for value in (expert, grouping, criterion):
                key = label_key(value)
                names.append(spelled.setdefault(key, label_text(value)))
            key4 = (label_key(expert), label_key(grouping), label_key(criterion), year)
            if key4 in first:
                raise DuplicateRowError(
                    f"experts rows {first[key4]} and {row_no} both hold {names[0]}'s score of "
                    f"{names[1]} on {names[2]} in {year}; keep one"
                )
            first[key4] = row_no
            records.append((names[0], names[1], names[2], year, float(score), row_no))
        if not records:
            raise DataError("the experts table has no scores")
        frame = pd.DataFrame(
            records, columns=["expert", "grouping", "criterion", "year", "score", "row"]
        )
        return cls(frame, (low, high))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, scale: object = SCALE) -> ExpertScores:
        rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        return cls.from_rows([str(c) for c in frame.columns], rows, scale=scale)

    @classmethod
    def from_cells(cls, rows: Sequence[Sequence[object]], *, scale: object = SCALE) -> ExpertScores:
        """From a sheet range whose header may sit below a title line."""
        top = header_row(rows, EXPERT_HEADERS, SCORE_HEADERS)
        return cls.from_rows(rows[top], rows[top + 1 :], scale=scale, first_row_number=top + 2)


def read_experts(path: str | os.PathLike[str], *, scale: object = SCALE) -> ExpertScores:
    """Read a poll from a CSV file or the ``Experts`` sheet (else the first) of a workbook."""
    from siei_xl.panel import read_sheet

    file = Path(path)
    if not file.exists():
        raise DataError(f"experts file {str(file)!r} does not exist")
    if file.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            frame = read_sheet(file, "Experts", header=None)
        except DataError:  # no Experts sheet (or no workbook: the next call says which)
            frame = read_sheet(file, 0, header=None)
        rows = [list(r) for r in frame.astype(object).itertuples(index=False, name=None)]
        return ExpertScores.from_cells(rows, scale=scale)
    frame = pd.read_csv(file, dtype=str, keep_default_na=False, header=None)
    rows = [list(r) for r in frame.itertuples(index=False, name=None)]
    return ExpertScores.from_cells(rows, scale=scale)


def agreement(scores: ExpertScores) -> pd.DataFrame:
    """Kendall's W of each criterion and year: do the experts order the groupings alike?

    Only experts who scored every grouping of that criterion and year enter W (Kendall's
    W needs complete rankings); ``note`` says how many were left out.

    Returns
    -------
    DataFrame
        ``criterion, year, w, chi2, df, p_value, n_experts, n_groupings, note``. ``p_value``
        is the upper tail of chi-square with ``df = n_groupings - 1``: small values reject
        "the experts' orderings are unrelated".

    Examples
    --------
    >>> rows = [[e, g, "trade", 2020, s] for e, ss in (("A", (9, 7, 5)), ("B", (8, 6, 4)))
    ...         for g, s in zip(("EAEU", "CIS", "SCO"), ss)]
    >>> s = ExpertScores.from_rows(["expert", "grouping", "criterion", "year", "score"], rows)
    >>> agreement(s)[["criterion", "w", "df"]].values.tolist()
    [['trade', 1.0, 2]]
    """
    records = []
    for (criterion, year), part in scores.frame.groupby(["criterion", "year"], sort=False):
        table = part.pivot(index="expert", columns="grouping", values="score")
        complete = table.dropna()
        record: dict[str, object] = {
            "criterion": criterion,
            "year": int(year),
            "w": math.nan,
            "chi2": math.nan,
            "df": max(table.shape[1] - 1, 0),
            "p_value": math.nan,
            "n_experts": len(complete),
            "n_groupings": table.shape[1],
            "note": "",
        }
        dropped = len(table) - len(complete)
        notes = (
            [f"{dropped} expert(s) did not score every grouping: left out of W"] if dropped else []
        )
        if len(complete) < 2 or table.shape[1] < 2:
            notes.append("W needs at least 2 experts who scored at least 2 groupings")
        else:
            result = kendall_w(complete.to_numpy())
            if math.isnan(result.w):
                notes.append("every expert gave every grouping the same score: no ordering")
            else:
                record.update(
                    w=result.w,
                    chi2=result.chi2,
                    p_value=float(stats.chi2.sf(result.chi2, result.df)),
                )
        record["note"] = "; ".join(notes)
        records.append(record)
    return pd.DataFrame.from_records(records)


def expert_summary(scores: ExpertScores) -> pd.DataFrame:
    """Scores per grouping, criterion and year, with the agreement of the criterion.

    Returns
    -------
    DataFrame
        ``grouping, criterion, year, n_experts, mean, median, sd, min, max`` (sd with
        ddof=1, NaN for one expert), then Kendall's ``w``, ``chi2``, ``df``, ``p_value``
        of the criterion and year (the same for every grouping), ``scale_min``,
        ``scale_max``. ``attrs["scale"]`` holds the scale.
    """
    grouped = scores.frame.groupby(["grouping", "criterion", "year"], sort=False)["score"]
    table = grouped.agg(
        n_experts="count", mean="mean", median="median", sd="std", min="min", max="max"
    ).reset_index()
    agree = agreement(scores)[["criterion", "year", "w", "chi2", "df", "p_value"]]
    out = table.merge(agree, on=["criterion", "year"], how="left")
    out["n_experts"] = out["n_experts"].astype(int)
    out["scale_min"], out["scale_max"] = scores.scale
    out.attrs["scale"] = scores.scale
    return out


def institutional_index(summary: pd.DataFrame, grouping: str) -> pd.DataFrame:
    """A grouping's score per year: the mean over criteria of the experts' mean scores.

    Returns
    -------
    DataFrame
        ``year, score, n_criteria, n_experts`` (the fewest experts of any criterion);
        higher = more integrated on the poll's scale.
    """
    rows = summary[summary["grouping"].map(label_key) == label_key(grouping)]
    if rows.empty:
        raise NotFoundError(
            f"grouping {grouping!r} has no expert scores; the poll scores "
            f"{', '.join(sorted(set(summary['grouping'])))}"
        )
    out = (
        rows.groupby("year")
        .agg(
            score=("mean", "mean"),
            n_criteria=("criterion", "count"),
            n_experts=("n_experts", "min"),
        )
        .reset_index()
    )
    out.attrs["scale"] = summary.attrs.get("scale", SCALE)
    return out


def expert_value(
    rows: Sequence[Sequence[object]],
    grouping: str,
    criterion: str | None = None,
    year: object = None,
    statistic: str = "mean",
    scale: object = SCALE,
) -> float:
    """One statistic of the poll from a sheet range: what ``SIEI_EXPERT`` returns.

    Parameters
    ----------
    rows : sequence of rows
        The poll with its header (expert, grouping, criterion, year, score).
    grouping : str
    criterion : str, optional
        Default: the mean over criteria (for ``mean`` only).
    year : int, optional
        Default: the latest year of the poll.
    statistic : {"mean", "median", "sd", "min", "max", "n_experts", "w", "p_value"}
    scale : "1-10" or (low, high)

    Examples
    --------
    >>> rows = [["expert", "grouping", "criterion", "year", "score"],
    ...         ["A", "EAEU", "trade", 2020, 8], ["B", "EAEU", "trade", 2020, 6]]
    >>> expert_value(rows, "eaeu", "trade", 2020), expert_value(rows, "EAEU", statistic="n_experts")
    (7.0, 2.0)
    """
    summary = expert_summary(ExpertScores.from_cells(rows, scale=scale))
    return summary_value(summary, grouping, criterion, year, statistic)


def summary_value(
    summary: pd.DataFrame,
    grouping: str,
    criterion: str | None = None,
    year: object = None,
    statistic: str = "mean",
) -> float:
    """One statistic of an :func:`expert_summary`: the look-up behind :func:`expert_value`,
    for callers that keep the summary of a poll (a spreadsheet range read once)."""
    word = str(statistic).strip().lower()
    if word not in STATISTICS:
        raise OptionError(f"statistic must be one of {', '.join(STATISTICS)}, got {statistic!r}")
    when = int(summary["year"].max()) if is_missing(year) else parse_year(year)
    picked = summary[
        (summary["grouping"].map(label_key) == label_key(grouping)) & (summary["year"] == when)
    ]
    if picked.empty:
        raise NotFoundError(f"no scores of grouping {grouping!r} in {when}")
    if criterion is None or is_missing(criterion):
        if word == "mean":
            return float(picked["mean"].mean())
        if word == "n_experts":
            return float(picked["n_experts"].min())
        raise OptionError(f"give a criterion for the statistic {word!r}")
    one = picked[picked["criterion"].map(label_key) == label_key(criterion)]
    if one.empty:
        known = ", ".join(sorted(set(picked["criterion"])))
        raise NotFoundError(
            f"no scores of {grouping!r} on criterion {criterion!r} (known: {known})"
        )
    value = float(one[word].iloc[0])
    if np.isnan(value):
        raise MissingValueError(
            f"{word} of {grouping!r} on {criterion!r} in {when} is not available"
        )
    return value
