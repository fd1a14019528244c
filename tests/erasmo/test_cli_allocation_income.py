"""`erasmo allocation` and `erasmo income` over a real store and the bundled prices.

Expected numbers are worked out in the test from the bundled CSV files (read with the csv
module, not erasmo's market code) and the bundled sector map: values are shares x closes,
weights value / total; a dividend is the shares held on its ex-date x the amount a share the
adjusted closes imply (close(ex) x (f(day before) / f(ex) - 1), f = close / adjusted close, the
convention of the file's publisher, rounded to the cent).
"""

from __future__ import annotations

import csv
import gzip
import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from cli_runner import Run

ROOT = Path(__file__).resolve().parents[2]
PRICES = ROOT / "resources" / "prices"
D = Decimal


def skfolio_close(ticker: str, day: str) -> Decimal:
    """A close of the adjusted skfolio file (KO, JPM, XOM ... are served from it)."""
    with gzip.open(PRICES / "sp500_dataset.csv.gz", "rt") as handle:
        for row in csv.DictReader(handle):
            if row["Date"] == day:
                return D(row[ticker])
    raise AssertionError(f"{day} not in the skfolio file")


def bokeh_rows(ticker: str) -> list[dict[str, str]]:
    with gzip.open(PRICES / "bokeh_stocks.csv.gz", "rt") as handle:
        return [row for row in csv.DictReader(handle) if row["Ticker"] == ticker]


def bokeh_close(ticker: str, day: str) -> Decimal:
    (row,) = [r for r in bokeh_rows(ticker) if r["Date"] == day]
    return D(row["Close"])


def dividends_a_share(ticker: str, start: str, end: str) -> dict[date, Decimal]:
    """Ex-date -> cash a share, from the raw and adjusted closes of the bokeh file."""
    found: dict[date, Decimal] = {}
    previous: Decimal | None = None
    for row in bokeh_rows(ticker):
        factor = D(row["Close"]) / D(row["Adj Close"])
        if previous is not None and start <= row["Date"] <= end:
            change = previous / factor
            if change - 1 > D("0.0001"):  # a dividend (no split in this range: checked below)
                assert change < D("1.2")
                amount = D(row["Close"]) * (change - 1)
                found[date.fromisoformat(row["Date"])] = amount.quantize(D("0.01"), ROUND_HALF_UP)
        previous = factor
    return found


def sectors() -> dict[str, str]:
    with (ROOT / "resources" / "sectors" / "sectors.csv").open(newline="") as handle:
        return {row["ticker"]: row["sector"] for row in csv.DictReader(handle)}


# -- allocation ------------------------------------------------------------------------------

BOUGHT = {"IBM": 20, "KO": 50, "JPM": 30, "XOM": 10, "MSFT": 40}


def open_mixed(run: Run) -> None:
    """10,000 of cash and five stocks of four sectors, bought at the close of 2012-01-03."""
    assert run("portfolio", "open", "Mix", "--cash", "10000", "--on", "2012-01-03")[0] == 0
    for ticker, quantity in BOUGHT.items():
        assert run("buy", "Mix", ticker, str(quantity), "--on", "2012-01-03")[0] == 0


def close_on(ticker: str, day: str) -> Decimal:
    return bokeh_close(ticker, day) if ticker == "IBM" else skfolio_close(ticker, day)


def test_allocation_by_ticker_and_by_sector_as_of_a_date(run: Run) -> None:
    open_mixed(run)
    spent = sum(q * close_on(t, "2012-01-03") for t, q in BOUGHT.items())
    cash = float(D(10000) - spent)
    value = {t: float(q * close_on(t, "2012-06-01")) for t, q in BOUGHT.items()}
    total = cash + sum(value.values())
    sector_of = sectors()
    assert {sector_of[t] for t in BOUGHT} == {
        "Information Technology",  # IBM, MSFT
        "Consumer Staples",
        "Financials",
        "Energy",
    }

    code, out, _ = run("allocation", "Mix", "--as-of", "2012-06-01", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["as_of"], data["by"], data["currency"]) == ("2012-06-01", "ticker", "USD")
    assert float(data["total_value"]) == pytest.approx(total, abs=0.005)
    shown = {w["ticker"]: (float(w["weight"]), float(w["value"])) for w in data["weights"]}
    assert set(shown) == {*BOUGHT, "Cash"}
    for ticker, worth in [*value.items(), ("Cash", cash)]:
        assert shown[ticker][1] == pytest.approx(worth, abs=0.005)
        assert shown[ticker][0] == pytest.approx(worth / total, abs=1e-6)
    weights = [float(w["weight"]) for w in data["weights"]]
    assert weights == sorted(weights, reverse=True)  # largest first

    code, out, _ = run("allocation", "Mix", "--as-of", "2012-06-01", "--by", "sector", "--json")
    assert code == 0
    by_sector = {w["sector"]: w for w in json.loads(out)["weights"]}
    expected: dict[str, float] = {"Cash": cash}
    for ticker, worth in value.items():
        expected[sector_of[ticker]] = expected.get(sector_of[ticker], 0.0) + worth
    assert set(by_sector) == set(expected)
    for sector, worth in expected.items():
        assert float(by_sector[sector]["value"]) == pytest.approx(worth, abs=0.005)
        assert float(by_sector[sector]["weight"]) == pytest.approx(worth / total, abs=1e-6)
    assert by_sector["Information Technology"]["tickers"] == ["IBM", "MSFT"]
    assert by_sector["Cash"]["tickers"] == []

    code, out, _ = run("allocation", "Mix", "--as-of", "2012-06-01", "--by", "sector")
    assert code == 0
    tech = expected["Information Technology"]
    assert out.splitlines()[0] == (
        f"Mix as of 2012-06-01, USD: weights by sector of the total value {total:,.2f}"
    )
    (line,) = [row for row in out.splitlines() if row.startswith("Information Technology")]
    assert line.split("  ")[-1] == "IBM, MSFT"
    assert f"{tech / total:.2%}" in line
    assert f"{tech:,.2f}" in line


