"""The Journal tab on a real store: the trades table against round trips matched by hand, the
statistics panel against an independent calculation, the monthly heatmap and histogram, the
filters, a note recorded from the tab, and File → Export report."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from erasmo.bootstrap import Erasmo
from gui.analysis import Snapshot
from gui.controllers.journal import JournalController
from gui.controllers.main import MainController
from gui.views.journal_model import COLUMNS, LOSERS, WINNERS
from gui.views.main_window import HOLDINGS_TAB, JOURNAL_TAB

MakeWindow = Callable[..., MainController]

# The trades of the README's journal example: prices and fees given, so the figures below are
# arithmetic on them alone. (day, side, quantity, price, fee, tags)
TRADES = (
    (date(2010, 3, 1), "buy", "30", "128.57", "5", "breakout"),
    (date(2010, 4, 1), "buy", "20", "128.25", "5", ""),
    (date(2010, 5, 3), "sell", "40", "129.60", "5", ""),
    (date(2010, 7, 1), "sell", "10", "122.57", "5", ""),
    (date(2010, 8, 2), "buy", "15", "130.76", "5", "breakout"),
    (date(2010, 9, 1), "sell", "15", "125.77", "5", ""),
)


def by_hand() -> list[dict[str, object]]:
    """The round trips, first in first out, each sell's fee shared by quantity over the lots it
    closes and each buy's fee over the pieces of its lot."""
    # lot 1: 30 @ 128.57 fee 5; lot 2: 20 @ 128.25 fee 5; sell 40 @ 129.60 fee 5 closes lot 1
    # (30) and 10 of lot 2; sell 10 @ 122.57 fee 5 the rest of lot 2; lot 3 closed whole.
    pieces = [
        # entry, exit, qty, entry price, exit price, entry fee, exit fee, tags
        (date(2010, 3, 1), date(2010, 5, 3), 30, 128.57, 129.60, 5.0, 5.0 * 30 / 40, ("breakout",)),
        (date(2010, 4, 1), date(2010, 5, 3), 10, 128.25, 129.60, 5.0 * 10 / 20, 5.0 * 10 / 40, ()),
        (date(2010, 4, 1), date(2010, 7, 1), 10, 128.25, 122.57, 5.0 * 10 / 20, 5.0, ()),
        (date(2010, 8, 2), date(2010, 9, 1), 15, 130.76, 125.77, 5.0, 5.0, ("breakout",)),
    ]
    rows = []
    for entry, exit_, qty, buy, sell, entry_fee, exit_fee, tags in pieces:
        cost = qty * buy + entry_fee
        pnl = qty * sell - exit_fee - cost
        rows.append({
            "entry_on": entry, "exit_on": exit_, "quantity": qty, "entry_price": buy,
            "exit_price": sell, "pnl": pnl, "return_pct": pnl / cost,
            "holding_days": (exit_ - entry).days, "tags": tags,
        })  # fmt: skip
    return rows


@pytest.fixture
def journal(erasmo: Erasmo) -> UUID:
    door = erasmo.door
    pid = door.open_portfolio("Journal", "10000", date(2010, 3, 1)).id
    for day, side, qty, price, fee, tags in TRADES:
        command = door.buy if side == "buy" else door.sell
        command(pid, "IBM", qty, day, price, fee, tags=tags)
    return pid


def journal_window(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, pid: UUID
) -> tuple[MainController, JournalController]:
    c = make_window(erasmo, analysis=True)
    c.reload_portfolios(select=pid)
    c.window.tabs.setCurrentIndex(JOURNAL_TAB)
    j = c.journal
    qtbot.waitUntil(lambda: j.result is not None and j.result.portfolio == pid, timeout=30_000)
    return c, j


def settle(qtbot: QtBot, j: JournalController) -> None:
    """Wait for the door's read of the filters the tab's fields say."""
    qtbot.waitUntil(
        lambda: j.result is not None and j.result.filters == j.filters() and not j._busy,
        timeout=20_000,
    )


