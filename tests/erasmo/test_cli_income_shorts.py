"""`erasmo income` shows the dividends a short position paid apart from those received, in
text and --json. IBM's per-share dividends are worked out from the bundled bokeh file's raw and
adjusted closes (`dividends_a_share`, the csv module): 20 shares long on the 2012-11-07
ex-date receive 20 x a; after selling 30 (10 short), the 2013-02-06 ex-date charges 10 x b."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from cli_runner import Run
from test_cli_allocation_income import dividends_a_share

D = Decimal


def test_a_shorts_dividend_is_listed_as_paid_not_received(run: Run) -> None:
    per_share = dividends_a_share("IBM", "2012-11-01", "2013-03-01")
    assert set(per_share) == {date(2012, 11, 7), date(2013, 2, 6)}
    received = 20 * per_share[date(2012, 11, 7)]
    charged = 10 * per_share[date(2013, 2, 6)]
    assert run("portfolio", "open", "Bear", "--cash", "10000", "--on", "2012-11-01",
               "--account", "margin")[0] == 0  # fmt: skip
    assert run("buy", "Bear", "IBM", "20", "--on", "2012-11-01")[0] == 0
    assert run("actions", "apply", "Bear", "--until", "2012-11-30")[0] == 0
    assert run("sell", "Bear", "IBM", "30", "--on", "2012-12-03")[0] == 0  # 10 short
    assert run("actions", "apply", "Bear", "--until", "2013-03-01")[0] == 0

    code, out, _ = run("income", "Bear")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Bear: dividends received by month, USD"
    assert [line.split() for line in lines[1:5]] == [
        ["month", "dividends"],
        ["-------", "---------"],
        ["2012-11", f"{received:,.2f}"],
        ["Total", f"{received:,.2f}"],
    ]
    assert lines[5] == "Bear: dividends paid on short positions by month, USD"
    assert [line.split() for line in lines[6:10:3]] == [
        ["month", "paid"],
        ["Total", f"{charged:,.2f}"],
    ]
    assert lines[8].split() == ["2013-02", f"{charged:,.2f}"]
    assert lines[10] == (
        f"Net dividends: {received:,.2f} received - {charged:,.2f} paid = {received - charged:,.2f}"
    )
    assert len(lines) == 11

    data = json.loads(run("income", "Bear", "--by", "ticker", "--json")[1])
    assert data["dividends"] == [{"ticker": "IBM", "amount": f"{received:.2f}"}]
    assert D(data["total"]) == received
    assert data["paid_on_shorts"] == [{"ticker": "IBM", "amount": f"{charged:.2f}"}]
    assert D(data["paid_on_shorts_total"]) == charged
    assert D(data["net_total"]) == received - charged


def test_only_shorts_paid_nothing_received(run: Run) -> None:
    per_share = dividends_a_share("IBM", "2012-11-01", "2012-11-30")
    charged = 10 * per_share[date(2012, 11, 7)]
    assert run("portfolio", "open", "B", "--cash", "10000", "--on", "2012-11-01",
               "--account", "margin")[0] == 0  # fmt: skip
    assert run("sell", "B", "IBM", "10", "--on", "2012-11-01")[0] == 0
    assert run("actions", "apply", "B", "--until", "2012-11-30")[0] == 0
    code, out, _ = run("income", "B")
    assert code == 0
    assert "received by" not in out
    assert out.splitlines()[0] == "B: dividends paid on short positions by month, USD"
    assert f"= {-charged:,.2f}" in out.splitlines()[-1]
    data = json.loads(run("income", "B", "--json")[1])
    assert (data["dividends"], data["total"]) == ([], "0.00")
    assert data["paid_on_shorts"] == [{"month": "2012-11", "amount": f"{charged:.2f}"}]
