"""Margin accounts: their parameters, short positions and buying power.

A portfolio is a cash account (no negative cash, no short; the default, and every portfolio
without an `AccountTypeSet`) or a margin account, whose parameters an `AccountTypeSet` records.

In a margin account a sale of more than the shares held opens (or extends) a short position, a
purchase of a short ticker covers it, and cash may go negative. Every buy, short sale and order
is checked against buying power:

    equity = cash + the sum over positions of quantity x mark (a short's quantity is negative)
    requirement = initial margin x the sum of |quantity| x mark
    buying power = (equity - requirement) / initial margin - what open orders hold back

A position's mark is the price of its latest trade or fill (split-adjusted): the log holds no
other price, so replaying a log always gives the same buying power. Open buy orders hold back
their reserved cash; open sell orders hold back the value (at their limit or stop, else the
mark) of the shares they would sell short. A trade needs, of buying power, the value of the
shares it opens or adds to (plus its fee); a trade that only reduces a position needs none.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from events.errors import InsufficientCashError, InvalidInputError
from events.rules.book import ZERO, Book, broken
from events.values import parse_quantity, to_cents

ACCOUNT_TYPES = ("cash", "margin")
#: The parameters of a margin account, with their defaults (fractions: 0.5 is 50%).
MARGIN_DEFAULTS: dict[str, Decimal] = {
    "initial_margin": Decimal("0.50"),  # Regulation T
    "maintenance_long": Decimal("0.25"),
    "maintenance_short": Decimal("0.30"),
    "margin_interest": Decimal("0.08"),  # a year, on a debit balance
    "borrow_fee": Decimal("0.01"),  # a year, on the value of a short position
}
_MAX_RATE = Decimal(1)


class InsufficientBuyingPowerError(InsufficientCashError):
    """A margin account's buying power does not cover a trade or an order."""


def parse_rate(raw: object, what: str) -> Decimal:
    """A fraction between 0 and 1 ("0.5" or "50%"), at most 8 decimal places."""
    text = str(raw).strip()
    try:
        rate = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except ArithmeticError:
        rate = Decimal("NaN")
    exponent = rate.as_tuple().exponent
    places_ok = isinstance(exponent, int) and exponent >= -8
    if not rate.is_finite() or not places_ok or not ZERO <= rate <= _MAX_RATE:
        raise InvalidInputError(
            f"The {what.replace('_', ' ')} {text[:20]!r} is not a fraction from 0 to 1; "
            "give e.g. 0.5 or 50%."
        )
    return rate.normalize() if rate else ZERO


def parse_overrides(raw: object) -> str:
    """Per-ticker borrow fees as text "AAPL=0.02,TSLA=0.1" (sorted by ticker; "" for none)."""
    if raw is None or raw == "":
        return ""
    if not isinstance(raw, str) or len(raw) > 500:
        raise InvalidInputError("Borrow fee overrides are text such as AAPL=0.02,TSLA=0.1.")
    rates: dict[str, Decimal] = {}
    for part in raw.split(","):
        ticker, sep, rate = part.partition("=")
        ticker = ticker.strip().upper()
        if not sep or not ticker or not ticker.replace(".", "").replace("-", "").isalnum():
            raise InvalidInputError(
                f"Borrow fee override {part.strip()[:30]!r} is not TICKER=RATE (e.g. AAPL=0.02)."
            )
        rates[ticker] = parse_rate(rate, f"borrow fee of {ticker}")
    return ",".join(f"{t}={rates[t]}" for t in sorted(rates))


def overrides(text: str) -> dict[str, Decimal]:
    """ticker -> annual borrow fee, from the text `parse_overrides` gives."""
    if not text:
        return {}
    return {t: Decimal(r) for t, _, r in (part.partition("=") for part in text.split(","))}


