"""Where erasmo's data files are (in an installed wheel or a checkout), and a fast CSV reader.

The wheel build (hatchling `force-include` in pyproject.toml) copies the top-level `resources/`
folder of the repository to `erasmo/_resources/` inside the installed package. In a checkout (or
an editable install) the files stay at `<repo>/resources`, beside the `erasmo` package.

Standard library only: the write path imports this module.
"""

from __future__ import annotations

import csv
import gzip
import operator
from collections.abc import Sequence
from datetime import date
from pathlib import Path

#: The `erasmo` package folder (this file is erasmo/market/resources.py).
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def find_resources(package_dir: Path) -> Path:
    """The resources folder of the `erasmo` package at `package_dir`.

    Looks first for the wheel layout (`<package_dir>/_resources`), then for the checkout layout
    (`<package_dir>/../resources`, accepted only beside a `pyproject.toml`, so that an unrelated
    `resources` folder in site-packages is never mistaken for erasmo's).

    Raises:
        FileNotFoundError: neither layout is present.
    """
    wheel = package_dir / "_resources"
    if wheel.is_dir():
        return wheel
    checkout = package_dir.parent / "resources"
    if checkout.is_dir() and (package_dir.parent / "pyproject.toml").is_file():
        return checkout
    raise FileNotFoundError(
        "erasmo's data files are missing: looked for "
        f"{wheel} (installed wheel) and {checkout} (source checkout). "
        "Reinstall erasmo, or run it from a complete checkout."
    )


def resources_dir() -> Path:
    """The folder holding erasmo's bundled data files (raises FileNotFoundError if absent)."""
    return find_resources(_PACKAGE_DIR)


def prices_dir() -> Path:
    """The folder holding the bundled price files (`resources/prices`)."""
    return resources_dir() / "prices"


#: Cells that mean "no value" (pandas.read_csv's default NA strings), besides blank ones.
MISSING = frozenset(
    ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN")
) | frozenset(("<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"))


def is_missing(cell: str) -> bool:
    """Whether a CSV cell means "no value" (blank, or one of MISSING)."""
    return cell in MISSING or cell.isspace()


class CsvTable:
    """The header and cells of a gzip CSV file; a column is split out when first asked for.

    The first two columns asked for (the write path needs Date and one ticker) are split out of
    each line alone; a third, or `every_column`, splits every line once. Files with quotes or
    ragged rows go through `csv` instead (short rows padded with blank cells).
    """

    __slots__ = ("_asked", "_lines", "_rows", "header")

    def __init__(self, path: Path, every_column: bool = False) -> None:
        text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
        lines = [line for line in text.splitlines() if line.strip()]
        self.header = [name.strip() for name in next(csv.reader(lines[:1]), [])]
        if "Date" not in self.header:
            raise ValueError(f"{path}: no 'Date' column in its header")
        self._lines, self._asked = lines[1:], 2 if every_column else 0
        self._rows: list[list[str]] | None = None
        width = len(self.header)
        if '"' in text or set(map(operator.methodcaller("count", ","), lines)) != {width - 1}:
            self._rows = [(row + [""] * width)[:width] for row in csv.reader(self._lines)]

    def column(self, name: str) -> list[str]:
        """The cells of column `name`, one per data line (raises ValueError if no such column)."""
        j = self.header.index(name)
        if self._rows is None and self._asked >= 2:
            self._rows = [line.split(",") for line in self._lines]
        self._asked += 1
        if self._rows is not None:
            return list(map(operator.itemgetter(j), self._rows))
        return [line.split(",", j + 1)[j] for line in self._lines]


def dates_in_order(dates: Sequence[str]) -> tuple[tuple[date, ...], list[int] | None]:
    """The valid days in date order, and their rows (None: all, as they are; first of equals)."""
    try:  # the fast path, in C: the files hold valid ISO dates in increasing order
        days = tuple(map(date.fromisoformat, dates))
        if all(map(operator.lt, days, days[1:])):
            return days, None
    except ValueError:
        pass
    first: dict[date, int] = {}
    for i, text in enumerate(dates):
        try:
            first.setdefault(date.fromisoformat(text.strip()), i)
        except ValueError:
            continue
    order = sorted(first.items())
    return tuple(day for day, _ in order), [i for _, i in order]
