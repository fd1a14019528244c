"""Every `--json` output ends with a newline (a shell prompt or `cat` of several outputs does
not run into it) and is one JSON document."""

from __future__ import annotations

import json

import pytest
from cli_runner import Run

COMMANDS = [
    ("allocation", "J"),
    ("allocation", "J", "--by", "sector", "--as-of", "2030-01-01"),
    ("income", "J"),
    ("holdings", "J"),
    ("clock", "J"),
    ("orders", "J"),
    ("history", "J"),
    ("trades", "J"),
    ("stats", "J"),
    ("performance", "J"),
    ("actions", "list", "J"),
    ("portfolio", "list"),
    ("portfolio", "rules", "J"),
    ("portfolio", "branches"),
    ("leaderboard",),
    ("prices", "list"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_json_output_ends_with_a_newline(run: Run, command: tuple[str, ...]) -> None:
    code, _, _ = run(
        "portfolio", "open", "J", "--cash", "10000", "--on", "2012-11-01", "--account", "margin"
    )
    assert code == 0
    assert run("buy", "J", "IBM", "10", "--on", "2012-11-01")[0] == 0
    code, out, err = run(*command, "--json")
    assert code == 0, err
    assert out.endswith("\n")
    assert not out.endswith("\n\n")
    json.loads(out)
