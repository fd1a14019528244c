"""Notes and tags on a portfolio's earlier events (the trading journal).

A note is attached to one earlier event of the same portfolio by that event's version (its
position in the portfolio's own history, the same in every store a log is synced or imported
into; people name events by log position and the application turns that into the version).
A note never changes: a later note on the same event supersedes it in views, and the log keeps
both. A note changes nothing else of the state: not the cash, the shares, nor the clock (it is
dated on the clock). A deleted portfolio takes no notes; a closed one does (a journal is
written after the trading).

Tags are free words, stored lower-case and space-separated in the order first given, without
repeats: letters, digits, "-" and "_", starting with a letter or a digit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from events.errors import InvalidInputError
from events.rules.book import Book, broken
from events.rules.status import check_not_deleted

NOTE_MAX_LENGTH = 2000
TAG_MAX_LENGTH = 40
MAX_TAGS = 10
_TAG = re.compile(r"[a-z0-9][a-z0-9_-]*")


class InvalidNoteError(InvalidInputError):
    """A note without text or tags, too long, on an event that does not exist, or with a tag
    that is not one word."""


def parse_tags(tags: str | Iterable[str]) -> str:
    """`tags` (words, or one text of words separated by spaces or commas) as stored: lower-case,
    space-separated, first occurrence kept. Raises InvalidNoteError for a tag that is not one
    word."""
    words = tags.replace(",", " ").split() if isinstance(tags, str) else list(tags)
    kept: list[str] = []
    for raw in words:
        if not isinstance(raw, str):
            raise InvalidNoteError(f"A tag must be a word, not {raw!r}.")
        for word in raw.replace(",", " ").split():
            tag = word.strip().lower()
            if len(tag) > TAG_MAX_LENGTH or not _TAG.fullmatch(tag):
                raise InvalidNoteError(
                    f"Tag {word[:50]!r} is not one word: use letters, digits, '-' and '_' "
                    f"(at most {TAG_MAX_LENGTH} characters), e.g. breakout or earnings-miss."
                )
            if tag not in kept:
                kept.append(tag)
    if len(kept) > MAX_TAGS:
        raise InvalidNoteError(f"A note takes at most {MAX_TAGS} tags; {len(kept)} were given.")
    return " ".join(kept)


def check_note(p: Book, about: int, text: str, tags: str) -> tuple[int, str, str]:
    """The note's fields as recorded (text stripped, tags parsed), once its rules hold."""
    check_not_deleted(p)
    if not isinstance(text, str):
        raise InvalidNoteError(f"A note's text must be text, not {type(text).__name__}.")
    text = text.strip()
    tags = parse_tags(tags)
    if isinstance(about, bool) or not isinstance(about, int) or not 1 <= about <= p.version:
        raise broken(
            InvalidNoteError(
                f"Portfolio {p.name!r} has no event {about!r} to attach a note to: it has "
                f"events 1 to {p.version}. Pick one from 'erasmo history {p.name}'."
            ),
            f"it notes event {about!r}, which the portfolio does not have",
        )
    if not text and not tags:
        raise InvalidNoteError("A note needs some text or at least one tag (--tag).")
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidNoteError(
            f"A note holds at most {NOTE_MAX_LENGTH} characters; this one has {len(text)}. "
            "Split it into two notes."
        )
    return about, text, tags


# -- effects -------------------------------------------------------------------------------


def note_added(self: Book, about: int, text: str, tags: str, on: date) -> None:
    """A note changes nothing the rules look at."""
