"""The price cache: a SQLite file (`prices.sqlite` in the data directory) of fetched daily bars,
corporate actions, and the date ranges already fetched per ticker.

- Only missing ranges are fetched: `missing()` says which part of a wanted range no fetch has
  covered yet (a covered range may hold no bars on holidays: it was asked for, so it is known).
- Bars once cached are kept as they are (`INSERT OR IGNORE`): a trade priced from a cached bar
  stays equal to it, even if the source later revises its history.
- Safe for the GUI and the CLI at once: WAL mode, a busy timeout, and each fetch stored in one
  `BEGIN IMMEDIATE` transaction, so a process killed mid-write leaves the cache as it was before.
- Reading never creates the file: with no cache yet, every query is empty.
- It holds only copies of downloaded prices: `clear()` (`erasmo prices clear`) empties it.

Standard library only (the write path reads it).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from erasmo.market.base import Bar, CorporateAction
from erasmo.market.errors import MarketDataUnavailable
from events.store import make_private_file

CACHE_FILE = "prices.sqlite"
CACHE_FORMAT = 1
#: The start recorded for a fetch of a ticker's whole history.
EARLIEST = date(1900, 1, 1)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cache_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tickers (
    ticker TEXT PRIMARY KEY, source TEXT NOT NULL, currency TEXT, name TEXT NOT NULL,
    fetched_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bars (
    ticker TEXT NOT NULL, day TEXT NOT NULL, open TEXT, high TEXT, low TEXT,
    close TEXT NOT NULL, adj_close TEXT, volume INTEGER,
    PRIMARY KEY (ticker, day)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS actions (
    ticker TEXT NOT NULL, day TEXT NOT NULL, kind TEXT NOT NULL, ratio TEXT, amount TEXT,
    source TEXT NOT NULL, PRIMARY KEY (ticker, day, kind)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ranges (
    ticker TEXT NOT NULL, start TEXT NOT NULL, stop TEXT NOT NULL,
    PRIMARY KEY (ticker, start)) WITHOUT ROWID;
"""

Range = tuple[date, date]


@dataclass(frozen=True, slots=True)
class CachedTicker:
    """One ticker in the cache.

    Attributes:
        ticker, source: the symbol and the provenance label of its prices ("yahoo").
        currency, name: as the source gave them.
        first, last: the first and last day with a bar.
        bars: how many bars are cached.
        covered_to: the last day fetched (the source had nothing newer then).
        fetched_at: when it was last fetched (UTC).
    """

    ticker: str
    source: str
    currency: str | None
    name: str
    first: date
    last: date
    bars: int
    covered_to: date
    fetched_at: datetime


