"""What-if branches: a portfolio whose history starts as a copy of another's.

A branch is opened on the parent's opening date, then `BranchForked` says where it came from,
then the parent's events are recorded again (same fields, same market dates), then its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from events.errors import ForkPointError
from events.rules.book import Book, broken
from events.rules.status import check_open, check_open_and_clock
from events.values import parse_name

#: Events that may be dated before the portfolio's clock (corporate actions recorded late).
LATE_EVENTS = frozenset(("SplitApplied", "DividendReceived"))

#: A parent's events a branch does not copy: it has its own opening and name, stays open, and
#: names only its own parent (a fork of a fork reaches the grandparent through the parent).
NOT_COPIED_TO_BRANCHES = frozenset(
    (
        "PortfolioOpened",
        "PortfolioRenamed",
        "PortfolioClosed",
        "BranchForked",
        *("PortfolioReopened", "PortfolioDeleted", "PortfolioUndeleted"),
        "NoteAdded",  # names the parent's events by version, which the branch's are not
    )
)


def checked_fork(
    p: Book, parent_id: UUID, parent_name: str, parent_version: int, parent_seq: int
) -> dict[str, Any]:
    """The fields of a BranchForked, once `p` was just opened and the fork point is valid."""
    if p.version != 1:
        raise broken(
            ForkPointError(
                f"{p.name!r} already has events: only a portfolio just opened can become a "
                "branch. Fork into a new name instead."
            ),
            "BranchForked may only follow PortfolioOpened",
        )
    parent_name = parse_name(parent_name)
    problems = []
    claimed: object = parent_id  # a log may hold anything there
    if not isinstance(claimed, UUID):
        problems.append("its parent_id is not a UUID")
    elif parent_id == p.id:
        problems.append("it names the branch itself as its parent")
    for key, value in (("parent_version", parent_version), ("parent_seq", parent_seq)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(f"its {key} {value!r} is not a positive whole number")
    if problems:
        raise broken(
            ForkPointError(
                f"A branch must come from another portfolio's event (got version "
                f"{parent_version} at seq {parent_seq} of {parent_id}). See 'erasmo history'."
            ),
            *problems,
        )
    return {
        "parent_id": parent_id,
        "parent_name": parent_name,
        "parent_version": parent_version,
        "parent_seq": parent_seq,
        "on": p.opened_on,
    }


def copies(p: Book, event_type: str, fields: dict[str, Any]) -> bool:
    """Whether a branch records the parent's event of `event_type` again (False for those
    in `NOT_COPIED_TO_BRANCHES`), once it may."""
    if event_type in NOT_COPIED_TO_BRANCHES:
        return False
    if p.parent_id is None:
        raise ForkPointError(f"{p.name!r} is not a branch: record the fork before copying events.")
    if event_type in LATE_EVENTS:
        # a split or dividend may be recorded after later events (see
        # `events.rules.actions.check_action`): the parent's log passed that rule, and the
        # branch holds what the parent held then
        check_open(p)
    else:
        # `market`: a copy replays what the parent recorded, fills and clock steps included,
        # which a simulation's clock rule for typed commands would refuse
        check_open_and_clock(p, fields["on"], market=True)
    return True


# -- effects -------------------------------------------------------------------------------


def forked(
    self: Book, parent_id: UUID, parent_name: str, parent_version: int, parent_seq: int, on: date
) -> None:
    self.parent_id = parent_id
