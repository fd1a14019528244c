"""The read-side facade: the event frame, the price frame and the projections, per portfolio.

The CLI and the GUI ask this class for holdings, value series and metrics; it keeps the event
frame (from the columnar cache in the data directory, extended with newer events) and one
incremental `ProjectionState` per portfolio, so a new event costs only its own folding-in.
Time travel (as of a log position or a date) rebuilds from the matching prefix of the frame.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np
import pandas as pd

from erasmo.market.base import MarketData
from erasmo.projections import (
    EVENT_TYPES,
    Metrics,
    ProjectionState,
    Snapshot,
    ValueSeries,
    as_of,
    daily_returns,
    monthly_returns,
    performance,
    snapshot,
    value_series,
)
from erasmo.projections.cache import EventFrameCache
from erasmo.projections.live import LiveProjection
from erasmo.projections.replay import replay_steps
from erasmo.projections.source import HAD_VOIDS, UNREADABLE, load_event_frame
from events.application import Portfolios
from events.errors import ErasmoError

BENCHMARK = "^GSPC"
#: The code of the event that sets a portfolio's mode (live or simulation).
_RULES = EVENT_TYPES.index("TradingRulesSet")


@dataclass(frozen=True, slots=True)
class Moment:
    """A point of a portfolio's history: after log position `seq`, or at the end of date `on`."""

    seq: int | None = None
    on: date | None = None

    @property
    def is_now(self) -> bool:
        return self.seq is None and self.on is None


NOW = Moment()


#: From this many events on, a loaded event frame is taken out of the cycle collector's scans.
LONG_LIVED = 100_000


def _out_of_the_collectors_way() -> None:
    """Move everything alive (the event frame just loaded among it) out of the cycle collector's
    scans. Its id and ticker columns are object arrays the collector walks element by element:
    at 1M events each collection of their generation took 10 ms, and each full one about 95 ms,
    stalling whatever asked next. They live as long as the window, so they are frozen (the
    garbage already there is collected first; frozen objects are still freed when no longer
    referenced, only never scanned for cycles)."""
    gc.collect()
    gc.freeze()


class UnreadablePortfolioError(ErasmoError):
    """A portfolio's reports cannot be computed: one of its stored events cannot be read."""


