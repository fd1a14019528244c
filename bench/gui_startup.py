"""Launch to first paint of the desktop app, as medians over fresh processes.

Starts `erasmo gui` repeatedly as a fresh process (Qt's offscreen platform unless
QT_QPA_PLATFORM says otherwise) on the demo portfolio (a fresh data directory holding it) and
on each data directory given (e.g. ones filled by bench/synthetic.py with 100k and a million
events), and measures, from the moment the process is spawned:

* first paint: the window, with the sidebar and the selected portfolio's positions, is on
  screen (and the CPU seconds the process used until then, steadier on a busy machine);
* charts: the analytics (pandas) and the charts (pyqtgraph) are loaded and drawn;
* with --settle, instead of the charts: every background load is done (history, orders,
  valuations, charts; at most a minute), and the longest the event loop went without turning
  since the first paint (goal: the window repaints within 100 ms).

    python bench/gui_startup.py [--runs 7] [--no-charts | --settle] [--data-dir DIR ...]
                                [--no-demo]

The issue's goals: first paint <= 1.0 s with the demo portfolio, <= 1.5 s with 100k and with a
million events.
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
    """Spawn the app once; the wall time from spawning to each probe line it prints, and the
    figures the probe printed on those lines."""
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
        name, *figures = line.split()
        if name in ("first-paint", "analytics", "settled"):
            seen[name] = time.perf_counter() - started
        if name == "first-paint" and len(figures) > 1:
            seen["cpu"] = float(figures[1])
        if name == "settled":
            seen["stall"] = float(figures[1])
    process.wait(timeout=300)
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


def measure(data: Path | None, runs: int, mode: str) -> None:
    """Print the figures of `runs` launches on `data` (None: a fresh demo portfolio)."""
    command = erasmo_command()
    folder = data or Path(tempfile.mkdtemp(prefix="erasmo-gui-bench-"))
    env = {**os.environ, "ERASMO_HOME": str(folder)}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("ERASMO_STORE", None)
    try:
        if data is None:
            prepare(folder)
        launch(command, env, mode)  # warm the OS file cache and write the event-frame cache
        seen = [launch(command, env, mode) for _ in range(runs)]
        what = f"data directory {data}" if data else "demo portfolio"
        print(f"erasmo gui, {what}, platform {env['QT_QPA_PLATFORM']}:", flush=True)
        rows = (
            ("first-paint", "launch to first paint", 1.5 if data else 1.0),
            ("cpu", "  CPU used until then", None),
            ("analytics", "launch to charts drawn", None),
            ("settled", "launch to all loaded", None),
            ("stall", "longest loop stall", 0.1),
        )
        for key, caption, goal in rows:
            values = [s[key] for s in seen if key in s]
            if values:
                print(describe(caption, values, goal), flush=True)
    finally:
        if data is None:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--no-charts", action="store_true", help="measure the first paint only")
    how.add_argument(
        "--settle", action="store_true", help="wait for every load; report the longest stall"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        action="append",
        default=[],
        help="also open this data directory (kept as is); may be given more than once",
    )
    parser.add_argument("--no-demo", action="store_true", help="skip the demo portfolio")
    args = parser.parse_args()
    mode = "paint" if args.no_charts else "settle" if args.settle else "analytics"
    targets: list[Path | None] = [] if args.no_demo else [None]
    for data in [*targets, *args.data_dir]:
        measure(data, args.runs, mode)


if __name__ == "__main__":
    main()
