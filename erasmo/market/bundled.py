"""The market data shipped with erasmo (resources/prices; see the NOTICE file there).

Three gzip CSV files, merged so that every ticker comes from exactly one source:

* `sp500_dataset.csv.gz` (skfolio): adjusted closes of 20 large caps, 1990-2022.
* `sp500_index.csv.gz` (skfolio): the S&P 500 level, served as the non-tradable ticker ^GSPC.
  Its dates are the market calendar.
* `bokeh_stocks.csv.gz` (bokeh): raw OHLCV plus adjusted close of AAPL IBM MSFT GOOG FB,
  2000-2013. skfolio wins where both have a ticker (AAPL, MSFT); `BundledMarketData(source=BOKEH)`
  serves the bokeh series only.

The write path (`erasmo buy`) imports this module, so it uses the standard library only. A file is
read on the first request that needs it and a column is split out of it when first asked for;
prices stay the strings written in the file and become `Decimal` only when a `Bar` is built.

Corporate actions are derived from the bokeh file's raw and adjusted closes (`derive_actions`;
the method and its limits are in the NOTICE file); skfolio's series are adjusted and have none.
"""

from __future__ import annotations

import csv
import gzip
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

from erasmo.market.base import BAR_FIELDS, Bar, CorporateAction, TickerInfo
from erasmo.market.resources import MISSING, CsvTable, dates_in_order, is_missing, prices_dir
from events.errors import UnknownTickerError

#: Provenance labels, stored with every trade priced from the source.
SKFOLIO = "bundled:skfolio"
BOKEH = "bundled:bokeh"
SOURCES = (SKFOLIO, BOKEH)
#: The ticker the S&P 500 index is served as.
INDEX_TICKER = "^GSPC"

DATASET_FILE = "sp500_dataset.csv.gz"
INDEX_FILE = "sp500_index.csv.gz"
BOKEH_FILE = "bokeh_stocks.csv.gz"

#: Bar field -> column of the bokeh file.
_BOKEH_COLUMNS = {"open": "Open", "high": "High", "low": "Low", "close": "Close"}
_BOKEH_COLUMNS |= {"adj_close": "Adj Close", "volume": "Volume"}
Columns = dict[str, Sequence[str]]
Days = tuple[date, ...]


def _decimal(cell: str | None) -> Decimal | None:
    return None if cell is None else Decimal(cell)


def _pick(columns: Columns, rows: Sequence[int]) -> Columns:
    return {field: list(map(column.__getitem__, rows)) for field, column in columns.items()}


#: Day-over-day changes of the adjustment factor smaller than this are rounding noise.
_FACTOR_NOISE = Decimal("1e-7")
#: A factor change below this is a cash dividend (under 1/6 of the price); above, a split.
_SPLIT_THRESHOLD = Decimal("1.2")
#: The largest denominator of a split ratio (3:2, 5:4, 7:1, 1:10 ...).
_SPLIT_DENOMINATOR = 10
#: How far a factor change may lie from its split ratio and still be that split alone.
_SPLIT_TOLERANCE = Decimal("1e-4")
_CENT = Decimal("0.01")


def derive_actions(
    ticker: str, days: Sequence[date], closes: Sequence[str], adj_closes: Sequence[str], source: str
) -> list[CorporateAction]:
    """The splits and dividends implied by a raw close series and its adjusted close series.

    The adjustment factor f = close / adjusted close is constant between two actions and drops
    on each ex-date: k = f(day before) / f(ex-date) is the split ratio (2 for 2:1) for a split,
    and 1 + amount / close(ex-date) for a cash dividend (the convention of the series' publisher,
    Quandl WIKI), so amount = close(ex-date) * (k - 1), rounded to the cent. Days with a missing
    close or adjusted close are skipped. See resources/prices/NOTICE for the limits.
    """
    found: list[CorporateAction] = []
    previous: Decimal | None = None
    with localcontext() as ctx:
        ctx.prec = 28
        for day, close_cell, adj_cell in zip(days, closes, adj_closes, strict=True):
            if is_missing(close_cell) or is_missing(adj_cell):
                continue
            close, adjusted = Decimal(close_cell), Decimal(adj_cell)
            if close <= 0 or adjusted <= 0:
                continue
            factor = close / adjusted
            if previous is not None and abs(previous / factor - 1) > _FACTOR_NOISE:
                found.extend(_classify(ticker, day, previous / factor, close, source))
            previous = factor
    return found


