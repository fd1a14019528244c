"""Fill rules: when and at what price an order fills against daily bars (docs/fill-rules.md).

Pure functions, no I/O. `fill_on_bar` is the rule for one bar, in exact decimals; it is the
definition. `first_fill` finds an order's first filling bar in a ticker's history: numpy picks
the candidate bars over float arrays (a float comparison never misses a bar the exact rule
fills on), and the exact rule confirms each candidate, so the result is the exact rule's.

A bar with only a close is a bar whose open, high and low are that close: every trigger uses the
close and every fill is at the close.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

from erasmo.market.base import Bar
from events.commission import Commission

Floats = npt.NDArray[np.float64]
ZERO = Decimal(0)
HUNDRED = Decimal(100)
BPS = Decimal(10_000)
#: Fill prices are rounded to 4 decimal places (then kept inside the bar's range).
PRICE_STEP = Decimal("0.0001")
#: Float slack for computed trailing levels: candidates are confirmed with exact decimals.
_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class OrderTerms:
    """What the fill rules need to know about an order.

    Attributes:
        side: "buy" or "sell".
        kind: "market", "limit", "stop", "stop-limit" or "trailing".
        limit, stop: its limit and stop prices where its kind has them.
        trail_amount, trail_percent: a trailing stop's distance (one of them).
        reference: a trailing stop's starting best price (the close it was placed at).
    """

    side: str
    kind: str
    limit: Decimal | None = None
    stop: Decimal | None = None
    trail_amount: Decimal | None = None
    trail_percent: Decimal | None = None
    reference: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OHLC:
    """A bar's prices for the rules: open, high, low and close (all the close if close-only)."""

    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal

    @classmethod
    def of(cls, bar: Bar) -> OHLC:
        """The bar's prices; a missing open, high or low is its close."""
        close = bar.close
        high = bar.high if bar.high is not None else close
        low = bar.low if bar.low is not None else close
        open_ = bar.open if bar.open is not None else close
        # A bar whose open or close lies outside its own high-low range (bad data) is read
        # with the range widened to hold them, so the rules stay well defined.
        return cls(open_, max(high, open_, close), min(low, open_, close), close)


@dataclass(frozen=True, slots=True)
class FillPrice:
    """An order's fill on one bar.

    Attributes:
        index: the bar's position in the bars searched.
        base: the price the fill rule gives.
        price: the price paid or received: base with slippage, capped at a limit, clamped to
            the bar's range, to 4 decimal places.
        slippage: price minus base against the trader, per share (>= 0).
    """

    index: int
    base: Decimal
    price: Decimal
    slippage: Decimal


# -- the rule for one bar ------------------------------------------------------------------


def trailing_level(terms: OrderTerms, best: Decimal) -> Decimal:
    """A trailing stop's trigger level given the best price since it was placed."""
    sign = 1 if terms.side == "buy" else -1
    if terms.trail_amount is not None:
        return best + sign * terms.trail_amount
    assert terms.trail_percent is not None
    return best * (1 + sign * terms.trail_percent / HUNDRED)


def _limit_price(side: str, limit: Decimal, bar: OHLC) -> Decimal | None:
    if side == "buy":
        return min(limit, bar.open) if bar.low <= limit else None
    return max(limit, bar.open) if bar.high >= limit else None


def _stop_price(side: str, stop: Decimal, bar: OHLC) -> Decimal | None:
    if side == "buy":
        return max(stop, bar.open) if bar.high >= stop else None
    return min(stop, bar.open) if bar.low <= stop else None


