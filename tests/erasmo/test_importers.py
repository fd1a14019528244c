"""The pure part of the import: cells, encodings, separators, presets and row hashes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from erasmo.importers import ImportFileError, intents_of, preset_for, read_table
from erasmo.importers.cells import parse_day, parse_number
from erasmo.importers.presets import parse_map
from erasmo.importers.table import decode, sniff_separator
from events.errors import InvalidInputError


@pytest.mark.parametrize(
    ("text", "mark", "value"),
    [
        ("1,234.56", None, "1234.56"),
        ("1.234,56", None, "1234.56"),
        ("12,5", None, "12.5"),
        ("1,000", None, "1000"),
        ("1,000", ",", "1.000"),
        ("-$4,904.95", None, "-4904.95"),
        ("($12.00)", None, "-12.00"),
        ("€ 3,50", None, "3.50"),
        ("0.85", ".", "0.85"),
    ],
)
def test_numbers_as_brokers_write_them(text: str, mark: str | None, value: str) -> None:
    assert parse_number(text, "f.csv, line 2, column X", mark) == Decimal(value)


def test_a_cell_that_is_no_number_is_named() -> None:
    with pytest.raises(ImportFileError, match=r"^f.csv, line 14, column Price: '12,5O' is not"):
        parse_number("12,5O", "f.csv, line 14, column Price", None)


def test_dates_drop_a_time_and_an_as_of() -> None:
    formats = ("%Y-%m-%d", "%m/%d/%Y")
    assert parse_day("2012-03-01, 10:15:00", "p", formats) == date(2012, 3, 1)
    assert parse_day("03/05/2012 as of 03/02/2012", "p", formats) == date(2012, 3, 5)
    with pytest.raises(ImportFileError, match="YYYY-MM-DD or MM/DD/YYYY; give --date-format"):
        parse_day("5 March", "p", formats)


def test_encodings_and_separators() -> None:
    assert decode(b"\xef\xbb\xbfDate") == ("Date", "utf-8-sig")
    assert decode("Stück".encode()) == ("Stück", "utf-8")
    assert decode("Stück".encode("latin-1")) == ("Stück", "latin-1")
    assert sniff_separator('Date;Type;"a,b,c"\n') == ";"
    assert sniff_separator("Date\tType\n") == "\t"
    assert sniff_separator("Date\n") == ","


def test_row_hashes_survive_rows_added_above_and_tell_identical_rows_apart(
    tmp_path: Path,
) -> None:
    row = "2012-03-01,buy,IBM,10,197.50\n"
    first = tmp_path / "a.csv"
    first.write_text("Date,Type,Ticker,Quantity,Price\n" + row + row)
    later = tmp_path / "b.csv"
    later.write_text("Date,Type,Ticker,Quantity,Price\n2012-03-02,buy,IBM,1,198.00\n" + row + row)
    a = intents_of(read_table(first), preset_for("generic")).intents
    b = intents_of(read_table(later), preset_for("generic")).intents
    assert a[0].row_hash != a[1].row_hash
    assert {i.row_hash for i in a} <= {i.row_hash for i in b}
    assert [i.line for i in a] == [2, 3]


def test_a_newest_first_file_is_recorded_oldest_first(tmp_path: Path) -> None:
    file = tmp_path / "n.csv"
    file.write_text(
        "Date,Type,Ticker,Quantity,Price\n2012-03-02,sell,IBM,1,198\n2012-03-01,buy,IBM,1,197\n"
    )
    intents = intents_of(read_table(file), preset_for("generic")).intents
    assert [(i.kind, i.line) for i in intents] == [("buy", 3), ("sell", 2)]


def test_a_row_of_the_wrong_width_names_its_line(tmp_path: Path) -> None:
    file = tmp_path / "w.csv"
    file.write_text("Date,Type,Ticker,Quantity,Price\n2012-03-01,buy,IBM,10\n")
    with pytest.raises(ImportFileError, match=r"^w.csv, line 2: 4 cells where the header has 5"):
        intents_of(read_table(file), preset_for("generic"))


def test_a_value_rule_names_the_column(tmp_path: Path) -> None:
    file = tmp_path / "q.csv"
    file.write_text("Date,Type,Ticker,Quantity,Price\n2012-03-01,buy,IBM,-3,197\n")
    with pytest.raises(ImportFileError, match=r"^q.csv, line 2, column Quantity: Quantity -3"):
        intents_of(read_table(file), preset_for("generic"))


def test_maps_and_formats_are_checked() -> None:
    assert parse_map("date=Datum, side=Aktion") == {"date": "Datum", "type": "Aktion"}
    with pytest.raises(InvalidInputError, match="FIELD=COLUMN"):
        parse_map("colour=Red")
    with pytest.raises(InvalidInputError, match="generic, ibkr, schwab, fidelity, pp"):
        preset_for("etrade")


def test_pp_prices_come_from_value_fees_and_shares(tmp_path: Path) -> None:
    file = tmp_path / "pp.csv"
    file.write_text(
        "Date;Type;Value;Shares;Ticker Symbol;Fees;Taxes\n"
        "2012-03-01;Buy;1.000,00;3;IBM;1,00;\n"
        "2012-03-02;Sell;500,00;2;IBM;1,00;0,50\n"
    )
    buy, sell = intents_of(read_table(file), preset_for("pp")).intents
    # (1000 - 1) / 3 = 333.000000; (500 + 1.50) / 2 = 250.75
    assert buy.price == Decimal("333.00")
    assert sell.price == Decimal("250.75")
    assert sell.fee == Decimal("1.50")


def test_pp_delivery_at_no_value_is_a_split_and_with_a_value_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "pp.csv"
    file.write_text(
        "Date,Type,Value,Shares,Ticker Symbol,Note\n"
        "2012-03-01,Delivery (Inbound),0.00,10,IBM,split 2:1\n"
    )
    (split,) = intents_of(read_table(file), preset_for("pp")).intents
    assert (split.kind, split.added, split.ratio) == ("split", Decimal(10), None)
    file.write_text(
        "Date,Type,Value,Shares,Ticker Symbol\n2012-03-01,Delivery (Inbound),1970.00,10,IBM\n"
    )
    with pytest.raises(ImportFileError, match=r"^pp.csv, line 2, column Value: a delivery"):
        intents_of(read_table(file), preset_for("pp"))
