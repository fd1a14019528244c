"""Read-side commands: holdings valued at market, performance, value series and replay.

These import pandas (through `erasmo.analytics`) when they run; the write commands never do.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import click

from erasmo.cli import holdings_margin as margin
from erasmo.cli.context import Context, pass_ctx
from erasmo.cli.output import echo_json, plural, table
from erasmo.cli.ranges import PickError, check_order, check_period, check_position
from events.values import parse_date

if TYPE_CHECKING:
    from erasmo.door.models import PortfolioHead
    from erasmo.projections.holdings import Summary
    from erasmo.projections.metrics import Metrics

AS_OF_HELP = "As after the last event on or before DATE."
AT_HELP = "As after log position SEQ (see 'erasmo history')."


def _moment(as_of: str | None, at: int | None) -> Any:
    from erasmo.analytics import Moment

    if as_of is not None and at is not None:
        raise click.UsageError("Give --as-of or --at, not both.")
    return Moment(seq=at, on=parse_date(as_of) if as_of else None)


def _simulation_clock(c: Context, portfolio_id: UUID) -> Any:
    """A simulation portfolio's clock (nothing after it may be shown), else None."""
    p = c.door.head(portfolio_id)
    return p.clock if p.simulated else None


def _valued_days(c: Context, portfolio_id: Any) -> tuple[date, date] | None:
    """The first and last day of a portfolio's value series (None: it has none)."""
    index = c.door.value_series(portfolio_id).total.index
    return (index[0].date(), index[-1].date()) if len(index) else None


def _log_positions(c: Context, portfolio_id: Any) -> tuple[int, int] | None:
    """The log positions of a portfolio's first and last events (None: it has none)."""
    seqs = c.door.portfolio_events(portfolio_id)["seq"]
    return (int(seqs.iloc[0]), int(seqs.iloc[-1])) if len(seqs) else None


def _capped_end(c: Context, portfolio_id: UUID, end: Any) -> Any:
    clock = _simulation_clock(c, portfolio_id)
    return end if clock is None else min(end or clock, clock)


def _capped_moment(c: Context, portfolio_id: UUID, moment: Any) -> Any:
    from erasmo.analytics import Moment

    clock = _simulation_clock(c, portfolio_id)
    if clock is None or moment.seq is not None:
        return moment
    return Moment(on=min(moment.on or clock, clock))


class _Row:
    """Attribute access to one record of a DataFrame."""

    def __init__(self, record: dict[Any, Any]) -> None:
        self.__dict__.update({str(k): v for k, v in record.items()})

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)