def fill_on_bar(
    terms: OrderTerms, bar: OHLC, *, activated: bool = False, best: Decimal | None = None
) -> Decimal | None:
    """The rule's fill price of an order on `bar`, or None if it does not fill there.

    `activated`: a stop-limit order whose stop triggered on an earlier bar (now a limit order).
    `best`: a trailing stop's best price over the bars before this one (and its reference).
    """
    if terms.kind == "market":
        return bar.open
    if terms.kind == "limit":
        assert terms.limit is not None
        return _limit_price(terms.side, terms.limit, bar)
    if terms.kind == "stop":
        assert terms.stop is not None
        return _stop_price(terms.side, terms.stop, bar)
    if terms.kind == "stop-limit":
        assert terms.stop is not None
        assert terms.limit is not None
        if activated:
            return _limit_price(terms.side, terms.limit, bar)
        trigger = _stop_price(terms.side, terms.stop, bar)
        if trigger is None:
            return None
        # Triggered on this bar: it fills at the trigger price if that is within the limit.
        within = trigger <= terms.limit if terms.side == "buy" else trigger >= terms.limit
        if within:
            return trigger
        # Triggered by a gap at the open beyond the limit: the whole bar comes after the
        # trigger, so a low (buy) or high (sell) reaching the limit proves it was crossed that
        # day: it fills at the limit. Otherwise (the stop crossed during the day, or the range
        # never came back to the limit) it rests as a limit order from the next bar on.
        if trigger == bar.open and _limit_price(terms.side, terms.limit, bar) is not None:
            return terms.limit
        return None
    assert terms.kind == "trailing"
    assert best is not None
    return _stop_price(terms.side, trailing_level(terms, best), bar)


def stop_triggers(terms: OrderTerms, bar: OHLC) -> bool:
    """Whether a stop-limit order's stop triggers on `bar`."""
    assert terms.stop is not None
    return _stop_price(terms.side, terms.stop, bar) is not None


def with_slippage(
    terms: OrderTerms, base: Decimal, bar: OHLC, slippage_bps: Decimal
) -> tuple[Decimal, Decimal]:
    """(price, slippage per share): `base` moved `slippage_bps` against the trader, rounded to
    4 places, never past a limit price, and clamped into the bar's low-high range."""
    buy = terms.side == "buy"
    factor = 1 + slippage_bps / BPS if buy else 1 - slippage_bps / BPS
    price = (base * factor).quantize(PRICE_STEP, rounding=ROUND_HALF_UP)
    if terms.limit is not None:
        price = min(price, max(terms.limit, base)) if buy else max(price, min(terms.limit, base))
    price = _plain(min(max(price, bar.low), bar.high))
    return price, _plain(price - base if buy else base - price)


