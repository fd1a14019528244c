"""Corporate actions of a portfolio: which splits and dividends it is due, and recording them.

A ticker's prices come from one source (see `erasmo.market`). Where they are adjusted closes
(skfolio), splits and dividends are already folded into the prices and nothing is ever recorded
for them. Where they are raw closes (bokeh, Yahoo), the provider lists the ticker's actions and
a portfolio that held the ticker at the close of the day before an ex-date records the action
as an event: `SplitApplied` changes the quantity (not the cost or the value), `DividendReceived`
adds cash (income, not a deposit). A ticker a portfolio ever traded at an adjusted price gets
no actions either, whatever the provider says now, so a return is never counted twice.

When: `apply` records the actions dated up to the portfolio's clock by default (catching up,
which leaves the clock where it is), or up to a later date (`until`), which moves the clock to
the last action recorded. An action dated before later events is recorded provided its ticker
was not traded on or after its ex-date (the write side's rule,
`events.rules.actions.check_action`); an action whose ticker was traded past its ex-date
before it was recorded can no longer be, and is listed as blocked with the reason. So: apply
actions before trading a ticker past an ex-date.
Trades do not record actions by themselves: every recorded event is one the user asked for.

Standard library only (no pandas): the CLI's write commands import this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from erasmo.market.base import CorporateAction, MarketData
from events.application import LoggedEvent, Portfolios
from events.errors import ErasmoError, SimulationClockError
from events.values import parse_date, split_quantity, to_cents

ZERO = Decimal(0)
READY, BLOCKED = "ready", "blocked"


@dataclass(frozen=True, slots=True)
class PendingAction:
    """A split or dividend a portfolio is due and has not recorded.

    Attributes:
        action: the corporate action (ticker, ex-date, kind, ratio or amount per share, source).
        quantity: the shares it applies to: those held at the close of the day before the
            ex-date, after the earlier actions listed before it.
        quantity_after: the shares held after it (a split changes them; a dividend does not).
        cash: the cash a dividend pays (quantity x amount per share, to the cent); 0 for a split.
        status: "ready" (`apply` records it) or "blocked" (it cannot be recorded: see reason).
        reason: why it is blocked; "" when ready.
    """

    action: CorporateAction
    quantity: Decimal
    quantity_after: Decimal
    cash: Decimal
    status: str
    reason: str = ""

    @property
    def ready(self) -> bool:
        """Whether `apply` records it."""
        return self.status == READY


def pending_actions(
    app: Portfolios,
    market: MarketData,
    portfolio_id: UUID,
    until: str | date | None = None,
) -> list[PendingAction]:
    """The actions portfolio `portfolio_id` is due up to `until` (default: its clock), in the
    order `apply_actions` records them (by ex-date; on one day a split before a dividend)."""
    history = app.history(portfolio_id)
    portfolio = app.portfolio(portfolio_id)
    last = portfolio.clock if until is None else parse_date(until)
    if portfolio.simulated and last > portfolio.clock:
        raise SimulationClockError(
            f"{last.isoformat()} is after the clock of {portfolio.name!r}, which is in "
            f"simulation mode at {portfolio.clock.isoformat()}: its future actions are not "
            "known yet. 'erasmo advance' records them as the clock passes their ex-dates."
        )
    found: list[PendingAction] = []
    for ticker, events in _by_ticker(history).items():
        if any(e.fields.get("price_adjusted") for e in events if _is_trade(e)):
            continue  # traded at adjusted prices: the actions are in the prices already
        first = min(e.on for e in events)
        try:
            actions = market.actions(ticker, start=first, end=last)
        except ErasmoError:
            continue  # the market data no longer knows it: nothing to propose
        found.extend(_due(ticker, events, actions, portfolio.clock))
    return sorted(found, key=lambda p: (p.action.day, p.action.ticker, p.action.kind != "split"))


def apply_actions(
    app: Portfolios,
    market: MarketData,
    portfolio_id: UUID,
    until: str | date | None = None,
    *,
    dry_run: bool = False,
) -> list[PendingAction]:
    """Record the ready actions of `pending_actions`, in order, in one save; returns those
    recorded (with `dry_run`, those it would record, recording nothing). Idempotent: an action
    recorded already is never recorded again."""
    ready = [p for p in pending_actions(app, market, portfolio_id, until) if p.ready]
    with app.dry_run(dry_run):
        recorded = app.record_actions(portfolio_id, [p.action for p in ready])
    return [ready[i] for i in recorded]


def _is_trade(event: LoggedEvent) -> bool:
    return event.type in ("SharesBought", "SharesSold")


def _by_ticker(history: Sequence[LoggedEvent]) -> dict[str, list[LoggedEvent]]:
    """Each ticker's trades and recorded actions, in log order."""
    found: dict[str, list[LoggedEvent]] = {}
    for event in history:
        ticker = event.fields.get("ticker")
        if isinstance(ticker, str):
            found.setdefault(ticker, []).append(event)
    return found


