"""The internal rate of return of dated cash flows, solved without scipy.

IRR is the annual rate r with sum_i v_i * (1 + r)^(-d_i / 365) = 0 (Portfolio Performance's
form, d_i in calendar days). It is solved for u = log(1 + r): a coarse scan of u brackets every
sign change of the net present value, the bracket nearest 0 % is kept, and a Newton iteration
guarded by bisection closes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from erasmo.projections.frame import Floats

DAYS_PER_YEAR = 365
#: The scan covers growth factors exp(-60) .. exp(60) over the whole span of the flows.
_SCAN_LIMIT = 60.0
_SCAN_POINTS = 241
_MAX_STEPS = 200
_LARGEST_LOG = math.log(np.finfo(np.float64).max)


@dataclass(frozen=True, slots=True)
class IrrResult:
    """An annual rate, or NaN with the reason no rate could be given.

    Attributes:
        rate: the IRR as a fraction (0.07 = 7 % a year), NaN when there is none.
        note: why rate is NaN; None when it is a number.
    """

    rate: float
    note: str | None = None


def irr(days: npt.ArrayLike, amounts: npt.ArrayLike) -> IrrResult:
    """The IRR of `amounts` (outflows negative, inflows positive) paid `days` after day 0.

    When several rates solve the equation, the one closest to 0 % is returned.
    """
    years = np.asarray(days, dtype=np.float64) / DAYS_PER_YEAR
    values = np.asarray(amounts, dtype=np.float64)
    keep = values != 0
    years, values = years[keep], values[keep]
    if len(values) == 0:
        return IrrResult(math.nan, "there are no cash flows and no value")
    if not (values > 0).any() or not (values < 0).any():
        return IrrResult(
            math.nan, "the cash flows all have the same sign, so no rate balances them"
        )
    span = float(years.max() - years.min())
    if span == 0:
        return IrrResult(math.nan, "every cash flow falls on the same day")
    scan = np.linspace(-_SCAN_LIMIT, _SCAN_LIMIT, _SCAN_POINTS) / span
    candidates = _nearest_candidates(values, years, scan)
    if not candidates:
        return IrrResult(
            math.nan,
            "no rate makes the net present value zero (growth factors from "
            f"exp(-{_SCAN_LIMIT:.0f}) to exp({_SCAN_LIMIT:.0f}) over the "
            f"{span * DAYS_PER_YEAR:.0f} days of the flows were tried)",
        )
    return IrrResult(_rate(min(candidates, key=abs)))


def _nearest_candidates(values: Floats, years: Floats, scan: Floats) -> list[float]:
    """The roots nearest 0 among the scan's zeros and sign changes (each change solved).

    The scan is evaluated outwards from its middle point (u = 0), one point each side at a
    time, and stops as soon as no unseen bracket can hold a root nearer 0 than one found:
    the candidates, and so the answer, are those of a scan of every point, for a few NPVs
    instead of hundreds. Returns [] when the whole scan has no zero and no sign change.
    """
    middle = len(scan) // 2
    signs = np.zeros(len(scan))
    seen_low = seen_high = middle
    signs[middle] = np.sign(_npv(values, years, float(scan[middle]))[0])
    while True:
        roots = [i for i in range(seen_low, seen_high + 1) if signs[i] == 0]
        changes = [i for i in range(seen_low, seen_high) if signs[i] * signs[i + 1] < 0]
        candidates = [float(scan[i]) for i in roots]
        candidates += [_solve(values, years, float(scan[i]), float(scan[i + 1])) for i in changes]
        # any bracket not yet seen lies beyond the seen points: its root is at least that far
        done_low, done_high = seen_low == 0, seen_high == len(scan) - 1
        bound = min(
            math.inf if done_low else abs(float(scan[seen_low])),
            math.inf if done_high else abs(float(scan[seen_high])),
        )
        if (candidates and min(abs(c) for c in candidates) < bound) or (done_low and done_high):
            return candidates
        if not done_low:
            seen_low -= 1
            signs[seen_low] = np.sign(_npv(values, years, float(scan[seen_low]))[0])
        if not done_high:
            seen_high += 1
            signs[seen_high] = np.sign(_npv(values, years, float(scan[seen_high]))[0])


def _rate(u: float) -> float:
    """The annual rate exp(u) - 1 of a log growth u (inf when it overflows)."""
    return math.expm1(u) if u < _LARGEST_LOG else math.inf


def _npv(values: Floats, years: Floats, u: float, ref: float | None = None) -> tuple[float, float]:
    """The net present value at u = log(1 + r) and its derivative, both times exp(u * ref).

    The factor (ref = the earliest flow for u >= 0, the latest otherwise) keeps every exponent
    <= 0, so nothing overflows; it is positive, so signs and roots are those of the NPV.
    """
    if ref is None:
        ref = float(years.min()) if u >= 0 else float(years.max())
    weights = np.exp(-u * (years - ref))
    return float(values @ weights), float(-(values * (years - ref)) @ weights)


def _solve(values: Floats, years: Floats, low: float, high: float) -> float:
    """The root of the NPV in [low, high], where it changes sign (Newton guarded by bisection)."""
    ref = float(years.min()) if low + high >= 0 else float(years.max())
    f_low = _npv(values, years, low, ref)[0]
    u = 0.5 * (low + high)
    for _ in range(_MAX_STEPS):
        f, slope = _npv(values, years, u, ref)
        if f == 0:
            return u
        if (f < 0) == (f_low < 0):
            low, f_low = u, f
        else:
            high = u
        step = u - f / slope if slope != 0 else math.nan
        following = step if low < step < high else 0.5 * (low + high)
        if abs(following - u) <= 1e-15 * max(1.0, abs(u)) or high - low <= 1e-15 * max(1.0, abs(u)):
            return following
        u = following
    return u
