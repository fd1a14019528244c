"""Voids: corrections that keep history.

A void is a compensating event: it takes one earlier deposit, withdrawal, buy, sell or order
placement of the same portfolio (named by its version, as a note is) out of the state, while
the log keeps both events. The state after a void is the state of a log that never had the
voided event: the portfolio is rebuilt by re-making its events, without the voided ones and
without the voids, through `events.replay` (the aggregate's own commands, so the same rules
decide). Notes are skipped too: they change nothing of the state, and name events by their
versions in the whole log, which the rebuild's versions (without the voided events) are not.
A void is refused, and nothing recorded, when a later event would then break a rule (a sale of
shares the voided buy bought: void the sale first), when the event is already voided, is a void
itself, or is not a deposit, withdrawal, buy, sell or order placement, or is the forced sale of
a margin call (the broker's, not the user's). An order placement is voidable while the order
is open and has not filled (`events.rules.order_voids`); the trade recorded by an
order's fill is voidable, and the fill stays (the order stays filled, the trade is out).

The aggregate does not keep its events: the caller (the application, the replay) hands the
portfolio's events to the command and rebuilds a loaded portfolio that holds voids
(`rebuild`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from events.errors import ErasmoError, InvalidInputError
from events.rules.book import Book, broken
from events.rules.order_voids import FILLS, PLACED, order_refusal, order_words
from events.rules.status import check_not_deleted

#: The event types a void may take out.
VOIDABLE: frozenset[str] = frozenset(
    ("CashDeposited", "CashWithdrawn", "SharesBought", "SharesSold", PLACED)
)
VOIDED: str = "EventVoided"
#: A note on an earlier event: it names that event by its version in the whole log, and
#: changes nothing of the state, so a rebuild (whose versions skip the voided events) skips it.
NOTED: str = "NoteAdded"
#: A forced sale of a margin call: its trade follows it, and neither can be voided.
LIQUIDATED: str = "PositionLiquidated"
REASON_MAX_LENGTH = 500
#: What a rebuild keeps of the aggregate it rebuilds (who it is, not what it holds).
_IDENTITY = ("_id", "_version", "_created_on", "_modified_on", "_pending_events")

#: One event of a portfolio's log: (type name, fields), the fields as stored.
Entry = tuple[str, dict[str, Any]]

#: A fresh `events.replay.Replay` for a portfolio id, set by that module when imported (the
#: replay imports the aggregate, which imports these rules: they cannot import it back).
new_replay: Callable[[UUID], Any] | None = None


class VoidError(InvalidInputError):
    """A void of an event that is not a deposit, withdrawal, buy, sell or open unfilled order,
    already voided, a void, or whose removal would make a later event break a rule.

    Attributes:
        blocked: for the last kind, (what the voided event is, its version, the version and
            type of the later event, the rule it would break), so a caller that shows log
            positions can say it with them (`blocked_message`).
        version: the event refused, for a refusal of that event alone (already voided, a
            void, not voidable, a filled order), so a caller can name it (and the other events
            its message names, "event N") by log position.
    """

    blocked: tuple[str, int, int, str, str] | None = None
    version: int | None = None


def _refused(about: int, message: str) -> VoidError:
    error = VoidError(message)
    error.version = about
    return error


def blocked_message(what: str, voided: str, later: str, kind: str, rule: str) -> str:
    """Why a void is refused: the later event of type `kind` at `later` would break `rule`."""
    return f"Voiding {what} ({voided}) leaves {later} ({kind}) breaking a rule: {rule} " + (
        "Void that first."
    )


def voided_versions(p: Book) -> frozenset[int]:
    """The versions of the events voided so far."""
    # kept as a sorted tuple: snapshots store JSON (a tuple comes back as a list)
    return frozenset(vars(p).get("voided", ()))


def _what(kind: str, f: dict[str, Any]) -> str:
    if kind == PLACED:
        return order_words(f)
    if kind in ("SharesBought", "SharesSold"):
        side = "buy" if kind == "SharesBought" else "sale"
        return f"the {side} of {f['quantity']} {f['ticker']}"
    return f"the {'deposit' if kind == 'CashDeposited' else 'withdrawal'} of {f['amount']}"


def check_void(p: Book, about: int, reason: str, entries: Sequence[Entry]) -> tuple[int, str]:
    """The void's fields (`about`, the reason stripped), once its rules hold; `entries` are the
    portfolio's events so far, in order (version i is `entries[i - 1]`)."""
    check_not_deleted(p)
    if not isinstance(reason, str) or not reason.strip():
        raise VoidError("A void needs a reason (--reason TEXT).")
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise VoidError(f"A void's reason holds at most {REASON_MAX_LENGTH} characters.")
    if isinstance(about, bool) or not isinstance(about, int) or not 1 <= about <= len(entries):
        raise broken(
            VoidError(
                f"Portfolio {p.name!r} has no event {about!r} to void: it has events 1 to "
                f"{len(entries)}. Pick one from 'erasmo history {p.name}'."
            ),
            f"it voids event {about!r}, which the portfolio does not have",
        )
    kind = entries[about - 1][0]
    if kind == VOIDED:
        raise _refused(about, f"Event {about} is a void itself; a void cannot be voided.")
    if kind not in VOIDABLE:
        raise _refused(
            about,
            f"Event {about} ({kind}) cannot be voided: only a deposit, withdrawal, buy, sell or "
            "order placement.",
        )
    if about in voided_versions(p):
        raise _refused(about, f"Event {about} is already voided.")
    if kind == "SharesSold" and about > 1 and entries[about - 2][0] == LIQUIDATED:
        raise _refused(
            about,
            f"Event {about} is the forced sale of a margin call (event {about - 1}): the "
            "broker's sale cannot be voided. To try another way, fork the portfolio at an "
            "event before the call.",
        )
    refusal = order_refusal(entries, about) if kind == PLACED else None
    if refusal is not None:
        raise _refused(about, refusal)
    return about, reason


