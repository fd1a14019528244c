"""`erasmo portfolio delete | undelete | reopen`, and the list of deleted portfolios.

A delete records a tombstone event: the portfolio leaves every list, its name is free again,
and its events stay in the log (and in exports and syncs). `undelete` brings it back while its
name is free; `reopen` opens a closed portfolio again.
"""

from __future__ import annotations

import click

from erasmo.cli.main import Context, pass_ctx, portfolio
from erasmo.cli.output import echo_json, money, table


@portfolio.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@pass_ctx
def portfolio_delete(c: Context, name: str, yes: bool) -> None:
    """Delete portfolio NAME: it leaves every list and its name is free again; its events stay
    in the log, and 'erasmo portfolio undelete' brings it back."""
    trading = c.erasmo.trading
    p = c.erasmo.app.portfolio(trading.resolve(name))
    if not yes:
        click.confirm(
            f"Delete {p.name!r} ({p.version} events, {money(p.cash)} {p.currency} in cash)? Its "
            "events stay in the log; 'erasmo portfolio undelete' brings it back.",
            abort=True,
        )
    trading.delete(name)
    click.echo(
        f"Deleted {p.name!r}. Its name is free again; bring it back with: erasmo portfolio "
        f"undelete {p.name!r}"
    )


@portfolio.command("undelete")
@click.argument("name_or_id")
@pass_ctx
def portfolio_undelete(c: Context, name_or_id: str) -> None:
    """Bring back the deleted portfolio NAME_OR_ID (its id when several had that name)."""
    p = c.erasmo.trading.undelete(name_or_id)
    status = "closed" if p.closed else "open"
    click.echo(f"Undeleted {p.name!r} ({status}, {money(p.cash)} {p.currency} in cash).")


@portfolio.command("reopen")
@click.argument("name")
@pass_ctx
def portfolio_reopen(c: Context, name: str) -> None:
    """Reopen the closed portfolio NAME, as it was when closed."""
    c.erasmo.trading.reopen(name)
    click.echo(f"Reopened {name.strip()!r}.")


def list_deleted(c: Context, as_json: bool) -> None:
    """`erasmo portfolio list --deleted`: the deleted portfolios, with when."""
    deleted = c.erasmo.trading.deleted()
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
