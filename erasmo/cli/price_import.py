"""`erasmo prices import FILE.csv`: daily bars from a file into the price cache, all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.output import echo_json, plural, table


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ticker", metavar="TICKER",
              help="The ticker of every row (for a file without a Ticker column).")  # fmt: skip
@click.option("--date-format", metavar="FORMAT", help="How the file writes dates (e.g. %d/%m/%Y).")
@click.option("--decimal", "decimal_mark", type=click.Choice([".", ","]),
              help="The decimal mark (default: guessed per number).")  # fmt: skip
@click.option("--separator", metavar="CHAR", help="The column separator (default: guessed).")
@click.option(
    "--dry-run", is_flag=True, help="Check the file and show what it holds; store nothing."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def prices_import(
    c: Context,
    file: Path,
    ticker: str | None,
    date_format: str | None,
    decimal_mark: str | None,
    separator: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Store the daily prices of FILE (Date, Open, High, Low, Close, Volume, optional Adj Close,
    and a Ticker column or --ticker) in the price cache, so its tickers can be traded and valued
    offline. Prices are as traded (raw). The whole file is checked first: a bad cell, a missing
    column, or dates out of order or repeated store nothing."""
    from erasmo.importers.prices import read_price_file
    from erasmo.importers.table import read_table

    prices = read_price_file(
        read_table(file, separator), ticker, date.today(), decimal_mark, date_format
    )
    outcomes = c.erasmo.prices.import_prices(
        prices.file, dict(prices.bars), dict(prices.lines), dry_run=dry_run
    )
    if as_json:
        echo_json(
            {
                "file": prices.file,
                "dry_run": dry_run,
                "tickers": [
                    {
                        "ticker": o.ticker,
                        "source": o.source,
                        "first": o.first,
                        "last": o.last,
                        "bars": o.bars,
                        "added": o.added,
                    }
                    for o in outcomes
                ],
            }
        )
        return
    rows = [
        [o.ticker, o.first.isoformat(), o.last.isoformat(), str(o.bars), str(o.added)]
        for o in outcomes
    ]
    click.echo(table(["ticker", "first", "last", "bars", "new"], rows, right=[3, 4]))
    verb = "Would store" if dry_run else "Stored"
    added = sum(o.added for o in outcomes)
    click.echo(
        f"{verb} {plural(added, 'new bar')} of {plural(len(outcomes), 'ticker')} from "
        f"{prices.file} in the price cache (source {outcomes[0].source!r})."
    )
