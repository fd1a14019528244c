"""Launch to first paint of the desktop app, as medians over fresh processes.

Prepares a data directory holding the demo portfolio, then starts `erasmo gui` repeatedly as a
fresh process (Qt's offscreen platform unless QT_QPA_PLATFORM says otherwise) and measures, from
the moment the process is spawned:

* first paint: the window, with the sidebar and the demo portfolio's positions, is on screen;
* charts: the analytics (pandas) and the charts (pyqtgraph) are loaded and drawn.

    python bench/gui_startup.py [--runs 7] [--no-charts] [--data-dir DIR]

With --data-dir, the app opens that data directory (e.g. one filled by bench/synthetic.py with a
million trades) instead of a fresh one holding the demo portfolio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def erasmo_command() -> list[str]:
    script = Path(sys.executable).with_name("erasmo")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "erasmo"]


def prepare(data: Path) -> None:
    """A data directory with the demo portfolio (and the window opened once, as after install)."""
    code = (
        "import sys; from erasmo.bootstrap import bootstrap; from gui.demo import create_demo;"
        "e = bootstrap(sys.argv[1]); create_demo(e.door); e.close()"
    )
    subprocess.run([sys.executable, "-c", code, str(data)], check=True)


def launch(command: list[str], env: dict[str, str], mode: str) -> dict[str, float]:
    """Spawn the app once; the wall time from spawning to each probe line it prints."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "gui"],
        env={**env, "ERASMO_GUI_PROBE": mode},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    seen: dict[str, float] = {}
    assert process.stdout is not None
    for line in process.stdout:
        name, _, _inside = line.partition(" ")
        if name in ("first-paint", "analytics"):
            seen[name] = time.perf_counter() - started
    process.wait(timeout=120)
    if process.returncode != 0 or "first-paint" not in seen:
        raise SystemExit(f"the app failed (exit code {process.returncode}, saw {sorted(seen)})")
    return seen


def describe(name: str, values: list[float], goal: float | None = None) -> str:
    median = statistics.median(values)
    verdict = ""
    if goal is not None:
        verdict = f"  (goal <= {goal:.1f} s: {'met' if median <= goal else 'missed'})"
    return (
        f"{name:<24} median {median:6.3f} s   min {min(values):6.3f}   max {max(values):6.3f}"
        f"   ({len(values)} runs){verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-charts", action="store_true", help="measure the first paint only")
    parser.add_argument("--data-dir", type=Path, help="open this data directory (kept as is)")
    args = parser.parse_args()
    command = erasmo_command()
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="erasmo-gui-bench-"))
    env = {**os.environ, "ERASMO_HOME": str(data)}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("ERASMO_STORE", None)
    mode = "paint" if args.no_charts else "analytics"
    try:
        if args.data_dir is None:
            prepare(data)
        launch(command, env, mode)  # warm the OS file cache and write the event-frame cache
        paint, charts = [], []
        for _ in range(args.runs):
            seen = launch(command, env, mode)
            paint.append(seen["first-paint"])
            if "analytics" in seen:
                charts.append(seen["analytics"])
        what = f"data directory {data}" if args.data_dir else "demo portfolio"
        print(f"erasmo gui, {what}, platform {env['QT_QPA_PLATFORM']}:")
        # The goals: 1.0 s with the demo portfolio, 1.5 s with a million trades.
        print(describe("launch to first paint", paint, goal=1.5 if args.data_dir else 1.0))
        if charts:
            print(describe("launch to charts drawn", charts))
    finally:
        if args.data_dir is None:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
