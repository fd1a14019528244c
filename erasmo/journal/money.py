"""The journal's money figures as people and JSON read them: rounded half-up to the cent.

The journal counts money in floats (cents shared pro rata by quantity, then summed and
averaged), so a figure whose exact value is 131.475 (262.95 / 2) may be stored a hair below it,
and `f"{x:.2f}"` would print 131.47. `cents` first takes the float to the nearest millionth (far
below a cent, far above a float's error at these sizes), which gives back the exact figure, and
then rounds it half-up (a half cent away from zero, as the event log rounds trade values).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

_MILLIONTH = Decimal("0.000001")
_CENT = Decimal("0.01")


def cents(value: float) -> Decimal:
    """A finite money figure rounded half-up to the cent (never "-0.00")."""
    exact = Decimal(repr(float(value))).quantize(_MILLIONTH, rounding=ROUND_HALF_EVEN)
    rounded = exact.quantize(_CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)


def money_text(value: float) -> str:
    """A finite money figure for people: half-up cents with thousands separators."""
    return f"{cents(value):,.2f}"
