"""Corrupted and foreign store files, a store from a newer erasmo, a read-only data directory and
a full disk: each is refused with one clear sentence before anything is written, and the file
is left byte-for-byte as it was."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.utils import Environment, EnvType, get_topic

import events.store
from events.application import Portfolios
from events.store import (
    STORE_FORMAT_VERSION,
    DurableSQLiteConnectionPool,
    DurableSQLiteFactory,
    ForeignStoreError,
    StoreConfig,
    StoreCorruptError,
    StoreFullError,
    StoreReadOnlyError,
    StoreVersionError,
)
from reliability.conftest import report
from reliability.corruption import (
    FOREIGN_CONTENTS,
    content,
    damaged_copy,
    digest,
    flip,
    foreign_database,
    newer_format,
    open_damaged,
    random_flips,
    reference_store,
    targeted_flips,
    truncations,
)
from reliability.targets import pg_url

D = Decimal
DAY = date(2015, 3, 2)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return reference_store(tmp_path_factory.mktemp("reference"))


def assert_refused_untouched(path: Path, error: type[Exception], match: str) -> str:
    """Opening `path` raises `error` (a one-sentence StoreError) and changes nothing."""
    outcome = open_damaged(path)
    assert outcome.raw is None
    assert outcome.refused == error.__name__, outcome
    assert outcome.unchanged
    assert match in outcome.message
    assert "\n" not in outcome.message
    return outcome.message


# -- damaged and foreign files ------------------------------------------------------------------


@pytest.mark.parametrize("name", FOREIGN_CONTENTS)
def test_a_file_that_is_not_a_sqlite_database_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "events.sqlite"
    path.write_bytes(FOREIGN_CONTENTS[name])
    assert_refused_untouched(path, StoreCorruptError, "is not a SQLite database")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.sqlite"]


@pytest.mark.parametrize(
    "cut", ["half", "one-page-short", "one-byte-short", "header-only", "mid-header", "magic-only"]
)
def test_a_truncated_store_is_refused(reference: Path, tmp_path: Path, cut: str) -> None:
    length = truncations(reference.stat().st_size, 4096)[cut]
    path = damaged_copy(reference, tmp_path, lambda data: data.__delitem__(slice(length, None)))
    assert_refused_untouched(path, StoreCorruptError, "damaged")


@pytest.mark.parametrize("where", list(targeted_flips(4096)))
def test_a_bit_flip_in_the_files_structure_is_refused(
    reference: Path, tmp_path: Path, where: str
) -> None:
    offset, bit = targeted_flips(4096)[where]
    path = damaged_copy(reference, tmp_path, flip(offset, bit))
    assert_refused_untouched(path, StoreCorruptError, str(path))


def test_random_bit_flips_are_refused_reported_or_harmless(
    reference: Path, tmp_path: Path, full: bool
) -> None:
    figures = random_flips(reference, tmp_path, count=2000 if full else 150, seed=8)
    report(
        "corruption/random-flips",
        tried=figures.tried,
        refused_at_open=figures.refused,
        reported_by_check=figures.reported,
        harmless=figures.harmless,
        silent=figures.silent,
        changed_files=figures.changed_files,
    )
    assert figures.raw == []
    assert figures.changed_files == 0
    assert figures.refused + figures.reported + figures.harmless + figures.silent == figures.tried
    # SQLite keeps no page checksums: a flip inside one event's JSON text (a key, a label) that
    # no rule reads can go unnoticed; anything structural (ids, versions, order) never does.
    assert figures.silent_outside_one_state == 0, figures.silent_examples


def test_an_empty_file_becomes_a_new_store(tmp_path: Path) -> None:
    # SQLite reads a zero-byte file as an empty database; with no journal beside it there is
    # nothing to lose, so erasmo makes it a new store (documented in the README).
    path = tmp_path / "events.sqlite"
    path.write_bytes(b"")
    app = Portfolios(StoreConfig.sqlite(path))
    try:
        assert app.portfolio_ids() == []
        app.open_portfolio("Fresh", DAY, D(10))
        assert app.event_count() == 4
    finally:
        app.close()
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"


def test_a_store_from_a_newer_erasmo_is_refused(reference: Path, tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    shutil.copyfile(reference, path)
    newer_format(path, str(STORE_FORMAT_VERSION + 1))
    message = assert_refused_untouched(path, StoreVersionError, "newer erasmo")
    assert f"store format {STORE_FORMAT_VERSION + 1}" in message
    assert "Update erasmo" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.sqlite"]


def test_an_unreadable_format_version_is_refused(reference: Path, tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    shutil.copyfile(reference, path)
    newer_format(path, "two")
    assert_refused_untouched(path, StoreCorruptError, "format version")


def test_a_database_of_another_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    foreign_database(path)
    assert_refused_untouched(path, ForeignStoreError, "another program")


def test_a_store_written_before_format_versions_is_stamped(reference: Path, tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    shutil.copyfile(reference, path)
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE erasmo_meta")
    connection.close()
    app = Portfolios(StoreConfig.sqlite(path))
    try:
        assert len(app.portfolio_ids()) == 3
    finally:
        app.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT value FROM erasmo_meta").fetchall() == [
            (str(STORE_FORMAT_VERSION),)
        ]
    connection.close()


@pytest.mark.parametrize("older", ["1", "2"])
def test_a_store_of_an_older_format_is_stamped_with_this_one(
    reference: Path, tmp_path: Path, older: str
) -> None:
    """Format 1 stores (before orders, actions and branches) and format 2 stores (before
    reopen and delete) open, read as before, and are stamped with the current format, so an
    erasmo that does not know the new events refuses them from then on."""
    current = tmp_path / "current" / "events.sqlite"
    current.parent.mkdir()
    shutil.copyfile(reference, current)
    app = Portfolios(StoreConfig.sqlite(current))
    try:
        expected = [(s.name, s.version, s.cash, s.closed) for s in app.summaries()]
        events = [
            (e.seq, e.type, e.fields) for pid in app.portfolio_ids() for e in app.history(pid)
        ]
    finally:
        app.close()
    path = tmp_path / "events.sqlite"
    shutil.copyfile(reference, path)
    newer_format(path, older)
    app = Portfolios(StoreConfig.sqlite(path))
    try:
        assert len(app.portfolio_ids()) == 3
        assert [(s.name, s.version, s.cash, s.closed) for s in app.summaries()] == expected
        assert [
            (e.seq, e.type, e.fields) for pid in app.portfolio_ids() for e in app.history(pid)
        ] == events
        assert app.deleted_summaries() == []
    finally:
        app.close()
    with sqlite3.connect(path) as connection:
        stamped = connection.execute("SELECT value FROM erasmo_meta").fetchall()
    connection.close()
    assert STORE_FORMAT_VERSION == 5  # 5: a backtest's strategy (StrategyStarted, -Stopped)
    assert stamped == [("5",)]


@pytest.mark.postgres
def test_a_postgres_store_from_a_newer_erasmo_is_refused(pg_schema: str) -> None:
    import psycopg

    config = StoreConfig.from_url(pg_url(pg_schema))
    app = Portfolios(config)
    app.open_portfolio("Tech", DAY, D(100))
    app.close()
    with psycopg.connect(pg_url(pg_schema).split("?")[0]) as connection:
        newer = STORE_FORMAT_VERSION + 1
        connection.execute(f"UPDATE \"{pg_schema}\".erasmo_meta SET value = '{newer}'")
        before = connection.execute(f'SELECT count(*) FROM "{pg_schema}".erasmo_events').fetchone()
    with pytest.raises(StoreVersionError, match="newer erasmo"):
        Portfolios(config)
    with psycopg.connect(pg_url(pg_schema).split("?")[0]) as connection:
        after = connection.execute(f'SELECT count(*) FROM "{pg_schema}".erasmo_events').fetchone()
    assert after == before


# -- a read-only data directory -----------------------------------------------------------------

PROBE = textwrap.dedent(
    """
    import sys
    from events.application import Portfolios
    from events.errors import StoreError
    from events.store import StoreConfig
    try:
        Portfolios(StoreConfig.sqlite(sys.argv[1])).close()
        print("opened")
    except StoreError as error:
        print(type(error).__name__, error, sep="\\n")
    """
)


def open_read_only(path: Path, read_only: Path) -> list[str]:
    """Open the store at `path` in a child process that cannot write to `read_only`.

    Not root: `read_only` loses its write permissions. Root may write anywhere, so there the
    child runs in its own mount namespace with `read_only` bind-mounted read-only.
    """
    command = [sys.executable, "-c", PROBE, str(path)]
    if os.geteuid() != 0:
        mode = read_only.stat().st_mode
        read_only.chmod(0o555 if read_only.is_dir() else 0o444)
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        finally:
            read_only.chmod(mode)
    else:
        unshare = shutil.which("unshare")
        if unshare is None:
            pytest.skip("unshare is not installed")
        script = (
            f"mount --bind {read_only} {read_only} && "
            f'mount -o remount,bind,ro {read_only} && exec "$@"'
        )
        result = subprocess.run(
            [unshare, "--mount", "sh", "-c", script, "sh", *command],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0 and "mount" in result.stderr.lower():
            pytest.skip(f"cannot mount read-only here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_read_only_store_is_refused_before_writing(
    reference: Path, tmp_path: Path, what: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    path = data / "events.sqlite"
    shutil.copyfile(reference, path)
    before = digest(path)
    kind, message = open_read_only(path, data if what == "folder" else path)
    assert kind == StoreReadOnlyError.__name__
    assert "read-only" in message
    assert digest(path) == before
    assert sorted(p.name for p in data.iterdir()) == ["events.sqlite"]


def test_a_new_store_in_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    kind, message = open_read_only(data / "events.sqlite", data)
    assert kind == StoreReadOnlyError.__name__
    assert str(data) in message
    assert list(data.iterdir()) == []


# -- a full disk --------------------------------------------------------------------------------


class TinyDiskPool(DurableSQLiteConnectionPool):
    """Connections whose database may not grow beyond `max_pages`: SQLite's full disk."""

    max_pages = 0

    def _create_connection(self):  # type: ignore[no-untyped-def]
        connection = super()._create_connection()
        connection.cursor().execute(f"PRAGMA max_page_count = {TinyDiskPool.max_pages}")
        return connection


