"""The journal's read: one `trade_journal` (one matching of the round trips, with the filters,
the statistics and the monthly P&L) against what the Journal tab did before it (`trades` then
`trade_stats`: two matchings), on a real SQLite store of N round trips on the bundled prices.

It prints the median wall time of several runs of each, and of a filtered read (one ticker,
the losers) as the tab makes on each filter change.

    python bench/journal_read.py [--trades 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(data: Path, trades: int) -> tuple[Any, Any]:
    """erasmo over `data` with a portfolio of `trades` round trips (a buy, then its sale two
    trading days later) spread over eight bundled tickers."""
    from erasmo.bootstrap import bootstrap
    from erasmo.market.bundled import BundledMarketData

    erasmo = bootstrap(data, market=BundledMarketData())  # offline: the bundled prices only
    door = erasmo.door
    tickers = ("AAPL", "IBM", "MSFT", "KO", "JNJ", "PG", "XOM", "WMT")
    first = max(erasmo.market.trading_days(t)[0] for t in tickers)
    last = min(erasmo.market.trading_days(t)[-1] for t in tickers)
    common = set.intersection(*(set(erasmo.market.trading_days(t)) for t in tickers))
    days = sorted(d for d in common if first <= d <= last)
    pid = door.open_portfolio("Bench", "10000000", first).id
    for i in range(trades // len(tickers)):  # the buys of a round, then their sales
        buy, sell = days[i * 4], days[i * 4 + 2]
        for ticker in tickers:
            door.buy(pid, ticker, "10", buy, tags="bench" if i % 3 else "")
        for ticker in tickers:
            door.sell(pid, ticker, "10", sell)
    return erasmo, pid


def timed(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trades", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        erasmo, pid = build(Path(tmp) / "data", args.trades)
        door = erasmo.door
        print(f"built {args.trades} round trips in {time.perf_counter() - started:.1f} s")
        count = len(door.trades(pid))
        print(f"trades matched: {count}")

        def before() -> None:  # the tab's read before: two matchings
            door.trades(pid)
            door.trade_stats(pid)

        figures = {
            "trades + trade_stats (two matchings, before)": timed(before, args.runs),
            "trade_journal (one matching, now)": timed(lambda: door.trade_journal(pid), args.runs),
            "trade_journal, ticker IBM, losers": timed(
                lambda: door.trade_journal(pid, ticker="IBM", outcome="losers"), args.runs
            ),
            "trades only (one matching, no statistics)": timed(lambda: door.trades(pid), args.runs),
        }
        for name, seconds in figures.items():
            print(f"{name:48s} {seconds * 1000:8.1f} ms (median of {args.runs})")
        erasmo.close()


if __name__ == "__main__":
    main()
