"""The catalog: the store's one list of portfolios and the guard of unique names.

Names must be unique per store, ignoring case. Checking that by reading every portfolio would race
with a second writer; instead every open and rename also records an event on this single
aggregate, so two writers claiming one name collide on its version and one of them fails.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from events.errors import DuplicateNameError
from events.values import name_key

#: The catalog's fixed id: every store has exactly one catalog.
CATALOG_ID = uuid5(UUID("6f1d0b9e-0c1c-4f4e-9d8a-6b1f3f2a9c10"), "erasmo-portfolio-catalog")


class Catalog(Aggregate):
    """Portfolio ids and their current names.

    Attributes:
        names: portfolio id (hex) -> current name.
        owners: name key (case-folded) -> portfolio id (hex).
    """

    @staticmethod
    def create_id() -> UUID:
        return CATALOG_ID

    @event("CatalogCreated")
    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.owners: dict[str, str] = {}

    def owner_of(self, name: str) -> UUID | None:
        """The id of the portfolio called `name` (any case), or None."""
        owner = self.owners.get(name_key(name))
        return UUID(owner) if owner else None

    def claim(self, portfolio_id: UUID, name: str) -> None:
        """List a portfolio under `name`, or give a listed one a new name."""
        owner = self.owners.get(name_key(name))
        if owner is not None and owner != portfolio_id.hex:
            raise DuplicateNameError(
                f"A portfolio named {self.names[owner]!r} already exists in this store (names "
                "ignore case). Choose another name."
            )
        if self.names.get(portfolio_id.hex) == name:
            return
        self._name_claimed(portfolio_id=portfolio_id, name=name)

    @event("NameClaimed")
    def _name_claimed(self, portfolio_id: UUID, name: str) -> None:
        old = self.names.get(portfolio_id.hex)
        if old is not None and self.owners.get(name_key(old)) == portfolio_id.hex:
            del self.owners[name_key(old)]  # (a store may list look-alike names held before)
        self.names[portfolio_id.hex] = name
        self.owners[name_key(name)] = portfolio_id.hex
