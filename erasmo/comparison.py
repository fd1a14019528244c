"""Several portfolios over one period: metrics side by side, a leaderboard, overlaid values.

Every figure is `Analytics.performance` of one portfolio over the shared period (Portfolio
Performance's conventions, see `erasmo.projections.metrics`); this module only picks the period,
lines the results up and ranks them.

The period: `start` is exclusive (its value is the starting value; the daily returns are those
of the trading days after it), `end` inclusive, as in `erasmo performance --from/--to`. By
default it is the period all the portfolios share: from the day before the trading day of the
latest first event to the earliest last day of their value series. A portfolio *covers* a period
when its first event is on or before the period's first trading day, so every daily return of
the period is its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pandas as pd

from erasmo.analytics import Analytics
from erasmo.intake import unverified_in_frame
from erasmo.projections import Metrics, daily_returns
from events.errors import ErasmoError

#: The columns of `compare` (one row per portfolio), in order.
COMPARE_COLUMNS = (
    "name",
    "id",
    "start",
    "end",
    "start_value",
    "end_value",
    "net_flows",
    "pnl",
    "ttwror",
    "ttwror_annualized",
    "irr",
    "irr_note",
    "max_drawdown",
    "volatility_period",
    "volatility_annualized",
    "sharpe",
    "trading_days",
)

#: The columns of `leaderboard`, in order.
LEADERBOARD_COLUMNS = (
    "rank",
    "name",
    "id",
    "ttwror",
    "ttwror_annualized",
    "irr",
    "irr_note",
    "max_drawdown",
    "sharpe",
    "end_value",
    "pnl",
    "note",
    "unverified",
)

#: TTWRORs equal to this many decimal places tie (float noise aside, e.g. a branch that has
#: not diverged from its parent yet).
TIE_DECIMALS = 10


class ComparisonPeriodError(ErasmoError):
    """The period asked for is empty, or a portfolio to compare did not exist for all of it."""


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period: values at `start`'s close, returns of the trading days in
    (start, end]; `first_day` is the first of those trading days."""

    start: pd.Timestamp
    end: pd.Timestamp
    first_day: pd.Timestamp


@dataclass(frozen=True, slots=True)
class _Span:
    """The trading days a portfolio's value series runs over."""

    first: pd.Timestamp
    last: pd.Timestamp


