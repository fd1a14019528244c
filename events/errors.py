"""Named errors of the write side.

Every error a user can trigger is an `ErasmoError`. Its message says what was wrong, with the
offending values, and what to do next. A command that raises one records nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date


class ErasmoError(Exception):
    """Base of every error erasmo reports to a user (CLI exit code 1).

    Attributes:
        problems: the broken rule in the audit's words (what `erasmo check` lists for a stored
            event breaking it), set by the rule that raised it; empty when not a rule's error.
    """

    problems: tuple[str, ...] = ()


class InvalidInputError(ErasmoError, ValueError):
    """A value typed by the user is not acceptable (not a number, bad precision, too large)."""


class InvalidAmountError(InvalidInputError):
    """A cash amount or price is not a positive decimal with at most 2 decimal places."""


class InvalidQuantityError(InvalidInputError):
    """A share quantity is not a positive decimal with at most 6 decimal places."""


class InvalidNameError(InvalidInputError):
    """A portfolio name is empty, too long or has characters that cannot be printed."""


class ConfusableNameError(InvalidNameError):
    """A portfolio name mixes alphabets whose letters look alike (Latin, Cyrillic, Greek)."""


class InvalidTickerError(InvalidInputError):
    """A ticker symbol has characters no ticker has."""


class InvalidDateError(InvalidInputError):
    """A date is not in YYYY-MM-DD form."""


class InsufficientCashError(ErasmoError):
    """The command would make the portfolio's cash negative (there is no margin)."""


class InsufficientSharesError(ErasmoError):
    """A sell asks for more shares than the portfolio holds."""


class ClosedPortfolioError(ErasmoError):
    """A command was given to a portfolio that has been closed."""


class UnknownPortfolioError(ErasmoError):
    """No portfolio in this store has that name or id."""


class DeletedPortfolioError(UnknownPortfolioError):
    """A command was given to a deleted portfolio (undelete it first)."""


class PortfolioStatusError(ErasmoError):
    """The portfolio is not in the state the command needs (reopen an open one, undelete one
    that is not deleted)."""


class DuplicateNameError(ErasmoError):
    """Another portfolio in this store already has that name (names ignore case)."""


class ClockError(ErasmoError):
    """A command is dated before the portfolio's latest event: its clock only moves forward."""


class CorporateActionError(ErasmoError):
    """A split or dividend cannot be recorded: the ticker is not held, the ratio or amount is
    not acceptable, or the holding changed on or after the ex-date."""


class UnknownTickerError(ErasmoError):
    """The market data does not know the ticker."""

    def __init__(self, ticker: str, suggestions: Sequence[str] = ()) -> None:
        self.ticker = ticker
        self.suggestions = tuple(suggestions)
        hint = (
            f" Did you mean {', '.join(self.suggestions)}?"
            if self.suggestions
            else " Run 'erasmo prices list' to see the tickers erasmo has."
        )
        super().__init__(f"Unknown ticker {ticker!r}.{hint}")


class NotTradableError(ErasmoError):
    """The ticker is an index or another series that can be charted but not traded."""


class NoPriceError(ErasmoError):
    """The market data has no price for the ticker on that date."""


class NotATradingDayError(NoPriceError):
    """The date is not a trading day in the market data for that ticker."""

    def __init__(
        self,
        ticker: str | None,
        day: date,
        previous: date | None,
        following: date | None,
        closed: str | None = None,
    ) -> None:
        """`closed`: why the exchange was closed ("2024-11-28 is Thanksgiving Day; the NYSE
        was closed"), when a holiday closed it."""
        self.ticker = ticker
        self.day = day
        self.previous = previous
        self.following = following
        around = []
        if previous is not None:
            around.append(f"the previous one is {previous.isoformat()}")
        if following is not None:
            around.append(f"the next one is {following.isoformat()}")
        what = f"for {ticker}" if ticker else "in the market data"
        if closed is not None:
            around = [a.replace("one", "trading day", 1) for a in around]
            tail = f": {' and '.join(around)}." if around else "."
            super().__init__(f"{closed}{tail}")
            return
        tail = f": {' and '.join(around)}." if around else "."
        super().__init__(f"{day.isoformat()} is not a trading day {what}{tail}")


class DateOutOfRangeError(NoPriceError):
    """The date is in the future, or after (or before) the market data for that ticker."""


class PriceOutOfRangeError(ErasmoError):
    """An explicit price lies outside that day's low-high range, or differs from the close."""


class EventLogError(ErasmoError):
    """An event-log file is malformed, tampered with, or conflicts with the store."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        prefix = f"line {line}: " if line is not None else ""
        super().__init__(f"{prefix}{message}")


class StoreError(ErasmoError):
    """The event store cannot be opened or written (bad URL, unreachable server, bad file)."""


class ForkPointError(ErasmoError):
    """A fork was asked at a point that is not one of the parent portfolio's events."""


class ConcurrentWriteError(ErasmoError):
    """Another process wrote to the same portfolio at the same moment; try the command again."""


# -- orders and the market clock ------------------------------------------------------------


class OrderError(ErasmoError):
    """An order cannot be placed, cancelled or filled as asked."""


class InvalidOrderError(OrderError, InvalidInputError):
    """An order's type, prices, time in force or expiry do not make a valid order."""


class UnknownOrderError(OrderError):
    """No open order of the portfolio has that id (or the prefix matches several)."""


class InvalidCommissionError(InvalidInputError):
    """A commission spec is not one erasmo understands."""


class InvalidSlippageError(InvalidInputError):
    """A slippage is not a number of basis points from 0 to 1000."""


class SimulationClockError(ClockError):
    """A simulation portfolio was given a date after its clock: advance the clock first."""


class VolumeDataError(OrderError):
    """A volume cap was asked for where the market data has no volume, or is out of range."""
