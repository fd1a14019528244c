"""Concurrency: two writers racing to sell the last shares, on SQLite and PostgreSQL, as
separate processes and as threads: exactly one wins each race, the other is refused with a
named error, nothing is lost; a reader tailing the log never skips an event."""

from __future__ import annotations

from typing import Literal

import pytest

from reliability.conftest import report
from reliability.races import race_suite, tail_suite
from reliability.targets import Target

#: CI: 100 races per backend as processes, 20 as threads; full: 1,000 and 200.
RACES = {"processes": 100, "threads": 20}


@pytest.mark.parametrize("mode", ["processes", "threads"])
def test_exactly_one_writer_sells_the_last_shares(
    target: Target, mode: Literal["processes", "threads"], full: bool
) -> None:
    races = RACES[mode] * (10 if full else 1)
    figures = race_suite(target, races, seed=8, mode=mode)
    report(
        f"races/{target.kind}/{mode}",
        races=figures.races,
        retried_after_a_conflict=figures.retried,
        double_sells=figures.double_sells,
        no_winner=figures.no_winner,
        lost=figures.lost,
        outcomes=dict(figures.outcomes),
    )
    assert figures.problems == []
    assert figures.races == races
    assert figures.double_sells == 0
    assert figures.no_winner == 0
    assert figures.lost == 0
    assert figures.outcomes["won"] == races
    assert set(figures.outcomes) <= {"won", "refused", "conflict"}


def test_a_reader_tailing_the_log_never_skips_an_event(target: Target, full: bool) -> None:
    figures = tail_suite(target, commands=2000 if full else 100)
    report(
        f"tail/{target.kind}",
        committed=figures.committed,
        seen=figures.seen,
        skipped=figures.skipped,
        repeated=figures.repeated,
        reads=figures.reads,
    )
    assert figures.committed >= 2 * 100
    assert figures.reads > 10  # it really read while the writers wrote
    assert figures.skipped == 0
    assert figures.repeated == 0
    assert figures.out_of_order == 0
    assert figures.seen == figures.committed