def cell(j: JournalController, row: int, key: str) -> str:
    assert j.proxy is not None
    column = [k for k, _label in COLUMNS].index(key)
    return str(j.proxy.index(row, column).data())


def number(text: str) -> float:
    return float(text.replace("−", "-").replace(",", "").replace("%", "").split()[0])


def test_the_table_rows_are_the_round_trips_matched_by_hand(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, journal: UUID
) -> None:
    _c, j = journal_window(qtbot, erasmo, make_window, journal)
    expected = by_hand()
    assert j.model is not None
    assert j.model.rowCount() == len(expected)
    for i, (row, want) in enumerate(zip(j.model.rows(), expected, strict=True)):
        assert (row.ticker, row.status, row.entry_on, row.exit_on) == (
            "IBM", "closed", want["entry_on"], want["exit_on"])  # fmt: skip
        assert row.quantity == want["quantity"]
        assert row.pnl == pytest.approx(want["pnl"], abs=1e-9)
        assert row.return_pct == pytest.approx(want["return_pct"], rel=1e-12)
        assert row.holding_days == want["holding_days"]
        assert row.tags == want["tags"]
        # and as the table shows them
        assert cell(j, i, "entry_on") == str(want["entry_on"])
        assert cell(j, i, "exit_on") == str(want["exit_on"])
        assert number(cell(j, i, "entry_price")) == want["entry_price"]
        assert number(cell(j, i, "exit_price")) == want["exit_price"]
        assert number(cell(j, i, "pnl")) == round(float(want["pnl"]), 2)  # type: ignore[arg-type]
        assert number(cell(j, i, "return_pct")) == round(100 * float(want["return_pct"]), 2)  # type: ignore[arg-type]
        assert cell(j, i, "tags") == ", ".join(want["tags"])  # type: ignore[arg-type]
    assert [cell(j, i, "pnl") for i in range(4)] == ["+22.15", "+9.75", "−64.30", "−84.85"]


def test_the_statistics_panel_shows_the_hand_computed_figures(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, journal: UUID
) -> None:
    _c, j = journal_window(qtbot, erasmo, make_window, journal)
    assert j.view is not None
    pnl = [float(t["pnl"]) for t in by_hand()]  # type: ignore[arg-type]
    returns = [float(t["return_pct"]) for t in by_hand()]  # type: ignore[arg-type]
    wins, losses = [p for p in pnl if p > 0], [p for p in pnl if p < 0]
    win_rate = len(wins) / len(pnl)
    payoff = (sum(wins) / len(wins)) / -(sum(losses) / len(losses))
    expected = {
        "win_rate": 100 * win_rate,
        "total_pnl": sum(pnl),
        "profit_factor": sum(wins) / -sum(losses),
        "expectancy": sum(pnl) / len(pnl),
        "expectancy_pct": 100 * sum(returns) / len(returns),
        "average_win": sum(wins) / len(wins),
        "average_loss": sum(losses) / len(losses),
        "payoff_ratio": payoff,
        "best_trade": max(pnl),
        "worst_trade": min(pnl),
        "sqn": math.sqrt(len(pnl)) * statistics.mean(pnl) / statistics.stdev(pnl),
        "kelly": 100 * (win_rate - (1 - win_rate) / payoff),
        "average_holding_days": (63 + 32 + 91 + 30) / 4,
        "longest_holding_days": 91,
        "longest_losing_streak": 2,  # exits in order: win, win, loss, loss
        "longest_winning_streak": 2,
    }
    shown = {key: label.text() for key, label in j.view.statistics.values.items()}
    assert shown["trades"] == "4 (2 won, 2 lost)"
    for key, value in expected.items():
        assert number(shown[key]) == pytest.approx(value, abs=0.0051), key
    assert shown["win_rate"] == "50.00 %"
    assert shown["total_pnl"] == "−117.25"
    assert shown["longest_losing_streak"] == "2"


