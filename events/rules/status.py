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
from events.rules.book import Book, broken


def simulated(p: Book) -> bool:
    """True in simulation mode: the clock moves only when advanced."""
    return p.mode == "simulation"


def check_not_deleted(p: Book) -> None:
    if p.deleted:
        raise broken(
            DeletedPortfolioError(
                f"Portfolio {p.name!r} was deleted. Undelete it first: "
                f"erasmo portfolio undelete {p.id}"
            ),
            "the portfolio was deleted",
        )


def check_open(p: Book) -> None:
    check_not_deleted(p)
    if p.closed:
        raise broken(
            ClosedPortfolioError(
                f"Portfolio {p.name!r} is closed and accepts no more commands. "
                "Open a new portfolio to keep trading, or reopen this one ('erasmo portfolio "
                "reopen')."
            ),
            "the portfolio was already closed",
        )


def check_open_and_clock(p: Book, on: date, market: bool = False) -> None:
    """`market`: recorded by the market clock (fills, expiries), not typed by a user."""
    check_open(p)
    if simulated(p) and on > p.clock and not market:
        raise broken(
            SimulationClockError(
                f"{on.isoformat()} is after the clock of {p.name!r}, which is in simulation "
                f"mode at {p.clock.isoformat()}: the future is not known yet. Use "
                f"{p.clock.isoformat()}, or move the clock with 'erasmo advance'."
            ),
            f"dated {on} after the clock {p.clock} of a portfolio in simulation mode",
        )
    if on < p.clock:
        raise broken(
            ClockError(
                f"{on.isoformat()} is before the latest event of {p.name!r}, on "
                f"{p.clock.isoformat()}: a portfolio's clock only moves forward. Use "
                f"{p.clock.isoformat()} or later (time travel is for reading: see "
                "'erasmo holdings --as-of')."
            ),
            f"dated {on} before the portfolio's clock {p.clock}",
        )


def check_reopen(p: Book) -> None:
    check_not_deleted(p)
    if not p.closed:
        raise broken(
            PortfolioStatusError(f"Portfolio {p.name!r} is not closed; it is open."),
            "it reopens a portfolio that is not closed",
        )


def check_undelete(p: Book) -> None:
    if not p.deleted:
        raise broken(
            PortfolioStatusError(f"Portfolio {p.name!r} is not deleted."),
            "it undeletes a portfolio that is not deleted",
        )


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
