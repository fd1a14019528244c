"""What erasmo knows of each stored event type, in one table: its shape version, the fields its
state stores, what it means in words, its short label and how one event of it reads.

This module holds data only (no event classes): `events.portfolio` takes each type's version from
here, and `events.registry` joins each entry to its class and topic. Adding an event type adds
one `Schema` here, its declaration and rules on the aggregate, and its effect in the projections.
"""

from __future__ import annotations

from dataclasses import dataclass

from events import describing as d
from events.orders import MODES, ORDER_KINDS, ORDER_SIDES, TIME_IN_FORCE


@dataclass(frozen=True, slots=True)
class Field:
    """One stored field of an event type.

    Attributes:
        name: the key in the stored state.
        kind: "decimal" (encoded `Decimal`), "date" (encoded ISO date), "text", "lines" (text
            with newlines and tabs), "ticker",
            "currency" (three capital letters), "name" (a portfolio name), "uuid" (encoded),
            "whole" (a JSON whole number) or "bool".
        optional: whether the value may be null.
        choices: the only values a text field may take (empty: any text within `max_length`).
        max_length: the longest text accepted.
        since: the first shape version of the event that stores the field.
    """

    name: str
    kind: str
    optional: bool = False
    choices: frozenset[str] = frozenset()
    max_length: int = 200
    since: int = 1


@dataclass(frozen=True, slots=True)
class Schema:
    """One stored event type, apart from its class.

    Attributes:
        version: the shape version this erasmo writes and reads (older ones are upcast; raise
            it, add the upcaster to `events.upcasting.UPCASTERS` and raise
            `events.store.STORE_FORMAT_VERSION` whenever the fields stored change).
        fields: the fields its state stores, besides the timestamp every event has.
        words: what the event means, in words.
        label: its short name in the GUI's history table ("Buy").
        describe: one event's details in one line, from its own decoded fields.
    """

    version: int
    fields: tuple[Field, ...]
    words: str
    label: str
    describe: d.Describer = d.nothing


def _on() -> Field:
    return Field("on", "date")


def _money(name: str, *, optional: bool = False) -> Field:
    return Field(name, "decimal", optional=optional)


def _order_id() -> Field:
    return Field("order_id", "text", max_length=64)


_TRADE = (
    Field("ticker", "ticker"),
    _money("quantity"),
    _money("price"),
    _money("value"),
    _money("fee"),
    _on(),
    Field("price_source", "text", max_length=64),
    Field("price_date", "date"),
    Field("price_adjusted", "bool"),
)
_PRICE_KINDS = frozenset({"close", "explicit", "order", "forced"})  # "order": an order's fill

