"""Bad input, property-based: at least 20,000 generated steps of valid and invalid buys, sells,
deposits, withdrawals, openings and imports; no invalid input is accepted, no valid one refused,
no exception but erasmo's own escapes, and every store replays to the model."""

from __future__ import annotations

from reliability.bad_input import run_steps
from reliability.conftest import report

#: CI: >= 20,000 steps in all; full: >= 200,000.
MIN_STEPS = 20_000


def test_no_invalid_input_is_accepted_and_replay_equals_the_model(full: bool) -> None:
    figures = run_steps(MIN_STEPS * (10 if full else 1))
    report(
        "bad-input",
        steps=figures.steps - figures.runs,
        runs=figures.runs,
        inputs_tried=figures.inputs,
        invalid_inputs=figures.invalid_inputs,
        accepted=figures.accepted,
        imports=figures.imports,
        invalid_accepted=len(figures.invalid_accepted),
        valid_refused=len(figures.valid_refused),
        foreign_exceptions=len(figures.foreign_exceptions),
        replays_equal_to_the_model=figures.replays_equal,
    )
    assert figures.invalid_accepted == []
    assert figures.valid_refused == []
    assert figures.foreign_exceptions == []
    assert figures.steps - figures.runs >= MIN_STEPS
    assert figures.replays_equal == figures.runs
    assert figures.invalid_inputs > figures.inputs // 3  # most of what it tried was bad
    assert figures.accepted > 1000  # and a good part was not
