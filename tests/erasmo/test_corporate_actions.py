"""Splits and dividends end to end: the bundled raw prices, the service, the store (both
backends), the projections, export/import and the CLI.

Expected numbers are worked out by hand in each test from the raw closes of the bundled bokeh
file (read here with the csv module, not with erasmo's market code) and from the published
facts: AAPL split 2:1 with ex-date 2005-02-28; IBM paid 0.85 a share with ex-date 2012-11-07.
"""

from __future__ import annotations

import csv
import gzip
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from cli_runner import Run
from eventsourcing.persistence import StoredEvent

from erasmo.analytics import Analytics, Moment
from erasmo.checks import check_store
from erasmo.market.base import CorporateAction
from erasmo.market.bundled import BOKEH, BundledMarketData
from erasmo.services import TradingService
from events.application import Portfolios
from events.errors import CorporateActionError
from events.eventlog import export_to_file, import_file
from events.store import StoreConfig

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 26)
D = Decimal


def raw_close(ticker: str, day: str) -> Decimal:
    with gzip.open(ROOT / "resources/prices/bokeh_stocks.csv.gz", "rt") as handle:
        for row in csv.DictReader(handle):
            if row["Ticker"] == ticker and row["Date"] == day:
                return Decimal(row["Close"])
    raise AssertionError(f"{ticker} {day} not in the file")


def cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def bokeh() -> BundledMarketData:
    return BundledMarketData(BOKEH)


@pytest.fixture
def trading(app: Portfolios, bokeh: BundledMarketData) -> TradingService:
    return TradingService(app, bokeh, today=lambda: TODAY)


@pytest.fixture
def analytics(app: Portfolios, bokeh: BundledMarketData, tmp_path: Path) -> Analytics:
    return Analytics(app, bokeh, tmp_path / "cache")


def fresh(app: Portfolios, bokeh: BundledMarketData, tmp_path: Path) -> Analytics:
    """A new read side over the store (the projections' cache is rebuilt from the store)."""
    return Analytics(app, bokeh, tmp_path / "cache")


# -- AAPL's 2:1 split of 2005-02-28, in raw closes ------------------------------------------


