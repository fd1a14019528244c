"""Readable numbers for people: thousands separators, 2 decimals for money, signs on changes.

Formatting only: every number shown was computed by `erasmo` or stored by `events`.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal

Number = Decimal | float | int
#: Shown where a value is missing or undefined (NaN, None).
MISSING = "—"
#: A real minus sign reads better than a hyphen in tables.
MINUS = "−"


#: Thousands grouped with commas, as people type them and as this module writes them.
_GROUPED = re.compile(r"\s*[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?\s*")


def ungrouped(text: str) -> str:
    """An amount as typed, with correct thousands grouping taken out ("1,000.50" -> "1000.50").

    Only well-formed grouping is removed: "1,00" or "1,0000" stay as typed, so the domain's
    parser names them as not a number instead of guessing what was meant.
    """
    return text.replace(",", "").strip() if _GROUPED.fullmatch(text) else text


def counted(count: int, word: str) -> str:
    """A count and its noun: '1 portfolio', '2 portfolios', '1,200 events'."""
    return f"{count:,} {word if count == 1 else word + 's'}"


def _missing(value: Number | None) -> bool:
    if value is None:
        return True
    if isinstance(value, Decimal):
        return not value.is_finite()
    return isinstance(value, float) and not math.isfinite(value)


def _minus(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def money(value: Number | None) -> str:
    """12,345.67 (2 decimals, thousands separators)."""
    if _missing(value):
        return MISSING
    assert value is not None
    text = f"{value:,.2f}"
    return _minus("0.00" if text in ("-0.00",) else text)


def signed_money(value: Number | None) -> str:
    """+1,234.56 or −1,234.56 (0.00 has no sign)."""
    if _missing(value):
        return MISSING
    assert value is not None
    text = f"{value:+,.2f}"
    if text in ("+0.00", "-0.00"):
        return "0.00"
    return _minus(text)


def signed_cents(value: Number | None) -> str:
    """A journal's float money figure as `signed_money`, rounded half-up to the cent as the CLI
    and the report round it (`erasmo.journal.money.cents`: 131.475 -> +131.48, not +131.47)."""
    from erasmo.journal.money import cents  # the journal package loads pandas: not at start-up

    if _missing(value):
        return MISSING
    assert value is not None
    return signed_money(cents(float(value)))


def percent(fraction: Number | None, *, signed: bool = True, places: int = 2) -> str:
    """A fraction as a percentage: 0.1234 -> +12.34 %."""
    if _missing(fraction):
        return MISSING
    assert fraction is not None
    value = float(fraction) * 100
    text = f"{value:+,.{places}f}" if signed else f"{value:,.{places}f}"
    if signed and float(text) == 0:
        text = text[1:]
    return f"{_minus(text)} %"


def quantity(value: Number | None) -> str:
    """Shares: 1,250 or 2.5 (no trailing zeros, at most 6 decimals)."""
    if _missing(value):
        return MISSING
    assert value is not None
    exact = value if isinstance(value, Decimal) else Decimal(str(round(float(value), 6)))
    exact = exact.normalize()
    if exact == exact.to_integral_value():
        return _minus(f"{exact:,.0f}")
    places = max(0, -int(exact.as_tuple().exponent))
    return _minus(f"{exact:,.{min(places, 6)}f}")


def price(value: Number | None) -> str:
    """A share price: at least 2 decimals, up to 6 when the price has them (29.08, 45.452)."""
    if _missing(value):
        return MISSING
    assert value is not None
    exact = value if isinstance(value, Decimal) else Decimal(str(round(float(value), 6)))
    places = max(2, min(6, -int(exact.normalize().as_tuple().exponent)))
    return _minus(f"{exact:,.{places}f}")


def places_needed(value: Number | None, low: int, high: int) -> int:
    """The decimals `value` needs to show all its digits, between `low` and `high`."""
    if _missing(value):
        return low
    assert value is not None
    exact = value if isinstance(value, Decimal) else Decimal(str(round(float(value), high)))
    exponent = exact.normalize().as_tuple().exponent
    needed = -exponent if isinstance(exponent, int) else 0
    return max(low, min(high, needed))


def fixed(value: Number | None, places: int) -> str:
    """A number with exactly `places` decimals and thousands separators (a column's format)."""
    if _missing(value):
        return MISSING
    assert value is not None
    text = f"{value:,.{places}f}"
    return _minus(text[1:] if text.startswith("-") and float(value) == 0 else text)


def day(value: date | None) -> str:
    """A market date, ISO: 2018-06-01."""
    return MISSING if value is None else value.isoformat()


def sign(value: Number | None) -> int:
    """-1, 0 or 1: which colour a change is drawn in (0 for missing values)."""
    if _missing(value):
        return 0
    assert value is not None
    return (value > 0) - (value < 0)
