"""`erasmo import-trades`: broker files recorded all or nothing, by the rules of typed commands.

The sample files in tests/fixtures/csv were written for these tests; every expected figure is
worked out by hand in the test from the file's rows.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runner import Run

from erasmo.bootstrap import bootstrap

FIXTURES = Path(__file__).parent.parent / "fixtures" / "csv"


def _holdings(run: Run, name: str) -> tuple[dict[str, Decimal], Decimal]:
    code, out, err = run("holdings", name, "--json")
    assert code == 0, err
    data = json.loads(out)
    return {p["ticker"]: Decimal(p["quantity"]) for p in data["positions"]}, Decimal(data["cash"])


def _events(run: Run, name: str) -> list[dict[str, object]]:
    code, out, err = run("history", name, "--json")
    assert code == 0, err
    events: list[dict[str, object]] = json.loads(out)
    return events


def _open(run: Run, name: str = "Tech") -> None:
    code, _out, err = run("portfolio", "open", name, "--on", "2012-03-01")
    assert code == 0, err


def test_generic_file_with_a_bom_records_every_row_once(run: Run) -> None:
    _open(run)
    code, out, err = run("import-trades", "Tech", str(FIXTURES / "generic_bom.csv"))
    assert code == 0, err
    assert "Recorded 5 rows" in out
    held, cash = _holdings(run, "Tech")
    # 20,000 - (40 x 197.50 + 1) - (10 x 615 + 1) + (10 x 203 - 1) + 30 x 0.85
    assert cash == Decimal("20000") - Decimal("7901") - Decimal("6151") + 2029 + Decimal("25.50")
    assert held == {"IBM": Decimal(30), "GOOG": Decimal(10)}
    before = _events(run, "Tech")

    code, out, err = run("import-trades", "Tech", str(FIXTURES / "generic_bom.csv"))
    assert code == 0, err
    assert "Recorded 0 rows" in out
    assert "5 rows already imported" in out
    assert _events(run, "Tech") == before


def test_imported_trades_say_where_their_price_came_from(run: Run) -> None:
    _open(run)
    run("import-trades", "Tech", str(FIXTURES / "generic_bom.csv"))
    trades = [e for e in _events(run, "Tech") if e["type"] == "SharesBought"]
    sources = [str(e["price_source"]) for e in trades]
    assert sources[0].startswith("imported from generic_bom.csv line 3 #")
    assert sources[1].startswith("imported from generic_bom.csv line 4 #")
    assert {e["price_kind"] for e in trades} == {"explicit"}


def test_a_bad_cell_is_named_by_line_and_column_and_nothing_is_recorded(run: Run) -> None:
    _open(run)
    code, _out, err = run("import-trades", "Tech", str(FIXTURES / "generic_bad.csv"))
    assert code == 1
    assert err == "erasmo: generic_bad.csv, line 4, column Price: '12,5O' is not a number.\n"
    assert [e["type"] for e in _events(run, "Tech")] == ["PortfolioOpened"]


def test_dry_run_shows_the_rows_and_records_nothing(run: Run) -> None:
    _open(run)
    code, out, err = run("import-trades", "Tech", str(FIXTURES / "generic_bom.csv"), "--dry-run")
    assert code == 0, err
    assert "Would record 5 rows" in out
    assert "line 5: 2012-03-13 sell 10 IBM at 203.00" in out
    assert [e["type"] for e in _events(run, "Tech")] == ["PortfolioOpened"]


def test_a_later_export_records_only_its_new_rows(run: Run, tmp_path: Path) -> None:
    _open(run)
    first = tmp_path / "march.csv"
    shutil.copy(FIXTURES / "generic_bom.csv", first)
    run("import-trades", "Tech", str(first))
    later = tmp_path / "march-april.csv"
    later.write_bytes(first.read_bytes() + b"2012-05-15,buy,IBM,5,199.00,0,\r\n")
    code, out, err = run("import-trades", "Tech", str(later))
    assert code == 0, err
    assert "Recorded 1 row " in out
    assert "5 rows already imported" in out
    held, cash = _holdings(run, "Tech")
    assert held["IBM"] == 35
    assert cash == Decimal("8002.50") - 5 * Decimal("199.00")


def test_ibkr_activity_statement(run: Run) -> None:
    _open(run, "IB")
    code, _out, err = run(
        "import-trades", "IB", str(FIXTURES / "ibkr_activity.csv"), "--format", "ibkr"
    )
    assert code == 0, err
    held, cash = _holdings(run, "IB")
    assert held == {"IBM": Decimal(30), "GOOG": Decimal(8)}
    # 15,000 - (50 x 197.25 + 1) - (8 x 612.5 + 1) + (20 x 205.5 - 1) + 30 x 0.85
    assert cash == 15000 - Decimal("9863.50") - 4901 + 4109 + Decimal("25.50")


def test_ibkr_flex_trades_after_a_typed_deposit(run: Run) -> None:
    _open(run, "Flex")
    run("deposit", "Flex", "15000", "--on", "2012-03-01")
    code, _out, err = run(
        "import-trades", "Flex", str(FIXTURES / "ibkr_flex.csv"), "--format", "ibkr"
    )
    assert code == 0, err
    held, cash = _holdings(run, "Flex")
    assert held == {"IBM": Decimal(30), "GOOG": Decimal(8)}
    assert cash == 15000 - Decimal("9863.50") - 4901 + 4109


def test_schwab_refuses_an_unknown_row_kind_unless_told_to_skip_it(run: Run) -> None:
    _open(run, "Schwab")
    file = str(FIXTURES / "schwab.csv")
    code, _out, err = run("import-trades", "Schwab", file, "--format", "schwab")
    assert code == 1
    assert "schwab.csv, line 4, column Action: 'Bank Interest'" in err
    assert "--skip-other" in err
    assert err.count("\n") == 1
    assert [e["type"] for e in _events(run, "Schwab")] == ["PortfolioOpened"]

    code, _out, err = run("import-trades", "Schwab", file, "--format", "schwab", "--skip-other")
    assert code == 0, err
    held, cash = _holdings(run, "Schwab")
    assert held == {"IBM": Decimal(30), "GOOG": Decimal(8)}
    # newest first in the file; fees 4.95 a trade; the dividend 30 x 0.85
    assert cash == 15000 - Decimal("9867.45") - Decimal("4904.95") + Decimal("4105.05") + Decimal(
        "25.50"
    )


def test_portfolio_performance_latin1_with_decimal_commas(run: Run) -> None:
    _open(run, "PP")
    code, _out, err = run(
        "import-trades", "PP", str(FIXTURES / "pp_de_latin1.csv"), "--format", "pp"
    )
    assert code == 0, err
    held, cash = _holdings(run, "PP")
    assert held == {"IBM": Decimal(15), "GOOG": Decimal(2)}
    # Einlage 10.000 - Kauf 3.951 - Kauf 1.229,50 + Verkauf 1.017,50 + Dividende (10,84 net +
    # 1,91 tax = 15 x 0,85) - Entnahme 500
    assert (
        cash
        == Decimal("10000")
        - 3951
        - Decimal("1229.50")
        + Decimal("1017.50")
        + Decimal("12.75")
        - 500
    )
    prices = [e["price"] for e in _events(run, "PP") if e["type"] == "SharesBought"]
    assert prices == ["197.50", "614.50"]


def test_a_price_outside_the_day_range_is_refused_by_its_column(run: Run, tmp_path: Path) -> None:
    _open(run)
    run("deposit", "Tech", "10000", "--on", "2012-03-01")
    file = tmp_path / "high.csv"
    file.write_text("Date;Side;Symbol;Shares;Price\n2012-03-01;Buy;IBM;10;199,00\n")
    code, _out, err = run(
        "import-trades", "Tech", str(file), "--map", "type=Side,ticker=Symbol,quantity=Shares"
    )
    assert code == 1
    assert err.startswith("erasmo: high.csv, line 2, column Price: 199.00 is outside IBM's range")


def test_an_adjusted_closes_only_ticker_is_refused(run: Run, tmp_path: Path) -> None:
    _open(run)
    run("deposit", "Tech", "10000", "--on", "2012-03-01")
    file = tmp_path / "ko.csv"
    file.write_text("Date,Type,Ticker,Quantity,Price\n2012-03-01,buy,KO,10,34.50\n")
    code, _out, err = run("import-trades", "Tech", str(file))
    assert code == 1
    assert "ko.csv, line 2, column Price: KO's prices here are split- and dividend-adjusted" in err
    assert [e["type"] for e in _events(run, "Tech")] == ["PortfolioOpened", "CashDeposited"]


def test_a_sale_of_shares_not_held_names_the_quantity(run: Run, tmp_path: Path) -> None:
    _open(run)
    file = tmp_path / "short.csv"
    file.write_text("Date,Type,Ticker,Quantity,Price\n2012-03-01,sell,IBM,10,197.53\n")
    code, _out, err = run("import-trades", "Tech", str(file))
    assert code == 1
    assert err.startswith("erasmo: short.csv, line 2, column Quantity: ")


@pytest.mark.parametrize("when", ["dry run", "real"])
def test_splits_and_dividends_on_a_raw_series(tmp_path: Path, when: str) -> None:
    from hand_market import HandMarket

    from erasmo.importers import intents_of, preset_for, read_table

    market = HandMarket(
        """
        XYZ 2020-01-02 100 101 99 100
        XYZ 2020-01-03 100 102 99 101
        XYZ 2020-01-06 50 52 49 51
        XYZ 2020-01-07 51 53 50 52
        """
    )
    file = tmp_path / "xyz.csv"
    file.write_text(
        "Date,Type,Ticker,Quantity,Price,Fee,Amount,Ratio\n"
        "2020-01-02,deposit,,,,,2000,\n"
        "2020-01-02,buy,XYZ,10,100.50,0,,\n"
        "2020-01-06,split,XYZ,,,,,2\n"
        "2020-01-07,dividend,XYZ,,,,4.00,\n"
        "2020-01-07,sell,XYZ,5,52.00,1,,\n"
    )
    erasmo = bootstrap(tmp_path / "data", market=market)
    try:
        door = erasmo.door
        pid = door.open_portfolio("Hand", on="2020-01-02").id
        plan = intents_of(read_table(file), preset_for("generic"))
        receipt = door.record_batch(pid, plan.intents, dry_run=when == "dry run")
        # 2000 - 10 x 100.50; split 2:1 -> 20; dividend 4.00 / 20 = 0.20 a share; 5 x 52 - 1
        assert receipt.cash_after == Decimal(2000) - Decimal("1005.00") + Decimal("4.00") + 259
        assert dict(receipt.positions) == {"XYZ": Decimal(15)}
        assert [r.kind for r in receipt.recorded] == ["deposit", "buy", "split", "dividend", "sell"]
        assert receipt.recorded[3].price == Decimal("0.2")
        head = door.head(pid)
        if when == "dry run":
            assert head.version == 1
        else:
            assert head.cash == receipt.cash_after
            again = door.record_batch(pid, plan.intents)
            assert again.recorded == ()
            assert again.already == 5
            assert door.head(pid).version == head.version
    finally:
        erasmo.close()


def test_a_schwab_split_gives_the_shares_added(tmp_path: Path) -> None:
    from hand_market import HandMarket

    from erasmo.importers import intents_of, preset_for, read_table

    market = HandMarket("XYZ 2020-01-02 100 101 99 100\nXYZ 2020-01-06 50 52 49 51")
    file = tmp_path / "s.csv"
    file.write_text(
        '"Date","Action","Symbol","Description","Quantity","Price","Fees & Comm","Amount"\n'
        '"01/06/2020","Stock Split","XYZ","XYZ CORP 3 FOR 2","5","","",""\n'
        '"01/02/2020","Buy","XYZ","XYZ CORP","10","$100.00","","-$1,000.00"\n'
        '"01/02/2020","MoneyLink Transfer","","Tfr","","","","$1,000.00"\n'
    )
    erasmo = bootstrap(tmp_path / "data", market=market)
    try:
        pid = erasmo.door.open_portfolio("S", on="2020-01-02").id
        plan = intents_of(read_table(file), preset_for("schwab"))
        receipt = erasmo.door.record_batch(pid, plan.intents)
        assert dict(receipt.positions) == {"XYZ": Decimal(15)}
        assert receipt.recorded[-1].quantity == Decimal("1.5")
        assert receipt.cash_after == 0
    finally:
        erasmo.close()


def test_json_output_lists_the_rows(run: Run) -> None:
    _open(run)
    code, out, err = run(
        "import-trades", "Tech", str(FIXTURES / "generic_bom.csv"), "--dry-run", "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["dry_run"] is True
    assert data["encoding"] == "utf-8-sig"
    assert [(r["line"], r["kind"]) for r in data["recorded"]][:2] == [(2, "deposit"), (3, "buy")]
    assert data["cash_after"] == "8002.50"
    assert data["positions"] == {"GOOG": "10", "IBM": "30"}
