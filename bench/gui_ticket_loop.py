"""Drive the real window through the trade ticket many times, looking for crashes.

Each run is a fresh process (Qt's offscreen platform unless QT_QPA_PLATFORM says otherwise,
PYTHONFAULTHANDLER=1 so a crash prints its stacks) over a fresh data directory holding the demo
portfolio and a second one. The process opens the main window with its analytics, then repeats:
open the trade ticket, fill it, press Buy, and while the analytics' jobs (snapshot, valuations,
history, charts) are in flight, switch portfolio, travel back in time, change tab or open and
cancel another ticket, running the event loop a random few milliseconds between steps. At the
end it checks that every trade pressed is in the store (a crash must never lose a command).

    python bench/gui_ticket_loop.py [--runs 30] [--trades 40] [--seed 1]

Prints one line per run (exit code, trades recorded) and a summary; exits 1 if any run crashed
or lost a trade.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

TODAY = date(2026, 11, 26)


def prepare(template: Path) -> None:
    """A data directory with the demo portfolio and a second, cash-only one."""
    from erasmo.bootstrap import bootstrap
    from gui.demo import create_demo

    erasmo = bootstrap(template, today=lambda: TODAY, offline=True)
    try:
        create_demo(erasmo.door)
        erasmo.trading.open_portfolio("Second", "50000", date(2019, 1, 2))
    finally:
        erasmo.close()


def trades_in(data: Path) -> int:
    """How many SharesBought events the store holds."""
    from erasmo.bootstrap import bootstrap

    erasmo = bootstrap(data, today=lambda: TODAY, offline=True)
    try:
        return sum(
            1
            for s in erasmo.app.summaries()
            for e in erasmo.app.history(s.id)
            if e.type == "SharesBought"
        )
    finally:
        erasmo.close()


# -- inside one run ---------------------------------------------------------------------------


def child(data: Path, trades: int, seed: int) -> None:
    """Open the window over `data` and trade `trades` times through the ticket."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from erasmo.bootstrap import bootstrap
    from gui import bindings, theme
    from gui.controllers.main import MainController
    from gui.views.main_window import MainWindow

    if os.environ.get("TICKET_LOOP_UNGUARDED") != "1":  # to measure the binding bug itself
        bindings.keep_singletons_alive()
    rng = random.Random(seed)
    app = QApplication.instance() or QApplication(sys.argv[:1])

    def spin(seconds: float) -> None:
        """Run the event loop for a while, as `QApplication.exec` does."""
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the window did not get there in time")
            spin(0.01)

    erasmo = bootstrap(data, today=lambda: TODAY, offline=True)
    window = MainWindow(theme.app_icon())
    controller = MainController(erasmo, window, offer_demo=False)
    window.show()
    wait_until(lambda: controller.analysis.performance is not None)
    for pressed in range(1, trades + 1):
        ticket = controller.open_trade_ticket(ticker="KO")
        assert ticket is not None
        ticket.view.quantity.setText("1")
        spin(rng.uniform(0, 0.05))
        if not ticket.view.ok.isEnabled():
            raise SystemExit(f"the ticket refused the trade: {ticket.view.message.text()}")
        ticket.view.ok.click()  # Buy: records, closes the ticket, starts the analytics jobs
        print(f"pressed {pressed}", flush=True)  # seen by the parent even if this one dies
        spin(rng.uniform(0, 0.03))
        for _ in range(rng.randint(1, 4)):
            _disturb(controller, rng)
            spin(rng.uniform(0, 0.04))
    wait_until(lambda: not controller.jobs.busy and not controller.analysis.jobs.busy)
    window.close()
    app.processEvents()
    erasmo.close()
    print(f"references to None {sys.getrefcount(None)}, to True {sys.getrefcount(True)}")


def _disturb(c: Any, rng: random.Random) -> None:
    """One thing a person does while the window is busy."""
    from gui.views.main_window import CHART_TAB, PERFORMANCE_TAB

    step = rng.choice(("switch", "travel", "tab", "ticket", "refresh", "hover"))
    if step == "hover":  # the crosshair follows the mouse over the performance chart
        from PySide6.QtCore import QPoint
        from PySide6.QtTest import QTest

        c.window.tabs.setCurrentIndex(PERFORMANCE_TAB)
        viewport = c.analysis.performance.view.value_plot.viewport()
        for i in range(30):
            x = viewport.width() * (i + 1) // 32
            QTest.mouseMove(viewport, QPoint(x, viewport.height() // 2))
    elif step == "switch":
        c.window.sidebar.select(c.portfolios.index_of(rng.randrange(c.portfolios.count())))
    elif step == "travel":
        slider = c.window.replay.slider
        if slider.isEnabled() and slider.maximum() > 0:
            slider.setValue(rng.randrange(slider.maximum() + 1))
    elif step == "tab":
        c.window.tabs.setCurrentIndex(rng.choice((0, PERFORMANCE_TAB, CHART_TAB)))
    elif step == "ticket":
        ticket = c.open_trade_ticket(ticker="MSFT")
        if ticket is not None:
            ticket.view.reject()
    else:
        c._on_refresh()


# -- the runs ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--trades", type=int, default=40, help="trades per run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.trades, args.seed)
        return
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("ERASMO_STORE", None)
    root = Path(tempfile.mkdtemp(prefix="erasmo-ticket-loop-"))
    template = root / "template"
    prepare(template)
    before = trades_in(template)
    crashed, lost = 0, 0
    try:
        for run in range(args.runs):
            data = root / f"run-{run}"
            shutil.copytree(template, data)
            command = [sys.executable, __file__, "--child", str(data), "--trades",
                       str(args.trades), "--seed", str(args.seed * 1000 + run)]  # fmt: skip
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
            recorded = trades_in(data) - before
            presses = [line for line in done.stdout.splitlines() if line.startswith("pressed ")]
            pressed = int(presses[-1].split()[1]) if presses else None
            verdict = "ok"
            if done.returncode != 0:
                crashed += 1
                verdict = "CRASHED"
                (root / f"run-{run}.stderr").write_text(done.stderr)
            if pressed is not None and recorded != pressed:
                lost += 1
                verdict += ", LOST A TRADE"
            seen = "" if pressed is None else f" of {pressed} pressed"
            print(f"run {run + 1:>3}: exit {done.returncode:>4}, {recorded} trades recorded"
                  f"{seen}  {verdict}", flush=True)  # fmt: skip
            if done.returncode != 0:
                fatal = [line for line in done.stderr.splitlines() if "Fatal" in line or
                         "Error" in line]  # fmt: skip
                print("    " + "\n    ".join(fatal[:3]), flush=True)
            shutil.rmtree(data, ignore_errors=True)
    finally:
        print(f"{args.runs} runs of {args.trades} trades: {crashed} crashed, {lost} lost a trade")
        if crashed:
            print(f"(the stderr of each crashed run is kept in {root})")
        else:
            shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if crashed or lost else 0)


if __name__ == "__main__":
    main()
