"""`erasmo import-trades --format fidelity`: Fidelity's account history CSV (a title above the
header, the security's name in the Action cell, signed quantities, notes under the rows). The
sample file tests/fixtures/csv/fidelity.csv was written for this test; every figure is worked
out by hand from its rows."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from cli_runner import Run

FILE = Path(__file__).parent.parent / "fixtures" / "csv" / "fidelity.csv"


def _history(run: Run) -> list[str]:
    code, out, err = run("history", "Fid", "--json")
    assert code == 0, err
    return [e["type"] for e in json.loads(out)]


def test_fidelity_history_records_its_rows_in_date_order(run: Run) -> None:
    assert run("portfolio", "open", "Fid", "--on", "2012-03-01")[0] == 0
    code, _out, err = run("import-trades", "Fid", str(FILE), "--format", "fidelity")
    assert code == 1
    assert err.startswith("erasmo: fidelity.csv, line 6, column Action: 'INTEREST EARNED")
    assert "--skip-other" in err
    assert _history(run) == ["PortfolioOpened"]

    code, out, err = run("import-trades", "Fid", str(FILE), "--format", "fidelity", "--skip-other")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:5] == [
        "  line 10: 2012-03-01 deposit 15,000.00",
        "  line 9: 2012-03-01 buy 50 IBM at 197.25 + fee 4.95",
        "  line 8: 2012-03-05 buy 8 GOOG at 612.5 + fee 4.95",
        "  line 7: 2012-03-15 sell 20 IBM at 205.5 + fee 4.99",
        "  line 5: 2012-05-08 dividend IBM 0.85 a share = 25.50",
    ]
    assert "1 row of other kinds left out" in lines[5]
    code, out, err = run("holdings", "Fid", "--json")
    assert code == 0, err
    data = json.loads(out)
    held = {p["ticker"]: Decimal(p["quantity"]) for p in data["positions"]}
    assert held == {"IBM": Decimal(30), "GOOG": Decimal(8)}
    # 15,000 - (50 x 197.25 + 4.95) - (8 x 612.50 + 4.95) + (20 x 205.50 - 4.95 commission -
    # 0.04 fees) + 30 x 0.85
    expected = (
        Decimal(15000)
        - Decimal("9867.45")
        - Decimal("4904.95")
        + Decimal("4105.01")
        + Decimal("25.50")
    )
    assert Decimal(data["cash"]) == expected

    code, out, err = run("import-trades", "Fid", str(FILE), "--format", "fidelity", "--skip-other")
    assert code == 0, err
    assert "5 rows already imported" in out


def test_a_fidelity_split_is_its_distribution_of_shares(run: Run, tmp_path: Path) -> None:
    assert run("portfolio", "open", "Fid", "--on", "2012-03-01")[0] == 0
    file = tmp_path / "Accounts_History.csv"
    file.write_text(
        "\n\nRun Date,Action,Symbol,Security Description,Security Type,Quantity,Price ($),"
        "Commission ($),Fees ($),Accrued Interest ($),Amount ($),Settlement Date\n"
        "03/20/2012, DISTRIBUTION ZZZQ CORP (ZZZQ) (Cash), ZZZQ,ZZZQ CORP,Cash,5,,,,,,\n"
        "03/01/2012, YOU BOUGHT ZZZQ CORP (ZZZQ) (Cash), ZZZQ,ZZZQ CORP,Cash,10,20,,,,-200,\n"
        "03/01/2012, ELECTRONIC FUNDS TRANSFER RECEIVED (Cash), ,No Description,Cash,0,,,,,200,\n"
        '\n\n"Date downloaded 04/01/2012 9:12 am"\n'
    )
    code, out, err = run("import-trades", "Fid", str(file), "--format", "fidelity")
    assert code == 0, err
    # 5 shares added to 10 held: a 3:2 split
    assert "  line 4: 2012-03-20 split ZZZQ 1.5:1" in out
    code, out, err = run("holdings", "Fid", "--json")
    data = json.loads(out)
    [row] = data["positions"]
    # 15 shares; the last trade price 20 / 1.5
    assert (row["quantity"], row["market_value"], data["cash"]) == ("15", "200.00", "0.00")
