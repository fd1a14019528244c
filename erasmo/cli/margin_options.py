"""The options that choose a cash or margin account (`portfolio open`, `portfolio rules`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: option -> (parameter name in `events.rules.margin`, help)
MARGIN_OPTIONS = {
    "--initial-margin": ("initial_margin", "Initial margin (default 50%), e.g. 0.5 or 50%."),
    "--maintenance-long": ("maintenance_long", "Maintenance margin for longs (default 25%)."),
    "--maintenance-short": ("maintenance_short", "Maintenance margin for shorts (default 30%)."),
    "--margin-interest": ("margin_interest", "Annual interest on a debit balance (default 8%)."),
    "--borrow-fee": ("borrow_fee", "Annual borrow fee on shorts (default 1%)."),
    "--borrow-fees": ("borrow_overrides", "Per-ticker borrow fees, e.g. TSLA=5%,GME=0.2."),
}


def margin_options(command: F) -> F:
    """Add --account and the margin parameters to a command."""
    for option, (name, help_text) in reversed(MARGIN_OPTIONS.items()):
        command = click.option(option, name, metavar="RATE", help=help_text)(command)
    return click.option(
        "--account",
        type=click.Choice(["cash", "margin"], case_sensitive=False),
        help="cash (default): no negative cash, no short; margin: short selling and buying on "
        "margin, within buying power.",
    )(command)


def margin_parameters(options: dict[str, Any]) -> dict[str, str | None]:
    """The margin parameters given (taken out of `options`, the command's keyword arguments)."""
    return {name: options.pop(name) for name, _ in MARGIN_OPTIONS.values()}
