"""pandas views of the bundled and cached prices, for the read side (charts, analytics).

This module imports pandas; the write path must not import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from erasmo.market.bundled import (
    BOKEH,
    BOKEH_FILE,
    DATASET_FILE,
    INDEX_FILE,
    INDEX_TICKER,
    BundledMarketData,
)
from erasmo.market.chain import SourceChain


def close_frame(
    market: BundledMarketData,
    tickers: Sequence[str] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """The daily closes of `tickers` (default: every ticker of `market`) as floats.

    Each ticker's closes come from the source `market` serves it from (the merge rule), so they
    equal `market.bar(...).close`. Rows are the union of the tickers' days, start <= day <= end,
    in a DatetimeIndex named "date"; columns are the upper-case tickers, in the order asked for;
    NaN where a ticker has no close that day. Unknown tickers raise UnknownTickerError.
    """
    infos = market.tickers() if tickers is None else [market.info(t) for t in tickers]
    columns = list(dict.fromkeys(info.ticker for info in infos))
    dataset = [i.ticker for i in infos if i.source != BOKEH and i.ticker != INDEX_TICKER]
    bokeh = [i.ticker for i in infos if i.source == BOKEH]
    parts: list[pd.DataFrame] = []
    if dataset:
        parts.append(_unique(_read(market, DATASET_FILE, ["Date", *sorted(set(dataset))])))
    if INDEX_TICKER in columns:
        index = _unique(_read(market, INDEX_FILE, ["Date", "SP500"]))
        parts.append(index.rename(columns={"SP500": INDEX_TICKER}))
    if bokeh:
        long = _read(market, BOKEH_FILE, ["Ticker", "Date", "Close"])
        long = long[long["Ticker"].str.strip().str.upper().isin(bokeh)]
        long = long.assign(Ticker=long["Ticker"].str.strip().str.upper()).reset_index()
        long = long.drop_duplicates(["Date", "Ticker"]).dropna(subset=["Close"])
        parts.append(long.pivot(index="Date", columns="Ticker", values="Close"))
    frame = pd.concat(parts, axis=1).sort_index() if parts else pd.DataFrame()
    frame = frame.reindex(columns=columns).astype("float64")
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    frame.columns.name = "ticker"
    if start is not None:
        frame = frame[frame.index >= pd.Timestamp(start)]
    if end is not None:
        frame = frame[frame.index <= pd.Timestamp(end)]
    return frame.dropna(how="all")


def _read(market: BundledMarketData, name: str, columns: list[str]) -> pd.DataFrame:
    """`columns` of a bundled file, indexed by its parsed Date (rows with a bad date dropped)."""
    frame = pd.read_csv(market.directory / name, usecols=columns, skipinitialspace=True)
    frame.index = pd.to_datetime(frame.pop("Date"), format="%Y-%m-%d", errors="coerce")
    return frame[frame.index.notna()]


def _unique(frame: pd.DataFrame) -> pd.DataFrame:
    """The first row of each date (as BundledMarketData keeps)."""
    return frame[~frame.index.duplicated()]


def chain_close_frame(chain: SourceChain) -> pd.DataFrame:
    """The daily closes of every ticker the chain serves: the bundled ones (as `close_frame`),
    then the cached Yahoo ones, each from its one source. Without a cached ticker this is exactly
    `close_frame(chain.bundled)`."""
    frame = close_frame(chain.bundled)
    cached = [t.ticker for t in chain.cache.listing() if t.ticker not in frame.columns]
    if not cached:
        return frame
    columns = {}
    for ticker in cached:
        bars = chain.cache.bars(ticker)
        index = pd.DatetimeIndex([pd.Timestamp(b.day) for b in bars], name="date")
        columns[ticker] = pd.Series([float(b.close) for b in bars], index=index, dtype="float64")
    extra = pd.DataFrame(columns)
    joined = frame.join(extra, how="outer").sort_index()
    joined.index = pd.DatetimeIndex(joined.index, name="date")
    joined.columns.name = "ticker"
    return joined
