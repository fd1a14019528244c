"""The store contract, written once and run on every backend (SQLite file, PostgreSQL schema):
durability across restarts, log order, bulk reading, counting, time travel across snapshots,
exact decimals; plus the SQLite file's durability settings and its refusal of foreign files."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest

from events.application import Portfolios
from events.catalog import CATALOG_ID
from events.errors import StoreError
from events.portfolio import EVENT_TYPES, PORTFOLIO_TOPICS
from events.store import StoreConfig
from events.values import PriceProvenance

D = Decimal
DAY = date(2020, 1, 2)
TOPIC = {name: topic for topic, name in PORTFOLIO_TOPICS.items()}
assert set(TOPIC) == set(EVENT_TYPES)


def prov(day: date = DAY) -> PriceProvenance:
    return PriceProvenance("bundled:skfolio", day, True)


@pytest.fixture
def opened(store: StoreConfig) -> Iterator[Portfolios]:
    """An application the test may close and reopen itself."""
    application = Portfolios(store)
    yield application
    application.close()


def two_portfolios(app: Portfolios) -> tuple[UUID, UUID]:
    """Two portfolios whose events interleave in the log.

    Log: A opened + A deposit 1000 + catalog created + A claimed (one transaction), B opened +
    B claimed, A buy 2 AAPL @ 100, B deposit 500, A sell 1 AAPL @ 110, B buy 4 MSFT @ 50 (fee 1):
    10 events. A: 4 events, cash 1000 - 200 + 110 = 910.00; B: 3 events, cash 500 - 201 =
    299.00; the catalog: 3 events.
    """
    a = app.open_portfolio("Alpha", DAY, cash=D("1000.00"))
    b = app.open_portfolio("Beta", DAY)
    app.buy(a, "AAPL", D(2), D(100), DAY, prov())
    app.deposit(b, D(500), DAY)
    app.sell(a, "AAPL", D(1), D(110), date(2020, 1, 3), prov(date(2020, 1, 3)))
    app.buy(b, "MSFT", D(4), D(50), DAY, prov(), fee=D(1))
    return a, b


# -- durability and order -------------------------------------------------------------------


def test_events_survive_closing_and_reopening(store: StoreConfig) -> None:
    first = Portfolios(store)
    a, b = two_portfolios(first)
    history = first.history(a)
    count = first.event_count()
    first.close()

    second = Portfolios(store)
    try:
        assert second.event_count() == count == 10
        pa, pb = second.portfolio(a), second.portfolio(b)
        assert (pa.version, pa.cash, pa.shares) == (4, D("910.00"), {"AAPL": D(1)})
        assert (pb.version, pb.cash, pb.shares) == (3, D("299.00"), {"MSFT": D(4)})
        assert second.history(a) == history
        assert second.find("alpha") == a
        assert second.find("BETA") == b
        # and the reopened store takes new commands after what was there
        second.deposit(b, D(1), DAY)
        assert second.portfolio(b).version == 4
    finally:
        second.close()


def test_history_seq_increases_and_versions_are_contiguous(opened: Portfolios) -> None:
    a, b = two_portfolios(opened)
    for pid, types in [
        (
            a,
            ["PortfolioOpened", "CashDeposited", "SharesBought", "SharesSold"],
        ),
        (b, ["PortfolioOpened", "CashDeposited", "SharesBought"]),
    ]:
        history = opened.history(pid)
        assert [e.type for e in history] == types
        assert [e.version for e in history] == list(range(1, len(types) + 1))
        seqs = [e.seq for e in history]
        assert all(x < y for x, y in itertools.pairwise(seqs))
        assert all(e.portfolio_id == pid for e in history)
    seqs_a = {e.seq for e in opened.history(a)}
    seqs_b = {e.seq for e in opened.history(b)}
    assert not seqs_a & seqs_b
    assert max(seqs_a | seqs_b) == opened.reader.head()


def test_history_fields_are_typed(opened: Portfolios) -> None:
    a, _ = two_portfolios(opened)
    sold = opened.history(a)[-1]
    assert sold.type == "SharesSold"
    assert sold.on == date(2020, 1, 3)
    assert sold.fields == {
        "ticker": "AAPL",
        "quantity": D(1),
        "price": D(110),
        "value": D("110.00"),
        "fee": D(0),
        "price_source": "bundled:skfolio",
        "price_date": date(2020, 1, 3),
        "price_adjusted": True,
        "price_kind": "close",
    }
    assert sold.timestamp.tzinfo is not None


def test_history_upto_seq(opened: Portfolios) -> None:
    a, _ = two_portfolios(opened)
    full = opened.history(a)
    cut = full[2].seq  # A's buy
    assert opened.history(a, upto_seq=cut) == full[:3]
    assert opened.version_at(a, seq=cut) == 3
    assert opened.version_at(a, seq=0) == 0
    assert opened.version_at(a, on=DAY) == 3
    assert opened.version_at(a, on=date(2020, 1, 3)) == 4
    assert opened.version_at(a, on=date(2019, 12, 31)) == 0


# -- bulk reading ---------------------------------------------------------------------------


def _all_rows(app: Portfolios) -> list[tuple[int, str, int, str, bytes]]:
    return [row for batch in app.reader.rows() for row in batch]


@pytest.mark.parametrize("batch_size", [1, 2, 3, 9, 10, 11])
def test_rows_in_small_batches_returns_every_event_once_in_order(
    opened: Portfolios, batch_size: int
) -> None:
    two_portfolios(opened)  # 10 events
    batches = list(opened.reader.rows(batch_size=batch_size))
    assert all(0 < len(batch) <= batch_size for batch in batches)
    assert all(len(batch) == batch_size for batch in batches[:-1])
    rows = [row for batch in batches for row in batch]
    assert len(rows) == 10
    seqs = [row[0] for row in rows]
    assert all(x < y for x, y in itertools.pairwise(seqs))
    assert len({(row[1], row[2]) for row in rows}) == 10
    assert rows == _all_rows(opened)


def test_rows_filters(opened: Portfolios) -> None:
    a, b = two_portfolios(opened)
    rows = _all_rows(opened)
    third = rows[2][0]
    assert [r[0] for batch in opened.reader.rows(after=third) for r in batch] == [
        r[0] for r in rows[3:]
    ]
    upto = [r for batch in opened.reader.rows(upto=third, batch_size=2) for r in batch]
    assert upto == rows[:3]
    only_b = [r for batch in opened.reader.rows(originator_id=b, batch_size=2) for r in batch]
    assert [(UUID(r[1]), r[2]) for r in only_b] == [(b, 1), (b, 2), (b, 3)]
    bought = [r for batch in opened.reader.rows(topics=[TOPIC["SharesBought"]]) for r in batch]
    assert [(UUID(r[1]), r[3]) for r in bought] == [
        (a, TOPIC["SharesBought"]),
        (b, TOPIC["SharesBought"]),
    ]
    events = list(opened.reader.events(originator_id=a))
    assert [e.version for e in events] == [1, 2, 3, 4]
    assert all(isinstance(e.state, bytes) for e in events)


def test_empty_store_reads_nothing(opened: Portfolios) -> None:
    assert list(opened.reader.rows()) == []
    assert opened.reader.head() == 0
    assert opened.event_count() == 0
    assert opened.summaries() == []
    assert opened.portfolio_ids() == []


def test_count_with_filters(opened: Portfolios) -> None:
    a, b = two_portfolios(opened)
    reader = opened.reader
    assert reader.count() == 10
    assert opened.event_count() == 10
    # catalog: created, Alpha claimed, Beta claimed
    assert reader.count(originator_ids=[CATALOG_ID]) == 3
    assert reader.count(originator_ids=[a]) == 4
    assert reader.count(originator_ids=[b]) == 3
    assert reader.count(originator_ids=[a, b]) == 7
    assert reader.count(topics=list(PORTFOLIO_TOPICS)) == 7
    assert reader.count(topics=[TOPIC["CashDeposited"]]) == 2
    assert reader.count(originator_ids=[b], topics=[TOPIC["CashDeposited"]]) == 1
    assert reader.count(topics=[TOPIC["PortfolioClosed"]]) == 0
    seq_of_a_buy = opened.history(a)[2].seq
    assert reader.count(upto=seq_of_a_buy) == 7
    assert reader.count(upto=seq_of_a_buy, originator_ids=[b]) == 1
    assert reader.count(upto=0) == 0


# -- time travel ----------------------------------------------------------------------------


def test_portfolio_as_of_each_version(opened: Portfolios) -> None:
    pid = opened.open_portfolio("Travel", DAY)
    states = {1: (D(0), {})}
    commands = [
        lambda: opened.deposit(pid, D("500.00"), DAY),
        lambda: opened.buy(pid, "AAPL", D(3), D("75.087"), DAY, prov()),
        lambda: opened.buy(pid, "MSFT", D("0.5"), D("100.01"), DAY, prov(), fee=D(1)),
        lambda: opened.sell(pid, "AAPL", D(3), D(80), DAY, prov()),
        lambda: opened.withdraw(pid, D("0.01"), DAY),
    ]
    expected = [
        (D("500.00"), {}),
        (D("274.74"), {"AAPL": D(3)}),  # 500 - 225.26
        (D("223.73"), {"AAPL": D(3), "MSFT": D("0.5")}),  # - 50.01 - 1
        (D("463.73"), {"MSFT": D("0.5")}),  # + 240
        (D("463.72"), {"MSFT": D("0.5")}),
    ]
    for version, (command, state) in enumerate(zip(commands, expected, strict=True), start=2):
        command()
        states[version] = state
    opened.rename(pid, "Travelled")
    for version, (cash, shares) in states.items():
        p = opened.portfolio(pid, version=version)
        assert p.version == version
        assert (p.cash, p.shares) == (cash, shares)
        assert p.name == "Travel"
    assert opened.portfolio(pid).name == "Travelled"
    assert opened.portfolio(pid, version=7).name == "Travelled"


START = date(2020, 1, 1)
EVENTS = 210  # the Portfolio snapshot interval is 200


def expected_after(version: int) -> tuple[Decimal, Decimal, date]:
    """Cash, AAPL shares and clock after `version` of the portfolio built below.

    v1 opened, v2 deposit 100000, then v3..v210: odd versions buy 1 AAPL @ 10, even versions
    deposit 1; version i is dated START + i days.
    """
    buys = (version - 1) // 2 if version >= 3 else 0  # odd numbers in 3..version
    deposits = (version - 2) // 2 if version >= 4 else 0  # even numbers in 4..version
    cash = D(100000) - 10 * buys + deposits if version >= 2 else D(0)
    return cash, D(buys), START + timedelta(days=version)


def test_time_travel_across_a_snapshot(opened: Portfolios) -> None:
    pid = opened.open_portfolio("Long", START + timedelta(days=1))
    opened.deposit(pid, D(100000), START + timedelta(days=2))
    for version in range(3, EVENTS + 1):
        day = START + timedelta(days=version)
        if version % 2:
            opened.buy(pid, "AAPL", D(1), D(10), day, prov(day))
        else:
            opened.deposit(pid, D(1), day)

    assert opened.snapshots is not None
    snapshots = list(opened.snapshots.get(pid))
    assert [s.originator_version for s in snapshots] == [200]

    assert expected_after(210) == (D(100000) - 10 * 104 + 104, D(104), date(2020, 7, 29))
    for version in [1, 2, 3, 4, 150, 199, 200, 201, 202, 209, EVENTS]:
        p = opened.portfolio(pid, version=version)
        cash, shares, clock = expected_after(version)
        assert p.version == version
        assert p.cash == cash
        assert p.shares == ({"AAPL": shares} if shares else {})
        assert p.cost == ({"AAPL": shares * 10} if shares else {})
        assert p.clock == clock
        assert type(p.clock) is date
        assert type(p.opened_on) is date
    head = opened.portfolio(pid)
    assert head.version == EVENTS
    assert (head.cash, head.shares["AAPL"], head.clock) == expected_after(EVENTS)
    # the snapshot is not an event
    assert opened.reader.count(originator_ids=[pid]) == EVENTS
    assert len(opened.history(pid)) == EVENTS


def test_time_travel_after_reopening_uses_the_stored_snapshot(store: StoreConfig) -> None:
    first = Portfolios(store)
    pid = first.open_portfolio("Long", START + timedelta(days=1))
    first.deposit(pid, D(100000), START + timedelta(days=2))
    for version in range(3, 203):
        day = START + timedelta(days=version)
        if version % 2:
            first.buy(pid, "AAPL", D(1), D(10), day, prov(day))
        else:
            first.deposit(pid, D(1), day)
    first.close()
    second = Portfolios(store)
    try:
        assert second.snapshots is not None
        assert [s.originator_version for s in second.snapshots.get(pid)] == [200]
        for version in [199, 200, 201, 202]:
            p = second.portfolio(pid, version=version)
            cash, shares, clock = expected_after(version)
            assert (p.version, p.cash, p.shares["AAPL"], p.clock) == (
                version,
                cash,
                shares,
                clock,
            )
        # and commands continue from the snapshot's state
        day = START + timedelta(days=203)
        second.sell(pid, "AAPL", D(100), D(10), day, prov(day))
        after = second.portfolio(pid)
        assert after.version == 203
        assert after.shares == {}
        assert after.cash == expected_after(202)[0] + 1000  # 100 x 10
    finally:
        second.close()


# -- listing --------------------------------------------------------------------------------


def test_summaries_sorted_by_name_ignoring_case(opened: Portfolios) -> None:
    ids = {}
    for name in ["beta", "Alpha", "gamma", "Delta"]:
        ids[name] = opened.open_portfolio(name, DAY, cash=D(10))
    opened.deposit(ids["gamma"], D("2.50"), DAY)
    opened.close_portfolio(ids["Delta"])
    summaries = opened.summaries()
    assert [s.name for s in summaries] == ["Alpha", "beta", "Delta", "gamma"]
    by_name = {s.name: s for s in summaries}
    assert by_name["gamma"].cash == D("12.50")
    assert by_name["gamma"].version == 3
    assert by_name["Delta"].closed is True
    assert by_name["Alpha"].closed is False
    assert by_name["Alpha"].id == ids["Alpha"]
    assert by_name["Alpha"].clock == DAY
    assert by_name["Alpha"].currency == "USD"
    # a rename moves it in the list
    opened.rename(ids["Alpha"], "zeta")
    assert [s.name for s in opened.summaries()] == ["beta", "Delta", "gamma", "zeta"]
    assert opened.portfolio_ids() == [ids[n] for n in ["beta", "Alpha", "gamma", "Delta"]]


# -- exact decimals -------------------------------------------------------------------------


def test_decimals_are_exact_after_a_round_trip(store: StoreConfig) -> None:
    first = Portfolios(store)
    pid = first.open_portfolio("Exact", DAY, cash=D("999999999999999.99"))
    first.buy(pid, "AAPL", D("0.000001"), D("1234.567891"), DAY, prov(), fee=D("0.01"))
    first.buy(pid, "MSFT", D("1.000001"), D("1234.567891"), DAY, prov())
    first.close()
    second = Portfolios(store)
    try:
        history = second.history(pid)
        tiny, big = history[2].fields, history[3].fields
        assert str(tiny["quantity"]) == "0.000001"
        assert str(tiny["price"]) == "1234.567891"
        assert str(tiny["value"]) == "0.00"  # 0.001234567891 rounds to 0.00
        assert str(tiny["fee"]) == "0.01"
        # 1.000001 x 1234.567891 = 1234.569125567891 -> 1234.57
        assert str(big["value"]) == "1234.57"
        assert str(history[1].fields["amount"]) == "999999999999999.99"
        p = second.portfolio(pid)
        # 999999999999999.99 - 0.01 - 1234.57
        assert p.cash == D("999999999998765.41")
        assert str(p.cash) == "999999999998765.41"
        assert p.shares == {"AAPL": D("0.000001"), "MSFT": D("1.000001")}
        assert all(isinstance(v, Decimal) for v in p.shares.values())
    finally:
        second.close()


# -- SQLite specifics -----------------------------------------------------------------------


def _pragma(app: Portfolios, name: str, *, commit: bool) -> object:
    with app.recorder.datastore.get_connection(commit=commit) as connection:  # type: ignore[attr-defined]
        cursor = connection.cursor()
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_sqlite_is_wal_with_full_sync(sqlite_app: Portfolios) -> None:
    sqlite_app.open_portfolio("Tech", DAY, cash=D(1))
    for commit in (True, False):
        assert str(_pragma(sqlite_app, "journal_mode", commit=commit)).lower() == "wal"
        assert _pragma(sqlite_app, "synchronous", commit=commit) == 2  # FULL
    with sqlite_app.recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2
    # the snapshot store writes through the same durable connections
    assert sqlite_app.snapshots is not None
    assert sqlite_app.snapshots.recorder.datastore is sqlite_app.recorder.datastore  # type: ignore[attr-defined]


def test_sqlite_settings_hold_for_a_reopened_store(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    Portfolios(StoreConfig.sqlite(path)).close()
    app = Portfolios(StoreConfig.sqlite(path))
    try:
        assert str(_pragma(app, "journal_mode", commit=True)).lower() == "wal"
        assert _pragma(app, "synchronous", commit=True) == 2
    finally:
        app.close()


@pytest.mark.parametrize(
    "content",
    [
        b"my tax notes\nnot a database\n",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        b"SQLite format 2\x00" + b"\x00" * 100,
        b"SQLite",  # a short file that only starts like one
        b"\x00" * 4096,
    ],
    ids=["text", "png", "other-magic", "short", "zeros"],
)
def test_a_foreign_file_at_the_store_path_is_refused_and_left_alone(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "events.sqlite"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not a SQLite database"):
        Portfolios(StoreConfig.sqlite(path))
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.sqlite"]


def test_a_damaged_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    content = b"SQLite format 3\x00" + b"\xff" * 4080
    path.write_bytes(content)
    with pytest.raises(StoreError):
        Portfolios(StoreConfig.sqlite(path))
    assert path.read_bytes() == content


def test_a_folder_at_the_store_path_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    path.mkdir()
    with pytest.raises(StoreError, match="folder"):
        Portfolios(StoreConfig.sqlite(path))
    assert list(path.iterdir()) == []


def test_a_missing_data_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "events.sqlite"
    app = Portfolios(StoreConfig.sqlite(path))
    try:
        pid = app.open_portfolio("Tech", DAY, cash=D(1))
        assert app.portfolio(pid).cash == D(1)
    finally:
        app.close()
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
