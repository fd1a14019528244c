"""Order and clock commands: `order`, `orders`, `cancel`, `clock`, `advance`, `portfolio rules`.

Orders fill against daily bars by the rules in docs/fill-rules.md when the clock advances.
"""

from __future__ import annotations

from typing import Any

import click

from erasmo.cli.context import NUMBERS_MAY_BE_NEGATIVE, Context, pass_ctx
from erasmo.cli.holdings_margin import account_json
from erasmo.cli.margin_options import margin_options, margin_parameters
from erasmo.cli.margin_report import margin_json, margin_lines
from erasmo.cli.output import echo_json, money, number, table

ORDER_TYPES = ("market", "limit", "stop", "stop-limit", "trailing")


def _order_json(o: Any) -> dict[str, Any]:
    return {
        "id": o.order_id,
        "number": o.number,
        "side": o.side,
        "ticker": o.ticker,
        "quantity": o.quantity,
        "type": o.kind,
        "limit": o.limit,
        "stop": o.stop,
        "trail_amount": o.trail_amount,
        "trail_percent": o.trail_percent,
        "tif": o.tif,
        "expires": o.expires,
        "reserved": o.reserved,
        "placed_on": o.placed_on,
        "status": o.status,
        "done_on": o.done_on,
        "fill_price": o.fill_price,
        "fee": o.fee,
        "slippage": o.slippage,
        "reason": o.reason,
    }


def _outcome(o: Any) -> str:
    if o.status in ("filled", "part filled"):
        slip = f", slippage {o.slippage}/share" if o.slippage else ""
        return f"{o.status} {o.done_on} at {o.fill_price}, fee {money(o.fee)}{slip}"
    if o.status == "open":
        what = money(o.reserved) if o.side == "buy" else f"{number(o.reserved)} shares"
        done = f"{number(o.filled)} filled in parts, " if o.filled else ""
        return f"open, {done}holds back {what}"
    if o.status == "rejected":
        return f"rejected {o.done_on}"
    return f"{o.status} {o.done_on}"


@click.command(context_settings=NUMBERS_MAY_BE_NEGATIVE)
@click.argument("name")
@click.argument("side", type=click.Choice(["buy", "sell"], case_sensitive=False))
@click.argument("ticker")
@click.argument("quantity")
@click.option(
    "--type",
    "kind",
    type=click.Choice(ORDER_TYPES, case_sensitive=False),
    default="market",
    show_default=True,
    help="Order type.",
)
@click.option("--limit", metavar="PRICE", help="Limit price (limit and stop-limit orders).")
@click.option("--stop", metavar="PRICE", help="Stop price (stop and stop-limit orders).")
@click.option("--trail", metavar="AMOUNT|PERCENT%", help="Trailing distance, e.g. 2.50 or 5%.")
@click.option(
    "--tif",
    type=click.Choice(["day", "gtc"], case_sensitive=False),
    default="day",
    show_default=True,
    help="Time in force: the next trading day only, or good till cancelled.",
)
@click.option("--expires", metavar="DATE", help="Last day of a GTC order.")
@click.option("--note", metavar="TEXT", help="A note on the order, for the journal.")
@click.option("--tag", "tags", metavar="TAG", multiple=True, help="Tag the order (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def order(
    c: Context,
    name: str,
    side: str,
    ticker: str,
    quantity: str,
    kind: str,
    limit: str | None,
    stop: str | None,
    trail: str | None,
    tif: str,
    expires: str | None,
    note: str | None,
    tags: tuple[str, ...],
    as_json: bool,
) -> None:
    """Place an order for portfolio NAME: it fills when the clock advances (see 'advance').
    A --note and --tag are attached to the order's event, for the journal."""
    placed = c.door.place_order(
        c.door.resolve(name),
        side,
        ticker,
        quantity,
        kind,
        limit,
        stop,
        trail,
        tif,
        expires,
        note=note,
        tags=tags,
    )
    if as_json:
        echo_json(_order_json(placed))
        return
    click.echo(
        f"Placed order {placed.short_id} on {placed.placed_on}: {placed.describe}; "
        f"{_outcome(placed)}."
    )


