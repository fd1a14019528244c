"""Every refusal is one line on stderr, "erasmo: ..." with what to do: usage mistakes (which
click prints on four lines), files that cannot be written, a token that cannot be asked for."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from cli_runner import Run


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["buy"], "Missing argument 'NAME'; see 'erasmo buy --help'."),
        (["portfolio", "open"], "Missing argument 'NAME'; see 'erasmo portfolio open --help'."),
        (["nosuch"], "No such command 'nosuch'; see 'erasmo --help'."),
        (["portfolio", "list", "--bogus"], "No such option '--bogus'"),
        (["deposit", "Tech", "ten"], "Amount 'ten'"),
        (["portfolio", "open", "\u0422ech"], "type each word in one alphabet"),
        (["export", "-o", "/nonexistent-erasmo-dir/log.jsonl"], "No such file or directory"),
    ],
)
def test_a_refusal_is_one_line(run: Run, args: list[str], says: str) -> None:
    assert run("portfolio", "open", "Tech")[0] == 0
    code, _, err = run(*args)
    assert code in (1, 2)
    assert err.count("\n") == 1, err
    assert err.startswith("erasmo: ")
    assert says in err


def test_sync_without_a_token_and_no_terminal_is_one_line(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run("sync", "http://127.0.0.1:9")
    assert code == 2
    assert err == (
        "erasmo: Give the server's token with --token (or on standard input); "
        "see 'erasmo sync --help'.\n"
    )
