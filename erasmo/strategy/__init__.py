"""Strategies as code: a class with declared parameters and hooks, run as a backtest that is an
ordinary simulation portfolio (see `erasmo.strategy.api` and `erasmo.strategy.runner`)."""

from erasmo.strategy.api import Param, Strategy
from erasmo.strategy.context import Context
from erasmo.strategy.errors import LookAheadError, StrategyError, StrategyParameterError

__all__ = [
    "Context",
    "LookAheadError",
    "Param",
    "Strategy",
    "StrategyError",
    "StrategyParameterError",
]
