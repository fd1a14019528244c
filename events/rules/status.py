"""Open, closed, deleted, and the clock that only moves forward."""

from __future__ import annotations

from datetime import date

from events.errors import (
    ClockError,
    ClosedPortfolioError,
    DeletedPortfolioError,
    PortfolioStatusError,
    SimulationClockError,
)
from events.rules.book import Book


def simulated(p: Book) -> bool:
    """True in simulation mode: the clock moves only when advanced."""
    return p.mode == "simulation"


def check_not_deleted(p: Book) -> None:
    if p.deleted:
        raise DeletedPortfolioError(
            f"Portfolio {p.name!r} was deleted. Undelete it first: erasmo portfolio undelete {p.id}"
        )


def check_open(p: Book) -> None:
    check_not_deleted(p)
    if p.closed:
        raise ClosedPortfolioError(
            f"Portfolio {p.name!r} is closed and accepts no more commands. "
            "Open a new portfolio to keep trading, or reopen this one ('erasmo portfolio "
            "reopen')."
        )


def check_open_and_clock(p: Book, on: date, market: bool = False) -> None:
    """`market`: recorded by the market clock (fills, expiries), not typed by a user."""
    check_open(p)
    if simulated(p) and on > p.clock and not market:
        raise SimulationClockError(
            f"{on.isoformat()} is after the clock of {p.name!r}, which is in simulation "
            f"mode at {p.clock.isoformat()}: the future is not known yet. Use "
            f"{p.clock.isoformat()}, or move the clock with 'erasmo advance'."
        )
    if on < p.clock:
        raise ClockError(
            f"{on.isoformat()} is before the latest event of {p.name!r}, on "
            f"{p.clock.isoformat()}: a portfolio's clock only moves forward. Use "
            f"{p.clock.isoformat()} or later (time travel is for reading: see "
            "'erasmo holdings --as-of')."
        )


def check_reopen(p: Book) -> None:
    check_not_deleted(p)
    if not p.closed:
        raise PortfolioStatusError(f"Portfolio {p.name!r} is not closed; it is open.")


def check_undelete(p: Book) -> None:
    if not p.deleted:
        raise PortfolioStatusError(f"Portfolio {p.name!r} is not deleted.")


# -- effects -------------------------------------------------------------------------------


def renamed(self: Book, name: str, on: date) -> None:
    self.name = name


def closed(self: Book, on: date) -> None:
    self.closed = True


def reopened(self: Book, on: date) -> None:
    self.closed = False


def deleted(self: Book, on: date) -> None:
    self.deleted = True


def undeleted(self: Book, on: date) -> None:
    self.deleted = False


def clock_advanced(self: Book, on: date) -> None:
    self.clock = on
