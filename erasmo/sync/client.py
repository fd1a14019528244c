"""The sync client: pull the events a peer has and we lack, push ours, lose nothing.

A sync pulls first: pages of the server's log after this install's cursor for that server, each
page recorded all or nothing (events already held are skipped, so a page sent twice adds
nothing). Where both sides wrote different events at the same version of a portfolio, the
server's line is kept as the portfolio and ours is kept whole as a new portfolio named
"NAME (conflict DATE from LABEL)". An incoming portfolio whose name one of ours has is renamed
"NAME (from SERVER)". Then it pushes every event the server lacks, in requests that are also
all or nothing. The cursor is saved after every page, so an interrupted sync resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from uuid import UUID

from eventsourcing.interface import NotificationLogJSONClient
from eventsourcing.persistence import StoredEvent

from erasmo.sync.peer import (
    HttpPeer,
    PeerCursors,
    PushConflictError,
    SyncError,
    as_label,
    default_label,
)
from erasmo.sync.protocol import MAX_PAGE
from erasmo.sync.wire import batches
from events.application import Portfolios
from events.registry import PORTFOLIO_TOPICS
from events.sync import DivergedError
from events.sync import _copy_id as copy_id_of  # how `rehome` names a copy: checked, not copied
from events.values import name_key

__all__ = ["Conflict", "PeerCursors", "SyncClient", "SyncError", "SyncSummary", "default_label"]

PUSH_BYTES = 2 * 1024 * 1024
#: The most pages one pull reads (a hundred million events): every page must also move the
#: cursor on, so a server cannot keep a sync reading for ever.
MAX_PAGES = 100_000
#: Called as progress(phase, done, total) with phase "pull" or "push".
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Conflict:
    """A portfolio both sides wrote to: the server's line kept it, ours became `copy_name`."""

    portfolio_id: UUID
    name: str
    version: int
    copy_id: UUID
    copy_name: str


@dataclass(slots=True)
class SyncSummary:
    """What a sync did.

    Attributes:
        pulled: events recorded here from the server.
        pushed: events the server recorded from here.
        held: events sent that the other side already held (skipped).
        conflicts: portfolios both sides wrote to, with the copy that keeps our line.
        renamed: (old name, new name) of portfolios renamed because the name was taken.
    """

    pulled: int = 0
    pushed: int = 0
    held: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)


