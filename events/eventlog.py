"""Event-log files: JSON Lines with a SHA-256 hash chain that proves the file's integrity.

Line 1 is a header (format, format version, app version, event count); every further line is
one portfolio event in log order. Each line carries `prev`, the hash of the line before it, and
`hash`, the SHA-256 of its own canonical JSON without `hash`. Editing, reordering, duplicating
or dropping any line, or cutting the file short, breaks the chain or the count, and is reported
with the line number.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from events.application import Portfolios
from events.errors import EventLogError
from events.registry import BY_TOPIC, PORTFOLIO_TOPICS, check_stored_event, state_problem

FORMAT = "erasmo-event-log"
FORMAT_VERSION = 1
GENESIS = "0" * 64
#: The longest line an event-log file may have (an event takes well under a kilobyte).
MAX_LINE_BYTES = 1 << 20
_HEADER_KEYS = {"format", "format_version", "erasmo_version", "count", "prev", "hash"}
_EVENT_KEYS = {"n", "portfolio", "version", "topic", "state", "prev", "hash"}


def canonical(obj: dict[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _sealed(obj: dict[str, Any]) -> dict[str, Any]:
    return {**obj, "hash": hashlib.sha256(canonical(obj)).hexdigest()}


@dataclass(frozen=True, slots=True)
class VerifiedLog:
    """A checked event-log file.

    Attributes:
        header: the header line's fields.
        events: the events, ready to record, in file order.
        last_hash: the hash of the last line (a fingerprint of the whole file's content).
    """

    header: dict[str, Any]
    events: list[StoredEvent]
    last_hash: str

    @property
    def portfolios(self) -> list[UUID]:
        """The portfolios the file has events of, in order of first appearance."""
        seen: dict[UUID, None] = {}
        for event in self.events:
            assert isinstance(event.originator_id, UUID)
            seen.setdefault(event.originator_id, None)
        return list(seen)


def export_log(
    app: Portfolios,
    out: IO[str],
    *,
    erasmo_version: str,
    portfolio_ids: Sequence[UUID] = (),
) -> int:
    """Write the store's portfolio events (all, or those of `portfolio_ids`); return the count."""
    topics = list(PORTFOLIO_TOPICS)
    head = app.reader.head()
    count = app.reader.count(upto=head, originator_ids=portfolio_ids, topics=topics)
    header = _sealed(
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "erasmo_version": erasmo_version,
            "count": count,
            "prev": GENESIS,
        }
    )
    out.write(canonical(header).decode() + "\n")
    prev = header["hash"]
    wanted = set(portfolio_ids)
    n = 0
    for batch in app.reader.rows(upto=head, topics=topics):
        for _seq, oid, version, topic, state in batch:
            portfolio = UUID(oid)
            if wanted and portfolio not in wanted:
                continue
            n += 1
            line = _sealed(
                {
                    "n": n,
                    "portfolio": str(portfolio),
                    "version": version,
                    "topic": topic,
                    "state": _readable_state(app, portfolio, version, _seq, topic, state),
                    "prev": prev,
                }
            )
            out.write(canonical(line).decode() + "\n")
            prev = line["hash"]
    assert n == count, "the log changed under a fixed head"
    return n


def _readable_state(
    app: Portfolios, portfolio: UUID, version: int, seq: int, topic: str, state: bytes
) -> dict[str, Any]:
    """A stored event's state for an export line; an event this erasmo cannot read (a newer
    shape version, a damaged byte, a field out of its type's shape) stops the export, so the
    export of a damaged store never looks like a clean log."""
    event_type = BY_TOPIC.get(topic)
    try:
        parsed = json.loads(state)
    except (ValueError, RecursionError):
        parsed = None
    if event_type is None:
        problem: str | None = f"its type {topic[:80]!r} is unknown to this erasmo"
    elif not isinstance(parsed, dict):
        problem = "its stored state is not the JSON of an event"
    else:
        problem = state_problem(event_type, parsed)
    if problem is None:
        assert isinstance(parsed, dict)
        return parsed
    name = _portfolio_name(app, portfolio)
    raise EventLogError(
        f"cannot export: event {version} (seq {seq}) of portfolio {name} cannot be read: "
        f"{problem}. Nothing was exported; run 'erasmo check', then restore a backup or export "
        "the other portfolios by name"
    )


