"""How long a 20-ticker daily strategy over 20 years takes as an erasmo backtest, events
recorded, beside backtrader running the same strategy on the same bars in the same process.

The strategy: every month, on its first trading day, sell what is above an equal weight of the
20 bundled stocks (1/20 of the value each), and on the next day buy what is below it, with
market orders (filled at the next bar; the bundled stocks have closes only, so at that close).
erasmo runs it through `erasmo.strategy.runner.run_backtest` (a scratch store, then one
all-or-nothing insert into the store of a fresh data directory); backtrader runs the same rule
with `order_target_value` on the same closes (`backtrader` is installed separately:
in the dev extra; without it only erasmo's figure is printed).

Then (b) a sweep of 50 parameter sets of the SMA-crossover example (fast 10 to 100 by 10, slow
100 to 300 by 50, GOOG 2005 to 2012) on a local cluster of 1 and of 2 worker processes, and on
a `dask scheduler` and a `dask worker` (2 processes) started as separate processes.

    python bench/backtest.py [--years 20] [--runs 1] [--no-sweep] [--no-backtest]

`--runs N` repeats (a) N times, and (b)'s 1- and 2-worker sweeps N times in turn (the speed-up
is the best of each).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import synthetic

from erasmo.bootstrap import bootstrap
from erasmo.market.bundled import BundledMarketData
from erasmo.strategy.runner import BacktestSpec, run_backtest

TICKERS = synthetic.TICKERS  # the same 20 bundled stocks the synthetic stores trade
CASH = 1_000_000

SOURCE = """
from decimal import Decimal
from erasmo.strategy import Context, Param, Strategy


class EqualWeight(Strategy):
    params = (Param("tickers", str, "{tickers}"),)

    def on_start(self, ctx: Context) -> None:
        self.month = None
        self.buy_next_bar = False

    def on_bar(self, ctx: Context) -> None:
        tickers = self.tickers.split(",")
        each = Decimal(1) / len(tickers)
        if self.buy_next_bar:
            self.buy_next_bar = False
            value = ctx.value
            for ticker in tickers:
                if ctx.position(ticker) * ctx.close(ticker) < each * value:
                    ctx.target_weight(ticker, each)
            return
        if (ctx.day.year, ctx.day.month) == self.month:
            return
        self.month = (ctx.day.year, ctx.day.month)
        value = ctx.value
        for ticker in tickers:
            if ctx.position(ticker) * ctx.close(ticker) > each * value:
                ctx.target_weight(ticker, each)
        self.buy_next_bar = True
""".replace("{tickers}", ",".join(TICKERS))


def run_erasmo(start: date, end: date) -> tuple[float, int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "equal_weight.py"
        path.write_text(SOURCE, encoding="utf-8")
        erasmo = bootstrap(Path(tmp) / "data", offline=True)
        try:
            spec = BacktestSpec(
                str(path), SOURCE, "EqualWeight", {}, str(CASH), start, end, name="Bench"
            )
            began = time.perf_counter()
            result = run_backtest(erasmo.door, spec)
            seconds = time.perf_counter() - began
        finally:
            erasmo.close()
    return seconds, result.events, result.final_value


def run_backtrader(start: date, end: date) -> tuple[float, float] | None:
    try:
        import backtrader as bt
    except ImportError:
        return None
    import pandas as pd

    market = BundledMarketData()
    began = time.perf_counter()
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.broker.setcash(CASH)
    cerebro.broker.set_coc(False)
    for ticker in TICKERS:
        bars = market.bars(ticker, start, end)
        closes = [float(b.close) for b in bars]
        frame = pd.DataFrame(
            {"open": closes, "high": closes, "low": closes, "close": closes, "volume": 0.0},
            index=pd.DatetimeIndex([pd.Timestamp(b.day) for b in bars]),
        )
        cerebro.adddata(bt.feeds.PandasData(dataname=frame), name=ticker)

    class EqualWeight(bt.Strategy):  # type: ignore[misc]
        def __init__(self) -> None:
            self.month: tuple[int, int] | None = None
            self.buy_next_bar = False

        def next(self) -> None:
            day = self.datas[0].datetime.date(0)
            value = self.broker.getvalue()
            each = value / len(self.datas)
            if self.buy_next_bar:
                self.buy_next_bar = False
                for data in self.datas:
                    if self.getposition(data).size * data.close[0] < each:
                        self.order_target_value(data, each)
                return
            if (day.year, day.month) == self.month:
                return
            self.month = (day.year, day.month)
            for data in self.datas:
                if self.getposition(data).size * data.close[0] > each:
                    self.order_target_value(data, each)
            self.buy_next_bar = True

    cerebro.addstrategy(EqualWeight)
    cerebro.run()
    return time.perf_counter() - began, cerebro.broker.getvalue()


SWEEP_GRID = ("fast=10:100:10", "slow=100:300:50")
SWEEP_PERIOD = (date(2005, 1, 3), date(2012, 12, 31))
EXAMPLE = Path(__file__).parents[1] / "examples" / "strategies" / "sma_cross.py"


def run_sweep(workers: int, scheduler: str | None = None) -> tuple[float, int, str]:
    """Seconds for the 50-set sweep, the sets run and the best set's label."""
    from erasmo.strategy import sweep as sweeping
    from erasmo.strategy.runner import spec_from_file

    with tempfile.TemporaryDirectory() as tmp:
        erasmo = bootstrap(Path(tmp) / "data", offline=True)
        try:
            base = spec_from_file(
                EXAMPLE, "Cross", {}, cash="100000", start=SWEEP_PERIOD[0], end=SWEEP_PERIOD[1]
            )
            sets = sweeping.expand(sweeping.read_grid(SWEEP_GRID))
            began = time.perf_counter()
            report = sweeping.sweep(
                base, sets, erasmo.door.market, erasmo.door.today(), workers=workers,
                scheduler=scheduler,
            )  # fmt: skip
            seconds = time.perf_counter() - began
        finally:
            erasmo.close()
    return seconds, len(report.rows), sweeping.set_label(report.rows[0].swept)


