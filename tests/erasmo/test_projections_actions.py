"""Projections of splits and dividends, from ledger text: quantities, lots, average cost,
realized P&L, cash, the value series, returns, replay, and batching."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from erasmo.projections import (
    EVENT_COLUMNS,
    ProjectionState,
    event_frame,
    open_lots,
    performance,
    price_table,
    realized_trades,
    snapshot,
    trade_log,
    value_series,
)
from erasmo.projections.frame import EventFrameError
from erasmo.projections.replay import replay_steps
from events.errors import ErasmoError
from events.portfolio import Portfolio
from events.values import PriceProvenance

LOG = """
    2005-02-23 OPEN Raw
    2005-02-23 DEPOSIT 10000
    2005-02-23 BUY 30 AAPL @ 90 fee 3
    2005-02-24 BUY 20 AAPL @ 88
    2005-02-25 SELL 10 AAPL @ 89
    2005-02-28 SPLIT AAPL 2
    2005-03-01 SELL 50 AAPL @ 45 fee 1
    2005-03-02 DIVIDEND 30 AAPL @ 0.25
"""
PRICES = price_table(
    """
                AAPL
    2005-02-23  90
    2005-02-24  88
    2005-02-25  89
    2005-02-28  44
    2005-03-01  45
    2005-03-02  46
    """
)


def test_quantities_lots_and_cost_across_a_split() -> None:
    events = trade_log(LOG)
    # Before the split: lots 30 @ (2703/30) and 20 @ 88; FIFO sells 10 of the first lot.
    before = snapshot(events, PRICES, "2005-02-25")
    assert before.positions.loc["AAPL", "quantity"] == 40
    assert before.positions.loc["AAPL", "cost_basis"] == pytest.approx(2703 * 20 / 30 + 1760)
    # The split: 80 shares, same cost, lots doubled with half the unit cost.
    after = snapshot(events, PRICES, "2005-02-28")
    assert after.positions.loc["AAPL", "quantity"] == 80
    assert after.positions.loc["AAPL", "cost_basis"] == pytest.approx(1802 + 1760)
    assert after.positions.loc["AAPL", "average_cost"] == pytest.approx(3562 / 80)
    assert after.summary.realized_pnl == pytest.approx(before.summary.realized_pnl)
    lots = open_lots(events, "2005-02-28")
    assert lots["quantity"].tolist() == [40, 40]
    assert lots["unit_cost"].tolist() == pytest.approx([2703 / 60, 1760 / 40])
    assert lots["price"].tolist() == pytest.approx([45, 44])
    # Sell 50 new shares: all 40 of the first lot and 10 of the second.
    sells = realized_trades(events)
    assert sells["realized_fifo"].tolist() == pytest.approx(
        [890 - 2703 / 3, (2250 - 1) - (1802 + 1760 / 4)]
    )
    # Average cost: 2703 + 1760 = 4463 for 50 shares; 10 sold; then 3570.4 for 80 shares.
    average_before = 4463 / 50
    assert sells["realized_average"].tolist() == pytest.approx(
        [890 - 10 * average_before, 2249 - 50 * (average_before * 40 / 80)]
    )
    final = snapshot(events, PRICES, "2005-03-02", method="average")
    assert final.positions.loc["AAPL", "quantity"] == 30
    assert final.positions.loc["AAPL", "cost_basis"] == pytest.approx(30 * average_before / 2)


def test_dividend_is_cash_and_income_not_a_flow() -> None:
    events = trade_log(LOG)
    shot = snapshot(events, PRICES, "2005-03-02")
    cash = 10000 - 2703 - 1760 + 890 + 2249 + 7.50
    assert shot.summary.cash == pytest.approx(cash)
    assert shot.summary.dividends == pytest.approx(7.50)
    assert shot.summary.deposits == 10000
    assert shot.summary.total_value == pytest.approx(cash + 30 * 46)
    assert shot.summary.total_pnl == pytest.approx(cash + 30 * 46 - 10000)
    series = value_series(events, PRICES)
    assert series.deposits.sum() == 10000
    assert series.cash.loc["2005-03-02"] - series.cash.loc["2005-03-01"] == pytest.approx(7.50)
    # No jump at the split: 80 x 44 on the 28th against 40 x 89 on the 25th.
    total = series.total
    assert total.loc["2005-02-25"] == pytest.approx(10000 - 2703 - 1760 + 890 + 40 * 89)
    assert total.loc["2005-02-28"] == pytest.approx(10000 - 2703 - 1760 + 890 + 80 * 44)
    metrics = performance(series.total, series.deposits, series.withdrawals)
    assert metrics.deposits == 10000
    assert metrics.ttwror == pytest.approx(total.iloc[-1] / 10000 - 1)


def test_replay_steps_show_the_split_and_the_dividend() -> None:
    steps = replay_steps(trade_log(LOG), PRICES)
    split, sell, dividend = steps.iloc[-3], steps.iloc[-2], steps.iloc[-1]
    assert (split["type"], split["position_after"], split["cash_change"]) == (
        "SplitApplied",
        80,
        0,
    )
    assert split["value_after"] == pytest.approx(10000 - 2703 - 1760 + 890 + 80 * 44)
    assert sell["position_after"] == 30
    assert (dividend["position_after"], dividend["cash_change"]) == (30, 7.50)


def test_frames_that_break_the_action_rules_are_refused() -> None:
    with pytest.raises(EventFrameError, match="does not hold"):
        ProjectionState.from_events(trade_log("2005-02-28 OPEN x\n2005-02-28 SPLIT AAPL 2"))
    with pytest.raises(EventFrameError, match="never traded"):
        ProjectionState.from_events(
            trade_log("2005-02-28 OPEN x\n2005-02-28 DIVIDEND 10 AAPL @ 0.5")
        )


def test_a_late_split_keeps_the_latest_date() -> None:
    events = trade_log(
        """
        2005-02-23 OPEN Raw
        2005-02-23 DEPOSIT 1000
        2005-02-23 BUY 1 AAPL @ 90
        2005-03-02 DEPOSIT 10
        2005-02-28 SPLIT AAPL 2
        """
    )
    state = ProjectionState.from_events(events)
    assert state.last_on == pd.Timestamp("2005-03-02")
    series = value_series(events, PRICES)
    assert series.quantity["AAPL"].tolist() == [1, 1, 1, 2, 2, 2]


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(min_value=1, max_value=7))
def test_batching_around_actions_gives_the_same_state(cut: int) -> None:
    events = trade_log(LOG)
    whole = ProjectionState.from_events(events)
    parts = ProjectionState.from_events(events.iloc[:cut])
    parts.apply(events)
    for method in ("fifo", "average"):
        assert np.array_equal(whole.cost_basis(method), parts.cost_basis(method))
        assert np.array_equal(whole.realized(method), parts.realized(method))
    assert np.array_equal(whole.quantities(), parts.quantities())
    assert whole.cash == parts.cash
    assert whole.dividends_received == parts.dividends_received
    pd.testing.assert_frame_equal(whole.open_lots(), parts.open_lots())


# -- the projections agree with the write side over random histories ---------------------------

_DAY0 = date(2021, 1, 4)
_OPS = st.lists(
    st.tuples(
        st.sampled_from(["buy", "sell", "split", "dividend", "deposit"]),
        st.sampled_from(["AAA", "BBB"]),
        st.integers(min_value=1, max_value=400),  # quantity (hundredths) or price (cents)
        st.sampled_from(["2", "3", "1.5", "0.5", "0.25", "1.25"]),  # split ratios
        st.integers(min_value=0, max_value=3),  # days to advance
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=80, deadline=None)
@given(ops=_OPS)
def test_projection_matches_the_aggregate_with_actions(
    ops: list[tuple[str, str, int, str, int]],
) -> None:
    portfolio = Portfolio.open("P", _DAY0)
    portfolio.deposit(Decimal("100000"), _DAY0)
    day = _DAY0
    dividends = Decimal(0)
    for kind, ticker, n, ratio, step in ops:
        day += timedelta(days=step)
        held = portfolio.shares.get(ticker, Decimal(0))
        try:
            if kind == "buy":
                price = Decimal(n) / 4
                portfolio.buy(ticker, Decimal(n) / 100, price, day, _PROVENANCE, Decimal(n % 3))
            elif kind == "sell" and held:
                sold = min(held, Decimal(n) / 100)
                portfolio.sell(ticker, sold, Decimal(n) / 3 + 1, day, _PROVENANCE)
            elif kind == "split" and held:
                day += timedelta(days=1)  # after the day's trades
                portfolio.split(ticker, Decimal(ratio), day)
            elif kind == "dividend" and held:
                day += timedelta(days=1)
                before = portfolio.cash
                portfolio.receive_dividend(ticker, Decimal(n) / 1000, day)
                dividends += portfolio.cash - before
            elif kind == "deposit":
                portfolio.deposit(Decimal(n), day)
        except ErasmoError:
            continue  # a command the rules refuse records nothing
    records = [_record(e) for e in portfolio.collect_events()]
    state = ProjectionState.from_events(event_frame(records))
    quantities = dict(zip(state.tickers, state.quantities().tolist(), strict=True))
    costs = dict(zip(state.tickers, state.cost_basis("average").tolist(), strict=True))
    fifo = dict(zip(state.tickers, state.cost_basis("fifo").tolist(), strict=True))
    for ticker in state.tickers:
        assert quantities[ticker] == float(portfolio.shares.get(ticker, 0))
        expected = float(portfolio.cost.get(ticker, 0))
        assert costs[ticker] == pytest.approx(expected, rel=1e-9, abs=1e-6)
        if not portfolio.shares.get(ticker):
            assert fifo[ticker] == pytest.approx(0, abs=1e-6)
    assert state.cash == pytest.approx(float(portfolio.cash), abs=1e-9)
    assert state.dividends_received == pytest.approx(float(dividends), abs=1e-9)
    lots = state.open_lots().groupby("ticker")["quantity"].sum()
    for ticker, quantity in lots.items():
        assert quantity == pytest.approx(float(portfolio.shares[str(ticker)]), abs=1e-6)


_PROVENANCE = PriceProvenance("test", _DAY0, adjusted=False)


def _record(event: Any) -> dict[str, Any]:
    fields = {k: v for k, v in vars(event).items() if k in EVENT_COLUMNS or k == "on"}
    kind = type(event).__name__
    if kind == "DividendReceived":
        fields["price"] = vars(event)["amount_per_share"]
    return {**fields, "type": kind}
