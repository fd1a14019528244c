"""Cash and trades: `erasmo deposit`, `withdraw`, `buy` and `sell`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from erasmo.cli.context import NUMBERS_MAY_BE_NEGATIVE, Context, pass_ctx
from erasmo.cli.output import money, number
from erasmo.door.models import TradeReceipt

F = TypeVar("F", bound=Callable[..., Any])


@click.command(context_settings=NUMBERS_MAY_BE_NEGATIVE)
@click.argument("name")
@click.argument("amount")
@click.option("--on", "on", metavar="DATE", help="Market date (default: the latest in the data).")
@pass_ctx
def deposit(c: Context, name: str, amount: str, on: str | None) -> None:
    """Deposit AMOUNT of cash into portfolio NAME."""
    r = c.door.deposit(c.door.resolve(name), amount, on)
    click.echo(
        f"Deposited {money(r.amount)} into {r.portfolio!r} on {r.day}; cash {money(r.cash_after)}."
    )


@click.command(context_settings=NUMBERS_MAY_BE_NEGATIVE)
@click.argument("name")
@click.argument("amount")
@click.option("--on", "on", metavar="DATE", help="Market date (default: the latest in the data).")
@pass_ctx
def withdraw(c: Context, name: str, amount: str, on: str | None) -> None:
    """Withdraw AMOUNT of cash from portfolio NAME."""
    r = c.door.withdraw(c.door.resolve(name), amount, on)
    click.echo(
        f"Withdrew {money(r.amount)} from {r.portfolio!r} on {r.day}; cash {money(r.cash_after)}."
    )


def _trade_options(f: F) -> F:
    f = click.option(
        "--tag", "tags", metavar="TAG", multiple=True, help="Tag the trade (repeatable)."
    )(f)
    f = click.option("--note", metavar="TEXT", help="A note on the trade, for the journal.")(f)
    f = click.option("--fee", metavar="FEE", help="Commission in cash (default 0).")(f)
    f = click.option(
        "--price", metavar="PRICE", help="Fill price; must lie in the day's low-high range."
    )(f)
    return click.option(
        "--on", "on", metavar="DATE", help="Market date (default: the ticker's latest)."
    )(f)


@click.command(context_settings=NUMBERS_MAY_BE_NEGATIVE)
@click.argument("name")
@click.argument("ticker")
@click.argument("quantity")
@_trade_options
@pass_ctx
def buy(
    c: Context,
    name: str,
    ticker: str,
    quantity: str,
    on: str | None,
    price: str | None,
    fee: str | None,
    note: str | None,
    tags: tuple[str, ...],
) -> None:
    """Buy QUANTITY shares of TICKER for portfolio NAME at the day's close."""
    portfolio_id = c.door.resolve(name)
    _echo_receipt(c.door.buy(portfolio_id, ticker, quantity, on, price, fee, note=note, tags=tags))


@click.command(context_settings=NUMBERS_MAY_BE_NEGATIVE)
@click.argument("name")
@click.argument("ticker")
@click.argument("quantity")
@_trade_options
@pass_ctx
def sell(
    c: Context,
    name: str,
    ticker: str,
    quantity: str,
    on: str | None,
    price: str | None,
    fee: str | None,
    note: str | None,
    tags: tuple[str, ...],
) -> None:
    """Sell QUANTITY shares of TICKER from portfolio NAME at the day's close."""
    portfolio_id = c.door.resolve(name)
    _echo_receipt(c.door.sell(portfolio_id, ticker, quantity, on, price, fee, note=note, tags=tags))


def _echo_receipt(r: TradeReceipt) -> None:
    verb = "Bought" if r.side == "buy" else "Sold"
    fee = f" + fee {money(r.fee)}" if r.fee else ""
    click.echo(
        f"{verb} {number(r.quantity)} {r.ticker} at {r.price} on {r.day} "
        f"({r.provenance.source}{', adjusted' if r.provenance.adjusted else ''}) = "
        f"{money(r.value)}{fee}. {r.portfolio!r} now holds {number(r.position_after)} "
        f"{r.ticker} and {money(r.cash_after)} in cash."
    )
