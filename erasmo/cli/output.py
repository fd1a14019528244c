"""Plain output helpers: aligned tables for people, JSON for machines.

Money and quantities go into JSON as decimal strings, dates as YYYY-MM-DD.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import click


def jsonable(value: Any) -> Any:
    """`value` with Decimals, dates and UUIDs turned into strings, recursively."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def echo_json(value: Any) -> None:
    """Print `value` as indented JSON."""
    click.echo(json.dumps(jsonable(value), indent=2, ensure_ascii=False))


def money(value: Decimal) -> str:
    """1234.5 -> '1,234.50'."""
    return f"{value:,.2f}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """A count and its noun: '1 portfolio', '2 portfolios', '1,200 events'."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def number(value: Decimal) -> str:
    """A quantity without trailing zeros: 10.500000 -> '10.5'."""
    return format(value.normalize(), "f")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """An aligned text table; columns listed in `right` are right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
