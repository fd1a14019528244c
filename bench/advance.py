"""How long `advance` takes to step one portfolio with 100 open orders through 20 years of bars.

A simulation portfolio opened on 2000-01-03 holds shares of 10 bundled tickers and has 100 open
GTC orders over them (buy and sell limits, stops, stop-limits and trailing stops, some that fill
along the way and some that never do). One `advance --to 2019-12-31` (5,030 trading days)
processes them all and records what happened in one save. Each timed advance runs in a freshly
bootstrapped process state (the store reopened, the tickers' bar arrays built again from the
market data); the first run also parses the bundled price files, so it is shown apart.
Printed: those times (goal: under 2 s) and what the advance recorded.

    python bench/advance.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from erasmo.bootstrap import bootstrap
from erasmo.market.bundled import BundledMarketData

TICKERS = ("AAPL", "AMD", "BAC", "BBY", "CVX", "GE", "HD", "JNJ", "JPM", "KO")
START, END = date(2000, 1, 3), date(2019, 12, 31)


def build(folder: Path, market: BundledMarketData) -> object:
    erasmo = bootstrap(folder, market=market, today=lambda: date(2026, 11, 26))
    sim, trading = erasmo.simulation, erasmo.trading
    bench = sim.open_portfolio("Bench", "100000000", START, "simulation", "0.005/share,min=1", "5")
    for ticker in TICKERS:
        trading.buy(bench, ticker, "1000")
    placed = 0
    for round_ in range(10):
        for ticker in TICKERS:
            close = market.bar(ticker, START).close  # type: ignore[union-attr]

            def at(share: str, close: Decimal = close) -> str:
                return str((close * Decimal(share)).quantize(Decimal("0.01")))

            kind = round_ % 5
            if kind == 0:  # a buy limit far below: fills in a deep fall, or never
                args = {"side": "buy", "kind": "limit", "limit": at(f"0.{3 + round_ // 5}")}
            elif kind == 1:  # a sell limit far above
                args = {"side": "sell", "kind": "limit", "limit": at(f"{3 + round_}")}
            elif kind == 2:  # a buy stop above
                args = {"side": "buy", "kind": "stop", "stop": at("2.5")}
            elif kind == 3:  # a buy stop-limit
                args = {"side": "buy", "kind": "stop-limit", "stop": at("1.5"), "limit": at("1.6")}
            else:  # a trailing stop on the shares held
                args = {"side": "sell", "kind": "trailing", "trail": f"{30 + round_}%"}
            side = args.pop("side")
            kind_name = args.pop("kind")
            sim.place_order(bench, side, ticker, "10", kind_name, tif="gtc", **args)  # type: ignore[arg-type]
            placed += 1
    assert placed == 100
    return erasmo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_market = BundledMarketData()
    times: list[float] = []
    report = None
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="erasmo-bench-") as folder:
            build(Path(folder), setup_market).close()  # type: ignore[attr-defined]
            # The first timed run starts from a market that has read no price file yet.
            market = BundledMarketData() if run == 0 else setup_market
            fresh = bootstrap(Path(folder), market=market, today=lambda: date(2026, 11, 26))
            started = time.perf_counter()
            report = fresh.simulation.advance(fresh.trading.resolve("Bench"), to=END)
            times.append(time.perf_counter() - started)
            fresh.close()
    assert report is not None
    print(
        f"advance of 1 portfolio with 100 open orders, {report.start} -> {report.end} "
        f"({report.trading_days} trading days):"
    )
    print(f"  first run (parses the bundled price files too): {times[0]:.3f} s")
    rest = times[1:] or times
    print(
        f"  median of {len(rest)} more runs on fresh stores: {statistics.median(rest):.3f} s "
        f"(min {min(rest):.3f}, max {max(rest):.3f}; goal < 2 s)"
    )
    print(
        f"  recorded: {len(report.filled)} fills, {len(report.expired)} expiries, "
        f"{len(report.rejected)} rejections, {report.open_orders} orders still open"
    )


if __name__ == "__main__":
    main()
