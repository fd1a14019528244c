"""Named errors of the market-data side: live prices that could not be had.

Both are `ErasmoError`s, so the CLI prints their message on one line and exits with code 1, and a
command that raises one records nothing. An unknown symbol is `events.errors.UnknownTickerError`.
"""

from __future__ import annotations

from events.errors import ErasmoError


class MarketDataUnavailable(ErasmoError):  # noqa: N818 - the name the issue gives it
    """Live prices could not be fetched: offline, Yahoo down or too slow, or unusable data.

    Attributes:
        reason: the cause in a few words (e.g. "no answer within 15 s"), for status lines.
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


class RateLimited(MarketDataUnavailable):
    """Yahoo refused the request because too many were made (HTTP 429); erasmo waits longer."""
