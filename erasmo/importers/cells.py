"""Cells as brokers write them: numbers with currency signs, thousands separators, decimal
commas or parentheses for negatives, and dates in the format of the export. Each parser returns
the value or raises `ImportFileError` naming the file, line and column."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from erasmo.importers.table import ImportFileError

_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")
_TIME_PART = re.compile(r"[ ,T;]+[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?.*$")
_AS_OF = re.compile(r"\s+as of\s+.*$", re.IGNORECASE)


def where(file: str, line: int, column: str) -> str:
    """The place refusals start with: "trades.csv, line 14, column Price"."""
    return f"{file}, line {line}, column {column}"


def parse_number(text: str, place: str, decimal_mark: str | None) -> Decimal:
    """A signed decimal. `decimal_mark` "," or "."; None: the last of ',' and '.' when both
    are there, else '.', unless a lone ',' is followed by other than three digits."""
    raw = text
    cleaned = text.replace("$", "").replace("€", "").replace("\u00a0", "").replace(" ", "")
    cleaned = cleaned.replace("'", "")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    if cleaned.startswith(("-", "+")):
        negative, cleaned = cleaned[0] == "-", cleaned[1:]
    cleaned = cleaned.replace("$", "")
    mark = decimal_mark or _guess_mark(cleaned)
    thousands = "." if mark == "," else ","
    cleaned = cleaned.replace(thousands, "").replace(mark, ".")
    if not _NUMBER.fullmatch(cleaned):
        raise ImportFileError(f"{place}: {raw!r} is not a number.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise ImportFileError(f"{place}: {raw!r} is not a number.") from None
    return -value if negative else value


def _guess_mark(text: str) -> str:
    if "," in text and "." in text:
        return "," if text.rfind(",") > text.rfind(".") else "."
    if "," in text:
        head, _, tail = text.rpartition(",")
        if len(tail) != 3 or "," in head:
            return ","
    return "."


def parse_day(text: str, place: str, formats: tuple[str, ...]) -> date:
    """A date in one of `formats`; a time after it ("2012-03-01, 10:15:00") is dropped, and so
    is Schwab's "as of" date (the trade date is the first one)."""
    cleaned = _AS_OF.sub("", _TIME_PART.sub("", text.strip()))
    for fmt in formats:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    shown = " or ".join(_example(f) for f in formats)
    raise ImportFileError(
        f"{place}: {text!r} is not a date of the form {shown}; give --date-format if the file "
        "writes dates another way."
    )


def _example(fmt: str) -> str:
    return fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD").replace("%y", "YY")
