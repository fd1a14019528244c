"""How long a 20-ticker daily strategy over 20 years takes as an erasmo backtest, events
recorded, beside backtrader running the same strategy on the same bars in the same process.

The strategy: every month, on its first trading day, sell what is above an equal weight of the
20 bundled stocks (1/20 of the value each), and on the next day buy what is below it, with
market orders (filled at the next bar; the bundled stocks have closes only, so at that close).
erasmo runs it through `erasmo.strategy.runner.run_backtest` (a scratch store, then one
all-or-nothing import into the store of a fresh data directory); backtrader runs the same rule
with `order_target_value` on the same closes (`backtrader` is installed separately:
`pip install backtrader`; without it only erasmo's figure is printed).

    python bench/backtest.py [--years 20] [--runs 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import synthetic

from erasmo.bootstrap import bootstrap
from erasmo.market.bundled import BundledMarketData
from erasmo.strategy.runner import BacktestSpec, run_backtest

TICKERS = synthetic.TICKERS  # the same 20 bundled stocks the synthetic stores trade
CASH = 1_000_000

SOURCE = """
from decimal import Decimal
from erasmo.strategy import Context, Param, Strategy


class EqualWeight(Strategy):
    params = (Param("tickers", str, "{tickers}"),)

    def on_start(self, ctx: Context) -> None:
        self.month = None
        self.buy_next_bar = False

    def on_bar(self, ctx: Context) -> None:
        tickers = self.tickers.split(",")
        each = Decimal(1) / len(tickers)
        if self.buy_next_bar:
            self.buy_next_bar = False
            value = ctx.value
            for ticker in tickers:
                if ctx.position(ticker) * ctx.close(ticker) < each * value:
                    ctx.target_weight(ticker, each)
            return
        if (ctx.day.year, ctx.day.month) == self.month:
            return
        self.month = (ctx.day.year, ctx.day.month)
        value = ctx.value
        for ticker in tickers:
            if ctx.position(ticker) * ctx.close(ticker) > each * value:
                ctx.target_weight(ticker, each)
        self.buy_next_bar = True
""".replace("{tickers}", ",".join(TICKERS))


def run_erasmo(start: date, end: date) -> tuple[float, int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "equal_weight.py"
        path.write_text(SOURCE, encoding="utf-8")
        erasmo = bootstrap(Path(tmp) / "data", offline=True)
        try:
            spec = BacktestSpec(
                str(path), SOURCE, "EqualWeight", {}, str(CASH), start, end, name="Bench"
            )
            began = time.perf_counter()
            result = run_backtest(erasmo.door, spec)
            seconds = time.perf_counter() - began
        finally:
            erasmo.close()
    return seconds, result.events, result.final_value


def run_backtrader(start: date, end: date) -> tuple[float, float] | None:
    try:
        import backtrader as bt
    except ImportError:
        return None
    import pandas as pd

    market = BundledMarketData()
    began = time.perf_counter()
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.broker.setcash(CASH)
    cerebro.broker.set_coc(False)
    for ticker in TICKERS:
        bars = market.bars(ticker, start, end)
        closes = [float(b.close) for b in bars]
        frame = pd.DataFrame(
            {"open": closes, "high": closes, "low": closes, "close": closes, "volume": 0.0},
            index=pd.DatetimeIndex([pd.Timestamp(b.day) for b in bars]),
        )
        cerebro.adddata(bt.feeds.PandasData(dataname=frame), name=ticker)

    class EqualWeight(bt.Strategy):  # type: ignore[misc]
        def __init__(self) -> None:
            self.month: tuple[int, int] | None = None
            self.buy_next_bar = False

        def next(self) -> None:
            day = self.datas[0].datetime.date(0)
            value = self.broker.getvalue()
            each = value / len(self.datas)
            if self.buy_next_bar:
                self.buy_next_bar = False
                for data in self.datas:
                    if self.getposition(data).size * data.close[0] < each:
                        self.order_target_value(data, each)
                return
            if (day.year, day.month) == self.month:
                return
            self.month = (day.year, day.month)
            for data in self.datas:
                if self.getposition(data).size * data.close[0] > each:
                    self.order_target_value(data, each)
            self.buy_next_bar = True

    cerebro.addstrategy(EqualWeight)
    cerebro.run()
    return time.perf_counter() - began, cerebro.broker.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    start, end = date(2000, 1, 3), date(1999 + args.years, 12, 31)
    BundledMarketData().bars(TICKERS[0])  # parse the bundled files before timing
    print(f"{len(TICKERS)} tickers, {start} to {end}, monthly equal-weight rebalancing")
    for run in range(1, args.runs + 1):
        seconds, events, value = run_erasmo(start, end)
        print(f"run {run}: erasmo     {seconds:7.2f} s, {events:,} events recorded, value {value}")
        peer = run_backtrader(start, end)
        if peer is None:
            print("         backtrader not installed (pip install backtrader)")
        else:
            print(f"run {run}: backtrader {peer[0]:7.2f} s, value {peer[1]:,.2f}")


if __name__ == "__main__":
    main()
