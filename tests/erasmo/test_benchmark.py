"""The benchmark on the portfolio's cash flows, on a series small enough to check by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from erasmo.benchmark import flow_matched, price_return

DAYS = pd.DatetimeIndex(["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07", "2020-01-08"])


def series(values: list[float]) -> pd.Series:
    return pd.Series(values, index=DAYS, dtype=float)


def test_each_deposit_buys_and_each_withdrawal_sells_units_at_that_day_s_close() -> None:
    closes = series([100, 110, 120, 90, 99])
    deposits = series([1000, 0, 500, 0, 0])
    withdrawals = series([0, 0, 0, 180, 0])
    value = flow_matched(closes, deposits, withdrawals)
    # 10 units on day 1; +500/120 on day 3; -180/90 = -2 on day 4.
    assert value.tolist()[:3] == pytest.approx([1000, 1100, 1200 + 500])
    units = 10 + 500 / 120 - 2
    assert value.iloc[3] == pytest.approx(units * 90)
    assert value.iloc[4] == pytest.approx(units * 99)


def test_nothing_before_the_first_deposit() -> None:
    closes = series([100, 110, 120, 90, 99])
    deposits = series([0, 0, 600, 0, 0])
    value = flow_matched(closes, deposits, series([0] * 5))
    assert math.isnan(value.iloc[0])
    assert math.isnan(value.iloc[1])
    assert value.iloc[2] == pytest.approx(600)
    assert value.iloc[4] == pytest.approx(5 * 99)


def test_the_index_return_starts_on_the_portfolio_s_first_day_with_value() -> None:
    closes = series([100, 110, 120, 90, 99])
    total = series([0, 500, 510, 480, 505])
    returns = price_return(closes, total)
    assert math.isnan(returns.iloc[0])
    assert returns.iloc[1] == pytest.approx(0.0)
    assert returns.iloc[4] == pytest.approx(99 / 110 - 1)
