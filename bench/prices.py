"""Live prices: a cold fetch (yfinance + checks + one cache transaction) against a read from the
price cache, and the cache's size.

Yahoo is replayed at yfinance's HTTP layer (as in the tests), so the figures measure erasmo and
yfinance, not the network:
- "recorded": tests/data/yahoo/split.json (NVDA, 8 days, a split and a dividend);
- "history": a generated 27-year daily history (about 7,000 bars, a random walk) in the same
  format, the size of a real first fetch of a ticker listed in 1999.

    python bench/prices.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "erasmo")]

import pytest  # noqa: E402
from yahoo_replay import Scenario, install, payload  # noqa: E402

from erasmo.market.bundled import BundledMarketData  # noqa: E402
from erasmo.market.cache import PriceCache  # noqa: E402
from erasmo.market.chain import SourceChain  # noqa: E402
from erasmo.market.yahoo import YahooProvider  # noqa: E402

NOW = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)


def generated_history(symbol: str, first: date, last: date) -> str:
    """A Yahoo chart payload of every weekday from `first` to `last` (a seeded random walk)."""
    data = payload("normal")
    result = data["chart"]["result"][0]
    result["meta"]["symbol"] = symbol
    rng = random.Random(1)
    stamps, opens, highs, lows, closes, volumes = [], [], [], [], [], []
    price, day = 20.0, first
    while day <= last:
        if day.weekday() < 5:
            stamps.append(
                int(datetime(day.year, day.month, day.day, 14, 30, tzinfo=UTC).timestamp())
            )
            move = price * rng.gauss(0, 0.02)
            opens.append(round(price, 2))
            price = max(1.0, price + move)
            closes.append(round(price, 2))
            highs.append(round(max(opens[-1], price) * 1.01, 2))
            lows.append(round(min(opens[-1], price) * 0.99, 2))
            volumes.append(rng.randrange(10**6, 10**8))
        day += timedelta(days=1)
    result["timestamp"] = stamps
    result["indicators"] = {
        "quote": [{"open": opens, "high": highs, "low": lows, "close": closes, "volume": volumes}],
        "adjclose": [{"adjclose": closes}],
    }
    result.pop("events", None)
    return json.dumps(data)


def chain_over(data: Path, bundled: BundledMarketData) -> SourceChain:
    cache = PriceCache(data / "prices.sqlite")
    yahoo = YahooProvider(data / "yfinance", cache, clock=NOW.timestamp)
    return SourceChain(bundled, cache, yahoo, now=lambda: NOW)


def measure(
    symbol: str, runs: int, bundled: BundledMarketData
) -> tuple[list[float], list[float], int, int]:
    cold, warm = [], []
    size = bars = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder)
            patch = pytest.MonkeyPatch()
            install(patch).scenarios.update(SCENARIOS)
            try:
                started = time.perf_counter()
                chain = chain_over(data, bundled)
                bars = len(chain.bars(symbol))
                cold.append(time.perf_counter() - started)
                chain.cache.close()
                started = time.perf_counter()
                again = chain_over(data, bundled)
                assert len(again.bars(symbol)) == bars
                warm.append(time.perf_counter() - started)
                size = again.cache.size()
                again.cache.close()
            finally:
                patch.undo()
    return cold, warm, size, bars


SCENARIOS: dict[str, Scenario] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    import yfinance  # noqa: F401

    print(f"import yfinance (and pandas): {time.perf_counter() - started:.2f} s, once per process")
    SCENARIOS["NVDA"] = Scenario("split")
    SCENARIOS["HIST"] = Scenario(
        body=generated_history("HIST", date(1999, 1, 22), date(2026, 11, 25))
    )
    bundled = BundledMarketData()
    for symbol, what in (("NVDA", "recorded"), ("HIST", "history")):
        cold, warm, size, bars = measure(symbol, args.runs, bundled)
        first, again = statistics.median(cold), statistics.median(warm)
        print(
            f"{what:>8} {symbol}: {bars:,} bars; cold fetch {first * 1000:,.1f} ms, "
            f"cached read {again * 1000:,.1f} ms ({first / again:,.0f}x); "
            f"cache file {size / 1024:,.0f} KB (medians of {args.runs})"
        )


if __name__ == "__main__":
    main()
