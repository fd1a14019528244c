"""Performance metrics against numbers worked out in the tests themselves.

Expected values come from the formulas written out here (Portfolio Performance's definitions),
never from the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from erasmo.projections import (
    daily_returns,
    drawdown,
    irr,
    metrics,
    monthly_returns,
    performance,
    price_table,
    trade_log,
)

# Thursday 2020-01-02 .. Wednesday 2020-01-08 (01-04 and 01-05 are a weekend).
PRICES = price_table(
    """
                X
    2020-01-02  100
    2020-01-03  110
    2020-01-06  99
    2020-01-07  120
    2020-01-08  108
    """
)
# A deposit mid-period (01-06) and a withdrawal on the last day.
EVENTS = trade_log(
    """
    2020-01-02 DEPOSIT 1000
    2020-01-02 BUY 10 X @ 100
    2020-01-06 DEPOSIT 990
    2020-01-06 BUY 10 X @ 99
    2020-01-08 SELL 5 X @ 108
    2020-01-08 WITHDRAW 540
    """
)
# End-of-day values: 10*100, 10*110, 20*99, 20*120, 15*108 (the 540 of the sale went out).
VALUES = [1000.0, 1100.0, 1980.0, 2400.0, 1620.0]
# Daily returns (MVE + CFout) / (MVB + CFin) - 1; the day before 01-02 the portfolio was worth 0.
RETURNS = [
    1000 / (0 + 1000) - 1,
    1100 / 1000 - 1,
    1980 / (1100 + 990) - 1,
    2400 / 1980 - 1,
    (1620 + 540) / 2400 - 1,
]


def npv(rate: float, days: list[float], amounts: list[float]) -> float:
    return sum(v * (1 + rate) ** (-d / 365) for d, v in zip(days, amounts, strict=True))


def test_ttwror_with_a_deposit_and_a_withdrawal_mid_period() -> None:
    result = metrics(EVENTS, PRICES)
    assert result.start == pd.Timestamp("2020-01-01")  # the day before the first event
    assert result.end == pd.Timestamp("2020-01-08")
    assert (result.start_value, result.end_value) == (0, pytest.approx(1620))
    assert (result.deposits, result.withdrawals, result.net_flows) == (1990, 540, 1450)
    # Delta 170 = realized 40 (5 of lot 1 sold for 540) + unrealized 1620 - 1490.
    assert result.delta == pytest.approx(170)
    expected = math.prod(1 + r for r in RETURNS) - 1
    assert result.ttwror == pytest.approx(expected)
    assert result.ttwror == pytest.approx(2376 / 2090 - 1)  # the same product, simplified
    assert result.days == 7
    assert result.trading_days == 5
    assert result.ttwror_annualized == pytest.approx((1 + expected) ** (365 / 7) - 1)
    returns = daily_returns(
        pd.Series(VALUES, index=PRICES.index),
        pd.Series([1000.0, 0, 990, 0, 0], index=PRICES.index),
        pd.Series([0.0, 0, 0, 0, 540], index=PRICES.index),
    )
    assert returns.tolist() == pytest.approx(RETURNS)


def test_irr_solves_the_npv_equation_with_mid_period_flows() -> None:
    result = metrics(EVENTS, PRICES)
    # Flows from 2020-01-01: -1000 on day 1, -990 on day 5, +540 and the end value on day 7.
    days, amounts = [1, 5, 7, 7], [-1000.0, -990.0, 540.0, 1620.0]
    assert result.irr_note is None
    assert npv(result.irr, days, amounts) == pytest.approx(0, abs=1e-8)
    # A root, not a flat spot: the NPV changes sign across it (the rate is huge: a week's gain
    # of about 15 % compounds to over 1000x a year).
    assert npv(result.irr * 0.99, days, amounts) * npv(result.irr * 1.01, days, amounts) < 0


def test_volatility_and_sharpe_follow_the_stated_conventions() -> None:
    result = metrics(EVENTS, PRICES, risk_free=0.02)
    logs = np.log(1 + np.array(RETURNS))
    deviation = math.sqrt(sum((x - logs.mean()) ** 2 for x in logs) / (len(logs) - 1))
    assert result.volatility_period == pytest.approx(deviation * math.sqrt(5))
    assert result.volatility_annualized == pytest.approx(deviation * math.sqrt(252))
    assert result.sharpe_pp == pytest.approx((result.irr - 0.02) / (deviation * math.sqrt(5)))
    assert result.sharpe == result.sharpe_pp


def test_a_range_that_starts_mid_history() -> None:
    result = metrics(EVENTS, PRICES, start="2020-01-03", end="2020-01-07")
    assert (result.start_value, result.end_value) == (pytest.approx(1100), pytest.approx(2400))
    assert (result.deposits, result.withdrawals) == (990, 0)
    assert result.trading_days == 2
    assert result.ttwror == pytest.approx((1980 / 2090) * (2400 / 1980) - 1)
    # -1100 at the start, -990 three days later (01-06), +2400 at the end (day 4).
    assert npv(result.irr, [0, 3, 4], [-1100, -990, 2400]) == pytest.approx(0, abs=1e-8)


def test_a_weekend_start_takes_the_fridays_value() -> None:
    result = metrics(EVENTS, PRICES, start="2020-01-04", end="2020-01-06")
    assert result.start_value == pytest.approx(1100)
    assert result.days == 2
    assert result.ttwror == pytest.approx(1980 / 2090 - 1)


def test_irr_of_two_flows_is_the_compound_rate() -> None:
    dates = pd.DatetimeIndex(["2020-01-01", "2020-03-01", "2020-07-19"])  # day 0, 60, 200
    total = pd.Series([1000.0, 1050.0, 1100.0], index=dates)
    none = pd.Series(0.0, index=dates)
    result = performance(total, none, none, start="2020-01-01")
    assert result.days == 200
    assert result.irr == pytest.approx((1100 / 1000) ** (365 / 200) - 1)
    assert result.ttwror == pytest.approx(0.1)
    assert result.ttwror_annualized == pytest.approx(result.irr)


def test_irr_directly_and_when_there_is_none() -> None:
    days, amounts = [0, 31, 120, 400], [-1000.0, -500.0, 200.0, 1500.0]
    rate = irr(days, amounts).rate
    assert npv(rate, days, amounts) == pytest.approx(0, abs=1e-9)
    assert irr([0, 365], [-1000, 500]).rate == pytest.approx(-0.5)
    assert irr([0, 365], [-1000, 1000]).rate == pytest.approx(0, abs=1e-12)
    same_sign = irr([0, 10], [100, 50])
    assert math.isnan(same_sign.rate)
    assert same_sign.note is not None
    assert "same sign" in same_sign.note
    # -789.69 - 6608.65 y + 2443.98 y = 0 needs y = (1 + r)^(-1/365) < 0: no rate at all.
    no_root = irr([0, 1, 1], [-789.69, -6608.65, 2443.98])
    assert math.isnan(no_root.rate)
    assert no_root.note is not None
    assert no_root.note.startswith("no rate makes the net present value zero")
    assert math.isnan(irr([], []).rate)
    assert math.isnan(irr([3, 3], [-1, 2]).rate)


def test_max_drawdown_and_recovery_on_a_hand_series() -> None:
    dates = pd.DatetimeIndex(
        ["2021-01-04", "2021-01-05", "2021-01-06", "2021-01-08", "2021-01-12", "2021-01-13"]
    )
    total = pd.Series([100.0, 120, 90, 100, 130, 125], index=dates)
    none = pd.Series(0.0, index=dates)
    result = performance(total, none, none, start="2021-01-04")
    # Wealth 1, 1.2, 0.9, 1.0, 1.3, 1.25: the worst fall is 1.2 -> 0.9, a quarter.
    assert result.max_drawdown == pytest.approx(0.25)
    assert result.max_drawdown_peak == pd.Timestamp("2021-01-05")
    assert result.max_drawdown_trough == pd.Timestamp("2021-01-06")
    assert result.max_drawdown_recovery == pd.Timestamp("2021-01-12")
    # Under water from the 01-05 peak until 01-12 (7 days), then from 01-12 to the end (1 day).
    assert result.longest_drawdown_days == 7


def test_an_unrecovered_drawdown() -> None:
    dates = pd.DatetimeIndex(["2021-01-04", "2021-01-05", "2021-01-06", "2021-02-01"])
    falls = drawdown(pd.Series([1.0, 1.1, 0.8, 0.9], index=dates))
    assert falls.max_drawdown == pytest.approx(1 - 0.8 / 1.1)
    assert (falls.peak, falls.trough) == (dates[1], dates[2])
    assert falls.recovery is None
    assert falls.longest_days == (dates[3] - dates[1]).days
    flat = drawdown(pd.Series([1.0, 1.0, 1.2], index=dates[:3]))
    assert (flat.max_drawdown, flat.peak, flat.longest_days) == (0.0, None, 0)


def test_a_day_with_no_holdings_returns_zero() -> None:
    dates = pd.bdate_range("2021-03-01", periods=5)
    total = pd.Series([1000.0, 0, 0, 500, 550], index=dates)
    deposits = pd.Series([1000.0, 0, 0, 500, 0], index=dates)
    withdrawals = pd.Series([0.0, 1100, 0, 0, 0], index=dates)
    returns = daily_returns(total, deposits, withdrawals)
    # 1000/1000-1; (0+1100)/1000-1; 0/0 -> 0; 500/(0+500)-1; 550/500-1
    assert returns.tolist() == pytest.approx([0, 0.1, 0, 0, 0.1])
    result = performance(total, deposits, withdrawals)
    assert result.ttwror == pytest.approx(1.1 * 1.1 - 1)


def test_benchmark_beta_and_correlation() -> None:
    bench = pd.Series(
        [50.0, 51, 50, 52, 53, 52.5],
        index=pd.DatetimeIndex(
            ["2019-12-31", "2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07", "2020-01-08"]
        ),
    )
    result = metrics(EVENTS, PRICES, benchmark=bench)
    assert result.benchmark is not None
    b = bench.to_numpy()
    bench_returns = b[1:] / b[:-1] - 1  # the start (2020-01-01) takes the 12-31 close
    ours = np.array(RETURNS)
    assert result.benchmark.ttwror == pytest.approx(52.5 / 50 - 1)
    assert result.benchmark.excess_return == pytest.approx(result.ttwror - (52.5 / 50 - 1))
    assert result.benchmark.beta == pytest.approx(
        np.cov(ours, bench_returns)[0, 1] / np.var(bench_returns, ddof=1)
    )
    assert result.benchmark.correlation == pytest.approx(np.corrcoef(ours, bench_returns)[0, 1])
    assert result.benchmark.ttwror_annualized == pytest.approx((52.5 / 50) ** (365 / 7) - 1)


def test_monthly_returns_compound_within_each_month() -> None:
    returns = pd.Series(
        [0.1, -0.05, 0.02, 0.0, 0.01],
        index=pd.DatetimeIndex(
            ["2021-01-05", "2021-01-20", "2021-02-10", "2021-03-31", "2022-01-03"]
        ),
    )
    table = monthly_returns(returns)
    assert list(table.index) == [2021, 2022]
    assert list(table.columns) == list(range(1, 13))
    assert table.loc[2021, 1] == pytest.approx(1.1 * 0.95 - 1)
    assert table.loc[2021, 2] == pytest.approx(0.02)
    assert table.loc[2021, 3] == 0
    assert table.loc[2022, 1] == pytest.approx(0.01)
    assert table.isna().sum().sum() == 24 - 4


def test_metrics_of_a_period_without_returns() -> None:
    result = metrics(EVENTS, PRICES, start="2020-01-08", end="2020-01-08")
    assert result.ttwror == 0
    assert result.days == 0
    assert math.isnan(result.irr)
    assert result.irr_note == "the period has no length (start = end)"
    assert math.isnan(result.volatility_period)
