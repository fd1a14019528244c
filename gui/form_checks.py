"""What a form may submit: its empty fields as hints, then erasmo's own dry run of the command.

The trade ticket, the order ticket, the cash dialog and the new-portfolio dialog never
re-implement a rule: each change of a field asks the front door to run the command with
`dry_run=True`, which returns the receipt the real command would return (or raises its named
error) and records nothing. This module only maps a refusal to the field it is about. No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

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
from events.values import name_key, parse_fee, parse_name, parse_price, parse_ticker
from gui.formatting import ungrouped
from gui.wording import gui_text

if TYPE_CHECKING:
    from uuid import UUID

    from erasmo.door import FrontDoor
    from erasmo.door.models import CashReceipt, PortfolioHead, TradeReceipt

BUY, SELL = "buy", "sell"
DEPOSIT, WITHDRAW = "deposit", "withdraw"

Fields = tuple[tuple[tuple[type[Exception], ...], str], ...]


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


def field_of(error: Exception, fields: Fields) -> str:
    """The form field an error is about ("form" when none fits)."""
    if isinstance(error, FieldError):
        return error.field
    for kinds, field in fields:
        if isinstance(error, kinds):
            return field
    return "form"


def problem_of(error: Exception, fields: Fields) -> Problem:
    """An error as a message on a form's field (a hint when a field is merely empty)."""
    message = gui_text(str(error))
    return Problem(field_of(error, fields), message, isinstance(error, IncompleteError))


TRADE_FIELDS: Fields = (
    ((InvalidTickerError, UnknownTickerError, NotTradableError), "ticker"),
    ((PriceOutOfRangeError,), "price"),
    ((InvalidDateError, NoPriceError, ClockError), "date"),
    ((InvalidQuantityError, InsufficientSharesError, InsufficientCashError), "quantity"),
    ((ClosedPortfolioError,), "portfolio"),
)
CASH_FIELDS: Fields = (
    ((InvalidAmountError, InsufficientCashError), "amount"),
    ((InvalidDateError, NoPriceError, ClockError), "date"),
    ((ClosedPortfolioError,), "portfolio"),
)
OPENING_FIELDS: Fields = (
    ((InvalidNameError, DuplicateNameError), "name"),
    ((InvalidAmountError,), "cash"),
    ((InvalidDateError, NoPriceError), "date"),
    ((InvalidCommissionError,), "commission"),
    ((InvalidSlippageError,), "slippage"),
)


def trade_problem(error: Exception) -> Problem:
    """An error of `preview_trade` as a message on a ticket field."""
    return problem_of(error, TRADE_FIELDS)


def cash_problem(error: Exception) -> Problem:
    """An error of `preview_cash` as a message on a dialog field."""
    return problem_of(error, CASH_FIELDS)


def opening_problem(error: Exception) -> Problem:
    """An error of `preview_opening` as a message on a dialog field."""
    return problem_of(error, OPENING_FIELDS)


def preview_trade(
    door: FrontDoor,
    portfolio_id: UUID,
    *,
    side: str,
    ticker: str,
    quantity: str,
    on: date,
    price: str = "",
    fee: str = "",
) -> TradeReceipt:
    """The door's dry run of the trade: the receipt it would record, or the error refusing it."""
    if not ticker.strip():
        raise IncompleteError("ticker", "Type a ticker, such as AAPL.")
    quantity, price, fee = ungrouped(quantity), ungrouped(price), ungrouped(fee)
    symbol = parse_ticker(ticker)
    explicit = price.strip() or None
    if explicit is not None:
        try:
            parse_price(explicit)
        except InvalidAmountError as error:
            raise FieldError("price", str(error)) from None
    door.trading.fill(symbol, on, explicit)  # an unknown ticker or a day without a close first
    if not quantity.strip():
        raise IncompleteError("quantity", "Type how many shares.")
    try:
        parse_fee(fee.strip() or "0")
    except InvalidAmountError as error:
        raise FieldError("fee", str(error)) from None
    command = door.buy if side == BUY else door.sell
    try:
        return command(
            portfolio_id, symbol, quantity, on, explicit, fee.strip() or None, dry_run=True
        )
    except InsufficientCashError as error:
        if side == SELL:  # only the fee can make a sale short of cash
            raise FieldError("fee", str(error)) from None
        raise


def preview_cash(
    door: FrontDoor, portfolio_id: UUID, *, kind: str, amount: str, on: date
) -> CashReceipt:
    """The door's dry run of the deposit or withdrawal, or the error refusing it."""
    door.market_day(on)  # a day without prices is named before an empty amount
    amount = ungrouped(amount)
    if not amount.strip():
        raise IncompleteError("amount", "Type an amount, such as 1500.00.")
    command = door.deposit if kind == DEPOSIT else door.withdraw
    return command(portfolio_id, amount, on, dry_run=True)


def preview_opening(
    door: FrontDoor,
    taken: set[str],
    *,
    name: str,
    cash: str,
    on: date,
    mode: str = "live",
    commission: str = "0",
    slippage: str = "0",
    dry_run: bool = True,
    account: str = "cash",
) -> PortfolioHead:
    """The door's dry run of opening the portfolio (its head as it would be opened), or the
    error refusing it; `taken` holds the `name_key`s listed in the window. With `dry_run`
    False, the portfolio is opened. A "margin" `account` is recorded at opening, with the
    default margin terms; a cash account records no account event (as before accounts)."""
    if not name.strip():
        raise IncompleteError("name", "Type a name for the portfolio.")
    checked = parse_name(name)
    if name_key(checked) in taken:
        raise DuplicateNameError(
            f"A portfolio called {checked!r} already exists (names ignore case). Pick another name."
        )
    amount = ungrouped(cash).strip() or None
    spec = parse_commission(commission.strip() or "0").spec
    bps = parse_slippage_bps(slippage.strip() or "0")
    margin = "margin" if account == "margin" else None
    if mode == "live" and spec == "0" and not bps:  # no trading rules to record
        return door.open_portfolio(checked, amount, on, account=margin, dry_run=dry_run)
    return door.open_portfolio(
        checked, amount, on, mode=mode, commission=spec, slippage_bps=bps, account=margin,
        dry_run=dry_run,
    )  # fmt: skip
