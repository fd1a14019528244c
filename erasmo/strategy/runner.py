"""Backtests: a strategy run as a simulation portfolio, recorded all or nothing.

The run happens in a scratch store (a temporary SQLite file) through its own front door: the
portfolio is opened in simulation mode, the strategy's orders are placed and the clock advanced
by the simulator's own commands and fill rules. When the strategy finishes, the scratch log is
exported and imported into the user's store through the door, in one all-or-nothing insert;
when it raises, the scratch store is thrown away and nothing is recorded.

What ran (the file name, the SHA-256 and text of its source, the class, the parameters, the
period, cash and rules, erasmo's version, the data sources and the strategy's notes) is kept
beside the store, in `DATA_DIR/strategies/<portfolio id>.json`: `erasmo rerun` reads it.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import traceback
import types
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from erasmo import __version__
from erasmo.strategy.api import Strategy
from erasmo.strategy.context import Context, calendar_between
from erasmo.strategy.errors import StrategyError
from events.errors import ErasmoError, UnknownPortfolioError

if TYPE_CHECKING:
    from erasmo.door import FrontDoor

Progress = Callable[[int, int], None]
RECORDS_DIR = "strategies"


class StrategyFailedError(StrategyError):
    """The strategy raised during a backtest; nothing was recorded.

    Attributes:
        cause: the exception the strategy raised (a `LookAheadError`, a `ZeroDivisionError`).
    """

    cause: BaseException | None = None


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
    """What a backtest recorded (or, for a rerun, compared)."""

    portfolio_id: UUID
    name: str
    events: int
    final_value: str
    notes: list[tuple[date, str]] = field(default_factory=list)


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
    door: FrontDoor, spec: BacktestSpec, progress: Progress | None = None
) -> BacktestResult:
    """Run `spec` and record its portfolio in `door`'s store, all or nothing."""
    name = spec.name or spec.class_name
    _check_name_free(door, name)
    with tempfile.TemporaryDirectory(prefix="erasmo-backtest-") as tmp:
        scratch, result = _run_in_scratch(door, spec, name, Path(tmp), progress)
        try:
            log = Path(tmp) / "run.jsonl"
            scratch.door.export_log(log, [result.portfolio_id])
        finally:
            scratch.close()
        door.import_log(log)
    _write_record(door.data_dir, result.portfolio_id, spec, result.notes, door)
    return result


def replay_in_scratch(door: FrontDoor, spec: BacktestSpec, name: str, out: Path) -> BacktestResult:
    """Run `spec` in a scratch store and export its log to `out`; records nothing in `door`."""
    with tempfile.TemporaryDirectory(prefix="erasmo-rerun-") as tmp:
        scratch, result = _run_in_scratch(door, spec, name, Path(tmp), None)
        try:
            scratch.door.export_log(out, [result.portfolio_id])
        finally:
            scratch.close()
    return result


def _run_in_scratch(
    door: FrontDoor, spec: BacktestSpec, name: str, tmp: Path, progress: Progress | None
) -> tuple[Any, BacktestResult]:
    from erasmo.bootstrap import bootstrap

    cls = load_strategy(spec.file_name, spec.source, spec.class_name)
    strategy = cls(**spec.params)
    scratch = bootstrap(tmp, market=door.market, today=door.today)
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
        ctx = Context(scratch.door, head.id, calendar)
        _drive(strategy, ctx, calendar, spec.file_name, progress)
        ctx._move_to(calendar[-1])
        ctx._sync()
        result = BacktestResult(
            head.id, name, len(scratch.door.history(head.id)), str(ctx.value), ctx.notes
        )
    except BaseException:
        scratch.close()
        raise
    return scratch, result


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
        raise _failed(error, file_name, f"{hook} on {ctx.day}", type(strategy).__name__) from None


def _failed(
    error: BaseException, file_name: str, when: str, class_name: str | None
) -> StrategyFailedError:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == file_name]
    where = f"{Path(file_name).name} line {frames[-1].lineno}" if frames else Path(file_name).name
    who = f"{class_name} " if class_name else ""
    failure = StrategyFailedError(
        f"The strategy {who}({where}) failed in {when}: {type(error).__name__}: "
        f"{str(error).rstrip('.')}. Nothing was recorded; fix the strategy and run it again."
    )
    failure.cause = error
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
    """Where the record of the strategy that made a portfolio is kept."""
    return data_dir / RECORDS_DIR / f"{portfolio_id}.json"


def _write_record(
    data_dir: Path,
    portfolio_id: UUID,
    spec: BacktestSpec,
    notes: list[tuple[date, str]],
    door: FrontDoor,
) -> None:
    tickers = sorted({i.ticker: i.source for i in door.market.tickers()}.items())
    record = {
        **{k: v for k, v in asdict(spec).items() if k not in ("start", "end")},
        "start": spec.start.isoformat(),
        "end": spec.end.isoformat(),
        "sha256": spec.sha256,
        "erasmo_version": __version__,
        "data_sources": sorted({source for _, source in tickers}),
        "notes": [[d.isoformat(), text] for d, text in notes],
    }
    path = record_path(data_dir, portfolio_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True, default=str), encoding="utf-8")
    tmp.replace(path)


def read_record(data_dir: Path, portfolio_id: UUID, name: str) -> BacktestSpec:
    """The spec a recorded backtest ran with."""
    path = record_path(data_dir, portfolio_id)
    if not path.exists():
        raise StrategyError(
            f"{name!r} was not made by 'erasmo backtest' in this data directory (no "
            f"{path.name} in {path.parent}): there is nothing to rerun."
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
