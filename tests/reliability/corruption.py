"""Corrupted and foreign store files: each is opened the way erasmo opens a store, and must be
refused with one sentence (a `StoreError`) before anything is written, leaving the file
byte-for-byte unchanged; a file that does open must either read exactly as it was written or
have its damage reported by `erasmo check`.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from erasmo.checks import check_store
from events.application import Portfolios
from events.errors import ErasmoError, StoreError
from events.store import STORE_FORMAT_VERSION, StoreConfig
from events.values import PriceProvenance
from reliability.crash import DAY
from reliability.targets import market

#: What a restore or a sync might see instead of a store.
FOREIGN_CONTENTS: dict[str, bytes] = {
    "text": b"my tax notes\nnot a database\n",
    "png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
    "event-log": b'{"count":0,"erasmo_version":"0.1.0","format":"erasmo-event-log"}\n',
    "sqlite-2": b"SQLite format 2\x00" + b"\x00" * 4080,
    "zeros": b"\x00" * 4096,
    "random": random.Random(8).randbytes(8192),
}


def reference_store(folder: Path) -> Path:
    """A small, closed store (journal folded in) with known content: 3 portfolios, 40 events."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "events.sqlite"
    app = Portfolios(StoreConfig.sqlite(path))
    bar = market().bar("AAPL", DAY)
    assert bar is not None
    provenance = PriceProvenance(market().info("AAPL").source, DAY, True, "close")
    try:
        for n in range(3):
            pid = app.open_portfolio(f"Ref {n}", DAY, Decimal(100_000 + n))
            for k in range(5):
                app.deposit(pid, Decimal(k + 1), DAY)
                app.buy(pid, "AAPL", Decimal(k + 1), bar.close, DAY, provenance)
            app.sell(pid, "AAPL", Decimal(3), bar.close, DAY, provenance)
    finally:
        app.close()
    assert not Path(f"{path}-wal").exists()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def content(app: Portfolios) -> list[tuple[Any, ...]]:
    """Every stored event, exactly as stored."""
    return [(e.seq, e.originator_id, e.version, e.topic, e.state) for e in app.reader.events()]


@dataclass
class Outcome:
    """What opening one damaged file did.

    Attributes:
        refused: the StoreError's class name, or None when the store opened.
        message: its message.
        unchanged: the file's bytes are as before (and no journal was left next to it).
        raw: an exception other than erasmo's own, if one escaped.
        same_content: the store opened and reads exactly as the original (None: not compared).
        findings: what `erasmo check` (or reading it) reported for a store that opened.
    """

    refused: str | None = None
    message: str = ""
    unchanged: bool = True
    raw: str | None = None
    same_content: bool | None = None
    findings: list[str] = field(default_factory=list)

    @property
    def detected(self) -> bool:
        return self.refused is not None or bool(self.findings)


def open_damaged(path: Path, reference: list[tuple[Any, ...]] | None = None) -> Outcome:
    """Open `path` as erasmo does; if it opens, read it all and run `erasmo check` (writing
    nothing). Compares bytes before and after."""
    before = digest(path)
    sides_before = sorted(p.name for p in path.parent.iterdir())
    outcome = Outcome()
    try:
        app = Portfolios(StoreConfig.sqlite(path))
    except StoreError as error:
        outcome.refused, outcome.message = type(error).__name__, str(error)
    except Exception as error:
        outcome.raw = f"{type(error).__name__}: {error}"
    else:
        try:
            found = content(app)
            outcome.same_content = reference is not None and found == reference
            _, findings = check_store(app, market())
            outcome.findings = [f"{f.portfolio} v{f.version}: {f.message}" for f in findings]
        except ErasmoError as error:
            outcome.findings = [f"{type(error).__name__}: {error}"]
        except Exception as error:
            outcome.findings = [f"reading failed: {type(error).__name__}: {error}"]
        finally:
            app.close()
    outcome.unchanged = digest(path) == before and (
        outcome.refused is None or sorted(p.name for p in path.parent.iterdir()) == sides_before
    )
    return outcome


