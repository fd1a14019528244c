"""The sync server refuses what it must, records nothing when it refuses, and never answers 5xx:
tokens, Host names, sizes, content types, strict JSON, rate limits, loopback by default, TLS."""

from __future__ import annotations

import json
import os
import ssl
import stat
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from cli_runner import Run
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from test_sync_support import TOKEN, Install, call, client, make_install, serve

from erasmo.sync import serving
from erasmo.sync.server import openapi_document
from erasmo.sync.serving import ServeError, SyncServer, is_loopback, start_server
from erasmo.sync.token import (
    TokenError,
    load_or_create_token,
    rotate_token,
    token_matches,
    token_path,
)
from erasmo.sync.wire import encode_event

SMALL_BODY = 64 * 1024


@pytest.fixture
def alpha(tmp_path: Path) -> Iterator[Install]:
    install = make_install(tmp_path / "alpha")
    install.open("Tech")
    yield install
    install.app.close()


@pytest.fixture
def server(alpha: Install) -> Iterator[SyncServer]:
    running = serve(alpha, max_body=SMALL_BODY)
    yield running
    running.stop()


@pytest.fixture
def push_body(tmp_path: Path) -> dict[str, Any]:
    """A valid push of a new portfolio: it would be recorded if the request were accepted."""
    beta = make_install(tmp_path / "beta")
    pid = beta.open("Pushed")
    events = [encode_event(e) for e in beta.app.recorder.select_events(pid)]
    beta.app.close()
    return {"events": events, "peer": "beta"}


def unchanged(alpha: Install) -> tuple[int, int]:
    return alpha.count(), alpha.app.reader.head()


