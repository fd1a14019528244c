"""The wheel carries the bundled market data, and erasmo finds it from an installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_resources_and_finds_them(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("erasmo-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for data in ("sp500_dataset.csv.gz", "sp500_index.csv.gz", "bokeh_stocks.csv.gz", "NOTICE"):
        assert f"erasmo/_resources/prices/{data}" in names
    assert "events/application.py" in names
    assert "gui/__init__.py" in names
    assert not any(name.startswith("tests/") for name in names)

    # Run from the unpacked wheel only (not the checkout): the data must come from the wheel.
    probe = (
        "import erasmo.market.resources as r, erasmo.market.bundled as b, datetime;"
        "print(r.prices_dir());"
        "print(b.BundledMarketData().bar('KO', datetime.date(2020, 1, 2)).close)"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "PYTHONSAFEPATH": "1"}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    ).stdout.splitlines()
    assert Path(out[0]) == tmp_path / "site" / "erasmo" / "_resources" / "prices"
    assert out[1] == "49.308"  # KO's adjusted close on 2020-01-02 in sp500_dataset.csv.gz
