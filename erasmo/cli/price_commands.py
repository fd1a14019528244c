"""Price-cache commands: `erasmo prices refresh` and `erasmo prices clear`."""

from __future__ import annotations

import sys

import click

from erasmo.cli.main import Context, pass_ctx, price_status_line, prices
from erasmo.cli.output import echo_json, plural, table


@prices.command("refresh")
@click.argument("tickers", nargs=-1, metavar="[TICKER]...")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def prices_refresh(c: Context, tickers: tuple[str, ...], as_json: bool) -> None:
    """Fetch from Yahoo what the cache lacks of TICKERs (default: every cached ticker).

    A ticker fetched for the first time gets its whole daily history; after that only the days
    since the last fetch. Bundled tickers are never fetched. Exits with 1 if any ticker failed.
    """
    service = c.erasmo.prices
    names = list(tickers) if tickers else None
    total = len(tickers) if tickers else len(service.listing())
    if total == 0:
        click.echo(
            "The price cache is empty: name the tickers to fetch, e.g. 'erasmo prices "
            "refresh NVDA'."
        )
        return
    with click.progressbar(
        length=total, label="Refreshing prices", file=sys.stderr, show_pos=True
    ) as bar:
        last = [0]

        def progress(done: int, _total: int, ticker: str) -> None:
            bar.label = f"Refreshing {ticker}" if ticker else "Refreshed"
            bar.update(done - last[0])
            last[0] = done

        outcomes = service.refresh(names, progress=progress)
    if as_json:
        echo_json(
            [
                {"ticker": o.ticker, "status": o.status, "added": o.added, "message": o.message}
                for o in outcomes
            ]
        )
    else:
        rows = [[o.ticker, o.status, str(o.added), o.message] for o in outcomes]
        click.echo(table(["ticker", "status", "new bars", "details"], rows, right=[2]))
        click.echo(price_status_line(c))
    failed = [o.ticker for o in outcomes if o.status in ("failed", "rate-limited", "cancelled")]
    if failed:
        click.echo(f"erasmo: could not refresh {', '.join(failed)}.", err=True)
        sys.exit(1)


@prices.command("clear")
@click.argument("tickers", nargs=-1, metavar="[TICKER]...")
@pass_ctx
def prices_clear(c: Context, tickers: tuple[str, ...]) -> None:
    """Empty the price cache (or forget the given TICKERs). Trades already recorded keep their
    prices; cleared tickers are fetched again when next needed."""
    count, bars = c.erasmo.prices.clear(list(tickers) if tickers else None)
    click.echo(f"Cleared {plural(count, 'ticker')} ({plural(bars, 'bar')}) from the price cache.")
