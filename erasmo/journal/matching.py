"""FIFO matching of one ticker's trades into round-trip pieces, long and short.

The lots are those of the holdings (`erasmo.projections.lots`): the n-th share sold is the n-th
share bought, quantities are counted in millionths of a share and money in cents, and a split
scales the open stretch of lots exactly as `split_fifo` does. Each sell is cut at every lot end:
each piece is one lot's shares closed by one sell, and that piece is one round-trip trade (the
convention of backtesting.py, whose partial closes split a trade the same way). The shares of a
lot still open at the end are one more piece, closed at the valuation close.

A margin account's shorts mirror the longs on a second axis: a sell beyond the long shares held
opens (or extends) a short, whose lots are the short sales, and a buy covers them first in,
first out. A trade that crosses from long to short (a sell of more than held) or back (a buy of
more than the short) is cut in two, its value and fee shared by quantity: the part that closes
and the part that opens the other side.

Money of a piece, in cents (the lot's trade and the closing trade are shared pro rata by
quantity): entry value and entry fee = the opening trade's value and fee * piece / lot; exit
value and exit fee = the closing trade's value and fee * piece / closing part. A cash dividend
is shared over the open lots pro rata by the shares they hold on its ex-date, and a lot's share
goes to its pieces by quantity (a short's dividend is charged: negative).
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

LONG = "long"
SHORT = "short"


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
    """One opening trade's shares: the interval [start, end) of its side's axis (see `_Side`)."""

    seq: int
    on: pd.Timestamp
    price: float  # per share of today's basis (divided by every split since the trade)
    start: int
    end: int
    value: float  # cents
    fee: float  # cents
    position: int  # how many times the holding had been opened from flat, this trade's included
    dividends_per_unit: float = 0.0  # cents per millionth of a share still held


class Piece(NamedTuple):
    """One lot's shares closed by one trade (or still open: exit_seq None).

    Attributes:
        ticker: upper-case symbol.
        entry_seq, entry_on, entry_price: the opening trade (price in the basis of the exit's
            day): a buy for a long, a short sale for a short.
        exit_seq, exit_on, exit_price: the closing trade, or None, the valuation day and close.
        units: millionths of a share, in the basis of the exit's day.
        entry_value, entry_fee, exit_value, exit_fee, dividends: cents, shared pro rata.
        position: the number of the position (flat to flat) of the ticker the lot opened in.
        direction: "long" or "short".
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
    direction: str = LONG


@dataclass(slots=True)
class _Side:
    """The open lots of one side (long or short) of a ticker on its axis of shares opened."""

    direction: str
    lots: list[_Lot] = field(default_factory=list)
    opened: int = 0
    closed: int = 0

    def held(self) -> int:
        return self.opened - self.closed

    def open(
        self, event: TickerEvent, units: int, money: tuple[float, float], position: int
    ) -> None:
        value, fee = money
        start = self.opened
        self.opened += units
        on, price = pd.Timestamp(event.on), float(event.price)
        self.lots.append(_Lot(int(event.seq), on, price, start, self.opened, value, fee, position))

    def close(
        self, ticker: str, event: TickerEvent, units: int, money: tuple[float, float]
    ) -> list[Piece]:
        value, fee = money
        pieces = []
        closed_end = self.closed + units
        for lot in self.lots:
            taken = min(lot.end, closed_end) - max(lot.start, self.closed)
            if taken <= 0:
                continue
            share = taken / units
            pieces.append(self._piece(lot, ticker, taken, event, (value * share, fee * share)))
        self.closed = closed_end
        self.lots = [lot for lot in self.lots if lot.end > self.closed]
        return pieces

    def split(self, p: int, q: int, raw: float) -> None:
        for lot in self.lots:
            before = lot.end - max(lot.start, self.closed)
            lot.start = (lot.start - self.closed) * p // q
            lot.end = (lot.end - self.closed) * p // q
            lot.price /= raw
            # The lot keeps the dividends it received, over its shares rounded after the split.
            after = lot.end - max(lot.start, 0)
            lot.dividends_per_unit = lot.dividends_per_unit * before / after if after else 0.0
        self.opened = self.lots[-1].end if self.lots else 0
        self.closed = 0

    def dividend(self, amount: float) -> None:
        held = self.held()
        for lot in self.lots:
            lot.dividends_per_unit += amount / held

    def open_pieces(self, ticker: str, on: pd.Timestamp, close: float) -> list[Piece]:
        pieces = []
        for lot in self.lots:
            units = lot.end - max(lot.start, self.closed)
            value = units / UNITS_PER_SHARE * close * CENTS_PER_UNIT_OF_MONEY
            pieces.append(
                Piece(
                    ticker,
                    *(lot.seq, lot.on, lot.price, None, on, close, units),
                    *_entry_share(lot, units),
                    exit_value=value,
                    exit_fee=0.0,
                    dividends=lot.dividends_per_unit * units,
                    position=lot.position,
                    direction=self.direction,
                )
            )
        return pieces

    def _piece(
        self, lot: _Lot, ticker: str, units: int, event: TickerEvent, money: tuple[float, float]
    ) -> Piece:
        return Piece(
            ticker,
            *(lot.seq, lot.on, lot.price, int(event.seq), pd.Timestamp(event.on)),
            float(event.price),
            units,
            *_entry_share(lot, units),
            exit_value=money[0],
            exit_fee=money[1],
            dividends=lot.dividends_per_unit * units,
            position=lot.position,
            direction=self.direction,
        )


