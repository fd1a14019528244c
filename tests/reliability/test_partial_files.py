"""A backup or restore killed mid-way (SIGKILL) leaves no half-written file under a real name:
it writes under a temporary name and renames when complete. The next backup or restore removes
what the killed one left behind."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from events.application import Portfolios
from events.store import StoreConfig

DAY = date(2015, 3, 2)
DEPOSITS = 20_000


def make_store(data: Path) -> int:
    """A store big enough that a backup takes a moment: one portfolio, DEPOSITS deposits."""
    app = Portfolios(StoreConfig.sqlite(data / "events.sqlite"))
    try:
        portfolio = app.portfolio(app.open_portfolio("Big", DAY))
        for n in range(DEPOSITS):
            portfolio.deposit(Decimal(1), DAY)
            if n % 5_000 == 4_999:
                app.save(portfolio)
        app.save(portfolio)
        return app.event_count()
    finally:
        app.close()


def erasmo(data: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "erasmo", "--data-dir", str(data), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "ERASMO_HOME": str(data)},
    )


def kill_while_writing(data: Path, folder: Path, pattern: str, *args: str) -> list[str]:
    """Run `erasmo ARGS` until it is caught with a temporary file matching `pattern` in
    `folder`, then SIGKILL it; returns the leftovers it had at that moment."""
    for _ in range(20):  # bounded attempts: each catches the writer or lets it finish
        process = erasmo(data, *args)
        seen: list[str] = []
        while process.poll() is None and not seen:
            seen = [p.name for p in folder.iterdir()] if folder.exists() else []
            seen = [n for n in seen if re.fullmatch(pattern, n)]
            if not seen:
                time.sleep(0.001)
        if seen and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=60)
            if process.returncode == -signal.SIGKILL:
                return seen
        else:
            process.communicate(timeout=60)
    raise AssertionError(f"erasmo {' '.join(args)} was never caught writing")


def integrity(path: Path) -> list[tuple[str]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        result: list[tuple[str]] = connection.execute("PRAGMA integrity_check").fetchall()
    connection.close()
    return result


def test_a_killed_backup_leaves_no_partial_file_and_the_next_one_cleans_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    events = make_store(data)
    backups = data / "backups"
    killed = backups / "killed.sqlite"
    pattern = r"\.killed\.sqlite\.\d+\.partial.*"
    left = kill_while_writing(data, backups, pattern, "backup", "-o", str(killed))
    assert left
    assert [p.name for p in backups.iterdir() if p.name.endswith(".partial")]
    if killed.exists():  # killed just after the rename: then it is complete
        assert integrity(killed) == [("ok",)]

    done = erasmo(data, "backup", "-o", str(backups / "next.sqlite"))
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert integrity(backups / "next.sqlite") == [("ok",)]
    leftovers = [p.name for p in backups.iterdir() if re.match(r"\..*\.\d+\.partial", p.name)]
    assert leftovers == []
    with sqlite3.connect(backups / "next.sqlite") as connection:
        (copied,) = connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()
    connection.close()
    assert copied == events


def test_a_killed_restore_leaves_the_store_whole_and_the_next_one_cleans_up(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    events = make_store(data)
    backup = tmp_path / "saved.sqlite"
    made = erasmo(data, "backup", "-o", str(backup))
    made.communicate(timeout=120)
    assert made.returncode == 0

    left = kill_while_writing(
        data, data, r"\.events\.sqlite\.\d+\.restoring.*", "restore", str(backup), "--yes"
    )
    assert left
    store = data / "events.sqlite"
    assert integrity(store) == [("ok",)]
    app = Portfolios(StoreConfig.sqlite(store))
    try:
        assert app.event_count() == events
    finally:
        app.close()

    done = erasmo(data, "restore", str(backup), "--yes")
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert [p.name for p in data.iterdir() if ".restoring" in p.name] == []
    assert integrity(store) == [("ok",)]
