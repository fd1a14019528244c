"""Round-trip trades on hand-written logs and bars; every expected figure is worked out here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from hand_market import HandMarket

from erasmo.journal import TRADE_COLUMNS, TradeGroupingError, round_trips
from erasmo.projections import EventFrameError, event_frame, realized_trades, trade_log

#: open high low close
XYZ = HandMarket(
    """
    XYZ 2020-01-02 100 101 99 100
    XYZ 2020-01-03 100 105 95 102
    XYZ 2020-01-06 102 110 100 108
    XYZ 2020-01-07 108 109 90 95
    XYZ 2020-01-08 95 97 93 96
    """
)

SCALED_IN_AND_OUT = """
    2020-01-02 OPEN t
    2020-01-02 DEPOSIT 10000
    2020-01-02 BUY 10 XYZ @ 100 fee 1
    2020-01-03 BUY 5 XYZ @ 102 fee 0.5
    2020-01-06 SELL 12 XYZ @ 108 fee 2.4
    2020-01-07 SELL 2 XYZ @ 95 fee 0.2
"""


def _rows(trades: pd.DataFrame, *columns: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in trades[list(columns)].itertuples(index=False)]


def test_fifo_partial_exits_split_the_lots_into_trades() -> None:
    trades = round_trips(trade_log(SCALED_IN_AND_OUT), XYZ)
    assert list(trades.columns) == list(TRADE_COLUMNS)
    # sell 12: the whole first lot (10) and 2 of the second; sell 2: 2 more; 1 share still open
    assert _rows(trades, "entry_seq", "exit_seq", "quantity", "status") == [
        (3, 5, 10.0, "closed"),
        (4, 5, 2.0, "closed"),
        (4, 6, 2.0, "closed"),
        (4, pd.NA, 1.0, "open"),
    ]
    # fees pro rata: the sell's 2.4 is 2.0 for 10 shares and 0.4 for 2; the second buy's
    # 0.5 on 5 shares is 0.1 a share.
    assert trades["entry_fee"].tolist() == pytest.approx([1.0, 0.2, 0.2, 0.1])
    assert trades["exit_fee"].tolist() == pytest.approx([2.0, 0.4, 0.2, 0.0])
    # pnl = exit value - exit fee - entry value - entry fee
    expected = [1080 - 2 - 1000 - 1, 216 - 0.4 - 204 - 0.2, 190 - 0.2 - 204 - 0.2, 96 - 102 - 0.1]
    assert trades["pnl"].tolist() == pytest.approx(expected)
    costs = [1001, 204.2, 204.2, 102.1]
    assert trades["return_pct"].tolist() == pytest.approx(
        [p / c for p, c in zip(expected, costs, strict=True)]
    )
    assert trades["holding_days"].tolist() == [4, 3, 4, 5]
    # the open share is valued at the last close (2020-01-08: 96), on that day
    assert trades["exit_price"].iloc[-1] == 96.0
    assert trades["exit_on"].iloc[-1] == pd.Timestamp("2020-01-08")


def test_closed_trades_add_up_to_the_holdings_fifo_realized_pnl() -> None:
    events = trade_log(SCALED_IN_AND_OUT)
    trades = round_trips(events, XYZ)
    closed = trades[trades["status"] == "closed"]
    per_sell = closed.groupby("exit_seq")["pnl"].sum()
    realized = realized_trades(events).set_index("seq")["realized_fifo"]
    assert per_sell.to_dict() == pytest.approx(realized.to_dict())


def test_excursions_come_from_the_bars_after_the_entry_day() -> None:
    trades = round_trips(trade_log(SCALED_IN_AND_OUT), XYZ)
    # lot 1 (entry 100) held 01-03..01-06: lowest low 95, highest high 110
    # lot 2 (entry 102) to 01-06: low 100 high 110; to 01-07: low 90; to 01-08 (open): low 90
    assert trades["mae"].tolist() == pytest.approx([10 * -5, 2 * -2, 2 * -12, 1 * -12])
    assert trades["mae_pct"].tolist() == pytest.approx([-0.05, -2 / 102, -12 / 102, -12 / 102])
    assert trades["mfe"].tolist() == pytest.approx([10 * 10, 2 * 8, 2 * 8, 1 * 8])
    assert trades["mfe_pct"].tolist() == pytest.approx([0.10, 8 / 102, 8 / 102, 8 / 102])
    assert set(trades["excursion_prices"]) == {"high/low"}


def test_a_trade_opened_and_closed_on_one_day_has_excursions_from_its_own_prices() -> None:
    log = "2020-01-06 BUY 3 XYZ @ 104\n2020-01-06 SELL 3 XYZ @ 108"
    trades = round_trips(trade_log(log), XYZ)
    assert trades["mae"].tolist() == [0.0]
    assert trades["mfe"].tolist() == pytest.approx([3 * 4])
    assert trades["holding_days"].tolist() == [0]


def test_close_only_bars_give_excursions_from_closes() -> None:
    market = HandMarket(
        "CLO 2020-01-02 50\nCLO 2020-01-03 45\nCLO 2020-01-06 58\nCLO 2020-01-07 55"
    )
    log = "2020-01-02 BUY 2 CLO @ 50\n2020-01-07 SELL 2 CLO @ 55"
    trades = round_trips(trade_log(log), market)
    assert trades["mae"].tolist() == pytest.approx([2 * -5])
    assert trades["mfe"].tolist() == pytest.approx([2 * 8])
    assert trades["excursion_prices"].tolist() == ["close"]


ABC = HandMarket(
    """
    ABC 2020-01-02 200 202 198 200
    ABC 2020-01-03 200 210 190 204
    ABC 2020-01-06 102 106 100 104
    ABC 2020-01-07 104 108 96 100
    """
)


def test_a_split_doubles_the_open_lot_and_halves_its_entry_price() -> None:
    log = """
        2020-01-02 BUY 10 ABC @ 200
        2020-01-03 SELL 4 ABC @ 204
        2020-01-06 SPLIT ABC 2
        2020-01-07 SELL 12 ABC @ 100
    """
    trades = round_trips(trade_log(log), ABC)
    assert _rows(trades, "quantity", "entry_price", "exit_price") == [
        (4.0, 200.0, 204.0),
        (12.0, 100.0, 100.0),  # the 6 shares left became 12 at half the price
    ]
    assert trades["entry_value"].tolist() == pytest.approx([800.0, 1200.0])
    assert trades["pnl"].tolist() == pytest.approx([16.0, 0.0])
    # before the split the bars are halved: lows 190/2, 100, 96 -> 95; highs 105, 106, 108
    assert trades["mae"].tolist() == pytest.approx([4 * -10, 12 * -5])
    assert trades["mfe"].tolist() == pytest.approx([4 * 10, 12 * 8])
    assert trades["mae_pct"].tolist() == pytest.approx([-0.05, -0.05])


def test_dividends_go_to_the_lots_held_on_the_ex_date_by_quantity() -> None:
    log = """
        2020-01-02 BUY 10 XYZ @ 100
        2020-01-03 BUY 10 XYZ @ 102
        2020-01-06 DIVIDEND 20 XYZ @ 0.5
        2020-01-06 SELL 15 XYZ @ 108
        2020-01-07 BUY 4 XYZ @ 95
    """
    trades = round_trips(trade_log(log), XYZ)
    assert _rows(trades, "entry_seq", "quantity", "dividends") == [
        (1, 10.0, 5.0),
        (2, 5.0, 2.5),
        (2, 5.0, 2.5),  # open: the rest of the second lot
        (5, 4.0, 0.0),  # bought after the ex-date
    ]
    assert trades["pnl"].tolist() == pytest.approx(
        [1080 - 1000 + 5, 540 - 510 + 2.5, 5 * 96 - 510 + 2.5, 4 * 96 - 380]
    )


def test_position_grouping_averages_prices_from_flat_to_flat() -> None:
    later = """
        2020-01-07 SELL 1 XYZ @ 95
        2020-01-07 BUY 3 XYZ @ 95
        2020-01-08 SELL 3 XYZ @ 96
    """
    log = SCALED_IN_AND_OUT + later
    trades = round_trips(trade_log(log), XYZ, group="position")
    assert _rows(trades, "entry_seq", "exit_seq", "quantity", "status") == [
        (3, 7, 15.0, "closed"),
        (8, 9, 3.0, "closed"),
    ]
    assert trades["entry_price"].tolist() == pytest.approx([(10 * 100 + 5 * 102) / 15, 95.0])
    assert trades["exit_price"].tolist() == pytest.approx([(12 * 108 + 3 * 95) / 15, 96.0])
    assert trades["pnl"].tolist() == pytest.approx([77 + 11.4 - 14.4 + (95 - 102 - 0.1), 3.0])
    assert trades["holding_days"].tolist() == [5, 1]


def test_a_position_still_open_is_one_open_trade() -> None:
    trades = round_trips(trade_log(SCALED_IN_AND_OUT), XYZ, group="position")
    assert _rows(trades, "status", "quantity") == [("open", 15.0)]
    assert trades["exit_seq"].isna().all()
    assert trades["exit_price"].tolist() == pytest.approx([(12 * 108 + 2 * 95 + 96) / 15])


def test_the_valuation_day_leaves_out_later_events() -> None:
    trades = round_trips(trade_log(SCALED_IN_AND_OUT), XYZ, on=date(2020, 1, 3))
    assert _rows(trades, "status", "quantity", "exit_price") == [
        ("open", 10.0, 102.0),
        ("open", 5.0, 102.0),
    ]


def test_no_trades_give_an_empty_frame_with_every_column() -> None:
    trades = round_trips(trade_log("2020-01-02 OPEN t\n2020-01-02 DEPOSIT 100"), XYZ)
    assert trades.empty
    assert dict(trades.dtypes.astype(str)) == TRADE_COLUMNS


def test_an_unknown_grouping_is_a_named_error() -> None:
    with pytest.raises(TradeGroupingError, match="use one of"):
        round_trips(trade_log(SCALED_IN_AND_OUT), XYZ, group="ticker")


#: XYZ split 2:1 with ex-date 2020-01-06: the bars from that day are in the new shares.
SPLIT_XYZ = HandMarket(
    """
    XYZ 2020-01-02 100 101 99 100
    XYZ 2020-01-03 100 104 96 98
    XYZ 2020-01-06 49 50 47 48
    XYZ 2020-01-07 48 49 44 45
    XYZ 2020-01-08 45 46 44 45
    """
)


def test_a_short_round_trip_through_a_dividend_and_a_split() -> None:
    day = date(2020, 1, 1).replace
    trade = {"ticker": "XYZ", "fee": 1, "price": 100, "quantity": 10}
    events = event_frame(
        [
            {**trade, "type": "SharesSold", "on": day(day=2)},
            # the dividend a short position is charged, as a margin account records it
            {
                "type": "DividendReceived",
                "on": day(day=3),
                "ticker": "XYZ",
                "quantity": -10,
                "price": Decimal("0.5"),
                "amount": -5,
            },
            {"type": "SplitApplied", "on": day(day=6), "ticker": "XYZ", "ratio": 2},
            {
                **trade,
                "type": "SharesBought",
                "on": day(day=7),
                "quantity": 20,
                "price": 45,
                "fee": 2,
            },
        ]
    )
    trades = round_trips(events, SPLIT_XYZ)
    # short 10 at 100 = short 20 at 50 after the split, covered at 45
    assert _rows(trades, "direction", "status", "entry_seq", "exit_seq", "quantity") == [
        ("short", "closed", 1, 4, 20.0)
    ]
    trade = trades.iloc[0]
    assert (trade["entry_price"], trade["exit_price"]) == (50.0, 45.0)
    assert (trade["entry_value"], trade["exit_value"]) == (1000.0, 900.0)
    assert (trade["entry_fee"], trade["exit_fee"], trade["dividends"]) == (1.0, 2.0, -5.0)
    # (entry - exit) x quantity - fees, less the dividend charged: 5 x 20 - 3 - 5
    assert trade["pnl"] == pytest.approx(92.0)
    assert trade["return_pct"] == pytest.approx(92.0 / 1000.0)  # on the entry value
    assert trade["holding_days"] == 5
    # window 01-03 .. 01-07 in new shares: highs 104/2, 50, 49; lows 96/2, 47, 44
    assert trade["mae"] == pytest.approx(20 * (50 - 52))
    assert trade["mae_pct"] == pytest.approx(1 - 52 / 50)
    assert trade["mfe"] == pytest.approx(20 * (50 - 44))
    assert trade["mfe_pct"] == pytest.approx(1 - 44 / 50)


def test_a_sell_beyond_the_holding_closes_the_long_and_opens_a_short() -> None:
    events = trade_log(
        """
        2020-01-02 BUY 10 XYZ @ 100 fee 1
        2020-01-06 SELL 15 XYZ @ 108 fee 3
        2020-01-08 BUY 5 XYZ @ 96 fee 0.5
        """
    )
    trades = round_trips(events, XYZ)
    assert _rows(trades, "direction", "entry_seq", "exit_seq", "quantity") == [
        ("long", 1, 2, 10.0),
        ("short", 2, 3, 5.0),
    ]
    # the sell's 1620 and fee 3 are shared 10:5 between the close and the short sale
    assert trades["exit_value"].tolist() == pytest.approx([1080.0, 480.0])
    assert trades["entry_value"].tolist() == pytest.approx([1000.0, 540.0])
    assert trades["entry_fee"].tolist() == pytest.approx([1.0, 1.0])
    assert trades["exit_fee"].tolist() == pytest.approx([2.0, 0.5])
    long_pnl, short_pnl = 1080 - 2 - 1000 - 1, (108 - 96) * 5 - 1 - 0.5
    assert trades["pnl"].tolist() == pytest.approx([long_pnl, short_pnl])
    assert trades["return_pct"].tolist() == pytest.approx([long_pnl / 1001, short_pnl / 540])
    # the short's window 01-07 .. 01-08: highest 109, lowest 90
    short = trades.iloc[1]
    assert (short["mae"], short["mfe"]) == pytest.approx((5 * (108 - 109), 5 * (108 - 90)))
    by_position = round_trips(events, XYZ, group="position")
    assert _rows(by_position, "direction", "quantity") == [("long", 10.0), ("short", 5.0)]
    assert by_position["pnl"].tolist() == pytest.approx([long_pnl, short_pnl])


def test_a_buy_beyond_the_short_covers_it_and_opens_a_long_and_a_short_stays_open() -> None:
    events = trade_log(
        """
        2020-01-02 SELL 5 XYZ @ 100
        2020-01-03 BUY 8 XYZ @ 102
        2020-01-06 SELL 3 XYZ @ 108
        2020-01-06 SELL 4 XYZ @ 108
        """
    )
    trades = round_trips(events, XYZ, on=date(2020, 1, 8))
    assert _rows(trades, "direction", "status", "entry_seq", "exit_seq", "quantity") == [
        ("short", "closed", 1, 2, 5.0),
        ("long", "closed", 2, 3, 3.0),
        ("short", "open", 4, pd.NA, 4.0),
    ]
    # the open short is valued at the 01-08 close of 96: unrealized (108 - 96) x 4
    assert trades["pnl"].tolist() == pytest.approx([5 * (100 - 102), 3 * (108 - 102), 48.0])


def test_an_open_trade_is_valued_at_the_last_close_however_old() -> None:
    trades = round_trips(trade_log("2020-01-02 BUY 2 XYZ @ 100"), XYZ, on=date(2020, 6, 30))
    assert _rows(trades, "exit_price", "exit_on", "pnl") == [
        (96.0, pd.Timestamp("2020-06-30"), 2 * (96 - 100)),
    ]


def test_a_ticker_the_market_does_not_know_is_valued_at_cost_without_bars() -> None:
    trades = round_trips(trade_log("2020-01-02 BUY 2 ZZZ @ 100"), XYZ)
    assert _rows(trades, "exit_price", "pnl", "mae", "mfe", "excursion_prices") == [
        (100.0, 0.0, 0.0, 0.0, "entry/exit"),
    ]


def test_the_events_of_several_portfolios_are_refused_by_name() -> None:
    events = pd.concat(
        [trade_log("2020-01-02 BUY 1 XYZ @ 100", portfolio=name) for name in ("a", "b")],
        ignore_index=True,
    ).assign(seq=[1, 2])
    with pytest.raises(EventFrameError, match="one portfolio's events"):
        round_trips(events, XYZ)


def test_events_after_the_market_s_last_day_are_valued_on_their_own_day() -> None:
    trades = round_trips(trade_log("2020-01-02 BUY 1 XYZ @ 100\n2020-02-03 SELL 1 XYZ @ 99"), XYZ)
    assert _rows(trades, "status", "exit_on", "exit_price") == [
        ("closed", pd.Timestamp("2020-02-03"), 99.0)
    ]
