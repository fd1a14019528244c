"""Statistics over a set of round-trip trades, and the value-series ratios beside them.

Every formula is in docs/journal.md, with where it matches backtesting.py's `stats` and where
it differs. `trade_statistics` takes any rows of a `round_trips` frame (a period, a ticker, a
tag): filter first, then ask.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from datetime import date

import numpy as np
import pandas as pd

from erasmo.projections.frame import ProjectionError
from erasmo.projections.metrics import TRADING_DAYS_PER_YEAR, daily_returns, performance


@dataclass(frozen=True, slots=True)
class TradeStatistics:
    """What a set of trades says about the trading (formulas in docs/journal.md).

    Attributes:
        trades, winners, losers: counts (a trade with pnl 0 is neither).
        win_rate: winners / trades.
        total_pnl, gross_profit, gross_loss: sums of pnl (gross_loss <= 0).
        average_win, average_loss: mean pnl of winners and of losers (average_loss <= 0).
        payoff_ratio: average_win / -average_loss.
        best_trade, worst_trade: the largest and smallest pnl; *_pct the largest and smallest
            return_pct (backtesting.py's Best/Worst Trade).
        profit_factor: gross_profit / -gross_loss (money).
        profit_factor_pct: the same over return_pct (backtesting.py's Profit Factor).
        expectancy, expectancy_pct: mean pnl, and mean return_pct (backtesting.py's Expectancy).
        average_trade_pct: geometric mean of 1 + return_pct, less 1 (backtesting.py's Avg. Trade).
        sqn: sqrt(trades) * mean(pnl) / std(pnl, ddof=1).
        kelly: win_rate - (1 - win_rate) / payoff_ratio.
        average_holding_days, longest_holding_days: mean and max of holding_days.
        exposure: the share of the period's trading days on which a trade was open.
        longest_losing_streak, longest_winning_streak: most losers (winners) in a row, by exit.
    """

    trades: int
    winners: int
    losers: int
    win_rate: float
    total_pnl: float
    gross_profit: float
    gross_loss: float
    average_win: float
    average_loss: float
    payoff_ratio: float
    best_trade: float
    worst_trade: float
    best_trade_pct: float
    worst_trade_pct: float
    profit_factor: float
    profit_factor_pct: float
    expectancy: float
    expectancy_pct: float
    average_trade_pct: float
    sqn: float
    kelly: float
    average_holding_days: float
    longest_holding_days: int
    exposure: float
    longest_losing_streak: int
    longest_winning_streak: int


def trade_statistics(trades: pd.DataFrame, days: pd.DatetimeIndex | None = None) -> TradeStatistics:
    """The statistics of `trades` (rows of a `round_trips` frame; NaN where undefined).

    `days` are the trading days of the period for `exposure` (e.g. the value series' index);
    by default the weekdays from the first entry to the last exit.
    """
    missing = {"pnl", "return_pct", "holding_days", "entry_on", "exit_on"} - set(trades.columns)
    if missing:
        raise ProjectionError(
            f"The trades lack the columns {sorted(missing)}; pass rows of round_trips()."
        )
    pnl = trades["pnl"].to_numpy(np.float64)
    returns = trades["return_pct"].to_numpy(np.float64)
    wins, losses = pnl[pnl > 0], pnl[pnl < 0]
    n = len(pnl)
    win_rate = len(wins) / n if n else math.nan
    average_win = float(wins.mean()) if len(wins) else math.nan
    average_loss = float(losses.mean()) if len(losses) else math.nan
    payoff = _ratio(average_win, -average_loss)
    holding = trades["holding_days"].to_numpy(np.int64)
    losing, winning = _streaks(trades)
    return TradeStatistics(
        trades=n,
        winners=len(wins),
        losers=len(losses),
        win_rate=win_rate,
        total_pnl=float(pnl.sum()),
        gross_profit=float(wins.sum()),
        gross_loss=float(losses.sum()),
        average_win=average_win,
        average_loss=average_loss,
        payoff_ratio=payoff,
        best_trade=_extreme(pnl, np.max),
        worst_trade=_extreme(pnl, np.min),
        best_trade_pct=_extreme(returns, np.max),
        worst_trade_pct=_extreme(returns, np.min),
        profit_factor=_ratio(float(wins.sum()), -float(losses.sum())),
        profit_factor_pct=_ratio(
            float(returns[returns > 0].sum()), -float(returns[returns < 0].sum())
        ),
        expectancy=float(pnl.mean()) if n else math.nan,
        expectancy_pct=float(returns.mean()) if n else math.nan,
        average_trade_pct=_geometric_mean(returns),
        sqn=_ratio(math.sqrt(n) * float(pnl.mean()), float(pnl.std(ddof=1))) if n > 1 else math.nan,
        kelly=win_rate - (1.0 - win_rate) / payoff if payoff == payoff and payoff else math.nan,
        average_holding_days=float(holding.mean()) if n else math.nan,
        longest_holding_days=int(holding.max()) if n else 0,
        exposure=_exposure(trades, days),
        longest_losing_streak=losing,
        longest_winning_streak=winning,
    )


def statistics_by(
    trades: pd.DataFrame, by: str, days: pd.DatetimeIndex | None = None
) -> pd.DataFrame:
    """`trade_statistics` of each group of trades, one row per group (columns: the fields of
    TradeStatistics). `by` is a column of `trades` (e.g. "ticker", or a tag column added by the
    caller), or "month" / "year" of the exit day."""
    if by in ("month", "year"):
        exits = pd.DatetimeIndex(trades["exit_on"])
        keys = exits.to_period("M" if by == "month" else "Y").astype(str)
        groups = trades.groupby(pd.Index(keys, name=by), sort=True)
    elif by in trades.columns:
        groups = trades.groupby(by, sort=True)
    else:
        raise ProjectionError(
            f"Cannot group trades by {by!r}; use 'month', 'year' or a column of the trades "
            f"({', '.join(map(str, trades.columns))})."
        )
    rows = {key: asdict(trade_statistics(group, days)) for key, group in groups}
    columns = [f.name for f in fields(TradeStatistics)]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table.index.name = by
    return table


def monthly_pnl(trades: pd.DataFrame) -> pd.Series[float]:
    """The realized P&L of the closed `trades` summed by the month of their exit: a float
    Series indexed by "YYYY-MM", months in order, only the months with an exit (the Journal
    tab's heatmap, the report's and `erasmo stats --by month`'s realized P&L). Open trades are
    left out: their P&L is not realized yet."""
    closed = trades[(trades["status"] == "closed").to_numpy(bool)]
    pnl = closed["pnl"].to_numpy(np.float64)
    keys = pd.DatetimeIndex(closed["exit_on"]).to_period("M").astype(str)
    sums = pd.Series(pnl, index=pd.Index(keys, name="month"), dtype="float64")
    return sums.groupby(level=0, sort=True).sum()


def _ratio(numerator: float, denominator: float) -> float:
    if not math.isfinite(denominator) or denominator == 0:
        return math.nan
    return numerator / denominator


def _extreme(values: np.ndarray, pick: np.ufunc | object) -> float:
    return float(pick(values)) if len(values) else math.nan  # type: ignore[operator]


def _geometric_mean(returns: np.ndarray) -> float:
    """backtesting.py's `geometric_mean`: 0 when a trade lost everything or more."""
    growth = 1.0 + np.nan_to_num(returns)
    if not len(growth):
        return math.nan
    if bool((growth <= 0).any()):
        return 0.0
    return float(np.exp(np.log(growth).sum() / len(growth)) - 1.0)


def _streaks(trades: pd.DataFrame) -> tuple[int, int]:
    """The longest runs of losers and of winners, trades taken in the order of their exits."""
    ordered = trades.sort_values(["exit_on", "entry_on"], kind="stable")
    pnl = ordered["pnl"].to_numpy(np.float64)
    return _longest_run(pnl < 0), _longest_run(pnl > 0)


def _longest_run(flags: np.ndarray) -> int:
    longest = current = 0
    for flag in flags.tolist():
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest


def _exposure(trades: pd.DataFrame, days: pd.DatetimeIndex | None) -> float:
    if trades.empty:
        return math.nan if days is None or not len(days) else 0.0
    entries = pd.DatetimeIndex(trades["entry_on"])
    exits = pd.DatetimeIndex(trades["exit_on"])
    if days is None:
        days = pd.bdate_range(entries.min(), exits.max())
    days = pd.DatetimeIndex(days)
    if not len(days):
        return math.nan
    # +1 where a trade starts, -1 the day after it ends: a running sum > 0 is a day held.
    starts = days.searchsorted(entries, side="left")
    ends = days.searchsorted(exits, side="right")
    steps = np.zeros(len(days) + 1, dtype=np.int64)
    np.add.at(steps, starts, 1)
    np.add.at(steps, ends, -1)
    return float((np.cumsum(steps)[:-1] > 0).mean())


@dataclass(frozen=True, slots=True)
class ValueStatistics:
    """Ratios of the daily value series over [start, end] (formulas in docs/journal.md).

    Attributes:
        cagr: (1 + TTWROR)^(365 / calendar days) - 1, the metrics' annualised TTWROR.
        max_drawdown: the metrics' largest fall of 1 + TTWROR (a fraction, >= 0).
        downside_deviation: sqrt(mean(min(r_t, 0)^2)) * sqrt(252) of the daily returns r_t.
        sortino: cagr / downside_deviation.
        calmar: cagr / max_drawdown.
    """

    cagr: float
    max_drawdown: float
    downside_deviation: float
    sortino: float
    calmar: float


def value_statistics(
    total: pd.Series[float],
    deposits: pd.Series[float],
    withdrawals: pd.Series[float],
    start: date | None = None,
    end: date | None = None,
) -> ValueStatistics:
    """CAGR, Sortino and Calmar of a daily value series (a `ValueSeries`' total, deposits and
    withdrawals), on the metrics' own daily returns (deposits and withdrawals taken out)."""
    summary = performance(total, deposits, withdrawals, start, end)
    returns = daily_returns(total, deposits, withdrawals, start, end).to_numpy(np.float64)
    downside = (
        math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2))) * math.sqrt(TRADING_DAYS_PER_YEAR)
        if len(returns)
        else math.nan
    )
    cagr = summary.ttwror_annualized
    return ValueStatistics(
        cagr=cagr,
        max_drawdown=summary.max_drawdown,
        downside_deviation=downside,
        sortino=_ratio(cagr, downside),
        calmar=_ratio(cagr, summary.max_drawdown),
    )
