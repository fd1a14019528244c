"""Analytics at scale on the PostgreSQL store: the cold rebuild beside its floor, before and
after the PostgreSQL column reader, and one new trade reflected everywhere.

For each size (default 10k and 100k trades; 1M with --sizes) the synthetic history of
`bench/synthetic.py` (generated once into a SQLite file in bench/out/) is copied row for row,
the same stored bytes under the same positions, into a PostgreSQL schema `erasmo_bench_<N>`
(kept, so later runs skip the copy; --reload copies again). `--via-app` writes the history
through the application instead (the path an install takes; slower), timing it. Then, medians
of several fresh processes, the runs of each figure and of its floor alternating:
- cold rebuild (column reader): decode every event into the event frame, then every projection
  (holdings FIFO and average, value series, metrics with benchmark, monthly table), wall and
  CPU time and peak RSS; the event frame is read by the PostgreSQL column reader;
- cold rebuild (general reader): the same with the general JSON Lines + Arrow reader, as every
  PostgreSQL store was read before the column reader;
- floor: fetch every stored event from PostgreSQL (psycopg, binary, in batches of a server-side
  cursor: the fastest fetch measured, bytea in text form takes 1.7x as long) and orjson.loads
  each state;
- CPU: this process's, and the PostgreSQL server's (every server process on this machine, read
  from /proc before and after: another program's queries meanwhile would count too);
- one new trade: saved through the application, then reflected in holdings, value series and
  metrics, p50 and p90 (on a copy of the schema, dropped afterwards).

    python bench/analytics_pg.py [--sizes 10000,100000] [--runs 3] [--trades 20]
        [--url postgresql://postgres@127.0.0.1:5432/test] [--reload] [--via-app]

The PostgreSQL server must run on this machine for its CPU to be counted.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
OUT = ROOT / "bench" / "out"
URL = "postgresql://postgres@127.0.0.1:5432/test"
#: The tables erasmo keeps its events and snapshots in, in a PostgreSQL schema.
EVENTS, SNAPSHOTS = "erasmo_events", "erasmo_snapshots"


def schema_url(url: str, schema: str) -> str:
    return f"{url}?schema={schema}"


def connect(url: str) -> Any:
    import psycopg

    from events.store import StoreConfig

    config = StoreConfig.from_url(url)
    return psycopg.connect(
        host=config.host, port=config.port, user=config.user, dbname=config.dbname
    )


def stored_count(url: str, schema: str) -> int:
    with connect(url) as conn:
        found = conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            [schema, EVENTS],
        ).fetchone()
        if found is None:
            return -1
        return int(conn.execute(f'SELECT count(*) FROM "{schema}".{EVENTS}').fetchone()[0])


def fresh_schema(url: str, schema: str) -> None:
    """An empty schema holding an empty erasmo store (the application creates its tables)."""
    from events.application import Portfolios
    from events.store import StoreConfig

    with connect(url) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{schema}"')
    Portfolios(StoreConfig.from_url(schema_url(url, schema))).close()


def copy_store(sqlite_store: Path, url: str, schema: str) -> float:
    """Copy every stored event and snapshot of the SQLite store into the schema; seconds."""
    started = time.perf_counter()
    fresh_schema(url, schema)
    source = sqlite3.connect(sqlite_store)
    with connect(url) as conn, conn.cursor() as cursor:
        columns = "originator_id, originator_version, topic, state"
        with cursor.copy(
            f'COPY "{schema}".{EVENTS} ({columns}, notification_id) FROM STDIN'
        ) as copy:
            rows = source.execute(f"SELECT {columns}, rowid FROM stored_events ORDER BY rowid")
            for oid, version, topic, state, seq in rows:
                copy.write_row((UUID(oid), version, topic, bytes(state), seq))
        with cursor.copy(f'COPY "{schema}".{SNAPSHOTS} ({columns}) FROM STDIN') as copy:
            for oid, version, topic, state in source.execute(
                f"SELECT {columns} FROM stored_snapshots"
            ):
                copy.write_row((UUID(oid), version, topic, bytes(state)))
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{schema}\".{EVENTS}', "
            f"'notification_id'), (SELECT max(notification_id) FROM \"{schema}\".{EVENTS}))"
        )
        cursor.execute(f'ANALYZE "{schema}".{EVENTS}')
    source.close()
    return time.perf_counter() - started


def generate_store(trades: int, url: str, schema: str) -> float:
    """Write the synthetic history through the application into the schema; seconds."""
    from synthetic import generate

    from events.application import Portfolios
    from events.store import StoreConfig

    fresh_schema(url, schema)
    started = time.perf_counter()
    app = Portfolios(StoreConfig.from_url(schema_url(url, schema)))
    generate(app, trades)
    app.close()
    return time.perf_counter() - started


def store_for(trades: int, url: str, reload: bool, via_app: bool) -> str:
    """The schema holding the synthetic history of `trades` trades (loaded once)."""
    from synthetic import synthetic_store

    schema = f"erasmo_bench_{trades}"
    sqlite_store = synthetic_store(trades, OUT)
    with sqlite3.connect(sqlite_store) as db:
        expected = int(db.execute("SELECT count(*) FROM stored_events").fetchone()[0])
    if reload or via_app or stored_count(url, schema) != expected:
        if via_app:
            took = generate_store(trades, url, schema)
            print(f"  wrote {trades:,} trades through the application in {took:.1f} s")
        else:
            took = copy_store(sqlite_store, url, schema)
            print(f"  copied {expected:,} stored events into PostgreSQL in {took:.1f} s")
    return schema


def server_cpu() -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL server process on this machine (by process id)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # gone meanwhile
        name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :]
        if name.startswith("postgres"):
            fields = rest.split()
            found[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick
    return found


def server_cpu_since(before: dict[int, float]) -> float:
    """The server's CPU seconds since `before` (processes started since count whole)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in server_cpu().items())


