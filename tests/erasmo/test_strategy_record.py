"""What a backtest records of its strategy, as events of its portfolio: StrategyStarted right
after the opening (what a rerun needs, carried by export and import), StrategyStopped when a
failing run is kept up to its last complete day (--keep-partial); a backtest beside a
benchmark; and a rerun of a backtest recorded before those events existed."""

from __future__ import annotations

import hashlib
import json
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runner import Run, cli_runner
from test_strategy import D0, D1, D5, backtest, make, write

from erasmo.bootstrap import Erasmo
from erasmo.market.bundled import BundledMarketData
from erasmo.strategy.rerun import compare_logs
from erasmo.strategy.runner import (
    StrategyFailedError,
    record_path,
    recorded_spec,
    replay_in_scratch,
    run_backtest,
    spec_from_file,
)

EXAMPLES = Path(__file__).parents[2] / "examples" / "strategies"

#: Buys 10 XYZ on D0, then divides by zero on D2 (line 9 of the file as written).
FAILS_ON_D2 = """
from datetime import date
from erasmo.strategy import Param, Strategy

class Fails(Strategy):
    params = (Param("n", int, 10),)
    def on_bar(self, ctx):
        if ctx.day == date(2020, 1, 6):
            return 1 / 0
        if ctx.day == date(2020, 1, 2):
            ctx.buy("XYZ", self.n)
"""


def test_the_start_is_the_event_after_the_opening(tmp_path: Path, erasmo: Erasmo) -> None:
    path = write(tmp_path, FAILS_ON_D2.replace("1 / 0", "None"), "buys.py")
    result = backtest(erasmo, path, "Fails", n="7")
    events = erasmo.door.history(result.portfolio_id)
    assert [e.type for e in events[:5]] == [
        *("PortfolioOpened", "CashDeposited", "TradingRulesSet", "StrategyStarted"),
        "OrderPlaced",
    ]
    started = events[3]
    source = path.read_text(encoding="utf-8")
    assert started.on == D0
    assert started.fields == {
        "file_name": str(path),
        "sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(),
        "source": source,
        "class_name": "Fails",
        "params": '{"n":"7"}',
        "erasmo_version": __import__("erasmo").__version__,
        "data_sources": "hand",
        "start": D0,
        "end": D5,
        "cash": Decimal("10000"),
        "commission": "0",
        "slippage_bps": Decimal("0"),
    }
    # nothing is kept beside the store any more: the log holds it all
    assert not record_path(erasmo.data_dir, result.portfolio_id).exists()
    record = erasmo.door.strategy(result.portfolio_id)
    assert record is not None
    assert record.params == {"n": "7"}
    assert record.stopped is None


@pytest.fixture
def erasmo(tmp_path: Path) -> Erasmo:
    built = make(tmp_path / "data")
    yield built  # type: ignore[misc]
    built.close()


def test_a_failing_run_is_kept_up_to_the_day_before_with_keep_partial(
    tmp_path: Path, erasmo: Erasmo
) -> None:
    path = write(tmp_path, FAILS_ON_D2, "fails.py")
    spec = spec_from_file(path, "Fails", {}, cash="10000", start=D0, end=D5)
    with pytest.raises(StrategyFailedError, match=r"fails.py line 9\).*--keep-partial"):
        run_backtest(erasmo.door, spec)
    assert erasmo.door.portfolios() == []  # nothing recorded without the flag
    result = run_backtest(erasmo.door, spec, keep_partial=True)
    assert result.stopped == (
        "ZeroDivisionError: division by zero in on_bar on 2020-01-06 (line 9)"
    )
    events = erasmo.door.history(result.portfolio_id)
    # the buy placed on D0 filled at D1's open (98 by BARS); the clock stops at D1
    assert [(e.type, e.on) for e in events[4:]] == [
        ("OrderPlaced", D0),
        ("OrderFilled", D1),
        ("SharesBought", D1),
        ("ClockAdvanced", D1),
        ("StrategyStopped", D1),
    ]
    assert events[-1].fields == {
        "reason": "ZeroDivisionError: division by zero in on_bar on 2020-01-06",
        "line": 9,
    }
    head = erasmo.door.head(result.portfolio_id)
    assert head.clock == D1
    assert head.cash == Decimal("10000") - 10 * Decimal("98")
    record = erasmo.door.strategy(result.portfolio_id)
    assert record is not None
    assert (record.stopped_line, record.stopped_on) == (9, D1)


