"""Switching the window to a large portfolio in the sidebar, as medians over fresh processes.

Copies the store of a data directory (e.g. one filled by bench/synthetic.py with 100k events)
into a scratch directory, adds a small portfolio there, then in a fresh process per run opens the
window (Qt's offscreen platform unless QT_QPA_PLATFORM says otherwise) on the small portfolio,
waits until everything is loaded, selects the largest portfolio and measures, from the click:

* handler: the selection handler returns (the GUI thread is blocked that long);
* repaint: the window has painted the new selection;
* holdings: the large portfolio's holdings are on screen;
* loaded: its history, orders and charts are loaded too;
* longest stall: the longest the event loop went without turning while all that loaded (a
  10 ms timer ticks through it; goal: the window repaints within 100 ms), and the CPU time the
  GUI thread itself spent in it (the rest it waited: for the GIL, or for a core on a loaded
  machine).

    python bench/gui_switch.py --data-dir DIR [--runs 3] [--tab chart]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOALS = {"holdings": 0.3, "stall": 0.1}


def prepare(source: Path, scratch: Path) -> None:
    """`scratch` holds a copy of the store in `source` and a small portfolio besides."""
    scratch.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "events.sqlite", scratch / "events.sqlite")
    code = (
        "import sys, datetime; from erasmo.bootstrap import bootstrap;"
        "e = bootstrap(sys.argv[1]);"
        "e.door.open_portfolio('Switch bench small', '1000', datetime.date(2020, 1, 2));"
        "e.close()"
    )
    subprocess.run([sys.executable, "-c", code, str(scratch)], check=True)


def child(data: Path, tab: str = "holdings") -> dict[str, float]:
    """One run, in this process: the figures of one switch, in seconds, with `tab` in view."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from erasmo.bootstrap import bootstrap
    from gui import bindings, theme
    from gui.controllers.main import MainController
    from gui.views import main_window
    from gui.views.main_window import MainWindow

    bindings.keep_singletons_alive()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    theme.apply(app)
    erasmo = bootstrap(data)
    window = MainWindow(theme.app_icon())
    c = MainController(erasmo, window, offer_demo=False)
    window.resize(1400, 900)
    window.show()
    listed = erasmo.door.portfolios()
    small = next(p.id for p in listed if p.name == "Switch bench small")
    large = max(listed, key=lambda p: p.version).id

    def idle() -> bool:
        return (
            not c.jobs.busy
            and not c.analysis.jobs.busy
            and c.analysis.analytics is not None
            and c.analysis.performance is not None
        )

    def wait(condition: Any, limit: float = 300.0) -> None:
        deadline = time.perf_counter() + limit
        while not condition():
            app.processEvents()
            time.sleep(0.002)
            if time.perf_counter() > deadline:
                raise SystemExit("the window did not finish loading")

    c.reload_portfolios(select=small)
    wait(lambda: idle() and c.session.portfolio == small and c.analysis.shown_as_of() is not None)
    window.tabs.setCurrentIndex(getattr(main_window, f"{tab.upper()}_TAB"))
    wait(lambda: idle(), 5.0)

    seen: dict[str, float] = {}
    clock = QElapsedTimer()
    stalls = [(0.0, 0.0)]  # (wall, the GUI thread's own CPU) between two ticks
    last_tick = [0.0, time.thread_time()]

    def tick() -> None:
        now, cpu = clock.nsecsElapsed() / 1e9, time.thread_time()
        stalls.append((now - last_tick[0], cpu - last_tick[1]))
        last_tick[:] = [now, cpu]

    def mark(name: str) -> None:
        seen.setdefault(name, clock.nsecsElapsed() / 1e9)

    c.analysis.shown.connect(
        lambda shot: mark("holdings") if getattr(shot, "portfolio", large) == large else None
    )
    c.history_loaded.connect(lambda pid: mark("history") if pid == large else None)
    painted = window.sidebar.table.viewport()
    ticker = QTimer()
    ticker.setInterval(10)
    ticker.timeout.connect(tick)
    clock.start()
    last_tick[1] = time.thread_time()
    ticker.start()
    c.window.sidebar.select(c.portfolios.index_of(c.portfolios.row_of(large)))
    mark("handler")
    painted.repaint()  # returns once painted, after the handler: the earliest repaint
    mark("repaint")
    wait(lambda: "holdings" in seen and "history" in seen and idle())
    mark("loaded")
    ticker.stop()
    seen["stall"], seen["stall_cpu"] = max(stalls)
    c.shutdown()
    window.close()
    erasmo.close()
    return seen


def describe(name: str, values: list[float], goal: float | None = None) -> str:
    median = statistics.median(values)
    verdict = ""
    if goal is not None:
        verdict = f"  (goal <= {goal:.1f} s: {'met' if median <= goal else 'missed'})"
    return (
        f"{name:<28} median {median:6.3f} s   min {min(values):6.3f}   max {max(values):6.3f}"
        f"   ({len(values)} runs){verdict}"
    )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(Path(sys.argv[2]), sys.argv[3])), flush=True)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, required=True, help="holds events.sqlite")
    parser.add_argument(
        "--tab",
        default="holdings",
        choices=("holdings", "performance", "allocation", "history", "chart", "journal"),
        help="the tab in view during the switch (the price chart is read only in view)",
    )
    args = parser.parse_args()
    env = {**os.environ}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("ERASMO_STORE", None)
    scratch = Path(tempfile.mkdtemp(prefix="erasmo-gui-switch-"))
    try:
        prepare(args.data_dir, scratch)
        runs: list[dict[str, float]] = []
        for n in range(args.runs + 1):  # the first run warms the file cache and the event cache
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(scratch), args.tab],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:
                raise SystemExit(f"run failed (exit {out.returncode}): {out.stderr[-2000:]}")
            if n:
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(
            f"erasmo gui, switch to the largest portfolio of {args.data_dir}, {args.tab} tab "
            "in view:"
        )
        captions = (
            ("handler", "selection handler returns"),
            ("repaint", "window repainted"),
            ("holdings", "holdings on screen"),
            ("loaded", "history and charts loaded"),
            ("stall", "longest event-loop stall"),
            ("stall_cpu", "  the GUI thread's CPU in it"),
        )
        for key, caption in captions:
            print(describe(caption, [r[key] for r in runs], GOALS.get(key)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
