"""The data directory and everything erasmo writes there is the owner's only (0700 and 0600),
like the sync token: the store and its journal, backups and the price cache."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runner import Run

from erasmo.market.cache import PriceCache


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The usual umask, which alone would make folders 0755 and files 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_and_store_are_owner_only(tmp_path: Path, run: Run) -> None:
    data = tmp_path / "data"
    code, _, err = run("portfolio", "open", "Tech", "--cash", "1000")
    assert code == 0, err
    assert mode(data) == 0o700
    store_files = [data / "events.sqlite", data / "events.sqlite-wal", data / "events.sqlite-shm"]
    present = [f for f in store_files if f.exists()]
    assert data / "events.sqlite" in present
    assert {f.name: mode(f) for f in present} == {f.name: 0o600 for f in present}

    code, _, err = run("backup", "-o", str(data / "backups" / "manual.sqlite"))
    assert code == 0, err
    assert mode(data / "backups" / "manual.sqlite") == 0o600
    assert not [p.name for p in (data / "backups").iterdir() if p.name != "manual.sqlite"]


def test_an_existing_world_readable_store_is_tightened(tmp_path: Path, run: Run) -> None:
    data = tmp_path / "data"
    assert run("portfolio", "open", "Tech")[0] == 0
    data.chmod(0o755)
    (data / "events.sqlite").chmod(0o644)
    code, out, err = run("portfolio", "list")
    assert code == 0, err
    assert "Tech" in out
    assert mode(data) == 0o700
    assert mode(data / "events.sqlite") == 0o600


def test_the_price_cache_is_owner_only(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path / "prices.sqlite")
    try:
        cache.set_state("probe", "1")
        assert cache.get_state("probe") == "1"
    finally:
        cache.close()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("prices.sqlite")]
    assert files
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
