"""Recording what-if branches: a new portfolio whose history starts as a copy of another's.

A branch is opened on its parent's opening date, marked with `BranchForked` (the parent's id,
name, version and log position at the fork), then given the parent's events up to that point
again, with its catalog entry, in one transaction: it is recorded whole or not at all.
`Portfolios` inherits these methods.

The recorded log position is true only in the store where the fork was made: an exported log
imported elsewhere (or synced) gets other positions. The parent's version travels with the log,
so the fork point's position in any store is looked up by (parent id, version):
`fork_position`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from events.audit import AuditedEvent, audit_portfolio
from events.errors import DeletedPortfolioError, ForkPointError, UnknownPortfolioError
from events.host import PortfoliosHost, remember
from events.logged import LoggedEvent
from events.portfolio import PORTFOLIO_TOPICS, Portfolio

#: The stored topic of `BranchForked` events (what `branches()` looks for in the log).
BRANCH_FORKED_TOPIC = next(t for t, name in PORTFOLIO_TOPICS.items() if name == "BranchForked")


class BranchRecording:
    """The branch side of `Portfolios` (a mixin: every method runs on a `Portfolios`)."""

    def fork(self: PortfoliosHost, parent_id: UUID, new_name: str, at_seq: int) -> UUID:
        """Open `new_name` as a branch of a portfolio after its event at log position `at_seq`.

        The branch holds the parent's events up to that one (not its opening, renames, closing
        or own fork mark), then diverges freely; the parent is not touched. Returns its id.
        """

        def command() -> UUID:
            history = self.history(parent_id)
            if not history:
                raise UnknownPortfolioError(f"No portfolio has the id {parent_id}.")
            name = _name_of(history)
            if _deleted(history):
                raise DeletedPortfolioError(
                    f"Portfolio {name!r} was deleted and cannot be forked. Undelete it first: "
                    f"erasmo portfolio undelete {parent_id}"
                )
            copied = fork_prefix(history, at_seq, name)
            _check_parent_history(copied, name)
            opening = copied[0]
            catalog = self._catalog()
            branch = Portfolio.open(new_name, opening.on, opening.fields["currency"])
            branch.record_fork(parent_id, name, copied[-1].version, at_seq)
            for event in copied[1:]:
                branch.copy_parent_event(event.type, {**event.fields, "on": event.on})
            catalog.claim(branch.id, branch.name)
            # One insert of every event, then one snapshot if the branch is long: saving
            # through the application would snapshot it at every interval it crosses.
            stored = [self.mapper.to_stored_event(e) for e in branch.collect_events()]
            stored += [self.mapper.to_stored_event(e) for e in catalog.collect_events()]
            self._insert(stored, "nothing was recorded")
            remember(self, branch, 0)
            return branch.id

        return self._retry(command)

    def fork_marks(self: PortfoliosHost) -> dict[UUID, dict[str, Any]]:
        """Every branch in the store -> the fields of its `BranchForked` (parent_id,
        parent_name, parent_version, parent_seq, on)."""
        return _fork_marks(self)

    def fork_position(self: PortfoliosHost, parent_id: UUID, parent_version: int) -> int | None:
        """The log position, in this store, of the parent's event a branch was forked after
        (None when the parent is not in this store)."""
        return self.reader.position(parent_id, parent_version)

    def branches(self: PortfoliosHost) -> dict[UUID, UUID]:
        """Every branch in the store -> the portfolio it was forked from.

        The parent may not be in this store (a branch imported or synced without it).
        """
        return {child: mark["parent_id"] for child, mark in _fork_marks(self).items()}


def _fork_marks(app: PortfoliosHost) -> dict[UUID, dict[str, Any]]:
    marks: dict[UUID, dict[str, Any]] = {}
    # A fork mark may only follow the opening (`events.rules.forks`): it is version 2 of a
    # branch, found by one lookup per aggregate instead of a scan of the whole log.
    for raw in app.reader.at_version(2, [BRANCH_FORKED_TOPIC]):
        fields = app.decode(raw.topic, raw.state)
        marks[raw.originator_id] = {
            k: fields[k] for k in ("parent_id", "parent_name", "parent_version", "parent_seq", "on")
        }
    return marks


def fork_prefix(history: list[LoggedEvent], at_seq: int, name: str) -> list[LoggedEvent]:
    """The events of portfolio `name` (its `history`) up to and including the one at log
    position `at_seq`; `ForkPointError` unless that is one of them."""
    seqs = [e.seq for e in history]
    if at_seq < seqs[0]:
        raise ForkPointError(
            f"Log position {at_seq} is before {name!r} was opened (at {seqs[0]}). Pick one of "
            f"its events from 'erasmo history {name}'."
        )
    if at_seq > seqs[-1]:
        raise ForkPointError(
            f"Log position {at_seq} is after the latest event of {name!r} (at {seqs[-1]}). Pick "
            f"one of its events from 'erasmo history {name}'."
        )
    count = sum(1 for s in seqs if s <= at_seq)
    if seqs[count - 1] != at_seq:
        after = seqs[count] if count < len(seqs) else None
        raise ForkPointError(
            f"Log position {at_seq} is not an event of {name!r} (another portfolio's, or the "
            f"catalog's); its nearest events are at {seqs[count - 1]} and {after}. Pick one of "
            f"them from 'erasmo history {name}'."
        )
    return history[:count]


def _name_of(history: list[LoggedEvent]) -> str:
    """The portfolio's name now: its opening's, or its latest rename's."""
    named = [e for e in history if e.type in ("PortfolioOpened", "PortfolioRenamed")]
    return str(named[-1].fields["name"])


def _deleted(history: list[LoggedEvent]) -> bool:
    marks = [e.type for e in history if e.type in ("PortfolioDeleted", "PortfolioUndeleted")]
    return bool(marks) and marks[-1] == "PortfolioDeleted"


def _check_parent_history(copied: list[LoggedEvent], name: str) -> None:
    """Copy nothing from a history that breaks the rules (a damaged or hand-edited store)."""
    problems = audit_portfolio(
        AuditedEvent(e.version, e.type, {**e.fields, "on": e.on}) for e in copied
    )
    if problems:
        first = problems[0]
        raise ForkPointError(
            f"The history of {name!r} breaks a rule at its event {first.version} "
            f"({first.event_type}: {first.message}), so it cannot be forked. Run 'erasmo check'."
        )
