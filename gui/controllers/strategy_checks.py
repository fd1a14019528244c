"""What a strategy dialog may run: its fields read and checked one by one, each refusal a named
error on the field it is about, before anything runs. The opening of the portfolio is the front
door's own dry run (`preview_opening`). No Qt."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from erasmo.strategy.context import calendar_between
from erasmo.strategy.errors import StrategyError
from erasmo.strategy.runner import BacktestSpec, load_strategy
from events.errors import ErasmoError
from gui.form_checks import FieldError, IncompleteError, opening_problem, preview_opening
from gui.formatting import ungrouped

if TYPE_CHECKING:
    from erasmo.door import FrontDoor
    from erasmo.strategy.api import Strategy


@dataclass(frozen=True)
class StrategyFile:
    """A strategy file read: its path as given, its source and its Strategy classes."""

    path: str
    source: str
    classes: tuple[str, ...]


def read_strategy_file(text: str) -> StrategyFile:
    """The file named by `text` and the Strategy classes it defines, or a `FieldError` on
    "file" saying what to do."""
    if not text.strip():
        raise IncompleteError("file", "Pick a strategy file (Browse…), e.g. sma_cross.py.")
    path = Path(text.strip()).expanduser()
    if not path.is_file():
        raise FieldError("file", f"There is no file {str(path)!r}: pick a strategy file.")
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, str(path))
    except (OSError, UnicodeDecodeError, SyntaxError) as error:
        raise FieldError(
            "file", f"{path.name} cannot be read as Python ({error}): pick a strategy file."
        ) from None
    names = [n.name for n in tree.body if isinstance(n, ast.ClassDef) and n.bases]
    found = []
    for name in names:
        try:
            load_strategy(str(path), source, name)
        except StrategyError as error:
            if "failed in loading" in str(error):  # the module itself raises: say why
                raise FieldError("file", str(error)) from None
            continue
        found.append(name)
    if not found:
        raise FieldError(
            "file", f"{path.name} defines no Strategy class: pick a file with one (see examples)."
        )
    return StrategyFile(str(path), source, tuple(found))


def strategy_class(file: StrategyFile, name: str) -> type[Strategy]:
    """The class `name` of the file, or a `FieldError` on "class"."""
    try:
        return load_strategy(file.path, file.source, name)
    except ErasmoError as error:
        raise FieldError("class", str(error)) from None


def read_params(cls: type[Strategy], texts: dict[str, str]) -> dict[str, Any]:
    """The parameters typed and range-checked; a `FieldError` on the first one refused."""
    values: dict[str, Any] = {}
    for param in cls.params:
        try:
            values[param.name] = param.read(texts[param.name])
        except ErasmoError as error:
            raise FieldError(param.name, str(error).split(": give it as")[0] + ".") from None
    return values


def period(days: list[date], start: date, end: date) -> list[date]:
    """The trading days of the period, or a `FieldError` on "start" or "end"."""
    if end < start:
        raise FieldError("end", f"The last day {end} is before the first {start}: swap them.")
    calendar = calendar_between(days, start, end)
    if not calendar:
        first, last = (days[0], days[-1]) if days else (start, end)
        raise FieldError(
            "start",
            f"No trading day lies between {start} and {end}: give a period inside the market "
            f"data ({first} to {last}).",
        )
    return calendar


@dataclass(frozen=True)
class Rules:
    """The texts of a run's cash, commission, slippage and portfolio name."""

    cash: str
    commission: str
    slippage: str
    name: str = ""


def check_opening(door: FrontDoor, taken: set[str], name: str, rules: Rules, on: date) -> None:
    """The door's dry run of opening the backtest's portfolio, or a `FieldError` on the field it
    refuses (its name, cash, commission or slippage)."""
    try:
        preview_opening(
            door,
            taken,
            name=name,
            cash=rules.cash,
            on=on,
            mode="simulation",
            commission=rules.commission,
            slippage=rules.slippage,
        )
    except ErasmoError as error:
        problem = opening_problem(error)
        raise FieldError(
            "start" if problem.field == "date" else problem.field, str(error)
        ) from None


def backtest_spec(
    door: FrontDoor,
    taken: set[str],
    file: StrategyFile,
    cls: type[Strategy],
    texts: dict[str, str],
    start: date,
    end: date,
    rules: Rules,
    trading_days: list[date],
    *,
    named: bool = True,
) -> BacktestSpec:
    """The spec the dialog would run (its checks are the dialog's dry run), or a `FieldError`."""
    params = read_params(cls, texts)
    calendar = period(trading_days, start, end)
    name = rules.name.strip() or cls.__name__
    # a sweep's runs are named later (from their parameters): any free name checks the rest
    check_opening(door, taken, name if named else f"check {uuid4().hex}", rules, calendar[0])
    return BacktestSpec(
        file.path,
        file.source,
        cls.__name__,
        params,
        cash=ungrouped(rules.cash).strip(),
        start=start,
        end=end,
        commission=rules.commission.strip() or "0",
        slippage_bps=rules.slippage.strip() or "0",
        name=name,
    )
