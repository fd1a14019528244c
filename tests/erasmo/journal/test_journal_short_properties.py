"""Round trips of a margin account's random buys and sells, shorts and crossings included
(hypothesis), checked against the account's cash: every trade's P&L, the open ones valued at the
last close, adds up to what the trades and dividends did to cash plus the positions' value."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
import pytest
from hand_market import HandMarket
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erasmo.journal import round_trips
from erasmo.projections import event_frame

TICKERS = ("AAA", "BBB")
CALENDAR = pd.bdate_range("2021-01-04", periods=30)
CLOSE = Decimal(11)
MARKET = HandMarket("\n".join(f"{t} {day.date()} 10 12 8 11" for day in CALENDAR for t in TICKERS))
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CENT = Decimal("0.01")


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[dict[str, Any]], Decimal, dict[str, Decimal]]:
    """Buys, sells (any quantity: beyond the long shares held they sell short) and dividends
    (paid to a long, charged to a short); the cash they move and the shares left."""
    held = dict.fromkeys(TICKERS, Decimal(0))
    cash = Decimal(0)
    records: list[dict[str, Any]] = [{"type": "PortfolioOpened", "on": CALENDAR[0]}]
    for at in sorted(draw(st.lists(st.integers(0, len(CALENDAR) - 1), min_size=1, max_size=30))):
        day, ticker = CALENDAR[at], draw(st.sampled_from(TICKERS))
        action = draw(st.sampled_from(["buy", "sell", "sell", "dividend"]))
        if action == "dividend":
            if held[ticker] == 0:
                continue
            per_share = Decimal(draw(st.integers(1, 200))) / 100
            amount = (held[ticker] * per_share).quantize(CENT, ROUND_HALF_UP)
            records.append(
                {"type": "DividendReceived", "on": day, "ticker": ticker,
                 "quantity": held[ticker], "price": per_share, "amount": amount}
            )  # fmt: skip
            cash += amount
            continue
        quantity = Decimal(draw(st.integers(1, 3_000))) / 100
        if action == "sell" and held[ticker] > 0 and draw(st.booleans()):
            quantity = held[ticker]  # exactly flat now and then
        price = Decimal(draw(st.integers(100, 3_000))) / 100
        fee = draw(st.sampled_from([Decimal(0), Decimal(1), Decimal("0.35")]))
        value = (quantity * price).quantize(CENT, ROUND_HALF_UP)
        kind = "SharesBought" if action == "buy" else "SharesSold"
        records.append(
            {"type": kind, "on": day, "ticker": ticker, "quantity": quantity, "price": price,
             "value": value, "fee": fee}
        )  # fmt: skip
        cash += (-value if action == "buy" else value) - fee
        held[ticker] += quantity if action == "buy" else -quantity
    return records, cash, held


@PROPERTY
@given(history=histories())
def test_every_trade_s_pnl_adds_up_to_the_account_s_gain(
    history: tuple[list[dict[str, Any]], Decimal, dict[str, Decimal]],
) -> None:
    records, cash, held = history
    trades = round_trips(event_frame(records), MARKET, on=CALENDAR[-1].date())
    # the gain: cash moved by trades and dividends, plus what the positions are worth (a short's
    # value is negative: what covering it would cost)
    gain = cash + sum((shares * CLOSE for shares in held.values()), Decimal(0))
    assert trades["pnl"].sum() == pytest.approx(float(gain), abs=1e-6)
    assert (trades["quantity"] > 0).all()
    still = trades[trades["status"] == "open"]
    for ticker, shares in held.items():
        mine = still[still["ticker"] == ticker]
        signed = mine["quantity"].where(mine["direction"] == "long", -mine["quantity"]).sum()
        assert signed == pytest.approx(float(shares), abs=1e-9)
        assert mine["direction"].nunique() <= 1  # a ticker is long or short, never both
