"""FIFO matching of one ticker's trades into round-trip pieces.

The lots are those of the holdings (`erasmo.projections.lots`): the n-th share sold is the n-th
share bought, quantities are counted in millionths of a share and money in cents, and a split
scales the open stretch of lots exactly as `split_fifo` does. Each sell is cut at every lot end:
each piece is one lot's shares closed by one sell, and that piece is one round-trip trade (the
convention of backtesting.py, whose partial closes split a trade the same way). The shares of a
lot still open at the end are one more piece, closed at the valuation close.

Money of a piece, in cents (the lot's buy and the sell are shared pro rata by quantity):
entry value and entry fee = the buy's value and fee * piece / lot; exit value and exit fee = the
sell's value and fee * piece / sell. A cash dividend is shared over the open lots pro rata by the
shares they hold on its ex-date, and a lot's share goes to its pieces by quantity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

import pandas as pd

from erasmo.projections.frame import (
    BOUGHT,
    CENTS_PER_UNIT_OF_MONEY,
    DIVIDEND,
    SOLD,
    SPLIT,
    UNITS_PER_SHARE,
    EventFrameError,
)


class TickerEvent(NamedTuple):
    """The fields of one buy, sell, split or dividend that the matching reads (see `frame`)."""

    seq: int
    type: str
    on: pd.Timestamp
    quantity: float
    price: float
    value: float
    fee: float
    amount: float
    ratio: float

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The event-frame columns, in field order."""
        return cls._fields


@dataclass(slots=True)
class _Lot:
    """One buy's shares: the interval [start, end) of the bought axis (see `FifoBook`)."""

    seq: int
    on: pd.Timestamp
    price: float  # per share of today's basis (divided by every split since the buy)
    start: int
    end: int
    value: int  # cents
    fee: int  # cents
    position: int  # how many times the holding had been opened from flat, this buy's included
    dividends_per_unit: float = 0.0  # cents per millionth of a share still held


class Piece(NamedTuple):
    """One lot's shares closed by one sell (or still open: exit_seq None).

    Attributes:
        ticker: upper-case symbol.
        entry_seq, entry_on, entry_price: the buy (price in the basis of the exit's day).
        exit_seq, exit_on, exit_price: the sell, or None, the valuation day and its close.
        units: millionths of a share, in the basis of the exit's day.
        entry_value, entry_fee, exit_value, exit_fee, dividends: cents, shared pro rata.
        position: the number of the position (flat to flat) of the ticker the lot was bought in.
    """

    ticker: str
    entry_seq: int
    entry_on: pd.Timestamp
    entry_price: float
    exit_seq: int | None
    exit_on: pd.Timestamp
    exit_price: float
    units: int
    entry_value: float
    entry_fee: float
    exit_value: float
    exit_fee: float
    dividends: float
    position: int


