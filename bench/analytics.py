"""Analytics at scale: a synthetic history of N trades in a real SQLite store, then the rebuild of
every projection, one new trade reflected everywhere, and peak memory.

For each size (default 10k, 100k, 1M trades over the 20 bundled large caps, 20 years, monthly
deposits) it prints medians of several runs, each figure beside its floor measured in the same
run (the runs of a figure and of its floor alternate, so a busy machine slows both alike):
- cold rebuild: decode every event from the store into the event frame, then every projection
  (holdings FIFO and average, cash and value series, metrics with benchmark, monthly table),
  wall and CPU time and peak RSS of a fresh process; floor: a fresh process that fetches every
  stored event from SQLite and runs orjson.loads on each state;
- warm rebuild: the same, with the event frame from the columnar cache in the data directory;
- one new trade: saved through the application (timed apart), then reflected in holdings,
  value series and metrics (the incremental path the GUI and the CLI use), 50th and 90th
  percentiles; floor: fetching that one stored row and orjson.loads of its state;
- with --cli: whole `erasmo holdings` and `erasmo performance` processes on the 10k store,
  beside a bare `python -c "import pandas, click, eventsourcing"` (wall and CPU time; with the
  bytecode cached as in an installed erasmo, then in the environment as given).

Generated stores are kept in bench/out/ (or the folder given with --stores) so later runs skip
the generation.

    python bench/analytics.py [--sizes 10000,100000,1000000] [--runs 3] [--stores DIR] [--cli]
    python bench/analytics.py --sizes "" --cli --runs 9    # the CLI processes only
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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

    return synthetic_store(trades, STORES[0])


#: The folder of the generated stores (`--stores`; bench/out by default).
STORES = [OUT]


def rebuild(store: Path, cache_dir: Path | None) -> dict[str, float]:
    """Time loading the event frame and computing every projection once, in this process."""
    from erasmo.analytics import Analytics
    from erasmo.market.bundled import BundledMarketData
    from events.application import Portfolios
    from events.store import StoreConfig

    app = Portfolios(StoreConfig.sqlite(store))
    analytics = Analytics(app, BundledMarketData(), cache_dir)
    analytics.prices()  # the price frame is loaded once per process; not part of a rebuild
    started, cpu = time.perf_counter(), time.process_time()
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
        "cpu": time.process_time() - cpu,
    }


def floor(store: Path) -> dict[str, float]:
    """The read floor: fetch every stored event from SQLite and orjson.loads each state."""
    import sqlite3

    import orjson

    started, cpu = time.perf_counter(), time.process_time()
    with sqlite3.connect(store) as db:
        sql = "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
        for row in db.execute(sql):
            orjson.loads(row[4])
    return {"total": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def child(mode: str, store: Path, cache_dir: str) -> None:
    """Run one rebuild (or the floor) in this fresh process; print timings and peak RSS."""
    if mode == "floor":
        figures = floor(store)
    else:
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


def one_new_trade(
    store: Path, cache_dir: Path, count: int
) -> tuple[list[float], list[float], list[float]]:
    """Per trade: seconds to save it, seconds from saved to reflected in holdings, value series
    and metrics, and the floor (fetching its stored row and orjson.loads of its state)."""
    import orjson

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
    analytics.value(pid)
    analytics.performance(pid)
    day = app.portfolio(pid).clock
    provenance = PriceProvenance("bench", day, True)
    saves, reflected, floors = [], [], []
    for i in range(count):
        started = time.perf_counter()
        app.buy(pid, "KO", Decimal(1), Decimal("50.00") + i, day, provenance)
        saved = time.perf_counter()
        analytics.refresh()
        analytics.snapshot(pid)
        analytics.value(pid)
        analytics.performance(pid)
        done = time.perf_counter()
        for batch in app.reader.rows(after=app.reader.head() - 1):
            orjson.loads(batch[0][4])
        floors.append(time.perf_counter() - done)
        saves.append(saved - started)
        reflected.append(done - saved)
    app.close()
    return saves, reflected, floors


def cli_processes(runs: int) -> None:
    """Whole `erasmo holdings` / `performance` processes on the 10k store, beside a bare import
    of what every command needs (runs alternate; medians of wall and CPU time).

    Twice: with the bytecode of every module cached, as in an installed erasmo (pip compiles it
    at install; here the children write it to a temporary PYTHONPYCACHEPREFIX during the warm-up
    run, the bare import's modules alike), then in the environment as given (where
    PYTHONDONTWRITEBYTECODE=1 makes every run compile erasmo's modules from source)."""
    store = store_for(10_000)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        shutil.copy(store, data / "events.sqlite")
        base = [sys.executable, "-m", "erasmo", "--data-dir", str(data), "--offline"]
        commands = {
            "bare import": [sys.executable, "-c", "import pandas, click, eventsourcing"],
            "holdings": [*base, "holdings", "Synthetic"],
            "performance": [*base, "performance", "Synthetic"],
        }
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        given = os.environ.get("PYTHONDONTWRITEBYTECODE")
        for label, env in (
            ("bytecode cached, as installed", cached),
            (f"environment as given, PYTHONDONTWRITEBYTECODE={given}", dict(os.environ)),
        ):
            _cli_figures(label, commands, env, runs)


def _cli_figures(
    label: str, commands: dict[str, list[str]], env: dict[str, str], runs: int
) -> None:
    """Time the commands in turn, `runs` times after a warm-up (which writes the price and
    event-frame caches, and the bytecode where allowed); print medians beside the first."""
    for command in commands.values():
        subprocess.run(command, check=True, capture_output=True, env=env)
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=env)
            wall[name].append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    bare, bare_cpu = statistics.median(wall["bare import"]), statistics.median(cpu["bare import"])
    print(f"10,000 trades, whole processes, {label} (median of {runs}):")
    print(f"  bare import pandas, click, eventsourcing: {bare:.2f} s wall, {bare_cpu:.2f} s CPU")
    for name in ("holdings", "performance"):
        took, used = statistics.median(wall[name]), statistics.median(cpu[name])
        print(
            f"  erasmo {name:<12}: {took:.2f} s wall = {took / bare:.2f}x, {used:.2f} s CPU = "
            f"{used / bare_cpu:.2f}x the bare import"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--trades", type=int, default=20, help="new trades timed per size")
    parser.add_argument("--cli", action="store_true", help="also time whole CLI processes")
    parser.add_argument("--stores", type=Path, default=OUT, help="folder of the generated stores")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "STORE", "CACHE"))
    args = parser.parse_args()
    STORES[0] = args.stores
    if args.child:
        child(args.child[0], Path(args.child[1]), args.child[2])
        return
    for size in (int(s) for s in args.sizes.split(",") if s):
        one_size(size, args.runs, args.trades)
    if args.cli:
        cli_processes(max(args.runs, 5))


def one_size(size: int, runs: int, count: int) -> None:
    print(f"{size:,} trades")
    store = store_for(size)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        cold: list[dict[str, float]] = []
        floors: list[dict[str, float]] = []
        for _ in range(runs):  # alternate, so the load of a shared machine hits both alike
            cold.append(in_fresh_process("cold", store, cache))
            floors.append(in_fresh_process("floor", store, cache))
        in_fresh_process("warm", store, cache)  # writes the cache
        warm = [in_fresh_process("warm", store, cache) for _ in range(runs)]
        saves, reflected, trade_floors = one_new_trade(store, Path(tmp), count)

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    wall, cpu = med(floors, "total"), med(floors, "cpu")
    print(f"  events in the store         : {int(cold[0]['events']):,}")
    print(
        f"  cold rebuild (from store)   : {med(cold, 'total'):6.2f} s wall, "
        f"{med(cold, 'cpu'):.2f} s CPU (decode {med(cold, 'load'):.2f} s + projections "
        f"{med(cold, 'project'):.2f} s), peak RSS {max(r['rss_mb'] for r in cold):.0f} MB"
    )
    print(
        f"  floor (fetch + orjson.loads): {wall:6.2f} s wall, {cpu:.2f} s CPU, peak RSS "
        f"{max(r['rss_mb'] for r in floors):.0f} MB  -> cold/floor "
        f"{med(cold, 'total') / wall:.2f}x wall, {med(cold, 'cpu') / cpu:.2f}x CPU"
    )
    print(
        f"  warm rebuild (frame cache)  : {med(warm, 'total'):6.2f} s  (load "
        f"{med(warm, 'load'):.2f} s + projections {med(warm, 'project'):.2f} s), "
        f"peak RSS {max(r['rss_mb'] for r in warm):.0f} MB"
    )

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[int(q * (len(ordered) - 1))] * 1000

    print(
        f"  one new trade reflected in holdings, value series, metrics: p50 "
        f"{pct(reflected, 0.5):.2f} ms, p90 {pct(reflected, 0.9):.2f} ms (saving it: p50 "
        f"{pct(saves, 0.5):.1f} ms; floor, its row fetched + orjson.loads: p50 "
        f"{pct(trade_floors, 0.5):.3f} ms)"
    )


if __name__ == "__main__":
    main()