@dataclass(slots=True)
class _Position:
    """One ticker's holding, replayed through its events and the actions due."""

    held: Decimal = ZERO
    traded_on: date | None = None
    opening: Decimal = ZERO  # the holding before the first trade on traded_on

    def trade(self, event: LoggedEvent) -> None:
        if self.traded_on != event.on:
            self.opening = self.held
        self.traded_on = event.on
        quantity = event.fields["quantity"]
        self.held += quantity if event.type == "SharesBought" else -quantity

    def split(self, ratio: Decimal) -> None:
        self.held = split_quantity(self.held, ratio)


def _due(
    ticker: str, events: list[LoggedEvent], actions: list[CorporateAction], clock: date
) -> list[PendingAction]:
    """The actions of `ticker` held before their ex-date and not recorded, with their status."""
    recorded = {
        ("split" if e.type == "SplitApplied" else "dividend", e.on)
        for e in events
        if e.type in ("SplitApplied", "DividendReceived")
    }
    last_trade = max((e.on for e in events if _is_trade(e)), default=None)
    last_split = max((e.on for e in events if e.type == "SplitApplied"), default=None)
    # Walk the ticker's history by date; on an ex-date the action comes before that day's
    # trades (it applies to the holding at the previous close).
    timeline: list[tuple[date, int, object]] = [(e.on, 1, e) for e in events]
    timeline += [(a.day, 0 if a.kind == "split" else 1, a) for a in actions]
    timeline.sort(key=lambda item: (item[0], item[1], isinstance(item[2], LoggedEvent)))
    position = _Position()
    due: list[PendingAction] = []
    for day, _, item in timeline:
        if isinstance(item, LoggedEvent):
            if _is_trade(item):
                position.trade(item)
            elif item.type == "SplitApplied":
                position.split(item.fields["ratio"])
            continue
        action = item
        assert isinstance(action, CorporateAction)
        if (action.kind, action.day) in recorded:
            continue
        entitled = position.opening if position.traded_on == day else position.held
        if entitled == 0:  # (a margin account's short is held too: entitled < 0)
            continue  # not held the day before: outside the holding periods
        reason = _blocked(action, day, clock, last_trade, last_split)
        if action.kind == "split" and action.ratio is not None:
            after = split_quantity(entitled, action.ratio)
            if not reason:
                position.split(action.ratio)
            due.append(
                PendingAction(action, entitled, after, ZERO, BLOCKED if reason else READY, reason)
            )
        elif action.kind == "dividend" and action.amount is not None:
            cash = to_cents(entitled * action.amount)
            due.append(
                PendingAction(
                    action, entitled, position.held, cash, BLOCKED if reason else READY, reason
                )
            )
    return due


def _blocked(
    action: CorporateAction,
    day: date,
    clock: date,
    last_trade: date | None,
    last_split: date | None,
) -> str:
    """Why `action` cannot be recorded now ("" if it can), as
    `events.rules.actions.check_action` says."""
    if day > clock:
        return ""
    if last_split is not None and last_split > day:
        return (
            f"a later split of {action.ticker} (on {last_split.isoformat()}) is recorded "
            "already, so the shares held on this ex-date are not known"
        )
    if last_trade is None or last_trade < day:
        return ""
    if action.kind == "dividend" and last_trade == day:
        return ""  # the holding before that day's first trade is known
    return (
        f"{action.ticker} was traded on {last_trade.isoformat()}, on or after this ex-date, "
        "before the action was recorded"
    )
