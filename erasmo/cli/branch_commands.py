"""What-if branches and comparisons: `portfolio fork`, `compare` and `leaderboard`.

`portfolio fork` is a write command and imports no pandas; the other two read the analytics.
"""

from __future__ import annotations

import math
from typing import Any

import click

from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.output import echo_json, money, number, table
from erasmo.cli.ranges import check_order
from erasmo.cli.reports import _dec, _pct, money_f
from events.values import parse_date


@click.command("fork")
@click.argument("name")
@click.argument("new_name")
@click.option(
    "--at",
    "at_seq",
    type=click.IntRange(min=1),
    metavar="SEQ",
    help="Fork after NAME's event at log position SEQ (see 'erasmo history NAME').",
)
@click.option(
    "--at-version",
    type=click.IntRange(min=1),
    metavar="N",
    help="Fork after NAME's N-th event.",
)
@click.option("--on", "on", metavar="DATE", help="Fork after NAME's last event on or before DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def portfolio_fork(
    c: Context,
    name: str,
    new_name: str,
    at_seq: int | None,
    at_version: int | None,
    on: str | None,
    as_json: bool,
) -> None:
    """Open NEW_NAME as a what-if branch of NAME: NAME's events up to a point (default: its
    latest), then its own. NAME is not changed."""
    receipt = c.door.fork(c.door.resolve(name), new_name, at_seq, at_version=at_version, on=on)
    branch = receipt.head
    if as_json:
        echo_json(
            {
                "id": receipt.id,
                "name": receipt.name,
                "parent": receipt.parent,
                "parent_id": receipt.parent_id,
                "parent_version": receipt.point_version,
                "parent_seq": receipt.point_seq,
                "forked_on": receipt.point_on,
                "copied_events": receipt.copied,
                "cash": branch.cash,
                "positions": {p.ticker: p.quantity for p in branch.positions},
            }
        )
        return
    held = ", ".join(f"{number(p.quantity)} {p.ticker}" for p in branch.positions)
    click.echo(
        f"Forked {receipt.parent!r} after its event {receipt.point_version} (seq "
        f"{receipt.point_seq}, {receipt.point_type} on {receipt.point_on}) into "
        f"{receipt.name!r}: {receipt.copied} events copied. "
        f"{receipt.name!r} holds {held + ' and ' if held else ''}{money(branch.cash)} in cash."
    )


@click.command("branches")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def portfolio_branches(c: Context, as_json: bool) -> None:
    """List the what-if branches and where each was forked from."""
    infos = c.door.branch_list()
    if as_json:
        echo_json(
            [
                {
                    "id": b.id,
                    "name": b.name,
                    "parent_id": b.parent_id,
                    "parent": b.parent_name,
                    "parent_present": b.parent_present,
                    "parent_version": b.parent_version,
                    "parent_seq": b.parent_seq,
                }
                for b in infos
            ]
        )
        return
    if not infos:
        click.echo("No branches yet. Make one with: erasmo portfolio fork NAME NEW_NAME --at SEQ")
        return
    rows = [
        [
            b.name,
            b.parent_name if b.parent_present else f"{b.parent_name} (not in this store)",
            str(b.parent_version),
            "-" if b.parent_seq is None else str(b.parent_seq),
        ]
        for b in infos
    ]
    click.echo(table(["branch", "forked from", "after event", "seq"], rows, right=[2, 3]))


@click.command()
@click.argument("names", nargs=-1, required=True)
@click.option("--from", "start", metavar="DATE", help="Start of the period (default: common).")
@click.option("--to", "end", metavar="DATE", help="End of the period (default: common).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def compare(
    c: Context, names: tuple[str, ...], start: str | None, end: str | None, as_json: bool
) -> None:
    """Show the metrics of portfolios NAMES side by side over the period they share."""
    first, last = (parse_date(start) if start else None), (parse_date(end) if end else None)
    check_order(first, last)
    frame = c.door.compare([c.door.resolve(n) for n in names], first, last)
    records = frame.to_dict("records")
    if as_json:
        echo_json(
            {
                "start": frame.attrs["start"],
                "end": frame.attrs["end"],
                "portfolios": [_json_row(r) for r in records],
            }
        )
        return
    metrics: list[tuple[str, Any]] = [
        ("Start value", lambda r: money_f(r["start_value"])),
        ("Final value", lambda r: money_f(r["end_value"])),
        ("Net deposits", lambda r: money_f(r["net_flows"], signed=True)),
        ("P&L (delta)", lambda r: money_f(r["pnl"], signed=True)),
        ("TTWROR", lambda r: _pct(r["ttwror"])),
        ("TTWROR p.a. (365-day years)", lambda r: _pct(r["ttwror_annualized"])),
        ("IRR (money-weighted, p.a.)", lambda r: r["irr_note"] or _pct(r["irr"])),
        ("Max drawdown", lambda r: _pct(-r["max_drawdown"])),
        ("Volatility over the period (PP)", lambda r: _plain_pct(r["volatility_period"])),
        ("Volatility annualised (sqrt 252)", lambda r: _plain_pct(r["volatility_annualized"])),
        ("Sharpe (IRR / period volatility)", lambda r: _ratio(r["sharpe"])),
    ]
    rows = [[label, *(cell(r) for r in records)] for label, cell in metrics]
    first, last = frame.attrs["start"], frame.attrs["end"]
    shared = "as asked" if start or end else "the period all of them share"
    click.echo(f"Period {first} to {last} ({(last - first).days} days, {shared})")
    click.echo(
        table(
            ["metric", *(str(r["name"]) for r in records)],
            rows,
            right=list(range(1, len(records) + 1)),
        )
    )


