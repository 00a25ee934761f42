"""The report's words in English or Russian: labels, country names, generated sentences."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import pandas as pd

from siei_xl import __version__
from siei_xl.exceptions import OptionError
from siei_xl.i18n import LANGUAGES, country_name, data_labels, translate_note
from siei_xl.presets import Preset, presets
from siei_xl.report.compute import BlockResult, Move, Reason, ReportData

__all__ = ["LANGUAGES", "Text"]


def _labels() -> Mapping[str, Mapping[str, object]]:
    return data_labels("report_labels.toml")


class Text:
    """Labels of one language; ``t("key", **values)`` fills the placeholders."""

    def __init__(self, lang: str = "en") -> None:
        word = str(lang).strip().lower()
        if word not in LANGUAGES:
            raise OptionError(f"--lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
        self.lang = word
        self._own = _labels()[word]
        self._english = _labels()["en"]

    def __call__(self, key: str, **values: object) -> str:
        template = str(self._own.get(key, self._english[key]))
        return template.format(**values) if values else template

    def country(self, code: str) -> str:
        """A country's name in this language where known, else its label as given."""
        return country_name(code, self.lang)

    def note(self, note: str) -> str:
        """A computation note of the pandas API (English) in this language."""
        return translate_note(note, self.lang)

    def localise(self, data: ReportData) -> ReportData:
        """``data`` with its computation notes in this language (a copy; the pandas API's
        notes stay English). Every note the report prints passes through here."""
        if self.lang == "en":
            return data

        def notes(frame: pd.DataFrame) -> pd.DataFrame:
            if "note" not in frame:
                return frame
            out = frame.copy()
            out["note"] = [self.note(n) if isinstance(n, str) else n for n in frame["note"]]
            return out

        blocks = {
            name: dataclasses.replace(
                block,
                pairs=notes(block.pairs),
                with_group=notes(block.with_group),
                within=notes(block.within),
                notes=[self.note(n) for n in block.notes],
            )
            for name, block in data.blocks.items()
        }
        consolidated = {
            level: {name: self.method_columns(table) for name, table in tables.items()}
            for level, tables in data.consolidated.items()
        }
        return dataclasses.replace(
            data,
            blocks=blocks,
            consolidated=consolidated,
            classic_notes=[self.note(n) for n in data.classic_notes],
            consolidated_notes=[self.note(n) for n in data.consolidated_notes],
            agreement=None if data.agreement is None else notes(data.agreement),
            experts=None if data.experts is None else notes(data.experts),
        )

    def title(self, preset: Preset) -> str:
        return preset.title_ru if self.lang == "ru" and preset.title_ru else preset.title

    def method_columns(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A consolidated index's method columns (``scaling``, ``directions``) in this
        language."""
        out = frame.copy()
        for column in ("scaling", "directions"):
            if column in out:
                out[column] = [self.note(v) if isinstance(v, str) else v for v in out[column]]
        return out

    def preset_note(self, preset: Preset) -> str:
        """What the EDB used where our data differ, in this language where given."""
        return preset.note_ru if self.lang == "ru" and preset.note_ru else preset.note

    def number(self, value: float, digits: int = 3) -> str:
        if not math.isfinite(value):
            return self("na")
        text = f"{value:.{digits}f}"
        return text.replace(".", ",").replace("-", "−") if self.lang == "ru" else text

    def signed(self, value: float, digits: int = 3) -> str:
        text = self.number(abs(value), digits)
        return ("+" if value >= 0 else "−") + text

    def percent(self, value: float) -> str:
        if not math.isfinite(value):
            return self("na")
        return f"{self.signed(100 * value, 1)}%"

    # ---------------------------------------------------------- generated text
    def universe(self, data: ReportData) -> str:
        members = ", ".join(data.members)
        return self(
            "universe_text",
            n=data.universe,
            standardize=data.standardize,
            ddof=data.ddof,
            group=data.group,
            members=members,
            first=data.years[0],
            last=data.years[-1],
        )

    def footer(self, data: ReportData) -> str:
        """Method and universe: printed on every page."""
        return f"{self('universe')}: {self.universe(data)}. {self('method')}: {self('method_text')}"

    def header(self, data: ReportData) -> str:
        return f"{self('system')}. " + self(
            "generated", version=__version__, data=data.data_name or "the given data"
        )

    def move(self, move: Move, data: ReportData) -> str:
        block = data.blocks[move.block]
        values = {
            "title": self.title(block.preset),
            "v0": self.number(move.value0),
            "v1": self.number(move.value1),
            "y0": move.year0,
            "y1": move.year1,
            "delta": self.signed(move.change),
            "pct": self.percent(move.relative),
        }
        if move.what == "within":
            return self("summary_within", **values)
        return self("summary_member", member=self.country(move.member), **values)

    def reason(self, reason: Reason) -> str:
        """Why a block is missing, in this language."""
        return self(f"reason_{reason.key}", **reason.values)

    def block_name(self, name: str, book: Mapping[str, Preset] | None = None) -> str:
        """A preset's title in this language (``institutional`` is the expert block)."""
        if name == "institutional":
            return self("institutional")
        preset = (book or presets()).get(name)
        return self.title(preset) if preset is not None else name

    def missing(self, data: ReportData) -> list[str]:
        """One line per block not computed and per indicator left out."""
        lines = [f"{self.block_name(n)}: {self.reason(r)}" for n, r in data.missing.items()]
        lines += [line for b in data.blocks.values() if (line := self.left_out(b))]
        return lines

    def left_out(self, block: BlockResult) -> str:
        """The series a block was computed without, or ``""``."""
        if not block.resolved.missing:
            return ""
        codes = ", ".join(block.resolved.missing)
        return self("missing_indicators", title=self.title(block.preset), codes=codes)

    def summary(self, data: ReportData) -> list[str]:
        """What moved most: one sentence per block and measure, largest change first."""
        lines = [self.move(m, data) for m in data.moves()]
        moved = {m.block for m in data.moves()}
        lines += [
            self("summary_none", title=self.title(b.preset))
            for name, b in data.blocks.items()
            if name not in moved
        ]
        return lines
