"""Item-data roles shared by erasmo's models."""

from __future__ import annotations

from PySide6.QtCore import Qt

#: The raw value behind a cell (for sorting and for tests).
RAW = Qt.ItemDataRole.UserRole + 1
#: True on a totals row (it stays at the bottom whatever the sort).
TOTAL = Qt.ItemDataRole.UserRole + 2
#: The portfolio id of a sidebar row.
PORTFOLIO_ID = Qt.ItemDataRole.UserRole + 3
#: True on a holding whose latest price is stale (older than its source should have).
STALE = Qt.ItemDataRole.UserRole + 5
