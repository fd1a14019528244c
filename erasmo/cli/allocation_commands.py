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
    when = f"{view.as_of:%Y-%m-%d}" if view.as_of is not None else "now"
    click.echo(
        f"{head.name} as of {when}, {head.currency}: weights by {by} of the total value "
        f"{_money(view.total_value)}"
    )
    shares = view.by_ticker if by == "ticker" else view.by_sector
    if not shares:
        click.echo("Nothing held and no cash: no weights to show.")
        return
    members = _members(view)
    body = [
        [label, f"{weight:.2%}", _money(value)]
        + ([members.get(label, "")] if by == "sector" else [])
        for label, weight, value in shares
    ]
    headers = [by, "weight", "value"] + (["tickers"] if by == "sector" else [])
    click.echo(table(headers, body, right=[1, 2]))


def _members(view: AllocationView) -> dict[str, str]:
    """Sector -> the tickers held in it, comma-separated, in alphabetical order."""
    grouped: dict[str, list[str]] = {}
    for ticker, sector in sorted(view.sectors.items()):
        grouped.setdefault(sector, []).append(ticker)
    return {sector: ", ".join(tickers) for sector, tickers in grouped.items()}


def _allocation_data(head: PortfolioHead, view: AllocationView, by: str) -> dict[str, Any]:
    """`allocation --json`: the total and one record per ticker (or sector), cash included."""
    shares = view.by_ticker if by == "ticker" else view.by_sector
    members = {s: t.split(", ") for s, t in _members(view).items()}
    return {
        "portfolio": head.name,
        "id": head.id,
        "as_of": view.as_of,
        "currency": head.currency,
        "by": by,
        "total_value": _cents(view.total_value),
        "weights": [
            {
                by: label,
                "weight": f"{weight:.6f}",
                "value": _cents(value),
                **({"tickers": members.get(label, [])} if by == "sector" else {}),
            }
            for label, weight, value in shares
        ],
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
    by month, year or ticker (the window's Income table)."""
    portfolio_id = c.door.resolve(name)
    view = c.door.income(portfolio_id)
    head = c.door.head(portfolio_id)
    rows = _income_rows(view, by)
    if as_json:
        echo_json(
            {
                "portfolio": head.name,
                "id": head.id,
                "currency": head.currency,
                "by": by,
                "dividends": [{by: label, "amount": _cents(amount)} for label, amount in rows],
                "total": _cents(view.total),
            }
        )
        return
    if not rows:
        click.echo(
            f"{head.name} has received no dividends. Record those it is due with "
            f"'erasmo actions apply {head.name}'."
        )
        return
    click.echo(f"{head.name}: dividends received by {by}, {head.currency}")
    body = [[label, _money(amount)] for label, amount in rows]
    click.echo(table([by, "dividends"], [*body, ["Total", _money(view.total)]], right=[1]))


def _income_rows(view: IncomeView, by: str) -> list[tuple[str, float]]:
    """(label, amount) per month ("2012-11"), year or ticker."""
    if by == "month":
        return [(f"{y:04d}-{m:02d}", amount) for (y, m), amount in view.months.items()]
    if by == "year":
        return [(str(year), amount) for year, amount in view.years.items()]
    return list(view.tickers.items())
