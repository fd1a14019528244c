"""A batch of imported rows recorded on one loaded portfolio, in one save: all or nothing.

Every row runs the same domain commands as a typed one (the same rules, the same market
checks); the first refusal names the file, line and column and records nothing. Rows already
recorded by an earlier import of the same file are recognised and left out: a trade by the row
hash its provenance carries ("imported from FILE line N #HASH"), a deposit or withdrawal by its
date and amount (as many as the store holds), a dividend or split by its ticker and date.

A row of a ticker the market has no prices for at all (neither bundled nor cached, and Yahoo
not at hand or not knowing it) is still recorded, at the file's price, on a day of the market
calendar: holdings value it at its last traded price (`last_trade` in the holdings) until
prices exist, for instance from `erasmo prices import`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from erasmo.market.errors import MarketDataUnavailable
from events.errors import (
    ErasmoError,
    InsufficientCashError,
    InsufficientSharesError,
    InvalidInputError,
    NotTradableError,
    PriceOutOfRangeError,
    UnknownTickerError,
)
from events.rules.actions import check_action as dividend_holding
from events.values import PriceProvenance

if TYPE_CHECKING:
    from erasmo.importers.intents import Intent
    from erasmo.market.base import MarketData
    from erasmo.services import TradingService
    from events.application import LoggedEvent, Portfolios
    from events.portfolio import Portfolio

ZERO = Decimal(0)
_HASH = re.compile(r"#([0-9a-f]{16})$")
_SOURCE_MAX = 64
_PER_SHARE_STEP = Decimal("0.000001")
_CASH_EVENTS = {"deposit": "CashDeposited", "withdrawal": "CashWithdrawn"}


class ImportRowError(InvalidInputError):
    """A row of an imported file breaks a rule; the message names the file, line and column."""


@dataclass(frozen=True, slots=True)
class RecordedRow:
    """One row as recorded (or as a dry run would record it).

    Attributes:
        line, kind, day, ticker: the row.
        quantity, price, fee: a trade's; for a split, `quantity` is the ratio.
        amount: the cash it moved (a trade's value plus or minus the fee, a dividend's cash).
        unpriced: the market has no prices for the ticker: recorded at the file's price and
            valued at the last traded price until prices exist.
    """

    line: int
    kind: str
    day: date
    ticker: str | None
    quantity: Decimal | None
    price: Decimal | None
    fee: Decimal
    amount: Decimal
    unpriced: bool = False


@dataclass(frozen=True, slots=True)
class Priced:
    """The price a trade row records: checked against the market's bar, or the file's own
    (`unpriced`) for a ticker the market has no prices for."""

    ticker: str
    day: date
    price: Decimal
    adjusted: bool
    unpriced: bool = False


#: The market's answers for a ticker it has no prices for (offline, or not known to Yahoo).
_NO_PRICES = (UnknownTickerError, MarketDataUnavailable)


@dataclass(frozen=True, slots=True)
class BatchReceipt:
    """What an import recorded.

    Attributes:
        portfolio_id, portfolio: where.
        recorded: the rows recorded, in order.
        already: how many rows an earlier import had recorded (left out).
        cash_before, cash_after: the portfolio's cash.
        positions: ticker -> shares held after.
    """

    portfolio_id: UUID
    portfolio: str
    recorded: tuple[RecordedRow, ...]
    already: int
    cash_before: Decimal
    cash_after: Decimal
    positions: tuple[tuple[str, Decimal], ...]


def provenance_label(file: str, line: int, row_hash: str) -> str:
    """ "imported from FILE line N #HASH", the file's name shortened to fit 64 characters."""
    tail = f" line {line} #{row_hash}"
    room = _SOURCE_MAX - len("imported from ") - len(tail)
    name = file if len(file) <= room else file[: room - 1] + "…"
    return f"imported from {name}{tail}"


def imported_hashes(history: Sequence[LoggedEvent]) -> set[str]:
    """The row hashes of the trades an import recorded in this history."""
    found = set()
    for event in history:
        match = _HASH.search(str(event.fields.get("price_source", "")))
        if match:
            found.add(match[1])
    return found


