"""Re-making a portfolio's events with the aggregate's own commands: the one rule book.

An event that did not come from a command run here (read back from the store, from a file, or
from a peer) is checked by running, on the state before it, the `Portfolio` command that records
an event of its type with its fields. The command's rules (`events.rules`) decide: a broken one
raises its named error, exactly as for a command typed by hand. `events.audit` (and through it
`erasmo check` and import) and `events.sync` all check events here; none states a rule of its
own.

Two things only a log can get wrong are checked here too: what a command derives (a trade's
value, a dividend's amount) must be what the command would derive (`derived_problems`), and
an `OrderFilled` must be followed by its trade, the pair `Portfolio.fill_order` records.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import decorated_funcs
from eventsourcing.persistence import Mapper, StoredEvent

from events.errors import EventLogError
from events.portfolio import EVENT_TYPES, PORTFOLIO_TOPICS, Portfolio
from events.rules import actions, cash, voids
from events.rules.margin import MARGIN_DEFAULTS, signed_quantity
from events.rules.margin_calls import check_liquidation_trade
from events.rules.orders import check_fill_trade
from events.values import PriceProvenance, parse_price, parse_quantity

#: Fields that say when and by whom an event was recorded, not what happened.
ENVELOPE = ("timestamp", "originator_id", "originator_version")
#: The key under which `Replay` hands a void's command the events before it (a void is checked
#: and applied by re-making them; see `events.rules.voids`).
ENTRIES = "_entries"


class Replay:
    """One portfolio's events, re-made one after another by the aggregate's commands.

    Attributes:
        portfolio: the state after the events re-made so far (None before the opening).
        portfolio_id: the id the log gives the portfolio (the opening re-made takes it, so the
            errors that name the portfolio by id name this one); None for a fresh id.
        fill: the fill just re-made, while its trade has not followed yet.
    """

    def __init__(
        self,
        portfolio: Portfolio | None = None,
        portfolio_id: UUID | None = None,
        entries: list[tuple[str, dict[str, Any]]] | None = None,
    ) -> None:
        self.portfolio = portfolio
        self.portfolio_id = portfolio.id if portfolio is not None else portfolio_id
        self.fill: dict[str, Any] | None = None
        #: The events so far, as (type name, fields): a void re-made needs them.
        self.entries: list[tuple[str, dict[str, Any]]] = list(entries or ())

    def redo(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Run the command that records an event of type `kind` with `fields`; return the
        fields of the event it records. A broken rule raises its named error and leaves the
        state as it was."""
        fill, self.fill = self.fill, None
        if fill is not None:
            (check_liquidation_trade if "call_on" in fill else check_fill_trade)(fill, kind, fields)
        order = None
        if kind in ("OrderFilled", "OrderPartiallyFilled") and self.portfolio is not None:
            order = self.portfolio.open_orders.get(fields["order_id"])
        given = {**fields, ENTRIES: self.entries} if kind == "EventVoided" else fields
        self.portfolio = command(self.portfolio, kind, given, self.portfolio_id)
        (recorded,) = self.portfolio.collect_events()
        done = vars(recorded)
        self.entries.append((kind, dict(done)))
        if order is not None:
            self.fill = {**done, "side": order["side"], "ticker": order["ticker"]}
        elif kind == "PositionLiquidated":  # its trade follows, as a fill's does
            self.fill = dict(done)
        return done

    def force(self, kind: str, fields: dict[str, Any]) -> None:
        """Apply an event as stored although its command refused it (an audit goes on after a
        broken rule); an event its effect cannot apply at all changes nothing more."""
        try:
            if self.portfolio is None:
                if kind == "PortfolioOpened":
                    self.portfolio = _opened(
                        self.portfolio_id, fields["name"], fields["on"], fields["currency"]
                    )
            elif kind in EVENT_TYPES and kind != "PortfolioOpened":
                cls = EVENT_TYPES[kind]
                params = list(inspect.signature(decorated_funcs[cls]).parameters)[1:]
                self.portfolio.trigger_event(cls, **{k: fields.get(k) for k in params})
        except Exception:
            pass
        if self.portfolio is not None:
            self.portfolio.collect_events()