@click.command()
@click.argument("name")
@click.option("--open", "which", flag_value="open", default=True, help="Open orders (default).")
@click.option("--all", "which", flag_value="all", help="Every order, with what became of it.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def orders(c: Context, name: str, which: str, as_json: bool) -> None:
    """List the orders of portfolio NAME."""
    found = c.door.orders(c.door.resolve(name), open_only=which == "open")
    if as_json:
        echo_json([_order_json(o) for o in found])
        return
    if not found:
        click.echo(f"{name!r} has no {'open ' if which == 'open' else ''}orders.")
        return
    rows = [[o.short_id, o.placed_on.isoformat(), o.describe, _outcome(o)] for o in found]
    click.echo(table(["id", "placed", "order", "status"], rows))
    for o in found:
        if o.reason:
            click.echo(f"{o.short_id}: {o.reason}")


@click.command()
@click.argument("name")
@click.argument("order_id")
@pass_ctx
def cancel(c: Context, name: str, order_id: str) -> None:
    """Cancel open order ORDER_ID (or a unique start of it) of portfolio NAME."""
    done = c.door.cancel_order(c.door.resolve(name), order_id)
    click.echo(f"Cancelled order {done.short_id} ({done.describe}) on {done.done_on}.")


@click.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def clock(c: Context, name: str, as_json: bool) -> None:
    """Show the market date of portfolio NAME and its trading rules.

    A live margin account is first brought to the latest market data: its orders, margin
    interest, borrow fees and margin calls on the days since its clock (docs/margin.md)."""
    portfolio_id = c.door.resolve(name)
    caught = c.door.catch_up(portfolio_id)
    day = c.door.clock(portfolio_id)
    rules = c.door.rules(portfolio_id)
    open_orders = c.door.orders(portfolio_id)
    account = c.door.account(portfolio_id)
    if as_json:
        margin = account.account == "margin"  # a cash account's output is what it was
        echo_json(
            {
                "clock": day,
                **({"account": account_json(account)} if margin else {}),
                "mode": rules.mode,
                "commission": rules.commission,
                "slippage_bps": rules.slippage_bps,
                "open_orders": len(open_orders),
                # only when it moved a live margin account: other output is what it was
                **({"caught_up": _advance_json(caught)} if caught is not None else {}),
                # only where set: the output of a portfolio without a cap is what it was
                **({"max_volume_pct": cap} if (cap := rules.max_volume_pct) is not None else {}),
            }
        )
        return
    for line in _advance_lines(caught) if caught is not None else []:
        click.echo(line)
    follows = "" if rules.mode == "simulation" else " (live: follows the latest market data)"
    cap = rules.max_volume_pct
    capped = f", fills capped at {cap}% of a bar's volume" if cap is not None else ""
    click.echo(
        f"{name}: {day.isoformat()}{follows}; {rules.mode} mode, commission {rules.commission}, "
        f"slippage {rules.slippage_bps} bps{capped}, {len(open_orders)} open orders."
    )
    if account.account == "margin":  # a cash account (the default) says nothing more
        click.echo(f"A {account.describe()}.")
        for line in account.notices():
            click.echo(line)


@click.command()
@click.argument("name")
@click.option("--days", type=int, metavar="N", help="Trading days to step (default 1).")
@click.option("--to", "to", metavar="DATE", help="Step to the last trading day on or before DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def advance(c: Context, name: str, days: int | None, to: str | None, as_json: bool) -> None:
    """Move the clock of portfolio NAME forward, filling its orders on each bar on the way."""
    report = c.door.advance(c.door.resolve(name), days=days, to=to)
    if as_json:
        echo_json(_advance_json(report))
        return
    for line in _advance_lines(report):
        click.echo(line)


def _advance_json(report: Any) -> dict[str, Any]:
    return {
        "portfolio": report.portfolio,
        "from": report.start,
        "to": report.end,
        "trading_days": report.trading_days,
        "filled": [_order_json(o) for o in report.filled],
        "expired": [_order_json(o) for o in report.expired],
        "rejected": [_order_json(o) for o in report.rejected],
        "cancelled": [_order_json(o) for o in report.cancelled],
        "actions": [
            {
                "ticker": a.ticker,
                "on": a.day,
                "kind": a.kind,
                "ratio": a.ratio,
                "amount": a.amount,
            }
            for a in report.actions
        ],
        "open_orders": report.open_orders,
        "cash": report.cash_after,
        "margin": margin_json(report.margin),
    }


def _advance_lines(report: Any) -> list[str]:
    lines = [
        f"{report.portfolio}: {report.start} -> {report.end} ({report.trading_days} trading "
        f"days). Filled {len(report.filled)}, expired {len(report.expired)}, rejected "
        f"{len(report.rejected)}; {report.open_orders} open orders, cash "
        f"{money(report.cash_after)}."
    ]
    lines += [f"  {o.short_id} {o.describe}: {_outcome(o)}" for o in report.filled]
    lines += [f"  {o.short_id} {o.describe}: expired {o.done_on}" for o in report.expired]
    lines += [f"  {o.short_id} {o.describe}: {o.reason}" for o in report.rejected]
    lines += [
        f"  {o.short_id} {o.describe}: cancelled {o.done_on} by a split" for o in report.cancelled
    ]
    for a in report.actions:
        what = f"{a.ratio}:1 split" if a.kind == "split" else f"dividend {a.amount} a share"
        lines.append(f"  {a.day} {a.ticker} {what}")
    return lines + margin_lines(report.margin)


@click.command("rules")
@click.argument("name")
@click.option("--mode", type=click.Choice(["simulation", "live"], case_sensitive=False))
@click.option("--commission", metavar="SPEC", help="E.g. 1.00, 0.005/share, 0.1%,min=1,max=20.")
@click.option("--slippage-bps", metavar="N", help="Slippage against the trader, basis points.")
@click.option(
    "--max-volume-pct",
    metavar="PCT",
    help="Fill at most PCT% of a bar's volume an order (the rest later); 'off' for no cap.",
)
@margin_options
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON (only to show).")
@pass_ctx
def portfolio_rules(
    c: Context,
    /,
    name: str,
    mode: str | None,
    commission: str | None,
    slippage_bps: str | None,
    max_volume_pct: str | None,
    account: str | None,
    as_json: bool,
    **margin: str | None,
) -> None:
    """Show or change the trading rules and the account of portfolio NAME (recorded as
    events)."""
    portfolio_id = c.door.resolve(name)
    parameters = margin_parameters(margin)
    if as_json:
        changes = (mode, commission, slippage_bps, max_volume_pct, account, *parameters.values())
        _echo_rules_json(c, portfolio_id, name, changes)
        return
    changes_rules = (mode, commission, slippage_bps, max_volume_pct) != (None, None, None, None)
    changes_account = account is not None or any(v is not None for v in parameters.values())
    if changes_rules or changes_account:  # all in one save, or nothing (and nothing shown)
        rules, shown = c.door.change_rules(
            portfolio_id,
            mode,
            commission,
            slippage_bps,
            max_volume_pct=max_volume_pct,
            account=account,
            margin=parameters if changes_account else None,
        )
    else:
        rules, shown = c.door.rules(portfolio_id), c.door.account(portfolio_id)
    cap = rules.max_volume_pct
    capped = f", fills capped at {cap}% of a bar's volume" if cap is not None else ""
    click.echo(
        f"{name!r} {'now has' if changes_rules else 'has'} {rules.mode} mode, commission "
        f"{rules.commission}, slippage {rules.slippage_bps} bps{capped}."
    )
    if changes_account:
        click.echo(f"It is now a {shown.describe()}.")
    elif shown.account == "margin":  # a cash account (the default) says nothing more
        click.echo(f"It is a {shown.describe()}.")


def _echo_rules_json(c: Context, portfolio_id: Any, name: str, changes: tuple[Any, ...]) -> None:
    """`portfolio rules NAME --json`: the trading rules and the account, read only."""
    if any(v is not None for v in changes):
        raise click.UsageError("--json only shows the rules: give it without options to change.")
    rules, account = c.door.rules(portfolio_id), c.door.account(portfolio_id)
    margin = account.account == "margin"
    echo_json(
        {
            "portfolio": name,
            "mode": rules.mode,
            "commission": rules.commission,
            "slippage_bps": rules.slippage_bps,
            "max_volume_pct": rules.max_volume_pct,
            "account": account_json(account) if margin else {"account": "cash"},
        }
    )
