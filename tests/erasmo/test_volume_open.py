"""A volume cap chosen when a portfolio is opened (`portfolio open --max-volume-pct`): recorded
with the opening, capping the first order's fills on the bundled IBM bars' real volume; a bad
cap is refused before anything is recorded. Figures worked out by hand in the comments."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runner import Run

from erasmo.bootstrap import bootstrap
from erasmo.market.bundled import BundledMarketData
from events.errors import VolumeDataError

D = Decimal


def test_open_with_a_volume_cap_and_fill_in_parts(run: Run) -> None:
    # The bundled IBM bars (bokeh): 2000-03-02 open 100.50, volume 11,192,900.
    (bar,) = BundledMarketData().bars("IBM", date(2000, 3, 2), date(2000, 3, 2))
    assert (bar.open, bar.volume) == (D("100.5"), 11192900)
    code, out, _ = run(
        "portfolio", "open", "V", "--cash", "100000", "--on", "2000-03-01",
        "--mode", "simulation", "--max-volume-pct", "0.001",
    )  # fmt: skip
    assert code == 0
    assert "Fills capped at 0.001% of a bar's volume." in out
    code, out, _ = run("clock", "V", "--json")
    assert json.loads(out)["max_volume_pct"] == "0.001"
    assert run("order", "V", "buy", "IBM", "200", "--tif", "gtc")[0] == 0
    code, out, _ = run("advance", "V")
    # at most 0.001% of 11,192,900 = 111.929 -> 111 shares at the open 100.50
    assert code == 0
    # 111 x 100.50 = 11,155.50, no commission: cash 100,000 - 11,155.50 = 88,844.50
    assert "buy 111 IBM market gtc: part filled 2000-03-02 at 100.5" in out
    assert "1 open orders, cash 88,844.50" in out
    code, out, _ = run("orders", "V")
    assert "open, 111 filled in parts" in out


def test_a_cap_is_off_by_default_and_off_records_nothing(run: Run) -> None:
    assert run("portfolio", "open", "A", "--on", "2000-03-01", "--mode", "simulation")[0] == 0
    assert run("portfolio", "open", "B", "--on", "2000-03-01", "--max-volume-pct", "off")[0] == 0
    for name in ("A", "B"):
        code, out, _ = run("clock", name, "--json")
        assert code == 0
        assert "max_volume_pct" not in json.loads(out)
        code, out, _ = run("history", name, "--json")
        assert code == 0
        assert "PortfolioOpened" in out
        assert "VolumeCapSet" not in out


@pytest.mark.parametrize("cap", ["0", "101", "ten", "-5"])
def test_a_bad_cap_opens_nothing(run: Run, cap: str) -> None:
    code, _, err = run("portfolio", "open", "V", "--cash", "10", "--max-volume-pct", cap)
    assert code != 0
    assert "is not a percentage above 0 and at most 100" in err
    code, out, _ = run("portfolio", "list", "--json")
    assert json.loads(out) == []


def test_the_door_opens_with_a_cap_in_a_dry_run_and_for_real(tmp_path: Path) -> None:
    built = bootstrap(tmp_path / "data", market=BundledMarketData(), today=lambda: date(2014, 1, 2))
    try:
        door = built.door
        dry = door.open_portfolio(
            "V", "1000", date(2000, 3, 1), mode="simulation", max_volume_pct="5", dry_run=True
        )
        assert dry.rules.max_volume_pct == D("5")
        assert door.portfolios() == []
        head = door.open_portfolio("V", "1000", date(2000, 3, 1), max_volume_pct="2.5%")
        assert door.rules(head.id).max_volume_pct == D("2.5")
        assert [e.type for e in door.history(head.id)][-1] == "VolumeCapSet"
        with pytest.raises(VolumeDataError):
            door.open_portfolio("W", "1000", max_volume_pct="200")
        assert [r.name for r in door.portfolios()] == ["V"]
    finally:
        built.close()
