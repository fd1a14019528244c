"""What a whole `erasmo holdings` / `performance` process loads: none of the heavy packages it does
not need, and, once its data directory keeps the parsed closes, none of the bundled price files.

Each command runs in a fresh Python process (a module imported by another test would hide an
import), through the same entry point as `python -m erasmo`. The process reports, after the
command, every module it imported and every gzip file it decompressed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRICES = REPO / "resources" / "prices"

#: Installed beside erasmo, and needed by neither report: the network, other front ends, the
#: GUI, other stores, scientific and plotting stacks.
NOT_NEEDED = (
    "yfinance",
    "requests",
    "curl_cffi",
    "urllib3",
    "scipy",
    "dask",
    "distributed",
    "jinja2",
    "exchange_calendars",
    "matplotlib",
    "bokeh",
    "PySide6",
    "pyqtgraph",
    "gui",
    "psycopg",
    "psycopg_pool",
    "flask",
    "backtrader",
    "beancount",
)

#: Runs `erasmo ARGS...` as `python -m erasmo` does, then writes what the process loaded.
RUNNER = """
import gzip, json, runpy, sys

report, args = sys.argv[1], sys.argv[2:]
unzipped = []
_decompress, _init = gzip.decompress, gzip.GzipFile.__init__

def decompress(data, *more, **named):
    unzipped.append("<bytes>")
    return _decompress(data, *more, **named)

def init(self, filename=None, *more, **named):
    unzipped.append(str(filename if filename is not None else named.get("fileobj")))
    _init(self, filename, *more, **named)

gzip.decompress, gzip.GzipFile.__init__ = decompress, init
sys.argv = ["erasmo", *args]
try:
    runpy.run_module("erasmo", run_name="__main__", alter_sys=True)
except SystemExit as exited:
    code = exited.code
with open(report, "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules), "unzipped": unzipped}, out)
"""


def run_fresh(tmp_path: Path, *args: str) -> dict[str, object]:
    """`erasmo ARGS...` in a fresh process: its exit code, modules and decompressed files."""
    report = tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(report), *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    loaded: dict[str, object] = json.loads(report.read_text())
    return loaded


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a portfolio that trades two bundled tickers over a few years."""
    from erasmo.bootstrap import bootstrap

    data = tmp_path_factory.mktemp("startup") / "data"
    erasmo = bootstrap(data, offline=True)
    try:
        door = erasmo.door
        pid = door.open_portfolio("Guarded", "20000", "2015-03-02").id
        door.buy(pid, "KO", "100", on="2015-03-02")
        door.buy(pid, "AAPL", "20", on="2016-06-01")
        door.sell(pid, "KO", "40", on="2019-10-01")
    finally:
        erasmo.close()
    return data


@pytest.mark.parametrize("command", ["holdings", "performance"])
def test_a_report_loads_only_what_it_needs(data_dir: Path, tmp_path: Path, command: str) -> None:
    for kept in (data_dir / "cache").glob("closes-*.npz"):  # as in a new data directory
        kept.unlink()
    first = run_fresh(tmp_path, "--data-dir", str(data_dir), "--offline", command, "Guarded")
    assert first["code"] == 0
    again = run_fresh(tmp_path, "--data-dir", str(data_dir), "--offline", command, "Guarded")
    assert again["code"] == 0
    modules = set(again["modules"])  # type: ignore[call-overload]
    assert {"pandas", "erasmo.analytics", "erasmo.cli.reports"} <= modules  # it did report
    loaded = sorted(m for m in modules if m.split(".")[0] in NOT_NEEDED)
    assert loaded == []
    assert "erasmo.market.yahoo" not in modules  # offline: no Yahoo provider
    others = sorted(m for m in modules if m.startswith("erasmo.cli.") and "_command" in m)
    assert others == []  # the other commands' modules: only `reports` declares these two
    # the first process parsed the bundled files and kept the closes; the next reads those
    assert first["unzipped"], "the first process should have parsed the bundled price files"
    assert again["unzipped"] == []
    assert list((data_dir / "cache").glob("closes-*.npz"))


def test_a_trade_loads_neither_pandas_nor_numpy(tmp_path: Path) -> None:
    """Buying and selling never simulate orders: the order planner (NumPy) and the analytics
    (pandas) stay out of the process."""
    data = str(tmp_path / "data")
    opened = run_fresh(tmp_path, "--data-dir", data, "--offline", "portfolio", "open", "Quick",
                       "--cash", "1000", "--on", "2015-03-02")  # fmt: skip
    assert opened["code"] == 0
    bought = run_fresh(tmp_path, "--data-dir", data, "--offline", "buy", "Quick", "AAPL", "2",
                       "--on", "2015-03-02")  # fmt: skip
    assert bought["code"] == 0
    modules = set(bought["modules"])  # type: ignore[call-overload]
    assert "erasmo.cli.trade_commands" in modules  # it did trade
    assert not {"numpy", "pandas", "erasmo.simulation.fills", "erasmo.simulation.plan"} & modules
