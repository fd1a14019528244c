"""Backup and restore: `erasmo backup` copies the store consistently while another process writes
(SQLite's backup API; PostgreSQL exports its event log), and `erasmo restore` swaps a backup in
only after checking it, keeping the replaced store as .bak."""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import erasmo.backup
from erasmo.backup import (
    auto_backup,
    backup_store,
    list_backups,
    restore_store,
    verify_backup,
)
from erasmo.bootstrap import bootstrap
from erasmo.cli.main import main
from events.application import Portfolios
from events.errors import StoreError
from events.store import StoreConfig
from events.values import PriceProvenance
from reliability.corruption import content, digest, flip, foreign_database, newer_format
from reliability.crash import fork_server
from reliability.targets import Target, market

D = Decimal
DAY = date(2015, 3, 2)


def erasmo_process(target: Target, *args: str) -> subprocess.CompletedProcess[str]:
    """`erasmo ...` in its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "erasmo", *target.cli_args(), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def erasmo_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """`erasmo ...` run in this process (quicker), through the same entry point."""

    def invoke(target: Target, *args: str, answer: str = "") -> subprocess.CompletedProcess[str]:
        monkeypatch.setattr(sys, "argv", ["erasmo", *target.cli_args(), *args])
        monkeypatch.setattr(sys, "stdin", io.StringIO(answer))
        with pytest.raises(SystemExit) as exited:
            main()
        out, err = capsys.readouterr()
        code = exited.value.code
        return subprocess.CompletedProcess(args, code if isinstance(code, int) else 1, out, err)

    return invoke


def seed_store(config: StoreConfig, portfolios: int = 2) -> None:
    app = Portfolios(config)
    try:
        bar = market().bar("AAPL", DAY)
        assert bar is not None
        source = market().info("AAPL").source
        for n in range(portfolios):
            pid = app.open_portfolio(f"P{n}", DAY, D(10_000))
            app.buy(pid, "AAPL", D(n + 1), bar.close, DAY, PriceProvenance(source, DAY, True))
    finally:
        app.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> StoreConfig:
    config = StoreConfig.sqlite(tmp_path / "data" / "events.sqlite")
    seed_store(config)
    return config


def rows(path: Path) -> list[tuple[Any, ...]]:
    app = Portfolios(StoreConfig.sqlite(path))
    try:
        return content(app)
    finally:
        app.close()


def _deposit_forever(config: StoreConfig, name: str) -> None:
    app = Portfolios(config)
    pid = app.find(name)
    n = 0
    while True:
        n += 1
        app.deposit(pid, D(n), DAY)


def test_backups_taken_while_a_process_writes_are_consistent(
    sqlite_store: StoreConfig, tmp_path: Path
) -> None:
    writer = fork_server().Process(target=_deposit_forever, args=(sqlite_store, "P0"), daemon=True)
    writer.start()
    copies = []
    app = Portfolios(sqlite_store)
    try:
        seeded = app.event_count()
        while app.event_count() < seeded + 10:  # the writer is writing
            time.sleep(0.01)
        for n in range(6):
            copies.append(backup_store(app, tmp_path / f"copy-{n}.sqlite"))
            time.sleep(0.02)
    finally:
        writer.kill()
        writer.join()
        app.close()
    assert sqlite_store.path is not None
    final = rows(sqlite_store.path)
    sizes = []
    for backup in copies:
        with sqlite3.connect(backup.path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        connection.close()
        assert not Path(f"{backup.path}-wal").exists()
        copied = rows(backup.path)
        assert copied == final[: len(copied)]  # a prefix of the log, positions and all
        assert backup.events == len(copied)
        sizes.append(len(copied))
    assert sizes == sorted(sizes)
    assert sizes[-1] > sizes[0]  # the writer really wrote between the copies


def test_cli_backup_and_restore_round_trip(tmp_path: Path) -> None:
    erasmo_cli = erasmo_process  # the real command, in its own process
    target = Target("sqlite", tmp_path / "data")
    seed_store(target.config())
    made = erasmo_cli(target, "backup", "-o", str(tmp_path / "b.sqlite"))
    assert made.returncode == 0, made.stderr
    assert "Backed up 9 events of 2 portfolios" in made.stdout
    before = rows(target.path)
    app = Portfolios(target.config())
    app.open_portfolio("After the backup", DAY, D(1))
    app.close()
    restored = erasmo_cli(target, "restore", str(tmp_path / "b.sqlite"), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "Restored 9 events of 2 portfolios" in restored.stdout
    assert rows(target.path) == before
    bak = target.data_dir / "events.sqlite.bak"
    assert len(rows(bak)) == len(before) + 3  # the replaced store, with the later portfolio
    check = erasmo_cli(target, "check")
    assert check.returncode == 0, check.stderr


def test_restore_asks_first(tmp_path: Path, erasmo_cli: Run) -> None:
    target = Target("sqlite", tmp_path / "data")
    seed_store(target.config())
    erasmo_cli(target, "backup", "-o", str(tmp_path / "b.sqlite"))
    before = digest(target.path)
    refused = erasmo_cli(target, "restore", str(tmp_path / "b.sqlite"), answer="n\n")
    assert refused.returncode == 1
    assert "holds 9 events of 2 portfolios" in refused.stdout
    assert digest(target.path) == before
    assert not (target.data_dir / "events.sqlite.bak").exists()


@pytest.mark.postgres
def test_postgres_backup_is_an_event_log_that_restores(
    pg_schema: str, tmp_path: Path, erasmo_cli: Run
) -> None:
    from reliability.targets import pg_url

    source = Target("postgres", tmp_path / "a", pg_url(pg_schema))
    seed_store(source.config())
    made = erasmo_cli(source, "backup", "-o", str(tmp_path / "log.jsonl"))
    assert made.returncode == 0, made.stderr
    assert "PostgreSQL" in made.stdout
    assert "event log" in made.stdout
    # into an empty SQLite store, and back into the same PostgreSQL store (nothing new)
    copy = Target("sqlite", tmp_path / "b")
    restored = erasmo_cli(copy, "restore", str(tmp_path / "log.jsonl"), "--yes")
    assert restored.returncode == 0, restored.stderr
    again = erasmo_cli(source, "restore", str(tmp_path / "log.jsonl"), "--yes")
    assert again.returncode == 0, again.stderr
    assert "Imported 0 new events" in again.stdout
    app = Portfolios(copy.config())
    try:
        assert sorted(s.name for s in app.summaries()) == ["P0", "P1"]
    finally:
        app.close()


# -- restore refuses what it cannot trust ------------------------------------------------------


def breaks_a_rule(path: Path) -> None:
    """A structurally sound store whose history breaks a rule (a sale of shares never held)."""
    app = Portfolios(StoreConfig.sqlite(path))
    try:
        pid = app.find("P0")
        portfolio = app.portfolio(pid)
        portfolio.shares["AAPL"] = D(1000)  # bypass the rule, as a tampered store would
        portfolio.sell("AAPL", D(500), D(1), DAY, PriceProvenance("x", DAY, False))
        app.save(portfolio)
    finally:
        app.close()


BAD_BACKUPS = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "bit-flipped": lambda p: (
        flip(4096 + 3, 2)(data := bytearray(p.read_bytes())) or p.write_bytes(bytes(data))
    ),
    "not-sqlite": lambda p: p.write_bytes(b"hello\n" * 100),
    "newer-erasmo": lambda p: newer_format(p, "9"),
    "another-program": lambda p: (p.unlink(), foreign_database(p)),
    "breaks-a-rule": breaks_a_rule,
}


@pytest.mark.parametrize("damage", BAD_BACKUPS)
def test_restore_refuses_a_bad_backup_and_changes_nothing(
    sqlite_store: StoreConfig, tmp_path: Path, damage: str
) -> None:
    assert sqlite_store.path is not None
    backup = backup_store(Portfolios(sqlite_store), tmp_path / "b.sqlite").path
    BAD_BACKUPS[damage](backup)
    app = Portfolios(sqlite_store)
    app.open_portfolio("Later", DAY, D(1))
    app.close()
    before = digest(sqlite_store.path)
    with pytest.raises(StoreError) as refused:
        restore_store(sqlite_store, backup, market())
    assert "\n" not in str(refused.value)
    assert digest(sqlite_store.path) == before
    assert sorted(p.name for p in sqlite_store.path.parent.iterdir()) == ["events.sqlite"]


def test_restore_refuses_a_tampered_event_log(
    sqlite_store: StoreConfig, tmp_path: Path, erasmo_cli: Run
) -> None:
    assert sqlite_store.path is not None
    target = Target("sqlite", sqlite_store.path.parent)
    erasmo_cli(target, "export", "-o", str(tmp_path / "log.jsonl"))
    log = tmp_path / "log.jsonl"
    log.write_text(log.read_text().replace('"P1"', '"P9"'))
    before = digest(sqlite_store.path)
    refused = erasmo_cli(target, "restore", str(log), "--yes")
    assert refused.returncode == 1
    assert "is neither a SQLite backup nor an intact erasmo event log (line 5: " in refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    assert digest(sqlite_store.path) == before


def test_restore_refuses_while_another_program_has_the_store_open(
    sqlite_store: StoreConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(erasmo.backup, "RESTORE_LOCK_TIMEOUT_SECONDS", 0.2)
    assert sqlite_store.path is not None
    backup = backup_store(Portfolios(sqlite_store), tmp_path / "b.sqlite").path
    running = Portfolios(sqlite_store)  # the GUI, say
    running.portfolio_ids()
    try:
        before = rows(sqlite_store.path)
        with pytest.raises(StoreError, match=r"has the store .* open"):
            restore_store(sqlite_store, backup, market())
        assert rows(sqlite_store.path) == before
    finally:
        running.close()
    restore_store(sqlite_store, backup, market())  # once it is closed, restore goes ahead


def test_restore_replaces_a_damaged_store_and_keeps_its_bytes(
    sqlite_store: StoreConfig, tmp_path: Path
) -> None:
    assert sqlite_store.path is not None
    backup = backup_store(Portfolios(sqlite_store), tmp_path / "b.sqlite")
    damaged = b"SQLite format 3\x00" + b"\xff" * 4080
    sqlite_store.path.write_bytes(damaged)
    with pytest.raises(StoreError):
        Portfolios(sqlite_store)
    done = restore_store(sqlite_store, backup.path, market())
    assert done.previous is not None
    assert done.previous.read_bytes() == damaged
    assert rows(sqlite_store.path) == rows(backup.path)


def test_auto_backup_keeps_the_newest(tmp_path: Path) -> None:
    erasmo = bootstrap(tmp_path / "data", market=market())
    try:
        pid = erasmo.app.open_portfolio("Tech", DAY, D(100))
        made = []
        for n in range(5):
            erasmo.app.deposit(pid, D(n + 1), DAY)
            made.append(auto_backup(erasmo, keep=3).path)
        kept = list_backups(erasmo.data_dir)
        assert kept == made[:1:-1]  # the newest three, newest first
        assert [verify_backup(p, market()).events for p in kept] == [9, 8, 7]
    finally:
        erasmo.close()
    shutil.rmtree(tmp_path / "data" / "backups")
    assert list_backups(tmp_path / "data") == []
