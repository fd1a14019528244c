"""The sync client trusts the server with nothing: a hostile server (a small WSGI app run here
on 127.0.0.1) cannot crash it, keep it looping or waiting, or make it buffer a huge answer.
Each case ends in a one-line `SyncError`, after a bounded number of requests."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from test_sync_support import TOKEN, Install, call, client, make_install, serve

from erasmo.sync.client import SyncError
from erasmo.sync.peer import ATTEMPTS, MAX_RESPONSE_BYTES, HttpPeer

LISTING = {"api": 1, "name": "evil", "head": 0, "portfolios": []}
App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class Hostile:
    """A WSGI app on a loopback port, answering as `answer(path, query)` decides."""

    def __init__(self, answer: Callable[[str, str], tuple[int, dict[str, str], Iterable[bytes]]]):
        self.answer = answer
        self.requests: list[str] = []
        self.server = make_server("127.0.0.1", 0, self.app, _Server, _Quiet)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, query = environ["PATH_INFO"], environ.get("QUERY_STRING", "")
        self.requests.append(path)
        status, headers, body = self.answer(path, query)
        start_response(f"{status} X", list(headers.items()))
        return body

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def json_answer(
    value: Any, status: int = 200, **headers: str
) -> tuple[int, dict[str, str], list[bytes]]:
    data = json.dumps(value).encode()
    return status, {"Content-Type": "application/json", **headers}, [data]


@pytest.fixture
def beta(tmp_path: Path) -> Iterator[Install]:
    install = make_install(tmp_path / "beta")
    yield install
    install.app.close()


@pytest.fixture
def one_event_page(tmp_path: Path) -> dict[str, Any]:
    """A real server's page holding one event (the opening of "Tech")."""
    alpha = make_install(tmp_path / "alpha")
    try:
        alpha.open("Tech")
        server = serve(alpha)
        try:
            status, _, page = call(server, "GET", "/api/v1/events?after=0&limit=1")
        finally:
            server.stop()
    finally:
        alpha.app.close()
    assert status == 200
    assert len(page["events"]) == 1
    return dict(page)


@pytest.fixture
def hostile() -> Iterator[Callable[..., Hostile]]:
    made: list[Hostile] = []

    def start(answer: Callable[[str, str], tuple[int, dict[str, str], Iterable[bytes]]]) -> Hostile:
        server = Hostile(answer)
        made.append(server)
        return server

    yield start
    for server in made:
        server.stop()


@pytest.mark.parametrize("retry_after", ["-5", "-inf", "nan", "1e12", "soon"])
def test_any_retry_after_is_clamped(
    beta: Install, hostile: Callable[..., Hostile], retry_after: str
) -> None:
    server = hostile(
        lambda path, query: json_answer({"error": "x"}, 429, **{"Retry-After": retry_after})
    )
    peer = HttpPeer(server.url, TOKEN, max_wait=0.01)  # "1e12" must wait 0.01 s, not for ever
    with pytest.raises(SyncError, match="kept refusing requests as too many"):
        client(beta, server.url, peer=peer).sync()
    assert len(server.requests) == ATTEMPTS


def test_a_page_that_does_not_move_the_cursor_stops_the_sync(
    beta: Install, hostile: Callable[..., Hostile], one_event_page: dict[str, Any]
) -> None:
    def answer(path: str, query: str) -> tuple[int, dict[str, str], list[bytes]]:
        if path.endswith("/portfolios"):
            return json_answer(LISTING)
        return json_answer({**one_event_page, "head": 10**9, "next": 0})

    server = hostile(answer)
    with pytest.raises(SyncError, match="does not move the cursor on"):
        client(beta, server.url, page_size=1).sync()
    assert server.requests.count("/api/v1/events") == 1
    assert beta.count() == 1  # the page's one real event was recorded before the cursor check


def test_endless_pages_are_bounded(
    beta: Install, hostile: Callable[..., Hostile], one_event_page: dict[str, Any]
) -> None:
    def answer(path: str, query: str) -> tuple[int, dict[str, str], list[bytes]]:
        if path.endswith("/portfolios"):
            return json_answer(LISTING)
        after = int(query.split("after=")[1].split("&")[0])
        return json_answer({**one_event_page, "head": 10**15, "next": after + 1})

    server = hostile(answer)
    with pytest.raises(SyncError, match="kept sending pages"):
        client(beta, server.url, page_size=1, max_pages=5).sync()
    assert server.requests.count("/api/v1/events") == 6  # 5 allowed, the 6th stops it
    assert beta.count() == 1  # the same event each time: held after the first


@pytest.mark.parametrize("declared", [True, False])
def test_a_300_mb_answer_is_not_buffered(
    beta: Install, hostile: Callable[..., Hostile], declared: bool
) -> None:
    sent: list[int] = []
    megabyte = b" " * (1024 * 1024)

    def huge() -> Iterator[bytes]:
        yield b'{"api": 1, "portfolios": [], "name": "'
        for n in range(300):
            sent.append(n)
            yield megabyte

    def answer(path: str, query: str) -> tuple[int, dict[str, str], Iterable[bytes]]:
        headers = {"Content-Type": "application/json"}
        if declared:
            headers["Content-Length"] = str(300 * 1024 * 1024 + 40)
        return 200, headers, huge()

    server = hostile(answer)
    with pytest.raises(SyncError, match="larger than 32 MB"):
        client(beta, server.url).sync()
    for _ in range(200):  # until the server stops sending to the closed connection (bounded)
        count = len(sent)
        time.sleep(0.05)
        if len(sent) == count:
            break
    # The client read at most 32 MB (plus what sockets buffer) before it hung up.
    assert len(sent) < 300
    assert len(sent) * 1024 * 1024 <= MAX_RESPONSE_BYTES + 16 * 1024 * 1024


def test_an_answer_trickled_for_ever_ends_at_the_deadline(
    beta: Install, hostile: Callable[..., Hostile]
) -> None:
    def trickle() -> Iterator[bytes]:
        yield b'{"api": 1, "portfolios": [], "name": "'
        for _ in range(2_000):  # bounded: 100 s at most
            time.sleep(0.05)
            yield b"x"

    server = hostile(lambda path, query: (200, {"Content-Type": "application/json"}, trickle()))
    peer = HttpPeer(server.url, TOKEN, request_seconds=0.5)
    with pytest.raises(SyncError, match=r"took longer than 0.5 s"):
        client(beta, server.url, peer=peer).sync()
    assert len(server.requests) == 1


def test_a_malformed_push_answer_is_a_sync_error(
    beta: Install, hostile: Callable[..., Hostile]
) -> None:
    beta.open("Mine")

    def answer(path: str, query: str) -> tuple[int, dict[str, str], list[bytes]]:
        if path.endswith("/portfolios"):
            return json_answer(LISTING)
        return json_answer({"recorded": "many", "renamed": 5})

    server = hostile(answer)
    with pytest.raises(SyncError, match="answered a push malformed"):
        client(beta, server.url).sync(pull=False)


def test_a_server_that_never_answers_ends_at_the_deadline(beta: Install) -> None:
    """It accepts the connection and reads the request, then says nothing at all."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        connection, _ = listener.accept()
        accepted.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    peer = HttpPeer(url, TOKEN, request_seconds=0.5)
    try:
        with pytest.raises(SyncError, match=r"took longer than 0.5 s"):
            client(beta, url, peer=peer).sync()
        thread.join(10)
        assert len(accepted) == 1
    finally:
        for connection in accepted:
            connection.close()
        listener.close()
