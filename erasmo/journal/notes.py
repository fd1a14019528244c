"""Notes and tags on a portfolio's events, as the journal reads them.

A note (`NoteAdded`) is attached to an earlier event of the same portfolio by its log position.
Notes are never changed: a later note on the same event supersedes the earlier one in every
view (its text and its tags), and the log keeps both. Tags are lower-case words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from events.logged import LoggedEvent

NOTE_ADDED = "NoteAdded"


@dataclass(frozen=True, slots=True)
class Note:
    """The note in force on one event.

    Attributes:
        about: the log position of the event it is attached to.
        seq: the note's own log position.
        text: what it says.
        tags: its tags, lower-case, in the order given.
    """

    about: int
    seq: int
    text: str
    tags: tuple[str, ...]


def notes_of(history: Iterable[LoggedEvent]) -> dict[int, Note]:
    """The note in force on each event of one portfolio's history, by the event's log
    position: the latest note attached to it (notes name their event by version)."""
    seqs: dict[int, int] = {}
    found: dict[int, Note] = {}
    for event in history:
        seqs[event.version] = event.seq
        if event.type != NOTE_ADDED:
            continue
        about = seqs.get(int(event.fields["about"]))
        if about is None:  # pragma: no cover - the rules admit only earlier events
            continue
        tags = tuple(str(event.fields.get("tags") or "").split())
        found[about] = Note(about, event.seq, str(event.fields.get("text") or ""), tags)
    return found


def stored_notes(
    rows: Iterable[tuple[int, bytes | str]], versions: np.ndarray, seqs: np.ndarray
) -> dict[int, Note]:
    """The note in force on each event, by the event's log position, from the stored
    `NoteAdded` rows (log position, JSON state) of one portfolio in log order; `versions` and
    `seqs` are the portfolio's event frame's columns (versions ascending), which turn the
    version a note names into its event's log position. Reads no other event."""
    found: dict[int, Note] = {}
    for seq, state in rows:
        fields = json.loads(state)
        about = int(fields["about"])
        at = int(np.searchsorted(versions, about))
        if at >= len(versions) or int(versions[at]) != about:  # pragma: no cover - unreadable
            continue
        target = int(seqs[at])
        tags = tuple(str(fields.get("tags") or "").split())
        found[target] = Note(target, seq, str(fields.get("text") or ""), tags)
    return found


def with_notes(trades: pd.DataFrame, notes: Mapping[int, Note]) -> pd.DataFrame:
    """`trades` with `tags` (a tuple per trade: its entry's tags), `note` (its entry's note
    text) and `exit_note` (its exit's); "" where there is none."""
    entries = trades["entry_seq"].tolist()
    exits = [int(seq) if pd.notna(seq) else None for seq in trades["exit_seq"].tolist()]

    def text(seq: int | None) -> str:
        note = notes.get(seq) if seq is not None else None
        return note.text if note is not None else ""

    tags = [notes[seq].tags if seq in notes else () for seq in entries]
    return trades.assign(
        tags=pd.Series(tags, index=trades.index, dtype=object),
        note=pd.Series([text(seq) for seq in entries], index=trades.index, dtype=object),
        exit_note=pd.Series([text(seq) for seq in exits], index=trades.index, dtype=object),
    )
