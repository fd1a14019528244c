"""A margin account in the real window: the tickets show its buying power and offer "Sell
short"; the holdings show a short position (negative quantity and market value, its unrealized
P&L and the margin it uses). Expected figures come from the bundled bars, by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.analysis import Snapshot
from gui.controllers.main import MainController
from gui.models.roles import RAW

MakeWindow = Callable[..., MainController]
OPENED = date(2010, 3, 1)


def margin_window(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, account: str = "margin"
) -> tuple[MainController, UUID]:
    head = erasmo.door.open_portfolio("Sim", "10000", OPENED, mode="simulation", account=account)
    c = make_window(erasmo)
    qtbot.waitUntil(lambda: c.history_model.rowCount() >= 2, timeout=10_000)
    return c, head.id


def test_the_order_ticket_shows_buying_power_and_sells_short(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c, _ = margin_window(qtbot, erasmo, make_window)
    ticket = c.open_order_ticket()
    assert ticket is not None
    v = ticket.view
    # Nothing held: buying power = (equity 10,000 - requirement 0) / initial margin 0.5.
    assert v.portfolio.text().startswith("Sim — 20,000.00 USD of buying power")
    assert not v.short.isHidden()
    v.short.setChecked(True)
    assert ticket.side == "sell"  # the door sells; more than held opens a short
    v.ticker.setText("IBM")
    v.quantity.setText("10")
    assert v.ok.isEnabled(), v.message.text()
    assert v.ok.text() == "Place sell short order"
    text = v.message.text()
    assert "Sell short 10 IBM, market, DAY" in text
    assert "sells 10 short" in text
    assert "Buying power: 20,000.00 USD." in text
    qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    assert ticket.order is not None
    assert ticket.order.side == "sell"


def test_a_cash_account_offers_no_short_sale(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c, _ = margin_window(qtbot, erasmo, make_window, account="cash")
    ticket = c.open_order_ticket()
    assert ticket is not None
    assert ticket.view.short.isHidden()
    assert "10,000.00 USD available" in ticket.view.portfolio.text()
    trade = c.open_trade_ticket()
    assert trade is not None
    assert trade.view.short.isHidden()
    assert "buying power" not in trade.view.portfolio.text()


def test_the_trade_ticket_sells_short_in_a_margin_account(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c, pid = margin_window(qtbot, erasmo, make_window)
    trade = c.open_trade_ticket(side="short", ticker="IBM")
    assert trade is not None
    v = trade.view
    assert "buying power 20,000.00" in v.portfolio.text()
    assert v.short.isChecked()
    assert not v.all_shares.isVisible()
    v.quantity.setText("10")
    assert v.ok.isEnabled(), v.message.text()
    assert v.ok.text() == "Sell short"
    assert v.position_after.text() == "\u221210 IBM"  # a minus sign
    qtbot.mouseClick(v.ok, Qt.MouseButton.LeftButton)
    assert erasmo.door.head(pid).quantity("IBM") == -10


def test_holdings_show_a_short_with_the_margin_it_uses(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    pid = door.open_portfolio("Short", "10000", OPENED, mode="simulation", account="margin").id
    door.sell(pid, "IBM", "10")  # at the close of 2010-03-01
    door.advance(pid, days=2)  # valued at the close of 2010-03-03
    bars = door.market.bars("IBM", OPENED, date(2010, 3, 3))
    sold, last = float(bars[0].close), float(bars[-1].close)
    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=pid)
    qtbot.waitUntil(
        lambda: (
            isinstance(c.analysis.last_snapshot, Snapshot)
            and c.analysis.last_snapshot.portfolio == pid
        ),
        timeout=30_000,
    )
    model = c.analysis.model
    row = model.tickers().index("IBM")

    def raw(key: str) -> object:
        return model.index(row, model.column_of(key)).data(RAW)

    assert raw("quantity") == pytest.approx(-10)
    assert raw("market_value") == pytest.approx(-10 * last)
    assert raw("unrealized_pnl") == pytest.approx(-10 * (last - sold))  # a short gains on falls
    # initial margin x |value|, to the cent half-up (as the CLI's holdings)
    used = float((Decimal("0.5") * 10 * bars[-1].close).quantize(Decimal("0.01"), ROUND_HALF_UP))
    assert raw("margin_used") == used
    table = c.window.holdings.table
    assert not table.isColumnHidden(model.column_of("margin_used"))
    totals = model.rowCount() - 1
    assert model.index(totals, model.column_of("margin_used")).data(RAW) == used


def shown(qtbot: QtBot, c: MainController, pid: UUID) -> None:
    """Select `pid` and wait until the analysis tabs show its latest state."""
    c.reload_portfolios(select=pid)
    qtbot.waitUntil(
        lambda: (
            isinstance(c.analysis.last_snapshot, Snapshot)
            and c.analysis.last_snapshot.portfolio == pid
            and c.analysis.last_snapshot.as_of.seq == erasmo_last_seq(c, pid)
        ),
        timeout=30_000,
    )


def erasmo_last_seq(c: MainController, pid: UUID) -> int:
    return c.erasmo.door.history(pid)[-1].seq


def test_an_open_margin_call_shows_a_banner_above_the_holdings(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    door = erasmo.door
    start = date(2008, 9, 2)
    (first,) = door.market.bars("BAC", start, start)
    quantity = int(18000 / first.close)  # ~18,000 of BAC on 10,000 of equity: leveraged
    pid = door.open_portfolio("Lev", "10000", start, mode="simulation", account="margin").id
    door.buy(pid, "BAC", str(quantity))  # at the close of 2008-09-02; interest 8% a year
    while not any(e.type == "MarginCalled" for e in door.history(pid)):
        door.advance(pid)  # one close at a time, until one is below the maintenance margin
        assert door.clock(pid) < date(2008, 12, 31)
    events = door.history(pid)
    (call,) = [e for e in events if e.type == "MarginCalled"]
    assert call.on == door.clock(pid)  # the call is open: made at the close the clock is on
    equity, requirement = Decimal(call.fields["equity"]), Decimal(call.fields["requirement"])
    # independently: cash plus the long at the day's close, and 25% of the long's value
    (bar,) = door.market.bars("BAC", call.on, call.on)
    value = quantity * bar.close
    assert equity == (door.head(pid).cash + value).quantize(Decimal("0.01"))
    assert requirement == (value / 4).quantize(Decimal("0.01"))
    assert equity < requirement
    interest = sum(Decimal(e.fields["interest"]) for e in events if e.type == "MarginCharged")

    c = make_window(erasmo, analysis=True)
    shown(qtbot, c, pid)
    banner = c.window.holdings.margin_call
    assert not banner.isHidden()
    assert banner.text() == (
        f"MARGIN CALL {call.on}: equity {equity:,.2f} below the maintenance margin "
        f"{requirement:,.2f}; unless met, positions are sold at the next open.\n"
        f"Margin interest charged {interest:,.2f}, borrow fees 0.00."
    )
    assert c.colors.loss.name() in banner.styleSheet()

    # travelling back in time to before the call: the banner speaks of now only, so it goes
    qtbot.waitUntil(lambda: c.history_model.rowCount() == len(events), timeout=10_000)
    rows = c.history_model.rows()
    c.window.replay.slider.setValue(next(i for i, r in enumerate(rows) if r.version == 2))
    qtbot.waitUntil(
        lambda: (
            isinstance(c.analysis.last_snapshot, Snapshot)
            and c.analysis.last_snapshot.as_of.version == 2
        ),
        timeout=30_000,
    )
    assert banner.isHidden()

    # a cash account never shows it
    cash = door.open_portfolio("Cash", "10000", start, mode="simulation").id
    door.buy(cash, "BAC", "100")
    shown(qtbot, c, cash)
    assert banner.isHidden()

    # back on the margin account, the next close meets the call or sells: the banner goes
    shown(qtbot, c, pid)
    assert not banner.isHidden()
    door.advance(pid)
    assert call.on < door.clock(pid)
    shown(qtbot, c, pid)
    assert banner.isHidden()
