"""Properties of orders over random order streams on the real bundled bars (hypothesis).

IBM and GOOG come with open, high, low and close (bokeh); KO and AAPL with closes only
(skfolio). Whatever the stream: no fill lies outside its bar's range (or off the close where
there is only a close), cash and positions never go negative, a refused command records
nothing, and reading the log back (the aggregate from a reopened store, and the projections)
gives the same state.
"""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from erasmo.analytics import Analytics
from erasmo.checks import check_store
from erasmo.market.bundled import BundledMarketData
from erasmo.services import TradingService
from erasmo.simulation.service import SimulationService
from events.application import Portfolios
from events.errors import ErasmoError
from events.store import StoreConfig

MARKET = BundledMarketData()
TICKERS = ("IBM", "GOOG", "KO", "AAPL")
CENT = Decimal("0.01")

order_steps = st.tuples(
    st.just("order"),
    st.sampled_from(("buy", "sell")),
    st.sampled_from(TICKERS),
    st.integers(1, 60),
    st.sampled_from(("market", "limit", "stop", "stop-limit", "trailing")),
    st.integers(-1500, 1500),  # limit/stop offset from the last close, in basis points
    st.integers(-300, 300),  # stop-limit's limit offset from its stop, in basis points
    st.sampled_from(("day", "gtc", "gtc-dated")),
    st.integers(1, 20),  # trail: percent, or an amount in dollars when > 12
)
advances = st.tuples(st.just("advance"), st.integers(1, 25))
steps = st.lists(
    st.one_of(
        order_steps,
        order_steps,
        order_steps,
        advances,
        advances,
        st.tuples(st.just("cancel"), st.integers(0, 10)),
        st.tuples(st.just("trade"), st.sampled_from(("buy", "sell")), st.sampled_from(TICKERS)),
        st.tuples(st.just("withdraw"), st.integers(1, 20_000)),
    ),
    min_size=3,
    max_size=30,
)
starts = st.sampled_from(
    [date(2005, 1, 3), date(2008, 9, 2), date(2009, 3, 2), date(2011, 8, 1), date(2012, 12, 3)]
)


def _price(close: Decimal, offset_bps: int) -> Decimal:
    return max(CENT, (close * (1 + Decimal(offset_bps) / 10_000)).quantize(CENT))


def _run(sim: SimulationService, trading: TradingService, app: Portfolios, step: tuple) -> None:  # type: ignore[type-arg]
    kind = step[0]
    if kind == "order":
        _, side, ticker, quantity, order_kind, offset, spread, tif, trail = step
        close = MARKET.bars(ticker, end=sim.clock(sim.trading.resolve("Sim")))[-1].close
        price = _price(close, offset)
        args: dict[str, object] = {}
        if order_kind in ("limit", "stop-limit"):
            args["limit"] = price if order_kind == "limit" else _price(price, spread)
        if order_kind in ("stop", "stop-limit"):
            args["stop"] = price
        if order_kind == "trailing":
            args["trail"] = f"{trail}%" if trail <= 12 else str(trail - 12)
        expires = None
        if tif == "gtc-dated":
            expires = date.fromordinal(sim.clock(sim.trading.resolve("Sim")).toordinal() + 10)
        sim.place_order(
            sim.trading.resolve("Sim"),
            side,
            ticker,
            str(quantity),
            order_kind,
            tif="day" if tif == "day" else "gtc",
            expires=expires,
            **args,  # type: ignore[arg-type]
        )
    elif kind == "advance":
        sim.advance(sim.trading.resolve("Sim"), days=step[1])
    elif kind == "cancel":
        open_orders = sim.orders(sim.trading.resolve("Sim"))
        if open_orders:
            sim.cancel_order(
                sim.trading.resolve("Sim"), open_orders[step[1] % len(open_orders)].order_id
            )
    elif kind == "trade":
        trade = trading.buy if step[1] == "buy" else trading.sell
        trade("Sim", step[2], "5")
    else:
        trading.withdraw(trading.resolve("Sim"), str(step[1]))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(start=starts, stream=steps, bps=st.sampled_from(("0", "5", "50")))
def test_random_order_streams_on_real_bars(start: date, stream: list, bps: str) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.sqlite"
        app = Portfolios(StoreConfig.sqlite(path))
        trading = TradingService(app, MARKET, today=lambda: date(2026, 11, 26))
        sim = SimulationService(app, MARKET, trading)
        sim.open_portfolio("Sim", "100000", start, "simulation", "0.005/share,min=1", bps)
        pid = trading.resolve("Sim")
        for ticker in TICKERS:  # something to sell from the start
            trading.buy(trading.resolve("Sim"), ticker, "40")
        for step in [*stream, ("advance", 20)]:
            version = app.portfolio(pid).version
            try:
                _run(sim, trading, app, step)
            except ErasmoError:
                assert app.portfolio(pid).version == version  # refused: nothing recorded
            p = app.portfolio(pid)
            assert p.cash >= 0
            assert p.available_cash >= 0
            assert all(q > 0 for q in p.shares.values())
            assert all(p.available_shares(t) >= 0 for t in p.shares)
        history = app.history(pid)
        for logged in history:
            if logged.type != "OrderFilled":
                continue
            order = next(
                e
                for e in history
                if e.type == "OrderPlaced" and e.fields["order_id"] == logged.fields["order_id"]
            )
            bar = MARKET.bar(order.fields["ticker"], logged.fields["bar_day"])
            assert bar is not None
            price = logged.fields["price"]
            if bar.low is not None and bar.high is not None:
                assert bar.low <= price <= bar.high
            else:
                assert price == bar.close
            if order.fields["limit"] is not None and order.fields["kind"] == "limit":
                if order.fields["side"] == "buy":
                    assert price <= order.fields["limit"]
                else:
                    assert price >= order.fields["limit"]
        kinds = [e.type for e in history]
        for name in ("OrderFilled", "OrderExpired", "OrderCancelled", "OrderRejected"):
            count = kinds.count(name)
            event(f"{name}: {count if count < 3 else '3 or more'}")
        state = app.portfolio(pid)
        assert app.audit(pid) == []
        assert check_store(app, MARKET)[1] == []
        app.close()
        # Reading the log back: a fresh application on the same file, and the projections.
        again = Portfolios(StoreConfig.sqlite(path))
        replayed = again.portfolio(pid)
        assert (replayed.cash, replayed.shares, replayed.clock) == (
            state.cash,
            state.shares,
            state.clock,
        )
        assert replayed.open_orders == state.open_orders
        shot = Analytics(again, MARKET).snapshot(pid)
        assert round(shot.summary.cash, 2) == float(state.cash)
        held = {str(t): q for t, q in shot.positions["quantity"].items()}
        assert held == {t: float(q) for t, q in state.shares.items()}
        again.close()
