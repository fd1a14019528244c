"""Parameter sweeps: every set of a grid backtested in parallel on dask.distributed.

A grid is read from `--param NAME=SPEC` texts, SPEC being one value, a comma list (`100,150`)
or an inclusive range `FIRST:LAST:STEP` (`10:50:10` is 10, 20, 30, 40, 50). Each set runs on a
worker as the runner's backtest does, in a scratch store of its own that is thrown away; the
worker returns a few figures (TTWROR, maximum drawdown, number of fills, final value) computed
by erasmo's own projections. Nothing is recorded in the user's store, except the `keep` best
sets, which are run again through `run_backtest` as ordinary portfolios. A sweep stopped (a
cancel raised by its `check` or `progress`, a Ctrl-C) sets a dask `Event` that each running set
asks about as its days go by, so a set stops at its next day, even on a cluster started apart.

`dask.distributed` is imported here only, when a sweep runs.
"""

from __future__ import annotations

import contextlib
import itertools
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from erasmo.strategy.errors import StrategyError
from erasmo.strategy.runner import BacktestSpec, _run_in_scratch, load_strategy, run_backtest
from events.errors import InvalidInputError

if TYPE_CHECKING:
    from erasmo.door import FrontDoor
    from erasmo.market.base import MarketData

Progress = Callable[[int, int], None]
#: Most sets a sweep runs (a typo in a range should not start a million backtests).
MAX_SETS = 10_000
#: The figures a sweep may rank by, and whether the highest comes first.
RANK_BY = {"ttwror": True, "irr": True, "sharpe": True, "max_drawdown": False}
#: How often (seconds) a running set asks the scheduler whether its sweep was stopped (a few
#: milliseconds each time), and how often the coordinator calls its `check` while none finishes.
STOP_POLL = 0.5
CHECK_POLL = 0.1


class SweepGridError(InvalidInputError):
    """A `--param` grid cannot be read; nothing was run or recorded."""


class SweepStoppedError(StrategyError):
    """The sweep was interrupted before every set had run; nothing was recorded."""


# -- the grid ---------------------------------------------------------------------------------


def read_grid(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    """`NAME=SPEC` texts as each name's values, in order (see the module docstring)."""
    grid: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name or not text.strip():
            raise SweepGridError(
                f"--param {pair!r} is not NAME=VALUES: give e.g. fast=10:50:10 or slow=100,150."
            )
        if name in grid:
            raise SweepGridError(f"--param {name} is given twice: give it once, with all values.")
        grid[name] = _values(name, text.strip())
    sets = 1
    for values in grid.values():
        sets *= len(values)
    if sets > MAX_SETS:
        raise SweepGridError(
            f"The grid has {sets} parameter sets, more than {MAX_SETS}: use coarser steps."
        )
    return grid


def _values(name: str, text: str) -> list[str]:
    if ":" not in text:
        values = [v.strip() for v in text.split(",")]
        if any(not v for v in values):
            raise SweepGridError(f"--param {name}={text} has an empty value in its list.")
        return list(dict.fromkeys(values))
    parts = text.split(":")
    try:
        if len(parts) != 3:
            raise InvalidOperation
        first, last, step = (Decimal(p.strip()) for p in parts)
    except (InvalidOperation, ValueError):
        raise SweepGridError(
            f"--param {name}={text} is not a range FIRST:LAST:STEP of numbers (e.g. 10:50:10)."
        ) from None
    if step <= 0 or last < first:
        raise SweepGridError(
            f"--param {name}={text}: a range FIRST:LAST:STEP needs FIRST <= LAST and STEP > 0."
        )
    count = int((last - first) / step) + 1
    if count > MAX_SETS:
        raise SweepGridError(f"--param {name}={text} has {count} values: use a coarser step.")
    return [str(first + i * step) for i in range(count)]


def expand(grid: dict[str, list[str]]) -> list[dict[str, str]]:
    """Every combination of the grid's values, the first name varying slowest."""
    names = list(grid)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]


def set_label(swept: dict[str, str]) -> str:
    """`fast=10 slow=100`: the swept values of a set."""
    return " ".join(f"{k}={v}" for k, v in swept.items())


# -- one set, on a worker ---------------------------------------------------------------------


@dataclass(frozen=True)
class SetMetrics:
    """What a worker returns for one backtest: small and picklable.

    Attributes:
        ttwror: the true time-weighted return over the run (0.25 = +25%).
        max_drawdown: the largest fall of 1 + TTWROR below a running peak (0.1 = 10%).
        trades: the number of fills.
        final_value: the value at the close of the last day, as text.
        irr: the money-weighted annual rate (NaN when no rate solves it).
        sharpe: IRR over the period's volatility (Portfolio Performance's; NaN when undefined).
    """

    ttwror: float
    max_drawdown: float
    trades: int
    final_value: str
    irr: float = float("nan")
    sharpe: float = float("nan")

    def figure(self, name: str) -> float:
        """The figure a sweep ranks by (see `RANK_BY`)."""
        return float(getattr(self, name))


