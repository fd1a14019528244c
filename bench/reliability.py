"""Reliability figures: the cores of tests/reliability with larger counts.

Prints kills survived, acknowledged events lost, half-written commands, races run and
double-sells, corrupted files tried and detected, bad inputs tried and accepted, hostile
sync pushes and re-chained imports tried and accepted that should not be, and real syncs
tried while 200 slow connections are held (plain HTTP and HTTPS), on a SQLite file and (when a
server answers, see tests/conftest.py for its settings) PostgreSQL.

    python bench/reliability.py [--kills 500] [--cli-kills 20] [--races 1000] [--flips 2000]
                                [--steps 100000] [--slow-rounds 5] [--no-postgres]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

if TYPE_CHECKING:
    from reliability.crash import CrashFigures

# The suites are imported inside the functions: the fork server the crash and race suites use
# starts each child by re-reading this script, which must stay quick to import.


def line(title: str, **figures: object) -> None:
    print(f"  {title:<34} " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in figures.items()))


def crash(backends: list[str], kills: int, cli_kills: int, work: Path) -> CrashFigures:
    from reliability.crash import CrashFigures, api_crash_suite, cli_crash_suite
    from reliability.targets import fresh_target

    print(f"Crash safety: SIGKILL at a random moment, then every check ({kills} kills a backend)")
    total = CrashFigures()
    for backend in backends:
        started = time.perf_counter()
        api = api_crash_suite(backend, kills, seed=1, workdir=work / f"api-{backend}")
        with fresh_target(backend, work / f"cli-{backend}") as target:
            cli = cli_crash_suite(target, cli_kills, seed=1)
        for name, figures in (("API writer", api), ("erasmo CLI", cli)):
            line(
                f"{backend}, {name}",
                kills=figures.kills,
                acknowledged=figures.acknowledged,
                lost=len(figures.lost),
                half_written=len(figures.half_written),
                duplicated=len(figures.duplicated),
                problems=len(figures.problems),
            )
            total.add(figures)
            total.acknowledged += figures.acknowledged
        print(f"  ({time.perf_counter() - started:.0f} s)")
    return total


def races(backends: list[str], count: int, work: Path) -> tuple[int, int, int]:
    from reliability.races import race_suite, tail_suite
    from reliability.targets import fresh_target

    print(f"Concurrency: two writers race to sell the last shares ({count} races a backend)")
    runs = double = other = 0
    for backend in backends:
        for mode in ("processes", "threads"):
            n = count if mode == "processes" else count // 5
            with fresh_target(backend, work / f"race-{backend}-{mode}") as target:
                figures = race_suite(target, n, seed=1, mode=mode)  # type: ignore[arg-type]
            line(
                f"{backend}, {mode}",
                races=figures.races,
                retried_after_a_conflict=figures.retried,
                double_sells=figures.double_sells,
                no_winner=figures.no_winner,
                lost=figures.lost,
                outcomes=dict(figures.outcomes),
            )
            runs += figures.races
            double += figures.double_sells
            other += len(figures.problems)
        with fresh_target(backend, work / f"tail-{backend}") as target:
            tail = tail_suite(target, commands=count)
        line(
            f"{backend}, reader tailing the log",
            committed=tail.committed,
            seen=tail.seen,
            skipped=tail.skipped,
            repeated=tail.repeated,
        )
    return runs, double, other


def corruption(flips: int, work: Path) -> tuple[int, int]:
    from reliability.corruption import (
        FOREIGN_CONTENTS,
        damaged_copy,
        flip,
        foreign_database,
        newer_format,
        open_damaged,
        random_flips,
        reference_store,
        targeted_flips,
        truncations,
    )

    print("Corrupted and foreign files (refused before anything is written, bytes unchanged)")
    reference = reference_store(work / "reference")
    size = reference.stat().st_size
    cases: dict[str, Path] = {}
    for name, data in FOREIGN_CONTENTS.items():
        path = work / f"foreign-{name}" / "events.sqlite"
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        cases[f"not SQLite: {name}"] = path
    for name, length in truncations(size, 4096).items():
        cut = lambda data, n=length: data.__delitem__(slice(n, None))  # noqa: E731
        cases[f"truncated: {name}"] = damaged_copy(reference, work / f"cut-{name}", cut)
    for name, (offset, bit) in targeted_flips(4096).items():
        cases[f"bit flip: {name}"] = damaged_copy(
            reference, work / f"flip-{name}", flip(offset, bit)
        )
    newer = damaged_copy(reference, work / "newer", lambda data: None)
    newer_format(newer)  # the format after the current one
    cases["written by a newer erasmo"] = newer
    other = work / "other" / "events.sqlite"
    other.parent.mkdir()
    foreign_database(other)
    cases["another program's database"] = other
    detected = 0
    for name, path in cases.items():
        outcome = open_damaged(path)
        ok = outcome.refused is not None and outcome.unchanged and outcome.raw is None
        detected += ok
        line(name, refused_with=outcome.refused, file_unchanged=outcome.unchanged)
    figures = random_flips(reference, work / "random", flips, seed=1)
    line(
        "random single-bit flips",
        tried=figures.tried,
        refused_at_open=figures.refused,
        reported_by_check=figures.reported,
        harmless=figures.harmless,
        silent=figures.silent,
        silent_outside_one_event_text=figures.silent_outside_one_state,
        files_changed=figures.changed_files,
        raw_exceptions=len(figures.raw),
    )
    for example in figures.silent_examples[:5]:
        print(f"    silent: {example}")
    return len(cases), detected


def bad_input(steps: int) -> tuple[int, int, int, int]:
    from reliability.bad_input import run_steps

    print(f"Bad input: a hypothesis state machine against a hand-written model ({steps} steps)")
    started = time.perf_counter()
    figures = run_steps(steps)
    line(
        "service layer, SQLite",
        steps=figures.steps - figures.runs,
        runs=figures.runs,
        inputs_tried=figures.inputs,
        invalid=figures.invalid_inputs,
        accepted=figures.accepted,
        imports=figures.imports,
        invalid_accepted=len(figures.invalid_accepted),
        valid_refused=len(figures.valid_refused),
        foreign_exceptions=len(figures.foreign_exceptions),
        replays_equal=f"{figures.replays_equal}/{figures.runs}",
    )
    print(f"  ({time.perf_counter() - started:.0f} s)")
    bad = len(figures.invalid_accepted) + len(figures.foreign_exceptions)
    return figures.inputs, figures.invalid_inputs, len(figures.invalid_accepted), bad


def hostile(work: Path) -> tuple[int, int]:
    from reliability.hostile import CASES, run_hostile

    print(
        f"Hostile input: {len(CASES)} cases a peer holding the token or a re-chained log could "
        "send, through the sync API and through import"
    )
    started = time.perf_counter()
    figures = run_hostile(work)
    line(
        "sync push and import, SQLite",
        cases_tried=figures.tried,
        refused_in_one_line=figures.refused,
        kept_unverified=figures.kept_unverified,
        accepted_that_should_not_be=len(figures.wrongly_accepted),
        not_one_line=len(figures.not_one_line),
        other_reports_broken=len(figures.reports_broken),
    )
    for case, route, what in figures.wrongly_accepted + figures.not_one_line:
        print(f"    {route}: {case}: {what}")
    print(f"  ({time.perf_counter() - started:.0f} s)")
    bad = len(figures.wrongly_accepted) + len(figures.not_one_line) + len(figures.reports_broken)
    return figures.tried, bad


def slow_clients(work: Path, rounds: int, count: int = 200) -> tuple[int, int]:
    """Real syncs tried while `count` slow connections are held, over HTTP and HTTPS; (tried,
    failed)."""
    import contextlib
    import ssl

    sys.path.insert(0, str(ROOT / "tests" / "erasmo"))
    from test_sync_slow_clients import Trickler, hold_slow_connections
    from test_sync_support import client, make_certificate, make_install, serve

    print(
        f"Slow clients: a real sync while {count} slow connections are held (idle, trickled "
        "headers, bodies and TLS handshakes, answers never read), one address"
    )
    work.mkdir(parents=True)
    cert, key = make_certificate(work)
    failed = 0
    for scheme in ("http", "https"):
        options = {"cert": cert, "key": key} if scheme == "https" else {}
        tls = ssl.create_default_context(cafile=str(cert)) if scheme == "https" else None
        synced, slowest = 0, 0.0
        for n in range(rounds):
            served, peer = (
                make_install(work / f"{scheme}{n}a"),
                make_install(work / f"{scheme}{n}b"),
            )
            pid = served.open("Tech")
            served.deposit(pid, "250")  # 3 events to pull
            server = serve(served, **options)
            held = hold_slow_connections(server, count, tls)
            try:
                with Trickler(held.trickling, feeds=held.handshakes):
                    started = time.perf_counter()
                    with contextlib.suppress(Exception):  # a failed sync is counted, not raised
                        pulled = client(peer, server, cafile=options.get("cert")).sync().pulled
                        synced += pulled == 3
                    slowest = max(slowest, time.perf_counter() - started)
            finally:
                for sock in held:
                    sock.close()
                server.stop()
                served.app.close()
                peer.app.close()
        line(
            scheme,
            slow_connections=count,
            syncs_ok=f"{synced}/{rounds}",
            slowest=f"{slowest:.2f} s",
        )
        failed += rounds - synced
    return 2 * rounds, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=500, help="API-writer kills a backend")
    parser.add_argument("--cli-kills", type=int, default=20, help="CLI kills a backend")
    parser.add_argument("--races", type=int, default=1000, help="races a backend")
    parser.add_argument("--flips", type=int, default=2000, help="random bit flips")
    parser.add_argument("--steps", type=int, default=100_000, help="bad-input steps")
    parser.add_argument("--slow-rounds", type=int, default=5, help="syncs beside slow clients")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    from reliability.targets import postgres_answers

    backends = ["sqlite"]
    if not args.no_postgres and postgres_answers():
        backends.append("postgres")
    with tempfile.TemporaryDirectory(prefix="erasmo-reliability-") as folder:
        work = Path(folder)
        crashed = crash(backends, args.kills, args.cli_kills, work / "crash")
        raced, double, race_problems = races(backends, args.races, work / "races")
        tried, detected = corruption(args.flips, work / "corruption")
        inputs, invalid, accepted, foreign = bad_input(args.steps)
        hostile_tried, hostile_bad = hostile(work / "hostile")
        slow_tried, slow_failed = slow_clients(work / "slow", args.slow_rounds)
    print("\nTotals")
    totals = {
        "kills survived": f"{crashed.kills} ({', '.join(backends)})",
        "acknowledged commands": crashed.acknowledged,
        "acknowledged events lost": len(crashed.lost),
        "half-written commands": len(crashed.half_written),
        "races run": raced,
        "double-sells": double,
        "raw errors in races": race_problems,
        "corrupted/foreign files detected": f"{detected} of {tried}",
        "bad inputs tried": f"{inputs} ({invalid} invalid)",
        "invalid inputs accepted": accepted,
        "exceptions not erasmo's own": foreign,
        "hostile cases tried": hostile_tried,
        "hostile cases accepted or unclear": hostile_bad,
        "syncs ok beside 200 slow connections": f"{slow_tried - slow_failed} of {slow_tried}",
    }
    for title, value in totals.items():
        print(f"  {title:<34} {value}")
    failed = crashed.problems or double or race_problems or detected != tried or accepted or foreign
    failed = failed or hostile_bad or slow_failed
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
