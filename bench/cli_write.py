"""Wall time of a whole `erasmo buy` process, the way a user or a script runs it.

Prepares a data directory with one portfolio, then runs `erasmo buy` repeatedly as fresh
processes and prints the median (and min/max) wall time, and whether pandas was imported.

    python bench/cli_write.py [--runs 15]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    command = erasmo_command()
    data = Path(tempfile.mkdtemp(prefix="erasmo-bench-"))
    env = {**os.environ, "ERASMO_HOME": str(data)}
    env.pop("ERASMO_STORE", None)
    # As installed for a user, Python caches compiled modules (.pyc); a shell that sets
    # PYTHONDONTWRITEBYTECODE would make every process compile erasmo again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        subprocess.run(
            [*command, "portfolio", "open", "Bench", "--cash", "1000000", "--on", "2020-01-02"],
            check=True,
            env=env,
            capture_output=True,
        )
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run(
                [*command, "buy", "Bench", "AAPL", "1", "--on", "2020-01-02"],
                check=True,
                env=env,
                capture_output=True,
            )
            times.append(time.perf_counter() - started)
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, runpy; sys.argv = ['erasmo', 'buy', 'Bench', 'AAPL', '1', '--on', "
                "'2020-01-02']\ntry:\n    runpy.run_module('erasmo', run_name='__main__')\n"
                "except SystemExit:\n    pass\nprint('pandas' in sys.modules)",
            ],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        )
        pandas_loaded = probe.stdout.strip().splitlines()[-1]
    finally:
        shutil.rmtree(data, ignore_errors=True)
    print(
        f"erasmo buy, whole process ({' '.join(Path(c).name for c in command)}), {args.runs} runs"
    )
    print(
        f"  median {statistics.median(times):.3f} s   min {min(times):.3f} s   "
        f"max {max(times):.3f} s   (goal <= 0.400 s)"
    )
    print(f"  pandas imported by 'erasmo buy': {pandas_loaded}")


if __name__ == "__main__":
    main()