@click.command()
@click.option("--from", "start", metavar="DATE", help="Start of the period (default: common).")
@click.option("--to", "end", metavar="DATE", help="End of the period (default: common).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def leaderboard(c: Context, start: str | None, end: str | None, as_json: bool) -> None:
    """Rank every open portfolio by TTWROR over a common period (default: the one all share).

    Ties share a rank (1, 2, 2, 4). Portfolios that did not exist for the whole period or held
    nothing in it are listed last, unranked, with the reason.
    """
    first, last = (parse_date(start) if start else None), (parse_date(end) if end else None)
    check_order(first, last)
    frame = c.door.leaderboard(first, last)
    import pandas as pd

    records = frame.to_dict("records")
    if as_json:
        echo_json(
            {
                "start": frame.attrs["start"],
                "end": frame.attrs["end"],
                "ranking": [
                    {
                        "rank": None if pd.isna(r["rank"]) else int(r["rank"]),
                        **_json_row(r),
                        "note": r["note"],
                        "unverified": bool(r["unverified"]),
                    }
                    for r in records
                ],
            }
        )
        return
    if not records:
        click.echo("No open portfolios to rank. Open one with: erasmo portfolio open NAME")
        return
    click.echo(
        f"Ranked by TTWROR from {frame.attrs['start']} to {frame.attrs['end']} (ties share a rank)"
    )
    headers = ["rank", "portfolio", "TTWROR", "p.a.", "IRR p.a.", "max DD", "Sharpe", "value"]
    rows = _leaderboard_rows(records)
    click.echo(table([*headers, "note"], rows, right=[0, 2, 3, 4, 5, 6, 7]))
    if any(r["unverified"] for r in records):
        click.echo(
            "(?) holds events this install could not check against its market data; see "
            "'erasmo check'."
        )


def _leaderboard_rows(records: list[dict[Any, Any]]) -> list[list[str]]:
    """The leaderboard's table rows: a ranked portfolio's metrics, or an unranked one's note."""
    rows = []
    for r in records:
        name = f"{r['name']} (?)" if r["unverified"] else str(r["name"])
        if r["note"] is not None:
            rows.append(["-", name, "", "", "", "", "", "", str(r["note"])])
            continue
        rows.append(
            [
                str(r["rank"]),
                name,
                _pct(r["ttwror"]),
                _pct(r["ttwror_annualized"]),
                "n/a" if r["irr_note"] else _pct(r["irr"]),
                _pct(-r["max_drawdown"]),
                _ratio(r["sharpe"]),
                money_f(r["end_value"]),
                "",
            ]
        )
    return rows


def _json_row(r: dict[Any, Any]) -> dict[str, Any]:
    """A result row for JSON: money to the cent and ratios to 6 places, as decimal strings."""
    out: dict[str, Any] = {"name": r["name"], "id": r["id"]}
    for key in ("start", "end", "trading_days"):
        if key in r:
            out[key] = r[key]
    for key in ("start_value", "end_value", "net_flows", "pnl"):
        if key in r:
            out[key] = _dec(r[key], 2)
    for key in (
        "ttwror",
        "ttwror_annualized",
        "irr",
        "max_drawdown",
        "volatility_period",
        "volatility_annualized",
        "sharpe",
    ):
        if key in r:
            out[key] = _dec(r[key], 6)
    if "irr_note" in r:
        out["irr_note"] = r["irr_note"]
    return out


def _plain_pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2%}"


def _ratio(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"
