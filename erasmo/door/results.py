"""What a command left: the portfolio as stored after it, or as a dry run would leave it."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from events.dryrun import DryRun, dry_running
from events.portfolio import Portfolio

if TYPE_CHECKING:
    from events.application import Portfolios


def changed(app: Portfolios, run: DryRun, portfolio_id: UUID, dry_run: bool) -> Portfolio:
    """The portfolio as a command left it: as stored, or for a dry run (`run`) as it would be."""
    if dry_run or dry_running():
        for aggregate in reversed(run.aggregates):
            if isinstance(aggregate, Portfolio) and aggregate.id == portfolio_id:
                return aggregate
    return app.portfolio(portfolio_id)
