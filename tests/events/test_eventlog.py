"""Event-log files: export, verify and import round trips; every kind of tampering is caught with
its line number and records nothing; imports that conflict with the store or break a rule are
refused whole."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from events.application import Portfolios
from events.errors import EventLogError
from events.eventlog import (
    FORMAT,
    FORMAT_VERSION,
    GENESIS,
    canonical,
    export_log,
    export_to_file,
    import_file,
    verify_file,
    verify_lines,
)
from events.portfolio import PORTFOLIO_TOPICS
from events.store import StoreConfig
from events.values import PriceProvenance

D = Decimal
DAY = date(2020, 1, 2)
DAY2 = date(2020, 1, 3)
VERSION = "0.1.0"
TOPIC = {name: topic for topic, name in PORTFOLIO_TOPICS.items()}
PORTFOLIO_CLASS_TOPIC = "events.portfolio:Portfolio"


def prov(day: date = DAY) -> PriceProvenance:
    return PriceProvenance("bundled:skfolio", day, True)


# -- helpers --------------------------------------------------------------------------------


def export_text(app: Portfolios, **kwargs: Any) -> str:
    out = io.StringIO()
    export_log(app, out, erasmo_version=VERSION, **kwargs)
    return out.getvalue()


def parse(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def dump(objs: list[dict[str, Any]]) -> str:
    return "".join(canonical(obj).decode() + "\n" for obj in objs)


def rechain(objs: list[dict[str, Any]], start: int = 0) -> str:
    """Seal lines `start`.. again (prev and hash), as a forger would, keeping their content."""
    prev = GENESIS if start == 0 else objs[start - 1]["hash"]
    for index in range(start, len(objs)):
        body = {k: v for k, v in objs[index].items() if k != "hash"}
        body["prev"] = prev
        objs[index] = {**body, "hash": hashlib.sha256(canonical(body)).hexdigest()}
        prev = objs[index]["hash"]
    return dump(objs)


def reseal(objs: list[dict[str, Any]]) -> str:
    """Lines with a valid hash chain, numbering and header count, whatever their content."""
    objs = [dict(obj) for obj in objs]
    objs[0]["count"] = len(objs) - 1
    for index in range(1, len(objs)):
        objs[index]["n"] = index
    return rechain(objs)


def write(tmp_path: Path, text: str | bytes, name: str = "log.jsonl") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_bytes(text.encode())
    else:
        path.write_bytes(text)
    return path


def snapshot_all(app: Portfolios) -> dict[UUID, tuple[Any, ...]]:
    """Every portfolio's name, version, cash, holdings and closed flag."""
    result = {}
    for pid in app.portfolio_ids():
        p = app.portfolio(pid)
        result[pid] = (p.name, p.version, p.cash, dict(p.shares), dict(p.cost), p.closed)
    return result


def build(app: Portfolios) -> tuple[UUID, UUID]:
    """Two portfolios whose events interleave; 10 portfolio events.

    File lines: 1 header, 2 A opened, 3 A deposit 1000, 4 B opened, 5 A buy 3 AAPL @ 75.087,
    6 B deposit 500, 7 A sell 1 AAPL @ 80 fee 1, 8 B buy 2 MSFT @ 100.5, 9 A renamed,
    10 B withdraw 10, 11 B closed.
    """
    a = app.open_portfolio("Tech", DAY, cash=D(1000))
    b = app.open_portfolio("Value", DAY)
    app.buy(a, "AAPL", D(3), D("75.087"), DAY, prov())
    app.deposit(b, D(500), DAY)
    app.sell(a, "AAPL", D(1), D(80), DAY2, prov(DAY2), fee=D(1))
    app.buy(b, "MSFT", D(2), D("100.5"), DAY, prov())
    app.rename(a, "Tech Growth")
    app.withdraw(b, D(10), DAY2)
    app.close_portfolio(b)
    return a, b


def assert_built(app: Portfolios, a: UUID, b: UUID) -> None:
    pa, pb = app.portfolio(a), app.portfolio(b)
    assert pa.name == "Tech Growth"
    assert pa.version == 5
    assert pa.cash == D("853.74")  # 1000 - 225.26 + 80 - 1
    assert pa.shares == {"AAPL": D(2)}
    assert pb.name == "Value"
    assert pb.version == 5
    assert pb.cash == D("289.00")  # 500 - 201.00 - 10
    assert pb.shares == {"MSFT": D(2)}
    assert pb.closed


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Portfolios]:
    application = Portfolios(StoreConfig.sqlite(tmp_path / "source.sqlite"))
    yield application
    application.close()


