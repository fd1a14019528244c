"""The market's rules for events that enter from outside (a sync push, an imported file).

A command typed here is priced and dated by erasmo's market layer; an event from a peer or a
file only claims its price and date. Before such events are recorded they are checked against
the market data this install has, with the rules a typed command passes:

- every market date is a trading day of the data's calendar and not in the future;
- a trade's ticker is known and tradable, and its price lies within that day's bar (or is the
  close, for a series that has only closes), whatever source the event says it came from;
- a split or dividend is of a ticker with raw prices and matches the data's own action;
- a portfolio's currency is an ISO 4217 code.

Where this install lacks the data to tell (a ticker priced from Yahoo that is not cached here, a
date beyond the data's calendar), the event is kept but *unverified*: `erasmo check` lists it,
the leaderboard marks the portfolio holding it, and the GUI shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from erasmo.market.base import MarketData, TickerInfo
from events.application import Portfolios
from events.errors import ErasmoError, EventLogError
from events.registry import BY_TOPIC, check_stored_event

if TYPE_CHECKING:
    import pandas as pd

#: Active ISO 4217 currency codes.
_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW
ZWL
"""
ISO_CURRENCIES = frozenset(_CODES.split())
_TRADES = ("SharesBought", "SharesSold")
_ACTIONS = ("SplitApplied", "DividendReceived")


@dataclass(frozen=True, slots=True)
class Unverified:
    """An event kept although this install lacks the market data to check it.

    Attributes:
        portfolio_id: the portfolio it belongs to.
        version: its version in that portfolio.
        event_type: its type's name.
        reason: what this install could not check, in words.
    """

    portfolio_id: UUID
    version: int
    event_type: str
    reason: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The market's word on one event: refused (why), unverified (why), or neither."""

    refused: str | None = None
    unverified: str | None = None


OK = Verdict()


class MarketRules:
    """The market rules over one market, with its calendar read once."""

    def __init__(self, market: MarketData, today: date) -> None:
        self.market = market
        self.today = today
        days = market.trading_days(None)
        self.calendar = frozenset(days)
        self.first = days[0] if len(days) else None
        self.last = days[-1] if len(days) else None
        self._infos: dict[str, TickerInfo | None] = {}

    def info(self, ticker: str) -> TickerInfo | None:
        """The ticker's info, or None when this install's market data does not know it."""
        if ticker not in self._infos:
            try:
                self._infos[ticker] = self.market.info(ticker)
            except ErasmoError:
                self._infos[ticker] = None
        return self._infos[ticker]

    def judge(self, event_type: str, on: date, fields: dict[str, Any]) -> Verdict:
        """The market's verdict on an event of `event_type` dated `on` with `fields`."""
        verdict = self._date_verdict(on)
        if verdict.refused:
            return verdict
        if event_type == "PortfolioOpened" and fields.get("currency") not in ISO_CURRENCIES:
            return Verdict(f"currency {str(fields.get('currency'))[:10]!r} is not an ISO code")
        if event_type in _TRADES:
            return self._trade_verdict(on, fields) if not verdict.unverified else verdict
        if event_type in _ACTIONS:
            return (
                self._action_verdict(event_type, on, fields) if not verdict.unverified else verdict
            )
        ticker = fields.get("ticker")
        if event_type == "OrderPlaced" and isinstance(ticker, str) and self.info(ticker) is None:
            return Verdict(unverified=f"this install has no market data for {ticker}")
        return verdict

    def _date_verdict(self, on: date) -> Verdict:
        if on > self.today:
            return Verdict(f"it is dated {on.isoformat()}, in the future")
        if on.weekday() >= 5:
            return Verdict(f"{on.isoformat()} is a {on:%A}, not a trading day")
        if self.first is None or self.last is None or not self.first <= on <= self.last:
            return Verdict(unverified=f"the market data here does not cover {on.isoformat()}")
        if on not in self.calendar:
            return Verdict(f"{on.isoformat()} is not a trading day of the market data")
        return OK

    def _trade_verdict(self, on: date, f: dict[str, Any]) -> Verdict:
        ticker, source = str(f["ticker"]), str(f.get("price_source", ""))
        info = self.info(ticker)
        if info is None:
            if source.startswith("bundled:"):
                return Verdict(f"the market data has no ticker {ticker}")
            return Verdict(unverified=f"this install has no market data for {ticker}")
        if not info.tradable:
            return Verdict(f"{ticker} is an index: it can be charted, not traded")
        day: date = f["price_date"]
        if day > on:
            return Verdict(f"its price is from {day.isoformat()}, after the trade")
        if not info.first <= day <= info.last:
            return Verdict(unverified=f"the market data here has no {ticker} on {day}")
        bar = self.market.bar(ticker, day)
        if bar is None:
            return Verdict(f"{ticker} has no bar on {day.isoformat()}")
        price: Decimal = f["price"]
        if price == bar.close:
            return OK
        if bar.low is not None and bar.high is not None:
            if not bar.low <= price <= bar.high:
                return Verdict(
                    f"price {price} is outside {ticker}'s range {bar.low} to {bar.high} on {day}"
                )
            return OK
        return Verdict(f"price {price} is not {ticker}'s close {bar.close} on {day}")

    def _action_verdict(self, event_type: str, on: date, f: dict[str, Any]) -> Verdict:
        ticker = str(f["ticker"])
        what = "split" if event_type == "SplitApplied" else "dividend"
        info = self.info(ticker)
        if info is None:
            return Verdict(unverified=f"this install has no market data for {ticker}")
        if info.adjusted:
            return Verdict(
                f"{ticker}'s prices are adjusted (splits and dividends folded in), so it takes "
                f"no {what}"
            )
        if not info.first <= on <= info.last:
            return Verdict(unverified=f"the market data here has no {ticker} on {on}")
        same = [a for a in self.market.actions(ticker, on, on) if a.kind == what]
        if not same:
            return Verdict(f"the market data has no {what} of {ticker} on {on.isoformat()}")
        recorded = f["ratio"] if what == "split" else f["amount_per_share"]
        listed = same[0].ratio if what == "split" else same[0].amount
        if recorded != listed:
            return Verdict(
                f"the {what} of {ticker} on {on} is {recorded} but the market data says {listed}"
            )
        return OK


