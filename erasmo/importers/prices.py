"""A price file read into daily bars: `erasmo prices import FILE.csv`.

The file has a header line and one line a day: Date, Open, High, Low, Close and Volume, an
optional Adj Close, and the ticker either in a Ticker (or Symbol) column or given apart
(`--ticker`). Prices are as traded (raw). The whole file is checked before anything is stored;
every refusal names the file, the line and the column:

- a required column missing from the header;
- a cell that is not a positive number (a volume: not a whole number of shares);
- a low above the open or the close, or a high below them;
- a date twice for one ticker, or dates out of order (oldest first or newest first, the same
  way through the file), on a weekend, or in the future.

Pure parsing: no cache and no market (`PriceService.import_prices` stores the bars).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

from erasmo.importers.cells import parse_day, parse_number, where
from erasmo.importers.table import ImportFileError, Row, Table, rows_under
from erasmo.market.base import Bar
from events.errors import InvalidInputError
from events.values import parse_ticker

#: erasmo's field -> the column names it may have (the first the header has is read).
PRICE_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("Date", "Datum", "Day"),
    "ticker": ("Ticker", "Symbol"),
    "open": ("Open",),
    "high": ("High",),
    "low": ("Low",),
    "close": ("Close", "Close/Last", "Price"),
    "adj_close": ("Adj Close", "Adj. Close", "Adjusted Close", "Adj_Close"),
    "volume": ("Volume",),
}
REQUIRED = ("date", "open", "high", "low", "close", "volume")
DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%m/%d/%Y")


@dataclass(frozen=True, slots=True)
class PriceFile:
    """A price file, checked.

    Attributes:
        file: its name, as refusals quote it.
        bars: ticker -> its bars, oldest first.
        lines: ticker -> the line of each bar (for refusals when storing).
    """

    file: str
    bars: dict[str, tuple[Bar, ...]]
    lines: dict[str, tuple[int, ...]]


def read_price_file(
    table: Table,
    ticker: str | None,
    today: date,
    decimal_mark: str | None = None,
    date_format: str | None = None,
) -> PriceFile:
    """The bars of `table`, or `ImportFileError` at the first problem (nothing is kept)."""
    header_at, header = _header(table)
    columns = _columns(table.name, table.lines[header_at][0], header, ticker)
    given = None if ticker is None else _ticker(ticker, "--ticker")
    formats = (date_format,) if date_format else DATE_FORMATS
    found: dict[str, list[tuple[int, Bar]]] = defaultdict(list)
    for row in rows_under(table, header_at, header):
        reader = _Reader(table.name, row, columns, decimal_mark)
        symbol = given or _ticker(reader.cell("ticker"), reader.place("ticker"))
        if given and "ticker" in columns and reader.cell("ticker"):
            named = _ticker(reader.cell("ticker"), reader.place("ticker"))
            if named != given:
                raise ImportFileError(
                    f"{reader.place('ticker')}: {named} is not {given} given by --ticker; leave "
                    "--ticker out to import every ticker of the column."
                )
        day = parse_day(reader.cell("date"), reader.place("date"), formats)
        _check_day(day, today, reader.place("date"))
        found[symbol].append((row.line, reader.bar(symbol, day)))
    if not found:
        raise ImportFileError(f"{table.name}: no rows under the header; nothing to import.")
    bars, lines = {}, {}
    for symbol, rows in found.items():
        ordered = _in_order(table.name, symbol, rows, columns["date"])
        bars[symbol] = tuple(bar for _line, bar in ordered)
        lines[symbol] = tuple(line for line, _bar in ordered)
    return PriceFile(table.name, bars, lines)


def _header(table: Table) -> tuple[int, tuple[str, ...]]:
    """The first line naming a date column (a title above it is skipped)."""
    for index, (_line, record) in enumerate(table.lines):
        if any(_key(name) in {_key(n) for n in PRICE_COLUMNS["date"]} for name in record):
            return index, record
    raise ImportFileError(
        f"{table.name}: no header line with a Date column; the file needs the columns Date, "
        "Open, High, Low, Close and Volume (and Adj Close, Ticker if it has them)."
    )


def _key(name: str) -> str:
    return " ".join(name.lower().replace("*", "").split())


def _columns(file: str, line: int, header: tuple[str, ...], ticker: str | None) -> dict[str, str]:
    """Field -> the header's column, or the refusal naming the missing ones."""
    by_key = {_key(name): name for name in header}
    columns = {}
    for field, names in PRICE_COLUMNS.items():
        found = next((by_key[_key(n)] for n in names if _key(n) in by_key), None)
        if found is not None:
            columns[field] = found
    missing = [PRICE_COLUMNS[f][0] for f in REQUIRED if f not in columns]
    if ticker is None and "ticker" not in columns:
        missing.append("Ticker (or give --ticker)")
    if missing:
        raise ImportFileError(
            f"{file}, line {line}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; the header has {', '.join(header)}."
        )
    return columns


