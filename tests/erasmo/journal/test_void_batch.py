"""Several voids in one command (`erasmo void NAME SEQ SEQ ... --reason TEXT`, `door.void(id,
[seq, ...])`): all recorded in one save or none; a refusal names the event and records nothing;
an order placed with --note carries it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_runner import Run

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.door.journal import UnknownEventError
from events.rules.voids import VoidError

BARS = "XYZ 2020-01-02 100 101 99 100\nXYZ 2020-01-03 98 99 95 96\nXYZ 2020-01-06 97 99 96 98\n"


@pytest.fixture
def built(tmp_path: Path) -> Iterator[Erasmo]:
    from hand_market import HandMarket

    made = bootstrap(tmp_path / "data", market=HandMarket(BARS, []), today=lambda: date(2026, 1, 5))
    yield made
    made.close()


def _trades(built: Erasmo) -> tuple[Any, dict[str, int]]:
    """A portfolio: open 1000; buy 2 XYZ at 100 fee 1; deposit 300; sell 2 XYZ at 96 fee 1;
    buy 3 XYZ at 96. Its log positions by step."""
    door = built.door
    a = door.open_portfolio("A", "1000", date(2020, 1, 2)).id
    door.buy(a, "XYZ", "2", date(2020, 1, 2), fee="1")  # cash 1000 - 200 - 1 = 799
    door.deposit(a, "300", date(2020, 1, 3))  # 1099
    door.sell(a, "XYZ", "2", date(2020, 1, 3), fee="1")  # 1099 + 192 - 1 = 1290
    door.buy(a, "XYZ", "3", date(2020, 1, 3))  # 1290 - 288 = 1002
    seqs = [e.seq for e in door.history(a)]
    return a, {"buy": seqs[-4], "deposit": seqs[-3], "sell": seqs[-2], "buy2": seqs[-1]}


def test_a_buy_and_its_sale_voided_together(built: Erasmo) -> None:
    door = built.door
    a, at = _trades(built)
    assert door.head(a).cash == Decimal("1002")
    count = door.event_count()
    dry = door.void(a, [at["buy"], at["sell"]], "never traded", dry_run=True)
    assert door.event_count() == count
    receipt = door.void(a, [at["buy"], at["sell"]], "never traded")
    assert receipt == dry
    assert [e.seq for e in receipt.events] == [at["buy"], at["sell"]]
    assert [e.type for e in receipt.events] == ["SharesBought", "SharesSold"]
    assert door.event_count() == count + 2  # one void each, in one save
    # by hand: 1000 + 300 - 3 x 96 = 1012, holding the second buy's 3 XYZ
    assert receipt.cash == Decimal("1012")
    head = door.head(a)
    assert head.cash == Decimal("1012")
    assert [(p.ticker, p.quantity) for p in head.positions] == [("XYZ", Decimal(3))]
    built.analytics.refresh()
    shot = door.holdings(a)
    assert float(shot.summary.cash) == 1012.0
    assert shot.positions["quantity"].tolist() == [3.0]
    # the log re-made by the rules agrees (what an import or a sync does)
    assert built.door.app.audit(a) == []
    assert door.last_voidable(a) is not None
    assert door.last_voidable(a).seq == at["buy2"]  # type: ignore[union-attr]


def test_three_voids_at_once_then_the_last_voidable_moves_back(built: Erasmo) -> None:
    door = built.door
    a, at = _trades(built)
    door.void(a, [at["buy2"], at["deposit"], at["sell"]], "wrong day")
    # by hand: 1000 - 2 x 100 - 1 = 799, holding the first buy's 2 XYZ
    head = door.head(a)
    assert head.cash == Decimal("799")
    assert [(p.ticker, p.quantity) for p in head.positions] == [("XYZ", Decimal(2))]
    found = door.last_voidable(a)
    assert found is not None
    assert found.seq == at["buy"]


def test_one_bad_event_among_several_records_nothing(built: Erasmo) -> None:
    door = built.door
    a, at = _trades(built)
    before = door.history(a)

    def unchanged() -> None:
        assert door.history(a) == before
        assert door.head(a).cash == Decimal("1002")

    with pytest.raises(UnknownEventError, match="Log position 999 is not an event of 'A'"):
        door.void(a, [at["deposit"], 999], "typo")
    unchanged()
    with pytest.raises(VoidError, match=f"Log position {at['deposit']} is given twice"):
        door.void(a, [at["deposit"], at["deposit"]], "typo")
    unchanged()
    opened = before[0].seq
    with pytest.raises(VoidError, match=f"Log position {opened} \\(PortfolioOpened\\) cannot"):
        door.void(a, [at["deposit"], opened], "typo")
    unchanged()
    blocked = (
        f"Voiding the buy of 2 XYZ \\(log position {at['buy']}\\) leaves log position "
        f"{at['sell']} \\(SharesSold\\)"
    )
    with pytest.raises(VoidError, match=blocked):
        door.void(a, [at["deposit"], at["buy"]], "typo")
    unchanged()
    door.void(a, [at["deposit"]], "entered twice")
    after = door.history(a)
    with pytest.raises(VoidError, match=f"Log position {at['deposit']} is already voided"):
        door.void(a, [at["buy2"], at["deposit"]], "again")
    assert door.history(a) == after


# -- the command line ---------------------------------------------------------------------

OPEN = ("portfolio", "open", "Practice", "--cash", "10000", "--on", "2010-03-01")
AT = ("--on", "2010-03-01", "--price", "128.57")


def _history(run: Run) -> list[dict[str, Any]]:
    code, out, err = run("history", "Practice", "--json")
    assert code == 0, err
    found: list[dict[str, Any]] = json.loads(out)
    return found


def _cash(run: Run) -> Decimal:
    code, out, err = run("holdings", "Practice", "--json")
    assert code == 0, err
    return Decimal(json.loads(out)["cash"])


def test_the_cli_voids_several_events_in_one_command(run: Run) -> None:
    assert run(*OPEN)[0] == 0
    assert run("buy", "Practice", "IBM", "30", *AT, "--fee", "5")[0] == 0
    assert run("deposit", "Practice", "2500", "--on", "2010-03-01")[0] == 0
    assert run("sell", "Practice", "IBM", "10", *AT, "--fee", "2")[0] == 0
    # by hand: 10000 - 30 x 128.57 - 5 + 2500 + 10 x 128.57 - 2 = 9921.60
    assert _cash(run) == Decimal("9921.60")
    seqs = [e["seq"] for e in _history(run)]
    buy, deposit, sell = seqs[-3:]
    before = _history(run)
    code, out, err = run("void", "Practice", str(buy), str(sell), "--reason", "x", "--dry-run")
    assert (code, err) == (0, ""), err
    assert out.startswith("Would void 2 events of 'Practice':")
    assert _history(run) == before
    code, out, err = run("void", "Practice", str(buy), "999", "--reason", "typo")
    assert code != 0
    assert "Log position 999 is not an event of 'Practice'" in err
    assert _history(run) == before
    code, out, err = run("void", "Practice", str(sell), str(buy), "--reason", "never traded")
    assert (code, err) == (0, ""), err
    assert f"log position {sell}: SharesSold" in out
    assert f"log position {buy}: SharesBought" in out
    assert _cash(run) == Decimal("12500")  # 10000 + 2500: both trades and their fees gone
    code, out, err = run("holdings", "Practice", "--json")
    assert json.loads(out)["positions"] == []
    kinds = [e["type"] for e in _history(run)]
    assert kinds[-2:] == ["EventVoided", "EventVoided"]
    assert deposit in [e["seq"] for e in _history(run)]


def test_an_order_carries_its_note(run: Run) -> None:
    assert run(*OPEN, "--mode", "simulation")[0] == 0
    code, _, err = run(
        "order", "Practice", "buy", "IBM", "5", "--note", "breakout over 130", "--tag", "setup"
    )
    assert code == 0, err
    events = _history(run)
    placed, note = events[-2], events[-1]
    assert placed["type"] == "OrderPlaced"
    assert note["type"] == "NoteAdded"
    assert (note["text"], note["tags"]) == ("breakout over 130", "setup")
    assert (note["about"], note["about_seq"]) == (placed["version"], placed["seq"])
    code, _, err = run("order", "Practice", "buy", "IBM", "5", "--note", "x" * 2001)
    assert code != 0
    assert "at most 2000 characters" in err
    assert len(_history(run)) == len(events)  # the order refused with its note


def test_voids_are_checked_in_turn_as_a_replay_makes_them(built: Erasmo) -> None:
    """A buy and its sale, when a later withdrawal spent the sale's cash: each void is checked
    against the state the ones before it leave (as an import re-makes them), so the pair is
    refused, naming the withdrawal; with the withdrawal voided too, all three go."""
    door = built.door
    a = door.open_portfolio("B", "1000", date(2020, 1, 2)).id
    door.buy(a, "XYZ", "2", date(2020, 1, 2))  # 1000 - 200 = 800
    door.sell(a, "XYZ", "2", date(2020, 1, 3))  # 800 + 192 = 992
    door.withdraw(a, "900", date(2020, 1, 3))  # 92
    buy, sell, withdrawal = (e.seq for e in door.history(a)[-3:])
    count = door.event_count()
    refused = (
        f"Voiding the sale of 2 XYZ \\(log position {sell}\\) leaves log position "
        f"{withdrawal} \\(CashWithdrawn\\)"
    )
    with pytest.raises(VoidError, match=refused):
        door.void(a, [buy, sell], "never traded")
    assert door.event_count() == count
    receipt = door.void(a, [buy, sell, withdrawal], "never traded")
    assert receipt.cash == Decimal("1000")  # the opening deposit alone
    assert door.head(a).positions == ()
    assert built.door.app.audit(a) == []
