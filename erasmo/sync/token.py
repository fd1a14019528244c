"""The sync token: a random secret in the data directory that every peer must present.

Created at first use with `secrets.token_urlsafe(32)` (32 random bytes), readable and writable by
its owner only, compared in constant time, and replaced whole by `rotate_token`.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from events.errors import ErasmoError

TOKEN_FILE = "sync-token"
TOKEN_BYTES = 32


class TokenError(ErasmoError):
    """The sync token file cannot be read or written, or is not one erasmo wrote."""


def token_path(data_dir: Path) -> Path:
    """Where the data directory keeps its sync token."""
    return data_dir / TOKEN_FILE


def load_or_create_token(data_dir: Path) -> str:
    """The data directory's sync token, created (owner-only) if there is none yet."""
    path = token_path(data_dir)
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    with contextlib.suppress(FileExistsError):  # another erasmo made it this moment: use it
        _write_new(path, secrets.token_urlsafe(TOKEN_BYTES), exclusive=True)
    return _read(path)


def rotate_token(data_dir: Path) -> str:
    """Replace the sync token with a new one; peers holding the old one are refused from now."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    _write_new(token_path(data_dir), token, exclusive=False)
    return token


def token_matches(given: str, expected: str) -> bool:
    """Whether `given` is the token, compared in constant time."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


def _read(path: Path) -> str:
    try:
        mode = path.stat().st_mode
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            path.chmod(0o600)  # someone widened it: others must not read the secret
        token = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as error:
        raise TokenError(f"Cannot read the sync token {path}: {error}") from None
    if len(token) < 43 or not all(c.isalnum() or c in "-_" for c in token):
        raise TokenError(
            f"{path} does not hold a sync token erasmo wrote. Run 'erasmo serve --rotate-token' "
            "to make a new one."
        )
    return token


def _write_new(path: Path, token: str, *, exclusive: bool) -> None:
    """Write `token` owner-only: a new file in place, or a temporary file moved over the old."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target = path if exclusive else path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except FileExistsError:
        raise
    except OSError as error:
        raise TokenError(f"Cannot write the sync token {path}: {error}") from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(token + "\n")
            out.flush()
            os.fsync(out.fileno())
        if not exclusive:
            os.replace(target, path)
    except OSError as error:
        raise TokenError(f"Cannot write the sync token {path}: {error}") from None
    finally:
        if not exclusive:
            with contextlib.suppress(OSError):
                target.unlink()
