"""A columnar copy of the event frame, kept in the data directory and extended incrementally.

Decoding a million JSON events takes seconds; loading their columns from a NumPy file takes a
fraction of one. The cache is a derived read model: it records the log position it reached and a
fingerprint of the event stored there. On load it checks that the store still holds that event
unchanged (a restored or replaced store fails the check and the frame is rebuilt from scratch),
then decodes only the events after it. It is written to a temporary file and renamed into
place, so a crash never leaves a half-written cache; a cache that cannot be read is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from erasmo.projections.frame import EVENT_COLUMNS, EVENT_TYPE_DTYPE, empty_event_frame
from erasmo.projections.source import HAD_VOIDS, UNREADABLE, load_event_frame
from events.application import Portfolios

#: 2: the ratio column and the corporate-action types; 3: branch and order types; 4: reopen and
#: delete types
CACHE_FORMAT = 4
#: Write the cache back when at least this many new events were decoded.
WRITE_THRESHOLD = 1
_FLOAT_COLUMNS = ("quantity", "price", "value", "fee", "amount", "ratio")


@dataclass(frozen=True, slots=True)
class CacheStats:
    """What the last `load` did: events read from the cache and decoded from the store."""

    cached: int
    decoded: int
    rebuilt: bool


class EventFrameCache:
    """The store's event frame, from the columnar cache plus the events recorded since."""

    def __init__(self, app: Portfolios, directory: Path) -> None:
        self.app = app
        key = hashlib.sha256(app.store.describe().encode()).hexdigest()[:16]
        self.path = directory / f"eventframe-{key}.npz"
        self.last = CacheStats(0, 0, rebuilt=False)

    def load(self) -> pd.DataFrame:
        """Every portfolio event in the store, in log order, as an event frame."""
        cached = self._read()
        tail = None if cached is None else load_event_frame(self.app, after=cached[1])
        if cached is None or tail is None or tail.attrs.get(HAD_VOIDS):
            # (a void recorded since may take out an event of the cached part)
            frame = load_event_frame(self.app)
            self.last = CacheStats(0, len(frame), rebuilt=True)
        else:
            frame, _head = cached
            self.last = CacheStats(len(frame), len(tail), rebuilt=False)
            unreadable = tail.attrs.get(UNREADABLE, frozenset())
            if unreadable:  # a portfolio with an unreadable event is left out whole
                frame = frame[~frame["portfolio"].isin(unreadable)].reset_index(drop=True)
            if len(tail):
                frame = pd.concat([frame, tail], ignore_index=True)
                frame["type"] = frame["type"].astype(EVENT_TYPE_DTYPE)
            frame.attrs[UNREADABLE] = unreadable
        # A frame missing unreadable portfolios is not cached: the next load finds them again.
        if self.last.decoded >= WRITE_THRESHOLD and not frame.attrs.get(UNREADABLE):
            self.write(frame)
        return frame

    def clear(self) -> None:
        """Forget the cache (the next load decodes the whole store)."""
        self.path.unlink(missing_ok=True)

    def write(self, frame: pd.DataFrame) -> None:
        """Save `frame` (which must be the store's log up to its last row) atomically."""
        if frame.empty:
            return
        head = int(frame["seq"].to_numpy(np.int64)[-1])
        tickers, ticker_codes = _codes(frame["ticker"])
        portfolios, portfolio_codes = _codes(frame["portfolio"])
        meta = {"format": CACHE_FORMAT, "head": head, "fingerprint": self._fingerprint(head)}
        arrays = {
            "meta": np.array(json.dumps(meta)),
            "seq": frame["seq"].to_numpy(np.int64),
            "version": frame["version"].to_numpy(np.int64),
            "type": frame["type"].cat.codes.to_numpy(np.int8),
            "on": frame["on"].to_numpy("datetime64[ns]").view(np.int64),
            "tickers": tickers,
            "ticker_codes": ticker_codes,
            "portfolios": portfolios,
            "portfolio_codes": portfolio_codes,
            **{c: frame[c].to_numpy(np.float64) for c in _FLOAT_COLUMNS},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        try:
            with tmp.open("wb") as handle:
                np.savez(handle, **arrays)  # type: ignore[arg-type]
            tmp.replace(self.path)
        finally:
            tmp.unlink(missing_ok=True)

    def _read(self) -> tuple[pd.DataFrame, int] | None:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format") != CACHE_FORMAT:
                    return None
                head = int(meta["head"])
                if meta.get("fingerprint") != self._fingerprint(head):
                    return None  # the store no longer holds what the cache was built from
                frame = _frame_from(data)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
            return None
        return frame, head

    def _fingerprint(self, seq: int) -> str | None:
        for batch in self.app.reader.rows(after=seq - 1, upto=seq):
            _, oid, version, topic, state = batch[0]
            digest = hashlib.sha256(f"{oid}|{version}|{topic}|".encode() + state)
            return digest.hexdigest()
        return None


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    categorical = pd.Categorical(column)
    labels = np.asarray(categorical.categories.astype(str), dtype=str)
    return labels, categorical.codes.astype(np.int32)


def _decoded_labels(labels: np.ndarray, codes: np.ndarray) -> np.ndarray:
    values = np.empty(len(codes), dtype=object)
    present = codes >= 0
    values[present] = labels.astype(object)[codes[present]]
    values[~present] = None
    return values


def _frame_from(data: np.lib.npyio.NpzFile) -> pd.DataFrame:
    if len(data["seq"]) == 0:
        return empty_event_frame()
    frame = pd.DataFrame(
        {
            "seq": data["seq"],
            "portfolio": pd.Series(
                _decoded_labels(data["portfolios"], data["portfolio_codes"]), dtype=object
            ),
            "version": data["version"],
            "type": pd.Categorical.from_codes(data["type"], dtype=EVENT_TYPE_DTYPE),
            "on": data["on"].view("datetime64[ns]"),
            "ticker": pd.Series(
                _decoded_labels(data["tickers"], data["ticker_codes"]), dtype=object
            ),
            **{c: data[c] for c in _FLOAT_COLUMNS},
        },
        copy=False,  # the arrays were just read for this frame: no second copy
    )
    assert list(frame.columns) == list(EVENT_COLUMNS)
    return frame
