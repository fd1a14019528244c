"""Strategy commands: `backtest` (a strategy run as a simulation portfolio) and `rerun`.

The strategy API is `erasmo.strategy`; the run is `erasmo.strategy.runner`. Nothing is
recorded when a strategy fails.
"""

from __future__ import annotations

import functools
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import click

from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.output import echo_json


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE.", param_hint="--param")
        found[key.strip()] = value
    return found


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date YYYY-MM-DD.", param_hint=option) from None


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("class_name", metavar="CLASS")
@click.option("--cash", required=True, help="Opening cash.")
@click.option("--from", "start", required=True, metavar="DATE", help="First day of the run.")
@click.option("--to", "end", required=True, metavar="DATE", help="Last day of the run.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter.")
@click.option("--commission", default="0", show_default=True, help="Commission spec.")
@click.option("--slippage-bps", default="0", show_default=True, help="Slippage in bps.")
@click.option("--name", default="", help="The portfolio's name (default: the class name).")
@click.option(
    "--keep-partial", is_flag=True, help="On an error, keep the run up to the day before."
)
@click.option("--benchmark", default=None, metavar="TICKER", help="Show metrics beside TICKER.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def backtest(
    c: Context,
    file: Path,
    class_name: str,
    cash: str,
    start: str,
    end: str,
    params: tuple[str, ...],
    commission: str,
    slippage_bps: str,
    name: str,
    keep_partial: bool,
    benchmark: str | None,
    as_json: bool,
) -> None:
    """Run a strategy FILE's CLASS as a simulation portfolio, recorded all or nothing."""
    from erasmo.cli.strategy_report import backtest_json, backtest_lines, check_benchmark
    from erasmo.strategy.runner import run_backtest, spec_from_file

    spec = spec_from_file(
        file,
        class_name,
        _params(params),
        cash=cash,
        start=_day(start, "--from"),
        end=_day(end, "--to"),
        commission=commission,
        slippage_bps=slippage_bps,
        name=name,
    )
    if benchmark is not None:
        benchmark = check_benchmark(c.door, benchmark, spec.start, spec.end)
    run = functools.partial(run_backtest, c.door, spec, keep_partial=keep_partial)
    if not sys.stderr.isatty():  # a script or a pipe: the outcome only, on one line
        result = run()
    else:
        with click.progressbar(
            length=1000, label=f"{class_name} {spec.start} to {spec.end}", file=sys.stderr
        ) as bar:
            shown = [0]

            def progress(done: int, total: int) -> None:
                step = done * 1000 // total
                bar.update(step - shown[0])
                shown[0] = step

            result = run(progress)
    if as_json:
        echo_json(backtest_json(c.door, spec, result, benchmark))
        return
    for line in backtest_lines(c.door, spec, result, benchmark):
        click.echo(line)


@click.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def rerun(c: Context, name: str, as_json: bool) -> None:
    """Run a backtest portfolio's strategy again (same source and parameters) and compare the
    events with those recorded; records nothing."""
    from erasmo.strategy.rerun import compare_logs
    from erasmo.strategy.runner import recorded_spec, replay_in_scratch

    door = c.door
    portfolio_id = door.resolve(name)
    spec, stopped = recorded_spec(door, portfolio_id, name)
    with tempfile.TemporaryDirectory(prefix="erasmo-rerun-") as tmp:
        recorded, again = Path(tmp) / "recorded.jsonl", Path(tmp) / "again.jsonl"
        door.export_log(recorded, [portfolio_id])
        head = door.head(portfolio_id)
        replay_in_scratch(door, spec, head.name, again, keep_partial=stopped)
        difference = compare_logs(recorded, again)
    if as_json:
        echo_json({"portfolio": name, "identical": difference is None, "difference": difference})
    elif difference is None:
        click.echo(f"{name}: the rerun gives identical events (timestamps and ids aside).")
    else:
        click.echo(f"{name}: the rerun differs: {difference}")
    if difference is not None:
        raise SystemExit(1)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("class_name", metavar="CLASS")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUES", help="A, A,B or A:B:STEP.")
