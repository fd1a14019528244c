"""The value parsers: what a user may type for money, quantities, prices, fees, tickers, names
and dates, and the named error each rejection raises."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.errors import (
    InvalidAmountError,
    InvalidDateError,
    InvalidInputError,
    InvalidNameError,
    InvalidQuantityError,
    InvalidTickerError,
)
from events.values import (
    name_key,
    parse_date,
    parse_fee,
    parse_money,
    parse_name,
    parse_price,
    parse_quantity,
    parse_ticker,
    to_cents,
)

# Inputs no number parser accepts, whatever its precision.
NOT_POSITIVE_NUMBERS = [
    "0",
    "0.00",
    ".0",
    0,
    Decimal(0),
    Decimal("-0"),
    "-1",
    "-0.5",
    -3,
    Decimal("-2.5"),
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "1e2",
    "1E2",
    "abc",
    "",
    "   ",
    "+5",
    "1,000",
    "1 000",
    "1.2.3",
    "0x10",
    "١٢",  # Arabic-Indic digits: Decimal() would take them, erasmo does not
    "１２",  # fullwidth digits
    1.5,
    0.1,
    float("nan"),
    float("inf"),
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    True,
    False,
    None,
    [1],
    b"10",
]


# -- money ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1500.00", Decimal("1500.00")),
        ("1500", Decimal("1500")),
        ("0.01", Decimal("0.01")),
        (".5", Decimal("0.5")),
        ("  42.10 ", Decimal("42.10")),
        (7, Decimal(7)),
        (Decimal("12.34"), Decimal("12.34")),
        (Decimal("1E+2"), Decimal(100)),
        ("1000000000000000", Decimal("1e15")),
        ("999999999999999.99", Decimal("999999999999999.99")),
    ],
)
def test_parse_money_accepts(raw: object, expected: Decimal) -> None:
    value = parse_money(raw)
    assert isinstance(value, Decimal)
    assert value == expected


@pytest.mark.parametrize("raw", NOT_POSITIVE_NUMBERS)
def test_parse_money_rejects_what_is_not_a_positive_decimal(raw: object) -> None:
    with pytest.raises(InvalidAmountError):
        parse_money(raw)


@pytest.mark.parametrize(
    "raw",
    ["0.001", "1.005", "12.345", Decimal("0.001"), Decimal("1.000"), "1500.000"],
)
def test_parse_money_rejects_more_than_two_decimal_places(raw: object) -> None:
    with pytest.raises(InvalidAmountError, match="decimal places"):
        parse_money(raw)


@pytest.mark.parametrize(
    "raw",
    ["1000000000000000.01", "1000000000000001", 10**16, Decimal("1e400"), Decimal("1E+16")],
)
def test_parse_money_rejects_too_large(raw: object) -> None:
    with pytest.raises(InvalidAmountError, match="too large"):
        parse_money(raw)


def test_parse_money_error_is_an_invalid_input_error_and_a_value_error() -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_money("abc")
    assert isinstance(info.value, ValueError)
    assert "1500.00" in str(info.value)  # says what to type instead


def test_parse_money_names_the_field() -> None:
    with pytest.raises(InvalidAmountError, match=r"^Cash"):
        parse_money("-1", what="Cash")


def test_parse_money_allow_zero() -> None:
    assert parse_money("0", allow_zero=True) == 0
    with pytest.raises(InvalidAmountError):
        parse_money("-0.01", allow_zero=True)


def _money_with_places(places: int) -> st.SearchStrategy[Decimal]:
    # units of 10**-places, from one unit up to 1e15
    return st.integers(1, 10**15 * 10**places).map(lambda n: Decimal(n).scaleb(-places))


#: Decimals with 0, 1 or 2 decimal places in (0, 1e15], each keeping its own exponent.
MONEY = st.sampled_from([0, 1, 2]).flatmap(_money_with_places)


@given(MONEY)
def test_money_round_trips_through_str(x: Decimal) -> None:
    assert Decimal(0) < x <= Decimal("1e15")
    text = str(x)
    parsed = parse_money(text)
    assert parsed == x
    assert str(parsed) == text  # the places typed are kept: "5.10" stays "5.10"


@given(MONEY)
def test_money_round_trips_as_a_decimal(x: Decimal) -> None:
    assert parse_money(x) == x
    assert parse_money(f" {x} ") == x


@given(st.integers(1, 10**12))
def test_money_in_exponent_notation_is_refused_as_text(n: int) -> None:
    x = Decimal(n).scaleb(3)  # str(x) reads like "1E+3"
    assert "E" in str(x)
    with pytest.raises(InvalidAmountError):
        parse_money(str(x))
    if x <= Decimal("1e15"):
        assert parse_money(x) == x  # the same value as a Decimal is fine


# -- fee ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", Decimal(0)), ("0.00", Decimal(0)), (0, Decimal(0)), ("4.95", Decimal("4.95"))],
)
def test_parse_fee_accepts_zero_and_cents(raw: object, expected: Decimal) -> None:
    assert parse_fee(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["-1", "-0.01", "NaN", "inf", "1e2", "abc", "", 1.5, Decimal("NaN"), True, "0.001"],
)
def test_parse_fee_rejects(raw: object) -> None:
    with pytest.raises(InvalidAmountError, match=r"^Fee"):
        parse_fee(raw)


# -- price ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("128.40", Decimal("128.40")),
        ("75.087", Decimal("75.087")),
        ("1234.567891", Decimal("1234.567891")),
        ("0.000001", Decimal("0.000001")),
        (3, Decimal(3)),
    ],
)
def test_parse_price_accepts_up_to_six_places(raw: object, expected: Decimal) -> None:
    assert parse_price(raw) == expected


@pytest.mark.parametrize("raw", NOT_POSITIVE_NUMBERS)
def test_parse_price_rejects_what_is_not_a_positive_decimal(raw: object) -> None:
    with pytest.raises(InvalidAmountError):
        parse_price(raw)


@pytest.mark.parametrize("raw", ["1.0000001", "0.0000001", Decimal("1.1234567")])
def test_parse_price_rejects_seven_places(raw: object) -> None:
    with pytest.raises(InvalidAmountError, match="decimal places"):
        parse_price(raw)


def test_parse_price_rejects_too_large() -> None:
    with pytest.raises(InvalidAmountError, match="too large"):
        parse_price("1000000000000001")


# -- quantity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10", Decimal(10)),
        ("2.5", Decimal("2.5")),
        ("0.000001", Decimal("0.000001")),
        (" 3 ", Decimal(3)),
        (5, Decimal(5)),
        (Decimal("1.123456"), Decimal("1.123456")),
        ("1000000000000", Decimal("1e12")),
    ],
)
def test_parse_quantity_accepts(raw: object, expected: Decimal) -> None:
    assert parse_quantity(raw) == expected


@pytest.mark.parametrize("raw", NOT_POSITIVE_NUMBERS)
def test_parse_quantity_rejects_what_is_not_a_positive_decimal(raw: object) -> None:
    with pytest.raises(InvalidQuantityError):
        parse_quantity(raw)


@pytest.mark.parametrize("raw", ["0.0000001", "1.1234567", Decimal("2.0000000")])
def test_parse_quantity_rejects_more_than_six_places(raw: object) -> None:
    with pytest.raises(InvalidQuantityError, match="decimal places"):
        parse_quantity(raw)


@pytest.mark.parametrize("raw", ["1000000000000.000001", "1000000000001", 10**13])
def test_parse_quantity_rejects_too_large(raw: object) -> None:
    with pytest.raises(InvalidQuantityError, match="too large"):
        parse_quantity(raw)


def test_quantity_and_amount_errors_are_distinct() -> None:
    with pytest.raises(InvalidQuantityError) as info:
        parse_quantity("abc")
    assert not isinstance(info.value, InvalidAmountError)
    with pytest.raises(InvalidAmountError) as info2:
        parse_money("abc")
    assert not isinstance(info2.value, InvalidQuantityError)


# -- ticker ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AAPL", "AAPL"),
        ("aapl", "AAPL"),
        (" msft ", "MSFT"),
        ("\tnvda\n", "NVDA"),
        ("BRK.B", "BRK.B"),
        ("BF-B", "BF-B"),
        ("^GSPC", "^GSPC"),
        ("7203", "7203"),
        ("A", "A"),
        ("ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNO"),  # 15 characters, the most
    ],
)
def test_parse_ticker_accepts(raw: str, expected: str) -> None:
    assert parse_ticker(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "АAPL",  # Cyrillic capital A
        "AAPL\u0410",  # Cyrillic A at the end
        "ＡＡＰＬ",  # fullwidth letters
        "ᎪAPL",  # Cherokee letter A
        "ıbm",  # dotless i: upper-cases to ASCII "I"
        "ſpy",  # long s: upper-cases to ASCII "S"
        "ß",  # sharp s: upper-cases to ASCII "SS"
        "ﬀ",  # ligature: upper-cases to ASCII "FF"
        "AA PL",
        "AAPL!",
        ".AAPL",
        "-AAPL",
        "^",
        "AAPL^",
        "ABCDEFGHIJKLMNOP",  # 16 characters
        "AA\nPL",
        "AAPL\x00",
        "$AAPL",
        None,
        42,
        b"AAPL",
    ],
)
def test_parse_ticker_rejects(raw: object) -> None:
    with pytest.raises(InvalidTickerError):
        parse_ticker(raw)


# -- name -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tech", "Tech"),
        ("  Retirement 2040  ", "Retirement 2040"),
        ("Ünïcödé & co.", "Ünïcödé & co."),
        ("x" * 64, "x" * 64),
        (" " + "y" * 64 + " ", "y" * 64),  # surrounding spaces do not count
    ],
)
def test_parse_name_accepts(raw: str, expected: str) -> None:
    assert parse_name(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "\t\n",
        "x" * 65,
        "Tech\nFund",
        "Tech\x00",
        "\x00",
        "Tech\tFund",
        "Tech\rFund",
        "Tech\u200bFund",  # zero-width space
        "Tech\u202eFund",  # right-to-left override
        "Tech\x1b[31m",  # terminal escape
        None,
        42,
        b"Tech",
    ],
)
def test_parse_name_rejects(raw: object) -> None:
    with pytest.raises(InvalidNameError):
        parse_name(raw)


def test_name_key_ignores_case() -> None:
    assert name_key("Tech") == name_key("TECH") == name_key("tech")
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("Tech") != name_key("Tech2")


# -- date -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-01-02", date(2020, 1, 2)),
        (" 2015-03-02 ", date(2015, 3, 2)),
        ("2020-02-29", date(2020, 2, 29)),
        (date(2019, 12, 31), date(2019, 12, 31)),
    ],
)
def test_parse_date_accepts(raw: object, expected: date) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "2020-1-2",
        "2020/01/02",
        "02-01-2020",
        "20200102",
        "2020-02-30",
        "2019-02-29",
        "2020-13-01",
        "2020-00-10",
        "2020-01-02T00:00",
        "２０２０-01-02",
        "yesterday",
        None,
        20200102,
        1.5,
    ],
)
def test_parse_date_rejects(raw: object) -> None:
    with pytest.raises(InvalidDateError):
        parse_date(raw)


def test_parse_date_error_shows_the_expected_form() -> None:
    with pytest.raises(InvalidDateError, match="YYYY-MM-DD"):
        parse_date("2020/01/02")


def test_parse_date_of_a_datetime_is_its_calendar_date() -> None:
    # A datetime is a date subclass, but it cannot be compared with a date: a portfolio whose
    # clock is a date would fail with a raw TypeError, so the parser returns a plain date.
    parsed = parse_date(datetime(2020, 1, 2, 15, 30))
    assert type(parsed) is date
    assert parsed == date(2020, 1, 2)


# -- rounding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("225.261", "225.26"),  # 3 x 75.087
        ("0.005", "0.01"),  # half rounds up
        ("0.004999", "0.00"),
        ("2.675", "2.68"),  # float arithmetic would give 2.67
        ("-0.005", "-0.01"),  # half away from zero
        ("10", "10.00"),
    ],
)
def test_to_cents_rounds_half_up(raw: str, expected: str) -> None:
    assert str(to_cents(Decimal(raw))) == expected
