"""A backtest's strategy, recorded in its portfolio: what ran (StrategyStarted) and, when the
strategy raised and the run was kept up to its last complete day, why it stopped
(StrategyStopped).

StrategyStarted names everything a rerun needs: the strategy file's name, its source and the
SHA-256 of that source (derived here, so a log whose source was edited after the run does not
pass), the class, its parameters (a JSON object of texts), erasmo's version, the market data's
sources, the period, the opening cash and the trading rules. It is recorded on a simulation
portfolio before its first order, once; it changes nothing the other rules look at.

StrategyStopped follows a StrategyStarted, once: the strategy raised on a later day, and what
it did up to the last complete day was kept. It names the error and the line of the strategy
file it came from (None when the error did not come from the file's own code).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from events.errors import InvalidInputError
from events.rules.book import Book, broken
from events.rules.status import check_open_and_clock, simulated

SOURCE_MAX_LENGTH = 100_000
PARAMS_MAX_LENGTH = 5_000
REASON_MAX_LENGTH = 1_000


class StrategyRecordError(InvalidInputError):
    """A strategy's start or stop cannot be recorded: it breaks a rule of the portfolio or one
    of its fields is not acceptable."""


def source_sha256(source: str) -> str:
    """The SHA-256 of a strategy's source (its UTF-8 bytes), in hex."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def canonical_params(params: str | dict[str, Any]) -> str:
    """Parameters as stored: a JSON object of texts, keys sorted, compact."""
    found = json.loads(params) if isinstance(params, str) else params
    if not isinstance(found, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in found.items()
    ):
        raise StrategyRecordError("A strategy's parameters must be a JSON object of texts.")
    return json.dumps(found, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _text(name: str, value: object, longest: int, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise StrategyRecordError(f"A strategy's {name} must be a non-empty text.")
    if len(value) > longest:
        raise StrategyRecordError(
            f"A strategy's {name} has {len(value)} characters; erasmo records at most {longest}."
        )
    return value


def check_start(p: Book, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields of a StrategyStarted (the SHA-256 derived from the source), once `p` is an
    open simulation portfolio on the clock with no order and no strategy yet."""
    on: date = fields["on"]
    check_open_and_clock(p, on)
    if not simulated(p):
        raise broken(
            StrategyRecordError(f"{p.name!r} is not a simulation: only backtests run strategies."),
            "a strategy started on a portfolio not in simulation mode",
        )
    if p.strategy is not None or p.orders_placed:
        raise broken(
            StrategyRecordError(
                f"{p.name!r} already has a strategy or orders: a strategy starts a backtest."
            ),
            "a strategy started after orders or another strategy",
        )
    start, end, cash = fields["start"], fields["end"], fields["cash"]
    if not (isinstance(start, date) and isinstance(end, date) and start <= end):
        raise StrategyRecordError("A strategy's period must run from a date to a later one.")
    if not isinstance(cash, Decimal) or cash < 0:
        raise StrategyRecordError("A strategy's opening cash must be a decimal, not negative.")
    source = _text("source", fields["source"], SOURCE_MAX_LENGTH)
    return {
        "file_name": _text("file name", fields["file_name"], 500),
        "sha256": source_sha256(source),
        "source": source,
        "class_name": _text("class", fields["class_name"], 200),
        "params": canonical_params(_text("parameters", fields["params"], PARAMS_MAX_LENGTH)),
        "erasmo_version": _text("erasmo version", fields["erasmo_version"], 64),
        "data_sources": _text("data sources", fields["data_sources"], 500, empty=True),
        "start": start,
        "end": end,
        "cash": cash,
        "commission": _text("commission", fields["commission"], 100),
        "slippage_bps": fields["slippage_bps"],
        "on": on,
    }


def check_stop(p: Book, reason: str, line: int | None, on: date) -> dict[str, Any]:
    """The fields of a StrategyStopped, once `p` runs a strategy that has not stopped yet."""
    check_open_and_clock(p, on)
    if p.strategy is None or p.strategy_stopped:
        raise broken(
            StrategyRecordError(f"{p.name!r} has no running strategy to stop."),
            "a strategy stopped that was not running",
        )
    if line is not None and (isinstance(line, bool) or not isinstance(line, int) or line < 1):
        raise StrategyRecordError("A strategy's line must be a whole number from 1.")
    return {
        "reason": _text("reason", reason, REASON_MAX_LENGTH).strip(),
        "line": line,
        "on": on,
    }


# -- effects -------------------------------------------------------------------------------


def started(
    self: Book,
    file_name: str,
    sha256: str,
    source: str,
    class_name: str,
    params: str,
    erasmo_version: str,
    data_sources: str,
    start: date,
    end: date,
    cash: Decimal,
    commission: str,
    slippage_bps: Decimal,
    on: date,
) -> None:
    """The portfolio runs `class_name` (nothing else the rules look at changes)."""
    self.strategy = class_name
    self.strategy_stopped = False


def stopped(self: Book, reason: str, line: int | None, on: date) -> None:
    self.strategy_stopped = True
