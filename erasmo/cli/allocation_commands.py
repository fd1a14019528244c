"""`erasmo allocation` and `erasmo income`: a portfolio's weights by ticker or sector, and the
dividends it received by month, year or ticker; the numbers of the window's allocation tab,
read through the front door (`erasmo.door.allocations`).

They import pandas (through the analytics) only when they run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.output import echo_json, table
from events.values import parse_date

if TYPE_CHECKING:
    from erasmo.door.allocations import AllocationView, IncomeView
    from erasmo.door.models import PortfolioHead


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _cents(value: float) -> str:
    """JSON money: a decimal string to the cent."""
    return f"{value:.2f}"


@click.command()
@click.argument("name")
@click.option(
    "--by",
    type=click.Choice(["ticker", "sector"]),
    default="ticker",
    show_default=True,
    help="One line per ticker held, or per sector (erasmo's bundled sector map).",
)
@click.option("--as-of", "as_of", metavar="DATE", help="As after the last event on or before DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def allocation(c: Context, name: str, by: str, as_of: str | None, as_json: bool) -> None:
    """Show the weights of portfolio NAME's positions and cash in its total value, by ticker or
    by sector (the window's Allocation tab)."""
    from erasmo.analytics import Moment

    moment = Moment(on=parse_date(as_of)) if as_of else None
    portfolio_id = c.door.resolve(name)
    view = c.door.allocation(portfolio_id, moment)
    head = c.door.head(portfolio_id)
    if as_json:
        echo_json(_allocation_data(head, view, by))
        return
    click.echo(
        f"{head.name} as of {_when(view)}, {head.currency}: weights by {by} of the total value "
        f"{_money(view.total_value)}"
    )
    shares = view.by_ticker if by == "ticker" else view.by_sector
    if not shares:
        click.echo("Nothing held and no cash: no weights to show.")
        return
    members = _members(view, marked=True)
    body = [
        [label, f"{weight:.2%}", _money(value) + _marker(view, _tickers(view, by, label))]
        + ([members.get(label, "")] if by == "sector" else [])
        for label, weight, value in shares
    ]
    headers = [by, "weight", "value"] + (["tickers"] if by == "sector" else [])
    click.echo(table(headers, body, right=[1, 2]))
    if view.stale:
        click.echo("* last close is older than the valuation date (forward-filled)")
    if view.last_trade:
        click.echo("† no prices for the ticker: valued at its last trade price")


def _when(view: AllocationView) -> str:
    """The valuation date, and the date asked when another was used: "2022-12-30 (latest
    market date; 2030-01-01 asked)"."""
    if view.as_of is None:
        return "now"
    moved = f" ({view.moved}; {view.asked:%Y-%m-%d} asked)" if view.asked is not None else ""
    return f"{view.as_of:%Y-%m-%d}{moved}"


def _tickers(view: AllocationView, by: str, label: str) -> list[str]:
    """The tickers a line stands for: the ticker, or a sector's members ("Cash": none)."""
    if by == "ticker":
        return [label] if label in view.sectors else []
    return [t for t, s in view.sectors.items() if s == label]


def _marker(view: AllocationView, tickers: list[str]) -> str:
    """† some valued at their last trade price (no prices), * some at an earlier close (as in
    `erasmo holdings`), else nothing."""
    if any(t in view.last_trade for t in tickers):
        return "†"
    return "*" if any(t in view.stale for t in tickers) else ""


def _members(view: AllocationView, marked: bool = False) -> dict[str, str]:
    """Sector -> the tickers held in it, comma-separated, in alphabetical order (`marked`:
    each with its stale-price marker)."""
    grouped: dict[str, list[str]] = {}
    for ticker, sector in sorted(view.sectors.items()):
        grouped.setdefault(sector, []).append(ticker + (_marker(view, [ticker]) if marked else ""))
    return {sector: ", ".join(tickers) for sector, tickers in grouped.items()}


def _allocation_data(head: PortfolioHead, view: AllocationView, by: str) -> dict[str, Any]:
    """`allocation --json`: the total and one record per ticker (or sector), cash included."""
    shares = view.by_ticker if by == "ticker" else view.by_sector
    members = {s: t.split(", ") for s, t in _members(view).items()}
    return {
        "portfolio": head.name,
        "id": head.id,
        "as_of": view.as_of,
        **({"asked": view.asked, "moved": view.moved} if view.asked is not None else {}),
        "currency": head.currency,
        "by": by,
        "total_value": _cents(view.total_value),
        "weights": [_weight_data(view, by, share, members) for share in shares],
    }


def _weight_data(
    view: AllocationView, by: str, share: tuple[str, float, float], members: dict[str, list[str]]
) -> dict[str, Any]:
    """One record of `allocation --json`; "stale": valued (in part) at an earlier close."""
    label, weight, value = share
    tickers = _tickers(view, by, label)
    return {
        by: label,
        "weight": f"{weight:.6f}",
        "value": _cents(value),
        **({"tickers": members.get(label, [])} if by == "sector" else {}),
        "stale": any(t in view.stale for t in tickers),
        **({"last_trade": True} if any(t in view.last_trade for t in tickers) else {}),
    }


@click.command()
@click.argument("name")
@click.option(
    "--by",
    type=click.Choice(["month", "year", "ticker"]),
    default="month",
    show_default=True,
    help="Sum the dividends per calendar month, per year or per ticker.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def income(c: Context, name: str, by: str, as_json: bool) -> None:
    """Show the cash dividends portfolio NAME received (recorded with 'erasmo actions apply'),
    by month, year or ticker (the window's Income table), and apart those its short positions
    paid."""
    portfolio_id = c.door.resolve(name)
    view = c.door.income(portfolio_id)
    head = c.door.head(portfolio_id)
    received, shorts = view.received or view, view.paid_on_shorts
    rows, paid = _income_rows(received, by), _income_rows(shorts, by) if shorts else []
    if as_json:
        echo_json(
            {
                "portfolio": head.name,
                "id": head.id,
                "currency": head.currency,
                "by": by,
                "dividends": [{by: label, "amount": _cents(amount)} for label, amount in rows],
                "total": _cents(received.total),
                "paid_on_shorts": [{by: label, "amount": _cents(a)} for label, a in paid],
                "paid_on_shorts_total": _cents(shorts.total if shorts else 0.0),
                "net_total": _cents(view.total),
            }
        )
        return
    if not rows and not paid:
        click.echo(
            f"{head.name} has received no dividends. Record those it is due with "
            f"'erasmo actions apply {head.name}'."
        )
        return
    if rows:
        click.echo(f"{head.name}: dividends received by {by}, {head.currency}")
        body = [[label, _money(amount)] for label, amount in rows]
        click.echo(table([by, "dividends"], [*body, ["Total", _money(received.total)]], right=[1]))
    if shorts is not None and paid:
        click.echo(f"{head.name}: dividends paid on short positions by {by}, {head.currency}")
        body = [[label, _money(amount)] for label, amount in paid]
        click.echo(table([by, "paid"], [*body, ["Total", _money(shorts.total)]], right=[1]))
        click.echo(
            f"Net dividends: {_money(received.total)} received - {_money(shorts.total)} paid = "
            f"{_money(view.total)}"
        )


def _income_rows(view: IncomeView, by: str) -> list[tuple[str, float]]:
    """(label, amount) per month ("2012-11"), year or ticker."""
    if by == "month":
        return [(f"{y:04d}-{m:02d}", amount) for (y, m), amount in view.months.items()]
    if by == "year":
        return [(str(year), amount) for year, amount in view.years.items()]
    return list(view.tickers.items())
