"""The trading journal: `erasmo trades`, `stats` and `report` (and `note`).

Read commands: they import pandas (through the door's journal) when they run. Money goes into
JSON as decimal strings with cents, fractions (win rate, returns) with six decimals, counts as
integers; a figure that cannot be computed (no losers: no payoff ratio) is null.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import click

from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.output import echo_json, plural, table
from erasmo.cli.ranges import check_order
from events.values import parse_date

#: How each statistic is written: "count", "money" (2 decimals), "fraction" or "ratio" (6).
STAT_KINDS: dict[str, str] = {
    "trades": "count",
    "winners": "count",
    "losers": "count",
    "win_rate": "fraction",
    "total_pnl": "money",
    "gross_profit": "money",
    "gross_loss": "money",
    "average_win": "money",
    "average_loss": "money",
    "payoff_ratio": "ratio",
    "best_trade": "money",
    "worst_trade": "money",
    "best_trade_pct": "fraction",
    "worst_trade_pct": "fraction",
    "profit_factor": "ratio",
    "profit_factor_pct": "ratio",
    "expectancy": "money",
    "expectancy_pct": "fraction",
    "average_trade_pct": "fraction",
    "sqn": "ratio",
    "kelly": "fraction",
    "average_holding_days": "ratio",
    "longest_holding_days": "count",
    "exposure": "fraction",
    "longest_losing_streak": "count",
    "longest_winning_streak": "count",
    "realized_pnl": "money",
}
_BY = ("ticker", "tag", "month")
#: `erasmo.journal.filters.OUTCOMES`, spelled here so the command line loads without pandas
#: (a test checks they agree).
OUTCOMES = ("winners", "losers", "open", "closed")


def _number(value: Any, kind: str) -> Any:
    """A statistic for JSON: an int, a decimal string, or None (NaN)."""
    number = float(value)
    if not math.isfinite(number):
        return None
    if kind == "count":
        return int(number)
    if kind == "money":
        from erasmo.journal.money import cents

        return str(cents(number))
    return f"{number:.6f}"


def _shown(value: Any, kind: str) -> str:
    """A statistic for people."""
    number = float(value)
    if not math.isfinite(number):
        return "n/a"
    if kind == "count":
        return f"{int(number):,}"
    if kind == "money":
        from erasmo.journal.money import money_text

        return money_text(number)
    return f"{number:.2%}" if kind == "fraction" else f"{number:.2f}"


def _period(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    first = parse_date(start) if start else None
    last = parse_date(end) if end else None
    check_order(first, last)
    return first, last


def _filter_options(f: Any) -> Any:
    """--ticker, --tag, --outcome, --from and --to: `erasmo.journal.filters.selected`'s."""
    exits = "(an open trade's exit day is the valuation day)"
    f = click.option(
        "--to", "end", metavar="DATE", help=f"Trades that exit on or before DATE {exits}."
    )(f)
    f = click.option(
        "--from", "start", metavar="DATE", help=f"Trades that exit on or after DATE {exits}."
    )(f)
    f = click.option(
        "--outcome",
        type=click.Choice(OUTCOMES),
        help="Only the winners, losers, open or closed trades.",
    )(f)
    f = click.option("--tag", metavar="TAG", help="Only the trades whose entry has TAG.")(f)
    return click.option("--ticker", metavar="TICKER", help="Only the trades of TICKER.")(f)


def _day(value: Any) -> str | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else str(value.date())


def _seq(value: Any) -> int | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else int(value)


def _trade_record(r: dict[Any, Any]) -> dict[str, Any]:
    return {
        "ticker": r["ticker"],
        "direction": r["direction"],
        "status": r["status"],
        "entry_seq": int(r["entry_seq"]),
        "entry_on": _day(r["entry_on"]),
        "entry_price": _number(r["entry_price"], "ratio"),
        "exit_seq": _seq(r["exit_seq"]),
        "exit_on": _day(r["exit_on"]),
        "exit_price": _number(r["exit_price"], "ratio"),
        "quantity": format(round(float(r["quantity"]), 6), "f").rstrip("0").rstrip("."),
        "fees": _number(float(r["entry_fee"]) + float(r["exit_fee"]), "money"),
        "dividends": _number(r["dividends"], "money"),
        "pnl": _number(r["pnl"], "money"),
        "return_pct": _number(r["return_pct"], "fraction"),
        "holding_days": int(r["holding_days"]),
        "mae": _number(r["mae"], "money"),
        "mae_pct": _number(r["mae_pct"], "fraction"),
        "mfe": _number(r["mfe"], "money"),
        "mfe_pct": _number(r["mfe_pct"], "fraction"),
        "tags": list(r["tags"]),
        "note": r["note"],
        "exit_note": r["exit_note"],
    }


@click.command()
@click.argument("name")
@_filter_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def trades(c: Context, /, name: str, as_json: bool, **filters: Any) -> None:
    """List the round-trip trades of portfolio NAME (FIFO; see docs/journal.md), and a line of
    their statistics."""
    journal = _journal(c, name, filters)
    records = [_trade_record(r) for r in journal.trades.to_dict("records")]
    if as_json:
        echo_json(records)
        return
    if not records and journal.total == 0:  # no filter could find one
        click.echo(f"{name} has no trades yet.")
        return
    if not records:
        click.echo(f"{name} has none of its {plural(journal.total, 'trade')} that way.")
        return
    rows = [
        [
            r["ticker"],
            r["status"],
            r["entry_on"],
            r["entry_price"].rstrip("0").rstrip(".") if r["entry_price"] else "-",
            r["exit_on"],
            r["exit_price"].rstrip("0").rstrip(".") if r["exit_price"] else "-",
            r["quantity"],
            _shown(r["pnl"] or math.nan, "money"),
            _shown(r["return_pct"] or math.nan, "fraction"),
            str(r["holding_days"]),
            ",".join(r["tags"]),
        ]
        for r in records
    ]
    headers = ["ticker", "status", "entry", "price", "exit", "price", "qty", "P&L", "return"]
    click.echo(table([*headers, "days", "tags"], rows, right=(3, 5, 6, 7, 8, 9)))
    s = journal.statistics
    click.echo(
        f"{plural(len(records), 'trade')} of {journal.total}: {s.winners} won, {s.losers} lost, "
        f"win rate {_shown(s.win_rate, 'fraction')}, P&L {_shown(s.total_pnl, 'money')}, "
        f"expectancy {_shown(s.expectancy, 'money')}."
    )


