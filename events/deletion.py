"""Closing for a while and deleting: reopen, delete (a tombstone) and undelete.

A deleted portfolio keeps every event, and its tombstone is an event like any other (it is
exported, imported and synced); the catalog takes it off the list, so its name is free again,
and remembers it apart under the name it had so it can be undeleted while that name is free.
`Portfolios` inherits these methods.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from events.errors import DuplicateNameError, PortfolioStatusError, UnknownPortfolioError
from events.host import PortfoliosHost
from events.values import name_key


@dataclass(frozen=True, slots=True)
class DeletedSummary:
    """A deleted portfolio as `erasmo portfolio list --deleted` shows it.

    Attributes:
        deleted_on: the market date of its tombstone (its clock then).
        deleted_at: when it was deleted (wall clock, UTC).
    """

    id: UUID
    name: str
    version: int
    clock: date
    closed: bool
    deleted_on: date
    deleted_at: datetime


class Deletion:
    """The reopen and delete side of `Portfolios` (a mixin: every method runs on a
    `Portfolios`)."""

    def reopen_portfolio(self: PortfoliosHost, portfolio_id: UUID) -> None:
        """Reopen a closed portfolio; it kept its name, which must still be listed as its own."""

        def command() -> None:
            portfolio = self.portfolio(portfolio_id)
            listed = self._catalog().names.get(portfolio_id.hex)
            if listed is not None and listed != portfolio.name:
                raise PortfolioStatusError(
                    f"Portfolio {portfolio.name!r} is listed as {listed!r} because another "
                    f"portfolio has its name. Rename it first (erasmo portfolio rename "
                    f"{listed!r} NEW_NAME), then reopen it."
                )
            portfolio.reopen()
            self._save(portfolio)

        self._retry(command)

    def delete_portfolio(self: PortfoliosHost, portfolio_id: UUID) -> None:
        """Delete a portfolio (a tombstone event): it leaves the list and frees its name; its
        events stay in the log."""

        def command() -> None:
            portfolio = self.portfolio(portfolio_id)
            catalog = self._catalog()
            portfolio.delete()
            catalog.release(portfolio.id, portfolio.name)
            self._save(portfolio, catalog)

        self._retry(command)

    def undelete_portfolio(self: PortfoliosHost, portfolio_id: UUID) -> None:
        """Bring a deleted portfolio back under its name, which must be free (ignoring case)."""

        def command() -> None:
            portfolio = self.portfolio(portfolio_id)
            catalog = self._catalog()
            portfolio.undelete()
            owner = catalog.owner_of(portfolio.name)
            if owner is not None and owner != portfolio.id:
                raise DuplicateNameError(
                    f"Cannot undelete {portfolio.name!r}: another portfolio is named "
                    f"{catalog.names[owner.hex]!r} now (names ignore case). Rename that one "
                    f"first (erasmo portfolio rename {catalog.names[owner.hex]!r} NEW_NAME), or "
                    "delete it, then undelete again."
                )
            catalog.claim(portfolio.id, portfolio.name)
            self._save(portfolio, catalog)

        self._retry(command)

    def find_deleted(self: PortfoliosHost, name_or_id: str) -> UUID:
        """The id of the deleted portfolio called `name_or_id` (ignoring case), or with that id."""
        deleted = self._catalog().deleted
        text = name_or_id.strip()
        with contextlib.suppress(ValueError):
            if UUID(text).hex in deleted:
                return UUID(text)
        found = [UUID(h) for h, n in deleted.items() if name_key(n) == name_key(text)]
        if len(found) > 1:
            ids = ", ".join(str(i) for i in found)
            raise UnknownPortfolioError(
                f"{len(found)} deleted portfolios are named {text!r}; name one by its id: {ids}."
            )
        if not found:
            raise UnknownPortfolioError(
                f"No deleted portfolio is named {text!r}. See 'erasmo portfolio list --deleted'."
            )
        return found[0]

    def deleted_summaries(self: PortfoliosHost) -> list[DeletedSummary]:
        """Every deleted portfolio, with when it was deleted, sorted by name."""
        found = []
        for hex_id in self._catalog().deleted:
            p = self.portfolio(UUID(hex_id))
            last = self.history(p.id)[-1]
            found.append(
                DeletedSummary(p.id, p.name, p.version, p.clock, p.closed, last.on, last.timestamp)
            )
        return sorted(found, key=lambda s: (name_key(s.name), s.deleted_at))
