"""Event-log files and backups through the front door: export, verify, import, restore.

Wraps `events.eventlog` and `erasmo.backup`, so the front ends import neither the write side's
log module nor its store module. `verify_log` and `restore_backup` need no open store (a store
that cannot be opened is what a restore is for).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from uuid import UUID

from erasmo import __version__
from erasmo.door.models import ImportReceipt, LogCheck

if TYPE_CHECKING:
    from erasmo.backup import Backup, Restored
    from erasmo.market.base import MarketData
    from events.application import Portfolios
    from events.eventlog import VerifiedLog

Progress = Callable[[int, int], None]


def export_log(
    app: Portfolios,
    path: Path | None,
    portfolio_ids: Sequence[UUID] = (),
    *,
    out: TextIO | None = None,
) -> int:
    """Write the log (of every portfolio, or of `portfolio_ids`) to `path`, whole or not at
    all, or else to `out` (default: standard output); returns how many events."""
    from events.eventlog import export_log as write_log
    from events.eventlog import export_to_file

    ids = list(portfolio_ids)
    if path is not None:
        return export_to_file(app, path, erasmo_version=__version__, portfolio_ids=ids)
    return write_log(app, out or sys.stdout, erasmo_version=__version__, portfolio_ids=ids)


def verify_log(path: Path, progress: Progress | None = None) -> LogCheck:
    """Check a log file's hash chain and count (no store needed); `progress(done, total)`
    gets the bytes read, and may raise to stop."""
    return _check(path, _verified(path, progress))


def verify_for_import(
    app: Portfolios, path: Path, progress: Progress | None = None
) -> ImportReceipt:
    """`verify_log`, and how many of the file's events `app`'s store does not hold yet."""
    log = _verified(path, progress)
    new = app.record_imported(log.events, dry_run=True)
    return _receipt(_check(path, log), new)


def import_log(
    app: Portfolios, market: MarketData | None, path: Path, *, dry_run: bool = False
) -> ImportReceipt:
    """Verify then import a log file, all or nothing; with a `market`, its rules check the
    events too. A dry run counts what would be new and records nothing."""
    from events.eventlog import import_file

    admit = None
    if market is not None:
        from erasmo.intake import admission

        admit = admission(app, market, outcome="nothing was imported")
    log, new = import_file(app, path, dry_run=dry_run, admit=admit)
    return _receipt(_check(path, log), new)


def verify_backup(source: Path, market: MarketData | None = None) -> Backup:
    """Check a backup file (a SQLite copy or an event log) without restoring it."""
    from erasmo.backup import verify_backup as check

    return check(source, market or _bundled())


def restore_backup(
    data_dir: str | Path | None,
    store_url: str | None,
    source: Path,
    market: MarketData | None = None,
) -> Restored:
    """Replace the store of `data_dir` (or `store_url`) with a checked backup (see
    `erasmo.backup.restore_store`); the store need not open."""
    from erasmo.backup import restore_store
    from erasmo.config import resolve_data_dir, resolve_store

    store = resolve_store(resolve_data_dir(data_dir), store_url)
    return restore_store(store, source, market or _bundled())


def describe_store(data_dir: str | Path | None, store_url: str | None) -> str:
    """The store `data_dir` (or `store_url`) names, as messages describe it."""
    from erasmo.config import resolve_data_dir, resolve_store

    return resolve_store(resolve_data_dir(data_dir), store_url).describe()


def _bundled() -> MarketData:
    from erasmo.market.bundled import BundledMarketData

    return BundledMarketData()


def _verified(path: Path, progress: Progress | None) -> VerifiedLog:
    from events.eventlog import read_lines, verify_file, verify_lines

    if progress is None:
        return verify_file(path)
    return verify_lines(_counted(read_lines(path), path, progress))


def _counted(lines: Iterator[str], path: Path, progress: Progress) -> Iterator[str]:
    total = max(1, path.stat().st_size)
    done = 0
    for number, line in enumerate(lines):
        done += len(line)
        if number % 2000 == 0:
            progress(min(done, total), total)
        yield line
    progress(total, total)


def _check(path: Path, log: VerifiedLog) -> LogCheck:
    return LogCheck(
        path=str(path),
        events=len(log.events),
        portfolios=tuple(log.portfolios),
        erasmo_version=str(log.header["erasmo_version"]),
        last_hash=log.last_hash,
    )


def _receipt(check: LogCheck, new: int) -> ImportReceipt:
    return ImportReceipt(
        path=check.path,
        events=check.events,
        new=new,
        portfolios=check.portfolios,
        erasmo_version=check.erasmo_version,
        last_hash=check.last_hash,
    )
