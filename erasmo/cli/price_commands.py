"""`erasmo prices`: list and show the market data, refresh and clear the price cache, import a
price file."""

from __future__ import annotations

import sys
from typing import Any

import click

from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.output import echo_json, plural, table
from erasmo.cli.ranges import check_period
from events.values import parse_date, parse_ticker


@click.group()
def prices() -> None:
    """Look at the market data erasmo trades on."""


@prices.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def prices_list(c: Context, as_json: bool) -> None:
    """List the tickers with their date ranges and sources (bundled, or cached from Yahoo)."""
    infos = c.erasmo.market.tickers()
    service = c.erasmo.prices
    cached = {t.ticker: t for t in service.listing()}
    if as_json:
        echo_json(
            [
                {
                    "ticker": i.ticker,
                    "first": i.first,
                    "last": i.last,
                    "source": i.source,
                    "adjusted": i.adjusted,
                    "tradable": i.tradable,
                    "fields": list(i.fields),
                    "missing_fields": list(i.missing_fields),
                    "cached": i.ticker in cached,
                    "fetched_to": cached[i.ticker].covered_to if i.ticker in cached else None,
                    "fetched_at": cached[i.ticker].fetched_at if i.ticker in cached else None,
                    "stale": service.is_stale(i.ticker) if i.ticker in cached else False,
                }
                for i in infos
            ]
        )
        return

    def note(info: Any) -> str:
        notes = [] if info.tradable else [info.description or "index (not tradable)"]
        if info.ticker in cached:
            entry = cached[info.ticker]
            notes.append(f"cached, fetched {entry.fetched_at.astimezone():%Y-%m-%d %H:%M}")
            if service.is_stale(info.ticker):
                notes.append("stale")
        return "; ".join(notes)

    rows = [
        [
            i.ticker,
            i.first.isoformat(),
            i.last.isoformat(),
            i.source,
            "adjusted" if i.adjusted else "raw",
            ",".join(i.fields),
            note(i) if i.ticker in cached or not i.tradable else "",
        ]
        for i in infos
    ]
    click.echo(table(["ticker", "first", "last", "source", "close", "fields", "note"], rows))
    click.echo(price_status_line(c))


def price_status_line(c: Context) -> str:
    """One line: online or offline (and why), the cache, the last refresh."""
    service = c.erasmo.prices
    status = service.status()
    state = "online (Yahoo)." if status.online else f"offline: {status.reason}"
    last = f"{status.last_refresh:%Y-%m-%d %H:%M}" if status.last_refresh else "never"
    size = service.cache.size()
    return (
        f"Live prices: {state} Cache: {status.cached_tickers} tickers, {size / 1024:,.0f} KB "
        f"({service.cache.path}); last refresh {last}."
    )


@prices.command("show")
@click.argument("ticker")
@click.option("--from", "start", metavar="DATE", help="First date.")
@click.option("--to", "end", metavar="DATE", help="Last date.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def prices_show(c: Context, ticker: str, start: str | None, end: str | None, as_json: bool) -> None:
    """Show the daily bars of TICKER."""
    market = c.erasmo.market
    info = market.info(parse_ticker(ticker))
    first = parse_date(start) if start else None
    last = parse_date(end) if end else None
    check_period(info.ticker, first, last, (info.first, info.last), "prices")
    if first is None and last is None:
        bars = market.bars(info.ticker)[-20:]
    else:
        bars = market.bars(info.ticker, first, last)
    if as_json:
        echo_json(
            [
                {
                    "ticker": b.ticker,
                    "date": b.day,
                    "open": b.open,
                    "high": b.high,
                    "low": b.low,
                    "close": b.close,
                    "adj_close": b.adj_close,
                    "volume": b.volume,
                }
                for b in bars
            ]
        )
        return

    def cell(v: Any) -> str:
        return "" if v is None else str(v)

    rows = [
        [
            b.day.isoformat(),
            cell(b.open),
            cell(b.high),
            cell(b.low),
            str(b.close),
            cell(b.adj_close),
            cell(b.volume),
        ]
        for b in bars
    ]
    click.echo(f"{info.ticker} ({info.source}, close {'adjusted' if info.adjusted else 'raw'})")
    click.echo(
        table(
            ["date", "open", "high", "low", "close", "adj close", "volume"],
            rows,
            right=[1, 2, 3, 4, 5, 6],
        )
    )


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


from erasmo.cli.price_import import prices_import  # noqa: E402 - registered on the group above

prices.add_command(prices_import)
