"""The catalog: the store's one list of portfolios and the guard of unique names.

Names must be unique per store, ignoring case. Checking that by reading every portfolio would race
with a second writer; instead every open and rename also records an event on this single
aggregate, so two writers claiming one name collide on its version and one of them fails.

A deleted portfolio is released from the list (its name is free again) and kept apart under the
name it had, so it can be found to be undeleted.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from events.errors import DuplicateNameError
from events.values import name_key

#: The catalog's fixed id: every store has exactly one catalog.
CATALOG_ID = uuid5(UUID("6f1d0b9e-0c1c-4f4e-9d8a-6b1f3f2a9c10"), "erasmo-portfolio-catalog")
_NONE_DELETED: dict[str, str] = {}


class Catalog(Aggregate):
    """Portfolio ids and their current names.

    Attributes:
        names: portfolio id (hex) -> current name.
        owners: name key (case-folded) -> portfolio id (hex).
        deleted: portfolio id (hex) -> the name it had, for deleted portfolios (not listed).
    """

    # A class default (not a field), so catalogs and snapshots from before deletes still load;
    # replaced on every change, never mutated in place.
    deleted = _NONE_DELETED

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

    def release(self, portfolio_id: UUID, name: str) -> None:
        """Take a deleted portfolio off the list, freeing its name; remember it as deleted."""
        if self.deleted.get(portfolio_id.hex) == name and portfolio_id.hex not in self.names:
            return
        self._name_released(portfolio_id=portfolio_id, name=name)

    @event("NameClaimed")
    def _name_claimed(self, portfolio_id: UUID, name: str) -> None:
        old = self.names.get(portfolio_id.hex)
        if old is not None and self.owners.get(name_key(old)) == portfolio_id.hex:
            del self.owners[name_key(old)]  # (a store may list look-alike names held before)
        self.names[portfolio_id.hex] = name
        self.owners[name_key(name)] = portfolio_id.hex
        if portfolio_id.hex in self.deleted:
            self.deleted = {k: v for k, v in self.deleted.items() if k != portfolio_id.hex}

    @event("NameReleased")
    def _name_released(self, portfolio_id: UUID, name: str) -> None:
        old = self.names.pop(portfolio_id.hex, None)
        if old is not None:
            del self.owners[name_key(old)]
        self.deleted = {**self.deleted, portfolio_id.hex: name}