def derived_problems(kind: str, fields: dict[str, Any]) -> list[str]:
    """What the event says a command derived (a trade's value, a dividend's amount) and the
    command would derive otherwise."""
    if kind in ("SharesBought", "SharesSold"):
        value = cash.trade_value(parse_quantity(fields["quantity"]), parse_price(fields["price"]))
        if fields["value"] != value:
            return [f"value {fields['value']} is not quantity x price rounded to the cent"]
    elif kind == "DividendReceived":
        amount = fields["amount"]
        if not isinstance(amount, Decimal):
            raise TypeError(f"the dividend's amount {amount!r} is not a decimal")
        per_share = parse_price(fields["amount_per_share"])
        if amount != actions.dividend_amount(signed_quantity(fields["quantity"]), per_share):
            return [f"amount {amount} is not quantity x amount per share rounded to the cent"]
    return []


def differences(recorded: dict[str, Any], fields: dict[str, Any]) -> list[str]:
    """The fields of a stored event that are not those its command records (the envelope and
    fields the stored event lacks aside)."""
    return [
        f"its {key} {fields[key]!r} is not the {recorded[key]!r} erasmo records"
        for key in fields
        if key not in ENVELOPE and key in recorded and fields[key] != recorded[key]
    ]


def check_next(
    mapper: Mapper[UUID], portfolio: Portfolio | None, replay: Replay, stored: StoredEvent
) -> Portfolio:
    """Apply one incoming event to `portfolio`, once its command, re-run by `replay` (on a
    copy of the state before it), records exactly the same event. Returns the state after."""
    kind = PORTFOLIO_TOPICS[stored.topic]
    try:
        incoming: Any = mapper.to_domain_event(stored)
        fields: dict[str, Any] = vars(incoming)
        on, stamp = fields.get("on"), fields.get("timestamp")
        if not isinstance(on, date) or isinstance(on, datetime):
            raise EventLogError("it has no market date")
        if not isinstance(stamp, datetime):
            raise EventLogError("it has no timestamp")
        recorded = replay.redo(kind, fields)
        if _comparable(recorded) != _comparable(fields):
            raise EventLogError("it is not the event erasmo records for that command")
        applied: Portfolio = incoming.mutate(portfolio)
    except Exception as error:  # a peer can send anything: report it, never crash
        raise EventLogError(
            f"portfolio {stored.originator_id} event {stored.originator_version} ({kind}) "
            f"cannot be recorded: {error}; nothing was recorded"
        ) from error
    return applied


def _comparable(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k not in ("timestamp", "originator_id")}


# -- the command that records each event ------------------------------------------------------


def command(
    state: Portfolio | None, kind: str, f: dict[str, Any], portfolio_id: UUID | None = None
) -> Portfolio:
    """Run on `state` the command that records an event of type `kind` with fields `f` (an
    opening: under `portfolio_id`, when given)."""
    if kind == "PortfolioOpened":
        if state is not None:
            raise EventLogError("PortfolioOpened may only be the first event")
        if not isinstance(f["currency"], str):
            raise EventLogError("its currency is not text")
        opened = Portfolio.open(f["name"], f["on"], f["currency"])
        if portfolio_id is None:
            return opened
        return _opened(portfolio_id, opened.name, opened.opened_on, opened.currency)
    if state is None:
        raise EventLogError("the first event must be PortfolioOpened")
    run = COMMANDS.get(kind)
    if run is None:
        raise EventLogError(f"unknown event type {kind}")
    run(state, f)
    return state


def _opened(portfolio_id: UUID | None, name: str, on: date, currency: str) -> Portfolio:
    """The opening `Portfolio.open` records, under the log's id (raw: no rule is checked)."""
    if portfolio_id is None:
        return Portfolio(name=name, on=on, currency=currency)
    opening: Any = EVENT_TYPES["PortfolioOpened"]
    return Portfolio._create(opening, id=portfolio_id, name=name, on=on, currency=currency)


def _trade(p: Portfolio, f: dict[str, Any], kind: str) -> None:
    provenance = PriceProvenance(
        f.get("price_source", ""),
        f.get("price_date", f["on"]),
        f.get("price_adjusted", False),
        f.get("price_kind", "close"),
    )
    trade = p.buy if kind == "SharesBought" else p.sell
    trade(f["ticker"], f["quantity"], f["price"], f["on"], provenance, f["fee"])


