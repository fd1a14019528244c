"""What a plain `pip install erasmo` gets: the whole app (window, live prices, sync server) with
its bundled market data and its licence, a package-index description without broken images, and
one clear line instead of a traceback when the install is broken or another distribution's
`events` or `gui` hides erasmo's own."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from decimal import Decimal
from email.parser import HeaderParser
from pathlib import Path

import pytest
from test_sync_support import TOKEN, make_install, serve

import erasmo
from events.application import Portfolios
from events.store import StoreConfig

ROOT = Path(__file__).resolve().parents[2]
#: Where the running erasmo, events and gui packages are (the checkout, or an installed copy).
HOME = Path(erasmo.__file__).resolve().parent.parent
REINSTALL = "pipx reinstall erasmo, or pip install --force-reinstall erasmo"


def blocking(*packages: str) -> str:
    """Python source that makes importing any of `packages` fail, as if it were not installed."""
    return (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.partition('.')[0] in {set(packages)!r}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Block())\n"
    )


def erasmo_without(
    packages: tuple[str, ...], *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`erasmo ARGS...` in a fresh process in which `packages` cannot be imported."""
    code = (
        blocking(*packages)
        + f"sys.argv = ['erasmo', *{list(args)!r}]\n"
        + "from erasmo.cli.main import main\nmain()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and the sdist, built from the checkout."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-d", str(out)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return out


def test_wheel_ships_resources_and_finds_them(built: Path, tmp_path: Path) -> None:
    [wheel] = built.glob("erasmo-*.whl")
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


def test_plain_install_requires_the_whole_app_and_the_extras_are_empty_aliases(
    built: Path,
) -> None:
    [wheel] = built.glob("erasmo-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = HeaderParser().parsestr(archive.read("erasmo-0.1.0.dist-info/METADATA").decode())
    requires = metadata.get_all("Requires-Dist") or []
    plain = {re.split(r"[;<>=!~\[ ]", r, maxsplit=1)[0].lower() for r in requires}
    for needed in ("pyside6-essentials", "pyqtgraph", "yfinance", "flask", "waitress"):
        assert needed in plain, f"{needed} is not a dependency of erasmo itself"
    assert {"gui", "sync", "market"} <= set(metadata.get_all("Provides-Extra") or [])
    # An extra that still required something would not be a harmless alias.
    assert not [
        r for r in requires if any(f"extra == '{x}'" in r for x in ("gui", "sync", "market"))
    ]
    assert metadata["License-Expression"] == "BSD-3-Clause"
    assert "erasmo-0.1.0.dist-info/licenses/LICENSE" in names


def test_the_package_index_description_has_no_relative_images_or_links(built: Path) -> None:
    [wheel] = built.glob("erasmo-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read("erasmo-0.1.0.dist-info/METADATA").decode()
    description = text.split("\n\n", 1)[1]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/" in readme  # what the substitutions are for
    assert "](docs/" not in description
    assert "](resources/" not in description
    assert "*[screenshot: History tab, `docs/screenshots/history.png`]*" in description
    assert "The screenshots (`docs/screenshots/`) and the files named above are in" in description
    assert "## A short tour" in description  # the rest of the README is all there


def test_the_sdist_carries_the_licence_and_the_screenshots(built: Path) -> None:
    [sdist] = built.glob("erasmo-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"LICENSE", "README.md", "docs/screenshots/holdings.png", "pyproject.toml"} <= names
    assert (ROOT / "LICENSE").read_text().startswith("BSD 3-Clause License")
    assert "Copyright (c) 2026, the erasmo authors" in (ROOT / "LICENSE").read_text()


# -- a broken install: one line that says what to do, never a traceback ------------------------


@pytest.mark.parametrize("args", [(), ("gui",)], ids=["erasmo", "erasmo gui"])
@pytest.mark.parametrize("missing", ["PySide6", "pyqtgraph"])
def test_without_qt_the_window_says_how_to_repair_the_install(
    tmp_path: Path, args: tuple[str, ...], missing: str
) -> None:
    data = tmp_path / "data"
    done = erasmo_without(
        (missing,), "--data-dir", str(data), *args, cwd=tmp_path, env={"DISPLAY": ":0"}
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"erasmo: the desktop app cannot start: No module named '{missing}'. PySide6 and "
        f"pyqtgraph come with erasmo; reinstall it ({REINSTALL}), or use the commands "
        "(erasmo --help).\n"
    )
    assert done.stdout == ""
    assert not data.exists()  # nothing was opened, let alone written


def test_without_flask_the_server_says_how_to_repair_the_install(tmp_path: Path) -> None:
    done = erasmo_without(("flask",), "--data-dir", str(tmp_path / "d"), "serve", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == (
        "erasmo: The sync server needs Flask and waitress, which come with erasmo (No "
        f"module named 'flask'). Reinstall erasmo: {REINSTALL}.\n"
    )


def test_the_sync_client_needs_no_flask(tmp_path: Path) -> None:
    """`erasmo sync` pulls from a real server in a process where Flask cannot be imported."""
    desktop = make_install(tmp_path / "desktop")
    pid = desktop.open("Tech", cash="2500")
    server = serve(desktop)
    try:
        done = erasmo_without(
            ("flask", "werkzeug", "waitress"),
            "--data-dir",
            str(tmp_path / "laptop"),
            "sync",
            server.url,
            "--token",
            TOKEN,
            cwd=tmp_path,
        )
    finally:
        server.stop()
        desktop.app.close()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Synced with {server.url}: pulled ")
    laptop = Portfolios(StoreConfig.sqlite(tmp_path / "laptop" / "events.sqlite"))
    try:
        [tech] = laptop.summaries()
        assert (tech.id, tech.name, tech.cash) == (pid, "Tech", Decimal("2500"))
    finally:
        laptop.close()


# -- another distribution's `events` or `gui` ---------------------------------------------------


@pytest.mark.parametrize("name", ["events", "gui"])
def test_a_foreign_package_of_the_same_name_is_named_in_one_line(tmp_path: Path, name: str) -> None:
    foreign = tmp_path / "other-site" / name
    foreign.mkdir(parents=True)
    (foreign / "__init__.py").write_text('"""Another distribution\'s package."""\nVALUE = 1\n')
    done = subprocess.run(
        [sys.executable, "-m", "erasmo", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "other-site")},
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"erasmo: the package '{name}' at {foreign} is not erasmo's own (which is in "
        f"{HOME / name}): another distribution uses the same name; install erasmo in an "
        "environment of its own: pipx install erasmo.\n"
    )
    assert done.stdout == ""


def test_a_foreign_events_written_over_erasmos_is_named_in_one_line(
    built: Path, tmp_path: Path
) -> None:
    """pip lets two distributions own the same files: the last one installed wins."""
    [wheel] = built.glob("erasmo-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}
    version = [sys.executable, "-m", "erasmo", "--version"]
    fine = subprocess.run(version, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert (fine.returncode, fine.stdout) == (0, "erasmo, version 0.1.0\n")
    (site / "events" / "__init__.py").write_text('"""Another distribution\'s events."""\n')
    done = subprocess.run(version, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert done.stderr == (
        f"erasmo: the package 'events' in {site / 'events'} is not erasmo's own: another "
        "distribution installed one of the same name over it; install erasmo in an environment "
        "of its own: pipx install erasmo.\n"
    )
    # Without site-packages (-S) only the unpacked wheel is on the path: gui is simply gone.
    (site / "events" / "__init__.py").write_text('ERASMO_PACKAGE = "events"\n')
    shutil.rmtree(site / "gui")
    gone = subprocess.run(
        [sys.executable, "-S", *version[1:]], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert gone.returncode == 1
    assert gone.stderr == (
        f"erasmo: its package 'gui' is missing (expected in {site / 'gui'}); reinstall erasmo, or "
        "install erasmo in an environment of its own: pipx install erasmo.\n"
    )