class Analytics:
    """Projections of the store's portfolios on the market's prices."""

    def __init__(self, app: Portfolios, market: MarketData, cache_dir: Path | None = None) -> None:
        self.app = app
        self.market = market
        self.cache = EventFrameCache(app, cache_dir) if cache_dir is not None else None
        self._events: pd.DataFrame | None = None
        self._prices: pd.DataFrame | None = None
        self._states: dict[str, ProjectionState] = {}
        self._head = 0
        self._tails: list[pd.DataFrame] = []
        self._by_portfolio: dict[str, pd.DataFrame] = {}
        self._by_portfolio_tails: dict[str, list[pd.DataFrame]] = {}
        # The live value series and metrics per portfolio: a new event recomputes only the
        # days from its date on.
        self._live: dict[str, LiveProjection] = {}
        self._clocks: dict[tuple[str, int | None], date | None] = {}
        self._live_mode: set[str] = set()  # portfolios known to be in live mode (no clock)
        self._unreadable: set[str] = set()  # portfolios an unreadable stored event left out

    # -- inputs ---------------------------------------------------------------------------

    def events(self) -> pd.DataFrame:
        """Every portfolio event in the store as loaded (see `refresh` for newer ones)."""
        if self._events is None:
            self._events = self.cache.load() if self.cache else load_event_frame(self.app)
            self._unreadable |= self._events.attrs.get(UNREADABLE, frozenset())
            seqs = self._events["seq"].to_numpy(np.int64)
            self._head = int(seqs[-1]) if len(seqs) else 0
            if len(seqs) >= LONG_LIVED:
                _out_of_the_collectors_way()
        if self._tails:
            self._events = _concat([self._events, *self._tails])
            self._tails = []
        return self._events

    def reset(self) -> None:
        """Forget every event and projection state kept (the next read loads them again)."""
        self._events, self._head, self._tails = None, 0, []
        self._states, self._by_portfolio, self._by_portfolio_tails = {}, {}, {}
        self._live, self._clocks, self._unreadable = {}, {}, set()

    def refresh(self) -> int:
        """Fold in the events recorded since the last load; returns how many were new.

        Cheap when nothing is new (one indexed query), and proportional to the new events
        otherwise: they are folded into the kept projection states and queued for the frames,
        which are joined only when someone asks for a whole frame.
        """
        if self._events is None:
            self.events()
            return 0
        if self.app.reader.head() <= self._head:
            return 0
        tail = load_event_frame(self.app, after=self._head)
        if tail.attrs.get(HAD_VOIDS):  # a void may take out an event already folded in
            self.reset()
            self.events()
            return len(tail) + int(tail.attrs[HAD_VOIDS])
        self._unreadable |= tail.attrs.pop(UNREADABLE, frozenset())
        if tail.empty:
            return 0
        self._head = int(tail["seq"].to_numpy(np.int64)[-1])
        self._tails.append(tail)
        owners = tail["portfolio"].to_numpy(dtype=object)
        keys = set(owners.tolist())
        for key in keys:
            mine = tail if len(keys) == 1 else tail[owners == key].reset_index(drop=True)
            if key in self._by_portfolio:
                self._by_portfolio_tails.setdefault(key, []).append(mine)
            if key in self._states:
                self._states[key].apply(mine)
            if bool((mine["type"].cat.codes == _RULES).any()):
                self._live_mode.discard(key)  # the mode may have changed
        return len(tail)

    def portfolio_events(self, portfolio_id: UUID) -> pd.DataFrame:
        """One portfolio's events, in log order."""
        key = self._readable(portfolio_id)
        if key not in self._by_portfolio:
            events = self.events()
            mine = (events["portfolio"] == key).to_numpy()
            # A store of one portfolio is common (and the largest case): share, do not copy.
            self._by_portfolio[key] = events if mine.all() else events[mine].reset_index(drop=True)
        elif key in self._by_portfolio_tails:
            parts = self._by_portfolio_tails.pop(key)
            self._by_portfolio[key] = _concat([self._by_portfolio[key], *parts])
        return self._by_portfolio[key]

    def unreadable(self, portfolio_id: UUID) -> bool:
        """Whether a stored event of the portfolio cannot be read (its reports then fail)."""
        if self._events is None:
            self.events()
        return str(portfolio_id) in self._unreadable

    def _readable(self, portfolio_id: UUID) -> str:
        """The portfolio's key, unless one of its stored events cannot be read."""
        if self._events is None:
            self.events()
        key = str(portfolio_id)
        if key in self._unreadable:
            try:
                name = repr(self.app.portfolio(portfolio_id).name)
            except Exception:  # the event may keep the aggregate from loading too
                name = str(portfolio_id)
            raise UnreadablePortfolioError(
                f"Portfolio {name} has a stored event erasmo cannot read (a date or a "
                "value out of shape), so its reports are not shown. Run 'erasmo check' to see "
                "which event, then restore a backup or export the other portfolios."
            )
        return key

    def prices(self) -> pd.DataFrame:
        """Daily closes of every ticker (dates x tickers), loaded once."""
        if self._prices is None:
            self._prices = price_frame(self.market)
        return self._prices

    def save_cache(self) -> None:
        """Write the event frame back to the columnar cache (e.g. when a window closes)."""
        if self.cache is not None and self._events is not None:
            self.cache.write(self.events())

    # -- projections ----------------------------------------------------------------------

    def state(self, portfolio_id: UUID) -> ProjectionState:
        """The portfolio's current projection state (kept, and folded forward by `refresh`)."""
        key = self._readable(portfolio_id)
        state = self._states.get(key)
        if state is None:
            state = ProjectionState.from_events(self.portfolio_events(portfolio_id))
            self._states[key] = state
        return state

    def source(self, portfolio_id: UUID, moment: Moment = NOW) -> ProjectionState:
        """The state as of `moment` (the live state for NOW, else rebuilt from the prefix)."""
        if moment.is_now:
            return self.state(portfolio_id)
        prefix = as_of(self.portfolio_events(portfolio_id), seq=moment.seq, on=moment.on)
        if prefix.empty:
            raise ErasmoError(
                "The portfolio did not exist yet at that moment; pick a later date or position."
            )
        return ProjectionState.from_events(prefix)

    def snapshot(self, portfolio_id: UUID, moment: Moment = NOW, method: str = "fifo") -> Snapshot:
        """Holdings valued at market, and their totals, as of `moment`."""
        state = self.source(portfolio_id, moment)
        day = moment.on or (state.last_on if not moment.is_now else None)
        clock = self.simulation_clock(portfolio_id)
        if clock is not None:
            # the state's last day is a Timestamp, the clock a date: compare them as dates
            day = clock if day is None else min(pd.Timestamp(day).date(), clock)
        return snapshot(state, self.prices(), day, method=method)

    def value(
        self,
        portfolio_id: UUID,
        moment: Moment = NOW,
        start: date | None = None,
        end: date | None = None,
    ) -> ValueSeries:
        """The daily value series (total and per ticker) up to `end` or the moment's date."""
        state = self.source(portfolio_id, moment)
        series = self._value_series(portfolio_id, state, moment, end)
        if start is not None:
            series = _slice_series(series, pd.Timestamp(start))
        return series

    def _value_series(
        self, portfolio_id: UUID, state: ProjectionState, moment: Moment, end: date | None
    ) -> ValueSeries:
        last = self._end(portfolio_id, state, moment, end)
        if not moment.is_now:
            return value_series(state, self.prices(), last)
        return self._live_projection(portfolio_id).series(state, last)

    def _live_projection(self, portfolio_id: UUID) -> LiveProjection:
        key = str(portfolio_id)
        live = self._live.get(key)
        if live is None:
            live = self._live[key] = LiveProjection(self.prices())
        return live

    def performance(
        self,
        portfolio_id: UUID,
        moment: Moment = NOW,
        start: date | None = None,
        end: date | None = None,
        benchmark: str | None = None,
    ) -> Metrics:
        """TTWROR, IRR, drawdown, volatility and Sharpe over [start, end]."""
        state = self.source(portfolio_id, moment)
        last = self._end(portfolio_id, state, moment, end)
        closes = self.benchmark_closes(benchmark) if benchmark is not None else None
        if moment.is_now and start is None and end is None:
            live = self._live_projection(portfolio_id)
            return live.metrics(state, last, benchmark=closes)
        daily = self._value_series(portfolio_id, state, moment, end)
        return performance(
            daily.total, daily.deposits, daily.withdrawals, start, last, benchmark=closes
        )

    def monthly(self, portfolio_id: UUID, moment: Moment = NOW) -> pd.DataFrame:
        """TTWROR of each month (rows: years, columns: 1..12)."""
        state = self.source(portfolio_id, moment)
        series = self._value_series(portfolio_id, state, moment, None)
        return monthly_returns(daily_returns(series.total, series.deposits, series.withdrawals))

    def drawdown(self, portfolio_id: UUID, moment: Moment = NOW) -> pd.Series:
        """The fall of 1 + TTWROR below its running peak on each trading day (<= 0).

        The daily returns are the metrics' own (deposits and withdrawals taken out), so the
        series' minimum is the metrics' maximum drawdown over the same days.
        """
        state = self.source(portfolio_id, moment)
        series = self._value_series(portfolio_id, state, moment, None)
        if not len(series.total):
            return pd.Series([], dtype=float, name="drawdown")
        returns = daily_returns(series.total, series.deposits, series.withdrawals)
        growth = 1.0 + returns.reindex(series.total.index).fillna(0.0).to_numpy(float)
        wealth = np.cumprod(growth)
        falls = wealth / np.maximum.accumulate(wealth) - 1.0
        return pd.Series(falls, index=series.total.index, name="drawdown")

    def rebased_benchmark(
        self, portfolio_id: UUID, moment: Moment = NOW, ticker: str = BENCHMARK
    ) -> pd.Series:
        """The benchmark's closes on the portfolio's days, scaled to the portfolio's first
        invested value (NaN before it): the two lines can share one axis."""
        series = self.value(portfolio_id, moment)
        total = series.total
        closes = self.benchmark_closes(ticker).reindex(total.index, method="ffill")
        invested = total[total > 0]
        if invested.empty or closes.isna().all():
            return pd.Series(np.nan, index=total.index, name=ticker)
        first = invested.index[0]
        scale = float(invested.iloc[0]) / float(closes.loc[first])
        rebased: pd.Series = (closes * scale).where(total.index >= first).rename(ticker)
        return rebased

    def benchmark_closes(self, ticker: str) -> pd.Series:
        """The daily closes of a ticker or index, for comparisons."""
        info = self.market.info(ticker)
        prices = self.prices()
        if info.ticker not in prices.columns:
            raise ErasmoError(f"No daily closes for {info.ticker}.")
        return prices[info.ticker].dropna()

    def replay(self, portfolio_id: UUID, until: Moment = NOW) -> pd.DataFrame:
        """One row per event: what it changed (cash, position, value) and the state after it."""
        events = self.portfolio_events(portfolio_id)
        if not until.is_now:
            events = as_of(events, seq=until.seq, on=until.on)
        return replay_steps(events, self.prices())

    def _end(
        self, portfolio_id: UUID, state: ProjectionState, moment: Moment, end: date | None
    ) -> pd.Timestamp:
        """Charts never run past the moment shown: the moment's date, else the data's end; and
        never past a simulation's clock (its future is not known yet)."""
        if end is not None:
            last = pd.Timestamp(end)
        elif not moment.is_now and state.last_on is not None:
            last = pd.Timestamp(moment.on or state.last_on)
        else:
            last = pd.Timestamp(self.prices().index[-1])
        clock = self.simulation_clock(portfolio_id)
        return last if clock is None else min(last, pd.Timestamp(clock))

    def simulation_clock(self, portfolio_id: UUID) -> date | None:
        """The clock of a portfolio in simulation mode (no price after it may be shown), or
        None for a live one. Read from the write side once per event folded in: only an event
        of the portfolio can change its mode or clock."""
        if str(portfolio_id) in self._live_mode:
            return None  # only a TradingRulesSet event can leave live mode (see `refresh`)
        key = (str(portfolio_id), self.state(portfolio_id).last_seq)
        if key not in self._clocks:
            portfolio = self.app.portfolio(portfolio_id)
            self._clocks = {k: v for k, v in self._clocks.items() if k[0] != key[0]}
            self._clocks[key] = portfolio.clock if portfolio.simulated else None
            if not portfolio.simulated:
                self._live_mode.add(key[0])
        return self._clocks[key]


