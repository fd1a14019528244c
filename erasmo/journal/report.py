"""A self-contained HTML report of a portfolio's trades: summary statistics, the value curve and
its drawdown as inline SVG, and the trade list.

One string, no network: the styles are inline and the charts are SVG drawn here, so the file
opens the same in any browser, offline, and can be mailed. Every number in the page comes from
`trade_statistics` / `value_statistics` and the trades frame, formatted by `money` and `percent`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

import numpy as np
import pandas as pd

from erasmo.journal.money import money_text
from erasmo.journal.stats import (
    TradeStatistics,
    ValueStatistics,
    monthly_pnl,
    trade_statistics,
)
from erasmo.projections.metrics import daily_returns, monthly_returns

_STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px;
       color: #1d2330; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.sub { color: #5b6475; margin-bottom: 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; }
.card { border: 1px solid #dfe3ea; border-radius: 6px; padding: 8px 10px; }
.card .k { color: #5b6475; font-size: 12px; } .card .v { font-size: 17px; font-weight: 600; }
table.months { border-collapse: collapse; font-size: 12px; }
table.months th, table.months td { padding: 3px 7px; border: 1px solid #e6e9ef; }
table.trades { border-collapse: collapse; width: 100%; font-size: 13px; }
table.trades th, table.trades td { padding: 4px 8px; border-bottom: 1px solid #e6e9ef; }
table.trades th { text-align: left; background: #f4f6f9; position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.d { white-space: nowrap; }
.pos { color: #137333; } .neg { color: #b3261e; }
svg { display: block; max-width: 100%; height: auto; }
"""

#: (label, attribute of TradeStatistics, format) of the summary cards, in order.
_TRADE_CARDS: tuple[tuple[str, str, str], ...] = (
    ("Trades", "trades", "count"),
    ("Win rate", "win_rate", "percent"),
    ("Total P&L", "total_pnl", "money"),
    ("Profit factor", "profit_factor", "ratio"),
    ("Expectancy", "expectancy", "money"),
    ("Expectancy %", "expectancy_pct", "percent"),
    ("Average win", "average_win", "money"),
    ("Average loss", "average_loss", "money"),
    ("Payoff ratio", "payoff_ratio", "ratio"),
    ("Best trade", "best_trade", "money"),
    ("Worst trade", "worst_trade", "money"),
    ("SQN", "sqn", "ratio"),
    ("Kelly", "kelly", "percent"),
    ("Avg. holding (days)", "average_holding_days", "ratio"),
    ("Longest holding (days)", "longest_holding_days", "count"),
    ("Exposure", "exposure", "percent"),
    ("Longest losing streak", "longest_losing_streak", "count"),
)
_VALUE_CARDS: tuple[tuple[str, str, str], ...] = (
    ("CAGR", "cagr", "percent"),
    ("Max. drawdown", "max_drawdown", "percent"),
    ("Sortino", "sortino", "ratio"),
    ("Calmar", "calmar", "ratio"),
)
#: (header, column, format) of the trade table.
_TRADE_TABLE: tuple[tuple[str, str, str], ...] = (
    ("Ticker", "ticker", "text"),
    ("Side", "direction", "text"),
    ("Status", "status", "text"),
    ("Entry", "entry_on", "date"),
    ("Entry price", "entry_price", "price"),
    ("Exit", "exit_on", "date"),
    ("Exit price", "exit_price", "price"),
    ("Quantity", "quantity", "quantity"),
    ("Fees", "fees", "money"),
    ("Dividends", "dividends", "money"),
    ("P&L", "pnl", "money"),
    ("Return", "return_pct", "percent"),
    ("Days", "holding_days", "count"),
    ("MAE", "mae_pct", "percent"),
    ("MFE", "mfe_pct", "percent"),
)
#: Columns shown when the trades carry the journal's notes (`erasmo.journal.notes.with_notes`).
_NOTE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Tags", "tags", "tags"),
    ("Note", "note", "text"),
)


def money(value: float) -> str:
    """12,345.67 (cents rounded half-up, thousands separated); an en dash for NaN."""
    return "–" if not math.isfinite(value) else money_text(value)


def percent(fraction: float) -> str:
    """A fraction as 12.34 %; an en dash for NaN."""
    return "–" if not math.isfinite(fraction) else f"{fraction * 100:,.2f} %"


