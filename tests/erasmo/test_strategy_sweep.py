"""`erasmo sweep`: a grid of the SMA-crossover example run on dask.distributed (a local cluster
of processes, or a scheduler and a worker started as separate processes) gives, set by set,
the figures of the same backtests run one by one; `--keep` records the best; a bad grid is one
line and records nothing."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_runner import Run, cli_runner

from erasmo.bootstrap import bootstrap

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "strategies" / "sma_cross.py")
PERIOD = ("--from", "2010-01-04", "--to", "2011-12-30")
GRID = ("--param", "fast=10:20:10", "--param", "slow=50,100")
SETS = [(10, 50), (10, 100), (20, 50), (20, 100)]
CASH = Decimal(100000)


def sweep(run: Run, *args: str) -> dict[str, Any]:
    code, out, err = run("--offline", "sweep", EXAMPLE, "Cross", *GRID, *PERIOD, *args, "--json")
    assert code == 0, err
    found: dict[str, Any] = json.loads(out)
    return found


def by_set(report: dict[str, Any]) -> dict[tuple[int, int], dict[str, Any]]:
    return {(int(r["params"]["fast"]), int(r["params"]["slow"])): r for r in report["rows"]}


def portfolios(run: Run) -> list[dict[str, Any]]:
    code, out, err = run("--offline", "portfolio", "list", "--json")
    assert code == 0, err
    listed: list[dict[str, Any]] = json.loads(out)
    return listed


def one_by_one(run: Run, data_dir: Path) -> dict[tuple[int, int], dict[str, Any]]:
    """Each set as its own `erasmo backtest`, measured by hand: one deposit and no other flow,
    so TTWROR = final / cash - 1; the drawdown is the largest fall of the daily value below its
    running peak; the trades are the fills in the history."""
    for fast, slow in SETS:
        code, _, err = run(
            "--offline", "backtest", EXAMPLE, "Cross", "--cash", str(CASH), *PERIOD,
            "--param", f"fast={fast}", "--param", f"slow={slow}", "--name", f"c{fast}-{slow}",
        )  # fmt: skip
        assert code == 0, err
    found = {}
    erasmo = bootstrap(data_dir, offline=True)
    try:
        for fast, slow in SETS:
            pid = erasmo.door.resolve(f"c{fast}-{slow}")
            values = [float(v) for v in erasmo.door.value_series(pid).total]
            peak, worst = values[0], 0.0
            for v in values:
                peak = max(peak, v)
                worst = max(worst, 1 - v / peak)
            code, out, err = run("--offline", "history", f"c{fast}-{slow}", "--json")
            fills = sum(1 for e in json.loads(out) if e["type"] == "OrderFilled")
            final = Decimal(str(values[-1])).quantize(Decimal("0.01"))
            found[(fast, slow)] = {
                "ttwror": float(final / CASH - 1),
                "max_drawdown": worst,
                "trades": fills,
                "final_value": final,
            }
    finally:
        erasmo.close()
    return found


def assert_same(report: dict[str, Any], expected: dict[tuple[int, int], dict[str, Any]]) -> None:
    rows = by_set(report)
    assert set(rows) == set(SETS)
    for key, want in expected.items():
        got = rows[key]
        assert Decimal(got["final_value"]) == want["final_value"], key
        assert got["ttwror"] == pytest.approx(want["ttwror"], abs=1e-9), key
        assert got["max_drawdown"] == pytest.approx(want["max_drawdown"], abs=1e-9), key
        assert got["trades"] == want["trades"], key
    # ranked best TTWROR first
    ttwrors = [r["ttwror"] for r in report["rows"]]
    assert ttwrors == sorted(ttwrors, reverse=True)
    assert [r["rank"] for r in report["rows"]] == [1, 2, 3, 4]


def test_sweep_on_two_workers_matches_the_backtests_one_by_one(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = sweep(run, "--workers", "2", "--cash", str(CASH))
    assert portfolios(run) == []  # a sweep records nothing without --keep
    alone = cli_runner(tmp_path / "alone", capsys, monkeypatch)
    assert_same(report, one_by_one(alone, tmp_path / "alone"))
    assert report["rows"][0]["trades"] > 0


def test_keep_one_records_the_top_row(run: Run, tmp_path: Path) -> None:
    report = sweep(run, "--workers", "2", "--keep", "1")
    top = report["rows"][0]
    listed = portfolios(run)
    name = f"Cross fast={top['params']['fast']} slow={top['params']['slow']}"
    assert [p["name"] for p in listed] == [name]
    assert report["kept"] == [{"portfolio": name, "final_value": top["final_value"]}]
    erasmo = bootstrap(tmp_path / "data", offline=True)
    try:
        total = erasmo.door.value_series(erasmo.door.resolve(name)).total
        assert Decimal(str(total.iloc[-1])).quantize(Decimal("0.01")) == Decimal(top["final_value"])
    finally:
        erasmo.close()
    # the same again: the name is taken, nothing more is recorded
    code, _out, err = run(
        "--offline", "sweep", EXAMPLE, "Cross", *GRID, *PERIOD, "--workers", "1", "--keep", "1"
    )
    assert code == 1
    assert "already named" in err
    assert err.count("\n") == 1
    assert len(portfolios(run)) == 1


def test_split_ranks_in_and_out_of_sample(run: Run) -> None:
    report = sweep(run, "--workers", "2", "--split", "2011-01-03")
    rows = report["rows"]
    ins = [r["ttwror"] for r in rows]
    outs = [r["out_of_sample"]["ttwror"] for r in rows]
    assert ins == sorted(ins, reverse=True)
    assert len(set(ins)) == len(set(outs)) == 4  # no ties: the textbook formula applies
    out_rank = [sorted(outs, reverse=True).index(o) + 1 for o in outs]
    assert [r["out_of_sample"]["rank"] for r in rows] == out_rank
    d2 = sum((i + 1 - o) ** 2 for i, o in enumerate(out_rank))
    assert report["spearman"] == pytest.approx(1 - 6 * d2 / (4 * (16 - 1)))
    assert report["best_in_sample_out_of_sample_rank"] == out_rank[0]
    # the in-sample run ends the day before the split: its fills all come before it
    assert all(r["out_of_sample"]["final_value"] != r["final_value"] for r in rows)
    code, out, err = run(
        "--offline", "sweep", EXAMPLE, "Cross", *GRID, *PERIOD, "--split", "2011-01-03"
    )
    assert code == 0, err
    assert "Spearman rank correlation" in out
    assert f"ranks {out_rank[0]} of 4 out of sample" in out


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("fast=10:x:10", "is not a range FIRST:LAST:STEP"),
        ("fast=50:10:10", "FIRST <= LAST"),
        ("fast=10:50:0", "STEP > 0"),
        ("fast=10,,20", "empty value"),
        ("fast", "is not NAME=VALUES"),
        ("fast=1:100000:1", "coarser step"),
        ("speed=1,2", "has no parameter speed"),
        ("fast=ten,20", "fast"),
    ],
)
def test_a_bad_grid_is_one_line_and_records_nothing(run: Run, param: str, message: str) -> None:
    code, _out, err = run(
        "--offline", "sweep", EXAMPLE, "Cross", "--param", param, *PERIOD, "--keep", "1"
    )
    assert code != 0
    assert message in err
    assert err.count("\n") == 1
    assert portfolios(run) == []


def test_a_split_outside_the_period_is_refused(run: Run) -> None:
    code, _out, err = run(
        "--offline", "sweep", EXAMPLE, "Cross", *GRID, *PERIOD, "--split", "2012-06-01"
    )
    assert code != 0
    assert "--split 2012-06-01 is not inside the period" in err
    assert err.count("\n") == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[str]:
    """A dask scheduler and one worker, each a process of its own, on 127.0.0.1."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = [(tmp_path / f"{n}.log").open("w") for n in ("scheduler", "worker")]
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", str(port), "--no-dashboard"],
            stdout=logs[0], stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1",
             "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
            stdout=logs[1], stderr=subprocess.STDOUT,
        ),
    ]  # fmt: skip
    try:
        from distributed import Client

        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(1, timeout=60)
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()


