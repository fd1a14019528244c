"""The volume cap as the simulation sets and checks it: a percentage of a bar's volume an
order may fill on that bar (docs/fill-rules.md), only where the market data has volume."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from erasmo.market.base import MarketData, TickerInfo
from events.errors import VolumeDataError

#: What removes a cap.
OFF = ("off", "none")


def volume_cap(market: MarketData, text: str | Decimal | int | None) -> Decimal | None:
    """The cap `text` asks for ("10", "2.5"; "off" for none), checked against the market: a
    cap needs data with volume. None for no cap (or when `text` is None: nothing asked)."""
    if text is None or str(text).strip().lower() in OFF:
        return None
    try:
        pct = Decimal(str(text).strip().rstrip("%"))
    except InvalidOperation:
        pct = Decimal("NaN")
    if not pct.is_finite() or not 0 < pct <= 100:
        raise VolumeDataError(
            f"A volume cap of {text!r} is not a percentage above 0 and at most 100: give e.g. "
            "--max-volume-pct 10 (at most 10% of a bar's volume), or 'off' for no cap."
        )
    if not any("volume" in info.fields for info in market.tickers() if info.tradable):
        raise VolumeDataError(
            "The market data has no volume, so fills cannot be capped by it: trade without "
            "--max-volume-pct, or use data with volume (e.g. the bundled SP500 stocks)."
        )
    return pct


def check_volume(info: TickerInfo, cap: Decimal | None, name: str) -> None:
    """Under a cap, an order's ticker must have volume data."""
    if cap is not None and "volume" not in info.fields:
        raise VolumeDataError(
            f"{name!r} caps fills at {cap}% of a bar's volume, but the data of {info.ticker} "
            f"({info.source}) has no volume. Trade a ticker with volume, or remove the cap "
            f"with 'erasmo portfolio rules {name} --max-volume-pct off'."
        )
