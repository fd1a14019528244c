"""Named errors of the market-data side: live prices that could not be had.

Both are `ErasmoError`s, so the CLI prints their message on one line and exits with code 1, and a
command that raises one records nothing. An unknown symbol is `events.errors.UnknownTickerError`;
offline, a symbol that is not bundled is an `OfflineTickerError` (it may well exist on Yahoo).
"""

from __future__ import annotations

from collections.abc import Sequence

from events.errors import ErasmoError, UnknownTickerError


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


class YfinanceMissing(MarketDataUnavailable):
    """Live prices need the yfinance package, which is not installed.

    Not a failure of Yahoo or of the network: erasmo does not pause asking Yahoo for it, so the
    first command after installing yfinance fetches at once.
    """

    def __init__(self) -> None:
        super().__init__(
            "Live prices need yfinance, which is not installed: pip install 'erasmo[market]'.",
            "yfinance is not installed",
        )


class OfflineTickerError(UnknownTickerError):
    """A ticker that is not in the bundled data (nor cached), asked for while erasmo may not use
    the network: it may well exist on Yahoo, so the message says how to get it.

    Attributes:
        ticker: the symbol asked for, upper case.
        suggestions: bundled tickers with a similar symbol (a typo, perhaps).
    """

    def __init__(self, ticker: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(ticker, suggestions)
        hint = f" Did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        self.args = (
            f"{ticker} is not in the bundled data and erasmo is offline (--offline / "
            f"ERASMO_OFFLINE); go online to fetch it from Yahoo.{hint}",
        )