def _format(value: object, kind: str) -> str:
    if kind == "tags":
        return ", ".join(str(tag) for tag in value) if isinstance(value, tuple | list) else ""
    if kind in ("text", "date"):
        if value is None or value is pd.NaT:
            return "–"
        if kind == "date" and isinstance(value, pd.Timestamp):
            return str(value.date())
        return str(value)
    number = float(value)  # type: ignore[arg-type]
    if kind == "count":
        return "–" if not math.isfinite(number) else f"{number:,.0f}"
    if kind == "percent":
        return percent(number)
    if kind == "price":  # cents always, and up to four decimals where the price has them
        return "–" if not math.isfinite(number) else _trim(f"{number:,.4f}", keep=2)
    if kind == "quantity":
        return "–" if not math.isfinite(number) else _trim(f"{number:,.6f}", keep=0)
    if kind == "ratio":
        return "–" if not math.isfinite(number) else f"{number:,.2f}"
    return money(number)


def _trim(text: str, keep: int) -> str:
    """`text` (a number with decimals) without trailing zeros beyond `keep` decimals."""
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0").ljust(keep, "0")
    return f"{whole}.{decimals}" if decimals else whole


def render(
    trades: pd.DataFrame,
    *,
    title: str,
    value: pd.Series[float] | None = None,
    drawdown: pd.Series[float] | None = None,
    monthly: pd.DataFrame | None = None,
    statistics: TradeStatistics | None = None,
    ratios: ValueStatistics | None = None,
) -> str:
    """The report page: `trades` (a `round_trips` frame) with their statistics (computed when
    not given) and realized P&L by month (`monthly_pnl`), and the daily `value` and `drawdown`
    (<= 0) charts, the `monthly` returns (years x months 1..12, as `Analytics.monthly` gives
    them) and `ratios` when given."""
    stats = statistics if statistics is not None else trade_statistics(trades)
    cards = _cards(stats, _TRADE_CARDS)
    if ratios is not None:
        cards += _cards(ratios, _VALUE_CARDS)
    charts = ""
    if value is not None and len(value.dropna()) > 1:
        charts += "<h2>Value</h2>" + line_chart(value.dropna(), "value", "#1f6feb", money)
    if drawdown is not None and len(drawdown.dropna()) > 1:
        charts += "<h2>Drawdown</h2>" + line_chart(
            drawdown.dropna(), "drawdown", "#b3261e", percent, fill=True
        )
    if monthly is not None and not monthly.empty:
        charts += "<h2>Monthly returns</h2>" + _monthly_table(monthly)
    realized = monthly_pnl(trades)
    if len(realized):
        charts += "<h2>Realized P&amp;L by month</h2>" + _monthly_table(
            _years_by_months(realized), money, "monthly-pnl"
        )
    period = _period(trades, value)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><div class='sub'>{escape(period)}</div>"
        f"<h2>Summary</h2><div class='cards' id='summary'>{cards}</div>"
        f"{charts}<h2>Trades</h2>{_trade_table(trades)}</body></html>\n"
    )


def drawdown_and_months(
    total: pd.Series[float], deposits: pd.Series[float], withdrawals: pd.Series[float]
) -> tuple[pd.Series[float], pd.DataFrame]:
    """The drawdown (the fall of 1 + TTWROR below its running peak, <= 0) on each day of a
    value series, and its monthly returns (years x months), on the metrics' daily returns:
    what `Analytics.drawdown` and `Analytics.monthly` give, for any stretch of the series."""
    returns = daily_returns(total, deposits, withdrawals)
    growth = 1.0 + returns.reindex(total.index).fillna(0.0).to_numpy(np.float64)
    wealth = np.cumprod(growth)
    falls = pd.Series(wealth / np.maximum.accumulate(wealth) - 1.0, index=total.index)
    return falls, monthly_returns(returns)


def _cards(source: object, cards: Sequence[tuple[str, str, str]]) -> str:
    return "".join(
        f"<div class='card' data-key='{name}'><div class='k'>{escape(label)}</div>"
        f"<div class='v'>{escape(_format(getattr(source, name), kind))}</div></div>"
        for label, name, kind in cards
    )


def _period(trades: pd.DataFrame, value: pd.Series[float] | None) -> str:
    if value is not None and len(value):
        first, last = pd.Timestamp(value.index[0]), pd.Timestamp(value.index[-1])
    elif len(trades):
        first, last = pd.Timestamp(trades["entry_on"].min()), pd.Timestamp(trades["exit_on"].max())
    else:
        return "No trades yet."
    return f"{first.date()} to {last.date()}"


