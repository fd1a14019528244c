"""Properties of the projections over random valid histories (hypothesis).

The reference is a plain sequential ledger in exact fractions, written here: it books each
event the way the write side's `Portfolio` does (average cost) and keeps FIFO lots in a list.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erasmo.projections import (
    ProjectionState,
    cash_series,
    event_frame,
    metrics,
    open_lots,
    realized_trades,
    snapshot,
    summary,
    value_series,
)

TICKERS = ("AAA", "BBB", "CCC")
FIRST_DAY = date(2021, 1, 2)  # a Saturday: some events fall on weekends
CALENDAR = pd.bdate_range("2021-01-04", periods=70)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Ledger:
    """The reference: exact, one event at a time."""

    cash: Fraction = Fraction(0)
    held: dict[str, Fraction] = field(default_factory=dict)
    average_cost: dict[str, Fraction] = field(default_factory=dict)  # basis of what is held
    lots: dict[str, deque[list[Fraction]]] = field(default_factory=dict)  # [left, unit cost]
    realized_average: dict[str, Fraction] = field(default_factory=dict)
    realized_fifo: dict[str, Fraction] = field(default_factory=dict)

    def book(self, record: dict[str, Any]) -> None:
        kind = record["type"]
        if kind == "CashDeposited":
            self.cash += Fraction(record["amount"])
        elif kind == "CashWithdrawn":
            self.cash -= Fraction(record["amount"])
        elif kind in ("SharesBought", "SharesSold"):
            ticker = record["ticker"]
            quantity, fee = Fraction(record["quantity"]), Fraction(record["fee"])
            value = Fraction(
                (record["quantity"] * record["price"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
            )
            lots = self.lots.setdefault(ticker, deque())
            held = self.held.get(ticker, Fraction(0))
            if kind == "SharesBought":
                self.cash -= value + fee
                self.held[ticker] = held + quantity
                self.average_cost[ticker] = self.average_cost.get(ticker, Fraction(0)) + value + fee
                lots.append([quantity, (value + fee) / quantity])
                return
            self.cash += value - fee
            removed = self.average_cost[ticker] * quantity / held
            self.average_cost[ticker] -= removed
            self.held[ticker] = held - quantity
            gain = self.realized_average.get(ticker, Fraction(0))
            self.realized_average[ticker] = gain + value - fee - removed
            cost, left = Fraction(0), quantity
            while left:
                take = min(left, lots[0][0])
                cost += take * lots[0][1]
                lots[0][0] -= take
                left -= take
                if lots[0][0] == 0:
                    lots.popleft()
            gain = self.realized_fifo.get(ticker, Fraction(0))
            self.realized_fifo[ticker] = gain + value - fee - cost

    def fifo_cost(self, ticker: str) -> Fraction:
        return sum((left * unit for left, unit in self.lots.get(ticker, ())), Fraction(0))


@st.composite
def histories(draw: st.DrawFn, whole_sells: bool = False) -> list[dict[str, Any]]:
    """A valid event history: never more sold than held, never more withdrawn than held."""
    day = FIRST_DAY
    cash, held = Decimal(0), dict.fromkeys(TICKERS, Decimal(0))
    records: list[dict[str, Any]] = [{"type": "PortfolioOpened", "on": day}]
    for _ in range(draw(st.integers(1, 30))):
        day += timedelta(days=draw(st.integers(0, 2)))
        action = draw(st.sampled_from(["deposit", "withdraw", "buy", "buy", "sell", "sell"]))
        if action == "withdraw" and cash > 0:
            amount = min(cash, Decimal(draw(st.integers(1, 200_000))) / 100)
            records.append({"type": "CashWithdrawn", "on": day, "amount": amount})
            cash -= amount
        elif action == "sell" and any(held.values()):
            ticker = draw(st.sampled_from([t for t in TICKERS if held[t]]))
            hundredths = int(held[ticker] * 100)
            whole = whole_sells or draw(st.booleans())
            quantity = held[ticker] if whole else Decimal(draw(st.integers(1, hundredths))) / 100
            price = Decimal(draw(st.integers(100, 30_000))) / 100
            fee = draw(st.sampled_from([Decimal(0), Decimal("0.5"), Decimal("1.25")]))
            value = (quantity * price).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if value < fee:
                fee = Decimal(0)
            records.append(_trade("SharesSold", day, ticker, quantity, price, fee))
            cash += value - fee
            held[ticker] -= quantity
        elif action in ("buy", "sell"):
            ticker = draw(st.sampled_from(TICKERS))
            quantity = Decimal(draw(st.integers(1, 5_000))) / 100
            price = Decimal(draw(st.integers(100, 30_000))) / 100
            fee = draw(st.sampled_from([Decimal(0), Decimal(1), Decimal("2.35")]))
            cost = (quantity * price).quantize(Decimal("0.01"), ROUND_HALF_UP) + fee
            if cost > cash:
                records.append({"type": "CashDeposited", "on": day, "amount": cost - cash})
                cash = cost
            records.append(_trade("SharesBought", day, ticker, quantity, price, fee))
            cash -= cost
            held[ticker] += quantity
        else:
            amount = Decimal(draw(st.integers(1, 1_000_000))) / 100
            records.append({"type": "CashDeposited", "on": day, "amount": amount})
            cash += amount
    return records


def _trade(
    kind: str, day: date, ticker: str, quantity: Decimal, price: Decimal, fee: Decimal
) -> dict[str, Any]:
    return {"type": kind, "on": day, "ticker": ticker, "quantity": quantity, "price": price,
            "fee": fee}  # fmt: skip


@st.composite
def price_frames(draw: st.DrawFn) -> pd.DataFrame:
    """Closes on the calendar with about one in six missing (and CCC often absent at first)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    closes = np.round(rng.uniform(1, 300, size=(len(CALENDAR), len(TICKERS))), 2)
    closes[rng.random(closes.shape) < 0.17] = np.nan
    closes[: draw(st.integers(0, 20)), 2] = np.nan
    return pd.DataFrame(closes, index=CALENDAR, columns=list(TICKERS))


