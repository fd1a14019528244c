"""erasmo's short round trips against backtesting.py's on the same orders (its shorts and its
orders that cross from long to short close the opposite trades first in, first out, then open
the rest, as erasmo's margin account does).

The bars are the bundled GOOG history of 2005, as in `test_journal_peer`: the same market orders
on the same days, filled at the day's close without commission on both sides.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from backtesting import Backtest, Strategy

from erasmo.journal import round_trips, trade_statistics
from erasmo.market.bundled import BundledMarketData
from erasmo.projections import event_frame

START, END = date(2005, 1, 3), date(2005, 12, 30)
#: (day, shares): positive buys, negative sells. Short sales and partial covers, a sell that
#: closes a long and opens a short, a buy that covers a short and opens a long, and a short
#: still open at the end.
ORDERS: list[tuple[date, int]] = [
    (date(2005, 1, 10), -10),  # short 10
    (date(2005, 1, 24), -5),  # short 5 more
    (date(2005, 2, 14), 12),  # covers the first 10 and 2 of the 5
    (date(2005, 3, 1), 8),  # covers 3, opens a long of 5
    (date(2005, 4, 4), -9),  # closes the long 5, opens a short of 4
    (date(2005, 5, 16), 4),  # covers it
    (date(2005, 6, 20), 7),
    (date(2005, 7, 18), -7),
    (date(2005, 10, 3), -6),  # still short on the valuation day
]


@pytest.fixture(scope="module")
def market() -> BundledMarketData:
    return BundledMarketData()


@pytest.fixture(scope="module")
def bars(market: BundledMarketData) -> pd.DataFrame:
    rows = market.bars("GOOG", START, END)
    return pd.DataFrame(
        {
            "Open": [float(b.open or b.close) for b in rows],
            "High": [float(b.high or b.close) for b in rows],
            "Low": [float(b.low or b.close) for b in rows],
            "Close": [float(b.close) for b in rows],
            "Volume": [float(b.volume or 0) for b in rows],
        },
        index=pd.DatetimeIndex([pd.Timestamp(b.day) for b in rows]),
    )


@pytest.fixture(scope="module")
def peer(bars: pd.DataFrame) -> pd.Series:
    by_day = {pd.Timestamp(day): shares for day, shares in ORDERS}

    def next_bar(strategy: Strategy) -> None:
        shares = by_day.get(strategy.data.index[-1])
        if shares is not None and shares > 0:
            strategy.buy(size=shares)
        elif shares is not None:
            strategy.sell(size=-shares)

    strategy = type("SameOrders", (Strategy,), {"init": lambda self: None, "next": next_bar})
    test = Backtest(
        bars, strategy, cash=1_000_000, commission=0, trade_on_close=True, finalize_trades=True
    )
    stats: pd.Series = test.run()
    return stats


@pytest.fixture(scope="module")
def erasmo_trades(market: BundledMarketData, bars: pd.DataFrame) -> pd.DataFrame:
    closes = {day.date(): Decimal(repr(close)) for day, close in bars["Close"].items()}
    records: list[dict[str, Any]] = [
        {"type": "PortfolioOpened", "on": START},
        {"type": "CashDeposited", "on": START, "amount": 1_000_000},
    ]
    for day, shares in ORDERS:
        kind = "SharesBought" if shares > 0 else "SharesSold"
        records.append(
            {
                "type": kind,
                "on": day,
                "ticker": "GOOG",
                "quantity": abs(shares),
                "price": closes[day],
            }
        )
    # backtesting.py closes what is still open at the close of the bar before its last.
    return round_trips(event_frame(records), market, on=bars.index[-2].date())


def test_the_short_trades_are_backtesting_pys_trade_for_trade(
    peer: pd.Series, erasmo_trades: pd.DataFrame
) -> None:
    theirs: pd.DataFrame = peer["_trades"]
    assert len(erasmo_trades) == len(theirs) == 7
    directions = np.where(theirs["Size"] < 0, "short", "long")
    assert list(erasmo_trades["direction"]) == list(directions)
    assert list(directions).count("short") == 5
    np.testing.assert_allclose(erasmo_trades["quantity"], theirs["Size"].abs())
    np.testing.assert_allclose(erasmo_trades["entry_price"], theirs["EntryPrice"], rtol=1e-12)
    np.testing.assert_allclose(erasmo_trades["exit_price"], theirs["ExitPrice"], rtol=1e-12)
    assert list(erasmo_trades["entry_on"]) == list(theirs["EntryTime"])
    assert list(erasmo_trades["exit_on"]) == list(theirs["ExitTime"])
    # erasmo settles each trade's value to the cent; within a cent a side, the P&L is theirs.
    np.testing.assert_allclose(erasmo_trades["pnl"], theirs["PnL"], atol=0.02)
    cents = 0.02 / erasmo_trades["entry_value"].to_numpy()
    gap = np.abs(erasmo_trades["return_pct"].to_numpy() - theirs["ReturnPct"].to_numpy())
    assert (gap <= cents).all(), gap
    assert list(erasmo_trades["status"]).count("open") == 1


def test_the_statistics_with_shorts_are_backtesting_pys(
    peer: pd.Series, erasmo_trades: pd.DataFrame, bars: pd.DataFrame
) -> None:
    ours = trade_statistics(erasmo_trades, days=pd.DatetimeIndex(bars.index))
    assert ours.trades == peer["# Trades"]
    assert ours.win_rate * 100 == pytest.approx(peer["Win Rate [%]"], abs=1e-9)
    assert ours.best_trade_pct * 100 == pytest.approx(peer["Best Trade [%]"], abs=1e-4)
    assert ours.worst_trade_pct * 100 == pytest.approx(peer["Worst Trade [%]"], abs=1e-4)
    assert ours.profit_factor_pct == pytest.approx(peer["Profit Factor"], rel=1e-4)
    assert ours.expectancy_pct * 100 == pytest.approx(peer["Expectancy [%]"], abs=1e-4)
    assert ours.sqn == pytest.approx(peer["SQN"], rel=1e-4)
