"""The Portfolio aggregate: a virtual brokerage account and the events that change it.

Each public method checks its invariant and then triggers one past-tense event; a broken rule
raises a named error and triggers nothing. Every event carries the market date it happened on
(`on`), separate from the wall-clock `timestamp` eventsourcing stamps on it.

Corporate actions (`split`, `receive_dividend`) are the one exception to the forward-only clock:
an action happens to a position whatever the portfolio did since, so it may be recorded after
later events (it leaves the clock where it is), provided the position has not changed on or after
its ex-date. Then the position on the ex-date is the position now, and recording the action late
gives exactly the state of recording it on time (cash and other tickers are unaffected by it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from events.commission import parse_commission, parse_slippage_bps
from events.errors import (
    ClockError,
    ClosedPortfolioError,
    CorporateActionError,
    DeletedPortfolioError,
    ForkPointError,
    InsufficientCashError,
    InsufficientSharesError,
    InvalidOrderError,
    PortfolioStatusError,
    SimulationClockError,
    UnknownOrderError,
)
from events.orders import MODES, TIME_IN_FORCE, Order, check_order_shape
from events.upcasting import declare_versions
from events.values import (
    PriceProvenance,
    check_trade_value,
    parse_fee,
    parse_money,
    parse_name,
    parse_price,
    parse_quantity,
    parse_ratio,
    parse_ticker,
    split_quantity,
    to_cents,
)

ZERO = Decimal(0)
_NO_ORDERS: dict[str, dict[str, Any]] = {}


@dataclass(frozen=True, slots=True)
class Position:
    """Shares of one ticker held, and what they cost (average-cost basis, fees included).

    Attributes:
        ticker: upper-case symbol.
        quantity: shares held, > 0.
        cost_basis: total cost of the shares held, in the portfolio's currency.
    """

    ticker: str
    quantity: Decimal
    cost_basis: Decimal

    @property
    def average_cost(self) -> Decimal:
        """Cost per share held."""
        return self.cost_basis / self.quantity


class Portfolio(Aggregate):
    """A virtual portfolio: cash, positions and a clock that only moves forward.

    Attributes:
        name: the portfolio's display name (unique per store, ignoring case).
        currency: ISO code of the money it holds.
        opened_on: market date it was opened.
        clock: market date of its latest event.
        cash: cash balance, never negative.
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
    """

    # Class-level defaults: portfolios (and snapshots) from before orders existed lack these.
    # (Not annotated here, so eventsourcing's dataclass does not make them fields.)
    mode = "live"
    commission = "0"
    slippage_bps = ZERO
    open_orders = _NO_ORDERS  # replaced on every change, never mutated in place
    orders_placed = 0
    deleted = False

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
        self._check_open_and_clock(on)
        self._cash_deposited(amount=amount, on=on)

    def withdraw(self, amount: Decimal, on: date) -> None:
        """Take cash out; never more than the balance."""
        amount = parse_money(amount)
        self._check_open_and_clock(on)
        if amount > self.available_cash:
            if self.available_cash == self.cash:
                todo = "Withdraw at most that, or sell shares first."
            else:
                todo = (
                    f"Withdraw at most {self.available_cash:,.2f}, or sell shares or cancel "
                    "orders first."
                )
            raise InsufficientCashError(
                f"Cannot withdraw {amount:,.2f} {self.currency} from {self.name!r}: its cash is "
                f"{self.cash:,.2f}{self._held_back()}. {todo}"
            )
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
        held = self._check_action(ticker, "split", on)
        if split_quantity(held, ratio) == 0:
            raise CorporateActionError(
                f"A {ratio} split of {held} {ticker} leaves less than a millionth of a share, "
                "which erasmo cannot hold; sell the position instead."
            )
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
        held = self._check_action(ticker, "dividend", on)
        if quantity is not None and parse_quantity(quantity) != held:
            raise CorporateActionError(
                f"The dividend of {ticker} on {on.isoformat()} is for {quantity} shares but "
                f"{self.name!r} holds {held}; record it for the shares held."
            )
        self._dividend_received(
            ticker=ticker,
            amount_per_share=amount_per_share,
            quantity=held,
            amount=to_cents(held * amount_per_share),
            on=on,
        )

    def has_action(self, ticker: str, kind: str, on: date) -> bool:
        """Whether the split or dividend of `ticker` with ex-date `on` is already recorded."""
        return action_key(ticker.strip().upper(), kind, on) in self._actions()

    def rename(self, new_name: str) -> None:
        """Give the portfolio another name (uniqueness is the store's concern); a closed
        portfolio may be renamed too."""
        new_name = parse_name(new_name)
        self._check_not_deleted()
        self._renamed(name=new_name, on=self.clock)

    def close(self) -> None:
        """Close the portfolio; its history stays, and it accepts no further command."""
        self._check_open()
        self._closed(on=self.clock)

    def reopen(self) -> None:
        """Open a closed portfolio again, as it was when closed."""
        self._check_not_deleted()
        if not self.closed:
            raise PortfolioStatusError(f"Portfolio {self.name!r} is not closed; it is open.")
        self._reopened(on=self.clock)

    def delete(self) -> None:
        """Delete the portfolio: a tombstone. Its events stay; it leaves every list."""
        self._check_not_deleted()
        self._deleted(on=self.clock)

    def undelete(self) -> None:
        """Bring a deleted portfolio back, as it was when deleted (open or closed)."""
        if not self.deleted:
            raise PortfolioStatusError(f"Portfolio {self.name!r} is not deleted.")
        self._undeleted(on=self.clock)

    # -- orders and the market clock ----------------------------------------------------------

    def set_rules(self, mode: str, commission: str, slippage_bps: Decimal, on: date) -> None:
        """Set the trading mode, the commission model and the slippage orders fill under."""
        if mode not in MODES:
            raise InvalidOrderError(f"Mode {mode!r} is not one of {', '.join(MODES)}.")
        spec = parse_commission(commission).spec
        bps = parse_slippage_bps(slippage_bps)
        self._check_open_and_clock(on)
        self._rules_set(mode=mode, commission=spec, slippage_bps=bps, on=on)

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
        ticker, quantity = parse_ticker(ticker), parse_quantity(quantity)
        prices = check_order_shape(side, kind, limit, stop, trail_amount, trail_percent)
        limit, stop, trail_amount, trail_percent = prices
        check_trade_value(quantity, limit, stop, trail_amount)
        if tif not in TIME_IN_FORCE:
            raise InvalidOrderError(f"Time in force {tif!r} is not one of day, gtc.")
        if expires is not None and tif != "gtc":
            raise InvalidOrderError("Only a GTC order can have an expiry date; use --tif gtc.")
        if not isinstance(order_id, str) or not order_id or order_id in self.open_orders:
            raise InvalidOrderError(f"Order id {order_id!r} is empty or already in use.")
        self._check_open_and_clock(on)
        if expires is not None and expires <= on:
            raise InvalidOrderError(
                f"The expiry {expires.isoformat()} must be after the day the order is placed "
                f"({on.isoformat()}): an order can fill from the next bar on."
            )
        if side == "buy":
            reserved = parse_money(reserved, what="The cash to reserve")
            if reserved > self.available_cash:
                raise InsufficientCashError(
                    f"A buy of {quantity} {ticker} needs about {reserved:,.2f} {self.currency} "
                    f"(estimated cost, slippage and fee) but {self.name!r} has "
                    f"{self.available_cash:,.2f} available{self._held_back()}. Deposit more cash, "
                    "buy fewer shares or cancel an open order."
                )
        else:
            if reserved != quantity:
                raise InvalidOrderError("A sell order reserves exactly its quantity of shares.")
            self._check_shares(ticker, quantity)
        self._order_placed(
            order_id=order_id,
            side=side,
            ticker=ticker,
            quantity=quantity,
            kind=kind,
            limit=limit,
            stop=stop,
            trail_amount=trail_amount,
            trail_percent=trail_percent,
            tif=tif,
            expires=expires,
            reserved=reserved,
            on=on,
        )

    def cancel_order(self, order_id: str, on: date, market: bool = False) -> None:
        """Cancel an open order, releasing what it reserved. `market`: cancelled by the market
        clock (a split of its ticker on ex-date `on`), not by the user."""
        self._open_order(order_id)
        self._check_open_and_clock(on, market=market)
        self._order_cancelled(order_id=order_id, on=on)

    def expire_order(self, order_id: str, on: date) -> None:
        """Record that an open order's time in force ran out on market date `on`."""
        self._open_order(order_id)
        self._check_open_and_clock(on, market=True)
        self._order_expired(order_id=order_id, on=on)

    def reject_order(self, order_id: str, reason: str, on: date) -> None:
        """Record that an open order could not fill on `on` (e.g. not enough cash)."""
        self._open_order(order_id)
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidOrderError("A rejection needs a reason.")
        self._check_open_and_clock(on, market=True)
        self._order_rejected(order_id=order_id, reason=reason.strip(), on=on)

    def fill_order(
        self,
        order_id: str,
        bar_day: date,
        price: Decimal,
        fee: Decimal,
        slippage: Decimal,
        provenance: PriceProvenance,
    ) -> None:
        """Fill an open order on the bar of `bar_day`: an OrderFilled, then the trade itself.

        The two events are triggered together, after every check, so the fill is recorded whole
        or not at all. A buy may use the cash its own order reserved, never another order's.
        """
        order = self.order(order_id)
        self.check_fill(order_id, bar_day, price, fee, slippage)
        self.record_fill(order_id, bar_day, price, fee, slippage)
        self._trade(
            order.side, order.ticker, order.quantity, price, bar_day, provenance, fee, market=True
        )

    def check_fill(
        self, order_id: str, bar_day: date, price: Decimal, fee: Decimal, slippage: Decimal
    ) -> None:
        """Raise the error `fill_order` would raise, recording nothing."""
        order = self.order(order_id)
        price, fee = parse_price(price), parse_fee(fee)
        if not isinstance(slippage, Decimal) or not slippage.is_finite() or slippage < 0:
            raise InvalidOrderError(f"Slippage {slippage!r} must be a decimal of at least 0.")
        self._check_open_and_clock(bar_day, market=True)
        if bar_day <= order.placed_on:
            raise InvalidOrderError(
                f"Order {order_id[:8]} was placed on {order.placed_on}; it can fill only on a "
                "later bar."
            )
        if order.side == "buy":
            self._check_buy(order.ticker, order.quantity, price, fee, releasing=order.reserved)
        else:
            self._check_sell(order.ticker, order.quantity, price, fee, releasing=order.quantity)

    def record_fill(
        self, order_id: str, bar_day: date, price: Decimal, fee: Decimal, slippage: Decimal
    ) -> None:
        """Trigger only the OrderFilled of a fill (`fill_order` follows it with the trade)."""
        order = self.order(order_id)
        self._check_open_and_clock(bar_day, market=True)
        self._order_filled(
            order_id=order_id,
            bar_day=bar_day,
            price=parse_price(price),
            quantity=order.quantity,
            fee=parse_fee(fee),
            slippage=slippage,
            on=bar_day,
        )

    def advance_clock(self, on: date) -> None:
        """Move the clock to market date `on` (after the orders on the bars up to it)."""
        self._check_open_and_clock(on, market=True)
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
        ticker, quantity, price, fee = self._check_trade(ticker, quantity, price, fee, on, market)
        value = to_cents(quantity * price)
        fields = self._trade_fields(ticker, quantity, price, value, fee, on, provenance)
        if side == "buy":
            self._check_buy(ticker, quantity, price, fee)
            self._shares_bought(**fields)
        else:
            self._check_sell(ticker, quantity, price, fee)
            self._shares_sold(**fields)

    # -- queries --------------------------------------------------------------------------

    def positions(self) -> list[Position]:
        """Open positions, sorted by ticker."""
        return [
            Position(ticker=t, quantity=q, cost_basis=self.cost[t])
            for t, q in sorted(self.shares.items())
        ]

    @property
    def simulated(self) -> bool:
        """True in simulation mode: the clock moves only when advanced."""
        return self.mode == "simulation"

    @property
    def reserved_cash(self) -> Decimal:
        """Cash held back by open buy orders."""
        return sum((o["reserved"] for o in self.open_orders.values() if o["side"] == "buy"), ZERO)

    @property
    def available_cash(self) -> Decimal:
        """Cash not held back by open orders: what a withdrawal, trade or new order may use."""
        return self.cash - self.reserved_cash

    def reserved_shares(self, ticker: str) -> Decimal:
        """Shares of `ticker` held back by open sell orders."""
        return sum(
            (
                o["quantity"]
                for o in self.open_orders.values()
                if o["side"] == "sell" and o["ticker"] == ticker
            ),
            ZERO,
        )

    def available_shares(self, ticker: str) -> Decimal:
        """Shares of `ticker` held and not held back by open sell orders."""
        return self.shares.get(ticker, ZERO) - self.reserved_shares(ticker)

    def orders(self) -> list[Order]:
        """The open orders, in placement order."""
        return sorted(
            (Order(**fields) for fields in self.open_orders.values()), key=lambda o: o.number
        )

    def order(self, order_id: str) -> Order:
        """The open order with id `order_id`; raises UnknownOrderError if there is none."""
        return Order(**self._open_order(order_id))

    def _open_order(self, order_id: str) -> dict[str, Any]:
        found = self.open_orders.get(order_id) if isinstance(order_id, str) else None
        if found is None:
            raise UnknownOrderError(
                f"{self.name!r} has no open order {str(order_id)[:8]!r}: it was filled, "
                "cancelled, expired or rejected, or never placed. See 'erasmo orders "
                f"{self.name}'."
            )
        return found

    def _held_back(self, releasing: Decimal = ZERO) -> str:
        reserved = self.reserved_cash - releasing
        return f", of which open orders hold back {reserved:,.2f}" if reserved else ""

    # -- rules ----------------------------------------------------------------------------

    def _check_not_deleted(self) -> None:
        if self.deleted:
            raise DeletedPortfolioError(
                f"Portfolio {self.name!r} was deleted. Undelete it first: erasmo portfolio "
                f"undelete {self.id}"
            )

    def _check_open(self) -> None:
        self._check_not_deleted()
        if self.closed:
            raise ClosedPortfolioError(
                f"Portfolio {self.name!r} is closed and accepts no more commands. "
                "Open a new portfolio to keep trading, or reopen this one ('erasmo portfolio "
                "reopen')."
            )

    def _check_open_and_clock(self, on: date, market: bool = False) -> None:
        """`market`: recorded by the market clock (fills, expiries), not typed by a user."""
        self._check_open()
        if self.simulated and on > self.clock and not market:
            raise SimulationClockError(
                f"{on.isoformat()} is after the clock of {self.name!r}, which is in simulation "
                f"mode at {self.clock.isoformat()}: the future is not known yet. Use "
                f"{self.clock.isoformat()}, or move the clock with 'erasmo advance'."
            )
        if on < self.clock:
            raise ClockError(
                f"{on.isoformat()} is before the latest event of {self.name!r}, on "
                f"{self.clock.isoformat()}: a portfolio's clock only moves forward. Use "
                f"{self.clock.isoformat()} or later (time travel is for reading: see "
                "'erasmo holdings --as-of')."
            )

    def _check_action(self, ticker: str, kind: str, on: date) -> Decimal:
        """The holding an action on ex-date `on` applies to, once the action's rules hold.

        That is the holding at the close of the day before `on`. Dated after the clock, it is
        the holding now. Dated on or before it (a late action), it is the holding now if the
        ticker was not traded on or after `on` (and not split after it); for a dividend it may
        also be the holding before the first trade on the ex-date itself (a trade on the
        ex-date is in post-split terms, so a late split allows none).
        """
        self._check_open()
        if self.has_action(ticker, kind, on):
            raise CorporateActionError(
                f"The {kind} of {ticker} on {on.isoformat()} is already recorded in "
                f"{self.name!r}; it is recorded once."
            )
        held = self.shares.get(ticker, ZERO)
        if on <= self.clock:  # a late action
            traded = self._dates("traded_on").get(ticker)
            split = self._dates("split_on").get(ticker)
            if kind == "dividend" and traded == on and (split is None or split <= on):
                held = self._opening().get(ticker, ZERO)
            elif (
                (traded is None and held > 0)
                or (traded is not None and traded >= on)
                or (split is not None and split > on)
            ):
                changed = max(d for d in (traded, split) if d is not None) if held else None
                when = f"on {changed.isoformat()}" if changed else "at an unknown date"
                raise CorporateActionError(
                    f"The {kind} of {ticker} on {on.isoformat()} cannot be recorded in "
                    f"{self.name!r}: its {ticker} holding changed {when}, on or after that "
                    "ex-date, so the shares held then are not known. Record actions before "
                    "trading past their ex-date ('erasmo actions apply')."
                )
        if held == 0:
            raise CorporateActionError(
                f"{self.name!r} held no {ticker} on the day before {on.isoformat()}, so the "
                f"{kind} of {ticker} then does not concern it. Actions are recorded only for "
                "the shares held."
            )
        return held

    def _opening(self) -> dict[str, Decimal]:
        """ticker -> its holding before the first trade of the day `traded_on[ticker]`."""
        opening: dict[str, Decimal] = self.__dict__.setdefault("opening", {})
        return opening

    def _traded(self, ticker: str, held_before: Decimal, on: date) -> None:
        traded = self._dates("traded_on")
        if traded.get(ticker) != on:
            self._opening()[ticker] = held_before
        traded[ticker] = on

    def _dates(self, attribute: str) -> dict[str, date]:
        # A snapshot taken before erasmo tracked these has no such attribute.
        dates: dict[str, date] = self.__dict__.setdefault(attribute, {})
        return dates

    def _actions(self) -> dict[str, bool]:
        recorded: dict[str, bool] = self.__dict__.setdefault("actions", {})
        return recorded

    def _check_trade(
        self,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        fee: Decimal,
        on: date,
        market: bool = False,
    ) -> tuple[str, Decimal, Decimal, Decimal]:
        checked = (parse_ticker(ticker), parse_quantity(quantity), parse_price(price))
        check_trade_value(checked[1], checked[2])
        fee = parse_fee(fee)
        self._check_open_and_clock(on, market)
        return (*checked, fee)

    def _check_buy(
        self,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        fee: Decimal,
        releasing: Decimal = ZERO,
    ) -> None:
        """The cost must be covered by cash not held back by (other) open orders."""
        total = to_cents(quantity * price) + fee
        available = self.available_cash + releasing
        if total > available:
            if available == self.cash:
                has, todo = f"{self.cash:,.2f} in cash", "Deposit more cash or buy fewer shares."
            else:
                has = f"{available:,.2f} in cash available{self._held_back(releasing)}"
                todo = "Deposit more cash, buy fewer shares or cancel an open order."
            raise InsufficientCashError(
                f"Buying {quantity} {ticker} at {price} costs {total:,.2f} {self.currency} "
                f"(fee {fee:,.2f} included) but {self.name!r} has {has}. {todo}"
            )

    def _check_shares(self, ticker: str, quantity: Decimal, releasing: Decimal = ZERO) -> None:
        held = self.shares.get(ticker, ZERO)
        available = self.available_shares(ticker) + releasing
        if quantity > available:
            if held == available:
                tail = "Sell at most that many."
            else:
                tail = (
                    f"of which open sell orders hold back {held - available}. Sell at most "
                    f"{available}."
                )
            raise InsufficientSharesError(
                f"Cannot sell {quantity} {ticker} from {self.name!r}: it holds {held}"
                f"{'. ' if held == available else ', '}{tail}"
            )

    def _check_sell(
        self,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        fee: Decimal,
        releasing: Decimal = ZERO,
    ) -> None:
        """Never more than held and not held back by (other) sell orders; the fee is covered."""
        self._check_shares(ticker, quantity, releasing)
        value = to_cents(quantity * price)
        if self.available_cash + value - fee < 0:
            raise InsufficientCashError(
                f"The fee {fee:,.2f} exceeds the cash {self.name!r} would have after the sale "
                f"({self.available_cash + value:,.2f}). Lower the fee."
            )

    @staticmethod
    def _trade_fields(
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        value: Decimal,
        fee: Decimal,
        on: date,
        provenance: PriceProvenance,
    ) -> dict[str, Any]:
        return {
            "ticker": ticker,
            "quantity": quantity,
            "price": price,
            "value": value,
            "fee": fee,
            "on": on,
            "price_source": provenance.source,
            "price_date": provenance.day,
            "price_adjusted": provenance.adjusted,
            "price_kind": provenance.kind,
        }

    # -- events ---------------------------------------------------------------------------

    @event("CashDeposited")
    def _cash_deposited(self, amount: Decimal, on: date) -> None:
        self.cash += amount
        self.clock = on

    @event("CashWithdrawn")
    def _cash_withdrawn(self, amount: Decimal, on: date) -> None:
        self.cash -= amount
        self.clock = on

    @event("SharesBought")
    def _shares_bought(
        self,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        value: Decimal,
        fee: Decimal,
        on: date,
        price_source: str,
        price_date: date,
        price_adjusted: bool,
        price_kind: str,
    ) -> None:
        self.cash -= value + fee
        self._traded(ticker, self.shares.get(ticker, ZERO), on)
        self.shares[ticker] = self.shares.get(ticker, ZERO) + quantity
        self.cost[ticker] = self.cost.get(ticker, ZERO) + value + fee
        self.clock = on

    @event("SharesSold")
    def _shares_sold(
        self,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        value: Decimal,
        fee: Decimal,
        on: date,
        price_source: str,
        price_date: date,
        price_adjusted: bool,
        price_kind: str,
    ) -> None:
        held = self.shares[ticker]
        self._traded(ticker, held, on)
        remaining = held - quantity
        self.cash += value - fee
        if remaining == 0:
            del self.shares[ticker]
            del self.cost[ticker]
        else:
            self.cost[ticker] -= self.cost[ticker] * quantity / held
            self.shares[ticker] = remaining
        self.clock = on

    @event("SplitApplied")
    def _split_applied(self, ticker: str, ratio: Decimal, on: date) -> None:
        self.shares[ticker] = split_quantity(self.shares[ticker], ratio)
        self._dates("split_on")[ticker] = on
        self._actions()[action_key(ticker, "split", on)] = True
        self.clock = max(self.clock, on)

    @event("DividendReceived")
    def _dividend_received(
        self, ticker: str, amount_per_share: Decimal, quantity: Decimal, amount: Decimal, on: date
    ) -> None:
        self.cash += amount
        self._actions()[action_key(ticker, "dividend", on)] = True
        self.clock = max(self.clock, on)

    # -- order and clock events ------------------------------------------------------------

    @event("TradingRulesSet")
    def _rules_set(self, mode: str, commission: str, slippage_bps: Decimal, on: date) -> None:
        self.mode = mode
        self.commission = commission
        self.slippage_bps = slippage_bps
        self.clock = max(self.clock, on)

    @event("OrderPlaced")
    def _order_placed(
        self,
        order_id: str,
        side: str,
        ticker: str,
        quantity: Decimal,
        kind: str,
        limit: Decimal | None,
        stop: Decimal | None,
        trail_amount: Decimal | None,
        trail_percent: Decimal | None,
        tif: str,
        expires: date | None,
        reserved: Decimal,
        on: date,
    ) -> None:
        self.orders_placed += 1
        order = {
            "order_id": order_id,
            "number": self.orders_placed,
            "side": side,
            "ticker": ticker,
            "quantity": quantity,
            "kind": kind,
            "limit": limit,
            "stop": stop,
            "trail_amount": trail_amount,
            "trail_percent": trail_percent,
            "tif": tif,
            "expires": expires,
            "reserved": reserved,
            "placed_on": on,
        }
        # A new dict each time: `open_orders` may still be the class-level default.
        self.open_orders = {**self.open_orders, order_id: order}
        self.clock = max(self.clock, on)

    def _order_done(self, order_id: str, on: date) -> None:
        self.open_orders = {k: v for k, v in self.open_orders.items() if k != order_id}
        self.clock = max(self.clock, on)

    @event("OrderFilled")
    def _order_filled(
        self,
        order_id: str,
        bar_day: date,
        price: Decimal,
        quantity: Decimal,
        fee: Decimal,
        slippage: Decimal,
        on: date,
    ) -> None:
        self._order_done(order_id, on)

    @event("OrderCancelled")
    def _order_cancelled(self, order_id: str, on: date) -> None:
        self._order_done(order_id, on)

    @event("OrderExpired")
    def _order_expired(self, order_id: str, on: date) -> None:
        self._order_done(order_id, on)

    @event("OrderRejected")
    def _order_rejected(self, order_id: str, reason: str, on: date) -> None:
        self._order_done(order_id, on)

    @event("ClockAdvanced")
    def _clock_advanced(self, on: date) -> None:
        self.clock = on

    @event("PortfolioRenamed")
    def _renamed(self, name: str, on: date) -> None:
        self.name = name

    @event("PortfolioClosed")
    def _closed(self, on: date) -> None:
        self.closed = True

    # -- reopen and delete (a tombstone: history stays, the portfolio leaves every list) -----

    @event("PortfolioReopened")
    def _reopened(self, on: date) -> None:
        self.closed = False

    @event("PortfolioDeleted")
    def _deleted(self, on: date) -> None:
        self.deleted = True

    @event("PortfolioUndeleted")
    def _undeleted(self, on: date) -> None:
        self.deleted = False

    # -- what-if branches -----------------------------------------------------------------
    # A branch is a portfolio whose history starts as a copy of another's up to one of its
    # events: opened on the same date, then `BranchForked` saying where it came from, then the
    # parent's events again (same fields, same market dates), then its own.

    #: The portfolio this one was forked from (None for a portfolio opened afresh). A class
    #: default, so snapshots taken before branches existed still load.
    parent_id: UUID | None = None

    def record_fork(
        self, parent_id: UUID, parent_name: str, parent_version: int, parent_seq: int
    ) -> None:
        """Mark this portfolio, just opened, as a branch of `parent_id` after its event
        `parent_version` (log position `parent_seq` in the store where it was forked)."""
        if self.version != 1:
            raise ForkPointError(
                f"{self.name!r} already has events: only a portfolio just opened can become a "
                "branch. Fork into a new name instead."
            )
        if parent_id == self.id or parent_version < 1 or parent_seq < 1:
            raise ForkPointError(
                f"A branch must come from another portfolio's event (got version "
                f"{parent_version} at seq {parent_seq} of {parent_id}). See 'erasmo history'."
            )
        self._branch_forked(
            parent_id=parent_id,
            parent_name=parse_name(parent_name),
            parent_version=parent_version,
            parent_seq=parent_seq,
            on=self.opened_on,
        )

    def copy_parent_event(self, event_type: str, fields: dict[str, Any]) -> None:
        """Record one of the parent's events again in this branch, with the same fields.

        The parent's opening, renames, closing and own fork mark are not copied (see
        `NOT_COPIED_TO_BRANCHES`): the branch has its own name, and is open.
        """
        if event_type in NOT_COPIED_TO_BRANCHES:
            return
        if self.parent_id is None:
            raise ForkPointError(
                f"{self.name!r} is not a branch: record the fork before copying events."
            )
        if event_type in LATE_EVENTS:
            # a split or dividend may be recorded after later events (see `_check_action`): the
            # parent's log passed that rule, and the branch holds what the parent held then
            self._check_open()
        else:
            # `market`: a copy replays what the parent recorded, fills and clock steps included,
            # which a simulation's clock rule for typed commands would refuse
            self._check_open_and_clock(fields["on"], market=True)
        self.trigger_event(EVENT_TYPES[event_type], **fields)

    @event("BranchForked")
    def _branch_forked(
        self, parent_id: UUID, parent_name: str, parent_version: int, parent_seq: int, on: date
    ) -> None:
        self.parent_id = parent_id


#: Events that may be dated before the portfolio's clock (corporate actions recorded late).
LATE_EVENTS = frozenset(("SplitApplied", "DividendReceived"))

#: A parent's events a branch does not copy: it has its own opening and name, stays open, and
#: names only its own parent (a fork of a fork reaches the grandparent through the parent).
NOT_COPIED_TO_BRANCHES = frozenset(
    (
        "PortfolioOpened",
        "PortfolioRenamed",
        "PortfolioClosed",
        "BranchForked",
        *("PortfolioReopened", "PortfolioDeleted", "PortfolioUndeleted"),
    )
)


def action_key(ticker: str, kind: str, on: date) -> str:
    """How a recorded corporate action is remembered: "AAPL split 2005-02-28"."""
    return f"{ticker} {kind} {on.isoformat()}"


#: Event types by the name people see in history and export files.
EVENT_TYPES: dict[str, type[Aggregate.Event]] = {
    "PortfolioOpened": Portfolio.PortfolioOpened,  # type: ignore[attr-defined]
    "CashDeposited": Portfolio.CashDeposited,  # type: ignore[attr-defined]
    "CashWithdrawn": Portfolio.CashWithdrawn,  # type: ignore[attr-defined]
    "SharesBought": Portfolio.SharesBought,  # type: ignore[attr-defined]
    "SharesSold": Portfolio.SharesSold,  # type: ignore[attr-defined]
    "PortfolioRenamed": Portfolio.PortfolioRenamed,  # type: ignore[attr-defined]
    "PortfolioClosed": Portfolio.PortfolioClosed,  # type: ignore[attr-defined]
    # what-if branches
    "BranchForked": Portfolio.BranchForked,  # type: ignore[attr-defined]
    # corporate actions
    "SplitApplied": Portfolio.SplitApplied,  # type: ignore[attr-defined]
    "DividendReceived": Portfolio.DividendReceived,  # type: ignore[attr-defined]
    # orders and the market clock
    "TradingRulesSet": Portfolio.TradingRulesSet,  # type: ignore[attr-defined]
    "OrderPlaced": Portfolio.OrderPlaced,  # type: ignore[attr-defined]
    "OrderFilled": Portfolio.OrderFilled,  # type: ignore[attr-defined]
    "OrderCancelled": Portfolio.OrderCancelled,  # type: ignore[attr-defined]
    "OrderExpired": Portfolio.OrderExpired,  # type: ignore[attr-defined]
    "OrderRejected": Portfolio.OrderRejected,  # type: ignore[attr-defined]
    "ClockAdvanced": Portfolio.ClockAdvanced,  # type: ignore[attr-defined]
    # reopen and delete
    "PortfolioReopened": Portfolio.PortfolioReopened,  # type: ignore[attr-defined]
    "PortfolioDeleted": Portfolio.PortfolioDeleted,  # type: ignore[attr-defined]
    "PortfolioUndeleted": Portfolio.PortfolioUndeleted,  # type: ignore[attr-defined]
}

#: The version of each event's stored shape. Raise one, and add its upcaster to
#: `events.upcasting.UPCASTERS`, whenever the fields an event stores change (and raise
#: `events.store.STORE_FORMAT_VERSION`, so an older erasmo refuses the store).
EVENT_VERSIONS: dict[str, int] = {
    "PortfolioOpened": 1,
    "CashDeposited": 1,
    "CashWithdrawn": 1,
    "SharesBought": 2,  # v2 added price_kind
    "SharesSold": 1,
    "PortfolioRenamed": 1,
    "PortfolioClosed": 1,
    # what-if branches
    "BranchForked": 1,
    # corporate actions
    "SplitApplied": 1,
    "DividendReceived": 1,
    # orders and the market clock
    "TradingRulesSet": 1,
    "OrderPlaced": 1,
    "OrderFilled": 1,
    "OrderCancelled": 1,
    "OrderExpired": 1,
    "OrderRejected": 1,
    "ClockAdvanced": 1,
    # reopen and delete
    "PortfolioReopened": 1,
    "PortfolioDeleted": 1,
    "PortfolioUndeleted": 1,
}
declare_versions(EVENT_TYPES, EVENT_VERSIONS)

#: Topic -> type name, for every Portfolio event (what stored rows and files name them by).
PORTFOLIO_TOPICS: dict[str, str] = {get_topic(cls): name for name, cls in EVENT_TYPES.items()}