def test_aapl_split_by_hand(
    app: Portfolios, trading: TradingService, bokeh: BundledMarketData, tmp_path: Path
) -> None:
    c24, c25 = raw_close("AAPL", "2005-02-24"), raw_close("AAPL", "2005-02-25")
    c28, c01 = raw_close("AAPL", "2005-02-28"), raw_close("AAPL", "2005-03-01")
    assert (c24, c25, c28, c01) == (D("88.93"), D("88.99"), D("44.86"), D("44.5"))
    trading.open_portfolio("Raw", "10000", on="2005-02-24")
    trading.buy(trading.resolve("Raw"), "AAPL", "50", on="2005-02-24", fee="1")  # 4,446.50 + 1.00
    trading.buy(trading.resolve("Raw"), "AAPL", "50", on="2005-02-25")  # 4,449.50
    pid = trading.resolve("Raw")

    # Before: 100 shares costing 8,897.00 (fee included); cash 10,000 - 4,447.50 - 4,449.50.
    before = fresh(app, bokeh, tmp_path).snapshot(pid)
    row = before.positions.loc["AAPL"]
    assert row["quantity"] == 100
    assert row["cost_basis"] == pytest.approx(8897.00)
    assert row["average_cost"] == pytest.approx(88.97)
    assert before.summary.cash == pytest.approx(1103.00)

    # Nothing is due by the clock (2005-02-25); the split is due by 2005-03-01.
    assert trading.pending_actions(trading.resolve("Raw")) == []
    (due,) = trading.pending_actions(trading.resolve("Raw"), until="2005-03-01")
    assert due.action == CorporateAction("AAPL", date(2005, 2, 28), "split", D(2), None, BOKEH)
    assert (due.quantity, due.quantity_after, due.cash, due.ready) == (100, 200, 0, True)

    (recorded,) = trading.apply_actions(trading.resolve("Raw"), until="2005-02-28")
    assert recorded.action.day == date(2005, 2, 28)
    assert trading.apply_actions(trading.resolve("Raw"), until="2005-03-01") == []  # idempotent
    aggregate = app.portfolio(pid)
    assert aggregate.shares == {"AAPL": D(200)}
    assert aggregate.cost == {"AAPL": D("8897.00")}  # the cost stays
    assert aggregate.cash == D("1103.00")
    assert aggregate.clock == date(2005, 2, 28)

    read = fresh(app, bokeh, tmp_path)
    after = read.snapshot(pid, Moment(on=date(2005, 2, 28)))
    row = after.positions.loc["AAPL"]
    assert row["quantity"] == 200
    assert row["cost_basis"] == pytest.approx(8897.00)
    assert row["average_cost"] == pytest.approx(8897.00 / 200)  # 44.485
    assert row["market_value"] == pytest.approx(200 * 44.86)  # 8,972.00
    assert row["unrealized_pnl"] == pytest.approx(8972.00 - 8897.00)
    assert after.summary.realized_pnl == 0
    assert after.summary.total_value == pytest.approx(1103.00 + 8972.00)

    # FIFO lots: quantity x 2, cost per share and price / 2, whole cost kept.
    lots = read.source(pid).open_lots()
    assert lots["quantity"].tolist() == [100, 100]
    assert lots["unit_cost"].tolist() == pytest.approx([4447.50 / 100, 4449.50 / 100])
    assert lots["price"].tolist() == pytest.approx([88.93 / 2, 88.99 / 2])
    assert lots["cost_basis"].tolist() == pytest.approx([4447.50, 4449.50])

    # The value series on raw closes has no jump at the split.
    series = read.value(pid)
    total = series.total
    assert total.loc["2005-02-24"] == pytest.approx(5552.50 + 50 * 88.93)  # 9,999.00
    assert total.loc["2005-02-25"] == pytest.approx(1103.00 + 100 * 88.99)  # 10,002.00
    assert total.loc["2005-02-28"] == pytest.approx(1103.00 + 200 * 44.86)  # 10,075.00
    assert series.quantity.loc["2005-02-25", "AAPL"] == 100
    assert series.quantity.loc["2005-02-28", "AAPL"] == 200
    metrics = read.performance(pid, end=date(2005, 2, 28))
    assert metrics.deposits == pytest.approx(10000.00)
    assert metrics.ttwror == pytest.approx(10075.00 / 10000.00 - 1)

    # Selling after the split: FIFO takes the first lot whole and half the second.
    trading.sell(trading.resolve("Raw"), "AAPL", "150", on="2005-03-01")  # 150 x 44.50 = 6,675.00
    read = fresh(app, bokeh, tmp_path)
    sells = read.source(pid).realized_trades()
    assert sells["realized_fifo"].tolist() == pytest.approx([6675.00 - 4447.50 - 4449.50 / 2])
    assert sells["realized_average"].tolist() == pytest.approx([6675.00 - 150 * 44.485])
    final = read.snapshot(pid)
    assert final.positions.loc["AAPL", "quantity"] == 50
    assert final.positions.loc["AAPL", "cost_basis"] == pytest.approx(4449.50 / 2)
    assert final.summary.cash == pytest.approx(1103.00 + 6675.00)
    assert read.performance(pid, end=date(2005, 3, 1)).ttwror == pytest.approx(
        (1103.00 + 6675.00 + 50 * 44.50) / 10000.00 - 1
    )
    assert app.audit(pid) == []


def test_split_recorded_after_later_events_of_other_kinds(
    app: Portfolios, trading: TradingService, bokeh: BundledMarketData, tmp_path: Path
) -> None:
    """An action dated before the clock is recorded when its ticker was not traded since: the
    clock stays, and the projections place it on its ex-date."""
    trading.open_portfolio("Late", "10000", on="2005-02-25")
    trading.buy(trading.resolve("Late"), "AAPL", "100", on="2005-02-25")  # 8,899.00
    trading.deposit(trading.resolve("Late"), "500", on="2005-03-02")
    (due,) = trading.pending_actions(trading.resolve("Late"))
    assert due.ready
    assert due.action.day == date(2005, 2, 28)
    trading.apply_actions(trading.resolve("Late"))
    pid = trading.resolve("Late")
    assert app.portfolio(pid).clock == date(2005, 3, 2)
    assert app.audit(pid) == []
    read = fresh(app, bokeh, tmp_path)
    total = read.value(pid).total
    assert total.loc["2005-02-25"] == pytest.approx(1101.00 + 100 * 88.99)
    assert total.loc["2005-02-28"] == pytest.approx(1101.00 + 200 * 44.86)
    assert total.loc["2005-03-02"] == pytest.approx(1601.00 + 200 * 44.121)
    assert read.snapshot(pid, Moment(on=date(2005, 2, 25))).positions.loc["AAPL", "quantity"] == 100


