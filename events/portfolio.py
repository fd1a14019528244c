"""The Portfolio aggregate: a virtual brokerage account and the events that change it.

Each public method checks its invariant and then triggers one past-tense event; a broken rule
raises a named error and triggers nothing. Every event carries the market date it happened on
(`on`), separate from the wall-clock `timestamp` eventsourcing stamps on it.

Corporate actions (`split`, `receive_dividend`) are the one exception to the forward-only clock:
one may be recorded after later events (see `events.rules.actions`): then the position on the
ex-date is the position now, and recording it late gives the state of recording it on time.

The rules each command checks and the effect of each event live in `events.rules`, a module per
concern; the class keeps the commands, the queries and the events' declarations, so every event
class stays `events.portfolio:Portfolio.<Name>`, the topic stored rows and exported logs name.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from events.errors import InvalidOrderError
from events.rules import (
    actions,
    cash,
    forks,
    margin,
    margin_calls,
    notes,
    status,
    strategies,
    trades,
    voids,
    volume,
)
from events.rules import orders as order_rules
from events.rules.queries import PortfolioQueries
from events.schemas import EVENT_SCHEMAS
from events.upcasting import declare_versions
from events.values import (
    PriceProvenance,
    parse_money,
    parse_name,
    parse_price,
    parse_ratio,
    parse_ticker,
)

ZERO = Decimal(0)
_NO_ORDERS: dict[str, dict[str, Any]] = {}
_NO_STRATEGY: str | None = None


class Portfolio(PortfolioQueries, Aggregate):
    """A virtual portfolio: cash, positions and a clock that only moves forward.

    Attributes:
        name: the portfolio's display name (unique per store, ignoring case).
        currency: ISO code of the money it holds.
        opened_on: market date it was opened.
        clock: market date of its latest event.
        cash: cash balance, never negative in a cash account.
        shares: ticker -> quantity held (only tickers with a position).
        cost: ticker -> cost basis of the quantity held.
        closed: True once closed; a closed portfolio accepts no command but a rename, a
            reopen or a delete.
        deleted: True once deleted (a tombstone: its events stay); it accepts only undelete.
        traded_on: ticker -> market date of its latest trade.
        opening: ticker -> its holding before the first trade on `traded_on[ticker]`.
        split_on: ticker -> ex-date of its latest split.
        actions: keys (see `action_key`) of the corporate actions recorded.
        mode: "live" (the clock follows the data) or "simulation" (the clock moves only when
            advanced; no command may be dated after it).
        commission, slippage_bps: the trading rules orders fill under.
        open_orders: order id -> the order's fields, for orders not yet done.
        orders_placed: how many orders were ever placed (numbers the next one).
        account: "cash" (the default: no negative cash, no short) or "margin" (see
            `events.rules.margin`), with its parameters in `margin` and the latest trade price
            of each ticker in `marks`; a margin account's short positions have negative
            `shares` and `cost` (minus their proceeds).
    """

    # Class-level defaults: portfolios (and snapshots) from before orders existed lack these.
    # (Not annotated here, so eventsourcing's dataclass does not make them fields.)
    mode = "live"
    commission = "0"
    slippage_bps = ZERO
    open_orders = _NO_ORDERS  # replaced on every change, never mutated in place
    orders_placed = 0
    deleted = False
    strategy = _NO_STRATEGY  # a backtest's strategy class (`events.rules.strategies`)
    strategy_stopped = False

    @event("PortfolioOpened")
    def __init__(self, name: str, on: date, currency: str = "USD") -> None:
        self.name = name
        self.currency = currency
        self.opened_on = on
        self.clock = on
        self.cash = ZERO
        self.shares: dict[str, Decimal] = {}
        self.cost: dict[str, Decimal] = {}
        self.closed = False
        self.traded_on: dict[str, date] = {}
        self.opening: dict[str, Decimal] = {}
        self.split_on: dict[str, date] = {}
        self.actions: dict[str, bool] = {}

    @classmethod
    def open(cls, name: str, on: date, currency: str = "USD") -> Portfolio:
        """Open a new, empty portfolio on market date `on`."""
        return cls(name=parse_name(name), on=on, currency=currency)

    # -- commands -------------------------------------------------------------------------

    def deposit(self, amount: Decimal, on: date) -> None:
        """Add cash."""
        amount = parse_money(amount)
        status.check_open_and_clock(self, on)
        self._cash_deposited(amount=amount, on=on)

    def withdraw(self, amount: Decimal, on: date) -> None:
        """Take cash out; never more than the balance."""
        amount = parse_money(amount)
        status.check_open_and_clock(self, on)
        cash.check_withdrawal(self, amount)
        if margin.is_margin(self):
            margin.check_withdrawal(self, amount)
        self._cash_withdrawn(amount=amount, on=on)

    def buy(
        self,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        on: date,
        provenance: PriceProvenance,
        fee: Decimal = ZERO,
    ) -> None:
        """Buy shares at `price`; the cost (value rounded to the cent, plus fee) must be covered."""
        self._trade("buy", ticker, quantity, price, on, provenance, fee, market=False)

    def sell(
        self,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        on: date,
        provenance: PriceProvenance,
        fee: Decimal = ZERO,
    ) -> None:
        """Sell shares held at `price`; never more than held, and the fee must be covered."""
        self._trade("sell", ticker, quantity, price, on, provenance, fee, market=False)

    def split(self, ticker: str, ratio: Decimal, on: date) -> None:
        """Apply a stock split effective on ex-date `on` to the shares held.

        The holding becomes quantity * ratio (rounded down to a millionth of a share: fractional
        shares are kept, as everywhere in erasmo); the cost basis stays, so the cost per share is
        divided by the ratio.
        """
        ticker, ratio = parse_ticker(ticker), parse_ratio(ratio)
        held = actions.check_action(self, ticker, "split", on)
        actions.check_split(ticker, held, ratio)
        self._split_applied(ticker=ticker, ratio=ratio, on=on)

    def receive_dividend(
        self, ticker: str, amount_per_share: Decimal, on: date, quantity: Decimal | None = None
    ) -> None:
        """Receive a cash dividend of `amount_per_share` on the shares held on ex-date `on`.

        The cash is quantity * amount_per_share rounded to the cent. `quantity`, when given,
        must be the holding (a check that the caller and the portfolio agree on it).
        """
        ticker = parse_ticker(ticker)
        amount_per_share = parse_price(amount_per_share)
        held = actions.check_action(self, ticker, "dividend", on)
        if quantity is not None:  # negative for a short position (a margin account)
            quantity = margin.signed_quantity(quantity)
        actions.check_dividend_quantity(self, ticker, on, held, quantity)
        self._dividend_received(
            ticker=ticker,
            amount_per_share=amount_per_share,
            quantity=held,
            amount=actions.dividend_amount(held, amount_per_share),
            on=on,
        )

    def has_action(self, ticker: str, kind: str, on: date) -> bool:
        """Whether the split or dividend of `ticker` with ex-date `on` is already recorded."""
        return actions.has_action(self, ticker, kind, on)

    def rename(self, new_name: str) -> None:
        """Give the portfolio another name (uniqueness is the store's concern); a closed
        portfolio may be renamed too."""
        new_name = parse_name(new_name)
        status.check_not_deleted(self)
        self._renamed(name=new_name, on=self.clock)

    def close(self) -> None:
        """Close the portfolio; its history stays, and it accepts no further command."""
        status.check_open(self)
        self._closed(on=self.clock)

    def reopen(self) -> None:
        """Open a closed portfolio again, as it was when closed."""
        status.check_reopen(self)
        self._reopened(on=self.clock)

    def delete(self) -> None:
        """Delete the portfolio: a tombstone. Its events stay; it leaves every list."""
        status.check_not_deleted(self)
        self._deleted(on=self.clock)

    def undelete(self) -> None:
        """Bring a deleted portfolio back, as it was when deleted (open or closed)."""
        status.check_undelete(self)
        self._undeleted(on=self.clock)

    def add_note(self, about: int, text: str, tags: str = "") -> None:
        """Attach a note (text and tags) to the portfolio's earlier event of version `about`;
        a later note on the same event supersedes it in views (see `events.rules.notes`)."""
        about, text, tags = notes.check_note(self, about, text, tags)
        self._note_added(about=about, text=text, tags=tags, on=self.clock)

    def void(self, about: int, reason: str, entries: list[voids.Entry]) -> None:
        """Take the earlier event `about` out of the state (`events.rules.voids`; `entries`:
        this portfolio's events so far, as stored)."""
        about, reason = voids.check_void(self, about, reason, entries)
        on = self.clock  # (the rebuild may move it back)
        voids.rebuild(self, entries, voids.voided_versions(self) | {about}, about)
        self._event_voided(about=about, reason=reason, on=on)

    # -- orders and the market clock ----------------------------------------------------------

    def set_rules(self, mode: str, commission: str, slippage_bps: Decimal, on: date) -> None:
        """Set the trading mode, the commission model and the slippage orders fill under."""
        self._rules_set(**order_rules.checked_rules(self, mode, commission, slippage_bps, on))

    def place_order(
        self,
        order_id: str,
        side: str,
        ticker: str,
        quantity: Decimal,
        kind: str,
        on: date,
        reserved: Decimal,
        *,
        limit: Decimal | None = None,
        stop: Decimal | None = None,
        trail_amount: Decimal | None = None,
        trail_percent: Decimal | None = None,
        tif: str = "day",
        expires: date | None = None,
    ) -> None:
        """Place an order; a buy holds back `reserved` cash, a sell its `quantity` of shares."""
        prices = (limit, stop, trail_amount, trail_percent)
        self._order_placed(
            **order_rules.checked_order(
                self, order_id, side, ticker, quantity, kind, on, reserved, prices, tif, expires
            )
        )

    def cancel_order(self, order_id: str, on: date, market: bool = False) -> None:
        """Cancel an open order, releasing what it reserved. `market`: cancelled by the market
        clock (a split of its ticker on ex-date `on`), not by the user."""
        order_rules.open_order(self, order_id)
        status.check_open_and_clock(self, on, market=market)
        self._order_cancelled(order_id=order_id, on=on)

    def expire_order(self, order_id: str, on: date) -> None:
        """Record that an open order's time in force ran out on market date `on`."""
        order_rules.open_order(self, order_id)
        status.check_open_and_clock(self, on, market=True)
        self._order_expired(order_id=order_id, on=on)

    def reject_order(self, order_id: str, reason: str, on: date) -> None:
        """Record that an open order could not fill on `on` (e.g. not enough cash)."""
        order_rules.open_order(self, order_id)
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidOrderError("A rejection needs a reason.")
        status.check_open_and_clock(self, on, market=True)
        self._order_rejected(order_id=order_id, reason=reason.strip(), on=on)

    def fill_order(
        self,
        order_id: str,
        bar_day: date,
        price: Decimal,
        fee: Decimal,
        slippage: Decimal,
        provenance: PriceProvenance,
        part: Decimal | None = None,
    ) -> None:
        """Fill an open order (a `part` of it, capped by the bar's volume) on the bar of
        `bar_day`: an OrderFilled (OrderPartiallyFilled), then the trade, triggered together
        after every check. A buy may use the cash its own order reserved, never another's."""
        order = self.order(order_id)
        if part is None:
            self.check_fill(order_id, bar_day, price, fee, slippage)
            self.record_fill(order_id, bar_day, price, fee, slippage)
        else:
            self.record_part(order_id, bar_day, price, part, fee, slippage)
        quantity = order.quantity if part is None else part
        self._trade(order.side, order.ticker, quantity, price, bar_day, provenance, fee, True)

    def record_part(self, order_id: str, *fill: Any) -> None:
        """Check and trigger only the OrderPartiallyFilled of a fill (`fill`: its bar day,
        price, quantity, fee and slippage); `fill_order` follows it with the trade."""
        self._part_filled(**order_rules.checked_part(self, order_id, *fill))

    def set_volume_cap(self, max_volume_pct: Decimal | None, on: date) -> None:
        """Cap an order's fill on a bar at a percentage of the bar's volume (None: no cap)."""
        self._volume_cap_set(**volume.checked_cap(self, max_volume_pct, on))

    def check_fill(self, order_id: str, *fill: Any) -> None:
        """Raise the error `fill_order` would (`fill`: bar day, price, fee, slippage)."""
        order_rules.check_fill(self, order_id, *fill)

    def record_fill(self, order_id: str, *fill: Any) -> None:
        """Trigger only the OrderFilled of a fill (`fill_order` follows it with the trade)."""
        self._order_filled(**order_rules.filled_fields(self, order_id, *fill))

    def set_account(self, account: str, on: date, **parameters: Any) -> None:
        """Make the portfolio a cash or a margin account (`events.rules.margin`: parameters
        not given take their defaults)."""
        self._account_set(**margin.checked_account(self, account, on, parameters))

    @property
    def account(self) -> str:
        """ "cash" (the default) or "margin"."""
        found: str = self.__dict__.get("account", "cash")
        return found

    @property
    def buying_power(self) -> Decimal:
        """What a margin account may still buy or sell short (a cash account: its available
        cash)."""
        return margin.buying_power(self) if margin.is_margin(self) else self.available_cash

    def charge_margin(self, interest: Decimal, borrow_fee: Decimal, since: date, on: date) -> None:
        """Take from cash the margin interest and borrow fees of the nights `since` to `on`."""
        self._margin_charged(**margin_calls.checked_charge(self, interest, borrow_fee, since, on))

    def call_margin(self, equity: Decimal, requirement: Decimal, on: date) -> None:
        """Record a margin call: at the close of `on` equity was below the maintenance margin."""
        self._margin_called(**margin_calls.checked_call(self, equity, requirement, on))

    def liquidate(
        self,
        ticker: str,
        price: Decimal,
        fee: Decimal,
        reason: str,
        on: date,
        provenance: PriceProvenance | None = None,
    ) -> None:
        """Close the whole position in `ticker` at `price`, a margin call not met; with
        `provenance`, its trade too (without: the PositionLiquidated alone, as replay makes)."""
        f = margin_calls.checked_liquidation(self, ticker, price, fee, reason, on)
        self._position_liquidated(**f)
        if provenance is not None:
            self._trade(f["side"], ticker, f["quantity"], price, on, provenance, fee, market=True)

    def advance_clock(self, on: date) -> None:
        """Move the clock to market date `on` (after the orders on the bars up to it)."""
        status.check_open_and_clock(self, on, market=True)
        self._clock_advanced(on=on)

    def _trade(
        self,
        side: str,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        on: date,
        provenance: PriceProvenance,
        fee: Decimal,
        market: bool,
    ) -> None:
        """A buy or a sell, checked, then recorded. `market`: the fill of an order, recorded by
        the market clock (see `fill_order`)."""
        ticker, quantity, price, fee = trades.check_trade(
            self, ticker, quantity, price, fee, on, market
        )
        value = cash.trade_value(quantity, price)
        fields = trades.trade_fields(ticker, quantity, price, value, fee, on, provenance)
        if margin.is_margin(self):
            free = trades.available_shares(self, ticker)
            margin.check_trade(self, side, ticker, quantity, price, fee, free)
        elif side == "buy":
            cash.check_buy(self, ticker, quantity, price, fee)
        else:
            trades.check_sell(self, ticker, quantity, price, fee)
        if side == "buy":
            self._shares_bought(**fields)
        else:
            self._shares_sold(**fields)

    # -- what-if branches -----------------------------------------------------------------
    # A branch is a portfolio whose history starts as a copy of another's up to one of its
    # events (see `events.rules.forks`).

    #: The portfolio this one was forked from (None for a portfolio opened afresh). A class
    #: default, so snapshots taken before branches existed still load.
    parent_id: UUID | None = None

    def record_fork(
        self, parent_id: UUID, parent_name: str, parent_version: int, parent_seq: int
    ) -> None:
        """Mark this portfolio, just opened, as a branch of `parent_id` after its event
        `parent_version` (log position `parent_seq` in the store where it was forked)."""
        self._branch_forked(
            **forks.checked_fork(self, parent_id, parent_name, parent_version, parent_seq)
        )

    def copy_parent_event(self, event_type: str, fields: dict[str, Any]) -> None:
        """Record one of the parent's events again in this branch, with the same fields.

        The parent's opening, renames, closing and own fork mark are not copied (see
        `NOT_COPIED_TO_BRANCHES`): the branch has its own name, and is open.
        """
        if forks.copies(self, event_type, fields):
            self.trigger_event(EVENT_TYPES[event_type], **fields)

    def start_strategy(self, **fields: Any) -> None:
        """Record what a backtest runs (StrategyStarted's fields; `sha256` is derived)."""
        self._strategy_started(**strategies.check_start(self, fields))

    def stop_strategy(self, reason: str, line: int | None, on: date) -> None:
        """Record that the strategy raised; the run was kept up to `on`."""
        self._strategy_stopped(**strategies.check_stop(self, reason, line, on))

    # -- events: the name each is stored under, and its effect (in `events.rules`) ----------

    _cash_deposited = event("CashDeposited")(cash.deposited)
    _cash_withdrawn = event("CashWithdrawn")(cash.withdrawn)
    _shares_bought = event("SharesBought")(trades.bought)
    _shares_sold = event("SharesSold")(trades.sold)
    _split_applied = event("SplitApplied")(actions.split_applied)
    _dividend_received = event("DividendReceived")(actions.dividend_received)
    _rules_set = event("TradingRulesSet")(order_rules.rules_set)
    _order_placed = event("OrderPlaced")(order_rules.placed)
    _order_filled = event("OrderFilled")(order_rules.filled)
    _order_cancelled = event("OrderCancelled")(order_rules.cancelled)
    _order_expired = event("OrderExpired")(order_rules.expired)
    _order_rejected = event("OrderRejected")(order_rules.rejected)
    _clock_advanced = event("ClockAdvanced")(status.clock_advanced)
    _renamed = event("PortfolioRenamed")(status.renamed)
    _closed = event("PortfolioClosed")(status.closed)
    _reopened = event("PortfolioReopened")(status.reopened)
    _deleted = event("PortfolioDeleted")(status.deleted)
    _undeleted = event("PortfolioUndeleted")(status.undeleted)
    _branch_forked = event("BranchForked")(forks.forked)
    _account_set = event("AccountTypeSet")(margin.account_set)
    _margin_charged = event("MarginCharged")(margin_calls.margin_charged)
    _margin_called = event("MarginCalled")(margin_calls.margin_called)
    _position_liquidated = event("PositionLiquidated")(margin_calls.position_liquidated)
    _note_added = event("NoteAdded")(notes.note_added)
    _event_voided = event("EventVoided")(voids.event_voided)
    _part_filled = event("OrderPartiallyFilled")(volume.partially_filled)
    _volume_cap_set = event("VolumeCapSet")(volume.cap_set)
    _strategy_started = event("StrategyStarted")(strategies.started)
    _strategy_stopped = event("StrategyStopped")(strategies.stopped)


#: Events that may be dated before the portfolio's clock (corporate actions recorded late).
LATE_EVENTS = forks.LATE_EVENTS
#: A parent's events a branch does not copy (see `events.rules.forks`).
NOT_COPIED_TO_BRANCHES = forks.NOT_COPIED_TO_BRANCHES
action_key = actions.action_key

#: The version of each event's stored shape, from its schema in `events.schemas` (the one table
#: of event types: raise a version there, with its upcaster, when the fields stored change).
EVENT_VERSIONS: dict[str, int] = {name: schema.version for name, schema in EVENT_SCHEMAS.items()}

#: Event types by the name people see in history and export files (each is the class attribute
#: of that name the events' declarations above give `Portfolio`).
EVENT_TYPES: dict[str, type[Aggregate.Event]] = {
    name: getattr(Portfolio, name) for name in EVENT_VERSIONS
}
declare_versions(EVENT_TYPES, EVENT_VERSIONS)

#: Topic -> type name, for every Portfolio event (what stored rows and files name them by; the
#: same as `events.registry.PORTFOLIO_TOPICS`).
PORTFOLIO_TOPICS: dict[str, str] = {get_topic(cls): name for name, cls in EVENT_TYPES.items()}
