"""The table of event types on the read side: every type has one entry with its words, label and
describer; a log holding every type reads back, described in words people can check by hand,
and survives an export and an import into a fresh store unchanged."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from events.application import Portfolios
from events.errors import EventLogError
from events.eventlog import export_to_file, import_file
from events.logged import LoggedEvent
from events.portfolio import EVENT_TYPES, EVENT_VERSIONS, PORTFOLIO_TOPICS, Portfolio
from events.registry import BY_TOPIC, REGISTRY, describe
from events.registry import PORTFOLIO_TOPICS as REGISTRY_TOPICS
from events.schemas import EVENT_SCHEMAS
from events.store import StoreConfig
from events.values import PriceProvenance

D = Decimal
MON, TUE, WED, THU, FRI = (date(2015, 3, day) for day in (2, 3, 4, 5, 6))
CLOSE = PriceProvenance("bundled:test", MON, adjusted=False)
FILLED = PriceProvenance("bundled:test", WED, adjusted=False, kind="order")
MON2, TUE2 = date(2015, 3, 9), date(2015, 3, 10)
FORCED = PriceProvenance("bundled:test", TUE2, adjusted=False, kind="forced")


def test_every_event_class_has_one_entry_in_words() -> None:
    assert EVENT_SCHEMAS.keys() == REGISTRY.keys() == EVENT_TYPES.keys()
    for name, cls in EVENT_TYPES.items():
        entry = REGISTRY[name]
        assert entry.cls is cls
        assert entry.topic == f"events.portfolio:Portfolio.{name}"
        assert BY_TOPIC[entry.topic] is entry
        assert entry.version == entry.class_version == EVENT_VERSIONS[name] >= 1
        assert entry.words
        assert entry.label
        assert callable(entry.describe)
    # the old name of the topic table still reads the same
    assert REGISTRY_TOPICS == PORTFOLIO_TOPICS
    # labels tell the types apart in the GUI's table
    assert len({e.label for e in REGISTRY.values()}) == len(REGISTRY)


def _change(app: Portfolios, pid: UUID, command: Callable[[Portfolio], object]) -> None:
    app.change(pid, command)


SOURCE = "class Cross:\n\tfast = 5\n"
STRATEGY = {
    "file_name": "cross.py",
    "source": SOURCE,
    "class_name": "Cross",
    "params": '{"fast": "5"}',
    "erasmo_version": "0.1.0",
    "data_sources": "bundled",
    "start": TUE,
    "end": FRI,
    "cash": D("10000"),
    "commission": "0",
    "slippage_bps": D(5),
    "on": TUE,
}


def every_type_log(app: Portfolios) -> tuple[UUID, UUID]:
    """A portfolio holding every event type but a fork mark, and a branch of it (the fork mark)."""
    pid = app.open_portfolio("Main", MON)
    app.deposit(pid, D("10000"), MON)
    app.withdraw(pid, D("500.5"), MON)
    app.buy(pid, "AAPL", D("10"), D("128.5"), MON, CLOSE, fee=D("1"))
    app.sell(pid, "AAPL", D("4"), D("130.25"), MON, CLOSE)
    _change(app, pid, lambda p: p.split("AAPL", D("2"), TUE))
    _change(app, pid, lambda p: p.receive_dividend("AAPL", D("0.47"), TUE))
    _change(app, pid, lambda p: p.set_rules("simulation", "0", D("5"), TUE))
    _change(app, pid, lambda p: p.start_strategy(**STRATEGY))
    orders = [f"{n}" * 32 for n in "abcd"]
    _change(app, pid, lambda p: p.place_order(orders[0], "buy", "MSFT", D("3"), "limit", TUE,
                                              D("150"), limit=D("50"), tif="gtc"))  # fmt: skip
    _change(app, pid, lambda p: p.place_order(orders[1], "sell", "AAPL", D("2"), "market", TUE,
                                              D("2")))  # fmt: skip
    _change(app, pid, lambda p: p.place_order(orders[2], "buy", "IBM", D("1"), "stop", TUE,
                                              D("160"), stop=D("160")))  # fmt: skip
    _change(app, pid, lambda p: p.place_order(orders[3], "buy", "KO", D("5"), "market", TUE,
                                              D("300")))  # fmt: skip
    _change(app, pid, lambda p: p.cancel_order(orders[1], TUE))
    _change(app, pid, lambda p: p.set_volume_cap(D("10"), TUE))
    _change(app, pid, lambda p: p.fill_order(orders[0], WED, D("49.5"), D("1"), D("0.02"), FILLED,
                                             D("1")))  # fmt: skip
    _change(app, pid, lambda p: p.expire_order(orders[2], WED))
    _change(app, pid, lambda p: p.reject_order(orders[3], "not enough cash", WED))
    _change(app, pid, lambda p: p.fill_order(orders[0], THU, D("49"), D("1"), D("0"), FILLED))
    _change(app, pid, lambda p: p.advance_clock(FRI))
    _change(app, pid, lambda p: p.stop_strategy("ZeroDivisionError: division by zero", 7, FRI))
    app.rename(pid, "Main account")
    app.close_portfolio(pid)
    app.reopen_portfolio(pid)
    app.delete_portfolio(pid)
    app.undelete_portfolio(pid)
    _change(app, pid, lambda p: p.set_account("margin", FRI))
    _change(app, pid, lambda p: p.charge_margin(D("1.25"), D("0.5"), FRI, MON2))
    _change(app, pid, lambda p: p.call_margin(D("100"), D("200"), MON2))
    _change(app, pid, lambda p: p.liquidate("MSFT", D("45"), D("1"), "call not met", TUE2, FORCED))
    _change(app, pid, lambda p: p.add_note(4, "took profit early", "exit mistake"))
    _change(app, pid, lambda p: p.void(3, "typed twice", app.entries(pid, p.version)))
    at = app.history(pid)[4].seq  # after the sale
    branch = app.fork(pid, "What if", at)
    return pid, branch


#: The details of each event of `every_type_log`'s main portfolio, written out by hand.
MAIN = [
    ("PortfolioOpened", "'Main'"),
    ("CashDeposited", "10,000.00"),
    ("CashWithdrawn", "500.50"),
    # 10 x 128.5 = 1,285.00, plus a fee of 1.00
    ("SharesBought", "10 AAPL @ 128.5 = 1,285.00, fee 1.00 [bundled:test]"),
    ("SharesSold", "4 AAPL @ 130.25 = 521.00 [bundled:test]"),
    ("SplitApplied", "AAPL split 2 for 1"),
    # 6 shares held became 12; 12 x 0.47 = 5.64
    ("DividendReceived", "12 AAPL x 0.47 = 5.64 dividend"),
    ("TradingRulesSet", "simulation, commission 0, slippage 5 bps"),
    # the SHA-256 of the source's UTF-8 bytes, by hashlib
    (
        "StrategyStarted",
        "Cross from cross.py (fast=5), 2015-03-03 to 2015-03-06, sha256 "
        + hashlib.sha256(SOURCE.encode()).hexdigest()[:12],
    ),
    ("OrderPlaced", "aaaaaaaa buy 3 MSFT limit 50 gtc"),
    ("OrderPlaced", "bbbbbbbb sell 2 AAPL market day"),
    ("OrderPlaced", "cccccccc buy 1 IBM stop 160 day"),
    ("OrderPlaced", "dddddddd buy 5 KO market day"),
    ("OrderCancelled", "bbbbbbbb"),
    ("VolumeCapSet", "at most 10% of a bar's volume an order"),
    # 1 of the 3 shares (a fill capped by volume), then the other 2 the next day
    ("OrderPartiallyFilled", "aaaaaaaa 1 @ 49.5 on 2015-03-04, fee 1.00, slippage 0.02/share"),
    ("SharesBought", "1 MSFT @ 49.5 = 49.50, fee 1.00 [bundled:test]"),
    ("OrderExpired", "cccccccc"),
    ("OrderRejected", "dddddddd not enough cash"),
    ("OrderFilled", "aaaaaaaa 2 @ 49 on 2015-03-05, fee 1.00, slippage 0/share"),
    ("SharesBought", "2 MSFT @ 49 = 98.00, fee 1.00 [bundled:test]"),
    ("ClockAdvanced", "the simulation's clock moved to this day"),
    ("StrategyStopped", "ZeroDivisionError: division by zero (line 7)"),
    ("PortfolioRenamed", "'Main account'"),
    ("PortfolioClosed", ""),
    ("PortfolioReopened", ""),
    ("PortfolioDeleted", ""),
    ("PortfolioUndeleted", ""),
    ("AccountTypeSet", "margin account: initial margin 50%, maintenance 25% long / 30% short"),
    # the margin clock's events: interest and fees, a call, a forced sale and its trade
    ("MarginCharged", "1.75: interest 1.25, borrow fees 0.50 (the nights since 2015-03-06)"),
    ("MarginCalled", "equity 100.00 below the maintenance margin 200.00"),
    ("PositionLiquidated", "3 MSFT sold @ 45: call not met"),
    ("SharesSold", "3 MSFT @ 45 = 135.00, fee 1.00 [bundled:test]"),
    ("NoteAdded", "on event 4: 'took profit early' #exit #mistake"),
    ("EventVoided", "voids event 3: 'typed twice'"),
]


@pytest.fixture
def logged(sqlite_app: Portfolios) -> tuple[list[LoggedEvent], list[LoggedEvent]]:
    pid, branch = every_type_log(sqlite_app)
    return sqlite_app.history(pid), sqlite_app.history(branch)


def test_a_log_of_every_type_reads_in_words_written_by_hand(
    logged: tuple[list[LoggedEvent], list[LoggedEvent]],
) -> None:
    main, branch = logged
    assert [(e.type, e.describe()) for e in main] == MAIN
    fork = branch[1]
    assert fork.type == "BranchForked"
    assert fork.describe() == f"from 'Main account' after its event 5 (seq {main[4].seq})"
    assert {e.type for e in main + branch} == set(EVENT_TYPES)  # every type is in the log
    assert all(e.unreadable is None for e in main + branch)
    assert [e.label for e in main[:5]] == ["Opened", "Deposit", "Withdrawal", "Buy", "Sell"]
    assert describe("CashDeposited", main[1].fields) == "10,000.00"
    assert describe("NoSuchType", {}) == ""


def test_the_history_of_every_type_round_trips_through_export_and_import(
    sqlite_app: Portfolios, tmp_path: Path
) -> None:
    pid, branch = every_type_log(sqlite_app)
    before = {p: sqlite_app.history(p) for p in (pid, branch)}
    path = tmp_path / "log.jsonl"
    assert export_to_file(sqlite_app, path, erasmo_version="test") == sum(map(len, before.values()))
    fresh = Portfolios(StoreConfig.sqlite(tmp_path / "fresh.sqlite"))
    try:
        import_file(fresh, path)
        for p, events in before.items():
            after = fresh.history(p)

            def shown(es: list[LoggedEvent]) -> list[tuple[object, ...]]:
                return [(e.version, e.type, e.on, e.timestamp, e.fields, e.describe()) for e in es]

            assert shown(after) == shown(events)
            for e in after:  # each field has its type's value, as the registry says
                kinds = {f.name: f.kind for f in REGISTRY[e.type].fields}
                for name, value in e.fields.items():
                    if kinds[name] == "decimal" and value is not None:
                        assert isinstance(value, Decimal), (e.type, name)
                    if kinds[name] == "date" and value is not None:
                        assert isinstance(value, date), (e.type, name)
    finally:
        fresh.close()


def _store_raw(app: Portfolios, pid: UUID, topic: str, state: bytes) -> int:
    """Write one stored event straight through the recorder (as a damaged store holds it)."""
    version = len(app.history(pid, unreadable=True)) + 1
    app.recorder.insert_events([StoredEvent(pid, version, topic, state)])
    return version


@pytest.mark.parametrize(
    ("topic", "state", "reason"),
    [
        (
            "events.portfolio:Portfolio.CashDeposited",
            b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-01-02T10:00:00+00:00"},'
            b'"amount":{"_type_":"decimal_str","_data_":"5"},'
            b'"on":{"_type_":"date_iso","_data_":"2015-03-03"},"class_version":99}',
            "it is stored in shape version 99, newer than this erasmo reads (1); update erasmo "
            "to take it",
        ),
        (
            "events.portfolio:Portfolio.SomethingNew",
            b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-01-02T10:00:00+00:00"},'
            b'"on":{"_type_":"date_iso","_data_":"2015-03-03"}}',
            "its type 'events.portfolio:Portfolio.SomethingNew' is unknown to this erasmo",
        ),
        (
            "events.portfolio:Portfolio.CashDeposited",
            b"\x00\x01 not json",
            "its stored state is not the JSON of an event",
        ),
    ],
)
def test_an_unreadable_stored_event_is_an_error_or_an_entry_saying_why(
    sqlite_app: Portfolios, topic: str, state: bytes, reason: str
) -> None:
    pid = sqlite_app.open_portfolio("Main", MON, cash=D("100"))
    version = _store_raw(sqlite_app, pid, topic, state)
    seq = sqlite_app.reader.head()
    with pytest.raises(EventLogError) as refused:
        sqlite_app.history(pid)
    message = str(refused.value)
    assert message == (
        f"event {version} (seq {seq}) of portfolio {pid} cannot be read: {reason}. Run "
        "'erasmo check' to see every such event"
    )
    events = sqlite_app.history(pid, unreadable=True)
    assert [e.unreadable for e in events] == [None, None, reason]
    bad = events[-1]
    assert (bad.seq, bad.version, bad.fields) == (seq, version, {})
    assert bad.describe() == f"unreadable: {reason}"
    assert bad.label == "Unreadable"
    # its market date is the stored one where it can be read, else the event's before it
    assert bad.on == (TUE if b"2015-03-03" in state else MON)
