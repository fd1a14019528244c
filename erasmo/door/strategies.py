"""The front door's record of a backtest's strategy, by portfolio id: what ran
(StrategyStarted) and why it stopped (StrategyStopped), recorded and read as events of the
portfolio, so that export, import, sync and `erasmo rerun` carry them (`events.rules.strategies`
holds the rules).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from events.application import LoggedEvent, Portfolios
    from events.portfolio import Portfolio

STARTED = "StrategyStarted"
STOPPED = "StrategyStopped"


@dataclass(frozen=True, slots=True)
class StrategyRecord:
    """What a backtest portfolio's log says of its strategy.

    Attributes:
        file_name, source, sha256: the strategy file as it ran (the SHA-256 of its source).
        class_name: the Strategy class; params: its parameters as texts, by name.
        erasmo_version, data_sources: the erasmo and the market data sources it ran on.
        start, end, cash, commission, slippage_bps: the period, opening cash and rules.
        seq: the StrategyStarted's log position.
        stopped: why the strategy stopped (None: it ran to the end); stopped_line: the line
            of the strategy file; stopped_on: the last complete day kept.
        notes: the strategy's notes (`ctx.note`), each "DAY  TEXT"; version: the
            StrategyStarted's version (what the notes are attached to).
    """

    file_name: str
    source: str
    sha256: str
    class_name: str
    params: dict[str, str]
    erasmo_version: str
    data_sources: tuple[str, ...]
    start: date
    end: date
    cash: Decimal
    commission: str
    slippage_bps: Decimal
    seq: int
    stopped: str | None = None
    stopped_line: int | None = None
    stopped_on: date | None = None
    notes: tuple[str, ...] = ()
    version: int = 0


class StrategyCommands:
    """Record and read a backtest's strategy (`FrontDoor` inherits these)."""

    app: Portfolios

    def start_strategy(
        self,
        portfolio_id: UUID,
        *,
        file_name: str,
        source: str,
        class_name: str,
        params: Mapping[str, str],
        erasmo_version: str,
        data_sources: Sequence[str],
        start: date,
        end: date,
        cash: Decimal,
        commission: str,
        slippage_bps: Decimal,
        dry_run: bool = False,
    ) -> None:
        """Record, on the clock of a simulation portfolio with no order yet, the strategy its
        backtest runs (the SHA-256 of `source` is derived)."""

        def start_it(p: Portfolio) -> None:
            p.start_strategy(
                file_name=file_name,
                source=source,
                class_name=class_name,
                params=json.dumps(dict(params), sort_keys=True),
                erasmo_version=erasmo_version,
                data_sources=" ".join(sorted(set(data_sources))),
                start=start,
                end=end,
                cash=cash,
                commission=commission,
                slippage_bps=slippage_bps,
                on=p.clock,
            )

        self.app.change(portfolio_id, start_it, dry_run=dry_run)

    def stop_strategy(
        self, portfolio_id: UUID, reason: str, line: int | None, *, dry_run: bool = False
    ) -> None:
        """Record, on the portfolio's clock, that its strategy raised (`reason`, at `line` of
        its file) and the run was kept up to there."""
        self.app.change(
            portfolio_id, lambda p: p.stop_strategy(reason, line, p.clock), dry_run=dry_run
        )

    def _strategy_events(self, portfolio_id: UUID) -> list[LoggedEvent]:
        """The portfolio's StrategyStarted, StrategyStopped and NoteAdded events, in order: the
        store picks them out, so a long history is not decoded to find them."""
        from events.logged import read_history
        from events.portfolio import PORTFOLIO_TOPICS

        wanted = (STARTED, STOPPED, "NoteAdded")
        topics = [topic for topic, name in PORTFOLIO_TOPICS.items() if name in wanted]
        stored = self.app.reader.events(originator_id=portfolio_id, topics=topics)
        return read_history(stored, self.app.decode)

    def strategy(self, portfolio_id: UUID) -> StrategyRecord | None:
        """The strategy the portfolio's log records (None: it was not made by a backtest that
        records one)."""
        started: LoggedEvent | None = None
        stopped: LoggedEvent | None = None
        notes: list[str] = []
        for event in self._strategy_events(portfolio_id):
            if event.type == STARTED and started is None:
                started = event
            elif event.type == STOPPED and started is not None:
                stopped = event
            elif started is not None and _notes_on(event, started.version):
                notes.append(str(event.fields.get("text", "")))
        if started is None:
            return None
        f = started.fields
        return StrategyRecord(
            file_name=f["file_name"],
            source=f["source"],
            sha256=f["sha256"],
            class_name=f["class_name"],
            params=dict(json.loads(f["params"])),
            erasmo_version=f["erasmo_version"],
            data_sources=tuple(f["data_sources"].split()),
            start=f["start"],
            end=f["end"],
            cash=f["cash"],
            commission=f["commission"],
            slippage_bps=f["slippage_bps"],
            seq=started.seq,
            stopped=None if stopped is None else stopped.fields["reason"],
            stopped_line=None if stopped is None else stopped.fields["line"],
            stopped_on=None if stopped is None else stopped.on,
            notes=tuple(notes),
            version=started.version,
        )


def _notes_on(event: LoggedEvent, version: int) -> bool:
    """Whether `event` is a note on the event at `version`."""
    return event.type == "NoteAdded" and event.fields.get("about") == version
