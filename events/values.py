"""Value types of the write side: money, quantities, tickers, names and dates.

Every parser accepts the text a user typed (or an already-typed value from code) and returns a
`Decimal`, `str` or `date`, or raises a named `InvalidInputError` that says what to type instead.
Floats are refused everywhere: money and quantities are exact decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from events.errors import (
    InvalidAmountError,
    InvalidDateError,
    InvalidNameError,
    InvalidQuantityError,
    InvalidTickerError,
)
from events.names import normal_name, skeleton

MONEY_PLACES = 2
QUANTITY_PLACES = 6
PRICE_PLACES = 6
MAX_MONEY = Decimal("1e15")  # a thousand trillion: beyond any simulated account
MAX_QUANTITY = Decimal("1e12")
NAME_MAX_LENGTH = 64
CENT = Decimal("0.01")

_PLAIN_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")
_TICKER = re.compile(r"\^?[A-Z0-9][A-Z0-9.\-]{0,14}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite values only reach here
    return max(0, -exponent)


def _parse_positive(
    raw: object,
    *,
    what: str,
    places: int,
    maximum: Decimal,
    error: type[InvalidAmountError] | type[InvalidQuantityError],
    example: str,
    allow_zero: bool = False,
) -> Decimal:
    bound = "zero or greater" if allow_zero else "greater than zero"
    if isinstance(raw, (bool, float)):
        raise error(f"{what} {raw!r} must be given as an exact decimal such as {example}.")
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise error(f"{what} must be a finite number, not {raw}.")
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if text.startswith("-") and _PLAIN_DECIMAL.fullmatch(text[1:]):
            raise error(f"{what} {text} must be {bound}.")
        if not _PLAIN_DECIMAL.fullmatch(text):
            raise error(
                f"{what} {raw!r} is not a plain decimal number: type digits with an optional "
                f"decimal point, such as {example}."
            )
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern only admits valid decimals
            raise error(f"{what} {raw!r} is not a number.") from None
    else:
        raise error(f"{what} must be a number such as {example}, not {type(raw).__name__}.")
    if value < 0 or (value == 0 and not allow_zero):
        raise error(f"{what} {value} must be {bound}.")
    if value > maximum:
        raise error(f"{what} {value} is too large: the most erasmo accepts is {maximum:,.0f}.")
    if _places(value) > places:
        raise error(f"{what} {value} has more than {places} decimal places; round it first.")
    return value


def parse_money(raw: object, *, what: str = "Amount", allow_zero: bool = False) -> Decimal:
    """A positive cash amount with at most 2 decimal places (e.g. "1500.00")."""
    return _parse_positive(
        raw,
        what=what,
        places=MONEY_PLACES,
        maximum=MAX_MONEY,
        error=InvalidAmountError,
        example="1500.00",
        allow_zero=allow_zero,
    )


def parse_fee(raw: object) -> Decimal:
    """A fee: zero or a positive cash amount with at most 2 decimal places."""
    return parse_money(raw, what="Fee", allow_zero=True)


def parse_price(raw: object) -> Decimal:
    """A positive share price with at most 6 decimal places."""
    return _parse_positive(
        raw,
        what="Price",
        places=PRICE_PLACES,
        maximum=MAX_MONEY,
        error=InvalidAmountError,
        example="128.40",
    )


def parse_quantity(raw: object) -> Decimal:
    """A positive number of shares with at most 6 decimal places (fractions are allowed)."""
    return _parse_positive(
        raw,
        what="Quantity",
        places=QUANTITY_PLACES,
        maximum=MAX_QUANTITY,
        error=InvalidQuantityError,
        example="10 or 2.5",
    )


def parse_ratio(raw: object) -> Decimal:
    """A split ratio: new shares per old share, positive, at most 6 decimal places, not 1."""
    ratio = _parse_positive(
        raw,
        what="Split ratio",
        places=QUANTITY_PLACES,
        maximum=MAX_QUANTITY,
        error=InvalidQuantityError,
        example="2 (a 2:1 split), 1.5 (3:2) or 0.5 (1:2)",
    )
    if ratio == 1:
        raise InvalidQuantityError("A split ratio of 1 changes nothing; give the real ratio.")
    return ratio


def check_trade_value(quantity: Decimal, *prices: Decimal | None) -> None:
    """Refuse a trade or order whose value (quantity x price) exceeds what erasmo handles."""
    for price in prices:
        if price is not None and quantity * price > MAX_MONEY:
            raise InvalidAmountError(
                f"{quantity} shares at {price} are worth more than {MAX_MONEY:,.0f}, the most "
                "erasmo handles in one trade or order; use fewer shares or a lower price."
            )


def split_quantity(quantity: Decimal, ratio: Decimal) -> Decimal:
    """The shares `quantity` become in a split of `ratio`, rounded down to a millionth."""
    exact = quantity * ratio
    if _places(exact) <= QUANTITY_PLACES:
        return exact
    return exact.quantize(Decimal(1).scaleb(-QUANTITY_PLACES), rounding=ROUND_DOWN)


def parse_ticker(raw: object) -> str:
    """An upper-case ASCII ticker symbol such as AAPL, BRK.B or ^GSPC."""
    if not isinstance(raw, str):
        raise InvalidTickerError(f"A ticker must be text such as AAPL, not {raw!r}.")
    stripped = raw.strip()
    text = stripped.upper()
    # Check the typed text, not its upper case: "ı".upper() is "I" and "ſ".upper() is "S".
    if not stripped.isascii() or not _TICKER.fullmatch(text):
        raise InvalidTickerError(
            f"{raw!r} is not a ticker symbol: use letters, digits, '.' or '-' (such as AAPL "
            "or BRK.B), typed in plain ASCII."
        )
    return text


def parse_name(raw: object) -> str:
    """A portfolio name: 1 to 64 printable characters, surrounding spaces removed, in composed
    form (NFC), no word mixing look-alike alphabets (see `events.names`)."""
    if not isinstance(raw, str):
        raise InvalidNameError(f"A portfolio name must be text, not {raw!r}.")
    name = raw.strip()
    if not name:
        raise InvalidNameError("A portfolio name cannot be empty: give it 1 to 64 characters.")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidNameError(
            f"The portfolio name {name[:20]!r}… has {len(name)} characters; the most is "
            f"{NAME_MAX_LENGTH}."
        )
    if not name.isprintable():
        raise InvalidNameError(
            f"The portfolio name {name!r} has a character that cannot be printed (a control "
            "character or line break); remove it."
        )
    return normal_name(name)


def name_key(name: str) -> str:
    """The key under which a name must be unique: names ignore case, Unicode's composed or
    decomposed forms, and Cyrillic or Greek letters drawn like Latin ones."""
    return skeleton(name).casefold()


def parse_date(raw: object) -> date:
    """A calendar date written YYYY-MM-DD (or a `date`)."""
    if isinstance(raw, datetime):  # a date subclass that cannot be compared with a date
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str) and _ISO_DATE.fullmatch(raw.strip()):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise InvalidDateError(f"{raw!r} is not a date: write it as YYYY-MM-DD, such as 2015-03-02.")


def to_cents(value: Decimal) -> Decimal:
    """Round a cash value to the cent, half away from zero, as brokers settle trades."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class PriceProvenance:
    """Where a trade's price came from, stored with the trade so replays need no price feed.

    Attributes:
        source: the market-data source label: "bundled:skfolio", "bundled:bokeh", or "yahoo" (a
            Yahoo price, whether just fetched or read from erasmo's cache of Yahoo's bars).
        day: the date of the bar the price was taken from.
        adjusted: True when the price is a split- and dividend-adjusted close.
        kind: "close" when erasmo filled at the bar's close, "explicit" when the user gave it.
    """

    source: str
    day: date
    adjusted: bool
    kind: str = "close"