ENDPOINTS = [
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/events?after=0&limit=5"),
    ("POST", "/api/v1/events"),
    ("GET", "/api/v1/portfolios"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/nowhere"),
    ("DELETE", "/api/v1/events"),
]
BAD_AUTHORIZATIONS = {
    "no token": {},
    "wrong token": {"Authorization": "Bearer " + "x" * len(TOKEN)},
    "truncated token": {"Authorization": "Bearer " + TOKEN[:-1]},
    "token with a prefix": {"Authorization": "Bearer " + TOKEN + "x"},
    "not bearer": {"Authorization": "Basic " + TOKEN},
    "bare token": {"Authorization": TOKEN},
}


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("auth", list(BAD_AUTHORIZATIONS))
def test_every_endpoint_needs_the_token(
    alpha: Install,
    server: SyncServer,
    push_body: dict[str, Any],
    method: str,
    path: str,
    auth: str,
) -> None:
    before = unchanged(alpha)
    body = push_body if method == "POST" else None

    status, response, answer = call(
        server, method, path, body, token=None, headers=BAD_AUTHORIZATIONS[auth]
    )

    assert status == 401
    assert answer["error"] == "unauthorized"
    assert response.getheader("WWW-Authenticate") == 'Bearer realm="erasmo"'
    assert unchanged(alpha) == before


def test_the_same_push_with_the_token_is_recorded(
    alpha: Install, server: SyncServer, push_body: dict[str, Any]
) -> None:
    status, _, answer = call(server, "POST", "/api/v1/events", push_body)
    assert (status, answer["recorded"]) == (200, 2)
    assert "Pushed" in alpha.names()


def test_health_is_open_and_tells_no_secrets(alpha: Install, server: SyncServer) -> None:
    status, response, answer = call(server, "GET", "/api/v1/health", token=None)
    assert status == 200
    assert set(answer) == {"status", "api", "version", "head"}
    assert answer["head"] == alpha.app.reader.head()
    assert TOKEN not in json.dumps(answer)
    assert response.getheader("Cache-Control") == "no-store"


def test_an_oversized_body_is_413(alpha: Install, server: SyncServer) -> None:
    before = unchanged(alpha)
    body = json.dumps({"events": [], "peer": "x" * (SMALL_BODY + 10)})
    status, _, answer = call(
        server, "POST", "/api/v1/events", body, headers={"Content-Type": "application/json"}
    )
    assert status == 413
    assert answer["error"] == "too_large"
    assert unchanged(alpha) == before


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
def test_a_body_that_is_not_json_is_415(
    alpha: Install, server: SyncServer, push_body: dict[str, Any], content_type: str | None
) -> None:
    before = unchanged(alpha)
    headers = {"Content-Type": content_type} if content_type else {}
    status, _, answer = call(
        server, "POST", "/api/v1/events", json.dumps(push_body), headers=headers
    )
    assert status == 415
    assert answer["error"] == "unsupported_media_type"
    assert unchanged(alpha) == before


def _event(push_body: dict[str, Any], **changes: Any) -> str:
    return json.dumps({"events": [{**push_body["events"][0], **changes}], "peer": "beta"})


BAD_BODIES: dict[str, Callable[[dict[str, Any]], str]] = {
    "malformed": lambda body: '{"events": [',
    "not an object": lambda body: "[]",
    "NaN": lambda body: '{"events": [], "peer": NaN}',
    "Infinity in an event": lambda body: _event(body).replace(
        '"originator_version": 1', '"originator_version": Infinity'
    ),
    "a float version": lambda body: _event(body).replace(
        '"originator_version": 1', '"originator_version": 1.0'
    ),
    "unknown field": lambda body: json.dumps({**body, "extra": 1}),
    "unknown event field": lambda body: _event(body, id=7),
    "missing events": lambda body: '{"peer": "beta"}',
    "duplicate key": lambda body: '{"events": [], "events": []}',
    "bad base64": lambda body: _event(body, state="not base64!"),
    "bad uuid": lambda body: _event(body, originator_id="x" * 32),
    "version zero": lambda body: _event(body, originator_version=0),
    "a catalog event": lambda body: _event(body, topic="events.catalog:Catalog.NameClaimed"),
    "state not JSON": lambda body: _event(body, state="AAAA"),
    "bad peer": lambda body: json.dumps({**body, "peer": "a/b"}),
    "not UTF-8": lambda body: '{"events": [], "peer": "\xff"}',
}


@pytest.mark.parametrize("kind", list(BAD_BODIES))
def test_a_malformed_body_is_400_and_records_nothing(
    alpha: Install, server: SyncServer, push_body: dict[str, Any], kind: str
) -> None:
    before = unchanged(alpha)
    text = BAD_BODIES[kind](push_body)
    data = text.encode("latin-1") if kind == "not UTF-8" else text.encode()
    status, _, answer = call(
        server, "POST", "/api/v1/events", data, headers={"Content-Type": "application/json"}
    )
    assert status == 400, answer
    assert answer["error"] in ("bad_request", "rejected")
    assert "Traceback" not in answer["message"]
    assert unchanged(alpha) == before


@pytest.mark.parametrize(
    "query",
    [
        "after=-1",
        "after=abc",
        "limit=0",
        "limit=1001",
        "after=1&after=2",
        "cursor=3",
        "after=%D9%A1",
    ],
)
def test_a_bad_query_is_400(server: SyncServer, query: str) -> None:
    status, _, answer = call(server, "GET", f"/api/v1/events?{query}")
    assert status == 400
    assert answer["error"] == "bad_request"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1:1", ""])
def test_an_unexpected_host_header_is_refused(
    alpha: Install, server: SyncServer, push_body: dict[str, Any], host: str
) -> None:
    before = unchanged(alpha)
    for method, path, body in [
        ("GET", "/api/v1/portfolios", None),
        ("POST", "/api/v1/events", push_body),
    ]:
        status, _, answer = call(server, method, path, body, headers={"Host": host})
        assert status in (400, 421)
        assert answer["error"] in ("bad_host", "bad_request")
    assert unchanged(alpha) == before


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_host_names_are_accepted(server: SyncServer, host: str) -> None:
    status, _, _ = call(
        server, "GET", "/api/v1/portfolios", headers={"Host": f"{host}:{server.port}"}
    )
    assert status == 200


def test_no_cors_headers_and_json_errors(server: SyncServer) -> None:
    origin = {"Origin": "https://evil.example"}
    for method, path in [("GET", "/api/v1/portfolios"), ("OPTIONS", "/api/v1/events")]:
        _, response, _ = call(server, method, path, headers=origin)
        assert not [h for h, _ in response.getheaders() if h.lower().startswith("access-control")]
    for method, path in [("GET", "/api/v1/nowhere"), ("PUT", "/api/v1/portfolios")]:
        status, response, answer = call(server, method, path)
        assert status in (404, 405)
        assert response.getheader("Content-Type") == "application/json"
        assert set(answer) == {"error", "message"}


def test_too_many_requests_are_429(alpha: Install) -> None:
    limited = serve(alpha, rate=0.5, burst=3)
    try:
        statuses = [call(limited, "GET", "/api/v1/health", token=None) for _ in range(5)]
    finally:
        limited.stop()
    assert [s for s, _, _ in statuses][:3] == [200, 200, 200]
    status, response, answer = statuses[3]
    assert (status, answer["error"]) == (429, "rate_limited")
    assert int(response.getheader("Retry-After") or 0) >= 1


def test_the_default_bind_is_loopback(alpha: Install) -> None:
    assert serving.DEFAULT_HOST == "127.0.0.1"
    running = start_server(alpha.app, token=TOKEN, port=0)
    try:
        assert running.host == "127.0.0.1"
        assert running.url == f"http://127.0.0.1:{running.port}"
    finally:
        running.stop()
    assert not running.running


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.org"])
def test_a_non_loopback_address_needs_tls_or_insecure(alpha: Install, host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(ServeError, match="--cert FILE --key FILE"):
        start_server(alpha.app, token=TOKEN, host=host, port=0)  # refused before binding


@pytest.mark.parametrize("host", ["127.0.0.1", "127.5.5.5", "::1", "[::1]", "localhost"])
def test_loopback_addresses(host: str) -> None:
    assert is_loopback(host)


def test_tls_serving_and_syncing(
    alpha: Install, tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    running = serve(alpha, cert=cert, key=key)
    beta = make_install(tmp_path / "beta")
    try:
        assert running.url.startswith("https://127.0.0.1:")
        context = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(f"{running.url}/api/v1/health", context=context) as answer:
            assert json.load(answer)["status"] == "ok"
        with pytest.raises(Exception, match=r"Remote end closed|reset|EOF|closed"):  # plain HTTP
            urllib.request.urlopen(f"http://127.0.0.1:{running.port}/api/v1/health", timeout=5)
        summary = client(beta, running, cafile=cert).sync()
        assert summary.pulled == 2
        untrusted = client(beta, running)  # the self-signed certificate is not trusted
        with pytest.raises(Exception, match=r"TLS|certificate"):
            untrusted.sync()
    finally:
        running.stop()
        beta.app.close()


def test_the_token_file(tmp_path: Path) -> None:
    token = load_or_create_token(tmp_path)
    path = token_path(tmp_path)
    assert len(token) >= 43
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_token(tmp_path) == token
    path.chmod(0o644)
    assert load_or_create_token(tmp_path) == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rotated = rotate_token(tmp_path)
    assert rotated != token
    assert load_or_create_token(tmp_path) == rotated
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert token_matches(rotated, rotated)
    assert not token_matches(rotated[:-1], rotated)
    assert not token_matches("", rotated)
    path.write_text("short\n")
    with pytest.raises(TokenError, match="rotate-token"):
        load_or_create_token(tmp_path)


def test_cli_show_and_rotate_token(tmp_path: Path, run: Run) -> None:
    data_dir = tmp_path / "data"
    code, out, _ = run("serve", "--show-token")
    assert (code, out.strip()) == (0, token_path(data_dir).read_text().strip())
    code, rotated, _ = run("serve", "--rotate-token", "--show-token")
    assert code == 0
    assert rotated.splitlines()[-1] != out.strip()
    code, _, err = run("serve", "--host", "0.0.0.0", "--port", "0")
    assert code == 1
    assert "--insecure" in err
    code, _, err = run("sync", "http://127.0.0.1:9/", "--pull-only", "--push-only", "--token", "x")
    assert code == 2


def test_cli_serve_in_the_foreground_and_sync(tmp_path: Path) -> None:
    """`erasmo serve` runs until SIGTERM; `erasmo sync` pulls from it with a progress bar."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    erasmo = [sys.executable, "-m", "erasmo"]
    alpha, beta = str(tmp_path / "alpha"), str(tmp_path / "beta")
    opened = subprocess.run(
        [
            *erasmo,
            "--data-dir",
            alpha,
            "portfolio",
            "open",
            "Tech",
            "--cash",
            "100",
            "--on",
            "2015-03-02",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Opened 'Tech'" in opened.stdout
    served = subprocess.Popen(
        [*erasmo, "--data-dir", alpha, "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert served.stdout is not None
        first = served.stdout.readline()
        assert first.startswith("Serving the event log on http://127.0.0.1:"), first
        url = first.split(" on ")[1].split(" ")[0]
        token = served.stdout.readline().split(": ")[1].strip()
        synced = subprocess.run(
            [*erasmo, "--data-dir", beta, "sync", url, "--token", token],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert synced.returncode == 0, synced.stderr
        assert "pulled 2 new events, pushed 0" in synced.stdout
        refused = subprocess.run(
            [*erasmo, "--data-dir", beta, "sync", url, "--token", token[:-1]],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 1
        assert "refused the token" in refused.stderr
    finally:
        served.terminate()
        out, err = served.communicate(timeout=20)
    assert served.returncode == 0, err
    assert "Stopped." in out


# -- fuzzing from the OpenAPI document ------------------------------------------------------------

SCHEMA = schemathesis.openapi.from_dict(openapi_document())
SCHEMA.config.generation.update(modes=list(GenerationMode))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Install, SyncServer]]:
    install = make_install(tmp_path_factory.mktemp("fuzzed"))
    install.open("Tech")
    running = serve(install, max_body=SMALL_BODY)
    yield install, running
    running.stop()
    install.app.close()


@SCHEMA.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_fuzz_the_api_from_its_openapi_document(
    case: schemathesis.Case[Any], fuzzed: tuple[Install, SyncServer]
) -> None:
    install, running = fuzzed
    before = unchanged(install)
    response = case.call(
        base_url=running.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert response.status_code < 500, response.text
    if response.status_code == 400 and response.headers.get("content-type") == [
        "text/plain; charset=utf-8"
    ]:
        # A request the HTTP server itself refused as malformed HTTP (e.g. a generated header
        # value it cannot parse): it never reached erasmo's app, so nothing can be recorded.
        assert unchanged(install) == before
        return
    assert response.headers["content-type"] == ["application/json"], (
        response.status_code,
        response.text[:300],
        case.headers,
        case.query,
    )
    if response.status_code != 200:
        assert unchanged(install) == before