def _trade_table(trades: pd.DataFrame) -> str:
    if trades.empty:
        return "<p>No trades yet.</p>"
    rows = trades.assign(fees=trades["entry_fee"] + trades["exit_fee"])
    columns = _TRADE_TABLE + tuple(c for c in _NOTE_COLUMNS if c[1] in trades.columns)
    head = "".join(f"<th>{escape(label)}</th>" for label, _, _ in columns)
    body = []
    for record in rows.to_dict("records"):
        cells = []
        for _, column, kind in columns:
            value = record[column]
            numeric = kind not in ("text", "date", "tags")
            sign = ""
            if column in ("pnl", "return_pct") and math.isfinite(float(value)):
                sign = " pos" if float(value) > 0 else " neg" if float(value) < 0 else ""
            css = f" class='n{sign}'" if numeric else " class='d'" if kind == "date" else ""
            cells.append(f"<td{css}>{escape(_format(value, kind))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table class='trades' id='trades'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _years_by_months(months: pd.Series[float]) -> pd.DataFrame:
    """`monthly_pnl`'s "YYYY-MM" sums as a table of years by months 1..12."""
    keys = pd.PeriodIndex(months.index, freq="M")
    frame = pd.DataFrame({"year": keys.year, "month": keys.month, "pnl": months.to_numpy()})
    return frame.pivot(index="year", columns="month", values="pnl")


def _monthly_table(
    monthly: pd.DataFrame, shown: Callable[[float], str] | None = None, name: str = "monthly"
) -> str:
    names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    head = "<th>Year</th>" + "".join(f"<th>{name}</th>" for name in names)
    table = monthly.reindex(columns=range(1, 13))
    rows = []
    for year, returns in table.iterrows():
        cells = []
        for value in returns.to_numpy(np.float64).tolist():
            sign = " pos" if value > 0 else " neg" if value < 0 else ""
            text = "" if value != value and shown is not None else (shown or percent)(value)
            cells.append(f"<td class='n{sign}'>{escape(text)}</td>")
        rows.append(f"<tr><th>{escape(str(year))}</th>{''.join(cells)}</tr>")
    return (
        f"<table class='months' id='{name}'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def line_chart(
    series: pd.Series[float],
    name: str,
    colour: str,
    label: object,
    *,
    fill: bool = False,
    width: int = 900,
    height: int = 260,
) -> str:
    """`series` (indexed by dates) as an inline SVG line chart, with its lowest and highest
    value and its first and last date written on the axes by `label`."""
    days = pd.DatetimeIndex(series.index)
    values = series.to_numpy(np.float64)
    left, right, top, bottom = 90, 12, 12, 28
    span = max(float((days[-1] - days[0]).days), 1.0)
    low, high = float(values.min()), float(values.max())
    if fill:
        high = max(high, 0.0)
    spread = high - low or 1.0
    xs = left + (days - days[0]).days.to_numpy(np.float64) / span * (width - left - right)
    ys = top + (high - values) / spread * (height - top - bottom)
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    shape = f"<polyline fill='none' stroke='{colour}' stroke-width='1.5' points='{points}'/>"
    if fill:
        base = top + high / spread * (height - top - bottom)
        area = f"{xs[0]:.1f},{base:.1f} {points} {xs[-1]:.1f},{base:.1f}"
        shape = f"<polygon fill='{colour}' fill-opacity='0.25' points='{area}'/>" + shape
    text = label if callable(label) else str
    axis = "#8a93a6"
    return (
        f"<svg id='{name}' viewBox='0 0 {width} {height}' "
        f"width='{width}' height='{height}' role='img' aria-label='{name} chart'>"
        f"<rect x='{left}' y='{top}' width='{width - left - right}' "
        f"height='{height - top - bottom}' fill='#fafbfc' stroke='#e6e9ef'/>{shape}"
        f"<text x='{left - 6}' y='{top + 10}' text-anchor='end' font-size='11' fill='{axis}'>"
        f"{escape(text(high))}</text>"
        f"<text x='{left - 6}' y='{height - bottom}' text-anchor='end' font-size='11' "
        f"fill='{axis}'>{escape(text(low))}</text>"
        f"<text x='{left}' y='{height - 8}' font-size='11' fill='{axis}'>{days[0].date()}</text>"
        f"<text x='{width - right}' y='{height - 8}' text-anchor='end' font-size='11' "
        f"fill='{axis}'>{days[-1].date()}</text></svg>"
    )
