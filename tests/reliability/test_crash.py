"""Crash safety: writers killed with SIGKILL at random moments, on SQLite and PostgreSQL, lose no
acknowledged command, leave none half-written, and leave a store that passes every check."""

from __future__ import annotations

from pathlib import Path

from reliability.conftest import report
from reliability.crash import api_crash_suite, cli_crash_suite
from reliability.targets import Target

#: CI: 100 kills of the API writer in all (60 on SQLite, 40 on PostgreSQL); full: 10x.
API_KILLS = {"sqlite": 60, "postgres": 40}
CLI_KILLS = {"sqlite": 3, "postgres": 2}


def test_api_writer_killed_at_random_moments_loses_nothing(
    backend: str, full: bool, tmp_path: Path
) -> None:
    kills = API_KILLS[backend] * (10 if full else 1)
    figures = api_crash_suite(backend, kills, seed=8, workdir=tmp_path)
    report(
        f"crash/api/{backend}",
        kills=figures.kills,
        acknowledged=figures.acknowledged,
        lost=len(figures.lost),
        half_written=len(figures.half_written),
        duplicated=len(figures.duplicated),
    )
    assert figures.problems == []
    assert figures.kills == kills
    assert figures.acknowledged > kills  # the writer really wrote between kills
    assert not figures.lost
    assert not figures.half_written
    assert not figures.duplicated


def test_cli_killed_mid_command_loses_nothing(target: Target, full: bool) -> None:
    kills = CLI_KILLS[target.kind] * (10 if full else 1)
    figures = cli_crash_suite(target, kills, seed=8)
    report(
        f"crash/cli/{target.kind}",
        kills=figures.kills,
        acknowledged=figures.acknowledged,
        lost=len(figures.lost),
        half_written=len(figures.half_written),
    )
    assert figures.problems == []
    assert figures.acknowledged >= kills
    assert not figures.lost
    assert not figures.half_written
    assert not figures.duplicated
