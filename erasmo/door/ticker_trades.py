"""The front door's cheap reads of one portfolio's trades, from the analytics' event frame.

A chart of one ticker needs that ticker's buys and sells, not the portfolio's whole log: these
reads filter the columns the analytics already hold (`Analytics.portfolio_events`) instead of
decoding every stored event. A trade recorded by an order's fill is the one right after its
OrderFilled (or OrderPartiallyFilled): the aggregate records the two together and neither can be
voided (`events.rules.voids`), so the frame needs no column of its own for it. As in every
frame, a voided trade is not there (the History keeps it, struck through).

The analytics keep caches that are not thread-safe: call these where the analytics' other reads
run (the window runs them on its analytics thread).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final
from uuid import UUID

if TYPE_CHECKING:
    from erasmo.analytics import Analytics

BUY: Final = "buy"
SELL: Final = "sell"
#: The events an order's fill is recorded with, right before its trade.
FILLS: Final = ("OrderFilled", "OrderPartiallyFilled")
_TRADES: Final = {"SharesBought": BUY, "SharesSold": SELL}


@dataclass(frozen=True, slots=True)
class TickerTrade:
    """One buy or sell of a ticker, as recorded.

    Attributes:
        seq, version: its position in the store's log and in the portfolio's history.
        on: its market date.
        side: "buy" or "sell".
        quantity, price, fee: as recorded (the price per share it was recorded at).
        by_order: True when an order's fill recorded it, False for a trade placed by hand.
    """

    seq: int
    version: int
    on: date
    side: str
    quantity: Decimal
    price: Decimal
    fee: Decimal
    by_order: bool


class TickerTradeReading:
    """`ticker_trades` and `recorded_types` (`FrontDoor` inherits these; it sets
    `_analytics`)."""

    _analytics: Callable[[], Analytics]

    def ticker_trades(
        self, portfolio_id: UUID, ticker: str, until: date | None = None
    ) -> list[TickerTrade]:
        """The portfolio's trades of `ticker` (any case) dated on or before `until` (None: all),
        oldest first, voided ones left out."""
        import numpy as np

        events = self._frame(portfolio_id)
        kinds = events["type"].cat  # categorical: compare its small integer codes
        codes = kinds.codes.to_numpy()
        names = list(kinds.categories)
        tickers = events["ticker"].to_numpy(dtype=object)
        days = events["on"].to_numpy(dtype="datetime64[D]")
        trades = np.isin(codes, [names.index(t) for t in _TRADES if t in names])
        rows = np.flatnonzero(trades & (tickers == ticker.strip().upper()))
        if until is not None:
            rows = rows[days[rows] <= np.datetime64(until, "D")]
        if not len(rows):
            return []
        versions = events["version"].to_numpy(dtype=np.int64)
        before = np.maximum(rows - 1, 0)
        fills = [names.index(t) for t in FILLS if t in names]
        by_order = (rows > 0) & np.isin(codes[before], fills)
        by_order &= versions[before] == versions[rows] - 1
        columns = {name: events[name].to_numpy()[rows] for name in ("quantity", "price", "fee")}
        seqs = events["seq"].to_numpy(dtype=np.int64)[rows]
        return [
            TickerTrade(
                seq=int(seqs[i]),
                version=int(versions[row]),
                on=days[row].item(),
                side=_TRADES[names[codes[row]]],
                quantity=_exact(columns["quantity"][i]),
                price=_exact(columns["price"][i]),
                fee=_exact(columns["fee"][i]),
                by_order=bool(by_order[i]),
            )
            for i, row in enumerate(rows.tolist())
        ]

    def recorded_types(self, portfolio_id: UUID) -> frozenset[str]:
        """The types of the portfolio's events (voided ones and voids left out)."""
        column = self._frame(portfolio_id)["type"]
        return frozenset(str(t) for t in column.unique())

    def _frame(self, portfolio_id: UUID) -> Any:
        analytics = self._analytics()
        analytics.refresh()  # fold in what was recorded since (cheap when nothing was)
        return analytics.portfolio_events(portfolio_id)


def _exact(value: float) -> Decimal:
    """The decimal the frame's float64 was read from: the write side keeps at most six decimal
    places and far fewer than 15 significant digits, which the shortest repr gives back."""
    exact = Decimal(repr(float(value)))
    return exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact
