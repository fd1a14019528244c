"""Holdings, cost basis, realized P&L, lots, cash and value series on small hand-checked logs.

Every expected number is worked out by hand in the comments next to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from erasmo.projections import (
    EVENT_COLUMNS,
    EventFrameError,
    ProjectionError,
    ProjectionState,
    as_of,
    cash_series,
    empty_event_frame,
    event_frame,
    holdings,
    open_lots,
    price_table,
    realized_trades,
    snapshot,
    summary,
    trade_log,
    value_series,
)

# Two AAPL lots, then a sell of 15 that takes all of lot 1 and half of lot 2.
TWO_LOTS = """
    2015-03-02 OPEN Tech
    2015-03-02 DEPOSIT 10000
    2015-03-02 BUY 10 AAPL @ 100 fee 1     # lot 1: cost 1001
    2015-03-03 BUY 10 AAPL @ 110 fee 1     # lot 2: cost 1101
    2015-03-03 BUY 5 MSFT @ 40             # cost 200
    2015-03-04 SELL 15 AAPL @ 120 fee 2    # proceeds 1800 - 2 = 1798
"""
# ...then the last 5 AAPL go, and 3 are bought back.
SELL_OUT_AND_REBUY = """
    2015-03-05 SELL 5 AAPL @ 130           # proceeds 650
    2015-03-06 BUY 3 AAPL @ 90 fee 0.5     # new lot: cost 270.5