def test_the_heatmap_and_histogram_sum_the_trades_by_hand(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, journal: UUID
) -> None:
    _c, j = journal_window(qtbot, erasmo, make_window, journal)
    assert j.result is not None
    assert j.view is not None
    may = 3888.00 - 3.75 - 3857.10 - 5 + (1296.00 - 1.25 - 1282.50 - 2.5)  # two exits on 05-03
    assert j.result.months.keys() == {(2010, 5), (2010, 7), (2010, 9)}
    assert j.result.months[(2010, 5)] == pytest.approx(may, abs=1e-9)
    assert j.result.months[(2010, 7)] == pytest.approx(1225.70 - 5 - 1282.50 - 2.5, abs=1e-9)
    assert j.result.months[(2010, 9)] == pytest.approx(1886.55 - 5 - 1961.40 - 5, abs=1e-9)
    assert j.view.cell_texts == {(2010, 5): "+32", (2010, 7): "−64", (2010, 9): "−85"}
    assert j.view.bars is not None
    assert int(sum(j.view.bars.opts["height"])) == 4


def test_the_filters_keep_one_outcome_and_one_tag(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, journal: UUID
) -> None:
    _c, j = journal_window(qtbot, erasmo, make_window, journal)
    v, proxy = j.view, j.proxy
    assert v is not None
    assert proxy is not None
    v.outcome.setCurrentIndex(v.outcome.findData(LOSERS))
    settle(qtbot, j)
    assert [cell(j, i, "pnl") for i in range(proxy.rowCount())] == ["−64.30", "−84.85"]
    v.outcome.setCurrentIndex(v.outcome.findData(WINNERS))
    v.tag.setCurrentIndex(v.tag.findData("breakout"))
    settle(qtbot, j)
    assert [cell(j, i, "pnl") for i in range(proxy.rowCount())] == ["+22.15"]
    assert v.shown.text() == "1 of 4 trades"
    assert [v.tag.itemData(i) for i in range(v.tag.count())] == ["", "breakout"]  # all, kept
    v.tag.setCurrentIndex(0)
    v.outcome.setCurrentIndex(0)
    settle(qtbot, j)
    v.table.sortByColumn([k for k, _ in COLUMNS].index("pnl"), Qt.SortOrder.AscendingOrder)
    assert [cell(j, i, "pnl") for i in range(4)] == ["−84.85", "−64.30", "+9.75", "+22.15"]


def test_the_statistics_and_heatmap_follow_the_filters(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, journal: UUID
) -> None:
    _c, j = journal_window(qtbot, erasmo, make_window, journal)
    v = j.view
    assert v is not None
    losers = [float(t["pnl"]) for t in by_hand() if float(t["pnl"]) < 0]  # type: ignore[arg-type]
    v.outcome.setCurrentIndex(v.outcome.findData(LOSERS))
    settle(qtbot, j)
    shown = {key: label.text() for key, label in v.statistics.values.items()}
    assert shown["trades"] == "2 (0 won, 2 lost)"
    assert number(shown["total_pnl"]) == pytest.approx(sum(losers), abs=0.0051)
    assert shown["win_rate"] == "0.00 %"
    assert number(shown["average_holding_days"]) == (91 + 30) / 2
    assert v.statistics_title.text().startswith("Statistics of the 2 trades shown")
    # the heatmap sums only the losers now: 07-01 and 09-01, by hand as below
    assert j.result is not None
    assert j.result.months == pytest.approx(
        {(2010, 7): 1225.70 - 5 - 1282.50 - 2.5, (2010, 9): 1886.55 - 5 - 1961.40 - 5}
    )
    assert int(sum(v.bars.opts["height"])) == 2  # type: ignore[union-attr]
    v.outcome.setCurrentIndex(0)
    v.tag.setCurrentIndex(v.tag.findData("breakout"))
    settle(qtbot, j)
    shown = {key: label.text() for key, label in v.statistics.values.items()}
    assert shown["trades"] == "2 (1 won, 1 lost)"  # the lots bought 03-01 and 08-02
    assert number(shown["total_pnl"]) == pytest.approx(22.15 - 84.85, abs=0.0051)
    assert number(shown["best_trade"]) == pytest.approx(22.15, abs=0.0051)


