"""One rule book: a log breaking a rule is refused by the audit, import and sync with the named
error the typed command raises, raised by the very same rule function."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from eventsourcing.domain import decorated_funcs

import events.rules
from events.application import Portfolios
from events.audit import AuditedEvent, Problem, audit_portfolio
from events.errors import (
    ClockError,
    ClosedPortfolioError,
    CorporateActionError,
    DeletedPortfolioError,
    ErasmoError,
    EventLogError,
    InsufficientCashError,
    InsufficientSharesError,
    InvalidOrderError,
    PortfolioStatusError,
    SimulationClockError,
    UnknownOrderError,
)
from events.portfolio import EVENT_TYPES, Portfolio
from events.replay import COMMANDS
from events.values import PriceProvenance

D = Decimal
DAY, DAY2 = date(2020, 1, 2), date(2020, 1, 3)
CLOSE = PriceProvenance("bundled:skfolio", DAY, True, "close")
ORDER = "a" * 32


def raw(p: Portfolio, kind: str, **fields: Any) -> None:
    """Record an event of `kind` as a hand-edited log would: its effect, no command, no rule."""
    p.trigger_event(EVENT_TYPES[kind], **fields)


def trade(ticker: str, quantity: str, price: str, on: date = DAY) -> dict[str, Any]:
    value = D(quantity) * D(price)
    return {
        "ticker": ticker,
        "quantity": D(quantity),
        "price": D(price),
        "value": value.quantize(D("0.01")),
        "fee": D("0.00"),
        "on": on,
        "price_source": CLOSE.source,
        "price_date": CLOSE.day,
        "price_adjusted": CLOSE.adjusted,
        "price_kind": CLOSE.kind,
    }


@dataclass(frozen=True)
class Case:
    """A portfolio's good events (`before`), then one bad event (`bad`, recorded raw) that the
    typed command (`typed`, on the state after `before`) refuses with `error`."""

    before: Callable[[Portfolio], None]
    typed: Callable[[Portfolio], None] | None
    bad: Callable[[Portfolio], None]
    error: type[ErasmoError]


def _nothing(p: Portfolio) -> None:
    pass


def _bought(p: Portfolio) -> None:
    p.buy("AAPL", D(2), D(10), DAY, CLOSE)


def _simulation(p: Portfolio) -> None:
    p.set_rules("simulation", "0", D(0), DAY)


def _buy_order(p: Portfolio) -> None:
    p.place_order(ORDER, "buy", "AAPL", D(1), "market", DAY, D(90))


def _sell_order(p: Portfolio) -> None:
    _bought(p)
    p.place_order(ORDER, "sell", "AAPL", D(2), "market", DAY, D(2))


CASES = {
    "overdraft": Case(
        _nothing,
        lambda p: p.withdraw(D(150), DAY),
        lambda p: raw(p, "CashWithdrawn", amount=D(150), on=DAY),
        InsufficientCashError,
    ),
    "overspend": Case(
        _nothing,
        lambda p: p.buy("AAPL", D(20), D(10), DAY, CLOSE),
        lambda p: raw(p, "SharesBought", **trade("AAPL", "20", "10")),
        InsufficientCashError,
    ),
    "withdraw-reserved-cash": Case(
        _buy_order,
        lambda p: p.withdraw(D(50), DAY),
        lambda p: raw(p, "CashWithdrawn", amount=D(50), on=DAY),
        InsufficientCashError,
    ),
    "sell-not-held": Case(
        _bought,
        lambda p: p.sell("AAPL", D(3), D(10), DAY, CLOSE),
        lambda p: raw(p, "SharesSold", **trade("AAPL", "3", "10")),
        InsufficientSharesError,
    ),
    "sell-held-back": Case(
        _sell_order,
        lambda p: p.sell("AAPL", D(1), D(10), DAY, CLOSE),
        lambda p: raw(p, "SharesSold", **trade("AAPL", "1", "10")),
        InsufficientSharesError,
    ),
    "clock-backwards": Case(
        lambda p: p.deposit(D(1), DAY2),
        lambda p: p.deposit(D(1), DAY),
        lambda p: raw(p, "CashDeposited", amount=D(1), on=DAY),
        ClockError,
    ),
    "simulation-future": Case(
        _simulation,
        lambda p: p.deposit(D(1), DAY2),
        lambda p: raw(p, "CashDeposited", amount=D(1), on=DAY2),
        SimulationClockError,
    ),
    "trade-after-close": Case(
        lambda p: p.close(),
        lambda p: p.buy("AAPL", D(1), D(10), DAY, CLOSE),
        lambda p: raw(p, "SharesBought", **trade("AAPL", "1", "10")),
        ClosedPortfolioError,
    ),
    "deposit-after-delete": Case(
        lambda p: p.delete(),
        lambda p: p.deposit(D(1), DAY),
        lambda p: raw(p, "CashDeposited", amount=D(1), on=DAY),
        DeletedPortfolioError,
    ),
    "reopen-an-open-portfolio": Case(
        _nothing,
        lambda p: p.reopen(),
        lambda p: raw(p, "PortfolioReopened", on=DAY),
        PortfolioStatusError,
    ),
    "fill-without-order": Case(
        _nothing,
        lambda p: p.fill_order(ORDER, DAY2, D(10), D(0), D(0), CLOSE),
        lambda p: raw(
            p,
            "OrderFilled",
            order_id=ORDER,
            bar_day=DAY2,
            price=D(10),
            quantity=D(1),
            fee=D(0),
            slippage=D(0),
            on=DAY2,
        ),
        UnknownOrderError,
    ),
    "cancel-an-order-not-open": Case(
        _nothing,
        lambda p: p.cancel_order(ORDER, DAY),
        lambda p: raw(p, "OrderCancelled", order_id=ORDER, on=DAY),
        UnknownOrderError,
    ),
    "dividend-not-held": Case(
        _nothing,
        lambda p: p.receive_dividend("MSFT", D("0.5"), DAY),
        lambda p: raw(
            p,
            "DividendReceived",
            ticker="MSFT",
            amount_per_share=D("0.5"),
            quantity=D(1),
            amount=D("0.50"),
            on=DAY,
        ),
        CorporateActionError,
    ),
    "split-twice": Case(
        lambda p: (_bought(p), p.split("AAPL", D(2), DAY2)),
        lambda p: p.split("AAPL", D(2), DAY2),
        lambda p: raw(p, "SplitApplied", ticker="AAPL", ratio=D(2), on=DAY2),
        CorporateActionError,
    ),
    "fill-without-its-trade": Case(  # no typed command records a fill without its trade
        lambda p: (_buy_order(p), p.record_fill(ORDER, DAY2, D(10), D(0), D(0))),
        None,
        lambda p: raw(p, "CashDeposited", amount=D(1), on=DAY2),
        InvalidOrderError,
    ),
}


@dataclass
class BadLog:
    events: list[Any]  # the domain events: the good ones, then the bad one
    bad_version: int
    typed: ErasmoError | None  # what the typed command raised


def rebuild(events: list[Any]) -> Portfolio:
    p: Any = None
    for e in events:
        p = e.mutate(p)
    assert isinstance(p, Portfolio)
    return p


def bad_log(case: Case) -> BadLog:
    p = Portfolio.open("Rules", DAY)
    p.deposit(D(100), DAY)
    case.before(p)
    good = list(p.collect_events())
    typed = None
    if case.typed is not None:
        with pytest.raises(case.error) as raised:
            case.typed(rebuild(good))
        typed = raised.value
    tampered = rebuild(good)
    case.bad(tampered)
    bad = list(tampered.collect_events())
    assert len(bad) == 1
    return BadLog([*good, *bad], bad[0].originator_version, typed)


def audited(log: BadLog) -> list[Problem]:
    skip = ("originator_id", "originator_version", "timestamp", "originator_topic")
    return audit_portfolio(
        (
            AuditedEvent(
                e.originator_version,
                type(e).__name__,
                {k: v for k, v in vars(e).items() if k not in skip},
            )
            for e in log.events
        ),
        log.events[0].originator_id,
    )


def innermost(tb: TracebackType | None) -> Any:
    assert tb is not None
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Portfolios]:
    from events.store import StoreConfig

    app = Portfolios(StoreConfig.sqlite(tmp_path / "events.sqlite"))
    try:
        yield app
    finally:
        app.close()


def test_the_audit_reports_the_typed_commands_error(case: Case) -> None:
    log = bad_log(case)
    problems = audited(log)
    assert problems, "the audit let a broken rule through"
    assert {p.version for p in problems} == {log.bad_version}
    first = problems[0]
    assert isinstance(first.error, case.error)
    if log.typed is not None:
        assert type(first.error) is type(log.typed)
        assert str(first.error) == str(log.typed)
        assert first.error.problems == log.typed.problems
        # raised by the very same rule function, not by a copy of it
        assert innermost(first.error.__traceback__) is innermost(log.typed.__traceback__)
    assert first.message == first.error.problems[0]


def test_import_refuses_it_with_the_typed_commands_error(case: Case, fresh: Portfolios) -> None:
    log = bad_log(case)
    stored = [fresh.mapper.to_stored_event(e) for e in log.events]
    with pytest.raises(EventLogError) as refused:
        fresh.record_imported(stored)
    cause = refused.value.__cause__
    assert isinstance(cause, case.error)
    message = str(refused.value)
    assert f"event {log.bad_version} ({type(log.events[-1]).__name__})" in message
    assert cause.problems[0] in message
    assert message.endswith("nothing was imported")
    if log.typed is not None:
        assert str(cause) == str(log.typed)
        assert innermost(cause.__traceback__) is innermost(log.typed.__traceback__)
    assert fresh.event_count() == 0


def test_sync_refuses_it_with_the_typed_commands_error(case: Case, fresh: Portfolios) -> None:
    log = bad_log(case)
    stored = [fresh.mapper.to_stored_event(e) for e in log.events]
    with pytest.raises(EventLogError) as refused:
        fresh.record_synced(stored, peer="peer")
    cause = refused.value.__cause__
    assert isinstance(cause, case.error)
    message = str(refused.value)
    assert f"event {log.bad_version} ({type(log.events[-1]).__name__}) cannot be" in message
    assert str(cause) in message
    assert message.endswith("nothing was recorded")
    if log.typed is not None:
        assert str(cause) == str(log.typed)
        assert innermost(cause.__traceback__) is innermost(log.typed.__traceback__)
    assert fresh.event_count() == 0


@pytest.mark.parametrize("name", [n for n in CASES if n != "fill-without-its-trade"])
def test_the_good_prefix_of_every_bad_log_passes_everywhere(name: str, fresh: Portfolios) -> None:
    log = bad_log(CASES[name])
    good = log.events[:-1]
    assert audited(BadLog(good, 0, None)) == []
    stored = [fresh.mapper.to_stored_event(e) for e in good]
    assert fresh.record_synced(stored, peer="peer").recorded == len(good)
    assert fresh.audit(good[0].originator_id) == []


# -- one rule book, structurally ---------------------------------------------------------------

CHECKERS = (
    "events/audit.py",
    "events/importing.py",
    "events/sync.py",
    "events/branches.py",
    "erasmo/intake.py",
)


def _imports(path: str) -> set[str]:
    tree = ast.parse((Path(events.rules.__file__).parents[2] / path).read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


@pytest.mark.parametrize("path", CHECKERS)
def test_the_checkers_hold_no_rule_of_their_own(path: str) -> None:
    """They reach the rules only through `events.replay`, which runs the aggregate's commands:
    none imports a rule module, a parser of values, or the commission and order shapes."""
    imported = _imports(path)
    assert not {name for name in imported if name.startswith("events.rules")}
    assert not {name for name in imported if name.startswith("events.values.parse")}
    assert not {
        name for name in imported if name.startswith(("events.commission", "events.orders"))
    }


def test_the_replay_runs_a_command_for_every_event_type() -> None:
    assert set(COMMANDS) == set(EVENT_TYPES) - {"PortfolioOpened"}


def test_every_events_effect_is_the_rule_modules_function() -> None:
    """The effect the aggregate applies, and the audit applies to go on after a broken rule, is
    one function object of `events.rules` per event type."""
    modules = [m for name, m in vars(events.rules).items() if not name.startswith("_")]
    for kind, cls in EVENT_TYPES.items():
        if kind == "PortfolioOpened":
            continue  # the aggregate's __init__
        effect = decorated_funcs[cls]
        owner = next(m for m in modules if getattr(m, effect.__name__, None) is effect)
        assert owner.__name__.startswith("events.rules."), kind


def test_sync_pairs_a_fill_with_its_trade_across_two_batches(fresh: Portfolios) -> None:
    """A sync page may end between a fill and its trade: the next page must bring the trade."""
    p = Portfolio.open("Rules", DAY)
    p.deposit(D(100), DAY)
    _buy_order(p)
    p.fill_order(
        ORDER, DAY2, D(10), D(0), D(0), PriceProvenance("bundled:skfolio", DAY2, True, "order")
    )
    events = list(p.collect_events())
    kinds = [type(e).__name__ for e in events]
    assert kinds[-2:] == ["OrderFilled", "SharesBought"]
    stored = [fresh.mapper.to_stored_event(e) for e in events]
    assert fresh.record_synced(stored[:-1], peer="peer").recorded == len(events) - 1
    count = fresh.event_count()

    other = rebuild(events[:-1])
    raw(other, "CashDeposited", amount=D(1), on=DAY2)
    (instead,) = other.collect_events()
    with pytest.raises(EventLogError) as refused:
        fresh.record_synced([fresh.mapper.to_stored_event(instead)], peer="peer")
    assert isinstance(refused.value.__cause__, InvalidOrderError)
    expected = "The fill of order aaaaaaaa is not followed by its trade (SharesBought of 1 AAPL"
    assert expected in str(refused.value)
    assert fresh.event_count() == count

    assert fresh.record_synced(stored[-1:], peer="peer").recorded == 1
    portfolio_id = events[0].originator_id
    assert fresh.audit(portfolio_id) == []
    assert fresh.portfolio(portfolio_id).cash == D(90)  # 100 - 1 x 10