"""
PRICES = price_table(
    """
                AAPL  MSFT
    2015-03-02  101   41
    2015-03-03  118   42
    2015-03-04  125   -
    2015-03-05  131   43
    2015-03-06  92    44
    """
)


# -- the event frame -----------------------------------------------------------------------


def test_trade_log_builds_a_frame_of_the_contract() -> None:
    events = trade_log(TWO_LOTS, portfolio="abc")
    assert list(events.columns) == list(EVENT_COLUMNS)
    assert dict(events.dtypes) == EVENT_COLUMNS
    assert events["seq"].tolist() == [1, 2, 3, 4, 5, 6]
    assert events["version"].tolist() == [1, 2, 3, 4, 5, 6]
    assert set(events["portfolio"]) == {"abc"}
    sell = events.iloc[5]
    assert (sell["type"], sell["ticker"], sell["quantity"], sell["price"]) == (
        "SharesSold",
        "AAPL",
        15.0,
        120.0,
    )
    assert (sell["value"], sell["fee"]) == (1800.0, 2.0)
    deposit = events.iloc[1]
    assert deposit["amount"] == 10000.0
    assert deposit["ticker"] is None
    assert np.isnan(deposit["quantity"])
    assert deposit["fee"] == 0.0


def test_trade_log_rounds_value_half_up_to_cents() -> None:
    # 3 * 0.335 = 1.005 exactly, which rounds half up to 1.01 (binary floats would give 1.00).
    events = trade_log("2015-03-02 BUY 3 X @ 0.335")
    assert events["value"].iloc[0] == 1.01


def test_trade_log_names_the_bad_line() -> None:
    with pytest.raises(EventFrameError, match="Line 2"):
        trade_log("2015-03-02 DEPOSIT 10\n2015-03-02 BUY ten AAPL @ 1")


def test_event_frame_fills_defaults_and_empty_frame_has_the_columns() -> None:
    events = event_frame(
        [
            {"type": "CashDeposited", "on": "2015-03-02", "amount": "100.50"},
            {"type": "SharesBought", "on": "2015-03-02", "ticker": "X", "quantity": 3,
             "price": "0.335"},
        ]
    )  # fmt: skip
    assert events["seq"].tolist() == [1, 2]
    assert events["value"].iloc[1] == 1.01
    assert events["fee"].tolist() == [0.0, 0.0]
    empty = empty_event_frame()
    assert len(empty) == 0
    assert dict(empty.dtypes) == EVENT_COLUMNS


def test_as_of_cuts_by_seq_and_by_date() -> None:
    events = trade_log(TWO_LOTS)
    assert as_of(events, seq=3)["seq"].tolist() == [1, 2, 3]
    assert as_of(events, on="2015-03-03")["seq"].tolist() == [1, 2, 3, 4, 5]
    assert as_of(events, seq=4, on="2015-03-02")["seq"].tolist() == [1, 2, 3]


# -- holdings ------------------------------------------------------------------------------


def test_holdings_fifo_after_a_sell_across_two_lots() -> None:
    table = holdings(trade_log(TWO_LOTS), PRICES, as_of="2015-03-04")
    assert list(table.index) == ["AAPL", "MSFT"]
    aapl, msft = table.loc["AAPL"], table.loc["MSFT"]
    # FIFO: the 15 sold are lot 1 (1001) and half of lot 2 (550.5); 5 shares of lot 2 are left.
    assert aapl["quantity"] == 5
    assert aapl["cost_basis"] == pytest.approx(550.5)
    assert aapl["average_cost"] == pytest.approx(110.1)
    assert aapl["realized_pnl"] == pytest.approx(1798 - 1001 - 550.5)  # 246.5
    assert aapl["last_price"] == 125
    assert not aapl["stale"]
    assert aapl["market_value"] == pytest.approx(625)
    assert aapl["unrealized_pnl"] == pytest.approx(625 - 550.5)
    assert aapl["unrealized_pct"] == pytest.approx(74.5 / 550.5)
    # 20 held at the 03-03 close (118); 15 sold that day at 120 (+2 each while held), the 5
    # kept close at 125 (+7 each): 15 * 2 + 5 * 7 = 65 (= 5 * 125 - 20 * 118 + 15 * 120).
    assert aapl["day_change"] == pytest.approx(15 * (120 - 118) + 5 * (125 - 118))
    # MSFT has no close on 2015-03-04: the 03-03 close (42) is used and flagged stale.
    assert msft["last_price"] == 42
    assert msft["stale"]
    assert msft["market_value"] == pytest.approx(210)
    assert msft["day_change"] == pytest.approx(0.0)  # 42 both days
    # cash = 10000 - 1001 - 1101 - 200 + 1798 = 9496; total = 625 + 210 + 9496 = 10331
    assert aapl["weight"] == pytest.approx(625 / 10331)
    assert msft["weight"] == pytest.approx(210 / 10331)


def test_holdings_average_cost_after_a_sell_across_two_lots() -> None:
    table = holdings(trade_log(TWO_LOTS), PRICES, as_of="2015-03-04", method="average")
    aapl = table.loc["AAPL"]
    # average cost = (1001 + 1101) / 20 = 105.1; 15 sold remove 1576.5, 5 left cost 525.5.
    assert aapl["average_cost"] == pytest.approx(105.1)
    assert aapl["cost_basis"] == pytest.approx(525.5)
    assert aapl["realized_pnl"] == pytest.approx(1798 - 1576.5)  # 221.5
    assert aapl["unrealized_pnl"] == pytest.approx(625 - 525.5)


def test_summary_adds_up() -> None:
    events = trade_log(TWO_LOTS)
    fifo = summary(events, PRICES, as_of="2015-03-04")
    assert fifo.as_of == pd.Timestamp("2015-03-04")
    assert fifo.cash == pytest.approx(9496)
    assert fifo.market_value == pytest.approx(835)
    assert fifo.total_value == pytest.approx(10331)
    assert fifo.fees_paid == pytest.approx(4)
    assert (fifo.deposits, fifo.withdrawals) == (10000, 0)
    assert fifo.realized_pnl == pytest.approx(246.5)
    assert fifo.unrealized_pnl == pytest.approx(74.5 + 10)
    # The gain since the deposit, 331, is realized + unrealized (fees are inside both).
    assert fifo.total_pnl == pytest.approx(10331 - 10000)
    average = summary(events, PRICES, as_of="2015-03-04", method="average")
    assert average.realized_pnl == pytest.approx(221.5)
    assert average.total_pnl == pytest.approx(331)


def test_full_sell_out_and_rebuy() -> None:
    events = trade_log(TWO_LOTS + SELL_OUT_AND_REBUY)
    for method in ("fifo", "average"):
        sold_out = snapshot(events, PRICES, as_of="2015-03-05", method=method, include_closed=True)
        aapl = sold_out.positions.loc["AAPL"]
        assert aapl["quantity"] == 0
        assert aapl["cost_basis"] == pytest.approx(0.0)
        assert aapl["market_value"] == 0
        # Once a position is closed both methods have realized the same: 1798 + 650 - 2102.
        assert aapl["realized_pnl"] == pytest.approx(346)
        assert "AAPL" not in holdings(events, PRICES, as_of="2015-03-05", method=method).index
        rebought = holdings(events, PRICES, as_of="2015-03-06", method=method).loc["AAPL"]
        assert rebought["quantity"] == 3
        assert rebought["cost_basis"] == pytest.approx(270.5)
        assert rebought["average_cost"] == pytest.approx(270.5 / 3)
        assert rebought["realized_pnl"] == pytest.approx(346)
        assert rebought["unrealized_pnl"] == pytest.approx(3 * 92 - 270.5)


def test_holdings_as_of_seq_values_at_that_events_date() -> None:
    events = trade_log(TWO_LOTS)
    table = holdings(events, PRICES, seq=4)  # up to the second AAPL buy, on 2015-03-03
    assert list(table.index) == ["AAPL"]
    assert table.loc["AAPL", "quantity"] == 20
    assert table.loc["AAPL", "cost_basis"] == pytest.approx(2102)
    assert table.loc["AAPL", "last_price"] == 118


def test_holdings_default_valuation_is_the_latest_close() -> None:
    assert summary(trade_log(TWO_LOTS), PRICES).as_of == pd.Timestamp("2015-03-06")


def test_a_ticker_without_any_close_is_valued_at_its_last_trade_price() -> None:
    events = trade_log("2015-03-02 DEPOSIT 100\n2015-03-02 BUY 2 ZZZ @ 12.5")
    row = holdings(events, PRICES, as_of="2015-03-04").loc["ZZZ"]
    assert (row["last_price"], row["market_value"], row["stale"]) == (12.5, 25.0, True)


def test_a_state_cannot_go_back_in_time() -> None:
    state = ProjectionState.from_events(trade_log(TWO_LOTS))
    with pytest.raises(ProjectionError, match="cannot show an earlier moment"):
        holdings(state, PRICES, seq=3)


def test_a_sell_of_more_than_held_is_refused() -> None:
    events = trade_log("2015-03-02 DEPOSIT 100\n2015-03-02 BUY 1 X @ 1\n2015-03-03 SELL 2 X @ 1")
    with pytest.raises(EventFrameError, match="sells 2 X but the portfolio holds 1:"):
        ProjectionState.from_events(events)


def test_a_rejected_batch_leaves_the_state_as_it_was() -> None:
    state = ProjectionState.from_events(trade_log(TWO_LOTS))
    before = holdings(state, PRICES, method="average")
    bad = trade_log(TWO_LOTS + "2015-03-09 BUY 1 NEW @ 5\n2015-03-09 SELL 99 AAPL @ 1")
    with pytest.raises(EventFrameError):
        state.apply(bad)
    assert (state.last_seq, state.events, state.tickers) == (6, 6, ["AAPL", "MSFT"])
    pd.testing.assert_frame_equal(holdings(state, PRICES, method="average"), before)


def test_events_out_of_seq_order_are_refused() -> None:
    events = trade_log(TWO_LOTS).iloc[[0, 2, 1]]
    with pytest.raises(EventFrameError, match="strictly increase"):
        ProjectionState.from_events(events)


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ProjectionError, match="'fifo'"):
        holdings(trade_log(TWO_LOTS), PRICES, method="lifo")


# -- lots and realized trades --------------------------------------------------------------

THREE_LOTS = """
    2015-03-02 DEPOSIT 10000
    2015-03-02 BUY 10 AAPL @ 100 fee 1     # lot 1: 1001
    2015-03-03 BUY 10 AAPL @ 110 fee 1     # lot 2: 1101
    2015-03-04 BUY 10 AAPL @ 120 fee 1     # lot 3: 1201
    2015-03-05 SELL 5 AAPL @ 125           # inside lot 1
    2015-03-06 SELL 20 AAPL @ 130 fee 3    # rest of lot 1, all of lot 2, half of lot 3