def _reference(records: list[dict[str, Any]]) -> Ledger:
    ledger = Ledger()
    for record in records:
        ledger.book(record)
    return ledger


def _assert_matches_reference(events: pd.DataFrame, prices: pd.DataFrame, ledger: Ledger) -> None:
    for method in ("fifo", "average"):
        shot = snapshot(events, prices, method=method, include_closed=True)
        assert shot.summary.cash == pytest.approx(float(ledger.cash), abs=1e-6)
        for ticker, row in shot.positions.iterrows():
            assert row["quantity"] == pytest.approx(float(ledger.held[ticker]), abs=1e-9)
            basis = ledger.fifo_cost(ticker) if method == "fifo" else ledger.average_cost[ticker]
            realized = (ledger.realized_fifo if method == "fifo" else ledger.realized_average).get(
                ticker, Fraction(0)
            )
            assert row["cost_basis"] == pytest.approx(float(basis), rel=1e-9, abs=1e-6)
            assert row["realized_pnl"] == pytest.approx(float(realized), rel=1e-9, abs=1e-6)


@PROPERTY
@given(records=histories(), prices=price_frames(), data=st.data())
def test_as_of_seq_equals_the_prefix_and_the_reference(
    records: list[dict[str, Any]], prices: pd.DataFrame, data: st.DataObject
) -> None:
    events = event_frame(records)
    k = data.draw(st.integers(0, len(records) - 1), label="last event")
    on = events["on"].iloc[k]
    by_seq = snapshot(events, prices, seq=int(events["seq"].iloc[k]), include_closed=True)
    prefix = events.iloc[: k + 1]
    by_prefix = snapshot(prefix, prices, as_of=on, include_closed=True)
    pd.testing.assert_frame_equal(by_seq.positions, by_prefix.positions, check_exact=True)
    assert by_seq.summary == by_prefix.summary
    _assert_matches_reference(prefix, prices, _reference(records[: k + 1]))


