"""The sidebar's value and return: filled in for a first portfolio, whatever it holds.

The expected figures are computed here from the write side's record (the events' cash flows,
quantities and prices) and the market's closes, never from the analytics that fill the sidebar.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.controllers.main import MainController

MakeWindow = Callable[..., MainController]
FLOWS = {"CashDeposited": 1, "CashWithdrawn": -1}


def loaded(qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow) -> MainController:
    """A window over `erasmo` whose analytics are loaded (and have valued what was there)."""
    c = make_window(erasmo, analysis=True)
    qtbot.waitUntil(lambda: c.analysis.performance is not None, timeout=30_000)
    return c


def shown(c: MainController, portfolio_id: UUID) -> tuple[str, str]:
    """The sidebar's value and return texts of a portfolio."""
    row = c.portfolios.row_of(portfolio_id)
    model = c.portfolios
    return model.index_of(row, model.COL_VALUE).data(), model.index_of(row, model.COL_RETURN).data()


def wait_valued(qtbot: QtBot, c: MainController, portfolio_id: UUID) -> tuple[str, str]:
    qtbot.waitUntil(lambda: c.portfolios.row_of(portfolio_id) >= 0, timeout=30_000)
    qtbot.waitUntil(lambda: "…" not in shown(c, portfolio_id), timeout=30_000)
    return shown(c, portfolio_id)


def value_at_close(erasmo: Erasmo, portfolio_id: UUID, day: date) -> Decimal:
    """Cash plus shares at the close of `day`, from the portfolio's events up to that day."""
    cash, shares = Decimal(0), dict[str, Decimal]()
    for event in erasmo.app.history(portfolio_id):
        if event.on > day:
            break
        f = event.fields
        if event.type in FLOWS:
            cash += FLOWS[event.type] * f["amount"]
        elif event.type in ("SharesBought", "SharesSold"):
            sign = 1 if event.type == "SharesBought" else -1
            cash -= sign * f["value"] + f["fee"]
            shares[f["ticker"]] = shares.get(f["ticker"], Decimal(0)) + sign * f["quantity"]
    market = erasmo.market
    positions = Decimal(0)
    for ticker, quantity in shares.items():
        bar = market.bar(ticker, day)
        assert bar is not None, f"no close of {ticker} on {day}"
        positions += quantity * bar.close
    return cash + positions


def time_weighted_return(erasmo: Erasmo, portfolio_id: UUID) -> float:
    """TTWROR since opening: the value's growth between cash flows, chained. As Portfolio
    Performance counts them, a deposit arrives at the start of its day and a withdrawal leaves
    at its end."""
    events = erasmo.app.history(portfolio_id)
    flows = [(e.on, FLOWS[e.type] * e.fields["amount"]) for e in events if e.type in FLOWS]
    start_value, growth = flows[0][1], 1.0  # the opening deposit, all of day one's value
    for day, amount in flows[1:]:
        if amount > 0:  # grows until the close before it, then starts with it
            before, _ = erasmo.market.previous_and_next(None, day)
            assert before is not None
            value = value_at_close(erasmo, portfolio_id, before)
            growth *= float(value / start_value)
            start_value = value + amount
        else:  # grows until the close of its day, then starts without it
            value = value_at_close(erasmo, portfolio_id, day)
            growth *= float((value - amount) / start_value)
            start_value = value
    end = erasmo.market.latest_date()
    return growth * float(value_at_close(erasmo, portfolio_id, end) / start_value) - 1


def as_money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,}"


def as_fraction(text: str) -> float:
    """'+156.57 %' -> 1.5657; '−3.10 %' -> -0.031."""
    return float(text.replace("−", "-").replace("%", "").replace(",", "").strip()) / 100