def test_a_split_past_which_the_ticker_was_traded_is_blocked(
    app: Portfolios, trading: TradingService
) -> None:
    trading.open_portfolio("Hasty", "10000", on="2005-02-25")
    trading.buy(trading.resolve("Hasty"), "AAPL", "100", on="2005-02-25")
    trading.sell(
        trading.resolve("Hasty"), "AAPL", "10", on="2005-03-01"
    )  # the split was not recorded first
    (due,) = trading.pending_actions(trading.resolve("Hasty"))
    assert due.status == "blocked"
    assert "traded on 2005-03-01" in due.reason
    pid = trading.resolve("Hasty")
    count = app.event_count()
    assert trading.apply_actions(trading.resolve("Hasty")) == []
    with pytest.raises(CorporateActionError, match="holding changed on 2005-03-01"):
        app.record_actions(pid, [due.action])
    assert app.event_count() == count


def test_actions_of_tickers_not_held_or_adjusted_are_never_due(
    app: Portfolios, trading: TradingService
) -> None:
    trading.open_portfolio("None", "100000", on="2005-02-24")
    trading.buy(trading.resolve("None"), "AAPL", "10", on="2005-02-24")
    trading.sell(trading.resolve("None"), "AAPL", "10", on="2005-02-25")  # sold before the ex-date
    trading.buy(
        trading.resolve("None"), "GOOG", "10", on="2005-02-25"
    )  # GOOG has no actions in the data
    assert trading.pending_actions(trading.resolve("None"), until="2005-03-01") == []
    pid = trading.resolve("None")
    msft_split = CorporateAction("MSFT", date(2005, 3, 1), "split", D(2), None, BOKEH)
    count = app.event_count()
    with pytest.raises(CorporateActionError, match="held no MSFT"):
        app.record_actions(pid, [msft_split])
    assert app.event_count() == count

    # The merged view serves AAPL from skfolio's adjusted closes: no actions, ever.
    merged = TradingService(app, BundledMarketData(), today=lambda: TODAY)
    merged.open_portfolio("Adjusted", "10000", on="2005-02-24")
    merged.buy(merged.resolve("Adjusted"), "AAPL", "10", on="2005-02-24")
    assert merged.pending_actions(merged.resolve("Adjusted"), until="2012-12-31") == []
    # A ticker bought at an adjusted price gets no actions even from a raw source.
    raw_view = TradingService(app, BundledMarketData(BOKEH), today=lambda: TODAY)
    assert raw_view.pending_actions(raw_view.resolve("Adjusted"), until="2012-12-31") == []


# -- IBM's dividend of 2012-11-07 ---------------------------------------------------------