@PROPERTY
@given(records=histories(), prices=price_frames(), data=st.data())
def test_incremental_apply_equals_a_full_rebuild_exactly(
    records: list[dict[str, Any]], prices: pd.DataFrame, data: st.DataObject
) -> None:
    events = event_frame(records)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(events)), max_size=6), label="cuts"))
    full = ProjectionState.from_events(events)
    state = ProjectionState()
    start = 0
    for cut in [*cuts, len(events)]:
        before = state.copy()
        state.apply(events.iloc[start:cut])
        if start < cut:  # a copy is independent: applying to the state left it as it was
            pd.testing.assert_frame_equal(
                open_lots(before), open_lots(events.iloc[:start]), check_exact=True
            )
        start = cut
    assert state.apply(events) == 0  # nothing newer than what it holds
    assert (state.last_seq, state.last_on, state.events) == (
        full.last_seq,
        full.last_on,
        full.events,
    )
    for method in ("fifo", "average"):
        ours, theirs = snapshot(state, prices, method=method), snapshot(full, prices, method=method)
        pd.testing.assert_frame_equal(ours.positions, theirs.positions, check_exact=True)
        assert ours.summary == theirs.summary
    pd.testing.assert_frame_equal(open_lots(state), open_lots(full), check_exact=True)
    pd.testing.assert_frame_equal(realized_trades(state), realized_trades(full), check_exact=True)
    pd.testing.assert_frame_equal(
        cash_series(state, prices), cash_series(full, prices), check_exact=True
    )
    ours_daily, theirs_daily = value_series(state, prices), value_series(full, prices)
    for name in ("quantity", "price", "value", "stale"):
        pd.testing.assert_frame_equal(
            getattr(ours_daily, name), getattr(theirs_daily, name), check_exact=True
        )
    pd.testing.assert_series_equal(ours_daily.total, theirs_daily.total, check_exact=True)


@PROPERTY
@given(records=histories(), prices=price_frames(), data=st.data())
def test_value_change_minus_net_flows_is_the_pnl(
    records: list[dict[str, Any]], prices: pd.DataFrame, data: st.DataObject
) -> None:
    """Over any period: end - start - net flows = change of (realized + unrealized P&L).

    Fees need no term of their own: buy fees are in the cost basis (so in unrealized, then
    realized, P&L) and sell fees come off the proceeds (so off realized P&L).
    """
    events = event_frame(records)
    days = value_series(events, prices).total.index
    start, end = sorted(data.draw(st.lists(st.sampled_from(list(days)), min_size=2, max_size=2)))
    method = data.draw(st.sampled_from(["fifo", "average"]), label="method")
    period = metrics(events, prices, start=start, end=end)
    before = summary(events, prices, as_of=start, method=method)
    after = summary(events, prices, as_of=end, method=method)
    assert period.start_value == pytest.approx(before.total_value, abs=1e-6)
    assert period.end_value == pytest.approx(after.total_value, abs=1e-6)
    assert period.delta == pytest.approx(after.total_pnl - before.total_pnl, abs=1e-6)
    for moment in (before, after):
        assert moment.total_value - moment.deposits + moment.withdrawals == pytest.approx(
            moment.total_pnl, abs=1e-6
        )


@PROPERTY
@given(records=histories(whole_sells=True))
def test_fifo_and_average_cost_agree_when_every_sell_closes_the_position(
    records: list[dict[str, Any]],
) -> None:
    trades = realized_trades(event_frame(records))
    assert trades["realized_fifo"].to_numpy() == pytest.approx(
        trades["realized_average"].to_numpy(), rel=1e-12, abs=1e-8
    )
