"""Strategies as code: a class with declared parameters and hooks, run as a backtest that is an
ordinary simulation portfolio (see `erasmo.strategy.api` and `erasmo.strategy.runner`)."""

from erasmo.strategy.api import (
    LookAheadError,
    Param,
    Strategy,
    StrategyError,
    StrategyParameterError,
)
from erasmo.strategy.context import Context

__all__ = [
    "Context",
    "LookAheadError",
    "Param",
    "Strategy",
    "StrategyError",
    "StrategyParameterError",
]
