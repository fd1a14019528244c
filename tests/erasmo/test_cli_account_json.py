"""`erasmo clock --json` and `erasmo portfolio rules --json` of a margin account give what the
text shows: the account's terms, equity, buying power, margin charges and latest call (decimal
strings); a cash account's `clock --json` is as before. `portfolio rules --json` only reads."""

from __future__ import annotations

import json
import re

from cli_runner import Run


def opened(run: Run) -> None:
    code, _, _ = run(
        "portfolio", "open", "M", "--cash", "10000", "--on", "2020-01-02",
        "--account", "margin", "--initial-margin", "60%", "--borrow-fees", "TSLA=5%",
    )  # fmt: skip
    assert code == 0


def test_clock_json_of_a_margin_account_has_its_terms_and_buying_power(run: Run) -> None:
    opened(run)
    code, out, _ = run("clock", "M", "--json")
    assert code == 0
    account = json.loads(out)["account"]
    # nothing held: equity = the cash, buying power 10,000 / 60% = 16,666.67 (to the cent)
    assert account == {
        "account": "margin",
        "initial_margin": "0.6",
        "maintenance_long": "0.25",
        "maintenance_short": "0.3",
        "margin_interest": "0.08",
        "borrow_fee": "0.01",
        "borrow_overrides": "TSLA=0.05",
        "equity": "10000.00",
        "buying_power": "16666.67",
        "margin_charges": {"interest": "0.00", "borrow_fees": "0.00"},
        "margin_call": None,
    }


def test_clock_json_agrees_with_the_text_after_a_short_sale(run: Run) -> None:
    opened(run)
    assert run("sell", "M", "KO", "50", "--on", "2020-01-03")[0] == 0
    _, text, _ = run("clock", "M")
    account = json.loads(run("clock", "M", "--json")[1])["account"]
    (power,) = re.findall(r"buying power ([\d,]+\.\d\d)", text)
    assert account["buying_power"] == power.replace(",", "")
    (interest, fees) = re.findall(
        r"Margin interest charged ([\d,]+\.\d\d), borrow fees ([\d,]+\.\d\d)", text
    )[0]
    assert account["margin_charges"] == {
        "interest": interest.replace(",", ""),
        "borrow_fees": fees.replace(",", ""),
    }


def test_a_cash_accounts_clock_json_has_no_account(run: Run) -> None:
    assert run("portfolio", "open", "C", "--cash", "100", "--on", "2020-01-02")[0] == 0
    assert "account" not in json.loads(run("clock", "C", "--json")[1])


def test_rules_json_reads_and_refuses_to_change(run: Run) -> None:
    opened(run)
    code, out, _ = run("portfolio", "rules", "M", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["portfolio"], data["commission"], data["slippage_bps"]) == ("M", "0", "0")
    assert data["account"]["initial_margin"] == "0.6"
    assert data["account"]["buying_power"] == "16666.67"
    code, _, err = run("portfolio", "rules", "M", "--json", "--initial-margin", "50%")
    assert code == 2
    assert "--json only shows the rules" in err
    # nothing was recorded: still 60%
    assert json.loads(run("portfolio", "rules", "M", "--json")[1])["account"]["initial_margin"] == (
        "0.6"
    )
