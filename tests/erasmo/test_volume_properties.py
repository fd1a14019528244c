"""Properties of volume-capped fills over random order streams on the real bundled bars
(hypothesis), in a real SQLite store.

IBM and GOOG come with open, high, low, close and volume (bokeh). Whatever the stream of
orders, advances and cancellations under a random cap:

- every fill (a part or the rest) is followed by its trade, the same shares at the same price
  and fee, and there is no other trade;
- what an order fills never exceeds its quantity, and an order that filled completely
  (`OrderFilled`) filled exactly its quantity; an open order has filled less;
- no fill takes more than the cap of its bar's volume, the volume read here from the bundled
  file with the csv module, and an order fills at most once on a bar;
- the cash and the positions are what the fills (and the dividends on the shares they left)
  make them, recomputed here from the fills;
- the audit replays the log to the same state.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
from collections import defaultdict
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from erasmo.bootstrap import bootstrap
from erasmo.door import FrontDoor
from erasmo.market.bundled import BundledMarketData
from erasmo.market.resources import prices_dir
from events.errors import ErasmoError

D = Decimal
CENT = D("0.01")
MARKET = BundledMarketData()
TICKERS = ("IBM", "GOOG")
CASH = D(1_000_000)


def _volumes() -> dict[tuple[str, date], int]:
    """Each bokeh bar's volume, read with the csv module."""
    with gzip.open(prices_dir() / "bokeh_stocks.csv.gz", "rt", newline="") as file:
        return {
            (r["Ticker"], date.fromisoformat(r["Date"])): int(r["Volume"])
            for r in csv.DictReader(file)
            if r["Ticker"] in TICKERS
        }


VOLUMES = _volumes()

orders = st.tuples(
    st.just("order"),
    st.sampled_from(("buy", "buy", "sell")),
    st.sampled_from(TICKERS),
    st.integers(1, 600),
    st.sampled_from(("market", "limit")),
    st.integers(-300, 300),  # a limit's offset from the last close, in basis points
    st.sampled_from(("day", "gtc")),
)
steps = st.lists(
    st.one_of(
        orders,
        orders,
        st.tuples(st.just("advance"), st.integers(1, 4)),
        st.tuples(st.just("cancel"), st.integers(0, 5)),
    ),
    min_size=2,
    max_size=18,
)
caps = st.sampled_from(("0.0005", "0.001", "0.002", "0.005"))
starts = st.sampled_from([date(2005, 1, 3), date(2008, 9, 2), date(2011, 8, 1)])


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stream=steps, cap=caps, start=starts)
def test_capped_fills_reconcile_with_cash_positions_and_volume(
    tmp_path_factory: pytest.TempPathFactory,
    stream: list[tuple[Any, ...]],
    cap: str,
    start: date,
) -> None:
    built = bootstrap(tmp_path_factory.mktemp("v"), market=MARKET, today=lambda: date(2014, 1, 2))
    try:
        door = built.door
        pid = door.open_portfolio("V", str(CASH), start, mode="simulation", max_volume_pct=cap).id
        for step in [*stream, ("advance", 3)]:
            with contextlib.suppress(ErasmoError):  # refused: nothing recorded
                if step[0] == "order":
                    _, side, ticker, quantity, kind, offset, tif = step
                    close = MARKET.bars(ticker, end=door.clock(pid))[-1].close
                    limit = cents(close * (1 + D(offset) / 10_000)) if kind == "limit" else None
                    door.place_order(pid, side, ticker, str(quantity), kind, limit, tif=tif)
                elif step[0] == "advance":
                    door.advance(pid, days=step[1])
                else:
                    still = door.orders(pid)
                    if still:
                        door.cancel_order(pid, still[step[1] % len(still)].order_id)
        check_log(door, pid, D(cap))
        assert door.app.audit(pid) == []
    finally:
        built.close()


def check_log(door: FrontDoor, pid: UUID, cap: Decimal) -> None:
    log = door.history(pid)
    placed: dict[str, dict[str, Any]] = {}
    filled: dict[str, Decimal] = defaultdict(Decimal)
    complete: set[str] = set()
    bars_taken: set[tuple[str, date]] = set()
    cash, held = D(0), defaultdict[str, Decimal](Decimal)
    fills = trades = 0
    for i, e in enumerate(log):
        f = e.fields
        if e.type == "OrderPlaced":
            placed[f["order_id"]] = f
        elif e.type in ("OrderPartiallyFilled", "OrderFilled"):
            fills += 1
            order = placed[f["order_id"]]
            assert f["order_id"] not in complete
            quantity, price, fee = f["quantity"], f["price"], f["fee"]
            assert quantity > 0
            # the cap of the bar's volume, whole shares rounded down
            volume = VOLUMES[(order["ticker"], f["bar_day"])]
            assert quantity <= (D(volume) * cap / 100).to_integral_value(ROUND_FLOOR)
            assert (f["order_id"], f["bar_day"]) not in bars_taken
            bars_taken.add((f["order_id"], f["bar_day"]))
            filled[f["order_id"]] += quantity
            assert filled[f["order_id"]] <= order["quantity"]
            if e.type == "OrderFilled":
                assert filled[f["order_id"]] == order["quantity"]
                complete.add(f["order_id"])
            # its trade follows: the same shares, price and fee
            trade = log[i + 1]
            kind = "SharesBought" if order["side"] == "buy" else "SharesSold"
            assert trade.type == kind
            t = trade.fields
            assert (t["ticker"], t["quantity"], t["price"], t["fee"]) == (
                order["ticker"],
                quantity,
                price,
                fee,
            )
            value = cents(quantity * price)
            if order["side"] == "buy":
                cash -= value + fee
                held[order["ticker"]] += quantity
            else:
                cash += value - fee
                held[order["ticker"]] -= quantity
        elif e.type in ("SharesBought", "SharesSold"):
            trades += 1
        elif e.type == "CashDeposited":  # the opening cash
            assert f["amount"] == CASH
            cash += f["amount"]
        elif e.type == "DividendReceived":
            assert f["quantity"] == held[f["ticker"]]
            cash += cents(held[f["ticker"]] * f["amount_per_share"])
        else:
            assert e.type not in ("SplitApplied", "CashWithdrawn"), e.type
    assert trades == fills  # no trade but a fill's
    parts = sum(e.type == "OrderPartiallyFilled" for e in log)
    event(f"{'some' if parts else 'no'} partial fills, {'some' if fills else 'no'} fills")
    head = door.head(pid)
    assert head.cash == cash
    for ticker in TICKERS:
        assert head.quantity(ticker) == held[ticker] >= 0
    for still in door.orders(pid):
        assert filled[still.order_id] < still.quantity
        assert still.filled == filled[still.order_id]
