"""Trading rules of a portfolio: its commission model and slippage, parsed from what users type.

A commission spec is one of

    "0"                     no commission
    "1.00"                  a flat amount per order
    "0.005/share"           an amount per share
    "0.1%"                  a percentage of the order's value
    "0.1%,min=1,max=20"     any of those, with an optional minimum and maximum per order

The fee of an order is the model's amount, raised to the minimum and cut to the maximum, then
rounded half-up to the cent. Slippage is in basis points (1 bp = 0.01%) against the trader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from events.errors import InvalidCommissionError, InvalidSlippageError
from events.values import to_cents

ZERO = Decimal(0)
MAX_SLIPPAGE_BPS = Decimal(1000)
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")
_HELP = (
    "Write a commission as a flat amount per order ('1.00'), an amount per share "
    "('0.005/share') or a percentage of the value ('0.1%'), optionally followed by "
    "',min=AMOUNT' and ',max=AMOUNT'; '0' means none."
)


@dataclass(frozen=True, slots=True)
class Commission:
    """A commission model.

    Attributes:
        kind: "flat" (per order), "share" (per share) or "percent" (of the order's value).
        rate: the amount per order, the amount per share, or the percentage.
        minimum, maximum: optional bounds on one order's fee.
    """

    kind: str
    rate: Decimal
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def fee(self, quantity: Decimal, price: Decimal) -> Decimal:
        """The fee of one order of `quantity` shares at `price`, to the cent."""
        if self.kind == "flat":
            amount = self.rate
        elif self.kind == "share":
            amount = self.rate * quantity
        else:
            amount = self.rate * quantity * price / 100
        if self.minimum is not None and amount < self.minimum:
            amount = self.minimum
        if self.maximum is not None and amount > self.maximum:
            amount = self.maximum
        return to_cents(amount)

    @property
    def spec(self) -> str:
        """The canonical text of this model (what `parse_commission` reads back)."""
        base = {"flat": "{}", "share": "{}/share", "percent": "{}%"}[self.kind].format(self.rate)
        if self.minimum is not None:
            base += f",min={self.minimum}"
        if self.maximum is not None:
            base += f",max={self.maximum}"
        return base


NO_COMMISSION = Commission("flat", ZERO)


def _number(text: str, what: str, spec: str) -> Decimal:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise InvalidCommissionError(
            f"{what} {text!r} in commission {spec!r} is not a number. {_HELP}"
        )
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise InvalidCommissionError(f"{what} {text!r} is not a number. {_HELP}") from None
    if value > Decimal("1e9"):
        raise InvalidCommissionError(f"{what} {value} in commission {spec!r} is too large.")
    return value


def parse_commission(raw: object) -> Commission:
    """The commission model a spec describes; raises InvalidCommissionError with the syntax."""
    if isinstance(raw, Commission):
        return raw
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidCommissionError(f"{raw!r} is not a commission. {_HELP}")
    spec = raw.strip().replace(" ", "").lower()
    head, *options = spec.split(",")
    if head.endswith("/share"):
        kind, text = "share", head.removesuffix("/share")
    elif head.endswith("%"):
        kind, text = "percent", head.removesuffix("%")
    else:
        kind, text = "flat", head
    rate = _number(text, "The rate", raw)
    if kind == "percent" and rate > 100:
        raise InvalidCommissionError(f"A commission of {rate}% is more than the whole order.")
    bounds: dict[str, Decimal] = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or key not in ("min", "max") or key in bounds:
            raise InvalidCommissionError(
                f"{option!r} in commission {raw!r} is not understood. {_HELP}"
            )
        bounds[key] = _number(value, f"The {key}imum", raw)
    minimum, maximum = bounds.get("min"), bounds.get("max")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise InvalidCommissionError(
            f"The minimum {minimum} of commission {raw!r} is above its maximum {maximum}."
        )
    return Commission(kind, rate, minimum, maximum)


def parse_slippage_bps(raw: object) -> Decimal:
    """Slippage in basis points: 0 to 1000, at most 2 decimal places."""
    if isinstance(raw, (bool, float)):
        raise InvalidSlippageError(f"Slippage {raw!r} must be an exact decimal such as 5 or 2.5.")
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, str) and _NUMBER.fullmatch(raw.strip()):
        value = Decimal(raw.strip())
    else:
        raise InvalidSlippageError(
            f"Slippage {raw!r} is not a number of basis points: give 0 to 1000, such as 5."
        )
    if not value.is_finite() or value < 0 or value > MAX_SLIPPAGE_BPS:
        raise InvalidSlippageError(
            f"Slippage {value} bps is out of range: give 0 to {MAX_SLIPPAGE_BPS} basis points."
        )
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InvalidSlippageError(f"Slippage {value} bps has more than 2 decimal places.")
    return value
