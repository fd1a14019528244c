"""A margin account in time: interest and borrow fees charged, margin calls, forced sales.

When the market clock moves over a margin account (see docs/margin.md):

- a `MarginCharged` takes from cash the margin interest on the debit balance and the borrow
  fees on the short positions accrued over the nights from its `since` day to its `on` day;
- a `MarginCalled` records that at a close the equity was below the maintenance margin;
- a `PositionLiquidated` records that, the call not met at the next open, a position was
  closed at that open. Its trade (a `SharesSold` of a long, a `SharesBought` covering a short,
  with price kind "forced") follows it, as an order's trade follows its `OrderFilled`.

The domain never looks prices up: the amounts, the equity and the prices are the market
clock's, and these rules check what the log alone can vouch for.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from events.errors import InvalidInputError, InvalidOrderError
from events.rules.book import ZERO, Book, broken
from events.rules.margin import is_margin, params
from events.rules.status import check_open_and_clock
from events.values import parse_fee, parse_price, to_cents

#: A year of margin interest and borrow fees counts this many nights (the US brokers' rule).
DAYS_A_YEAR = 360


def maintenance(p: Book, prices: dict[str, Decimal]) -> Decimal:
    """The equity a margin account must keep with its positions at `prices`: the maintenance
    margin for longs times the longs' value, plus that for shorts times the shorts' value."""
    rates = params(p)
    total = ZERO
    for ticker, quantity in p.shares.items():
        rate = rates["maintenance_long"] if quantity > 0 else rates["maintenance_short"]
        total += abs(quantity) * prices[ticker] * rate
    return total


def borrow_rate(p: Book, ticker: str) -> Decimal:
    """The annual borrow fee of a short position in `ticker` (its override, else the default)."""
    rates = params(p)
    for part in str(rates["borrow_overrides"]).split(","):
        name, _, rate = part.partition("=")
        if name == ticker:
            return Decimal(rate)
    return Decimal(rates["borrow_fee"])


def nightly(p: Book, prices: dict[str, Decimal], nights: int) -> tuple[Decimal, Decimal]:
    """The margin interest and the borrow fees (unrounded) of `nights` nights with the cash and
    positions `p` holds now, the shorts valued at `prices`."""
    if nights <= 0 or not is_margin(p):
        return ZERO, ZERO
    interest = max(-p.cash, ZERO) * params(p)["margin_interest"] * nights / DAYS_A_YEAR
    fees = sum(
        (
            -q * prices[t] * borrow_rate(p, t) * nights / DAYS_A_YEAR
            for t, q in p.shares.items()
            if q < 0
        ),
        ZERO,
    )
    return interest, fees


def _check_margin_account(p: Book, what: str) -> None:
    if not is_margin(p):
        raise broken(
            InvalidInputError(f"{p.name!r} is a cash account: it has no {what}."),
            f"a {what} in a cash account",
        )


def checked_charge(
    p: Book, interest: Decimal, borrow_fee: Decimal, since: date, on: date
) -> dict[str, Any]:
    """The fields of a MarginCharged: cents, not negative, over nights after the last charge."""
    _check_margin_account(p, "margin interest or borrow fee")
    interest, borrow_fee = parse_fee(interest), parse_fee(borrow_fee)
    check_open_and_clock(p, on, market=True)
    charged_to: date = p.__dict__.get("charged_to", p.opened_on)
    if not charged_to <= since < on:
        raise broken(
            InvalidInputError(
                f"A margin charge from {since} to {on} overlaps the last one (to {charged_to}) "
                "or ends before it starts."
            ),
            f"the margin charge from {since} to {on} overlaps the one to {charged_to}",
        )
    return {
        "interest": interest,
        "borrow_fee": borrow_fee,
        "amount": interest + borrow_fee,
        "since": since,
        "on": on,
    }


def checked_call(p: Book, equity: Decimal, requirement: Decimal, on: date) -> dict[str, Any]:
    """The fields of a MarginCalled: the equity given is below the requirement given."""
    _check_margin_account(p, "margin call")
    equity, requirement = to_cents(Decimal(equity)), to_cents(Decimal(requirement))
    check_open_and_clock(p, on, market=True)
    if not equity < requirement:
        raise broken(
            InvalidInputError(
                f"A margin call needs equity below the requirement; {equity:,.2f} is not "
                f"below {requirement:,.2f}."
            ),
            f"a margin call with equity {equity} not below the requirement {requirement}",
        )
    return {"equity": equity, "requirement": requirement, "on": on}


def checked_liquidation(
    p: Book, ticker: str, price: Decimal, fee: Decimal, reason: str, on: date
) -> dict[str, Any]:
    """The fields of a PositionLiquidated: a margin call recorded before `on` and not yet
    followed by a later close; the whole position, with no open order of its ticker."""
    _check_margin_account(p, "forced sale")
    price, fee = parse_price(price), parse_fee(fee)
    check_open_and_clock(p, on, market=True)
    call_on: date | None = p.__dict__.get("margin_call")
    held = p.shares.get(ticker, ZERO)
    problem = ""
    if call_on is None or not call_on < on:
        problem = "no margin call was recorded before it"
    elif not held:
        problem = f"{p.name!r} holds no {ticker}"
    elif any(o["ticker"] == ticker for o in p.open_orders.values()):
        problem = f"open orders of {ticker} are still open"
    if problem or not isinstance(reason, str) or not reason.strip():
        problem = problem or "it gives no reason"
        raise broken(
            InvalidOrderError(
                f"The forced sale of {ticker} on {on} cannot be recorded: {problem}."
            ),
            f"a forced sale of {ticker} on {on}, but {problem}",
        )
    side = "sell" if held > 0 else "buy"
    return {
        "ticker": ticker,
        "side": side,
        "quantity": abs(held),
        "price": price,
        "fee": fee,
        "call_on": call_on,
        "reason": reason.strip(),
        "on": on,
    }


def check_liquidation_trade(forced: dict[str, Any], kind: str | None, f: dict[str, Any]) -> None:
    """The event after a PositionLiquidated must be its trade, price kind "forced"."""
    expected = "SharesSold" if forced["side"] == "sell" else "SharesBought"
    keys = ("ticker", "quantity", "price", "fee")
    if kind != expected or f.get("price_kind") != "forced" or any(f[k] != forced[k] for k in keys):
        raise broken(
            InvalidOrderError(
                f"The forced sale of {forced['ticker']} on {forced['on']} is not followed by its "
                f"trade ({expected} of {forced['quantity']} at {forced['price']})."
            ),
            f"the forced sale of {forced['ticker']} is not followed by its {expected}",
        )


def paid_so_far(p: Book) -> dict[str, Decimal]:
    """The margin interest and borrow fees charged so far ("interest", "borrow_fee")."""
    found: dict[str, Decimal] = p.__dict__.get("margin_paid") or {
        "interest": ZERO,
        "borrow_fee": ZERO,
    }
    return found


def latest_call(p: Book) -> tuple[date, Decimal, Decimal] | None:
    """The latest margin call: its day, the equity and the maintenance margin then."""
    on: date | None = p.__dict__.get("margin_call")
    figures: dict[str, Decimal] = p.__dict__.get("margin_call_figures") or {}
    return None if on is None else (on, figures["equity"], figures["requirement"])


# -- effects -------------------------------------------------------------------------------


def margin_charged(
    self: Book, interest: Decimal, borrow_fee: Decimal, amount: Decimal, since: date, on: date
) -> None:
    self.cash -= amount
    self.__dict__["charged_to"] = on
    paid = paid_so_far(self)
    self.__dict__["margin_paid"] = {
        "interest": paid["interest"] + interest,
        "borrow_fee": paid["borrow_fee"] + borrow_fee,
    }
    self.clock = max(self.clock, on)


def margin_called(self: Book, equity: Decimal, requirement: Decimal, on: date) -> None:
    self.__dict__["margin_call"] = on
    self.__dict__["margin_call_figures"] = {"equity": equity, "requirement": requirement}
    self.clock = max(self.clock, on)


def position_liquidated(
    self: Book,
    ticker: str,
    side: str,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    call_on: date,
    reason: str,
    on: date,
) -> None:
    self.clock = max(self.clock, on)
