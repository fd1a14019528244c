"""The peer check: the SMA-crossover example against backtesting.py on the same bundled bars.

Both size each buy all-in (the most whole shares whose cost at the last close, rounded up to
the cent, plus the flat 1.00 fee fits the cash), both fill market orders at the next bar's
open, both charge 1.00 a fill, both refuse a buy whose cost at that open no longer fits the
cash. The trades (dates, sides, sizes, prices) and the final equity must agree to the cent.
GOOG has no split or dividend in this period, so nothing else moves the cash.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from backtesting import Backtest
from backtesting import Strategy as PeerStrategy

from erasmo.bootstrap import bootstrap
from erasmo.market.bundled import BundledMarketData
from erasmo.strategy.runner import run_backtest, spec_from_file

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

EXAMPLE = Path(__file__).parents[2] / "examples" / "strategies" / "sma_cross.py"
TICKER, FAST, SLOW = "GOOG", 20, 60
START, END = date(2005, 1, 3), date(2012, 12, 31)
CASH, FEE = Decimal(100_000), Decimal("1.00")


def all_in(cash: Decimal, close: Decimal) -> int:
    """The most whole shares whose cost at `close`, rounded up to the cent, plus the fee fit."""
    quantity = int((cash - FEE) // close)
    while quantity > 0 and math.ceil(quantity * close * 100) / Decimal(100) + FEE > cash:
        quantity -= 1
    return quantity


class PeerCross(PeerStrategy):  # type: ignore[misc]
    def init(self) -> None:
        pass

    def next(self) -> None:
        closes = pd.Series(self.data.Close[-(SLOW + 1) :])
        if len(closes) < SLOW + 1:
            return
        fast, slow = closes.rolling(FAST).mean(), closes.rolling(SLOW).mean()
        up = fast.iloc[-2] <= slow.iloc[-2] and fast.iloc[-1] > slow.iloc[-1]
        down = fast.iloc[-2] >= slow.iloc[-2] and fast.iloc[-1] < slow.iloc[-1]
        if up and not self.position:
            cash = Decimal(str(round(self.equity, 2)))
            size = all_in(cash, Decimal(str(self.data.Close[-1])))
            if size:
                self.buy(size=size)
        elif down and self.position:
            self.position.close()


@pytest.fixture(scope="module")
def bars() -> pd.DataFrame:
    found = BundledMarketData().bars(TICKER, START, END)
    return pd.DataFrame(
        {
            "Open": [float(b.open or b.close) for b in found],
            "High": [float(b.high or b.close) for b in found],
            "Low": [float(b.low or b.close) for b in found],
            "Close": [float(b.close) for b in found],
            "Volume": [float(b.volume or 0) for b in found],
        },
        index=pd.DatetimeIndex([pd.Timestamp(b.day) for b in found]),
    )


def test_sma_cross_matches_backtesting_py(tmp_path: Path, bars: pd.DataFrame) -> None:
    peer = Backtest(
        bars, PeerCross, cash=float(CASH), commission=lambda size, price: float(FEE)
    ).run()
    peer_fills = []
    for trade in peer._trades.itertuples():
        peer_fills.append((trade.EntryTime.date(), "buy", int(trade.Size), trade.EntryPrice))
        peer_fills.append((trade.ExitTime.date(), "sell", int(trade.Size), trade.ExitPrice))

    erasmo = bootstrap(tmp_path / "data", offline=True)
    try:
        spec = spec_from_file(
            EXAMPLE,
            "Cross",
            {"ticker": TICKER, "fast": str(FAST), "slow": str(SLOW)},
            cash=str(CASH),
            start=START,
            end=END,
            commission=str(FEE),
        )
        result = run_backtest(erasmo.door, spec)
        events = erasmo.door.history(result.portfolio_id)
        head = erasmo.door.head(result.portfolio_id)
    finally:
        erasmo.close()
    ours = [
        (
            e.on,
            "buy" if e.type == "SharesBought" else "sell",
            int(e.fields["quantity"]),
            float(e.fields["price"]),
        )
        for e in events
        if e.type in ("SharesBought", "SharesSold")
    ]
    open_trade = ours[len(peer_fills) :]  # a position still held at the end has no exit
    assert len(ours) >= 6  # the check means something only with several round trips
    assert ours[: len(peer_fills)] == peer_fills
    assert len(open_trade) <= 1
    last_close = Decimal(str(bars["Close"].iloc[-1]))
    held = sum((p.quantity for p in head.positions), Decimal(0))
    equity = head.cash + held * last_close
    assert equity == Decimal(str(round(peer["Equity Final [$]"], 2)))
