"""`erasmo portfolio`: open, list, rename, close, delete, undelete and reopen portfolios.

A delete records a tombstone event: the portfolio leaves every list, its name is free again,
and its events stay in the log (and in exports and syncs). `undelete` brings it back while its
name is free; `reopen` opens a closed portfolio again. `portfolio fork`, `branches` and `rules`
are declared with the commands they belong to and added to this group by `erasmo.cli.main`.
"""

from __future__ import annotations

import click

from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.margin_options import margin_options, margin_parameters
from erasmo.cli.output import echo_json, money, table
from erasmo.door.models import CLOSED


@click.group()
def portfolio() -> None:
    """Open, list, rename, close, reopen, delete and undelete portfolios."""


@portfolio.command("open")
@click.argument("name")
@click.option("--cash", metavar="AMOUNT", help="Deposit this much cash on opening.")
@click.option(
    "--on",
    "on",
    metavar="DATE",
    help="Market date the portfolio starts on (default: the latest in the data, which allows no "
    "trade in the past; a simulation needs it).",
)
@click.option(
    "--mode",
    type=click.Choice(["simulation", "live"], case_sensitive=False),
    help="simulation: the clock starts on --on and moves only with 'advance'; live (default): "
    "the clock follows the latest data.",
)
@click.option("--commission", metavar="SPEC", help="E.g. 1.00, 0.005/share, 0.1%,min=1,max=20.")
@click.option("--slippage-bps", metavar="N", help="Slippage against the trader, basis points.")
@click.option(
    "--max-volume-pct",
    metavar="PCT",
    help="Fill at most PCT% of a bar's volume an order (the rest later; default: no cap).",
)
@margin_options
@pass_ctx
def portfolio_open(
    c: Context,
    /,
    name: str,
    cash: str | None,
    on: str | None,
    mode: str | None,
    commission: str | None,
    slippage_bps: str | None,
    max_volume_pct: str | None,
    account: str | None,
    **margin: str | None,
) -> None:
    """Open a new portfolio called NAME."""
    parameters = margin_parameters(margin)
    if account is None and any(v is not None for v in parameters.values()):
        account = "margin"
    p = c.door.open_portfolio(
        name,
        cash,
        on,
        mode=mode,
        commission=commission,
        slippage_bps=slippage_bps,
        account=account,
        margin=parameters,
        max_volume_pct=max_volume_pct,
    )
    click.echo(f"Opened {p.name!r} on {p.opened_on} with {money(p.cash)} {p.currency} in cash.")
    if on is None and c.door.opened_at_end_of_data(p.id):
        click.echo(
            f"{p.opened_on} is the last day of the data, and a portfolio's clock only moves "
            "forward; to trade in the past, open a portfolio with --on DATE."
        )
    rules = p.rules
    if rules.mode != "live" or rules.commission != "0" or rules.slippage_bps:
        click.echo(
            f"Mode {rules.mode} (clock {p.clock}), commission {rules.commission}, slippage "
            f"{rules.slippage_bps} bps."
        )
    if (cap := rules.max_volume_pct) is not None:
        click.echo(f"Fills capped at {cap}% of a bar's volume.")
    if account == "margin":
        click.echo(f"A {c.door.account(p.id).describe()}.")


@portfolio.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--deleted", is_flag=True, help="List the deleted portfolios (with when) instead.")
@pass_ctx
def portfolio_list(c: Context, as_json: bool, deleted: bool) -> None:
    """List every portfolio."""
    if deleted:
        list_deleted(c, as_json)
        return
    summaries = c.door.portfolios()
    if as_json:
        echo_json(
            [
                {
                    "id": s.id,
                    "name": s.name,
                    "cash": s.cash,
                    "currency": s.currency,
                    "clock": s.clock,
                    "version": s.version,
                    "closed": s.status == CLOSED,
                }
                for s in summaries
            ]
        )
        return
    if not summaries:
        click.echo("No portfolios yet. Open one with: erasmo portfolio open NAME --cash 10000")
        return
    rows = [
        [
            s.name,
            money(s.cash),
            s.currency,
            s.clock.isoformat(),
            str(s.version),
            s.status,
        ]
        for s in summaries
    ]
    click.echo(table(["name", "cash", "ccy", "clock", "events", "status"], rows, right=[1, 4]))


@portfolio.command("rename")
@click.argument("name")
@click.argument("new_name")
@pass_ctx
def portfolio_rename(c: Context, name: str, new_name: str) -> None:
    """Rename portfolio NAME to NEW_NAME."""
    c.door.rename(c.door.resolve(name), new_name)
    click.echo(f"Renamed {name!r} to {new_name.strip()!r}.")


@portfolio.command("close")
@click.argument("name")
@pass_ctx
def portfolio_close(c: Context, name: str) -> None:
    """Close portfolio NAME: its history stays, no more commands are accepted until it is
    reopened."""
    c.door.close(c.door.resolve(name))
    click.echo(f"Closed {name!r}.")


@portfolio.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@pass_ctx
def portfolio_delete(c: Context, name: str, yes: bool) -> None:
    """Delete portfolio NAME: it leaves every list and its name is free again; its events stay
    in the log, and 'erasmo portfolio undelete' brings it back."""
    p = c.door.head(c.door.resolve(name))
    if not yes:
        click.confirm(
            f"Delete {p.name!r} ({p.version} events, {money(p.cash)} {p.currency} in cash)? Its "
            "events stay in the log; 'erasmo portfolio undelete' brings it back.",
            abort=True,
        )
    c.door.delete(p.id)
    click.echo(
        f"Deleted {p.name!r}. Its name is free again; bring it back with: erasmo portfolio "
        f"undelete {p.name!r}"
    )


@portfolio.command("undelete")
@click.argument("name_or_id")
@pass_ctx
def portfolio_undelete(c: Context, name_or_id: str) -> None:
    """Bring back the deleted portfolio NAME_OR_ID (its id when several had that name)."""
    p = c.door.undelete(c.door.find_deleted(name_or_id))
    click.echo(f"Undeleted {p.name!r} ({p.status}, {money(p.cash)} {p.currency} in cash).")


@portfolio.command("reopen")
@click.argument("name")
@pass_ctx
def portfolio_reopen(c: Context, name: str) -> None:
    """Reopen the closed portfolio NAME, as it was when closed."""
    c.door.reopen(c.door.resolve(name))
    click.echo(f"Reopened {name.strip()!r}.")


def list_deleted(c: Context, as_json: bool) -> None:
    """`erasmo portfolio list --deleted`: the deleted portfolios, with when."""
    deleted = c.door.deleted()
    if as_json:
        echo_json(
            [
                {
                    "id": d.id,
                    "name": d.name,
                    "version": d.version,
                    "closed": d.closed,
                    "deleted_on": d.deleted_on,
                    "deleted_at": d.deleted_at,
                }
                for d in deleted
            ]
        )
        return
    if not deleted:
        click.echo("No deleted portfolios.")
        return
    rows = [
        [
            d.name,
            str(d.id),
            d.deleted_on.isoformat(),
            f"{d.deleted_at.astimezone():%Y-%m-%d %H:%M}",
            str(d.version),
        ]
        for d in deleted
    ]
    click.echo(table(["name", "id", "clock", "deleted at", "events"], rows, right=[4]))