def new_rows(history: Sequence[LoggedEvent], intents: Sequence[Intent]) -> list[Intent]:
    """The intents not yet recorded (dividends and splits are checked on the aggregate)."""
    hashes = imported_hashes(history)
    cash = Counter(
        (e.type, e.on, e.fields["amount"]) for e in history if e.type in _CASH_EVENTS.values()
    )
    todo = []
    for intent in intents:
        if intent.kind in ("buy", "sell") and intent.row_hash in hashes:
            continue
        if intent.kind in _CASH_EVENTS:
            key = (_CASH_EVENTS[intent.kind], intent.day, intent.amount)
            if cash[key] > 0:
                cash[key] -= 1
                continue
        todo.append(intent)
    return todo


class Batch:
    """The rows of one import, checked against the market, then run on one aggregate."""

    def __init__(self, app: Portfolios, market: MarketData, trading: TradingService) -> None:
        self.app, self.market, self.trading = app, market, trading

    def record(
        self, portfolio_id: UUID, intents: Sequence[Intent], *, dry_run: bool
    ) -> BatchReceipt:
        todo = new_rows(self.app.history(portfolio_id), intents)
        fills = {i.line: self._fill(i) for i in todo if i.kind in ("buy", "sell")}
        for intent in todo:
            if intent.kind not in ("buy", "sell"):
                self._check_day(intent)

        def run(p: Portfolio) -> BatchReceipt:
            cash_before, rows, already = p.cash, [], len(intents) - len(todo)
            for intent in todo:
                if intent.kind in ("dividend", "split") and p.has_action(
                    intent.ticker or "", intent.kind, intent.day
                ):
                    already += 1
                    continue
                rows.append(self._apply(p, intent, fills.get(intent.line)))
            positions = tuple(sorted(p.shares.items()))
            return BatchReceipt(p.id, p.name, tuple(rows), already, cash_before, p.cash, positions)

        return self.app.change(portfolio_id, run, dry_run=dry_run)

    def _fill(self, intent: Intent) -> Priced:
        """The market's check of a row's price, with an adjusted closes-only series refused
        and a ticker with no prices at all recorded at the file's price."""
        assert intent.ticker is not None
        assert intent.price is not None
        try:
            try:
                info = self.market.info(intent.ticker)
            except _NO_PRICES:
                return self._unpriced(intent)
            if info.adjusted and not {"low", "high"} <= set(info.fields):
                bar = self.market.bar(info.ticker, intent.day)
                close = f" ({bar.close} on {intent.day})" if bar is not None else ""
                raise ImportRowError(
                    f"{intent.place('price')}: {info.ticker}'s prices here are split- and "
                    f"dividend-adjusted closes only{close}, so the file's price "
                    f"{intent.price} as traded cannot be checked or valued beside them; leave "
                    f"{info.ticker}'s rows out of the file ('erasmo buy' and 'erasmo sell' "
                    "record it at the day's adjusted close)."
                )
            fill = self.trading.fill(intent.ticker, intent.day, intent.price)
            return Priced(fill.ticker, fill.day, fill.price, fill.provenance.adjusted)
        except ImportRowError:
            raise
        except ErasmoError as error:
            raise _row_error(intent, error) from None

    def _unpriced(self, intent: Intent) -> Priced:
        """A trade on a ticker without prices: the file's price, on a market day."""
        assert intent.ticker is not None
        assert intent.price is not None
        try:
            day = self.trading.market_day(intent.day)
        except ErasmoError as error:
            raise _row_error(intent, error, "date") from None
        return Priced(intent.ticker, day, intent.price, adjusted=False, unpriced=True)

    def _check_day(self, intent: Intent) -> None:
        if intent.kind in ("dividend", "split"):
            self._check_action(intent)
            return
        try:
            self.trading.market_day(intent.day)
        except ErasmoError as error:
            raise _row_error(intent, error, "date") from None

    def _check_action(self, intent: Intent) -> None:
        """Splits and dividends beside adjusted prices would count twice: refused."""
        assert intent.ticker is not None
        try:
            info = self.market.info(intent.ticker)
        except _NO_PRICES:  # no prices to count it twice in: on a day of the market
            try:
                self.trading.market_day(intent.day)
            except ErasmoError as error:
                raise _row_error(intent, error, "date") from None
            return
        except ErasmoError as error:
            raise _row_error(intent, error, "ticker") from None
        if info.adjusted:
            raise ImportRowError(
                f"{intent.place('type')}: {info.ticker}'s prices here are adjusted (splits "
                f"and dividends folded in), so a {intent.kind} recorded beside them would count "
                "twice; remove the line (its effect is in the prices already)."
            )

    def _apply(self, p: Portfolio, intent: Intent, fill: Priced | None) -> RecordedRow:
        try:
            return _apply(p, intent, fill)
        except ErasmoError as error:
            raise _row_error(intent, error) from None