def _classify(
    ticker: str, day: date, change: Decimal, close: Decimal, source: str
) -> list[CorporateAction]:
    """The action(s) behind a factor change `change` on `day` (see `derive_actions`)."""
    ratio = Decimal(1)
    if change >= _SPLIT_THRESHOLD or change <= 1 / _SPLIT_THRESHOLD:
        simple = Fraction(change).limit_denominator(_SPLIT_DENOMINATOR)
        ratio = Decimal(simple.numerator) / Decimal(simple.denominator)
    actions: list[CorporateAction] = []
    if ratio != 1:
        actions.append(CorporateAction(ticker, day, "split", ratio.normalize(), None, source))
    rest = change / ratio
    if rest - 1 > _SPLIT_TOLERANCE:  # a dividend (on a split day: both)
        amount = (close * (rest - 1)).quantize(_CENT)
        if amount > 0:
            actions.append(CorporateAction(ticker, day, "dividend", None, amount, source))
    return actions


class _Series:
    """One ticker's history: its days and, per bar field, the cells aligned with them."""

    __slots__ = ("_actions", "columns", "days", "info")

    def __init__(self, info: TickerInfo, days: Days, columns: Columns) -> None:
        self.info, self.days, self.columns = info, days, columns
        self._actions: list[CorporateAction] | None = None

    def actions(self) -> list[CorporateAction]:
        """The corporate actions of a raw series (derived once); none for an adjusted one."""
        if self._actions is None:
            adjusted = self.columns.get("adj_close")
            if self.info.adjusted or adjusted is None:
                self._actions = []
            else:
                closes = self.columns["close"]
                self._actions = derive_actions(
                    self.info.ticker, self.days, closes, adjusted, self.info.source
                )
        return self._actions

    def cell(self, field: str, i: int) -> str | None:
        column = self.columns.get(field)
        return None if column is None or is_missing(column[i]) else column[i]

    def bar(self, i: int) -> Bar:
        volume = self.cell("volume", i)
        return Bar(
            ticker=self.info.ticker,
            day=self.days[i],
            open=_decimal(self.cell("open", i)),
            high=_decimal(self.cell("high", i)),
            low=_decimal(self.cell("low", i)),
            close=Decimal(self.columns["close"][i]),
            adj_close=_decimal(self.cell("adj_close", i)),
            volume=None if volume is None else int(Decimal(volume)),
        )


def _with_close(days: Days, rows: list[int] | None, columns: Columns) -> tuple[Days, Columns]:
    """The cells of `rows` (None: all), without the rows that have no close."""
    if rows is not None:
        columns = _pick(columns, rows)
    closes = columns["close"]
    if MISSING.isdisjoint(closes) and not any(map(str.isspace, closes)):
        return days, columns
    keep = [i for i, cell in enumerate(closes) if not is_missing(cell)]
    return tuple(map(days.__getitem__, keep)), _pick(columns, keep)


class _WideFile:
    """A file with a Date column and one column of closes per series."""

    __slots__ = ("_days", "_rows", "_table", "names")

    def __init__(self, path: Path, every_column: bool = False) -> None:
        self._table = CsvTable(path, every_column)
        self.names = {n.upper(): n for n in self._table.header if n and n != "Date"}
        self._days, self._rows = dates_in_order(self._table.column("Date"))

    def closes(self, name: str) -> tuple[Days, Columns]:
        """The days and {"close": cells} of the series in column `name` (upper case)."""
        columns: Columns = {"close": self._table.column(self.names[name])}
        return _with_close(self._days, self._rows, columns)