def _portfolio_name(app: Portfolios, portfolio: UUID) -> str:
    """The portfolio's name and id, for a message (the id alone when the catalog cannot say)."""
    try:
        catalog = app._catalog()
        name = catalog.names.get(portfolio.hex) or catalog.deleted.get(portfolio.hex)
    except Exception:  # a damaged catalog: the id still names the portfolio
        name = None
    return f"{name!r} ({portfolio})" if name else str(portfolio)


def export_to_file(app: Portfolios, path: Path, **kwargs: Any) -> int:
    """`export_log` into `path`, written to a temporary file first so it is never half-written."""
    tmp = path.with_name(f".{path.name}.partial")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as out:
            count = export_log(app, out, **kwargs)
            out.flush()
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def read_lines(path: Path) -> Iterator[str]:
    """The lines of an event-log file, a UTF-8 BOM and CRLF line ends tolerated."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise EventLogError(f"cannot read {path}: {error.strerror}") from None
    with handle:
        # Decode line by line: a text-mode reader decodes ahead in large blocks, so a bad byte
        # would be reported on the wrong line.
        number = 0
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise EventLogError(
                    f"the line is longer than {MAX_LINE_BYTES:,} bytes, which no erasmo event "
                    "needs: this is not an erasmo event log",
                    number,
                )
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise EventLogError("the file is not UTF-8 text", line=number) from None
            yield line[:-2] + "\n" if line.endswith("\r\n") else line


def verify_lines(lines: Iterable[str]) -> VerifiedLog:
    """Check a whole event-log file; raise `EventLogError` naming the first bad line."""
    header: dict[str, Any] | None = None
    events: list[StoredEvent] = []
    prev = GENESIS
    number = 0
    for number, text in enumerate(lines, start=1):
        if not text.endswith("\n"):
            raise EventLogError(
                "the line is cut short (no line end): the file is truncated", number
            )
        obj = _parse(text, number)
        if header is None:
            header = _check_header(obj, number)
            prev = header["hash"]
            continue
        _check_event_line(obj, number, prev, len(events) + 1)
        prev = obj["hash"]
        events.append(
            StoredEvent(
                originator_id=UUID(obj["portfolio"]),
                originator_version=obj["version"],
                topic=obj["topic"],
                state=json.dumps(obj["state"], separators=(",", ":"), ensure_ascii=False).encode(),
            )
        )
    if header is None:
        raise EventLogError("the file is empty: it has no header line", 1)
    if len(events) != header["count"]:
        raise EventLogError(
            f"the header promises {header['count']} events but the file has {len(events)}: "
            "lines are missing (the file is truncated) or were added",
            number + 1 if len(events) < header["count"] else number,
        )
    return VerifiedLog(header=header, events=events, last_hash=prev)


def verify_file(path: Path) -> VerifiedLog:
    """`verify_lines` over a file."""
    return verify_lines(read_lines(path))


def import_file(
    app: Portfolios,
    path: Path,
    *,
    dry_run: bool = False,
    admit: Callable[[Sequence[StoredEvent]], object] | None = None,
) -> tuple[VerifiedLog, int]:
    """Verify then record a file's events, all or nothing; returns the log and how many were new.

    Every event must have its type's shape (`events.registry`); `admit`, when given, checks
    them further (the market's rules) and raises to refuse them."""
    log = verify_file(path)
    for event in log.events:
        check_stored_event(event, outcome="nothing was imported")
        try:
            fields = app.decode(event.topic, event.state)
        except Exception as error:  # a file can hold anything: report it, never crash
            raise EventLogError(
                f"event {event.originator_version} of portfolio {event.originator_id} cannot "
                f"be decoded: {error}"
            ) from None
        if "on" not in fields or "timestamp" not in fields:
            raise EventLogError(
                f"event {event.originator_version} of portfolio {event.originator_id} lacks "
                "its market date or timestamp"
            )
    if admit is not None:
        admit(log.events)
    new = app.record_imported(log.events, dry_run=dry_run)
    return log, new


def _parse(text: str, number: int) -> dict[str, Any]:
    def refuse(constant: str) -> float:
        raise EventLogError(f"the line holds {constant}, which is not a number", number)

    try:
        obj = json.loads(text, parse_constant=refuse, parse_float=_refuse_float)
    except json.JSONDecodeError as error:
        raise EventLogError(f"the line is not valid JSON ({error.msg})", number) from None
    except RecursionError:
        raise EventLogError("the line nests too deeply to be an erasmo event", number) from None
    except ValueError:  # a whole number longer than Python reads (4,300 digits)
        raise EventLogError(
            "the line holds a number too long to be an erasmo value", number
        ) from None
    except _FloatError:
        raise EventLogError(
            "the line holds a floating-point number; erasmo writes amounts as decimal strings",
            number,
        ) from None
    if not isinstance(obj, dict):
        raise EventLogError("the line is not a JSON object", number)
    return obj


class _FloatError(Exception):
    pass


def _refuse_float(text: str) -> float:
    raise _FloatError(text)


def _check_header(obj: dict[str, Any], number: int) -> dict[str, Any]:
    if obj.get("format") != FORMAT:
        raise EventLogError("this is not an erasmo event-log file (no erasmo header)", number)
    version = obj.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise EventLogError("the header has no format version", number)
    if version > FORMAT_VERSION:
        raise EventLogError(
            f"the file uses event-log format {version}, newer than this erasmo reads "
            f"({FORMAT_VERSION}); update erasmo to import it",
            number,
        )
    if set(obj) != _HEADER_KEYS:
        raise EventLogError(
            f"the header has fields {sorted(set(obj) ^ _HEADER_KEYS)} out of place", number
        )
    count = obj["count"]
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise EventLogError("the header's event count is not a whole number", number)
    _check_hash(obj, number, GENESIS)
    return obj


def _check_event_line(obj: dict[str, Any], number: int, prev: str, n: int) -> None:
    if set(obj) != _EVENT_KEYS:
        raise EventLogError(
            f"the event line has fields {sorted(set(obj) ^ _EVENT_KEYS)} out of place", number
        )
    _check_hash(obj, number, prev)
    if obj["n"] != n:
        raise EventLogError(f"event number {obj['n']} should be {n}", number)
    version = obj["version"]
    if not _whole(version) or version < 1:
        raise EventLogError(f"version {version!r} is not a positive whole number", number)
    if obj["topic"] not in PORTFOLIO_TOPICS:
        raise EventLogError(f"unknown event type {obj['topic']!r}", number)
    if not isinstance(obj["state"], dict):
        raise EventLogError("the event's state is not a JSON object", number)
    try:
        UUID(obj["portfolio"])
    except (ValueError, TypeError, AttributeError):
        raise EventLogError(f"{obj['portfolio']!r} is not a portfolio id", number) from None


def _check_hash(obj: dict[str, Any], number: int, prev: str) -> None:
    if obj.get("prev") != prev:
        raise EventLogError(
            "the chain is broken: this line does not follow the line before it (lines were "
            "removed, reordered, duplicated or edited)",
            number,
        )
    body = {k: v for k, v in obj.items() if k != "hash"}
    try:
        digest = hashlib.sha256(canonical(body)).hexdigest()
    except UnicodeEncodeError:  # a "\ud800" escape: valid JSON, but no UTF-8 text
        raise EventLogError("the line holds text that is not valid Unicode", number) from None
    if digest != obj.get("hash"):
        raise EventLogError("the line's hash does not match its content: it was edited", number)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
