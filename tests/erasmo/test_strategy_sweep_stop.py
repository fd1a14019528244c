"""Stopping a sweep while its sets run: the running set stops at its next day (a worker of a
cluster started apart would otherwise run a cancelled set to its end), the sets not started
never run, the cancel is raised, and nothing is recorded."""

from __future__ import annotations

import contextlib
import socket
import time
import warnings
from datetime import date
from pathlib import Path

import pytest
from test_strategy_sweep import scheduler  # noqa: F401 (a fixture)

from erasmo.bootstrap import bootstrap
from erasmo.strategy import sweep as sweeping
from erasmo.strategy.runner import BacktestSpec

#: Writes each of its days to a file, slowly, so that a set is still running when it is stopped.
SLOW = """
import time
from erasmo.strategy import Param, Strategy

class Slow(Strategy):
    params = (Param("days", str, ""), Param("n", int, 1))

    def on_bar(self, ctx):
        time.sleep(0.02)
        with open(self.days, "a", encoding="utf-8") as out:
            out.write(f"{self.n} {ctx.day}\\n")
"""
START, END = date(2010, 1, 4), date(2011, 12, 30)  # 504 trading days


class CancelledError(Exception):
    pass


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_a_stopped_sweep_stops_its_running_set_at_its_next_day(
    tmp_path: Path,
    scheduler: str,  # noqa: F811
) -> None:
    days = tmp_path / "days.txt"
    base = BacktestSpec("slow.py", SLOW, "Slow", {}, "10000", START, END)
    sets = [{"days": str(days), "n": str(n)} for n in (1, 2, 3)]
    erasmo = bootstrap(tmp_path / "data", offline=True)
    finished: list[int] = []

    def check() -> None:
        if len(_lines(days)) >= 5:  # the first set is under way
            raise CancelledError

    try:
        with pytest.raises(CancelledError):
            sweeping.sweep(
                base,
                sets,
                erasmo.door.market,
                erasmo.door.today(),
                scheduler=scheduler,
                progress=lambda done, total: finished.append(done),
                check=check,
            )
        assert erasmo.door.event_count() == 0
    finally:
        erasmo.close()
    # the worker keeps running after the sweep raised: wait until the file stops growing
    seen, quiet = -1, 0
    while quiet < 10:
        time.sleep(0.2)
        count = len(_lines(days))
        quiet = quiet + 1 if count == seen else 0
        seen = count
    written = _lines(days)
    assert finished == []
    assert {line.split()[0] for line in written} == {"1"}  # the other sets never started
    assert 5 <= len(written) < 504


def test_a_local_cluster_is_stopped_without_a_dashboard_port_warning(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    days = tmp_path / "days.txt"
    base = BacktestSpec("slow.py", SLOW, "Slow", {}, "10000", START, END)
    erasmo = bootstrap(tmp_path / "data", offline=True)
    held = socket.socket()
    with contextlib.suppress(OSError):  # taken already: by another cluster, as in real life
        held.bind(("", 8787))
        held.listen()

    def check() -> None:
        if len(_lines(days)) >= 5:
            raise CancelledError

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(CancelledError):
                sweeping.sweep(
                    base,
                    [{"days": str(days), "n": "1"}],
                    erasmo.door.market,
                    erasmo.door.today(),
                    workers=1,
                    check=check,
                )
        assert erasmo.door.event_count() == 0
    finally:
        held.close()
        erasmo.close()
    assert not [w for w in caught if "already in use" in str(w.message)]
    assert "already in use" not in capfd.readouterr().err
    assert 5 <= len(_lines(days)) < 504