@dataclass(frozen=True, slots=True)
class Slice:
    """One slice of the allocation: a ticker (or "Cash"), its weight of the total, its value."""

    label: str
    weight: float
    value: float


def allocation(shot: Snapshot) -> list[Slice]:
    """Weights by ticker and of cash, of the total value, largest first."""
    slices = [
        Slice(str(ticker), float(row["weight"]), float(row["market_value"]))
        for ticker, row in shot.positions.iterrows()
    ]
    total = shot.summary.total_value
    if total:
        slices.append(Slice("Cash", shot.summary.cash / total, shot.summary.cash))
    return sorted(slices, key=lambda s: s.weight, reverse=True)


def holdings_totals(shot: Snapshot) -> dict[str, float]:
    """The totals row of a holdings table: sums over the positions shown."""
    positions, summary = shot.positions, shot.summary
    return {
        "cost_basis": float(positions["cost_basis"].sum()),
        "market_value": summary.market_value,
        "day_change": float(positions["day_change"].sum()),
        "unrealized_pnl": summary.unrealized_pnl,
        "realized_pnl": summary.realized_pnl,
        "weight": float(positions["weight"].sum()),
    }


def price_frame(market: MarketData) -> pd.DataFrame:
    """Daily closes of every ticker the market knows, as a float frame (dates x tickers)."""
    from erasmo.market.bundled import BundledMarketData
    from erasmo.market.chain import SourceChain
    from erasmo.market.frames import chain_close_frame, close_frame

    if isinstance(market, BundledMarketData):
        return close_frame(market)
    if isinstance(market, SourceChain):
        return chain_close_frame(market)
    columns = {}
    for info in market.tickers():
        bars = market.bars(info.ticker)
        columns[info.ticker] = pd.Series(
            [float(b.close) for b in bars], index=pd.DatetimeIndex([b.day for b in bars])
        )
    frame = pd.DataFrame(columns).sort_index()
    frame.index.name = "date"
    return frame


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    frame = pd.concat(parts, ignore_index=True)
    frame["type"] = frame["type"].astype(parts[0]["type"].dtype)
    return frame


def _slice_series(series: ValueSeries, start: pd.Timestamp) -> ValueSeries:
    def cut(frame: Any) -> Any:
        return frame[frame.index >= start]

    parts: dict[str, Any] = {
        name: cut(getattr(series, name)) for name in ValueSeries.__dataclass_fields__
    }
    return ValueSeries(**parts)