def _parse_bokeh(path: Path) -> dict[str, _Series]:
    """Ticker -> series of the long (Ticker, Date, Open, ..., Adj Close) bokeh file."""
    table = CsvTable(path, every_column=True)
    if "Ticker" not in table.header or "Close" not in table.header:
        raise ValueError(f"{path}: no 'Ticker' or no 'Close' column in its header")
    raw: dict[str, list[int]] = {}
    for i, name in enumerate(table.column("Ticker")):
        raw.setdefault(name, []).append(i)
    rows_of: dict[str, list[int]] = {}  # "aapl " and "AAPL" are one ticker
    for name, rows in raw.items():
        if name.strip():
            rows_of.setdefault(name.strip().upper(), []).extend(rows)
    dates = table.column("Date")
    cells: Columns = {f: table.column(c) for f, c in _BOKEH_COLUMNS.items() if c in table.header}
    fields = tuple(f for f in BAR_FIELDS if f in cells)
    series: dict[str, _Series] = {}
    for ticker, rows in rows_of.items():
        days, order = dates_in_order(list(map(dates.__getitem__, rows)))
        days, columns = _with_close(
            days, rows if order is None else [rows[i] for i in order], cells
        )
        if days:
            info = TickerInfo(ticker, days[0], days[-1], BOKEH, adjusted=False, fields=fields)
            series[ticker] = _Series(info, days, columns)
    return series