@click.option("--from", "start", required=True, metavar="DATE", help="First day of the runs.")
@click.option("--to", "end", required=True, metavar="DATE", help="Last day of the runs.")
@click.option("--cash", default="100000", show_default=True, help="Opening cash of each run.")
@click.option("--split", default=None, metavar="DATE", help="First out-of-sample day.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1), help="Processes.")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="A dask scheduler to use.")
@click.option("--keep", default=0, type=click.IntRange(0), help="Record the K best as portfolios.")
@click.option(
    "--rank-by",
    type=click.Choice(["ttwror", "irr", "sharpe", "max_drawdown"]),
    default="ttwror",
    show_default=True,
    help="The figure the sets are ranked by.",
)
@click.option("--commission", default="0", show_default=True, help="Commission spec.")
@click.option("--slippage-bps", default="0", show_default=True, help="Slippage in bps.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def sweep(
    c: Context,
    file: Path,
    class_name: str,
    params: tuple[str, ...],
    start: str,
    end: str,
    cash: str,
    split: str | None,
    workers: int,
    scheduler: str | None,
    keep: int,
    rank_by: str,
    commission: str,
    slippage_bps: str,
    as_json: bool,
) -> None:
    """Backtest a strategy FILE's CLASS over a grid of parameters on dask.distributed, in
    memory, and rank the sets; records only the --keep best."""
    from erasmo.strategy import sweep as sweeping
    from erasmo.strategy.runner import spec_from_file

    grid = sweeping.read_grid(params)
    base = spec_from_file(
        file,
        class_name,
        {},
        cash=cash,
        start=_day(start, "--from"),
        end=_day(end, "--to"),
        commission=commission,
        slippage_bps=slippage_bps,
    )
    sets = sweeping.expand(grid)
    door = c.door
    run = functools.partial(
        sweeping.sweep,
        base,
        sets,
        door.market,
        door.today(),
        split=None if split is None else _day(split, "--split"),
        workers=workers,
        scheduler=scheduler,
        rank_by=rank_by,
    )
    if not sys.stderr.isatty():
        report = run()
    else:
        with click.progressbar(length=len(sets), label="sweep", file=sys.stderr) as bar:
            report = run(progress=lambda done, total: bar.update(1))
    kept = sweeping.keep_best(door, base, report, keep) if keep else []
    if as_json:
        echo_json(sweep_json(report, kept))
        return
    for line in sweep_lines(report, kept):
        click.echo(line)


def _figures(m: Any) -> dict[str, Any]:
    return {
        "ttwror": m.ttwror,
        "irr": None if m.irr != m.irr else m.irr,
        "max_drawdown": m.max_drawdown,
        "sharpe": None if m.sharpe != m.sharpe else m.sharpe,
        "trades": m.trades,
        "final_value": m.final_value,
    }


def sweep_json(report: Any, kept: list[tuple[str, str]]) -> dict[str, Any]:
    """The report as JSON: rows best first; in-sample and out-of-sample with a split."""
    rows = []
    for r in report.rows:
        row: dict[str, Any] = {"params": r.swept, "rank": r.rank, **_figures(r.result)}
        if r.out_of_sample is not None:
            row["out_of_sample"] = {"rank": r.out_rank, **_figures(r.out_of_sample)}
        rows.append(row)
    found: dict[str, Any] = {
        "rank_by": report.rank_by,
        "rows": rows,
        "kept": [{"portfolio": n, "final_value": v} for n, v in kept],
    }
    if report.split is not None:
        found["split"] = report.split.isoformat()
        found["spearman"] = report.spearman
        found["best_in_sample_out_of_sample_rank"] = report.best_out_rank
    return found


_RANKED = {
    "ttwror": "TTWROR",
    "irr": "IRR",
    "sharpe": "Sharpe",
    "max_drawdown": "max drawdown (smallest first)",
}


def sweep_lines(report: Any, kept: list[tuple[str, str]]) -> list[str]:
    """The report as a table, best first."""
    names = list(report.rows[0].swept)
    width = {n: max(len(n), *(len(r.swept[n]) for r in report.rows)) for n in names}
    head = "  ".join(n.rjust(width[n]) for n in names)
    figures = (
        f"{'TTWROR':>8} {'IRR':>7} {'max DD':>7} {'Sharpe':>6} {'trades':>6} {'final value':>13}"
    )
    split = report.split is not None
    groups = f"{'':9}  {'':{len(head)}}  {'in sample':^52}  {'out of sample':^52}".rstrip()
    lines = (
        [groups, f"{'in':>4} {'out':>4}  {head}  {figures}  {figures}"]
        if split
        else [f"{'rank':>4}  {head}  {figures}"]
    )

    def cells(m: Any) -> str:
        irr = "n/a" if m.irr != m.irr else f"{m.irr:.2%}"
        sharpe = "n/a" if m.sharpe != m.sharpe else f"{m.sharpe:.2f}"
        return (
            f"{m.ttwror:>8.2%} {irr:>7} {m.max_drawdown:>7.2%} {sharpe:>6} {m.trades:>6} "
            f"{m.final_value:>13}"
        )

    for r in report.rows:
        values = "  ".join(r.swept[n].rjust(width[n]) for n in names)
        if split:
            both = f"{cells(r.result)}  {cells(r.out_of_sample)}"
            lines.append(f"{r.rank:>4} {r.out_rank:>4}  {values}  {both}")
        else:
            lines.append(f"{r.rank:>4}  {values}  {cells(r.result)}")
    ranked = _RANKED[report.rank_by]
    lines.append(f"Ranked by {ranked}.")
    if split:
        rho = "n/a" if report.spearman is None else f"{report.spearman:.2f}"
        lines.append(
            f"In sample before {report.split}, out of sample from it. Spearman rank correlation "
            f"of {ranked} {rho}; the best in-sample set ranks {report.best_out_rank} of "
            f"{len(report.rows)} out of sample."
        )
    lines += [f"Recorded {name}: value {value}." for name, value in kept]
    return lines
