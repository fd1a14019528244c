"""A portfolio of ten thousand events: selecting it reads no history on the GUI thread.

Every stored event is decoded by `Portfolios.decode` (histories) or the mapper (aggregates); the
test counts each kind of decode by thread while the window selects the large portfolio.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from events.values import PriceProvenance
from gui.controllers.main import MainController

MakeWindow = Callable[..., MainController]
EVENTS = 10_000
DAY = date(2020, 1, 2)


def record_many(erasmo: Erasmo, events: int) -> UUID:
    """A simulation of `events` events: opened with cash, then one-share buys of KO."""
    app = erasmo.app
    portfolio_id = erasmo.door.open_portfolio(
        "Busy", "10000000", DAY, mode="simulation", commission="0", slippage_bps=0
    ).id
    portfolio = app.portfolio(portfolio_id)
    close = erasmo.market.bar("KO", DAY)
    assert close is not None
    provenance = PriceProvenance("bundled:skfolio", DAY, True)
    for n in range(events - portfolio.version):
        portfolio.buy("KO", Decimal(1), close.close, DAY, provenance, Decimal(0))
        if n % 2_000 == 1_999:
            app.save(portfolio)
    app.save(portfolio)
    assert app.portfolio(portfolio_id).version == events
    return portfolio_id


def test_selecting_a_large_portfolio_decodes_its_history_off_the_gui_thread(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = erasmo.door.open_portfolio("Small", "100", DAY).id
    busy = record_many(erasmo, EVENTS - 1)
    erasmo.door.place_order(busy, "buy", "KO", "1", kind="limit", limit="1", tif="gtc")
    c = make_window(erasmo)
    c.reload_portfolios(select=small)
    qtbot.waitUntil(lambda: c.history_model.rowCount() == 2, timeout=10_000)
    qtbot.waitUntil(lambda: not c.jobs.busy, timeout=10_000)

    gui_thread = threading.get_ident()
    decoded: Counter[str] = Counter()
    app = erasmo.app
    decode, to_domain_event = app.decode, app.mapper.to_domain_event

    def where() -> str:
        return "gui" if threading.get_ident() == gui_thread else "background"

    def counting_decode(topic: str, state: bytes) -> dict[str, Any]:
        decoded[f"{where()} history"] += 1
        return decode(topic, state)

    def counting_to_domain_event(stored: Any) -> Any:
        decoded[f"{where()} aggregate"] += 1
        return to_domain_event(stored)

    monkeypatch.setattr(app, "decode", counting_decode)
    monkeypatch.setattr(app.mapper, "to_domain_event", counting_to_domain_event)
    with qtbot.waitSignals([c.history_loaded, c.orders.loaded], timeout=60_000):
        c.window.sidebar.select(c.portfolios.index_of(c.portfolios.row_of(busy)))
    qtbot.waitUntil(lambda: not c.jobs.busy, timeout=10_000)

    assert c.history_model.rowCount() == EVENTS
    assert c.orders.model.rowCount() == 1  # its orders are read from the history: off-thread
    assert decoded["background history"] >= EVENTS  # the history was read, in the background
    assert decoded["gui history"] == 0
    # The GUI thread only rebuilds the head from its latest snapshot (one every 200 events).
    assert decoded["gui aggregate"] <= 2 * 200