def _dec(value: Any, places: int) -> str | None:
    """A float as a decimal string rounded to `places` (None for NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return f"{value:.{places}f}"


def _pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.2%}"


def _share(value: float) -> str:
    """An unsigned percentage, "n/a" when it cannot be computed (NaN)."""
    return "n/a" if math.isnan(value) else f"{value:.2%}"


def _ratio(value: float) -> str:
    """A ratio to 3 places, "n/a" when it cannot be computed (NaN)."""
    return "n/a" if math.isnan(value) else f"{value:.3f}"


@click.command()
@click.argument("name")
@click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP)
@click.option("--at", "at", type=click.IntRange(min=1), metavar="SEQ", help=AT_HELP)
@click.option(
    "--method",
    type=click.Choice(["fifo", "average"]),
    default="fifo",
    show_default=True,
    help="Cost basis and realized P&L method.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def holdings(
    c: Context, name: str, as_of: str | None, at: int | None, method: str, as_json: bool
) -> None:
    """Show the positions of portfolio NAME valued at market, with P&L and weights."""
    asked = _moment(as_of, at)
    portfolio_id = c.door.resolve(name)
    moment = _capped_moment(c, portfolio_id, asked)
    if at is not None:
        check_position(name, "--at", at, _log_positions(c, portfolio_id))
    shot = c.door.holdings(portfolio_id, moment, method=method)
    p, account = c.door.head(portfolio_id), c.door.account(portfolio_id)
    s, rate = shot.summary, margin.margin_rate(account)  # rate: a margin account's, else None
    rows: list[Any] = [_Row(r) for r in shot.positions.reset_index().to_dict("records")]
    if as_json:
        echo_json(margin.with_margin(_holdings_data(p, s, method, rows), rows, rate))
        return
    when = f"{s.as_of:%Y-%m-%d}" if s.as_of is not None else "now"
    click.echo(f"{p.name} as of {when}, {p.currency} ({method} cost basis)")
    if rows:
        click.echo(_positions_table(rows, rate))
        if any(r.stale and not r.last_trade for r in rows):
            click.echo("* last close is older than the valuation date (forward-filled)")
        if any(r.last_trade for r in rows):
            click.echo("† no prices for the ticker: valued at its last trade price")
    else:
        click.echo("No positions.")
    _echo_totals(s)
    for line in margin.margin_lines(rows, rate):
        click.echo(line)
    if as_of is None and at is None:  # a margin account now: charges, latest margin call
        for line in account.notices():
            click.echo(line)


def _holdings_data(p: PortfolioHead, s: Summary, method: str, rows: list[Any]) -> dict[str, Any]:
    """`holdings --json`: the summary and one record per position."""
    return {
        "portfolio": p.name,
        "id": p.id,
        "as_of": s.as_of.date() if s.as_of is not None else None,
        "method": method,
        "currency": p.currency,
        "cash": _dec(s.cash, 2),
        "market_value": _dec(s.market_value, 2),
        "total_value": _dec(s.total_value, 2),
        "realized_pnl": _dec(s.realized_pnl, 2),
        "unrealized_pnl": _dec(s.unrealized_pnl, 2),
        "fees_paid": _dec(s.fees_paid, 2),
        "positions": [
            {
                "ticker": r.ticker,
                "quantity": format(round(r.quantity, 6), "f").rstrip("0").rstrip("."),
                "average_cost": _dec(r.average_cost, 6),
                "cost_basis": _dec(r.cost_basis, 2),
                "last_price": _dec(r.last_price, 6),
                "stale": bool(r.stale),
                "market_value": _dec(r.market_value, 2),
                "unrealized_pnl": _dec(r.unrealized_pnl, 2),
                "realized_pnl": _dec(r.realized_pnl, 2),
                "day_change": _dec(r.day_change, 2),
                "weight": _dec(r.weight, 6),
                **({"last_trade": True} if r.last_trade else {}),
            }
            for r in rows
        ],
    }


def _marker(row: Any) -> str:
    """† valued at the last trade price (no prices), * at an earlier close, else nothing."""
    return "†" if row.last_trade else "*" if row.stale else ""


def _positions_table(rows: list[Any], rate: Decimal | None = None) -> str:
    """The table of positions `holdings` prints: one line per position."""
    body = [
        [
            str(r.ticker),
            f"{r.quantity:g}",
            f"{r.average_cost:,.4f}",
            money_f(r.cost_basis),
            f"{r.last_price:,.3f}{_marker(r)}",
            money_f(r.market_value),
            money_f(r.unrealized_pnl, signed=True),
            _pct(r.unrealized_pct),
            money_f(r.realized_pnl, signed=True),
            f"{r.weight:.1%}",
            *margin.margin_cells(r, rate),
        ]
        for r in rows
    ]
    return table(
        [
            "ticker",
            "quantity",
            "avg cost",
            "cost basis",
            "last",
            "value",
            "unrealized",
            "%",
            "realized",
            "weight",
            *margin.margin_headers(rate),
        ],
        body,
        right=list(range(1, 10 + len(margin.margin_headers(rate)))),
    )


def _echo_totals(s: Summary) -> None:
    """The lines under the holdings table: cash, values, P&L, fees and dividends."""
    click.echo(
        f"Cash: {money_f(s.cash)}   Positions: {money_f(s.market_value)}   "
        f"Total: {money_f(s.total_value)}"
    )
    click.echo(
        f"Realized P&L: {money_f(s.realized_pnl, signed=True)}   Unrealized P&L: "
        f"{money_f(s.unrealized_pnl, signed=True)}   Fees paid: {money_f(s.fees_paid)}"
        + (f"   Dividends: {money_f(s.dividends, signed=True)}" if s.dividends else "")
        + (f"   Margin charges: {money_f(s.margin_charges)}" if s.margin_charges else "")
    )
    if s.short_value or s.cash < 0:  # shorts or leverage: how much is exposed, of the equity
        click.echo(
            f"Exposure: gross {s.gross_exposure:.2f}x, net {s.net_exposure:.2f}x of the equity "
            f"(longs {money_f(s.long_value)}, shorts {money_f(s.short_value)})"
        )


def _step_detail(r: dict[str, Any]) -> str:
    """The replay's "trade" cell: the trade, or the corporate action, of a step."""
    if not r["ticker"]:
        return ""
    # corporate actions
    if r["type"] == "SplitApplied":
        return f"{r['ticker']} split"
    if r["type"] == "DividendReceived":
        return f"{r['ticker']} {float(r['quantity']):g} x {float(r['price']):g} div"
    return f"{r['ticker']} {float(r['quantity']):g} @ {float(r['price']):g}"