def _apply(p: Portfolio, intent: Intent, fill: Priced | None) -> RecordedRow:
    kind, day, ticker = intent.kind, intent.day, intent.ticker
    cash_before = p.cash
    if kind in ("buy", "sell"):
        assert fill is not None
        assert intent.quantity is not None
        provenance = PriceProvenance(
            provenance_label(intent.file, intent.line, intent.row_hash),
            fill.day,
            fill.adjusted,
            "explicit",
        )
        trade = p.buy if kind == "buy" else p.sell
        trade(fill.ticker, intent.quantity, fill.price, fill.day, provenance, intent.fee)
        return RecordedRow(
            intent.line, kind, day, ticker, intent.quantity, fill.price, intent.fee,
            abs(p.cash - cash_before), fill.unpriced,
        )  # fmt: skip
    if kind in _CASH_EVENTS:
        assert intent.amount is not None
        (p.deposit if kind == "deposit" else p.withdraw)(intent.amount, day)
        return RecordedRow(intent.line, kind, day, None, None, None, ZERO, intent.amount)
    assert ticker is not None
    held = p.shares.get(ticker, ZERO)
    if kind == "split":
        ratio = intent.ratio if intent.ratio is not None else _ratio(intent, held)
        p.split(ticker, ratio, day)
        return RecordedRow(intent.line, kind, day, ticker, ratio, None, ZERO, ZERO)
    # the holding the dividend is paid on (before the ex-date's trades), by the domain's rule
    held = dividend_holding(p, ticker, "dividend", day)
    per_share = intent.per_share or _per_share(intent, held)
    p.receive_dividend(ticker, per_share, day)
    paid = p.cash - cash_before
    if intent.amount is not None and paid != intent.amount:
        raise ImportRowError(
            f"{intent.place('amount')}: {intent.amount} is not the dividend of {held} "
            f"{ticker} held at {per_share} a share ({paid}); check the amount."
        )
    return RecordedRow(intent.line, kind, day, ticker, held, per_share, ZERO, paid)


def _ratio(intent: Intent, held: Decimal) -> Decimal:
    """A split given as shares added (Schwab): (held + added) / held, exactly."""
    assert intent.added is not None
    if held <= 0:
        raise ImportRowError(
            f"{intent.place('quantity')}: a split of {intent.ticker} adding {intent.added} "
            "shares, but none are held on that day; check the file's earlier rows."
        )
    ratio = (held + intent.added) / held
    if ratio.quantize(_PER_SHARE_STEP) != ratio:
        raise ImportRowError(
            f"{intent.place('quantity')}: {intent.added} shares added to {held} held is no "
            "split ratio of at most 6 decimal places; check the quantity."
        )
    return ratio.normalize()


def _per_share(intent: Intent, held: Decimal) -> Decimal:
    """A dividend given as a total: its amount per share of the holding, which must pay back
    the file's total to the cent."""
    assert intent.amount is not None
    if held <= 0:
        raise ImportRowError(
            f"{intent.place('amount')}: a dividend of {intent.ticker}, but none are held on "
            f"{intent.day}; check the file's earlier rows."
        )
    per_share = (intent.amount / held).quantize(_PER_SHARE_STEP, rounding=ROUND_HALF_UP)
    paid = (held * per_share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if paid != intent.amount:
        raise ImportRowError(
            f"{intent.place('amount')}: {intent.amount} is no dividend per share of the {held} "
            f"{intent.ticker} held ({per_share} a share pays {paid}); check the amount."
        )
    return per_share.normalize()


_COLUMN_OF: tuple[tuple[type[ErasmoError], str], ...] = (
    (PriceOutOfRangeError, "price"),
    (InsufficientSharesError, "quantity"),
    (InsufficientCashError, "quantity"),
    (UnknownTickerError, "ticker"),
    (NotTradableError, "ticker"),
)


def _row_error(intent: Intent, error: ErasmoError, column: str | None = None) -> ImportRowError:
    if isinstance(error, ImportRowError):
        return error
    if column is None:
        column = next((c for kind, c in _COLUMN_OF if isinstance(error, kind)), "date")
    return ImportRowError(f"{intent.place(column)}: {error}")
