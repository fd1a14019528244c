"""One read of the journal with filters (`door.trade_journal`): the trades a ticker, a tag, an
outcome and a period keep, their statistics and realized P&L by month, all from one matching
of the round trips, on a real store. Every figure is worked out by hand from the trades below.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pandas as pd
import pytest

import erasmo.journal
from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.journal import monthly_pnl
from erasmo.journal.filters import TradeFilterError

BARS = """\
XYZ 2020-01-02 100 101 99 100
XYZ 2020-01-31 110 111 109 110
XYZ 2020-02-04 105 106 104 105
XYZ 2020-02-28 100 101 99 100
XYZ 2020-03-06 100 101 99 100
ABC 2020-01-03 50 51 49 50
ABC 2020-02-03 45 46 44 45
ABC 2020-03-02 40 41 39 40
ABC 2020-03-06 44 45 43 44
"""
#: (day, side, ticker, quantity, price, fee, tags)
LOG = (
    (date(2020, 1, 2), "buy", "XYZ", "10", "100", "1", "breakout"),
    (date(2020, 1, 3), "buy", "ABC", "5", "50", "1", ""),
    (date(2020, 1, 31), "sell", "XYZ", "10", "110", "1", ""),
    (date(2020, 2, 3), "sell", "ABC", "5", "45", "1", ""),
    (date(2020, 2, 4), "buy", "XYZ", "4", "105", "0", "dip"),
    (date(2020, 2, 28), "sell", "XYZ", "4", "100", "0", ""),
    (date(2020, 3, 2), "buy", "ABC", "2", "40", "0", "dip"),  # still open
)
# Each trade's P&L by hand: value out - fee out - value in - fee in.
XYZ_JAN = 10 * 110 - 1 - 10 * 100 - 1  # 98, exit 2020-01-31
ABC_FEB = 5 * 45 - 1 - 5 * 50 - 1  # -27, exit 2020-02-03
XYZ_FEB = 4 * 100 - 4 * 105  # -20, exit 2020-02-28
ABC_OPEN = 2 * 44 - 2 * 40  # 8, valued at ABC's last close (2020-03-06)
VALUED = date(2020, 3, 6)  # the market's latest day


@pytest.fixture
def built(tmp_path: Path) -> Iterator[Erasmo]:
    from hand_market import HandMarket

    made = bootstrap(tmp_path / "data", market=HandMarket(BARS, []), today=lambda: date(2026, 1, 5))
    yield made
    made.close()


@pytest.fixture
def pid(built: Erasmo) -> UUID:
    door = built.door
    found = door.open_portfolio("Filters", "10000", date(2020, 1, 2)).id
    for day, side, ticker, qty, price, fee, tags in LOG:
        (door.buy if side == "buy" else door.sell)(found, ticker, qty, day, price, fee, tags=tags)
    return found


def pnl(frame: pd.DataFrame) -> list[float]:
    return [round(float(p), 6) for p in frame["pnl"]]


def test_monthly_pnl_sums_the_closed_trades_by_exit_month_as_by_hand(
    built: Erasmo, pid: UUID
) -> None:
    trades = built.door.trades(pid)
    assert pnl(trades) == [XYZ_JAN, ABC_FEB, XYZ_FEB, ABC_OPEN]
    months = monthly_pnl(trades)
    assert months.index.tolist() == ["2020-01", "2020-02"]  # the open trade is not realized
    assert months.tolist() == pytest.approx([XYZ_JAN, ABC_FEB + XYZ_FEB], abs=1e-9)
    assert monthly_pnl(trades.iloc[:0]).empty
    read = built.door.trade_journal(pid)
    assert read.months.to_dict() == pytest.approx({"2020-01": 98.0, "2020-02": -47.0})


def test_the_filters_keep_the_trades_and_the_statistics_are_theirs(
    built: Erasmo, pid: UUID
) -> None:
    door = built.door
    read = door.trade_journal(pid, ticker="xyz")  # any case
    assert pnl(read.trades) == [XYZ_JAN, XYZ_FEB]
    s = read.statistics
    assert (s.trades, s.winners, s.losers, s.win_rate) == (2, 1, 1, 0.5)
    assert s.total_pnl == pytest.approx(XYZ_JAN + XYZ_FEB)
    assert s.profit_factor == pytest.approx(98 / 20)
    assert read.months.to_dict() == pytest.approx({"2020-01": 98.0, "2020-02": -20.0})
    # the choices and bounds are the whole portfolio's, whatever the filters
    assert (read.total, read.tickers, read.tags) == (4, ("ABC", "XYZ"), ("breakout", "dip"))
    assert (read.first_day, read.last_day) == (date(2020, 1, 31), VALUED)

    dip = door.trade_journal(pid, tag="DIP")
    assert pnl(dip.trades) == [XYZ_FEB, ABC_OPEN]
    assert dip.statistics.total_pnl == pytest.approx(XYZ_FEB + ABC_OPEN)
    assert dip.months.to_dict() == pytest.approx({"2020-02": -20.0})

    losers = door.trade_journal(pid, outcome="losers")
    assert pnl(losers.trades) == [ABC_FEB, XYZ_FEB]
    assert losers.statistics.average_loss == pytest.approx((ABC_FEB + XYZ_FEB) / 2)
    assert pnl(door.trade_journal(pid, outcome="winners").trades) == [XYZ_JAN, ABC_OPEN]
    assert pnl(door.trade_journal(pid, outcome="open").trades) == [ABC_OPEN]
    assert pnl(door.trade_journal(pid, outcome="closed").trades) == [XYZ_JAN, ABC_FEB, XYZ_FEB]
    both = door.trade_journal(pid, ticker="ABC", outcome="winners")
    assert pnl(both.trades) == [ABC_OPEN]
    assert both.statistics.trades == 1
    # trade_stats takes the same filters
    assert door.trade_stats(pid, ticker="ABC").total_pnl == pytest.approx(ABC_FEB + ABC_OPEN)


def test_the_period_keeps_exit_days_and_an_open_trade_by_its_valuation_day(
    built: Erasmo, pid: UUID
) -> None:
    door = built.door
    feb = door.trade_journal(pid, start=date(2020, 2, 1), end=date(2020, 2, 29))
    assert pnl(feb.trades) == [ABC_FEB, XYZ_FEB]  # the buy of 03-02 is open: valued 03-06
    assert feb.statistics.trades == 2
    march = door.trade_journal(pid, start=date(2020, 3, 1))
    assert pnl(march.trades) == [ABC_OPEN]
    assert march.trades["exit_on"].tolist() == [pd.Timestamp(VALUED)]
    edge = door.trades(pid, start=date(2020, 1, 31), end=date(2020, 2, 3))  # both included
    assert pnl(edge) == [XYZ_JAN, ABC_FEB]
    assert door.trade_journal(pid, end=date(2020, 1, 30)).trades.empty


def test_a_bad_filter_is_refused_by_name(built: Erasmo, pid: UUID) -> None:
    with pytest.raises(TradeFilterError, match="'lucky' is not one of winners, losers"):
        built.door.trade_journal(pid, outcome="lucky")
    with pytest.raises(TradeFilterError, match="ends"):
        built.door.trades(pid, start=date(2020, 2, 1), end=date(2020, 1, 1))


def test_one_read_matches_the_round_trips_once(
    built: Erasmo, pid: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    matched = erasmo.journal.round_trips

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return matched(*args, **kwargs)

    monkeypatch.setattr(erasmo.journal, "round_trips", counted)
    built.door.trade_journal(pid, ticker="XYZ", outcome="winners")
    assert len(calls) == 1
    built.door.trade_stats(pid, tag="dip")
    assert len(calls) == 2
    built.door.trade_stats_by(pid, "month")
    assert len(calls) == 3
