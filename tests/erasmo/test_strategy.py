"""Strategies on bars written by hand (hand_market.HandMarket): orders fill exactly as the same
orders placed by hand, the future cannot be read, and a failing strategy records nothing."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hand_market import HandMarket

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.strategy import LookAheadError, Param, Strategy, StrategyError, StrategyParameterError
from erasmo.strategy.runner import StrategyFailedError, run_backtest, spec_from_file

D0, D1, D2, D3, D4, D5 = (date(2020, 1, d) for d in (2, 3, 6, 7, 8, 9))
BARS = """
XYZ 2020-01-02 100 101 99 100
XYZ 2020-01-03 98 99 95 96
XYZ 2020-01-06 97 103 96 102
XYZ 2020-01-07 105 106 104 105
XYZ 2020-01-08 104 104.5 90 91
XYZ 2020-01-09 91 92 89 90
CLO 2020-01-02 50
CLO 2020-01-03 48
CLO 2020-01-06 52
CLO 2020-01-07 47
CLO 2020-01-08 47
CLO 2020-01-09 46
"""
TODAY = date(2026, 11, 26)

#: On D0 a limit buy of XYZ at 97 (good till cancelled) and a market buy of CLO; on D2 a
#: stop sell of the XYZ at 100.
HAND_ORDERS = """
from datetime import date
from erasmo.strategy import Strategy

class Hand(Strategy):
    def on_bar(self, ctx):
        if ctx.day == date(2020, 1, 2):
            ctx.buy("XYZ", 10, kind="limit", limit="97", tif="gtc")
            ctx.buy("CLO", 5)
        if ctx.day == date(2020, 1, 6):
            ctx.sell("XYZ", ctx.position("XYZ"), kind="stop", stop="100", tif="gtc")