def merge_ranges(ranges: Sequence[Range]) -> list[Range]:
    """Ranges merged where they overlap or touch (day after day), in order."""
    merged: list[Range] = []
    for start, stop in sorted(ranges):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def gaps(covered: Sequence[Range], start: date, stop: date) -> list[Range]:
    """The parts of [start, stop] outside every covered range."""
    found: list[Range] = []
    cursor = start
    for first, last in merge_ranges(covered):
        if last < cursor:
            continue
        if first > stop:
            break
        if first > cursor:
            found.append((cursor, first - timedelta(days=1)))
        cursor = max(cursor, last + timedelta(days=1))
    if cursor <= stop:
        found.append((cursor, stop))
    return found


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _number(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


class PriceCache:
    """The price cache file (see the module docstring). Thread-safe; one connection per instance."""

    def __init__(self, path: Path, busy_timeout: float = 30.0) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    # -- connection -----------------------------------------------------------------------

    def _connection(self, create: bool) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if not create and not self.path.exists():
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            make_private_file(self.path)  # its -wal and -shm take its mode
            db = sqlite3.connect(
                self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
            _switch_to_wal(db, self.busy_timeout)
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(
                    "INSERT OR IGNORE INTO cache_meta VALUES ('format', ?)", (str(CACHE_FORMAT),)
                )
                found = db.execute("SELECT value FROM cache_meta WHERE key='format'").fetchone()
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as error:
            raise self._damaged(error) from None
        if int(found[0]) > CACHE_FORMAT:
            db.close()
            raise MarketDataUnavailable(
                f"The price cache {self.path} was written by a newer erasmo. Update erasmo, or "
                "run 'erasmo prices clear' to start the cache afresh."
            )
        self._db = db
        return db

    def _damaged(self, error: sqlite3.Error) -> MarketDataUnavailable:
        if _locked(error):
            return MarketDataUnavailable(
                f"The price cache {self.path} stayed locked by another erasmo for "
                f"{self.busy_timeout:g} s. Try again when it is done."
            )
        return MarketDataUnavailable(
            f"The price cache {self.path} cannot be read ({error}). Run 'erasmo prices clear' to "
            "start it afresh: it holds only copies of downloaded prices."
        )

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        with self._lock:
            try:
                yield self._connection(create=False)
            except sqlite3.DatabaseError as error:
                raise self._damaged(error) from None

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One transaction: all of it is stored, or (on any error, or a kill) none of it."""
        with self._lock:
            db = self._connection(create=True)
            assert db is not None
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
            except sqlite3.DatabaseError as error:
                raise self._damaged(error) from None

    def close(self) -> None:
        """Release the connection."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- writing --------------------------------------------------------------------------

    def store(
        self,
        ticker: str,
        source: str,
        bars: Sequence[Bar],
        actions: Sequence[CorporateAction],
        covered: Range,
        currency: str | None = None,
        name: str = "",
        fetched_at: datetime | None = None,
    ) -> int:
        """Store one fetch (bars, actions, and the range it covered) at once; returns bars added."""
        moment = (fetched_at or datetime.now(UTC)).isoformat(timespec="seconds")
        with self._writing() as db:
            before = db.total_changes
            rows = _bar_rows(ticker, bars)
            db.executemany("INSERT OR IGNORE INTO bars VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            added = db.total_changes - before
            db.executemany(
                "INSERT OR IGNORE INTO actions VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (ticker, a.day.isoformat(), a.kind, _text(a.ratio), _text(a.amount), a.source)
                    for a in actions
                ],
            )
            _add_range(db, ticker, covered)
            db.execute(
                "INSERT INTO tickers VALUES (?, ?, ?, ?, ?) ON CONFLICT (ticker) DO UPDATE SET "
                "source=excluded.source, currency=coalesce(excluded.currency, currency), "
                "name=CASE WHEN excluded.name='' THEN name ELSE excluded.name END, "
                "fetched_at=excluded.fetched_at",
                (ticker, source, currency, name, moment),
            )
            db.execute(
                "INSERT INTO state VALUES ('last_refresh', ?) "
                "ON CONFLICT (key) DO UPDATE SET value=excluded.value",
                (moment,),
            )
        return added

    def clear(self, tickers: Sequence[str] | None = None) -> tuple[int, int]:
        """Forget the given tickers (default: all); returns (tickers, bars) removed.

        A cache that cannot be read at all is deleted instead (it holds only copies).
        """
        try:
            with self._writing() as db:
                where, args = "", tuple[str, ...]()
                if tickers is not None:
                    where = f" WHERE ticker IN ({', '.join('?' * len(tickers))})"
                    args = tuple(tickers)
                count = db.execute(f"SELECT count(*) FROM tickers{where}", args).fetchone()[0]
                bars = db.execute(f"SELECT count(*) FROM bars{where}", args).fetchone()[0]
                for table in ("bars", "actions", "ranges", "tickers"):
                    db.execute(f"DELETE FROM {table}{where}", args)
                if tickers is None:
                    db.execute("DELETE FROM state")
        except MarketDataUnavailable:
            if tickers is not None:
                raise
            self.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return 0, 0
        return int(count), int(bars)

    # -- state (back-off, last refresh) ---------------------------------------------------

    def get_state(self, key: str) -> str | None:
        """A value of the state table, or None."""
        with self._reading() as db:
            if db is None:
                return None
            row = db.execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str | None) -> None:
        """Set (or, with None, remove) a value of the state table."""
        if value is None and not self.path.exists():
            return
        with self._writing() as db:
            if value is None:
                db.execute("DELETE FROM state WHERE key=?", (key,))
            else:
                db.execute(
                    "INSERT INTO state VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value=excluded.value",
                    (key, value),
                )

    def last_refresh(self) -> datetime | None:
        """When a fetch was last stored (UTC), or None."""
        value = self.get_state("last_refresh")
        return None if value is None else datetime.fromisoformat(value)

    # -- reading --------------------------------------------------------------------------

    def covered(self, ticker: str) -> list[Range]:
        """The ranges of days already fetched for `ticker`."""
        with self._reading() as db:
            if db is None:
                return []
            rows = db.execute(
                "SELECT start, stop FROM ranges WHERE ticker=? ORDER BY start", (ticker,)
            ).fetchall()
        return [(date.fromisoformat(s), date.fromisoformat(e)) for s, e in rows]

    def missing(self, ticker: str, start: date, stop: date) -> list[Range]:
        """The parts of [start, stop] never fetched for `ticker`."""
        return gaps(self.covered(ticker), start, stop)

    def bars(self, ticker: str, start: date | None = None, stop: date | None = None) -> list[Bar]:
        """The cached bars of `ticker` with start <= day <= stop, in date order."""
        low = (start or date.min).isoformat()
        high = (stop or date.max).isoformat()
        with self._reading() as db:
            if db is None:
                return []
            rows = db.execute(
                "SELECT day, open, high, low, close, adj_close, volume FROM bars "
                "WHERE ticker=? AND day BETWEEN ? AND ? ORDER BY day",
                (ticker, low, high),
            ).fetchall()
        return [
            Bar(
                ticker,
                date.fromisoformat(day),
                _number(o),
                _number(h),
                _number(lo),
                Decimal(c),
                _number(a),
                v,
            )
            for day, o, h, lo, c, a, v in rows
        ]

    def days(self, ticker: str) -> list[date]:
        """The days `ticker` has a cached bar, in order."""
        with self._reading() as db:
            if db is None:
                return []
            rows = db.execute("SELECT day FROM bars WHERE ticker=? ORDER BY day", (ticker,))
            return [date.fromisoformat(d) for (d,) in rows]

    def days_after(self, day: date) -> list[date]:
        """Every day after `day` on which any cached ticker has a bar, in order."""
        with self._reading() as db:
            if db is None:
                return []
            rows = db.execute(
                "SELECT DISTINCT day FROM bars WHERE day > ? ORDER BY day", (day.isoformat(),)
            )
            return [date.fromisoformat(d) for (d,) in rows]

    def actions(
        self, ticker: str, start: date | None = None, stop: date | None = None
    ) -> list[CorporateAction]:
        """The cached splits and dividends of `ticker` with start <= ex-date <= stop."""
        low = (start or date.min).isoformat()
        high = (stop or date.max).isoformat()
        with self._reading() as db:
            if db is None:
                return []
            rows = db.execute(
                "SELECT day, kind, ratio, amount, source FROM actions "
                "WHERE ticker=? AND day BETWEEN ? AND ? ORDER BY day, kind DESC",
                (ticker, low, high),
            ).fetchall()
        return [
            CorporateAction(ticker, date.fromisoformat(d), k, _number(r), _number(a), s)
            for d, k, r, a, s in rows
        ]

    def listing(self, ticker: str | None = None) -> list[CachedTicker]:
        """Every cached ticker (or just `ticker`) with its range, sorted by symbol."""
        with self._reading() as db:
            if db is None:
                return []
            rows = db.execute(
                "SELECT t.ticker, t.source, t.currency, t.name, t.fetched_at, "
                "(SELECT min(day) FROM bars b WHERE b.ticker=t.ticker), "
                "(SELECT max(day) FROM bars b WHERE b.ticker=t.ticker), "
                "(SELECT count(*) FROM bars b WHERE b.ticker=t.ticker), "
                "(SELECT max(stop) FROM ranges r WHERE r.ticker=t.ticker) "
                "FROM tickers t WHERE ? IS NULL OR t.ticker=? ORDER BY t.ticker",
                (ticker, ticker),
            ).fetchall()
        return [
            CachedTicker(
                ticker=t,
                source=s,
                currency=c,
                name=n,
                first=date.fromisoformat(first),
                last=date.fromisoformat(last),
                bars=count,
                covered_to=date.fromisoformat(stop),
                fetched_at=datetime.fromisoformat(at),
            )
            for t, s, c, n, at, first, last, count, stop in rows
            if first is not None and stop is not None
        ]

    def size(self) -> int:
        """Bytes on disk (the file and its write-ahead log)."""
        return sum(
            Path(f"{self.path}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{self.path}{suffix}").exists()
        )


def _locked(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _switch_to_wal(db: sqlite3.Connection, timeout: float) -> None:
    """Put the file in WAL mode. SQLite answers "database is locked" at once, without waiting
    for its busy timeout, while another connection opens or switches the same new file; wait
    for that one instead, up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if not _locked(error) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def _bar_rows(ticker: str, bars: Sequence[Bar]) -> list[tuple[object, ...]]:
    """The rows of the `bars` table for `bars` (prices as text, so no float ever rounds them)."""
    return [
        (
            ticker,
            b.day.isoformat(),
            _text(b.open),
            _text(b.high),
            _text(b.low),
            str(b.close),
            _text(b.adj_close),
            b.volume,
        )
        for b in bars
    ]


def _add_range(db: sqlite3.Connection, ticker: str, covered: Range) -> None:
    """Record that `covered` was fetched for `ticker`, merged with the ranges known already."""
    known = [
        (date.fromisoformat(s), date.fromisoformat(e))
        for s, e in db.execute("SELECT start, stop FROM ranges WHERE ticker=?", (ticker,))
    ]
    db.execute("DELETE FROM ranges WHERE ticker=?", (ticker,))
    db.executemany(
        "INSERT INTO ranges VALUES (?, ?, ?)",
        [(ticker, s.isoformat(), e.isoformat()) for s, e in merge_ranges([*known, covered])],
    )