@dataclass(frozen=True)
class _Market:
    """What `_run_in_scratch` reads of a door: the market and today's date."""

    market: MarketData
    day: date

    def today(self) -> date:
        return self.day


def portable_market(market: MarketData) -> Any:
    """What a worker can rebuild `market` from: the price chain as the path of its cache (the
    worker reads the bundled data and that cache, never the network), any other market as
    itself (it must pickle)."""
    from erasmo.market.chain import SourceChain

    if isinstance(market, SourceChain):
        return ("chain", str(market.cache.path))
    return market


#: The markets a worker process has rebuilt, by cache path: read once, used by every set.
_CHAINS: dict[str, MarketData] = {}


def _rebuilt(portable: Any) -> MarketData:
    if isinstance(portable, tuple) and portable[0] == "chain":
        from erasmo.market.bundled import BundledMarketData
        from erasmo.market.cache import PriceCache
        from erasmo.market.chain import SourceChain

        path = portable[1]
        if path not in _CHAINS:
            _CHAINS[path] = SourceChain(BundledMarketData(), PriceCache(Path(path)), None)
        return _CHAINS[path]
    return cast("MarketData", portable)


class SetStopped(BaseException):
    """Raised in a set's run when its sweep was stopped: the set ends at its next day and its
    scratch store is thrown away. A BaseException, so that the runner does not take it for the
    strategy's own failure."""


def _stopper(name: str) -> Progress:
    """A runner progress callback that raises `SetStopped` once the dask `Event` `name` is set
    (asked of the scheduler after the first day, then at most every `STOP_POLL` seconds)."""
    from distributed import Event

    event = Event(name)  # type: ignore[no-untyped-call]
    asked = float("-inf")  # asked on the first day too

    def check(done: int, total: int) -> None:
        nonlocal asked
        if time.monotonic() - asked < STOP_POLL:
            return
        asked = time.monotonic()
        if event.is_set():  # type: ignore[no-untyped-call]
            raise SetStopped

    return check


def run_set(spec: BacktestSpec, market: Any, today: date, stop: str | None = None) -> SetMetrics:
    """Backtest `spec` in a scratch store that is thrown away, and measure it (`market` as
    `portable_market` gives it). `stop`: the name of a dask `Event` that stops the run at its
    next day when set (it raises `SetStopped`)."""
    door = cast("FrontDoor", _Market(_rebuilt(market), today))
    progress = None if stop is None else _stopper(stop)
    with tempfile.TemporaryDirectory(prefix="erasmo-sweep-") as tmp:
        scratch, result = _run_in_scratch(door, spec, spec.name or "sweep", Path(tmp), progress)
        try:
            metrics = scratch.door.performance(result.portfolio_id)
            fills = sum(
                1 for e in scratch.door.history(result.portfolio_id) if e.type == "OrderFilled"
            )
        finally:
            scratch.close()
    return SetMetrics(
        float(metrics.ttwror),
        float(metrics.max_drawdown),
        fills,
        result.final_value,
        float(metrics.irr),
        float(metrics.sharpe_pp),
    )


# -- the sweep --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepRow:
    """One parameter set's results: over the whole period, or in and out of sample."""

    swept: dict[str, str]
    params: dict[str, Any]
    result: SetMetrics
    out_of_sample: SetMetrics | None = None
    rank: int = 0
    out_rank: int | None = None


@dataclass(frozen=True)
class SweepReport:
    """The ranked rows (best first by `rank_by`, TTWROR unless told; in-sample when split)
    and, with a split, the Spearman rank correlation of that figure in and out of sample and
    the best in-sample set's out-of-sample rank."""

    rows: list[SweepRow]
    split: date | None = None
    spearman: float | None = None
    best_out_rank: int | None = None
    rank_by: str = "ttwror"


def make_specs(base: BacktestSpec, sets: list[dict[str, str]]) -> list[BacktestSpec]:
    """One spec per set (parameters read by the strategy's declared types)."""
    cls = load_strategy(base.file_name, base.source, base.class_name)
    return [replace(base, params=cls.read_params(s), name="") for s in sets]


def sweep(
    base: BacktestSpec,
    sets: list[dict[str, str]],
    market: MarketData,
    today: date,
    *,
    split: date | None = None,
    workers: int = 2,
    scheduler: str | None = None,
    progress: Progress | None = None,
    rank_by: str = "ttwror",
    check: Callable[[], None] | None = None,
) -> SweepReport:
    """Run every set on dask.distributed and rank them by `rank_by` (one of `RANK_BY`).

    `progress(done, total)` is called as each set finishes; `check()` every fraction of a
    second while they run. Whatever either raises (a cancel) stops the sets running at their
    next day and those not started yet, and is raised; a Ctrl-C raises `SweepStoppedError`."""
    if rank_by not in RANK_BY:
        raise SweepGridError(
            f"A sweep ranks by {', '.join(RANK_BY)}, not {rank_by!r}: pick one of those."
        )
    specs = make_specs(base, sets)
    if split is not None and not base.start < split <= base.end:
        raise SweepGridError(
            f"--split {split} is not inside the period {base.start} to {base.end}: give a "
            "date after --from and no later than --to."
        )
    runs = (
        [replace(s, end=split - timedelta(days=1)) for s in specs]
        + [replace(s, start=split) for s in specs]
        if split is not None
        else specs
    )
    with _client(workers, scheduler) as client:
        results = _gather(client, runs, market, today, (progress, check))
    n = len(specs)
    rows = [
        SweepRow(swept, spec.params, results[i], results[n + i] if split else None)
        for i, (swept, spec) in enumerate(zip(sets, specs, strict=True))
    ]
    return _ranked(rows, split, rank_by)