def rebuild(url: str, general: bool) -> dict[str, float]:
    """Time loading the event frame and computing every projection once, in this process."""
    from erasmo.analytics import Analytics
    from erasmo.market.bundled import BundledMarketData
    from erasmo.projections import source
    from events.application import Portfolios
    from events.store import StoreConfig

    if general:  # as before the column reader: only a SQLite store is read column by column
        source.has_column_reader = lambda app: bool(app.reader.is_sqlite)
    app = Portfolios(StoreConfig.from_url(url))
    analytics = Analytics(app, BundledMarketData(), None)
    analytics.prices()  # the price frame is loaded once per process; not part of a rebuild
    server = server_cpu()
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
    server_seconds = server_cpu_since(server)
    app.close()
    return {
        "load": loaded - started,
        "project": done - loaded,
        "total": done - started,
        "events": float(len(events)),
        "cpu": time.process_time() - cpu,
        "server_cpu": server_seconds,
    }


def floor(url: str) -> dict[str, float]:
    """The read floor: fetch every stored event from PostgreSQL (binary) and orjson.loads each
    state."""
    import orjson

    from events.store import StoreConfig

    schema = StoreConfig.from_url(url).schema
    server = server_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    with connect(url) as conn, conn.cursor(name="floor", binary=True) as cursor:
        cursor.itersize = 20_000
        cursor.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            f'FROM "{schema}".{EVENTS} ORDER BY notification_id'
        )
        for row in cursor:
            orjson.loads(row[4])
        server_seconds = server_cpu_since(server)
    return {
        "total": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "server_cpu": server_seconds,
    }