#: Every stored event type, by the name people see in history and export files.
EVENT_SCHEMAS: dict[str, Schema] = {
    "PortfolioOpened": Schema(
        1,
        (Field("name", "name"), _on(), Field("currency", "currency")),
        "a portfolio was opened, empty, on a market date",
        "Opened",
        d.opened_or_renamed,
    ),
    "CashDeposited": Schema(1, (_money("amount"), _on()), "cash was added", "Deposit", d.cash),
    "CashWithdrawn": Schema(
        1, (_money("amount"), _on()), "cash was taken out", "Withdrawal", d.cash
    ),
    "SharesBought": Schema(
        2,  # v2 added price_kind
        (*_TRADE, Field("price_kind", "text", choices=_PRICE_KINDS, since=2)),
        "shares were bought at a price taken from the market data",
        "Buy",
        d.trade,
    ),
    "SharesSold": Schema(
        1,
        (*_TRADE, Field("price_kind", "text", choices=_PRICE_KINDS)),
        "shares held were sold at a price taken from the market data",
        "Sell",
        d.trade,
    ),
    "PortfolioRenamed": Schema(
        1,
        (Field("name", "name"), _on()),
        "the portfolio got another name",
        "Renamed",
        d.opened_or_renamed,
    ),
    "PortfolioClosed": Schema(
        1, (_on(),), "the portfolio was closed; it takes no more commands", "Closed"
    ),
    # what-if branches
    "BranchForked": Schema(
        1,
        (
            Field("parent_id", "uuid"),
            Field("parent_name", "name"),
            Field("parent_version", "whole"),
            Field("parent_seq", "whole"),
            _on(),
        ),
        "the portfolio was made a what-if branch of another one's history",
        "Forked",
        d.forked,
    ),
    # corporate actions
    "SplitApplied": Schema(
        1,
        (Field("ticker", "ticker"), _money("ratio"), _on()),
        "a stock split changed the shares held",
        "Split",
        d.split,
    ),
    "DividendReceived": Schema(
        1,
        (
            Field("ticker", "ticker"),
            _money("amount_per_share"),
            _money("quantity"),
            _money("amount"),
            _on(),
        ),
        "a cash dividend was paid on the shares held",
        "Dividend",
        d.dividend,
    ),
    # orders and the market clock
    "TradingRulesSet": Schema(
        1,
        (
            Field("mode", "text", choices=frozenset(MODES)),
            Field("commission", "text", max_length=100),
            _money("slippage_bps"),
            _on(),
        ),
        "the trading mode, commission and slippage were set",
        "Rules",
        d.rules_set,
    ),
    "OrderPlaced": Schema(
        1,
        (
            _order_id(),
            Field("side", "text", choices=frozenset(ORDER_SIDES)),
            Field("ticker", "ticker"),
            _money("quantity"),
            Field("kind", "text", choices=frozenset(ORDER_KINDS)),
            _money("limit", optional=True),
            _money("stop", optional=True),
            _money("trail_amount", optional=True),
            _money("trail_percent", optional=True),
            Field("tif", "text", choices=frozenset(TIME_IN_FORCE)),
            Field("expires", "date", optional=True),
            _money("reserved"),
            _on(),
        ),
        "an order was placed, holding back cash or shares",
        "Order",
        d.order_placed,
    ),
    "OrderFilled": Schema(
        1,
        (
            _order_id(),
            Field("bar_day", "date"),
            _money("price"),
            _money("quantity"),
            _money("fee"),
            _money("slippage"),
            _on(),
        ),
        "an open order filled on a bar (its trade follows)",
        "Order filled",
        d.order_filled,
    ),
    "OrderPartiallyFilled": Schema(
        1,
        (
            _order_id(),
            Field("bar_day", "date"),
            _money("price"),
            _money("quantity"),
            _money("fee"),
            _money("slippage"),
            _on(),
        ),
        "part of an open order filled on a bar, capped by the bar's volume (its trade "
        "follows; the rest stays open)",
        "Order part filled",
        d.order_filled,
    ),
    "VolumeCapSet": Schema(
        1,
        (_money("max_volume_pct", optional=True), _on()),
        "the share of a bar's volume an order may fill was capped (or the cap removed)",
        "Volume cap",
        d.volume_cap_set,
    ),
    "OrderCancelled": Schema(
        1, (_order_id(), _on()), "an open order was cancelled", "Order cancelled", d.order_done
    ),
    "OrderExpired": Schema(
        1,
        (_order_id(), _on()),
        "an open order's time in force ran out",
        "Order expired",
        d.order_done,
    ),
    "OrderRejected": Schema(
        1,
        (_order_id(), Field("reason", "text", max_length=500), _on()),
        "an open order could not fill",
        "Order rejected",
        d.order_rejected,
    ),
    "ClockAdvanced": Schema(
        1, (_on(),), "a simulation's clock moved forward", "Clock", d.clock_advanced
    ),
    # reopen and delete
    "PortfolioReopened": Schema(1, (_on(),), "a closed portfolio was opened again", "Reopened"),
    "PortfolioDeleted": Schema(
        1,
        (_on(),),
        "the portfolio was deleted: it leaves every list, its history stays in the log",
        "Deleted",
    ),
    "PortfolioUndeleted": Schema(1, (_on(),), "a deleted portfolio was brought back", "Undeleted"),
    # margin accounts
    "AccountTypeSet": Schema(
        1,
        (
            Field("account", "text", choices=frozenset(("cash", "margin"))),
            _money("initial_margin"),
            _money("maintenance_long"),
            _money("maintenance_short"),
            _money("margin_interest"),
            _money("borrow_fee"),
            Field("borrow_overrides", "text", max_length=500),
            _on(),
        ),
        "the portfolio became a cash or a margin account, with its margin rates",
        "Account",
        d.account_set,
    ),
    # margin accounts in time (events.rules.margin_calls)
    "MarginCharged": Schema(
        1,
        (_money("interest"), _money("borrow_fee"), _money("amount"), Field("since", "date"), _on()),
        "margin interest on the debit balance and borrow fees on short positions, accrued over "
        "the nights from one day to another, were taken from cash",
        "Margin charge",
        d.margin_charged,
    ),
    "MarginCalled": Schema(
        1,
        (_money("equity"), _money("requirement"), _on()),
        "at a close the equity was below the maintenance margin: a margin call",
        "Margin call",
        d.margin_called,
    ),
    "PositionLiquidated": Schema(
        1,
        (
            Field("ticker", "ticker"),
            Field("side", "text", choices=frozenset(ORDER_SIDES)),
            _money("quantity"),
            _money("price"),
            _money("fee"),
            Field("call_on", "date"),
            Field("reason", "text", max_length=500),
            _on(),
        ),
        "a margin call not met, a position was closed at the next open (its trade follows)",
        "Forced fill",
        d.liquidated,
    ),
    # the trading journal
    "NoteAdded": Schema(
        1,
        (
            Field("about", "whole"),
            Field("text", "text", max_length=2000),
            Field("tags", "text", max_length=500),
            _on(),
        ),
        "a note and tags were attached to an earlier event (by its version); a later note on "
        "the same event supersedes it in views, and both stay in the log",
        "Note",
        d.note_added,
    ),
    "EventVoided": Schema(
        1,
        (Field("about", "whole"), Field("reason", "text", max_length=500), _on()),
        "an earlier deposit, withdrawal, buy or sell (by its version) was taken out of every "
        "projection; both events stay in the log",
        "Void",
        d.event_voided,
    ),
    # strategies: what a backtest ran, and why it stopped
    "StrategyStarted": Schema(
        1,
        (
            Field("file_name", "text", max_length=500),
            Field("sha256", "text", max_length=64),
            Field("source", "lines", max_length=100_000),
            Field("class_name", "text"),
            Field("params", "text", max_length=5_000),
            Field("erasmo_version", "text", max_length=64),
            Field("data_sources", "text", max_length=500),
            Field("start", "date"),
            Field("end", "date"),
            _money("cash"),
            Field("commission", "text", max_length=100),
            _money("slippage_bps"),
            _on(),
        ),
        "a backtest's strategy started: its file, source and SHA-256, class, parameters, "
        "erasmo version, data sources, period, cash and trading rules",
        "Strategy",
        d.strategy_started,
    ),
    "StrategyStopped": Schema(
        1,
        (Field("reason", "text", max_length=1_000), Field("line", "whole", optional=True), _on()),
        "the strategy raised; the backtest was kept up to its last complete day",
        "Strategy stopped",
        d.strategy_stopped,
    ),
}
