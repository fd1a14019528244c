"""Helpers of the sync tests: real installs (a data directory with its own SQLite store), real
servers on free loopback ports, raw HTTP, and the comparison of two stores' event sets."""

from __future__ import annotations

import io
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path
from typing import Any
from uuid import UUID

from erasmo.sync.client import SyncClient
from erasmo.sync.serving import SyncServer, start_server
from events.application import Portfolios
from events.eventlog import export_log
from events.portfolio import PORTFOLIO_TOPICS
from events.store import StoreConfig
from events.values import PriceProvenance

TOKEN = "T0k3n-for-the-sync-tests_0123456789abcdefghijk"
DAY = date(2015, 3, 2)
CONFLICT_DAY = date(2026, 11, 24)


@dataclass
class Install:
    """One erasmo install: a data directory and the application over its SQLite store."""

    data_dir: Path
    app: Portfolios

    def open(self, name: str, cash: str = "10000") -> UUID:
        return self.app.open_portfolio(name, DAY, Decimal(cash))

    def deposit(self, pid: UUID, amount: str, days: int = 0) -> None:
        self.app.deposit(pid, Decimal(amount), DAY + timedelta(days=days))

    def trade(self, pid: UUID, n: int, days: int = 0) -> None:
        """n alternating buys and sells of 1 share (the sells undo the buys)."""
        on = DAY + timedelta(days=days)
        provenance = PriceProvenance("test", on, False)
        for i in range(n):
            side = self.app.buy if i % 2 == 0 else self.app.sell
            side(pid, "AAPL", Decimal(1), Decimal("10.50"), on, provenance)

    def name_of(self, pid: UUID) -> str:
        return self.app.portfolio(pid).name

    def names(self) -> list[str]:
        return sorted(s.name for s in self.app.summaries())

    def count(self) -> int:
        """How many portfolio events the store holds."""
        return self.app.reader.count(topics=list(PORTFOLIO_TOPICS))

    def exported(self) -> dict[UUID, str]:
        """Each portfolio's events as the hash-chained export file (canonical JSON)."""
        files = {}
        for head in self.app.heads():
            out = io.StringIO()
            export_log(self.app, out, erasmo_version="test", portfolio_ids=[head.id])
            files[head.id] = out.getvalue()
        return files

    def state(self) -> dict[UUID, tuple[str, int, Decimal, bool]]:
        return {s.id: (s.name, s.version, s.cash, s.closed) for s in self.app.summaries()}


def make_install(path: Path) -> Install:
    path.mkdir(parents=True, exist_ok=True)
    return Install(path, Portfolios(StoreConfig.sqlite(path / "events.sqlite")))


def serve(install: Install, **kwargs: Any) -> SyncServer:
    """A real server over `install` on a free loopback port, labelled "alpha"."""
    options: dict[str, Any] = {"port": 0, "name": "alpha", "rate": 10_000.0, "burst": 10_000}
    options.update(kwargs)
    return start_server(install.app, token=TOKEN, **options)


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 and its key: (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def client(install: Install, server: SyncServer | str, **kwargs: Any) -> SyncClient:
    """A client install labelled "beta", whose conflicts are dated CONFLICT_DAY."""
    url = server if isinstance(server, str) else server.url
    options: dict[str, Any] = {"label": "beta", "today": lambda: CONFLICT_DAY}
    options.update(kwargs)
    return SyncClient(install.app, install.data_dir, url, TOKEN, **options)


def assert_same_events(a: Install, b: Install) -> None:
    """Both stores hold the same portfolios with the same events, none twice."""
    exported_a, exported_b = a.exported(), b.exported()
    assert exported_a.keys() == exported_b.keys()
    for pid, text in exported_a.items():
        assert text == exported_b[pid], f"portfolio {pid} differs"
    assert a.state() == b.state()
    for install in (a, b):
        assert install.count() == sum(h.version for h in install.app.heads())


def call(
    server: SyncServer,
    method: str,
    path: str,
    body: bytes | str | dict[str, Any] | None = None,
    *,
    token: str | None = TOKEN,
    headers: dict[str, str] | None = None,
) -> tuple[int, HTTPResponse, Any]:
    """One raw request; returns the status, the response and the parsed JSON (or raw bytes)."""
    sent: dict[str, str] = {}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    data: bytes | None
    if isinstance(body, dict):
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    else:
        data = body.encode() if isinstance(body, str) else body
    sent.update(headers or {})
    connection = HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        parsed: Any = json.loads(raw)
    except ValueError:
        parsed = raw
    return response.status, response, parsed
