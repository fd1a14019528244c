"""Backtests: a strategy run as a simulation portfolio, recorded all or nothing.

The run happens in a scratch store (a temporary SQLite file) through its own front door: the
portfolio is opened in simulation mode, the strategy's orders are placed and the clock advanced
by the simulator's own commands and fill rules. When the strategy finishes, the portfolio's
events are copied from the scratch store into the user's store in one all-or-nothing insert
(`erasmo.strategy.scratch`); when it raises, the scratch store is thrown away and nothing is
recorded.

What ran (the file name, the SHA-256 and text of its source, the class, the parameters, the
period, cash and rules, erasmo's version and the data sources) is the portfolio's StrategyStarted
event, recorded right after its opening (`events.rules.strategies`): export, import and sync
carry it, and `erasmo rerun` reads it. Backtests recorded before that event existed kept it
beside the store, in `DATA_DIR/strategies/<portfolio id>.json`; a rerun still reads those.

With `keep_partial`, a strategy that raises on a day keeps what it did up to the day before
(the last complete day) and a StrategyStopped naming the error and the strategy file's line:
the run is made again up to that day (the same source and data give the same events), so
nothing of the failing day is recorded.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from erasmo import __version__
from erasmo.strategy.api import Strategy
from erasmo.strategy.context import Context, calendar_between
from erasmo.strategy.errors import StrategyError
from erasmo.strategy.scratch import Scratch
from events.errors import ErasmoError, UnknownPortfolioError
from events.rules.notes import NOTE_MAX_LENGTH

if TYPE_CHECKING:
    from erasmo.door import FrontDoor
    from erasmo.door.models import PortfolioHead
    from events.portfolio import Portfolio

Progress = Callable[[int, int], None]
RECORDS_DIR = "strategies"


class StrategyFailedError(StrategyError):
    """The strategy raised during a backtest; nothing was recorded.

    Attributes:
        cause: the exception the strategy raised (a `LookAheadError`, a `ZeroDivisionError`).
        day: the day of the hook that raised (None: loading the file).
        line: the line of the strategy file it came from (None: not from the file's code).
        reason: the error and the hook in words, e.g. "ZeroDivisionError: division by zero
            in on_bar on 2020-01-06".
    """

    cause: BaseException | None = None
    day: date | None = None
    line: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class BacktestSpec:
    """What to run.

    Attributes:
        file_name: the strategy file's name as given (recorded).
        source: the file's text.
        class_name: the Strategy subclass to run.
        params: the parameters, typed (defaults filled in).
        cash, start, end: the opening cash and the period (market dates, inclusive).
        commission, slippage_bps: the portfolio's trading rules.
        name: the portfolio's name.
    """

    file_name: str
    source: str
    class_name: str
    params: dict[str, Any]
    cash: str
    start: date
    end: date
    commission: str = "0"
    slippage_bps: str = "0"
    name: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode()).hexdigest()


@dataclass
class BacktestResult:
    """What a backtest recorded (or, for a rerun, compared). `stopped`: with `keep_partial`,
    why the strategy stopped (the StrategyStopped's reason, with its line); None when it ran
    to the end."""

    portfolio_id: UUID
    name: str
    events: int
    final_value: str
    notes: list[tuple[date, str]] = field(default_factory=list)
    stopped: str | None = None


def load_strategy(file_name: str, source: str, class_name: str) -> type[Strategy]:
    """The class `class_name` of the strategy source (run as a module of its own)."""
    module = types.ModuleType(f"erasmo_strategy_{Path(file_name).stem}")
    module.__file__ = file_name
    try:
        exec(compile(source, file_name, "exec"), module.__dict__)
    except Exception as error:
        raise _failed(error, file_name, "loading it", None) from None
    found = module.__dict__.get(class_name)
    if not (isinstance(found, type) and issubclass(found, Strategy)):
        classes = [
            n for n, v in vars(module).items() if isinstance(v, type) and issubclass(v, Strategy)
        ]
        raise StrategyError(
            f"{file_name} has no Strategy class {class_name!r}; it has "
            f"{', '.join(c for c in classes if c != 'Strategy') or 'none'}."
        )
    return found


def spec_from_file(
    path: Path, class_name: str, raw_params: dict[str, str], **rest: Any
) -> BacktestSpec:
    """A spec for the strategy file at `path` with `--param` texts read by its declared types."""
    source = path.read_text(encoding="utf-8")
    cls = load_strategy(str(path), source, class_name)
    params = cls.read_params(raw_params)
    return BacktestSpec(str(path), source, class_name, params, **rest)


def run_backtest(
    door: FrontDoor,
    spec: BacktestSpec,
    progress: Progress | None = None,
    *,
    keep_partial: bool = False,
) -> BacktestResult:
    """Run `spec` and record its portfolio in `door`'s store, all or nothing (with
    `keep_partial`, a strategy that raises keeps its run up to its last complete day)."""
    name = spec.name or spec.class_name
    _check_name_free(door, name)
    with tempfile.TemporaryDirectory(prefix="erasmo-backtest-") as tmp:
        scratch, result = _run_in_scratch(door, spec, name, Path(tmp), progress, keep_partial)
        try:
            scratch.app.copy_into(door.app, result.portfolio_id)
        finally:
            scratch.close()
    return result


def replay_in_scratch(
    door: FrontDoor, spec: BacktestSpec, name: str, out: Path, *, keep_partial: bool = False
) -> BacktestResult:
    """Run `spec` in a scratch store and export its log to `out`; records nothing in `door`."""
    with tempfile.TemporaryDirectory(prefix="erasmo-rerun-") as tmp:
        scratch, result = _run_in_scratch(door, spec, name, Path(tmp), None, keep_partial)
        try:
            scratch.door.export_log(out, [result.portfolio_id])
        finally:
            scratch.close()
    return result


def _run_in_scratch(
    door: FrontDoor,
    spec: BacktestSpec,
    name: str,
    tmp: Path,
    progress: Progress | None,
    keep_partial: bool = False,
) -> tuple[Scratch, BacktestResult]:
    """The run in a scratch store under `tmp` (open, its result); with `keep_partial`, a
    failing run is made again in a second scratch store, up to the day before the failure."""
    try:
        return _scratch_run(door, spec, name, tmp / "run", progress, None)
    except StrategyFailedError as failure:
        if not keep_partial or failure.day is None:
            raise
        return _scratch_run(door, spec, name, tmp / "partial", progress, failure)


def _scratch_run(
    door: FrontDoor,
    spec: BacktestSpec,
    name: str,
    tmp: Path,
    progress: Progress | None,
    failure: StrategyFailedError | None,
) -> tuple[Scratch, BacktestResult]:
    """One run in a scratch store; after a `failure`, only the days before its day, then the
    StrategyStopped."""
    cls = load_strategy(spec.file_name, spec.source, spec.class_name)
    strategy = cls(**spec.params)
    scratch = Scratch(tmp, door.market, door.today)
    try:
        calendar = calendar_between(door.market.trading_days(None), spec.start, spec.end)
        if not calendar:
            raise StrategyError(
                f"No trading day lies between {spec.start} and {spec.end}: give a period "
                "inside the market data."
            )
        head = scratch.door.open_portfolio(
            name,
            spec.cash,
            calendar[0],
            mode="simulation",
            commission=spec.commission,
            slippage_bps=spec.slippage_bps,
        )
        _record_start(scratch.door, head, spec, door)
        ctx = Context(scratch.door, head.id, calendar)
        days = [d for d in calendar if failure is None or d < cast("date", failure.day)]
        if days:
            with scratch.app.batched():
                _drive(strategy, ctx, days, spec.file_name, progress)
                ctx._move_to(days[-1])
                ctx._sync()
        _record_notes(scratch.door, head.id, ctx.notes)
        if failure is not None:
            scratch.door.stop_strategy(head.id, failure.reason, failure.line)
        result = BacktestResult(
            head.id,
            name,
            len(scratch.door.history(head.id)),
            str(ctx.value),
            ctx.notes,
            None if failure is None else _stopped_words(failure),
        )
    except BaseException:
        scratch.close()
        raise
    return scratch, result


def _record_notes(scratch: FrontDoor, portfolio_id: UUID, notes: list[tuple[date, str]]) -> None:
    """The strategy's notes (`ctx.note`), each a NoteAdded on its StrategyStarted, dated in its
    text, all in one save: the log keeps why the strategy did what it did."""
    record = scratch.strategy(portfolio_id) if notes else None  # reads the history: only if needed
    if record is None:
        return
    about = record.version
    texts = [f"{day.isoformat()}  {text}"[:NOTE_MAX_LENGTH] for day, text in notes]

    def add(p: Portfolio) -> None:
        for text in texts:
            p.add_note(about, text, "strategy")

    scratch.app.change(portfolio_id, add)


def _stopped_words(failure: StrategyFailedError) -> str:
    where = "" if failure.line is None else f" (line {failure.line})"
    return f"{failure.reason}{where}"


def _record_start(
    scratch: FrontDoor, head: PortfolioHead, spec: BacktestSpec, door: FrontDoor
) -> None:
    """The StrategyStarted of the run (after the opening): what a rerun needs to make it
    again."""
    scratch.start_strategy(
        head.id,
        file_name=spec.file_name,
        source=spec.source,
        class_name=spec.class_name,
        params={k: str(v) for k, v in spec.params.items()},
        erasmo_version=__version__,
        data_sources=[i.source for i in door.market.tickers()],
        start=spec.start,
        end=spec.end,
        cash=head.cash,
        commission=head.rules.commission,
        slippage_bps=head.rules.slippage_bps,
    )


def _drive(
    strategy: Strategy,
    ctx: Context,
    calendar: list[date],
    file_name: str,
    progress: Progress | None,
) -> None:
    """Call the hooks day by day; any exception becomes a StrategyFailedError naming the line
    of the strategy file it came from."""
    hook = "on_start"
    try:
        strategy.on_start(ctx)
        hook = "on_bar"
        for done, day in enumerate(calendar, start=1):
            ctx._move_to(day)
            strategy.on_bar(ctx)
            if progress is not None:
                progress(done, len(calendar))
    except Exception as error:
        raise _failed(
            error, file_name, f"{hook} on {ctx.day}", type(strategy).__name__, ctx.day
        ) from None


def _failed(
    error: BaseException,
    file_name: str,
    when: str,
    class_name: str | None,
    day: date | None = None,
) -> StrategyFailedError:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == file_name]
    line = frames[-1].lineno if frames else None
    where = f"{Path(file_name).name} line {line}" if line else Path(file_name).name
    who = f"{class_name} " if class_name else ""
    reason = f"{type(error).__name__}: {str(error).rstrip('.')} in {when}"
    failure = StrategyFailedError(
        f"The strategy {who}({where}) failed in {when}: {type(error).__name__}: "
        f"{str(error).rstrip('.')}. Nothing was recorded; fix the strategy and run it again "
        "(or keep the run up to the day before with --keep-partial)."
    )
    failure.cause, failure.day, failure.line = error, day, line
    failure.reason = reason[:1000]
    return failure


def _check_name_free(door: FrontDoor, name: str) -> None:
    try:
        door.resolve(name)
    except UnknownPortfolioError:
        return
    except ErasmoError:
        return  # e.g. a deleted portfolio's name: opening reports whatever applies
    raise StrategyError(
        f"A portfolio is already named {name!r}: give the backtest another with --name NAME."
    )


# -- the run's record ----------------------------------------------------------------------


def record_path(data_dir: Path, portfolio_id: UUID) -> Path:
    """Where a backtest recorded before StrategyStarted existed kept what it ran."""
    return data_dir / RECORDS_DIR / f"{portfolio_id}.json"


def recorded_spec(door: FrontDoor, portfolio_id: UUID, name: str) -> tuple[BacktestSpec, bool]:
    """The spec a recorded backtest ran with, and whether its strategy stopped (kept
    partially): from its StrategyStarted, else from the record an older erasmo kept beside
    the store."""
    record = door.strategy(portfolio_id)
    if record is None:
        return read_record(door.data_dir, portfolio_id, name), False
    cls = load_strategy(record.file_name, record.source, record.class_name)
    spec = BacktestSpec(
        file_name=record.file_name,
        source=record.source,
        class_name=record.class_name,
        params=cls.read_params(record.params),
        cash=str(record.cash),
        start=record.start,
        end=record.end,
        commission=record.commission,
        slippage_bps=str(record.slippage_bps),
        name=name,
    )
    return spec, record.stopped is not None


def read_record(data_dir: Path, portfolio_id: UUID, name: str) -> BacktestSpec:
    """The spec an older backtest ran with, from the record kept beside the store."""
    path = record_path(data_dir, portfolio_id)
    if not path.exists():
        raise StrategyError(
            f"{name!r} was not made by 'erasmo backtest' (it has no StrategyStarted event, and "
            f"there is no {path.name} in {path.parent}): there is nothing to rerun."
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    # the parameters as typed values again (a Decimal was written as its text)
    cls = load_strategy(data["file_name"], data["source"], data["class_name"])
    params = cls.read_params({k: str(v) for k, v in data["params"].items()})
    return BacktestSpec(
        file_name=data["file_name"],
        source=data["source"],
        class_name=data["class_name"],
        params=params,
        cash=data["cash"],
        start=date.fromisoformat(data["start"]),
        end=date.fromisoformat(data["end"]),
        commission=data["commission"],
        slippage_bps=data["slippage_bps"],
        name=data["name"],
    )