def test_the_period_filter_keeps_the_exit_days_in_it_an_open_trade_by_its_valuation_day(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, journal: UUID
) -> None:
    erasmo.door.buy(journal, "IBM", "10", date(2010, 10, 1))  # stays open
    _c, j = journal_window(qtbot, erasmo, make_window, journal)
    v, proxy, model = j.view, j.proxy, j.model
    assert v is not None
    assert proxy is not None
    assert model is not None
    assert model.rowCount() == 5
    still_open = model.row(4)
    assert (still_open.status, still_open.entry_on) == ("open", date(2010, 10, 1))
    valued = still_open.exit_on  # the valuation day: the market's latest
    assert valued > date(2010, 12, 31)
    assert "valuation day" in v.from_on.toolTip()
    # unchecked bounds wait on the first and last exit day: 05-03 and the valuation day
    assert (v.start.date().toPython(), v.end.date().toPython()) == (date(2010, 5, 3), valued)

    def entries() -> list[str]:
        settle(qtbot, j)
        return [cell(j, i, "entry_on") for i in range(proxy.rowCount())]

    # By hand: (entry, exit) of the closed trades are 03-01→05-03, 04-01→05-03, 04-01→07-01
    # and 08-02→09-01; the open trade's exit day is the valuation day.
    v.start.setDate(date(2010, 6, 1))
    v.end.setDate(date(2010, 12, 31))
    assert len(entries()) == 5  # the bounds are not checked yet
    v.from_on.setChecked(True)
    v.to_on.setChecked(True)
    assert entries() == ["2010-04-01", "2010-08-02"]  # exits 07-01, 09-01; not the open one
    assert v.shown.text() == "2 of 5 trades"
    v.tag.setCurrentIndex(v.tag.findData("breakout"))
    assert entries() == ["2010-08-02"]
    v.tag.setCurrentIndex(0)
    v.start.setDate(date(2010, 9, 1))  # both days included: the exit on 09-01 stays
    v.to_on.setChecked(False)
    assert entries() == ["2010-08-02", "2010-10-01"]  # and the open trade, valued later
    v.from_on.setChecked(False)
    v.to_on.setChecked(True)
    v.end.setDate(date(2010, 5, 3))
    assert entries() == ["2010-03-01", "2010-04-01"]  # the two exits on 05-03
    v.from_on.setChecked(True)
    v.start.setDate(date(2010, 5, 4))
    v.end.setDate(date(2010, 6, 30))
    assert entries() == []
    assert v.shown.text() == "0 of 5 trades"
    # the same rule as the command line's --from/--to, through the same door read
    cli = erasmo.door.trades(journal, start=date(2010, 6, 1), end=date(2010, 12, 31))
    assert [str(d.date()) for d in cli["entry_on"]] == ["2010-04-01", "2010-08-02"]
    v.from_on.setChecked(False)
    v.to_on.setChecked(False)
    assert len(entries()) == 5


def test_a_filter_the_next_portfolio_lacks_is_dropped_and_read_again(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, journal: UUID
) -> None:
    door = erasmo.door
    other = door.open_portfolio("Other", "10000", date(2010, 3, 1)).id
    door.buy(other, "AAPL", "10", date(2010, 3, 1))
    door.sell(other, "AAPL", "10", date(2010, 4, 1))
    c, j = journal_window(qtbot, erasmo, make_window, journal)
    v = j.view
    assert v is not None
    v.ticker.setCurrentIndex(v.ticker.findData("IBM"))
    settle(qtbot, j)
    assert j.result is not None
    assert j.result.filters.ticker == "IBM"
    c.reload_portfolios(select=other)
    qtbot.waitUntil(lambda: j.result is not None and j.result.portfolio == other, timeout=20_000)
    settle(qtbot, j)  # IBM is not among its tickers: the filter is dropped, the read made again
    assert v.ticker.currentData() == ""
    assert [row.ticker for row in j.result.rows] == ["AAPL"]
    assert v.shown.text() == "1 of 1 trade"


