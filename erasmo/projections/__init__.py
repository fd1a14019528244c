"""The read side: pure projections of an event frame (and a price frame) into holdings, cash,
cost basis, P&L, daily value series and performance metrics. No I/O, no Qt, no store.

See `frame` for the event-frame contract and `metrics` for the performance conventions.
"""

from erasmo.projections.drawdown import Drawdown, drawdown
from erasmo.projections.frame import (
    EVENT_COLUMNS,
    EVENT_TYPES,
    EventFrameError,
    ProjectionError,
    as_of,
    check_event_frame,
    empty_event_frame,
    event_frame,
    price_table,
    trade_log,
)
from erasmo.projections.holdings import (
    HOLDING_COLUMNS,
    Snapshot,
    Summary,
    holdings,
    open_lots,
    realized_trades,
    snapshot,
    summary,
)
from erasmo.projections.irr import IrrResult, irr
from erasmo.projections.metrics import (
    BenchmarkComparison,
    Metrics,
    daily_returns,
    metrics,
    monthly_returns,
    performance,
)
from erasmo.projections.series import ValueSeries, cash_series, value_series
from erasmo.projections.state import METHODS, ProjectionState

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_TYPES",
    "HOLDING_COLUMNS",
    "METHODS",
    "BenchmarkComparison",
    "Drawdown",
    "EventFrameError",
    "IrrResult",
    "Metrics",
    "ProjectionError",
    "ProjectionState",
    "Snapshot",
    "Summary",
    "ValueSeries",
    "as_of",
    "cash_series",
    "check_event_frame",
    "daily_returns",
    "drawdown",
    "empty_event_frame",
    "event_frame",
    "holdings",
    "irr",
    "metrics",
    "monthly_returns",
    "open_lots",
    "performance",
    "price_table",
    "realized_trades",
    "snapshot",
    "summary",
    "trade_log",
    "value_series",
]