def money_f(value: float, *, signed: bool = False) -> str:
    """A float amount with thousands separators and 2 decimals."""
    return f"{value:+,.2f}" if signed else f"{value:,.2f}"


@click.command()
@click.argument("name")
@click.option("--from", "start", metavar="DATE", help="Start of the period (default: inception).")
@click.option("--to", "end", metavar="DATE", help="End of the period (default: the data's end).")
@click.option("--benchmark", metavar="TICKER", help="Compare with a ticker or ^GSPC.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def performance(
    c: Context, name: str, start: str | None, end: str | None, benchmark: str | None, as_json: bool
) -> None:
    """Show TTWROR, IRR, drawdown, volatility and Sharpe of NAME (Portfolio Performance's
    conventions)."""
    first = parse_date(start) if start else None
    asked_end = parse_date(end) if end else None
    check_order(first, asked_end)
    portfolio_id = c.door.resolve(name)
    last = _capped_end(c, portfolio_id, asked_end)
    days = _valued_days(c, portfolio_id)
    check_period(repr(name), first, asked_end, days)
    m = c.door.performance(portfolio_id, start=first, end=last, benchmark=benchmark)
    if m.days <= 0 and (first or asked_end) and days is not None:
        raise PickError(
            f"The period {m.start:%Y-%m-%d} to {m.end:%Y-%m-%d} has no length: {name!r} has "
            f"values from {days[0]} to {days[1]}; pick dates at least a day apart between those."
        )
    unpriced = _last_trade_valued(c, portfolio_id, first, last)
    if as_json:
        extra = {"valued_at_last_trade": unpriced} if unpriced else {}
        echo_json({**_performance_data(m, name, benchmark), **extra})
        return
    click.echo(table(["metric", "value"], _performance_rows(m, benchmark)))
    if unpriced:
        click.echo(f"† no prices for {', '.join(unpriced)}: valued at the last trade price")


def _last_trade_valued(
    c: Context, portfolio_id: Any, first: date | None, last: date | None
) -> list[str]:
    """The tickers held in the period that had no close on any day held: valued at their
    last trade price throughout."""
    series = c.door.value_series(portfolio_id, start=first, end=last)
    held = series.quantity != 0
    always = held.any() & ~(held & ~series.stale).any()
    return sorted(str(t) for t in always.index[always])