def compare(
    analytics: Analytics,
    portfolios: Sequence[tuple[UUID, str]],
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """One row per portfolio (in the order given) with its metrics over the common period.

    `ComparisonPeriodError` when the period is empty or a portfolio did not exist for all of it.
    The period is in the frame's `attrs` ("start", "end").
    """
    spans = {pid: _span(analytics, pid, name) for pid, name in portfolios}
    period = _period(analytics, list(spans.values()), start, end)
    for pid, name in portfolios:
        if spans[pid].first > period.first_day:
            raise ComparisonPeriodError(
                f"{name!r} starts on {spans[pid].first:%Y-%m-%d}, after the period's first "
                f"trading day {period.first_day:%Y-%m-%d}: it cannot be compared over it. "
                f"Use --from {spans[pid].first - pd.Timedelta(days=1):%Y-%m-%d} or later, or "
                "leave --from out for the period all of them share."
            )
    rows = [
        _row(name, pid, analytics.performance(pid, start=period.start, end=period.end))
        for pid, name in portfolios
    ]
    frame = _with_nones(pd.DataFrame(rows, columns=list(COMPARE_COLUMNS)), "irr_note")
    frame.attrs.update(start=period.start.date(), end=period.end.date())
    return frame


def leaderboard(
    analytics: Analytics,
    portfolios: Sequence[tuple[UUID, str]],
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """The portfolios ranked by TTWROR over a common period (default: the one all share).

    Ties (TTWROR equal to `TIE_DECIMALS` places) share the better rank (1, 2, 2, 4) and are
    listed by name. A portfolio that did not exist for the whole period, or held nothing in it
    (no value at any day), is not ranked: it follows the ranked ones with `rank` <NA> and a
    `note` saying why. The period is in the frame's `attrs` ("start", "end").
    """
    unreadable = {pid for pid, _ in portfolios if analytics.unreadable(pid)}
    spans = {
        pid: None if pid in unreadable else _span_or_none(analytics, pid) for pid, _ in portfolios
    }
    present = [s for s in spans.values() if s is not None]
    if not present:
        frame = pd.DataFrame(columns=list(LEADERBOARD_COLUMNS))
        frame.attrs.update(start=None, end=None)
        return frame
    period = _leaderboard_period(analytics, present, start, end)
    ranked, unranked = [], []
    for pid, name in portfolios:
        span = spans[pid]
        if pid in unreadable:
            note = "a stored event of it cannot be read; run 'erasmo check'"
            unranked.append(_unranked(name, pid, note))
            continue
        if span is None:
            unranked.append(_unranked(name, pid, "has no value on any day of the market data"))
            continue
        if span.last < period.end:
            note = (
                f"its values end on {span.last:%Y-%m-%d} (a simulation's clock), before the "
                "period ends"
            )
            unranked.append(_unranked(name, pid, note))
            continue
        if span.first > period.first_day:
            note = f"starts on {span.first:%Y-%m-%d}, after the period starts"
            unranked.append(_unranked(name, pid, note))
            continue
        m = analytics.performance(pid, start=period.start, end=period.end)
        if m.start_value == 0 and m.deposits == 0:
            unranked.append(_unranked(name, pid, "held nothing in the period"))
            continue
        ranked.append({**_row(name, pid, m), "note": None})
    ranked.sort(key=lambda r: (-_tie_key(r), str(r["name"]).casefold()))
    for row in ranked:  # competition ranking: 1 + how many did strictly better
        row["rank"] = 1 + sum(1 for other in ranked if _tie_key(other) > _tie_key(row))
    marked = unverified_in_frame(analytics.events(), analytics.market)
    for row in ranked + unranked:
        row["unverified"] = row["id"] in marked
    frame = pd.DataFrame(ranked + unranked, columns=list(LEADERBOARD_COLUMNS))
    frame = _with_nones(frame, "irr_note", "note")
    frame["rank"] = frame["rank"].astype("Int64")
    frame.attrs.update(start=period.start.date(), end=period.end.date())
    return frame


def value_lines(
    analytics: Analytics,
    portfolios: Sequence[tuple[UUID, str]],
    start: date | None = None,
    end: date | None = None,
    *,
    relative: bool = False,
) -> pd.DataFrame:
    """Each portfolio's daily total value on the trading days of the common period (columns:
    names), or with `relative` its wealth index 1 + TTWROR (deposits and withdrawals taken out,
    as the metrics do), so portfolios of different sizes share one axis."""
    spans = [_span(analytics, pid, name) for pid, name in portfolios]
    period = _period(analytics, spans, start, end)
    lines = {}
    for pid, name in portfolios:
        series = analytics.value(pid, end=period.end.date())
        if relative:
            returns = daily_returns(
                series.total, series.deposits, series.withdrawals, period.start, period.end
            )
            lines[name] = (1.0 + returns).cumprod()
        else:
            total = series.total
            lines[name] = total[(total.index > period.start) & (total.index <= period.end)]
    frame = pd.DataFrame(lines)
    frame.index.name = "date"
    frame.attrs.update(start=period.start.date(), end=period.end.date())
    return frame


def _span_or_none(analytics: Analytics, portfolio_id: UUID) -> _Span | None:
    index = analytics.value(portfolio_id).total.index
    if not len(index):
        return None
    return _Span(pd.Timestamp(index[0]), pd.Timestamp(index[-1]))


def _span(analytics: Analytics, portfolio_id: UUID, name: str) -> _Span:
    span = _span_or_none(analytics, portfolio_id)
    if span is None:
        raise ComparisonPeriodError(
            f"{name!r} has no value on any trading day of the market data (its first event is "
            "after the data ends), so there is nothing to compare."
        )
    return span


def _leaderboard_period(
    analytics: Analytics, spans: list[_Span], start: date | None, end: date | None
) -> Period:
    """The leaderboard's period: up to `end` (default: the latest day any portfolio has a
    value for), shared by the portfolios whose values reach it. A simulation whose clock stops
    earlier is listed without a rank rather than cutting everyone's period short."""
    latest = max(s.last for s in spans)
    finish = latest if end is None else min(pd.Timestamp(end), latest)
    reaching = [s for s in spans if s.last >= finish]
    return _period(analytics, reaching, start, None if end is None else end)


def _period(
    analytics: Analytics, spans: list[_Span], start: date | None, end: date | None
) -> Period:
    shared_start = max(s.first for s in spans) - pd.Timedelta(days=1)
    data_end = min(s.last for s in spans)
    begin = shared_start if start is None else pd.Timestamp(start)
    finish = data_end if end is None else pd.Timestamp(end)
    if finish > data_end:
        raise ComparisonPeriodError(
            f"--to {finish:%Y-%m-%d} is after the values end on {data_end:%Y-%m-%d} (the end "
            f"of the market data). Use {data_end:%Y-%m-%d} or earlier, or leave --to out."
        )
    calendar = pd.DatetimeIndex(analytics.prices().index)
    after = calendar[(calendar > begin) & (calendar <= finish)]
    if not len(after):
        why = (
            f"the period all of them share starts on {begin:%Y-%m-%d}: give --from as well"
            if start is None
            else "give --from earlier than --to, inside the market data"
        )
        raise ComparisonPeriodError(
            f"No trading day lies after {begin:%Y-%m-%d} and on or before {finish:%Y-%m-%d}, "
            f"so the period is empty; {why}."
        )
    return Period(begin, finish, pd.Timestamp(after[0]))


def _row(name: str, portfolio_id: UUID, m: Metrics) -> dict[str, object]:
    return {
        "name": name,
        "id": str(portfolio_id),
        "start": m.start.date(),
        "end": m.end.date(),
        "start_value": m.start_value,
        "end_value": m.end_value,
        "net_flows": m.net_flows,
        "pnl": m.delta,
        "ttwror": m.ttwror,
        "ttwror_annualized": m.ttwror_annualized,
        "irr": m.irr,
        "irr_note": m.irr_note,
        "max_drawdown": m.max_drawdown,
        "volatility_period": m.volatility_period,
        "volatility_annualized": m.volatility_annualized,
        "sharpe": m.sharpe_pp,
        "trading_days": m.trading_days,
    }


def _with_nones(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Text columns keep None (not NaN) where there is no text, as their docs say."""
    for column in columns:
        values = frame[column].astype(object)
        frame[column] = values.where(values.notna(), None)
    return frame


def _tie_key(row: dict[str, object]) -> float:
    ttwror = row["ttwror"]
    assert isinstance(ttwror, float)
    return round(ttwror, TIE_DECIMALS)


def _unranked(name: str, portfolio_id: UUID, note: str) -> dict[str, object]:
    nan = math.nan
    return {
        "rank": pd.NA,
        "name": name,
        "id": str(portfolio_id),
        "ttwror": nan,
        "ttwror_annualized": nan,
        "irr": nan,
        "irr_note": None,
        "max_drawdown": nan,
        "sharpe": nan,
        "end_value": nan,
        "pnl": nan,
        "note": note,
    }
