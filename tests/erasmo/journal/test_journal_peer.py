"""erasmo's round trips and trade statistics against backtesting.py's, on the same trades.

The bars are the bundled GOOG history (raw open, high, low, close; no split or dividend in the
years used). A backtesting.py strategy places the same market orders on the same days, filled at
that day's close (trade_on_close=True) without commission; erasmo records the same buys and
sells at the same closes. backtesting.py closes partial exits first in, first out and splits the
trade, as erasmo's lot trades do, so the two lists must agree trade for trade.
"""

from __future__ import annotations

import math
from collections.abc import Callable
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
#: (day, shares): positive buys, negative sells. Scale-ins, a sell that closes two lots, a sell
#: that closes part of a lot, winners and losers, and a position still open at the end.
ORDERS: list[tuple[date, int]] = [
    (date(2005, 1, 10), 10),
    (date(2005, 1, 24), 5),
    (date(2005, 2, 14), -12),  # closes the first lot and 2 of the second
    (date(2005, 3, 1), -3),
    (date(2005, 4, 4), 20),
    (date(2005, 4, 29), -8),
    (date(2005, 5, 16), -12),
    (date(2005, 6, 20), 7),
    (date(2005, 7, 18), -7),
    (date(2005, 8, 1), 6),
    (date(2005, 9, 1), -6),
    (date(2005, 10, 3), 9),
    (date(2005, 10, 17), 4),
    (date(2005, 11, 1), -9),
    (date(2005, 12, 1), -4),
    (date(2005, 12, 12), 3),  # still open on the valuation day
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


def _schedule() -> Callable[[Strategy], None]:
    by_day = {pd.Timestamp(day): shares for day, shares in ORDERS}

    def next_bar(strategy: Strategy) -> None:
        shares = by_day.get(strategy.data.index[-1])
        if shares is not None and shares > 0:
            strategy.buy(size=shares)
        elif shares is not None:
            strategy.sell(size=-shares)

    return next_bar


@pytest.fixture(scope="module")
def peer(bars: pd.DataFrame) -> pd.Series:
    strategy = type("SameOrders", (Strategy,), {"init": lambda self: None, "next": _schedule()})
    test = Backtest(
        bars,
        strategy,
        cash=1_000_000,
        commission=0,
        trade_on_close=True,
        finalize_trades=True,
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
    valuation = bars.index[-2].date()
    return round_trips(event_frame(records), market, on=valuation)


def test_the_trades_are_backtesting_pys_trade_for_trade(
    peer: pd.Series, erasmo_trades: pd.DataFrame
) -> None:
    theirs: pd.DataFrame = peer["_trades"]
    assert len(erasmo_trades) == len(theirs) == 10
    np.testing.assert_allclose(erasmo_trades["quantity"], theirs["Size"].abs())
    np.testing.assert_allclose(erasmo_trades["entry_price"], theirs["EntryPrice"], rtol=1e-12)
    np.testing.assert_allclose(erasmo_trades["exit_price"], theirs["ExitPrice"], rtol=1e-12)
    assert list(erasmo_trades["entry_on"]) == list(theirs["EntryTime"])
    assert list(erasmo_trades["exit_on"]) == list(theirs["ExitTime"])
    # erasmo settles each trade's value to the cent; within a cent a side, the P&L is theirs.
    np.testing.assert_allclose(erasmo_trades["pnl"], theirs["PnL"], atol=0.02)
    # ... and the return, within those two cents of what the trade cost.
    cents = 0.02 / erasmo_trades["entry_value"].to_numpy()
    gap = np.abs(erasmo_trades["return_pct"].to_numpy() - theirs["ReturnPct"].to_numpy())
    assert (gap <= cents).all(), gap
    assert list(erasmo_trades["status"]).count("open") == 1


def test_the_shared_statistics_are_backtesting_pys(
    peer: pd.Series, erasmo_trades: pd.DataFrame, bars: pd.DataFrame
) -> None:
    ours = trade_statistics(erasmo_trades, days=pd.DatetimeIndex(bars.index))
    assert ours.trades == peer["# Trades"]
    assert ours.win_rate * 100 == pytest.approx(peer["Win Rate [%]"], abs=1e-9)
    assert ours.best_trade_pct * 100 == pytest.approx(peer["Best Trade [%]"], abs=1e-4)
    assert ours.worst_trade_pct * 100 == pytest.approx(peer["Worst Trade [%]"], abs=1e-4)
    assert ours.average_trade_pct * 100 == pytest.approx(peer["Avg. Trade [%]"], abs=1e-4)
    assert ours.profit_factor_pct == pytest.approx(peer["Profit Factor"], rel=1e-4)
    assert ours.expectancy_pct * 100 == pytest.approx(peer["Expectancy [%]"], abs=1e-4)
    assert ours.sqn == pytest.approx(peer["SQN"], rel=1e-4)
    assert ours.kelly == pytest.approx(peer["Kelly Criterion"], rel=1e-4)
    # backtesting.py rounds durations up to whole days (its bars' period).
    assert pd.Timedelta(days=ours.longest_holding_days) == peer["Max. Trade Duration"]
    average = pd.Timedelta(days=ours.average_holding_days).ceil("D")
    assert average == peer["Avg. Trade Duration"]
    # Theirs: bars from a trade's entry bar to its exit bar, over every bar of the data.
    assert ours.exposure * 100 == pytest.approx(peer["Exposure Time [%]"], abs=1e-9)


def test_the_money_statistics_follow_from_the_trades_by_hand(
    erasmo_trades: pd.DataFrame,
) -> None:
    """Profit factor and payoff in money (not in backtesting.py's stats): from the list."""
    ours = trade_statistics(erasmo_trades)
    pnl = erasmo_trades["pnl"].tolist()
    wins = [p for p in pnl if p > 0]
    losses = [p for p in pnl if p < 0]
    assert ours.profit_factor == pytest.approx(sum(wins) / -sum(losses))
    assert ours.payoff_ratio == pytest.approx(
        (sum(wins) / len(wins)) / (-sum(losses) / len(losses))
    )
    assert math.isfinite(ours.sqn)


def test_one_ticker_of_a_mixed_journal_has_backtesting_pys_statistics(
    peer: pd.Series, market: BundledMarketData, bars: pd.DataFrame
) -> None:
    """The GOOG trades among IBM ones, kept by the journal's ticker filter (what `erasmo stats
    --ticker GOOG` and the tab read), are the one-instrument backtest's: same statistics."""
    from erasmo.journal.filters import selected

    closes = {day.date(): Decimal(repr(close)) for day, close in bars["Close"].items()}
    ibm = {b.day: b.close for b in market.bars("IBM", START, END)}
    records: list[dict[str, Any]] = [
        {"type": "PortfolioOpened", "on": START},
        {"type": "CashDeposited", "on": START, "amount": 1_000_000},
    ]
    for i, (day, shares) in enumerate(ORDERS):
        kind = "SharesBought" if shares > 0 else "SharesSold"
        trade = {"type": kind, "on": day, "quantity": abs(shares)}
        records.append({**trade, "ticker": "GOOG", "price": closes[day]})
        if i % 2 == 0:  # an IBM buy beside every other GOOG order, sold the same day as the next
            records.append({"type": "SharesBought", "on": day, "ticker": "IBM", "quantity": 5,
                            "price": ibm[day]})  # fmt: skip
        else:
            records.append({"type": "SharesSold", "on": day, "ticker": "IBM", "quantity": 5,
                            "price": ibm[day]})  # fmt: skip
    mixed = round_trips(event_frame(records), market, on=bars.index[-2].date())
    goog = selected(mixed, ticker="goog")
    assert len(mixed) > len(goog) == peer["# Trades"]
    ours = trade_statistics(goog, days=pd.DatetimeIndex(bars.index))
    assert ours.win_rate * 100 == pytest.approx(peer["Win Rate [%]"], abs=1e-9)
    assert ours.profit_factor_pct == pytest.approx(peer["Profit Factor"], rel=1e-4)
    assert ours.expectancy_pct * 100 == pytest.approx(peer["Expectancy [%]"], abs=1e-4)
    assert ours.sqn == pytest.approx(peer["SQN"], rel=1e-4)