def _performance_data(m: Metrics, name: str, benchmark: str | None) -> dict[str, Any]:
    """`performance --json`: the metrics, and the benchmark's when one was asked."""
    data: dict[str, Any] = {
        "portfolio": name,
        "start": m.start.date(),
        "end": m.end.date(),
        "start_value": _dec(m.start_value, 2),
        "end_value": _dec(m.end_value, 2),
        "net_flows": _dec(m.net_flows, 2),
        "delta": _dec(m.delta, 2),
        "ttwror": _dec(m.ttwror, 6),
        "ttwror_annualized": _dec(m.ttwror_annualized, 6),
        "irr": _dec(m.irr, 6),
        "irr_note": m.irr_note,
        "max_drawdown": _dec(m.max_drawdown, 6),
        "max_drawdown_peak": m.max_drawdown_peak.date() if m.max_drawdown_peak else None,
        "max_drawdown_trough": m.max_drawdown_trough.date() if m.max_drawdown_trough else None,
        "max_drawdown_recovery": (
            m.max_drawdown_recovery.date() if m.max_drawdown_recovery else None
        ),
        "longest_drawdown_days": m.longest_drawdown_days,
        "volatility_period": _dec(m.volatility_period, 6),
        "volatility_annualized": _dec(m.volatility_annualized, 6),
        "sharpe": _dec(m.sharpe_pp, 6),
        "trading_days": m.trading_days,
    }
    if m.benchmark is not None:
        b = m.benchmark
        data["benchmark"] = {
            "ticker": benchmark.upper() if benchmark else None,
            "ttwror": _dec(b.ttwror, 6),
            "ttwror_annualized": _dec(b.ttwror_annualized, 6),
            "excess_return": _dec(b.excess_return, 6),
            "beta": _dec(b.beta, 6),
            "correlation": _dec(b.correlation, 6),
        }
    return data


def _performance_rows(m: Metrics, benchmark: str | None) -> list[list[str]]:
    """The rows of the table `performance` prints: one per metric."""
    rows = [
        ["Period", f"{m.start:%Y-%m-%d} to {m.end:%Y-%m-%d} ({m.days} days)"],
        ["Value", f"{money_f(m.start_value)} -> {money_f(m.end_value)}"],
        ["Net deposits", money_f(m.net_flows, signed=True)],
        ["Gain (delta)", money_f(m.delta, signed=True)],
        ["TTWROR", f"{_pct(m.ttwror)}  ({_pct(m.ttwror_annualized)} p.a., 365-day years)"],
        ["IRR (money-weighted, p.a.)", _pct(m.irr) if m.irr_note is None else m.irr_note],
        [
            "Max drawdown",
            f"{_pct(-m.max_drawdown)}  peak {_d(m.max_drawdown_peak)}, trough "
            f"{_d(m.max_drawdown_trough)}, recovered {_d(m.max_drawdown_recovery)}",
        ],
        ["Longest drawdown", f"{m.longest_drawdown_days} days"],
        [
            "Volatility",
            f"{_share(m.volatility_period)} over the period (PP), "
            f"{_share(m.volatility_annualized)} annualised (sqrt 252)",
        ],
        [
            "Sharpe (IRR / period volatility)",
            _ratio(m.sharpe_pp),
        ],
    ]
    if m.benchmark is not None:
        b = m.benchmark
        rows += [
            [
                f"Benchmark {benchmark.upper() if benchmark else ''}",
                f"{_pct(b.ttwror)}  ({_pct(b.ttwror_annualized)} p.a.)",
            ],
            ["Excess return", _pct(b.excess_return)],
            ["Beta / correlation", f"{_ratio(b.beta)} / {_ratio(b.correlation)}"],
        ]
    return rows


def _d(value: Any) -> str:
    return "no" if value is None else f"{value:%Y-%m-%d}"


