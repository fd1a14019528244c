"""Trade and value statistics on hand-made trades and a hand-made value series."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest

from erasmo.journal import empty_trades, statistics_by, trade_statistics, value_statistics
from erasmo.projections import ProjectionError


def _trades(*rows: tuple[str, str, float, float]) -> pd.DataFrame:
    """Trades from (entry day, exit day, pnl, return)."""
    entry = pd.to_datetime([r[0] for r in rows])
    exit_ = pd.to_datetime([r[1] for r in rows])
    return pd.DataFrame(
        {
            "entry_on": entry,
            "exit_on": exit_,
            "pnl": [r[2] for r in rows],
            "return_pct": [r[3] for r in rows],
            "holding_days": (exit_ - entry).days,
        }
    )


# In the order of their exits: win, loss, win, loss, loss, win.
SIX = _trades(
    ("2021-01-04", "2021-01-06", 100.0, 0.10),
    ("2021-01-05", "2021-01-07", -50.0, -0.05),
    ("2021-01-11", "2021-01-12", 30.0, 0.02),
    ("2021-01-12", "2021-01-14", -20.0, -0.02),
    ("2021-01-13", "2021-01-15", -10.0, -0.01),
    ("2021-01-20", "2021-01-25", 60.0, 0.06),
)
PNL = [100.0, -50.0, 30.0, -20.0, -10.0, 60.0]
RETURNS = [0.10, -0.05, 0.02, -0.02, -0.01, 0.06]


def test_counts_rates_and_averages() -> None:
    s = trade_statistics(SIX)
    assert (s.trades, s.winners, s.losers) == (6, 3, 3)
    assert s.win_rate == 0.5
    assert s.total_pnl == pytest.approx(110.0)
    assert (s.gross_profit, s.gross_loss) == pytest.approx((190.0, -80.0))
    assert s.average_win == pytest.approx(190 / 3)
    assert s.average_loss == pytest.approx(-80 / 3)
    assert s.payoff_ratio == pytest.approx((190 / 3) / (80 / 3))
    assert (s.best_trade, s.worst_trade) == (100.0, -50.0)
    assert (s.best_trade_pct, s.worst_trade_pct) == (0.10, -0.05)


def test_profit_factor_expectancy_sqn_and_kelly() -> None:
    s = trade_statistics(SIX)
    assert s.profit_factor == pytest.approx(190 / 80)
    assert s.profit_factor_pct == pytest.approx(0.18 / 0.08)
    assert s.expectancy == pytest.approx(110 / 6)
    assert s.expectancy_pct == pytest.approx(0.10 / 6)
    assert s.average_trade_pct == pytest.approx(math.prod(1 + r for r in RETURNS) ** (1 / 6) - 1)
    assert s.sqn == pytest.approx(math.sqrt(6) * statistics.mean(PNL) / statistics.stdev(PNL))
    assert s.kelly == pytest.approx(0.5 - 0.5 / (190 / 80))


def test_holding_periods_streaks_and_exposure() -> None:
    s = trade_statistics(SIX)
    assert s.average_holding_days == pytest.approx((2 + 2 + 1 + 2 + 2 + 5) / 6)
    assert s.longest_holding_days == 5
    assert (s.longest_losing_streak, s.longest_winning_streak) == (2, 1)
    # weekdays 2021-01-04..2021-01-25: 16; held: 4,5,6,7 and 11..15 and 20,21,22,25: 13
    assert s.exposure == pytest.approx(13 / 16)
    days = pd.bdate_range("2021-01-01", "2021-01-29")  # 21 weekdays
    assert trade_statistics(SIX, days=days).exposure == pytest.approx(13 / 21)


def test_no_trades_give_no_rates() -> None:
    s = trade_statistics(empty_trades())
    assert s.trades == 0
    assert math.isnan(s.win_rate)
    assert math.isnan(s.sqn)
    assert math.isnan(s.profit_factor)
    assert s.longest_losing_streak == 0


def test_only_winners_have_no_profit_factor_nor_kelly() -> None:
    s = trade_statistics(_trades(("2021-01-04", "2021-01-05", 5.0, 0.05)))
    assert s.win_rate == 1.0
    assert math.isnan(s.profit_factor)
    assert math.isnan(s.kelly)
    assert math.isnan(s.sqn)


def test_other_frames_are_refused_by_name() -> None:
    with pytest.raises(ProjectionError, match="round_trips"):
        trade_statistics(pd.DataFrame({"pnl": [1.0]}))


def test_cagr_sortino_and_calmar_of_a_value_series() -> None:
    days = pd.DatetimeIndex(["2020-01-01", "2020-07-01", "2021-01-01", "2021-12-31"])
    total = pd.Series([100.0, 110.0, 99.0, 121.0], index=days)
    deposits = pd.Series([100.0, 0.0, 0.0, 0.0], index=days)
    withdrawals = pd.Series(0.0, index=days)
    s = value_statistics(total, deposits, withdrawals)
    # daily returns: 0 (the deposit day), +10 %, -10 %, 121/99 - 1; from 2019-12-31: 731 days
    cagr = 1.21 ** (365 / 731) - 1
    assert s.cagr == pytest.approx(cagr)
    assert s.max_drawdown == pytest.approx(0.10)
    downside = math.sqrt(0.1**2 / 4) * math.sqrt(252)
    assert s.downside_deviation == pytest.approx(downside)
    assert s.sortino == pytest.approx(cagr / downside)
    assert s.calmar == pytest.approx(cagr / 0.10)
    assert np.isfinite([s.sortino, s.calmar]).all()


def test_statistics_by_a_column_and_by_month() -> None:
    trades = SIX.assign(ticker=["A", "B", "A", "A", "B", "A"])
    table = statistics_by(trades, "ticker")
    assert table.index.tolist() == ["A", "B"]
    assert table.loc["A", "trades"] == 4
    assert table.loc["A", "total_pnl"] == pytest.approx(100 + 30 - 20 + 60)
    assert table.loc["B", "win_rate"] == 0.0
    by_month = statistics_by(SIX, "month")
    assert by_month.index.tolist() == ["2021-01"]
    assert by_month.loc["2021-01", "trades"] == 6


def test_statistics_by_an_unknown_key_is_a_named_error() -> None:
    with pytest.raises(ProjectionError, match="Cannot group trades by 'tag'"):
        statistics_by(SIX, "tag")


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (262.95 / 2, "131.48"),  # exactly 131.475: half-up, where f"{:.2f}" gives 131.47
        (0.1 + 0.2 + 0.025, "0.33"),  # 0.325 with float noise above it
        (1.005, "1.01"),  # stored as 1.00499999999999989...
        (-1.005, "-1.01"),  # a half cent away from zero
        (2.675, "2.68"),
        (-0.001, "0.00"),  # never "-0.00"
        (1234567.891, "1234567.89"),
    ],
)
def test_money_rounds_half_up_to_the_cent_from_the_exact_figure(value: float, printed: str) -> None:
    from decimal import Decimal

    from erasmo.journal.money import cents, money_text

    assert cents(value) == Decimal(printed)
    assert str(cents(value)) == printed
    assert money_text(value) == f"{Decimal(printed):,}"


def test_the_expectancy_of_two_trades_prints_its_half_cent_rounded_up() -> None:
    from erasmo.journal.money import money_text

    trades = empty_trades().reindex(range(2))
    trades["pnl"] = [100.10, 162.85]  # 262.95 / 2 = 131.475
    trades["return_pct"] = [0.1, 0.2]
    trades["holding_days"] = [1, 1]
    trades["entry_on"] = trades["exit_on"] = pd.Timestamp("2020-01-02")
    stats = trade_statistics(trades)
    assert f"{stats.expectancy:.2f}" == "131.47"  # the float's rounding, the bug
    assert money_text(stats.expectancy) == "131.48"