class TinyDiskFactory(DurableSQLiteFactory):
    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        pool = self.datastore.pool
        self.datastore.pool = TinyDiskPool(db_name=pool.db_name, lock_timeout=pool.lock_timeout)


def page_count(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("PRAGMA page_count").fetchone()[0])
    finally:
        connection.close()


def fill(app: Portfolios, pid: UUID) -> Decimal:
    """Deposit until the store is full; return the amount that did not fit."""
    for n in range(10_000):
        amount = D(n + 1) / 100
        try:
            app.deposit(pid, amount, DAY)
        except StoreFullError:
            return amount
    raise AssertionError("the store never filled up")


def test_a_full_disk_refuses_the_command_and_keeps_the_store(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    config = StoreConfig.sqlite(path)
    app = Portfolios(config)
    pid = app.open_portfolio("Tech", DAY, D(1000))
    app.close()
    TinyDiskPool.max_pages = page_count(path)
    tiny = {"PERSISTENCE_MODULE": get_topic(TinyDiskFactory)}
    # Fill the pages there are, until the "disk" is full.
    app = Portfolios(config, env=tiny)
    amount = fill(app, pid)
    app.close()
    count = Portfolios(config)
    recorded, cash = count.event_count(), count.portfolio(pid).cash
    count.close()
    before = digest(path)
    # The same command on the full disk: refused in one sentence, nothing written.
    app = Portfolios(config, env=tiny)
    with pytest.raises(StoreFullError, match="is full") as refused:
        app.deposit(pid, amount, DAY)
    assert "\n" not in str(refused.value)
    assert app.event_count() == recorded
    app.close()
    assert digest(path) == before
    app = Portfolios(config)  # with room again, the store is intact and takes the command
    try:
        assert app.portfolio(pid).cash == cash
        app.deposit(pid, amount, DAY)
        assert app.portfolio(pid).cash == cash + amount
    finally:
        app.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    connection.close()


def test_a_disk_nearly_full_is_refused_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.sqlite"
    app = Portfolios(StoreConfig.sqlite(path))
    pid = app.open_portfolio("Tech", DAY, D(1000))
    free = shutil.disk_usage(tmp_path).free
    monkeypatch.setattr(
        events.store, "MIN_FREE_BYTES", free + 2**40
    )  # as if the disk had 1 TB less
    before = content(app)
    with pytest.raises(StoreFullError, match="KB free"):
        app.deposit(pid, D(5), DAY)
    assert content(app) == before
    app.close()
    with pytest.raises(StoreFullError, match="KB free"):  # nor is a new store created
        Portfolios(StoreConfig.sqlite(tmp_path / "new" / "events.sqlite"))
    assert not (tmp_path / "new" / "events.sqlite").exists()


REAL_DISK = textwrap.dedent(
    """
    import sys
    from datetime import date
    from decimal import Decimal
    import events.store
    from events.application import Portfolios
    from events.store import StoreConfig, StoreFullError
    events.store.MIN_FREE_BYTES = 0  # let SQLite meet the full disk itself
    config = StoreConfig.sqlite(sys.argv[1] + "/events.sqlite")
    app = Portfolios(config)
    pid = app.open_portfolio("Tech", date(2015, 3, 2), Decimal(1000))
    acknowledged = 0
    try:
        for n in range(100_000):
            app.deposit(pid, Decimal(n + 1), date(2015, 3, 2))
            acknowledged += 1
    except StoreFullError as error:
        print("full", acknowledged, error, sep="\\n")
    app.close()
    events.store.MIN_FREE_BYTES = 4 * 1024 * 1024
    app = Portfolios(config)
    print(sum(1 for e in app.history(pid) if e.type == "CashDeposited") - 1)
    try:
        app.deposit(pid, Decimal(1), date(2015, 3, 2))
    except StoreFullError as error:
        print(type(error).__name__)
    """
)


def test_a_really_full_disk(tmp_path: Path) -> None:
    """On a 1 MB tmpfs (in a user namespace, where that is allowed): writes end in
    StoreFullError, every acknowledged deposit is there, and the next write is refused early."""
    unshare = shutil.which("unshare")
    mount = tmp_path / "disk"
    mount.mkdir()
    script = f'mount -t tmpfs -o size=1m tmpfs {mount} && exec {sys.executable} -c "$0" {mount}'
    if unshare is None:
        pytest.skip("unshare is not installed")
    result = subprocess.run(
        [unshare, "--user", "--map-root-user", "--mount", "sh", "-c", script, REAL_DISK],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0 and "mount" in result.stderr.lower():
        pytest.skip(f"cannot mount a small disk here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "full"
    assert "is full" in lines[2]
    assert int(lines[3]) == int(lines[1])  # every acknowledged deposit, and no other
    assert lines[4] == StoreFullError.__name__