class BundledMarketData:
    """The bundled price history, as a `MarketData` provider.

    Args:
        source: None for the merged view (24 tickers), or SKFOLIO or BOKEH for that source only.
        directory: the folder of the price files; default `prices_dir()`.
    """

    def __init__(self, source: str | None = None, directory: Path | None = None) -> None:
        if source is not None and source not in SOURCES:
            raise ValueError(f"unknown source {source!r}: use None, {SKFOLIO!r} or {BOKEH!r}")
        self.source = source
        self._directory = directory
        self._dataset_names: frozenset[str] | None = None
        self._dataset_file: _WideFile | None = None
        self._dataset: dict[str, _Series | None] = {}
        self._index: _Series | None = None
        self._bokeh: dict[str, _Series] | None = None
        self._served: dict[str, _Series] | None = None
        self._calendar: Days | None = None

    @property
    def directory(self) -> Path:
        """The folder the price files are read from."""
        if self._directory is None:
            self._directory = prices_dir()
        return self._directory

    # -- the MarketData protocol ---------------------------------------------------------------

    def tickers(self) -> Sequence[TickerInfo]:
        """Every ticker this instance serves, sorted by symbol."""
        return [s.info for _, s in sorted(self._all().items())]

    def info(self, ticker: str) -> TickerInfo:
        """The ticker's info; raises UnknownTickerError (with close matches) if unknown."""
        return self._series(ticker).info

    def bar(self, ticker: str, day: date) -> Bar | None:
        """The bar of `ticker` on `day`, or None when that day has no bar."""
        series = self._series(ticker)
        i = bisect_left(series.days, day)
        return series.bar(i) if i < len(series.days) and series.days[i] == day else None

    def bars(self, ticker: str, start: date | None = None, end: date | None = None) -> list[Bar]:
        """The bars of `ticker` with start <= day <= end (each bound optional), in date order."""
        series = self._series(ticker)
        lo = 0 if start is None else bisect_left(series.days, start)
        hi = len(series.days) if end is None else bisect_right(series.days, end)
        return [series.bar(i) for i in range(lo, hi)]

    def trading_days(self, ticker: str | None = None) -> Sequence[date]:
        """Sorted trading days of `ticker`, or of the market calendar when None."""
        return self._calendar_days() if ticker is None else self._series(ticker).days

    def actions(
        self, ticker: str, start: date | None = None, end: date | None = None
    ) -> list[CorporateAction]:
        """The splits and dividends of `ticker` with start <= ex-date <= end, in date order.

        Derived from the raw and adjusted closes of the bokeh file (see `derive_actions`); empty
        for skfolio's series, whose closes are adjusted, and for the index.
        """
        return [
            action
            for action in self._series(ticker).actions()
            if (start is None or action.day >= start) and (end is None or action.day <= end)
        ]

    def latest_date(self, ticker: str | None = None) -> date:
        """The last trading day of `ticker`, or of the market calendar when None."""
        return self.trading_days(ticker)[-1]

    # -- helpers for the service layer ---------------------------------------------------------

    def previous_and_next(self, ticker: str | None, day: date) -> tuple[date | None, date | None]:
        """The last trading day before `day` and the first after it (None where there is none).

        The days are those of `ticker`, or of the market calendar when `ticker` is None.
        """
        days = self.trading_days(ticker)
        i, j = bisect_left(days, day), bisect_right(days, day)
        return (days[i - 1] if i > 0 else None, days[j] if j < len(days) else None)

    # -- lazy loading --------------------------------------------------------------------------

    def _series(self, ticker: str) -> _Series:
        key = ticker.strip().upper()
        found: _Series | None = None
        if self.source != BOKEH:
            found = self._index_series() if key == INDEX_TICKER else self._dataset_series(key)
        if found is None and self.source != SKFOLIO:
            found = self._bokeh_series().get(key)
        if found is not None:
            return found
        import difflib  # only on this error path: it is slow to import

        matches = difflib.get_close_matches(key, list(self._all()), n=3, cutoff=0.5)
        raise UnknownTickerError(ticker.strip(), matches)

    def _dataset_tickers(self) -> frozenset[str]:
        """The dataset's column names, from its header line only."""
        if self._dataset_names is None:
            with gzip.open(self.directory / DATASET_FILE, "rt", encoding="utf-8-sig") as f:
                header = (name.strip().upper() for name in next(csv.reader(f), []))
                self._dataset_names = frozenset(n for n in header if n and n != "DATE")
        return self._dataset_names

    def _dataset_series(self, key: str) -> _Series | None:
        if key not in self._dataset:
            if key not in self._dataset_tickers():
                return None
            if self._dataset_file is None:
                self._dataset_file = _WideFile(self.directory / DATASET_FILE)
            days, columns = self._dataset_file.closes(key)
            self._dataset[key] = None
            if days:
                info = TickerInfo(key, days[0], days[-1], SKFOLIO, adjusted=True, fields=("close",))
                self._dataset[key] = _Series(info, days, columns)
        return self._dataset[key]

    def _index_series(self) -> _Series:
        if self._index is None:
            days, columns = _WideFile(self.directory / INDEX_FILE).closes("SP500")
            info = TickerInfo(INDEX_TICKER, days[0], days[-1], SKFOLIO, False, ("close",))
            info = replace(info, tradable=False, description="S&P 500 index")
            self._index = _Series(info, days, columns)
        return self._index

    def _bokeh_series(self) -> dict[str, _Series]:
        if self._bokeh is None:
            self._bokeh = _parse_bokeh(self.directory / BOKEH_FILE)
        return self._bokeh

    def _all(self) -> dict[str, _Series]:
        """Every served ticker's series; skfolio overrides bokeh (the merge rule)."""
        if self._served is None:
            served: dict[str, _Series] = {}
            if self.source != SKFOLIO:
                served.update(self._bokeh_series())
            if self.source != BOKEH:
                if self._dataset_file is None:  # every column is needed: split each line once
                    self._dataset_file = _WideFile(self.directory / DATASET_FILE, every_column=True)
                for key in self._dataset_tickers():
                    found = self._dataset_series(key)
                    if found is not None:
                        served[key] = found
                served[INDEX_TICKER] = self._index_series()
            self._served = served
        return self._served

    def _calendar_days(self) -> Days:
        if self._calendar is None:
            if self.source == BOKEH:
                union = {d for s in self._bokeh_series().values() for d in s.days}
                self._calendar = tuple(sorted(union))
            else:
                self._calendar = self._index_series().days
        return self._calendar