def test_ibm_dividend_by_hand(
    app: Portfolios, trading: TradingService, bokeh: BundledMarketData, tmp_path: Path
) -> None:
    c1 = raw_close("IBM", "2012-11-01")
    c_ex = raw_close("IBM", "2012-11-07")
    trading.open_portfolio("Income", "10000", on="2012-11-01")
    trading.buy(trading.resolve("Income"), "IBM", "20", on="2012-11-01")
    cash_before = D(10000) - cents(20 * c1)
    (due,) = trading.pending_actions(trading.resolve("Income"), until="2012-11-30")
    assert (due.action.kind, due.action.day, due.action.amount) == (
        "dividend",
        date(2012, 11, 7),
        D("0.85"),  # IBM's declared quarterly dividend
    )
    assert (due.quantity, due.cash) == (20, D("17.00"))
    trading.apply_actions(trading.resolve("Income"), until="2012-11-07")
    pid = trading.resolve("Income")
    assert app.portfolio(pid).cash == cash_before + D("17.00")
    assert app.portfolio(pid).shares == {"IBM": D(20)}

    read = fresh(app, bokeh, tmp_path)
    shot = read.snapshot(pid, Moment(on=date(2012, 11, 7)))
    value = float(cash_before) + 17.00 + 20 * float(c_ex)
    assert shot.summary.cash == pytest.approx(float(cash_before) + 17.00)
    assert shot.summary.dividends == pytest.approx(17.00)
    assert shot.summary.realized_pnl == 0
    assert shot.summary.total_value == pytest.approx(value)
    assert shot.summary.total_pnl == pytest.approx(value - 10000)
    assert shot.positions.loc["IBM", "cost_basis"] == pytest.approx(20 * float(c1))
    # Income, not a flow: TTWROR and IRR see only the deposit.
    metrics = read.performance(pid, Moment(on=date(2012, 11, 7)))
    assert metrics.deposits == pytest.approx(10000.00)
    assert metrics.ttwror == pytest.approx(value / 10000 - 1)
    cash = read.value(pid, Moment(on=date(2012, 11, 7))).cash
    assert cash.loc["2012-11-06"] == pytest.approx(float(cash_before))
    assert cash.loc["2012-11-07"] == pytest.approx(float(cash_before) + 17.00)
    assert app.audit(pid) == []


def test_dividend_on_shares_sold_on_the_ex_date(app: Portfolios, trading: TradingService) -> None:
    """Whoever held at the close before the ex-date is paid, even after selling on it."""
    trading.open_portfolio("Seller", "10000", on="2012-11-01")
    trading.buy(trading.resolve("Seller"), "IBM", "10", on="2012-11-01")
    trading.sell(trading.resolve("Seller"), "IBM", "4", on="2012-11-07")
    trading.buy(trading.resolve("Seller"), "IBM", "1", on="2012-11-07")
    (due,) = trading.pending_actions(trading.resolve("Seller"))
    assert (due.ready, due.quantity, due.cash) == (True, 10, D("8.50"))
    pid = trading.resolve("Seller")
    cash = app.portfolio(pid).cash
    trading.apply_actions(trading.resolve("Seller"))
    assert app.portfolio(pid).cash == cash + D("8.50")
    assert app.audit(pid) == []


# -- both backends: export and import round trip -------------------------------------------


def test_export_import_round_trip_keeps_the_actions(
    app: Portfolios, trading: TradingService, tmp_path: Path
) -> None:
    trading.open_portfolio("Trip", "20000", on="2005-02-24")
    trading.buy(trading.resolve("Trip"), "AAPL", "100", on="2005-02-24")
    trading.apply_actions(trading.resolve("Trip"), until="2005-02-28")
    trading.buy(trading.resolve("Trip"), "IBM", "10", on="2012-11-01")
    trading.apply_actions(trading.resolve("Trip"), until="2012-11-07")
    kinds = [e.type for e in trading.history(trading.resolve("Trip"))]
    assert kinds.count("SplitApplied") == 1
    assert kinds.count("DividendReceived") > 1  # AAPL's 2012 dividends and IBM's
    path = tmp_path / "trip.jsonl"
    export_to_file(app, path, erasmo_version="0.1.0")
    other = Portfolios(StoreConfig.sqlite(tmp_path / "other.sqlite"))
    try:
        _verified, added = import_file(other, path)
        assert added == len(kinds)
        pid = other.find("Trip")
        assert other.portfolio(pid).shares == app.portfolio(trading.resolve("Trip")).shares
        assert other.portfolio(pid).cash == app.portfolio(trading.resolve("Trip")).cash
        assert [e.type for e in other.history(pid)] == kinds
        assert other.audit(pid) == []
        assert import_file(other, path)[1] == 0  # idempotent
    finally:
        other.close()


# -- the CLI -------------------------------------------------------------------------------


