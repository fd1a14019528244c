"""The trading journal's read side: round-trip trades and their statistics.

Pure projections of one portfolio's event frame (what `Analytics.portfolio_events` returns) and
the market's daily bars; no I/O beyond the market, no Qt. Conventions in docs/journal.md.
"""

from erasmo.journal.stats import (
    TradeStatistics,
    ValueStatistics,
    monthly_pnl,
    statistics_by,
    trade_statistics,
    value_statistics,
)
from erasmo.journal.trades import (
    GROUPS,
    TRADE_COLUMNS,
    TradeGroupingError,
    empty_trades,
    round_trips,
)

__all__ = [
    "GROUPS",
    "TRADE_COLUMNS",
    "TradeGroupingError",
    "TradeStatistics",
    "ValueStatistics",
    "empty_trades",
    "monthly_pnl",
    "round_trips",
    "statistics_by",
    "trade_statistics",
    "value_statistics",
]
