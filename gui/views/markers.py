"""Trade markers that stay cheap to draw however many trades a portfolio holds.

pyqtgraph builds a Python object per scatter point in the GUI thread, so handing it thousands of
markers stalls the window for a good part of a second (and they would cover the line anyway).
A `ThinnedMarkers` keeps the markers as arrays and hands the scatter only what can be seen: all
of them while there are at most `cap`, else those inside the visible x-range while they are at
most `cap`, else none (zoom in to see them). Every marker handed over is one of the markers
given, at its own position: thinning leaves markers out, it never moves one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

#: At most this many markers of one kind are handed to a scatter at once.
MARKER_CAP = 400


class ThinnedMarkers:
    """One scatter's markers (x sorted ascending), handed over as described in the module."""

    def __init__(self, scatter: Any, cap: int = MARKER_CAP) -> None:
        self.scatter = scatter
        self.cap = cap
        self.x = np.asarray([], dtype=float)
        self.y = np.asarray([], dtype=float)
        self.data: list[Any] = []
        self._given: tuple[int, int] | None = None  # the slice the scatter holds now
        self.crowded = False  # the visible range holds more than `cap`: none are drawn

    def __len__(self) -> int:
        return len(self.x)

    def set(self, x: Sequence[float] | Any, y: Sequence[float] | Any, data: Sequence[Any]) -> None:
        """New markers (x ascending); all of them go to the scatter at once when few."""
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.data = list(data)
        self._given = None
        self.crowded = False
        self._give(0, len(self.x) if len(self.x) <= self.cap else 0)

    def show_range(self, x0: float, x1: float) -> None:
        """The chart shows [x0, x1]: hand over the markers in it (or all, when few)."""
        if len(self.x) <= self.cap:
            self.crowded = False
            self._give(0, len(self.x))
            return
        lo = int(np.searchsorted(self.x, x0, side="left"))
        hi = int(np.searchsorted(self.x, x1, side="right"))
        self.crowded = hi - lo > self.cap
        self._give(lo, lo if self.crowded else hi)

    def _give(self, lo: int, hi: int) -> None:
        if self._given == (lo, hi):
            return
        self._given = (lo, hi)
        self.scatter.setData(x=self.x[lo:hi], y=self.y[lo:hi], data=self.data[lo:hi])