def child(mode: str, url: str) -> None:
    """Run one rebuild (or the floor) in this fresh process; print timings and peak RSS."""
    import resource

    figures = floor(url) if mode == "floor" else rebuild(url, general=mode == "general")
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def in_fresh_process(mode: str, url: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def one_new_trade(url: str, schema: str, count: int) -> tuple[list[float], list[float]]:
    """Per trade, on a copy of the schema: seconds to save it, and from saved to reflected in
    holdings, value series and metrics."""
    from erasmo.analytics import Analytics
    from erasmo.market.bundled import BundledMarketData
    from events.application import Portfolios
    from events.store import StoreConfig
    from events.values import PriceProvenance

    work = f"{schema}_work"
    fresh_schema(url, work)
    with connect(url) as conn:
        for table in (EVENTS, SNAPSHOTS):
            conn.execute(f'INSERT INTO "{work}".{table} SELECT * FROM "{schema}".{table}')
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{work}\".{EVENTS}', "
            f"'notification_id'), (SELECT max(notification_id) FROM \"{work}\".{EVENTS}))"
        )
    saves, reflected = [], []
    try:
        app = Portfolios(StoreConfig.from_url(schema_url(url, work)))
        with tempfile.TemporaryDirectory() as cache:
            analytics = Analytics(app, BundledMarketData(), Path(cache))
            pid = app.find("Synthetic")
            analytics.snapshot(pid)
            analytics.value(pid)
            analytics.performance(pid)
            day = app.portfolio(pid).clock
            provenance = PriceProvenance("bench", day, True)
            for i in range(count):
                started = time.perf_counter()
                app.buy(pid, "KO", Decimal(1), Decimal("50.00") + i, day, provenance)
                saved = time.perf_counter()
                analytics.refresh()
                analytics.snapshot(pid)
                analytics.value(pid)
                analytics.performance(pid)
                saves.append(saved - started)
                reflected.append(time.perf_counter() - saved)
        app.close()
    finally:
        with connect(url) as conn:
            conn.execute(f'DROP SCHEMA "{work}" CASCADE')
    return saves, reflected


def one_size(size: int, args: argparse.Namespace) -> None:
    print(f"{size:,} trades, PostgreSQL")
    url = schema_url(args.url, store_for(size, args.url, args.reload, args.via_app))
    if args.runs < 1:
        return
    runs: dict[str, list[dict[str, float]]] = {"columns": [], "general": [], "floor": []}
    for _ in range(args.runs):  # alternate, so the load of a shared machine hits all alike
        for mode, rows in runs.items():
            rows.append(in_fresh_process(mode, url))

    def med(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[mode])

    def cpu(mode: str) -> float:
        return med(mode, "cpu") + med(mode, "server_cpu")

    wall = med("floor", "total")
    print(f"  events in the store          : {int(runs['columns'][0]['events']):,}")
    print(
        f"  floor (fetch + orjson.loads) : {wall:6.2f} s wall, {med('floor', 'cpu'):.2f} s CPU "
        f"+ {med('floor', 'server_cpu'):.2f} s server CPU, "
        f"peak RSS {max(r['rss_mb'] for r in runs['floor']):.0f} MB"
    )
    for mode, label in (("general", "general reader, before"), ("columns", "column reader, after")):
        print(
            f"  cold rebuild ({label}): {med(mode, 'total'):6.2f} s wall = "
            f"{med(mode, 'total') / wall:.2f}x the floor, {med(mode, 'cpu'):.2f} s CPU "
            f"+ {med(mode, 'server_cpu'):.2f} s server CPU = {cpu(mode) / cpu('floor'):.2f}x "
            f"the floor's (decode {med(mode, 'load'):.2f} s + projections "
            f"{med(mode, 'project'):.2f} s), peak RSS {max(r['rss_mb'] for r in runs[mode]):.0f} MB"
        )
    if args.trades:
        saves, reflected = one_new_trade(args.url, url.rsplit("=", 1)[1], args.trades)

        def pct(values: list[float], q: float) -> float:
            return sorted(values)[int(q * (len(values) - 1))] * 1000

        print(
            f"  one new trade reflected in holdings, value series, metrics: p50 "
            f"{pct(reflected, 0.5):.2f} ms, p90 {pct(reflected, 0.9):.2f} ms (saving it: p50 "
            f"{pct(saves, 0.5):.1f} ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--trades", type=int, default=20, help="new trades timed per size")
    parser.add_argument("--url", default=URL, help="the PostgreSQL database (no schema)")
    parser.add_argument("--reload", action="store_true", help="copy the stores again")
    parser.add_argument("--via-app", action="store_true", help="write through the application")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "URL"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1])
        return
    for size in (int(s) for s in args.sizes.split(",") if s):
        one_size(size, args)


if __name__ == "__main__":
    main()