@click.command()
@click.argument("name")
@click.option("--from", "start", metavar="DATE", help="First date.")
@click.option("--to", "end", metavar="DATE", help="Last date.")
@click.option("--by-ticker", is_flag=True, help="One column per ticker as well as the total.")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the series to a CSV file instead of a table.",
)
@pass_ctx
def value(
    c: Context,
    name: str,
    start: str | None,
    end: str | None,
    by_ticker: bool,
    csv_file: Path | None,
) -> None:
    """Show the daily value of NAME (cash + positions at each close)."""
    first = parse_date(start) if start else None
    asked_end = parse_date(end) if end else None
    check_order(first, asked_end)
    portfolio_id = c.door.resolve(name)
    last = _capped_end(c, portfolio_id, asked_end)
    check_period(repr(name), first, asked_end, _valued_days(c, portfolio_id))
    series = c.door.value_series(portfolio_id, start=first, end=last)
    import pandas as pd

    frame = pd.DataFrame(
        {"cash": series.cash, "positions": series.positions, "total": series.total}
    )
    if by_ticker:
        frame = pd.concat([series.value, frame], axis=1)
    frame = frame.round(2)
    frame.index.name = "date"
    if csv_file is not None:
        frame.to_csv(csv_file, date_format="%Y-%m-%d")
        click.echo(f"Wrote {len(frame)} days to {csv_file}.")
        return
    shown = frame if len(frame) <= 40 else frame.iloc[-40:]
    if len(frame) > 40:
        click.echo(f"(last 40 of {len(frame)} days; use --from/--to or --csv for more)")
    rows = [
        [f"{day:%Y-%m-%d}", *(money_f(v) for v in row)]
        for day, row in zip(shown.index, shown.to_numpy(), strict=True)
    ]
    click.echo(
        table(
            ["date", *map(str, shown.columns)], rows, right=list(range(1, len(shown.columns) + 1))
        )
    )


@click.command()
@click.argument("name")
@click.option("--until", metavar="SEQ|DATE", help="Stop after log position SEQ or date DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, one object per step.")
@pass_ctx
def replay(c: Context, name: str, until: str | None, as_json: bool) -> None:
    """Walk NAME's log event by event: what each event changed, and the state at the end."""
    import pandas as pd

    from erasmo.analytics import NOW, Moment

    moment = NOW
    if until is not None:
        moment = Moment(seq=int(until)) if until.isdigit() else Moment(on=parse_date(until))
    portfolio_id = c.door.resolve(name)
    if moment.seq is not None:
        check_position(name, "--until", moment.seq, _log_positions(c, portfolio_id))
    steps = c.door.replay(portfolio_id, moment)
    records: list[dict[str, Any]] = [
        {
            "seq": int(s.seq),
            "version": int(s.version),
            "on": pd.Timestamp(s.on).date(),
            "type": s.type,
            "ticker": s.ticker if isinstance(s.ticker, str) else None,
            "quantity": _dec(s.quantity, 6),
            "price": _dec(s.price, 6),
            "cash_change": _dec(s.cash_change, 2),
            "cash_after": _dec(s.cash_after, 2),
            "position_after": _dec(s.position_after, 6),
            "value_after": _dec(s.value_after, 2),
        }
        for s in (_Row(r) for r in steps.to_dict("records"))
    ]
    if as_json:
        echo_json(records)
        return
    rows = [
        [
            str(r["seq"]),
            r["on"].isoformat(),
            r["type"],
            _step_detail(r),
            money_f(float(r["cash_change"]), signed=True),
            money_f(float(r["cash_after"])),
            "" if r["position_after"] is None else f"{float(r['position_after']):g}",
            money_f(float(r["value_after"])),
        ]
        for r in records
    ]
    click.echo(
        table(
            ["seq", "on", "event", "trade", "cash +/-", "cash", "position", "value"],
            rows,
            right=[0, 4, 5, 6, 7],
        )
    )
    if records:
        last = records[-1]
        click.echo(
            f"After {plural(len(records), 'event')} ({last['on']}): cash {last['cash_after']}, "
            f"total value {last['value_after']}."
        )
