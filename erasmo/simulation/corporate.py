"""Corporate actions reaching a portfolio whose clock moves over their ex-dates."""

from __future__ import annotations

from decimal import Decimal

from erasmo.market.base import CorporateAction
from events.errors import CorporateActionError
from events.portfolio import Portfolio

ZERO = Decimal(0)


def apply_action(p: Portfolio, action: CorporateAction) -> bool:
    """Record `action` if the portfolio holds its ticker now (at the close of the day before
    its ex-date, as the outcomes are applied in date order); False when it does not."""
    if p.shares.get(action.ticker, ZERO) == 0 or p.has_action(
        action.ticker, action.kind, action.day
    ):
        return False
    try:
        if action.kind == "split" and action.ratio is not None:
            p.split(action.ticker, action.ratio, action.day)
        elif action.kind == "dividend" and action.amount is not None:
            p.receive_dividend(action.ticker, action.amount, action.day)
        else:
            return False
    except CorporateActionError:
        return False  # e.g. a reverse split leaving less than a millionth of a share
    return True