@dataclass(slots=True)
class TickerBook:
    """The open lots of one ticker and the pieces closed so far."""

    ticker: str
    lots: list[_Lot] = field(default_factory=list)
    bought: int = 0
    sold: int = 0
    positions: int = 0
    pieces: list[Piece] = field(default_factory=list)

    def apply(self, event: TickerEvent) -> None:
        """Fold one buy, sell, split or dividend of this ticker into the book."""
        kind = event.type
        if kind == BOUGHT:
            self._buy(event)
        elif kind == SOLD:
            self._sell(event)
        elif kind == SPLIT:
            self._split(event)
        elif kind == DIVIDEND:
            self._dividend(event)

    def held(self) -> int:
        """Millionths of a share held."""
        return self.bought - self.sold

    def _buy(self, event: TickerEvent) -> None:
        units = _units(event.quantity, self.ticker)
        if self.held() == 0:
            self.positions += 1
        self.lots.append(
            _Lot(
                seq=int(event.seq),
                on=pd.Timestamp(event.on),
                price=float(event.price),
                start=self.bought,
                end=self.bought + units,
                value=_cents(event.value),
                fee=_cents(event.fee),
                position=self.positions,
            )
        )
        self.bought += units

    def _sell(self, event: TickerEvent) -> None:
        units = _units(event.quantity, self.ticker)
        if units > self.held():
            raise EventFrameError(
                f"The sell at seq {int(event.seq)} of {units / UNITS_PER_SHARE:g} "
                f"{self.ticker} exceeds the {self.held() / UNITS_PER_SHARE:g} shares held; "
                "give round_trips the portfolio's whole event log."
            )
        value, fee = _cents(event.value), _cents(event.fee)
        sold_end = self.sold + units
        for lot in self.lots:
            taken = min(lot.end, sold_end) - max(lot.start, self.sold)
            if taken <= 0:
                continue
            share = taken / units
            self.pieces.append(_piece(lot, self.ticker, taken, event, value * share, fee * share))
        self.sold = sold_end
        self.lots = [lot for lot in self.lots if lot.end > self.sold]

    def _split(self, event: TickerEvent) -> None:
        raw = float(event.ratio)
        if not raw > 0:
            raise EventFrameError(f"A split of {self.ticker} has no valid ratio.")
        ratio = Fraction(Decimal(repr(raw)))
        p, q = ratio.numerator, ratio.denominator
        for lot in self.lots:
            before = lot.end - max(lot.start, self.sold)
            lot.start = (lot.start - self.sold) * p // q
            lot.end = (lot.end - self.sold) * p // q
            lot.price /= raw
            # The lot keeps the dividends it received, over its shares rounded after the split.
            after = lot.end - max(lot.start, 0)
            lot.dividends_per_unit = lot.dividends_per_unit * before / after if after else 0.0
        self.bought = self.lots[-1].end if self.lots else 0
        self.sold = 0

    def _dividend(self, event: TickerEvent) -> None:
        held = self.held()
        amount = float(event.amount) * CENTS_PER_UNIT_OF_MONEY
        if held <= 0 or not amount > 0:
            return  # a dividend on no shares held by this log has no trade to go to
        for lot in self.lots:
            lot.dividends_per_unit += amount / held

    def open_pieces(self, on: pd.Timestamp, close: float) -> list[Piece]:
        """The shares still held, one piece per lot, closed at `close` on `on` (no fee)."""
        pieces = []
        for lot in self.lots:
            units = lot.end - max(lot.start, self.sold)
            value = units / UNITS_PER_SHARE * close * CENTS_PER_UNIT_OF_MONEY
            pieces.append(
                Piece(
                    self.ticker,
                    *(lot.seq, lot.on, lot.price, None, on, close, units),
                    *_entry_share(lot, units),
                    exit_value=value,
                    exit_fee=0.0,
                    dividends=lot.dividends_per_unit * units,
                    position=lot.position,
                )
            )
        return pieces


def _piece(
    lot: _Lot, ticker: str, units: int, sell: TickerEvent, value: float, fee: float
) -> Piece:
    return Piece(
        ticker,
        *(lot.seq, lot.on, lot.price, int(sell.seq), pd.Timestamp(sell.on)),
        float(sell.price),
        units,
        *_entry_share(lot, units),
        exit_value=value,
        exit_fee=fee,
        dividends=lot.dividends_per_unit * units,
        position=lot.position,
    )


def _entry_share(lot: _Lot, units: int) -> tuple[float, float]:
    share = units / (lot.end - lot.start)
    return lot.value * share, lot.fee * share


def _units(quantity: float, ticker: str) -> int:
    units = round(float(quantity) * UNITS_PER_SHARE) if quantity == quantity else 0
    if units <= 0:
        raise EventFrameError(f"A trade of {ticker} has no positive quantity ({quantity!r}).")
    return units


def _cents(money: float) -> int:
    value = float(money)
    if value != value:  # NaN
        raise EventFrameError("A trade has no value or fee (NaN); the frame is incomplete.")
    return round(value * CENTS_PER_UNIT_OF_MONEY)
