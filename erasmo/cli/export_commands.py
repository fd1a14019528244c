"""`erasmo export`: the event log (the default), or one portfolio for other programs:
Portfolio Performance's CSV, a beancount ledger, or a table as CSV or Parquet."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.output import plural
from events.errors import InvalidInputError

FORMATS = ("log", "pp-csv", "beancount", "csv", "parquet")
TABLES = ("trades", "holdings", "value")


@click.command("export")
@click.argument("names", nargs=-1)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (default: standard output).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="log", show_default=True,
              help="log: the hash-chained event log; the others: one portfolio NAME.")  # fmt: skip
@click.option("--table", type=click.Choice(TABLES), default="trades", show_default=True,
              help="For csv and parquet: which table.")  # fmt: skip
@pass_ctx
def export_cmd(
    c: Context, names: tuple[str, ...], output: Path | None, fmt: str, table: str
) -> None:
    """Export the event log (of every portfolio, or of NAMES) as hash-chained JSON Lines, or
    with --format one portfolio NAME for Portfolio Performance, beancount, or pandas."""
    ids = [c.door.resolve(n) for n in names]
    if fmt == "log":
        if output is None:
            c.door.export_log(None, ids, out=sys.stdout)
            return
        count = c.door.export_log(output, ids)
        click.echo(f"Exported {plural(count, 'event')} to {output}.")
        return
    if len(ids) != 1:
        raise InvalidInputError(f"--format {fmt} exports one portfolio: give exactly one NAME.")
    if fmt == "parquet" and output is None:
        raise InvalidInputError("Parquet is binary: give -o FILE.parquet.")
    from erasmo.exporters.writing import export_portfolio

    written = export_portfolio(c.door, ids[0], fmt, table, output)
    if output is None:
        click.echo(written, nl=False)
    else:
        click.echo(f"Exported {names[0]!r} as {fmt} to {output}.")