def test_the_demo_accepted_on_an_empty_store_is_valued_in_the_sidebar(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = loaded(qtbot, erasmo, make_window)
    assert c.portfolios.count() == 0
    with qtbot.waitSignal(c.history_loaded, timeout=30_000):
        c.create_demo()  # what accepting the first-run offer does
    (demo,) = [r.id for r in c.portfolios.portfolios()]
    value, total_return = wait_valued(qtbot, c, demo)
    expected = value_at_close(erasmo, demo, erasmo.market.latest_date())
    assert value == as_money(expected) == "273,020.31"
    assert as_fraction(total_return) == pytest.approx(
        time_weighted_return(erasmo, demo), abs=0.0001
    )


def test_a_first_portfolio_with_a_trade_is_valued_in_the_sidebar(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    c = loaded(qtbot, erasmo, make_window)
    dialog = c.open_new_portfolio_dialog()
    dialog.view.name.setText("First")
    dialog.view.cash.setText("10000")
    dialog.view.date.setDate(date(2020, 1, 2))
    assert dialog.view.ok.isEnabled(), dialog.view.message.text()
    dialog.view.ok.click()
    first = dialog.opened
    assert first is not None
    value, total_return = wait_valued(qtbot, c, first)
    assert (value, total_return) == ("10,000.00", "0.00 %")  # cash only: nothing moved yet

    ticket = c.open_trade_ticket(ticker="KO")
    assert ticket is not None
    ticket.view.quantity.setText("100")  # at the close of 2020-01-02, the portfolio's clock
    assert ticket.view.ok.isEnabled(), ticket.view.message.text()
    ticket.view.ok.click()
    qtbot.waitUntil(lambda: c.portfolios.portfolio(0).version == 3, timeout=10_000)
    value, total_return = wait_valued(qtbot, c, first)
    last = erasmo.market.latest_date()
    ko = erasmo.market.bar("KO", date(2020, 1, 2))
    ko_last = erasmo.market.bar("KO", last)
    assert ko is not None
    assert ko_last is not None
    expected = Decimal(10000) - 100 * ko.close + 100 * ko_last.close  # no fee by default
    assert value == as_money(expected)
    assert as_fraction(total_return) == pytest.approx(float(expected / 10000 - 1), abs=0.0001)


@pytest.mark.parametrize("opened_on", [date(2019, 6, 3), date(2022, 12, 28)])
def test_a_cash_only_portfolio_is_valued_in_the_sidebar(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, opened_on: date
) -> None:
    c = loaded(qtbot, erasmo, make_window)
    cash_only = erasmo.door.open_portfolio("Savings", "2500.50", opened_on).id
    c.reload_portfolios(select=cash_only)  # what the window does once a portfolio is opened
    assert shown(c, cash_only) == ("…", "…")  # being valued
    assert wait_valued(qtbot, c, cash_only) == ("2,500.50", "0.00 %")


def test_a_portfolio_opened_while_a_valuation_runs_is_valued_too(
    qtbot: QtBot, erasmo: Erasmo, demo: UUID, make_window: MakeWindow
) -> None:
    c = loaded(qtbot, erasmo, make_window)
    c.analysis.refresh_valuations()  # one running (or queued) …
    late = erasmo.door.open_portfolio("Late", "700", date(2021, 3, 1)).id
    c.reload_portfolios(select=late)  # … while a portfolio it does not know of appears
    assert wait_valued(qtbot, c, late) == ("700.00", "0.00 %")
    assert wait_valued(qtbot, c, demo)[0] == "273,020.31"


def test_the_tooltip_names_a_simulations_date_and_a_live_portfolios_last_close(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow
) -> None:
    from PySide6.QtCore import Qt

    door = erasmo.door
    sim = door.open_portfolio("Sim", "1000", date(2010, 3, 1), mode="simulation").id
    live = door.open_portfolio("Live", "1000", date(2010, 3, 1)).id
    c = make_window(erasmo)
    c.reload_portfolios(select=sim)
    last = erasmo.market.latest_date()

    def tip(pid: UUID) -> str:
        index = c.portfolios.index_of(c.portfolios.row_of(pid))
        return str(index.data(Qt.ItemDataRole.ToolTipRole))

    assert "Simulation date 2010-03-01" in tip(sim)
    assert "Last close" not in tip(sim)
    assert f"Last close {last.isoformat()}" in tip(live)
    assert "Simulation date" not in tip(live)