def test_a_note_from_the_tab_records_one_event_and_shows_in_the_table(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, journal: UUID
) -> None:
    c, j = journal_window(qtbot, erasmo, make_window, journal)
    door = erasmo.door
    before = list(door.history(journal))
    buy, sell = [e for e in before if e.type in ("SharesBought", "SharesSold")][1:3]
    assert j.select_trade(buy.seq, sell.seq)  # the lot bought 2010-04-01, sold 2010-05-03
    dialog = j.open_note_dialog()
    assert dialog is not None
    view = dialog.view
    view.text.setText("Added on a dip; too early")
    view.tags.setText("dip, Mistake")
    qtbot.waitUntil(view.ok.isEnabled)
    assert view.preview.text() == (
        f"Records a note on the entry (SharesBought at log position {buy.seq}), "
        "tagged dip, mistake."
    )
    view.tags.setText("not/a-word")  # refused: nothing to record, the field says why
    qtbot.waitUntil(lambda: "is not one word" in view.message.text())
    assert not view.ok.isEnabled()
    view.text.setText("")
    view.tags.setText("")
    qtbot.waitUntil(lambda: view.message.text() == "Type a note, or a tag or two.")
    assert not view.ok.isEnabled()
    view.text.setText("Added on a dip; too early")
    view.tags.setText("dip mistake")
    qtbot.waitUntil(view.ok.isEnabled)
    assert len(door.history(journal)) == len(before)  # the previews recorded nothing
    first = j.result
    view.ok.click()
    qtbot.waitUntil(lambda: j.result is not first and j.result is not None, timeout=20_000)
    after = list(door.history(journal))
    assert len(after) == len(before) + 1
    assert after[-1].type == "NoteAdded"
    assert int(after[-1].fields["about"]) == buy.version
    noted = [i for i in range(4) if cell(j, i, "note") == "Added on a dip; too early"]
    assert noted == [1, 2]  # both pieces of the lot carry their entry's note and tags
    assert [cell(j, i, "tags") for i in range(4)] == ["breakout", "dip, mistake",
                                                      "dip, mistake", "breakout"]  # fmt: skip
    assert j.selected_trade() is not None
    assert j.selected_trade().entry_seq == buy.seq
    assert "Added on a dip" in j.view.notes.text()  # type: ignore[union-attr]
    assert c.window.statusBar().currentMessage().startswith("Noted the SharesBought")


def test_export_report_writes_the_trades_to_a_page(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, journal: UUID, tmp_path: Path
) -> None:
    c, j = journal_window(qtbot, erasmo, make_window, journal)
    assert c.window.commands.export_report.text() == "Export &report…"
    path = tmp_path / "journal.html"
    with qtbot.waitSignal(j.exported, timeout=30_000) as written:
        j.export_report(journal, path)
    assert written.args == [str(path)]
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") or page.lstrip().lower().startswith("<!doctype")
    for text in ("2010-08-02", "2010-09-01", "-84.85", "22.15", "-64.30", "breakout", "IBM"):
        assert text in page, text


def test_the_journal_is_read_only_when_its_tab_is_shown(
    qtbot: QtBot, erasmo: Erasmo, make_window: MakeWindow, journal: UUID
) -> None:
    c = make_window(erasmo, analysis=True)
    c.window.tabs.setCurrentIndex(HOLDINGS_TAB)
    c.reload_portfolios(select=journal)
    qtbot.waitUntil(
        lambda: (
            isinstance(c.analysis.last_snapshot, Snapshot)
            and c.analysis.last_snapshot.portfolio == journal
        ),
        timeout=30_000,
    )
    assert c.journal.view is not None
    assert c.journal.result is None
    c.window.tabs.setCurrentIndex(JOURNAL_TAB)
    qtbot.waitUntil(lambda: c.journal.result is not None, timeout=20_000)
    assert c.journal.result is not None
    assert len(c.journal.result.rows) == 4
