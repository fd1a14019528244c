"""Strategy commands: `backtest` (a strategy run as a simulation portfolio) and `rerun`.

The strategy API is `erasmo.strategy`; the run is `erasmo.strategy.runner`. Nothing is
recorded when a strategy fails.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

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
    as_json: bool,
) -> None:
    """Run a strategy FILE's CLASS as a simulation portfolio, recorded all or nothing."""
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
    if not sys.stderr.isatty():  # a script or a pipe: the outcome only, on one line
        result = run_backtest(c.door, spec)
    else:
        with click.progressbar(
            length=1000, label=f"{class_name} {spec.start} to {spec.end}", file=sys.stderr
        ) as bar:
            shown = [0]

            def progress(done: int, total: int) -> None:
                step = done * 1000 // total
                bar.update(step - shown[0])
                shown[0] = step

            result = run_backtest(c.door, spec, progress)
    if as_json:
        echo_json(
            {
                "portfolio": result.name,
                "id": str(result.portfolio_id),
                "events": result.events,
                "final_value": result.final_value,
                "sha256": spec.sha256,
                "params": {k: str(v) for k, v in spec.params.items()},
            }
        )
        return
    listed = ", ".join(f"{k}={v}" for k, v in spec.params.items()) or "no parameters"
    click.echo(
        f"{result.name}: {result.events} events recorded; value {result.final_value} at the "
        f"close of {spec.end.isoformat()} ({class_name} {listed}, source sha256 "
        f"{spec.sha256[:12]}). Replay it with 'erasmo rerun {result.name}'."
    )


@click.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def rerun(c: Context, name: str, as_json: bool) -> None:
    """Run a backtest portfolio's strategy again (same source and parameters) and compare the
    events with those recorded; records nothing."""
    from erasmo.strategy.rerun import compare_logs
    from erasmo.strategy.runner import read_record, replay_in_scratch

    door = c.door
    portfolio_id = door.resolve(name)
    spec = read_record(door.data_dir, portfolio_id, name)
    with tempfile.TemporaryDirectory(prefix="erasmo-rerun-") as tmp:
        recorded, again = Path(tmp) / "recorded.jsonl", Path(tmp) / "again.jsonl"
        door.export_log(recorded, [portfolio_id])
        replay_in_scratch(door, spec, door.head(portfolio_id).name, again)
        difference = compare_logs(recorded, again)
    if as_json:
        echo_json({"portfolio": name, "identical": difference is None, "difference": difference})
    elif difference is None:
        click.echo(f"{name}: the rerun gives identical events (timestamps and ids aside).")
    else:
        click.echo(f"{name}: the rerun differs: {difference}")
    if difference is not None:
        raise SystemExit(1)
