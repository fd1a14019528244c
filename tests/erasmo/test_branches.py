"""What-if branches on the read side, compare and the leaderboard, on a real SQLite store and
the real bundled prices.

Expected figures are computed here by hand from the bundled CSV's closes: with one deposit on
the first day and no other flow, TTWROR telescopes to end value / deposit - 1, and IRR solves
deposit * x^(-1/365) = end value * x^(-days/365).
"""

from __future__ import annotations

import csv
import gzip
import json
import math
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import Run, cli_runner

from erasmo.analytics import Moment
from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.checks import check_store
from erasmo.comparison import ComparisonPeriodError
from events.errors import DuplicateNameError, ForkPointError, InvalidInputError

ROOT = Path(__file__).resolve().parents[2]
LAST_DAY = date(2022, 12, 28)  # the bundled data's last trading day
BUY, SELL = "2019-01-02", "2019-06-03"


def closes(ticker: str) -> dict[str, Decimal]:
    with gzip.open(ROOT / "resources/prices/sp500_dataset.csv.gz", "rt") as handle:
        return {row["Date"]: Decimal(row[ticker]) for row in csv.DictReader(handle)}


KO, AAPL = closes("KO"), closes("AAPL")


def cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def er(data_dir: Path) -> Iterator[Erasmo]:
    erasmo = bootstrap(data_dir)
    yield erasmo
    erasmo.close()