@pytest.fixture
def built(source: Portfolios) -> tuple[UUID, UUID]:
    return build(source)


@pytest.fixture
def text(source: Portfolios, built: tuple[UUID, UUID]) -> str:
    return export_text(source)


def assert_refused(
    app: Portfolios, path: Path, line: int | None, match: str, *, dry_run: bool = False
) -> EventLogError:
    count = app.event_count()
    before = snapshot_all(app)
    with pytest.raises(EventLogError, match=match) as info:
        import_file(app, path, dry_run=dry_run)
    assert info.value.line == line
    if line is not None:
        assert str(info.value).startswith(f"line {line}: ")
    assert app.event_count() == count
    assert snapshot_all(app) == before
    return info.value


# -- round trips ----------------------------------------------------------------------------


def test_export_has_a_header_and_one_line_per_event(text: str, built: tuple[UUID, UUID]) -> None:
    a, b = built
    objs = parse(text)
    assert len(objs) == 11
    header = objs[0]
    assert header["format"] == FORMAT
    assert header["format_version"] == FORMAT_VERSION
    assert header["erasmo_version"] == VERSION
    assert header["count"] == 10
    assert header["prev"] == GENESIS
    owners = [UUID(o["portfolio"]) for o in objs[1:]]
    assert owners == [a, a, b, a, b, a, b, a, b, b]
    assert [o["n"] for o in objs[1:]] == list(range(1, 11))
    assert [o["version"] for o in objs[1:] if UUID(o["portfolio"]) == b] == [1, 2, 3, 4, 5]
    # every line is canonical JSON and chained to the one before
    for before, after in itertools.pairwise(objs):
        assert after["prev"] == before["hash"]
    for line, obj in zip(text.splitlines(), objs, strict=True):
        assert line == canonical(obj).decode()
    # amounts are decimal strings, never floats
    assert objs[2]["state"]["amount"] == {"_type_": "decimal_str", "_data_": "1000"}
    assert objs[4]["state"]["price"] == {"_type_": "decimal_str", "_data_": "75.087"}

    def no_float(literal: str) -> float:
        raise AssertionError(f"float {literal} in the export")

    for line in text.splitlines():
        json.loads(line, parse_float=no_float)


def test_round_trip_into_an_empty_store_gives_the_same_file(
    tmp_path: Path, source: Portfolios, built: tuple[UUID, UUID], text: str, app: Portfolios
) -> None:
    a, b = built
    path = write(tmp_path, text)
    verified = verify_file(path)
    assert len(verified.events) == 10
    assert verified.portfolios == [a, b]
    assert verified.header["count"] == 10

    log, new = import_file(app, path)
    assert new == 10
    assert log.last_hash == verified.last_hash
    # 10 portfolio events + the catalog's created and two name claims
    assert app.event_count() == 13
    assert_built(app, a, b)
    assert snapshot_all(app) == snapshot_all(source)
    assert app.find("tech growth") == a
    assert app.find("VALUE") == b
    assert len(app.history(a)) == 5
    assert [(e.version, e.type, e.on, e.fields, e.timestamp) for e in app.history(a)] == [
        (e.version, e.type, e.on, e.fields, e.timestamp) for e in source.history(a)
    ]

    again = export_text(app)
    assert again == text
    path2 = write(tmp_path, again, "again.jsonl")
    assert verify_file(path2).last_hash == verified.last_hash


def test_export_to_file_and_verify(
    tmp_path: Path, source: Portfolios, built: tuple[UUID, UUID], text: str
) -> None:
    path = tmp_path / "out.jsonl"
    count = export_to_file(source, path, erasmo_version=VERSION)
    assert count == 10
    assert path.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".jsonl") == ["out.jsonl"]
    assert not (tmp_path / ".out.jsonl.partial").exists()


