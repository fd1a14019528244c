"""Opening a new SQLite store while something holds on to the frames of the code that opened it.

A sampling profiler (a dask worker has one) keeps the frames it samples alive for a moment, and
with them their local variables. A statement left unread in such a local must not stay open on a
pooled connection: the store's first commit would fail with "SQL statements in progress".
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from events.application import Portfolios
from events.store import StoreConfig


@pytest.fixture
def frames_kept() -> Iterator[list[FrameType]]:
    """Every frame that returns stays referenced until the test ends."""
    kept: list[FrameType] = []

    def keep(frame: FrameType, event: str, arg: Any) -> None:
        if event == "return":
            kept.append(frame)

    previous = sys.getprofile()
    sys.setprofile(keep)
    try:
        yield kept
    finally:
        sys.setprofile(previous)
        kept.clear()


@pytest.mark.parametrize("durable", [True, False], ids=["durable", "scratch"])
def test_a_new_store_opens_and_records_while_frames_are_kept(
    tmp_path: Path, frames_kept: list[FrameType], durable: bool
) -> None:
    path = tmp_path / "events.sqlite"
    app = Portfolios(replace(StoreConfig.sqlite(path), durable=durable))
    try:
        portfolio_id = app.open_portfolio("Kept", date(2020, 1, 2), Decimal("1000"))
        assert frames_kept, "the profiler saw no frame: the test would prove nothing"
    finally:
        app.close()
    sys.setprofile(None)
    again = Portfolios(StoreConfig.sqlite(path))
    try:
        assert again.portfolio(portfolio_id).cash == Decimal("1000")
    finally:
        again.close()
