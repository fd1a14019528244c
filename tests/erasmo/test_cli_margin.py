"""The CLI of margin accounts: opening one, its rules, a short sale and a cover, and a refusal
that names the numbers and records nothing. Prices are the bundled closes, read in the test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cli_runner import Run

from erasmo.market.bundled import BundledMarketData

D = Decimal


def close(ticker: str, day: date) -> Decimal:
    (bar,) = BundledMarketData().bars(ticker, day, day)
    return bar.close


def test_open_a_margin_account_and_show_its_rules(run: Run) -> None:
    code, out, _ = run(
        "portfolio", "open", "M", "--cash", "10000", "--on", "2020-01-02",
        "--account", "margin", "--initial-margin", "60%", "--borrow-fees", "TSLA=5%",
    )  # fmt: skip
    assert code == 0
    assert "margin account: initial margin 60%, maintenance 25% long / 30% short" in out
    assert "borrow overrides TSLA=0.05" in out
    # buying power: 10,000 / 60% = 16,666.67 (rounded to the cent)
    assert "buying power 16,666.67" in out
    code, out, _ = run("portfolio", "rules", "M")
    assert "It is a margin account: initial margin 60%" in out
    code, out, _ = run("clock", "M")
    assert out.splitlines()[1].startswith("A margin account: initial margin 60%")
    code, out, _ = run("portfolio", "rules", "M", "--initial-margin", "0.5")
    assert "It is now a margin account: initial margin 50%" in out
    assert "buying power 20,000.00" in out
    code, out, _ = run("portfolio", "rules", "M", "--account", "cash")
    assert "It is now a cash account." in out


def test_short_sale_and_cover_on_the_cli(run: Run) -> None:
    run("portfolio", "open", "M", "--cash", "10000", "--on", "2020-01-02", "--account", "margin")
    sold, bought = close("AAPL", date(2020, 1, 3)), close("AAPL", date(2020, 3, 16))
    code, out, _ = run("sell", "M", "AAPL", "100", "--on", "2020-01-03")
    assert code == 0
    assert "now holds -100 AAPL" in out
    code, out, _ = run("holdings", "M", "--as-of", "2020-01-03")
    row = next(line for line in out.splitlines() if line.startswith("AAPL"))
    # value -100 x the close; unrealized 0 (the close is the price sold at)
    assert row.split()[1] == "-100"
    assert f"{-100 * sold:,.2f}" in row
    code, out, _ = run("buy", "M", "AAPL", "100", "--on", "2020-03-16")
    assert code == 0
    code, out, _ = run("holdings", "M")
    realized = (100 * sold).quantize(D("0.01")) - (100 * bought).quantize(D("0.01"))
    assert f"Realized P&L: {realized:+,.2f}" in out
    code, out, _ = run("check")
    assert code == 0


def test_a_refusal_names_the_numbers_and_records_nothing(run: Run) -> None:
    run("portfolio", "open", "M", "--cash", "1000", "--on", "2020-01-02", "--account", "margin")
    price = close("AAPL", date(2020, 1, 3))
    _, before, _ = run("history", "M")
    code, _, err = run("buy", "M", "AAPL", "100", "--on", "2020-01-03")
    assert code == 1
    needed = (100 * price).quantize(D("0.01"))
    # buying power: 1,000 / 50% = 2,000
    assert f"needs {needed:,.2f} of buying power; 2,000.00 available" in err
    assert len(err.strip().splitlines()) == 1
    _, after, _ = run("history", "M")
    assert after == before