def test_importing_twice_adds_nothing(tmp_path: Path, text: str, app: Portfolios) -> None:
    path = write(tmp_path, text)
    _, first = import_file(app, path)
    assert first == 10
    count = app.event_count()
    state = snapshot_all(app)
    _, second = import_file(app, path)
    assert second == 0
    assert app.event_count() == count
    assert snapshot_all(app) == state


def test_import_only_adds_what_is_new(tmp_path: Path, source: Portfolios, app: Portfolios) -> None:
    a = source.open_portfolio("Tech", DAY, cash=D(1000))
    _, new = import_file(app, write(tmp_path, export_text(source), "one.jsonl"))
    assert new == 2
    source.buy(a, "AAPL", D(2), D(10), DAY2, prov(DAY2))
    source.deposit(a, D("0.50"), DAY2)
    _, new = import_file(app, write(tmp_path, export_text(source), "two.jsonl"))
    assert new == 2
    p = app.portfolio(a)
    assert (p.version, p.cash, p.shares) == (4, D("980.50"), {"AAPL": D(2)})  # 1000-20+0.5
    # and the imported portfolio takes commands as if it had been made here
    app.sell(a, "AAPL", D(2), D(11), DAY2, prov(DAY2))
    assert app.portfolio(a).cash == D("1002.50")


def test_dry_run_counts_and_records_nothing(tmp_path: Path, text: str, app: Portfolios) -> None:
    path = write(tmp_path, text)
    log, new = import_file(app, path, dry_run=True)
    assert new == 10
    assert len(log.events) == 10
    assert app.event_count() == 0
    assert app.portfolio_ids() == []
    _, new = import_file(app, path)
    assert new == 10
    _, new = import_file(app, path, dry_run=True)
    assert new == 0


def test_export_of_selected_portfolios(
    tmp_path: Path, source: Portfolios, built: tuple[UUID, UUID], app: Portfolios
) -> None:
    a, b = built
    c = source.open_portfolio("Third", DAY2, cash=D(7))
    only_b = export_text(source, portfolio_ids=[b])
    objs = parse(only_b)
    assert objs[0]["count"] == 5
    assert {o["portfolio"] for o in objs[1:]} == {str(b)}
    assert [o["version"] for o in objs[1:]] == [1, 2, 3, 4, 5]

    two = parse(export_text(source, portfolio_ids=[c, a]))
    assert two[0]["count"] == 7  # A's 5 and C's 2
    assert [UUID(o["portfolio"]) for o in two[1:]] == [a] * 5 + [c] * 2  # log order

    _, new = import_file(app, write(tmp_path, only_b))
    assert new == 5
    assert app.portfolio_ids() == [b]
    assert app.portfolio(b).cash == D("289.00")


def test_export_of_an_empty_store(tmp_path: Path, app: Portfolios) -> None:
    text = export_text(app)
    assert len(text.splitlines()) == 1
    log, new = import_file(app, write(tmp_path, text))
    assert log.events == []
    assert new == 0
    assert app.event_count() == 0


def test_bom_and_crlf_file_is_accepted(tmp_path: Path, text: str, app: Portfolios) -> None:
    windows = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    path = write(tmp_path, windows)
    assert verify_file(path).last_hash == verify_lines(text.splitlines(keepends=True)).last_hash
    _, new = import_file(app, path)
    assert new == 10
    assert app.portfolio(app.find("Tech Growth")).cash == D("853.74")


# -- tampering ------------------------------------------------------------------------------


def edit_line(text: str, line: int, change: Callable[[str], str]) -> str:
    lines = text.splitlines(keepends=True)
    lines[line - 1] = change(lines[line - 1])
    return "".join(lines)


