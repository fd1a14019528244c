"""Analytics at scale: a synthetic history of N trades in a real SQLite store, then the rebuild of
every projection, one new trade reflected everywhere, and peak memory.

For each size (default 10k, 100k, 1M trades over the 20 bundled large caps, 20 years, monthly
deposits) it prints medians of several runs:
- cold rebuild: decode every event from the store into the event frame, then every projection
  (holdings FIFO and average, cash and value series, metrics with benchmark, monthly table);
- warm rebuild: the same, with the event frame from the columnar cache in the data directory;
- one new trade: saved through the application, then reflected in holdings, value series and
  metrics (the incremental path the GUI uses), 50th and 90th percentiles;
- peak RSS of a cold and of a warm rebuild, each in a fresh process.

Generated stores are kept in bench/out/ so later runs skip the generation.

    python bench/analytics.py [--sizes 10000,100000,1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
OUT = ROOT / "bench" / "out"


def store_for(trades: int) -> Path:
    """A SQLite store holding a synthetic history of `trades` trades (generated once)."""
    from synthetic import synthetic_store

    return synthetic_store(trades, OUT)


def rebuild(store: Path, cache_dir: Path | None) -> dict[str, float]:
    """Time loading the event frame and computing every projection once, in this process."""
    from erasmo.analytics import Analytics
    from erasmo.market.bundled import BundledMarketData
    from events.application import Portfolios
    from events.store import StoreConfig

    app = Portfolios(StoreConfig.sqlite(store))
    analytics = Analytics(app, BundledMarketData(), cache_dir)
    analytics.prices()  # the price frame is loaded once per process; not part of a rebuild
    started = time.perf_counter()
    events = analytics.events()
    loaded = time.perf_counter()
    pid = app.find("Synthetic")
    analytics.snapshot(pid, method="fifo")
    analytics.snapshot(pid, method="average")
    analytics.value(pid)
    analytics.performance(pid, benchmark="^GSPC")
    analytics.monthly(pid)
    done = time.perf_counter()
    app.close()
    return {
        "load": loaded - started,
        "project": done - loaded,
        "total": done - started,
        "events": float(len(events)),
    }


def child(mode: str, store: Path, cache_dir: str) -> None:
    """Run one rebuild in this (fresh) process and print its timings and peak RSS as JSON."""
    import resource

    figures = rebuild(store, Path(cache_dir) if mode == "warm" else None)
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def in_fresh_process(mode: str, store: Path, cache_dir: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(store), str(cache_dir)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def one_new_trade(store: Path, cache_dir: Path, count: int) -> list[float]:
    """Seconds from saving one trade to having it in holdings, value series and metrics."""
    from erasmo.analytics import Analytics
    from erasmo.market.bundled import BundledMarketData
    from events.application import Portfolios
    from events.store import StoreConfig
    from events.values import PriceProvenance

    work = cache_dir / "work.sqlite"
    shutil.copy(store, work)
    app = Portfolios(StoreConfig.sqlite(work))
    analytics = Analytics(app, BundledMarketData(), cache_dir)
    pid = app.find("Synthetic")
    analytics.snapshot(pid)
    day = app.portfolio(pid).clock
    provenance = PriceProvenance("bench", day, True)
    timings = []
    for i in range(count):
        started = time.perf_counter()
        app.buy(pid, "KO", Decimal(1), Decimal("50.00") + i, day, provenance)
        analytics.refresh()
        analytics.snapshot(pid)
        analytics.value(pid)
        analytics.performance(pid)
        timings.append(time.perf_counter() - started)
    app.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--trades", type=int, default=20, help="new trades timed per size")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "STORE", "CACHE"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.child[2])
        return

    for size in (int(s) for s in args.sizes.split(",")):
        print(f"{size:,} trades")
        store = store_for(size)
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "cache"
            cold = [in_fresh_process("cold", store, cache) for _ in range(args.runs)]
            in_fresh_process("warm", store, cache)  # writes the cache
            warm = [in_fresh_process("warm", store, cache) for _ in range(args.runs)]
            trades = sorted(one_new_trade(store, Path(tmp), args.trades))
        events = int(cold[0]["events"])

        def med(rows: list[dict[str, float]], key: str) -> float:
            return statistics.median(r[key] for r in rows)

        print(f"  events in the store         : {events:,}")
        print(
            f"  cold rebuild (from store)   : {med(cold, 'total'):6.2f} s  (decode "
            f"{med(cold, 'load'):.2f} s + projections {med(cold, 'project'):.2f} s), "
            f"peak RSS {max(r['rss_mb'] for r in cold):.0f} MB"
        )
        print(
            f"  warm rebuild (frame cache)  : {med(warm, 'total'):6.2f} s  (load "
            f"{med(warm, 'load'):.2f} s + projections {med(warm, 'project'):.2f} s), "
            f"peak RSS {max(r['rss_mb'] for r in warm):.0f} MB"
        )
        p50 = statistics.median(trades) * 1000
        p90 = trades[int(0.9 * (len(trades) - 1))] * 1000
        print(f"  one new trade, saved + every projection: p50 {p50:.1f} ms, p90 {p90:.1f} ms")


if __name__ == "__main__":
    main()
