"""Round trips of a portfolio recorded in a real store, read through `Analytics`, on the
bundled bokeh AAPL bars (raw prices, with the 2:1 split of 2005-02-28 among their actions)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from erasmo.analytics import Analytics
from erasmo.journal import round_trips, trade_statistics
from erasmo.market.bundled import BOKEH, BundledMarketData
from events.application import Portfolios
from events.values import PriceProvenance

BUY_DAY, SELL_DAY, LAST_DAY = date(2005, 1, 10), date(2005, 2, 1), date(2005, 4, 1)


def test_a_split_between_entry_and_exit_in_a_stored_portfolio(sqlite_app: Portfolios) -> None:
    market = BundledMarketData(source=BOKEH)

    def close(day: date) -> Decimal:
        bar = market.bar("AAPL", day)
        assert bar is not None
        return bar.close

    pid = sqlite_app.open_portfolio("Split", date(2005, 1, 3), Decimal(10_000))
    for kind, day, quantity, fee in (
        ("buy", BUY_DAY, 10, Decimal(2)),
        ("sell", SELL_DAY, 4, Decimal(1)),
    ):
        trade = sqlite_app.buy if kind == "buy" else sqlite_app.sell
        provenance = PriceProvenance(BOKEH, day, False)
        trade(pid, "AAPL", Decimal(quantity), close(day), day, provenance, fee)
    sqlite_app.record_actions(pid, market.actions("AAPL", SELL_DAY, date(2005, 3, 31)))
    provenance = PriceProvenance(BOKEH, LAST_DAY, False)
    sqlite_app.sell(pid, "AAPL", Decimal(12), close(LAST_DAY), LAST_DAY, provenance)

    analytics = Analytics(sqlite_app, market)
    trades = round_trips(analytics.portfolio_events(pid), analytics.market)

    entry, first_exit, last_exit = (float(close(d)) for d in (BUY_DAY, SELL_DAY, LAST_DAY))
    assert trades["quantity"].tolist() == [4.0, 12.0]  # the 6 shares left became 12
    assert trades["entry_price"].tolist() == pytest.approx([entry, entry / 2])
    assert trades["exit_price"].tolist() == pytest.approx([first_exit, last_exit])
    # the buy's fee of 2 on 10 shares: 0.8 to the 4 sold, 1.2 to the 6 (then 12) left
    assert trades["pnl"].tolist() == pytest.approx(
        [4 * (first_exit - entry) - 0.8 - 1, 12 * last_exit - 6 * entry - 1.2], abs=0.01
    )
    # the lowest low after the entry day, halved before the split's ex-date
    lows = [
        float(bar.low or bar.close) / (2 if bar.day < date(2005, 2, 28) else 1)
        for bar in market.bars("AAPL", date(2005, 1, 11), LAST_DAY)
    ]
    worst = min([*lows, entry / 2, last_exit])
    assert trades["mae"].iloc[1] == pytest.approx(12 * (worst - entry / 2))
    assert trade_statistics(trades).trades == 2
