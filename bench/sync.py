"""Sync over loopback: a full pull of a synthetic history into an empty store, compared with
exporting the same events to a file, then incremental syncs of one new event.

Two real installs (each a SQLite store in its own data directory) and a real server (waitress on
a free loopback port, token, every guard on). Prints:
- the full pull: seconds and events/s (a `sync`: pull, then the push check that finds nothing);
- exporting the same events to an event-log file, and the ratio of the two (goal: pull <= 3x);
- an incremental sync of 1 new event on the server (pulled) and 1 on the client (pushed),
  medians and worst of several runs (goal: < 100 ms).

The source store is generated once by bench/synthetic.py and kept in bench/out/.

    python bench/sync.py [--trades 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
OUT = ROOT / "bench" / "out"

from erasmo.sync.client import SyncClient  # noqa: E402
from erasmo.sync.serving import start_server  # noqa: E402
from events.application import Portfolios  # noqa: E402
from events.eventlog import export_to_file  # noqa: E402
from events.portfolio import PORTFOLIO_TOPICS  # noqa: E402
from events.store import StoreConfig  # noqa: E402

TOKEN = "bench-token-0123456789abcdefghijklmnopqrstuvwxyz"


def source_store(trades: int) -> Path:
    """A SQLite store holding a synthetic history of `trades` trades (generated once)."""
    from synthetic import synthetic_store

    return synthetic_store(trades, OUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="erasmo-sync-bench-") as tmp:
        root = Path(tmp)
        (root / "server").mkdir()
        source = source_store(args.trades)
        for suffix in ("", "-wal"):  # a store left open elsewhere may hold commits in its WAL
            if Path(f"{source}{suffix}").exists():
                shutil.copy(f"{source}{suffix}", root / "server" / f"events.sqlite{suffix}")
        server_app = Portfolios(StoreConfig.sqlite(root / "server" / "events.sqlite"))
        client_app = Portfolios(StoreConfig.sqlite(root / "client" / "events.sqlite"))
        events = server_app.reader.count(topics=list(PORTFOLIO_TOPICS))
        print(f"sync of {events:,} portfolio events over loopback (SQLite to SQLite)")

        started = time.perf_counter()
        export_to_file(server_app, root / "export.jsonl", erasmo_version="bench")
        export_seconds = time.perf_counter() - started

        server = start_server(server_app, token=TOKEN, port=0, name="bench-server")
        try:

            def sync() -> tuple[float, int, int]:
                client = SyncClient(client_app, root / "client", server.url, TOKEN, label="bench")
                started = time.perf_counter()
                summary = client.sync()
                return time.perf_counter() - started, summary.pulled, summary.pushed

            pull_seconds, pulled, _ = sync()
            assert pulled == events, (pulled, events)
            assert client_app.reader.count(topics=list(PORTFOLIO_TOPICS)) == events

            (pid,) = [h.id for h in server_app.heads()]
            on = server_app.portfolio(pid).clock
            pulls, pushes = [], []
            for _ in range(args.runs):
                server_app.deposit(pid, Decimal(1), on)
                seconds, pulled, _ = sync()
                assert pulled == 1
                pulls.append(seconds)
                client_app.deposit(pid, Decimal(1), on)
                seconds, _, pushed = sync()
                assert pushed == 1
                pushes.append(seconds)
        finally:
            server.stop()
            server_app.close()
            client_app.close()

    print(f"  full pull:         {pull_seconds:7.2f} s  {events / pull_seconds:9,.0f} events/s")
    print(f"  export to a file:  {export_seconds:7.2f} s  {events / export_seconds:9,.0f} events/s")
    print(f"  pull / export:     {pull_seconds / export_seconds:7.2f} x   (goal <= 3x)")
    for label, times in (("1 new event pulled", pulls), ("1 new event pushed", pushes)):
        print(
            f"  sync, {label}: median {statistics.median(times) * 1000:5.1f} ms, "
            f"worst {max(times) * 1000:5.1f} ms of {len(times)}  (goal < 100 ms)"
        )
    print(f"  ({date.today()}, python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
