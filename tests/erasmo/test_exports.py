"""`erasmo export --format pp-csv|beancount|csv|parquet`: files other programs read, whose
figures are erasmo's (checked with beancount's own loader and by importing PP's CSV back)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
from beancount import loader
from beancount.core import realization
from cli_runner import Run

from erasmo.bootstrap import bootstrap
from erasmo.exporters.beancount import ledger
from erasmo.exporters.entries import entries_of

FIXTURES = Path(__file__).parent.parent / "fixtures" / "csv"


def _tech(run: Run) -> None:
    assert run("portfolio", "open", "Tech", "--on", "2012-03-01")[0] == 0
    code, _out, err = run("import-trades", "Tech", str(FIXTURES / "generic_bom.csv"))
    assert code == 0, err


def _holdings(run: Run, name: str) -> tuple[dict[str, Decimal], Decimal]:
    code, out, err = run("holdings", name, "--json")
    assert code == 0, err
    data = json.loads(out)
    return {p["ticker"]: Decimal(p["quantity"]) for p in data["positions"]}, Decimal(data["cash"])


def test_pp_csv_round_trip_gives_the_same_holdings_and_cash(run: Run, tmp_path: Path) -> None:
    _tech(run)
    file = tmp_path / "tech-pp.csv"
    code, _out, err = run("export", "Tech", "--format", "pp-csv", "-o", str(file))
    assert code == 0, err
    assert file.read_text().splitlines()[2] == "2012-03-01,Buy,7901.00,USD,40,IBM,1.00,,"
    assert run("portfolio", "open", "Back", "--on", "2012-03-01")[0] == 0
    code, _out, err = run("import-trades", "Back", str(file), "--format", "pp")
    assert code == 0, err
    assert _holdings(run, "Back") == _holdings(run, "Tech")
    assert _holdings(run, "Back")[1] == Decimal("8002.50")  # worked out in test_import_trades


def test_beancount_ledger_checks_and_balances_to_the_cent(run: Run, tmp_path: Path) -> None:
    _tech(run)
    file = tmp_path / "tech.beancount"
    code, _out, err = run("export", "Tech", "--format", "beancount", "-o", str(file))
    assert code == 0, err
    entries, errors, _options = loader.load_file(str(file))
    assert errors == []
    real = realization.realize(entries)
    held, cash = _holdings(run, "Tech")
    balance = realization.get(real, "Assets:Erasmo:Tech:Cash").balance
    assert balance.get_currency_units("USD").number == cash
    for ticker, quantity in held.items():
        stock = realization.get(real, f"Assets:Erasmo:Tech:Stocks:{ticker}").balance
        assert stock.get_currency_units(ticker).number == quantity
    # 10 IBM bought at 197.50 sold at 203.00: the gain beancount books from the FIFO lot
    gains = realization.get(real, "Income:Erasmo:Tech:Gains").balance
    assert gains.get_currency_units("USD").number == -(10 * (Decimal("203.00") - Decimal("197.50")))


def test_beancount_ledger_of_a_split_and_a_dividend(tmp_path: Path) -> None:
    from hand_market import HandMarket

    from erasmo.importers import intents_of, preset_for, read_table

    market = HandMarket("XYZ 2020-01-02 100 101 99 100\nXYZ 2020-01-06 50 52 49 51")
    file = tmp_path / "xyz.csv"
    file.write_text(
        "Date,Type,Ticker,Quantity,Price,Amount,Ratio\n"
        "2020-01-02,deposit,,,,1500,\n2020-01-02,buy,XYZ,7,100.25,,\n"
        "2020-01-02,buy,XYZ,3,99.50,,\n2020-01-06,split,XYZ,,,,3\n"
        "2020-01-06,sell,XYZ,4,51.00,,\n2020-01-06,dividend,XYZ,,,3.00,\n"
    )
    erasmo = bootstrap(tmp_path / "data", market=market)
    try:
        pid = erasmo.door.open_portfolio("Hand Made", on="2020-01-02").id
        plan = intents_of(read_table(file), preset_for("generic"))
        receipt = erasmo.door.record_batch(pid, plan.intents)
        text = ledger("Hand Made", receipt.recorded[0].day, entries_of(erasmo.door.history(pid)))
    finally:
        erasmo.close()
    entries, errors, _options = loader.load_string(text)
    assert errors == []
    real = realization.realize(entries)
    # 1500 - 7 x 100.25 - 3 x 99.50 + 4 x 51 + 3.00 (0.10 a share on the 30 held before the
    # ex-date's sale); 10 shares split 3:1 = 30, less 4
    cash = Decimal(1500) - Decimal("701.75") - Decimal("298.50") + 204 + Decimal("3.00")
    assert (
        realization.get(real, "Assets:Erasmo:Hand-Made:Cash")
        .balance.get_currency_units("USD")
        .number
        == cash
    )
    stock = realization.get(real, "Assets:Erasmo:Hand-Made:Stocks:XYZ").balance
    assert stock.get_currency_units("XYZ").number == 26
    assert receipt.cash_after == cash


def test_csv_and_parquet_tables(run: Run, tmp_path: Path) -> None:
    _tech(run)
    csv_file, parquet_file = tmp_path / "t.csv", tmp_path / "v.parquet"
    assert run("export", "Tech", "--format", "csv", "-o", str(csv_file))[0] == 0
    trades = pd.read_csv(csv_file)
    assert list(trades["kind"]) == ["deposit", "buy", "buy", "sell", "dividend"]
    assert round(trades["cash"].sum(), 2) == 8002.50
    code, _out, err = run(
        "export", "Tech", "--format", "parquet", "--table", "value", "-o", str(parquet_file)
    )
    assert code == 0, err
    value = pd.read_parquet(parquet_file)
    assert value["cash"].iloc[-1] == 8002.50
    assert value.loc["2012-03-01", "deposits"] == 20000.0


def test_the_event_log_stays_the_default_export(run: Run) -> None:
    _tech(run)
    code, out, _err = run("export", "Tech")
    assert code == 0
    assert json.loads(out.splitlines()[0])["format"] == "erasmo-event-log"


def test_a_format_for_other_programs_takes_one_portfolio(run: Run) -> None:
    _tech(run)
    code, _out, err = run("export", "--format", "beancount")
    assert code == 1
    assert "give exactly one NAME" in err


def test_pp_csv_round_trip_of_a_split(tmp_path: Path) -> None:
    from hand_market import HandMarket

    from erasmo.exporters.pp import pp_csv
    from erasmo.importers import intents_of, preset_for, read_table

    market = HandMarket("XYZ 2020-01-02 100 101 99 100\nXYZ 2020-01-06 50 52 49 51")
    file = tmp_path / "xyz.csv"
    file.write_text(
        "Date,Type,Ticker,Quantity,Price,Amount,Ratio\n"
        "2020-01-02,deposit,,,,1500,\n2020-01-02,buy,XYZ,7,100.25,,\n"
        "2020-01-06,split,XYZ,,,,2\n2020-01-06,sell,XYZ,4,51.00,,\n"
    )
    exported = tmp_path / "pp.csv"
    erasmo = bootstrap(tmp_path / "data", market=market)
    try:
        door = erasmo.door
        first = door.open_portfolio("First", on="2020-01-02").id
        door.record_batch(first, intents_of(read_table(file), preset_for("generic")).intents)
        exported.write_text(pp_csv(entries_of(door.history(first))))
        assert "2020-01-06,Delivery (Inbound),0.00,USD,7,XYZ,,,split 2:1" in exported.read_text()
        again = door.open_portfolio("Again", on="2020-01-02").id
        door.record_batch(again, intents_of(read_table(exported), preset_for("pp")).intents)
        # 1500 - 7 x 100.25 + 4 x 51; 7 split 2:1 = 14, less 4
        assert door.head(again).positions == door.head(first).positions
        assert door.head(again).cash == door.head(first).cash == Decimal("1002.25")
        assert {p.ticker: p.quantity for p in door.head(again).positions} == {"XYZ": 10}
    finally:
        erasmo.close()
