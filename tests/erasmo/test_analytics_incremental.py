"""The incremental read side equals a full rebuild, exactly, after every event appended.

A real store (SQLite, PostgreSQL) gets random events one at a time through the application:
buys and sells, deposits and withdrawals, dividends and splits (some recorded late, dated before
the portfolio's clock, which the write side allows for corporate actions), on any weekday.
After each one, the long-lived `Analytics` folds the new event in (`refresh`: the daily book
written in place, the value series and the metrics recomputed from the first changed day) and
its holdings, value series and metrics must be identical, bit for bit, to those of a fresh
`Analytics` that rebuilds everything from the store.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from erasmo.analytics import Analytics
from erasmo.market.bundled import BundledMarketData
from erasmo.projections import ProjectionState, price_table, trade_log, value_series
from erasmo.projections.frame import EventFrameError
from erasmo.projections.live import LiveProjection
from events.application import Portfolios
from events.errors import ErasmoError
from events.values import PriceProvenance

TICKERS = ("KO", "PEP", "JNJ")
START = date(2019, 1, 2)


@dataclass(frozen=True, slots=True)
class Action:
    """A split or a dividend to record (the shape `Portfolios.record_actions` takes)."""

    ticker: str
    day: date
    kind: str
    ratio: Decimal | None = None
    amount: Decimal | None = None


def random_event(app: Portfolios, pid: Any, rng: random.Random, clock: date) -> date:
    """Record one random event (the write side may refuse it: then nothing is recorded);
    returns the portfolio's clock after it."""
    day = clock + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3]))
    late = max(START, clock - timedelta(days=rng.choice([1, 4, 20])))
    ticker = rng.choice(TICKERS)
    price = Decimal(rng.randint(3000, 9000)) / 100
    provenance = PriceProvenance("test", day, True)
    kind = rng.choice(["buy", "buy", "buy", "sell", "sell", "deposit", "withdraw", "dividend"])
    kind = "split" if rng.random() < 0.06 else kind
    try:
        if kind == "buy":
            app.buy(pid, ticker, Decimal(rng.randint(1, 30)), price, day, provenance, Decimal(1))
        elif kind == "sell":
            app.sell(pid, ticker, Decimal(rng.randint(1, 20)), price, day, provenance)
        elif kind == "deposit":
            app.deposit(pid, Decimal(rng.randint(100, 5000)), day)
        elif kind == "withdraw":
            app.withdraw(pid, Decimal(rng.randint(10, 500)), day)
        elif kind == "dividend":
            amount = Decimal(rng.randint(5, 90)) / 100
            app.record_actions(pid, [Action(ticker, late, "dividend", amount=amount)])
        else:
            ratio = Decimal(rng.choice(["2", "3", "0.5", "1.5"]))
            app.record_actions(pid, [Action(ticker, late, "split", ratio=ratio)])
    except ErasmoError:
        return clock  # refused (more sold than held, a late action before the first trade...)
    return max(clock, day) if kind not in ("dividend", "split") else clock


def assert_identical(got: Any, want: Any, what: str) -> None:
    if isinstance(want, pd.DataFrame):
        pd.testing.assert_frame_equal(got, want, check_exact=True, obj=what)
    elif isinstance(want, pd.Series):
        pd.testing.assert_series_equal(got, want, check_exact=True, obj=what)
    elif isinstance(want, float) and math.isnan(want):
        assert isinstance(got, float), what
        assert math.isnan(got), what
    elif hasattr(want, "__dataclass_fields__"):
        for field in fields(want):
            name = f"{what}.{field.name}"
            assert_identical(getattr(got, field.name), getattr(want, field.name), name)
    else:
        assert got == want, what


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_reads_equal_a_full_rebuild_after_every_event(
    app: Portfolios, seed: int
) -> None:
    rng = random.Random(seed)
    market = BundledMarketData()
    pid = app.open_portfolio("Incremental", START, Decimal(20_000))
    live = Analytics(app, market)
    live.performance(pid, benchmark="^GSPC")  # the states are kept from here on
    clock, kinds = START, set()
    for _ in range(40):
        clock = random_event(app, pid, rng, clock)
        live.refresh()
        fresh = Analytics(app, market)
        fresh._prices = live.prices()  # the same price frame (loaded once per process)
        for method in ("fifo", "average"):
            assert_identical(
                live.snapshot(pid, method=method), fresh.snapshot(pid, method=method), method
            )
        assert_identical(live.value(pid), fresh.value(pid), "value")
        want = fresh.performance(pid, benchmark="^GSPC")
        assert_identical(live.performance(pid, benchmark="^GSPC"), want, "metrics")
        kinds |= set(live.portfolio_events(pid)["type"].astype(str))
    # the random log did hold every kind of event the reads fold in
    assert {"SharesBought", "SharesSold", "CashDeposited", "DividendReceived"} <= kinds


def test_a_batch_refused_half_way_leaves_the_state_and_the_series_as_they_were() -> None:
    """The refused batch first adds a buy on a day the book has (written in place) and a split,
    then sells more than held: the state, its daily book and the live series are as before."""
    prices = price_table(
        """
                    AAPL
        2005-02-23  90
        2005-02-24  88
        2005-02-25  89
        2005-02-28  44
        """
    )
    good = """
        2005-02-23 OPEN Raw
        2005-02-23 DEPOSIT 10000
        2005-02-23 BUY 30 AAPL @ 90 fee 3
        2005-02-25 BUY 20 AAPL @ 89
    """
    bad = (
        good
        + """
        2005-02-25 BUY 5 AAPL @ 89
        2005-02-28 SPLIT AAPL 2
        2005-02-28 SELL 500 AAPL @ 44
    """
    )
    state, live = ProjectionState.from_events(trade_log(good)), LiveProjection(prices)
    before = live.series(state).total.to_numpy().copy()
    # 10000 - 2703 cash + 30 x 90, x 88; then - 1780 for 20 more, 50 x 89 on the 25th
    assert before.tolist() == [9997.0, 9937.0, 9967.0, 9967.0 - 50 * 89 + 50 * 44]
    book = state.daily
    units, cash = book.units.copy(), book.cash.copy()
    with pytest.raises(EventFrameError, match="holds"):
        state.apply(trade_log(bad))
    assert state.daily is book
    assert state.events == 4
    np.testing.assert_array_equal(book.units, units)
    np.testing.assert_array_equal(book.cash, cash)
    assert live.series(state).total.to_numpy().tolist() == before.tolist()
    assert value_series(state, prices).total.to_numpy().tolist() == before.tolist()
    state.apply(trade_log(bad.replace("SELL 500", "SELL 50")))  # then a valid one folds in
    # 25th: 55 held, cash 10000 - 2703 - 1780 - 445 = 5072; 28th: 110 held, 50 sold at 44
    assert live.series(state).total.to_numpy().tolist()[-2:] == [5072 + 55 * 89, 5072 + 110 * 44]
