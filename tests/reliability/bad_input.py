"""Bad input, property-based: a hypothesis state machine drives buys, sells, deposits,
withdrawals, openings and imports through the service layer (as the CLI and GUI do), mixing
valid input with every kind of invalid variant, against a model written by hand
(bad_input_model.py).

The model restates the rules with plain Decimal arithmetic and predicts, for each input, whether
erasmo must accept it and what it must then hold. Every step checks the prediction: an invalid
input accepted, a valid one refused, or an exception that is not one of erasmo's own errors
fails the run at once. At the end of each run the store is replayed by a fresh application and
must equal the model.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from erasmo.checks import check_store
from erasmo.services import TradingService
from events.application import Portfolios
from events.errors import ErasmoError
from events.eventlog import export_log, import_file
from events.store import StoreConfig
from reliability.bad_input_model import (
    BAD_DAYS,
    FEES,
    IMPORT_VARIANTS,
    MAX_MONEY,
    MAX_QUANTITY,
    NAMES,
    PRICES,
    SCRATCH,
    TICKER_INPUTS,
    TODAY,
    TRADABLE,
    VALID_IMPORTS,
    WHEN,
    WHO,
    Held,
    index_of,
    mixes_alphabets,
    model_day,
    model_fill,
    money_inputs,
    mutate,
    plain_number,
    price_text,
    quantity_inputs,
    side_log,
    to_cents,
    window,
)
from reliability.targets import market

T = TypeVar("T")


@dataclass
class Figures:
    """Totals over all runs; the three lists must stay empty."""

    steps: int = 0
    runs: int = 0
    inputs: int = 0
    invalid_inputs: int = 0
    accepted: int = 0
    imports: int = 0
    replays_equal: int = 0
    invalid_accepted: list[str] = field(default_factory=list)
    valid_refused: list[str] = field(default_factory=list)
    foreign_exceptions: list[str] = field(default_factory=list)


FIGURES = Figures()  # replaced by each run_steps()


class BadInputMachine(RuleBasedStateMachine):
    """One store per run; every rule tries one input and checks the model's prediction."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(dir=SCRATCH))
        self.app = Portfolios(StoreConfig.sqlite(self.folder / "events.sqlite"))
        self.trading = TradingService(self.app, market(), today=lambda: TODAY)
        self.model: dict[str, Held] = {}  # name key (casefold) -> portfolio
        self.events = 0
        self.side_imported = False
        FIGURES.runs += 1

    # -- helpers --------------------------------------------------------------------------

    def attempt(self, valid: bool, what: str, action: Callable[[], T]) -> T | None:
        """Run `action`; check it was accepted exactly when the model says it is valid."""
        FIGURES.inputs += 1
        FIGURES.invalid_inputs += not valid
        try:
            result = action()
        except ErasmoError as error:
            if valid:
                FIGURES.valid_refused.append(f"{what}: {error}")
                raise AssertionError(f"valid input refused: {what}: {error}") from None
            return None
        except Exception as error:
            FIGURES.foreign_exceptions.append(f"{what}: {type(error).__name__}: {error}")
            raise
        if not valid:
            FIGURES.invalid_accepted.append(what)
            raise AssertionError(f"invalid input accepted: {what}")
        FIGURES.accepted += 1
        return result

    def find(self, raw: str) -> Held | None:
        return self.model.get(raw.strip().casefold()) if isinstance(raw, str) else None

    def recorded(self, added: int) -> None:
        self.events += added
        assert self.app.event_count() == self.events

    def same(self, held: Held, app: Portfolios | None = None) -> None:
        p = (app or self.app).portfolio(held.id)
        assert (p.name, p.cash, p.clock, p.shares) == (
            held.name,
            held.cash,
            held.clock,
            held.shares,
        )

    def name_for_command(self, pick: int, variant: str) -> str:
        if not self.model or variant == "unknown":
            return "Nobody"
        name = sorted(self.model.values(), key=lambda h: h.name)[pick % len(self.model)].name
        return {
            "upper": name.upper(),
            "padded": f"  {name} ",
            "lookalike": name.replace("e", "е"),
        }.get(variant, name)

    def day_for(self, held: Held | None, when: object) -> object:
        """A day a few trading days from the portfolio's clock, or a bad one as drawn."""
        if isinstance(when, tuple):
            return when[1]
        assert isinstance(when, int)
        days = window()
        if held is None:
            return days[abs(when)]
        at = max(0, min(len(days) - 1, index_of(days, held.clock) + when))
        return days[at]

    # -- rules ----------------------------------------------------------------------------

    @initialize(name=st.sampled_from(["Tech", "Growth", "Ünïcödé", "💰 Fund"]), cash=money_inputs())
    def open_first(self, name: str, cash: object) -> None:
        self.open(name, cash, window()[0])

    @precondition(lambda self: len(self.model) < 6)
    @rule(
        name=st.sampled_from(NAMES),
        cash=st.one_of(st.none(), money_inputs()),
        on=st.one_of(st.sampled_from(window()), st.sampled_from(BAD_DAYS)),
    )
    def open(self, name: str, cash: object, on: object) -> None:
        amount = None if cash is None else plain_number(cash, 2, MAX_MONEY)
        day = model_day(on, None)
        text = name.strip()
        valid = (
            (cash is None or amount is not None)
            and day is not None
            and 0 < len(text) <= 64
            and text.isprintable()
            and not mixes_alphabets(text)
            and text.casefold() not in self.model
        )
        what = f"open {name!r} {cash!r} {on!r}"
        made = self.attempt(valid, what, lambda: self.trading.open_portfolio(name, cash, on))  # type: ignore[arg-type]
        if made is not None and day is not None:
            held = Held(made, text, amount or Decimal(0), day)
            self.model[text.casefold()] = held
            catalog_new = self.events == 0
            self.recorded(1 + (amount is not None) + 1 + catalog_new)
            self.same(held)

    @rule(who=WHO, amount=money_inputs(), when=WHEN)
    def deposit(self, who: tuple[int, str], amount: object, when: object) -> None:
        self.move_cash(who, amount, when, withdraw=False)

    @rule(who=WHO, amount=money_inputs(), when=WHEN)
    def withdraw(self, who: tuple[int, str], amount: object, when: object) -> None:
        self.move_cash(who, amount, when, withdraw=True)

    @rule(who=WHO, ticker=TICKER_INPUTS, quantity=quantity_inputs(), when=WHEN,
          price=PRICES, fee=FEES)  # fmt: skip
    def buy(
        self,
        who: tuple[int, str],
        ticker: str,
        quantity: object,
        when: object,
        price: str,
        fee: object,
    ) -> None:
        self.trade(who, ticker, quantity, when, price, fee, sell=False)

    @rule(who=WHO, ticker=TICKER_INPUTS, quantity=quantity_inputs(), when=WHEN,
          price=PRICES, fee=FEES)  # fmt: skip
    def sell(
        self,
        who: tuple[int, str],
        ticker: str,
        quantity: object,
        when: object,
        price: str,
        fee: object,
    ) -> None:
        self.trade(who, ticker, quantity, when, price, fee, sell=True)

    def move_cash(self, who: tuple[int, str], amount: object, when: object, withdraw: bool) -> None:
        name = self.name_for_command(*who)
        held = self.find(name)
        on = self.day_for(held, when)
        value = plain_number(amount, 2, MAX_MONEY)
        day = model_day(on, None)
        valid = (
            held is not None
            and value is not None
            and day is not None
            and day >= held.clock
            and (not withdraw or value <= held.cash)
        )
        command = self.trading.withdraw if withdraw else self.trading.deposit
        what = f"{'withdraw' if withdraw else 'deposit'} {name!r} {amount!r} {on!r}"
        done = self.attempt(valid, what, lambda: command(self.trading.resolve(name), amount, on))  # type: ignore[arg-type]
        if done is not None and held is not None and value is not None and day is not None:
            held.cash += -value if withdraw else value
            held.clock = day
            self.recorded(1)
            self.same(held)

    def trade(
        self,
        who: tuple[int, str],
        ticker: str,
        quantity: object,
        when: object,
        price: str,
        fee: object,
        sell: bool,
    ) -> None:
        name = self.name_for_command(*who)
        held = self.find(name)
        on = self.day_for(held, when)
        symbol = ticker.strip().upper() if ticker.strip().isascii() else "?"
        known = symbol in TRADABLE
        day = model_day(on, symbol) if known else None
        bar = market().bar(symbol, day) if day is not None else None
        given = price_text(price, bar)
        qty = plain_number(quantity, 6, MAX_QUANTITY)
        cost = Decimal(0) if fee is None else plain_number(fee, 2, MAX_MONEY, zero=True)
        fill = model_fill(given, bar)
        value = to_cents(qty * fill) if qty is not None and fill is not None else Decimal(0)
        have = held.shares.get(symbol, Decimal(0)) if held is not None else Decimal(0)
        valid = (
            known
            and held is not None
            and qty is not None
            and cost is not None
            and fill is not None
            and day is not None
            and day >= held.clock
            and (
                have >= qty and held.cash + value - cost >= 0 if sell else value + cost <= held.cash
            )
        )
        command = self.trading.sell if sell else self.trading.buy
        what = (
            f"{'sell' if sell else 'buy'} {name!r} {ticker!r} {quantity!r} {on!r} {given!r} {fee!r}"
        )
        done = self.attempt(
            valid,
            what,
            lambda: command(self.trading.resolve(name), ticker, quantity, on, given, fee),
        )  # type: ignore[arg-type]
        if done is not None and held and qty is not None and cost is not None and day:
            left = held.shares.get(symbol, Decimal(0)) + (-qty if sell else qty)
            held.shares = {t: q for t, q in {**held.shares, symbol: left}.items() if q != 0}
            held.cash += value - cost if sell else -(value + cost)
            held.clock = day
            self.recorded(1)
            self.same(held)

    @rule(
        source=st.sampled_from(["own", "own", "side"]),
        variant=st.sampled_from(IMPORT_VARIANTS),
        pick=st.integers(0, 5),
    )
    def import_log(self, source: str, variant: str, pick: int) -> None:
        FIGURES.imports += 1
        if source == "own" and self.model:
            ids = [sorted(self.model.values(), key=lambda h: h.name)[pick % len(self.model)].id]
            out = io.StringIO()
            export_log(self.app, out, erasmo_version="0.1.0", portfolio_ids=ids)
            data, incoming = out.getvalue().encode(), ()
        else:
            data, side = side_log()
            incoming = () if self.side_imported else side
        clash = any(h.name.casefold() in self.model for h in incoming)
        valid = variant in VALID_IMPORTS and not clash
        path = self.folder / "import.jsonl"
        path.write_bytes(mutate(data, variant))
        what = f"import {source} {variant}"
        result = self.attempt(valid, what, lambda: import_file(self.app, path))
        if result is not None:
            log, new = result
            expected_new = sum(1 for e in log.events) if incoming else 0
            assert new == expected_new
            if incoming:
                catalog_new = self.events == 0
                for held in incoming:
                    copy = Held(held.id, held.name, held.cash, held.clock, dict(held.shares))
                    self.model[held.name.casefold()] = copy
                self.side_imported = True
                self.recorded(new + len(incoming) + catalog_new)

    @invariant()
    def count_steps(self) -> None:
        FIGURES.steps += 1

    def teardown(self) -> None:
        try:
            replay = Portfolios(StoreConfig.sqlite(self.folder / "events.sqlite"))
            try:
                for held in self.model.values():
                    self.same(held, replay)
                assert replay.event_count() == self.events
                assert check_store(replay, market())[1] == []
            finally:
                replay.close()
            FIGURES.replays_equal += 1
        finally:
            self.app.close()
            shutil.rmtree(self.folder, ignore_errors=True)


STEPS_PER_RUN = 250


def run_steps(minimum: int) -> Figures:
    """Run the machine until at least `minimum` steps were taken; return the totals."""
    global FIGURES
    FIGURES = figures = Figures()
    while figures.steps - figures.runs < minimum:
        runs = max(1, (minimum - (figures.steps - figures.runs)) // STEPS_PER_RUN + 1)
        run_state_machine_as_test(
            BadInputMachine,
            settings=settings(
                max_examples=runs,
                stateful_step_count=STEPS_PER_RUN,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    return figures
