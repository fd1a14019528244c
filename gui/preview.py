"""What a command would do, found by trying it on a throwaway copy of the portfolio.

The trade ticket and the cash dialog never re-implement a rule: they look the fill up through
`TradingService` and then run the very aggregate method the real command runs, on a deep copy
that is never saved. Whatever the domain refuses is refused here with the same named error, and
the numbers of the preview (value, cash after, position after) are the domain's own. No Qt.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from erasmo.services import TradingService
from events.commission import parse_commission, parse_slippage_bps
from events.errors import (
    ClockError,
    ClosedPortfolioError,
    DuplicateNameError,
    ErasmoError,
    InsufficientCashError,
    InsufficientSharesError,
    InvalidAmountError,
    InvalidCommissionError,
    InvalidDateError,
    InvalidNameError,
    InvalidQuantityError,
    InvalidSlippageError,
    InvalidTickerError,
    NoPriceError,
    NotTradableError,
    PriceOutOfRangeError,
    UnknownTickerError,
)
from events.portfolio import Portfolio
from events.values import (
    PriceProvenance,
    name_key,
    parse_fee,
    parse_money,
    parse_name,
    parse_price,
    parse_quantity,
    parse_ticker,
)

ZERO = Decimal(0)
BUY, SELL = "buy", "sell"
DEPOSIT, WITHDRAW = "deposit", "withdraw"


class FieldError(ErasmoError):
    """An error about one field of a form."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class IncompleteError(FieldError):
    """A field the command needs is still empty: not wrong yet, so shown as a hint."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a form cannot be submitted, and which of its fields to point at.

    Attributes:
        hint: True when a field is merely empty (shown muted, the field not marked).
    """

    field: str
    message: str
    hint: bool = False


@dataclass(frozen=True, slots=True)
class TradePreview:
    """A trade as the domain would record it.

    Attributes:
        side, ticker, day, quantity, price, fee: the trade.
        value: quantity x price rounded to the cent (the domain's rounding).
        provenance: where the price comes from.
        cash_before, cash_after, position_before, position_after: the portfolio around it.
    """

    side: str
    ticker: str
    day: date
    quantity: Decimal
    price: Decimal
    fee: Decimal
    value: Decimal
    provenance: PriceProvenance
    cash_before: Decimal
    cash_after: Decimal
    position_before: Decimal
    position_after: Decimal


@dataclass(frozen=True, slots=True)
class CashPreview:
    """A deposit or withdrawal as the domain would record it."""

    kind: str
    amount: Decimal
    day: date
    cash_before: Decimal
    cash_after: Decimal


@dataclass(frozen=True, slots=True)
class OpeningPreview:
    """A new portfolio as it would be opened."""

    name: str
    cash: Decimal | None
    day: date
    mode: str = "live"
    commission: str = "0"
    slippage_bps: Decimal = ZERO

    @property
    def default_rules(self) -> bool:
        """A live portfolio without commission or slippage (no trading rules to record)."""
        return self.mode == "live" and self.commission == "0" and not self.slippage_bps


_TRADE_FIELDS: tuple[tuple[tuple[type[Exception], ...], str], ...] = (
    ((InvalidTickerError, UnknownTickerError, NotTradableError), "ticker"),
    ((PriceOutOfRangeError,), "price"),
    ((InvalidDateError, NoPriceError, ClockError), "date"),
    ((InvalidQuantityError, InsufficientSharesError, InsufficientCashError), "quantity"),
    ((ClosedPortfolioError,), "portfolio"),
)


def field_of(error: Exception, fields: tuple[tuple[tuple[type[Exception], ...], str], ...]) -> str:
    """The form field an error is about ("form" when none fits)."""
    if isinstance(error, FieldError):
        return error.field
    for kinds, field in fields:
        if isinstance(error, kinds):
            return field
    return "form"


