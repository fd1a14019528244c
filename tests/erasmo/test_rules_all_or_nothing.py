"""`erasmo portfolio rules` and `door.change_rules`: a change of the trading rules, the volume
cap and the account together is one save, or nothing when any part is refused (a margin account
holding a short cannot become a cash account, whatever else the command changes); a refused
command prints nothing but its error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from cli_runner import Run
from hand_market import HandMarket

from erasmo.bootstrap import Erasmo, bootstrap
from events.errors import InvalidInputError

BARS = "XYZ 2020-01-02 100 101 99 100\nXYZ 2020-01-03 98 99 95 96\n"
SHORT = "cannot become a cash account while short"


@pytest.fixture
def built(tmp_path: Path) -> Iterator[Erasmo]:
    made = bootstrap(tmp_path / "data", market=HandMarket(BARS, []), today=lambda: date(2026, 1, 5))
    yield made
    made.close()


def _short(built: Erasmo) -> UUID:
    """A simulated margin account short 5 XYZ at 100 (cash 1000 + 500)."""
    door = built.door
    a = door.open_portfolio("M1", "1000", date(2020, 1, 2), mode="simulation", account="margin").id
    door.sell(a, "XYZ", "5")
    assert door.head(a).cash == Decimal("1500")
    assert door.head(a).quantity("XYZ") == Decimal(-5)
    return a


@pytest.mark.parametrize(
    "change",
    [
        {"max_volume_pct": "5"},
        {"commission": "1.00"},
        {"mode": "simulation", "slippage_bps": "10", "max_volume_pct": "5"},
    ],
)
def test_the_door_records_nothing_when_the_account_change_is_refused(
    built: Erasmo, change: dict[str, str]
) -> None:
    door = built.door
    a = _short(built)
    count, rules = door.event_count(), door.rules(a)
    for dry_run in (True, False):
        with pytest.raises(InvalidInputError, match=SHORT):
            door.change_rules(a, account="cash", dry_run=dry_run, **change)  # type: ignore[arg-type]
        assert door.event_count() == count
    assert door.rules(a) == rules
    assert door.account(a).account == "margin"


def test_the_door_changes_rules_cap_and_account_in_one_save(built: Erasmo) -> None:
    door = built.door
    a = door.open_portfolio("C1", "1000", date(2020, 1, 2), mode="simulation").id
    count = door.event_count()
    rules, account = door.change_rules(
        a, commission="1.00", max_volume_pct="5", account="margin", dry_run=True
    )
    assert door.event_count() == count
    assert (rules.max_volume_pct, account.account) == (Decimal(5), "margin")
    assert door.account(a).account == "cash"
    rules, account = door.change_rules(
        a, commission="1.00", max_volume_pct="5", account="margin", margin={"borrow_fee": "2%"}
    )
    # TradingRulesSet, VolumeCapSet, AccountTypeSet
    assert door.event_count() == count + 3
    assert (rules.max_volume_pct, account.account) == (Decimal(5), "margin")
    assert account.borrow_fee == Decimal("0.02")
    assert door.rules(a).max_volume_pct == Decimal(5)
    assert door.account(a).account == "margin"


def _events(run: Run) -> int:
    code, out, err = run("history", "M1", "--json")
    assert code == 0, err
    return out.count('"seq"')


@pytest.mark.parametrize(
    "change", [("--max-volume-pct", "5"), ("--commission", "1.00"), ("--slippage-bps", "7")]
)
def test_the_cli_records_and_prints_nothing_on_a_refused_change(
    run: Run, change: tuple[str, str]
) -> None:
    opened = ("portfolio", "open", "M1", "--cash", "10000", "--on", "2010-03-01")
    assert run(*opened, "--mode", "simulation", "--account", "margin")[0] == 0
    code, _, err = run("sell", "M1", "IBM", "5")
    assert code == 0, err
    count = _events(run)
    code, before, _ = run("portfolio", "rules", "M1")
    assert code == 0
    code, out, err = run("portfolio", "rules", "M1", "--account", "cash", *change)
    assert code == 1
    assert out == ""  # not the current rules first
    assert SHORT in err
    assert _events(run) == count
    assert run("portfolio", "rules", "M1")[1] == before
