"""Each event type in words: the one line `erasmo history` and the GUI's history table show.

A describer takes an event's own decoded fields (the envelope and `on` left out) and returns the
details people read beside the type and date: "10 AAPL @ 150.25 = 1,502.50 [bundled:2015]".
They are pure: no store, no market data. `events.schemas` gives each event type its describer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

Fields = Mapping[str, Any]
Describer = Callable[[Fields], str]


def money(value: Decimal) -> str:
    """1234.5 -> '1,234.50'."""
    return f"{value:,.2f}"


def number(value: Decimal) -> str:
    """A quantity without trailing zeros: 10.500000 -> '10.5'."""
    return format(value.normalize(), "f")


def nothing(fields: Fields) -> str:
    """Events whose type says it all (closed, reopened, ...)."""
    return ""


def opened_or_renamed(fields: Fields) -> str:
    return repr(fields["name"])


def cash(fields: Fields) -> str:
    return money(fields["amount"])


def trade(fields: Fields) -> str:
    fee = f", fee {money(fields['fee'])}" if fields["fee"] else ""
    return (
        f"{number(fields['quantity'])} {fields['ticker']} @ {fields['price']} = "
        f"{money(fields['value'])}{fee} [{fields['price_source']}]"
    )


def forked(fields: Fields) -> str:
    """A fork; `parent_seq` is where the parent's event is in the log it was recorded in (the
    reader may replace it with its own store's position, None when the parent is not there)."""
    at = fields.get("parent_seq")
    where = "not in this store" if at is None else f"seq {at}"
    return f"from {fields['parent_name']!r} after its event {fields['parent_version']} ({where})"


def split(fields: Fields) -> str:
    return f"{fields['ticker']} split {number(fields['ratio'])} for 1"


def dividend(fields: Fields) -> str:
    return (
        f"{number(fields['quantity'])} {fields['ticker']} x {fields['amount_per_share']} "
        f"= {money(fields['amount'])} dividend"
    )


def rules_set(fields: Fields) -> str:
    return (
        f"{fields['mode']}, commission {fields['commission']}, slippage "
        f"{fields['slippage_bps']} bps"
    )


def _order(fields: Fields) -> str:
    return str(fields.get("order_id", ""))[:8]


def order_placed(fields: Fields) -> str:
    terms = [
        f"{label} {fields[key]}{suffix}"
        for key, label, suffix in (
            ("stop", "stop", ""),
            ("limit", "limit", ""),
            ("trail_amount", "trailing", ""),
            ("trail_percent", "trailing", "%"),
        )
        if fields.get(key) is not None
    ]
    until = f" until {fields['expires']}" if fields.get("expires") else ""
    return (
        f"{_order(fields)} {fields['side']} {number(fields['quantity'])} {fields['ticker']} "
        f"{' '.join(terms) or 'market'} {fields['tif']}{until}"
    )


def order_filled(fields: Fields) -> str:
    return (
        f"{_order(fields)} {number(fields['quantity'])} @ {fields['price']} on "
        f"{fields['bar_day']}, fee {money(fields['fee'])}, slippage {fields['slippage']}/share"
    )


def volume_cap_set(fields: Fields) -> str:
    """A portfolio's participation cap (or none)."""
    pct = fields.get("max_volume_pct")
    return "no volume cap" if pct is None else f"at most {pct}% of a bar's volume an order"


def order_done(fields: Fields) -> str:
    """A cancelled or expired order: its short id."""
    return _order(fields)


def order_rejected(fields: Fields) -> str:
    return f"{_order(fields)} {fields['reason']}"


def clock_advanced(fields: Fields) -> str:
    return "the simulation's clock moved to this day"


def account_set(fields: Fields) -> str:
    """A portfolio's account type and margin rates."""
    if fields["account"] == "cash":
        return "cash account"

    def pct(key: str) -> str:
        return f"{number(fields[key] * 100)}%"

    return (
        f"margin account: initial margin {pct('initial_margin')}, maintenance "
        f"{pct('maintenance_long')} long / {pct('maintenance_short')} short"
    )


def note_added(fields: Fields) -> str:
    """A journal note: which event it is about (its log position where the reader added it,
    else its version), its text and tags."""
    tags = "".join(f" #{tag}" for tag in str(fields["tags"]).split())
    about = fields.get("about_seq")
    where = f"seq {about}" if about is not None else f"event {fields['about']}"
    return f"on {where}: {fields['text']!r}{tags}"


def event_voided(fields: Fields) -> str:
    """A void: which event it takes out (its log position where the reader added it, else its
    version), and why."""
    about = fields.get("about_seq")
    where = f"seq {about}" if about is not None else f"event {fields['about']}"
    return f"voids {where}: {fields['reason']!r}"


def margin_charged(fields: Fields) -> str:
    """Margin interest and borrow fees charged for a span of nights."""
    return (
        f"{money(fields['amount'])}: interest {money(fields['interest'])}, borrow fees "
        f"{money(fields['borrow_fee'])} (the nights since {fields['since']})"
    )


def margin_called(fields: Fields) -> str:
    return (
        f"equity {money(fields['equity'])} below the maintenance margin "
        f"{money(fields['requirement'])}"
    )


def liquidated(fields: Fields) -> str:
    verb = "sold" if fields["side"] == "sell" else "bought to cover"
    return (
        f"{number(fields['quantity'])} {fields['ticker']} {verb} @ {fields['price']}: "
        f"{fields['reason']}"
    )


def strategy_started(fields: Fields) -> str:
    """A backtest's strategy: its class, file, parameters, period and the source's hash."""
    params = ", ".join(f"{k}={v}" for k, v in json.loads(fields["params"]).items())
    return (
        f"{fields['class_name']} from {fields['file_name']} ({params or 'no parameters'}), "
        f"{fields['start']} to {fields['end']}, sha256 {fields['sha256'][:12]}"
    )


def strategy_stopped(fields: Fields) -> str:
    """Why a strategy stopped, and at which line of its file."""
    line = f" (line {fields['line']})" if fields.get("line") is not None else ""
    return f"{fields['reason']}{line}"
