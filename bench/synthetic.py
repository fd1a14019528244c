"""A realistic synthetic trading history, written into a real store through the application.

Trades the 20 bundled large caps on their real adjusted closes over 20 years (2003-2022), with a
deposit at the start of every month; buys and sells keep every rule (cash and shares never
negative), and saves are batched so that a million trades take minutes, not hours.
"""

from __future__ import annotations

import random
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from erasmo.market.bundled import BundledMarketData
from events.application import Portfolios
from events.store import StoreConfig
from events.values import PriceProvenance

TICKERS = [
    "AAPL",
    "AMD",
    "BAC",
    "BBY",
    "CVX",
    "GE",
    "HD",
    "JNJ",
    "JPM",
    "KO",
    "LLY",
    "MRK",
    "MSFT",
    "PEP",
    "PFE",
    "PG",
    "RRC",
    "UNH",
    "WMT",
    "XOM",
]
START = date(2003, 1, 2)
END = date(2022, 12, 28)


def generate(
    app: Portfolios, trades: int, *, name: str = "Synthetic", seed: int = 7, batch: int = 2_000
) -> None:
    """Record `trades` trades (plus monthly deposits) into a new portfolio called `name`."""
    rng = random.Random(seed)
    market = BundledMarketData()
    days = [d for d in market.trading_days("AAPL") if START <= d <= END]
    closes = {t: {b.day: b.close for b in market.bars(t, START, END)} for t in TICKERS}
    per_day = max(1, -(-trades // len(days)))
    first = days[0]
    pid = app.open_portfolio(name, first, Decimal(100_000))
    portfolio = app.portfolio(pid)
    monthly = Decimal(5_000)
    done = pending = 0
    month = (first.year, first.month)
    for day in days:
        if done >= trades:
            break
        if (day.year, day.month) != month:
            month = (day.year, day.month)
            portfolio.deposit(monthly, day)
            pending += 1
        for _ in range(min(per_day, trades - done)):
            ticker = rng.choice(TICKERS)
            price = closes[ticker].get(day)
            if price is None:
                continue
            provenance = PriceProvenance("bundled:skfolio", day, True)
            held = portfolio.shares.get(ticker, Decimal(0))
            if held > 0 and rng.random() < 0.45:
                quantity = min(held, Decimal(rng.randint(1, 20)))
                portfolio.sell(ticker, quantity, price, day, provenance)
            else:
                quantity = Decimal(rng.randint(1, 20))
                if quantity * price + 1 > portfolio.cash:
                    portfolio.deposit(
                        Decimal(10_000) + (quantity * price).quantize(Decimal(1)), day
                    )
                    pending += 1
                portfolio.buy(ticker, quantity, price, day, provenance, Decimal(1))
            done += 1
            pending += 1
            if pending >= batch:
                app.save(portfolio)
                pending = 0
    app.save(portfolio)


def synthetic_store(trades: int, folder: Path) -> Path:
    """A SQLite store in `folder` holding `generate(trades)` (made once, then reused).

    It is generated under a temporary name and renamed when complete, so an interrupted run
    never leaves a partial store behind under the real name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synthetic-{trades}.sqlite"
    if not path.exists():
        partial = path.with_suffix(".partial")
        for leftover in folder.glob(partial.name + "*"):
            leftover.unlink()
        app = Portfolios(StoreConfig.sqlite(partial))
        started = time.perf_counter()
        generate(app, trades)
        app.close()
        print(f"  generated {trades:,} trades in {time.perf_counter() - started:.0f} s")
        partial.rename(path)
        for suffix in ("-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
    return path