class SyncClient:
    """Syncs one erasmo application with one sync server."""

    def __init__(
        self,
        app: Portfolios,
        data_dir: Path,
        url: str,
        token: str,
        *,
        label: str | None = None,
        page_size: int = MAX_PAGE,
        cafile: Path | None = None,
        today: Callable[[], date] = date.today,
        admit: Callable[[Sequence[StoredEvent]], object] | None = None,
        max_pages: int = MAX_PAGES,
        peer: HttpPeer | None = None,
    ) -> None:
        self.app = app
        self.admit = admit  # checks pulled events against the market data (erasmo.intake)
        self.peer = peer if peer is not None else HttpPeer(url, token, cafile=cafile)
        self.log = NotificationLogJSONClient(self.peer)
        self.cursors = PeerCursors(data_dir)
        self.label = as_label(label) if label else default_label()
        self.page_size = max(1, min(page_size, MAX_PAGE))
        self.today = today
        self.max_pages = max_pages
        self.server_label = "server"

    def sync(
        self, *, pull: bool = True, push: bool = True, progress: Progress | None = None
    ) -> SyncSummary:
        """Pull then push (or only one of them); see the module's description."""
        summary = SyncSummary()
        try:
            self.server_label = as_label(str(self.peer.portfolios().get("name", "server")))
            if pull:
                self.pull(summary, progress)
            if push:
                try:
                    self.push(summary, progress)
                except PushConflictError:
                    if not pull:
                        raise
                    # The server took new events since our pull: take them, then push again.
                    self.pull(summary, progress)
                    self.push(summary, progress)
        finally:
            self.peer.close()
        return summary

    def pull(self, summary: SyncSummary, progress: Progress | None = None) -> None:
        """Record the server's new portfolio events, page by page, saving the cursor after each."""
        peer = self.peer.url
        after, pending = self.cursors.get(peer)
        start = after
        restarted = False
        for _ in range(self.max_pages + 1):
            try:
                notes = self.log.select(after, self.page_size, inclusive_of_start=False)
            except SyncError:
                raise
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise SyncError(f"{peer} sent a malformed event ({error!r}).") from None
            head, next_after = self.peer.last_head, self.peer.last_next
            if head < after and not restarted:
                # The server's log is shorter than where we stopped: it is another store (or a
                # restored one). Read it from the start; held events are skipped.
                after = start = 0
                restarted = True
                continue
            events = [
                StoredEvent(n.originator_id, n.originator_version, n.topic, n.state) for n in notes
            ]
            if events:
                pending.extend(self._record_page(events, summary))
            if len(notes) >= self.page_size and next_after <= after:
                raise SyncError(
                    f"{peer} sent a full page that does not move the cursor on (after "
                    f"{after}, next {next_after}); it is not an erasmo server. What was "
                    "recorded stays."
                )
            after = max(after, next_after)
            self.cursors.put(peer, after, _unique(pending))
            if progress is not None:
                progress("pull", min(after, head) - start, max(0, head - start))
            if len(notes) < self.page_size:
                break
        else:
            raise SyncError(
                f"{peer} kept sending pages ({self.max_pages:,} in one sync); the sync stopped. "
                "What was recorded stays: run it again to go on."
            )
        self._adopt_listed_names(_unique(pending), summary)
        self.cursors.put(peer, after, [])
        listed = {h.id: h.name for h in self.app.heads()}  # a recognised copy took their name
        summary.conflicts = [
            replace(c, copy_name=listed.get(c.copy_id, c.copy_name)) for c in summary.conflicts
        ]

    def push(self, summary: SyncSummary, progress: Progress | None = None) -> None:
        """Send every portfolio event the server lacks, in all-or-nothing requests."""
        listing = self.peer.portfolios()
        try:
            theirs = {UUID(p["id"]): int(p["version"]) for p in listing["portfolios"]}
            names = {
                UUID(p["id"]): str(p["name"])
                for p in listing["portfolios"]
                if p.get("deleted") is not True  # a deleted portfolio's name is free
            }
        except (KeyError, TypeError, ValueError):
            raise SyncError(f"{self.peer.url} sent a malformed list of portfolios.") from None
        ahead = [h for h in self.app.heads(deleted=True) if h.version > theirs.get(h.id, 0)]
        ahead.sort(key=lambda h: h.id not in theirs)  # updates first: they may free names
        # The server's names once the updates we push are in (they may rename portfolios).
        names.update(
            {h.id: self.app.portfolio(h.id).name for h in ahead if h.id in theirs and not h.deleted}
        )
        for head in ahead:
            if head.deleted:  # deleted by what we push: its name is free
                names.pop(head.id, None)
        taken = {name_key(name): pid for pid, name in names.items()}
        for head in ahead:
            if head.id not in theirs:
                self._avoid_their_names(head.id, taken, summary)
        events: list[StoredEvent] = []
        for head in ahead:
            events.extend(self.app.recorder.select_events(head.id, gt=theirs.get(head.id, 0)))
        done = 0
        for batch in batches(events, size=self.page_size, max_bytes=PUSH_BYTES):
            result = self.peer.push(batch, self.label)
            try:
                summary.pushed += int(result.get("recorded", 0))
                summary.held += int(result.get("held", 0))
                for renamed in result.get("renamed", []):
                    summary.renamed.append((str(renamed["name"]), str(renamed["listed_as"])))
            except (AttributeError, KeyError, TypeError, ValueError):
                raise SyncError(f"{self.peer.url} answered a push malformed.") from None
            done += len(batch)
            if progress is not None:
                progress("push", done, len(events))

    # -- internals ------------------------------------------------------------------------

    def _record_page(self, events: list[StoredEvent], summary: SyncSummary) -> list[UUID]:
        """Record one page, keeping our line of every portfolio that diverged; renamed ids."""
        if self.admit is not None:
            self.admit(events)
        for _ in range(len(events) + 1):
            try:
                record = self.app.record_synced(events, peer=self.server_label)
            except DivergedError as diverged:
                if not self._is_same_copy(diverged):
                    summary.conflicts.append(self._keep_our_line(diverged))
                continue
            summary.pulled += record.recorded
            summary.held += record.held
            return [pid for pid, _own, _listed in record.renamed]
        raise SyncError("a page kept diverging; run the sync again")  # pragma: no cover

    def _keep_our_line(self, diverged: DivergedError) -> Conflict:
        pid = diverged.portfolio_id
        portfolio = self.app.portfolio(pid)
        name = portfolio.name
        # Another install holding the same diverging events may have kept them already: the
        # server then lists their copy (same id, whole line and its rename), which this pull
        # brings. Take that one rather than make a second.
        copy_id = self.app.conflict_copy_id(pid, diverged.version)
        kept = self._listed(copy_id)
        if kept is not None and kept[1] > portfolio.version:
            self.app.cut_back(pid, diverged.version)
            return Conflict(pid, name, diverged.version, copy_id, kept[0])
        suffix = f"conflict {self.today().isoformat()} from {self.label}"
        copy_id = self.app.rehome(pid, diverged.version, name, suffix)
        listed = {h.id: h.name for h in self.app.heads()}
        return Conflict(pid, name, diverged.version, copy_id, listed.get(copy_id, name))

    def _is_same_copy(self, diverged: DivergedError) -> bool:
        """Whether the diverged portfolio is a conflict copy both sides kept of the same diverging
        events, differing only by the name each gave it; if so, ours gives way to theirs.

        Two installs holding the same diverging line may each keep it as a copy before either
        sends it: the copies have one id (made from the diverging events) and the same events,
        then each its own rename. Ours is recognised by that id: it is cut back before its
        rename, and the server's rename is taken instead of a copy of the copy being made.
        """
        pid, version = diverged.portfolio_id, diverged.version
        ours = self.app.recorder.select_events(pid)
        if (
            version < 3
            or len(ours) != version
            or PORTFOLIO_TOPICS.get(ours[-1].topic) != "PortfolioRenamed"
        ):
            return False  # more than the copy's own rename was written to it here
        line = ours[:-1]
        for head in self.app.heads(deleted=True):
            first = self.app.recorder.select_events(head.id, limit=1)
            if head.id == pid or not first or first[0].state != line[0].state:
                continue
            if any(pid == copy_id_of(head.id, at, line) for at in range(2, version)):
                self.app.cut_back(pid, version)
                return True
        return False

    def _listed(self, pid: UUID) -> tuple[str, int] | None:
        """The server's listed name and version of portfolio `pid` (None: it has no such)."""
        try:
            for entry in self.peer.portfolios()["portfolios"]:
                if entry["id"] == str(pid):
                    return str(entry["name"]), int(entry["version"])
        except (KeyError, TypeError, ValueError):
            raise SyncError(f"{self.peer.url} sent a malformed list of portfolios.") from None
        return None

    def _adopt_listed_names(self, pending: list[UUID], summary: SyncSummary) -> None:
        """Rename (by an event, which then syncs) the incoming portfolios listed under another name.

        Done after the pull, never between pages: a rename recorded mid-way would diverge from
        the portfolio's next page.
        """
        listed = {h.id: h.name for h in self.app.heads()}
        for pid in pending:
            portfolio = self.app.portfolio(pid)
            new_name = listed.get(pid, portfolio.name)
            if new_name != portfolio.name and not portfolio.closed:
                self.app.rename(pid, new_name)
                summary.renamed.append((portfolio.name, new_name))

    def _avoid_their_names(self, pid: UUID, taken: dict[str, UUID], summary: SyncSummary) -> None:
        """Rename ours first if the server has another portfolio of its name (a push-only sync)."""
        portfolio = self.app.portfolio(pid)
        owner = taken.get(name_key(portfolio.name))
        if owner is None or owner == pid or portfolio.closed or portfolio.deleted:
            return
        ours = {name_key(h.name) for h in self.app.heads()}
        for n in range(1, 100):
            tail = f" (from {self.label})" if n == 1 else f" (from {self.label} {n})"
            candidate = portfolio.name[: 64 - len(tail)].rstrip() + tail
            if name_key(candidate) not in taken and name_key(candidate) not in ours:
                self.app.rename(pid, candidate)
                summary.renamed.append((portfolio.name, candidate))
                taken[name_key(candidate)] = pid
                return


def _unique(ids: list[UUID]) -> list[UUID]:
    return list(dict.fromkeys(ids))