"""


def make(directory: Path) -> Erasmo:
    return bootstrap(directory, market=HandMarket(BARS), today=lambda: TODAY)


@pytest.fixture
def erasmo(tmp_path: Path) -> Iterator[Erasmo]:
    built = make(tmp_path / "data")
    yield built
    built.close()


def write(tmp_path: Path, source: str, name: str = "hand.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def backtest(erasmo: Erasmo, path: Path, cls: str, **params: str) -> Any:
    spec = spec_from_file(path, cls, params, cash="10000", start=D0, end=D5)
    return run_backtest(erasmo.door, spec)


def trades(erasmo: Erasmo, portfolio_id: Any) -> list[tuple[str, date, dict[str, Any]]]:
    """The events of the orders and trades (the clock's steps and order ids left out)."""
    return [
        (e.type, e.on, {k: v for k, v in e.fields.items() if k != "order_id"})
        for e in erasmo.door.history(portfolio_id)
        if e.type not in ("ClockAdvanced", "StrategyStarted")
    ]


def test_a_strategys_orders_fill_exactly_as_by_hand(tmp_path: Path, erasmo: Erasmo) -> None:
    result = backtest(erasmo, write(tmp_path, HAND_ORDERS), "Hand")
    by_hand = make(tmp_path / "by-hand")
    try:
        door = by_hand.door
        pid = door.open_portfolio("Hand", "10000", D0, mode="simulation").id
        door.place_order(pid, "buy", "XYZ", "10", "limit", limit="97", tif="gtc")
        door.place_order(pid, "buy", "CLO", "5")
        door.advance(pid, to=D2)
        door.place_order(pid, "sell", "XYZ", "10", "stop", stop="100", tif="gtc")
        door.advance(pid, to=D5)
        assert trades(erasmo, result.portfolio_id) == trades(by_hand, pid)
    finally:
        by_hand.close()
    head = erasmo.door.head(result.portfolio_id)
    # XYZ limit 97 fills on D1 (low 95, open 98) at 97; CLO (closes only) at D1's close 48;
    # the stop at 100 is not touched on D3 (low 104) and fills on D4 (low 90) at min(100, 104).
    assert head.cash == Decimal(10000) - 10 * 97 - 5 * 48 + 10 * 100
    assert {p.ticker: p.quantity for p in head.positions if p.quantity} == {"CLO": 5}
    assert head.clock == D5
    # CLO is valued at D5's close, 46
    assert result.final_value == str(Decimal(9790) + 5 * 46) + ".00"


def test_history_ends_at_the_clock_and_the_future_is_refused(
    tmp_path: Path, erasmo: Erasmo
) -> None:
    source = """
    from datetime import date
    from erasmo.strategy import Strategy

    class Peek(Strategy):
        seen = []

        def on_bar(self, ctx):
            closes = ctx.history("XYZ", "close", 3)
            Peek.seen.append((ctx.day, list(closes.index.date), list(closes)))
            if ctx.day == date(2020, 1, 3):
                ctx.history("XYZ", "close", 3, end=date(2020, 1, 6))
    """
    before = erasmo.door.event_count()
    with pytest.raises(StrategyFailedError, match="LookAheadError") as failed:
        backtest(erasmo, write(tmp_path, source), "Peek")
    assert isinstance(failed.value.cause, LookAheadError)
    assert "hand.py line 12" in str(failed.value)
    assert erasmo.door.event_count() == before
    assert erasmo.door.portfolios() == []


def test_the_context_shows_only_bars_up_to_its_day(tmp_path: Path, erasmo: Erasmo) -> None:
    source = """
    from erasmo.strategy import Strategy

    class Look(Strategy):
        def on_bar(self, ctx):
            frame = ctx.history("XYZ", ["open", "close"], 3)
            assert frame.index[-1].date() == ctx.day, (frame, ctx.day)
            ctx.note(f"{len(frame)} {frame['close'].iloc[-1]}")
    """
    result = backtest(erasmo, write(tmp_path, source), "Look")
    # one bar on D0, two on D1, then three (n=3); each day's last close is that day's
    assert result.notes == [
        (D0, "1 100.0"),
        (D1, "2 96.0"),
        (D2, "3 102.0"),
        (D3, "3 105.0"),
        (D4, "3 91.0"),
        (D5, "3 90.0"),
    ]


def test_an_exception_records_nothing_and_names_the_line(tmp_path: Path, erasmo: Erasmo) -> None:
    source = """
    from datetime import date
    from erasmo.strategy import Strategy

    class Boom(Strategy):
        def on_bar(self, ctx):
            ctx.buy("XYZ", 10)
            if ctx.day == date(2020, 1, 7):
                1 / 0
    """
    erasmo.door.open_portfolio("Other", "100", D0, mode="simulation")
    before = erasmo.door.event_count()
    with pytest.raises(StrategyFailedError) as failed:
        backtest(erasmo, write(tmp_path, source, "boom.py"), "Boom")
    message = str(failed.value)
    assert "boom.py line 9" in message
    assert "ZeroDivisionError" in message
    assert "2020-01-07" in message
    assert "Nothing was recorded" in message
    assert erasmo.door.event_count() == before
    assert [p.name for p in erasmo.door.portfolios()] == ["Other"]


def test_parameters_are_typed_and_checked(tmp_path: Path, erasmo: Erasmo) -> None:
    class Sized(Strategy):
        params = (Param("n", int, 5, low=1), Param("w", Decimal, Decimal("0.5")))

    assert Sized.read_params({"n": "7"}) == {"n": 7, "w": Decimal("0.5")}
    assert Sized(n=3).n == 3  # type: ignore[attr-defined]
    with pytest.raises(StrategyParameterError, match="takes a whole number"):
        Sized.read_params({"n": "seven"})
    with pytest.raises(StrategyParameterError, match="outside its range"):
        Sized.read_params({"n": "0"})
    with pytest.raises(StrategyParameterError, match="no parameter x"):
        Sized.read_params({"x": "1"})
    with pytest.raises(StrategyError, match="no Strategy class 'Nope'"):
        backtest(erasmo, write(tmp_path, HAND_ORDERS), "Nope")
    assert erasmo.door.event_count() == 0


def test_a_taken_name_is_refused_before_running(tmp_path: Path, erasmo: Erasmo) -> None:
    erasmo.door.open_portfolio("Hand", "100", D0, mode="simulation")
    before = erasmo.door.event_count()
    with pytest.raises(StrategyError, match="already named 'Hand'"):
        backtest(erasmo, write(tmp_path, HAND_ORDERS), "Hand")
    assert erasmo.door.event_count() == before


def test_target_quantity_and_weight(tmp_path: Path, erasmo: Erasmo) -> None:
    source = """
    from datetime import date
    from erasmo.strategy import Strategy

    class Target(Strategy):
        def on_bar(self, ctx):
            if ctx.day == date(2020, 1, 2):
                ctx.target_weight("CLO", "0.5")
            if ctx.day == date(2020, 1, 6):
                ctx.target_quantity("CLO", 40)
    """
    result = backtest(erasmo, write(tmp_path, source), "Target")
    fills = [
        (t, on, f["quantity"], f["price"])
        for t, on, f in trades(erasmo, result.portfolio_id)
        if t in ("SharesBought", "SharesSold")
    ]
    # D0: value 10000, half is 5000, at CLO's close 50 that is 100 shares, filled on D1 at 48;
    # D2: from 100 down to 40 shares: sell 60, filled on D3 at 47.
    assert fills == [
        ("SharesBought", D1, Decimal(100), Decimal(48)),
        ("SharesSold", D3, Decimal(60), Decimal(47)),
    ]


def test_affordable_counts_the_commission(tmp_path: Path, erasmo: Erasmo) -> None:
    source = """
    from erasmo.strategy import Strategy

    class Count(Strategy):
        def on_start(self, ctx):
            ctx.note(str(ctx.affordable("CLO")))
    """
    path = write(tmp_path, source)
    spec = spec_from_file(path, "Count", {}, cash="10000", start=D0, end=D1, commission="1%")
    result = run_backtest(erasmo.door, spec)
    # each share costs 50 (D0's close) plus 1% of it: 198 x 50.50 = 9,999 fits, 199 does not
    assert result.notes == [(D0, "198")]
