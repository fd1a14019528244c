"""Large saves on PostgreSQL: a 50,000-event import or restore is one transaction that completes
(eventsourcing's pipelined insert stalled for good past about 18,500 events), is still all or
nothing, and lets a small write from another program through, or refuses it by the lock
timeout, instead of blocking it for ever.

These run in CI (PostgreSQL answers there); each builds its 50,000-event log once.
"""

from __future__ import annotations

import io
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from erasmo import __version__
from erasmo.cli.main import main
from erasmo.market.bundled import BundledMarketData
from events.application import Portfolios
from events.errors import StoreError
from events.eventlog import export_to_file
from events.pgrecorder import CHUNK_EVENTS
from events.store import StoreConfig
from reliability.targets import PG_DB, PG_HOST, PG_PORT, PG_USER, Target, fresh_target

pytestmark = pytest.mark.postgres

D = Decimal
START = date(2015, 1, 5)
EVENTS = 50_000  # one opening and 49,999 deposits of 1.00


@pytest.fixture(scope="module")
def big_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An exported log of one portfolio with EVENTS events (deposits of 1.00 on the market's
    trading days, as an import checks)."""
    folder = tmp_path_factory.mktemp("big")
    app = Portfolios(StoreConfig.sqlite(folder / "events.sqlite"))
    try:
        pid = app.open_portfolio("Big", START)
        portfolio = app.portfolio(pid)
        days = iter([d for d in BundledMarketData().trading_days() if d >= START])
        day = next(days)
        assert day == START
        for n in range(1, EVENTS):
            if n % 250 == 0:
                day = next(days)
            portfolio.deposit(D(1), day)
            if n % 10_000 == 0:
                app.save(portfolio)
        app.save(portfolio)
        path = folder / "big.jsonl"
        export_to_file(app, path, erasmo_version=__version__)
    finally:
        app.close()
    return path


@pytest.fixture
def pg(backend_postgres: None, tmp_path: Path) -> Iterator[Target]:
    with fresh_target("postgres", tmp_path / "data") as target:
        yield target


@pytest.fixture
def backend_postgres() -> None:
    from reliability.targets import postgres_answers

    if not postgres_answers():
        import os

        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PostgreSQL does not answer")
        pytest.skip("no PostgreSQL server answers (it must under CI)")


def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, target: Target, *args: str
) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["erasmo", *target.cli_args(), *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out + err


def balance(target: Target, name: str) -> tuple[int, Decimal]:
    app = Portfolios(target.config())
    try:
        portfolio = app.portfolio(app.find(name))
        return portfolio.version, portfolio.cash
    finally:
        app.close()


def exclusive_lock_held(schema: str) -> bool:
    """Whether some session holds the ExclusiveLock on `schema`'s events table."""
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_DB) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = 'erasmo_events' "
            "AND l.mode = 'ExclusiveLock' AND l.granted",
            (schema,),
        ).fetchone()
    return bool(row and row[0])


def test_a_50k_event_import_and_restore_complete(
    pg: Target,
    big_log: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, said = cli(monkeypatch, capsys, pg, "import", str(big_log))
    assert code == 0, said
    # 1 opening with 0.00 and 49,999 deposits of 1.00: version 50,000, cash 49,999.00.
    assert balance(pg, "Big") == (EVENTS, D("49999.00"))

    with fresh_target("postgres", tmp_path / "restored") as other:
        code, said = cli(monkeypatch, capsys, other, "restore", str(big_log), "--yes")
        assert code == 0, said
        assert balance(other, "Big") == (EVENTS, D("49999.00"))


def test_a_failure_in_the_last_chunk_records_nothing(pg: Target) -> None:
    """The 50,000 events go in chunks of CHUNK_EVENTS; a clash in the last one undoes them all."""
    app = Portfolios(pg.config())
    try:
        pid = app.open_portfolio("Taken", START, D(5))
        before = app.event_count()
        opening = app.recorder.select_events(pid, limit=1)[0]
        fresh = uuid.uuid4()
        stored = [type(opening)(fresh, n, opening.topic, opening.state) for n in range(1, EVENTS)]
        stored.append(opening)  # version 1 of "Taken" again: the last chunk clashes
        assert len(stored) > 20 * CHUNK_EVENTS
        with pytest.raises(IntegrityError, match="duplicate key"):
            app.recorder.insert_events(stored)
        assert app.recorder.select_events(fresh, limit=1) == []
        assert app.event_count() == before
    finally:
        app.close()


def test_a_small_write_is_not_blocked_for_ever_by_a_big_import(pg: Target, big_log: Path) -> None:
    """While the import holds the table lock, a deposit elsewhere either waits its turn and is
    recorded, or is refused with erasmo's lock message: it never hangs."""
    setup = Portfolios(pg.config())
    try:
        small = setup.open_portfolio("Small", START, D(100))
    finally:
        setup.close()
    assert pg.url is not None
    schema = pg.url.rsplit("schema=", 1)[1]

    outcome: dict[str, object] = {}

    def in_thread(key: str, work: Callable[[], object]) -> threading.Thread:
        def run() -> None:
            try:
                outcome[key] = work()
            except Exception as error:
                outcome[key] = error

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def do_import() -> object:
        from events.eventlog import import_file

        app = Portfolios(pg.config())
        try:
            return import_file(app, big_log)[1]
        finally:
            app.close()

    importing = in_thread("import", do_import)
    saw_lock = False
    for _ in range(6_000):  # checks the import's rules first, then takes the lock
        if exclusive_lock_held(schema):
            saw_lock = True
            break
        if not importing.is_alive():
            break
        threading.Event().wait(0.01)

    def do_deposit() -> object:
        app = Portfolios(pg.config())
        try:
            app.deposit(small, D(1), START)
            return "recorded"
        finally:
            app.close()

    depositing = in_thread("deposit", do_deposit)
    importing.join(300)
    depositing.join(300)
    assert not importing.is_alive(), "the import hung"
    assert not depositing.is_alive(), "the deposit hung"
    assert outcome["import"] == EVENTS
    assert saw_lock  # the deposit really ran while the import held the lock
    deposit = outcome["deposit"]
    if deposit == "recorded":
        assert balance(pg, "Small") == (3, D("101.00"))  # opened, 100.00, then 1.00
    else:
        assert isinstance(deposit, StoreError), deposit
        assert "locked" in str(deposit)
        assert balance(pg, "Small") == (2, D("100.00"))
    assert balance(pg, "Big") == (EVENTS, D("49999.00"))