@pytest.fixture
def run(data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    return cli_runner(data_dir, capsys, monkeypatch)


# -- forks ------------------------------------------------------------------------------------


def tech(er: Erasmo) -> None:
    t = er.trading
    t.open_portfolio("Tech", "10000", "2015-03-02")
    t.buy(t.resolve("Tech"), "AAPL", "40", "2015-03-02")
    t.buy(t.resolve("Tech"), "MSFT", "25", "2016-01-04", fee="4.95")
    t.deposit(t.resolve("Tech"), "2500", "2017-06-01")
    t.sell(t.resolve("Tech"), "AAPL", "15", "2018-06-01")
    t.withdraw(t.resolve("Tech"), "1000", "2020-03-02")
    t.buy(t.resolve("Tech"), "KO", "30", "2020-03-02")


def seq_of(er: Erasmo, name: str, version: int) -> int:
    return next(e.seq for e in er.trading.history(er.trading.resolve(name)) if e.version == version)


def test_a_forks_holdings_values_and_metrics_equal_the_parents_as_of_the_fork(
    er: Erasmo,
) -> None:
    tech(er)
    at = seq_of(er, "Tech", 5)  # after the deposit, before the sell
    bid = er.branches.fork(er.trading.resolve("Tech"), "What if", at)
    pid = er.trading.resolve("Tech")
    a = er.analytics
    then = Moment(seq=at)
    day = date(2017, 6, 1)

    parent, branch = a.snapshot(pid, then), a.snapshot(bid, Moment(on=day))
    pd.testing.assert_frame_equal(parent.positions, branch.positions)
    assert parent.summary == branch.summary
    assert branch.summary.cash == pytest.approx(
        float(10000 - cents(40 * AAPL["2015-03-02"]) - cents(25 * closes("MSFT")["2016-01-04"]))
        - 4.95
        + 2500
    )

    for start in (None, date(2016, 1, 4)):
        ours = a.value(pid, then, start=start, end=LAST_DAY)
        theirs = a.value(bid, start=start, end=LAST_DAY)
        for part in ("total", "cash", "positions", "deposits", "withdrawals"):
            pd.testing.assert_series_equal(getattr(ours, part), getattr(theirs, part))
        m_parent = a.performance(pid, then, start=start, end=LAST_DAY)
        m_branch = a.performance(bid, start=start, end=LAST_DAY)
        assert m_parent == m_branch

    # The parent's own line goes on: its value and metrics now differ from the branch's.
    assert a.performance(pid).ttwror != a.performance(bid).ttwror


def test_a_fork_at_any_event_reads_as_the_parent_then(er: Erasmo) -> None:
    tech(er)
    pid = er.trading.resolve("Tech")
    a = er.analytics
    for event in er.trading.history(er.trading.resolve("Tech")):
        bid = er.branches.fork(er.trading.resolve("Tech"), f"At {event.version}", event.seq)
        a.refresh()
        then = Moment(seq=event.seq)
        parent, branch = a.snapshot(pid, then), a.snapshot(bid, Moment(on=event.on))
        pd.testing.assert_frame_equal(parent.positions, branch.positions)
        assert parent.summary == branch.summary
        assert Decimal(str(branch.summary.cash)) == er.app.portfolio(pid, event.version).cash
        ours, theirs = a.value(pid, then, end=LAST_DAY), a.value(bid, end=LAST_DAY)
        pd.testing.assert_series_equal(ours.total, theirs.total)
        assert a.performance(pid, then, end=LAST_DAY) == a.performance(bid, end=LAST_DAY)


def test_a_branch_diverges_and_the_parent_reads_the_same(er: Erasmo) -> None:
    tech(er)
    pid = er.trading.resolve("Tech")
    before = er.analytics.performance(pid)
    holdings = er.analytics.snapshot(pid).positions
    bid = er.branches.fork(
        er.trading.resolve("Tech"), "Kept AAPL", on="2018-05-31"
    )  # before the sell
    er.trading.buy(er.trading.resolve("Kept AAPL"), "KO", "20", "2018-06-01")
    er.analytics.refresh()
    assert er.analytics.performance(pid) == before
    pd.testing.assert_frame_equal(er.analytics.snapshot(pid).positions, holdings)
    shot = er.analytics.snapshot(bid).positions
    assert dict(shot["quantity"]) == {"AAPL": 40.0, "KO": 20.0, "MSFT": 25.0}
    assert er.branches.branches() == {bid: pid}


def test_fork_points_by_version_and_date_and_their_errors(er: Erasmo) -> None:
    tech(er)
    history = er.trading.history(er.trading.resolve("Tech"))
    by_version = er.branches.fork(er.trading.resolve("Tech"), "V3", at_version=3)
    assert er.app.history(by_version)[1].fields["parent_seq"] == history[2].seq
    by_date = er.branches.fork(er.trading.resolve("Tech"), "D", on="2019-01-02")
    assert er.app.history(by_date)[1].fields["parent_version"] == 6  # the 2018 sell
    latest = er.branches.fork(er.trading.resolve("Tech"), "Now")
    assert er.app.portfolio(latest).cash == er.app.portfolio(history[0].portfolio_id).cash
    # Fork of a fork, through the service.
    grandchild = er.branches.fork(er.trading.resolve("V3"), "V3b")
    assert er.branches.branches()[grandchild] == by_version

    count = er.app.event_count()
    with pytest.raises(ForkPointError, match="versions 1 to 8"):
        er.branches.fork(er.trading.resolve("Tech"), "X", at_version=9)
    with pytest.raises(ForkPointError, match="opened on 2015-03-02"):
        er.branches.fork(er.trading.resolve("Tech"), "X", on="2015-02-27")
    with pytest.raises(ForkPointError, match="after the latest event"):
        er.branches.fork(er.trading.resolve("Tech"), "X", 10_000)
    with pytest.raises(InvalidInputError, match="one fork point"):
        er.branches.fork(er.trading.resolve("Tech"), "X", history[1].seq, at_version=2)
    with pytest.raises(DuplicateNameError):
        er.branches.fork(er.trading.resolve("Tech"), "now")
    assert er.app.event_count() == count


def test_branch_list_names_parents_here_and_elsewhere(er: Erasmo, tmp_path: Path) -> None:
    tech(er)
    b = er.branches.fork(er.trading.resolve("Tech"), "B", seq_of(er, "Tech", 6))
    c = er.branches.fork(er.trading.resolve("B"), "C")
    er.trading.rename(er.trading.resolve("Tech"), "Tech now")
    pid = er.trading.resolve("Tech now")
    assert [
        (i.name, i.parent_name, i.parent_present, i.parent_version)
        for i in er.branches.branch_list()
    ] == [("B", "Tech now", True, 6), ("C", "B", True, 7)]
    assert er.branches.branches() == {b: pid, c: b}

    from events.eventlog import export_to_file, import_file

    export_to_file(er.app, tmp_path / "c.jsonl", erasmo_version="t", portfolio_ids=[c])
    elsewhere = bootstrap(tmp_path / "elsewhere")
    try:
        import_file(elsewhere.app, tmp_path / "c.jsonl")
        (info,) = elsewhere.branches.branch_list()
        assert (info.id, info.name, info.parent_id) == (c, "C", b)
        assert (info.parent_name, info.parent_present) == ("B", False)
        frame = elsewhere.branches.compare(
            [elsewhere.trading.resolve("C")]
        )  # a branch alone reads like any portfolio
        assert frame["end_value"].iloc[0] == pytest.approx(er.analytics.performance(c).end_value)
    finally:
        elsewhere.close()


def test_branches_pass_the_stores_check(er: Erasmo) -> None:
    tech(er)
    er.branches.fork(er.trading.resolve("Tech"), "B", seq_of(er, "Tech", 6))
    er.trading.buy(er.trading.resolve("B"), "PEP", "3", "2021-01-04")
    assert check_store(er.app, er.market) == (2, [])


# -- compare and leaderboard ---------------------------------------------------------------


def three(er: Erasmo) -> None:
    """A buys 100 KO and sells them; B the same with 50 AAPL; C is A at half the size."""
    t = er.trading
    for name, cash, ticker, quantity in (
        ("A", "10000", "KO", "100"),
        ("B", "10000", "AAPL", "50"),
        ("C", "5000", "KO", "50"),
    ):
        t.open_portfolio(name, cash, BUY)
        t.buy(t.resolve(name), ticker, quantity, BUY)
        t.sell(t.resolve(name), ticker, quantity, SELL)


def end_value(cash: int, quantity: int, prices: dict[str, Decimal]) -> float:
    return float(cash - cents(quantity * prices[BUY]) + cents(quantity * prices[SELL]))


EXPECTED_END = {
    "A": end_value(10000, 100, KO),
    "B": end_value(10000, 50, AAPL),
    "C": end_value(5000, 50, KO),
}
DEPOSIT = {"A": 10000.0, "B": 10000.0, "C": 5000.0}


def max_drawdown_by_hand(cash: int, quantity: int, prices: dict[str, Decimal]) -> float:
    """The wealth index is value / deposit from the first day on (1 before it)."""
    days = sorted(d for d in prices if BUY <= d < SELL)
    rest = cash - cents(quantity * prices[BUY])
    wealth = [1.0] + [float(rest + quantity * prices[d]) / cash for d in days]
    wealth.append(end_value(cash, quantity, prices) / cash)
    peak, worst = wealth[0], 0.0
    for w in wealth:
        peak = max(peak, w)
        worst = max(worst, 1 - w / peak)
    return worst


def test_compare_matches_hand_computed_figures(er: Erasmo) -> None:
    three(er)
    frame = er.branches.compare(
        [er.trading.resolve("a"), er.trading.resolve("B"), er.trading.resolve("C")]
    )
    start = date(2019, 1, 1)  # the day before the first trading day they all share
    days = (LAST_DAY - start).days
    assert frame.attrs == {"start": start, "end": LAST_DAY}
    assert list(frame["name"]) == ["A", "B", "C"]
    for row in frame.to_dict("records"):
        name = row["name"]
        final, paid = EXPECTED_END[name], DEPOSIT[name]
        ttwror = final / paid - 1
        assert row["end_value"] == pytest.approx(final, abs=1e-6)
        assert row["pnl"] == pytest.approx(final - paid, abs=1e-6)
        assert row["net_flows"] == paid
        assert row["ttwror"] == pytest.approx(ttwror, rel=1e-9)
        assert row["ttwror_annualized"] == pytest.approx((1 + ttwror) ** (365 / days) - 1)
        assert row["irr"] == pytest.approx((final / paid) ** (365 / (days - 1)) - 1, rel=1e-6)
    dd = dict(zip(frame["name"], frame["max_drawdown"], strict=True))
    assert dd["A"] == pytest.approx(max_drawdown_by_hand(10000, 100, KO), rel=1e-9)
    assert dd["B"] == pytest.approx(max_drawdown_by_hand(10000, 50, AAPL), rel=1e-9)


def test_compare_over_a_given_period(er: Erasmo) -> None:
    three(er)
    frame = er.branches.compare(
        [er.trading.resolve("A"), er.trading.resolve("B")], "2019-03-01", "2019-06-03"
    )
    for row, cash, quantity, prices in (
        (frame.iloc[0], 10000, 100, KO),
        (frame.iloc[1], 10000, 50, AAPL),
    ):
        rest = cash - cents(quantity * prices[BUY])
        at_start = float(rest + quantity * prices["2019-03-01"])
        assert row["start_value"] == pytest.approx(at_start)
        assert row["ttwror"] == pytest.approx(end_value(cash, quantity, prices) / at_start - 1)
        assert row["net_flows"] == 0

    with pytest.raises(ComparisonPeriodError, match="'A' starts on 2019-01-02"):
        er.branches.compare([er.trading.resolve("A")], "2018-06-01")
    with pytest.raises(ComparisonPeriodError, match="the period is empty; give --from earlier"):
        er.branches.compare([er.trading.resolve("A")], "2019-06-03", "2019-06-01")
    with pytest.raises(ComparisonPeriodError, match="share starts on 2019-01-01: give --from"):
        er.branches.leaderboard(end="2018-12-31")
    with pytest.raises(ComparisonPeriodError, match="after the values end on 2022-12-28"):
        er.branches.compare([er.trading.resolve("A")], end="2023-01-03")


def test_leaderboard_ranks_ties_and_lists_the_unranked_last(er: Erasmo) -> None:
    three(er)
    t = er.trading
    t.open_portfolio("Late", "1000", "2019-03-01")
    t.buy(t.resolve("Late"), "AAPL", "5", "2019-03-01")
    t.open_portfolio("Empty", None, BUY)  # never held anything
    t.open_portfolio("Gone", "100", BUY)
    t.close(t.resolve("Gone"))  # closed portfolios are not ranked at all

    board = er.branches.leaderboard("2019-01-01")
    order = sorted(("A", "B", "C"), key=lambda n: -(EXPECTED_END[n] / DEPOSIT[n]))
    ranked = board[board["rank"].notna()]
    assert list(ranked["name"]) == order
    # A and C are the same trades at two sizes: the same TTWROR, one rank, listed by name.
    ranks = dict(zip(ranked["name"], ranked["rank"], strict=True))
    assert ranks["A"] == ranks["C"]
    assert sorted(ranks.values()) == ([1, 1, 3] if order[0] != "B" else [1, 2, 2])
    unranked = board[board["rank"].isna()]
    assert list(unranked["name"]) == ["Empty", "Late"]
    assert list(unranked["note"]) == [
        "held nothing in the period",
        "starts on 2019-03-01, after the period starts",
    ]
    assert "Gone" not in set(board["name"])

    # Default period: the one every open portfolio shares, from the day before Late's start.
    board = er.branches.leaderboard()
    assert board.attrs == {"start": date(2019, 2, 28), "end": LAST_DAY}
    expected = {}
    for name, cash, quantity, prices in (
        ("A", 10000, 100, KO),
        ("B", 10000, 50, AAPL),
        ("C", 5000, 50, KO),
    ):
        at_start = float(cash - cents(quantity * prices[BUY]) + quantity * prices["2019-02-28"])
        expected[name] = end_value(cash, quantity, prices) / at_start - 1
    late_end = float(1000 - cents(5 * AAPL["2019-03-01"]) + 5 * AAPL[str(LAST_DAY)])
    expected["Late"] = late_end / 1000 - 1
    got = {r["name"]: r["ttwror"] for r in board.to_dict("records") if r["note"] is None}
    assert got == pytest.approx(expected, rel=1e-9)
    assert list(board["name"].iloc[:4]) == sorted(expected, key=lambda n: (-expected[n], n))


def test_value_lines_overlay_values_and_wealth(er: Erasmo) -> None:
    three(er)
    absolute = er.branches.value_lines([er.trading.resolve("A"), er.trading.resolve("C")])
    assert list(absolute.columns) == ["A", "C"]
    assert absolute.index[0] == pd.Timestamp(BUY)
    assert absolute.index[-1] == pd.Timestamp(LAST_DAY)
    assert absolute["A"].iloc[-1] == pytest.approx(EXPECTED_END["A"])
    relative = er.branches.value_lines(
        [er.trading.resolve("A"), er.trading.resolve("C")], relative=True
    )
    pd.testing.assert_series_equal(relative["A"], relative["C"], check_names=False)
    assert relative["A"].iloc[-1] == pytest.approx(EXPECTED_END["A"] / 10000)


# -- the command line ------------------------------------------------------------------------


def test_cli_fork_compare_and_leaderboard(er: Erasmo, run: Run) -> None:
    three(er)
    er.close()
    code, out, err = run("history", "A", "--json")
    sell_seq = json.loads(out)[-1]["seq"]
    code, out, err = run("portfolio", "fork", "A", "A kept KO", "--at", str(sell_seq - 1))
    assert (code, err) == (0, "")
    assert out.startswith("Forked 'A' after its event 3 (seq")
    assert "holds 100 KO and " in out
    code, out, _ = run("history", "A kept KO")
    assert "BranchForked" in out
    assert "from 'A' after its event 3" in out
    code, out, _ = run("portfolio", "branches", "--json")
    (listed,) = json.loads(out)
    assert (listed["name"], listed["parent"], listed["parent_version"]) == ("A kept KO", "A", 3)
    code, out, _ = run("replay", "A kept KO")
    assert code == 0
    assert "BranchForked" in out

    count = sum(p["version"] for p in json.loads(run("portfolio", "list", "--json")[1]))
    code, _, err = run("portfolio", "fork", "A", "B", "--at", str(sell_seq - 1))
    assert code == 1
    assert "already exists" in err
    code, _, err = run("portfolio", "fork", "A", "Z", "--at", "999")
    assert code == 1
    assert err.startswith("erasmo: Log position 999 is after the latest event")
    assert sum(p["version"] for p in json.loads(run("portfolio", "list", "--json")[1])) == count

    code, out, _ = run("compare", "A", "C", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["start"], data["end"]) == ("2019-01-01", str(LAST_DAY))
    a, c = data["portfolios"]
    assert a["ttwror"] == c["ttwror"] == f"{EXPECTED_END['A'] / 10000 - 1:.6f}"
    assert a["end_value"] == f"{EXPECTED_END['A']:.2f}"
    code, out, _ = run("compare", "A", "B")
    assert (
        out.splitlines()[0]
        == f"Period 2019-01-01 to {LAST_DAY} (1457 days, the period all of them share)"
    )
    assert "TTWROR" in out
    assert "Sharpe" in out

    code, out, _ = run("leaderboard", "--json")
    ranking = json.loads(out)["ranking"]
    names = [r["name"] for r in ranking]
    assert set(names) == {"A", "B", "C", "A kept KO"}
    kept = next(r for r in ranking if r["name"] == "A kept KO")
    expected = float(10000 - cents(100 * KO[BUY]) + 100 * KO[str(LAST_DAY)]) / 10000 - 1
    assert float(kept["ttwror"]) == pytest.approx(expected, abs=1e-6)
    assert [r["rank"] for r in ranking] == sorted(r["rank"] for r in ranking)
    code, out, _ = run("leaderboard")
    assert (
        out.splitlines()[0] == f"Ranked by TTWROR from 2019-01-01 to {LAST_DAY} (ties share a rank)"
    )

    code, _, err = run("compare", "A", "--from", "2018-01-02")
    assert code == 1
    assert "'A' starts on 2019-01-02" in err
    code, _, err = run("compare", "A", "Nobody")
    assert code == 1
    assert "No portfolio is named 'Nobody'" in err
    assert math.isfinite(float(a["sharpe"]))