"""


def test_realized_trades_by_fifo_and_average_cost() -> None:
    trades = realized_trades(trade_log(THREE_LOTS))
    assert trades["seq"].tolist() == [5, 6]
    assert trades["quantity"].tolist() == [5, 20]
    assert trades["proceeds"].tolist() == [625, 2597]  # 5*125; 20*130 - 3
    # FIFO: 5/10 of lot 1 = 500.5; then 500.5 + 1101 + 5/10 of 1201 = 2202.
    assert trades["cost_fifo"].tolist() == pytest.approx([500.5, 2202])
    assert trades["realized_fifo"].tolist() == pytest.approx([124.5, 395])
    # Average: 3303 / 30 = 110.1 a share, for both sells.
    assert trades["cost_average"].tolist() == pytest.approx([550.5, 2202])
    assert trades["realized_average"].tolist() == pytest.approx([74.5, 395])


def test_open_lots_after_partial_sells() -> None:
    lots = open_lots(trade_log(THREE_LOTS))
    assert lots["seq"].tolist() == [4]
    assert lots["on"].tolist() == [pd.Timestamp("2015-03-04")]
    assert lots["quantity"].tolist() == [5]
    assert lots["price"].tolist() == [120]
    assert lots["unit_cost"].tolist() == pytest.approx([120.1])
    assert lots["cost_basis"].tolist() == pytest.approx([600.5])
    before_sells = open_lots(trade_log(THREE_LOTS), seq=4)
    assert before_sells["quantity"].tolist() == [10, 10, 10]
    assert before_sells["ticker"].tolist() == ["AAPL"] * 3


# -- cash and value series -----------------------------------------------------------------

WEEKLY = price_table(
    """
                X
    2015-03-05  10
    2015-03-06  11
    2015-03-09  -
    2015-03-10  12
    2015-03-11  13
    """
)  # 03-07 and 03-08 are a weekend; X has no close on 03-09.


def test_cash_series_is_daily_on_the_calendar() -> None:
    events = trade_log(
        """
        2015-03-05 DEPOSIT 1000
        2015-03-05 BUY 10 X @ 10 fee 1
        2015-03-07 WITHDRAW 100     # a Saturday: counts on Monday 03-09
        2015-03-10 SELL 4 X @ 12 fee 0.5
        """
    )
    cash = cash_series(events, WEEKLY)
    assert list(cash.index) == list(WEEKLY.index)
    assert cash["cash"].tolist() == pytest.approx([899, 899, 799, 846.5, 846.5])
    assert cash["deposits"].tolist() == [1000, 0, 0, 0, 0]
    assert cash["withdrawals"].tolist() == [0, 0, 100, 0, 0]
    assert cash["net_flow"].tolist() == [1000, 0, -100, 0, 0]
    assert cash["fees"].tolist() == [1, 0, 0, 0.5, 0]
    assert cash["fees_paid"].tolist() == [1, 1, 1, 1.5, 1.5]
    assert cash_series(events, WEEKLY, end="2015-03-09").index[-1] == pd.Timestamp("2015-03-09")


def test_value_series_forward_fills_a_missing_close() -> None:
    events = trade_log(
        """
        2015-03-06 DEPOSIT 1000
        2015-03-06 BUY 10 X @ 11
        2015-03-10 SELL 4 X @ 12
        """
    )
    series = value_series(events, WEEKLY)
    # The series starts at the first event's trading day.
    assert list(series.total.index) == list(WEEKLY.index[1:])
    assert series.quantity["X"].tolist() == [10, 10, 6, 6]
    assert series.price["X"].tolist() == [11, 11, 12, 13]  # 03-09 takes 03-06's close
    assert series.value["X"].tolist() == pytest.approx([110, 110, 72, 78])
    assert series.cash.tolist() == pytest.approx([890, 890, 938, 938])
    assert series.total.tolist() == pytest.approx([1000, 1000, 1010, 1016])
    assert series.stale["X"].tolist() == [False, True, False, False]
    assert list(series.forward_filled()) == [(pd.Timestamp("2015-03-09"), "X")]


def test_a_day_with_no_holdings_is_worth_its_cash() -> None:
    events = trade_log(
        """
        2015-03-05 DEPOSIT 100
        2015-03-05 BUY 5 X @ 10
        2015-03-06 SELL 5 X @ 11
        2015-03-06 WITHDRAW 105
        """
    )
    series = value_series(events, WEEKLY)
    assert series.value["X"].tolist() == [50, 0, 0, 0, 0]
    assert series.total.tolist() == pytest.approx([100, 0, 0, 0, 0])
    assert not series.stale.any().any()  # nothing held on 03-09, so nothing is stale


def test_series_of_an_empty_log_are_empty() -> None:
    assert len(value_series(empty_event_frame(), WEEKLY).total) == 0
    assert len(cash_series(empty_event_frame(), WEEKLY)) == 0
