"""Weights by sector: the bundled sector map (resources/sectors) and the grouping of a
portfolio's weights by it."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import cache
from pathlib import Path

#: The sector of a ticker the map does not know.
UNCLASSIFIED = "Unclassified"
#: The label of the cash slice (kept apart: cash has no sector).
CASH = "Cash"


def sector_file() -> Path:
    """The bundled sector map (`resources/sectors/sectors.csv`)."""
    from erasmo.market.resources import resources_dir

    return resources_dir() / "sectors" / "sectors.csv"


@cache
def sector_map() -> dict[str, str]:
    """Ticker → sector for the bundled stocks (empty when the map is not installed)."""
    try:
        with sector_file().open(newline="", encoding="utf-8") as handle:
            return {
                row["ticker"].strip().upper(): row["sector"].strip()
                for row in csv.DictReader(handle)
            }
    except FileNotFoundError:
        return {}


def by_sector(
    slices: Iterable[tuple[str, float, float]], sectors: dict[str, str] | None = None
) -> list[tuple[str, float, float]]:
    """(sector, weight, value) of (ticker, weight, value) slices, summed per sector, largest
    first; cash stays its own slice and tickers the map lacks go under UNCLASSIFIED."""
    known = sector_map() if sectors is None else sectors
    weights: dict[str, float] = {}
    values: dict[str, float] = {}
    for label, weight, value in slices:
        group = CASH if label == CASH else known.get(label.upper(), UNCLASSIFIED)
        weights[group] = weights.get(group, 0.0) + weight
        values[group] = values.get(group, 0.0) + value
    grouped = [(group, weights[group], values[group]) for group in weights]
    return sorted(grouped, key=lambda s: s[1], reverse=True)
