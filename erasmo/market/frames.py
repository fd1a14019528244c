"""pandas views of the bundled and cached prices, for the read side (charts, analytics).

This module imports pandas; the write path must not import it.

Parsing the bundled files takes a good part of a second, more than a whole `erasmo holdings`
otherwise needs: `chain_close_frame` keeps their parsed closes in the data directory's `cache/`
folder as a NumPy file named after a hash of the files, so a changed file is parsed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
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
    frame = stored_close_frame(chain.bundled, chain.cache.path.parent / CLOSES_DIR)
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


#: The folder of the data directory that holds the parsed closes (beside the event frame's).
CLOSES_DIR = "cache"
#: Bump when the layout of the stored closes changes.
CLOSES_FORMAT = 1


def stored_close_frame(market: BundledMarketData, directory: Path) -> pd.DataFrame:
    """`close_frame(market)`, read from `directory` when a copy parsed from the same files is
    there, else parsed and stored there (best effort: a folder erasmo cannot write to only
    costs the parsing)."""
    path = directory / f"closes-{closes_key(market)}.npz"
    frame = _stored(path)
    if frame is None:
        frame = close_frame(market)
        with contextlib.suppress(OSError):
            _store(path, frame)
    return frame


def _stored(path: Path) -> pd.DataFrame | None:
    """The closes stored at `path`, or None when there are none or they are out of shape."""
    try:
        with np.load(path, allow_pickle=False) as data:
            closes, days, tickers = data["closes"], data["days"], data["tickers"]
            if closes.dtype != np.float64 or days.dtype.kind != "M" or tickers.dtype.kind != "U":
                return None
            return pd.DataFrame(
                closes,
                index=pd.DatetimeIndex(days, name="date"),
                columns=pd.Index(tickers.tolist(), name="ticker"),
            )
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        return None


def closes_key(market: BundledMarketData) -> str:
    """A hash of what `close_frame(market)` is parsed from: the bundled files and the source (and
    of the pandas and NumPy that parse them, whose defaults may change the frame's types)."""
    versions = f"{CLOSES_FORMAT}|{pd.__version__}|{np.__version__}"
    digest = hashlib.sha256(f"{versions}|{market.source}".encode())
    for name in (DATASET_FILE, INDEX_FILE, BOKEH_FILE):
        try:
            content = (market.directory / name).read_bytes()
        except FileNotFoundError:
            content = b"missing"
        digest.update(f"|{name}|{len(content)}|".encode())
        digest.update(content)
    return digest.hexdigest()[:16]


def _store(path: Path, frame: pd.DataFrame) -> None:
    """Write `frame` to `path` atomically, removing the copies parsed from older files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with tmp.open("wb") as handle:
            np.savez(
                handle,
                closes=frame.to_numpy(np.float64),
                days=frame.index.to_numpy(),
                tickers=np.array([str(t) for t in frame.columns], dtype=str),
            )
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    for old in path.parent.glob("closes-*.npz"):
        if old != path:
            old.unlink(missing_ok=True)
