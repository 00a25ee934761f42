"""Files in and out, the same way for every entry point.

Reading: the text of a CSV file decoded by one rule (UTF-8 with or without BOM, UTF-16
with BOM, else Windows-1251) and split by the separator that fits it (comma, semicolon or
tab). Writing: an output path is checked before any work (:func:`check_output`) and
written to a temporary file in the same folder, then renamed (:func:`write_atomically`),
so a failure never leaves a partial file and never touches what the user owns.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Final

from siei_xl.exceptions import DataError, OptionError

__all__ = ["check_input", "check_output", "csv_rows", "sniff_separator", "write_atomically"]

SEPARATORS: Final = (",", ";", "\t")
_NUL: Final = "\x00"


def check_input(path: str | os.PathLike[str], *, what: str = "input") -> Path:
    """The path of a file to read, checked: it exists, is a file, and is not empty.

    Examples
    --------
    >>> check_input("no/such/file.csv")
    Traceback (most recent call last):
    ...
    siei_xl.exceptions.DataError: input 'no/such/file.csv' does not exist
    """
    file = Path(path)
    if not file.exists():
        raise DataError(f"{what} {str(file)!r} does not exist")
    if file.is_dir():
        raise DataError(f"{what} {str(file)!r} is a folder; give a file in it")
    if file.stat().st_size == 0:
        raise DataError(f"{what} {str(file)!r} is empty (0 bytes)")
    return file


def csv_rows(file: Path) -> tuple[list[list[str]], str]:
    """Rows of cells of a CSV file and the separator found.

    Decoded as UTF-8 (with or without BOM), UTF-16 (with BOM), else Windows-1251 (as
    Excel on a Russian-language Windows saves CSV); binary content is refused.
    """
    raw = check_input(file).read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"{file.name!r} is not readable UTF-16 text") from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            # cp1251 decodes any bytes but 0x98, so it is the last resort, never the first guess
            text = raw.decode("cp1251", errors="replace")
    if _NUL in text or _control_share(text) > 0.05:
        raise DataError(
            f"{file.name!r} is not a text (CSV) file; save the table as CSV (UTF-8) or .xlsx"
        )
    if not text.strip():
        raise DataError(f"{file.name!r} holds no table (only blank lines)")
    separator = sniff_separator(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        return [list(row) for row in reader], separator
    except csv.Error as exc:
        raise DataError(f"{file.name!r} is not a well-formed CSV file: {exc}") from None


def _control_share(text: str) -> float:
    sample = text[:20000]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return control / max(len(sample), 1)


def sniff_separator(text: str) -> str:
    """The separator that splits most of the top lines into the same number of fields.

    Examples
    --------
    >>> sniff_separator("country;year;gdp\\nKAZ;2015;12,5\\n")
    ';'
    """
    sample = [line for line in text.splitlines()[:100] if line.strip()]
    best, best_score = ",", -1
    for separator in SEPARATORS:
        try:
            widths = [len(r) for r in csv.reader(sample, delimiter=separator)]
        except csv.Error:
            continue
        wide = [w for w in widths if w > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        score = wide.count(mode)
        if score > best_score:
            best, best_score = separator, score
    return best


def check_output(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    suffixes: Sequence[str] = (".csv", ".xlsx"),
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    what: str = "output",
) -> Path:
    """The output path, checked before any work is done.

    Refused: a name not ending in one of ``suffixes``; a folder that does not exist; a
    path that is a folder; the same file as one of ``inputs``; an existing file unless
    ``force``.

    Examples
    --------
    >>> check_output("no/such/folder/out.csv")
    Traceback (most recent call last):
    ...
    siei_xl.exceptions.OptionError: output folder 'no/such/folder' does not exist; create it first
    """
    out = Path(path)
    if out.is_dir() or not out.name:
        raise OptionError(f"{what} {str(out)!r} is a folder; give a file name in it")
    if suffixes and out.suffix.lower() not in suffixes:
        names = " or ".join(suffixes)
        raise OptionError(f"{what} {out.name!r}: expected a file name ending in {names}")
    if not out.parent.is_dir():
        folder = str(out.parent)
        if out.parent.exists():
            raise OptionError(f"{what} folder {folder!r} is a file, not a folder")
        raise OptionError(f"{what} folder {folder!r} does not exist; create it first")
    for source in inputs:
        if source is not None and _same_file(out, Path(source)):
            raise OptionError(
                f"{what} {str(out)!r} is also an input; write the result to another file"
            )
    if out.exists() and not force:
        raise OptionError(f"{str(out)!r} already exists; use --force to replace it")
    return out


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def write_atomically(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)``, then rename the temporary file to ``path``.

    The temporary file sits in the output's folder (a rename never crosses file systems);
    if ``write`` fails, it is removed and ``path`` is left as it was. The caller checks
    ``path`` first (:func:`check_output`).
    """
    target = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    temp = Path(name)
    try:
        write(temp)
        # mkstemp makes the file private; give it the mode a normally created file gets
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~mask)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target
