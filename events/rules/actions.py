"""Splits and dividends: recorded once, for the shares held on the day before the ex-date.

They are the one exception to the forward-only clock (see `events.portfolio`): an action may be
recorded after later events, provided the position has not changed on or after its ex-date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from events.errors import CorporateActionError
from events.rules.book import ZERO, Book, broken
from events.rules.status import check_open
from events.values import split_quantity, to_cents


def action_key(ticker: str, kind: str, on: date) -> str:
    """How a recorded corporate action is remembered: "AAPL split 2005-02-28"."""
    return f"{ticker} {kind} {on.isoformat()}"


def has_action(p: Book, ticker: str, kind: str, on: date) -> bool:
    """Whether the split or dividend of `ticker` with ex-date `on` is already recorded."""
    return action_key(ticker.strip().upper(), kind, on) in _actions(p)


def check_action(p: Book, ticker: str, kind: str, on: date) -> Decimal:
    """The holding an action on ex-date `on` applies to, once the action's rules hold.

    That is the holding at the close of the day before `on`. Dated after the clock, it is
    the holding now. Dated on or before it (a late action), it is the holding now if the
    ticker was not traded on or after `on` (and not split after it); for a dividend it may
    also be the holding before the first trade on the ex-date itself (a trade on the
    ex-date is in post-split terms, so a late split allows none).
    """
    check_open(p)
    if has_action(p, ticker, kind, on):
        raise broken(
            CorporateActionError(
                f"The {kind} of {ticker} on {on.isoformat()} is already recorded in "
                f"{p.name!r}; it is recorded once."
            ),
            f"the {kind} of {ticker} on {on} is recorded twice",
        )
    held = p.shares.get(ticker, ZERO)
    if on <= p.clock:  # a late action
        traded = _dates(p, "traded_on").get(ticker)
        split = _dates(p, "split_on").get(ticker)
        if kind == "dividend" and traded == on and (split is None or split <= on):
            held = _opening(p).get(ticker, ZERO)
        elif (
            (traded is None and held > 0)
            or (traded is not None and traded >= on)
            or (split is not None and split > on)
        ):
            changed = max(d for d in (traded, split) if d is not None) if held else None
            when = f"on {changed.isoformat()}" if changed else "at an unknown date"
            raise broken(
                CorporateActionError(
                    f"The {kind} of {ticker} on {on.isoformat()} cannot be recorded in "
                    f"{p.name!r}: its {ticker} holding changed {when}, on or after that "
                    "ex-date, so the shares held then are not known. Record actions before "
                    "trading past their ex-date ('erasmo actions apply')."
                ),
                f"the {ticker} holding changed on or after the ex-date {on}",
            )
    if held == 0:
        raise broken(
            CorporateActionError(
                f"{p.name!r} held no {ticker} on the day before {on.isoformat()}, so the "
                f"{kind} of {ticker} then does not concern it. Actions are recorded only for "
                "the shares held."
            ),
            f"a {kind} of {ticker}, which was not held the day before {on}",
        )
    return held


def check_split(ticker: str, held: Decimal, ratio: Decimal) -> None:
    """A split must leave at least a millionth of a share."""
    if split_quantity(held, ratio) == 0:
        raise CorporateActionError(
            f"A {ratio} split of {held} {ticker} leaves less than a millionth of a share, "
            "which erasmo cannot hold; sell the position instead."
        )


def check_dividend_quantity(
    p: Book, ticker: str, on: date, held: Decimal, quantity: Decimal | None
) -> None:
    """A dividend's `quantity`, when given, must be the holding it applies to (`held`)."""
    if quantity is not None and quantity != held:
        raise broken(
            CorporateActionError(
                f"The dividend of {ticker} on {on.isoformat()} is for {quantity} shares but "
                f"{p.name!r} holds {held}; record it for the shares held."
            ),
            f"the dividend is for {quantity} {ticker} but {held} were held",
        )


def dividend_amount(quantity: Decimal, amount_per_share: Decimal) -> Decimal:
    """The cash a dividend pays: quantity x amount per share, rounded to the cent."""
    return to_cents(quantity * amount_per_share)


def traded(p: Book, ticker: str, held_before: Decimal, on: date) -> None:
    """Remember a trade of `ticker` on `on` (and the holding before the day's first one)."""
    days = _dates(p, "traded_on")
    if days.get(ticker) != on:
        _opening(p)[ticker] = held_before
    days[ticker] = on


def _opening(p: Book) -> dict[str, Decimal]:
    """ticker -> its holding before the first trade of the day `traded_on[ticker]`."""
    opening: dict[str, Decimal] = p.__dict__.setdefault("opening", {})
    return opening


def _dates(p: Book, attribute: str) -> dict[str, date]:
    # A snapshot taken before erasmo tracked these has no such attribute.
    dates: dict[str, date] = p.__dict__.setdefault(attribute, {})
    return dates


def _actions(p: Book) -> dict[str, bool]:
    recorded: dict[str, bool] = p.__dict__.setdefault("actions", {})
    return recorded


# -- effects -------------------------------------------------------------------------------


def split_applied(self: Book, ticker: str, ratio: Decimal, on: date) -> None:
    self.shares[ticker] = split_quantity(self.shares[ticker], ratio)
    prices: dict[str, Decimal] = self.__dict__.get("marks", {})
    if ticker in prices:  # a margin account's mark of the ticker (see `events.rules.margin`)
        prices[ticker] = prices[ticker] / ratio
    _dates(self, "split_on")[ticker] = on
    _actions(self)[action_key(ticker, "split", on)] = True
    self.clock = max(self.clock, on)


def dividend_received(
    self: Book, ticker: str, amount_per_share: Decimal, quantity: Decimal, amount: Decimal, on: date
) -> None:
    self.cash += amount
    _actions(self)[action_key(ticker, "dividend", on)] = True
    self.clock = max(self.clock, on)