def _journal(c: Context, name: str, filters: dict[str, Any]) -> Any:
    """The door's `trade_journal` of portfolio NAME with the command's filters."""
    first, last = _period(filters.pop("start"), filters.pop("end"))
    return c.door.trade_journal(c.door.resolve(name), start=first, end=last, **filters)


@click.command()
@click.argument("name")
@click.option("--by", type=click.Choice(_BY), help="One row per ticker, tag or exit month.")
@_filter_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def stats(c: Context, /, name: str, by: str | None, as_json: bool, **filters: Any) -> None:
    """Show the trade statistics of portfolio NAME (formulas in docs/journal.md)."""
    if by is None:
        found = asdict(_journal(c, name, filters).statistics)
        if as_json:
            echo_json({k: _number(v, STAT_KINDS[k]) for k, v in found.items()})
            return
        rows = [[k, _shown(v, STAT_KINDS[k])] for k, v in found.items()]
        click.echo(table(["statistic", "value"], rows, right=(1,)))
        return
    first, last = _period(filters.pop("start"), filters.pop("end"))
    grouped = c.door.trade_stats_by(c.door.resolve(name), by, start=first, end=last, **filters)
    records = [
        {by: str(key), **{str(k): _number(v, STAT_KINDS[str(k)]) for k, v in row.items()}}
        for key, row in grouped.to_dict("index").items()
    ]
    if as_json:
        echo_json(records)
        return
    shown: tuple[str, ...] = ("trades", "win_rate", "total_pnl", "profit_factor", "expectancy")
    shown += ("sqn", "realized_pnl") if by == "month" else ("sqn",)
    rows = [
        [str(key), *(_shown(row[k], STAT_KINDS[k]) for k in shown)]
        for key, row in grouped.to_dict("index").items()
    ]
    click.echo(table([by, *shown], rows, right=tuple(range(1, len(shown) + 1))))


@click.command()
@click.argument("name")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="The HTML file to write (replaced if it exists).",
)
@pass_ctx
def report(c: Context, name: str, output: str) -> None:
    """Write the journal of portfolio NAME as one self-contained HTML page (value, drawdown,
    monthly returns, statistics, trades and notes; no network needed to open it)."""
    portfolio_id = c.door.resolve(name)
    page = c.door.journal_report(portfolio_id)
    target = Path(output)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.write_text(page, encoding="utf-8")
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        why = "does not exist" if not target.parent.is_dir() else "cannot be written"
        raise click.ClickException(
            f"cannot write {str(target)!r}: its folder {str(target.parent)!r} {why} "
            f"({error.strerror or error}); nothing was written. Give -o another path."
        ) from None
    click.echo(f"Wrote the journal of {name!r} to {target} ({len(page.encode()):,} bytes).")


@click.command()
@click.argument("name")
@click.argument("seq", type=click.IntRange(min=1))
@click.argument("text", default="")
@click.option("--tag", "tags", metavar="TAG", multiple=True, help="Tag the event (repeatable).")
@pass_ctx
def note(c: Context, name: str, seq: int, text: str, tags: tuple[str, ...]) -> None:
    """Attach TEXT (and tags) to the event of portfolio NAME at log position SEQ (see 'erasmo
    history'). A later note on the same event replaces it in every view; both stay in the log."""
    r = c.door.note(c.door.resolve(name), seq, text, tags)
    tagged = f" tagged {', '.join(r.tags)}" if r.tags else ""
    click.echo(f"Noted {r.about_type} at log position {r.about_seq} of {r.portfolio!r}{tagged}.")


@click.command()
@click.argument("name")
@click.argument("seqs", metavar="SEQ...", nargs=-1, required=True, type=click.IntRange(min=1))
@click.option("--reason", required=True, help="Why the events are voided (kept in the log).")
@click.option("--dry-run", is_flag=True, help="Check the voids and record nothing.")
@pass_ctx
def void(c: Context, name: str, seqs: tuple[int, ...], reason: str, dry_run: bool) -> None:
    """Void the deposits, withdrawals, buys, sells or open orders of portfolio NAME at log
    positions SEQ (one or several, all or none): they leave every projection; history and
    export keep them and the voids. A buy and the later sale of its shares can be voided
    together; an order that has filled cannot (void its trade)."""
    r = c.door.void(c.door.resolve(name), seqs, reason, dry_run=dry_run)
    would = "Would void" if dry_run else "Voided"
    if len(r.events) == 1:
        click.echo(
            f"{would} {r.about_type} at log position {r.about_seq} of {r.portfolio!r}; "
            f"cash is now {r.cash:,.2f}."
        )
        return
    click.echo(f"{would} {len(r.events)} events of {r.portfolio!r}:")
    for e in r.events:
        click.echo(f"  log position {e.seq}: {e.type} ({e.what})")
    click.echo(f"Cash is now {r.cash:,.2f}.")