@contextlib.contextmanager
def _client(workers: int, scheduler: str | None) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="30s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as error:
            raise StrategyError(
                f"No dask scheduler answers at {scheduler} ({error}): start one with "
                "'dask scheduler' or leave out --scheduler."
            ) from None
        with client:
            yield client
        return
    import dask.config

    with (
        # the workers' statistical profiler (for a dashboard no one looks at) costs ~5% CPU
        dask.config.set({"distributed.worker.profile.enabled": False}),
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            # no dashboard; its scheduler's HTTP server on a free port (not 8787, which
            # another cluster may hold: dask would warn on standard error)
            dashboard_address=":0",
            scheduler_kwargs={"dashboard": False},
            silence_logs=50,
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


def _gather(
    client: Any,
    runs: list[BacktestSpec],
    market: MarketData,
    today: date,
    calls: tuple[Progress | None, Callable[[], None] | None],
) -> list[SetMetrics]:
    from distributed import Event

    stop = f"erasmo-sweep-stop-{uuid.uuid4().hex}"
    portable = portable_market(market)
    futures = [client.submit(run_set, spec, portable, today, stop, pure=False) for spec in runs]
    try:
        return _collect(futures, *calls)
    except BaseException as error:
        # (a lost scheduler must not hide the error that stopped the sweep)
        with contextlib.suppress(Exception):
            client.cancel(futures)  # those not started never start
        with contextlib.suppress(Exception):
            Event(stop, client=client).set()  # type: ignore[no-untyped-call]
        if isinstance(error, KeyboardInterrupt):
            raise SweepStoppedError(
                "The sweep was stopped before every set had run; nothing was recorded."
            ) from None
        raise


def _collect(
    futures: list[Any], progress: Progress | None, check: Callable[[], None] | None
) -> list[SetMetrics]:
    """Each future's result, in order, as they finish (`check` called while none does)."""
    results: list[SetMetrics | None] = [None] * len(futures)
    pending = dict(enumerate(futures))
    while pending:
        if check is not None:
            check()
        finished = [i for i, future in pending.items() if future.done()]
        if not finished:
            time.sleep(CHECK_POLL)
            continue
        for i in finished:
            results[i] = pending.pop(i).result()
            if progress is not None:
                progress(len(futures) - len(pending), len(futures))
    return cast("list[SetMetrics]", results)


def _key(m: SetMetrics, rank_by: str) -> float:
    """The figure as a sort key, best first; an undefined figure (NaN) last."""
    value = m.figure(rank_by)
    if value != value:
        return float("inf")
    return -value if RANK_BY[rank_by] else value


def _ranked(rows: list[SweepRow], split: date | None, rank_by: str = "ttwror") -> SweepReport:
    ordered = sorted(rows, key=lambda r: _key(r.result, rank_by))
    ranked = [replace(r, rank=i) for i, r in enumerate(ordered, start=1)]
    if split is None:
        return SweepReport(ranked, rank_by=rank_by)
    outs = pd.Series([_key(cast("SetMetrics", r.out_of_sample), rank_by) for r in ranked])
    out_ranks = outs.rank(ascending=True, method="min").astype(int).tolist()
    ranked = [replace(r, out_rank=o) for r, o in zip(ranked, out_ranks, strict=True)]
    ins = pd.Series([_key(r.result, rank_by) for r in ranked])
    # Spearman's rho: Pearson's correlation of the ranks (ties given their average rank)
    spearman = float(ins.rank().corr(outs.rank())) if len(ranked) > 1 else None
    if spearman is not None and spearman != spearman:
        spearman = None  # every set returned the same in one of the samples
    return SweepReport(ranked, split, spearman, ranked[0].out_rank, rank_by)


# -- keeping the best -------------------------------------------------------------------------


def keep_best(
    door: FrontDoor, base: BacktestSpec, report: SweepReport, keep: int
) -> list[tuple[str, str]]:
    """Record the `keep` best sets (over the whole period) as portfolios named from their
    parameters; (name, final value) of each."""
    chosen = report.rows[:keep]
    names = [f"{base.class_name} {set_label(r.swept)}" for r in chosen]
    taken = {p.name.casefold() for p in door.portfolios()}
    clash = [n for n in names if n.casefold() in taken]
    if clash:
        raise StrategyError(
            f"A portfolio is already named {clash[0]!r}: rename or delete it, or keep fewer."
        )
    kept = []
    for row, name in zip(chosen, names, strict=True):
        result = run_backtest(door, replace(base, params=row.params, name=name))
        kept.append((name, result.final_value))
    return kept
