"""A branch's fork point after its log travels: imported into another store (with events of its
own before), `portfolio branches` and the branch's history give the position of the parent's
event in that store, found by the parent's version; without the parent, they say so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import Run, cli_runner


def test_branch_positions_after_import_point_at_the_fork_event_of_this_store(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where the fork is made: Tech's log is 1 (opened), 2 (deposit) with the catalog's 3 and 4,
    # then its buy at 5 and its sell at 6; the branch is forked after the buy (version 3).
    run("portfolio", "open", "Tech", "--cash", "10000", "--on", "2015-03-02")
    run("buy", "Tech", "AAPL", "10", "--on", "2015-03-02")
    run("sell", "Tech", "AAPL", "4", "--on", "2016-03-01")
    code, _, err = run("portfolio", "fork", "Tech", "Kept", "--at", "5")
    assert (code, err) == (0, "")
    assert json.loads(run("portfolio", "branches", "--json")[1])[0]["parent_seq"] == 5
    log = tmp_path / "tech.jsonl"
    assert run("export", "-o", str(log))[0] == 0

    # Another store, with events of its own before the import: Other's opening (1), deposit
    # (2), the catalog's creation (3) and claim (4), and a second deposit (5).
    other = cli_runner(tmp_path / "other", capsys, monkeypatch)
    other("portfolio", "open", "Other", "--cash", "500", "--on", "2015-03-02")
    other("deposit", "Other", "100", "--on", "2015-03-03")
    code, _, err = other("import", str(log))
    assert code == 0, err
    tech = json.loads(other("history", "Tech", "--json")[1])
    bought = next(e for e in tech if e["version"] == 3)
    assert bought["type"] == "SharesBought"
    assert bought["seq"] != 5  # the origin's position is another event here

    (listed,) = json.loads(other("portfolio", "branches", "--json")[1])
    assert (listed["parent"], listed["parent_version"]) == ("Tech", 3)
    assert listed["parent_seq"] == bought["seq"]
    table = other("portfolio", "branches")[1]
    assert table.splitlines()[2].split()[-2:] == ["3", str(bought["seq"])]
    kept = json.loads(other("history", "Kept", "--json")[1])
    assert kept[1]["type"] == "BranchForked"
    assert kept[1]["parent_seq"] == bought["seq"]
    assert f"from 'Tech' after its event 3 (seq {bought['seq']})" in other("history", "Kept")[1]

    # Imported without its parent, the branch says its fork point is not in this store.
    alone = tmp_path / "kept.jsonl"
    assert run("export", "Kept", "-o", str(alone))[0] == 0
    third = cli_runner(tmp_path / "third", capsys, monkeypatch)
    assert third("import", str(alone))[0] == 0
    (listed,) = json.loads(third("portfolio", "branches", "--json")[1])
    assert (listed["parent_present"], listed["parent_seq"]) == (False, None)
    assert "from 'Tech' after its event 3 (not in this store)" in third("history", "Kept")[1]