def _plain(value: Decimal) -> Decimal:
    """`value` without trailing zeros, never in exponent form (100.0000 -> 100)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def order_fee(commission: Commission, quantity: Decimal, price: Decimal) -> Decimal:
    """The commission of a fill of `quantity` shares at `price`."""
    return commission.fee(quantity, price)


# -- the first filling bar -----------------------------------------------------------------


class BarArrays:
    """A ticker's bars as float columns for finding candidates, and exact rows on demand.

    The float columns follow `OHLC.of`: a missing open, high or low is the close, and the
    range is widened to hold the open and the close.
    """

    __slots__ = ("_rows", "bars", "high", "low", "open")

    def __init__(self, bars: Sequence[Bar]) -> None:
        self.bars = bars
        self._rows: dict[int, OHLC] = {}
        close = np.array([float(b.close) for b in bars], dtype=np.float64)

        def column(values: list[Decimal | None]) -> Floats:
            array = np.array([np.nan if v is None else float(v) for v in values], np.float64)
            return np.where(np.isnan(array), close, array)

        self.open = column([b.open for b in bars])
        self.high = np.maximum.reduce([column([b.high for b in bars]), self.open, close])
        self.low = np.minimum.reduce([column([b.low for b in bars]), self.open, close])

    @classmethod
    def of(cls, bars: Sequence[Bar]) -> BarArrays:
        return cls(bars)

    def __len__(self) -> int:
        return len(self.bars)

    def row(self, i: int) -> OHLC:
        """The exact prices of bar `i`."""
        found = self._rows.get(i)
        if found is None:
            found = self._rows[i] = OHLC.of(self.bars[i])
        return found


def _candidates(terms: OrderTerms, a: BarArrays, lo: int, hi: int) -> npt.NDArray[np.int64]:
    """Bars in [lo, hi) the exact rule may fill on (a superset), for non-trailing kinds."""
    high, low = a.high[lo:hi], a.low[lo:hi]
    buy = terms.side == "buy"
    if terms.kind == "market":
        mask = np.ones(hi - lo, dtype=bool)
    elif terms.kind == "limit":
        limit = float(terms.limit)  # type: ignore[arg-type]
        mask = low <= limit if buy else high >= limit
    else:  # stop
        stop = float(terms.stop)  # type: ignore[arg-type]
        mask = high >= stop if buy else low <= stop
    return np.flatnonzero(mask) + lo


def first_fill(
    terms: OrderTerms, a: BarArrays, lo: int, hi: int, slippage_bps: Decimal
) -> FillPrice | None:
    """The first bar in [lo, hi) the order fills on, with its price; None if none."""
    if hi <= lo:
        return None
    if terms.kind == "stop-limit":
        return _first_stop_limit(terms, a, lo, hi, slippage_bps)
    if terms.kind == "trailing":
        return _first_trailing(terms, a, lo, hi, slippage_bps)
    for i in _candidates(terms, a, lo, hi):
        base = fill_on_bar(terms, a.row(i))
        if base is not None:
            return _priced(terms, a, int(i), base, slippage_bps)
    return None


def _priced(terms: OrderTerms, a: BarArrays, i: int, base: Decimal, bps: Decimal) -> FillPrice:
    price, slippage = with_slippage(terms, base, a.row(i), bps)
    return FillPrice(i, base, price, slippage)


def _first_stop_limit(
    terms: OrderTerms, a: BarArrays, lo: int, hi: int, bps: Decimal
) -> FillPrice | None:
    stop_terms = OrderTerms(terms.side, "stop", stop=terms.stop)
    for i in _candidates(stop_terms, a, lo, hi):
        if not stop_triggers(terms, a.row(i)):
            continue
        base = fill_on_bar(terms, a.row(i))
        if base is not None:
            return _priced(terms, a, int(i), base, bps)
        limit_terms = OrderTerms(terms.side, "limit", limit=terms.limit)
        found = first_fill(limit_terms, a, int(i) + 1, hi, ZERO)
        if found is None:
            return None
        base = found.base
        return _priced(terms, a, found.index, base, bps)
    return None


def _first_trailing(
    terms: OrderTerms, a: BarArrays, lo: int, hi: int, bps: Decimal
) -> FillPrice | None:
    assert terms.reference is not None
    buy = terms.side == "buy"
    reference = float(terms.reference)
    # The best price over the bars before each one (the reference before the first).
    if buy:
        seen = np.minimum.accumulate(np.concatenate(([reference], a.low[lo : hi - 1])))
    else:
        seen = np.maximum.accumulate(np.concatenate(([reference], a.high[lo : hi - 1])))
    if terms.trail_amount is not None:
        amount = float(terms.trail_amount)
        level = seen + amount if buy else seen - amount
    else:
        share = float(terms.trail_percent) / 100  # type: ignore[arg-type]
        level = seen * (1 + share) if buy else seen * (1 - share)
    slack = _SLACK * np.maximum(np.abs(level), 1.0)
    mask = a.high[lo:hi] >= level - slack if buy else a.low[lo:hi] <= level + slack
    for offset in np.flatnonzero(mask):
        i = lo + int(offset)
        best = _exact_best(terms, a, lo, i)
        base = fill_on_bar(terms, a.row(i), best=best)
        if base is not None:
            return _priced(terms, a, i, base, bps)
    return None


def _exact_best(terms: OrderTerms, a: BarArrays, lo: int, i: int) -> Decimal:
    """The exact best price over bars [lo, i) and the reference."""
    assert terms.reference is not None
    if terms.side == "buy":
        return min([terms.reference, *(a.row(j).low for j in range(lo, i))])
    return max([terms.reference, *(a.row(j).high for j in range(lo, i))])
