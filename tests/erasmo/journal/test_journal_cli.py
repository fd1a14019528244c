"""`erasmo trades`, `stats` and `report` end to end on the bundled IBM prices, every expected
figure worked out by hand from the trades typed in the test (docs/journal.md's example, with
the last buy sold so every trade is closed)."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import pytest
from cli_runner import Run

#: (args of `erasmo`) in order; every price lies inside IBM's bar of its day.
LOG = (
    ("portfolio", "open", "Practice", "--cash", "10000", "--on", "2010-03-01"),
    ("buy", "Practice", "IBM", "30", "--on", "2010-03-01", "--price", "128.57", "--fee", "5"),
    ("buy", "Practice", "IBM", "20", "--on", "2010-04-01", "--price", "128.25", "--fee", "5"),
    ("sell", "Practice", "IBM", "40", "--on", "2010-05-03", "--price", "129.60", "--fee", "5"),
    ("sell", "Practice", "IBM", "10", "--on", "2010-07-01", "--price", "122.57", "--fee", "5"),
    ("buy", "Practice", "IBM", "15", "--on", "2010-08-02", "--price", "130.76", "--fee", "5"),
    ("sell", "Practice", "IBM", "15", "--on", "2010-09-01", "--price", "125.77", "--fee", "5"),
)
#: Each trade's P&L by hand: the sell of 40 closes the lot of 30 (its whole buy fee of 5, and
#: 30/40 of the sell's fee) and 10 of the lot of 20 (half its fee, 10/40 of the sell's).
PNL = (
    30 * (129.60 - 128.57) - 5 - 5 * 30 / 40,  # 22.15
    10 * (129.60 - 128.25) - 2.5 - 5 * 10 / 40,  # 9.75
    10 * (122.57 - 128.25) - 2.5 - 5,  # -64.30
    15 * (125.77 - 130.76) - 5 - 5,  # -84.85
)


@pytest.fixture
def practice(run: Run) -> Run:
    for args in LOG:
        code, _, err = run(*args)
        assert (code, err) == (0, ""), args
    return run


def test_trades_json_lists_each_lot_closed_by_each_sell(practice: Run) -> None:
    code, out, err = practice("trades", "Practice", "--json")
    assert (code, err) == (0, "")
    trades = json.loads(out)
    assert [t["pnl"] for t in trades] == ["22.15", "9.75", "-64.30", "-84.85"]
    assert [t["pnl"] for t in trades] == [f"{p:.2f}" for p in PNL]
    assert [t["quantity"] for t in trades] == ["30", "10", "10", "15"]
    assert [t["holding_days"] for t in trades] == [63, 32, 91, 30]
    assert [t["fees"] for t in trades] == ["8.75", "3.75", "7.50", "10.00"]
    assert {t["status"] for t in trades} == {"closed"}
    # return on what the trade cost: -64.30 / (10 * 128.25 + 2.50)
    assert trades[2]["return_pct"] == f"{-64.30 / 1285.0:.6f}"


def test_trades_filtered_by_period_of_the_exit_day(practice: Run) -> None:
    code, out, _ = practice("trades", "Practice", "--from", "2010-06-01", "--to", "2010-07-31")
    assert code == 0
    assert "-64.30" in out
    assert "22.15" not in out
    assert "-84.85" not in out
    last = out.strip().splitlines()[-1]  # the statistics of the trades listed
    assert last == "1 trade of 4: 0 won, 1 lost, win rate 0.00%, P&L -64.30, expectancy -64.30."
    code, _, err = practice("trades", "Practice", "--from", "2010-08-01", "--to", "2010-06-01")
    assert code == 2
    assert "swap them" in err


def test_trades_and_stats_take_the_ticker_and_outcome_filters(practice: Run) -> None:
    code, out, err = practice("trades", "Practice", "--outcome", "losers", "--json")
    assert (code, err) == (0, "")
    assert [t["pnl"] for t in json.loads(out)] == [f"{PNL[2]:.2f}", f"{PNL[3]:.2f}"]
    code, out, err = practice("stats", "Practice", "--outcome", "winners", "--json")
    assert (code, err) == (0, "")
    stats = json.loads(out)
    assert (stats["trades"], stats["winners"], stats["losers"]) == (2, 2, 0)
    assert stats["total_pnl"] == f"{PNL[0] + PNL[1]:.2f}" == "31.90"
    assert stats["average_holding_days"] == f"{(63 + 32) / 2:.6f}"
    assert stats["payoff_ratio"] is None  # no losers among them
    code, out, _ = practice("stats", "Practice", "--ticker", "ibm", "--json")
    assert json.loads(out)["trades"] == 4  # any case
    code, out, _ = practice("trades", "Practice", "--ticker", "AAPL")
    assert (code, out) == (0, "Practice has none of its 4 trades that way.\n")
    code, out, _ = practice("stats", "Practice", "--ticker", "AAPL", "--json")
    assert json.loads(out)["trades"] == 0
    code, _, err = practice("stats", "Practice", "--outcome", "lucky")
    assert code == 2
    assert "'lucky' is not one of 'winners', 'losers', 'open', 'closed'" in err


def test_the_cli_outcomes_are_the_journal_filters_outcomes() -> None:
    from erasmo.cli.journal_commands import OUTCOMES as CLI
    from erasmo.journal.filters import OUTCOMES

    assert CLI == OUTCOMES


def test_an_open_trade_is_in_the_period_of_its_valuation_day(practice: Run) -> None:
    code, _, err = practice("buy", "Practice", "IBM", "10", "--on", "2010-10-01")
    assert (code, err) == (0, "")
    code, out, _ = practice("trades", "Practice", "--json")
    trades = json.loads(out)
    valued = trades[-1]["exit_on"]  # the market's latest day
    assert (trades[-1]["status"], trades[-1]["entry_on"]) == ("open", "2010-10-01")
    code, out, _ = practice("trades", "Practice", "--from", "2010-06-01", "--to", "2010-12-31")
    assert "2010-10-01" not in out  # entered then, but valued on a later day
    code, out, _ = practice("trades", "Practice", "--from", valued, "--json")
    assert [t["entry_on"] for t in json.loads(out)] == ["2010-10-01"]
    code, out, _ = practice("stats", "Practice", "--outcome", "open", "--json")
    assert json.loads(out)["trades"] == 1


def test_stats_json_are_the_hand_computed_statistics(practice: Run) -> None:
    code, out, err = practice("stats", "Practice", "--json")
    assert (code, err) == (0, "")
    stats = json.loads(out)
    assert (stats["trades"], stats["winners"], stats["losers"]) == (4, 2, 2)
    assert stats["win_rate"] == "0.500000"
    assert stats["total_pnl"] == f"{sum(PNL):.2f}" == "-117.25"
    assert stats["gross_profit"] == "31.90"
    assert stats["gross_loss"] == "-149.15"
    assert stats["average_win"] == "15.95"
    assert stats["average_loss"] == "-74.58"
    assert stats["profit_factor"] == f"{31.90 / 149.15:.6f}"
    assert stats["payoff_ratio"] == f"{15.95 / 74.575:.6f}"
    assert stats["expectancy"] == f"{-117.25 / 4:.2f}"
    sqn = math.sqrt(4) * statistics.mean(PNL) / statistics.stdev(PNL)
    assert stats["sqn"] == f"{sqn:.6f}"
    assert stats["kelly"] == f"{0.5 - 0.5 / (15.95 / 74.575):.6f}"
    assert stats["best_trade"] == "22.15"
    assert stats["worst_trade"] == "-84.85"
    assert stats["longest_holding_days"] == 91
    assert stats["longest_losing_streak"] == 2  # the exits of 2010-07-01 and 2010-09-01
    assert stats["longest_winning_streak"] == 2  # both trades closed by the sell of 40


def test_stats_by_month_of_the_exit(practice: Run) -> None:
    code, out, _ = practice("stats", "Practice", "--by", "month", "--json")
    assert code == 0
    rows = {row["month"]: row for row in json.loads(out)}
    assert sorted(rows) == ["2010-05", "2010-07", "2010-09"]
    assert rows["2010-05"]["trades"] == 2
    assert rows["2010-05"]["total_pnl"] == "31.90"
    assert rows["2010-07"]["total_pnl"] == "-64.30"
    assert rows["2010-09"]["win_rate"] == "0.000000"
    # realized P&L by month, summed by hand: both exits of 05-03, then one each
    assert rows["2010-05"]["realized_pnl"] == f"{PNL[0] + PNL[1]:.2f}"
    assert rows["2010-07"]["realized_pnl"] == f"{PNL[2]:.2f}"
    assert rows["2010-09"]["realized_pnl"] == f"{PNL[3]:.2f}"
    code, out, _ = practice("stats", "Practice", "--by", "ticker")
    assert code == 0
    assert "IBM" in out
    assert "-117.25" in out


def test_stats_by_month_as_text_shows_the_realized_pnl(practice: Run) -> None:
    code, out, _ = practice("stats", "Practice", "--by", "month")
    assert code == 0
    header, *lines = out.splitlines()
    assert header.split()[-1] == "realized_pnl"
    may = next(line for line in lines if line.startswith("2010-05"))
    assert may.split()[-1] == "31.90"  # 22.15 + 9.75


#: A margin account: a short sale of 10 IBM, a buy of 20 that covers it and opens a long of 10,
#: and a sell of the long. Prices inside IBM's bars of their days.
SHORTS = (
    ("portfolio", "open", "Margin", "--cash", "10000", "--on", "2010-03-01", "--account", "margin"),
    ("sell", "Margin", "IBM", "10", "--on", "2010-03-01", "--price", "128.57", "--fee", "1"),
    ("buy", "Margin", "IBM", "20", "--on", "2010-04-01", "--price", "128.25", "--fee", "2"),
    ("sell", "Margin", "IBM", "10", "--on", "2010-05-03", "--price", "129.60", "--fee", "1.01"),
)


def test_a_margin_account_s_short_is_a_trade_and_money_rounds_half_up(
    run: Run, tmp_path: Path
) -> None:
    for args in SHORTS:
        code, _, err = run(*args)
        assert (code, err) == (0, ""), args
    code, out, err = run("trades", "Margin", "--json")
    assert (code, err) == (0, "")
    trades = json.loads(out)
    assert [(t["direction"], t["quantity"]) for t in trades] == [("short", "10"), ("long", "10")]
    # short: (128.57 - 128.25) x 10 - 1 - 1 (half the buy's fee); long: the other half and 1.01
    assert [t["pnl"] for t in trades] == ["1.20", "11.49"]
    assert trades[0]["return_pct"] == f"{1.20 / 1285.70:.6f}"  # on the short sale's value
    # expectancy (1.20 + 11.49) / 2 = 6.345 exactly: half-up to 6.35, not the float's 6.34
    code, out, _ = run("stats", "Margin", "--json")
    assert code == 0
    assert json.loads(out)["expectancy"] == "6.35"
    code, out, _ = run("stats", "Margin")
    assert "6.35" in out.split("expectancy ")[1]
    code, out, _ = run("stats", "Margin", "--by", "month")
    assert code == 0
    target = tmp_path / "margin.html"
    code, _, err = run("report", "Margin", "-o", str(target))
    assert (code, err) == (0, "")
    assert ">short<" in target.read_text(encoding="utf-8")


def test_report_writes_one_self_contained_page(practice: Run, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, _out, err = practice("report", "Practice", "-o", str(target))
    assert (code, err) == (0, "")
    page = target.read_text(encoding="utf-8")
    assert "Practice: trading journal" in page
    assert "-117.25" in page
    assert "<script" not in page
    assert "http" not in page
    assert page.count("<svg") == 2
    assert "id='monthly'" in page
    realized = page[page.index("id='monthly-pnl'") :]
    realized = realized[: realized.index("</table>")]
    # 2010: May +31.90, Jul -64.30, Sep -84.85 (by hand), the other months empty
    cells = [c.split(">", 1)[1] for c in realized.split("<td")[1:]]
    assert [c.split("<", 1)[0] for c in cells] == [
        "", "", "", "", "31.90", "", "-64.30", "", "-84.85", "", "", ""
    ]  # fmt: skip


def test_unknown_portfolio_is_refused_in_one_line(practice: Run) -> None:
    code, _, err = practice("stats", "Nope")
    assert code == 1
    assert err.count("\n") == 1
    assert "Nope" in err


def test_a_short_through_a_bundled_dividend_is_charged_it(run: Run) -> None:
    """QA's case: short IBM, the bundled dividend applied (charged to the short), bought back."""
    for args in (
        (
            "portfolio",
            "open",
            "Short",
            "--cash",
            "10000",
            "--on",
            "2010-05-03",
            "--account",
            "margin",
        ),
        ("sell", "Short", "IBM", "10", "--on", "2010-05-03", "--price", "129.60", "--fee", "1"),
        ("actions", "apply", "Short", "--until", "2010-06-30"),
        ("buy", "Short", "IBM", "10", "--on", "2010-07-01", "--price", "122.57", "--fee", "1"),
    ):
        code, _, err = run(*args)
        assert (code, err) == (0, ""), (args, err)
    code, out, err = run("trades", "Short", "--json")
    assert (code, err) == (0, "")
    (trade,) = json.loads(out)
    assert (trade["direction"], trade["status"], trade["quantity"]) == ("short", "closed", "10")
    # IBM's dividend of 0.65 a share (ex-date 2010-05-06) on the 10 shares short is charged
    assert trade["dividends"] == "-6.50"
    assert trade["pnl"] == f"{10 * (129.60 - 122.57) - 2 - 6.50:.2f}"  # 61.80