def _ticker(text: str, place: str) -> str:
    try:
        return parse_ticker(text)
    except InvalidInputError as error:
        raise ImportFileError(f"{place}: {error}") from None


def _check_day(day: date, today: date, place: str) -> None:
    if day > today:
        raise ImportFileError(f"{place}: {day} is in the future; a price file holds past days.")
    if day.weekday() >= 5:
        raise ImportFileError(f"{place}: {day} is a {day:%A}, not a trading day.")


def _in_order(
    file: str, ticker: str, rows: list[tuple[int, Bar]], column: str
) -> list[tuple[int, Bar]]:
    """The rows oldest first: the file's order, or its reverse when it is newest first."""
    if len(rows) > 1 and rows[0][1].day > rows[-1][1].day:
        rows = rows[::-1]
    for (before_line, before), (line, bar) in pairwise(rows):
        if bar.day == before.day:
            raise ImportFileError(
                f"{where(file, line, column)}: {ticker} on {bar.day} again (also on line "
                f"{before_line}); keep one line a day."
            )
        if bar.day < before.day:
            raise ImportFileError(
                f"{where(file, line, column)}: {bar.day} is out of order (line {before_line} "
                f"has {before.day}); sort the file by date."
            )
    return rows


class _Reader:
    """The cells of one row."""

    def __init__(
        self, file: str, row: Row, columns: dict[str, str], decimal_mark: str | None
    ) -> None:
        self.file, self.row, self.columns, self.decimal_mark = file, row, columns, decimal_mark

    def place(self, field: str) -> str:
        return where(self.file, self.row.line, self.columns.get(field, field))

    def cell(self, field: str) -> str:
        column = self.columns.get(field)
        return self.row.cells.get(column, "") if column else ""

    def price(self, field: str) -> Decimal:
        text = self.cell(field)
        if not text:
            raise ImportFileError(f"{self.place(field)}: the cell is empty; give a price.")
        value = parse_number(text, self.place(field), self.decimal_mark)
        if value <= 0:
            raise ImportFileError(f"{self.place(field)}: {text!r} is not a positive price.")
        return value

    def volume(self) -> int:
        text = self.cell("volume")
        value = parse_number(text, self.place("volume"), self.decimal_mark) if text else None
        if value is None or value < 0 or value != value.to_integral_value():
            raise ImportFileError(
                f"{self.place('volume')}: {text!r} is not a whole number of shares."
            )
        return int(value)

    def bar(self, ticker: str, day: date) -> Bar:
        o, h, lo, c = (self.price(f) for f in ("open", "high", "low", "close"))
        adjusted = self.price("adj_close") if self.cell("adj_close") else None
        if lo > min(o, c) or h < max(o, c) or lo > h:
            raise ImportFileError(
                f"{self.file}, line {self.row.line}: open {o}, high {h}, low {lo}, close {c} "
                "is no day's range (the low must be the least and the high the most); check "
                "the columns."
            )
        return Bar(ticker, day, o, h, lo, c, adjusted, self.volume())
