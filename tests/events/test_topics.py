"""The stored topic and fields of every Portfolio event, written out: old stores and exported logs
name events by these, so moving code between modules must never change them."""

from __future__ import annotations

import dataclasses

from eventsourcing.utils import get_topic

from events.portfolio import EVENT_TYPES, PORTFOLIO_TOPICS, Portfolio

COMMON = ["originator_id", "originator_version", "timestamp"]
TRADE = ["ticker", "quantity", "price", "value", "fee", "on"]
PRICE = ["price_source", "price_date", "price_adjusted", "price_kind"]

#: Topic -> the event's own fields, in order, as stored before the aggregate was split.
STORED = {
    "events.portfolio:Portfolio.PortfolioOpened": ["originator_topic", "name", "on", "currency"],
    "events.portfolio:Portfolio.CashDeposited": ["amount", "on"],
    "events.portfolio:Portfolio.CashWithdrawn": ["amount", "on"],
    "events.portfolio:Portfolio.SharesBought": TRADE + PRICE,
    "events.portfolio:Portfolio.SharesSold": TRADE + PRICE,
    "events.portfolio:Portfolio.PortfolioRenamed": ["name", "on"],
    "events.portfolio:Portfolio.PortfolioClosed": ["on"],
    "events.portfolio:Portfolio.BranchForked": [
        "parent_id",
        "parent_name",
        "parent_version",
        "parent_seq",
        "on",
    ],
    "events.portfolio:Portfolio.SplitApplied": ["ticker", "ratio", "on"],
    "events.portfolio:Portfolio.DividendReceived": [
        "ticker",
        "amount_per_share",
        "quantity",
        "amount",
        "on",
    ],
    "events.portfolio:Portfolio.TradingRulesSet": ["mode", "commission", "slippage_bps", "on"],
    "events.portfolio:Portfolio.OrderPlaced": [
        "order_id",
        "side",
        "ticker",
        "quantity",
        "kind",
        "limit",
        "stop",
        "trail_amount",
        "trail_percent",
        "tif",
        "expires",
        "reserved",
        "on",
    ],
    "events.portfolio:Portfolio.OrderFilled": [
        "order_id",
        "bar_day",
        "price",
        "quantity",
        "fee",
        "slippage",
        "on",
    ],
    "events.portfolio:Portfolio.OrderCancelled": ["order_id", "on"],
    "events.portfolio:Portfolio.OrderExpired": ["order_id", "on"],
    "events.portfolio:Portfolio.OrderRejected": ["order_id", "reason", "on"],
    "events.portfolio:Portfolio.ClockAdvanced": ["on"],
    "events.portfolio:Portfolio.PortfolioReopened": ["on"],
    "events.portfolio:Portfolio.PortfolioDeleted": ["on"],
    "events.portfolio:Portfolio.PortfolioUndeleted": ["on"],
    "events.portfolio:Portfolio.AccountTypeSet": [
        "account",
        "initial_margin",
        "maintenance_long",
        "maintenance_short",
        "margin_interest",
        "borrow_fee",
        "borrow_overrides",
        "on",
    ],
    "events.portfolio:Portfolio.NoteAdded": ["about", "text", "tags", "on"],
    "events.portfolio:Portfolio.EventVoided": ["about", "reason", "on"],
    "events.portfolio:Portfolio.MarginCharged": [
        "interest",
        "borrow_fee",
        "amount",
        "since",
        "on",
    ],
    "events.portfolio:Portfolio.MarginCalled": ["equity", "requirement", "on"],
    "events.portfolio:Portfolio.PositionLiquidated": [
        "ticker",
        "side",
        "quantity",
        "price",
        "fee",
        "call_on",
        "reason",
        "on",
    ],
    "events.portfolio:Portfolio.OrderPartiallyFilled": [
        "order_id",
        "bar_day",
        "price",
        "quantity",
        "fee",
        "slippage",
        "on",
    ],
    "events.portfolio:Portfolio.VolumeCapSet": ["max_volume_pct", "on"],
    "events.portfolio:Portfolio.StrategyStarted": [
        *("file_name", "sha256", "source", "class_name", "params", "erasmo_version"),
        *("data_sources", "start", "end", "cash", "commission", "slippage_bps", "on"),
    ],
    "events.portfolio:Portfolio.StrategyStopped": ["reason", "line", "on"],
}


def test_every_event_keeps_its_topic() -> None:
    assert get_topic(Portfolio) == "events.portfolio:Portfolio"
    assert {get_topic(cls) for cls in EVENT_TYPES.values()} == set(STORED)
    for name, cls in EVENT_TYPES.items():
        assert get_topic(cls) == f"events.portfolio:Portfolio.{name}"
        assert getattr(Portfolio, name) is cls
    assert {topic: topic.rsplit(".", 1)[1] for topic in STORED} == PORTFOLIO_TOPICS


def test_every_event_keeps_its_fields() -> None:
    for name, cls in EVENT_TYPES.items():
        fields = [f.name for f in dataclasses.fields(cls)]
        assert fields == COMMON + STORED[get_topic(cls)], name