def test_allocation_refusals_name_what_to_do(run: Run) -> None:
    open_mixed(run)
    code, _, err = run("allocation", "Nobody")
    assert code == 1
    assert "No portfolio is named 'Nobody'" in err
    code, _, err = run("allocation", "Mix", "--as-of", "2012-13-01")
    assert code == 1
    assert "write it as YYYY-MM-DD" in err
    code, _, err = run("allocation", "Mix", "--as-of", "2011-12-30")
    assert code == 1
    assert "did not exist yet" in err
    code, _, err = run("allocation", "Mix", "--by", "industry")
    assert code == 2
    assert "'industry' is not one of 'ticker', 'sector'" in err
    code, out, _ = run("history", "Mix", "--json")
    assert code == 0
    assert len(json.loads(out)) == 2 + len(BOUGHT)


def test_a_simulation_is_weighed_at_its_clock_never_after_it(run: Run) -> None:
    """A later --as-of shows the simulation at its clock: no price after it is seen."""
    run("portfolio", "open", "S", "--cash", "1000", "--on", "2020-01-02", "--mode", "simulation")
    assert run("buy", "S", "KO", "10")[0] == 0  # at the clock's close
    ko = 10 * skfolio_close("KO", "2020-01-02")
    code, out, _ = run("allocation", "S", "--as-of", "2021-06-01", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["as_of"] == "2020-01-02"
    weights = {w["ticker"]: (D(w["weight"]), D(w["value"])) for w in data["weights"]}
    assert weights == {
        "Cash": ((1000 - ko) / 1000, 1000 - ko),  # bought at the close, no commission
        "KO": (ko / 1000, ko),
    }


# -- income ----------------------------------------------------------------------------------


def test_income_by_month_year_and_ticker_from_the_ex_dates(run: Run) -> None:
    """20 IBM from 2012-01-03, 10 more from 2012-06-01: 20 shares are paid on the first two
    ex-dates of 2012, 30 on the last two; and 30 on those of January and February 2013."""
    assert run("portfolio", "open", "Div", "--cash", "10000", "--on", "2012-01-03")[0] == 0
    assert run("buy", "Div", "IBM", "20", "--on", "2012-01-03")[0] == 0
    # recorded before the next IBM trade, which would block them (docs: erasmo actions)
    assert run("actions", "apply", "Div", "--until", "2012-05-31")[0] == 0
    assert run("buy", "Div", "IBM", "10", "--on", "2012-06-01")[0] == 0
    assert run("buy", "Div", "KO", "10", "--on", "2012-06-01")[0] == 0  # adjusted: no dividends
    per_share = dividends_a_share("IBM", "2012-01-04", "2013-03-01")
    assert len(per_share) == 5
    assert per_share[date(2012, 11, 7)] == D("0.85")
    paid = {
        day: (20 if day < date(2012, 6, 1) else 30) * amount for day, amount in per_share.items()
    }
    assert run("actions", "apply", "Div", "--until", "2013-03-01")[0] == 0

    code, out, _ = run("income", "Div", "--json")
    assert code == 0
    data = json.loads(out)
    months = {(d.year, d.month): amount for d, amount in paid.items()}
    assert [(r["month"], D(r["amount"])) for r in data["dividends"]] == [
        (f"{y}-{m:02d}", amount) for (y, m), amount in sorted(months.items())
    ]
    total = sum(paid.values())
    assert D(data["total"]) == total

    code, out, _ = run("income", "Div", "--by", "year", "--json")
    years = {r["year"]: D(r["amount"]) for r in json.loads(out)["dividends"]}
    assert years == {
        "2012": sum(a for d, a in paid.items() if d.year == 2012),
        "2013": sum(a for d, a in paid.items() if d.year == 2013),
    }
    code, out, _ = run("income", "Div", "--by", "ticker", "--json")
    assert [(r["ticker"], D(r["amount"])) for r in json.loads(out)["dividends"]] == [("IBM", total)]

    code, out, _ = run("income", "Div", "--by", "year")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Div: dividends received by year, USD"
    assert lines[-1].split() == ["Total", f"{total:,.2f}"]
    # the same total as holdings' Dividends figure
    code, out, _ = run("holdings", "Div")
    assert f"Dividends: +{total:,.2f}" in out


def test_income_without_dividends_says_how_to_record_them(run: Run) -> None:
    assert run("portfolio", "open", "Dry", "--cash", "1000", "--on", "2012-01-03")[0] == 0
    code, out, _ = run("income", "Dry")
    assert code == 0
    assert out.strip() == (
        "Dry has received no dividends. Record those it is due with 'erasmo actions apply Dry'."
    )
    code, out, _ = run("income", "Dry", "--json")
    assert json.loads(out)["dividends"] == []
    assert json.loads(out)["total"] == "0.00"
    code, _, err = run("income", "Dry", "--by", "week")
    assert code == 2
    assert "'week' is not one of 'month', 'year', 'ticker'" in err
