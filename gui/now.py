"""The one "now" of a portfolio, as every part of the window names it.

A simulation's now is its clock; a live portfolio's is the latest market date of the data
(the day Holdings values it at), never the date of its latest event. The status bar, the
trade ticket and the order ticket all say it with `now_phrase`. No Qt.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from erasmo.door import FrontDoor
    from erasmo.door.models import PortfolioHead


def market_now(door: FrontDoor, head: PortfolioHead) -> date:
    """The portfolio's market date: its clock in simulation, else the latest data (as
    `FrontDoor.clock`, from a head already read)."""
    if head.simulated:
        return head.clock
    return max(head.clock, door.market.latest_date())


def now_phrase(simulated: bool, day: date) -> str:
    """ "Simulation date 2022-06-01" or "Market date 2022-12-28"."""
    return f"{'Simulation' if simulated else 'Market'} date {day.isoformat()}"