def separate_cluster(workers: int) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """A `dask scheduler` and a `dask worker` of `workers` processes, started here."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", str(port), "--no-dashboard"], **quiet,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers",
         str(workers), "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"], **quiet,
    )  # fmt: skip
    from distributed import Client

    for _ in range(240):
        try:
            with Client(address, timeout="5s") as client:  # type: ignore[no-untyped-call]
                client.wait_for_workers(workers, timeout=60)
            break
        except (OSError, TimeoutError):
            time.sleep(0.5)
    return address, [worker, scheduler]


def sweeps(runs: int) -> None:
    """The sweep on 1 and on 2 workers, `runs` times in turn (the machine may be shared: each
    line gives the load average, and the workers' CPU seconds, which a load does not change),
    then on a cluster started apart."""
    print(f"sweep of 50 sets ({' '.join(SWEEP_GRID)}), SMA crossover on GOOG 2005-2012")
    best = {1: float("inf"), 2: float("inf")}
    for run in range(1, runs + 1):
        for workers in (1, 2):
            cpu = _children_cpu()
            seconds, sets, label = run_sweep(workers)
            best[workers] = min(best[workers], seconds)
            print(
                f"  run {run}: local cluster, {workers} worker{'s' if workers > 1 else ' '}: "
                f"{seconds:7.2f} s ({sets} sets; best {label}; workers' CPU "
                f"{_children_cpu() - cpu:.1f} s; load average {os.getloadavg()[0]:.1f})"
            )
    print(
        f"  speed-up with 2 workers: {best[1] / best[2]:.2f}x (best of {runs}: "
        f"{best[1]:.2f} s / {best[2]:.2f} s)"
    )
    address, started = separate_cluster(2)
    try:
        apart = run_sweep(2, address)
        print(
            f"  dask scheduler + dask worker (2 processes) started apart: {apart[0]:7.2f} s "
            f"({apart[1]} sets; best {apart[2]})"
        )
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=30)


def _children_cpu() -> float:
    """CPU seconds of the ended child processes (a local cluster's, once it is closed)."""
    times = os.times()
    return times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-sweep", action="store_true", help="Leave out (b), the sweeps.")
    parser.add_argument("--no-backtest", action="store_true", help="Leave out (a).")
    args = parser.parse_args()
    if not args.no_backtest:
        backtests(args.years, args.runs)
    if not args.no_sweep:
        sweeps(args.runs)


def backtests(years: int, runs: int) -> None:
    start, end = date(2000, 1, 3), date(1999 + years, 12, 31)
    BundledMarketData().bars(TICKERS[0])  # parse the bundled files before timing
    print(f"{len(TICKERS)} tickers, {start} to {end}, monthly equal-weight rebalancing")
    for run in range(1, runs + 1):
        seconds, events, value = run_erasmo(start, end)
        print(f"run {run}: erasmo     {seconds:7.2f} s, {events:,} events recorded, value {value}")
        peer = run_backtrader(start, end)
        if peer is None:
            print("         backtrader not installed (pip install backtrader)")
        else:
            print(f"run {run}: backtrader {peer[0]:7.2f} s, value {peer[1]:,.2f}")


if __name__ == "__main__":
    main()
