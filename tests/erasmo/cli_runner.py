"""Running the `erasmo` command in-process, as a user would type it, over a test's data
directory: `run("buy", "Tech", "AAPL", "10")` -> (exit code, stdout, stderr)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from erasmo.cli.main import main

Run = Callable[..., tuple[int, str, str]]


def cli_runner(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Run:
    """A function running `erasmo --data-dir DATA_DIR ARGS...` through its console entry point
    (so exit codes and error messages are the user's)."""

    def invoke(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["erasmo", "--data-dir", str(data_dir), *args])
        with pytest.raises(SystemExit) as exited:
            main()
        out, err = capsys.readouterr()
        code = exited.value.code
        return (code if isinstance(code, int) else 1), out, err

    return invoke