def check_incoming(
    events: Sequence[StoredEvent],
    decode: Callable[[str, bytes], dict[str, Any]],
    market: MarketData,
    *,
    today: date,
    outcome: str = "nothing was recorded",
) -> list[Unverified]:
    """Check events from outside against their schemas and the market's rules.

    Raises `EventLogError` naming the first event refused (portfolio, version, type, why);
    returns the events kept although this install cannot check them.
    """
    for stored in events:
        check_stored_event(stored, outcome=outcome)
    rules = MarketRules(market, today)
    unverified = []
    for stored in events:
        name = BY_TOPIC[stored.topic].name
        fields = decode(stored.topic, stored.state)
        verdict = rules.judge(name, fields["on"], fields)
        if verdict.refused:
            raise EventLogError(
                f"portfolio {stored.originator_id} event {stored.originator_version} ({name}): "
                f"{verdict.refused}; {outcome}"
            )
        if verdict.unverified:
            oid = stored.originator_id
            assert isinstance(oid, UUID)
            unverified.append(Unverified(oid, stored.originator_version, name, verdict.unverified))
    return unverified


def admission(
    app: Portfolios,
    market: MarketData,
    *,
    outcome: str = "nothing was recorded",
    today: Callable[[], date] = date.today,
) -> Callable[[Sequence[StoredEvent]], list[Unverified]]:
    """`check_incoming` over `app`'s decoding and `market`, for the sync server, the sync
    client and import."""

    def admit(events: Sequence[StoredEvent]) -> list[Unverified]:
        return check_incoming(events, app.decode, market, today=today(), outcome=outcome)

    return admit


def unverified_in_frame(frame: pd.DataFrame, market: MarketData) -> set[str]:
    """The portfolios (ids as text) of an event frame holding an event this install cannot
    check: of a ticker its market data does not know, or dated beyond the data's calendar."""
    import pandas as pd  # only here: sync and import need no pandas

    if frame.empty:
        return set()
    rules = MarketRules(market, date.today())
    tickers = frame["ticker"].dropna().unique()
    unknown = [t for t in tickers if rules.info(str(t)) is None]
    marked = frame["ticker"].isin(unknown).to_numpy()
    if rules.first is not None and rules.last is not None:
        on = frame["on"]
        first, last = pd.Timestamp(rules.first), pd.Timestamp(rules.last)
        marked = marked | ((on < first) | (on > last)).to_numpy()
    return {str(p) for p in frame["portfolio"].to_numpy()[marked]}