def _fill(p: Portfolio, f: dict[str, Any]) -> None:
    # The trade recorded with a fill follows as its own event (see `Replay.redo`).
    p.check_fill(f["order_id"], f["bar_day"], f["price"], f["fee"], f["slippage"])
    p.record_fill(f["order_id"], f["bar_day"], f["price"], f["fee"], f["slippage"])


#: Event type -> the command that records it, given the event's fields.
COMMANDS: dict[str, Callable[[Portfolio, dict[str, Any]], object]] = {
    "CashDeposited": lambda p, f: p.deposit(f["amount"], f["on"]),
    "CashWithdrawn": lambda p, f: p.withdraw(f["amount"], f["on"]),
    "SharesBought": lambda p, f: _trade(p, f, "SharesBought"),
    "SharesSold": lambda p, f: _trade(p, f, "SharesSold"),
    "SplitApplied": lambda p, f: p.split(f["ticker"], f["ratio"], f["on"]),
    "DividendReceived": lambda p, f: p.receive_dividend(
        f["ticker"], f["amount_per_share"], f["on"], f["quantity"]
    ),
    "PortfolioRenamed": lambda p, f: p.rename(f["name"]),
    "PortfolioClosed": lambda p, f: p.close(),
    "PortfolioReopened": lambda p, f: p.reopen(),
    "PortfolioDeleted": lambda p, f: p.delete(),
    "PortfolioUndeleted": lambda p, f: p.undelete(),
    "BranchForked": lambda p, f: p.record_fork(
        f["parent_id"], f["parent_name"], f["parent_version"], f["parent_seq"]
    ),
    "TradingRulesSet": lambda p, f: p.set_rules(
        f["mode"], f["commission"], f["slippage_bps"], f["on"]
    ),
    "OrderPlaced": lambda p, f: p.place_order(
        f["order_id"],
        f["side"],
        f["ticker"],
        f["quantity"],
        f["kind"],
        f["on"],
        f["reserved"],
        limit=f["limit"],
        stop=f["stop"],
        trail_amount=f["trail_amount"],
        trail_percent=f["trail_percent"],
        tif=f["tif"],
        expires=f["expires"],
    ),
    "OrderFilled": _fill,
    "OrderCancelled": lambda p, f: p.cancel_order(f["order_id"], f["on"], market=True),
    "OrderExpired": lambda p, f: p.expire_order(f["order_id"], f["on"]),
    "OrderRejected": lambda p, f: p.reject_order(f["order_id"], f["reason"], f["on"]),
    "ClockAdvanced": lambda p, f: p.advance_clock(f["on"]),
    "OrderPartiallyFilled": lambda p, f: p.record_part(
        f["order_id"], f["bar_day"], f["price"], f["quantity"], f["fee"], f["slippage"]
    ),
    "VolumeCapSet": lambda p, f: p.set_volume_cap(f["max_volume_pct"], f["on"]),
    "AccountTypeSet": lambda p, f: p.set_account(
        f["account"],
        f["on"],
        **{key: f[key] for key in (*MARGIN_DEFAULTS, "borrow_overrides")},
    ),
    "MarginCharged": lambda p, f: p.charge_margin(
        f["interest"], f["borrow_fee"], f["since"], f["on"]
    ),
    "MarginCalled": lambda p, f: p.call_margin(f["equity"], f["requirement"], f["on"]),
    "PositionLiquidated": lambda p, f: p.liquidate(
        f["ticker"], f["price"], f["fee"], f["reason"], f["on"]
    ),
    "NoteAdded": lambda p, f: p.add_note(f["about"], f["text"], f["tags"]),
    "EventVoided": lambda p, f: p.void(f["about"], f["reason"], f.get(ENTRIES, [])),
    "StrategyStarted": lambda p, f: p.start_strategy(
        **{k: v for k, v in f.items() if k not in (*ENVELOPE, "sha256")}
    ),
    "StrategyStopped": lambda p, f: p.stop_strategy(f["reason"], f["line"], f["on"]),
}


voids.new_replay = lambda portfolio_id: Replay(portfolio_id=portfolio_id)