def test_rerun_reads_the_log_after_export_and_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli_runner(tmp_path / "first", capsys, monkeypatch)
    path = EXAMPLES / "sma_cross.py"
    code, _, err = run(
        *("--offline", "backtest", str(path), "Cross", "--cash", "50000"),
        *("--from", "2008-01-02", "--to", "2010-12-31", "--param", "fast=10"),
        *("--param", "slow=40", "--keep-partial"),
    )
    assert code == 0, err
    log = tmp_path / "cross.jsonl"
    assert run("--offline", "export", "Cross", "-o", str(log))[0] == 0
    again = cli_runner(tmp_path / "second", capsys, monkeypatch)
    code, _, err = again("--offline", "import", str(log))
    assert code == 0, err
    assert not (tmp_path / "second" / "strategies").exists()
    code, out, err = again("--offline", "rerun", "Cross", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"portfolio": "Cross", "identical": True, "difference": None}


def test_a_stopped_run_reruns_identically(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "stops.py"
    path.write_text(
        textwrap.dedent(
            """
            from datetime import date
            from erasmo.strategy import Strategy

            class Stops(Strategy):
                def on_bar(self, ctx):
                    if ctx.day == date(2010, 3, 1):
                        raise ValueError("no March")
                    if not ctx.positions and not ctx.open_orders:
                        ctx.buy("MSFT", 10)
            """
        ),
        encoding="utf-8",
    )
    code, out, err = run(
        *("--offline", "backtest", str(path), "Stops", "--cash", "10000"),
        *("--from", "2010-01-04", "--to", "2010-06-30", "--keep-partial", "--json"),
    )
    assert code == 0, err
    assert json.loads(out)["stopped"] == "ValueError: no March in on_bar on 2010-03-01 (line 8)"
    code, out, err = run("--offline", "rerun", "Stops")
    assert (code, err) == (0, ""), out
    assert "identical" in out


def test_a_backtest_recorded_before_the_start_event_reruns_from_its_record(
    tmp_path: Path, erasmo: Erasmo
) -> None:
    path = write(tmp_path, FAILS_ON_D2.replace("1 / 0", "None"), "old.py")
    # what an older erasmo recorded: the run without StrategyStarted, its record beside it
    door = erasmo.door
    pid = door.open_portfolio("Old", "10000", D0, mode="simulation", commission="0").id
    door.place_order(pid, "buy", "XYZ", "10")
    door.advance(pid, to=D5)
    record = {
        "file_name": str(path),
        "source": path.read_text(encoding="utf-8"),
        "class_name": "Fails",
        "params": {"n": 10},
        "cash": "10000",
        "start": D0.isoformat(),
        "end": D5.isoformat(),
        "commission": "0",
        "slippage_bps": "0",
        "name": "Old",
    }
    target = record_path(erasmo.data_dir, pid)
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(record), encoding="utf-8")
    spec, stopped = recorded_spec(door, pid, "Old")
    assert (spec.class_name, spec.params, stopped) == ("Fails", {"n": 10}, False)
    recorded, again = tmp_path / "recorded.jsonl", tmp_path / "again.jsonl"
    door.export_log(recorded, [pid])
    replay_in_scratch(door, spec, "Old", again)
    assert compare_logs(recorded, again) is None


def test_metrics_beside_a_benchmark(run: Run) -> None:
    code, out, err = run(
        *("--offline", "backtest", str(EXAMPLES / "buy_and_hold.py"), "BuyAndHold"),
        *("--cash", "100000", "--from", "2010-01-04", "--to", "2010-12-31"),
        *("--benchmark", "^GSPC", "--json"),
    )
    assert code == 0, err
    figures = json.loads(out)["benchmark"]
    market = BundledMarketData()
    # the index's return over the run: its close at the end over its close at the start (the
    # last closes on or before those days)
    first, last = (
        market.bars("^GSPC", None, date.fromisoformat(figures[k]))[-1] for k in ("start", "end")
    )
    assert figures["benchmark_ttwror"] == pytest.approx(float(last.close / first.close - 1))
    assert figures["excess_return"] == pytest.approx(
        figures["ttwror"] - figures["benchmark_ttwror"]
    )


def test_an_unknown_benchmark_records_nothing(run: Run) -> None:
    code, _, err = run(
        *("--offline", "backtest", str(EXAMPLES / "buy_and_hold.py"), "BuyAndHold"),
        *("--cash", "100000", "--from", "2010-01-04", "--to", "2010-12-31"),
        *("--benchmark", "NOSUCH"),
    )
    assert code == 1
    assert "NOSUCH" in err
    code, out, _ = run("--offline", "portfolio", "list", "--json")
    assert code == 0
    assert "BuyAndHold" not in out
