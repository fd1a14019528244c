"""erasmo for notebooks: `book = erasmo.open()`, then pandas tables of every portfolio.

    import erasmo
    book = erasmo.open()                      # the user's data directory, read-only
    tech = book.portfolio("Tech")
    tech.holdings()                           # one row a ticker
    tech.performance("2012-03-01", "2012-12-31")

Everything is read through the front door (`erasmo.door.FrontDoor`) and the analytics, as the
command line reads it, so the figures are those of `erasmo holdings` and `erasmo performance`.
A book is read-only unless opened with `writable=True`; then `book.door` is the front door,
whose commands record by the same rules as the command line. pandas is imported on first use.

Tables and their columns (dtypes):

- `Book.portfolios()`: id (object: UUID), name, status (string), simulated (bool), opened_on,
  clock (datetime64[ns]), cash (float64), currency (string), version (int64); one row each.
- `Portfolio.holdings(as_of=None)`: index ticker; quantity, average_cost, cost_basis,
  last_price (float64), stale, last_trade (bool), market_value, unrealized_pnl, unrealized_pct,
  realized_pnl, day_change, weight (float64); as `erasmo holdings` computes them (FIFO).
- `Portfolio.value(start=None, end=None)`: index date (datetime64[ns]); positions, cash, total,
  deposits, withdrawals (float64); one row a trading day.
- `Portfolio.performance(start=None, end=None)`: a Series of the metrics `erasmo performance
  --json` prints (start, end, start_value, end_value, net_flows, delta, ttwror,
  ttwror_annualized, irr, max_drawdown, volatility_period, volatility_annualized, sharpe,
  trading_days), as floats, dates as Timestamps.
- `Portfolio.history()`: seq, version (int64), type (string), on (datetime64[ns]), fields
  (object: a dict); one row an event.
- `Portfolio.trades()`: date (datetime64[ns]), kind, ticker (string), quantity, price, value,
  fee, cash (float64, cash signed), source (string); every deposit, withdrawal, trade,
  dividend and split (`erasmo.exporters.tables.TRADE_COLUMNS`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from events.errors import ErasmoError
from events.values import parse_date

if TYPE_CHECKING:
    import pandas as pd

    from erasmo.bootstrap import Erasmo
    from erasmo.door import FrontDoor

Day = str | date | None


class ReadOnlyBookError(ErasmoError):
    """A read-only book was asked for its front door (to record something)."""


def open(
    data_dir: str | Path | None = None, store: str | None = None, *, writable: bool = False
) -> Book:
    """The book of the data directory (default: $ERASMO_HOME or the user's), optionally over
    another store (a SQLite path or a postgresql:// URL); read-only unless `writable`."""
    from erasmo.bootstrap import bootstrap

    return Book(bootstrap(data_dir, store), writable=writable)


class Book:
    """Every portfolio of one store, as pandas tables."""

    def __init__(self, erasmo: Erasmo, *, writable: bool = False) -> None:
        self._erasmo = erasmo
        self.writable = writable

    @property
    def door(self) -> FrontDoor:
        """The front door, to record commands (only in a book opened with writable=True)."""
        if not self.writable:
            raise ReadOnlyBookError(
                "This book is read-only; open it with erasmo.open(..., writable=True) to record."
            )
        return self._erasmo.door

    def portfolios(self) -> pd.DataFrame:
        """One row a listed portfolio (columns in the module docstring)."""
        import pandas as pd

        rows = [
            (r.id, r.name, r.status, r.simulated, r.opened_on, r.clock, float(r.cash),
             r.currency, r.version)
            for r in self._erasmo.door.portfolios()
        ]  # fmt: skip
        columns = ["id", "name", "status", "simulated", "opened_on", "clock", "cash"]
        frame = pd.DataFrame(rows, columns=[*columns, "currency", "version"])
        for column in ("opened_on", "clock"):
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
        for column in ("name", "status", "currency"):
            frame[column] = frame[column].astype("string")
        return frame.astype({"simulated": bool, "cash": "float64", "version": "int64"})

    def portfolio(self, name: str) -> Portfolio:
        """The portfolio called `name` (ignoring case)."""
        door = self._erasmo.door
        return Portfolio(door, door.resolve(name))

    def close(self) -> None:
        """Release the store."""
        self._erasmo.close()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class Portfolio:
    """One portfolio's tables (by id: a rename elsewhere does not lose it)."""

    def __init__(self, door: FrontDoor, portfolio_id: UUID) -> None:
        self._door, self.id = door, portfolio_id

    @property
    def name(self) -> str:
        return self._door.head(self.id).name

    def _fresh(self) -> None:
        """Fold in what was recorded since the last read (by this book or another process):
        a notebook stays open while trades go on."""
        self._door.analytics.refresh()

    def holdings(self, as_of: Day = None) -> pd.DataFrame:
        """The holdings now, or at the end of market date `as_of`."""
        from erasmo.analytics import Moment

        moment = Moment(on=parse_date(as_of)) if as_of is not None else None
        self._fresh()
        return self._door.holdings(self.id, moment).positions.astype(_HOLDING_DTYPES)

    def value(self, start: Day = None, end: Day = None) -> pd.DataFrame:
        """The daily value, cash, deposits and withdrawals."""
        from erasmo.exporters.tables import value_frame

        self._fresh()
        series = self._door.value_series(self.id, start=_day(start), end=_day(end))
        return value_frame(series)

    def performance(self, start: Day = None, end: Day = None) -> pd.Series[Any]:
        """TTWROR, IRR, drawdown, volatility and Sharpe over the period (PP's conventions)."""
        import pandas as pd

        self._fresh()
        m = self._door.performance(self.id, start=_day(start), end=_day(end))
        return pd.Series(
            {
                "start": m.start,
                "end": m.end,
                "start_value": m.start_value,
                "end_value": m.end_value,
                "net_flows": m.net_flows,
                "delta": m.delta,
                "ttwror": m.ttwror,
                "ttwror_annualized": m.ttwror_annualized,
                "irr": m.irr,
                "max_drawdown": m.max_drawdown,
                "volatility_period": m.volatility_period,
                "volatility_annualized": m.volatility_annualized,
                "sharpe": m.sharpe_pp,
                "trading_days": m.trading_days,
            },
            name=self.name,
        )

    def history(self) -> pd.DataFrame:
        """Every event, in order."""
        import pandas as pd

        events = self._door.history(self.id)
        frame = pd.DataFrame(
            [(e.seq, e.version, e.type, e.on, dict(e.fields)) for e in events],
            columns=["seq", "version", "type", "on", "fields"],
        )
        frame["on"] = pd.to_datetime(frame["on"]).astype("datetime64[ns]")
        frame["type"] = frame["type"].astype("string")
        return frame.astype({"seq": "int64", "version": "int64"})

    def trades(self) -> pd.DataFrame:
        """Every deposit, withdrawal, trade, dividend and split, in order."""
        from erasmo.exporters.entries import entries_of
        from erasmo.exporters.tables import trades_frame

        return trades_frame(entries_of(self._door.history(self.id)))


_HOLDING_DTYPES: dict[str, str] = {
    "quantity": "float64",
    "average_cost": "float64",
    "cost_basis": "float64",
    "last_price": "float64",
    "stale": "bool",
    "last_trade": "bool",
    "market_value": "float64",
    "unrealized_pnl": "float64",
    "unrealized_pct": "float64",
    "realized_pnl": "float64",
    "day_change": "float64",
    "weight": "float64",
}


def _day(value: Day) -> date | None:
    return None if value is None else parse_date(value)
