"""Fixtures shared by the tests of the `erasmo` package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runner import Run, cli_runner
from test_sync_support import Install, make_certificate, make_install, serve

from erasmo.sync.serving import SyncServer


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """`erasmo` run in-process over a fresh data directory (tmp_path / "data")."""
    return cli_runner(tmp_path / "data", capsys, monkeypatch)


# Two installs and a sync server over the first, for the sync tests (a module may define its own).
@pytest.fixture
def alpha(tmp_path: Path) -> Iterator[Install]:
    install = make_install(tmp_path / "alpha")
    yield install
    install.app.close()


@pytest.fixture
def beta(tmp_path: Path) -> Iterator[Install]:
    install = make_install(tmp_path / "beta")
    yield install
    install.app.close()


@pytest.fixture
def server(alpha: Install) -> Iterator[SyncServer]:
    running = serve(alpha)
    yield running
    running.stop()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, for the TLS sync tests."""
    (tmp_path / "tls").mkdir()
    return make_certificate(tmp_path / "tls")
