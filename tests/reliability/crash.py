"""Crash safety: a child process writes to the store and acknowledges each command after it
returns (after commit), and is killed with SIGKILL at a random moment; then the store is checked.

Two kinds of child:
- `api_writer`, forked from a clean fork server, loops over the application API (opens with
  cash, deposits, withdrawals, buys, sells, renames) and appends an ack line per command;
- the `erasmo` CLI (`python -m erasmo ...`), one process per command, killed mid-command.

Every command carries a unique key (an amount, a quantity or a name), so the checks can tell
each acknowledged command's events apart: each must be present exactly once, and nothing may be
present twice.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from erasmo.checks import check_store
from events.application import Portfolios
from events.errors import ErasmoError
from events.portfolio import PORTFOLIO_TOPICS
from events.values import PriceProvenance
from reliability.targets import Target, fresh_target, market

DAY = date(2015, 3, 2)  # a trading day in the bundled data
#: AAPL's close on DAY in the bundled data: `erasmo check` holds every trade to its bar.
PRICE = Decimal("29.08")
PROVENANCE = PriceProvenance("crash-test", DAY, False, "explicit")
#: Which event type and field carries each command's unique key.
KEYED = {
    "open": ("PortfolioOpened", "name"),
    "open_cash": ("CashDeposited", "amount"),
    "deposit": ("CashDeposited", "amount"),
    "withdraw": ("CashWithdrawn", "amount"),
    "buy": ("SharesBought", "quantity"),
    "sell": ("SharesSold", "quantity"),
    "rename": ("PortfolioRenamed", "name"),
}
_OPENED = next(t for t, n in PORTFOLIO_TOPICS.items() if n == "PortfolioOpened")


@dataclass
class CrashFigures:
    """Totals over many kills; each set names the commands concerned.

    Attributes:
        kills: children killed with SIGKILL (each followed by the checks).
        acknowledged: commands acknowledged after commit.
        lost: acknowledged commands whose events are missing.
        half_written: commands with only part of their events (an opening without its cash, a
            portfolio the catalog does not list, or a listing without a portfolio).
        duplicated: commands recorded more than once.
        problems: every broken check, in words.
    """

    kills: int = 0
    acknowledged: int = 0
    lost: set[str] = field(default_factory=set)
    half_written: set[str] = field(default_factory=set)
    duplicated: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def add(self, other: CrashFigures) -> None:
        self.kills += other.kills
        self.lost |= other.lost
        self.half_written |= other.half_written
        self.duplicated |= other.duplicated
        self.problems.extend(other.problems)


# -- the API child --------------------------------------------------------------------------


def _ack(fd: int, **fields: Any) -> None:
    os.write(fd, (json.dumps(fields) + "\n").encode())  # one small write: all or nothing


def api_writer(target: Target, round_no: int, ack_path: str) -> None:
    """Write commands until killed; append an ack line after each returns."""
    fd = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        app = Portfolios(target.config())
        _ack(fd, op="ready")
        rng = random.Random(round_no)
        counter = iter(range(round_no * 100_000 + 1, (round_no + 1) * 100_000))
        ids = app.portfolio_ids()
        while True:
            k = next(counter)
            roll = rng.random()
            if not ids or (len(ids) < 12 and roll < 0.08):
                # odd cents for opening cash, even for deposits: every amount is unique
                name, cash = f"N{k}", Decimal(10_000) + Decimal(2 * k + 1) / 100
                ids.append(app.open_portfolio(name, DAY, cash))
                _ack(fd, op="open", key=name, cash=str(cash))
                continue
            pid = rng.choice(ids)
            p = app.portfolio(pid)
            amount, quantity = Decimal(2 * k) / 100, Decimal(k) / 1_000_000
            if roll < 0.40:
                app.deposit(pid, amount, DAY)
                _ack(fd, op="deposit", key=str(amount))
            elif roll < 0.50 and p.cash >= amount:
                app.withdraw(pid, amount, DAY)
                _ack(fd, op="withdraw", key=str(amount))
            elif roll < 0.75 and p.cash >= quantity * PRICE + 1:
                app.buy(pid, "AAPL", quantity, PRICE, DAY, PROVENANCE)
                _ack(fd, op="buy", key=str(quantity))
            elif roll < 0.95 and p.shares.get("AAPL", Decimal(0)) >= quantity:
                app.sell(pid, "AAPL", quantity, PRICE, DAY, PROVENANCE)
                _ack(fd, op="sell", key=str(quantity))
            elif roll >= 0.95:
                app.rename(pid, f"R{k}")
                _ack(fd, op="rename", key=f"R{k}")
    except ErasmoError as error:
        _ack(fd, op="refused", error=str(error))
    except Exception as error:  # reported to the parent, which fails the run
        _ack(fd, op="error", error=repr(error))


@functools.cache
def fork_server() -> Any:
    """A fork server that imported erasmo and these suites once: children start in
    milliseconds, each forked from a single-threaded process (never from a test process with
    threads of its own)."""
    from multiprocessing import forkserver

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(
        ["events.application", "eventsourcing.postgres", "erasmo.checks", "reliability.races"]
    )
    # The server must find `reliability` (3.11's fork server does not take sys.path along).
    tests = str(Path(__file__).resolve().parents[1])
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([tests, *([saved] if saved else [])])
    try:
        forkserver.ensure_running()
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved
    return ctx


def api_crash_round(
    target: Target, round_no: int, rng: random.Random, workdir: Path
) -> list[dict[str, Any]]:
    """Start an API child, let it write once and then for 0-100 ms more, SIGKILL it; return its
    ack lines."""
    ack_path = workdir / f"acks-{round_no}.jsonl"
    ack_path.unlink(missing_ok=True)
    process = fork_server().Process(target=api_writer, args=(target, round_no, str(ack_path)))
    process.start()
    deadline = time.monotonic() + 30
    while not (ack_path.exists() and ack_path.read_bytes().startswith(b'{"op": "ready"}')):
        if time.monotonic() > deadline or not process.is_alive():
            process.kill()
            process.join()
            raise RuntimeError(f"the writer did not start: {_read_acks(ack_path)}")
        time.sleep(0.002)
    # The kill lands at a random moment after the writer's first acknowledged write, so every
    # round writes something however loaded the machine is (the writer's start can take longer
    # than the whole window on a busy machine, and then the round would test nothing).
    while b'"op": "' not in ack_path.read_bytes().partition(b"\n")[2]:
        if time.monotonic() > deadline or not process.is_alive():
            break
        time.sleep(0.002)
    time.sleep(rng.uniform(0.0, 0.1))
    process.kill()  # SIGKILL
    process.join()
    return _read_acks(ack_path)


def _read_acks(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# -- the CLI child --------------------------------------------------------------------------


def erasmo_cli(target: Target, *args: str) -> subprocess.Popen[str]:
    """Start `python -m erasmo` on the target store."""
    return subprocess.Popen(
        [sys.executable, "-m", "erasmo", *target.cli_args(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "ERASMO_HOME": str(target.data_dir)},
    )


@dataclass
class CliWriter:
    """Runs CLI commands on one store, each with a unique key, and kills some of them."""

    target: Target
    rng: random.Random
    counter: int = 0
    durations: list[float] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def next_command(self) -> tuple[list[str], dict[str, Any]]:
        self.counter += 1
        k = self.counter
        app = Portfolios(self.target.config())
        try:
            summaries = app.summaries()
            held = {s.name: app.portfolio(s.id).shares.get("AAPL", Decimal(0)) for s in summaries}
            cash = {s.name: s.cash for s in summaries}
        finally:
            app.close()
        on = ["--on", DAY.isoformat()]
        if not summaries or self.rng.random() < 0.15:
            amount = str(Decimal(5_000) + Decimal(2 * k + 1) / 100)
            return ["portfolio", "open", f"C{k}", "--cash", amount, *on], {
                "op": "open",
                "key": f"C{k}",
                "cash": amount,
            }
        name = self.rng.choice(sorted(cash))
        quantity = Decimal(1) + Decimal(k) / 1_000_000
        roll = self.rng.random()
        if roll < 0.4 and held[name] >= quantity:
            return ["sell", name, "AAPL", str(quantity), *on], {"op": "sell", "key": str(quantity)}
        if roll < 0.7 and cash[name] > 100:
            return ["buy", name, "AAPL", str(quantity), *on], {"op": "buy", "key": str(quantity)}
        amount = str(Decimal(2 * k) / 100)
        return ["deposit", name, amount, *on], {"op": "deposit", "key": amount}

    def run(self) -> None:
        """Run one command to completion; acknowledged when it exits 0."""
        args, ack = self.next_command()
        started = time.monotonic()
        process = erasmo_cli(self.target, *args)
        _, err = process.communicate(timeout=60)
        self.durations.append(time.monotonic() - started)
        if process.returncode == 0:
            self.acks.append(ack)
        elif not err.startswith("erasmo: "):
            self.problems.append(f"erasmo {' '.join(args)} crashed: {err.strip()[-300:]}")

    def run_and_kill(self) -> None:
        """Start one command and SIGKILL it at a random moment of its usual run time."""
        args, _ = self.next_command()
        typical = statistics.median(self.durations) if self.durations else 0.5
        process = erasmo_cli(self.target, *args)
        time.sleep(self.rng.uniform(0.5, 1.05) * typical)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)


# -- the checks after a kill ----------------------------------------------------------------


def check_after_kill(target: Target, acks: list[dict[str, Any]]) -> CrashFigures:
    """Everything that must hold after a crash, as figures (problems list what broke)."""
    figures = CrashFigures(kills=1)
    problems = figures.problems
    for ack in acks:
        if ack["op"] in ("refused", "error"):
            problems.append(f"the writer failed: {ack['error']}")
    acknowledged = [a for a in acks if a["op"] in KEYED]
    figures.acknowledged = len(acknowledged)
    if target.kind == "sqlite":
        connection = sqlite3.connect(target.path)
        try:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        finally:
            connection.close()
        if result != ["ok"]:
            problems.append(f"integrity_check: {result[:3]}")
    app = Portfolios(target.config())
    try:
        _, findings = check_store(app, market())
        problems.extend(f"erasmo check: {f.portfolio} v{f.version}: {f.message}" for f in findings)
        keys, half = _recorded_keys(app, problems)
    finally:
        app.close()
    figures.half_written = half
    for (kind, key), count in keys.items():
        if count > 1:
            figures.duplicated.add(f"{kind} {key}")
            problems.append(f"{kind} {key} is recorded {count} times")
    for ack in acknowledged:
        wanted = [(ack["op"], ack["key"])]
        if ack["op"] == "open":
            wanted.append(("open_cash", ack["cash"]))
        for op, key in wanted:
            if keys.get((KEYED[op][0], key), 0) != 1:
                figures.lost.add(f"{op} {key}")
                problems.append(f"acknowledged {op} {key} is missing")
    return figures


def _recorded_keys(
    app: Portfolios, problems: list[str]
) -> tuple[Counter[tuple[str, str]], set[str]]:
    """(event type, key) -> how often recorded; and the half-written commands. One pass over
    the raw log: positions, versions, openings with their cash, names, keys."""
    half: set[str] = set()
    seqs: list[int] = []
    versions: dict[UUID, list[int]] = {}
    firsts: dict[UUID, list[str]] = {}
    names: dict[UUID, str] = {}
    keys: Counter[tuple[str, str]] = Counter()
    keyed = dict(KEYED.values())
    for event in app.reader.events():
        seqs.append(event.seq)
        versions.setdefault(event.originator_id, []).append(event.version)
        kind = PORTFOLIO_TOPICS.get(event.topic)
        if kind is None:
            continue  # a catalog event
        if event.version <= 2:
            firsts.setdefault(event.originator_id, []).append(kind)
        if kind in keyed:
            fields = app.decode(event.topic, event.state)
            keys[(kind, str(fields[keyed[kind]]))] += 1
            if kind in ("PortfolioOpened", "PortfolioRenamed"):
                names[event.originator_id] = fields["name"]
    if seqs != sorted(set(seqs)):
        problems.append("log positions are not strictly increasing")
    for originator, found in versions.items():
        if found != list(range(1, len(found) + 1)):
            problems.append(f"versions of {originator} are not contiguous: {found[:10]}")
    opened = {pid for pid, kinds in firsts.items() if kinds[0] == "PortfolioOpened"}
    listed = set(app.portfolio_ids())
    if listed != opened:
        half |= {f"listing of {pid}" for pid in listed ^ opened}
        problems.append(f"the catalog lists {len(listed)} portfolios but {len(opened)} exist")
    for pid in opened:
        if firsts[pid] != ["PortfolioOpened", "CashDeposited"]:
            half.add(f"opening of {pid}")
            problems.append(f"portfolio {pid} was opened without its cash")
        if pid in listed and app.find(names[pid]) != pid:
            half.add(f"renaming of {pid}")
            problems.append(f"portfolio {pid} is named {names[pid]!r} but not listed under it")
    return keys, half


def api_crash_suite(
    kind: str, kills: int, seed: int, workdir: Path, per_store: int = 10
) -> CrashFigures:
    """`kills` rounds of API writing and SIGKILL, checked after each; a fresh store (SQLite
    file or PostgreSQL schema) every `per_store` rounds keeps the checks quick."""
    rng = random.Random(seed)
    figures = CrashFigures()
    acknowledged = 0
    for first in range(1, kills + 1, per_store):
        with fresh_target(kind, workdir / f"store-{first}") as target:
            acks: list[dict[str, Any]] = []
            for round_no in range(first, min(first + per_store, kills + 1)):
                acks += api_crash_round(target, round_no, rng, workdir)
                figures.add(check_after_kill(target, acks))
            acknowledged += sum(1 for a in acks if a["op"] in KEYED)
    figures.acknowledged = acknowledged
    return figures


def cli_crash_suite(target: Target, kills: int, seed: int) -> CrashFigures:
    """`kills` CLI commands killed mid-run, each after one that ran to completion."""
    writer = CliWriter(target, random.Random(seed))
    figures = CrashFigures()
    for _ in range(kills):
        writer.run()
        writer.run_and_kill()
        figures.add(check_after_kill(target, writer.acks))
    figures.acknowledged = len(writer.acks)
    figures.problems.extend(writer.problems)
    return figures
