"""Projections of a margin account's short position: a short sale, a dividend charged on it, a
split and the cover, worked out by hand in the comments."""

from __future__ import annotations

import pandas as pd
import pytest

from erasmo.projections import ProjectionState, holdings, price_table, summary, trade_log

SHORT = """
    2020-01-02 OPEN Margin
    2020-01-02 DEPOSIT 10000
    2020-01-03 SELL 100 XYZ @ 50 fee 5     # short 100: proceeds 5,000 - 5 = 4,995
    2020-01-06 DIVIDEND 100 XYZ @ 0.5      # on the short: see `log`
    2020-01-07 SPLIT XYZ 2                 # short 200, the basis stays -4,995
"""
COVER = """
    2020-01-08 BUY 200 XYZ @ 20 fee 5      # cover: 4,000 + 5 = 4,005
"""


def log(text: str) -> pd.DataFrame:
    """`trade_log`, with the dividend as the write side stores it on a short of 100: quantity
    -100 and amount -50 (charged: 100 x 0.50)."""
    events = trade_log(text)
    # the AccountTypeSet recorded on opening a margin account (projections read only its type)
    account = events.iloc[[0]].assign(type="AccountTypeSet", version=2)
    events = pd.concat([events.iloc[:1], account, events.iloc[1:]], ignore_index=True)
    events["type"] = events["type"].astype(events.dtypes["type"])
    events["seq"] = range(1, len(events) + 1)
    events["version"] = range(1, len(events) + 1)
    dividend = events["type"] == "DividendReceived"
    events.loc[dividend, ["quantity", "amount"]] = -events.loc[dividend, ["quantity", "amount"]]
    assert events.loc[dividend, "amount"].tolist() == [-50.0]
    assert ProjectionState.from_events(events).margin
    return events


PRICES = price_table(
    """
                XYZ
    2020-01-03  50
    2020-01-06  48
    2020-01-07  22
    2020-01-08  20
    """
)


@pytest.mark.parametrize("method", ["fifo", "average"])
def test_a_short_position_in_the_holdings(method: str) -> None:
    table = holdings(log(SHORT), PRICES, as_of="2020-01-07", method=method)
    row = table.loc["XYZ"]
    assert row["quantity"] == -200
    assert row["cost_basis"] == pytest.approx(-4995)
    assert row["average_cost"] == pytest.approx(24.975)  # 4,995 / 200
    assert row["market_value"] == pytest.approx(-4400)  # -200 x 22
    assert row["unrealized_pnl"] == pytest.approx(595)  # -4,400 + 4,995
    assert row["unrealized_pct"] == pytest.approx(595 / 4995)


@pytest.mark.parametrize("method", ["fifo", "average"])
def test_the_cover_realizes_the_short(method: str) -> None:
    events = log(SHORT + COVER)
    assert "XYZ" not in holdings(events, PRICES, as_of="2020-01-08", method=method).index
    state = ProjectionState.from_events(events)
    # cash: 10,000 + 4,995 - 50 - 4,005 = 10,940
    assert state.cash == pytest.approx(10940)
    assert state.dividends_received == pytest.approx(-50)
    assert state.fees_paid == pytest.approx(10)
    # realized: proceeds 4,995 - cover 4,005 = 990 (the dividend is income, apart)
    assert state.realized(method)[0] == pytest.approx(990)
    totals = summary(events, PRICES, as_of="2020-01-08", method=method)
    assert (totals.total_value, totals.realized_pnl) == pytest.approx((10940, 990))


def test_batching_a_short_gives_the_same_state() -> None:
    events = log(SHORT + COVER + "2020-01-09 SELL 30 XYZ @ 21\n2020-01-10 BUY 50 XYZ @ 19")
    whole = ProjectionState.from_events(events)
    batched = ProjectionState()
    for i in range(len(events)):
        batched.apply(events.iloc[: i + 1])
    # after: short 30 at 21 (basis -630), then buy 50: covers 30 (realizes 630 - 570 = 60) and
    # opens 20 long at 19 (cost 380)
    for state in (whole, batched):
        assert state.quantities().tolist() == [20]
        assert state.cost_basis("average").tolist() == pytest.approx([380])
        assert state.cost_basis("fifo").tolist() == pytest.approx([380])
        assert state.realized("average")[0] == pytest.approx(990 + 60)


def test_a_short_without_a_margin_account_is_refused() -> None:
    from erasmo.projections import EventFrameError

    with pytest.raises(EventFrameError, match="sells 100 XYZ but the portfolio holds 0"):
        ProjectionState.from_events(trade_log(SHORT.replace("DIVIDEND 100", "DIVIDEND 1")))