def test_cli_actions_list_and_apply(run: Run) -> None:
    assert run("portfolio", "open", "Blue", "--cash", "10000", "--on", "2012-11-01")[0] == 0
    assert run("buy", "Blue", "IBM", "20", "--on", "2012-11-01")[0] == 0
    code, out, _ = run("actions", "list", "Blue", "--until", "2012-11-30")
    assert code == 0
    assert "2012-11-07  IBM     dividend 0.85      20     20  17.00  ready" in out
    code, out, _ = run("actions", "apply", "Blue", "--until", "2012-11-30", "--json")
    assert code == 0
    assert '"cash": "17.00"' in out
    code, out, _ = run("actions", "apply", "Blue", "--until", "2012-11-30")
    assert out.strip() == "Nothing to record for 'Blue'."
    code, out, _ = run("history", "Blue")
    assert "DividendReceived  20 IBM x 0.85 = 17.00 dividend" in out
    code, out, _ = run("holdings", "Blue")
    assert "Dividends: +17.00" in out
    code, out, _ = run("replay", "Blue")
    assert "IBM 20 x 0.85 div" in out
    assert run("check")[0] == 0
    code, _, err = run("actions", "list", "Nobody")
    assert code == 1
    assert "No portfolio is named 'Nobody'" in err


def test_sync_rechecks_and_records_the_actions(
    app: Portfolios, trading: TradingService, tmp_path: Path
) -> None:
    trading.open_portfolio("Synced", "20000", on="2005-02-24")
    trading.buy(trading.resolve("Synced"), "AAPL", "100", on="2005-02-24")
    trading.deposit(trading.resolve("Synced"), "1", on="2005-03-02")
    trading.apply_actions(trading.resolve("Synced"))  # the split, recorded late
    pid = trading.resolve("Synced")
    stored = [
        StoredEvent(raw.originator_id, raw.version, raw.topic, raw.state)
        for raw in app.reader.events(originator_id=pid)
    ]
    peer = Portfolios(StoreConfig.sqlite(tmp_path / "peer.sqlite"))
    try:
        result = peer.record_synced(stored, peer="laptop")
        assert result.recorded == len(stored)
        assert peer.portfolio(pid).shares == {"AAPL": D(200)}
        assert peer.audit(pid) == []
    finally:
        peer.close()


def test_check_compares_recorded_actions_with_the_market_data(
    app: Portfolios, trading: TradingService, bokeh: BundledMarketData
) -> None:
    trading.open_portfolio("Checked", "10000", on="2012-11-01")
    trading.buy(trading.resolve("Checked"), "IBM", "10", on="2012-11-01")
    pid = trading.resolve("Checked")
    wrong = CorporateAction("IBM", date(2012, 11, 7), "dividend", None, D("0.86"), "typed")
    invented = CorporateAction("IBM", date(2012, 11, 8), "split", D(2), None, "typed")
    app.record_actions(pid, [wrong, invented])
    assert app.audit(pid) == []  # the write side's rules hold; the market disagrees
    _, findings = check_store(app, bokeh)
    assert [f.message for f in findings] == [
        "the dividend of IBM on 2012-11-07 is 0.86 but the market data says 0.85",
        "the market data has no split of IBM on 2012-11-08",
    ]
    trading.open_portfolio("Right", "10000", on="2012-11-01")
    trading.buy(trading.resolve("Right"), "IBM", "10", on="2012-11-01")
    trading.apply_actions(trading.resolve("Right"), until="2012-11-07")
    _, findings = check_store(app, bokeh)
    assert {f.portfolio for f in findings} == {"Checked"}


def test_a_portfolio_from_an_old_snapshot_is_rebuilt_for_late_actions(
    app: Portfolios, trading: TradingService, monkeypatch: pytest.MonkeyPatch
) -> None:
    trading.open_portfolio("Old", "10000", on="2005-02-25")
    trading.buy(trading.resolve("Old"), "AAPL", "10", on="2005-02-25")
    trading.deposit(trading.resolve("Old"), "1", on="2005-03-02")
    pid = trading.resolve("Old")
    real = app.portfolio

    def as_from_an_old_snapshot(portfolio_id: object, version: int | None = None) -> object:
        found = real(portfolio_id, version)  # type: ignore[arg-type]
        for name in ("traded_on", "split_on", "opening", "actions"):
            vars(found).pop(name, None)
        return found

    monkeypatch.setattr(app, "portfolio", as_from_an_old_snapshot)
    assert (
        len(trading.apply_actions(trading.resolve("Old"))) == 1
    )  # the late split, checked on the full history
    monkeypatch.undo()
    assert app.portfolio(pid).shares == {"AAPL": D(20)}
