"""Fixtures shared by the tests of the `erasmo` package."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import Run, cli_runner


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """`erasmo` run in-process over a fresh data directory (tmp_path / "data")."""
    return cli_runner(tmp_path / "data", capsys, monkeypatch)
