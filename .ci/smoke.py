"""Smoke test of an installed erasmo, run by .ci/smoke.sh with the Python of a fresh virtual
environment into which only the wheel was installed (`pip install erasmo-*.whl`, no extras).

It checks, from outside the checkout, that the plain install is the whole app: the command runs
and trades on the bundled data, the desktop window opens on an X server (Xvfb, through
xvfb-run) and closes, and the sync server answers an authenticated request, then stops.
Standard library only; every step has a deadline, so a hang fails instead of stalling CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BIN = Path(sys.prefix) / "bin"
ERASMO = str(BIN / "erasmo")


def step(title: str) -> None:
    print(f"smoke: {title}", flush=True)


def fail(message: str) -> None:
    print(f"smoke: FAILED: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def run(args: list[str], env: dict[str, str], timeout: float = 60) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    if done.returncode != 0:
        fail(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done.stdout


def check_command(env: dict[str, str], data: Path) -> None:
    step("erasmo --version")
    version = run([ERASMO, "--version"], env).strip()
    if not re.fullmatch(r"erasmo, version \S+", version):
        fail(f"unexpected version line {version!r}")
    step("a trade on the bundled data")
    run(
        [
            ERASMO,
            "--data-dir",
            str(data),
            "portfolio",
            "open",
            "Smoke",
            "--cash",
            "1000",
            "--on",
            "2015-03-02",
        ],
        env,
    )
    bought = run(
        [ERASMO, "--data-dir", str(data), "buy", "Smoke", "AAPL", "10", "--on", "2015-03-02"], env
    )
    # 10 AAPL at the bundled adjusted close of 2015-03-02, 29.08: 1000 - 290.80 = 709.20
    if "'Smoke' now holds 10 AAPL and 709.20 in cash." not in bought:
        fail(f"unexpected receipt {bought!r}")


def check_window(env: dict[str, str], data: Path) -> None:
    step("the desktop window under Xvfb")
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        fail("xvfb-run is not installed (apt-get install xvfb)")
    # The probe (gui/app.py) prints "first-paint SECONDS CPU" once the window is on screen, then
    # closes it; the xcb platform is asked for by name, so Qt's X11 libraries must all load.
    window_env = {**env, "QT_QPA_PLATFORM": "xcb", "ERASMO_GUI_PROBE": "1"}
    out = run(
        [xvfb_run, "-a", "-s", "-screen 0 1280x800x24", ERASMO, "--data-dir", str(data), "gui"],
        window_env,
        timeout=90,
    )
    if not re.search(r"^first-paint \d+\.\d+ \d+\.\d+$", out, re.MULTILINE):
        fail(f"the window did not report its first paint:\n{out}")


def check_sync_server(env: dict[str, str], data: Path) -> None:
    step("erasmo serve, one authenticated request")
    server = subprocess.Popen(
        [ERASMO, "--data-dir", str(data), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = threading.Timer(60, server.kill)  # a server that never prints cannot hang CI
    deadline.start()
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(2)]  # address, then token
        address = re.match(r"Serving the event log on (http://127\.0\.0\.1:\d+) ", lines[0])
        token = re.match(r"Token: (\S+)$", lines[1].strip())
        if address is None or token is None:
            server.kill()
            fail(f"unexpected serve output {lines!r}: {server.communicate(timeout=10)}")
        url = f"{address.group(1)}/api/v1/portfolios"
        try:
            urllib.request.urlopen(url, timeout=10)
            fail("the server answered a request without the token")
        except urllib.error.HTTPError as error:
            if error.code != 401:
                fail(f"a request without the token got {error.code}, not 401")
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token.group(1)}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = json.loads(response.read())
        if "Smoke" not in json.dumps(body):
            fail(f"the server's portfolios do not include 'Smoke': {body}")
    finally:
        deadline.cancel()
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
        try:
            out, err = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            fail("the server did not stop on SIGTERM")
    if server.returncode != 0 or "Stopped." not in out:
        fail(f"the server stopped with {server.returncode}: {out}{err}")


def main() -> None:
    started = time.monotonic()
    if Path.cwd().joinpath("pyproject.toml").exists():
        fail("run this outside the checkout, so that erasmo comes from the installed wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ERASMO_STORE")}
    env["ERASMO_OFFLINE"] = "1"  # the window and the commands never ask Yahoo here
    env["PYTHONUNBUFFERED"] = "1"
    with tempfile.TemporaryDirectory(prefix="erasmo-smoke-") as folder:
        data = Path(folder) / "data"
        env["ERASMO_HOME"] = str(Path(folder) / "home")
        check_command(env, data)
        check_window(env, data)
        check_sync_server(env, data)
    print(f"smoke: OK in {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
