"""The read side over a real store: the event-frame loader, its columnar cache, and the
performance, value and replay commands, checked against numbers computed here by hand."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import Run

from erasmo.analytics import Analytics, Moment
from erasmo.market.bundled import BundledMarketData
from erasmo.projections.cache import EventFrameCache
from erasmo.projections.frame import event_frame
from erasmo.projections.source import load_event_frame
from events.application import Portfolios
from events.store import StoreConfig
from events.values import PriceProvenance

ROOT = Path(__file__).resolve().parents[2]


def closes(ticker: str) -> dict[str, float]:
    with gzip.open(ROOT / "resources/prices/sp500_dataset.csv.gz", "rt") as handle:
        return {row["Date"]: float(row[ticker]) for row in csv.DictReader(handle)}


def test_loader_matches_the_events_recorded(sqlite_app: Portfolios) -> None:
    day = date(2020, 1, 3)
    pid = sqlite_app.open_portfolio("L", date(2020, 1, 2), Decimal("1000.50"))
    sqlite_app.buy(
        pid,
        "KO",
        Decimal("0.000001"),
        Decimal("54.123456"),
        day,
        PriceProvenance("bundled:skfolio", day, True),
        Decimal("0.99"),
    )
    frame = load_event_frame(sqlite_app)
    assert list(frame["type"].astype(str)) == ["PortfolioOpened", "CashDeposited", "SharesBought"]
    assert frame["amount"].iat[1] == 1000.50
    buy = frame.iloc[2]
    assert (buy["ticker"], buy["quantity"], buy["price"], buy["fee"]) == (
        "KO",
        0.000001,
        54.123456,
        0.99,
    )
    assert buy["value"] == 0.0  # 0.000054... rounds to 0.00
    assert buy["on"] == pd.Timestamp("2020-01-03")
    assert set(frame["portfolio"]) == {str(pid)}
    assert list(frame["seq"]) == [e.seq for e in sqlite_app.history(pid)]


def test_cache_equals_a_fresh_decode_and_follows_new_events(
    sqlite_app: Portfolios, tmp_path: Path
) -> None:
    pid = sqlite_app.open_portfolio("C", date(2020, 1, 2), Decimal(1000))
    cache = EventFrameCache(sqlite_app, tmp_path / "cache")
    first = cache.load()
    assert cache.last.rebuilt
    sqlite_app.deposit(pid, Decimal(5), date(2020, 1, 6))
    second = cache.load()
    assert (cache.last.cached, cache.last.decoded, cache.last.rebuilt) == (2, 1, False)
    pd.testing.assert_frame_equal(second.iloc[:2], first, check_dtype=False)
    pd.testing.assert_frame_equal(
        second.reset_index(drop=True), load_event_frame(sqlite_app), check_dtype=False
    )


def test_cache_of_another_store_or_a_damaged_file_is_never_used(tmp_path: Path) -> None:
    one = Portfolios(StoreConfig.sqlite(tmp_path / "one.sqlite"))
    one.open_portfolio("A", date(2020, 1, 2), Decimal(1))
    cache = EventFrameCache(one, tmp_path / "cache")
    cache.load()
    one.close()
    # The same file path, now holding a different store: the fingerprint no longer matches.
    (tmp_path / "one.sqlite").unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp_path / 'one.sqlite'}{suffix}").unlink(missing_ok=True)
    two = Portfolios(StoreConfig.sqlite(tmp_path / "one.sqlite"))
    two.open_portfolio("B", date(2020, 1, 2), Decimal(2))
    again = EventFrameCache(two, tmp_path / "cache")
    frame = again.load()
    assert again.last.rebuilt
    assert frame["amount"].dropna().tolist() == [2.0]
    again.path.write_bytes(b"not a zip file")
    assert EventFrameCache(two, tmp_path / "cache").load()["amount"].dropna().tolist() == [2.0]
    two.close()


def test_performance_json_matches_a_hand_computation(run: Run) -> None:
    ko = closes("KO")
    run("portfolio", "open", "P", "--cash", "1000", "--on", "2020-01-02")
    run("buy", "P", "KO", "10", "--on", "2020-01-02")
    code, out, err = run("performance", "P", "--to", "2020-01-10", "--json")
    assert code == 0, err
    result = json.loads(out)
    # Inflow 1000 at the start of 2020-01-02; cash 1000 - 10*close; then pure market moves.
    buy_value = round(10 * ko["2020-01-02"], 2)
    days = [
        "2020-01-02",
        "2020-01-03",
        "2020-01-06",
        "2020-01-07",
        "2020-01-08",
        "2020-01-09",
        "2020-01-10",
    ]
    values = [1000 - buy_value + 10 * ko[d] for d in days]
    growth = values[-1] / 1000  # TTWROR: day 1 is (V1)/(0 + 1000), later days V_t / V_{t-1}
    assert float(result["ttwror"]) == pytest.approx(growth - 1, abs=1e-6)
    # IRR: the only flows are -1000 on 2020-01-02 and +V_end on 2020-01-10, 8 days apart, so
    # -1000 * x^(-1/365) + V_end * x^(-9/365) = 0 gives x = growth^(365/8).
    span = (date(2020, 1, 10) - date(2020, 1, 2)).days
    assert float(result["irr"]) == pytest.approx(growth ** (365 / span) - 1, rel=1e-5)
    assert float(result["end_value"]) == pytest.approx(values[-1], abs=0.01)
    peak = max(
        range(len(values)), key=lambda i: values[i] if i <= values.index(min(values)) else -1
    )
    expected_dd = 1 - min(values[peak:]) / values[peak]
    assert float(result["max_drawdown"]) == pytest.approx(max(0.0, expected_dd), abs=1e-6)


def test_value_csv_and_replay(run: Run, tmp_path: Path) -> None:
    ko = closes("KO")
    run("portfolio", "open", "V", "--cash", "500", "--on", "2020-01-02")
    run("buy", "V", "KO", "2", "--on", "2020-01-03")
    run("withdraw", "V", "100", "--on", "2020-01-06")
    out_csv = tmp_path / "v.csv"
    code, _, err = run("value", "V", "--to", "2020-01-07", "--by-ticker", "--csv", str(out_csv))
    assert code == 0, err
    rows = list(csv.DictReader(out_csv.open()))
    assert [r["date"] for r in rows] == ["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"]
    cash = 500 - round(2 * ko["2020-01-03"], 2) - 100
    assert float(rows[-1]["cash"]) == pytest.approx(cash, abs=0.005)
    assert float(rows[-1]["KO"]) == pytest.approx(2 * ko["2020-01-07"], abs=0.005)
    assert float(rows[-1]["total"]) == pytest.approx(cash + 2 * ko["2020-01-07"], abs=0.01)

    code, out, _ = run("replay", "V", "--json")
    steps = json.loads(out)
    assert [s["type"] for s in steps] == [
        "PortfolioOpened",
        "CashDeposited",
        "SharesBought",
        "CashWithdrawn",
    ]
    assert Decimal(steps[2]["cash_change"]) == -Decimal(str(round(2 * ko["2020-01-03"], 2)))
    assert Decimal(steps[2]["position_after"]) == 2
    assert float(steps[3]["value_after"]) == pytest.approx(cash + 2 * ko["2020-01-06"], abs=0.01)
    code, out, _ = run("replay", "V", "--until", str(steps[2]["seq"]), "--json")
    assert len(json.loads(out)) == 3


def test_time_travel_snapshot_equals_the_prefix(tmp_path: Path) -> None:
    app = Portfolios(StoreConfig.sqlite(tmp_path / "t.sqlite"))
    pid = app.open_portfolio("T", date(2020, 1, 2), Decimal(1000))
    for day, qty in ((date(2020, 1, 3), 1), (date(2020, 1, 6), 2), (date(2020, 1, 7), 3)):
        app.buy(
            pid,
            "PG",
            Decimal(qty),
            Decimal(100),
            day,
            PriceProvenance("bundled:skfolio", day, True),
        )
    analytics = Analytics(app, BundledMarketData(), tmp_path / "cache")
    seqs = [e.seq for e in app.history(pid)]
    for k, seq in enumerate(seqs[2:], start=1):
        shot = analytics.snapshot(pid, Moment(seq=seq))
        assert shot.positions.loc["PG", "quantity"] == sum((1, 2, 3)[:k])
        assert shot.summary.cash == pytest.approx(1000 - 100 * sum((1, 2, 3)[:k]))
    assert analytics.snapshot(pid).positions.loc["PG", "quantity"] == 6
    app.close()


def test_event_frame_contract_of_the_loader_matches_the_projection_contract(
    sqlite_app: Portfolios,
) -> None:
    sqlite_app.open_portfolio("E", date(2020, 1, 2), Decimal(1))
    loaded = load_event_frame(sqlite_app)
    built = event_frame(
        [{"seq": 1, "portfolio": "x", "version": 1, "type": "PortfolioOpened", "on": "2020-01-02"}]
    )
    assert list(loaded.columns) == list(built.columns)
    assert loaded["type"].dtype == built["type"].dtype


def test_human_readable_reports_print_every_position(run: Run) -> None:
    ko = closes("KO")
    run("portfolio", "open", "H", "--cash", "1000", "--on", "2020-01-02")
    run("buy", "H", "KO", "3", "--on", "2020-01-02")
    code, out, err = run("holdings", "H", "--as-of", "2020-01-03")
    assert code == 0, err
    line = next(row for row in out.splitlines() if row.startswith("KO"))
    assert f"{3 * ko['2020-01-03']:,.2f}" in line  # market value at the 2020-01-03 close
    cash = 1000 - round(3 * ko["2020-01-02"], 2)
    assert f"Cash: {cash:,.2f}" in out
    for command in (("performance", "H", "--benchmark", "^GSPC"), ("value", "H"), ("replay", "H")):
        code, out, err = run(*command)
        assert code == 0, err
        assert out.strip()


def test_refresh_after_new_events_equals_a_fresh_rebuild(tmp_path: Path) -> None:
    app = Portfolios(StoreConfig.sqlite(tmp_path / "r.sqlite"))
    pid = app.open_portfolio("R", date(2020, 1, 2), Decimal(10_000))
    other = app.open_portfolio("Other", date(2020, 1, 2), Decimal(50))
    live = Analytics(app, BundledMarketData(), tmp_path / "cache")
    before = live.snapshot(pid)
    assert before.positions.empty
    for day, ticker, qty in (
        (date(2020, 1, 3), "KO", 5),
        (date(2020, 1, 6), "PG", 2),
        (date(2020, 1, 7), "KO", 1),
    ):
        app.buy(
            pid,
            ticker,
            Decimal(qty),
            Decimal(50),
            day,
            PriceProvenance("bundled:skfolio", day, True),
        )
        assert live.refresh() == 1
    app.deposit(other, Decimal(1), date(2020, 1, 8))
    assert live.refresh() == 1
    assert live.refresh() == 0
    fresh = Analytics(app, BundledMarketData(), None)
    pd.testing.assert_frame_equal(live.snapshot(pid).positions, fresh.snapshot(pid).positions)
    assert live.snapshot(pid).summary == fresh.snapshot(pid).summary
    assert live.performance(pid) == fresh.performance(pid)
    pd.testing.assert_frame_equal(
        live.events().reset_index(drop=True), fresh.events().reset_index(drop=True)
    )
    assert live.snapshot(other).summary.cash == 51
    app.close()


def test_drawdown_series_rebased_benchmark_and_allocation(tmp_path: Path) -> None:
    from erasmo.analytics import allocation, holdings_totals

    ko, index = closes("KO"), closes_index()
    app = Portfolios(StoreConfig.sqlite(tmp_path / "d.sqlite"))
    pid = app.open_portfolio("D", date(2020, 1, 2), Decimal(1000))
    day = date(2020, 1, 2)
    app.buy(
        pid,
        "KO",
        Decimal(10),
        Decimal(str(ko["2020-01-02"])),
        day,
        PriceProvenance("bundled:skfolio", day, True),
    )
    analytics = Analytics(app, BundledMarketData(), None)
    falls = analytics.drawdown(pid).loc["2020-01-02":"2020-03-31"]
    days = [d.strftime("%Y-%m-%d") for d in falls.index]
    cash = 1000 - round(10 * ko["2020-01-02"], 2)
    values = [cash + 10 * ko[d] for d in days]
    peak, expected = 0.0, []
    for v in values:  # no flows after day 1, so wealth is proportional to value
        peak = max(peak, v)
        expected.append(v / peak - 1)
    assert falls.to_numpy() == pytest.approx(expected, abs=1e-9)
    assert falls.min() == pytest.approx(
        -analytics.performance(pid, end=date(2020, 3, 31)).max_drawdown, abs=1e-9
    )

    rebased = analytics.rebased_benchmark(pid).loc["2020-01-02":"2020-01-10"]
    first = values[0]
    for d, v in rebased.items():
        key = d.strftime("%Y-%m-%d")
        assert v == pytest.approx(index[key] / index["2020-01-02"] * first, rel=1e-12)

    shot = analytics.snapshot(pid, Moment(on=date(2020, 1, 3)))
    slices = allocation(shot)
    worth = 10 * ko["2020-01-03"]
    assert [s.label for s in slices] == (["Cash", "KO"] if cash > worth else ["KO", "Cash"])
    assert sum(s.weight for s in slices) == pytest.approx(1.0)
    assert {s.label: s.value for s in slices}["KO"] == pytest.approx(worth)
    assert holdings_totals(shot)["market_value"] == pytest.approx(worth)
    app.close()


def closes_index() -> dict[str, float]:
    with gzip.open(ROOT / "resources/prices/sp500_index.csv.gz", "rt") as handle:
        return {row["Date"]: float(row["SP500"]) for row in csv.DictReader(handle)}
