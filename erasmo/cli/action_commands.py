"""`erasmo actions`: list and record the splits and dividends a portfolio is due.

Standard library only (no pandas): see `erasmo.actions` for the rules.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import click

from erasmo.actions import PendingAction
from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.output import echo_json, money, number, table

_UNTIL_HELP = (
    "Consider ex-dates up to DATE (default: the portfolio's clock, which applying then leaves "
    "where it is; a later DATE moves the clock to the last action recorded)."
)


@click.group()
def actions() -> None:
    """Splits and dividends of the tickers a portfolio holds (raw-price tickers only)."""


@actions.command("list")
@click.argument("name")
@click.option("--until", metavar="DATE", help=_UNTIL_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def actions_list(c: Context, name: str, until: str | None, as_json: bool) -> None:
    """Show the actions NAME is due and has not recorded, ready or blocked."""
    pending = c.door.pending_actions(c.door.resolve(name), until)
    if as_json:
        echo_json([_record(p) for p in pending])
        return
    if not pending:
        click.echo(f"No splits or dividends pending for {name!r}.")
        return
    click.echo(_table(pending, with_status=True))
    for p in pending:
        if not p.ready:
            click.echo(f"blocked: {p.action.ticker} {p.action.kind} {p.action.day}: {p.reason}")


@actions.command("apply")
@click.argument("name")
@click.option("--until", metavar="DATE", help=_UNTIL_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def actions_apply(c: Context, name: str, until: str | None, as_json: bool) -> None:
    """Record the ready actions of NAME, in date order (applying twice adds nothing)."""
    recorded = c.door.apply_actions(c.door.resolve(name), until)
    if as_json:
        echo_json([_record(p) for p in recorded])
        return
    if not recorded:
        click.echo(f"Nothing to record for {name!r}.")
        return
    click.echo(_table(recorded, with_status=False))
    cash = sum((p.cash for p in recorded), start=Decimal(0))
    noun = "action" if len(recorded) == 1 else "actions"
    click.echo(f"Recorded {len(recorded)} {noun} for {name!r}; dividends {money(cash)}.")


def _record(p: PendingAction) -> dict[str, Any]:
    a = p.action
    return {
        "ticker": a.ticker,
        "ex_date": a.day,
        "kind": a.kind,
        "ratio": a.ratio,
        "amount_per_share": a.amount,
        "source": a.source,
        "quantity": p.quantity,
        "quantity_after": p.quantity_after,
        "cash": p.cash,
        "status": p.status,
        "reason": p.reason,
    }


def _table(rows: list[PendingAction], *, with_status: bool) -> str:
    headers = ["ex-date", "ticker", "action", "shares", "after", "cash"]
    body = []
    for p in rows:
        a = p.action
        what = (
            f"split {number(a.ratio)} for 1"
            if a.kind == "split" and a.ratio is not None
            else f"dividend {a.amount}"
        )
        cells = [
            a.day.isoformat(),
            a.ticker,
            what,
            number(p.quantity),
            number(p.quantity_after),
            money(p.cash) if a.kind == "dividend" else "",
        ]
        body.append([*cells, p.status] if with_status else cells)
    return table([*headers, "status"] if with_status else headers, body, right=[3, 4, 5])
