"""The write side's rules, through the application, on every backend: each rejected command
raises its named error and records nothing; accepted commands move cash and shares by amounts
computed by hand in the tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from events.application import Portfolios
from events.errors import (
    ClockError,
    ClosedPortfolioError,
    ConcurrentWriteError,
    DuplicateNameError,
    ErasmoError,
    InsufficientCashError,
    InsufficientSharesError,
    InvalidAmountError,
    InvalidNameError,
    InvalidQuantityError,
    InvalidTickerError,
    UnknownPortfolioError,
)
from events.store import StoreConfig
from events.values import PriceProvenance

D = Decimal
DAY = date(2020, 1, 2)
LATER = date(2020, 1, 10)


def prov(day: date = DAY) -> PriceProvenance:
    return PriceProvenance("bundled:skfolio", day, True)


def snapshot(app: Portfolios, pid: UUID) -> tuple[Any, ...]:
    """Everything a rejected command must leave as it was."""
    p = app.portfolio(pid)
    return (p.version, p.name, p.cash, dict(p.shares), dict(p.cost), p.clock, p.closed)


def assert_refused(
    app: Portfolios,
    pid: UUID,
    error: type[Exception],
    command: Callable[[], object],
    match: str | None = None,
) -> None:
    """`command` raises `error` and changes neither the store nor the portfolio."""
    count = app.event_count()
    before = snapshot(app, pid)
    with pytest.raises(error, match=match):
        command()
    assert app.event_count() == count
    assert snapshot(app, pid) == before


@pytest.fixture
def funded(app: Portfolios) -> UUID:
    """A portfolio "Tech" opened on DAY with 1000.00 in cash."""
    return app.open_portfolio("Tech", DAY, cash=D("1000.00"))


# -- cash -----------------------------------------------------------------------------------


def test_open_with_cash_records_opening_and_deposit(app: Portfolios) -> None:
    pid = app.open_portfolio("Tech", DAY, cash=D("1000"))
    p = app.portfolio(pid)
    assert p.version == 2
    assert p.cash == D("1000")
    assert p.clock == DAY
    assert [e.type for e in app.history(pid)] == ["PortfolioOpened", "CashDeposited"]


def test_withdraw_more_than_cash_is_refused(app: Portfolios, funded: UUID) -> None:
    assert_refused(
        app,
        funded,
        InsufficientCashError,
        lambda: app.withdraw(funded, D("1000.01"), LATER),
        match="1,000.00",
    )


def test_withdraw_all_cash_is_allowed(app: Portfolios, funded: UUID) -> None:
    app.withdraw(funded, D("400.25"), DAY)
    assert app.portfolio(funded).cash == D("599.75")  # 1000.00 - 400.25
    app.withdraw(funded, D("599.75"), DAY)
    p = app.portfolio(funded)
    assert p.cash == 0
    assert p.version == 4


def test_withdraw_from_empty_portfolio_is_refused(app: Portfolios) -> None:
    pid = app.open_portfolio("Empty", DAY)
    assert_refused(app, pid, InsufficientCashError, lambda: app.withdraw(pid, D("0.01"), DAY))


# -- buying ---------------------------------------------------------------------------------


def test_buy_rounds_value_half_up_to_the_cent(app: Portfolios, funded: UUID) -> None:
    app.buy(funded, "AAPL", D(3), D("75.087"), DAY, prov())
    p = app.portfolio(funded)
    # 3 x 75.087 = 225.261 -> 225.26; 1000.00 - 225.26 = 774.74
    assert p.cash == D("774.74")
    assert p.shares == {"AAPL": D(3)}
    assert p.cost == {"AAPL": D("225.26")}
    bought = app.history(funded)[-1]
    assert bought.type == "SharesBought"
    assert bought.fields["value"] == D("225.26")
    assert bought.fields["price"] == D("75.087")
    assert bought.fields["price_source"] == "bundled:skfolio"
    assert bought.fields["price_date"] == DAY
    assert bought.fields["price_adjusted"] is True


def test_buy_rounds_exact_half_cent_up(app: Portfolios, funded: UUID) -> None:
    app.buy(funded, "MSFT", D("0.5"), D("100.01"), DAY, prov())
    p = app.portfolio(funded)
    # 0.5 x 100.01 = 50.005 -> 50.01 (half up); 1000.00 - 50.01 = 949.99
    assert p.cash == D("949.99")
    assert p.cost == {"MSFT": D("50.01")}


def test_buy_lowercase_ticker_is_stored_upper_case(app: Portfolios, funded: UUID) -> None:
    app.buy(funded, "aapl", D(1), D(10), DAY, prov())
    app.buy(funded, " AAPL ", D(2), D(10), DAY, prov())
    assert app.portfolio(funded).shares == {"AAPL": D(3)}


def test_buy_fee_counts_against_cash(app: Portfolios, funded: UUID) -> None:
    # 10 x 99.95 = 999.50; with a fee of 0.51 it costs 1000.01 > 1000.00
    assert_refused(
        app,
        funded,
        InsufficientCashError,
        lambda: app.buy(funded, "AAPL", D(10), D("99.95"), DAY, prov(), fee=D("0.51")),
        match="1,000.01",
    )
    # with a fee of 0.50 it costs exactly the cash
    app.buy(funded, "AAPL", D(10), D("99.95"), DAY, prov(), fee=D("0.50"))
    p = app.portfolio(funded)
    assert p.cash == D("0.00")
    assert p.cost == {"AAPL": D("1000.00")}


def test_buy_without_fee_beyond_cash_is_refused(app: Portfolios, funded: UUID) -> None:
    # 2 x 500.005 = 1000.01 after rounding
    assert_refused(
        app,
        funded,
        InsufficientCashError,
        lambda: app.buy(funded, "AAPL", D(2), D("500.005"), DAY, prov()),
    )


def test_fees_and_average_cost_through_partial_sell(app: Portfolios, funded: UUID) -> None:
    app.buy(funded, "AAPL", D(10), D(10), DAY, prov(), fee=D(1))
    p = app.portfolio(funded)
    assert p.cash == D("899.00")  # 1000 - (100 + 1)
    assert p.cost == {"AAPL": D(101)}
    app.sell(funded, "AAPL", D(4), D(12), LATER, prov(LATER), fee=D(1))
    p = app.portfolio(funded)
    assert p.shares == {"AAPL": D(6)}
    assert p.cost == {"AAPL": D("60.6")}  # 101 x 6/10
    assert p.positions()[0].average_cost == D("10.1")  # 60.6 / 6
    assert p.cash == D("946.00")  # 899 + 4 x 12 - 1
    assert p.clock == LATER


def test_full_sell_out_removes_the_position(app: Portfolios, funded: UUID) -> None:
    app.buy(funded, "AAPL", D(10), D(10), DAY, prov(), fee=D(1))
    app.buy(funded, "MSFT", D(1), D(50), DAY, prov())
    app.sell(funded, "AAPL", D(4), D(12), DAY, prov(), fee=D(1))
    app.sell(funded, "AAPL", D(6), D(11), DAY, prov())
    p = app.portfolio(funded)
    assert "AAPL" not in p.shares
    assert "AAPL" not in p.cost
    assert [pos.ticker for pos in p.positions()] == ["MSFT"]
    # 1000 - 101 - 50 + (48 - 1) + 66 = 962
    assert p.cash == D("962.00")


def test_fractional_shares_sell_out_exactly(app: Portfolios, funded: UUID) -> None:
    app.buy(funded, "AAPL", D("0.333333"), D(3), DAY, prov())  # 0.999999 -> 1.00
    app.buy(funded, "AAPL", D("0.666667"), D(3), DAY, prov())  # 2.000001 -> 2.00
    assert app.portfolio(funded).shares == {"AAPL": D(1)}
    app.sell(funded, "AAPL", D(1), D(4), DAY, prov())
    p = app.portfolio(funded)
    assert p.shares == {}
    assert p.positions() == []
    assert p.cash == D("1001.00")  # 1000 - 1.00 - 2.00 + 4.00


# -- selling --------------------------------------------------------------------------------


@pytest.fixture
def holding(app: Portfolios, funded: UUID) -> UUID:
    """ "Tech" holding 5 AAPL bought at 10 (cash 950.00)."""
    app.buy(funded, "AAPL", D(5), D(10), DAY, prov())
    return funded


def test_sell_more_than_held_is_refused(app: Portfolios, holding: UUID) -> None:
    assert_refused(
        app,
        holding,
        InsufficientSharesError,
        lambda: app.sell(holding, "AAPL", D("5.000001"), D(10), DAY, prov()),
        match="holds 5",
    )


def test_sell_of_a_ticker_never_held_is_refused(app: Portfolios, holding: UUID) -> None:
    assert_refused(
        app,
        holding,
        InsufficientSharesError,
        lambda: app.sell(holding, "MSFT", D(1), D(10), DAY, prov()),
        match="holds 0",
    )


def test_sell_after_selling_out_is_refused(app: Portfolios, holding: UUID) -> None:
    app.sell(holding, "AAPL", D(5), D(10), DAY, prov())
    assert_refused(
        app,
        holding,
        InsufficientSharesError,
        lambda: app.sell(holding, "AAPL", D(1), D(10), DAY, prov()),
    )


def test_sell_fee_beyond_cash_after_sale_is_refused(app: Portfolios) -> None:
    pid = app.open_portfolio("Thin", DAY, cash=D("10.00"))
    app.buy(pid, "AAPL", D(1), D(10), DAY, prov())  # cash 0.00
    # 0.00 + 0.50 - 1.00 < 0
    assert_refused(
        app,
        pid,
        InsufficientCashError,
        lambda: app.sell(pid, "AAPL", D(1), D("0.50"), DAY, prov(), fee=D("1.00")),
    )
    app.sell(pid, "AAPL", D(1), D("0.50"), DAY, prov(), fee=D("0.50"))
    assert app.portfolio(pid).cash == D("0.00")


# -- the clock ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        lambda app, pid, day: app.deposit(pid, D(1), day),
        lambda app, pid, day: app.withdraw(pid, D(1), day),
        lambda app, pid, day: app.buy(pid, "AAPL", D(1), D(10), day, prov(day)),
        lambda app, pid, day: app.sell(pid, "AAPL", D(1), D(10), day, prov(day)),
    ],
    ids=["deposit", "withdraw", "buy", "sell"],
)
def test_command_dated_before_the_clock_is_refused(
    app: Portfolios, holding: UUID, command: Callable[[Portfolios, UUID, date], None]
) -> None:
    app.deposit(holding, D(1), LATER)
    assert app.portfolio(holding).clock == LATER
    assert_refused(
        app,
        holding,
        ClockError,
        lambda: command(app, holding, date(2020, 1, 9)),
        match="2020-01-10",
    )
    # the same day as the clock is fine
    command(app, holding, LATER)
    assert app.portfolio(holding).clock == LATER


def test_clock_error_before_opening_day(app: Portfolios, funded: UUID) -> None:
    assert_refused(app, funded, ClockError, lambda: app.deposit(funded, D(1), date(2019, 12, 31)))


# -- closed portfolios ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        lambda app, pid: app.deposit(pid, D(1), LATER),
        lambda app, pid: app.withdraw(pid, D(1), LATER),
        lambda app, pid: app.buy(pid, "AAPL", D(1), D(10), LATER, prov(LATER)),
        lambda app, pid: app.sell(pid, "AAPL", D(1), D(10), LATER, prov(LATER)),
        lambda app, pid: app.close_portfolio(pid),
    ],
    ids=["deposit", "withdraw", "buy", "sell", "close"],
)
def test_any_command_on_a_closed_portfolio_is_refused(
    app: Portfolios, holding: UUID, command: Callable[[Portfolios, UUID], None]
) -> None:
    app.close_portfolio(holding)
    p = app.portfolio(holding)
    assert p.closed
    assert p.cash == D("950.00")  # history stays
    assert_refused(app, holding, ClosedPortfolioError, lambda: command(app, holding))


def test_closed_portfolio_keeps_its_name(app: Portfolios, funded: UUID) -> None:
    app.close_portfolio(funded)
    assert app.find("tech") == funded
    count = app.event_count()
    with pytest.raises(DuplicateNameError):
        app.open_portfolio("Tech", LATER)
    assert app.event_count() == count


# -- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Tech", "TECH", "tech", "  tEcH  "])
def test_duplicate_name_on_open_is_refused_ignoring_case(
    app: Portfolios, funded: UUID, name: str
) -> None:
    count = app.event_count()
    ids = app.portfolio_ids()
    with pytest.raises(DuplicateNameError, match="'Tech'"):
        app.open_portfolio(name, DAY, cash=D(5))
    assert app.event_count() == count
    assert app.portfolio_ids() == ids
    assert app.portfolio(funded).name == "Tech"


@pytest.mark.parametrize("name", ["Tech", "TECH", " tech"])
def test_duplicate_name_on_rename_is_refused_ignoring_case(
    app: Portfolios, funded: UUID, name: str
) -> None:
    other = app.open_portfolio("Growth", DAY)
    assert_refused(app, other, DuplicateNameError, lambda: app.rename(other, name))
    assert app.find("growth") == other
    assert app.find("TECH") == funded


def test_rename_frees_the_old_name(app: Portfolios, funded: UUID) -> None:
    app.rename(funded, "Growth")
    p = app.portfolio(funded)
    assert p.name == "Growth"
    assert p.cash == D("1000.00")
    second = app.open_portfolio("tech", DAY)
    assert second != funded
    assert app.find("TECH") == second
    assert app.find("growth") == funded
    with pytest.raises(UnknownPortfolioError):
        app.find("Value")


def test_rename_to_own_name_in_other_case(app: Portfolios, funded: UUID) -> None:
    app.rename(funded, "TECH")
    assert app.portfolio(funded).name == "TECH"
    assert app.find("tech") == funded


def test_rename_to_an_invalid_name_is_refused(app: Portfolios, funded: UUID) -> None:
    for bad in ["", "x" * 65, "a\nb"]:
        assert_refused(app, funded, InvalidNameError, lambda bad=bad: app.rename(funded, bad))


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "Tech\nFund", "Tech\x00"])
def test_open_with_an_invalid_name_records_nothing(app: Portfolios, name: str) -> None:
    count = app.event_count()
    with pytest.raises(InvalidNameError):
        app.open_portfolio(name, DAY)
    assert app.event_count() == count
    assert app.portfolio_ids() == []


# -- invalid input straight into the application ----------------------------------------------


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (lambda app, pid: app.deposit(pid, 1.5, DAY), InvalidAmountError),
        (lambda app, pid: app.deposit(pid, D(0), DAY), InvalidAmountError),
        (lambda app, pid: app.deposit(pid, D("-5"), DAY), InvalidAmountError),
        (lambda app, pid: app.deposit(pid, "NaN", DAY), InvalidAmountError),
        (lambda app, pid: app.deposit(pid, D("NaN"), DAY), InvalidAmountError),
        (lambda app, pid: app.deposit(pid, D("Infinity"), DAY), InvalidAmountError),
        (lambda app, pid: app.deposit(pid, D("0.001"), DAY), InvalidAmountError),
        (lambda app, pid: app.deposit(pid, D("1e16"), DAY), InvalidAmountError),
        (lambda app, pid: app.deposit(pid, True, DAY), InvalidAmountError),
        (lambda app, pid: app.withdraw(pid, D("-1"), DAY), InvalidAmountError),
        (lambda app, pid: app.withdraw(pid, 0.5, DAY), InvalidAmountError),
        (
            lambda app, pid: app.buy(pid, "AAPL", D(0), D(10), DAY, prov()),
            InvalidQuantityError,
        ),
        (
            lambda app, pid: app.buy(pid, "AAPL", D(-1), D(10), DAY, prov()),
            InvalidQuantityError,
        ),
        (
            lambda app, pid: app.buy(pid, "AAPL", 1.5, D(10), DAY, prov()),
            InvalidQuantityError,
        ),
        (
            lambda app, pid: app.buy(pid, "AAPL", D("0.0000001"), D(10), DAY, prov()),
            InvalidQuantityError,
        ),
        (
            lambda app, pid: app.buy(pid, "AAPL", D("NaN"), D(10), DAY, prov()),
            InvalidQuantityError,
        ),
        (
            lambda app, pid: app.buy(pid, "AAPL", D(1), D(0), DAY, prov()),
            InvalidAmountError,
        ),
        (
            lambda app, pid: app.buy(pid, "AAPL", D(1), 10.0, DAY, prov()),
            InvalidAmountError,
        ),
        (
            lambda app, pid: app.buy(pid, "AAPL", D(1), D("1.0000001"), DAY, prov()),
            InvalidAmountError,
        ),
        (
            lambda app, pid: app.buy(pid, "AAPL", D(1), D(10), DAY, prov(), fee=D(-1)),
            InvalidAmountError,
        ),
        (
            lambda app, pid: app.buy(pid, "AAPL", D(1), D(10), DAY, prov(), fee=0.5),
            InvalidAmountError,
        ),
        (
            lambda app, pid: app.buy(pid, "\u0410APL", D(1), D(10), DAY, prov()),
            InvalidTickerError,
        ),
        (
            lambda app, pid: app.buy(pid, "ＡＡＰＬ", D(1), D(10), DAY, prov()),
            InvalidTickerError,
        ),
        (
            lambda app, pid: app.sell(pid, "AAPL", D("-2"), D(10), DAY, prov()),
            InvalidQuantityError,
        ),
        (
            lambda app, pid: app.sell(pid, "AAPL", D(1), D("-10"), DAY, prov()),
            InvalidAmountError,
        ),
        (
            lambda app, pid: app.sell(pid, "", D(1), D(10), DAY, prov()),
            InvalidTickerError,
        ),
    ],
)
def test_invalid_input_straight_into_the_app_records_nothing(
    app: Portfolios,
    holding: UUID,
    command: Callable[[Portfolios, UUID], None],
    error: type[Exception],
) -> None:
    assert_refused(app, holding, error, lambda: command(app, holding))


@pytest.mark.parametrize("cash", [D(0), D("-1"), 1.5, D("0.001"), D("NaN")])
def test_open_with_invalid_cash_records_nothing(app: Portfolios, cash: object) -> None:
    with pytest.raises(InvalidAmountError):
        app.open_portfolio("Tech", DAY, cash=cash)  # type: ignore[arg-type]
    assert app.event_count() == 0
    assert app.portfolio_ids() == []
    # the name was not taken by the refused command
    pid = app.open_portfolio("Tech", DAY)
    assert app.find("tech") == pid


def test_command_on_an_unknown_portfolio(app: Portfolios, funded: UUID) -> None:
    count = app.event_count()
    stranger = uuid4()
    with pytest.raises(UnknownPortfolioError, match=str(stranger)):
        app.deposit(stranger, D(1), DAY)
    assert app.event_count() == count


# -- two writers ----------------------------------------------------------------------------


def test_second_app_sees_the_first_apps_sale(app: Portfolios, store: StoreConfig) -> None:
    pid = app.open_portfolio("Tech", DAY, cash=D(100))
    app.buy(pid, "AAPL", D(5), D(10), DAY, prov())
    other = Portfolios(store)
    try:
        assert other.portfolio(pid).shares == {"AAPL": D(5)}
        app.sell(pid, "AAPL", D(5), D(10), DAY, prov())
        count = app.event_count()
        with pytest.raises(InsufficientSharesError):
            other.sell(pid, "AAPL", D(5), D(10), DAY, prov())
        assert other.event_count() == count
        assert other.portfolio(pid).cash == D(100)  # 100 - 50 + 50, sold once
    finally:
        other.close()


def test_conflicting_save_is_retried_on_fresh_state(
    app: Portfolios, store: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second writer decides on a stale copy, its save collides, and the retry re-reads."""
    pid = app.open_portfolio("Tech", DAY, cash=D(100))
    app.buy(pid, "AAPL", D(5), D(10), DAY, prov())
    other = Portfolios(store)
    try:
        stale = other.portfolio(pid)  # loaded before the first writer sells
        app.sell(pid, "AAPL", D(5), D(10), DAY, prov())
        count = app.event_count()

        real_get = other.repository.get
        calls: list[UUID] = []

        def get(aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
            calls.append(aggregate_id)
            if len(calls) == 1:
                return stale
            return real_get(aggregate_id, *args, **kwargs)

        monkeypatch.setattr(other.repository, "get", get)
        with pytest.raises(InsufficientSharesError):
            other.sell(pid, "AAPL", D(5), D(10), DAY, prov())
        assert calls == [pid, pid]  # the stale attempt, then the retry
        assert app.event_count() == count
        assert app.portfolio(pid).shares == {}
        assert app.portfolio(pid).cash == D(100)
    finally:
        other.close()


def test_endless_conflicts_end_in_concurrent_write_error(
    app: Portfolios, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = app.open_portfolio("Tech", DAY, cash=D(100))
    stale = app.portfolio(pid, version=1)  # always one version behind
    real_get = app.repository.get

    def get(aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
        if aggregate_id == pid:
            return real_get(aggregate_id, version=stale.version)
        return real_get(aggregate_id, *args, **kwargs)

    monkeypatch.setattr(app.repository, "get", get)
    count = app.event_count()
    with pytest.raises(ConcurrentWriteError):
        app.deposit(pid, D(1), DAY)
    monkeypatch.undo()
    assert app.event_count() == count
    assert app.portfolio(pid).cash == D(100)


ROUNDS = 20


def test_two_threads_race_for_the_last_shares(app: Portfolios, store: StoreConfig) -> None:
    """Two writers, each its own application, sell the same last 5 shares at once, 20 times:
    exactly one sale is recorded per round, and the loser gets a named error."""
    pid = app.open_portfolio("Race", DAY, cash=D(10_000))
    barrier = threading.Barrier(3, timeout=60)
    outcomes: dict[int, list[tuple[int, object]]] = {r: [] for r in range(ROUNDS)}
    lock = threading.Lock()

    def racer(index: int) -> None:
        racer_app = Portfolios(store)
        try:
            for r in range(ROUNDS):
                barrier.wait()  # the shares were bought
                try:
                    racer_app.sell(pid, "AAPL", D(5), D(11), DAY, prov())
                    outcome: object = "sold"
                except BaseException as error:
                    outcome = error
                with lock:
                    outcomes[r].append((index, outcome))
                barrier.wait()  # round over
        finally:
            racer_app.close()

    threads = [threading.Thread(target=racer, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(ROUNDS):
            app.buy(pid, "AAPL", D(5), D(10), DAY, prov())
            barrier.wait()
            barrier.wait()
    finally:
        for thread in threads:
            thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)

    for r in range(ROUNDS):
        results = [outcome for _, outcome in outcomes[r]]
        assert len(results) == 2, f"round {r}: {results}"
        assert results.count("sold") == 1, f"round {r}: {results}"
        (loser,) = [o for o in results if o != "sold"]
        assert isinstance(loser, InsufficientSharesError | ConcurrentWriteError), repr(loser)
        assert isinstance(loser, ErasmoError)

    p = app.portfolio(pid)
    assert p.shares == {}
    # each round: buy 5 x 10 = 50, sell 5 x 11 = 55 -> +5; 10000 + 20 x 5 = 10100
    assert p.cash == D("10100")
    assert p.version == 2 + 2 * ROUNDS
    history = app.history(pid)
    assert [e.type for e in history].count("SharesSold") == ROUNDS


def test_two_threads_race_for_one_name(app: Portfolios, store: StoreConfig) -> None:
    """Two writers open a portfolio of the same name (different case) at once: one wins."""
    barrier = threading.Barrier(2, timeout=60)
    results: list[object] = []
    lock = threading.Lock()

    def racer(name: str) -> None:
        racer_app = Portfolios(store)
        try:
            barrier.wait()
            try:
                outcome: object = racer_app.open_portfolio(name, DAY)
            except BaseException as error:
                outcome = error
            with lock:
                results.append(outcome)
        finally:
            racer_app.close()

    threads = [threading.Thread(target=racer, args=(n,)) for n in ("Tech", "TECH")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    winners = [r for r in results if isinstance(r, UUID)]
    losers = [r for r in results if not isinstance(r, UUID)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    assert isinstance(losers[0], DuplicateNameError | ConcurrentWriteError), repr(losers[0])
    assert app.portfolio_ids() == winners
    assert app.find("tech") == winners[0]
    # the catalog's created + claimed, and the winner's opening
    assert app.event_count() == 3


@pytest.mark.parametrize("tables_exist", [False, True], ids=["fresh", "existing"])
def test_programs_opening_one_store_at_once_all_succeed(
    store: StoreConfig, tables_exist: bool
) -> None:
    """Starting the app creates (or replaces) the store's tables and functions; two programs
    starting at the same moment must not fail on each other's DDL."""
    first = Portfolios(store) if tables_exist else None
    barrier = threading.Barrier(4, timeout=60)
    errors: list[BaseException] = []
    opened: list[Portfolios] = []
    lock = threading.Lock()

    def start() -> None:
        barrier.wait()
        try:
            started = Portfolios(store)
        except BaseException as error:
            with lock:
                errors.append(error)
            return
        with lock:
            opened.append(started)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert errors == []
        assert len(opened) == 4
        pid = opened[0].open_portfolio("Tech", DAY, cash=D(1))
        assert all(a.portfolio(pid).cash == D(1) for a in opened)
    finally:
        for started in opened:
            started.close()
        if first is not None:
            first.close()
