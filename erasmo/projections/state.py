"""ProjectionState: positions, lots, cash and daily deltas built from an event frame.

A state is what the log has built so far; `apply` folds newer events into it. A full rebuild
is `ProjectionState.from_events(events)`, and applying the same events in any number of
batches gives exactly the same state (integers for quantities and cash, and float sums formed
in the same order), so a window can keep one state and feed it each new event.

The state knows nothing about prices: valuations combine it with a price frame (`holdings`).

Corporate actions: a split multiplies the ticker's holding by its ratio (rounded down to a
millionth of a share, as the write side does) and divides the cost per share and the lots'
prices by it; the cost basis and the realized P&L stay. A batch is folded in segments cut at its
splits, so batching never changes the result. A dividend adds its cash, counted apart as income
(`dividends`); it is not an external flow.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from erasmo.projections.daily import DailyBook, daily_book, one_day
from erasmo.projections.frame import (
    BOUGHT,
    CENTS_PER_UNIT_OF_MONEY,
    DEPOSITED,
    DIVIDEND,
    EVENT_TYPES,
    MARGIN_CHARGED,
    SOLD,
    SPLIT,
    UNITS_PER_SHARE,
    WITHDRAWN,
    Bools,
    EventFrameError,
    Floats,
    Ints,
    ProjectionError,
    as_of,
    check_event_frame,
    exact_units,
    market_days,
    type_codes,
)
from erasmo.projections.lots import (
    AverageBook,
    FifoBook,
    average_match,
    fifo_match,
    split_average,
    split_fifo,
)
from erasmo.projections.shorts import book_short, split_short
from erasmo.projections.tables import Sells, open_lots, realized_trades

_BUY: Final = EVENT_TYPES.index(BOUGHT)
_SELL: Final = EVENT_TYPES.index(SOLD)
_DEPOSIT: Final = EVENT_TYPES.index(DEPOSITED)
_WITHDRAW: Final = EVENT_TYPES.index(WITHDRAWN)
_SPLIT: Final = EVENT_TYPES.index(SPLIT)
_DIVIDEND: Final = EVENT_TYPES.index(DIVIDEND)
_CHARGED: Final = EVENT_TYPES.index(MARGIN_CHARGED)
_ACCOUNT: Final = EVENT_TYPES.index("AccountTypeSet")  # a margin account may hold shorts

METHODS: Final = ("fifo", "average")
CHUNK: Final = 1 << 17


class ProjectionState:
    """Positions, FIFO lots, average-cost books, cash and daily deltas of an event log.

    Feed it one portfolio's events (filter the frame on `portfolio`); the events of several
    portfolios would be projected as one combined account.

    Attributes:
        tickers: every ticker traded, in order of first trade (the order of every per-ticker
            array and of the holdings table).
        last_seq: seq of the newest event applied, None before any.
        last_on: market date of the newest event applied, None before any.
        events: how many events were applied.
        daily: per-date changes (see DailyBook), for the series on a market calendar.
    """

    def __init__(self) -> None:
        self.tickers: list[str] = []
        self._codes: dict[str, int] = {}
        self._fifo: list[FifoBook] = []
        self._average: list[AverageBook] = []
        self._realized_fifo: list[float] = []
        self._realized_average: list[float] = []
        self._last_price: list[float] = []
        self._dividends: list[int] = []
        self._sells: list[Sells] = []
        self._fifo_costs: dict[int, tuple[FifoBook, float]] = {}
        self._cash = 0
        self._deposits = 0
        self._withdrawals = 0
        self._fees = 0
        self._charges = 0  # margin interest and borrow fees, in cents
        self.last_seq: int | None = None
        self.last_on: pd.Timestamp | None = None
        self.events = 0
        self.daily = DailyBook()
        self.margin = False  # an AccountTypeSet was seen: holdings may go short

    @classmethod
    def from_events(cls, events: pd.DataFrame) -> ProjectionState:
        """The state after every event of `events` (a full rebuild), folded in chunks of
        `CHUNK` events: the same state, with a fraction of the temporary arrays alive at once."""
        state = cls()
        for start in range(0, max(len(events), 1), CHUNK):
            state.apply(events.iloc[start : start + CHUNK])
        return state

    def copy(self, *, _own: bool = False) -> ProjectionState:
        """An independent copy (the books are never changed in place, so are shared; the daily
        arrays too, which then neither state writes in place)."""
        twin = ProjectionState()
        for name, value in vars(self).items():
            setattr(twin, name, value.copy() if isinstance(value, list | dict) else value)
        twin.daily = self.daily if _own else self.daily.forked()
        return twin

    # -- folding events in ----------------------------------------------------------------

    def apply(self, events: pd.DataFrame) -> int:
        """Fold in the events of `events` newer than `last_seq`; returns how many it applied.

        A batch that breaks the contract (EventFrameError) leaves the state as it was.
        """
        check_event_frame(events)
        if self.last_seq is not None:
            seqs = events["seq"].to_numpy(dtype=np.int64)
            events = events.iloc[int(np.searchsorted(seqs, self.last_seq, side="right")) :]
        if len(events) == 0:
            return 0
        work = self.copy(_own=True)  # folds into the daily arrays in place: undone on failure
        try:
            work._fold(events)
        except BaseException:
            self.daily.revert()
            raise
        vars(self).update(vars(work))
        self.daily.settle()
        return len(events)

    def _fold(self, events: pd.DataFrame) -> None:
        splits = np.flatnonzero(type_codes(events["type"]) == _SPLIT).tolist()
        start = 0
        for row in splits:
            if row > start:
                self._fold_segment(events.iloc[start:row])
            self._split(events.iloc[row : row + 1])
            start = row + 1
        if start < len(events):
            self._fold_segment(events.iloc[start:])

    def _fold_segment(self, events: pd.DataFrame) -> None:
        """Fold in a batch with no split."""
        kinds = type_codes(events["type"])
        self.margin = self.margin or bool((kinds == _ACCOUNT).any())
        days = market_days(events["on"])
        trade = (kinds == _BUY) | (kinds == _SELL)
        rows = np.flatnonzero(trade)
        codes = self._ticker_codes(events["ticker"], rows)
        units = exact_units(events["quantity"], rows, UNITS_PER_SHARE, "quantity")
        if bool((units <= 0).any()):
            raise EventFrameError(
                f"Trade seq {int(events['seq'].iloc[rows[np.argmax(units <= 0)]])} has a "
                "quantity that is not positive; every trade moves at least 0.000001 share."
            )
        value = exact_units(events["value"], rows, CENTS_PER_UNIT_OF_MONEY, "value")
        fee = exact_units(events["fee"].fillna(0.0), rows, CENTS_PER_UNIT_OF_MONEY, "fee")
        is_buy = kinds[rows] == _BUY
        trade_cents = np.where(is_buy, value + fee, value - fee)
        seq = events["seq"].to_numpy(dtype=np.int64)
        price = events["price"].to_numpy(dtype=np.float64)[rows]

        fees = np.zeros(len(events), dtype=np.int64)
        fees[rows] = fee
        del value, fee  # at 1M events each column is 8 MB: the peak is what is alive at once
        cash, deposits, withdrawals = _cash_columns(events, kinds, rows, is_buy, trade_cents)
        dividend_rows = np.flatnonzero(kinds == _DIVIDEND)
        income = cash[dividend_rows]
        self._charges = getattr(self, "_charges", 0) - int(cash[kinds == _CHARGED].sum())

        self._book_trades(is_buy, codes, units, trade_cents, seq[rows], days[rows], price)
        signed = np.where(is_buy, units, -units)
        del units, trade_cents
        if len(dividend_rows):
            for ticker, cents in zip(
                events["ticker"].to_numpy(dtype=object)[dividend_rows].tolist(),
                income.tolist(),
                strict=True,
            ):
                self._dividends[self._traded_code(ticker)] += cents
        newer = daily_book(
            days,
            rows,
            codes,
            len(self.tickers),
            units=signed,
            price=price,
            cash=cash,
            deposits=deposits,
            withdrawals=withdrawals,
            fees=fees,
        )
        self.daily = self.daily.merged(newer, len(self.tickers))
        self._cash += int(cash.sum())
        self._deposits += int(deposits.sum())
        self._withdrawals += int(withdrawals.sum())
        self._fees += int(fees.sum())
        self._advance(int(seq[-1]), int(days.max()), len(events))

    def _advance(self, seq: int, day: int, events: int) -> None:
        """Note `events` more events, up to `seq`, the latest dated `day` (days since 1970)."""
        self.last_seq = seq
        # A corporate action may be recorded after later-dated events: the date never goes back.
        latest = pd.Timestamp(np.datetime64(day, "D"))
        self.last_on = latest if self.last_on is None else max(self.last_on, latest)
        self.events += events

    def _traded_code(self, ticker: object) -> int:
        code = self._codes.get(str(ticker))
        if code is None:
            raise EventFrameError(
                f"A dividend of {ticker}, which the portfolio never traded: the event frame is "
                "incomplete or out of order. Load every event of the portfolio in seq order."
            )
        return code

    def _held_code(self, ticker: object, what: str) -> int:
        code = self._codes.get(str(ticker))
        if code is None or self._average[code].held == 0:
            raise EventFrameError(
                f"A {what} of {ticker}, which the portfolio does not hold: the event frame is "
                "incomplete or out of order. Load every event of the portfolio in seq order."
            )
        return code

    def _split(self, event: pd.DataFrame) -> None:
        """Apply a one-row frame holding a SplitApplied event."""
        code = self._held_code(event["ticker"].iloc[0], "split")
        raw_ratio = float(event["ratio"].iloc[0])
        if not np.isfinite(raw_ratio) or raw_ratio <= 0:
            raise EventFrameError(f"A split of {self.tickers[code]} has no valid ratio.")
        ratio = Fraction(Decimal(repr(raw_ratio)))
        average = self._average[code]
        if average.held < 0:  # a short position (erasmo.projections.shorts)
            self._average[code] = split_short(average, ratio)
        else:
            self._fifo[code] = split_fifo(self._fifo[code], ratio)
            self._average[code] = split_average(average, ratio)
        held = self._average[code].held
        self._last_price[code] /= raw_ratio
        day = market_days(event["on"])
        units = np.zeros(len(self.tickers), dtype=np.int64)
        units[code] = held - average.held
        price = np.full((1, len(self.tickers)), np.nan)
        price[0, code] = self._last_price[code]  # valued at it where no close is known
        self.daily = self.daily.merged(one_day(day, units[None, :], price), len(self.tickers))
        self._advance(int(event["seq"].iloc[0]), int(day[0]), 1)

    def _ticker_codes(self, tickers: pd.Series[str], rows: Ints) -> Ints:
        """The state's code of each trade's ticker, registering tickers seen for the first time."""
        every, uniques = pd.factorize(tickers)
        local = every[rows]
        if bool((local < 0).any()):
            raise EventFrameError(
                f"The trade in row {int(rows[np.argmax(local < 0)])} has no ticker; every trade "
                "needs one."
            )
        mapping = np.full(len(uniques), -1, dtype=np.int64)
        traded = np.bincount(local, minlength=len(uniques)) > 0
        for position in np.flatnonzero(traded).tolist():  # in order of first appearance
            ticker = str(uniques[position])
            if ticker not in self._codes:
                self._codes[ticker] = len(self.tickers)
                self.tickers.append(ticker)
                self._fifo.append(FifoBook())
                self._average.append(AverageBook())
                self._realized_fifo.append(0.0)
                self._realized_average.append(0.0)
                self._last_price.append(float("nan"))
                self._dividends.append(0)
            mapping[position] = self._codes[ticker]
        return mapping[local]

    def _book_trades(
        self,
        is_buy: Bools,
        codes: Ints,
        units: Ints,
        cents: Ints,
        seq: Ints,
        on: Ints,
        price: Floats,
    ) -> None:
        """Run every ticker's trades through its FIFO and average-cost books."""
        if len(codes) == 0:
            return
        # Group the trades by ticker, keeping log order within each: a stable sort of small
        # integers is a linear radix sort, and each ticker's trades are then one slice of
        # `order`. Each group's columns are gathered on their own, so the peak memory is that
        # of one ticker's trades, not a sorted copy of every column at 1M trades.
        small = codes.astype(np.int16) if len(self.tickers) < 2**15 else codes
        order = np.argsort(small, kind="stable")
        counts = np.bincount(codes, minlength=len(self.tickers))
        ends = np.cumsum(counts)
        # The batch's sells, grouped by ticker, filled in place as each group is booked.
        total = int((~is_buy).sum())
        sells = Sells(
            seq=np.empty(total, dtype=seq.dtype),
            on=np.empty(total, dtype=on.dtype),
            ticker=np.empty(total, dtype=codes.dtype),
            units=np.empty(total, dtype=units.dtype),
            proceeds=np.empty(total, dtype=cents.dtype),
            cost_fifo=np.empty(total, dtype=np.float64),
            cost_average=np.empty(total, dtype=np.float64),
        )
        filled = 0
        columns = (is_buy, units, cents, seq, on, price)
        for ticker in np.flatnonzero(counts).tolist():
            rows = order[ends[ticker] - counts[ticker] : ends[ticker]]
            filled = self._book_ticker(ticker, rows, columns, sells, filled)
        if total:
            self._sells.append(sells)

    def _book_ticker(
        self,
        ticker: int,
        rows: Ints,
        columns: tuple[Bools, Ints, Ints, Ints, Ints, Floats],
        sells: Sells,
        filled: int,
    ) -> int:
        """Book the trades in `rows` (all of `ticker`, in log order) and write its sells into
        `sells` from position `filled`; returns the position after them."""
        is_buy, units, cents, seq, on, price = columns
        buy, units_g, cents_g = is_buy[rows], units[rows], cents[rows]
        sold = ~buy
        book = self._average[ticker]
        held_after = np.cumsum(np.where(buy, units_g, -units_g)) + book.held
        if self.margin and (book.held < 0 or bool((held_after < 0).any())):  # a short
            return book_short(self, ticker, rows, columns, sells, filled)
        if bool((held_after < 0).any()):
            bad = int(np.argmax(held_after < 0))
            holding = (held_after[bad] + units_g[bad]) / UNITS_PER_SHARE
            raise EventFrameError(
                f"Sell seq {int(seq[rows[bad]])} sells {units_g[bad] / UNITS_PER_SHARE:g} "
                f"{self.tickers[ticker]} but the portfolio holds {holding:g}: the event frame "
                "is incomplete or out of order. Load every event of the portfolio in seq order."
            )
        seq_g, on_g, price_g = seq[rows], on[rows], price[rows]
        self._fifo[ticker], fifo = fifo_match(
            self._fifo[ticker], buy, units_g, cents_g, seq_g, on_g, price_g
        )
        self._average[ticker], average = average_match(book, buy, units_g, cents_g, held_after)
        proceeds = cents_g[sold] / CENTS_PER_UNIT_OF_MONEY
        # cumsum adds left to right from the carried total, exactly as one long batch would.
        self._realized_fifo[ticker] = _running_total(self._realized_fifo[ticker], proceeds - fifo)
        self._realized_average[ticker] = _running_total(
            self._realized_average[ticker], proceeds - average
        )
        self._last_price[ticker] = float(price_g[-1])
        part = slice(filled, filled + int(sold.sum()))
        sells.seq[part], sells.on[part], sells.units[part] = seq_g[sold], on_g[sold], units_g[sold]
        sells.ticker[part], sells.proceeds[part] = ticker, cents_g[sold]
        sells.cost_fifo[part], sells.cost_average[part] = fifo, average
        return part.stop

    # -- reading --------------------------------------------------------------------------

    @property
    def cash(self) -> float:
        """Cash balance."""
        return self._cash / CENTS_PER_UNIT_OF_MONEY

    @property
    def deposits(self) -> float:
        """All cash deposited."""
        return self._deposits / CENTS_PER_UNIT_OF_MONEY

    @property
    def withdrawals(self) -> float:
        """All cash withdrawn (a positive amount)."""
        return self._withdrawals / CENTS_PER_UNIT_OF_MONEY

    @property
    def dividends_received(self) -> float:
        """All cash dividends received (income, not an external flow)."""
        return sum(self._dividends) / CENTS_PER_UNIT_OF_MONEY

    @property
    def margin_charges(self) -> float:
        """Margin interest and borrow fees charged (a cost: neither a trade fee nor a flow)."""
        return getattr(self, "_charges", 0) / CENTS_PER_UNIT_OF_MONEY

    def dividends(self) -> Floats:
        """Cash dividends received from each ticker of `tickers`."""
        return np.array(self._dividends, dtype=np.int64) / CENTS_PER_UNIT_OF_MONEY

    @property
    def fees_paid(self) -> float:
        """All trading fees paid."""
        return self._fees / CENTS_PER_UNIT_OF_MONEY

    def quantities(self) -> Floats:
        """Shares held of each ticker of `tickers`."""
        return np.array([book.held for book in self._average], dtype=np.int64) / UNITS_PER_SHARE

    def last_trade_prices(self) -> Floats:
        """The price of the latest trade of each ticker."""
        return np.array(self._last_price, dtype=np.float64)

    def cost_basis(self, method: str) -> Floats:
        """The cost (fees included) of the shares held of each ticker, by `method`."""
        _check_method(method)
        if method == "fifo":
            # Books are replaced, never changed, on a fold: a book's cost is kept until then.
            kept = self._fifo_costs
            for code, book in enumerate(self._fifo):
                if code not in kept or kept[code][0] is not book:
                    kept[code] = (book, float(book.remaining_cost().sum()))
            return np.array(
                [
                    kept[code][1] if average.held >= 0 else average.cost_basis
                    for code, average in enumerate(self._average)
                ]
            )
        return np.array([book.cost_basis for book in self._average], dtype=np.float64)

    def realized(self, method: str) -> Floats:
        """Realized P&L of each ticker by `method`: proceeds net of fees minus cost removed."""
        _check_method(method)
        totals = self._realized_fifo if method == "fifo" else self._realized_average
        return np.array(totals, dtype=np.float64)

    def open_lots(self) -> pd.DataFrame:
        """The FIFO lots still open: ticker, seq, on, price, quantity, unit_cost, cost_basis."""
        return open_lots(self.tickers, self._fifo)

    def realized_trades(self) -> pd.DataFrame:
        """Every sell in log order with its proceeds (value - fee), cost and realized P&L by
        FIFO and by average cost."""
        return realized_trades(self.tickers, self._sells)


