"""Concurrency: two writers race to sell the last shares, and a reader tails the log while
writers commit.

Each race: the portfolio holds exactly `q` AAPL; both writers, released by one barrier, try to
sell `q`. Exactly one may win; the other must be refused with a named error (after retrying on
fresh state), never with "database is locked" or any other raw exception.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol
from uuid import UUID

from events.application import Portfolios
from events.errors import ConcurrentWriteError, InsufficientSharesError
from reliability.crash import DAY, PRICE, PROVENANCE, fork_server
from reliability.targets import Target

#: How a loser may be told it lost.
REFUSALS = {InsufficientSharesError: "refused", ConcurrentWriteError: "conflict"}


class _Channel(Protocol):
    def send(self, obj: Any) -> None: ...
    def recv(self) -> Any: ...


@dataclass
class RaceFigures:
    """Totals over many races.

    Attributes:
        races: races run.
        outcomes: "won", "refused" (InsufficientSharesError), "conflict" (ConcurrentWriteError)
            or "other: <error>" -> how often.
        retried: races in which a writer hit a version conflict and retried on fresh state.
        double_sells: races both writers won.
        no_winner: races nobody won.
        lost: buys or sells the store does not hold at the end.
        problems: everything that went wrong, in words.
    """

    races: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    retried: int = 0
    double_sells: int = 0
    no_winner: int = 0
    lost: int = 0
    problems: list[str] = field(default_factory=list)


def _sell_on_signal(target: Target, channel: _Channel, barrier: Any) -> None:
    """A writer: open the store, then sell whatever it is told to, released by the barrier."""
    app = Portfolios(target.config())
    conflicts = 0
    save = app._save

    def counting_save(*aggregates: Any) -> None:  # counts the version conflicts it retries on
        nonlocal conflicts
        try:
            save(*aggregates)
        except Exception as error:
            conflicts += type(error).__name__ == "_ConflictError"
            raise

    app._save = counting_save  # type: ignore[method-assign]
    try:
        channel.send("ready")
        while (order := channel.recv()) is not None:
            portfolio, quantity = UUID(order[0]), Decimal(order[1])
            before = conflicts
            barrier.wait()
            try:
                app.sell(portfolio, "AAPL", quantity, PRICE, DAY, PROVENANCE)
                outcome = "won"
            except Exception as error:
                outcome = REFUSALS.get(type(error)) or f"other: {type(error).__name__}: {error}"
            channel.send((outcome, conflicts - before))
    finally:
        app.close()


class _ThreadChannel:
    """One end of a pair of queues, for writers running as threads."""

    def __init__(self, inbox: list[Any], outbox: list[Any], lock: threading.Condition) -> None:
        self.inbox, self.outbox, self.lock = inbox, outbox, lock

    def send(self, obj: Any) -> None:
        with self.lock:
            self.outbox.append(obj)
            self.lock.notify_all()

    def recv(self) -> Any:
        with self.lock:
            self.lock.wait_for(lambda: bool(self.inbox))
            return self.inbox.pop(0)


def _start_writers(
    target: Target, mode: Literal["processes", "threads"]
) -> tuple[list[_Channel], Callable[[], None]]:
    """Two writers, each with its own Portfolios; returns their channels and a stopper."""
    if mode == "processes":
        ctx = fork_server()
        barrier = ctx.Barrier(2)
        pairs = [ctx.Pipe() for _ in range(2)]
        workers: list[Any] = [
            ctx.Process(target=_sell_on_signal, args=(target, child, barrier), daemon=True)
            for _, child in pairs
        ]
        ours: list[_Channel] = [parent for parent, _ in pairs]
    else:
        thread_barrier = threading.Barrier(2)
        lock = threading.Condition()
        boxes = [([], []) for _ in range(2)]  # (to the writer, from the writer)
        ours = [_ThreadChannel(back, to, lock) for to, back in boxes]
        workers = [
            threading.Thread(
                target=_sell_on_signal,
                args=(target, _ThreadChannel(to, back, lock), thread_barrier),
                daemon=True,
            )
            for to, back in boxes
        ]
    for worker in workers:
        worker.start()
    for channel in ours:
        if channel.recv() != "ready":
            raise RuntimeError("a writer did not start")

    def stop() -> None:
        for channel in ours:
            channel.send(None)
        for worker in workers:
            worker.join(timeout=30)

    return ours, stop


def race_suite(
    target: Target, races: int, seed: int, mode: Literal["processes", "threads"] = "processes"
) -> RaceFigures:
    """Run `races` races to sell the last shares, then check nothing was lost."""
    rng = random.Random(seed)
    figures = RaceFigures()
    app = Portfolios(target.config())
    channels, stop = _start_writers(target, mode)
    try:
        portfolio = app.open_portfolio(f"Race {mode}", DAY, Decimal(1_000_000))
        cash = Decimal(1_000_000)
        bought = sold = Decimal(0)
        for _ in range(races):
            quantity = Decimal(rng.randint(1, 100_000)) / 100  # whole cents at 1.00 a share
            app.buy(portfolio, "AAPL", quantity, PRICE, DAY, PROVENANCE)
            bought += quantity
            for channel in channels:
                channel.send((portfolio.hex, str(quantity)))
            replies = [channel.recv() for channel in channels]
            results = [outcome for outcome, _ in replies]
            figures.retried += any(retries for _, retries in replies)
            figures.races += 1
            figures.outcomes.update(results)
            wins = results.count("won")
            figures.double_sells += wins > 1
            figures.no_winner += wins == 0
            sold += quantity * wins
            cash += (quantity * PRICE) * (wins - 1)  # both trades at 1.00 a share
        _check_nothing_lost(app, portfolio, races, bought, sold, cash, figures)
    finally:
        stop()
        app.close()
    for outcome in figures.outcomes:
        if outcome.startswith("other"):
            figures.problems.append(outcome)
    return figures


def _check_nothing_lost(
    app: Portfolios,
    portfolio: UUID,
    races: int,
    bought: Decimal,
    sold: Decimal,
    cash: Decimal,
    figures: RaceFigures,
) -> None:
    history = app.history(portfolio)
    kinds = Counter(e.type for e in history)
    figures.lost = abs(kinds["SharesBought"] - races) + abs(kinds["SharesSold"] - races)
    state = app.portfolio(portfolio)
    if state.shares.get("AAPL", Decimal(0)) != bought - sold:
        figures.problems.append(f"holds {state.shares} after selling {sold} of {bought}")
    if state.cash != cash:
        figures.problems.append(f"cash {state.cash}, expected {cash}")
    problems = app.audit(portfolio)
    figures.problems.extend(f"audit: v{p.version}: {p.message}" for p in problems)


@dataclass
class TailFigures:
    """A reader tailing the log while two writers commit.

    Attributes:
        committed: events in the log at the end.
        seen: events the tailing reader saw.
        skipped: events in the log the reader never saw.
        repeated: events the reader saw twice.
        out_of_order: times a seq the reader saw was not above the one before.
        reads: how many times the reader polled.
    """

    committed: int = 0
    seen: int = 0
    skipped: int = 0
    repeated: int = 0
    out_of_order: int = 0
    reads: int = 0


def _write_many(target: Target, channel: _Channel, name: str, commands: int) -> None:
    app = Portfolios(target.config())
    try:
        portfolio = app.open_portfolio(name, DAY, Decimal(1_000_000))
        for n in range(commands):
            if n % 3 == 2:
                app.buy(portfolio, "AAPL", Decimal(1), PRICE, DAY, PROVENANCE)
            else:
                app.deposit(portfolio, Decimal(n + 1), DAY)
        channel.send("done")
    except Exception as error:
        channel.send(f"failed: {error!r}")
    finally:
        app.close()


def tail_suite(target: Target, commands: int) -> TailFigures:
    """Two writers commit `commands` each while this process tails the log from its end."""
    ctx = fork_server()
    pairs = [ctx.Pipe() for _ in range(2)]
    writers = [
        ctx.Process(target=_write_many, args=(target, child, f"Tail {i}", commands), daemon=True)
        for i, (_, child) in enumerate(pairs)
    ]
    app = Portfolios(target.config())
    figures = TailFigures()
    seen: list[int] = []
    try:
        for writer in writers:
            writer.start()
        while True:
            running = any(writer.is_alive() for writer in writers)
            figures.reads += 1
            for batch in app.reader.rows(after=seen[-1] if seen else 0):
                seen.extend(row[0] for row in batch)
            if not running:
                break
            time.sleep(0.0005)
        results = [parent.recv() for parent, _ in pairs]
        if results != ["done", "done"]:
            raise RuntimeError(f"the writers failed: {results}")
        final = [row[0] for batch in app.reader.rows() for row in batch]
    finally:
        for writer in writers:
            writer.join(timeout=30)
        app.close()
    figures.committed = len(final)
    figures.seen = len(seen)
    figures.skipped = len(set(final) - set(seen))
    figures.repeated = len(seen) - len(set(seen))
    figures.out_of_order = sum(1 for a, b in itertools.pairwise(seen) if b <= a)
    return figures