def preview_trade(
    trading: TradingService,
    head: Portfolio,
    *,
    side: str,
    ticker: str,
    quantity: str,
    on: date,
    price: str = "",
    fee: str = "",
) -> TradePreview:
    """The trade `side` would record on `head`; raises the error the real command would raise."""
    if not ticker.strip():
        raise IncompleteError("ticker", "Type a ticker, such as AAPL.")
    symbol = parse_ticker(ticker)
    explicit = price.strip() or None
    if explicit is not None:
        try:
            parse_price(explicit)
        except InvalidAmountError as error:
            raise FieldError("price", str(error)) from None
    fill = trading.fill(symbol, on, explicit)
    if not quantity.strip():
        raise IncompleteError("quantity", "Type how many shares.")
    shares = parse_quantity(quantity)
    try:
        cost = parse_fee(fee.strip() or "0")
    except InvalidAmountError as error:
        raise FieldError("fee", str(error)) from None
    trial = copy.deepcopy(head)
    command = trial.buy if side == BUY else trial.sell
    try:
        command(fill.ticker, shares, fill.price, fill.day, fill.provenance, cost)
    except InsufficientCashError as error:
        if side == SELL:  # only the fee can make a sale short of cash
            raise FieldError("fee", str(error)) from None
        raise
    recorded: Any = trial.collect_events()[-1]
    return TradePreview(
        side=side,
        ticker=fill.ticker,
        day=fill.day,
        quantity=shares,
        price=fill.price,
        fee=cost,
        value=recorded.value,
        provenance=fill.provenance,
        cash_before=head.cash,
        cash_after=trial.cash,
        position_before=head.shares.get(fill.ticker, ZERO),
        position_after=trial.shares.get(fill.ticker, ZERO),
    )


def trade_problem(error: Exception) -> Problem:
    """An error of `preview_trade` as a message on a ticket field."""
    return Problem(field_of(error, _TRADE_FIELDS), str(error), isinstance(error, IncompleteError))


_CASH_FIELDS: tuple[tuple[tuple[type[Exception], ...], str], ...] = (
    ((InvalidAmountError, InsufficientCashError), "amount"),
    ((InvalidDateError, NoPriceError, ClockError), "date"),
    ((ClosedPortfolioError,), "portfolio"),
)


def preview_cash(
    trading: TradingService, head: Portfolio, *, kind: str, amount: str, on: date
) -> CashPreview:
    """The deposit or withdrawal that would be recorded on `head`, or the error refusing it."""
    day = trading.market_day(on)
    if not amount.strip():
        raise IncompleteError("amount", "Type an amount, such as 1500.00.")
    value = parse_money(amount)
    trial = copy.deepcopy(head)
    (trial.deposit if kind == DEPOSIT else trial.withdraw)(value, day)
    return CashPreview(kind, value, day, head.cash, trial.cash)


def cash_problem(error: Exception) -> Problem:
    """An error of `preview_cash` as a message on a dialog field."""
    return Problem(field_of(error, _CASH_FIELDS), str(error), isinstance(error, IncompleteError))


_OPENING_FIELDS: tuple[tuple[tuple[type[Exception], ...], str], ...] = (
    ((InvalidNameError, DuplicateNameError), "name"),
    ((InvalidAmountError,), "cash"),
    ((InvalidDateError, NoPriceError), "date"),
    ((InvalidCommissionError,), "commission"),
    ((InvalidSlippageError,), "slippage"),
)


def preview_opening(
    trading: TradingService,
    taken: set[str],
    *,
    name: str,
    cash: str,
    on: date,
    mode: str = "live",
    commission: str = "0",
    slippage: str = "0",
) -> OpeningPreview:
    """The portfolio that would be opened; `taken` holds the `name_key`s already in use."""
    if not name.strip():
        raise IncompleteError("name", "Type a name for the portfolio.")
    checked = parse_name(name)
    if name_key(checked) in taken:
        raise DuplicateNameError(
            f"A portfolio called {checked!r} already exists (names ignore case). Pick another name."
        )
    amount = parse_money(cash, what="Opening cash") if cash.strip() else None
    day = trading.market_day(on)
    spec = parse_commission(commission.strip() or "0").spec
    bps = parse_slippage_bps(slippage.strip() or "0")
    return OpeningPreview(checked, amount, day, mode, spec, bps)


def opening_problem(error: Exception) -> Problem:
    """An error of `preview_opening` as a message on a dialog field."""
    hint = isinstance(error, IncompleteError)
    return Problem(field_of(error, _OPENING_FIELDS), str(error), hint)
