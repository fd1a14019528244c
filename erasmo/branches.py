"""What-if branches, comparisons and the leaderboard: the service the CLI and the GUI call.

`fork` records a branch (write side, no pandas); `compare`, `leaderboard` and `value_lines`
read the analytics (pandas, loaded on first use). Every metric is the analytics' own
(`Analytics.performance`): nothing here computes finance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from events.application import LoggedEvent, Portfolios
from events.branches import fork_prefix
from events.dryrun import dry_running
from events.errors import ForkPointError, InvalidInputError
from events.portfolio import Portfolio
from events.values import name_key, parse_date

if TYPE_CHECKING:
    import pandas as pd

    from erasmo.analytics import Analytics


@dataclass(frozen=True, slots=True)
class ForkReceipt:
    """What `BranchService.fork_with_receipt` recorded.

    Attributes:
        id: the branch's id.
        name: the branch's name.
        parent: the parent's name.
        point: the parent's event the branch was forked after.
        copied: how many of the parent's events the branch holds again.
    """

    id: UUID
    name: str
    parent: str
    point: LoggedEvent
    copied: int


@dataclass(frozen=True, slots=True)
class BranchInfo:
    """A branch and where it came from.

    Attributes:
        id, name: the branch.
        parent_id: the portfolio it was forked from.
        parent_name: that portfolio's name now, or the name it had at the fork when it is not
            in this store.
        parent_present: whether the parent is in this store.
        parent_version: the parent's event the branch was forked after: its version (the
            same in every store the log travels to).
        parent_seq: that event's log position in this store (None when the parent is not in
            it); the position recorded at the fork is true only in the store it was made in.
    """

    id: UUID
    name: str
    parent_id: UUID
    parent_name: str
    parent_present: bool
    parent_version: int
    parent_seq: int | None


class BranchService:
    """Forks portfolios into what-if branches and compares portfolios side by side."""

    def __init__(self, app: Portfolios, analytics: Callable[[], Analytics]) -> None:
        self.app = app
        self._analytics = analytics

    # -- branches -------------------------------------------------------------------------

    def fork(
        self,
        parent_id: UUID,
        new_name: str,
        at_seq: int | None = None,
        *,
        at_version: int | None = None,
        on: str | date | None = None,
    ) -> UUID:
        """Open `new_name` as a branch of a portfolio after one of its events; returns its id.

        The fork point is the event at log position `at_seq` (see 'erasmo history'), or the
        event with version `at_version`, or the last event on or before market date `on`;
        none of them: the latest event. Nothing is recorded when any of them is not one of
        the portfolio's events, or when `new_name` is taken (`DuplicateNameError`).
        """
        return self.fork_with_receipt(parent_id, new_name, at_seq, at_version=at_version, on=on).id

    def fork_with_receipt(
        self,
        parent_id: UUID,
        new_name: str,
        at_seq: int | None = None,
        *,
        at_version: int | None = None,
        on: str | date | None = None,
    ) -> ForkReceipt:
        """`fork`, returning what was recorded."""
        return self.fork_branch(parent_id, new_name, at_seq, at_version=at_version, on=on)[0]

    def fork_branch(
        self,
        parent_id: UUID,
        new_name: str,
        at_seq: int | None = None,
        *,
        at_version: int | None = None,
        on: str | date | None = None,
        dry_run: bool = False,
    ) -> tuple[ForkReceipt, Portfolio]:
        """`fork`, returning what was recorded and the branch as forked (with `dry_run`: what
        would be, recording nothing; the branch's id is then one never recorded)."""
        point = self.fork_point(parent_id, at_seq, at_version=at_version, on=on)
        with self.app.dry_run(dry_run) as run:
            branch_id = self.app.fork(parent_id, new_name, point.seq)
        if dry_run or dry_running():
            branch = _replayed(self.app, [s for s in run.stored if s.originator_id == branch_id])
        else:
            branch = self.app.portfolio(branch_id)
        receipt = ForkReceipt(
            id=branch_id,
            name=branch.name,
            parent=self.app.portfolio(parent_id).name,
            point=point,
            copied=branch.version - 2,
        )
        return receipt, branch

    def fork_point(
        self,
        portfolio_id: UUID,
        at_seq: int | None = None,
        *,
        at_version: int | None = None,
        on: str | date | None = None,
    ) -> LoggedEvent:
        """The portfolio's event a fork would start after (see `fork`)."""
        given = [x is not None for x in (at_seq, at_version, on)]
        if sum(given) > 1:
            raise InvalidInputError(
                "Give one fork point: a log position (--at), a version (--at-version) or a "
                "date (--on)."
            )
        history = self.app.history(portfolio_id)
        name = self.app.portfolio(portfolio_id).name
        if at_seq is not None:
            return fork_prefix(history, at_seq, name)[-1]
        if at_version is not None:
            if not 1 <= at_version <= len(history):
                raise ForkPointError(
                    f"{name!r} has versions 1 to {len(history)}; version {at_version} is not "
                    f"one of them. See 'erasmo history {name} --json'."
                )
            return history[at_version - 1]
        if on is not None:
            day = parse_date(on)
            before = [e for e in history if e.on <= day]
            if not before:
                raise ForkPointError(
                    f"{name!r} was opened on {history[0].on}, after {day}. Fork on "
                    f"{history[0].on} or later."
                )
            return before[-1]
        return history[-1]

    def branches(self) -> dict[UUID, UUID]:
        """Every branch in the store -> the portfolio it was forked from (which may be absent
        from this store, e.g. a branch imported without its parent)."""
        return self.app.branches()

    def branch_list(self) -> list[BranchInfo]:
        """Every branch with its parent, sorted by branch name."""
        listed = {s.id: s.name for s in self.app.summaries()}
        infos = [
            BranchInfo(
                id=child,
                name=listed.get(child, str(child)),
                parent_id=mark["parent_id"],
                parent_name=listed.get(mark["parent_id"], mark["parent_name"]),
                parent_present=mark["parent_id"] in listed,
                parent_version=mark["parent_version"],
                parent_seq=self.app.fork_position(mark["parent_id"], mark["parent_version"]),
            )
            for child, mark in self.app.fork_marks().items()
            if child in listed  # a deleted branch is not listed
        ]
        return sorted(infos, key=lambda b: name_key(b.name))

    # -- comparing ------------------------------------------------------------------------

    def compare(
        self,
        portfolio_ids: Sequence[UUID],
        start: str | date | None = None,
        end: str | date | None = None,
    ) -> pd.DataFrame:
        """One row of metrics per portfolio over their common period (see
        `erasmo.comparison.compare`)."""
        from erasmo.comparison import compare

        return compare(self._analytics(), self._named(portfolio_ids), _day(start), _day(end))

    def leaderboard(
        self, start: str | date | None = None, end: str | date | None = None
    ) -> pd.DataFrame:
        """Every open portfolio ranked by TTWROR over a common period (see
        `erasmo.comparison.leaderboard`)."""
        from erasmo.comparison import leaderboard

        listed = [(s.id, s.name) for s in self.app.summaries() if not s.closed]
        return leaderboard(self._analytics(), listed, _day(start), _day(end))

    def value_lines(
        self,
        portfolio_ids: Sequence[UUID],
        start: str | date | None = None,
        end: str | date | None = None,
        *,
        relative: bool = False,
    ) -> pd.DataFrame:
        """The daily total value of each portfolio over their common period (dates x names),
        or with `relative` its wealth index 1 + TTWROR, for an overlay chart."""
        from erasmo.comparison import value_lines

        return value_lines(
            self._analytics(),
            self._named(portfolio_ids),
            _day(start),
            _day(end),
            relative=relative,
        )

    def _named(self, portfolio_ids: Sequence[UUID]) -> list[tuple[UUID, str]]:
        """Each portfolio once (in the order given), with its name."""
        if not portfolio_ids:
            raise InvalidInputError("Name at least one portfolio to compare.")
        resolved: dict[UUID, str] = {}
        for portfolio_id in portfolio_ids:
            resolved.setdefault(portfolio_id, self.app.portfolio(portfolio_id).name)
        return list(resolved.items())


def _replayed(app: Portfolios, stored: Sequence[StoredEvent]) -> Portfolio:
    """A portfolio from stored events not recorded (a dry run's)."""
    aggregate: Any = None
    for event in stored:
        domain_event: Any = app.mapper.to_domain_event(event)
        aggregate = domain_event.mutate(aggregate)
    assert isinstance(aggregate, Portfolio)
    return aggregate


def _day(value: str | date | None) -> date | None:
    return None if value is None else parse_date(value)
