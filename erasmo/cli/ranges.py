"""Checks of the periods and log positions the read commands are given.

A reversed period, a period outside a portfolio's days, or a log position that is not one of
its events would print an empty table, NaN metrics or, silently, the latest state. Each is a
usage error (exit code 2) with one sentence saying which values are possible.
"""

from __future__ import annotations

from datetime import date

import click


class PickError(click.UsageError):
    """A usage error whose message already says which values to pick (no --help hint)."""


def check_order(start: date | None, end: date | None) -> None:
    """Refuse --from after --to."""
    if start is not None and end is not None and start > end:
        raise PickError(
            f"--from {start} is after --to {end}; swap them: --from {end} --to {start}."
        )


def check_period(
    name: str,
    start: date | None,
    end: date | None,
    days: tuple[date, date] | None,
    what: str = "values",
) -> None:
    """Refuse a period that ends before `name`'s first day or starts after its last.

    `days` is the first and last day `name` (a portfolio, or a ticker) has `what` on; None: it
    has none, nothing to check against.
    """
    check_order(start, end)
    if days is None:
        return
    first, last = days
    span = f"{name} has {what} from {first} to {last}; pick dates between those."
    if end is not None and end < first:
        raise PickError(f"--to {end}: {span}")
    if start is not None and start > last:
        raise PickError(f"--from {start}: {span}")


def check_position(name: str, option: str, at: int, seqs: tuple[int, int] | None) -> None:
    """Refuse a log position outside portfolio `name`'s events (`seqs`: its first and last).

    A position between them that belongs to another portfolio is kept: it means "as after
    that position", which is a moment of this portfolio's history too.
    """
    if seqs is None:
        return
    first, last = seqs
    if not first <= at <= last:
        raise PickError(
            f"{option} {at}: {name!r} has events at log positions {first} to {last}; pick one "
            f"of those (see 'erasmo history {name}')."
        )