@dataclass(slots=True)
class TickerBook:
    """The open lots of one ticker (long, or short in a margin account) and the pieces closed."""

    ticker: str
    long: _Side = field(default_factory=lambda: _Side(LONG))
    short: _Side = field(default_factory=lambda: _Side(SHORT))
    positions: int = 0
    pieces: list[Piece] = field(default_factory=list)

    def apply(self, event: TickerEvent) -> None:
        """Fold one buy, sell, split or dividend of this ticker into the book."""
        kind = event.type
        if kind == BOUGHT:
            self._trade(event, closing=self.short, opening=self.long)
        elif kind == SOLD:
            self._trade(event, closing=self.long, opening=self.short)
        elif kind == SPLIT:
            self._split(event)
        elif kind == DIVIDEND:
            self._dividend(event)

    def held(self) -> int:
        """Millionths of a share held: negative for a short position."""
        return self.long.held() - self.short.held()

    def open_side(self) -> _Side | None:
        """The side with shares still open, if any."""
        if self.long.held() > 0:
            return self.long
        return self.short if self.short.held() > 0 else None

    def last_price(self) -> float:
        """The entry price of the latest open lot (what an open trade without a close is
        valued at), else 0."""
        side = self.open_side()
        return side.lots[-1].price if side is not None and side.lots else 0.0

    def _trade(self, event: TickerEvent, closing: _Side, opening: _Side) -> None:
        units = _units(event.quantity, self.ticker)
        value, fee = _cents(event.value), _cents(event.fee)
        closes = min(units, closing.held())
        if closes > 0:
            share = closes / units
            money = (value * share, fee * share)
            self.pieces.extend(closing.close(self.ticker, event, closes, money))
        rest = units - closes
        if rest > 0:
            if opening.held() == 0:
                self.positions += 1
            share = rest / units
            opening.open(event, rest, (value * share, fee * share), self.positions)

    def _split(self, event: TickerEvent) -> None:
        raw = float(event.ratio)
        if not raw > 0:
            raise EventFrameError(f"A split of {self.ticker} has no valid ratio.")
        ratio = Fraction(Decimal(repr(raw)))
        for side in (self.long, self.short):
            side.split(ratio.numerator, ratio.denominator, raw)

    def _dividend(self, event: TickerEvent) -> None:
        amount = float(event.amount) * CENTS_PER_UNIT_OF_MONEY
        # A dividend paid to a long, or charged (negative) to a short; one on no shares held by
        # this log has no trade to go to.
        if amount > 0 and self.long.held() > 0:
            self.long.dividend(amount)
        elif amount < 0 and self.short.held() > 0:
            self.short.dividend(amount)

    def open_pieces(self, on: pd.Timestamp, close: float) -> list[Piece]:
        """The shares still open, one piece per lot, closed at `close` on `on` (no fee)."""
        side = self.open_side()
        return [] if side is None else side.open_pieces(self.ticker, on, close)


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
