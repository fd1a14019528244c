"""Properties of round trips over random valid histories (hypothesis): the trades are the
holdings' FIFO lots, cut differently, so they must add up to what the holdings say."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

import pandas as pd
import pytest
from hand_market import HandMarket
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erasmo.journal import round_trips
from erasmo.projections import event_frame, open_lots, realized_trades

TICKERS = ("AAA", "BBB")
CALENDAR = pd.bdate_range("2021-01-04", periods=45)
MARKET = HandMarket("\n".join(f"{t} {day.date()} 10 12 8 11" for day in CALENDAR for t in TICKERS))
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Buys, sells (never more than held), splits and dividends of two tickers."""
    held = dict.fromkeys(TICKERS, Decimal(0))
    records: list[dict[str, Any]] = [{"type": "PortfolioOpened", "on": CALENDAR[0]}]
    records.append({"type": "CashDeposited", "on": CALENDAR[0], "amount": Decimal(10**9)})
    at = 0
    for _ in range(draw(st.integers(1, 40))):
        at = min(at + draw(st.integers(0, 1)), len(CALENDAR) - 1)
        day, ticker = CALENDAR[at], draw(st.sampled_from(TICKERS))
        action = draw(st.sampled_from(["buy", "buy", "sell", "sell", "split", "dividend"]))
        price = Decimal(draw(st.integers(100, 30_000))) / 100
        if action == "sell" and held[ticker] > 0:
            whole = draw(st.booleans())
            cap = int(held[ticker] * 100)
            quantity = (
                held[ticker] if whole or cap < 1 else Decimal(draw(st.integers(1, cap))) / 100
            )
            fee = draw(st.sampled_from([Decimal(0), Decimal("0.5")]))
            records.append(_trade("SharesSold", day, ticker, quantity, price, fee))
            held[ticker] -= quantity
        elif action == "split" and held[ticker] > 0:
            ratio = draw(st.sampled_from([Decimal(2), Decimal(3), Decimal("1.5"), Decimal("0.5")]))
            after = (held[ticker] * ratio).quantize(Decimal("0.000001"), ROUND_DOWN)
            if after > 0:
                records.append(
                    {"type": "SplitApplied", "on": day, "ticker": ticker, "ratio": ratio}
                )
                held[ticker] = after
        elif action == "dividend" and held[ticker] > 0:
            per_share = Decimal(draw(st.integers(1, 200))) / 100
            records.append(
                {"type": "DividendReceived", "on": day, "ticker": ticker,
                 "quantity": held[ticker], "price": per_share}
            )  # fmt: skip
        else:
            quantity = Decimal(draw(st.integers(1, 5_000))) / 100
            fee = draw(st.sampled_from([Decimal(0), Decimal(1), Decimal("2.35")]))
            records.append(_trade("SharesBought", day, ticker, quantity, price, fee))
            held[ticker] += quantity
    return records


def _trade(
    kind: str, day: pd.Timestamp, ticker: str, quantity: Decimal, price: Decimal, fee: Decimal
) -> dict[str, Any]:
    return {"type": kind, "on": day, "ticker": ticker, "quantity": quantity, "price": price,
            "fee": fee}  # fmt: skip


@PROPERTY
@given(records=histories())
def test_closed_trades_of_each_sell_add_up_to_its_fifo_realized_pnl(
    records: list[dict[str, Any]],
) -> None:
    events = event_frame(records)
    trades = round_trips(events, MARKET)
    closed = trades[trades["status"] == "closed"]
    earned = (closed["pnl"] - closed["dividends"]).groupby(closed["exit_seq"]).sum()
    sold = closed.groupby("exit_seq")["quantity"].sum()
    realized = realized_trades(events).set_index("seq")
    assert sorted(earned.index) == sorted(realized.index)
    for seq, row in realized.iterrows():
        assert earned[seq] == pytest.approx(row["realized_fifo"], abs=1e-6)
        assert sold[seq] == pytest.approx(row["quantity"], abs=1e-9)


@PROPERTY
@given(records=histories())
def test_open_trades_are_the_open_lots(records: list[dict[str, Any]]) -> None:
    events = event_frame(records)
    trades = round_trips(events, MARKET)
    still = trades[trades["status"] == "open"].sort_values("entry_seq", kind="stable")
    lots = open_lots(events).sort_values("seq", kind="stable")
    assert still["entry_seq"].tolist() == lots["seq"].tolist()
    assert still["quantity"].tolist() == pytest.approx(lots["quantity"].tolist(), abs=1e-9)
    assert still["entry_price"].tolist() == pytest.approx(lots["price"].tolist(), rel=1e-9)
    cost = still["entry_value"] + still["entry_fee"]
    assert cost.tolist() == pytest.approx(lots["cost_basis"].tolist(), abs=1e-6)


@PROPERTY
@given(records=histories())
def test_dividends_in_trades_add_up_to_the_dividends_received(
    records: list[dict[str, Any]],
) -> None:
    events = event_frame(records)
    trades = round_trips(events, MARKET)
    received = events.loc[events["type"] == "DividendReceived", "amount"].sum()
    assert trades["dividends"].sum() == pytest.approx(received, abs=1e-6)
    positions = round_trips(events, MARKET, group="position")
    assert positions["pnl"].sum() == pytest.approx(trades["pnl"].sum(), abs=1e-6)
    assert len(positions) <= len(trades)
