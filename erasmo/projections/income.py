"""Income: the cash dividends a portfolio received, per month and per year."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from erasmo.projections.frame import DIVIDEND


@dataclass(frozen=True, slots=True)
class Income:
    """Dividends received, by calendar month.

    Attributes:
        months: {(year, month): amount}, only months with a dividend.
        total: the sum of every dividend.
    """

    months: dict[tuple[int, int], float]
    total: float

    def years(self) -> list[int]:
        """The years with a dividend, oldest first."""
        return sorted({year for year, _ in self.months})

    def year_total(self, year: int) -> float:
        return sum(amount for (y, _), amount in self.months.items() if y == year)


def income(events: pd.DataFrame) -> Income:
    """The dividends among `events` (one portfolio's event frame, up to the moment shown)."""
    paid = events[events["type"].astype(str) == DIVIDEND]
    if paid.empty:
        return Income({}, 0.0)
    on = pd.DatetimeIndex(paid["on"])
    amounts = paid["amount"].astype(float).to_numpy()
    months: dict[tuple[int, int], float] = {}
    for year, month, amount in zip(on.year, on.month, amounts, strict=True):
        key = (int(year), int(month))
        months[key] = months.get(key, 0.0) + float(amount)
    rounded = {key: round(amount, 2) for key, amount in months.items()}
    return Income(rounded, round(float(amounts.sum()), 2))