def test_sweep_on_a_separate_scheduler_and_worker_gives_the_same_results(
    run: Run,
    scheduler: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    remote = sweep(run, "--scheduler", scheduler)
    local = sweep(cli_runner(tmp_path / "local", capsys, monkeypatch), "--workers", "2")
    assert remote["rows"] == local["rows"]
    assert len(remote["rows"]) == 4


def test_no_scheduler_at_the_address_is_one_line(run: Run) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    code, _out, err = run(
        "--offline", "sweep", EXAMPLE, "Cross", *GRID, *PERIOD, "--scheduler", address
    )
    assert code != 0
    assert f"No dask scheduler answers at {address}" in err
    assert err.count("\n") == 1


def test_rank_by_irr_and_sharpe(run: Run) -> None:
    report = sweep(run, "--workers", "1", "--rank-by", "sharpe")
    assert report["rank_by"] == "sharpe"
    sharpes = [r["sharpe"] for r in report["rows"]]
    assert sharpes == sorted(sharpes, reverse=True)
    # one deposit and no other flow: the IRR is the TTWROR annualised over the period's days
    # (2010-01-04 to 2011-12-30: 725 days)
    for row in report["rows"]:
        assert row["irr"] == pytest.approx((1 + row["ttwror"]) ** (365 / 725) - 1, rel=1e-6)
    by_irr = sweep(run, "--workers", "1", "--rank-by", "irr")
    irrs = [r["irr"] for r in by_irr["rows"]]
    assert irrs == sorted(irrs, reverse=True)
    code, out, err = run("--offline", "sweep", EXAMPLE, "Cross", *GRID, *PERIOD, "--rank-by", "irr")
    assert code == 0, err
    assert "Ranked by IRR." in out
    assert "Sharpe" in out.splitlines()[0]
