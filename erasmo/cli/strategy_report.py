"""What `erasmo backtest` prints: the outcome in one line and, with `--benchmark`, the
strategy's metrics beside the benchmark's (Portfolio Performance's conventions, as
`erasmo performance` prints them)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from erasmo.strategy.errors import StrategyError

if TYPE_CHECKING:
    from erasmo.door import FrontDoor
    from erasmo.strategy.runner import BacktestResult, BacktestSpec


def check_benchmark(door: FrontDoor, ticker: str, start: date, end: date) -> str:
    """The benchmark's ticker as the market knows it, once it has closes in the period
    (before anything runs: a bad ticker records nothing)."""
    info = door.market.info(ticker)
    if not door.market.bars(info.ticker, start, end):
        raise StrategyError(
            f"{info.ticker} has no closes between {start} and {end}: give another --benchmark "
            "(e.g. ^GSPC) or another period. Nothing was recorded."
        )
    return info.ticker


def _pct(value: float) -> str:
    return "n/a" if value != value else f"{value:+.2%}"


def benchmark_figures(door: FrontDoor, result: BacktestResult, ticker: str) -> dict[str, Any]:
    """The strategy's and the benchmark's figures over the run (floats; NaN: undefined)."""
    m = door.performance(result.portfolio_id, benchmark=ticker)
    b = m.benchmark
    if b is None:  # (the door returns one whenever a benchmark is given)
        raise StrategyError(f"No comparison with {ticker} could be made.")
    return {
        "ticker": ticker,
        "start": m.start.date().isoformat(),
        "end": m.end.date().isoformat(),
        "ttwror": m.ttwror,
        "ttwror_annualized": m.ttwror_annualized,
        "irr": m.irr,
        "max_drawdown": m.max_drawdown,
        "sharpe": m.sharpe_pp,
        "benchmark_ttwror": b.ttwror,
        "benchmark_ttwror_annualized": b.ttwror_annualized,
        "excess_return": b.excess_return,
        "beta": b.beta,
        "correlation": b.correlation,
    }


def backtest_json(
    door: FrontDoor, spec: BacktestSpec, result: BacktestResult, benchmark: str | None
) -> dict[str, Any]:
    """`backtest --json`."""
    found: dict[str, Any] = {
        "portfolio": result.name,
        "id": str(result.portfolio_id),
        "events": result.events,
        "final_value": result.final_value,
        "sha256": spec.sha256,
        "params": {k: str(v) for k, v in spec.params.items()},
        "stopped": result.stopped,
    }
    if benchmark is not None:
        figures = benchmark_figures(door, result, benchmark)
        found["benchmark"] = {k: (None if v != v else v) for k, v in figures.items()}
    return found


def backtest_lines(
    door: FrontDoor, spec: BacktestSpec, result: BacktestResult, benchmark: str | None
) -> list[str]:
    """`backtest`'s outcome, and its metrics beside the benchmark's."""
    listed = ", ".join(f"{k}={v}" for k, v in spec.params.items()) or "no parameters"
    what = f"({spec.class_name} {listed}, source sha256 {spec.sha256[:12]})"
    if result.stopped is None:
        lines = [
            f"{result.name}: {result.events} events recorded; value {result.final_value} at "
            f"the close of {spec.end.isoformat()} {what}. Replay it with 'erasmo rerun "
            f"{result.name}'."
        ]
    else:
        clock = door.head(result.portfolio_id).clock
        lines = [
            f"{result.name}: the strategy stopped: {result.stopped}. Kept up to {clock} (the "
            f"last complete day): {result.events} events recorded; value {result.final_value} "
            f"{what}."
        ]
    if benchmark is None:
        return lines
    f = benchmark_figures(door, result, benchmark)
    width = max(len(result.name), len(benchmark), 8)
    lines += [
        f"{f['start']} to {f['end']}  {result.name:>{width}}  {benchmark:>{width}}",
        f"{'TTWROR':<24}  {_pct(f['ttwror']):>{width}}  {_pct(f['benchmark_ttwror']):>{width}}",
        f"{'TTWROR p.a.':<24}  {_pct(f['ttwror_annualized']):>{width}}  "
        f"{_pct(f['benchmark_ttwror_annualized']):>{width}}",
        f"Excess return {_pct(f['excess_return'])}, beta {f['beta']:.2f}, correlation "
        f"{f['correlation']:.2f}; the strategy's IRR {_pct(f['irr'])} p.a., max drawdown "
        f"{_pct(-f['max_drawdown'])}, Sharpe {f['sharpe']:.2f}.",
    ]
    return lines