def _cash_columns(
    events: pd.DataFrame, kinds: npt.NDArray[np.int8], rows: Ints, is_buy: Bools, trade_cents: Ints
) -> tuple[Ints, Ints, Ints]:
    """Per event, in cents: the change of cash (trades, deposits, withdrawals, dividends), the
    cash deposited and the cash withdrawn (positive)."""
    amount_rows = np.flatnonzero((kinds == _DEPOSIT) | (kinds == _WITHDRAW))
    amounts = exact_units(events["amount"], amount_rows, CENTS_PER_UNIT_OF_MONEY, "amount")
    cash = np.zeros(len(events), dtype=np.int64)
    cash[rows] = np.where(is_buy, -trade_cents, trade_cents)
    cash[amount_rows] = np.where(kinds[amount_rows] == _DEPOSIT, amounts, -amounts)
    deposits = np.zeros(len(events), dtype=np.int64)
    deposits[amount_rows] = np.where(kinds[amount_rows] == _DEPOSIT, amounts, 0)
    withdrawals = np.where(kinds == _WITHDRAW, -cash, 0)
    dividend_rows = np.flatnonzero(kinds == _DIVIDEND)
    if len(dividend_rows):
        cash[dividend_rows] = exact_units(
            events["amount"], dividend_rows, CENTS_PER_UNIT_OF_MONEY, "dividend amount"
        )
    charged = np.flatnonzero(kinds == _CHARGED)  # margin interest and borrow fees
    if len(charged):
        cash[charged] = -exact_units(events["amount"], charged, CENTS_PER_UNIT_OF_MONEY, "charge")
    return cash, deposits, withdrawals


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ProjectionError(
            f"Unknown cost-basis method {method!r}; use 'fifo' (first in, first out) or "
            "'average' (average cost)."
        )


def _running_total(carried: float, amounts: Floats) -> float:
    if len(amounts) == 0:
        return carried
    return float(np.cumsum(np.concatenate([[carried], amounts]))[-1])


def state_of(
    source: pd.DataFrame | ProjectionState,
    *,
    seq: int | None = None,
    on: date | str | pd.Timestamp | None = None,
) -> ProjectionState:
    """The state of `source` (an event frame or a state) as of log position `seq` / date `on`.

    An event frame is cut to the events known then and rebuilt; a state is used as it is, and
    must not be newer than asked for (a state cannot go back: pass the event frame instead).
    """
    if isinstance(source, pd.DataFrame):
        return ProjectionState.from_events(as_of(source, seq=seq, on=on))
    too_new_seq = seq is not None and source.last_seq is not None and source.last_seq > seq
    too_new_day = (
        on is not None
        and source.last_on is not None
        and source.last_on > pd.Timestamp(on).normalize()
    )
    if too_new_seq or too_new_day:
        raise ProjectionError(
            f"This projection state already holds events up to seq {source.last_seq} "
            f"({source.last_on:%Y-%m-%d}); it cannot show an earlier moment. Pass the event "
            "frame to project as of an earlier seq or date."
        )
    return source
