"""The live (suffix-updated) value series and metrics equal a rebuild from the whole history.

Random valid logs are fed one event (or a few) at a time; some events are dated before events
already recorded (a late entry recomputes from its own day), some on weekends, some after the
calendar's end, and the end of the window moves. After every step the live projection must
equal `value_series` and `performance` computed from scratch on a fresh state: to the cent
(1e-9) for money and to 1e-12 relative for ratios.
"""

from __future__ import annotations

import math
from dataclasses import fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erasmo.projections import (
    Metrics,
    ProjectionState,
    ValueSeries,
    event_frame,
    performance,
    value_series,
)
from erasmo.projections.live import LiveProjection

TICKERS = ("AAA", "BBB", "CCC", "ZZZ")  # ZZZ has no closes: valued at its trade price
FIRST_DAY = date(2021, 1, 2)  # a Saturday
CALENDAR = pd.bdate_range("2021-01-04", periods=90)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def price_frame(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    closes = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (len(CALENDAR), 3)), axis=0))
    closes[rng.random(closes.shape) < 0.05] = np.nan  # missing closes are forward-filled
    return pd.DataFrame(closes, index=CALENDAR, columns=pd.Index(TICKERS[:3], name="ticker"))


@st.composite
def logs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A valid log in log order whose dates go back now and then (never more sold or withdrawn
    than held at that point of the log, which is what the write side checks)."""
    latest = FIRST_DAY
    cash, held = Decimal(0), dict.fromkeys(TICKERS, Decimal(0))
    records: list[dict[str, Any]] = [{"type": "PortfolioOpened", "on": latest}]
    for _ in range(draw(st.integers(1, 25))):
        latest += timedelta(days=draw(st.integers(0, 4)))
        back = draw(st.sampled_from([0, 0, 0, 1, 5, 30]))
        day = max(FIRST_DAY, latest - timedelta(days=back))
        if draw(st.integers(0, 20)) == 0:
            day = CALENDAR[-1].date() + timedelta(days=3)  # after the calendar's last day
        action = draw(st.sampled_from(["deposit", "withdraw", "buy", "buy", "sell"]))
        if action == "withdraw" and cash > 0:
            amount = min(cash, Decimal(draw(st.integers(1, 200_000))) / 100)
            records.append({"type": "CashWithdrawn", "on": day, "amount": amount})
            cash -= amount
        elif action == "sell" and any(held.values()):
            ticker = draw(st.sampled_from([t for t in TICKERS if held[t]]))
            quantity = min(held[ticker], Decimal(draw(st.integers(1, 3_000))) / 100)
            price = Decimal(draw(st.integers(100, 30_000))) / 100
            records.append(_trade("SharesSold", day, ticker, quantity, price))
            value = (quantity * price).quantize(Decimal("0.01"))
            cash += value - (1 if value >= 1 else 0)  # the fee
            held[ticker] -= quantity
        elif action in ("buy", "sell"):
            ticker = draw(st.sampled_from(TICKERS))
            quantity = Decimal(draw(st.integers(1, 5_000))) / 100
            price = Decimal(draw(st.integers(100, 30_000))) / 100
            cost = (quantity * price).quantize(Decimal("0.01")) + 1
            if cost > cash:
                records.append({"type": "CashDeposited", "on": day, "amount": cost - cash})
                cash = cost
            records.append(_trade("SharesBought", day, ticker, quantity, price))
            cash -= cost
            held[ticker] += quantity
        else:
            amount = Decimal(draw(st.integers(1, 1_000_000))) / 100
            records.append({"type": "CashDeposited", "on": day, "amount": amount})
            cash += amount
    return records


def _trade(kind: str, day: date, ticker: str, quantity: Decimal, price: Decimal) -> dict[str, Any]:
    return {
        "type": kind,
        "on": day,
        "ticker": ticker,
        "quantity": quantity,
        "price": price,
        "fee": Decimal(1) if quantity * price >= 1 else Decimal(0),
    }


def assert_same_series(live: ValueSeries, whole: ValueSeries) -> None:
    for field in fields(ValueSeries):
        got, want = getattr(live, field.name), getattr(whole, field.name)
        assert got.index.equals(want.index), field.name
        if isinstance(want, pd.DataFrame):
            assert list(got.columns) == list(want.columns), field.name
        if field.name == "stale":
            np.testing.assert_array_equal(got.to_numpy(), want.to_numpy(), err_msg=field.name)
        else:
            np.testing.assert_allclose(
                got.to_numpy(float), want.to_numpy(float), rtol=1e-12, atol=1e-9, err_msg=field.name
            )


def assert_same_metrics(live: Metrics, whole: Metrics) -> None:
    for field in fields(Metrics):
        got, want = getattr(live, field.name), getattr(whole, field.name)
        if field.name == "benchmark" and want is not None:
            assert_same_numbers(vars_of(got), vars_of(want))
        elif isinstance(want, float):
            assert_same_numbers({field.name: got}, {field.name: want})
        else:
            assert got == want, field.name


def vars_of(value: Any) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in fields(value)}


def assert_same_numbers(got: dict[str, Any], want: dict[str, Any]) -> None:
    for name, expected in want.items():
        if isinstance(expected, float) and math.isnan(expected):
            assert math.isnan(got[name]), name
        else:
            assert got[name] == pytest.approx(expected, rel=1e-12, abs=1e-9), name


@SETTINGS
@given(logs(), st.integers(0, 3), st.data())
def test_live_series_and_metrics_equal_a_rebuild_after_every_step(
    records: list[dict[str, Any]], seed: int, data: st.DataObject
) -> None:
    prices = price_frame(seed)
    benchmark = prices["AAA"].rename("^BENCH")
    frame = event_frame(records)
    state, live = ProjectionState(), LiveProjection(prices)
    done = 0
    while done < len(frame):
        step = data.draw(st.integers(1, 3))
        state.apply(frame.iloc[: done + step])
        done += step
        # the window's end moves, as a simulation's clock does
        end = CALENDAR[data.draw(st.integers(len(CALENDAR) // 2, len(CALENDAR) - 1))]
        fresh = ProjectionState.from_events(frame.iloc[:done])
        whole = value_series(fresh, prices, end)
        assert_same_series(live.series(state, end), whole)
        assert_same_metrics(
            live.metrics(state, end, benchmark=benchmark),
            performance(
                whole.total, whole.deposits, whole.withdrawals, None, end, benchmark=benchmark
            ),
        )


def test_a_late_trade_changes_the_days_from_its_date_on_only() -> None:
    """Hand figures: 10 AAA bought on day 3 of a 5-day calendar at closes 10, 11, 12, 13, 14,
    then 5 more recorded later but dated day 2: the value changes from day 2 on."""
    days = pd.bdate_range("2021-01-04", periods=5)
    prices = pd.DataFrame({"AAA": [10.0, 11.0, 12.0, 13.0, 14.0]}, index=days)
    log = [
        {"type": "PortfolioOpened", "on": days[0]},
        {"type": "CashDeposited", "on": days[0], "amount": 1000},
        _trade("SharesBought", days[2].date(), "AAA", Decimal(10), Decimal(12)),
        _trade("SharesBought", days[1].date(), "AAA", Decimal(5), Decimal(11)),
    ]
    frame = event_frame(log)
    state, live = ProjectionState.from_events(frame.iloc[:3]), LiveProjection(prices)
    before = live.series(state).total.to_numpy().copy()
    # 1000 cash; then 1000 - 121 = 879 cash + 10 * 12 on day 3, + 10 * 13, + 10 * 14
    np.testing.assert_allclose(before, [1000, 1000, 999, 1009, 1019])
    state.apply(frame)
    after = live.series(state).total.to_numpy()
    # the late buy of 5 at 11 (55 + 1 fee) from day 2: cash 944 then 823
    np.testing.assert_allclose(after, [1000, 999, 1003, 1018, 1033])
    np.testing.assert_array_equal(before, [1000, 1000, 999, 1009, 1019])  # not changed in place
    metrics = live.metrics(state)
    # no flow after day 1: TTWROR = 1033 / 1000 - 1
    assert metrics.ttwror == pytest.approx(0.033, rel=1e-12)
