"""How long a live margin account takes to reach new market days (`FrontDoor.catch_up`).

A live margin account opened on START holds 500 shares of each of 10 bundled tickers on margin
(a debit balance) and 100 of each of 5 short; the market data is then seen up to END (a feed's
latest day moving on), and one `catch_up` walks the days between: the margin interest, the
borrow fees, a margin check at every close, recorded in one save. Each run is a fresh erasmo
over a fresh store; the first also parses the bundled price files, so it is shown apart. A
second `catch_up` records nothing and is timed too (what the CLI's `clock` and the window pay
when nothing is new).

    python bench/live_margin.py [--runs 5] [--days N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from erasmo.bootstrap import bootstrap
from erasmo.market.base import Bar, CorporateAction, TickerInfo
from erasmo.market.bundled import BundledMarketData

LONGS = ("AAPL", "AMD", "BAC", "BBY", "CVX", "GE", "HD", "JNJ", "JPM", "KO")
SHORTS = ("LLY", "MRK", "MSFT", "PEP", "PFE")
START = date(2012, 1, 3)
BUNDLED = BundledMarketData()


class UpTo:
    """The bundled data as a feed knew it on `cutoff`."""

    def __init__(self, cutoff: date) -> None:
        self.cutoff = cutoff

    def tickers(self) -> Sequence[TickerInfo]:
        return BUNDLED.tickers()

    def info(self, ticker: str) -> TickerInfo:
        return BUNDLED.info(ticker)

    def bar(self, ticker: str, day: date) -> Bar | None:
        return BUNDLED.bar(ticker, day) if day <= self.cutoff else None

    def bars(self, ticker: str, start: date | None = None, end: date | None = None) -> list[Bar]:
        return BUNDLED.bars(ticker, start, min(end or self.cutoff, self.cutoff))

    def trading_days(self, ticker: str | None = None) -> Sequence[date]:
        return [d for d in BUNDLED.trading_days(ticker) if d <= self.cutoff]

    def latest_date(self, ticker: str | None = None) -> date:
        return self.trading_days(ticker)[-1]

    def actions(
        self, ticker: str, start: date | None = None, end: date | None = None
    ) -> list[CorporateAction]:
        return BUNDLED.actions(ticker, start, min(end or self.cutoff, self.cutoff))


def run(folder: Path, end: date) -> tuple[float, float, int, str]:
    first = bootstrap(folder, market=UpTo(START), today=lambda: end)
    door = first.door
    pid = door.open_portfolio("Carry", "100000", account="margin").id
    for ticker in LONGS:
        door.buy(pid, ticker, "500")
    for ticker in SHORTS:
        door.sell(pid, ticker, "100")
    first.close()
    later = bootstrap(folder, market=UpTo(end), today=lambda: end)
    try:
        door = later.door
        before = time.perf_counter()
        report = door.catch_up(pid)
        walked = time.perf_counter() - before
        before = time.perf_counter()
        again = door.catch_up(pid)
        idle = time.perf_counter() - before
        assert report is not None
        assert report.margin is not None
        assert again is None
        m = report.margin
        what = f"interest {m.interest}, borrow fees {m.borrow_fee}, {len(m.calls)} calls"
        return walked, idle, report.trading_days, what
    finally:
        later.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--days", type=int, default=250, help="trading days to reach")
    args = parser.parse_args()
    days = [d for d in BUNDLED.trading_days(None) if d > START]
    end = days[args.days - 1]
    times: list[tuple[float, float]] = []
    for i in range(args.runs + 1):
        with tempfile.TemporaryDirectory() as folder:
            walked, idle, stepped, what = run(Path(folder), end)
        if i == 0:
            print(f"first run (parses the bundled files): {walked:.3f} s")
            continue
        times.append((walked, idle))
    print(f"catch_up {START} -> {end} ({stepped} trading days, 15 positions): {what}")
    walks, idles = [t[0] for t in times], [t[1] for t in times]
    print(
        f"  median {statistics.median(walks):.3f} s, min {min(walks):.3f} s, max {max(walks):.3f} s"
        f" over {args.runs} runs"
    )
    print(f"  nothing new (records nothing): median {statistics.median(idles) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
