"""What a strategy is: a class with declared parameters and two hooks.

```python
from erasmo.strategy import Param, Strategy

class Cross(Strategy):
    universe = ("GOOG",)
    params = (Param("fast", int, 50), Param("slow", int, 200))

    def on_bar(self, ctx):
        closes = ctx.history("GOOG", "close", self.slow + 1)
        ...
        ctx.buy("GOOG", 10)
```

`on_start(ctx)` runs once, on the first day; `on_bar(ctx)` once per trading day after its close
is known. Orders placed in a hook can fill from the next bar on, by the simulator's fill rules
(docs/fill-rules.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from erasmo.strategy.errors import StrategyParameterError

if TYPE_CHECKING:
    from erasmo.strategy.context import Context


#: The parameter types a command line value can be read as.
PARAM_TYPES: dict[type, str] = {
    int: "a whole number",
    float: "a number",
    str: "a text",
    bool: "true or false",
    Decimal: "a decimal number",
}


@dataclass(frozen=True, slots=True)
class Param:
    """One declared parameter of a strategy.

    Attributes:
        name: the attribute it is set as on the strategy, and its `--param NAME=VALUE` key.
        type: int, float, str, bool or Decimal.
        default: the value when none is given.
        low, high: the inclusive range a number must lie in (None: unbounded).
        help: what it means, in a few words.
    """

    name: str
    type: type
    default: Any
    low: Any = None
    high: Any = None
    help: str = ""

    def read(self, text: str) -> Any:
        """The value of `text` as this parameter's type, checked against its range."""
        try:
            if self.type is bool:
                lowered = text.strip().lower()
                if lowered not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(text)
                value: Any = lowered in ("true", "1", "yes")
            else:
                value = self.type(text.strip())
        except (ValueError, InvalidOperation):
            raise StrategyParameterError(
                f"Parameter {self.name} takes {PARAM_TYPES.get(self.type, 'a value')}, not "
                f"{text!r}: give it as --param {self.name}={self.default}."
            ) from None
        self.check(value)
        return value

    def check(self, value: Any) -> None:
        """Refuse a value outside the declared range."""
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise StrategyParameterError(
                f"Parameter {self.name}={value} is outside its range "
                f"[{self.low if self.low is not None else '-inf'}, "
                f"{self.high if self.high is not None else 'inf'}]: give a value inside it."
            )


class Strategy:
    """The base class of a strategy: declare `universe` and `params`, override the hooks.

    Each declared parameter is set as an attribute of the instance (`self.fast`); `values`
    holds them all by name.
    """

    #: The tickers the strategy trades or reads (bundled or cached).
    universe: ClassVar[tuple[str, ...]] = ()
    #: The declared parameters.
    params: ClassVar[tuple[Param, ...]] = ()

    def __init__(self, **values: Any) -> None:
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            raise StrategyParameterError(
                f"{type(self).__name__} has no parameter {', '.join(unknown)}; it declares "
                f"{', '.join(declared) or 'none'}."
            )
        self.values: dict[str, Any] = {}
        for name, param in declared.items():
            value = values.get(name, param.default)
            param.check(value)
            self.values[name] = value
            setattr(self, name, value)

    @classmethod
    def read_params(cls, pairs: dict[str, str]) -> dict[str, Any]:
        """Command line `NAME=VALUE` texts as typed values (defaults for the rest)."""
        declared = {p.name: p for p in cls.params}
        unknown = sorted(set(pairs) - set(declared))
        if unknown:
            raise StrategyParameterError(
                f"{cls.__name__} has no parameter {', '.join(unknown)}; it declares "
                f"{', '.join(declared) or 'none'}."
            )
        return {
            name: param.read(pairs[name]) if name in pairs else param.default
            for name, param in declared.items()
        }

    def on_start(self, ctx: Context) -> None:
        """Called once, on the first day of the run (after its close)."""

    def on_bar(self, ctx: Context) -> None:
        """Called once per trading day after the close is known; orders fill from the next bar."""