def damaged_copy(reference: Path, folder: Path, change: Callable[[bytearray], None]) -> Path:
    """A copy of the reference store in its own folder, with `change` applied to its bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    data = bytearray(reference.read_bytes())
    change(data)
    path = folder / "events.sqlite"
    path.write_bytes(bytes(data))
    return path


def truncations(size: int, page_size: int) -> dict[str, int]:
    """Lengths to cut the reference store to."""
    return {
        "half": size // 2,
        "one-page-short": size - page_size,
        "one-byte-short": size - 1,
        "header-only": 100,
        "mid-header": 50,
        "magic-only": 16,
    }


def targeted_flips(page_size: int) -> dict[str, tuple[int, int]]:
    """(byte offset, bit) of flips in the parts of a SQLite file its structure hangs on."""
    return {
        "magic": (0, 1),
        "page-size": (16, 0),
        "payload-fraction": (21, 2),
        "page-count": (31, 4),
        "schema-page-type": (100, 3),
        "page-2-type": (page_size, 3),
        "page-2-cell-count": (page_size + 4, 6),
        "page-2-cell-pointer": (page_size + 8, 7),
    }


def flip(offset: int, bit: int) -> Callable[[bytearray], None]:
    def change(data: bytearray) -> None:
        data[offset] ^= 1 << bit

    return change


def newer_format(path: Path, version: str = str(STORE_FORMAT_VERSION + 1)) -> None:
    """Stamp a store as written by a newer erasmo (what that erasmo would do); by default with
    the format after this erasmo's."""
    connection = sqlite3.connect(path)
    try:
        connection.execute(
            "UPDATE erasmo_meta SET value = ? WHERE key = 'format_version'", (version,)
        )
        connection.commit()
    finally:
        connection.close()


def foreign_database(path: Path) -> None:
    """A SQLite database of another program."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        connection.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
        connection.commit()
    finally:
        connection.close()


@dataclass
class FlipFigures:
    """Random single-bit flips anywhere in the file.

    Attributes:
        tried: flipped copies opened.
        refused: refused at open (before anything was written).
        reported: opened, and reading or `erasmo check` reported the damage.
        harmless: opened and read exactly as the original (the bit was in unused space).
        silent: opened, read differently, and nothing reported it (SQLite keeps no page
            checksums: a flip inside a stored event's text can only be caught by erasmo's rules).
        silent_outside_one_state: silent flips that changed anything but the JSON text of one
            event (its id, version, type, position, another event): must be 0.
        changed_files: files whose bytes changed (must be 0).
        raw: exceptions other than erasmo's own that escaped opening (must be 0).
    """

    tried: int = 0
    refused: int = 0
    reported: int = 0
    harmless: int = 0
    silent: int = 0
    silent_outside_one_state: int = 0
    changed_files: int = 0
    raw: list[str] = field(default_factory=list)
    silent_examples: list[str] = field(default_factory=list)


def random_flips(reference: Path, folder: Path, count: int, seed: int) -> FlipFigures:
    """Flip one random bit of the reference store `count` times and open each copy."""
    rng = random.Random(seed)
    size = reference.stat().st_size
    app = Portfolios(StoreConfig.sqlite(reference))
    try:
        expected = content(app)
    finally:
        app.close()
    figures = FlipFigures()
    for n in range(count):
        offset, bit = rng.randrange(size), rng.randrange(8)
        path = damaged_copy(reference, folder / f"flip-{n}", flip(offset, bit))
        outcome = open_damaged(path, expected)
        figures.tried += 1
        figures.changed_files += not outcome.unchanged
        if outcome.raw:
            figures.raw.append(f"offset {offset} bit {bit}: {outcome.raw}")
        elif outcome.refused:
            figures.refused += 1
        elif outcome.findings:
            figures.reported += 1
        elif outcome.same_content:
            figures.harmless += 1
        else:
            figures.silent += 1
            difference = _difference(expected, path)
            figures.silent_examples.append(f"offset {offset} bit {bit}: {difference}")
            figures.silent_outside_one_state += not difference.startswith("the state of")
        shutil.rmtree(path.parent)
    return figures


def _difference(expected: list[tuple[Any, ...]], path: Path) -> str:
    """Where a store that opened reads differently from the reference."""
    app = Portfolios(StoreConfig.sqlite(path))
    try:
        found = content(app)
    finally:
        app.close()
    if len(found) != len(expected):
        return f"{len(found)} events instead of {len(expected)}"
    changed = [(a, b) for a, b in zip(expected, found, strict=True) if a != b]
    if len(changed) == 1 and changed[0][0][:4] == changed[0][1][:4]:
        old, new = changed[0][0][4], changed[0][1][4]
        at = next(i for i, (x, y) in enumerate(zip(old, new, strict=True)) if x != y)
        return f"the state of one event: {old[max(0, at - 30) : at + 10]!r} -> {new[at : at + 1]!r}"
    return f"{len(changed)} events differ"