def checked_account(p: Book, account: str, on: date, params: dict[str, Any]) -> dict[str, Any]:
    """The fields of an AccountTypeSet, once the account type and its parameters are valid."""
    from events.rules.status import check_open_and_clock

    if account not in ACCOUNT_TYPES:
        raise InvalidInputError(f"Account type {account!r} is not one of cash, margin.")
    check_open_and_clock(p, on)
    fields: dict[str, Any] = {"account": account}
    for key, default in MARGIN_DEFAULTS.items():
        value = params.get(key)
        fields[key] = parse_rate(default if value is None else value, key)
    fields["borrow_overrides"] = parse_overrides(params.get("borrow_overrides"))
    if fields["maintenance_long"] > fields["initial_margin"] or not fields["initial_margin"]:
        raise InvalidInputError(
            "The initial margin must be above 0 and at least the maintenance margin for longs."
        )
    if account == "cash" and is_margin(p):
        shorts = sorted(t for t, q in p.shares.items() if q < 0)
        if shorts or p.cash < 0:
            what = f"short {', '.join(shorts)}" if shorts else f"cash is {p.cash:,.2f}"
            raise broken(
                InvalidInputError(
                    f"{p.name!r} cannot become a cash account while {what}: cover shorts and "
                    "repay the debit balance first."
                ),
                f"it becomes a cash account while {what}",
            )
    fields["on"] = on
    return fields


def is_margin(p: Book) -> bool:
    """Whether `p` is a margin account."""
    return getattr(p, "account", "cash") == "margin"


def params(p: Book) -> dict[str, Any]:
    """The margin parameters of `p` (the defaults for a cash account)."""
    found: dict[str, Any] | None = getattr(p, "margin", None)
    return found if found is not None else {**MARGIN_DEFAULTS, "borrow_overrides": ""}


def signed_quantity(raw: object) -> Decimal:
    """A quantity that may be negative (a short position's), parsed like a positive one."""
    if isinstance(raw, Decimal) and raw.is_finite() and raw < 0:
        return -parse_quantity(-raw)
    return parse_quantity(raw)


# -- buying power ----------------------------------------------------------------------------


def marks(p: Book) -> dict[str, Decimal]:
    """ticker -> the price of its latest trade (split-adjusted), for a margin account."""
    found: dict[str, Decimal] = p.__dict__.setdefault("marks", {})
    return found


def mark(p: Book, ticker: str) -> Decimal:
    """A position's mark: its latest trade price, else its average cost."""
    known = marks(p).get(ticker)
    if known is not None:
        return known
    held = p.shares.get(ticker, ZERO)
    return abs(p.cost.get(ticker, ZERO) / held) if held else ZERO


def equity(p: Book, prices: dict[str, Decimal] | None = None) -> Decimal:
    """Cash plus the positions at their marks (or at `prices`)."""
    prices = prices or {}
    return p.cash + sum((q * prices.get(t, mark(p, t)) for t, q in p.shares.items()), ZERO)


def _order_hold(p: Book, exclude: str | None, prices: dict[str, Decimal]) -> Decimal:
    held_back = ZERO
    selling: dict[str, Decimal] = {}
    for o in sorted(p.open_orders.values(), key=lambda o: o["number"]):
        if o["order_id"] == exclude:
            continue
        if o["side"] == "buy":
            held_back += o["reserved"]
            continue
        ticker = o["ticker"]
        long = max(p.shares.get(ticker, ZERO), ZERO) - selling.get(ticker, ZERO)
        short = o["quantity"] - max(min(long, o["quantity"]), ZERO)
        selling[ticker] = selling.get(ticker, ZERO) + o["quantity"]
        if short > 0:
            price = o["limit"] or o["stop"] or prices.get(ticker, mark(p, ticker))
            held_back += short * price
    return held_back


