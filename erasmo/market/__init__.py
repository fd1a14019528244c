"""Market data: daily bars per ticker from the bundled history (and, later, Yahoo).

This package must not import pandas at module level: the write path (`erasmo buy`) uses it.
"""

from erasmo.market.base import Bar, CorporateAction, MarketData, TickerInfo

__all__ = ["Bar", "CorporateAction", "MarketData", "TickerInfo"]
