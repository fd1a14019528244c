"""Reliability suites run bounded for CI; `--runslow` or ERASMO_RELIABILITY_FULL=1 runs the
full counts (as in the issue: 1,000 races, many more kills and generated inputs)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reliability.targets import Target, fresh_target, postgres_answers


def full_run(config: pytest.Config) -> bool:
    """True when the full variants were asked for."""
    flag = config.getoption("--runslow", default=False)
    return bool(flag) or os.environ.get("ERASMO_RELIABILITY_FULL") == "1"


@pytest.fixture(scope="session")
def full(request: pytest.FixtureRequest) -> bool:
    return full_run(request.config)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Each test runs once per backend: "sqlite" or "postgres"."""
    if request.param == "postgres" and not postgres_answers():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PostgreSQL does not answer")
        pytest.skip("no PostgreSQL server answers (it must under CI)")
    return str(request.param)


@pytest.fixture
def target(backend: str, tmp_path: Path) -> Iterator[Target]:
    """An empty store per test, once per backend."""
    with fresh_target(backend, tmp_path / "data") as made:
        yield made


def report(title: str, **figures: object) -> None:
    """Print a suite's figures (shown with pytest -s, and in the bench)."""
    print(f"\n{title}: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in figures.items()))