def test_edited_amount_is_caught(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    tampered = edit_line(text, 3, lambda s: s.replace('"_data_":"1000"', '"_data_":"9000"'))
    assert tampered != text
    assert_refused(sqlite_app, write(tmp_path, tampered), 3, "hash does not match")


def test_edited_amount_with_a_recomputed_hash_breaks_the_chain(
    tmp_path: Path, text: str, sqlite_app: Portfolios
) -> None:
    objs = parse(text)
    objs[2]["state"]["amount"]["_data_"] = "9000"
    body = {k: v for k, v in objs[2].items() if k != "hash"}
    objs[2]["hash"] = hashlib.sha256(canonical(body)).hexdigest()
    tampered = dump(objs)
    assert_refused(sqlite_app, write(tmp_path, tampered), 4, "chain is broken")


def test_swapped_lines_are_caught(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    lines = text.splitlines(keepends=True)
    lines[3], lines[4] = lines[4], lines[3]  # file lines 4 and 5
    assert_refused(sqlite_app, write(tmp_path, "".join(lines)), 4, "chain is broken")


def test_deleted_middle_line_is_caught(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    lines = text.splitlines(keepends=True)
    del lines[5]  # file line 6
    assert_refused(sqlite_app, write(tmp_path, "".join(lines)), 6, "chain is broken")


def test_duplicated_line_is_caught(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    lines = text.splitlines(keepends=True)
    lines.insert(4, lines[3])  # file line 4 twice
    assert_refused(sqlite_app, write(tmp_path, "".join(lines)), 5, "chain is broken")


def test_last_line_cut_midway_is_caught(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    cut = text[: len(text) - 40]
    assert_refused(sqlite_app, write(tmp_path, cut), 11, "truncated")


def test_last_line_without_its_line_end_is_caught(
    tmp_path: Path, text: str, sqlite_app: Portfolios
) -> None:
    assert_refused(sqlite_app, write(tmp_path, text.rstrip("\n")), 11, "truncated")


def test_last_line_removed_is_caught(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    lines = text.splitlines(keepends=True)[:-1]
    error = assert_refused(sqlite_app, write(tmp_path, "".join(lines)), 11, "promises 10")
    assert "has 9" in str(error)


def test_only_the_header_left_is_caught(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    header = text.splitlines(keepends=True)[0]
    assert_refused(sqlite_app, write(tmp_path, header), 2, "promises 10")


def test_edited_header_count_is_caught(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    tampered = edit_line(text, 1, lambda s: s.replace('"count":10', '"count":9'))
    assert tampered != text
    assert_refused(sqlite_app, write(tmp_path, tampered), 1, "hash does not match")


def test_resealed_header_with_a_larger_count_is_caught(
    tmp_path: Path, text: str, sqlite_app: Portfolios
) -> None:
    objs = parse(text)
    objs[0]["count"] = 11
    tampered = rechain(objs)
    assert_refused(sqlite_app, write(tmp_path, tampered), 12, "promises 11")


def test_newer_format_version_is_refused(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    objs = parse(text)
    objs[0]["format_version"] = FORMAT_VERSION + 1
    assert_refused(sqlite_app, write(tmp_path, reseal(objs)), 1, "newer")


def test_not_an_event_log_is_refused(tmp_path: Path, sqlite_app: Portfolios) -> None:
    path = write(tmp_path, '{"hello":"world"}\n')
    assert_refused(sqlite_app, path, 1, "not an erasmo event-log")


def test_empty_file_is_refused(tmp_path: Path, sqlite_app: Portfolios) -> None:
    assert_refused(sqlite_app, write(tmp_path, ""), 1, "empty")


def test_missing_file_is_refused(tmp_path: Path, sqlite_app: Portfolios) -> None:
    assert_refused(sqlite_app, tmp_path / "nowhere.jsonl", None, "cannot read")


def test_non_utf8_file_is_refused(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    lines = text.encode().splitlines(keepends=True)
    lines[1] = lines[1].replace(b"Tech", b"T\xe9ch")  # Latin-1, not UTF-8
    assert b"\xe9" in lines[1]
    assert_refused(sqlite_app, write(tmp_path, b"".join(lines)), 2, "not UTF-8")


def test_non_json_line_is_refused(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    tampered = edit_line(text, 4, lambda s: "{not json\n")
    assert_refused(sqlite_app, write(tmp_path, tampered), 4, "not valid JSON")


def test_json_that_is_not_an_object_is_refused(
    tmp_path: Path, text: str, sqlite_app: Portfolios
) -> None:
    tampered = edit_line(text, 4, lambda s: "[1, 2]\n")
    assert_refused(sqlite_app, write(tmp_path, tampered), 4, "not a JSON object")


@pytest.mark.parametrize("line", [1, 2])
def test_lone_surrogate_escape_is_refused(
    tmp_path: Path, text: str, sqlite_app: Portfolios, line: int
) -> None:
    tampered = edit_line(
        text, line, lambda s: s.replace('"0.1.0"', '"\\ud800"').replace('"Tech"', '"\\ud800"')
    )
    assert "\\ud800" in tampered.splitlines()[line - 1]
    assert_refused(sqlite_app, write(tmp_path, tampered), line, "not valid Unicode")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_literals_are_refused(
    tmp_path: Path, text: str, sqlite_app: Portfolios, constant: str
) -> None:
    tampered = edit_line(
        text, 3, lambda s: s.replace('{"_data_":"1000","_type_":"decimal_str"}', constant)
    )
    assert constant in tampered
    assert_refused(sqlite_app, write(tmp_path, tampered), 3, "not a number")


@pytest.mark.parametrize(
    ("old", "new"),
    [('{"_data_":"1000","_type_":"decimal_str"}', "1000.0"), ('"version":2', '"version":2.0')],
)
def test_float_numbers_are_refused(
    tmp_path: Path, text: str, sqlite_app: Portfolios, old: str, new: str
) -> None:
    tampered = edit_line(text, 3, lambda s: s.replace(old, new))
    assert new in tampered
    assert_refused(sqlite_app, write(tmp_path, tampered), 3, "floating-point")


def test_unknown_topic_is_refused(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    objs = parse(text)
    objs[3]["topic"] = "events.portfolio:Portfolio.MoneyPrinted"
    assert_refused(sqlite_app, write(tmp_path, reseal(objs)), 4, "unknown event type")


def test_catalog_topic_is_refused(tmp_path: Path, text: str, sqlite_app: Portfolios) -> None:
    objs = parse(text)
    objs[3]["topic"] = "events.catalog:Catalog.NameClaimed"
    assert_refused(sqlite_app, write(tmp_path, reseal(objs)), 4, "unknown event type")


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("version", 0, "positive whole number"),
        ("version", True, "positive whole number"),
        ("version", "2", "positive whole number"),
        ("portfolio", "not-a-uuid", "not a portfolio id"),
        ("state", [], "not a JSON object"),
        ("n", 7, "should be 3"),
    ],
)
def test_malformed_event_fields_are_refused(
    tmp_path: Path, text: str, sqlite_app: Portfolios, field: str, value: object, match: str
) -> None:
    objs = parse(text)
    objs[3][field] = value
    assert_refused(sqlite_app, write(tmp_path, rechain(objs, 3)), 4, match)


def test_extra_field_on_a_line_is_refused(
    tmp_path: Path, text: str, sqlite_app: Portfolios
) -> None:
    objs = parse(text)
    objs[3]["comment"] = "hi"
    assert_refused(sqlite_app, write(tmp_path, reseal(objs)), 4, "out of place")


# -- hand-built files -----------------------------------------------------------------------


def _state(on: date, **fields: Any) -> dict[str, Any]:
    def enc(value: Any) -> Any:
        if isinstance(value, Decimal):
            return {"_type_": "decimal_str", "_data_": str(value)}
        if isinstance(value, date):
            return {"_type_": "date_iso", "_data_": value.isoformat()}
        return value

    return {
        **{k: enc(v) for k, v in fields.items()},
        "on": enc(on),
        "timestamp": {"_type_": "datetime_iso", "_data_": "2026-01-05T10:00:00+00:00"},
    }


def hand_file(pid: UUID, events: list[tuple[str, dict[str, Any]]]) -> str:
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "erasmo_version": VERSION,
        "count": 0,
    }
    lines = [header] + [
        {"portfolio": str(pid), "version": v, "topic": TOPIC[kind], "state": state}
        for v, (kind, state) in enumerate(events, start=1)
    ]
    return reseal(lines)


def trade(quantity: str, price: str, value: str, fee: str = "0") -> dict[str, Any]:
    return {
        "ticker": "AAPL",
        "quantity": D(quantity),
        "price": D(price),
        "value": D(value),
        "fee": D(fee),
        "price_source": "bundled:skfolio",
        "price_date": DAY,
        "price_adjusted": True,
        "price_kind": "close",
    }


def opening(name: str = "Hand") -> tuple[str, dict[str, Any]]:
    return (
        "PortfolioOpened",
        _state(DAY, name=name, currency="USD", originator_topic=PORTFOLIO_CLASS_TOPIC),
    )


def test_a_hand_built_file_imports(tmp_path: Path, app: Portfolios) -> None:
    pid = uuid4()
    text = hand_file(
        pid,
        [
            opening(),
            ("CashDeposited", _state(DAY, amount=D("100.00"))),
            ("SharesBought", _state(DAY, **trade("2", "10.005", "20.01", "1.00"))),
            ("SharesSold", _state(DAY2, **trade("0.5", "12", "6.00"))),
        ],
    )
    _, new = import_file(app, write(tmp_path, text))
    assert new == 4
    p = app.portfolio(pid)
    assert p.cash == D("84.99")  # 100 - 20.01 - 1.00 + 6.00
    assert p.shares == {"AAPL": D("1.5")}
    assert app.find("hand") == pid
    assert app.audit(pid) == []


def _refused_hand_file(
    tmp_path: Path, app: Portfolios, events: list[tuple[str, dict[str, Any]]], match: str
) -> None:
    pid = uuid4()
    assert_refused(app, write(tmp_path, hand_file(pid, events)), None, match)
    assert app.portfolio_ids() == []
    assert app.event_count() == 0


def test_file_selling_more_than_held_is_refused(tmp_path: Path, app: Portfolios) -> None:
    _refused_hand_file(
        tmp_path,
        app,
        [
            opening(),
            ("CashDeposited", _state(DAY, amount=D(100))),
            ("SharesBought", _state(DAY, **trade("2", "10", "20.00"))),
            ("SharesSold", _state(DAY, **trade("3", "10", "30.00"))),
        ],
        "event 4 \\(SharesSold\\): sells 3 AAPL but holds 2",
    )


@pytest.mark.parametrize(
    ("events", "match"),
    [
        (
            [
                opening(),
                ("CashDeposited", _state(DAY, amount=D(10))),
                ("SharesBought", _state(DAY, **trade("2", "10", "20.00"))),
            ],
            "cash would be negative",
        ),
        (
            [opening(), ("CashWithdrawn", _state(DAY, amount=D(1)))],
            "cash would be negative",
        ),
        (
            [
                opening(),
                ("CashDeposited", _state(DAY2, amount=D(10))),
                ("CashDeposited", _state(DAY, amount=D(10))),
            ],
            "before the portfolio's clock",
        ),
        (
            [
                opening(),
                ("PortfolioClosed", _state(DAY)),
                ("CashDeposited", _state(DAY, amount=D(10))),
            ],
            "already closed",
        ),
        (
            [opening(), ("CashDeposited", _state(DAY, amount=D("0.001")))],
            "invalid field",
        ),
        (
            [
                opening(),
                ("CashDeposited", _state(DAY, amount=D(100))),
                ("SharesBought", _state(DAY, **trade("3", "75.087", "225.27"))),
            ],
            "not quantity x price",
        ),
        ([("CashDeposited", _state(DAY, amount=D(10)))], "first event must be"),
        ([opening(), opening()], "may only be the first"),
        ([opening("")], "invalid field"),
    ],
    ids=[
        "overspend",
        "overdraw",
        "clock",
        "closed",
        "precision",
        "value",
        "no-opening",
        "two-openings",
        "empty-name",
    ],
)
def test_files_breaking_a_rule_are_refused(
    tmp_path: Path, app: Portfolios, events: list[tuple[str, dict[str, Any]]], match: str
) -> None:
    _refused_hand_file(tmp_path, app, events, match)


def test_rule_break_in_an_exported_file_is_refused(
    tmp_path: Path, text: str, app: Portfolios
) -> None:
    objs = parse(text)
    sell = objs[6]["state"]  # A sells 1 of its 3 AAPL; make it 5, value 5 x 80
    assert objs[6]["topic"] == TOPIC["SharesSold"]
    sell["quantity"]["_data_"] = "5"
    sell["value"]["_data_"] = "400.00"
    assert_refused(app, write(tmp_path, reseal(objs)), None, "sells 5 AAPL but holds 3")
    assert app.portfolio_ids() == []


@pytest.mark.parametrize(
    ("change", "match"),
    [
        # a text amount: parse_money would take "100", the aggregate cannot add it to cash
        (lambda s: s[1][1].update(amount="100"), "cannot be"),
        # a trade without its price source: the aggregate cannot replay it
        (lambda s: s[2][1].pop("price_source"), "cannot be"),
        # a date-and-time instead of a market date
        (
            lambda s: s[1][1].update(
                on={"_type_": "datetime_iso", "_data_": "2020-01-02T00:00:00+00:00"}
            ),
            "market date",
        ),
        # an opening that would build some other class than a Portfolio
        (
            lambda s: s[0][1].update(originator_topic="events.catalog:Catalog"),
            "not a portfolio",
        ),
    ],
    ids=["text-amount", "missing-field", "datetime-on", "foreign-class"],
)
def test_files_the_store_could_not_replay_are_refused(
    tmp_path: Path, app: Portfolios, change: Callable[[Any], None], match: str
) -> None:
    events = [
        opening(),
        ("CashDeposited", _state(DAY, amount=D(100))),
        ("SharesBought", _state(DAY, **trade("2", "10", "20.00"))),
    ]
    change(events)
    _refused_hand_file(tmp_path, app, events, match)


# -- conflicts with the store ---------------------------------------------------------------


def test_diverged_portfolio_is_refused(tmp_path: Path, source: Portfolios, app: Portfolios) -> None:
    a = source.open_portfolio("Tech", DAY, cash=D(1000))
    import_file(app, write(tmp_path, export_text(source), "first.jsonl"))
    source.deposit(a, D(50), DAY2)  # version 3 in the file
    source.deposit(a, D(5), DAY2)  # version 4, new to the store
    app.deposit(a, D(70), DAY2)  # version 3 in the store
    b = source.open_portfolio("Other", DAY)  # a portfolio the store lacks
    path = write(tmp_path, export_text(source), "second.jsonl")
    assert_refused(app, path, None, "diverged")
    assert app.portfolio(a).cash == D(1070)
    assert app.portfolio_ids() == [a]
    assert b not in app.portfolio_ids()


def test_name_clash_with_a_different_portfolio_is_refused(
    tmp_path: Path, text: str, built: tuple[UUID, UUID], app: Portfolios
) -> None:
    a, _ = built
    mine = app.open_portfolio("TECH GROWTH", DAY, cash=D(1))
    error = assert_refused(app, write(tmp_path, text), None, "name of a different portfolio")
    assert "Tech Growth" in str(error)
    assert app.portfolio_ids() == [mine]
    assert app.find("tech growth") == mine
    # once the store's portfolio is renamed, the same file imports
    app.rename(mine, "Mine")
    _, new = import_file(app, write(tmp_path, text, "again.jsonl"))
    assert new == 10
    assert app.find("tech growth") == a


def test_two_portfolios_of_one_name_in_a_file_are_refused(tmp_path: Path, app: Portfolios) -> None:
    first = hand_file(uuid4(), [opening("Twin")])
    second = hand_file(uuid4(), [opening("twin")])
    objs = parse(first) + parse(second)[1:]
    assert_refused(app, write(tmp_path, reseal(objs)), None, "name of a different")
    assert app.event_count() == 0


def test_file_with_a_portfolios_versions_out_of_order_is_refused(
    tmp_path: Path, app: Portfolios
) -> None:
    """Every version is there and the chain is valid, but version 3 comes before version 2:
    recorded in that order, the portfolio's history would read 1, 3, 2."""
    pid = uuid4()
    text = hand_file(
        pid,
        [
            opening(),
            ("CashDeposited", _state(DAY, amount=D(1))),
            ("CashDeposited", _state(DAY, amount=D(2))),
        ],
    )
    objs = parse(text)
    objs[2], objs[3] = objs[3], objs[2]
    assert [o["version"] for o in objs[1:]] == [1, 3, 2]
    assert_refused(app, write(tmp_path, reseal(objs)), None, "not in version order")
    assert app.event_count() == 0


def test_file_with_a_version_twice_is_refused(tmp_path: Path, app: Portfolios) -> None:
    pid = uuid4()
    objs = parse(
        hand_file(
            pid,
            [
                opening(),
                ("CashDeposited", _state(DAY, amount=D(1))),
                ("CashDeposited", _state(DAY, amount=D(2))),
            ],
        )
    )
    objs[3]["version"] = 2
    assert_refused(app, write(tmp_path, reseal(objs)), None, "not in version order")
    assert app.event_count() == 0
