"""`erasmo check`: replay every portfolio and report every broken invariant.

The write side's rules (versions, clock, cash, shares, values) come from `events.audit`; this adds
the market's: each trade's ticker is known and its price matches the bar it claims to come from,
and each split or dividend of a raw-price ticker matches an action of the market data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from erasmo.intake import MarketRules
from erasmo.market.base import MarketData
from events.application import Portfolios
from events.errors import ErasmoError
from events.registry import BY_TOPIC, state_problem


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule in one portfolio."""

    portfolio: str
    version: int
    event_type: str
    message: str


def check_store(
    app: Portfolios, market: MarketData, unverified: list[Finding] | None = None
) -> tuple[int, list[Finding]]:
    """(portfolios checked, findings) over the whole store.

    Each portfolio is checked on its own: a stored event that cannot be read (out of its
    type's shape, a damaged byte) is a finding of its portfolio, never a crash. Events kept
    although this install lacks the market data to check them are added to `unverified`."""
    findings: list[Finding] = []
    try:
        # deleted portfolios too: their events stay in the log, and an undelete brings them back
        heads = app.heads(deleted=True)
    except Exception as error:  # a damaged catalog: report it, never crash
        return 0, [Finding("(catalog)", 0, "Catalog", f"the catalog cannot be read: {error}")]
    rules = MarketRules(market, date.today())
    for head in sorted(heads, key=lambda h: h.name.casefold()):
        name = f"{head.name} (deleted)" if head.deleted else head.name
        try:
            findings.extend(_check_portfolio(app, market, rules, head.id, name, unverified))
        except Exception as error:  # the store can hold anything: report it, never crash
            findings.append(Finding(name, 0, "?", f"its stored events cannot be read ({error})"))
    return len(heads), findings


def _check_portfolio(
    app: Portfolios,
    market: MarketData,
    rules: MarketRules,
    portfolio_id: UUID,
    name: str,
    unverified: list[Finding] | None,
) -> list[Finding]:
    findings = []
    for stored in app.recorder.select_events(portfolio_id):
        event_type = BY_TOPIC.get(stored.topic)
        if event_type is None:
            message = f"its type {stored.topic[:80]!r} is unknown"
            findings.append(Finding(name, stored.originator_version, "?", message))
            continue
        problem = state_problem(event_type, stored.state)
        if problem:
            findings.append(Finding(name, stored.originator_version, event_type.name, problem))
    if findings:  # out of shape: the rules below would only trip over it
        return findings
    findings.extend(
        Finding(name, p.version, p.event_type, p.message) for p in app.audit(portfolio_id)
    )
    for event in app.history(portfolio_id):
        verdict = rules.judge(event.type, event.on, {**event.fields, "on": event.on})
        if verdict.refused:
            findings.append(Finding(name, event.version, event.type, verdict.refused))
            continue
        if verdict.unverified:
            if unverified is not None:
                unverified.append(Finding(name, event.version, event.type, verdict.unverified))
            continue
        if event.type in ("SharesBought", "SharesSold"):
            problem = _price_problem(market, event.fields)
            if problem:
                findings.append(Finding(name, event.version, event.type, problem))
        # corporate actions
        elif event.type in ("SplitApplied", "DividendReceived"):
            problem = _action_problem(market, event.type, event.on, event.fields)
            if problem:
                findings.append(Finding(name, event.version, event.type, problem))
    return findings


def _action_problem(
    market: MarketData, kind: str, on: date, fields: dict[str, object]
) -> str | None:
    """A split or dividend the market data contradicts (None when it agrees or cannot say)."""
    ticker = str(fields["ticker"])
    try:
        if market.info(ticker).adjusted:
            return None  # this market serves it adjusted: it lists no actions to compare with
        actions = market.actions(ticker, on, on)
    except ErasmoError:
        return None
    what = "split" if kind == "SplitApplied" else "dividend"
    same = [a for a in actions if a.kind == what]
    if not same:
        return f"the market data has no {what} of {ticker} on {on}"
    recorded = fields["ratio"] if what == "split" else fields["amount_per_share"]
    listed = same[0].ratio if what == "split" else same[0].amount
    if recorded != listed:
        return f"the {what} of {ticker} on {on} is {recorded} but the market data says {listed}"
    return None


def _price_problem(market: MarketData, fields: dict[str, object]) -> str | None:
    ticker = str(fields["ticker"])
    source = fields.get("price_source")
    try:
        info = market.info(ticker)
    except ErasmoError:
        if isinstance(source, str) and not source.startswith("bundled:"):
            return None  # priced from a live feed (Yahoo) not at hand now: nothing to compare
        return f"the market data does not know {ticker}"
    if info.source != source:
        return None  # priced from another source (e.g. a cache): nothing here to compare with
    day = fields["price_date"]
    price = fields["price"]
    assert isinstance(price, Decimal)
    bar = market.bar(ticker, day)  # type: ignore[arg-type]
    if bar is None:
        return f"{ticker} has no bar on {day}"
    if fields.get("price_kind") == "close":
        if price != bar.close:
            return f"price {price} is not {ticker}'s close {bar.close} on {day}"
    elif bar.low is not None and bar.high is not None:
        if not bar.low <= price <= bar.high:
            return f"price {price} is outside {ticker}'s range {bar.low}-{bar.high} on {day}"
    elif price != bar.close:
        return f"price {price} is not {ticker}'s close {bar.close} on {day}"
    return None
