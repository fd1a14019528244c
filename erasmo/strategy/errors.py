"""The named errors of strategies and backtests; each one means nothing was recorded."""

from __future__ import annotations

from events.errors import ErasmoError, InvalidInputError


class StrategyError(ErasmoError):
    """A strategy cannot be loaded or run; nothing was recorded."""


class LookAheadError(StrategyError):
    """A strategy asked for data after its clock: the future cannot be read."""


class StrategyParameterError(InvalidInputError):
    """A strategy parameter is unknown or its value does not have the declared type."""
