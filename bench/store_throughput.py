"""Events/s of recording trades through the application, and of reading them back.

Prints, for a SQLite file store (and PostgreSQL with --postgres URL):
- one save per command: each buy/sell is its own transaction (what the CLI and GUI do);
- batched: many commands on one portfolio, saved in one transaction every --batch events;
- reading back: the whole log in bulk (LogReader, raw rows), decoded into event fields, and
  rebuilding the aggregate through eventsourcing's repository.

    python bench/store_throughput.py [--trades 100000] [--single 100000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from events.application import Portfolios
from events.store import StoreConfig
from events.values import PriceProvenance

TICKERS = ["AAPL", "MSFT", "KO", "PG", "XOM"]


def commands(n: int, start: date) -> list[tuple[str, str, Decimal, Decimal, date]]:
    """n alternating buys and sells (each sell undoes the buy before it), one per day."""
    out = []
    for i in range(n):
        ticker = TICKERS[(i // 2) % len(TICKERS)]
        side = "buy" if i % 2 == 0 else "sell"
        price = Decimal(100 + (i % 50)) + Decimal("0.25")
        out.append((side, ticker, Decimal(1), price, start + timedelta(days=i // 50)))
    return out


def record_single(app: Portfolios, n: int) -> float:
    pid = app.open_portfolio("single", date(1990, 1, 2), Decimal(10_000_000))
    started = time.perf_counter()
    for side, ticker, qty, price, day in commands(n, date(1990, 1, 2)):
        provenance = PriceProvenance("bench", day, True)
        if side == "buy":
            app.buy(pid, ticker, qty, price, day, provenance)
        else:
            app.sell(pid, ticker, qty, price, day, provenance)
    return n / (time.perf_counter() - started)


def record_batched(app: Portfolios, n: int, batch: int) -> float:
    pid = app.open_portfolio("batched", date(1990, 1, 2), Decimal(10_000_000))
    portfolio = app.portfolio(pid)
    started = time.perf_counter()
    for i, (side, ticker, qty, price, day) in enumerate(commands(n, date(1990, 1, 2)), 1):
        provenance = PriceProvenance("bench", day, True)
        if side == "buy":
            portfolio.buy(ticker, qty, price, day, provenance)
        else:
            portfolio.sell(ticker, qty, price, day, provenance)
        if i % batch == 0:
            app.save(portfolio)
    app.save(portfolio)
    return n / (time.perf_counter() - started)


def read_back(app: Portfolios) -> tuple[float, float, float, int]:
    total = app.event_count()
    started = time.perf_counter()
    rows = sum(len(b) for b in app.reader.rows())
    raw_rate = rows / (time.perf_counter() - started)
    started = time.perf_counter()
    decoded = 0
    for batch in app.reader.rows():
        for _, _, _, topic, state in batch:
            app.decode(topic, state)
            decoded += 1
    decode_rate = decoded / (time.perf_counter() - started)
    pid = app.find("batched")
    started = time.perf_counter()
    portfolio = None
    for event in app.events.get(pid):  # eventsourcing's own replay, no snapshot, no cache
        portfolio = event.mutate(portfolio)
    assert portfolio is not None
    replay_rate = portfolio.version / (time.perf_counter() - started)
    assert rows == decoded == total
    return raw_rate, decode_rate, replay_rate, total


def run(store: StoreConfig, trades: int, single: int, batch: int) -> None:
    app = Portfolios(store)
    print(f"store: {store.describe()}")
    rate = record_single(app, single)
    print(f"  record, one save per command : {rate:10,.0f} events/s  ({single:,} trades)")
    rate = record_batched(app, trades, batch)
    print(f"  record, batched ({batch:,}/save)   : {rate:10,.0f} events/s  ({trades:,} trades)")
    raw, decoded, replay, total = read_back(app)
    print(f"  read back, raw rows          : {raw:10,.0f} events/s  ({total:,} events)")
    print(f"  read back, decoded fields    : {decoded:10,.0f} events/s")
    print(f"  replay one aggregate (repo)  : {replay:10,.0f} events/s")
    app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--postgres", metavar="URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(StoreConfig.sqlite(Path(tmp) / "bench.sqlite"), args.trades, args.single, args.batch)
    if args.postgres:
        run(StoreConfig.from_url(args.postgres), args.trades, args.single, args.batch)


if __name__ == "__main__":
    main()