def rebuild(
    p: Any,
    entries: Sequence[Entry],
    voided: frozenset[int] | None = None,
    cause: int | None = None,
) -> None:
    """Give `p` the state of its log without the `voided` events (by default those `p` marks
    voided) and without the voids. Raises VoidError naming the first later event that would
    then break a rule, and `cause` (default: the earliest voided) as the event whose void
    breaks it."""
    voided = voided_versions(p) if voided is None else voided
    if new_replay is None:
        raise RuntimeError("import events.replay before voiding: it re-makes the events")
    replay = new_replay(p.id)
    for version, (kind, fields) in enumerate(entries, start=1):
        if kind == NOTED:
            continue  # state-neutral; its `about` is a version of the whole log
        if version in voided or kind == VOIDED:
            if version > 1 and entries[version - 2][0] in FILLS:
                replay.fill = None  # an order's fill whose trade is voided stays without it
            continue
        try:
            replay.redo(kind, fields)
        except ErasmoError as error:
            first = min(voided) if cause is None else cause
            what = _what(*entries[first - 1])
            refused = VoidError(
                blocked_message(what, f"event {first}", f"event {version}", kind, str(error))
            )
            refused.blocked = (what, first, version, kind, str(error))
            raise refused from None
    state = vars(replay.portfolio)
    for key in [k for k in vars(p) if k not in _IDENTITY]:
        del vars(p)[key]
    vars(p).update({k: v for k, v in state.items() if k not in _IDENTITY})
    vars(p)["voided"] = tuple(sorted(voided))


# -- effects -------------------------------------------------------------------------------


def event_voided(self: Book, about: int, reason: str, on: date) -> None:
    """Marks the event voided; the state itself is rebuilt by the command (`rebuild`), or by
    whoever loads the portfolio from its events."""
    vars(self)["voided"] = tuple(sorted(voided_versions(self) | {about}))