def buying_power(
    p: Book, exclude: str | None = None, prices: dict[str, Decimal] | None = None
) -> Decimal:
    """What a margin account may still buy or sell short, to the cent (never below 0).
    `exclude`: an order whose hold-back is released (its own fill)."""
    prices = prices or {}
    im = params(p)["initial_margin"]
    requirement = sum((abs(q) * prices.get(t, mark(p, t)) for t, q in p.shares.items()), ZERO) * im
    power = (equity(p, prices) - requirement) / im - _order_hold(p, exclude, prices)
    return max(to_cents(power), ZERO)


def opening_quantity(
    p: Book, side: str, ticker: str, quantity: Decimal, shares_free: Decimal
) -> Decimal:
    """The part of a trade that opens or adds to a position (`shares_free`: the long shares a
    sale may close)."""
    held = p.shares.get(ticker, ZERO)
    if side == "buy":
        return quantity - min(quantity, max(-held, ZERO))
    return quantity - min(quantity, max(shares_free, ZERO))


def check_trade(
    p: Book,
    side: str,
    ticker: str,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    shares_free: Decimal,
    exclude: str | None = None,
) -> None:
    """A margin account's trade: what it opens, plus its fee, must fit in the buying power."""
    opens = opening_quantity(p, side, ticker, quantity, shares_free)
    if opens <= 0:
        return
    needed = to_cents(opens * price) + fee
    available = buying_power(p, exclude, {ticker: price})
    if needed > available:
        verb = "Buying" if side == "buy" else "Selling short"
        raise refusal(p, f"{verb} {opens} {ticker} at {price}", needed, available)


def check_order(p: Book, side: str, ticker: str, quantity: Decimal, needed: Decimal) -> None:
    """A margin account's new order: what it would hold back must fit in the buying power."""
    available = buying_power(p)
    if needed > available:
        verb = "A buy order for" if side == "buy" else "A short sale order for"
        raise refusal(p, f"{verb} {quantity} {ticker}", needed, available)


def check_withdrawal(p: Book, amount: Decimal) -> None:
    """A margin account keeps the equity its positions and orders need."""
    available = to_cents(buying_power(p) * params(p)["initial_margin"])
    if amount > available:
        raise broken(
            InsufficientBuyingPowerError(
                f"Withdrawing {amount:,.2f} from {p.name!r} needs {amount:,.2f} of excess "
                f"equity; {available:,.2f} available. Withdraw less, or close positions first."
            ),
            f"the withdrawal leaves less equity than the margin requirement ({available})",
        )


def refusal(
    p: Book, what: str, needed: Decimal, available: Decimal
) -> InsufficientBuyingPowerError:
    """The one-line refusal naming the numbers."""
    im = (params(p)["initial_margin"] * 100).normalize()
    return broken(
        InsufficientBuyingPowerError(
            f"{what} needs {needed:,.2f} of buying power; {available:,.2f} available in "
            f"{p.name!r} (equity {to_cents(equity(p)):,.2f}, initial margin {im:f}%). "
            "Deposit cash, trade fewer shares or cancel an open order."
        ),
        f"it needs {needed} of buying power but {available} is available",
    )


# -- effects -------------------------------------------------------------------------------


def account_set(
    self: Book,
    account: str,
    initial_margin: Decimal,
    maintenance_long: Decimal,
    maintenance_short: Decimal,
    margin_interest: Decimal,
    borrow_fee: Decimal,
    borrow_overrides: str,
    on: date,
) -> None:
    self.__dict__["account"] = account
    self.__dict__["margin"] = {
        "initial_margin": initial_margin,
        "maintenance_long": maintenance_long,
        "maintenance_short": maintenance_short,
        "margin_interest": margin_interest,
        "borrow_fee": borrow_fee,
        "borrow_overrides": borrow_overrides,
    }
    self.clock = max(self.clock, on)


def remember_price(self: Book, ticker: str, price: Decimal) -> None:
    """Note a margin account's latest trade price of `ticker` (its mark)."""
    if is_margin(self):
        marks(self)[ticker] = price
