"""Crash safety of the price cache: a writer storing large fetches is killed with SIGKILL at random
moments; every fetch it acknowledged is whole, none is half-written, and the file is sound."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from erasmo.market.cache import PriceCache
from reliability.conftest import report

ROOT = Path(__file__).resolve().parents[2]
BARS = 5000  # per fetch: big enough that a kill often lands inside the transaction
KILLS = 12

WRITER = textwrap.dedent(
    f"""
    import sys
    from datetime import date, timedelta
    from decimal import Decimal
    from pathlib import Path
    from erasmo.market.base import Bar, CorporateAction
    from erasmo.market.cache import PriceCache

    cache = PriceCache(Path(sys.argv[1]))
    run = sys.argv[2]
    first = date(1990, 1, 1)
    for n in range(10**6):
        ticker = f"K{{run}}X{{n}}"
        bars = [
            Bar(ticker, first + timedelta(days=i), Decimal("1.5"), Decimal("2"), Decimal("1"),
                Decimal(f"1.{{i % 100:02d}}"), Decimal("1.4"), i)
            for i in range({BARS})
        ]
        split = CorporateAction(ticker, first + timedelta(days=7), "split", Decimal(2), None,
                                "yahoo")
        print("begin", ticker, flush=True)
        cache.store(ticker, "yahoo", bars, [split], (first, bars[-1].day))
        print("ack", ticker, flush=True)
    """
)


def test_cache_writer_killed_at_random_moments_keeps_every_fetch_whole(tmp_path: Path) -> None:
    path = tmp_path / "prices.sqlite"
    rng = random.Random(6)
    acknowledged: set[str] = set()
    begun: set[str] = set()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for run in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(run)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        first = child.stdout.readline().split()  # the writer is running
        assert first[:1] == ["begin"]
        time.sleep(rng.uniform(0.0, 0.6))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        lines = [first, *(line.split() for line in child.stdout.read().splitlines())]
        acknowledged |= {t for kind, t in lines if kind == "ack"}
        begun |= {t for kind, t in lines if kind == "begin"}

        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        listing = {t.ticker: t for t in PriceCache(path).listing()}
        missing = acknowledged - listing.keys()
        assert not missing, f"acknowledged fetches lost: {sorted(missing)}"
        with sqlite3.connect(path) as db:
            bars = dict(db.execute("SELECT ticker, count(*) FROM bars GROUP BY ticker"))
            actions = dict(db.execute("SELECT ticker, count(*) FROM actions GROUP BY ticker"))
            ranges = dict(db.execute("SELECT ticker, count(*) FROM ranges GROUP BY ticker"))
        half = [
            t
            for t in bars.keys() | actions.keys() | ranges.keys() | listing.keys()
            if (bars.get(t), actions.get(t), ranges.get(t)) != (BARS, 1, 1) or t not in listing
        ]
        assert not half, f"half-written fetches: {half}"
    interrupted = begun - acknowledged  # killed inside `store` (or just after its commit)
    report(
        "crash/price-cache",
        kills=KILLS,
        acknowledged=len(acknowledged),
        killed_inside_store=len(interrupted),
        committed_before_the_kill=len(interrupted & set(listing)),
    )
    assert len(acknowledged) > 0  # the writer really wrote between kills
    assert interrupted  # some kills landed inside a store (the rest while building the bars)
