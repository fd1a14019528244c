"""The notebook API (`erasmo.open`) and its example, docs/notebook.py: its figures are the
command line's, it is read-only unless asked, and `import erasmo` stays cheap."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from cli_runner import Run

import erasmo
from erasmo.notebook import ReadOnlyBookError

EXAMPLE = Path(__file__).parent.parent.parent / "docs" / "notebook.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("erasmo_notebook_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_runs_and_its_figures_are_the_command_lines(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = _example()
    example.example_book(tmp_path / "data")
    figures = example.main(tmp_path / "data")
    capsys.readouterr()

    code, out, err = run("holdings", "Tech", "--json")
    assert code == 0, err
    held = json.loads(out)
    assert figures["quantities"] == {p["ticker"]: float(p["quantity"]) for p in held["positions"]}
    values = figures["market_value"]
    assert isinstance(values, dict)
    assert {t: round(v, 2) for t, v in values.items()} == {
        p["ticker"]: float(p["market_value"]) for p in held["positions"]
    }
    assert figures["cash"] == float(held["cash"]) == 8002.50
    assert round(figures["total"], 2) == float(held["total_value"])  # type: ignore[call-overload]

    code, out, err = run(
        "performance", "Tech", "--from", "2012-03-01", "--to", "2012-12-31", "--json"
    )
    assert code == 0, err
    perf = json.loads(out)
    assert round(figures["ttwror"], 6) == float(perf["ttwror"])  # type: ignore[call-overload]
    assert round(figures["irr"], 6) == float(perf["irr"])  # type: ignore[call-overload]
    assert round(figures["end_value"], 2) == float(perf["end_value"])  # type: ignore[call-overload]


def test_tables_have_their_documented_dtypes(tmp_path: Path) -> None:
    _example().example_book(tmp_path / "data")
    with erasmo.open(tmp_path / "data") as book:
        listed = book.portfolios()
        assert listed["cash"].dtype == "float64"
        assert str(listed["clock"].dtype) == "datetime64[ns]"
        tech = book.portfolio("Tech")
        trades = tech.trades()
        assert list(trades.columns) == [
            "date", "kind", "ticker", "quantity", "price", "value", "fee", "cash", "source"
        ]  # fmt: skip
        assert trades["cash"].dtype == "float64"
        assert str(trades["kind"].dtype) == "string"
        holdings = tech.holdings(as_of="2012-03-13")
        # on 2012-03-13: 40 IBM bought, 10 sold; 10 GOOG
        assert holdings["quantity"].to_dict() == {"GOOG": 10.0, "IBM": 30.0}
        assert holdings["stale"].dtype == bool
        value = tech.value()
        assert isinstance(value.index, pd.DatetimeIndex)
        assert value.loc["2012-03-01", "deposits"] == 20000.0
        history = tech.history()
        assert list(history["type"])[:2] == ["PortfolioOpened", "CashDeposited"]


def test_a_book_is_read_only_unless_asked(tmp_path: Path) -> None:
    _example().example_book(tmp_path / "data")
    with (
        erasmo.open(tmp_path / "data") as book,
        pytest.raises(ReadOnlyBookError, match="writable=True"),
    ):
        book.door  # noqa: B018


def test_import_erasmo_and_a_buy_import_no_pandas(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "import erasmo\n"
        "assert callable(erasmo.open)\n"
        "print('pandas' in sys.modules)\n"
        "from erasmo.cli.main import main\n"
        f"data = {str(tmp_path / 'data')!r}\n"
        "for args in (['portfolio', 'open', 'A', '--on', '2012-03-01'],\n"
        "             ['deposit', 'A', '1000', '--on', '2012-03-01'],\n"
        "             ['buy', 'A', 'IBM', '1', '--on', '2012-03-01']):\n"
        "    sys.argv = ['erasmo', '--data-dir', data, '--offline', *args]\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as exit:\n"
        "        assert exit.code in (0, None), exit.code\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.splitlines()[0] == "False"
    assert done.stdout.splitlines()[-1] == "False"


def test_an_open_book_sees_what_is_recorded_after_its_first_read(tmp_path: Path) -> None:
    """A notebook stays open while trades go on (in the book itself, or another process)."""
    with erasmo.open(tmp_path / "data", writable=True) as book:
        pid = book.door.open_portfolio("Live", "10000", "2015-03-02").id
        live = book.portfolio("Live")
        assert live.holdings().empty
        book.door.buy(pid, "AAPL", "10", on="2015-03-02", price="29.08")
        assert live.holdings()["quantity"].to_dict() == {"AAPL": 10.0}
        book.door.deposit(pid, "500", on="2015-03-03")
        deposits = live.value()["deposits"]  # each day's deposits
        assert (deposits.loc["2015-03-02"], deposits.loc["2015-03-03"]) == (10000.0, 500.0)
